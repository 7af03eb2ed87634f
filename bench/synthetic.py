"""Synthetic ADMİU-style data of any size, for benchmarks: deterministic by seed, valid against the shapes.

The graph repeats the patterns of the bundled data (data/*.ttl) with invented names: universities,
networks with dated n-ary memberships (ORG + OWL-Time), funders, funding schemes in a hierarchy,
projects with grants and role assignments, people, mobility visits, and a verbatim source excerpt
that every fact node is derived from. Only the ontology's own terms are used.

Turtle text is written directly (no RDF library): 1M triples take a few seconds. The same seed
and size give byte-identical output, because only ``random.Random(seed)`` decides anything.
The size is met by adding whole "units" (a university with its memberships, a project with its
roles, grant and visits) until the requested count is reached, so the result overshoots by at most
one unit (~120 triples). About 600 triples of shared nodes (countries, funders, schemes, networks)
are always written, so below ~3k triples the overshoot exceeds 5%.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from admiukg import config

PREFIXES = {
    "au": config.AU,
    "id": config.ID,
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
ROLES = ["au:Coordinator", "au:Partner", "au:Researcher", "au:Teacher", "au:Applicant"]
#: name -> ISO 3166-1 alpha-3 code, which the EU country authority table uses as its IRI suffix.
COUNTRIES = {"Albania": "ALB", "Armenia": "ARM", "Austria": "AUT", "Azerbaijan": "AZE",
             "Belgium": "BEL", "Bulgaria": "BGR", "Croatia": "HRV", "Cyprus": "CYP",
             "Czechia": "CZE", "Denmark": "DNK", "Estonia": "EST", "Finland": "FIN",
             "France": "FRA", "Georgia": "GEO", "Germany": "DEU", "Greece": "GRC",
             "Hungary": "HUN", "Ireland": "IRL", "Italy": "ITA", "Kazakhstan": "KAZ",
             "Kyrgyzstan": "KGZ", "Latvia": "LVA", "Lithuania": "LTU", "Moldova": "MDA",
             "Netherlands": "NLD", "Norway": "NOR", "Poland": "POL", "Portugal": "PRT",
             "Romania": "ROU", "Serbia": "SRB", "Slovakia": "SVK", "Slovenia": "SVN",
             "Spain": "ESP", "Sweden": "SWE", "Turkmenistan": "TKM", "Türkiye": "TUR",
             "Ukraine": "UKR", "Uzbekistan": "UZB"}
COUNTRY_AUTHORITY = "http://publications.europa.eu/resource/authority/country/"
_SYLLABLES = ["an", "ba", "ca", "də", "el", "fi", "qa", "ha", "ir", "ja", "ka", "lə", "mo", "nu",
              "or", "pa", "ra", "sə", "ta", "ul", "va", "ya", "zi", "şə", "çi", "ğa", "ö", "ü"]
_WORDS = ["universitet", "şəbəkə", "layihə", "əməkdaşlıq", "incəsənət", "mədəniyyət", "təhsil",
          "beynəlxalq", "tədqiqat", "səfər", "proqram", "tərəfdaş", "üzvlük", "müəllim", "tələbə"]


def parse_size(text: str) -> int:
    """'10k' -> 10_000, '1m' -> 1_000_000, '2500' -> 2500."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


@dataclass
class _Writer:
    """Counts triples while writing subject blocks of Turtle."""

    out: TextIO
    triples: int = 0

    def block(self, subject: str, *pairs: tuple[str, str | list[str]]) -> None:
        lines, count = [], 0
        for predicate, objects in pairs:
            objs = objects if isinstance(objects, list) else [objects]
            if objs:
                lines.append(f"    {predicate} {' , '.join(objs)}")
                count += len(objs)
        self.out.write(f"{subject}\n" + " ;\n".join(lines) + " .\n\n")
        self.triples += count


@dataclass
class _State:
    """What later units may refer to."""

    rng: random.Random
    universities: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    unassigned: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    funders: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    projects: int = 0
    excerpts: int = 0


def generate(out: TextIO, triples: int, seed: int = 1) -> int:
    """Write about ``triples`` triples of Turtle to ``out``; returns the exact count written."""
    w = _Writer(out)
    st = _State(random.Random(seed))
    out.writelines(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in PREFIXES.items())
    out.write(f"# Synthetic ADMİU-style data: seed {seed}, target {triples} triples.\n\n")
    both = lambda az, en: [_lit(az, "az"), _lit(en, "en")]
    w.block("id:syn-source", ("a", "au:SourceDocument"),
            ("skos:prefLabel", both("Sintetik mənbə mətni", "Synthetic source text")),
            ("dcterms:title", both("Sintetik mətn", "Synthetic text")),
            ("dcterms:language", '"az"^^xsd:language'),
            ("au:fileName", _lit("synthetic.txt")), ("au:sha256", _lit("0" * 64)))
    _shared(w, st, networks=max(3, triples // 4000), funders=max(2, triples // 40000))
    while w.triples < triples:  # one university per two projects, universities first
        (_project_unit if st.projects % 2 or len(st.universities) > st.projects // 2
         else _university_unit)(w, st)
    return w.triples


def write_file(path: Path | str, triples: int, seed: int = 1) -> int:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        return generate(out, triples, seed)


# -- units --------------------------------------------------------------------------------------

def _shared(w: _Writer, st: _State, networks: int, funders: int) -> None:
    """Countries, funders, a scheme hierarchy and networks: the things units point at."""
    for name, code in COUNTRIES.items():
        iri = f"id:syn-country-{code.lower()}"
        st.countries.append(iri)
        w.block(iri, ("a", "au:Country"), ("skos:prefLabel", [_lit(name, "az"), _lit(name, "en")]),
                ("schema:sameAs", f"<{COUNTRY_AUTHORITY}{code}>"), _source(w, st))
    for i in range(funders):
        iri = f"id:syn-funder-{i}"
        st.funders.append(iri)
        w.block(iri, ("a", "au:FundingBody"), *_labels(st, "Fond"), _source(w, st))
    for i in range(max(3, funders * 3)):
        iri = f"id:syn-scheme-{i}"
        parent = [st.schemes[st.rng.randrange(len(st.schemes))]] if st.schemes else []
        st.schemes.append(iri)
        w.block(iri, ("a", "au:FundingScheme"), *_labels(st, "Proqram"),
                ("au:partOfScheme", parent), ("au:schemeManagedBy", st.rng.choice(st.funders)),
                _source(w, st))
    for i in range(networks):
        iri = f"id:syn-network-{i}"
        obs = f"id:syn-network-{i}-size"
        st.networks.append(iri)
        w.block(iri, ("a", "au:Network"), *_labels(st, "Şəbəkə"),
                ("au:hasSizeObservation", obs), _source(w, st))
        w.block(obs, ("a", "au:SizeObservation"), *_labels(st, "Ölçü"),
                ("au:observedOrganization", iri),
                ("au:memberCount", _typed(st.rng.randrange(10, 500), "xsd:integer")),
                ("au:memberCountryCount", _typed(st.rng.randrange(2, 60), "xsd:integer")),
                ("dcterms:source", "id:syn-source"), _source(w, st))


def _university_unit(w: _Writer, st: _State) -> None:
    """A university, its staff, and its dated memberships in distinct networks."""
    rng, n = st.rng, len(st.universities)
    iri = f"id:syn-university-{n}"
    st.universities.append(iri)
    w.block(iri, ("a", "au:University"), *_labels(st, "Universitet"),
            ("skos:altLabel", _lit(f"U{n}", "en")), _source(w, st))
    for j in range(rng.randrange(1, 4)):
        person, name = f"id:syn-person-{n}-{j}", _name(rng)
        st.people.append(person)
        st.unassigned.append(person)
        w.block(person, ("a", "au:Person"), ("skos:prefLabel", [_lit(name, "az"), _lit(name, "en")]),
                _source(w, st))
    for network in rng.sample(st.networks, min(len(st.networks), rng.randrange(1, 4))):
        year = rng.randrange(1995, 2026)
        m = f"<{config.ID}membership/syn-{n}-{network.rsplit('-', 1)[1]}-{year}"
        w.block(f"{m}>", ("a", "au:Membership"), *_labels(st, "Üzvlük"),
                ("org:member", iri), ("org:organization", network),
                ("org:memberDuring", f"{m}/interval>"), ("au:startYear", _typed(year, "xsd:gYear")),
                _source(w, st))
        w.block(f"{m}/interval>", ("a", "time:Interval"), ("time:hasBeginning", f"{m}/beginning>"))
        w.block(f"{m}/beginning>", ("a", "time:Instant"), ("time:inXSDgYear", _typed(year, "xsd:gYear")))


def _project_unit(w: _Writer, st: _State) -> None:
    """A project with a grant, role assignments for universities and people, and visits."""
    rng, n = st.rng, st.projects
    st.projects += 1
    iri = f"id:syn-project-{n}"
    grant = f"id:syn-grant-{n}"
    partners = rng.sample(st.universities, min(len(st.universities), rng.randrange(2, 5)))
    wanted = rng.randrange(1, 4)  # people without a role first: the shapes warn about idle people
    staff = st.unassigned[:wanted]
    del st.unassigned[:wanted]
    staff += [p for p in rng.sample(st.people, min(len(st.people), wanted - len(staff)))
              if p not in staff]
    roles = [(a, "au:Coordinator" if k == 0 else "au:Partner") for k, a in enumerate(partners)]
    roles += [(p, rng.choice(ROLES[2:4])) for p in staff]
    assignments = [f"id:syn-project-{n}-role-{k}" for k in range(len(roles))]
    scheme = rng.choice(st.schemes)
    labels = _labels(st, "Layihə")
    w.block(iri, ("a", "au:Project"), *labels, ("dcterms:title", labels[0][1]),
            ("au:implementedUnder", scheme), ("au:isFundedBy", grant),
            ("au:focusCountry", rng.choice(st.countries)),
            ("au:hasRoleAssignment", assignments), _source(w, st, activity=True))
    w.block(grant, ("a", "au:Grant"), *_labels(st, "Qrant"), ("au:funds", iri),
            ("au:awardedBy", rng.choice(st.funders)), ("au:underScheme", scheme),
            ("au:awardYear", _typed(rng.randrange(2000, 2026), "xsd:gYear")), _source(w, st))
    for ra, (agent, role) in zip(assignments, roles):
        w.block(ra, ("a", "au:RoleAssignment"), *_labels(st, "Rol"),
                ("au:agent", agent), ("au:role", role), _source(w, st))
    for k, country in enumerate(rng.sample(st.countries, rng.randrange(0, 3))):
        visit = f"id:syn-project-{n}-visit-{k}"
        w.block(f"{visit}-aim", ("a", "au:Aim"), *_labels(st, "Məqsəd"), _source(w, st))
        w.block(visit, ("a", "au:MobilityVisit"), *_labels(st, "Səfər"),
                ("au:visitor", rng.choice(staff or partners)), ("au:visitedCountry", country),
                ("au:withinProject", iri), ("au:hasAim", f"{visit}-aim"), _source(w, st, activity=True))


# -- literals and provenance ---------------------------------------------------------------------

def _source(w: _Writer, st: _State, activity: bool = False) -> tuple[str, str]:
    """A fresh verbatim excerpt for the caller's node; returns the (predicate, object) to attach:
    prov:wasInfluencedBy for an activity (PROV-O keeps prov:wasDerivedFrom for entities)."""
    iri = f"id:syn-excerpt-{st.excerpts}"
    st.excerpts += 1
    w.block(iri, ("a", "au:SourceExcerpt"),
            ("skos:prefLabel", [_lit(f"Mənbə cümləsi {st.excerpts}", "az"),
                                _lit(f"Source sentence {st.excerpts}", "en")]),
            ("prov:value", _lit(f"{_sentence(st.rng)[:-1]} {st.excerpts}.", "az")),  # no two alike
            ("au:translation", _lit(f"Translation of sentence {st.excerpts}", "en")),
            ("prov:wasQuotedFrom", "id:syn-source"))
    return ("prov:wasInfluencedBy" if activity else "prov:wasDerivedFrom", iri)


def _labels(st: _State, kind: str) -> tuple[tuple[str, list[str]]]:
    name = _name(st.rng)
    return (("skos:prefLabel", [_lit(f"{kind} {name}", "az"), _lit(f"{name} ({kind})", "en")]),)


def _name(rng: random.Random) -> str:
    return " ".join("".join(rng.choice(_SYLLABLES) for _ in range(rng.randrange(2, 4))).capitalize()
                    for _ in range(2))


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(6, 14))).capitalize() + "."


def _lit(text: str, lang: str | None = None) -> str:
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{quoted}@{lang}" if lang else quoted


def _typed(value: int, datatype: str) -> str:
    return f'"{value}"^^{datatype}'
