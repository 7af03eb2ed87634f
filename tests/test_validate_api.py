"""admiukg.validation.validate.validate() as a library, the hygiene checks, and saved-check rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from admiukg import config
from admiukg.validation import hygiene
from admiukg.validation.reports import VIOLATION, WARNING, Finding, LoadError, Report
from admiukg.validation.validate import validate

FIX = Path(__file__).parent / "validate_fixtures"
SCHEMA = {"ontology_paths": [FIX / "ontology.ttl"], "shapes_path": FIX / "shapes.ttl"}
PREFIXES = """
@prefix au: <https://kg.admiu.example/ontology#> .
@prefix id: <https://kg.admiu.example/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def test_report_of_invalid_data():
    report = validate([FIX / "invalid.ttl"], **SCHEMA)
    assert (report.conforms, report.exit_code, report.errors) == (False, 1, [])
    (finding,) = report.results
    assert finding.severity == VIOLATION
    assert finding.focus == "https://kg.admiu.example/id/uni-b"
    assert finding.path == "https://kg.admiu.example/ontology#name"
    assert finding.source == "https://kg.admiu.example/shapes#OrganisationShape"
    assert (Path(finding.file).name, finding.line) == ("invalid.ttl", 10)


def test_report_of_valid_data():
    report = validate([FIX / "valid.ttl"], **SCHEMA)
    assert (report.conforms, report.exit_code, report.results) == (True, 0, [])


def test_load_errors_give_exit_code_2():
    report = validate([FIX / "syntax_error.ttl", FIX / "valid.ttl"], **SCHEMA)
    assert report.exit_code == 2 and not report.conforms
    (error,) = report.errors
    assert (Path(error.file).name, error.line) == ("syntax_error.ttl", 6)


def test_missing_shapes_file_is_a_load_error(tmp_path):
    report = validate([FIX / "valid.ttl"], ontology_paths=SCHEMA["ontology_paths"], shapes_path=tmp_path / "none.ttl")
    assert report.exit_code == 2
    assert str(report.errors[0]) == f"{tmp_path / 'none.ttl'}: no such file"


def test_unusable_shapes_are_a_load_error(tmp_path):
    bad = tmp_path / "shapes.ttl"
    bad.write_text(PREFIXES + "id:s a sh:NodeShape ; sh:targetClass au:University ; sh:property [ sh:minCount 1 ] .\n")
    report = validate([FIX / "valid.ttl"], ontology_paths=SCHEMA["ontology_paths"], shapes_path=bad)
    assert report.exit_code == 2
    assert "SHACL shapes unusable" in report.errors[0].message


def test_strict_fails_on_warnings_only():
    lenient = validate([FIX / "warning_only.ttl"], **SCHEMA)
    strict = validate([FIX / "warning_only.ttl"], strict=True, **SCHEMA)
    assert [f.severity for f in lenient.results] == [WARNING]
    assert (lenient.exit_code, strict.exit_code) == (0, 1)


def test_bundled_defaults_are_used():
    report = validate()
    expected = {str(p) for p in (*config.ontology_files(), config.shapes_file(), *config.data_files())}
    assert set(report.files) == expected
    assert report.exit_code == 0, [str(f) for f in report.results] + [str(e) for e in report.errors]


def test_report_exit_code_rules():
    assert Report().exit_code == 0
    assert Report(results=[Finding(WARNING, "w")]).exit_code == 0
    assert Report(results=[Finding(WARNING, "w")], strict=True).exit_code == 1
    assert Report(results=[Finding("Info", "i")], strict=True).exit_code == 0
    assert Report(results=[Finding(VIOLATION, "v")]).exit_code == 1
    assert Report(results=[Finding(VIOLATION, "v")], errors=[LoadError("f", "bad")]).exit_code == 2


# -- hygiene ---------------------------------------------------------------------------


def messages(findings):
    return sorted((f.severity, f.message, where) for f, where in findings)


def test_au_terms_must_be_declared_labelled_and_commented():
    ontology = turtle("""
        au:Good a owl:Class ; rdfs:label "good" ; rdfs:comment "fine" .
        au:NoLabel a owl:Class ; rdfs:comment "c" .
        au:NoComment a owl:Class ; rdfs:label "l" .
    """)
    data = turtle("id:x a au:Good, au:NoLabel, au:NoComment ; au:missing 1 .")
    found = hygiene.check({"data": data}, ontology)
    assert messages(found) == [
        (VIOLATION, "au:missing is used but not declared in the ontology", "data"),
        (WARNING, "au:NoComment has no rdfs:comment in the ontology", "ontology"),
        (WARNING, "au:NoLabel has no rdfs:label in the ontology", "ontology"),
    ]


def test_au_terms_used_by_shapes_and_ontology_are_checked_too():
    ontology = turtle('au:A a owl:Class ; rdfs:label "a" ; rdfs:comment "a" ; rdfs:subClassOf au:Missing .')
    shapes = turtle("id:s a sh:NodeShape ; sh:targetClass au:Typo .")
    found = hygiene.check({"data": Graph(), "shapes": shapes, "ontology": ontology}, ontology)
    assert messages(found) == [
        (VIOLATION, "au:Missing is used but not declared in the ontology", "ontology"),
        (VIOLATION, "au:Typo is used but not declared in the ontology", "shapes"),
    ]


@pytest.mark.parametrize(
    "statement, message",
    [
        ("id:A rdfs:subClasOf id:B .", "rdfs:subClasOf is not a term of the rdfs: vocabulary; did you mean rdfs:subClassOf?"),
        ("id:s sh:severity sh:Warnning .", "sh:Warnning is not a term of the sh: vocabulary; did you mean sh:Warning?"),
        ("id:x <http://www.w3.org/ns/org#subOrganzationOf> id:y .",
         "org:subOrganzationOf is not a term of the org: vocabulary; did you mean org:subOrganizationOf?"),
        ('id:x rdfs:label "1"^^<http://www.w3.org/2001/XMLSchema#integr> .',
         "xsd:integr is not a term of the xsd: vocabulary; did you mean xsd:integer?"),
    ],
)
def test_unknown_well_known_terms(statement, message):
    (finding, where), = hygiene.check({"data": turtle(statement)}, Graph())
    assert (finding.severity, finding.message, where) == (VIOLATION, message, "data")


def test_known_terms_pass():
    data = turtle("""
        id:x rdf:_3 id:y ; rdfs:label "x" ; <http://schema.org/name> "x" ; <https://schema.org/funding> id:g ;
            <http://www.w3.org/ns/prov#wasDerivedFrom> id:z ; <http://purl.org/dc/terms/title> "t" .
        id:x a <http://www.w3.org/2004/02/skos/core#Concept> , <http://xmlns.com/foaf/0.1/Organization> .
    """)
    assert hygiene.check({"data": data}, Graph()) == []


# -- saved checks (queries/checks/*.rq via admiukg.queries.checks.run_checks) --------------


class Row:
    """Shaped like admiukg.queries.checks.CheckViolation."""

    def __init__(self, focus):
        self.check, self.severity, self.file = "demo-check", "Violation", "queries/checks/demo-check.rq"
        self.focus_node, self.message = f"<{focus}>", "Demo row must not exist"


def fake_queries(monkeypatch, run_checks):
    monkeypatch.setattr("admiukg.validation.findings.run_checks", run_checks)


def test_saved_check_rows_become_located_violations(monkeypatch):
    seen = []

    def run_checks(graph):
        seen.append(graph)
        return [Row("https://kg.admiu.example/id/uni-a")]

    fake_queries(monkeypatch, run_checks)
    report = validate([FIX / "valid.ttl"], saved_checks=True, **SCHEMA)
    # it sees data + ontology + entailments:
    assert (URIRef("https://kg.admiu.example/id/uni-a"), URIRef(config.AU + "memberOf"), None) in seen[0]
    (finding,) = report.results
    assert finding.message == "Demo row must not exist (check queries/checks/demo-check.rq)"
    assert finding.focus == "https://kg.admiu.example/id/uni-a"
    assert (Path(finding.file).name, finding.line) == ("valid.ttl", 6)
    assert report.exit_code == 1


def test_broken_saved_checks_fail_loudly(monkeypatch):
    def run_checks(graph):
        raise RuntimeError("query parse error in demo.rq")

    fake_queries(monkeypatch, run_checks)
    report = validate([FIX / "valid.ttl"], saved_checks=True, **SCHEMA)
    assert report.exit_code == 1
    assert report.results[0].message == "saved checks (queries/checks) could not run: query parse error in demo.rq"


def test_saved_checks_are_off_with_another_ontology(monkeypatch):
    fake_queries(monkeypatch, lambda graph: [Row("https://kg.admiu.example/id/uni-a")])
    assert validate([FIX / "valid.ttl"], **SCHEMA).exit_code == 0


def test_missing_comment_points_at_the_declaration(tmp_path):
    text = (FIX / "ontology.ttl").read_text("utf-8").replace(' rdfs:comment "Home page." ', " ")
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(text, "utf-8")
    report = validate([FIX / "valid.ttl"], ontology_paths=[ontology], shapes_path=FIX / "shapes.ttl")
    (finding,) = report.results
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("au:website a"))
    assert (finding.severity, finding.message) == (WARNING, "au:website has no rdfs:comment in the ontology")
    assert (finding.file, finding.line) == (str(ontology), line)
    assert report.exit_code == 0


def test_english_shape_message_is_preferred(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(PREFIXES + """
        id:s a sh:NodeShape ; sh:targetClass au:University ;
            sh:property [ sh:path au:name ; sh:minCount 1 ;
                          sh:message "Ad lazımdır"@az , "A name is required"@en ] .
    """, "utf-8")  # fmt: skip
    report = validate([FIX / "warning_only.ttl"], ontology_paths=SCHEMA["ontology_paths"], shapes_path=shapes)
    assert report.exit_code == 0
    broken = tmp_path / "nameless.ttl"
    broken.write_text(PREFIXES + "id:u a au:University .\n", "utf-8")
    (finding,) = validate([broken], ontology_paths=SCHEMA["ontology_paths"], shapes_path=shapes).results
    assert finding.message == "A name is required"
    assert finding.source == "https://kg.admiu.example/id/s"  # the node shape of the blank property shape


def test_large_inputs_take_the_compiled_rules_not_owlrl(monkeypatch):
    """Above LARGE_INPUT the closure comes from admiukg.graph.fastreason and still catches errors."""
    from admiukg.graph import inference
    from admiukg.validation import validate as validation

    def owlrl_must_not_run(*args, **kwargs):
        raise AssertionError("owlrl used for a large input")

    monkeypatch.setattr(inference, "entailments", owlrl_must_not_run)
    monkeypatch.setattr(inference, "cached_entailments", owlrl_must_not_run)
    monkeypatch.setattr(validation, "LARGE_INPUT", 100)
    assert validation.validate().exit_code == 0
    examples = Path(__file__).parent / "shapes"
    broken = validation.validate([examples / "valid" / "00_minimal_world.ttl",
                                  examples / "invalid" / "12_grant_awardyear_not_gyear.ttl"])
    assert broken.exit_code == 1
