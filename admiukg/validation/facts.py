"""The facts themselves, checked against the source text they cite.

SHACL checks the shape of the graph; these rules check what it says:

* ``source-file``: the file a source document names (``au:fileName``) exists beside the
  data (``<data dir>/source/``) or in the bundled ``data/source/``, and its SHA-256 is
  the ``au:sha256`` the graph states;
* ``quote``: every excerpt's ``prov:value`` occurs byte for byte in that file (a changed
  year, a stripped accent, a dropped word or decomposed Unicode all fail);
* ``label``: a node that names something of the source (organization, person, post,
  project, scheme, country, aim) carries its Azerbaijani ``skos:prefLabel`` verbatim in an
  excerpt it cites, or a ``skos:hiddenLabel`` that is the source's own inflected form;
* ``entity``: every named node a fact links to (a member, a network, a country, a
  project, a scheme, a funder, a role …) is named, by one of its Azerbaijani labels, in
  the excerpts that fact cites; the document's ``dcterms:subject`` (ADMİU) counts as
  named everywhere, because the source leaves it implicit ("2023-cü ildən isə … üzvdür");
* ``number``: every year and count a fact states occurs in its excerpts as digits, and an
  exact count is not what the excerpt calls "more than N" (``N-dən çox``) or vice versa.

What these rules cannot see: a fact swapped for another one the same sentence also
supports (two countries of one list), a role whose word happens to occur in the sentence,
and any meaning the words do not carry (see README, "What the validator catches").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from admiukg import config
from admiukg.validation.reports import CHECK, VIOLATION, Finding

AU = Namespace(config.AU)
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")

#: Classes whose instances name something the source names (own labels checked verbatim).
NAMED = {AU.Organization, AU.Person, AU.Post, AU.StaffGroup, AU.Project, AU.FundingScheme,
         AU.Country, AU.ProjectRole}
VERBATIM = NAMED - {AU.ProjectRole} | {AU.Aim}
CITES = (PROV.wasDerivedFrom, PROV.wasInfluencedBy)
NUMERIC = {XSD.gYear, XSD.integer, XSD.int, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.decimal}
#: "N-dən çox", "N-dan çox", "N-dən artıq": more than N.
MORE_THAN = r"(?<![0-9]){n}-d[əa]n (?:çox|artıq)"


def check(graph: Graph, data_paths: Iterable[Path] = ()) -> list[Finding]:
    """Every rule above over ontology + data as asserted (the ontology gives the roles' labels).

    The fact rules read only excerpts of documents whose file was found and whose checksum
    holds: of any other text nothing can be said but that it is missing or different.
    """
    texts, found = _source_texts(graph, list(data_paths))
    found += _quotes(graph, texts)
    classes = _class_closure(graph)
    for fact in sorted({s for p in CITES for s in graph.subjects(p, None)}, key=str):
        excerpts = [e for p in CITES for e in graph.objects(fact, p)
                    if any(d in texts for d in graph.objects(e, PROV.wasQuotedFrom))]
        if not excerpts:
            continue  # no checked excerpt: the shapes, fact-without-source or source-file report it
        text = " ".join(str(graph.value(e, PROV.value) or "") for e in excerpts)
        implicit = {s for e in excerpts for d in graph.objects(e, PROV.wasQuotedFrom)
                    for s in graph.objects(d, DCTERMS.subject)}
        found += _own_label(graph, classes, fact, text, excerpts)
        found += _linked_entities(graph, classes, fact, text, excerpts, implicit)
        found += _numbers(graph, fact, text, excerpts)
    return found


def _finding(rule: str, message: str, focus, path=None, value=None) -> Finding:
    return Finding(VIOLATION, message, focus=str(focus), path=str(path) if path else None,
                   value=str(value) if value is not None else None, source=CHECK + "facts/" + rule)


def _short(node) -> str:
    text = str(node)
    return text.rsplit("/", 1)[-1] if text.startswith(config.ID) else text.rsplit("#", 1)[-1]


def _names(excerpts) -> str:
    return ", ".join(sorted(_short(e) for e in excerpts))


# -- the source file and the quotes ----------------------------------------------------------


def _source_texts(graph: Graph, data_paths: list[Path]) -> tuple[dict, list[Finding]]:
    """document -> its text, for each document whose file is found and whose checksum holds."""
    texts, found = {}, []
    folders = [p.parent / "source" for p in data_paths] + [config.DATA_DIR / "source"]
    for doc in sorted(graph.subjects(RDF.type, AU.SourceDocument), key=str):
        name = graph.value(doc, AU.fileName)
        if name is None:
            found.append(_finding("source-file", f"source document {_short(doc)} names no au:fileName, so "
                                  "its quotes cannot be checked", doc, AU.fileName))
            continue
        path = next((f / str(name) for f in folders if (f / str(name)).is_file()), None)
        if path is None or Path(str(name)).name != str(name):
            found.append(_finding("source-file", f"source file {str(name)!r} of {_short(doc)} not found in "
                                  f"{', '.join(sorted({str(f) for f in folders}))}", doc, AU.fileName, name))
            continue
        raw = path.read_bytes()
        digest, stated = hashlib.sha256(raw).hexdigest(), graph.value(doc, AU.sha256)
        if stated is None or str(stated) != digest:
            found.append(_finding("source-file", f"au:sha256 of {_short(doc)} is {stated or 'missing'}, but "
                                  f"{path.name} has SHA-256 {digest}: the quotes were taken from another "
                                  "text, or the checksum is wrong", doc, AU.sha256, stated))
            continue
        texts[doc] = raw.decode("utf-8")
    return texts, found


def _quotes(graph: Graph, texts: dict) -> list[Finding]:
    found = []
    for excerpt in sorted(graph.subjects(RDF.type, AU.SourceExcerpt), key=str):
        for doc in graph.objects(excerpt, PROV.wasQuotedFrom):
            text = texts.get(doc)
            if text is None:
                continue  # the document itself is reported
            for quote in graph.objects(excerpt, PROV.value):
                if str(quote) not in text:
                    found.append(_finding("quote", f"the quote of {_short(excerpt)} is not byte for byte in "
                                          f"the source file: {_divergence(str(quote), text)}",
                                          excerpt, PROV.value))
    return found


def _divergence(quote: str, text: str) -> str:
    """Where the quote stops matching: the longest prefix that occurs in the text."""
    low, high = 0, len(quote)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if quote[:mid] in text else (low, mid - 1)
    seen = quote[max(0, low - 30):low]
    wrong = quote[low:low + 12]
    return f"matches up to «…{seen}», then reads «{wrong}…» ({wrong[:3]!a})"


# -- labels and linked entities --------------------------------------------------------------


def _class_closure(graph: Graph) -> dict:
    """own class -> itself and all its superclasses."""
    supers: dict = {}
    for c in (c for c in set(graph.subjects(RDFS.subClassOf, None)) if str(c).startswith(config.AU)):
        seen, todo = set(), [c]
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(graph.objects(x, RDFS.subClassOf))
        supers[c] = seen
    return supers


def _kinds(graph: Graph, classes: dict, node) -> set:
    return {s for t in graph.objects(node, RDF.type) for s in classes.get(t, {t})}


def _az(graph: Graph, node, *props) -> list[str]:
    return [str(v) for p in props for v in graph.objects(node, p)
            if isinstance(v, Literal) and v.language == "az"]


def _own_label(graph, classes, fact, text, excerpts) -> list[Finding]:
    if not _kinds(graph, classes, fact) & VERBATIM:
        return []
    preferred = _az(graph, fact, SKOS.prefLabel)
    if any(label in text for label in preferred + _az(graph, fact, SKOS.hiddenLabel)):
        return []
    return [_finding("label", f"the Azerbaijani name of {_short(fact)} ({', '.join(map(repr, preferred))}) is "
                     f"not written so in the excerpt(s) it cites ({_names(excerpts)}): a typo, lost "
                     "diacritics or stray spaces, or the wrong excerpt", fact, SKOS.prefLabel)]


def _linked_entities(graph, classes, fact, text, excerpts, implicit) -> list[Finding]:
    found = []
    for prop, target in sorted(graph.predicate_objects(fact), key=lambda po: (str(po[0]), str(po[1]))):
        if prop in CITES or prop == RDF.type or not isinstance(target, URIRef) or target in implicit:
            continue
        if not _kinds(graph, classes, target) & NAMED:
            continue
        labels = _az(graph, target, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        if labels and not any(label in text for label in labels):
            found.append(_finding("entity", f"{_short(fact)} says {_short(prop)} {_short(target)}, but the "
                                  f"excerpt(s) it cites ({_names(excerpts)}) never name {_short(target)} "
                                  f"({', '.join(map(repr, labels[:2]))})", fact, prop, target))
    return found


def _numbers(graph, fact, text, excerpts) -> list[Finding]:
    found = []
    for prop, value in sorted(graph.predicate_objects(fact), key=lambda po: (str(po[0]), str(po[1]))):
        if not isinstance(value, Literal) or value.datatype not in NUMERIC:
            continue
        digits = str(value)
        if not re.search(rf"(?<![0-9]){re.escape(digits)}(?![0-9])", text):
            found.append(_finding("number", f"{_short(fact)} says {_short(prop)} {digits}, but {digits} is not "
                                  f"in the excerpt(s) it cites ({_names(excerpts)})", fact, prop, value))
            continue
        more_than = re.search(MORE_THAN.format(n=re.escape(digits)), text) is not None
        if prop == AU.memberCount and more_than:
            found.append(_finding("number", f"{_short(fact)} states exactly {digits} members, but the excerpt "
                                  f"says more than {digits}: use au:memberCountExceeds", fact, prop, value))
        elif prop == AU.memberCountExceeds and not more_than:
            found.append(_finding("number", f"{_short(fact)} says more than {digits} members, but the excerpt "
                                  f"does not say 'more than' ({digits}-dən çox)", fact, prop, value))
    return found
