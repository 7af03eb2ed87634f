"""Why a fact holds: the shortest OWL 2 RL derivation of a triple, read from the served store.

An asserted triple is its own reason (with the graph it sits in and the source excerpts its
subject cites through ``prov:wasDerivedFrom``). An entailed triple - one in the inferred graph -
is explained by one OWL 2 RL rule (the names of the W3C OWL 2 Profiles tables, the rule kinds
``admiukg.fastreason`` compiles): the ontology axioms it used and the premises it matched,
each premise explained the same way. The store holds the whole closure, so every premise of a
step is itself in the store; the search goes backwards one rule at a time, asks the ontology
graph for the axioms at request time, and deepens until it finds a proof without cycles.

Bounded: at most ``MAX_DEPTH`` rule steps, ``PER_PATTERN`` candidate matches per premise pattern
and ``BUDGET`` store look-ups per explanation; past that the answer says it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from admiukg.site import describe as d

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = d.OWL
TYPE = d.RDF_TYPE
OWL_RL = "https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules"

MAX_DEPTH = 8
PER_PATTERN = 4
BUDGET = 4000


def _n(local: str, ns: str = OWL) -> NamedNode:
    return NamedNode(ns + local)


SUB_CLASS, SUB_PROP = _n("subClassOf", d.RDFS), _n("subPropertyOf", d.RDFS)
DOMAIN, RANGE = _n("domain", d.RDFS), _n("range", d.RDFS)
EQ_CLASS, EQ_PROP, INVERSE = _n("equivalentClass"), _n("equivalentProperty"), _n("inverseOf")
CHAIN, INTERSECTION, UNION = _n("propertyChainAxiom"), _n("intersectionOf"), _n("unionOf")
ON_PROPERTY, HAS_VALUE = _n("onProperty"), _n("hasValue")
SOME_VALUES, ALL_VALUES = _n("someValuesFrom"), _n("allValuesFrom")
SYMMETRIC, TRANSITIVE = _n("SymmetricProperty"), _n("TransitiveProperty")
SAME_AS, THING = _n("sameAs"), _n("Thing")
FIRST, REST, NIL = _n("first", RDF), _n("rest", RDF), _n("nil", RDF)
SCHEMA_RULES = (SUB_CLASS, SUB_PROP, DOMAIN, RANGE, EQ_CLASS, EQ_PROP)

#: What each rule says, for the page (the RDF form links the rule to the OWL 2 RL tables).
RULES = {
    "cax-sco": "subclass: an instance of a class is an instance of its superclasses",
    "cax-eqc": "equivalent classes share their instances",
    "prp-dom": "domain: the subject of the property is an instance of its domain",
    "prp-rng": "range: the object of the property is an instance of its range",
    "prp-spo1": "subproperty: a statement with a property holds for its superproperties",
    "prp-spo2": "property chain: following the chain of properties gives the property",
    "prp-eqp": "equivalent properties hold together",
    "prp-inv": "inverse properties: the statement holds read backwards with the inverse",
    "prp-symp": "symmetric property: the statement holds read backwards",
    "prp-trp": "transitive property: two steps give one",
    "cls-int1": "intersection: an instance of every member class is an instance of the intersection",
    "cls-int2": "intersection: an instance of the intersection is an instance of each member",
    "cls-uni": "union: an instance of a member class is an instance of the union",
    "cls-hv1": "hasValue restriction: its instances have the value",
    "cls-hv2": "hasValue restriction: having the value makes an instance",
    "cls-svf1": "someValuesFrom restriction: a value of the class makes an instance",
    "cls-avf": "allValuesFrom restriction: every value is of the class",
    "eq-sym": "sameAs is symmetric",
    "scm-sco": "subclass is transitive",
    "scm-spo": "subproperty is transitive",
    "scm-eqc1": "equivalent classes are subclasses of each other",
    "scm-eqc2": "classes that are subclasses of each other are equivalent",
    "scm-eqp1": "equivalent properties are subproperties of each other",
    "scm-eqp2": "properties that are subproperties of each other are equivalent",
    "scm-dom1": "a property's domain extends to the superclasses of that domain",
    "scm-dom2": "a property inherits the domain of its superproperties",
    "scm-rng1": "a property's range extends to the superclasses of that range",
    "scm-rng2": "a property inherits the range of its superproperties",
    "scm-int": "an intersection is a subclass of each member",
    "scm-uni": "each member of a union is a subclass of the union",
}


@dataclass
class Proof:
    triple: Triple
    graphs: list[str] = field(default_factory=list)  # roles (or graph IRIs) that hold it
    rule: str | None = None  # None: asserted
    axioms: list[Triple] = field(default_factory=list)
    premises: list[Proof] = field(default_factory=list)
    sources: list[NamedNode] = field(default_factory=list)  # excerpts of an asserted fact
    lists: dict = field(default_factory=dict)  # list head of an axiom -> its rdf:first/rest triples
    member_terms: dict = field(default_factory=dict)  # list head -> its members


    @property
    def asserted(self) -> bool:
        return self.rule is None


class Exhausted(Exception):
    """The look-up budget ran out before a proof was found."""


class _Search:
    def __init__(self, ds) -> None:
        self.ds, self.store = ds, ds.store
        self.roles = {g: r for r, g in ds.graphs.items()}
        self.schema = d.graph_nodes(ds, ("ontology",))
        self.union = d.graph_nodes(ds, ("ontology", "data", "inferred"))
        self.lookups = 0
        self.memo: dict = {}

    # -- store access, counted against the budget ------------------------------------------
    def _quads(self, s, p, o, graphs):
        self.lookups += 1
        if self.lookups > BUDGET:
            raise Exhausted
        if p is not None and not isinstance(p, NamedNode):
            return  # a property expression (a blank node) is never a predicate
        for g in graphs:
            yield from self.store.quads_for_pattern(s, p, o, g)

    def holds(self, s, p, o) -> bool:
        return next(self._quads(s, p, o, self.union), None) is not None

    def objects(self, s, p, graphs=None) -> list:
        return _dedup(q.object for q in self._quads(s, p, None, graphs or self.union))

    def subjects(self, p, o, graphs=None) -> list:
        return _dedup(q.subject for q in self._quads(None, p, o, graphs or self.union))

    def axioms(self, s, p, o) -> list[Triple]:
        return _dedup(q.triple for q in self._quads(s, p, o, self.schema))

    def graphs_holding(self, t: Triple) -> list[str]:
        names = {q.graph_name for q in self._quads(t.subject, t.predicate, t.object, [None])}
        return sorted(self.roles.get(getattr(g, "value", ""), getattr(g, "value", "default"))
                      for g in names)

    def items(self, head) -> list:
        out: list = []
        while head != NIL and len(out) < 16:
            first, rest = self.objects(head, FIRST, self.schema), self.objects(head, REST, self.schema)
            if not first or not rest:
                return []
            out.append(first[0])
            head = rest[0]
        return out

    def list_heads(self, member) -> list:
        """The lists (their first cell) that contain *member*."""
        heads = []
        for cell in self.subjects(FIRST, member, self.schema):
            while True:
                parents = self.subjects(REST, cell, self.schema)
                if not parents:
                    break
                cell = parents[0]
            heads.append(cell)
        return heads

    # -- the rules, backwards: (rule, axioms, premise triples) ------------------------------
    def derivations(self, t: Triple):
        s, p, o = t.subject, t.predicate, t.object
        if p == TYPE and isinstance(o, NamedNode | BlankNode):
            yield from self._type_rules(s, o)
        if p in SCHEMA_RULES:
            yield from self._schema_rules(s, p, o)
        yield from self._property_rules(s, p, o)

    def _schema_rules(self, s, p, o):
        """Entailed axioms (the scm-* rules): the ontology's hierarchies closed."""
        def two_steps(rule, first, second):
            for mid in self.objects(s, first)[:PER_PATTERN * 4]:
                if mid not in (s, o) and self.holds(mid, second, o):
                    yield rule, [], [Triple(s, first, mid), Triple(mid, second, o)]

        if p == SUB_CLASS:
            yield from two_steps("scm-sco", SUB_CLASS, SUB_CLASS)
            for a, b in ((s, o), (o, s)):
                if self.holds(a, EQ_CLASS, b):
                    yield "scm-eqc1", [], [Triple(a, EQ_CLASS, b)]
            for ax in self.axioms(s, INTERSECTION, None):
                if o in self.items(ax.object):
                    yield "scm-int", [ax], []
            for head in self.list_heads(s):
                for ax in self.axioms(o, UNION, head):
                    yield "scm-uni", [ax], []
        elif p == SUB_PROP:
            yield from two_steps("scm-spo", SUB_PROP, SUB_PROP)
            for a, b in ((s, o), (o, s)):
                if self.holds(a, EQ_PROP, b):
                    yield "scm-eqp1", [], [Triple(a, EQ_PROP, b)]
        elif p in (DOMAIN, RANGE):
            one, two = ("scm-dom1", "scm-dom2") if p == DOMAIN else ("scm-rng1", "scm-rng2")
            yield from two_steps(one, p, SUB_CLASS)
            yield from two_steps(two, SUB_PROP, p)
        elif p in (EQ_CLASS, EQ_PROP):
            sub = SUB_CLASS if p == EQ_CLASS else SUB_PROP
            if self.holds(s, sub, o) and self.holds(o, sub, s):
                yield ("scm-eqc2" if p == EQ_CLASS else "scm-eqp2"), [], [Triple(s, sub, o),
                                                                           Triple(o, sub, s)]

    def _type_rules(self, s, c):
        for ax in self.axioms(None, SUB_CLASS, c):
            yield "cax-sco", [ax], [Triple(s, TYPE, ax.subject)]
        for ax in self.axioms(None, EQ_CLASS, c) + self.axioms(c, EQ_CLASS, None):
            other = ax.subject if ax.object == c else ax.object
            yield "cax-eqc", [ax], [Triple(s, TYPE, other)]
        for ax in self.axioms(None, DOMAIN, c):
            for y in self.objects(s, ax.subject)[:PER_PATTERN]:
                yield "prp-dom", [ax], [Triple(s, ax.subject, y)]
        for ax in self.axioms(None, RANGE, c):
            for x in self.subjects(ax.subject, s)[:PER_PATTERN]:
                yield "prp-rng", [ax], [Triple(x, ax.subject, s)]
        for ax in self.axioms(c, INTERSECTION, None):
            members = self.items(ax.object)
            if members:
                yield "cls-int1", [ax], [Triple(s, TYPE, m) for m in members]
        for head in self.list_heads(c):
            for ax in self.axioms(None, INTERSECTION, head):
                yield "cls-int2", [ax], [Triple(s, TYPE, ax.subject)]
        for ax in self.axioms(c, UNION, None):
            for m in self.items(ax.object):
                yield "cls-uni", [ax], [Triple(s, TYPE, m)]
        for on in self.axioms(c, ON_PROPERTY, None):
            q = on.object
            for hv in self.axioms(c, HAS_VALUE, None):
                yield "cls-hv2", [hv, on], [Triple(s, q, hv.object)]
            for sv in self.axioms(c, SOME_VALUES, None):
                for y in self.objects(s, q)[:PER_PATTERN]:
                    typed = [] if sv.object == THING else [Triple(y, TYPE, sv.object)]
                    yield "cls-svf1", [sv, on], [Triple(s, q, y), *typed]
        if not isinstance(s, Literal):
            for av in self.axioms(None, ALL_VALUES, c):
                for on in self.axioms(av.subject, ON_PROPERTY, None):
                    for x in self.subjects(on.object, s)[:PER_PATTERN]:
                        yield "cls-avf", [av, on], [Triple(x, TYPE, av.subject), Triple(x, on.object, s)]

    def _property_rules(self, s, p, o):
        for ax in self.axioms(None, SUB_PROP, p):
            yield "prp-spo1", [ax], [Triple(s, ax.subject, o)]
        for ax in self.axioms(None, EQ_PROP, p) + self.axioms(p, EQ_PROP, None):
            other = ax.subject if ax.object == p else ax.object
            yield "prp-eqp", [ax], [Triple(s, other, o)]
        if not isinstance(o, Literal):
            for ax in self.axioms(p, INVERSE, None) + self.axioms(None, INVERSE, p):
                other = ax.object if ax.subject == p else ax.subject
                yield "prp-inv", [ax], [Triple(o, other, s)]
            for ax in self.axioms(p, TYPE, SYMMETRIC):
                yield "prp-symp", [ax], [Triple(o, p, s)]
        for ax in self.axioms(p, TYPE, TRANSITIVE):
            for z in self.objects(s, p)[:PER_PATTERN]:
                if z != o and self.holds(z, p, o):
                    yield "prp-trp", [ax], [Triple(s, p, z), Triple(z, p, o)]
        for ax in self.axioms(p, CHAIN, None):
            chain = self.items(ax.object)
            for path in self._paths(s, chain, o):
                yield "prp-spo2", [ax], path
        for r in self.subjects(HAS_VALUE, o, self.schema):
            for on in self.axioms(r, ON_PROPERTY, p):
                yield "cls-hv1", [Triple(r, HAS_VALUE, o), on], [Triple(s, TYPE, r)]
        if p == SAME_AS and self.holds(o, SAME_AS, s):
            yield "eq-sym", [], [Triple(o, SAME_AS, s)]

    def _paths(self, start, chain, end):
        """Up to PER_PATTERN paths start -chain[0]-> … -chain[-1]-> end."""
        if not chain:
            return
        found = []

        def walk(node, i, acc):
            if len(found) >= PER_PATTERN:
                return
            if i == len(chain) - 1:
                if self.holds(node, chain[i], end):
                    found.append([*acc, Triple(node, chain[i], end)])
                return
            nexts = self.objects(node, chain[i])
            if i == len(chain) - 2:  # meet the last hop from the end: no guessing among many
                last = set(self.subjects(chain[-1], end))
                nexts = [n for n in nexts if n in last]
            for nxt in nexts[:PER_PATTERN]:
                walk(nxt, i + 1, [*acc, Triple(node, chain[i], nxt)])

        walk(start, 0, [])
        yield from found

    # -- the proof ----------------------------------------------------------------------------
    def asserted_in(self, t: Triple) -> list[str]:
        return [r for r in self.graphs_holding(t) if r != "inferred"]

    def prove(self, t: Triple, depth: int) -> Proof | None:
        key = (t, depth)
        if key in self.memo:
            return self.memo[key]
        graphs = self.asserted_in(t)
        if graphs:
            proof = Proof(t, graphs, sources=self.sources(t))
        else:
            proof = None
            if depth > 0:
                for rule, axioms, premises in self.derivations(t):
                    subs = [self.prove(pt, depth - 1) for pt in premises]
                    if all(subs):
                        proof = Proof(t, self.graphs_holding(t), rule, axioms, [s for s in subs if s])
                        self._lists(proof)
                        break
        self.memo[key] = proof
        return proof

    def _lists(self, proof: Proof) -> None:
        """The members of the lists an axiom names (a property chain, an intersection)."""
        for ax in proof.axioms:
            head = ax.object
            if isinstance(head, BlankNode | NamedNode) and self.objects(head, FIRST, self.schema):
                proof.member_terms[head] = self.items(head)
                cells: list = []
                node = head
                while node != NIL and len(cells) < 32:
                    cells += self.axioms(node, None, None)
                    rest = self.objects(node, REST, self.schema)
                    node = rest[0] if rest else NIL
                proof.lists[head] = cells

    def sources(self, t: Triple) -> list[NamedNode]:
        found = []
        for node in (t.subject, t.object):
            if isinstance(node, NamedNode):
                found += [x for x in d.derived_from(self.ds, node) if x not in found]
            if found:
                break  # the fact node's own sources; the object's only when it has none
        return found


def _dedup(items) -> list:
    out, seen = [], set()
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def explain(ds, t: Triple) -> tuple[Proof | None, bool]:
    """(shortest proof or None, whether the search was cut by its bounds)."""
    search = _Search(ds)
    if not search.graphs_holding(t):
        return None, False
    try:
        for depth in range(MAX_DEPTH + 1):
            proof = search.prove(t, depth)
            if proof is not None:
                return proof, False
    except Exhausted:
        return None, True
    return None, False


def is_inferred(ds, t: Triple) -> bool:
    if "inferred" not in ds.graphs:
        return False
    g = NamedNode(ds.graphs["inferred"])
    return next(ds.store.quads_for_pattern(t.subject, t.predicate, t.object, g), None) is not None


def term_param(node) -> str:
    """A term as the ``s``/``p``/``o`` parameter: an IRI as is, a literal in N-Triples form."""
    return node.value if isinstance(node, NamedNode) else str(node)


def query_string(t: Triple) -> str:
    return urlencode({"s": term_param(t.subject), "p": term_param(t.predicate),
                      "o": term_param(t.object)})
