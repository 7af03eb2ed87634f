# The English schema:name of ADMİU loses an "s".
PREFIX au: <https://kg.admiu.example/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX id: <https://kg.admiu.example/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE { GRAPH ?g { id:admiu schema:name ?n } }
INSERT { GRAPH ?g { id:admiu schema:name "Azerbaijan State University of Culture and Art"@en } }
WHERE { GRAPH ?g { id:admiu schema:name ?n } FILTER (lang(?n) = "en") }
