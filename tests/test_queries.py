"""Saved queries: headers, safe parameter binding, golden results, quality checks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from admiukg import config
from admiukg.queries import catalogue as savedqueries
from admiukg.queries import checks as qchecks
from admiukg.queries.catalogue import ParameterError, QueryDefinitionError
from admiukg.store import golden as goldens

QUERIES = savedqueries.catalogue()
CHECKS = savedqueries.checks()
BROKEN_DIR = savedqueries.CHECKS_DIR / "broken"
REFRESH = "python -m admiukg.queries.catalogue --update-golden (then review git diff queries/expected/)"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return goldens.bundled_store()


def copy_of(store: ox.Store, *, without_graph: str | None = None) -> ox.Store:
    """An independent copy (the tests break copies, never the shared store)."""
    copy = ox.Store()
    copy.extend(q for q in store if without_graph is None or q.graph_name != ox.NamedNode(without_graph))
    return copy


# -- the catalogue ----------------------------------------------------------------------


def test_catalogue_has_the_research_questions():
    assert len(QUERIES) >= 15
    kinds = {q.kind for q in QUERIES.values()}
    assert {"select", "construct", "describe"} <= kinds
    assert any(q.inference for q in QUERIES.values()), "one question must depend on OWL RL"
    assert any(q.parameters for q in QUERIES.values())


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_header_is_complete(name):
    query = QUERIES[name]
    assert query.summary and len(query.summary) < 120 and "\n" not in query.summary
    assert query.description, f"{name}: describe what the answer means"
    assert query.tags
    for param in query.parameters:
        assert param.default is not None, f"{name}: ?{param.name} needs a default (the file runs as written)"
        assert param.description


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_runs_and_returns_declared_columns(store, name):
    query = QUERIES[name]
    result = qchecks.execute(store, query)
    if query.kind == "select":
        assert [v.value for v in result.variables] == list(query.columns)
        rows = list(result)
        assert rows, f"{name}: no answer on the bundled data"
        # every declared column is bound at least once, so none is a typo
        for column in query.columns:
            assert any(row[column] is not None for row in rows), f"{name}: ?{column} never bound"
    elif query.is_graph:
        assert len(list(result)) > 0


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_result_matches_reviewed_golden_file(store, name):
    query = QUERIES[name]
    golden = goldens.golden_path(query)
    assert golden.exists(), f"missing {golden}; create it with {REFRESH}"
    actual = goldens.render_result(query, qchecks.execute(store, query))
    assert actual == golden.read_text(encoding="utf-8"), f"{name} changed; refresh with {REFRESH}"


@pytest.mark.parametrize("name", sorted(q.name for q in QUERIES.values() if q.parameters))
def test_file_as_written_equals_its_declared_defaults(store, name):
    # The marked VALUES line and the header default must say the same thing,
    # otherwise /sparql and /api would answer differently.
    query = QUERIES[name]
    defaults = {p.name: p.default for p in query.parameters}
    as_written = goldens.render_result(query, store.query(query.text, use_default_graph_as_union=True))
    bound = goldens.render_result(query, qchecks.execute(store, query, defaults))
    assert bound == as_written


def test_golden_comparison_notices_a_data_change(store):
    # Remove ADMİU's Cumulus start year: at least one golden answer must change.
    broken = copy_of(store)
    broken.update("PREFIX au: <https://kg.admiu.example/ontology#> "
                  "DELETE { GRAPH ?g { ?m au:startYear ?y } } WHERE { GRAPH ?g { ?m au:startYear ?y ; "
                  "<http://www.w3.org/ns/org#organization> <https://kg.admiu.example/id/cumulus> } }")
    changed = [name for name, q in QUERIES.items() if q.kind == "select"
               and goldens.render_result(q, qchecks.execute(broken, q))
               != goldens.golden_path(q).read_text(encoding="utf-8")]
    assert "admiu-networks" in changed


@pytest.mark.parametrize("name", sorted(q.name for q in QUERIES.values() if q.inference))
def test_inference_queries_really_need_the_entailments(store, name):
    query = QUERIES[name]
    asserted_only = copy_of(store, without_graph=config.GRAPH_INFERRED)
    with_inference = goldens.render_result(query, qchecks.execute(store, query))
    without = goldens.render_result(query, qchecks.execute(asserted_only, query))
    assert without != with_inference


# -- parameters -------------------------------------------------------------------------


def param(kind: str, **kw) -> savedqueries.Parameter:
    return savedqueries.Parameter(name="x", type=kind, default=None, **kw)


PREFIXES = {"id": config.ID}


@pytest.mark.parametrize("kind,value,expected", [
    ("iri", "id:bsun", "<https://kg.admiu.example/id/bsun>"),
    ("iri", "https://kg.admiu.example/id/bsun", "<https://kg.admiu.example/id/bsun>"),
    ("iri", "<https://kg.admiu.example/id/bsun>", "<https://kg.admiu.example/id/bsun>"),
    ("string", 'a "quoted" }\n line', '"a \\"quoted\\" }\\n line"'),
    ("langString", "Cumulus@en", '"Cumulus"@en'),
    ("integer", "120", '"120"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("gYear", "2022", '"2022"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
    ("date", "2023-01-31", '"2023-01-31"^^<http://www.w3.org/2001/XMLSchema#date>'),
    ("boolean", "true", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
])
def test_values_become_escaped_terms(kind, value, expected):
    assert str(savedqueries.make_term(param(kind), value, PREFIXES)) == expected


def test_fixed_language_tag():
    assert str(savedqueries.make_term(param("langString", lang="az"), "Şəbəkə", PREFIXES)) == '"Şəbəkə"@az'


@pytest.mark.parametrize("kind,value,why", [
    ("iri", "not an iri", "neither an absolute"),
    ("iri", "javascript:alert(1)", "neither an absolute"),
    ("iri", "https://kg.admiu.example/id/x> } ; DROP ALL ; #", "IRI"),
    ("iri", "https://kg.admiu.example/id/x>y", "IRI"),
    ("iri", "nope:thing", "known prefix"),
    ("iri", "id:a b", "invalid local name"),
    ("integer", "1.5", "not a valid xsd:integer"),
    ("integer", "12; DROP", "not a valid xsd:integer"),
    ("gYear", "2022-05", "not a valid xsd:gYear"),
    ("gYear", "22", "not a valid xsd:gYear"),
    ("date", "2023-13-01", "not a valid xsd:date"),
    ("langString", "no language", "text@lang"),
    ("langString", "x@not a tag", "not a language tag"),
    ("boolean", "yes", "true or false"),
    ("string", "x" * 3000, "longer than"),
    ("string", "lone \ud800 surrogate", "not a valid value"),
])
def test_invalid_values_are_refused(kind, value, why):
    with pytest.raises(ParameterError, match=why):
        savedqueries.make_term(param(kind), value, PREFIXES)


def test_enum_restricts_values():
    with pytest.raises(ParameterError, match="not one of"):
        savedqueries.make_term(param("string", enum=("a", "b")), "c", PREFIXES)


def test_binding_replaces_only_the_marked_line_and_cannot_inject(store):
    query = next(q for q in QUERIES.values() if any(p.type == "iri" for p in q.parameters))
    name = next(p.name for p in query.parameters if p.type == "iri")
    text = query.bind({name: "id:bsun"})
    assert f"VALUES ?{name} {{ <https://kg.admiu.example/id/bsun> }}" in text
    assert text.count("\n") == query.text.count("\n")
    with pytest.raises(ParameterError):
        query.bind({name: "id:x } } INSERT DATA { <a:b> <a:b> <a:b> } #"})
    with pytest.raises(ParameterError, match="unknown parameter"):
        query.bind({"no_such_parameter": "1"})


# -- malformed query files ----------------------------------------------------------------

GOOD_BODY = "SELECT ?s WHERE { ?s ?p ?o }\n"


@pytest.mark.parametrize("text,message", [
    (GOOD_BODY, "missing '#\\+' YAML header"),
    ("#+ description: no summary\n" + GOOD_BODY, "needs a one-line 'summary'"),
    ("#+ summary: x\n#+ colums: [s]\n" + GOOD_BODY, "unknown header key"),
    ("#+ summary: x\n" + GOOD_BODY, "must declare its result 'columns'"),
    ("#+ summary: x\n#+ columns: [s\n" + GOOD_BODY, "not valid YAML"),
    ("#+ summary: x\n#+ columns: [s]\nSELECT ?s WHERE { ?s ?p }\n", "SPARQL syntax error"),
    ("#+ summary: x\n#+ columns: [s]\n#+ parameters:\n#+   p: {type: iri, default: 'http://a.example/'}\n"
     + GOOD_BODY, "no marked line"),
    ("#+ summary: x\n#+ columns: [s]\n#+ parameters:\n#+   p: {type: colour, default: red}\n"
     "SELECT ?s WHERE {\n VALUES ?p { 1 }  # @param\n ?s ?p ?o }\n", "type must be one of"),
    ("#+ summary: x\n#+ columns: [s]\n#+ parameters:\n#+   p: {type: integer, default: one}\n"
     "SELECT ?s WHERE {\n VALUES ?p { 1 }  # @param\n ?s ?p ?o }\n", "default is invalid"),
    ("#+ summary: x\n#+ columns: [s]\nSELECT ?s WHERE {\n VALUES ?p { 1 }  # @param\n ?s ?p ?o }\n",
     "undeclared parameter"),
    ("#+ summary: x\n#+ columns: [s]\nCONSTRUCT WHERE { ?s ?p ?o }\n", "has no result columns"),
])
def test_malformed_files_are_reported_with_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QueryDefinitionError, match=message) as info:
        savedqueries.load(path)
    assert str(info.value).startswith(f"{path}:")


def test_cli_lists_and_reports_bad_files(capsys, tmp_path):
    assert goldens.main(["--list"]) == 0
    assert "admiu-networks" in capsys.readouterr().out
    (tmp_path / "bad.rq").write_text(GOOD_BODY, encoding="utf-8")
    assert goldens.main(["--list", "--queries-dir", str(tmp_path)]) == 2
    assert f"{tmp_path / 'bad.rq'}:1: missing" in capsys.readouterr().err


def test_update_golden_writes_the_normalised_results(store, tmp_path, monkeypatch):
    monkeypatch.setattr(goldens, "EXPECTED_DIR", tmp_path)
    changed = goldens.update_golden(store)
    assert sorted(p.name for p in changed) == sorted(goldens.golden_path(q).name for q in QUERIES.values())
    networks = QUERIES["admiu-networks"]
    written = (tmp_path / "admiu-networks.csv").read_text(encoding="utf-8")
    assert written == goldens.render_result(networks, qchecks.execute(store, networks))
    assert written.splitlines()[0] == ",".join(networks.columns)
    assert goldens.update_golden(store) == []  # a second run changes nothing


# -- quality checks -------------------------------------------------------------------------


def test_there_are_checks_and_each_has_a_breaking_update():
    assert len(CHECKS) >= 3
    for name in CHECKS:
        assert (BROKEN_DIR / f"{name}.ru").exists(), f"check {name} has no broken/{name}.ru fixture"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_passes_on_the_bundled_data(store, name):
    rows = list(qchecks.execute(store, CHECKS[name]))
    assert rows == [], f"{name}: {[str(r) for r in rows]}"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_fires_on_deliberately_broken_data(store, name):
    broken = copy_of(store)
    broken.update((BROKEN_DIR / f"{name}.ru").read_text(encoding="utf-8"))
    violations = [v for v in qchecks.run_checks(broken) if v.check == name]
    assert violations, f"check {name} did not fire on broken/{name}.ru"
    query = CHECKS[name]
    for v in violations:
        assert v.summary == query.summary and v.severity == query.severity
        assert v.file == f"queries/checks/{name}.rq"
        assert set(v.bindings) <= set(query.columns)
        if "entity" in query.columns:
            assert v.focus_node and v.focus_node.startswith("<https://kg.admiu.example/id/")
    # and only the intended check fires: the fixture breaks one thing
    others = {v.check for v in qchecks.run_checks(broken)} - {name}
    assert not others, f"broken/{name}.ru also trips {others}"


def test_run_checks_accepts_an_rdflib_graph():
    graph = rdflib.Graph()
    for path in config.data_files():
        graph.parse(path, format="turtle")
    assert qchecks.run_checks(graph) == []
    project = rdflib.URIRef(config.ID + "broken-project")
    graph.add((project, rdflib.RDF.type, rdflib.URIRef(config.AU + "Project")))
    found = qchecks.run_checks(graph)
    assert any(v.focus_node == f"<{project}>" for v in found)


# -- the reviewed answers, typed by hand from the source text ---------------------------------
# A blind --update-golden after a wrong data edit would pass the golden test; these
# expectations come from reading data/source/000_28832fee742d80e8.txt, not from the code.


def golden_rows(name: str) -> list[dict[str, str]]:
    import csv

    with goldens.golden_path(QUERIES[name]).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_reviewed_networks_start_years_and_sizes():
    # p1-s1: Cumulus, 2022, "60 ölkədən 350 üzvü"; p2-s1: BSUN since 2022, "12 ölkədən 120-dən çox";
    # p2-s2: Union of Turkic World Art Universities since 2023, no size.
    rows = {r["network"]: (r["startYear"], r["memberCount"], r["memberCountMoreThan"], r["memberCountries"])
            for r in golden_rows("admiu-networks")}
    y = '"{}"^^xsd:gYear'.format
    n = '"{}"^^xsd:integer'.format
    assert rows == {
        "id:cumulus": (y(2022), n(350), "", n(60)),
        "id:bsun": (y(2022), "", n(120), n(12)),
        "id:union-of-turkic-world-art-universities": (y(2023), "", "", ""),
    }


def test_reviewed_people_and_roles():
    # p3-s6: "Layihənin koordinatoru və tədqiqatçısı Namiq Kərimov, müəllimlər isə ... Elçin Cəfərov və Tərlan Rəsulov"
    pairs = {(r["person"], r["role"]) for r in golden_rows("project-people")}
    assert pairs == {("id:namiq-kerimov", "au:Coordinator"), ("id:namiq-kerimov", "au:Researcher"),
                     ("id:elcin-cafarov", "au:Teacher"), ("id:tarlan-rasulov", "au:Teacher")}


def test_reviewed_projects_programmes_funders_years():
    # p3-s2: Jean Monnet Module project, funded by the European Commission in 2023, submitted by ADMİU;
    # p4-s1/2: ECAR and ENGAGE, Erasmus+, ADMİU a partner; ECAR under the Commission's CBHE programme.
    rows = {r["project"]: (r["role"], r["programme"], r["funder"], r["year"]) for r in golden_rows("admiu-projects")}
    assert rows == {
        "id:jm-art-politics-eu": ("au:Applicant", "id:jean-monnet-modules", "id:european-commission",
                                  '"2023"^^xsd:gYear'),
        "id:ecar": ("au:Partner", "id:cbhe", "id:european-commission", ""),
        "id:engage": ("au:Partner", "id:erasmus-plus", "", ""),
    }


def test_reviewed_visited_countries():
    # p4-s2 (ECAR): Fransa, Belçika, İsveç, Litva, İspaniya; p4-s3 (ENGAGE): Estoniya, İsveç, Portuqaliya, Polşa, İspaniya
    visits = {(r["project"], r["country"]) for r in golden_rows("visits-by-project")}
    ecar = {"france", "belgium", "sweden", "lithuania", "spain"}
    engage = {"estonia", "sweden", "portugal", "poland", "spain"}
    assert visits == {("id:ecar", f"id:country/{c}") for c in ecar} | {("id:engage", f"id:country/{c}") for c in engage}
    counts = {r["country"]: r["projects"] for r in golden_rows("countries-by-visits")}
    assert {c for c, n in counts.items() if n == '"2"^^xsd:integer'} == {"id:country/spain", "id:country/sweden"}


def test_reviewed_timeline():
    events = [(r["year"][1:5], r["event"]) for r in golden_rows("timeline")]
    assert sorted(events) == [("2022", "id:membership/admiu-bsun-2022"), ("2022", "id:membership/admiu-cumulus-2022"),
                              ("2023", "id:grant/jm-art-politics-eu"),
                              ("2023", "id:membership/admiu-union-of-turkic-world-art-universities-2023")]


def test_reviewed_quote_is_the_source_sentence():
    source = config.SOURCE_FILE.read_text(encoding="utf-8")
    quotes = [r["quote"] for r in golden_rows("quote-for-fact")]
    assert len(quotes) == 2
    for quote in quotes:
        text = quote[1:quote.rindex('"@az')]
        assert text in source
    assert "60 ölkədən 350 üzvü olan “Cumulus”" in quotes[0]


def test_a_check_must_be_a_select(tmp_path):
    (tmp_path / "ask.rq").write_text("#+ summary: x\nASK { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryDefinitionError, match="must be a SELECT"):
        savedqueries.checks(tmp_path)


def test_readme_lists_every_query_and_check():
    readme = (config.QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    for name in list(QUERIES) + list(CHECKS):
        assert f"`{name}`" in readme, f"queries/README.md does not mention {name}"
