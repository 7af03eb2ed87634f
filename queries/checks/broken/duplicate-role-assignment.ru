# A copy of the ECAR partner role of ADMİU.
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { GRAPH ?g { <https://kg.admiu.example/id/role-assignment/ecar-admiu-partner-copy> ?p ?o } }
WHERE { GRAPH ?g { <https://kg.admiu.example/id/role-assignment/ecar-admiu-partner> ?p ?o } } ;
INSERT { GRAPH ?g { id:ecar au:hasRoleAssignment <https://kg.admiu.example/id/role-assignment/ecar-admiu-partner-copy> } }
WHERE { GRAPH ?g { id:ecar au:hasRoleAssignment <https://kg.admiu.example/id/role-assignment/ecar-admiu-partner> } }
