"""Golden tests for ontology/shapes.ttl.

Each file in tests/shapes/invalid/ is validated together with the ontology and
tests/shapes/valid/00_minimal_world.ttl (which conforms on its own) and breaks exactly one
rule. The test asserts the structure of the report graph — (focus node, result path,
severity, source shape, constraint component) — not its text. Every check runs twice:
on the asserted graph and after the OWL RL closure has been added (the way the bundled
data is validated), because inference can both mask and add results.
"""

from __future__ import annotations

import owlrl
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from admiukg import config

SHAPES_DIR = config.ROOT / "tests" / "shapes"
BASE = SHAPES_DIR / "valid" / "00_minimal_world.ttl"
AUSH = config.SHAPES
EX = config.ID + "example/"
AU = config.AU
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
MODES = ["asserted", "closure"]

#: file stem -> the one expected result:
#: (focus, path, severity, source shape, constraint component); "^p" = sh:inversePath p,
#: "(...)" = a sequence path, None = no sh:resultPath (node-level constraint).
EXPECTED = {
    "01_organization_missing_en_label": ("org-x", SKOS + "prefLabel", "Violation", "prefLabelAzEn", "MinCount"),
    "02_aim_duplicate_az_label": ("aim-x", SKOS + "prefLabel", "Violation", "prefLabelAzEn", "UniqueLang"),
    "03_membership_no_provenance": ("m-x", PROV + "wasDerivedFrom", "Violation", "derivedFromExcerpt", "MinCount"),
    "04_network_without_membership": ("net-x", "^" + ORG + "organization", "Warning", "Network-hasMembership", "MinCount"),
    "05_post_missing_postin": ("post-x", ORG + "postIn", "Violation", "Post-postIn", "MinCount"),
    "06_membership_unexpected_property": ("m-x", "https://schema.org/startDate", "Violation", "MembershipShape", "Closed"),
    "07_membership_two_organizations": ("m-x", ORG + "organization", "Violation", "Membership-organization", "MaxCount"),
    "08_membership_startyear_not_gyear": ("m-x", AU + "startYear", "Violation", "Membership-startYear", "Datatype"),
    "09_membership_interval_year_mismatch": (
        "m-x", f"({ORG}memberDuring http://www.w3.org/2006/time#hasBeginning http://www.w3.org/2006/time#inXSDgYear)",
        "Violation", "Membership-beginningYear", "Equals"),
    "10_sizeobservation_no_count": ("size-x", None, "Violation", "SizeObservationShape", "Or"),
    "11_grant_awarded_by_non_funding_body": ("grant-x", AU + "awardedBy", "Violation", "Grant-awardedBy", "Class"),
    "12_grant_awardyear_not_gyear": ("grant-x", AU + "awardYear", "Violation", "Grant-awardYear", "Datatype"),
    "13_project_without_scheme": ("project-x", AU + "implementedUnder", "Violation", "Project-implementedUnder", "MinCount"),
    "14_roleassignment_two_roles": ("ra-x", AU + "role", "Violation", "RoleAssignment-role", "MaxCount"),
    "15_mobilityvisit_country_literal": ("visit-x", AU + "visitedCountry", "Violation", "MobilityVisit-visitedCountry", "Class"),
    "16_country_without_exactmatch": ("country-x", "https://schema.org/sameAs", "Warning", "Country-sameAs", "MinCount"),
    "17_sourcedocument_bad_sha256": ("doc-x", AU + "sha256", "Violation", "SourceDocument-sha256", "Pattern"),
    "18_sourceexcerpt_value_not_az": ("e-x", PROV + "value", "Violation", "SourceExcerpt-value", "LanguageIn"),
    "19_sourceexcerpt_missing_translation": ("e-x", AU + "translation", "Violation", "SourceExcerpt-translation", "MinCount"),
    "20_sizeobservation_negative_count": ("size-x", AU + "memberCount", "Violation", "SizeObservation-memberCount", "MinInclusive"),
}

#: What the OWL RL closure changes (documented, not hidden):
#:  * 11: the rdfs:range of au:awardedBy makes OWL RL type the university an au:FundingBody,
#:    so the sh:class rule can only catch this on asserted data;
#:  * 15: the rdfs:range of au:visitedCountry makes owlrl type the *literal* "France" an
#:    au:Country (a generalized-RDF triple), which the Country shapes then report too.
CLOSURE_EXPECTED = dict(EXPECTED)
CLOSURE_EXPECTED["11_grant_awarded_by_non_funding_body"] = None
CLOSURE_EXPECTED["15_mobilityvisit_country_literal"] = {
    EXPECTED["15_mobilityvisit_country_literal"],
    ('"France"', SKOS + "prefLabel", "Violation", "prefLabelAzEn", "MinCount"),
    ('"France"', PROV + "wasDerivedFrom", "Violation", "derivedFromExcerpt", "MinCount"),
    ('"France"', "https://schema.org/sameAs", "Warning", "Country-sameAs", "MinCount"),
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    g = Graph()
    for path in config.ontology_files():
        g.parse(path)
    return g


def validate(graph: Graph, shapes: Graph, mode: str):
    if mode == "closure":
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, advanced=True)
    return conforms, report


def describe_path(report: Graph, path):
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(inverse)
    return "(" + " ".join(str(p) for p in report.items(path)) + ")"


def describe_node(node):
    if isinstance(node, Literal):
        return f'"{node}"'
    return str(node).removeprefix(EX)


def results(report: Graph) -> set[tuple]:
    found = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(r, SH.sourceShape)
        found.add((
            describe_node(report.value(r, SH.focusNode)),
            describe_path(report, report.value(r, SH.resultPath)),
            str(report.value(r, SH.resultSeverity)).removeprefix(str(SH)),
            str(shape).removeprefix(AUSH) if isinstance(shape, URIRef) else "(anonymous)",
            str(report.value(r, SH.sourceConstraintComponent)).removeprefix(str(SH)).removesuffix("ConstraintComponent"),
        ))
        assert report.value(r, SH.resultMessage) is not None
    return found


def test_every_invalid_file_has_an_expectation():
    assert {p.stem for p in (SHAPES_DIR / "invalid").glob("*.ttl")} == set(EXPECTED)


def test_every_tested_shape_points_to_its_test_file(au_shapes_graph):
    """Each rdfs:comment "Tested by …" names files that exist."""
    import re

    from rdflib.namespace import RDFS
    for comment in au_shapes_graph.objects(None, RDFS.comment):
        for name in re.findall(r"(\d\d_[a-z_]+\.ttl)", str(comment)):
            assert (SHAPES_DIR / "invalid" / name).exists(), name


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", sorted((SHAPES_DIR / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_valid_examples_conform(ontology, au_shapes_graph, path, mode):
    g = ontology + Graph().parse(BASE)
    g.parse(path)
    conforms, report = validate(g, au_shapes_graph, mode)
    assert conforms, results(report)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_invalid_examples_report_exactly_the_broken_rule(ontology, au_shapes_graph, stem, mode):
    g = ontology + Graph().parse(BASE)
    g.parse(SHAPES_DIR / "invalid" / f"{stem}.ttl")
    conforms, report = validate(g, au_shapes_graph, mode)
    expected = (CLOSURE_EXPECTED if mode == "closure" else EXPECTED)[stem]
    if expected is None:
        assert conforms
        return
    expected = expected if isinstance(expected, set) else {expected}
    assert not conforms
    assert results(report) == expected


@pytest.mark.parametrize("mode", MODES)
def test_bundled_data_conforms(au_graph, au_closure, au_shapes_graph, mode):
    graph = au_graph if mode == "asserted" else au_closure
    conforms, report, text = pyshacl.validate(graph, shacl_graph=au_shapes_graph, advanced=True)
    assert conforms, text


# -- The shapes file itself ------------------------------------------------------------------


def test_one_node_shape_per_own_class(au_ontology_graph, au_shapes_graph):
    from rdflib.namespace import OWL
    classes = {c for c in au_ontology_graph.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(AU)}
    targets = list(au_shapes_graph.objects(None, SH.targetClass))
    assert set(targets) == classes
    assert len(targets) == len(set(targets))


def test_every_constraint_has_message_and_severity(au_shapes_graph):
    g = au_shapes_graph
    operands = {m for lst in g.objects(None, SH["or"]) for m in g.items(lst)}
    shapes = set(g.objects(None, SH.property))
    shapes |= {s for s in g.subjects(RDF.type, SH.NodeShape)}
    constraint_keys = {SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH.pattern,
                       SH.languageIn, SH.uniqueLang, SH.equals, SH.hasValue, SH["or"], SH.closed}
    checked = 0
    for shape in shapes - operands:
        if set(g.predicates(shape)) & constraint_keys:
            checked += 1
            assert g.value(shape, SH.message) is not None, shape
            assert g.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}, shape
    assert checked > 40


def test_closed_only_on_membership(au_shapes_graph):
    closed = set(au_shapes_graph.subjects(SH.closed, Literal(True)))
    assert closed == {URIRef(AUSH + "MembershipShape")}
    ignored = set(au_shapes_graph.items(au_shapes_graph.value(URIRef(AUSH + "MembershipShape"), SH.ignoredProperties)))
    assert RDF.type in ignored


def test_shapes_graph_has_no_blank_node_focus_in_data(au_data_graph):
    assert not any(isinstance(x, BNode) for t in au_data_graph for x in t)
