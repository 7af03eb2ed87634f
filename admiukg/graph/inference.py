"""OWL RL entailments: what inference adds to a graph, minus the trivia.

owlrl computes the full closure; most of what it adds is noise that nobody
queries. :func:`entailments` keeps only triples that say something about the
input, by dropping (see :func:`is_trivial`):

1. reflexive tautologies: ``x owl:sameAs x``, ``C rdfs:subClassOf C``,
   ``C owl:equivalentClass C``, ``p rdfs:subPropertyOf p``,
   ``p owl:equivalentProperty p`` -- true of every term by OWL semantics;
2. top-concept tautologies: ``x rdf:type owl:Thing``, ``C rdfs:subClassOf
   owl:Thing``, ``p rdfs:domain owl:Thing``, ``p rdfs:range owl:Thing`` --
   true of every individual, class or property;
3. axioms about the built-in vocabularies (subject in rdf:, rdfs:, owl:,
   xsd:) -- facts of the language, not of our data;
4. triples with a literal subject (owlrl's internal literal proxies; not RDF).

Inconsistency markers are never dropped: owlrl reports a clash as a blank
node typed ``err:ErrorMessage`` with an ``err:error`` text, and an
unsatisfiable individual gets ``rdf:type owl:Nothing``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef

from admiukg import config

#: owlrl's vocabulary for inconsistency messages.
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
#: Bump when the filter changes: it is part of the cache key.
FILTER_VERSION = "1"

_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}
_TOP = {RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range}
_BUILTIN_NS = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_SKOLEM = "urn:admiukg:bnode:"  # blank nodes in the cache file, see _write_cache


def is_trivial(s, p, o) -> bool:
    """True for the entailed triples that :func:`entailments` leaves out."""
    if isinstance(s, Literal):
        return True
    if s == o and p in _REFLEXIVE:
        return True
    if o == OWL.Thing and p in _TOP:
        return True
    return isinstance(s, URIRef) and str(s).startswith(_BUILTIN_NS)


def entailments(graph: Graph) -> Graph:
    """The OWL RL triples that inference adds to ``graph`` (input not included)."""
    import owlrl  # lazy: costs ~0.2 s of import time

    _speed_up_vocabulary_lookups()
    closure = Graph(store="SimpleMemory")  # no per-triple context bookkeeping: ~25% faster
    closure += graph
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    added = Graph()
    for triple in closure:
        if triple not in graph and not is_trivial(*triple):
            added.add(triple)
    for prefix, ns in graph.namespaces():
        added.bind(prefix, ns, override=False)
    return added


def _speed_up_vocabulary_lookups() -> None:
    """Make ``OWL.sameAs`` & co. plain class attributes (same URIRef values).

    owlrl looks these up half a million times on a few thousand triples, and
    rdflib's DefinedNamespace resolves each through a checking __getattr__;
    caching them took the bundled graph's closure from ~2.1 s to ~1.4 s.
    """
    global _LOOKUPS_CACHED
    if _LOOKUPS_CACHED:
        return
    for ns in (RDF, RDFS, OWL, XSD):
        for name in ns.__annotations__:
            setattr(ns, name, ns[name])
    _LOOKUPS_CACHED = True


_LOOKUPS_CACHED = False


def inconsistencies(entailed: Graph) -> list[tuple[URIRef | None, str]]:
    """(focus node or None, message) for each OWL RL clash marked in ``entailed``."""
    found = []
    for marker in entailed.subjects(RDF.type, ERR.ErrorMessage):
        for text in entailed.objects(marker, ERR.error):
            found.append((_focus_of(str(text)), f"OWL RL inconsistency: {text}"))
    for node in entailed.subjects(RDF.type, OWL.Nothing):
        found.append((node, f"OWL RL inconsistency: {node} is an instance of owl:Nothing"))
    return found


def _focus_of(message: str) -> URIRef | None:
    iris = re.findall(r"[a-z][a-z0-9+.-]*:[^\s,()<>\"]+", message)
    things = [i for i in iris if i.startswith(config.ID)]
    if things:
        return URIRef(things[-1])  # "... have a common individual <thing>"
    return URIRef(iris[0]) if iris else None


# -- Cache --------------------------------------------------------------------


def cache_key(contents: list[bytes]) -> str:
    """SHA-256 over the inputs' bytes (order-free), owlrl's version and the filter."""
    digest = hashlib.sha256()
    digest.update(f"admiukg-entailments filter={FILTER_VERSION} owlrl={_owlrl_version()}\n".encode())
    for part in sorted(hashlib.sha256(c).hexdigest() for c in contents):
        digest.update(part.encode())
    return digest.hexdigest()


def cached_entailments(paths, *, graph: Graph | None = None, cacheable: bool = True, cache_dir=None) -> Graph:
    """:func:`entailments` of the union of ``paths``, cached on disk as N-Triples.

    ``graph``, if given, must be that union as :func:`admiukg.graph.rdfload.load_graph_stable`
    parses it, and ``cacheable`` its ``stable`` flag (the validator passes what
    it already parsed, to parse once). A missing, truncated or unreadable
    cache file is recomputed; graphs with unstable blank nodes skip the cache.
    """
    from admiukg.graph.rdfload import load_graph_stable

    paths = [Path(p) for p in paths]
    contents = [p.read_bytes() for p in paths]
    cache_dir = Path(cache_dir or config.CACHE_DIR)
    cache_file = cache_dir / f"entailments-{cache_key(contents)}.nt"
    if cacheable:
        cached = _read_cache(cache_file)
        if cached is not None:
            return cached
    if graph is None:
        graph = Graph()
        for path in paths:
            part, _raw, stable = load_graph_stable(path)
            graph += part
            cacheable = cacheable and stable
    added = entailments(graph)
    if cacheable:
        _write_cache(cache_file, added)
    return added


def _owlrl_version() -> str:
    from importlib.metadata import version  # cheaper than importing owlrl

    return version("owlrl")


def _write_cache(cache_file: Path, graph: Graph) -> None:
    """N-Triples, blank nodes as urn IRIs (labels survive), a count trailer, atomic rename."""

    def term(t):
        return f"<{_SKOLEM}{t}>" if isinstance(t, BNode) else t.n3()

    lines = [f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in graph]
    lines.append(f"# complete: {len(lines)} triples\n")
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=".tmp-", suffix=".nt")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(lines)
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only checkout still validates, just without the cache


def _read_cache(cache_file: Path) -> Graph | None:
    try:
        text = cache_file.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    body, _, trailer = text.rstrip("\n").rpartition("\n")
    match = re.fullmatch(r"# complete: (\d+) triples", trailer)
    if not match:
        return None
    raw = Graph()
    try:
        raw.parse(data=body + "\n", format="nt")
    except Exception:
        return None
    if len(raw) != int(match.group(1)):
        return None
    graph = Graph()
    for s, p, o in raw:
        graph.add((_unskolem(s), p, _unskolem(o)))
    return graph


def _unskolem(t):
    if isinstance(t, URIRef) and str(t).startswith(_SKOLEM):
        return BNode(str(t)[len(_SKOLEM):])
    return t
