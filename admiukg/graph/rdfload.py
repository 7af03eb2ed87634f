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

import rdflib
from rdflib import BNode, Graph

#: File extension -> rdflib parser name.
FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
}
QUAD_FORMATS = {"nquads", "trig"}


class RDFLoadError(Exception):
    """A file that cannot be read as RDF; ``str()`` is ``FILE:LINE: message``."""

    def __init__(self, path, message: str, line: int | None = None):
        super().__init__(message)
        self.path = str(path)
        self.message = message
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
    if FORMATS[path.suffix.lower()] not in ("turtle", "trig"):
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
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = " ".join(sorted(FORMATS))
        raise RDFLoadError(path, f"unknown RDF file extension {path.suffix!r} (known: {known})")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RDFLoadError(path, "no such file") from None
    except IsADirectoryError:
        raise RDFLoadError(path, "is a directory, not an RDF file") from None
    except OSError as exc:
        raise RDFLoadError(path, f"cannot read: {exc.strerror}") from None
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
    except Exception as exc:  # every parser has its own exception types
        raise _explain(path, fmt, data, exc) from None

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

    for ref in refs(doc):
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
    (column 0, the way the project's Turtle is written); ``mention_line(iri)``
    is the first line mentioning it at all, as ``<iri>`` or ``prefix:local``.
    """

    def __init__(self, paths):
        self._files: list[tuple[str, list[str], dict[str, str]]] = []
        self._subjects: dict[str, tuple[str, int]] = {}
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
            self._files.append((str(path), lines, prefixes))

    def subject_line(self, iri: str) -> tuple[str, int] | None:
        return self._subjects.get(str(iri))

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
