"""Run one query job on a pyoxigraph store and serialise the result, with a row cap.

This runs inside a query worker process (:mod:`admiukg.endpoint.pool`). SELECT/ASK results use
small writers of our own (SPARQL JSON, XML, CSV, TSV) because rows are counted and cut at
``max_rows``; graphs are cut the same way and handed to ``pyoxigraph.serialize``.

A job is a dict: ``query`` (text), ``default_graphs`` / ``named_graphs`` (lists of IRIs or
``None`` when the protocol did not name them), ``has_dataset`` (query has FROM/FROM NAMED),
``results_format`` / ``graph_format`` (negotiated format keys or ``None``), ``max_rows``.
The reply is ``answer(format, body, rows, truncated)`` or ``failure(status, kind, message)``.
"""

from __future__ import annotations

import io
import json
import re
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from admiukg import formats, jsonld, vocab
from admiukg.endpoint.replies import Answer, answer, failure

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


def write_solutions(solutions, fmt: str, max_rows: int,
                    max_bytes: int = 0) -> tuple[bytes, int, bool | str]:
    """Write at most ``max_rows`` solutions in at most ``max_bytes`` (0: no limit); return
    (body, rows written, truncated: False, True when rows were cut, "bytes" when bytes were)."""
    names = [v.value for v in solutions.variables]
    rows = list(islice(solutions, max_rows + 1))
    truncated: bool | str = len(rows) > max_rows
    if truncated:
        rows = rows[:max_rows]
    body = _solutions_body(names, rows, fmt)
    if max_bytes and len(body) > max_bytes:
        n = _most_that_fit(lambda k: len(_solutions_body(names, rows[:k], fmt)), len(rows),
                           max_bytes)
        rows, truncated = rows[:n], "bytes"
        body = _solutions_body(names, rows, fmt)
    return body, len(rows), truncated


def _most_that_fit(size_of, n: int, max_bytes: int) -> int:
    """The largest k <= n with size_of(k) <= max_bytes (sizes grow with k)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if size_of(mid) <= max_bytes:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _solutions_body(names: list[str], rows: list, fmt: str) -> bytes:
    if fmt == "json":
        bindings = []
        for sol in rows:
            b = {}
            for i, name in enumerate(names):
                t = sol[i]
                if t is not None:
                    b[name] = _json_term(t)
            bindings.append(b)
        return json.dumps(
            {"head": {"vars": names}, "results": {"bindings": bindings}},
            ensure_ascii=False, separators=(",", ":"),
        ).encode("utf-8")
    if fmt == "xml":
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
        return out.getvalue().encode("utf-8")
    if fmt == "csv":
        lines = [",".join(names)]
        lines.extend(",".join(_csv_field(sol[i]) for i in range(len(names))) for sol in rows)
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + n for n in names)]
        lines.extend("\t".join(_tsv_field(sol[i]) for i in range(len(names))) for sol in rows)
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"not a results format: {fmt}")


# --- pyoxigraph's own writers, when the caps allow ----------------------------------------

#: Formats whose native output is byte-identical to ours and whose rows can be counted exactly.
NATIVE_RESULTS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV}
NATIVE_GRAPHS = {"ntriples": ox.RdfFormat.N_TRIPLES}
#: A JSON string (quotes inside are escaped): blanked out, what remains is only structure, in
#: which ``},{`` separates rows (terms follow ``":``, never ``,``).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


class _CappedBuffer:
    """A ``write`` target for the native serialisers that refuses to grow past ``limit``."""

    def __init__(self, limit: int):
        self.limit, self.size, self.parts, self.overflow = limit, 0, [], False

    def write(self, data) -> int:
        self.size += len(data)
        if self.limit and self.size > self.limit:
            self.overflow = True
            raise OSError("response over the byte limit")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def native_rows(body: bytes, fmt: str) -> int | None:
    """Exact rows (triples) in a native body, or None when they cannot be counted cheaply."""
    if fmt == "json":
        if body.endswith(b'"bindings":[]}}'):
            return 0
        if b"\\" in body:  # an escaped quote may sit in a string: the exact (slower) scan
            outside = _JSON_STRING.sub(b'""', body)
        else:  # no escapes: quotes alternate, every other piece lies outside the strings
            outside = b"".join(body.split(b'"')[::2])
        return outside.count(b"},{") + 1
    if fmt == "csv":  # a quoted field may hold a line break
        return None if b'"' in body else body.count(b"\r\n") - 1
    if fmt == "ntriples":  # one triple per line, line breaks in literals are escaped
        return body.count(b"\n")
    return None


def write_native(result, fmt: str, max_rows: int, max_bytes: int = 0):
    """(body, rows) from pyoxigraph's serialiser, or None if the caps would cut it (then the
    caller re-runs the query through the counting writers above)."""
    native = NATIVE_RESULTS.get(fmt) or NATIVE_GRAPHS.get(fmt)
    out = _CappedBuffer(max_bytes)
    try:
        result.serialize(out, format=native)
    except OSError:
        if out.overflow:
            return None
        raise
    body = b"".join(out.parts)
    rows = native_rows(body, fmt)
    if rows is None or rows > max_rows:
        return None
    return body, rows


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


def write_triples(triples, fmt: str, max_rows: int, prefixes=None,
                  max_bytes: int = 0) -> tuple[bytes, int, bool | str]:
    """Write at most ``max_rows`` triples in at most ``max_bytes`` as ``fmt``; return (body,
    triples, truncated: False, True when triples were cut, "bytes" when bytes were)."""
    items = list(islice(triples, max_rows + 1))
    truncated: bool | str = len(items) > max_rows
    if truncated:
        items = items[:max_rows]
    body = _triples_body(items, fmt, prefixes)
    if max_bytes and len(body) > max_bytes:
        n = _most_that_fit(lambda k: len(_triples_body(items[:k], fmt, prefixes)), len(items),
                           max_bytes)
        items, truncated = items[:n], "bytes"
        body = _triples_body(items, fmt, prefixes)
    return body, len(items), truncated


def _triples_body(items: list, fmt: str, prefixes=None) -> bytes:
    rdf_format = RDF_FORMATS[fmt]
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    if fmt in ("ntriples", "nquads"):
        return ox.serialize(items, format=rdf_format)
    body = ox.serialize(items, format=rdf_format, prefixes=prefixes or DEFAULT_PREFIXES)
    if fmt == "jsonld":
        body = jsonld.compact(body, prefixes or DEFAULT_PREFIXES)
    return body


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
    """``union``: True (all graphs), False (store default graph) or a list of graph IRIs.

    ``job["max_bytes"]`` (optional, 0 = none) caps the body as ``max_rows`` caps the rows; a cut
    result says why in its ``truncated`` field ("bytes", or True for rows).
    """
    def run():
        return store.query(job["query"], base_iri=job.get("base_iri"),
                           **dataset_kwargs(job, union))

    try:
        result = run()
    except SyntaxError as exc:
        return failure(400, "syntax", syntax_message(exc))
    except ValueError as exc:
        return failure(400, "bad-query", f"invalid query: {str(exc)[:300]}")
    max_rows, max_bytes = job["max_rows"], job.get("max_bytes") or 0
    try:
        if isinstance(result, ox.QueryBoolean):
            fmt = job.get("results_format")
            if fmt is None:
                return failure(406, "not-acceptable", "no acceptable format for ASK results")
            return answer(fmt, write_boolean(bool(result), fmt), 1, False)
        if isinstance(result, ox.QuerySolutions):
            fmt = job.get("results_format")
            if fmt is None:
                return failure(406, "not-acceptable", "no acceptable format for SELECT results")
            return _written(result, fmt, NATIVE_RESULTS, run, max_rows, max_bytes,
                            lambda r: write_solutions(r, fmt, max_rows, max_bytes))
        fmt = job.get("graph_format")
        if fmt is None:
            return failure(406, "not-acceptable", "no acceptable RDF format for a graph result")
        return _written(result, fmt, NATIVE_GRAPHS, run, max_rows, max_bytes,
                        lambda r: write_triples(r, fmt, max_rows, job.get("prefixes"), max_bytes))
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        return failure(400, "evaluation", f"query evaluation failed: {str(exc)[:300]}")


def _written(result, fmt: str, native_formats, run, max_rows: int, max_bytes: int, write) -> Answer:
    """pyoxigraph's own serialiser when ``fmt`` has one and the result fits the caps, else (the
    query run again) ``write``, the writer that cuts rows."""
    if fmt in native_formats:
        native = write_native(result, fmt, max_rows, max_bytes)
        if native is not None:
            return answer(fmt, native[0], native[1], False)
        result = run()  # over a cap: again, through the writer that cuts rows
    return answer(fmt, *write(result))
