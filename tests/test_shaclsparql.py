"""The in-store validator (SHACL compiled to SPARQL, admiukg.validation.shaclsparql) finds what pyshacl finds.

Each case runs ``validate()`` twice: ``engine="pyshacl"`` (rdflib graphs, pyshacl: the reference)
and ``engine="sparql"`` (pyoxigraph parse, everything inside one Oxigraph store). Both use the
compiled OWL RL rules (LARGE_INPUT is set to 0 for the reference, as it is above 50k triples), so
any difference is the SHACL, hygiene, checks or parse path. Compared: every finding's severity,
message, focus, path, value, source shape, component, file and line, and the exit code. Blank
node labels are arbitrary in both and compared as ``_:b``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from admiukg import config, progress
from admiukg.validation import reports, shaclsparql
from admiukg.validation import validate as validation
from bench import synthetic

SHAPES_DIR = config.ROOT / "tests" / "shapes"
BASE = SHAPES_DIR / "valid" / "00_minimal_world.ttl"
BROKEN = config.QUERIES_DIR / "checks" / "broken"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
_BLANK = re.compile(r"_:[A-Za-z0-9]+")


def findings(report) -> list[tuple]:
    norm = lambda text: _BLANK.sub("_:b", text) if isinstance(text, str) else text
    return sorted(((f.severity, norm(f.message), norm(f.focus), norm(f.path), norm(f.value), f.source,
                    f.component, *where(f)) for f in report.results), key=repr)  # fmt: skip


def where(finding) -> tuple:
    """File and line; not for a saved check's blank node, which only the store path can locate
    (the reference copies its graph into a store, which relabels blank nodes)."""
    if finding.focus and finding.focus.startswith("_:") and finding.source.startswith(reports.CHECK):
        return ("(blank node of a saved check)",)
    return finding.file, finding.line


def both(monkeypatch, data, **options):
    monkeypatch.setattr(validation, "LARGE_INPUT", 0)  # the reference infers with the compiled rules too
    reference = validation.validate(data, engine="pyshacl", **options)
    compiled = validation.validate(data, engine="sparql", **options)
    assert [str(e) for e in compiled.errors] == [str(e) for e in reference.errors]
    assert compiled.exit_code == reference.exit_code
    return findings(reference), findings(compiled)


def assert_same(reference, compiled):
    missing, extra = sorted(set(reference) - set(compiled)), sorted(set(compiled) - set(reference))
    assert not missing and not extra, f"missing {missing[:5]}\nextra {extra[:5]}"
    assert len(reference) == len(compiled)


# -- the guard -------------------------------------------------------------------------------------


def test_the_compiler_covers_every_construct_of_the_bundled_shapes(au_shapes_graph):
    problems = shaclsparql.uncovered(au_shapes_graph)
    assert not problems, ("ontology/shapes.ttl uses what admiukg/validation/shaclsparql.py does not compile (large "
                          "inputs would fall back to pyshacl; extend the compiler and its tests):\n  "
                          + "\n  ".join(problems))


def test_the_guard_names_what_it_does_not_cover():
    shapes = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:A a sh:NodeShape ; sh:targetNode ex:x ; sh:message "m" ;
            sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ; sh:message "m" ] ,
                        [ sh:path ex:q ; sh:qualifiedValueShape ex:B ; sh:qualifiedMinCount 1 ] .
        ex:B a sh:NodeShape ; sh:targetClass ex:C ; sh:class ex:D .
    """, format="turtle")
    problems = "\n".join(shaclsparql.uncovered(shapes))
    for expected in ["http://example.org/A: sh:targetNode", "sh:zeroOrMorePath", "sh:qualifiedValueShape",
                     "sh:qualifiedMinCount", "http://example.org/B: no sh:message"]:
        assert expected in problems


def test_uncovered_shapes_fall_back_to_pyshacl(tmp_path, monkeypatch):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(config.shapes_file().read_text("utf-8") + """
        aush:Extra a sh:NodeShape ; sh:targetNode <https://kg.admiu.example/id/admiu> ;
            sh:property [ sh:path skos:prefLabel ; sh:qualifiedValueShape [ sh:datatype rdf:langString ] ;
                          sh:qualifiedMinCount 5 ; sh:message "five labels"@en ] .
    """, "utf-8")
    monkeypatch.setattr(validation, "LARGE_INPUT", 0)
    report = validation.validate(shapes_path=shapes)
    assert "five labels" in {f.message for f in report.results}  # pyshacl ran: the compiler would refuse
    with pytest.raises(ValueError, match="sh:qualifiedValueShape"):
        validation.validate(shapes_path=shapes, engine="sparql")


# -- agreement ------------------------------------------------------------------------------------


def test_bundled_graph(monkeypatch):
    reference, compiled = both(monkeypatch, None)
    assert_same(reference, compiled)


@pytest.mark.parametrize("path", sorted((SHAPES_DIR / "invalid").glob("*.ttl")) + sorted(
    (SHAPES_DIR / "valid").glob("*.ttl")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shape_golden_examples(monkeypatch, path):
    reference, compiled = both(monkeypatch, [BASE, path])
    assert_same(reference, compiled)
    if path.parent.name == "invalid":
        assert compiled, "the example breaks a rule: something must be found"


@pytest.mark.parametrize("update", sorted(BROKEN.glob("*.ru")), ids=lambda p: p.stem)
def test_broken_variants_of_the_bundled_data(monkeypatch, tmp_path, update):
    store = ox.Store()
    for path in config.data_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri()))
    store.update(update.read_text("utf-8"))
    files = []
    for graph in store.named_graphs():
        out = tmp_path / (Path(graph.value).name if graph.value.startswith("file:") else "inserted.ttl")
        out.write_bytes(store.dump(format=ox.RdfFormat.TURTLE, from_graph=graph))
        files.append(out)
    reference, compiled = both(monkeypatch, files)
    assert_same(reference, compiled)
    assert any(f[5] and "query/" in f[5] for f in compiled), "the saved check this variant breaks must fire"


#: Appended to generated data: a violation of every constraint kind the shapes use, and literals
#: that pyoxigraph's store keeps otherwise than rdflib reads them.
INJECTED = """
@prefix schema: <https://schema.org/> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
id:syn-grant-0 au:awardedBy id:syn-funder-0 , id:syn-funder-1 .                    # MaxCount
id:syn-grant-1 au:underScheme id:syn-university-0 .                                # Class, asserted only
id:syn-project-0 au:focusCountry "Spain" .                                         # Class on a literal
id:syn-network-0-size au:memberCountExceeds "5"^^xsd:int .                         # Datatype (derived type)
id:syn-network-1-size au:memberCountExceeds "abc"^^xsd:integer .                   # ill-typed, MinInclusive
id:syn-network-2-size au:memberCountExceeds "-3"^^xsd:integer .                    # MinInclusive
id:syn-network-3-size au:memberCountExceeds "+7"^^xsd:integer .                    # fine, not canonical
id:syn-network-4-size au:memberCountryCount "1.50"^^xsd:decimal .                  # Datatype, MaxCount
id:syn-grant-2 au:awardYear "2020" .                                               # Datatype
id:syn-funder-0 skos:exactMatch "Q1" .                                             # NodeKind
id:syn-project-1 au:hasRoleAssignment [ a au:RoleAssignment ; au:role au:Partner ] .  # NodeKind, blank focus
id:syn-university-0 skos:prefLabel "Name"@de .                                     # LanguageIn
id:syn-university-1 skos:prefLabel "Other"@EN .                                    # UniqueLang (case-blind)
id:syn-source au:sha256 "XYZ" .                                                    # Pattern
id:syn-role-x a au:ProjectRole ; skos:prefLabel "rol"@az , "role"@en .             # HasValue
id:syn-size-x a au:SizeObservation ; skos:prefLabel "ölçü"@az , "size"@en .        # Or
id:syn-aim-x a au:Aim .                                                            # MinCount
id:syn-university-x a au:University ; skos:prefLable "typo"@en ; au:hasAimm id:syn-aim-x .  # hygiene
<https://kg.admiu.example/id/membership/syn-x> a au:Membership ;                   # Equals, Closed
    skos:prefLabel "üzvlük"@az , "membership"@en ; prov:wasDerivedFrom id:syn-excerpt-0 ;
    org:member id:syn-university-0 ; org:organization id:syn-network-0 ; au:startYear "2001"^^xsd:gYear ;
    org:memberDuring <https://kg.admiu.example/id/membership/syn-x/interval> ; schema:startDate "2001" .
<https://kg.admiu.example/id/membership/syn-x/interval> a time:Interval ;
    time:hasBeginning [ a time:Instant ; time:inXSDgYear "2002"^^xsd:gYear ] .
"""


def components_used(shapes: rdflib.Graph) -> set[str]:
    params = {**shaclsparql.VALUE_COMPONENTS, **shaclsparql.NODE_COMPONENTS}
    return {f"{SH}{name}ConstraintComponent" for p, name in params.items() if (None, p, None) in shapes}


def test_generated_graph_with_a_violation_of_every_constraint_kind(monkeypatch, tmp_path, au_shapes_graph):
    text = io.StringIO()
    synthetic.generate(text, 10_000, seed=3)
    data = tmp_path / "generated.ttl"
    data.write_text(text.getvalue() + INJECTED, "utf-8")
    reference, compiled = both(monkeypatch, [data])
    assert_same(reference, compiled)
    found = {f[6] for f in compiled}
    assert components_used(au_shapes_graph) <= found, (
        f"no injected violation of {sorted(components_used(au_shapes_graph) - found)}: add one to INJECTED")
    assert any(f[3] == str(config.AU + "memberCountExceeds") and f[4] == "5" for f in compiled)


def test_large_inputs_take_the_store_path(monkeypatch, tmp_path):
    data = tmp_path / "generated.ttl"
    synthetic.write_file(data, 3_000)
    monkeypatch.setattr(validation, "LARGE_INPUT", 1_000)
    progress.TIMES.clear()
    report = validation.validate([data])
    # the generated graph cites a source file that does not exist: the fact rules say so, on
    # the store path as on the rdflib one, and nothing else is wrong with it
    assert [f.source.rsplit("/", 1)[-1] for f in report.results] == ["source-file"], \
        [f.message for f in report.results]
    assert "SHACL sh:class over the asserted graph" in {label for label, _ in progress.TIMES}
    assert "facts against the source text" in {label for label, _ in progress.TIMES}
    progress.TIMES.clear()
    monkeypatch.setattr(validation, "LARGE_INPUT", 10_000)
    validation.validate([data])
    assert "SHACL sh:class over the asserted graph" not in {label for label, _ in progress.TIMES}


def test_a_syntax_error_is_explained_by_rdflib_with_file_and_line(tmp_path):
    data = tmp_path / "broken.ttl"
    data.write_text(BASE.read_text("utf-8") + "\n<https://kg.admiu.example/id/x> a .\n", "utf-8")
    report = validation.validate([data], engine="sparql")
    (error,) = report.errors
    assert (error.file, error.line) == (str(data), BASE.read_text("utf-8").count("\n") + 2)
    assert error.message.startswith("syntax error")
    assert report.exit_code == 2


def test_the_time_limit_ends_a_store_run_with_exit_2(tmp_path):
    import subprocess
    import sys

    data = tmp_path / "generated.ttl"
    synthetic.write_file(data, 30_000)  # ~1.3 s to validate on a fast 2-core machine
    done = subprocess.run([sys.executable, str(config.ROOT / "validate.py"), "--engine", "sparql",
                           "--timeout", "0.25", str(data)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "time limit of 0.25 s exceeded" in done.stderr and "Traceback" not in done.stderr


def test_a_malformed_constraint_is_a_load_error(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(config.shapes_file().read_text("utf-8").replace("sh:minCount 2 ;", 'sh:minCount "two" ;', 1),
                      "utf-8")
    report = validation.validate(shapes_path=shapes, engine="sparql")
    assert report.exit_code == 2
    assert report.errors[0].message.startswith("SHACL shapes unusable")
