"""Checklist: every fact of the source text is in the graph.

Expected values are written from the source text (data/source/000_28832fee742d80e8.txt);
the queries use the asserted graph (ontology + data), not the inferred closure, unless a
test says otherwise.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from admiukg import config

PREFIXES = f"""
PREFIX au: <{config.AU}>
PREFIX id: <{config.ID}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
"""


def rows(graph, query):
    return {tuple(str(v) if v is not None else None for v in row)
            for row in graph.query(PREFIXES + query)}


def values(graph, query):
    return {r[0] for r in rows(graph, query)}


def label(graph, iri, lang):
    return values(graph, f'SELECT ?l WHERE {{ <{iri}> skos:prefLabel ?l FILTER(lang(?l) = "{lang}") }}')


# -- Memberships ------------------------------------------------------------------------------


def test_admiu_memberships_with_start_years(au_graph):
    found = rows(au_graph, """
        SELECT ?net ?year ?intervalYear WHERE {
          ?m a au:Membership ; org:member id:admiu ; org:organization ?n ; au:startYear ?year ;
             org:memberDuring/time:hasBeginning/time:inXSDgYear ?intervalYear .
          ?n skos:prefLabel ?net FILTER(lang(?net) = "en")
        }""")
    assert found == {
        ("Cumulus", "2022", "2022"),  # "2022-ci ildə ... “Cumulus” ... üzv qəbul edilmişdir"
        ("Black Sea Universities Network", "2022", "2022"),  # "2022-ci ildən ... (BSUN) üzvdür"
        ("Union of Turkic World Art Universities", "2023", "2023"),  # "2023-cü ildən isə"
    }


def test_start_years_are_gyear(au_graph):
    dts = {y.datatype for y in au_graph.objects(None, URIRef(config.AU + "startYear"))}
    assert dts == {URIRef("http://www.w3.org/2001/XMLSchema#gYear")}


def test_network_names_in_both_languages(au_graph):
    assert label(au_graph, config.ID + "bsun", "az") == {"Qara Dəniz Universitetləri Şəbəkəsi"}
    assert label(au_graph, config.ID + "union-of-turkic-world-art-universities", "az") == {
        "Türk Dünyası Sənət Universitetləri Birliyi"}
    assert label(au_graph, config.ID + "admiu", "az") == {
        "Azərbaycan Dövlət Mədəniyyət və İncəsənət Universiteti"}
    assert "BSUN" in values(au_graph, "SELECT ?l WHERE { id:bsun skos:altLabel ?l }")
    assert "ADMİU" in values(au_graph, "SELECT ?l WHERE { id:admiu skos:altLabel ?l }")


# -- Network descriptions and sizes ------------------------------------------------------------


def test_cumulus_description(au_graph):
    d = values(au_graph, 'SELECT ?d WHERE { id:cumulus a au:Network ; dcterms:description ?d FILTER(lang(?d)="az") }')
    assert d == {"İncəsənət, dizayn və media sahələrində ali təhsil müəssisələrinin qlobal birliyi"}


def test_cumulus_size_350_members_60_countries_as_stated(au_graph):
    found = rows(au_graph, """
        SELECT ?members ?countries ?src WHERE {
          ?o a au:SizeObservation ; au:observedOrganization id:cumulus ;
             au:memberCount ?members ; au:memberCountryCount ?countries ; dcterms:source ?src .
        }""")
    assert found == {("350", "60", config.ID + "source/admiu-international-relations")}


def test_bsun_size_more_than_120_universities_from_12_countries(au_graph):
    found = rows(au_graph, """
        SELECT ?more ?countries WHERE {
          ?o a au:SizeObservation ; au:observedOrganization id:bsun ;
             au:memberCountExceeds ?more ; au:memberCountryCount ?countries .
          FILTER NOT EXISTS { ?o au:memberCount ?exact }
        }""")
    assert found == {("120", "12")}


def test_size_observations_are_not_dated(au_graph):
    """The source is undated: no date may be invented for the figures."""
    assert not rows(au_graph, """SELECT ?o ?p WHERE { ?o a au:SizeObservation ; ?p ?v .
        FILTER(datatype(?v) IN (xsd:date, xsd:dateTime, xsd:gYear)) }""")


def test_bsun_purpose_scientific_cooperation(au_graph):
    aims = values(au_graph, 'SELECT ?l WHERE { id:bsun au:purpose/skos:prefLabel ?l FILTER(lang(?l)="az") }')
    assert aims == {"Qara Dəniz Regionunda universitetlər arasında elmi əməkdaşlıq çərçivəsində əlaqələrin qurulması"}


def test_admiu_takes_part_in_bsun_joint_projects(au_graph):
    act = rows(au_graph, """SELECT ?a WHERE { ?m org:member id:admiu ; org:organization id:bsun ;
                            au:memberActivity ?a FILTER(lang(?a) = "az") }""")
    assert act == {("birgə layihələrdə iştirak edir",)}


def test_union_created_under_turksoy(au_graph):
    assert rows(au_graph, """SELECT ?l WHERE { id:union-of-turkic-world-art-universities
        au:establishedUnderAuspicesOf ?t . ?t skos:prefLabel ?l FILTER(lang(?l)="en") }""") == {("TÜRKSOY",)}


# -- Cumulus aims --------------------------------------------------------------------------------

CUMULUS_AIMS_AZ = {  # the list of sentence 2, split at its commas
    "beynəlxalq həmkarlar ilə güclü əlaqələrin qurulması",
    "beynəlmiləlləşmə və qarşılıqlı öyrənmə öhdəliyinə sahib həmfikir insanlarla görüşlərin təşkili",
    "müəyyən sahələrdə tərəfdaşların axtarışı və şəbəkələşmənin asanlaşdırılması",
    "“Cumulus” proqramlarının strateji istiqamətlərində bilavasitə iştirak edilməsi",
    "professor-müəllim heyətinin, əməkdaşların və tələbələrin konfranslarda, qlobal tələbə "
    "yarışmalarında, işçi qruplarda və ya xüsusi təşəbbüslərdə iştirakının təmin edilməsi",
    "müəllimlərin nəşrləri üçün platformaların zənginləşdirilməsi",
    "akademik heyətin bütün dünyada öyrədilən, tədqiq edilən və tətbiq edilən sənət fənləri "
    "haqqında yeni ideyalarla tanış olunmasının təmin edilməsi",
}


def test_cumulus_membership_aims(au_graph):
    az = values(au_graph, """SELECT ?l WHERE { ?m org:member id:admiu ; org:organization id:cumulus ;
        au:hasAim ?a . ?a a au:Aim ; skos:prefLabel ?l FILTER(lang(?l)="az") }""")
    assert az == CUMULUS_AIMS_AZ
    en = values(au_graph, """SELECT ?a WHERE { ?m org:organization id:cumulus ; au:hasAim ?a .
        ?a skos:prefLabel ?l FILTER(lang(?l)="en") }""")
    assert len(en) == 7


# -- Jean Monnet Module ------------------------------------------------------------------------------


def test_jm_module_title_scheme_funder_year(au_graph):
    found = rows(au_graph, """
        SELECT ?title ?scheme ?parent ?funder ?year WHERE {
          ?p a au:Project ; dcterms:title ?title FILTER(lang(?title) = "az")
          ?p au:implementedUnder ?s . ?s skos:prefLabel ?scheme FILTER(lang(?scheme) = "en")
          ?s au:partOfScheme/skos:prefLabel ?parent FILTER(lang(?parent) = "en")
          ?g a au:Grant ; au:funds ?p ; au:underScheme ?s ; au:awardYear ?year ;
             au:awardedBy/skos:prefLabel ?funder FILTER(lang(?funder) = "az")
        }""")
    assert found == {("Avropa İttifaqında incəsənət və siyasətin kəsişməsinin tədqiqi",
                      "Erasmus+ Jean Monnet Modules", "Erasmus+", "Avropa Komissiyası", "2023")}


def test_jm_module_submitted_by_admiu(au_graph):
    assert rows(au_graph, """SELECT ?r WHERE { id:jm-art-politics-eu au:hasRoleAssignment ?ra .
        ?ra au:agent id:admiu ; au:role ?r }""") == {(config.AU + "Applicant",)}


def test_jm_module_people_and_roles(au_graph):
    found = rows(au_graph, """
        SELECT ?name ?role WHERE {
          id:jm-art-politics-eu au:hasRoleAssignment ?ra .
          ?ra au:agent ?p ; au:role/skos:prefLabel ?role FILTER(lang(?role) = "en")
          ?p a au:Person ; skos:prefLabel ?name FILTER(lang(?name) = "az")
        }""")
    assert found == {
        ("Namiq Kərimov", "coordinator"),
        ("Namiq Kərimov", "researcher"),
        ("Elçin Cəfərov", "teacher"),
        ("Tərlan Rəsulov", "teacher"),
    }


def test_jm_module_topic_and_aims(au_graph):
    topic = values(au_graph, 'SELECT ?d WHERE { id:jm-art-politics-eu dcterms:description ?d FILTER(lang(?d)="az") }')
    assert topic == {"Modul incəsənət və siyasət arasındakı əlaqənin tarixi, mədəni və sosial kontekstlər "
                     "tərəfindən formalaşan mürəkkəb və çoxşaxəli əlaqələrinə istinad edir."}
    aims = values(au_graph, 'SELECT ?l WHERE { id:jm-art-politics-eu au:hasAim/skos:prefLabel ?l FILTER(lang(?l)="az") }')
    assert aims == {
        "Avropa İttifaqına üzv dövlətlərin bu əlaqələri araşdırmaq istiqamətində əldə etdikləri unikal "
        "təcrübəni öyrənməyi və tədris prosesinə tətbiq etməyi",
        "tələbələrin tədqiqat bacarıqlarını və tənqidi düşünmə qabiliyyətlərinin inkişafına",
    }


def test_european_commission_identifiers(au_graph):
    assert values(au_graph, "SELECT ?x WHERE { id:european-commission a au:FundingBody ; schema:sameAs ?x }") == {
        "http://publications.europa.eu/resource/authority/corporate-body/COM",
        "http://www.wikidata.org/entity/Q8880",
        "https://ror.org/00k4n6c32",
        "https://doi.org/10.13039/501100000780",
    }


# -- ECAR and ENGAGE ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug,acronym,title_az", [
    ("ecar", "ECAR", "Azərbaycanda Rektorlar Konfransının yaradılması"),
    ("engage", "ENGAGE", "Azərbaycanın Ali Təhsil Müəssisələrində davamlı sahibkarlıq ekosisteminin gücləndirilməsi"),
])
def test_erasmus_projects_with_admiu_as_partner(au_graph, slug, acronym, title_az):
    found = rows(au_graph, f"""
        SELECT ?title ?acr WHERE {{
          id:{slug} a au:Project ; dcterms:title ?title FILTER(lang(?title) = "az")
          id:{slug} skos:altLabel ?acr FILTER(str(?acr) = "{acronym}")
          id:{slug} au:hasRoleAssignment [ au:agent id:admiu ; au:role au:Partner ] .
          id:{slug} au:implementedUnder/au:partOfScheme* id:erasmus-plus .
          id:{slug} au:focusCountry id:country/azerbaijan .
        }}""".replace("id:country/azerbaijan", f"<{config.ID}country/azerbaijan>"))
    assert {r[0] for r in found} == {title_az}


def test_ecar_under_cbhe_programme_of_the_commission(au_graph):
    found = rows(au_graph, """SELECT ?s ?parent ?owner WHERE { id:ecar au:implementedUnder ?s .
        ?s au:partOfScheme ?parent ; au:schemeManagedBy ?owner ; skos:prefLabel ?l FILTER(lang(?l)="en") }""")
    assert found == {(config.ID + "cbhe", config.ID + "erasmus-plus", config.ID + "european-commission")}
    assert "Erasmus+ Capacity Building in Higher Education" in label(au_graph, config.ID + "cbhe", "en")


def test_ecar_is_erasmus_plus_after_inference(au_closure):
    assert (URIRef(config.ID + "ecar"), URIRef(config.AU + "implementedUnder"),
            URIRef(config.ID + "erasmus-plus")) in au_closure


# -- Visits --------------------------------------------------------------------------------------------


def visit_countries(graph, project):
    return values(graph, f"""SELECT ?c WHERE {{ ?v a au:MobilityVisit ; au:withinProject id:{project} ;
        au:visitedCountry/skos:prefLabel ?c FILTER(lang(?c) = "en") }}""")


def test_ecar_visit_countries(au_graph):
    # "Fransa, Belçika, İsveç, Litva və İspaniya universitetlərinə səfər etmişlər"
    assert visit_countries(au_graph, "ecar") == {"France", "Belgium", "Sweden", "Lithuania", "Spain"}


def test_engage_visit_countries(au_graph):
    # "Estoniya, İsveç, Portuqaliya, Polşa və İspaniyanın ... təhsil ocaqlarında səfərlərdə olmuşlar"
    assert visit_countries(au_graph, "engage") == {"Estonia", "Sweden", "Portugal", "Poland", "Spain"}


def test_country_names_in_azerbaijani(au_graph):
    az = values(au_graph, 'SELECT ?l WHERE { ?v au:visitedCountry/skos:prefLabel ?l FILTER(lang(?l)="az") }')
    assert az == {"Fransa", "Belçika", "İsveç", "Litva", "İspaniya", "Estoniya", "Portuqaliya", "Polşa"}


def test_ecar_visitors_are_rector_and_vice_rectors(au_graph):
    visitors = rows(au_graph, """SELECT DISTINCT ?v ?org WHERE { ?x au:withinProject id:ecar ; au:visitor ?v .
        ?v a au:Post ; org:postIn ?org }""")
    assert visitors == {(config.ID + "post/admiu-rector", config.ID + "admiu"),
                        (config.ID + "post/admiu-vice-rector", config.ID + "admiu")}


def test_engage_visitors_are_admiu_staff(au_graph):
    assert rows(au_graph, """SELECT DISTINCT ?v WHERE { ?x au:withinProject id:engage ; au:visitor ?v .
        ?v a au:StaffGroup ; au:staffOf id:admiu }""") == {(config.ID + "admiu-staff",)}


@pytest.mark.parametrize("project,purpose,hosts", [
    ("ecar", "tərəfdaş Avropa rektorlar konfranslarının təcrübəsini öyrənmək", "universitetlər"),
    ("engage", "sahibkarlıq fəaliyyətləri, innovasiyaların idarə edilməsi, sahibkarlığın kurikuluma "
               "inteqrasiyasını gücləndirmək", "qabaqcıl və prestijli təhsil ocaqları"),
])
def test_visit_purpose_and_hosts(au_graph, project, purpose, hosts):
    found = rows(au_graph, f"""SELECT DISTINCT ?p ?h WHERE {{ ?v au:withinProject id:{project} ;
        au:hasAim/skos:prefLabel ?p ; au:hostDescription ?h FILTER(lang(?p)="az" && lang(?h)="az") }}""")
    assert found == {(purpose, hosts)}
    n = values(au_graph, f"SELECT ?v WHERE {{ ?v au:withinProject id:{project} ; au:hasAim ?a }}")
    assert len(n) == 5


def test_admiu_is_active_in_international_programmes(au_graph):
    assert Literal("Beynəlxalq proqram və layihələr sahəsində də fəaliyyət göstərir.", lang="az") in set(
        au_graph.objects(URIRef(config.ID + "admiu"), URIRef("http://purl.org/dc/terms/description")))


def test_azerbaijan_is_own_node_with_wikidata_only(au_graph):
    assert values(au_graph, f"SELECT ?x WHERE {{ <{config.ID}country/azerbaijan> schema:sameAs ?x }}") == {
        "http://www.wikidata.org/entity/Q227", "http://sws.geonames.org/587116/"}


def test_eu_countries_have_authority_iris(au_graph):
    found = rows(au_graph, """SELECT ?c ?x WHERE { ?c a au:Country ; schema:sameAs ?x
        FILTER(STRSTARTS(STR(?x), "http://publications.europa.eu/resource/authority/country/")) }""")
    assert {x.rsplit("/", 1)[1] for _, x in found} == {"FRA", "BEL", "SWE", "LTU", "ESP", "EST", "PRT", "POL"}
    assert len(found) == 8
