"""Parse one RDF file safely, and find where a term sits in its source text.

Safety rules (the validator runs on untrusted files in other people's CI):
the bytes are read here and handed to rdflib as *data*, so content is never
taken for a path or URL; JSON-LD documents that reference an external
``@context`` (or ``@import``) are refused before rdflib could fetch them;
``owl:imports`` are plain triples and never followed; RDF/XML goes through
expat, which does not resolve external entities and caps entity expansion.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph

from admiukg import formats
from admiukg.errors import KGError
from admiukg.graph import safeinput

#: pyoxigraph's syntax (chosen by file extension, as the server does) -> rdflib parser name.
RDFLIB_PARSERS = {
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.N_TRIPLES: "nt",
    ox.RdfFormat.N_QUADS: "nquads",
    ox.RdfFormat.TRIG: "trig",
    ox.RdfFormat.RDF_XML: "xml",
    ox.RdfFormat.JSON_LD: "json-ld",
    ox.RdfFormat.N3: "n3",
}
QUAD_FORMATS = {"nquads", "trig"}


def parser_name(path: Path) -> str | None:
    """The rdflib parser for a file, by the extension table the server uses too."""
    fmt = formats.input_format(path)
    return RDFLIB_PARSERS.get(fmt) if fmt is not None else None


class RDFLoadError(KGError):
    """A file that cannot be read as RDF; ``str()`` is ``FILE:LINE: message``."""

    status, kind = 400, "rdf-syntax"

    def __init__(self, path, message: str, line: int | None = None):
        super().__init__(message)
        self.path = str(path)
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def load_graph(path) -> Graph:
    """Parse ``path`` (format from its extension) into a new Graph.

    Quad formats (.nq, .trig) are flattened: the triples of every named
    graph land in the one returned graph.
    """
    graph, _ = _load(Path(path))
    return graph


def load_graph_stable(path) -> tuple[Graph, bytes, bool]:
    """Like :func:`load_graph`, with blank-node labels that survive a re-parse.

    rdflib's Turtle/TriG parser names blank nodes ``n<uuid>b<k>`` with ``k``
    counting in document order; replacing the random uuid by a digest of the
    file's bytes makes the labels reproducible, so cached entailments about
    blank nodes still connect to a fresh parse. (General canonical labelling,
    rdflib.compare, took 40 s on 9k triples.) Returns (graph, raw bytes,
    stable); ``stable`` is False when some blank node could not be renamed
    this way (other syntaxes), and then nothing about it may be cached.
    """
    path = Path(path)
    graph, raw = _load(path)
    if not any(isinstance(t, BNode) for triple in graph for t in (triple[0], triple[2])):
        return graph, raw, True
    if parser_name(path) not in ("turtle", "trig", "n3"):
        return graph, raw, False
    prefix = bnode_file_prefix(raw)
    stable = Graph()
    for s, p, o in graph:
        s2, o2 = _rename(s, prefix), _rename(o, prefix)
        if s2 is None or o2 is None:
            return graph, raw, False
        stable.add((s2, p, o2))
    _copy_prefixes(graph, stable)
    return stable, raw, True


_PARSER_BNODE = re.compile(r"n[0-9a-f]{32}b(\d+)")


def _rename(term, prefix: str):
    if not isinstance(term, BNode):
        return term
    match = _PARSER_BNODE.fullmatch(str(term))
    return BNode(prefix + match.group(1)) if match else None


def bnode_file_prefix(raw: bytes) -> str:
    """The label prefix :func:`load_graph_stable` gives this file's blank nodes."""
    return "f" + hashlib.sha256(raw).hexdigest()[:10] + "b"


def read_source(path: Path) -> tuple[str, bytes]:
    """The rdflib format name (from the extension) and the bytes of ``path``; every parser reads
    through here, so every one gets the same checks and messages."""
    fmt = parser_name(path)
    if fmt is None:
        known = " ".join("." + e for e in sorted(formats.INPUTS))
        raise RDFLoadError(path, f"unknown RDF file extension {path.suffix!r} (known: {known})")
    try:  # regular files only, size-limited, XML entity bombs refused (admiukg.graph.safeinput)
        raw = safeinput.read_input(path)
    except safeinput.InputError as exc:
        raise RDFLoadError(path, exc.message, exc.line) from None
    return fmt, raw


def _load(path: Path) -> tuple[Graph, bytes]:
    fmt, raw = read_source(path)
    base = path.resolve().as_uri()
    if fmt == "xml":
        data: bytes | str = raw  # the XML declaration decides the encoding
    else:
        data = _decode(path, raw)
        if fmt == "json-ld":
            _refuse_external_contexts(path, data)

    target = rdflib.Dataset() if fmt in QUAD_FORMATS else Graph()
    try:
        with warnings.catch_warnings():  # rdflib's parsers use its own deprecated classes
            warnings.simplefilter("ignore", DeprecationWarning)
            target.parse(data=data, format=fmt, publicID=base)
    except RecursionError:
        raise RDFLoadError(path, "nested too deeply to parse") from None
    except Exception as exc:  # every parser has its own exception types
        error = _explain(path, fmt, data, exc)
        error.message = safeinput.shown(path, error.message)  # it may quote the file
        raise error from None

    if fmt in QUAD_FORMATS:
        flat = Graph()
        for s, p, o, _g in target.quads((None, None, None, None)):
            flat.add((s, p, o))
        _copy_prefixes(target, flat)
        return flat, raw
    return target, raw


def _copy_prefixes(source: Graph, target: Graph) -> None:
    for prefix, ns in source.namespaces():
        target.bind(prefix, ns, override=False)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RDFLoadError(path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line) from None


def _refuse_external_contexts(path: Path, text: str) -> None:
    """Refuse contexts that rdflib would fetch (remote URL or file: path)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RDFLoadError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise RDFLoadError(path, "JSON nested too deeply to parse") from None

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    for ctx in value if isinstance(value, list) else [value]:
                        if isinstance(ctx, str):
                            yield ctx
                        elif isinstance(ctx, dict) and isinstance(ctx.get("@import"), str):
                            yield ctx["@import"]
                yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    try:
        ref = next(refs(doc), None)
    except RecursionError:
        raise RDFLoadError(path, "JSON nested too deeply to parse") from None
    if ref is not None:
        line = _line_of(text, json.dumps(ref)) or _line_of(text, ref)
        raise RDFLoadError(
            path,
            f"external JSON-LD context {ref!r} refused: the validator never fetches; inline the context",
            line,
        )


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _explain(path: Path, fmt: str, data, exc: Exception) -> RDFLoadError:
    """Turn a parser exception into an RDFLoadError with the best line we can get."""
    name = type(exc).__name__
    if name == "BadSyntax":  # Turtle, TriG (rdflib's notation3 parser)
        why = getattr(exc, "_why", None) or str(exc)
        return RDFLoadError(path, f"syntax error: {why}", getattr(exc, "lines", -1) + 1 or None)
    if hasattr(exc, "getLineNumber"):  # RDF/XML through xml.sax
        return RDFLoadError(path, f"XML error: {exc.getMessage()}", exc.getLineNumber())
    if isinstance(exc, json.JSONDecodeError) or hasattr(exc, "lineno"):
        return RDFLoadError(path, f"syntax error: {exc}", getattr(exc, "lineno", None))
    if fmt in ("nt", "nquads"):
        return RDFLoadError(path, f"syntax error: {exc}", _first_bad_line(data, fmt))
    message = str(exc).splitlines()[0] if str(exc) else name
    return RDFLoadError(path, f"cannot parse as {fmt}: {message}")


def _first_bad_line(text: str, fmt: str) -> int | None:
    """Line-based formats: re-parse line by line to find the culprit."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        probe = rdflib.Dataset() if fmt == "nquads" else Graph()
        try:
            probe.parse(data=line + "\n", format=fmt)
        except Exception:
            return number
    return None


# -- Where is a term in the source? -------------------------------------------

_PREFIX_RE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_LEAD_RE = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,]*|:[^\s;,]*|_:[\w.-]+)")


class SourceIndex:
    """Line lookups in the source text of RDF files (a light scan, not a parse).

    ``subject_line(iri)`` is the first line where the term starts a statement
    (column 0, the way the project's Turtle is written), preferring a line that holds the
    subject alone (the opening of its description block) over a one-line statement such as
    a link in data/links.ttl; ``mention_line(iri)``
    is the first line mentioning it at all, as ``<iri>`` or ``prefix:local``.
    """

    def __init__(self, paths):
        self._files: list[tuple[str, list[str], dict[str, str]]] = []
        self._subjects: dict[str, tuple[str, int]] = {}
        self._blocks: dict[str, tuple[str, int]] = {}
        for path in paths:
            try:
                lines = Path(path).read_text("utf-8", errors="replace").splitlines()
            except OSError:
                continue
            prefixes: dict[str, str] = {}
            for number, line in enumerate(lines, 1):
                match = _PREFIX_RE.match(line)
                if match:
                    prefixes[match.group(1) or ""] = match.group(2)
                    continue
                lead = _LEAD_RE.match(line)
                if lead:
                    iri = _expand(lead.group(1), prefixes)
                    if iri:
                        self._subjects.setdefault(iri, (str(path), number))
                        if line.strip() == lead.group(1):
                            self._blocks.setdefault(iri, (str(path), number))
            self._files.append((str(path), lines, prefixes))

    def subject_line(self, iri: str) -> tuple[str, int] | None:
        return self._blocks.get(str(iri)) or self._subjects.get(str(iri))

    def mention_line(self, iri: str) -> tuple[str, int] | None:
        iri = str(iri)
        for path, lines, prefixes in self._files:
            needles = [f"<{iri}>", f'"{iri}"']
            for prefix, ns in prefixes.items():
                if iri.startswith(ns) and len(iri) > len(ns):
                    needles.append(f"{prefix}:{iri[len(ns):]}")
            pattern = re.compile(
                "|".join(r"(?<![\w:/#-])" + re.escape(n) + r"(?![\w-])" for n in needles)
            )
            for number, line in enumerate(lines, 1):
                if pattern.search(line):
                    return path, number
        return None

    def locate(self, iri: str) -> tuple[str, int] | None:
        return self.subject_line(iri) or self.mention_line(iri)


def _expand(token: str, prefixes: dict[str, str]) -> str | None:
    if token.startswith("<"):
        return token[1:-1]
    if token.startswith("_:"):
        return None
    prefix, _, local = token.partition(":")
    ns = prefixes.get(prefix)
    return ns + local.rstrip(".") if ns is not None else None
