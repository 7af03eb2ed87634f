"""The validation report: findings, exit code, and its four renderings."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

VIOLATION, WARNING, INFO = "Violation", "Warning", "Info"
SH = "http://www.w3.org/ns/shacl#"
#: IRIs naming the validator's own checks (sh:sourceShape of non-SHACL findings).
CHECK = "urn:admiukg:check:"


@dataclass
class Finding:
    """One problem. ``source`` is the SHACL shape IRI or a ``check:`` name."""

    severity: str
    message: str
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    source: str | None = None
    component: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def focus_node(self) -> str | None:  # the SHACL name, which callers reach for
        return self.focus

    def fails(self, strict: bool) -> bool:
        return self.severity == VIOLATION or (strict and self.severity == WARNING)


@dataclass
class LoadError:
    """A file that could not be loaded (syntax error, missing file, bad shapes)."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class Report:
    results: list[Finding] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    strict: bool = False
    files: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.errors and not any(f.fails(self.strict) for f in self.results)

    @property
    def exit_code(self) -> int:
        """0 conforms, 1 violations (or warnings when strict), 2 cannot load."""
        if self.errors:
            return 2
        return 0 if self.conforms else 1

    def count(self, severity: str) -> int:
        return sum(1 for f in self.results if f.severity == severity)


def _shown(path: str | None) -> str | None:
    """Paths relative to the working directory where possible (CI annotations need that)."""
    if not path:
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _where(file, line) -> str:
    file = _shown(file) or "<graph>"
    return f"{file}:{line}" if line else file


# -- Text ---------------------------------------------------------------------


def to_text(report: Report, quiet: bool = False) -> str:
    """One line per finding: ``FILE:LINE: severity: message [focus, path]``, then a summary."""
    lines = [f"{_where(e.file, e.line)}: error: {e.message}" for e in report.errors]
    for f in report.results:
        if quiet and not f.fails(report.strict):
            continue
        extra = ", ".join(x for x in (f.focus, f.path) if x)
        tail = f" [{extra}]" if extra else ""
        lines.append(f"{_where(f.file, f.line)}: {f.severity.lower()}: {f.message}{tail}")
    if not quiet:
        lines.append(summary(report))
    return "\n".join(lines) + ("\n" if lines else "")


def summary(report: Report) -> str:
    if report.errors:
        return f"cannot validate: {len(report.errors)} file(s) failed to load"
    verdict = "conforms" if report.conforms else "does not conform"
    counts = ", ".join(
        f"{report.count(s)} {s.lower()}{'s' if report.count(s) != 1 else ''}" for s in (VIOLATION, WARNING, INFO)
    )
    strict = " (strict: warnings fail)" if report.strict else ""
    return f"{verdict}: {counts} in {len(report.files)} file(s){strict}"


# -- JSON ---------------------------------------------------------------------


def to_json(report: Report) -> str:
    results = []
    for f in report.results:
        item = asdict(f)
        item["file"] = _shown(f.file)
        results.append(item)
    doc = {
        "conforms": report.conforms,
        "exit_code": report.exit_code,
        "strict": report.strict,
        "summary": {
            "violations": report.count(VIOLATION),
            "warnings": report.count(WARNING),
            "infos": report.count(INFO),
            "errors": len(report.errors),
        },
        "results": results,
        "errors": [{"file": _shown(e.file), "line": e.line, "message": e.message} for e in report.errors],
        "files": [_shown(p) for p in report.files],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# -- Turtle (SHACL validation report) -----------------------------------------


def to_graph(report: Report):
    """The findings as a SHACL ``sh:ValidationReport`` graph.

    Validator checks that are not shapes appear with ``sh:sourceShape`` in the
    ``urn:admiukg:check:`` namespace; file and line go in ``rdfs:seeAlso``
    (``<file-uri#Lline>``) so a reader can jump to the source.
    """
    from pathlib import Path

    from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

    sh = Namespace(SH)
    g = Graph()
    g.bind("sh", sh)
    node = BNode()
    g.add((node, RDF.type, sh.ValidationReport))
    g.add((node, sh.conforms, Literal(report.conforms)))
    for f in report.results:
        r = BNode()
        g.add((node, sh.result, r))
        g.add((r, RDF.type, sh.ValidationResult))
        g.add((r, sh.resultSeverity, sh[f.severity]))
        g.add((r, sh.resultMessage, Literal(f.message)))
        if f.focus:
            g.add((r, sh.focusNode, _term(f.focus)))
        if f.path:
            g.add((r, sh.resultPath, _term(f.path)))
        if f.value is not None:
            g.add((r, sh.value, _term(f.value) if f.value.startswith(("http", "urn:")) else Literal(f.value)))
        if f.source:
            g.add((r, sh.sourceShape, _term(f.source)))
        if f.component:
            g.add((r, sh.sourceConstraintComponent, URIRef(f.component)))
        if f.file:
            anchor = Path(f.file).resolve().as_uri() + (f"#L{f.line}" if f.line else "")
            g.add((r, RDFS.seeAlso, URIRef(anchor)))
    for e in report.errors:
        r = BNode()
        g.add((node, sh.result, r))
        g.add((r, RDF.type, sh.ValidationResult))
        g.add((r, sh.resultSeverity, sh.Violation))
        g.add((r, sh.resultMessage, Literal(str(e))))
        g.add((r, sh.sourceShape, URIRef(CHECK + "load")))
    return g


def _term(text: str):
    from rdflib import BNode, URIRef

    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text)


def to_turtle(report: Report) -> str:
    return to_graph(report).serialize(format="turtle")


# -- GitHub Actions annotations -----------------------------------------------

_LEVEL = {VIOLATION: "error", WARNING: "warning", INFO: "notice"}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _gh_line(level: str, file, line, title: str, message: str) -> str:
    props = []
    if file:
        props.append(f"file={_gh_prop(_shown(file))}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={_gh_prop(title)}")
    return f"::{level} {','.join(props)}::{_gh_data(message)}"


def to_github(report: Report) -> str:
    """Workflow commands (``::error file=…,line=…,title=…::message``) shown on the changed line."""
    lines = [_gh_line("error", e.file, e.line, "RDF load error", e.message) for e in report.errors]
    for f in report.results:
        level = "error" if f.fails(report.strict) else _LEVEL[f.severity]
        title = f"KG {f.severity.lower()}" + (f": {_short(f.source)}" if f.source else "")
        extra = ", ".join(x for x in (f.focus, f.path) if x)
        lines.append(_gh_line(level, f.file, f.line, title, f.message + (f" [{extra}]" if extra else "")))
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _short(iri: str) -> str:
    for sep in ("#", "/", ":"):
        if sep in iri:
            return iri.rsplit(sep, 1)[1] or iri
    return iri


RENDERERS = {"text": to_text, "json": to_json, "turtle": to_turtle, "github": to_github}
