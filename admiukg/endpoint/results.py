"""Run one query job on a pyoxigraph store and serialise the result, with a row cap.

This runs inside a query worker process (:mod:`admiukg.endpoint.pool`). SELECT/ASK results use
small writers of our own (SPARQL JSON, XML, CSV, TSV) because rows are counted and cut at
``max_rows``; graphs are cut the same way and handed to ``pyoxigraph.serialize``.

A job is a dict: ``query`` (text), ``default_graphs`` / ``named_graphs`` (lists of IRIs or
``None`` when the protocol did not name them), ``has_dataset`` (query has FROM/FROM NAMED),
``results_format`` / ``graph_format`` (negotiated format keys or ``None``), ``max_rows``.
The reply is ``("ok", format, body, rows, truncated)`` or ``("error", status, kind, message)``.
"""

from __future__ import annotations

import io
import json
import re
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from admiukg import formats, jsonld, vocab

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Prefixes used when writing Turtle, TriG, RDF/XML and JSON-LD.
DEFAULT_PREFIXES = vocab.STANDARD

RDF_FORMATS = {key: f.rdf for key, f in formats.GRAPHS.items()}


# --- term encodings ----------------------------------------------------------------------


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(t.subject),
                "predicate": _json_term(t.predicate),
                "object": _json_term(t.object),
            },
        }
    return {"type": "literal", "value": str(t)}


#: Character references for white space that XML parsers normalise (CR, CRLF) or trim (some,
#: pyoxigraph's among them, drop leading and trailing white space of text), as pyoxigraph writes it.
_XML_WHITESPACE = {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
_XML_EDGE = {**_XML_WHITESPACE, " ": "&#32;"}


def _xml_text(value: str) -> str:
    core = value.strip(" \t\r\n")
    if not core:
        return "".join(_XML_EDGE[c] for c in value)
    start = value.index(core)
    head, tail = value[:start], value[start + len(core):]
    return ("".join(_XML_EDGE[c] for c in head) + escape(core, _XML_WHITESPACE)
            + "".join(_XML_EDGE[c] for c in tail))


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_text(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_text(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{_xml_text(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{_xml_text(t.value)}</literal>"
        return f"<literal>{_xml_text(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(t.subject)}</subject>"
            f"<predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>"
        )
    return f"<literal>{_xml_text(str(t))}</literal>"


def _csv_field(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        v = "_:" + t.value
    elif isinstance(t, (ox.NamedNode, ox.Literal)):
        v = t.value
    else:
        v = str(t)
    if any(c in v for c in '",\r\n'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def _tsv_field(t) -> str:
    if t is None:
        return ""
    return str(t).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- SELECT / ASK ------------------------------------------------------------------------


def write_solutions(solutions, fmt: str, max_rows: int) -> tuple[bytes, int, bool]:
    """Write at most ``max_rows`` solutions; return (body, rows written, truncated)."""
    names = [v.value for v in solutions.variables]
    rows = list(islice(solutions, max_rows + 1))
    truncated = len(rows) > max_rows
    if truncated:
        rows = rows[:max_rows]
    if fmt == "json":
        bindings = []
        for sol in rows:
            b = {}
            for i, name in enumerate(names):
                t = sol[i]
                if t is not None:
                    b[name] = _json_term(t)
            bindings.append(b)
        body = json.dumps(
            {"head": {"vars": names}, "results": {"bindings": bindings}},
            ensure_ascii=False, separators=(",", ":"),
        ).encode("utf-8")
    elif fmt == "xml":
        out = io.StringIO()
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        for name in names:
            out.write(f"<variable name={quoteattr(name)}/>")
        out.write("</head><results>")
        for sol in rows:
            out.write("<result>")
            for i, name in enumerate(names):
                t = sol[i]
                if t is not None:
                    out.write(f"<binding name={quoteattr(name)}>{_xml_term(t)}</binding>")
            out.write("</result>")
        out.write("</results></sparql>\n")
        body = out.getvalue().encode("utf-8")
    elif fmt == "csv":
        lines = [",".join(names)]
        lines.extend(",".join(_csv_field(sol[i]) for i in range(len(names))) for sol in rows)
        body = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    elif fmt == "tsv":
        lines = ["\t".join("?" + n for n in names)]
        lines.extend("\t".join(_tsv_field(sol[i]) for i in range(len(names))) for sol in rows)
        body = ("\n".join(lines) + "\n").encode("utf-8")
    else:
        raise ValueError(f"not a results format: {fmt}")
    return body, len(rows), truncated


def write_boolean(value: bool, fmt: str) -> bytes:
    word = "true" if value else "false"
    if fmt == "json":
        return ('{"head":{},"boolean":%s}' % word).encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns='
                '"http://www.w3.org/2005/sparql-results#"><head/><boolean>%s</boolean>'
                "</sparql>\n" % word).encode()
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"not a results format: {fmt}")


# --- graphs ------------------------------------------------------------------------------


def write_triples(triples, fmt: str, max_rows: int, prefixes=None) -> tuple[bytes, int, bool]:
    """Write at most ``max_rows`` triples as ``fmt``; return (body, triples, truncated)."""
    items = list(islice(triples, max_rows + 1))
    truncated = len(items) > max_rows
    if truncated:
        items = items[:max_rows]
    rdf_format = RDF_FORMATS[fmt]
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    if fmt in ("ntriples", "nquads"):
        body = ox.serialize(items, format=rdf_format)
    else:
        body = ox.serialize(items, format=rdf_format, prefixes=prefixes or DEFAULT_PREFIXES)
        if fmt == "jsonld":
            body = jsonld.compact(body, prefixes or DEFAULT_PREFIXES)
    return body, len(items), truncated


# --- running a job ------------------------------------------------------------------------

_POSITION = re.compile(r"error at (\d+):(\d+)")


def warm_up(store) -> None:
    """Touch the store once so the first real query does not pay the open cost."""
    try:
        store.query("ASK { ?s ?p ?o }")
    except Exception:  # pragma: no cover
        pass


def syntax_message(exc: Exception) -> str:
    """A short syntax error message with the position (line, column)."""
    text = str(exc)
    m = _POSITION.search(text)
    where = f"line {m.group(1)}, column {m.group(2)}" if m else None
    detail = text.split(": ", 1)[1] if m and ": " in text else text
    if len(detail) > 160:
        detail = detail[:160].rstrip() + " …"
    return f"SPARQL syntax error at {where}: {detail}" if where else f"SPARQL syntax error: {detail}"


def dataset_kwargs(job, union: bool) -> dict:
    dg, ng = job.get("default_graphs"), job.get("named_graphs")
    if dg is not None or ng is not None:
        # SPARQL Protocol: the request's dataset replaces the query's FROM / FROM NAMED
        return {
            "default_graph": [ox.NamedNode(g) for g in (dg or [])] or [],
            "named_graphs": [ox.NamedNode(g) for g in (ng or [])],
        }
    if job.get("has_dataset") or not union:
        return {}
    if isinstance(union, (list, tuple)):  # union of selected graphs (bundled: not the shapes)
        return {"default_graph": [ox.NamedNode(g) for g in union]}
    return {"use_default_graph_as_union": True}


def execute(store, job, union=True):
    """``union``: True (all graphs), False (store default graph) or a list of graph IRIs."""
    try:
        result = store.query(job["query"], base_iri=job.get("base_iri"),
                             **dataset_kwargs(job, union))
    except SyntaxError as exc:
        return ("error", 400, "syntax", syntax_message(exc))
    except ValueError as exc:
        return ("error", 400, "bad-query", f"invalid query: {str(exc)[:300]}")
    max_rows = job["max_rows"]
    try:
        if isinstance(result, ox.QueryBoolean):
            fmt = job.get("results_format")
            if fmt is None:
                return ("error", 406, "not-acceptable", "no acceptable format for ASK results")
            return ("ok", fmt, write_boolean(bool(result), fmt), 1, False)
        if isinstance(result, ox.QuerySolutions):
            fmt = job.get("results_format")
            if fmt is None:
                return ("error", 406, "not-acceptable", "no acceptable format for SELECT results")
            body, rows, truncated = write_solutions(result, fmt, max_rows)
            return ("ok", fmt, body, rows, truncated)
        fmt = job.get("graph_format")
        if fmt is None:
            return ("error", 406, "not-acceptable", "no acceptable RDF format for a graph result")
        body, rows, truncated = write_triples(result, fmt, max_rows, job.get("prefixes"))
        return ("ok", fmt, body, rows, truncated)
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        return ("error", 400, "evaluation", f"query evaluation failed: {str(exc)[:300]}")
