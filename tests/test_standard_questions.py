"""After the OWL RL closure, a client that knows only standard vocabularies (W3C ORG,
schema.org, FOAF, PROV-O, DCTERMS, OWL-Time, SKOS, RDFS) gets its answers.

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
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
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
        ("Enhancing sustainable entrepreneurial ecosystem in Higher Education Institutions of Azerbaijan",
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
          ?c a dcterms:Location ; schema:sameAs ?x
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


# -- FOAF, names, funding year, programme, staff, purpose, mapping terms ----------------------


def test_foaf_organizations_and_members(au_closure):
    """ORG: org:Organization ≡ foaf:Organization ⊑ foaf:Agent, org:hasMember ≡ foaf:member."""
    orgs = rows(au_closure, """SELECT ?name WHERE { ?o a foaf:Organization , foaf:Agent ; foaf:name ?name
        FILTER(lang(?name) = "en") }""")
    assert {("Azerbaijan State University of Culture and Arts",), ("Cumulus",), ("Black Sea Universities Network",),
            ("Union of Turkic World Art Universities",), ("TÜRKSOY",), ("European Commission",)} <= orgs
    networks = rows(au_closure, """SELECT ?name WHERE { ?n foaf:member id:admiu ; foaf:name ?name
        FILTER(lang(?name) = "en") }""")
    assert networks == {("Cumulus",), ("Black Sea Universities Network",), ("Union of Turkic World Art Universities",)}


def test_people_are_foaf_persons_with_foaf_names(au_closure):
    found = rows(au_closure, 'SELECT ?n WHERE { ?p a foaf:Person ; foaf:name ?n FILTER(lang(?n) = "az") }')
    assert found == {("Namiq Kərimov",), ("Elçin Cəfərov",), ("Tərlan Rəsulov",)}


def test_every_schema_org_organization_and_project_has_a_schema_name(au_closure):
    nameless = rows(au_closure, """SELECT ?o WHERE { { ?o a schema:Organization } UNION { ?o a schema:Country }
        FILTER NOT EXISTS { ?o schema:name ?en FILTER(lang(?en) = "en") }
        FILTER NOT EXISTS { ?o schema:name ?az FILTER(lang(?az) = "az") } }""")
    assert nameless == set()
    assert rows(au_closure, 'SELECT ?n WHERE { id:engage schema:name ?n FILTER(lang(?n) = "en") }') == {
        ("Enhancing sustainable entrepreneurial ecosystem in Higher Education Institutions of Azerbaijan",)}


def test_funding_year_via_dcterms_date(au_closure):
    found = rows(au_closure, """SELECT ?project ?year WHERE {
        ?g a schema:MonetaryGrant ; schema:fundedItem ?p ; dcterms:date ?year . ?p schema:name ?project
        FILTER(lang(?project) = "en") }""")
    assert found == {("Research on the intersection of art and politics in the European Union", "2023")}


def test_which_projects_are_erasmus_plus_projects(au_closure):
    found = rows(au_closure, """SELECT ?project WHERE {
        ?p a schema:Project ; dcterms:isPartOf ?programme ; schema:name ?project .
        ?programme a schema:FundingScheme ; schema:name "Erasmus+"@en FILTER(lang(?project) = "en") }""")
    assert found == {("Research on the intersection of art and politics in the European Union",),
                     ("Establishment of the Rectors' Conference in Azerbaijan",),
                     ("Enhancing sustainable entrepreneurial ecosystem in Higher Education Institutions of Azerbaijan",)}


def test_admiu_staff_linked_to_admiu(au_closure):
    staff = rows(au_closure, """SELECT ?name WHERE { ?s org:memberOf id:admiu . id:admiu org:hasMember ?s ;
        foaf:member ?s . ?s a foaf:Group ; schema:name ?name FILTER(lang(?name) = "en") }""")
    assert staff == {("ADMİU staff",)}


def test_purpose_of_a_network_via_org_purpose(au_closure):
    found = rows(au_closure, """SELECT ?name ?purpose WHERE { ?n a org:Organization ; org:purpose ?p ;
        schema:name ?name . ?p skos:prefLabel ?purpose FILTER(lang(?name) = "en" && lang(?purpose) = "az") }""")
    assert found == {("Black Sea Universities Network",
                      "Qara Dəniz Regionunda universitetlər arasında elmi əməkdaşlıq çərçivəsində əlaqələrin qurulması")}


def test_mapping_terms_fit_their_subjects(au_closure):
    """schema:sameAs for registries (Wikidata, EU authority tables, ROR, GeoNames); skos mapping
    properties only between concepts, since SKOS would make both sides skos:Concepts."""
    misfits = rows(au_closure, """SELECT ?s WHERE {
        VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
        ?s ?p ?o ; a ?t FILTER(?t IN (schema:Organization, schema:Country, schema:Project, schema:Person)) }""")
    assert misfits == set()
    sames = rows(au_closure, "SELECT ?x WHERE { id:european-commission schema:sameAs ?x }")
    assert {("http://www.wikidata.org/entity/Q8880",), ("https://ror.org/00k4n6c32",),
            ("https://doi.org/10.13039/501100000780",)} <= sames
    geonames = rows(au_closure, """SELECT ?c WHERE { ?c a schema:Country ; schema:sameAs ?x
        FILTER(STRSTARTS(STR(?x), "http://sws.geonames.org/")) }""")
    assert len(geonames) == 9


def test_every_fact_has_prov_was_influenced_by_its_excerpt(au_closure):
    """Entities say prov:wasDerivedFrom, activities prov:wasInfluencedBy; both reach the latter."""
    found = rows(au_closure, """SELECT ?quote WHERE { ?v a prov:Activity , schema:Event ; schema:location ?c .
        ?c schema:name "France"@en . ?v prov:wasInfluencedBy ?e . ?e prov:value ?quote }""")
    assert len(found) == 1 and "Fransa" in next(iter(found))[0]
    derived_activities = rows(au_closure, "SELECT ?a WHERE { ?a a prov:Activity ; prov:wasDerivedFrom ?e }")
    assert derived_activities == set()


def test_links_to_the_world_carry_their_own_source(au_closure):
    """Each link is an rdf:Statement derived from the web address it was read from."""
    found = rows(au_closure, """SELECT ?page ?source WHERE { id:cumulus foaf:homepage ?page .
        ?st a rdf:Statement ; rdf:subject id:cumulus ; rdf:predicate foaf:homepage ; rdf:object ?page ;
            prov:wasDerivedFrom ?source }""")
    assert found == {("https://cumulusassociation.org/", "https://cumulusassociation.org/")}
