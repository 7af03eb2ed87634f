# Sentence p4-s3 loses its link to the source document.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
DELETE WHERE { GRAPH ?g { <https://kg.admiu.example/id/excerpt/p4-s3> prov:wasQuotedFrom ?document } }
