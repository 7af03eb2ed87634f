"""Distinct queries: the six shapes researchers send, with other IRIs, years and labels each time.

``DistinctQueries(counts, seed)`` yields ``(shape, query, accept)`` forever; the same seed gives the
same stream, so two servers measured with one seed get the same requests. ``counts`` says how
many universities, networks, projects and countries the generated graph holds
(:func:`graph_counts` reads them from a file written by ``bench/generate.py``).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

PREFIXES = """PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
COUNTRY_CODES = ["alb", "arm", "aut", "aze", "bel", "bgr", "hrv", "cyp", "cze", "dnk", "est",
                 "fin", "fra", "geo", "deu", "grc", "hun", "irl", "ita", "kaz", "kgz", "lva",
                 "ltu", "mda", "nld", "nor", "pol", "prt", "rou", "srb", "svk", "svn", "esp",
                 "swe", "tkm", "tur", "ukr", "uzb"]

SHAPES = {
    "university": "SELECT ?p ?o WHERE {{ id:syn-university-{u} ?p ?o }}",
    "members-since": (
        "SELECT ?university ?year WHERE {{ ?m a au:Membership ; org:organization "
        "id:syn-network-{n} ; org:member ?university ; au:startYear ?year . "
        'FILTER(?year >= "{year}"^^xsd:gYear) }} ORDER BY ?year ?university'),
    "projects-roles": (
        "SELECT ?project ?label ?role WHERE {{ ?ra au:agent id:syn-university-{u} ; au:role ?role . "
        "?project au:hasRoleAssignment ?ra ; skos:prefLabel ?label . "
        'FILTER(LANG(?label) = "{lang}") }}'),
    "construct-project": (
        "CONSTRUCT {{ id:syn-project-{p} ?p ?o . ?ra ?rp ?ro }} WHERE {{ "
        "{{ id:syn-project-{p} ?p ?o }} UNION "
        "{{ id:syn-project-{p} au:hasRoleAssignment ?ra . ?ra ?rp ?ro }} }}"),
    "network-country": (
        "SELECT ?network (COUNT(DISTINCT ?m) AS ?memberships) WHERE {{ "
        "?project au:focusCountry id:syn-country-{c} ; au:hasRoleAssignment ?ra . "
        "?ra au:agent ?university . ?m org:member ?university ; org:organization ?network ; "
        'au:startYear ?year . FILTER(?year >= "{year}"^^xsd:gYear) }} GROUP BY ?network '
        "ORDER BY DESC(?memberships) ?network"),
    "person-visits": (
        "SELECT ?visit ?country ?project WHERE {{ ?visit au:visitor id:syn-person-{u}-0 ; "
        "au:visitedCountry ?country ; au:withinProject ?project }}"),
}


def graph_counts(path: Path) -> dict[str, int]:
    """Universities, networks and projects in a generated file (their highest index + 1)."""
    text = Path(path).read_text(encoding="utf-8")
    counts = {}
    for kind in ("university", "network", "project"):
        found = [int(x) for x in re.findall(rf"^id:syn-{kind}-(\d+)\n", text, re.MULTILINE)]
        counts[kind] = max(found) + 1 if found else 1
    return counts


class DistinctQueries:
    def __init__(self, counts: dict[str, int], seed: int = 1):
        self.counts = counts
        self.rng = random.Random(seed)

    def make(self, shape: str) -> tuple[str, str, str]:
        rng, c = self.rng, self.counts
        values = {"u": rng.randrange(c["university"]), "n": rng.randrange(c["network"]),
                  "p": rng.randrange(c["project"]), "c": rng.choice(COUNTRY_CODES),
                  "year": rng.randrange(1995, 2026), "lang": rng.choice(["az", "en"])}
        accept = NTRIPLES if shape.startswith("construct") else JSON
        return shape, PREFIXES + SHAPES[shape].format(**values), accept

    def __iter__(self):
        shapes = list(SHAPES)
        while True:
            yield self.make(self.rng.choice(shapes))
