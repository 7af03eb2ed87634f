"""The landing picture: each project's visits drawn in that project's colour, with a hover title
and a legend, so that one can read which project went to which country."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from admiukg import config


@pytest.fixture(scope="module")
def bundled():
    from admiukg.app import create_app
    from admiukg.store.local import load_dataset

    app = create_app({"TESTING": True, "QUERY_WORKERS": 1}, dataset=load_dataset(validate=False))
    return app, app.test_client().get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def visit_pairs(app) -> set[tuple[str, str]]:
    ds = app.extensions["admiukg"]
    q = f"""PREFIX au: <{config.AU}>
      SELECT DISTINCT ?p ?c WHERE {{ ?v au:withinProject ?p ; au:visitedCountry ?c }}"""
    rows = ds.store.query(q, default_graph=__import__("pyoxigraph").NamedNode(ds.graphs["data"]))
    return {(r["p"].value.removeprefix(ds.base + "id/"), r["c"].value.removeprefix(ds.base + "id/")) for r in rows}


def test_every_visit_is_a_line_in_its_projects_colour_with_a_title(bundled):
    app, html = bundled
    visits = re.findall(r'<g class="visit" data-project="/id/([^"]+)" data-country="/id/([^"]+)">'
                        r"<title>Visit within: ([^<]+) → ([^<]+)</title>\s*"
                        r'<path class="edge e-visit (hue[0-9])" d="[^"]+"/>', html)
    assert {(p, c) for p, c, *_ in visits} == visit_pairs(app)
    rings = dict(re.findall(r'<a href="/id/([^"]+)" class="node n-project">\s*<title>[^<]*</title>\s*'
                            r'<circle [^>]*class="ring (hue[0-9])"', html))
    colour_of = {}
    for project, _country, _title_p, _title_c, colour in visits:
        assert rings[project] == colour  # the project's own ring says which lines are its
        colour_of.setdefault(project, colour)
    assert len(set(colour_of.values())) == len(colour_of) >= 2  # one colour per project


def test_legend_names_each_visiting_project_in_its_colour(bundled):
    app, html = bundled
    legend = html.split('<g class="visit-legend"', 1)[1].split("</g>", 1)[0]
    entries = re.findall(r'<a href="/id/([^"]+)">.*?class="swatch (hue[0-9])"', legend, re.DOTALL)
    assert {p for p, _ in entries} == {p for p, _ in visit_pairs(app)}


def test_each_hue_is_a_colour_of_the_stylesheet():
    """The colours come from style.css classes, not inline styles the page's CSP would block."""
    from admiukg.site import relations

    css = (Path(relations.__file__).parent / "static" / "style.css").read_text("utf-8")
    for i, colour in enumerate(relations.PALETTE):
        assert f"svg.relations .hue{i} {{ stroke: {colour}; }}" in css
