"""Fast OWL RL closure for large graphs: rules compiled from the ontology's own TBox, run in Oxigraph.

owlrl applies every OWL RL rule to every triple in Python (about 70 s for 100k triples here).
Our ontology uses a handful of axiom kinds, so this module reads the TBox once, folds the class and
property hierarchies into lookup tables in Python, and turns each remaining rule into one SPARQL
``INSERT`` whose ``WHERE`` is a join against a ``VALUES`` table of TBox pairs. Oxigraph repeats the
rounds until nothing new appears (usually two).

What it derives: instance-level OWL RL entailments, i.e. ``rdf:type`` of individuals and property
assertions between them (plus ``owl:sameAs`` between distinct individuals when functional
properties force it), and owlrl-style ``err:ErrorMessage`` markers for individuals of two
disjoint classes (cax-dw, cax-adc), so ``admiukg.graph.inference.inconsistencies`` reads them as it
reads owlrl's. Not derived, on purpose: schema-level closure (``C rdfs:subClassOf D``), types
from the RDF/RDFS/OWL/XSD vocabularies (``owl:Thing``, ``owl:NamedIndividual``), reflexive
``owl:sameAs``, datatype trivia. ``admiukg.graph.inference`` (owlrl) stays the reference;
``tests/test_fastreason.py`` compares the two.

Axioms compiled: subClassOf, equivalentClass, intersectionOf, unionOf, hasValue, someValuesFrom,
allValuesFrom, subPropertyOf, equivalentProperty, domain, range, inverseOf, SymmetricProperty,
TransitiveProperty, propertyChainAxiom, FunctionalProperty, InverseFunctionalProperty (with the
owl:sameAs replacement rules). ``unsupported_axioms`` lists any other entailing axiom found, so a
caller (and a test) can tell when this reasoner would be incomplete for an ontology.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD

#: Blank nodes become IRIs inside the working store, because SPARQL VALUES cannot hold blank nodes.
SKOLEM = "urn:x-admiukg-fastreason:bnode:"
#: rdflib literals travel as opaque numbered literals so Oxigraph cannot canonicalise them
#: ("17850000.00"^^xsd:decimal would come back as "17850000"); they are mapped back on output.
LITERAL_TOKEN = ox.NamedNode("urn:x-admiukg-fastreason:literal")
#: Graph names of the triples each round added: ROUND + "1", ROUND + "2", ...
ROUND = "urn:x-admiukg-fastreason:round-"
#: owlrl's vocabulary for inconsistency messages.
ERR = rdflib.Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
BUILTIN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))

#: Axioms that add entailments in OWL RL but are not compiled here.
NOT_COMPILED = [OWL.hasKey, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.oneOf]

Source = rdflib.Graph | ox.Store | Iterable[Path | str]


def entailments(source: Source, into: rdflib.Graph | None = None, stats: dict | None = None) -> rdflib.Graph:
    """Instance-level OWL RL entailments of ``source`` (ontology and data together), as a Graph.

    ``source`` is an rdflib Graph (a Dataset counts all its graphs), a pyoxigraph Store (all its
    graphs) or Turtle/N-Triples file paths (the fastest: parsed straight into Oxigraph). The
    result holds only the added triples, like ``admiukg.graph.inference.entailments``; the input is not
    changed. ``into``: add the triples to this graph instead of a new one (rdflib spends ~20 µs
    per added triple, so ``graph += entailments(graph)`` would pay it twice). ``stats``, if
    given, receives seconds spent loading, in the rules and building the result, and the rounds.
    """
    clock = [time.perf_counter()]
    lap = lambda: clock.append(time.perf_counter()) or clock[-1] - clock[-2]
    terms = _Terms()
    store = _working_store(source, terms)
    load_s = lap()
    rounds = closure(store)
    rules_s = lap()
    out = rdflib.Graph() if into is None else into
    add, back = out.add, terms.back
    for graph in rounds:
        for q in store.quads_for_pattern(None, None, None, graph):
            add((back(q.subject), back(q.predicate), back(q.object)))
    for message in clashes(store, back):
        marker = rdflib.BNode()  # owlrl's form, so admiukg.graph.inference.inconsistencies reads it
        add((marker, RDF.type, ERR.ErrorMessage))
        add((marker, ERR.error, rdflib.Literal(message)))
    if stats is not None:
        stats.update(load_s=load_s, rules_s=rules_s, result_s=lap(), rounds=len(rounds))
    return out


def clashes(store: ox.Store, back=lambda t: t.value) -> list[str]:
    """cax-dw / cax-adc on a closed store: owlrl's message for each individual of two disjoint
    classes. (Our ontology's other OWL RL clash rules have no axioms to fire on.)"""
    pairs = TBox.read(store).disjoint
    if not pairs:
        return []
    # Set intersections in Python: Oxigraph's plan for the pairs joined in one query took 18 s at 1M.
    kind = _ox(RDF.type)
    members = {c: {q.subject for q in store.quads_for_pattern(None, kind, ox.NamedNode(c), ox.DefaultGraph())}
               for c in {c for pair in pairs for c in pair}}
    return sorted({f"Disjoint classes {back(ox.NamedNode(c))} and {back(ox.NamedNode(d))} have a common "
                   f"individual {back(x)}" for c, d in pairs for x in members[c] & members[d]})


def closure(store: ox.Store) -> list[ox.NamedNode]:
    """Materialise the entailments of the default graph of ``store`` into it. Each round also
    writes what it added to a graph of its own; returns those graphs (their union is exactly
    what inference added).

    Semi-naive: round one applies every rule to the whole graph; later rounds apply the
    one-premise rules only to the triples the previous round added, and rerun the few
    multi-premise rules (chains, transitivity, restrictions, equality) in full.
    """
    tbox = TBox.read(store)
    rounds = [round_graph(1)]
    for rule in tbox.rules(source=None, target=rounds[-1]):
        store.update(rule)
    while next(store.quads_for_pattern(None, None, None, rounds[-1]), None) is not None:
        rounds.append(round_graph(len(rounds) + 1))
        for rule in tbox.rules(source=rounds[-2], target=rounds[-1]):
            store.update(rule)
    return rounds[:-1]


def round_graph(number: int) -> ox.NamedNode:
    return ox.NamedNode(f"{ROUND}{number}")


def unsupported_axioms(store_or_graph: ox.Store | rdflib.Graph) -> list[str]:
    """IRIs of entailing OWL axioms present in the input that this module does not compile."""
    if isinstance(store_or_graph, rdflib.Graph):
        return sorted({str(p) for p in NOT_COMPILED if (None, p, None) in store_or_graph})
    return sorted({str(p) for p in NOT_COMPILED
                   if next(store_or_graph.quads_for_pattern(None, _ox(p), None), None)})


# -- TBox: read once, folded into tables ----------------------------------------------------------

class TBox:
    """The schema axioms that drive the rules, with hierarchies closed in Python."""

    def __init__(self) -> None:
        self.sub_class: dict[str, set[str]] = defaultdict(set)  # C -> direct supers
        self.sub_prop: dict[str, set[str]] = defaultdict(set)
        self.domain: dict[str, set[str]] = defaultdict(set)
        self.range: dict[str, set[str]] = defaultdict(set)
        self.inverse: set[tuple[str, str]] = set()
        self.transitive: set[str] = set()
        self.functional: set[str] = set()
        self.inverse_functional: set[str] = set()
        self.chains: list[tuple[str, list[str]]] = []
        self.intersections: list[tuple[str, list[str]]] = []
        self.has_value: list[tuple[str, str, ox.Term]] = []  # (restriction, property, value)
        self.some_values: list[tuple[str, str, str]] = []  # (restriction, property, class)
        self.all_values: list[tuple[str, str, str]] = []
        self.disjoint: list[tuple[str, str]] = []  # (c, d) in axiom order, as owlrl reports them

    @classmethod
    def read(cls, store: ox.Store) -> TBox:
        t = cls()
        pairs = lambda p: [(s.value, o) for s, _, o, _ in store.quads_for_pattern(None, _ox(p), None)]
        lists = _Lists(store)
        for s, o in pairs(RDFS.subClassOf):
            t.sub_class[s].add(o.value)
        for s, o in pairs(OWL.equivalentClass):
            t.sub_class[s].add(o.value)
            t.sub_class[o.value].add(s)
        for s, o in pairs(RDFS.subPropertyOf):
            t.sub_prop[s].add(o.value)
        for s, o in pairs(OWL.equivalentProperty):
            t.sub_prop[s].add(o.value)
            t.sub_prop[o.value].add(s)
        for s, o in pairs(RDFS.domain):
            t.domain[s].add(o.value)
        for s, o in pairs(RDFS.range):
            t.range[s].add(o.value)
        for s, o in pairs(OWL.inverseOf):
            t.inverse |= {(s, o.value), (o.value, s)}
        typed = lambda c: {s.value for s, *_ in store.quads_for_pattern(None, _ox(RDF.type), _ox(c))}
        t.inverse |= {(p, p) for p in typed(OWL.SymmetricProperty)}
        t.transitive = typed(OWL.TransitiveProperty)
        t.functional = typed(OWL.FunctionalProperty)
        t.inverse_functional = typed(OWL.InverseFunctionalProperty)
        for s, o in pairs(OWL.propertyChainAxiom):
            t.chains.append((s, [m.value for m in lists.items(o)]))
        for s, o in pairs(OWL.intersectionOf):
            members = [m.value for m in lists.items(o)]
            t.intersections.append((s, members))
            for m in members:  # cls-int2 is a plain subclass axiom
                t.sub_class[s].add(m)
        for s, o in pairs(OWL.unionOf):
            for m in lists.items(o):  # cls-uni likewise
                t.sub_class[m.value].add(s)
        t.disjoint = [(s, o.value) for s, o in pairs(OWL.disjointWith)]
        for _, o in pairs(OWL.members):  # owl:AllDisjointClasses (the only use of owl:members here)
            members = [m.value for m in lists.items(o)]
            t.disjoint += [(c, d) for i, c in enumerate(members) for d in members[i + 1:]]
        on_property = {s: o.value for s, o in pairs(OWL.onProperty)}
        for s, o in pairs(OWL.hasValue):
            t.has_value.append((s, on_property[s], o))
        for s, o in pairs(OWL.someValuesFrom):
            t.some_values.append((s, on_property[s], o.value))
        for s, o in pairs(OWL.allValuesFrom):
            t.all_values.append((s, on_property[s], o.value))
        return t

    def rules(self, source: ox.NamedNode | None, target: ox.NamedNode) -> list[str]:
        """One SPARQL update per rule. One-premise rules read ``source`` (None: the whole default
        graph); every rule writes what is new to the default graph and to ``target``."""
        class_supers = _closure(self.sub_class)
        implied = self.implied_properties()
        # Types from the built-in vocabularies (owl:Thing as a domain, say) are trivia: left out.
        with_supers = lambda cs: {d for c in cs for d in {c} | class_supers.get(c, set())
                                  if not d.startswith(BUILTIN)}
        # prp-dom/prp-rng folded with the property and class hierarchies: one table per end.
        subject_types, object_types = defaultdict(set), defaultdict(set)
        for p in set(self.domain) | set(self.range) | set(implied):
            ends = [(p, True)] + sorted(implied.get(p, ()))
            subject_types[p] = with_supers(c for q, fwd in ends
                                           for c in (self.domain if fwd else self.range).get(q, ()))
            object_types[p] = with_supers(c for q, fwd in ends
                                          for c in (self.range if fwd else self.domain).get(q, ()))
        forward = sorted((p, q) for p, qs in implied.items() for q, fwd in qs if fwd)
        backward = sorted((p, q) for p, qs in implied.items() for q, fwd in qs if not fwd)
        r = _Rules(source, target)
        # Round one reads the live graph, so this order lets one round do most of the work:
        # chains need implied properties (org:hasMembership) and their results imply more.
        r.implications(forward, inverted=False)
        r.implications(backward, inverted=True)
        r.chains(self.chains)
        r.transitive(sorted(self.transitive))
        if source is None:
            r.implications(forward, inverted=False)
            r.implications(backward, inverted=True)
        r.end_types("?x", _pairs(subject_types))
        r.end_types("?y", _pairs(object_types))
        r.sub_class([(c, d) for c, d in _pairs(class_supers) if not d.startswith(BUILTIN)])
        r.intersections(self.intersections)
        r.restrictions(self.has_value, self.some_values, self.all_values)
        r.same_as(sorted(self.functional), sorted(self.inverse_functional))
        return r.updates

    def implied_properties(self) -> dict[str, set[tuple[str, bool]]]:
        """p -> {(q, forward)}: ``x p y`` entails ``x q y`` (forward) or ``y q x`` (not forward).

        prp-spo1, prp-eqp, prp-inv and prp-symp closed together, so one pass over the data
        applies any sequence of them.
        """
        step = defaultdict(set)
        for p, qs in self.sub_prop.items():
            for q in qs:
                step[(p, True)].add((q, True)), step[(p, False)].add((q, False))
        for p, q in self.inverse:
            step[(p, True)].add((q, False)), step[(p, False)].add((q, True))
        reached = _closure(step)
        return {p: reached[(p, fwd)] for p, fwd in step if fwd and reached[(p, fwd)]}


def _closure(direct: dict) -> dict:
    """Transitive closure of a direct-successor map; cycles are allowed, and a node is never
    listed as its own successor (that would only restate what is asserted)."""
    out = {}
    for start, successors in direct.items():
        seen, todo = set(), list(successors)
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(direct.get(n, ()))
        seen.discard(start)
        out[start] = seen
    return out


def _pairs(table: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, bs in table.items() for b in bs)


_SAME = f"<{OWL.sameAs}>"


class _Rules:
    """Builds the SPARQL updates; each is a cheap join, most against a VALUES table of TBox pairs."""

    def __init__(self, source: ox.NamedNode | None, target: ox.NamedNode) -> None:
        self.source, self.target, self.updates = source, target, []

    def _add(self, template: str, where: str, premise: str = "") -> None:
        """``premise`` is the one-premise part: read from the delta graph in later rounds."""
        if premise and self.source is not None:
            premise = f"GRAPH <{self.source.value}> {{ {premise} }}"
        into = f"{template} GRAPH <{self.target.value}> {{ {template} }}"
        self.updates.append(f"INSERT {{ {into} }} WHERE {{ {premise} {where} }}")

    def implications(self, pairs, inverted: bool):  # prp-spo1, prp-eqp, prp-inv, prp-symp
        if pairs:
            new = "?y ?q ?x" if inverted else "?x ?q ?y"
            guard = "FILTER(!isLiteral(?y)) " if inverted else ""
            self._add(f"{new} .", f"{guard}FILTER NOT EXISTS {{ {new} }}",
                      premise=f"{_values('?p ?q', pairs)} ?x ?p ?y .")

    def _add_types(self, node: str, cls: str, premise: str) -> None:
        """A rule that types nodes. Over the whole graph many premises give the same (node,
        class), so the distinct pairs come first and the known types go in one anti-join (MINUS):
        4x faster on 1M triples. A later round's few premises are cheaper to check one by one."""
        if self.source is not None:
            self._add(f"{node} a {cls} .", f"FILTER NOT EXISTS {{ {node} a {cls} }}", premise=premise)
            return
        into = f"{node} a {cls} . GRAPH <{self.target.value}> {{ {node} a {cls} . }}"
        self.updates.append(f"INSERT {{ {into} }} WHERE {{ {{ SELECT DISTINCT {node} {cls} WHERE {{ {premise} }} }} "
                            f"MINUS {{ {node} a {cls} }} }}")

    def end_types(self, end: str, pairs):  # prp-dom / prp-rng (+ cax-sco)
        if pairs:
            guard = " FILTER(!isLiteral(?y))" if end == "?y" else ""
            self._add_types(end, "?c", f"{_values('?p ?c', pairs)} ?x ?p ?y .{guard}")

    def sub_class(self, pairs):  # cax-sco, cax-eqc, cls-int2, cls-uni over the closed hierarchy
        if pairs:
            self._add_types("?x", "?d", f"{_values('?c ?d', pairs)} ?x a ?c .")

    def chains(self, chains):  # prp-spo2
        for p, chain in chains:
            hops = " ".join(f"?v{i} <{q}> ?v{i + 1} ." for i, q in enumerate(chain))
            end = f"?v0 <{p}> ?v{len(chain)}"
            self._add(f"{end} .", f"{hops} FILTER NOT EXISTS {{ {end} }}")

    def transitive(self, properties):  # prp-trp, the whole closure in one property path
        for p in properties:
            self._add(f"?x <{p}> ?z .", f"?x <{p}>+ ?z . FILTER NOT EXISTS {{ ?x <{p}> ?z }}")

    def intersections(self, intersections):  # cls-int1
        for c, members in intersections:
            self._add(f"?x a <{c}> .", " ".join(f"?x a <{m}> ." for m in members)
                      + f" FILTER NOT EXISTS {{ ?x a <{c}> }}")

    def restrictions(self, has_value, some_values, all_values):
        for r, p, v in has_value:  # cls-hv1, cls-hv2
            self._add(f"?x <{p}> {v} .", f"FILTER NOT EXISTS {{ ?x <{p}> {v} }}", premise=f"?x a <{r}> .")
            self._add(f"?x a <{r}> .", f"FILTER NOT EXISTS {{ ?x a <{r}> }}", premise=f"?x <{p}> {v} .")
        for r, p, c in some_values:  # cls-svf1, cls-svf2
            typed = "" if c == str(OWL.Thing) else f"?y a <{c}> ."
            self._add(f"?x a <{r}> .", f"?x <{p}> ?y . {typed} FILTER NOT EXISTS {{ ?x a <{r}> }}")
        for r, p, c in all_values:  # cls-avf
            self._add(f"?y a <{c}> .", f"?x a <{r}> ; <{p}> ?y . FILTER(!isLiteral(?y)) "
                                       f"FILTER NOT EXISTS {{ ?y a <{c}> }}")

    def same_as(self, functional, inverse_functional):
        """prp-fp, prp-ifp and the equality rules (which only find work once a sameAs exists)."""
        for p in functional:
            self._add(f"?a {_SAME} ?b .", f"?x <{p}> ?a , ?b . FILTER(?a != ?b && !isLiteral(?a) && "
                                          f"!isLiteral(?b)) FILTER NOT EXISTS {{ ?a {_SAME} ?b }}")
        for p in inverse_functional:
            self._add(f"?a {_SAME} ?b .", f"?a <{p}> ?y . ?b <{p}> ?y . FILTER(?a != ?b) "
                                          f"FILTER NOT EXISTS {{ ?a {_SAME} ?b }}")
        same = f"?a {_SAME} ?b . FILTER(?a != ?b)"
        # eq-sym, eq-trans, eq-rep-s, eq-rep-o (eq-rep-p: our properties are never aliased)
        self._add(f"?b {_SAME} ?a .", f"{same} FILTER NOT EXISTS {{ ?b {_SAME} ?a }}")
        self._add(f"?a {_SAME} ?c .", f"{same} ?b {_SAME} ?c . FILTER(?a != ?c) "
                                      f"FILTER NOT EXISTS {{ ?a {_SAME} ?c }}")
        self._add("?b ?p ?o .", f"{same} ?a ?p ?o . FILTER(?p != {_SAME}) FILTER NOT EXISTS {{ ?b ?p ?o }}")
        self._add("?s ?p ?b .", f"{same} ?s ?p ?a . FILTER(?p != {_SAME}) FILTER NOT EXISTS {{ ?s ?p ?b }}")


def _values(names: str, rows: list[tuple[str, ...]]) -> str:
    body = " ".join("(" + " ".join(f"<{v}>" for v in row) + ")" for row in rows)
    return f"VALUES ({names}) {{ {body} }}"


# -- input and output ----------------------------------------------------------------------------

class _Lists:
    """rdf:List members, read from the working store (TBox lists are short)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.first, self.rest = _ox(RDF.first), _ox(RDF.rest)

    def items(self, node: ox.Term) -> list[ox.Term]:
        out = []
        while node != _ox(RDF.nil):
            out.append(next(self.store.quads_for_pattern(node, self.first, None)).object)
            node = next(self.store.quads_for_pattern(node, self.rest, None)).object
        return out


class _Terms:
    """Term conversion into the working store and back, keeping blank nodes and literals exact."""

    def __init__(self) -> None:
        self.to: dict = {}
        self.literals: list = []
        self.bnodes: dict[str, object] = {}
        self.back_cache: dict = {}

    def rdflib_to_ox(self, term):
        found = self.to.get(term)
        if found is None:
            if isinstance(term, rdflib.URIRef):
                found = ox.NamedNode(str(term))
            elif isinstance(term, rdflib.BNode):
                found = ox.NamedNode(f"{SKOLEM}{len(self.bnodes)}")
                self.bnodes[found.value] = term
            else:
                found = ox.Literal(str(len(self.literals)), datatype=LITERAL_TOKEN)
                self.literals.append(term)
            self.to[term] = found
        return found

    def skolemise(self, term):
        if isinstance(term, ox.BlankNode):
            return ox.NamedNode(SKOLEM + term.value)
        return term

    def back(self, term):
        found = self.back_cache.get(term)
        if found is None:
            found = self.back_cache[term] = self._back(term)
        return found

    def _back(self, term):
        if isinstance(term, ox.NamedNode):
            if term.value.startswith(SKOLEM):
                return self.bnodes.get(term.value) or rdflib.BNode(term.value[len(SKOLEM):])
            return rdflib.URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return rdflib.BNode(term.value)
        if term.datatype == LITERAL_TOKEN:
            return self.literals[int(term.value)]
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # rdflib keeps simple literals untyped
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _working_store(source: Source, terms: _Terms) -> ox.Store:
    """A private in-memory store holding the union of the source's graphs in its default graph."""
    store = ox.Store()
    if isinstance(source, rdflib.Graph):
        conv = terms.rdflib_to_ox
        triples = (source.quads((None, None, None, None)) if isinstance(source, rdflib.ConjunctiveGraph)
                   else source.triples((None, None, None)))
        store.bulk_extend(ox.Quad(conv(t[0]), conv(t[1]), conv(t[2])) for t in triples)
    elif isinstance(source, ox.Store):
        sk = terms.skolemise
        store.bulk_extend(ox.Quad(sk(q.subject), q.predicate, sk(q.object)) for q in source)
    else:
        for path in source:
            fmt = ox.RdfFormat.N_TRIPLES if str(path).endswith(".nt") else ox.RdfFormat.TURTLE
            store.load(path=str(path), format=fmt)
        _skolemise_schema_blank_nodes(store, terms)
    return store


def _skolemise_schema_blank_nodes(store: ox.Store, terms: _Terms) -> None:
    """Give IRIs to the blank nodes of schema axioms (restrictions, unions, lists), which the rule
    tables must name; blank nodes of the data stay as they are."""
    schema = [_ox(p) for p in SCHEMA_PREDICATES]
    bnodes = {t for p in schema for q in store.quads_for_pattern(None, p, None)
              for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    for b in bnodes:
        quads = list(store.quads_for_pattern(b, None, None)) + list(store.quads_for_pattern(None, None, b))
        for q in quads:
            store.remove(q)
        store.extend(ox.Quad(terms.skolemise(q.subject), q.predicate, terms.skolemise(q.object))
                     for q in quads)


#: Predicates whose blank-node subjects or objects are schema structure.
SCHEMA_PREDICATES = [RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                     OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf,
                     OWL.propertyChainAxiom, OWL.onProperty, OWL.hasValue, OWL.someValuesFrom,
                     OWL.allValuesFrom, OWL.unionOf, OWL.intersectionOf, OWL.members,
                     OWL.disjointWith, RDF.first, RDF.rest]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _ox(term: rdflib.URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))
