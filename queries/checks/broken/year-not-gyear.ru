# The Cumulus start year as a plain string instead of an xsd:gYear.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
DELETE { GRAPH ?g { ?m au:startYear ?year } }
INSERT { GRAPH ?g { ?m au:startYear "2022" } }
WHERE { GRAPH ?g { ?m au:startYear ?year } FILTER (?m = <https://kg.admiu.example/id/membership/admiu-cumulus-2022>) }
