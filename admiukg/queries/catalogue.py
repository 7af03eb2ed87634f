"""Saved SPARQL queries: the ``queries/`` folder read as a catalogue (grlc style).

Each ``queries/*.rq`` file opens with ``#+`` comment lines holding YAML metadata
(see ``queries/README.md``), so the file stays valid SPARQL and runs as written
on the served graph. Parameters are bound by replacing one marked line

    VALUES ?funder { id:european-commission }  # @param

with a VALUES clause holding a pyoxigraph-built term; values never reach the
query text as raw strings. ``queries/checks/*.rq`` are quality checks that must
return no rows (:mod:`admiukg.queries.checks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from admiukg import config, vocab
from admiukg.errors import KGError

CHECKS_DIR = config.QUERIES_DIR / "checks"
EXPECTED_DIR = config.QUERIES_DIR / "expected"

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Header keys a saved query may use; anything else is a typo and an error.
HEADER_KEYS = {"summary", "description", "tags", "parameters", "columns", "inference", "severity"}
PARAMETER_KEYS = {"type", "default", "description", "lang", "enum"}
#: Query-string names the API keeps for itself (output format), never parameters.
RESERVED_NAMES = {"format", "query"}
MAX_VALUE_LENGTH = 2000

_MARKED_VALUES = re.compile(r"^(?P<indent>[ \t]*)VALUES[ \t]+\?(?P<name>\w+)[ \t]*\{.*\}[ \t]*#[ \t]*@param[ \t]*$")
_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE | re.MULTILINE)
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_GYEAR = re.compile(r"^-?[0-9]{4,}(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_DECIMAL = re.compile(r"^[+-]?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})$")
_DATE = re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_CURIE_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$")
_ABSOLUTE_IRI = re.compile(r"^(https?://[^\s<>\"{}|\\^`]+|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+)$")

#: Prefixes used to write golden files compactly (review them by eye).
GOLDEN_PREFIXES = {
    **vocab.prefixes(),
    "country": "http://publications.europa.eu/resource/authority/country/",
}


class QueryDefinitionError(KGError, ValueError):
    """A saved query file is malformed; str() is ``FILE:LINE: message``."""

    kind = "query-definition"


class ParameterError(KGError, ValueError):
    """A caller gave a parameter value that is not a valid term of its declared type (HTTP 400)."""

    status, kind = 400, "bad-parameter"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str = ""
    lang: str | None = None
    enum: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default,
                               "description": self.description}
        if self.lang:
            out["lang"] = self.lang
        if self.enum:
            out["enum"] = list(self.enum)
        return out


@dataclass(frozen=True)
class SavedQuery:
    name: str  # file stem; the API path segment
    path: Path
    text: str
    kind: str  # select | ask | construct | describe
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[str, ...] = ()
    inference: bool = False  # answer depends on OWL RL entailments
    severity: str = "Violation"  # checks only
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def is_graph(self) -> bool:
        return self.kind in ("construct", "describe")

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape served by ``GET /api/queries`` (documented in queries/README.md)."""
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "tags": list(self.tags),
            "kind": self.kind,
            "parameters": [p.as_json() for p in self.parameters],
            "columns": list(self.columns),
            "inference": self.inference,
            "url": f"/api/queries/{self.name}",
            "sparql": self.text,
        }

    def rebased(self, base: str) -> SavedQuery:
        """The same query for a server that publishes ``config.CANONICAL_BASE`` IRIs under ``base``."""
        old = config.CANONICAL_BASE
        return replace(self, text=self.text.replace(old, base),
                       prefixes={p: base + iri[len(old):] if iri.startswith(old) else iri
                                 for p, iri in self.prefixes.items()})

    # -- binding -------------------------------------------------------------

    def bind(self, values: dict[str, str] | None = None) -> str:
        """The query text with each given parameter's marked VALUES line replaced.

        Unknown names and invalid values raise :class:`ParameterError`. Parameters not
        given keep the default written in the file.
        """
        values = dict(values or {})
        unknown = sorted(set(values) - {p.name for p in self.parameters})
        if unknown:
            known = ", ".join(p.name for p in self.parameters) or "none"
            raise ParameterError(f"unknown parameter(s) {', '.join(unknown)} for query "
                                 f"{self.name!r} (parameters: {known})")
        terms = {name: self.term(name, value) for name, value in values.items()}
        lines = self.text.splitlines(keepends=True)
        for i, line in enumerate(lines):
            m = _MARKED_VALUES.match(line.rstrip("\r\n"))
            if m and m["name"] in terms:
                lines[i] = f"{m['indent']}VALUES ?{m['name']} {{ {terms[m['name']]} }}\n"
        return "".join(lines)

    def term(self, name: str, value: str) -> ox.NamedNode | ox.Literal:
        param = self.parameter(name)
        if param is None:
            raise ParameterError(f"unknown parameter {name!r} for query {self.name!r}")
        return make_term(param, value, self.prefixes)


def make_term(param: Parameter, value: str, prefixes: dict[str, str]) -> ox.NamedNode | ox.Literal:
    """Validate ``value`` against the declared type and build the RDF term (pyoxigraph escapes it)."""
    try:
        return _make_term(param, value, prefixes)
    except ParameterError:
        raise
    except ValueError as exc:  # e.g. a lone surrogate pyoxigraph refuses
        raise ParameterError(f"parameter {param.name!r} ({param.type}): not a valid value: {exc}") from None


def _make_term(param: Parameter, value: str, prefixes: dict[str, str]) -> ox.NamedNode | ox.Literal:
    where = f"parameter {param.name!r} ({param.type})"
    if not isinstance(value, str):
        raise ParameterError(f"{where}: value must be a string")
    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterError(f"{where}: value longer than {MAX_VALUE_LENGTH} characters")
    if param.enum and value not in param.enum:
        raise ParameterError(f"{where}: {value!r} is not one of {', '.join(param.enum)}")
    kind = param.type
    if kind == "iri":
        return _iri(value, prefixes, where)
    if kind == "string":
        return ox.Literal(value)
    if kind == "langString":
        text, lang = value, param.lang
        if lang is None:
            text, sep, lang = value.rpartition("@")
            if not sep:
                raise ParameterError(f"{where}: expected text@lang, e.g. Cumulus@en")
        if not _LANG_TAG.match(lang or ""):
            raise ParameterError(f"{where}: {lang!r} is not a language tag")
        return ox.Literal(text, language=lang)
    patterns = {"integer": _INTEGER, "gYear": _GYEAR, "decimal": _DECIMAL, "date": _DATE}
    if kind in patterns:
        if not patterns[kind].match(value):
            raise ParameterError(f"{where}: {value!r} is not a valid xsd:{kind}")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ParameterError(f"{where}: expected true or false")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "boolean"))
    raise ParameterError(f"{where}: unsupported parameter type")  # headers are checked at load


PARAMETER_TYPES = ("iri", "string", "langString", "integer", "decimal", "gYear", "date", "boolean")


def _iri(value: str, prefixes: dict[str, str], where: str) -> ox.NamedNode:
    """Accept an absolute http(s)/urn IRI, ``<IRI>``, or a prefixed name declared in the query."""
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        if local and not _CURIE_LOCAL.match(local):
            raise ParameterError(f"{where}: {value!r} has an invalid local name")
        value = prefixes[prefix] + local
    if not _ABSOLUTE_IRI.match(value):
        known = ", ".join(f"{p}:" for p in sorted(prefixes))
        raise ParameterError(f"{where}: {value!r} is neither an absolute http(s) IRI nor a "
                             f"prefixed name with a known prefix ({known})")
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise ParameterError(f"{where}: invalid IRI: {exc}") from None


# -- reading files --------------------------------------------------------------


def parse_header(text: str, path: Path) -> tuple[dict[str, Any], int]:
    """The YAML of the leading ``#+`` lines and the number of header lines."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        body = line[2:]
        lines.append(body[1:] if body.startswith(" ") else body)
    if not lines:
        raise QueryDefinitionError(f"{path}:1: missing '#+' YAML header (see queries/README.md)")
    try:
        meta = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line_no = mark.line + 1 if mark else 1
        raise QueryDefinitionError(f"{path}:{line_no}: header is not valid YAML: "
                                   f"{getattr(exc, 'problem', exc)}") from None
    if not isinstance(meta, dict):
        raise QueryDefinitionError(f"{path}:1: header must be a YAML mapping")
    return meta, len(lines)


def _kind(text: str, path: Path) -> str:
    """Parse with the served engine (on an empty store) and report the query form."""
    try:
        result = ox.Store().query(text)
    except SyntaxError as exc:
        raise QueryDefinitionError(f"{path}:1: SPARQL syntax error: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    if isinstance(result, ox.QuerySolutions):
        return "select"
    return "describe" if re.search(r"^\s*DESCRIBE\b", _strip_comments(text), re.I | re.M) else "construct"


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def load(path: Path) -> SavedQuery:
    """Read and check one saved query file."""
    text = path.read_text(encoding="utf-8")
    meta, _ = parse_header(text, path)

    def fail(msg: str) -> QueryDefinitionError:
        return QueryDefinitionError(f"{path}:1: {msg}")

    unknown = set(meta) - HEADER_KEYS
    if unknown:
        raise fail(f"unknown header key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(HEADER_KEYS))}")
    summary = meta.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise fail("header needs a one-line 'summary'")
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail("'tags' must be a list of strings")
    prefixes = {(p or ""): iri for p, iri in _PREFIX_DECL.findall(text)}
    kind = _kind(text, path)

    marked = {}
    for line_no, line in enumerate(text.splitlines(), 1):
        m = _MARKED_VALUES.match(line)
        if m:
            if m["name"] in marked:
                raise QueryDefinitionError(f"{path}:{line_no}: parameter ?{m['name']} marked twice")
            marked[m["name"]] = line_no
        elif "@param" in line:
            raise QueryDefinitionError(f"{path}:{line_no}: '@param' line must read "
                                       f"'VALUES ?name {{ default }}  # @param'")

    raw_params = meta.get("parameters") or {}
    if not isinstance(raw_params, dict):
        raise fail("'parameters' must be a mapping of name to {type, default, description}")
    params = []
    for name, spec in raw_params.items():
        if not isinstance(name, str) or not _VAR_NAME.match(name) or name in RESERVED_NAMES:
            raise fail(f"parameter name {name!r} is not a usable variable name")
        if not isinstance(spec, dict) or set(spec) - PARAMETER_KEYS:
            raise fail(f"parameter {name!r} must be a mapping with keys among {', '.join(sorted(PARAMETER_KEYS))}")
        if spec.get("type") not in PARAMETER_TYPES:
            raise fail(f"parameter {name!r}: type must be one of {', '.join(PARAMETER_TYPES)}")
        if name not in marked:
            raise fail(f"parameter {name!r} has no marked line 'VALUES ?{name} {{ ... }}  # @param'")
        default = spec.get("default")
        param = Parameter(name=name, type=spec["type"], default=None if default is None else str(default),
                          description=str(spec.get("description", "")), lang=spec.get("lang"),
                          enum=tuple(str(v) for v in spec.get("enum", ()) or ()))
        if param.default is not None:
            try:
                make_term(param, param.default, prefixes)
            except ParameterError as exc:
                raise fail(f"default is invalid: {exc}") from None
        params.append(param)
    extra = set(marked) - set(raw_params)
    if extra:
        raise fail(f"marked VALUES line(s) for undeclared parameter(s) {', '.join(sorted(extra))}")

    columns = meta.get("columns") or []
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise fail("'columns' must be a list of variable names")
    if kind == "select" and not columns:
        raise fail("a SELECT query must declare its result 'columns'")
    if kind != "select" and columns:
        raise fail(f"a {kind.upper()} query has no result columns; drop 'columns'")
    severity = meta.get("severity", "Violation")
    if severity not in ("Violation", "Warning", "Info"):
        raise fail("'severity' must be Violation, Warning or Info")
    return SavedQuery(
        name=path.stem, path=path, text=text, kind=kind, summary=summary.strip(),
        description=str(meta.get("description") or "").strip(), tags=tuple(tags),
        parameters=tuple(params), columns=tuple(columns), inference=bool(meta.get("inference", False)),
        severity=severity, prefixes=prefixes,
    )


def catalogue(directory: Path = config.QUERIES_DIR) -> dict[str, SavedQuery]:
    """All saved queries of a folder by name, sorted; raises on the first malformed file."""
    return {p.stem: load(p) for p in sorted(directory.glob("*.rq"))}


def checks(directory: Path = CHECKS_DIR) -> dict[str, SavedQuery]:
    """The quality checks: SELECT queries whose rows are violations."""
    found = catalogue(directory)
    for query in found.values():
        if query.kind != "select":
            raise QueryDefinitionError(f"{query.path}:1: a check must be a SELECT query (its rows are violations)")
    return found
