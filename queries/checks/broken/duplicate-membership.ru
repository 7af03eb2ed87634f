# A second node for ADMİU's Cumulus membership, a copy of the first.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { GRAPH ?g { <https://kg.admiu.example/id/membership/admiu-cumulus-2022-copy> ?p ?o } }
WHERE { GRAPH ?g { <https://kg.admiu.example/id/membership/admiu-cumulus-2022> ?p ?o } }
