"""Accept parsing and format choice (admiukg.endpoint.negotiation): pure functions, parametrised."""

import pytest

from admiukg.endpoint.negotiation import (
    GRAPH_OFFERS,
    RESULT_OFFERS,
    choose,
    content_type,
    format_from_param,
    parse_accept,
    quality,
)


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, RESULT_OFFERS, "json"),
        ("", RESULT_OFFERS, "json"),
        ("*/*", RESULT_OFFERS, "json"),
        ("*/*", GRAPH_OFFERS, "turtle"),
        ("application/sparql-results+xml", RESULT_OFFERS, "xml"),
        ("text/csv", RESULT_OFFERS, "csv"),
        ("text/tab-separated-values", RESULT_OFFERS, "tsv"),
        ("application/json", RESULT_OFFERS, "json"),
        ("application/json", GRAPH_OFFERS, "jsonld"),
        ("application/n-triples", GRAPH_OFFERS, "ntriples"),
        ("application/n-quads", GRAPH_OFFERS, "nquads"),
        ("application/trig", GRAPH_OFFERS, "trig"),
        ("application/ld+json", GRAPH_OFFERS, "jsonld"),
        ("application/rdf+xml", GRAPH_OFFERS, "rdfxml"),
        # q-values
        ("application/sparql-results+json;q=0.5, application/sparql-results+xml", RESULT_OFFERS, "xml"),
        ("text/csv;q=0.9, text/tab-separated-values;q=0.95", RESULT_OFFERS, "tsv"),
        # q=0 excludes, even when a wildcard would allow it
        ("*/*, application/sparql-results+json;q=0", RESULT_OFFERS, "xml"),
        ("text/turtle;q=0, */*;q=0.1", GRAPH_OFFERS, "ntriples"),
        # the most specific range decides an offer's quality
        ("text/*;q=0.2, text/csv;q=0.9, */*;q=0.1", RESULT_OFFERS, "csv"),
        ("text/*, text/csv;q=0", RESULT_OFFERS, "tsv"),
        # with equal q, a specifically named type beats one matched by a wildcard
        ("*/*, application/rdf+xml", GRAPH_OFFERS, "rdfxml"),
        ("text/*", GRAPH_OFFERS, "turtle"),
        # browsers
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RESULT_OFFERS, "xml"),
        # SPARQLWrapper's JSON Accept
        ("application/sparql-results+json,application/json,text/javascript,application/javascript",
         RESULT_OFFERS, "json"),
        # parameters and odd spacing
        ("application/sparql-results+json ; charset=utf-8 ; q=1", RESULT_OFFERS, "json"),
        ("TEXT/Turtle", GRAPH_OFFERS, "turtle"),
        ("*", GRAPH_OFFERS, "turtle"),
        # nothing fits -> None (406)
        ("image/png", RESULT_OFFERS, None),
        ("text/turtle", RESULT_OFFERS, None),
        ("application/sparql-results+json", GRAPH_OFFERS, None),
        ("*/*;q=0", RESULT_OFFERS, None),
        # malformed entries are skipped, not fatal
        ("garbage, ;;, text/csv", RESULT_OFFERS, "csv"),
        ("text/csv;q=abc, text/tab-separated-values;q=0.1", RESULT_OFFERS, "tsv"),
    ],
)
def test_choose(accept, offers, expected):
    assert choose(accept, offers) == expected


def test_parse_accept_reads_q_and_skips_bad_items():
    ranges = parse_accept('text/html;level=1;q=0.7, */*;q=0.1, bad, text/*;q="0.3"')
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "html", 0.7), ("*", "*", 0.1), ("text", "*", 0.3)]
    assert ranges[0].params == (("level", "1"),)


@pytest.mark.parametrize(
    ("accept", "mtype", "q"),
    [("text/*;q=0.3, text/csv;q=0.8", "text/csv", 0.8),
     ("text/*;q=0.3, text/csv;q=0.8", "text/plain", 0.3),
     ("text/*;q=0.3", "application/json", 0.0),
     ("*/*;q=0.2, text/*;q=0", "text/csv", 0.0),
     ("*/*;q=2", "text/csv", 1.0)],
)
def test_quality_uses_most_specific_range(accept, mtype, q):
    assert quality(parse_accept(accept), mtype) == q


@pytest.mark.parametrize(
    ("value", "offers", "expected"),
    [("json", RESULT_OFFERS, "json"), ("srx", RESULT_OFFERS, "xml"), ("CSV", RESULT_OFFERS, "csv"),
     ("text/tab-separated-values", RESULT_OFFERS, "tsv"), ("ttl", GRAPH_OFFERS, "turtle"),
     ("json", GRAPH_OFFERS, "jsonld"), ("xml", GRAPH_OFFERS, "rdfxml"),
     ("nt", GRAPH_OFFERS, "ntriples"), ("turtle", RESULT_OFFERS, None),
     ("nonsense", GRAPH_OFFERS, None), ("", RESULT_OFFERS, None)],
)
def test_format_parameter(value, offers, expected):
    assert format_from_param(value, offers) == expected


def test_content_type_always_has_utf8_charset():
    assert content_type("json") == "application/sparql-results+json; charset=utf-8"
    assert content_type("ntriples") == "application/n-triples; charset=utf-8"
