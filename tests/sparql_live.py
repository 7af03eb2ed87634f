"""The sample dataset of the endpoint tests; the live server itself is :mod:`bench.live`."""

from __future__ import annotations

from pathlib import Path

from bench.live import ROOT, LiveServer, free_port  # noqa: F401  (the live fixtures' helpers)

EX = "http://example.org/"


def write_sample_dataset(path: Path, people: int = 250) -> Path:
    """A TriG file: people and organisations in two named graphs, a default graph, Unicode."""
    lines = [
        "@prefix ex: <http://example.org/> .",
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        'ex:dataset ex:title "Azərbaycan Dövlət Mədəniyyət və İncəsənət Universiteti"@az ;',
        '    ex:note "tab\\there, quote \\" and, comma" .',
        "ex:orgs {",
    ]
    for i in range(5):
        lines.append(f'  ex:org{i} a foaf:Organization ; foaf:name "Org {i}" ; '
                     f'ex:country "C{i % 2}" ; ex:founded "{1990 + i}"^^xsd:gYear .')
    lines.append("}")
    lines.append("ex:people {")
    for i in range(people):
        lines.append(f'  ex:p{i} a foaf:Person ; foaf:name "Person {i}" ; '
                     f"ex:memberOf ex:org{i % 5} ; ex:age {20 + i % 50} .")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
