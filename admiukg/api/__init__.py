"""The saved-query REST API (grlc style) and its OpenAPI 3 document."""
