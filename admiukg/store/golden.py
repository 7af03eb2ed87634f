"""Golden results of the saved queries, computed on what the server itself answers from.

Refresh them after a reviewed data change with ``python -m admiukg.store.golden --update-golden``.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from admiukg import config
from admiukg.queries.catalogue import (
    _CURIE_LOCAL,
    EXPECTED_DIR,
    GOLDEN_PREFIXES,
    XSD,
    QueryDefinitionError,
    SavedQuery,
    catalogue,
    checks,
)
from admiukg.queries.checks import _relative, execute
from admiukg.store.local import load_dataset


def bundled_store() -> ox.Store:
    """An in-memory copy of what the server answers from: the graphs of its default graph.

    Built by the server's own loader (``admiukg.store.local``), so a golden file can only pass
    if the endpoint gives that answer too; query it with ``use_default_graph_as_union=True``.
    The shapes graph is left out, as it is of the served default graph.
    """
    served = load_dataset(validate=False)
    graphs = served.info.union if isinstance(served.info.union, list) else None
    store = ox.Store()
    store.bulk_extend(q for q in served.store.quads_for_pattern(None, None, None, None)
                      if graphs is None or q.graph_name.value in graphs)
    return store


# -- rendering ---------------------------------------------------------------


def compact(term: Any) -> str:
    """A term as N-Triples, with IRIs shortened by :data:`GOLDEN_PREFIXES` (for reviewable goldens)."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:b"  # labels are arbitrary; saved queries should not select blank nodes
    if isinstance(term, ox.Literal):
        lexical = str(ox.Literal(term.value))  # N-Triples escaping of the lexical form
        if term.language:
            return f"{lexical}@{term.language}"
        if term.datatype.value in (XSD + "string",):
            return lexical
        return f"{lexical}^^{_compact_iri(term.datatype.value)}"
    return str(term)


def _compact_iri(iri: str) -> str:
    for prefix, ns in GOLDEN_PREFIXES.items():
        if iri.startswith(ns) and _CURIE_LOCAL.match(iri[len(ns):] or "_"):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def golden_path(query: SavedQuery) -> Path:
    suffix = {"select": ".csv", "ask": ".txt"}.get(query.kind, ".nt")
    return EXPECTED_DIR / (query.name + suffix)


def render_result(query: SavedQuery, result: Any) -> str:
    """The normalised text of a result: sorted CSV rows, sorted canonical N-Triples, or true/false."""
    if query.kind == "ask":
        return "true\n" if bool(result) else "false\n"
    if query.kind == "select":
        variables = [v.value for v in result.variables]
        rows = sorted([compact(row[v]) for v in variables] for row in result)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(variables)
        writer.writerows(rows)
        return out.getvalue()
    return canonical_ntriples(list(result))


def canonical_ntriples(triples: list) -> str:
    """Sorted N-Triples with blank nodes relabelled canonically (rdflib's canonicaliser)."""
    import rdflib
    from rdflib.compare import to_canonical_graph

    graph = rdflib.Graph()
    data = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
    graph.parse(data=data, format="nt")
    lines = to_canonical_graph(graph).serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "".join(line + "\n" for line in sorted(set(lines)) if line.strip())


def update_golden(store: ox.Store | None = None) -> list[Path]:
    """Rewrite every golden file from the bundled data; returns the files that changed."""
    store = store or bundled_store()
    EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
    changed = []
    for query in catalogue().values():
        path = golden_path(query)
        text = render_result(query, execute(store, query))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m admiukg.store.golden", description=__doc__.split("\n")[0])
    parser.add_argument("--update-golden", action="store_true",
                        help="rewrite queries/expected/* from the bundled data (review the diff!)")
    parser.add_argument("--list", action="store_true", help="list the saved queries and checks (the default)")
    parser.add_argument("--queries-dir", type=Path, default=config.QUERIES_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.update_golden:
            for path in update_golden():
                print(f"updated {_relative(path)}")
            print("review the changes with: git diff queries/expected/")
        else:
            found = list(catalogue(args.queries_dir).values())
            if args.queries_dir == config.QUERIES_DIR:
                found += checks().values()
            for query in found:
                print(f"{_relative(query.path)}\t{query.kind}\t{query.summary}")
    except QueryDefinitionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
