"""Findings that both validation paths (rdflib and pyshacl; the Oxigraph store) make the same way:
OWL RL clashes, the merge of SHACL passes, and the rows of the saved checks."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph

from admiukg.graph.inference import inconsistencies
from admiukg.queries.checks import run_checks
from admiukg.validation.reports import CHECK, INFO, VIOLATION, WARNING, Finding


def _consistency(entailed: Graph) -> list[tuple[Finding, str]]:
    check = CHECK + "owl-rl-consistency"
    return [(Finding(VIOLATION, message, focus=_text(focus), source=check), "data")
            for focus, message in inconsistencies(entailed)]  # fmt: skip


def _text(term) -> str | None:
    if term is None:
        return None
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _merge(*passes: list[Finding]) -> list[Finding]:
    """One finding per (focus, path, shape, component, value) across SHACL passes."""
    seen, merged = set(), []
    for finding in (f for findings in passes for f in findings):
        key = (finding.focus, finding.path, finding.source, finding.component, finding.value)
        if key not in seen:
            seen.add(key)
            merged.append(finding)
    return merged


# -- Saved checks (queries/checks/*.rq, owned by the queries module) ----------


def _saved_checks(graph: Graph) -> list[Finding]:
    """Rows of the must-be-empty queries (queries/checks/*.rq) as findings."""
    try:
        rows = list(run_checks(graph))
    except Exception as exc:  # a broken check file: report it, never crash the CI guard
        return [_broken(exc)]
    return [_row_finding(row) for row in rows]


def _broken(exc: Exception) -> Finding:
    return Finding(VIOLATION, f"saved checks (queries/checks) could not run: {_first_line(exc)}",
                   source=CHECK + "saved-queries")  # fmt: skip


def _get(row, *names):
    for name in names:
        value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if value is not None:
            return value
    return None


def _row_finding(row) -> Finding:
    """A run_checks row (admiukg.queries.checks.CheckViolation, or a dict alike) as a Finding.

    The file and line are the focus node's in the data, where the fix goes;
    the query file is named in the message.
    """
    if isinstance(row, str):
        return Finding(VIOLATION, row, source=CHECK + "saved-queries")
    check = str(_get(row, "check", "query", "name") or "saved check")
    severity = str(_get(row, "severity") or VIOLATION)
    severity = severity if severity in (VIOLATION, WARNING, INFO) else VIOLATION
    message = str(_get(row, "message", "summary") or "row returned by a must-be-empty query")
    focus = _get(row, "focus_node", "focus", "entity")
    if isinstance(focus, str) and focus.startswith("<") and focus.endswith(">"):
        focus = focus[1:-1]  # N-Triples syntax
    query_file = _get(row, "file")
    where = f" (check {query_file})" if query_file else f" (check {check})"
    return Finding(severity, message + where, focus=str(focus) if focus else None,
                   source=CHECK + "query/" + Path(check).stem)  # fmt: skip
