# Breaks a copy of the data so that ../membership-without-start-year.rq must fire.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
DELETE WHERE { GRAPH ?g { <https://kg.admiu.example/id/membership/admiu-bsun-2022> au:startYear ?year } }
