"""SHACL shapes compiled to SPARQL and evaluated inside the validator's Oxigraph store.

pyshacl walks every focus and value node in Python (71 s for 1M triples here); this module reads
the shapes once and turns each constraint into one SELECT whose rows are its violations, the way
:mod:`admiukg.graph.fastreason` turns OWL RL rules into updates. pyshacl stays the reference (and the
path for small graphs): ``tests/test_shaclsparql.py`` proves both give the same findings, and
:func:`uncovered` names every construct of a shapes graph that is not compiled, so the caller can
fall back to pyshacl and a test can fail when the shapes outgrow the compiler.

Compiled: ``sh:targetClass`` (instances of subclasses too); paths that are an IRI, an
``sh:inversePath`` of one, or a sequence of those; node- and property-level ``sh:class``,
``sh:datatype``, ``sh:nodeKind``, ``sh:minCount``, ``sh:maxCount``, ``sh:minInclusive`` and the
three other range components, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (+ ``sh:flags``),
``sh:languageIn``, ``sh:uniqueLang``, ``sh:in``, ``sh:hasValue``, ``sh:equals``, ``sh:disjoint``;
node-level ``sh:closed`` (+ ``sh:ignoredProperties``), ``sh:or``, ``sh:and``, ``sh:not``,
``sh:xone``; ``sh:deactivated``. Literal tests whose SPARQL reading could differ from rdflib's
(patterns, ranges, lengths, and any value the store holds as a token, see :mod:`admiukg.graph.oxload`)
are decided in Python on the rdflib term, with pyshacl's rules.
"""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import rdflib
from rdflib import RDFS, XSD, BNode, Literal, URIRef

from admiukg.graph.oxload import TOKEN, StoreTerms
from admiukg.validation.reports import VIOLATION, Finding
from admiukg.validation.shaclshapes import (
    NODE_COMPONENTS,
    SEVERITY,
    SH,
    VALUE_COMPONENTS,
    Shape,
    message_text,
    path_steps,
    path_text_of,
    term_text,
    uncovered,
)
from admiukg.validation.shaclvalues import value_test

#: Parameters whose per-value test always runs in Python (rdflib semantics).
PYTHON_TESTS = {SH.pattern, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
                SH.minLength, SH.maxLength}
_NODE_KIND = {SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
              SH.BlankNodeOrIRI: "!isLiteral(?v)", SH.BlankNodeOrLiteral: "!isIRI(?v)",
              SH.IRIOrLiteral: "!isBlank(?v)"}

# -- compiling and running -------------------------------------------------------------------------


class CompiledShapes:
    """The shapes of one graph, ready to run against a store (see :meth:`findings`)."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.graph = shapes
        self.problems = uncovered(shapes)
        roots: dict = {}
        for shape in set(shapes.subjects(SH.targetClass, None)):
            if not self._active(shape):
                continue
            roots[shape] = self._shape(shape)
            roots[shape].targets = set(shapes.objects(shape, SH.targetClass))
        self.roots = roots

    def _active(self, shape) -> bool:
        return not any(o.toPython() is True for o in self.graph.objects(shape, SH.deactivated)
                       if isinstance(o, Literal))

    def _shape(self, node) -> Shape:
        g = self.graph
        path = g.value(node, SH.path)
        hops = path_steps(g, path) if path is not None else []
        sparql = "/".join(("^" if inv else "") + f"<{p}>" for p, inv in hops) if path is not None else None
        source = node
        if isinstance(node, BNode):  # property shapes are often blank: name their node shape
            source = g.value(None, SH.property, node) or node
        return Shape(node, sparql, hops, path_text_of(path) if path is not None else None,
                      SEVERITY.get(g.value(node, SH.severity), VIOLATION),
                      message_text(list(g.objects(node, SH.message))),
                      term_text(source) if isinstance(source, URIRef) else None)

    def findings(self, store: ox.Store, terms: StoreTerms, only_class: bool = False) -> list[Finding]:
        """Every result of the shapes over the store's default graph, one per (focus, path, shape,
        component, value). ``only_class``: just the sh:class results of the target shapes and
        their direct property shapes (the pass over the asserted graph)."""
        if self.problems:
            raise ValueError("shapes use constructs that are not compiled: " + "; ".join(self.problems))
        run = _Run(self, store, terms)
        keep = {SH["class"]} if only_class else None
        jobs = []
        for root in self.roots.values():
            focus = run.targets(root.targets)
            jobs.append((root, focus))
            jobs += [(self._shape(prop), focus) for prop in self.graph.objects(root.node, SH.property)
                     if self._active(prop)]
        # pyoxigraph lets go of the GIL while it evaluates: the queries can share the cores.
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            for done in [pool.submit(run.constraints, shape, focus, keep) for shape, focus in jobs]:
                done.result()
        return run.results()


class _Run:
    """One evaluation: SPARQL per constraint, rows to findings, Python for rdflib-exact tests.

    Absent values are found with MINUS, which Oxigraph runs as one hash anti-join; its FILTER NOT
    EXISTS re-evaluates a join per row (73 s instead of 0.3 s for sh:equals over a sequence path
    at 1M triples). The right side shares ?this and/or ?v with the left, so both mean the same."""

    def __init__(self, compiled: CompiledShapes, store: ox.Store, terms: StoreTerms) -> None:
        self.c, self.g, self.store, self.terms = compiled, compiled.graph, store, terms
        self.found: dict[tuple, Finding] = {}
        self._subclasses: dict = {}

    # focus nodes, as a SPARQL group binding ?this
    def targets(self, classes) -> str:
        types = sorted({t for c in classes for t in self.subclasses(c)})
        return f"VALUES ?t {{ {' '.join(types)} }} ?this a ?t ." if types else "FILTER(false)"

    def subclasses(self, cls) -> list[str]:
        """The class and its subclasses in the store, as SPARQL terms (pyshacl follows
        rdfs:subClassOf in the data graph, which holds the ontology)."""
        if cls not in self._subclasses:
            node = self.term(cls)
            rows = self.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {node} }}")
            self._subclasses[cls] = sorted({str(r[0]) for r in rows} | {str(node)})
        return self._subclasses[cls]

    def term(self, rdflib_term) -> ox.Term:
        return self.terms.from_rdflib(rdflib_term)

    def shape(self, shape: Shape, focus: str) -> None:
        """A shape and its property shapes (an operand of sh:or and the like)."""
        self.constraints(shape, focus)
        for prop in self.g.objects(shape.node, SH.property):
            if self.c._active(prop):
                self.constraints(self.c._shape(prop), focus)

    def results(self) -> list[Finding]:
        return list(self.found.values())

    def add(self, shape: Shape, component: str, focus, value=None, path_text: str | None = None) -> None:
        back = self.terms.back
        finding = Finding(shape.severity, shape.message, focus=term_text(back(focus)),
                          path=path_text if path_text is not None else shape.path_text,
                          value=term_text(back(value)) if value is not None else None, source=shape.source,
                          component=f"{SH}{component}ConstraintComponent")
        key = (finding.focus, finding.path, finding.source, finding.component, finding.value)
        self.found.setdefault(key, finding)

    def select(self, query: str):
        return self.store.query(query)

    def values(self, shape: Shape, end: str = "?v", tag: str = "a") -> str:
        """Binds ``end`` to each value node of ?this. Sequences become one triple pattern per step
        (Oxigraph's plan for a sequence path by the focus node's values was 30x slower)."""
        if shape.path is None:
            return f"BIND(?this AS {end})"
        nodes = ["?this", *(f"?_{tag}{i}" for i in range(1, len(shape.hops))), end]
        return " ".join(f"{o} <{p}> {s} ." if inverse else f"{s} <{p}> {o} ."
                        for (p, inverse), s, o in zip(shape.hops, nodes, nodes[1:]))

    # the constraints of one shape, over the focus nodes bound by ``focus``
    def constraints(self, shape: Shape, focus: str, keep=None) -> None:
        g, node = self.g, shape.node
        for param, component in {**VALUE_COMPONENTS, **NODE_COMPONENTS}.items():
            if keep is not None and param not in keep:
                continue
            for arg in g.objects(node, param):
                for this, value, path in self.violations(shape, focus, param, arg):
                    self.add(shape, component, this, value, path)

    def violations(self, shape: Shape, focus: str, param, arg):
        """(focus, value or None, result path or None) for each violation of one constraint."""
        vals = self.values(shape)
        if param == SH.minCount:
            n = int(arg)
            if n == 1:  # an anti-join is cheaper than counting
                query = f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ {vals} }} }}"
            else:
                query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {vals} }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
            return [(r[0], None, None) for r in self.select(query)] if n > 0 else []
        if param == SH.maxCount:
            n = int(arg)
            if n == 1:
                query = (f"SELECT DISTINCT ?this WHERE {{ {focus} {vals} {self.values(shape, '?w', 'b')} "
                         f"FILTER(!sameTerm(?v, ?w)) }}")
            else:
                query = f"SELECT ?this WHERE {{ {focus} {vals} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
            return [(r[0], None, None) for r in self.select(query)]
        if param == SH["class"]:
            types = " ".join(self.subclasses(arg))
            return self.rows(f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {vals} "
                             f"MINUS {{ VALUES ?vt {{ {types} }} ?v a ?vt }} }}")
        if param == SH.hasValue:
            wanted = self.term(arg)
            if shape.path is None:
                rows = self.select(f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!sameTerm(?this, {wanted})) }}")
            else:
                rows = self.select(f"SELECT DISTINCT ?this WHERE {{ {focus} "
                                   f"MINUS {{ {self.values(shape, str(wanted))} }} }}")
            return [(r[0], None, None) for r in rows]
        if param in (SH.equals, SH.disjoint):
            return self.pair(shape, focus, param, arg)
        if param == SH.uniqueLang:
            return self.unique_lang(shape, focus) if arg.toPython() is True else []
        if param == SH.closed:
            return self.closed(shape, focus) if arg.toPython() is True else []
        if param in NODE_COMPONENTS:
            return self.logical(shape, focus, param, arg)
        return self.per_value(shape, focus, param, arg)

    def rows(self, query: str):
        return [(r[0], r[1], None) for r in self.select(query)]

    def per_value(self, shape: Shape, focus: str, param, arg):
        """Tests of each value node on its own: SPARQL finds the candidates (every token too),
        Python decides the tokens and the tests listed in PYTHON_TESTS."""
        test = value_test(self.g, shape.node, param, arg)
        if param in PYTHON_TESTS:
            candidates = "true"
        else:
            candidates = self.sparql_test(param, arg)
        if self.terms.originals and param not in PYTHON_TESTS:  # tokens are decided in Python
            candidates = f"({candidates}) || (isLiteral(?v) && DATATYPE(?v) = {TOKEN})"
        rows = self.select(f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {self.values(shape)} "
                           f"FILTER({candidates}) }}")
        out = []
        for this, v in rows:
            decided_here = param in PYTHON_TESTS or self.terms.is_token(v)
            if not (decided_here and test(self.terms.back(v))):
                out.append((this, v, None))
        return out

    def sparql_test(self, param, arg) -> str:
        """A SPARQL expression, true when ?v violates (exact for every non-token term)."""
        if param == SH.datatype:
            if arg == RDFS.Literal:
                return "!isLiteral(?v)"
            if arg == RDFS.Datatype:
                return f"!isLiteral(?v) || LANG(?v) != '' || DATATYPE(?v) = <{XSD.string}>"
            return f"!isLiteral(?v) || DATATYPE(?v) != {self.term(arg)}"
        if param == SH.nodeKind:
            return f"!({_NODE_KIND[arg]})"
        if param == SH.languageIn:
            langs = [str(x).lower() for x in self.g.items(arg)]
            if "*" in langs:
                return "!isLiteral(?v) || LANG(?v) = ''"
            listed = ", ".join(_string(x) for x in langs) or "''"
            lang = "LCASE(LANG(?v))"
            return (f"!isLiteral(?v) || LANG(?v) = '' || !({lang} IN ({listed}) || "
                    f"STRBEFORE(CONCAT({lang}, '-'), '-') IN ({listed}))")
        if param == SH["in"]:
            members = [self.term(x) for x in self.g.items(arg)]
            return "!(" + (" || ".join(f"sameTerm(?v, {m})" for m in members) or "false") + ")"
        raise AssertionError(param)

    def pair(self, shape: Shape, focus: str, param, other):
        mine, theirs = self.values(shape), f"?this <{other}> ?v ."
        if param == SH.equals:
            query = (f"SELECT DISTINCT ?this ?v WHERE {{ {{ {focus} {mine} MINUS {{ {theirs} }} }} "
                     f"UNION {{ {focus} {theirs} MINUS {{ {mine} }} }} }}")
        else:
            query = f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {mine} {theirs} }}"
        return self.rows(query)

    def unique_lang(self, shape: Shape, focus: str):
        """A language tag (case-blind) on two values; Python decides foci with token values."""
        lang = "LCASE(LANG(?v))"
        rows = self.select(f"SELECT DISTINCT ?this WHERE {{ {focus} {self.values(shape)} "
                           f"{self.values(shape, '?w', 'b')} FILTER(!sameTerm(?v, ?w) && LANG(?v) != '' "
                           f"&& {lang} = LCASE(LANG(?w))) }}")
        out = {r[0] for r in rows}
        if not self.terms.originals:
            return [(this, None, None) for this in out]
        tokens = self.select(f"SELECT ?this ?v WHERE {{ {focus} {self.values(shape)} FILTER EXISTS "
                             f"{{ {self.values(shape, '?k', 'b')} FILTER(isLiteral(?k) && DATATYPE(?k) = {TOKEN}) }} }}")
        langs = defaultdict(list)
        for this, v in tokens:
            lang = getattr(self.terms.back(v), "language", None)
            if lang:
                langs[this].append(lang.lower())
        out |= {this for this, found in langs.items() if len(found) != len(set(found))}
        return [(this, None, None) for this in out]

    def closed(self, shape: Shape, focus: str):
        g = self.g
        allowed = {p for prop in g.objects(shape.node, SH.property) for p in [g.value(prop, SH.path)]
                   if isinstance(p, URIRef)}
        for lst in g.objects(shape.node, SH.ignoredProperties):
            allowed |= set(g.items(lst))
        listed = ", ".join(f"<{p}>" for p in sorted(allowed))
        test = f"FILTER(?p NOT IN ({listed}))" if allowed else ""
        rows = self.select(f"SELECT DISTINCT ?this ?p ?v WHERE {{ {focus} ?this ?p ?v . {test} }}")
        return [(this, v, p.value) for this, p, v in rows]

    def logical(self, shape: Shape, focus: str, param, arg):
        """sh:or / sh:and / sh:xone / sh:not: which operands each focus node conforms to."""
        operands = list(self.g.items(arg)) if param != SH["not"] else [arg]
        foci = {r[0] for r in self.select(f"SELECT DISTINCT ?this WHERE {{ {focus} }}")}
        failing = [self.failing(op, focus) for op in operands]
        out = []
        for this in foci:
            passed = sum(this not in f for f in failing)
            bad = {SH["or"]: passed == 0, SH["and"]: passed < len(operands),
                   SH.xone: passed != 1, SH["not"]: passed == 1}[param]
            if bad:
                out.append((this, this, None))
        return out

    def failing(self, operand, focus: str) -> set:
        """The focus nodes that do not conform to an operand shape."""
        inner = _Run(self.c, self.store, self.terms)
        inner._subclasses = self._subclasses
        inner.shape(self.c._shape(operand), focus)
        back = {}
        for r in self.select(f"SELECT DISTINCT ?this WHERE {{ {focus} }}"):
            back[term_text(self.terms.back(r[0]))] = r[0]
        return {back[f.focus] for f in inner.results() if f.focus in back}


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
