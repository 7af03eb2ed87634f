# Namiq Kərimov loses the sentence he was read from.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
DELETE WHERE { GRAPH ?g { id:namiq-kerimov prov:wasDerivedFrom ?excerpt } } ;
DELETE WHERE { GRAPH ?g { id:namiq-kerimov prov:wasInfluencedBy ?excerpt } }
