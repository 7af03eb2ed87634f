"""Parse RDF files straight into a pyoxigraph store, keeping every term as rdflib reads it.

pyoxigraph parses about ten times faster than rdflib, but its store canonicalises typed literals
(``"5"^^xsd:int`` is kept as ``"5"^^xsd:integer``, ``"1.50"^^xsd:decimal`` as ``"1.5"``), and
the validator must see the terms pyshacl sees in rdflib. So every typed literal the store would
keep otherwise than rdflib reads it, or that rdflib reads as ill-typed, enters the store as an opaque token (``"N"^^<urn:x-admiukg:literal>``);
:meth:`StoreTerms.back` gives the rdflib term for any store term. Blank nodes get the per-file
label prefix of :func:`admiukg.graph.rdfload.bnode_file_prefix`, so a finding about one names its file.

Only syntaxes pyoxigraph parses like rdflib go this way (Turtle, N-Triples, N-Quads, TriG; named
graphs flattened, as :mod:`admiukg.graph.rdfload` does). A file pyoxigraph refuses is not explained
here: :func:`load_file` returns False and the caller asks rdflib, whose messages name the line.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph as ox
import rdflib

from admiukg.graph.rdfload import bnode_file_prefix, parser_name, read_source

#: rdflib format name -> pyoxigraph format, for the syntaxes parsed here.
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
              "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}  # fmt: skip
#: Datatype of the opaque literals that stand for terms the store would not keep exactly.
TOKEN = ox.NamedNode("urn:x-admiukg:literal")
#: IRIs the OWL RL rules gave to schema blank nodes (admiukg.graph.fastreason.SKOLEM).
SKOLEM = "urn:x-admiukg-fastreason:bnode:"
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
_PROBE_S, _PROBE_P = ox.NamedNode("urn:x-probe:s"), ox.NamedNode("urn:x-probe:p")


class StoreTerms:
    """Terms into the store and back: literals the store would alter travel as tokens."""

    def __init__(self) -> None:
        self.originals: list[rdflib.Literal] = []  # token number -> the literal it stands for
        self._stored: dict[tuple[str, str], ox.Literal] = {}  # (lexical, datatype) -> stored form
        self._back: dict = {}
        self._probe = ox.Store()

    def is_token(self, term) -> bool:
        return isinstance(term, ox.Literal) and term.datatype == TOKEN

    def literal(self, lit: ox.Literal) -> ox.Literal:
        """The stored form of a parsed literal: itself, or a token when the store would alter it."""
        if lit.language or lit.datatype == XSD_STRING:
            return lit
        key = (lit.value, lit.datatype.value)
        found = self._stored.get(key)
        if found is None:
            original = _rdflib_literal(lit.value, lit.datatype.value)
            stored = self._stored_form(lit)
            same = stored.value == str(original) and stored.datatype.value == str(original.datatype)
            found = stored if same and original.ill_typed is not True else self._token(original)
            self._stored[key] = found
        return found

    def from_rdflib(self, term):
        """An rdflib term as stored (blank nodes keep their label, so :meth:`back` returns them)."""
        if isinstance(term, rdflib.URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, rdflib.BNode):
            return ox.BlankNode(str(term))
        if term.language:
            if term.language != term.language.lower():  # the store would lower-case the tag
                return self._token(term)
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None:
            return ox.Literal(str(term))
        if str(term.datatype) == XSD_STRING.value:  # rdflib tells "x"^^xsd:string from "x"
            return self._token(term)
        return self.literal(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))))

    def back(self, term):
        """The rdflib term for a store term (tokens: the literal they stand for)."""
        found = self._back.get(term)
        if found is None:
            found = self._back[term] = self._to_rdflib(term)
        return found

    def canonical(self, token: ox.Literal) -> ox.Literal:
        """What the store makes of the literal a token stands for (what SPARQL over it would see)."""
        original = self.originals[int(token.value)]
        if original.language:
            return ox.Literal(str(original), language=original.language.lower())
        if original.datatype is None or str(original.datatype) == XSD_STRING.value:
            return ox.Literal(str(original))
        return ox.Literal(str(original), datatype=ox.NamedNode(str(original.datatype)))

    def _token(self, original: rdflib.Literal) -> ox.Literal:
        self.originals.append(original)
        return ox.Literal(str(len(self.originals) - 1), datatype=TOKEN)

    def _stored_form(self, lit: ox.Literal) -> ox.Literal:
        self._probe.add(ox.Quad(_PROBE_S, _PROBE_P, lit))
        kept = next(self._probe.quads_for_pattern(_PROBE_S, _PROBE_P, None)).object
        self._probe.remove(ox.Quad(_PROBE_S, _PROBE_P, kept))
        return kept

    def _to_rdflib(self, term):
        if isinstance(term, ox.NamedNode):
            if term.value.startswith(SKOLEM):
                return rdflib.BNode(term.value[len(SKOLEM):])
            return rdflib.URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return rdflib.BNode(term.value)
        if term.datatype == TOKEN:
            return self.originals[int(term.value)]
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype == XSD_STRING:
            return rdflib.Literal(term.value)
        return _rdflib_literal(term.value, term.datatype.value)


def _rdflib_literal(lexical: str, datatype: str) -> rdflib.Literal:
    """rdflib's reading of a typed literal, without the warning it logs for an ill-typed one."""
    log = logging.getLogger("rdflib.term")
    level, log.level = log.level, logging.CRITICAL
    try:
        return rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype))
    finally:
        log.level = level


def parseable(path: Path) -> bool:
    """True when pyoxigraph reads this file's syntax the way rdflib does."""
    return parser_name(path) in OX_FORMATS


def load_file(store: ox.Store, path: Path, terms: StoreTerms) -> tuple[bool, bytes]:
    """Parse ``path`` into the default graph of ``store``; (False, raw) if pyoxigraph refuses it
    (the store may then hold part of it). Read errors raise :class:`admiukg.graph.rdfload.RDFLoadError`."""
    fmt, raw = read_source(path)
    prefix = bnode_file_prefix(raw)
    text = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # rdflib reads UTF-8 with a BOM too
    literal, blank, quad, lit_type, blank_type = terms.literal, ox.BlankNode, ox.Quad, ox.Literal, ox.BlankNode

    def quads():
        for q in ox.parse(text, OX_FORMATS[fmt], base_iri=path.resolve().as_uri()):
            s, o = q.subject, q.object
            if type(s) is blank_type:
                s = blank(prefix + s.value)
            kind = type(o)
            if kind is lit_type:
                o = literal(o)
            elif kind is blank_type:
                o = blank(prefix + o.value)
            yield quad(s, q.predicate, o)

    try:
        store.bulk_extend(quads())
    except (SyntaxError, ValueError, UnicodeError):
        return False, raw
    return True, raw
