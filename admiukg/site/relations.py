"""The landing page's picture of ADMİU's international relations.

Networks (with membership year), projects (with grant year), the funders
behind them and the countries staff visited are read by two SPARQL queries
and laid out server-side as an inline SVG: ADMİU in the middle, networks to
the left, projects and funders to the right, countries below, and a
timeline of years under it. No script, no external library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template
from markupsafe import Markup
from pyoxigraph import NamedNode

from admiukg.site import describe, views

CENTER_SLUG = "admiu"
PREFIXES = """
PREFIX au:   <{au}>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
#: Each row: one relation of the centre, with its kind, optional year and
#: optional second-hop node (a project's funder or a visited country).
RELATIONS_QUERY = """
SELECT DISTINCT ?kind ?node ?year ?via WHERE {
  {
    ?m org:member ?center ; org:organization ?node .
    BIND("network" AS ?kind)
    OPTIONAL { ?m au:startYear ?year }
  } UNION {
    ?node au:hasRoleAssignment ?ra . ?ra au:agent ?center .
    BIND("project" AS ?kind)
    OPTIONAL { ?grant au:funds ?node ; au:awardYear ?year }
  } UNION {
    ?node au:hasRoleAssignment ?ra . ?ra au:agent ?center .
    BIND("funder" AS ?kind)
    { ?grant au:funds ?node ; au:awardedBy ?via }
    UNION { ?node au:implementedUnder/au:partOfScheme* ?scheme . ?scheme au:schemeManagedBy ?via }
  } UNION {
    ?visit au:withinProject ?node ; au:visitedCountry ?via .
    ?node au:hasRoleAssignment/au:agent ?center .
    BIND("country" AS ?kind)
  }
}
"""
KINDS = ("network", "project", "funder", "country")
WIDTH, HEIGHT = 1000, 700
#: One colour per project (Okabe-Ito: tells apart with common colour blindness); its visits share it.
PALETTE = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
LABEL_MAX = 30


@dataclass
class Node:
    iri: str
    label: str
    full: str
    href: str | None  # None: not a safe link (the picture shows the node without one)
    kind: str
    x: float = 0
    y: float = 0
    year: str | None = None
    colour: str | None = None  # the CSS class of the project's colour (hue0 … hue5)


@dataclass
class Picture:
    center: Node
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[Node, Node, str]] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)  # project -> country, coloured per project
    visit_legend: list[dict] = field(default_factory=list)

    def of_kind(self, kind):
        return [n for n in self.nodes if n.kind == kind]


def _short_label(ds, node: NamedNode, lang: str) -> tuple[str, str]:
    """Shortest label in *lang* for the picture (acronyms like ECAR), and the full one."""
    full = describe.label(ds, node, lang) or describe.compact(node.value, ds.base)
    alts = [
        q.object.value
        for q in describe.outgoing(ds, node)
        if q.predicate.value == describe.SKOS + "altLabel" and q.object.language == lang
    ]
    short = min([full] + alts, key=len)
    if len(short) > LABEL_MAX:
        short = short[: LABEL_MAX - 1].rstrip() + "…"
    return short, full


def build(ds, lang: str) -> Picture | None:
    center_iri = ds.base + "id/" + CENTER_SLUG
    center = NamedNode(center_iri)
    if not describe.exists(ds, center_iri):
        return None
    query = PREFIXES.format(au=ds.base + "ontology#") + RELATIONS_QUERY.replace("?center", f"<{center_iri}>")
    rows = ds.store.query(query, **describe.data_scope(ds))

    def make(node, kind):
        short, full = _short_label(ds, node, lang)
        href = views.safe_href(node.value, ds.base)
        return Node(node.value, short, full, href, kind)

    c_short, c_full = _short_label(ds, center, lang)
    picture = Picture(Node(center_iri, c_short, c_full, views.local_href(center_iri, ds.base), "center"))
    nodes: dict[tuple[str, str], Node] = {}
    for row in rows:
        kind, node = row["kind"].value, row["node"]
        year = row["year"].value if row["year"] is not None else None
        if kind in ("network", "project"):
            n = nodes.setdefault((kind, node.value), make(node, kind))
            n.year = min(filter(None, (n.year, year)), default=None)
        else:
            parent = nodes.setdefault(("project", node.value), make(node, "project"))
            other = nodes.setdefault((kind, row["via"].value), make(row["via"], kind))
            label = ""
            if (parent, other, label) not in picture.edges:
                picture.edges.append((parent, other, label))
    picture.nodes = sorted(nodes.values(), key=lambda n: (KINDS.index(n.kind), n.year or "9999", n.label))
    for n in picture.nodes:
        if n.kind in ("network", "project"):
            picture.edges.insert(0, (picture.center, n, n.year or ""))
    for i, n in enumerate(picture.of_kind("project")):
        n.colour = f"hue{i % len(PALETTE)}"  # a class of style.css: no inline style under the CSP
    _layout(picture)
    _visits(picture)
    return picture


def _visits(p: Picture) -> None:
    """The project → country edges as their own coloured curves, fanned out at both ends so that
    two projects' visits to one country stay two visible lines; and a legend of the projects."""
    pairs = [(a, b) for a, b, _ in p.edges if b.kind == "country"]
    p.edges = [e for e in p.edges if e[1].kind != "country"]
    projects = [n for n in p.of_kind("project") if any(a is n for a, _ in pairs)]
    for a, b in pairs:
        at_country = [x for x, y in pairs if y is b]
        at_project = [y for x, y in pairs if x is a]
        dx_end = (at_country.index(a) - (len(at_country) - 1) / 2) * 6
        dx_start = (at_project.index(b) - (len(at_project) - 1) / 2) * 3
        x0, y0, x1, y1 = a.x + dx_start, a.y + 12, b.x + dx_end, b.y - 10
        mid = (y0 + y1) / 2 + (projects.index(a) - (len(projects) - 1) / 2) * 14
        p.visits.append({"project": a, "country": b, "colour": a.colour,
                         "d": f"M{x0:.1f},{y0:.1f} C{x0:.1f},{mid:.1f} {x1:.1f},{mid:.1f} {x1:.1f},{y1:.1f}"})
    x = 90
    for n in projects:
        p.visit_legend.append({"node": n, "x": x})
        x += 46 + 7.2 * len(n.label)


def _column(nodes, x, top, bottom):
    step = (bottom - top) / max(len(nodes), 1)
    for i, n in enumerate(nodes):
        n.x, n.y = x, top + step * (i + 0.5)


def _layout(p: Picture) -> None:
    p.center.x, p.center.y = WIDTH / 2, 190
    _column(p.of_kind("network"), 250, 40, 340)
    _column(p.of_kind("project"), 700, 40, 340)
    _column(p.of_kind("funder"), 900, 40, 340)
    countries = sorted(p.of_kind("country"), key=lambda n: n.label)
    step = (WIDTH - 80) / max(len(countries), 1)
    for i, n in enumerate(countries):
        n.x, n.y = 40 + step * (i + 0.5), 430 + (18 if i % 2 else 0)
    years = sorted({n.year for n in p.nodes if n.year})
    if years:
        lo, hi = int(years[0][:4]) - 1, int(years[-1][:4]) + 1
        span = max(hi - lo, 1)
        for y in range(lo, hi + 1):
            events = [n for n in p.nodes if n.year and int(n.year[:4]) == y]
            p.timeline.append({"year": y, "x": 80 + (WIDTH - 160) * (y - lo) / span, "events": events})


def svg(ds, lang: str, t: dict) -> Markup | None:
    picture = build(ds, lang)
    if picture is None:
        return None
    return Markup(render_template("relations.svg", p=picture, t=t, W=WIDTH, H=HEIGHT))
