"""OpenAPI 3.0 document of the saved-query API, generated from the ``#+`` headers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from admiukg import __version__
from admiukg.queries.catalogue import SavedQuery

#: Media types per query form; the order is the server's preference.
RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values")
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
RESULT_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["turtle", "ntriples", "jsonld", "rdfxml"]

#: JSON Schema (OpenAPI 3.0 dialect) of each parameter type; values arrive as query strings.
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri",
            "description": "an absolute http(s) IRI or a prefixed name declared in the query (e.g. id:cumulus)"},
    "string": {"type": "string"},
    "langString": {"type": "string", "description": "text@lang (e.g. Cumulus@en) unless the language is fixed"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "gYear": {"type": "string", "pattern": r"^-?[0-9]{4,}(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?$",
              "description": "xsd:gYear, e.g. 2022"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}

_ERROR = {"$ref": "#/components/responses/Error"}


def operation_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")


def _parameter(param) -> dict[str, Any]:
    schema = dict(PARAMETER_SCHEMAS[param.type])
    type_note = schema.pop("description", None)
    if param.default is not None:
        schema["default"] = _typed_default(param.type, param.default)
    if param.enum:
        schema["enum"] = list(param.enum)
    description = " ".join(x for x in (param.description, f"({type_note})" if type_note else "") if x)
    if param.lang:
        description += f" Language tag fixed to @{param.lang}."
    return {"name": param.name, "in": "query", "required": False, "description": description or param.name,
            "schema": schema}


def _typed_default(kind: str, value: str) -> Any:
    if kind == "integer":
        return int(value)
    if kind == "decimal":
        return float(value)
    if kind == "boolean":
        return value == "true"
    return value


def _operation(query: SavedQuery) -> dict[str, Any]:
    media = GRAPH_TYPES if query.is_graph else RESULT_TYPES
    formats = GRAPH_FORMATS if query.is_graph else RESULT_FORMATS
    params = [_parameter(p) for p in query.parameters]
    params.append({"name": "format", "in": "query", "required": False,
                   "description": "result format; overrides the Accept header",
                   "schema": {"type": "string", "enum": formats}})
    ok_description = {"select": "SPARQL results with columns: " + ", ".join(query.columns),
                      "ask": "SPARQL boolean result"}.get(query.kind, "RDF graph")
    return {
        "operationId": operation_id(query.name),
        "summary": query.summary,
        "description": (query.description + "\n\n" if query.description else "")
        + f"Query form: {query.kind.upper()}." + (" Depends on OWL RL inference." if query.inference else ""),
        "tags": list(query.tags) or ["queries"],
        "parameters": params,
        "responses": {
            "200": {"description": ok_description, "content": {m: {"schema": {"type": "string"}} for m in media}},
            "400": _ERROR,
            "404": {"description": "unknown query (only when the catalogue changed since this document)"},
            "406": {"description": "no acceptable result format"},
            "503": {"description": "query took too long or the server is busy"},
        },
    }


def build(queries: Iterable[SavedQuery], server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.0.3 document for these saved queries."""
    queries = list(queries)
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "listQueries",
            "summary": "List the saved queries with summaries, parameters and columns",
            "tags": ["catalogue"],
            "responses": {"200": {"description": "the catalogue",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Catalogue"}}}}},
        }},
    }
    for query in queries:
        paths[f"/api/queries/{query.name}"] = {"get": _operation(query)}
    tags = sorted({t for q in queries for t in q.tags})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "ADMİU Knowledge Graph: saved queries",
            "version": __version__,
            "description": "Each operation runs one saved SPARQL query of the ADMİU Knowledge Graph "
                           "(files in queries/, described by their '#+' headers) on the served graph.",
        },
        "servers": [{"url": server_url.rstrip("/") or "/"}],
        "tags": [{"name": "catalogue"}] + [{"name": t} for t in tags],
        "paths": paths,
        "components": {
            "responses": {"Error": {"description": "invalid parameter value or name",
                                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": {
                "Error": {"type": "object", "required": ["status", "error", "message"],
                          "properties": {"status": {"type": "integer"},
                                         "error": {"type": "string", "description": "kind, e.g. bad-parameter"},
                                         "message": {"type": "string"}}},
                "Catalogue": {"type": "object", "required": ["count", "queries"], "properties": {
                    "count": {"type": "integer"},
                    "queries": {"type": "array", "items": {"$ref": "#/components/schemas/SavedQuery"}}}},
                "SavedQuery": {"type": "object", "required": ["name", "summary", "kind", "parameters", "url", "sparql"],
                               "properties": {
                                   "name": {"type": "string"}, "summary": {"type": "string"},
                                   "description": {"type": "string"},
                                   "tags": {"type": "array", "items": {"type": "string"}},
                                   "kind": {"type": "string", "enum": ["select", "ask", "construct", "describe"]},
                                   "parameters": {"type": "array", "items": {"$ref": "#/components/schemas/Parameter"}},
                                   "columns": {"type": "array", "items": {"type": "string"}},
                                   "inference": {"type": "boolean"},
                                   "url": {"type": "string"}, "sparql": {"type": "string"}}},
                "Parameter": {"type": "object", "required": ["name", "type"], "properties": {
                    "name": {"type": "string"}, "type": {"type": "string", "enum": list(PARAMETER_SCHEMAS)},
                    "default": {"type": "string", "nullable": True}, "description": {"type": "string"},
                    "lang": {"type": "string"}, "enum": {"type": "array", "items": {"type": "string"}}}},
            },
        },
    }
