"""Hygiene of the ontology, the data and the shapes (the structural OOPS!/ROBOT-style checks)."""

from __future__ import annotations

import re

import pytest
from conftest import au_load
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from admiukg import config

AU = Namespace(config.AU)
ID = config.ID
ONTOLOGY = URIRef(config.ONTOLOGY_IRI)
IMPORTS_FILE = config.ONTOLOGY_DIR / "imports.ttl"
VANN = Namespace("http://purl.org/vocab/vann/")
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error messages

#: The terms of standard vocabularies this project may use. Every IRI in one of these
#: namespaces that occurs anywhere in ontology/, data/ or shapes must be listed here, so
#: that a typo such as rdfs:subClasOf or org:subOrganzationOf fails the build.
#: Each list was written from the vocabulary's own specification.
KNOWN_TERMS: dict[str, set[str]] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": {
        "type", "first", "rest", "nil", "langString", "Property", "List", "value",
        "Statement", "subject", "predicate", "object",
    },
    "http://www.w3.org/2000/01/rdf-schema#": {
        "Class", "Resource", "Literal", "Datatype", "subClassOf", "subPropertyOf", "domain",
        "range", "label", "comment", "seeAlso", "isDefinedBy", "member",
    },
    "http://www.w3.org/2002/07/owl#": {
        "Ontology", "Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty",
        "FunctionalProperty", "InverseFunctionalProperty", "TransitiveProperty",
        "SymmetricProperty", "NamedIndividual", "Thing", "Nothing", "AllDisjointClasses",
        "members", "disjointWith", "unionOf", "inverseOf", "propertyChainAxiom", "imports",
        "versionIRI", "versionInfo", "sameAs", "equivalentClass", "equivalentProperty",
        "Restriction", "onProperty", "someValuesFrom", "allValuesFrom", "deprecated",
    },
    "http://www.w3.org/ns/shacl#": {
        "NodeShape", "PropertyShape", "targetClass", "targetNode", "targetSubjectsOf",
        "targetObjectsOf", "property", "path", "inversePath", "alternativePath",
        "zeroOrMorePath", "oneOrMorePath", "class", "datatype", "nodeKind", "IRI", "BlankNode",
        "Literal", "BlankNodeOrIRI", "IRIOrLiteral", "minCount", "maxCount", "pattern",
        "flags", "languageIn", "uniqueLang", "equals", "disjoint", "lessThan", "hasValue",
        "in", "node", "or", "and", "not", "xone", "closed", "ignoredProperties", "severity",
        "message", "Violation", "Warning", "Info", "deactivated", "minInclusive",
        "maxInclusive", "minLength", "maxLength", "qualifiedValueShape",
        "qualifiedMinCount", "qualifiedMaxCount", "name", "description",
    },
    "http://www.w3.org/2004/02/skos/core#": {
        "Concept", "ConceptScheme", "prefLabel", "altLabel", "hiddenLabel", "notation",
        "definition", "note", "inScheme", "hasTopConcept", "topConceptOf", "broader",
        "narrower", "related", "exactMatch", "closeMatch", "broadMatch", "narrowMatch",
        "relatedMatch",
    },
    "http://www.w3.org/ns/prov#": {
        "Entity", "Activity", "Agent", "Association", "Role", "Derivation", "Quotation",
        "agent", "hadRole", "qualifiedAssociation", "wasAssociatedWith", "wasDerivedFrom",
        "wasQuotedFrom", "hadPrimarySource", "value", "entity", "qualifiedDerivation",
        "wasAttributedTo", "used", "wasGeneratedBy", "wasInfluencedBy",
    },
    "http://www.w3.org/ns/org#": {
        "Organization", "FormalOrganization", "OrganizationalCollaboration",
        "OrganizationalUnit", "Membership", "Post", "Role", "member", "organization",
        "role", "memberDuring", "memberOf", "hasMember", "hasMembership", "postIn", "hasPost",
        "holds", "heldBy", "linkedTo", "identifier", "subOrganizationOf",
        "hasSubOrganization", "classification", "purpose",
    },
    "https://schema.org/": {
        "Organization", "CollegeOrUniversity", "EducationalOrganization", "Consortium",
        "Project", "ResearchProject", "Grant", "MonetaryGrant", "FundingScheme", "Person",
        "Country", "Event", "Observation", "memberOf", "member", "funder", "funding",
        "fundedItem", "sponsor", "location", "attendee", "startDate", "endDate", "name",
        "sameAs", "identifier",
    },
    "http://purl.org/dc/terms/": {
        "title", "description", "license", "created", "modified", "creator", "contributor",
        "source", "identifier", "language", "format", "isPartOf", "hasPart", "spatial",
        "temporal", "date", "subject", "Location", "Agent", "PeriodOfTime",
    },
    "http://www.w3.org/2006/time#": {
        "Interval", "ProperInterval", "Instant", "TemporalEntity", "hasBeginning", "hasEnd",
        "inXSDgYear", "inXSDDate", "inXSDDateTimeStamp",
    },
    "http://xmlns.com/foaf/0.1/": {
        "Agent", "Person", "Organization", "Group", "Document", "Project", "member", "name",
        "homepage", "isPrimaryTopicOf",
    },
    "http://purl.org/vocab/vann/": {"preferredNamespacePrefix", "preferredNamespaceUri"},
    "http://www.w3.org/2001/XMLSchema#": {
        "string", "gYear", "date", "dateTime", "integer", "nonNegativeInteger", "boolean",
        "decimal", "language", "anyURI",
    },
}

OWN_TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty}
SCHEMA_PREDICATES = {
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.propertyChainAxiom, OWL.disjointWith,
}
SCHEMA_TYPES = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                OWL.AnnotationProperty, OWL.Ontology, RDF.Property}
ID_IRI = re.compile(r"^https://kg\.admiu\.example/id/[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*){0,2}$")


def all_files():
    return [*config.ontology_files(), *config.data_files(), config.shapes_file()]


@pytest.fixture(scope="module")
def everything() -> Graph:
    return au_load(all_files())


def own_terms(graph: Graph) -> set[URIRef]:
    return {s for t in OWN_TERM_TYPES for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(config.AU)}


# -- Files and header ---------------------------------------------------------------------------


def test_expected_files_exist():
    names = {p.name for p in config.ontology_files()}
    assert {"admiu.ttl", "imports.ttl"} <= names
    assert config.shapes_file().exists()
    assert len(config.data_files()) >= 5


@pytest.mark.parametrize(
    "prop",
    [DCTERMS.title, DCTERMS.description, RDFS.label, RDFS.comment, DCTERMS.license,
     OWL.versionIRI, OWL.versionInfo, DCTERMS.created, DCTERMS.modified, DCTERMS.creator,
     VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri],
    ids=lambda p: p.n3().rsplit("/", 1)[-1],
)
def test_ontology_header_has(au_ontology_graph, prop):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in au_ontology_graph
    assert au_ontology_graph.value(ONTOLOGY, prop) is not None, f"owl:Ontology lacks {prop}"


def test_ontology_header_values(au_ontology_graph):
    g = au_ontology_graph
    assert g.value(ONTOLOGY, OWL.versionIRI) == URIRef(config.ONTOLOGY_IRI + "/0.1.0")
    assert g.value(ONTOLOGY, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(g.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "au"
    assert str(g.value(ONTOLOGY, VANN.preferredNamespaceUri)) == config.AU
    assert {t.language for t in g.objects(ONTOLOGY, DCTERMS.title)} == {"en", "az"}


# -- Own terms ---------------------------------------------------------------------------------


def test_every_used_au_term_is_declared(everything, au_ontology_graph):
    declared = {s for s in au_ontology_graph.subjects() if isinstance(s, URIRef)}
    used = {x for t in everything for x in t
            if isinstance(x, URIRef) and str(x).startswith(config.AU)}
    assert used - declared == set()


def test_every_declared_au_term_is_typed(au_ontology_graph):
    g = au_ontology_graph
    subjects = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(config.AU)}
    untyped = {s for s in subjects if g.value(s, RDF.type) is None}
    assert untyped == set()


def test_own_terms_have_labels_comment_and_isdefinedby(au_ontology_graph):
    g = au_ontology_graph
    problems = []
    terms = own_terms(g) | {s for s in g.subjects(RDF.type, AU.ProjectRole)} | {AU.ProjectRoles}
    assert len(terms) > 40
    for term in sorted(terms):
        langs = [lbl.language for lbl in g.objects(term, RDFS.label)]
        if sorted(langs) != ["az", "en"]:
            problems.append(f"{term}: rdfs:label languages {langs}")
        if not list(g.objects(term, RDFS.comment)):
            problems.append(f"{term}: no rdfs:comment")
        if g.value(term, RDFS.isDefinedBy) != ONTOLOGY:
            problems.append(f"{term}: rdfs:isDefinedBy is not {ONTOLOGY}")
    assert problems == []


def test_every_property_has_domain_and_range(au_ontology_graph):
    g = au_ontology_graph
    props = {s for t in PROPERTY_TYPES for s in g.subjects(RDF.type, t)
             if str(s).startswith(config.AU)}
    assert props
    missing = {p for p in props if g.value(p, RDFS.domain) is None or g.value(p, RDFS.range) is None}
    assert missing == set()
    several = {p for p in props
               if len(set(g.objects(p, RDFS.domain))) > 1 or len(set(g.objects(p, RDFS.range))) > 1}
    assert several == set(), "several rdfs:domain/range are read as an intersection (OOPS! P19)"


def test_inverses_are_declared_consistently(au_ontology_graph):
    g = au_ontology_graph
    for p, q in g.subject_objects(OWL.inverseOf):
        if str(p).startswith(config.AU):
            assert p != q
            assert g.value(p, RDFS.domain) == g.value(q, RDFS.range), (p, q)
            assert g.value(p, RDFS.range) == g.value(q, RDFS.domain), (p, q)


def test_no_class_hierarchy_cycles(au_ontology_graph):
    g = au_ontology_graph
    for cls in own_terms(g):
        seen, todo = set(), list(g.objects(cls, RDFS.subClassOf))
        while todo:
            c = todo.pop()
            assert c != cls, f"cycle through {cls}"
            if c not in seen:
                seen.add(c)
                todo.extend(g.objects(c, RDFS.subClassOf))


def test_no_two_classes_share_a_label(au_ontology_graph):
    g = au_ontology_graph
    labels = [(str(lbl), lbl.language) for c in own_terms(g) for lbl in g.objects(c, RDFS.label)
              if (c, RDF.type, OWL.Class) in g]
    assert len(labels) == len(set(labels))


# -- Standard vocabularies -----------------------------------------------------------------------


@pytest.mark.parametrize("path", all_files(), ids=lambda p: p.name)
def test_only_known_terms_of_standard_vocabularies(path):
    g = au_load([path])
    iris = {x for t in g for x in t if isinstance(x, URIRef)}
    iris |= {x.datatype for t in g for x in t if isinstance(x, Literal) and x.datatype}
    unknown = set()
    for iri in iris:
        for ns, terms in KNOWN_TERMS.items():
            if str(iri).startswith(ns) and str(iri) != ns:
                if str(iri)[len(ns):] not in terms:
                    unknown.add(str(iri))
    assert unknown == set(), "typo or unknown term of a standard vocabulary"


def test_no_axioms_on_foreign_terms_outside_imports():
    """OOPS! P40: subjects in the own ontology are own terms (or anonymous class expressions)."""
    for path in config.ontology_files():
        if path == IMPORTS_FILE:
            continue
        g = au_load([path])
        foreign = {s for s in g.subjects() if isinstance(s, URIRef)
                   and not str(s).startswith(config.AU) and s != ONTOLOGY}
        assert foreign == set(), path.name


def test_imports_module_is_small_and_only_external():
    g = au_load([IMPORTS_FILE])
    header = URIRef(config.ONTOLOGY_IRI + "/imports")
    axioms = [t for t in g if t[0] != header]
    assert 0 < len(axioms) <= 10
    assert all(not str(s).startswith(config.CANONICAL_BASE) for s, _, _ in axioms)
    text = IMPORTS_FILE.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    for s, p, _o in axioms:  # each axiom sits in a block that opens with a comment naming its source
        line = f"{g.namespace_manager.normalizeUri(s)} {g.namespace_manager.normalizeUri(p)}"
        block = next(b for b in blocks if line in b)
        assert block.lstrip().startswith("#"), line


def test_main_ontology_imports_the_alignment_module(au_ontology_graph):
    assert (ONTOLOGY, OWL.imports, URIRef(config.ONTOLOGY_IRI + "/imports")) in au_ontology_graph


# -- Data hygiene -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", config.data_files(), ids=lambda p: p.name)
def test_data_files_hold_no_schema_statements(path):
    g = au_load([path])
    assert {p for _, p, _ in g} & SCHEMA_PREDICATES == set()
    assert set(g.objects(None, RDF.type)) & SCHEMA_TYPES == set()
    assert {s for s in g.subjects() if str(s).startswith(config.AU)} == set()


@pytest.mark.parametrize("path", config.data_files(), ids=lambda p: p.name)
def test_data_has_no_blank_nodes_and_clean_iris(path):
    g = au_load([path])
    assert not any(isinstance(x, BNode) for t in g for x in t)
    # web pages a link was read from (au:WebSource) are named by their own address
    web = set(g.subjects(RDF.type, URIRef(config.AU + "WebSource")))
    bad = {str(s) for s in g.subjects() if not ID_IRI.match(str(s)) and s not in web}
    assert bad == set(), "data subjects must be id: IRIs with lowercase kebab-case slugs"


def test_every_referenced_id_is_described(au_graph):
    objects = {o for o in au_graph.objects() if isinstance(o, URIRef) and str(o).startswith(ID)}
    undescribed = {o for o in objects if au_graph.value(o, RDF.type) is None}
    assert undescribed == set()


def test_no_external_identifier_for_entities_without_one(au_data_graph):
    """MODELING §2.1: no Wikidata/ROR id was found for these; none may be invented."""
    for slug in ["admiu", "cumulus", "bsun", "turksoy", "union-of-turkic-world-art-universities",
                 "erasmus-plus", "jean-monnet-modules", "cbhe"]:
        node = URIRef(ID + slug)
        assert (node, RDF.type, None) in au_data_graph, slug
        for p in (SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs):
            assert list(au_data_graph.objects(node, p)) == [], slug


# -- Reasoning -----------------------------------------------------------------------------------------


def test_owlrl_closure_is_consistent(au_closure):
    assert list(au_closure.subjects(RDF.type, OWL.Nothing)) == []
    assert list(au_closure.triples((None, ERR.error, None))) == []
    assert list(au_closure.triples((None, ERR.warning, None))) == []


def test_owlrl_closure_merges_nothing(au_closure):
    """A reused membership node with functional org:member/org:organization, or a shared
    identifier under owl:hasKey, would make OWL RL merge individuals with owl:sameAs."""
    merged = {(s, o) for s, o in au_closure.subject_objects(OWL.sameAs) if s != o}
    assert merged == set()


def test_closure_gives_rdfs_labels_to_data(au_closure):
    admiu = URIRef(ID + "admiu")
    assert Literal("Azərbaycan Dövlət Mədəniyyət və İncəsənət Universiteti", lang="az") in set(
        au_closure.objects(admiu, RDFS.label))
