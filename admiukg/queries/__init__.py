"""Saved SPARQL queries: the ``queries/`` catalogue with its ``#+`` headers, parameter binding
and the must-be-empty checks; pure, no server."""
