"""ADMİU Knowledge Graph: ontology, data, validator and SPARQL endpoint."""

__version__ = "0.1.0"
