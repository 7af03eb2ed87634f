# A reused membership node: BSUN membership also pointing at Cumulus.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT DATA { GRAPH <https://kg.admiu.example/graph/data> {
  <https://kg.admiu.example/id/membership/admiu-bsun-2022> org:organization id:turksoy } }
