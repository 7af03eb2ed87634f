"""validate.py (and so the server's start) refuses realistic mistakes in copies of data/*.ttl.

Each case edits one or two lines of a copy of the bundled data, as a maintainer's slip
would, and requires a violation from the named rule (a ``facts/…`` rule of
admiukg.validation.facts, a ``query/…`` check of queries/checks, a SHACL shape or the OWL RL
consistency check) whose focus is the node at fault. The bundled data validates clean.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from admiukg import config
from admiukg.validation.validate import validate

ID = config.ID


@dataclass(frozen=True)
class Slip:
    name: str
    file: str
    old: str
    new: str
    rule: str  # substring of the finding's source (check IRI or shape)
    focus: str  # the node at fault, relative to id:
    every: bool = False  # replace every occurrence (else exactly one must exist)


ECAR_FRANCE = 'skos:prefLabel "ECAR səfəri: Fransa"@az , "ECAR visit: France"@en ;\n    au:withinProject id:ecar ;\n'
CUMULUS_MEMBERSHIP_YEAR = 'org:organization id:cumulus ;'
P1S1_EN = "In 2022 the Azerbaijan State University"

SLIPS = [
    # -- wrong facts ------------------------------------------------------------------------
    Slip("membership year shifted everywhere", "memberships.ttl", '"2022"^^xsd:gYear', '"2021"^^xsd:gYear',
         "facts/number", "membership/admiu-cumulus-2022", every=True),
    Slip("network size changed", "organizations.ttl", 'au:memberCount "350"', 'au:memberCount "360"',
         "facts/number", "observation/cumulus-members-as-stated"),
    Slip("more than 120 stated as exactly 120", "organizations.ttl", "au:memberCountExceeds", "au:memberCount",
         "facts/number", "observation/bsun-members-as-stated"),
    Slip("visit country swapped", "visits.ttl", "au:visitedCountry country:france ;",
         "au:visitedCountry country:estonia ;", "facts/entity", "visit/ecar-france"),
    Slip("visit project swapped", "visits.ttl",
         '"ENGAGE visit: Estonia"@en ;\n    au:withinProject id:engage ;',
         '"ENGAGE visit: Estonia"@en ;\n    au:withinProject id:ecar ;', "facts/entity", "visit/engage-estonia"),
    Slip("scheme swapped", "projects.ttl", "au:implementedUnder id:jean-monnet-modules ;",
         "au:implementedUnder id:cbhe ;", "facts/entity", "jm-art-politics-eu"),
    Slip("organiser swapped", "organizations.ttl", "au:establishedUnderAuspicesOf id:turksoy",
         "au:establishedUnderAuspicesOf id:cumulus", "facts/entity", "union-of-turkic-world-art-universities"),
    Slip("role the source does not give", "projects.ttl",
         '"ADMİU — ECAR partner"@en ;\n    au:agent id:admiu ;\n    au:role au:Partner ;',
         '"ADMİU — ECAR partner"@en ;\n    au:agent id:admiu ;\n    au:role au:Coordinator ;',
         "facts/entity", "role-assignment/ecar-admiu-partner"),
    Slip("typo in a name", "people.ttl", "Namiq Kərimov", "Namik Kərimov", "facts/label", "namiq-kerimov",
         every=True),
    # -- broken provenance ------------------------------------------------------------------
    Slip("quote with a changed year", "provenance.ttl", "2022-ci ildə İncəsənət", "2021-ci ildə İncəsənət",
         "facts/quote", "excerpt/p1-s1"),
    Slip("quote with stripped accents", "provenance.ttl", "Mədəniyyət və İncəsənət Universiteti (ADMİU), 2022",
         "Medeniyyet ve Incesenet Universiteti (ADMIU), 2022", "facts/quote", "excerpt/p1-s1"),
    Slip("quote with a dropped word", "provenance.ttl", 'prov:value "Modul incəsənət və siyasət',
         'prov:value "Modul incəsənət siyasət', "facts/quote", "excerpt/p3-s3"),
    Slip("quote in decomposed Unicode", "provenance.ttl", "TÜRKSOY-un", "TU\u0308RKSOY-un", "facts/quote",
         "excerpt/p2-s2"),
    Slip("quote copied from another excerpt", "provenance.ttl",
         'prov:value "Bundan əlavə, modulun tətbiqi tələbələrin tədqiqat bacarıqlarını və tənqidi düşünmə '
         'qabiliyyətlərinin inkişafına da töhfə verir."@az',
         'prov:value "Layihə çərçivəsində ADMİU Avropa İttifaqına üzv dövlətlərin bu əlaqələri araşdırmaq '
         'istiqamətində əldə etdikləri unikal təcrübəni öyrənməyi və tədris prosesinə tətbiq etməyi hədəfləyir."@az',
         "query/duplicate-quote", "excerpt/p3-s5"),
    Slip("fact cited to an unrelated excerpt", "memberships.ttl", "prov:wasDerivedFrom excerpt:p2-s2 .",
         "prov:wasDerivedFrom excerpt:p3-s1 .", "facts/", "membership/admiu-union-of-turkic-world-art-universities-2023"),
    Slip("wrong checksum of the source", "provenance.ttl", 'au:sha256 "322b', 'au:sha256 "422b',
         "facts/source-file", "source/admiu-international-relations"),
    Slip("wrong file name of the source", "provenance.ttl", "000_28832fee742d80e8.txt", "000_28832fee742d80e9.txt",
         "facts/source-file", "source/admiu-international-relations"),
    Slip("translation identical to its quote", "provenance.ttl",
         '"ADMİU is also active in the field of international programmes and projects."@en',
         '"ADMİU Beynəlxalq proqram və layihələr sahəsində də fəaliyyət göstərir."@en',
         "query/translation-equals-quote", "excerpt/p3-s1"),
    Slip("two English translations", "provenance.ttl",
         '"ADMİU is also active in the field of international programmes and projects."@en ;',
         '"ADMİU is also active in the field of international programmes and projects."@en ,\n'
         '        "ADMİU is also active in the field of international programmes and projects."@en-GB ;',
         "query/excerpt-two-translations", "excerpt/p3-s1"),
    # -- verbatim labels ---------------------------------------------------------------------
    Slip("label lost its diacritics", "organizations.ttl", '"Qara Dəniz Universitetləri Şəbəkəsi"@az',
         '"Qara Deniz Universitetleri Sebekesi"@az', "facts/label", "bsun", every=True),
    Slip("typo in a country label", "countries.ttl", '"İsveç"@az', '"İsvec"@az', "facts/label", "country/sweden",
         every=True),
    Slip("trailing space in a label", "organizations.ttl", 'skos:prefLabel "TÜRKSOY"@az',
         'skos:prefLabel "TÜRKSOY "@az', "query/label-whitespace", "turksoy"),
    # -- structure ---------------------------------------------------------------------------
    Slip("duplicate membership node", "memberships.ttl", "membership:admiu-bsun-2022\n    a au:Membership ;",
         "membership:admiu-bsun-2022-bis a au:Membership ; org:member id:admiu ; org:organization id:bsun ;\n"
         '    au:startYear "2022"^^xsd:gYear ; skos:prefLabel "BSUN üzvlüyü"@az , "BSUN membership"@en ;\n'
         "    prov:wasDerivedFrom excerpt:p2-s1 .\n\nmembership:admiu-bsun-2022\n    a au:Membership ;",
         "query/duplicate-membership", "membership/admiu-bsun-2022-bis"),
    Slip("duplicate role node", "projects.ttl", "ra:ecar-admiu-partner\n    a au:RoleAssignment ;",
         "id:ecar au:hasRoleAssignment ra:ecar-admiu-partner-bis .\nra:ecar-admiu-partner-bis a au:RoleAssignment ;"
         ' au:agent id:admiu ; au:role au:Partner ;\n    skos:prefLabel "ADMİU — tərəfdaş"@az , "ADMİU — partner"@en ;'
         " prov:wasDerivedFrom excerpt:p4-s1 .\n\nra:ecar-admiu-partner\n    a au:RoleAssignment ;",
         "query/duplicate-role-assignment", "role-assignment/ecar-admiu-partner-bis"),
    Slip("derived property asserted without a membership", "organizations.ttl", "id:turksoy\n    a au:Organization ;",
         "id:admiu org:memberOf id:turksoy .\n\nid:turksoy\n    a au:Organization ;",
         "query/derived-link-without-node", "admiu"),
    Slip("network member of itself", "memberships.ttl",
         "org:member id:admiu ;\n    org:organization id:bsun ;", "org:member id:bsun ;\n    org:organization id:bsun ;",
         "query/member-of-itself", "membership/admiu-bsun-2022"),
    Slip("cycle of funding schemes", "projects.ttl", 'skos:prefLabel "Erasmus+"@az , "Erasmus+"@en ;',
         'skos:prefLabel "Erasmus+"@az , "Erasmus+"@en ;\n    au:partOfScheme id:jean-monnet-modules ;',
         "query/scheme-cycle", "erasmus-plus"),
    Slip("person also typed an organisation", "people.ttl", "id:namiq-kerimov\n    a au:Person ;",
         "id:namiq-kerimov\n    a au:Person , <http://www.w3.org/ns/org#Organization> ;",
         "owl-rl-consistency", "namiq-kerimov"),
    Slip("activity derived from its excerpt", "projects.ttl", "prov:wasInfluencedBy excerpt:p4-s1 , excerpt:p4-s2 .",
         "prov:wasDerivedFrom excerpt:p4-s1 , excerpt:p4-s2 .", "query/activity-derived-from", "ecar"),
    # -- datatypes ---------------------------------------------------------------------------
    Slip("gYear of two digits", "memberships.ttl", 'au:startYear "2023"^^xsd:gYear', 'au:startYear "23"^^xsd:gYear',
         "query/year-lexical-form", "membership/admiu-union-of-turkic-world-art-universities-2023"),
    Slip("gYear with a month", "memberships.ttl", 'au:startYear "2023"^^xsd:gYear',
         'au:startYear "2023-05"^^xsd:gYear', "query/year-lexical-form",
         "membership/admiu-union-of-turkic-world-art-universities-2023"),
    Slip("gYear with a letter O", "projects.ttl", 'au:awardYear "2023"^^xsd:gYear', 'au:awardYear "2O23"^^xsd:gYear',
         "query/year-lexical-form", "grant/jm-art-politics-eu"),
    # -- invented facts ----------------------------------------------------------------------
    Slip("project start date", "projects.ttl", "au:focusCountry country:azerbaijan ;\n    au:hasRoleAssignment ra:ecar",
         'au:focusCountry country:azerbaijan ;\n    <https://schema.org/startDate> "2021-01-15"^^xsd:date ;\n'
         "    au:hasRoleAssignment ra:ecar", "query/invented-fact", "ecar"),
    Slip("membership end", "memberships.ttl",
         "time:hasBeginning <https://kg.admiu.example/id/membership/admiu-cumulus-2022/beginning> .",
         "time:hasBeginning <https://kg.admiu.example/id/membership/admiu-cumulus-2022/beginning> ;\n"
         "    time:hasEnd <https://kg.admiu.example/id/membership/admiu-cumulus-2022/end> .",
         "query/invented-fact", "membership/admiu-cumulus-2022"),
    Slip("affiliation the source never gives", "people.ttl", "id:elcin-cafarov\n    a au:Person ;",
         "id:elcin-cafarov\n    a au:Person ;\n    <https://schema.org/affiliation> id:admiu ;",
         "query/invented-fact", "elcin-cafarov"),
    # -- links ---------------------------------------------------------------------------------
    Slip("country matched by a literal", "countries.ttl", "schema:sameAs eucountry:FRA , wd:Q142 ;",
         'schema:sameAs "Q142" ;', "Country-sameAsIri", "country/france"),
    Slip("visit country given as a literal", "visits.ttl", "au:visitedCountry country:france ;",
         'au:visitedCountry "Fransa" ;', "MobilityVisit-visitedCountry", "visit/ecar-france"),
    Slip("two countries share one Wikidata id", "countries.ttl", "eucountry:PRT , wd:Q45", "eucountry:PRT , wd:Q29",
         "query/shared-external-id", "country/spain"),
    Slip("link without its source", "organizations.ttl", "id:turksoy\n    a au:Organization ;",
         "id:turksoy\n    a au:Organization ;\n    foaf:homepage <https://turksoy.example/> ;",
         "query/link-without-statement", "turksoy"),
]


def _copy_data(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(config.DATA_DIR, data)
    return data


def _findings(data: Path):
    report = validate(sorted(data.glob("*.ttl")))
    assert not report.errors, report.errors
    return report


def test_the_bundled_data_passes_every_fact_rule(tmp_path):
    report = _findings(_copy_data(tmp_path))
    assert report.conforms, [f.message for f in report.results]


@pytest.mark.parametrize("slip", SLIPS, ids=lambda s: s.name)
def test_validator_refuses_the_slip_and_names_the_node(tmp_path, slip):
    data = _copy_data(tmp_path)
    path = data / slip.file
    text = path.read_text(encoding="utf-8")
    assert text.count(slip.old) >= 1 if slip.every else text.count(slip.old) == 1, slip.old
    path.write_text(text.replace(slip.old, slip.new), encoding="utf-8")
    report = _findings(data)
    assert not report.conforms
    hits = [f for f in report.results if f.severity == "Violation" and slip.rule in (f.source or "")]
    assert hits, [(f.source, f.focus, f.message) for f in report.results]
    assert any(f.focus == ID + slip.focus or (f.value or "") == ID + slip.focus for f in hits), \
        [(f.focus, f.value, f.message) for f in hits]


def test_a_visitor_that_is_a_country_is_reported_as_such(tmp_path):
    """The message names the wrong value, not "needs at least one visitor"."""
    data = _copy_data(tmp_path)
    path = data / "visits.ttl"
    text = path.read_text(encoding="utf-8")
    old = ECAR_FRANCE + "    au:visitor post:admiu-rector , post:admiu-vice-rector ;"
    assert text.count(old) == 1
    path.write_text(text.replace(old, ECAR_FRANCE + "    au:visitor country:france ;"), encoding="utf-8")
    report = _findings(data)
    visitor = [f for f in report.results if f.path and f.path.endswith("#visitor")]
    assert visitor and all(f.focus == ID + "visit/ecar-france" for f in visitor)
    assert all("at least one" not in f.message for f in visitor)
    assert any(f.value == ID + "country/france" and "prov:Agent" in f.message for f in visitor)


def test_the_quote_finding_says_where_the_quote_leaves_the_source(tmp_path):
    data = _copy_data(tmp_path)
    path = data / "provenance.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("2022-ci ildə İncəsənət", "2021-ci ildə İncəsənət"), encoding="utf-8")
    quote = [f for f in _findings(data).results if (f.source or "").endswith("facts/quote")]
    assert len(quote) == 1 and "then reads «1-ci ildə" in quote[0].message
    assert quote[0].file and quote[0].file.endswith("provenance.ttl") and quote[0].line
