"""Push the validated graph into an existing SPARQL 1.1 store.

    python -m admiukg.store.push --store http://host:8890/sparql \\
        --graph-store-url http://host:8890/sparql-graph-crud-auth --user dba --password dba

Validates first (:func:`admiukg.validation.validate.validate`) and refuses on violations, then replaces
the named graphs ontology, data, inferred (OWL RL entailments) and shapes (IRIs from
:mod:`admiukg.config`): with the Graph Store HTTP Protocol (one ``PUT`` per graph) when
``--graph-store-url`` is given, else SPARQL Update (``DROP SILENT GRAPH`` then ``INSERT DATA``
in chunks). Finally counts each graph through ``--store`` and compares with what was sent.

Exit codes: 0 pushed and verified, 1 validation violations, 2 bad input or store error.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import requests
from rdflib import Graph

from admiukg import config
from admiukg.errors import KGError
from admiukg.graph.inference import cached_entailments
from admiukg.graph.rdfload import RDFLoadError, load_graph
from admiukg.validation import reports
from admiukg.validation.validate import validate

#: Triples per INSERT DATA request (a blank-node group is never split; see _chunks).
CHUNK_TRIPLES = 2000


class PushError(KGError):
    """The store refused or could not be reached; str() says which request and why."""

    status, kind = 502, "push"


@dataclass
class Upload:
    role: str
    graph: str
    ntriples: list[str]  # one triple per line, N-Triples (also valid Turtle and SPARQL)


def bundled_uploads() -> list[Upload]:
    """The four named graphs of the bundled dataset, as N-Triples lines."""

    def merged(paths) -> Graph:
        g = Graph()
        for p in paths:
            g += load_graph(p)
        return g

    onto, data = config.ontology_files(), config.data_files()
    graphs = {
        "ontology": (config.GRAPH_ONTOLOGY, merged(onto)),
        "data": (config.GRAPH_DATA, merged(data)),
        "inferred": (config.GRAPH_INFERRED, cached_entailments(onto + data)),
        "shapes": (config.GRAPH_SHAPES, merged([config.shapes_file()])),
    }
    return [Upload(role, iri, _ntriples(g)) for role, (iri, g) in graphs.items()]


def _ntriples(graph: Graph) -> list[str]:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]


# --- HTTP ---------------------------------------------------------------------------------


def make_auth(url: str, user: str | None, password: str | None):
    """Digest or Basic, whichever the server's 401 challenge asks for (Virtuoso: Digest)."""
    if not user:
        return None
    try:
        challenge = requests.get(url, timeout=10).headers.get("WWW-Authenticate", "")
    except requests.RequestException as exc:
        raise PushError(f"{url}: unreachable ({type(exc).__name__})") from None
    if challenge.lower().startswith("digest"):
        return requests.auth.HTTPDigestAuth(user, password or "")
    return requests.auth.HTTPBasicAuth(user, password or "")


def _send(session: requests.Session, method: str, url: str, what: str, **kw) -> None:
    try:
        resp = session.request(method, url, timeout=120, **kw)
    except requests.RequestException as exc:
        raise PushError(f"{what}: {url} unreachable ({type(exc).__name__})") from None
    if resp.status_code >= 400:
        raise PushError(f"{what}: {url} answered HTTP {resp.status_code}: "
                        f"{' '.join(resp.text.split())[:300]}")


def put_graphs(uploads, graph_store_url: str, auth) -> None:
    """Graph Store HTTP Protocol: ``PUT ?graph=IRI`` replaces each graph in one request."""
    session = requests.Session()
    session.auth = auth
    for up in uploads:
        body = ("\n".join(up.ntriples) + "\n").encode("utf-8")
        # N-Triples is valid Turtle; text/turtle is the type every store accepts on PUT
        _send(session, "PUT", graph_store_url, f"PUT graph {up.graph}",
              params={"graph": up.graph}, data=body,
              headers={"Content-Type": "text/turtle; charset=utf-8"})


def update_graphs(uploads, update_url: str, auth, chunk: int = CHUNK_TRIPLES) -> None:
    """SPARQL Update: drop each graph, then INSERT DATA in chunks (see _chunks)."""
    session = requests.Session()
    session.auth = auth
    for up in uploads:
        _send(session, "POST", update_url, f"DROP GRAPH {up.graph}",
              data={"update": f"DROP SILENT GRAPH <{up.graph}>"})
        for i, lines in enumerate(_chunks(up.ntriples, chunk)):
            body = f"GRAPH <{up.graph}> {{\n" + "\n".join(lines) + "\n}"
            if any("_:" in line for line in lines):
                # Virtuoso refuses blank nodes in INSERT DATA; a template with an empty
                # WHERE is standard SPARQL 1.1 and mints them once for the whole chunk
                update = f"INSERT {{ {body} }} WHERE {{}}"
            else:
                update = f"INSERT DATA {{ {body} }}"
            _send(session, "POST", update_url, f"INSERT DATA chunk {i + 1} of {up.graph}",
                  data={"update": update.encode("utf-8")})


def _chunks(lines: list[str], size: int):
    """Chunks of about ``size`` lines, keeping triples that share a blank node together:
    each INSERT DATA mints fresh blank nodes, so a split would cut a restriction in two."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    groups: dict[str, list[str]] = {}
    order: list[str] = []
    labels_of = []
    for line in lines:
        labels = [tok for tok in line.split() if tok.startswith("_:")]
        labels_of.append(labels)
        for other in labels[1:]:
            parent[find(other)] = find(labels[0])
    for line, labels in zip(lines, labels_of):
        key = find(labels[0]) if labels else f"line:{len(order)}"
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(line)
    batch: list[str] = []
    for key in order:
        batch.extend(groups[key])
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def count_graphs(query_url: str, uploads, auth=None) -> dict[str, int]:
    """Triples per graph as the store reports them (through its query URL)."""
    counts = {}
    for up in uploads:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{up.graph}> {{ ?s ?p ?o }} }}"
        try:
            resp = requests.post(query_url, data={"query": query}, auth=auth, timeout=60,
                                 headers={"Accept": "application/sparql-results+json"})
            resp.raise_for_status()
            counts[up.role] = int(resp.json()["results"]["bindings"][0]["n"]["value"])
        except (requests.RequestException, ValueError, KeyError, IndexError) as exc:
            raise PushError(f"counting {up.graph} via {query_url} failed: {exc}") from None
    return counts


# --- command line -------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m admiukg.store.push", description=__doc__.split("\n\n")[0])
    p.add_argument("--store", required=True, help="the store's SPARQL query URL")
    p.add_argument("--update-url", help="SPARQL Update URL (default: --store)")
    p.add_argument("--graph-store-url",
                   help="Graph Store HTTP Protocol URL; when given, graphs are PUT there")
    p.add_argument("--user", help="user for the update / graph store URL")
    p.add_argument("--password", help="password for --user")
    p.add_argument("--chunk", type=int, default=CHUNK_TRIPLES, help="triples per INSERT DATA")
    p.add_argument("--no-validate", action="store_true",
                   help="skip validation (the graph has been validated in this CI run)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.no_validate:

        report = validate()
        if not report.conforms:
            print(reports.to_text(report, quiet=True), end="", file=sys.stderr)
            print(f"push: refused: the graph does not validate ({reports.summary(report)})",
                  file=sys.stderr)
            return report.exit_code or 1
    t0 = time.perf_counter()

    try:
        uploads = bundled_uploads()
    except (RDFLoadError, OSError, ValueError) as exc:  # RDFLoadError says FILE:LINE
        print(f"push: cannot read the graph: {exc}", file=sys.stderr)
        return 2
    try:
        target = args.graph_store_url or args.update_url or args.store
        auth = make_auth(target, args.user, args.password)
        if args.graph_store_url:
            put_graphs(uploads, args.graph_store_url, auth)
        else:
            update_graphs(uploads, args.update_url or args.store, auth, args.chunk)
        counts = count_graphs(args.store, uploads)
    except PushError as exc:
        print(f"push: {exc}", file=sys.stderr)
        return 2
    bad = []
    for up in uploads:
        sent = len(set(up.ntriples))
        got = counts[up.role]
        print(f"{up.role:9} {up.graph}  sent {sent:6}  in store {got:6}")
        # a store may fold equal literals (e.g. "1.0"^^xsd:decimal and "1.00"), never gain
        if got > sent or got < sent * 0.99:
            bad.append(up.role)
    if bad:
        print(f"push: the store's counts differ from what was sent for: {', '.join(bad)}",
              file=sys.stderr)
        return 2
    print(f"pushed {sum(counts.values())} triples in {len(uploads)} graphs to {target} "
          f"in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
