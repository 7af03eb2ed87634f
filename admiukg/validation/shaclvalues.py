"""pyshacl's rules for one value node, on rdflib terms: what the SPARQL compiler decides in Python
(patterns, ranges, lengths, and literals the store holds as tokens)."""

from __future__ import annotations

import re

import rdflib
from rdflib import RDF, RDFS, XSD, BNode, Literal, URIRef

from admiukg.validation.shaclshapes import SH


def value_test(g: rdflib.Graph, shape, param, arg):
    """A function telling whether an rdflib value node passes the constraint, as pyshacl decides."""
    if param == SH.datatype:
        return lambda v: _datatype_ok(v, arg)
    if param == SH.nodeKind:
        kinds = {SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,),
                 SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
                 SH.IRIOrLiteral: (URIRef, Literal)}[arg]
        return lambda v: isinstance(v, kinds)
    if param == SH.languageIn:
        langs = {str(x).lower() for x in g.items(arg)}
        return lambda v: isinstance(v, Literal) and bool(v.language) and (
            "*" in langs or v.language.lower() in langs or v.language.split("-")[0].lower() in langs)
    if param == SH["in"]:
        members = list(g.items(arg))
        return lambda v: v in members
    if param == SH.pattern:
        return _pattern_test(arg, g.value(shape, SH.flags))
    if param in (SH.minLength, SH.maxLength):
        limit = int(arg)
        within = (lambda n: n >= limit) if param == SH.minLength else (lambda n: n <= limit)
        return lambda v: not isinstance(v, BNode) and within(len(_string_value(v)))
    return _range_test(param, arg)


def _pattern_test(pattern, flag_text):
    text = str(flag_text or "").lower()
    flags = (re.IGNORECASE if "i" in text else 0) | (re.MULTILINE if "m" in text else 0)
    matcher = re.compile(str(pattern.value) if pattern.value is not None and len(pattern.value) > 1
                         else str(pattern), flags)
    return lambda v: not isinstance(v, BNode) and bool(matcher.match(_string_value(v))
                                                      or matcher.search(_string_value(v)))


def _string_value(v) -> str:
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


def _range_test(param, bound):
    from pyshacl.rdfutil.compare import (
        compare_literal,  # the comparison pyshacl itself uses
    )

    wants = {SH.minInclusive: lambda c: c >= 0, SH.minExclusive: lambda c: c > 0,
             SH.maxInclusive: lambda c: c <= 0, SH.maxExclusive: lambda c: c < 0}[param]
    bound_is_string = isinstance(bound.value, str)

    def test(v) -> bool:
        if not isinstance(v, Literal) or isinstance(v.value, str) != bound_is_string:
            return False
        try:
            return wants(compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False

    return test


def _datatype_ok(v, datatype) -> bool:
    """pyshacl's DatatypeConstraintComponent for one value node."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == datatype:
        return getattr(v, "ill_typed", None) is not True and _actual(v, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and datatype == XSD.string:
        return _actual(v, datatype)
    if datatype == RDF.langString and v.language:
        return _actual(v, datatype)
    return False


def _actual(v: Literal, datatype) -> bool:
    from datetime import date, datetime, time
    from decimal import Decimal

    kinds = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
             XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}
    kind = kinds.get(datatype)
    return True if kind is None else isinstance(v.value, kind)
