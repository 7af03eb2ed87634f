"""An explanation (admiukg.explain) as RDF and as a view model for the pages.

RDF form, standard vocabularies only: each fact of the proof is an ``rdf:Statement`` named by
its own ``/explain?s=&p=&o=`` URL (so every premise dereferences to its own explanation),
``dcterms:isPartOf`` the named graph that holds it. An asserted fact is ``prov:wasDerivedFrom``
the source excerpts its subject cites (with their ``prov:value`` text); an entailed fact is
``prov:wasDerivedFrom`` its premises and the axioms, and ``prov:wasGeneratedBy`` one
``prov:Activity``: the OWL 2 RL rule (``rdfs:label`` its name in the W3C tables,
``dcterms:conformsTo`` those tables) that ``prov:used`` them.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from admiukg.site import describe as d
from admiukg.site import explain, links, views

RDF = explain.RDF
DCTERMS, PROV, RDFS = d.DCTERMS, d.PROV, d.RDFS
STATEMENT = NamedNode(RDF + "Statement")
ACTIVITY = NamedNode(PROV + "Activity")


def _node(t: Triple):
    if isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode):
        return BlankNode()  # a fact about a blank node has no address across requests
    return NamedNode(links.path("explain") + "?" + explain.query_string(t))


def triples(ds, proof: explain.Proof) -> list[Triple]:
    out: list[Triple] = []
    done: dict = {}

    def add(s, p, o):
        out.append(Triple(s, NamedNode(p), o))

    def statement(t: Triple, graphs):
        if t in done:
            return done[t]
        node = done[t] = _node(t)
        add(node, RDF + "type", STATEMENT)
        add(node, RDF + "subject", t.subject)
        add(node, RDF + "predicate", t.predicate)
        add(node, RDF + "object", t.object)
        for g in graphs:
            if g in ds.graphs:
                add(node, DCTERMS + "isPartOf", NamedNode(ds.graphs[g]))
        return node

    def walk(p: explain.Proof):
        node = statement(p.triple, p.graphs)
        if p.asserted:
            for src in p.sources:
                add(node, PROV + "wasDerivedFrom", src)
                out.extend(q.triple for q in d.outgoing(ds, src) if isinstance(q.object, Literal))
            return node
        step = BlankNode()
        add(node, PROV + "wasGeneratedBy", step)
        add(step, RDF + "type", ACTIVITY)
        add(step, RDFS + "label", Literal(p.rule or ""))
        add(step, RDFS + "comment", Literal(explain.RULES.get(p.rule or "", ""), language="en"))
        add(step, DCTERMS + "conformsTo", NamedNode(explain.OWL_RL))
        for ax in p.axioms:
            used = statement(ax, ["ontology"])
            add(step, PROV + "used", used)
            add(node, PROV + "wasDerivedFrom", used)
        for members in p.lists.values():
            out.extend(members)
        for sub in p.premises:
            used = walk(sub)
            add(step, PROV + "used", used)
            add(node, PROV + "wasDerivedFrom", used)
        return node

    walk(proof)
    return out


def view(ds, proof: explain.Proof, lang: str, memo: dict | None = None) -> dict:
    """Nested dicts for the explanation macro of the pages. *memo* (shared by the explanations
    of one page) keeps each term's label look-up and excerpt to once per page."""
    memo = {} if memo is None else memo
    excerpts = memo.setdefault("excerpts", {})
    terms = memo.setdefault("terms", {})

    def term(node) -> dict:
        if node not in terms:
            terms[node] = views.term(ds, node, lang)
        return terms[node]

    def fact(t: Triple) -> dict:
        return {"s": term(t.subject), "p": term(t.predicate), "o": term(t.object),
                "href": "/explain?" + explain.query_string(t)}

    def axiom(ax: Triple, lists) -> dict:
        row = fact(ax)
        if isinstance(ax.object, BlankNode) and ax.object in lists:
            row["members"] = [term(m) for m in lists[ax.object]]
        return row

    def walk(p: explain.Proof) -> dict:
        row = fact(p.triple)
        row["graphs"] = p.graphs
        if p.asserted:
            row["sources"] = []
            for src in p.sources:
                if src not in excerpts:
                    excerpts[src] = views.excerpt_of(ds, src, lang)
                if excerpts[src]:
                    row["sources"].append(excerpts[src])
            return row
        row["rule"] = p.rule
        row["rule_text"] = explain.RULES.get(p.rule or "", "")
        row["axioms"] = [axiom(ax, p.member_terms) for ax in p.axioms]
        row["premises"] = [walk(sub) for sub in p.premises]
        return row

    return walk(proof)


def inferred_facts(ds, node: NamedNode, lang: str) -> list[dict]:
    """Each entailed fact about *node* (either end) with its explanation, for the page."""
    facts = sorted({q.triple for q in d.outgoing(ds, node, ("inferred",))}
                   | {q.triple for q in d.incoming(ds, node, ("inferred",))},
                   key=lambda t: (t.subject != node, str(t.predicate), str(t.object)))
    out: list[dict] = []
    memo: dict = {}
    for fact in facts[:views.MAX_EXPLAINED]:
        proof, _cut = explain.explain(ds, fact)
        if proof is not None:
            out.append(view(ds, proof, lang, memo))
    return out
