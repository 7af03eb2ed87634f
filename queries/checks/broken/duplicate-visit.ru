# The ECAR visit to Belgium is said to be to France (the other ECAR country stays in the sentence).
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE { GRAPH ?g { <https://kg.admiu.example/id/visit/ecar-belgium> au:visitedCountry ?c } }
INSERT { GRAPH ?g { <https://kg.admiu.example/id/visit/ecar-belgium> au:visitedCountry <https://kg.admiu.example/id/country/france> } }
WHERE { GRAPH ?g { <https://kg.admiu.example/id/visit/ecar-belgium> au:visitedCountry ?c } }
