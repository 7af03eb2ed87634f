# BSUN's aim loses its Azerbaijani label.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
DELETE { GRAPH ?g { <https://kg.admiu.example/id/aim/bsun-scientific-cooperation> skos:prefLabel ?label } }
WHERE { GRAPH ?g { <https://kg.admiu.example/id/aim/bsun-scientific-cooperation> skos:prefLabel ?label } FILTER (lang(?label) = "az") }
