# The Cumulus membership year is written with a letter O.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE { GRAPH ?g { ?m au:startYear ?y } }
INSERT { GRAPH ?g { ?m au:startYear "2O22"^^xsd:gYear } }
WHERE { GRAPH ?g { ?m au:startYear ?y } FILTER (?m = <https://kg.admiu.example/id/membership/admiu-cumulus-2022>) }
