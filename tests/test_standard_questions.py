"""After the OWL RL closure, a client that knows only standard vocabularies (W3C ORG,
schema.org, PROV-O, DCTERMS, OWL-Time, SKOS, RDFS) gets its answers.

No query here mentions an au: term; only the IRI of ADMİU (id:admiu) is given.
"""

from __future__ import annotations

from admiukg import config

PREFIXES = f"""
PREFIX id: <{config.ID}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def rows(graph, query):
    q = PREFIXES + query
    assert config.AU not in q and "au:" not in q
    return {tuple(str(v) for v in row) for row in graph.query(q)}


def test_org_membership_with_start_year(au_closure):
    found = rows(au_closure, """
        SELECT ?name ?year WHERE {
          id:admiu org:hasMembership ?m .
          ?m a org:Membership ; org:organization ?o ;
             org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ; time:inXSDgYear ?year ] ] .
          ?o a org:Organization ; skos:prefLabel ?name FILTER(lang(?name) = "en")
        }""")
    assert found == {("Cumulus", "2022"), ("Black Sea Universities Network", "2022"),
                     ("Union of Turkic World Art Universities", "2023")}


def test_org_and_schema_member_of(au_closure):
    org_ = rows(au_closure, "SELECT ?o WHERE { id:admiu org:memberOf ?o }")
    schema_ = rows(au_closure, "SELECT ?o WHERE { id:admiu schema:memberOf ?o }")
    expected = {(config.ID + s,) for s in ["cumulus", "bsun", "union-of-turkic-world-art-universities"]}
    assert org_ == schema_ == expected
    assert rows(au_closure, "SELECT ?o WHERE { ?o org:hasMember id:admiu ; schema:member id:admiu }") == expected


def test_admiu_is_an_org_and_schema_university(au_closure):
    types = rows(au_closure, "SELECT ?t WHERE { id:admiu a ?t }")
    for t in ["http://www.w3.org/ns/org#FormalOrganization", "https://schema.org/CollegeOrUniversity",
              "https://schema.org/Organization", "http://www.w3.org/ns/prov#Agent"]:
        assert (t,) in types


def test_projects_admiu_takes_part_in_with_roles(au_closure):
    found = rows(au_closure, """
        SELECT ?title ?role WHERE {
          ?p a schema:Project ; prov:wasAssociatedWith id:admiu ;
             prov:qualifiedAssociation [ prov:agent id:admiu ; prov:hadRole/skos:prefLabel ?role ] ;
             dcterms:title ?title FILTER(lang(?title) = "en" && lang(?role) = "en")
        }""")
    assert found == {
        ("Research on the intersection of art and politics in the European Union", "applicant"),
        ("Establishment of the Rectors' Conference in Azerbaijan", "partner"),
        ("Strengthening the sustainable entrepreneurship ecosystem in Higher Education Institutions of Azerbaijan",
         "partner"),
    }


def test_who_funds_the_projects(au_closure):
    found = rows(au_closure, """
        SELECT ?p ?funder WHERE { ?p a schema:Project ; schema:funder ?f .
          ?f rdfs:label ?funder FILTER(lang(?funder) = "en") }""")
    assert found == {(config.ID + "jm-art-politics-eu", "European Commission")}
    grant = rows(au_closure, """
        SELECT ?g ?f WHERE { ?g a schema:MonetaryGrant ; schema:funder ?f ;
          schema:fundedItem id:jm-art-politics-eu . id:jm-art-politics-eu schema:funding ?g }""")
    assert grant == {(config.ID + "grant/jm-art-politics-eu", config.ID + "european-commission")}


def test_people_and_their_roles(au_closure):
    found = rows(au_closure, """
        SELECT ?name ?role WHERE {
          id:jm-art-politics-eu prov:qualifiedAssociation ?a ; prov:wasAssociatedWith ?p .
          ?a a prov:Association ; prov:agent ?p ; prov:hadRole ?r .
          ?p a schema:Person ; rdfs:label ?name FILTER(lang(?name) = "az")
          ?r a prov:Role ; skos:prefLabel ?role FILTER(lang(?role) = "en")
        }""")
    assert found == {("Namiq Kərimov", "coordinator"), ("Namiq Kərimov", "researcher"),
                     ("Elçin Cəfərov", "teacher"), ("Tərlan Rəsulov", "teacher")}


def test_visited_countries_via_schema_location(au_closure):
    found = rows(au_closure, """
        SELECT ?project ?country WHERE {
          ?v a schema:Event ; dcterms:isPartOf ?p ; schema:location ?c .
          ?p skos:altLabel ?project FILTER(str(?project) IN ("ECAR", "ENGAGE") && lang(?project) = "en")
          ?c a schema:Country ; rdfs:label ?country FILTER(lang(?country) = "en")
        }""")
    assert found == {("ECAR", c) for c in ["France", "Belgium", "Sweden", "Lithuania", "Spain"]} | {
        ("ENGAGE", c) for c in ["Estonia", "Sweden", "Portugal", "Poland", "Spain"]}


def test_visited_countries_via_dcterms_spatial_with_eu_authority(au_closure):
    found = rows(au_closure, """
        SELECT DISTINCT ?code WHERE {
          ?v a prov:Activity ; dcterms:spatial ?c ; prov:wasAssociatedWith ?who .
          ?c a dcterms:Location ; skos:exactMatch ?x
          FILTER(STRSTARTS(STR(?x), "http://publications.europa.eu/resource/authority/country/"))
          BIND(STRAFTER(STR(?x), "country/") AS ?code)
        }""")
    assert {c for (c,) in found} == {"FRA", "BEL", "SWE", "LTU", "ESP", "EST", "PRT", "POL"}


def test_who_travelled_via_prov(au_closure):
    found = rows(au_closure, """
        SELECT DISTINCT ?who WHERE { ?v a schema:Event ; prov:wasAssociatedWith ?w ; schema:location ?c .
          ?w rdfs:label ?who FILTER(lang(?who) = "en") }""")
    assert found == {("Rector of ADMİU",), ("Vice-rector of ADMİU",), ("ADMİU staff",)}


def test_provenance_of_a_membership(au_closure):
    found = rows(au_closure, """
        SELECT ?quote WHERE { id:admiu org:hasMembership ?m . ?m org:organization ?o .
          ?o rdfs:label "Cumulus"@en . ?m prov:wasDerivedFrom ?e . ?e prov:value ?quote ;
          prov:wasQuotedFrom ?doc . ?doc dcterms:language ?lang }""")
    assert len(found) == 2
    assert any("2022-ci ildə" in q for (q,) in found)


def test_cumulus_size_via_standard_terms(au_closure):
    """The figure is a prov:Entity with a dcterms:source (it holds as stated there)."""
    found = rows(au_closure, """
        SELECT ?label WHERE { ?o a prov:Entity ; dcterms:source ?doc ; prov:wasDerivedFrom ?e ;
          rdfs:label ?label FILTER(lang(?label) = "en" && CONTAINS(?label, "Cumulus")) }""")
    assert found == {("Cumulus: 350 members from 60 countries (as stated in the source)",)}
