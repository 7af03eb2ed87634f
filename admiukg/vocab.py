"""The prefix table: every namespace the product writes or reads by a short name, in one place.

Serialisers (Turtle, TriG, RDF/XML, JSON-LD contexts), golden files, pages and the query editor
all take their prefixes from :func:`prefixes`.
"""

from __future__ import annotations

from admiukg import config

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
TIME = "http://www.w3.org/2006/time#"
SH = "http://www.w3.org/ns/shacl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
VANN = "http://purl.org/vocab/vann/"

#: The standard vocabularies, by their usual prefix.
STANDARD = {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
    "org": ORG, "prov": PROV, "schema": SCHEMA, "foaf": FOAF, "time": TIME, "sh": SH,
    "sd": SD, "void": VOID, "dcat": DCAT, "vann": VANN,
}


#: The namespaces of the identifiers the data links to (countries, corporate bodies, Wikidata,
#: the EU's research vocabularies), which the query editor completes too.
LINKED = {
    "eurio": "http://data.europa.eu/s66#",
    "frapo": "http://purl.org/cerif/frapo/",
    "vivo": "http://vivoweb.org/ontology/core#",
    "wd": "http://www.wikidata.org/entity/",
    "eucountry": "http://publications.europa.eu/resource/authority/country/",
    "corpbody": "http://publications.europa.eu/resource/authority/corporate-body/",
}


def prefixes(base: str = config.CANONICAL_BASE) -> dict[str, str]:
    """The project's own namespaces under ``base``, then the standard ones."""
    return {
        "au": base + "ontology#",
        "id": base + "id/",
        "aush": base + "shapes#",
        "graph": base + "graph/",
        **STANDARD,
    }
