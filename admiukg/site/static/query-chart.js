/* Charts beside the result table, drawn as SVG from the SPARQL JSON results:
   a timeline when a column holds years (gYear, date, dateTime), else a bar chart when one
   column is a number and another names the rows (a GROUP BY count). */
(function () {
  "use strict";
  var KG = window.KG = window.KG || {};
  var SVG = "http://www.w3.org/2000/svg";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMBER = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|unsignedInt)$/;
  var DATES = { gYear: 1, date: 1, dateTime: 1, gYearMonth: 1 };
  var WIDTH = 300, MAX_BARS = 30;

  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function isNumber(t) { return t && t.type === "literal" && t.datatype && NUMBER.test(t.datatype); }
  function yearOf(t) {
    if (!t || t.type !== "literal" || !t.datatype || t.datatype.indexOf(XSD) !== 0) return null;
    if (!DATES[t.datatype.slice(XSD.length)]) return null;
    var m = /^(-?\d{4,})/.exec(t.value);
    return m ? parseInt(m[1], 10) : null;
  }
  function every(rows, v, test) {
    var seen = 0;
    for (var i = 0; i < rows.length; i++) {
      if (!rows[i][v]) continue;
      if (!test(rows[i][v])) return false;
      seen++;
    }
    return seen > 0;
  }
  function short(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function nameColumn(vars, rows, skip) {
    // A literal (a label) names a row better than an IRI.
    var literal = vars.filter(function (v) {
      return skip.indexOf(v) < 0 && every(rows, v, function (t) { return t.type === "literal" && !isNumber(t); });
    })[0];
    if (literal) return literal;
    return vars.filter(function (v) {
      return skip.indexOf(v) < 0 && every(rows, v, function (t) { return t.type === "uri"; });
    })[0] || null;
  }
  function nameOf(t, prefixes) {
    if (!t) return "";
    return t.type === "uri" ? KG.compact(t.value, prefixes) : t.value;
  }

  function bars(rows, label, value, prefixes) {
    var data = rows.filter(function (r) { return r[value]; }).slice(0, MAX_BARS);
    var max = Math.max.apply(null, data.map(function (r) { return parseFloat(r[value].value); }).concat([0]));
    var left = 112, row = 24, svg = el("svg", { "class": "chart-bars", viewBox: "0 0 " + WIDTH + " " + (data.length * row + 8),
      width: WIDTH, height: data.length * row + 8, role: "img" });
    data.forEach(function (r, i) {
      var n = parseFloat(r[value].value), y = 4 + i * row;
      var w = max > 0 ? Math.max(1, (WIDTH - left - 40) * n / max) : 1;
      var g = el("g", { "class": "bar" });
      var name = nameOf(r[label], prefixes);
      g.appendChild(el("title", {}, name + ": " + r[value].value));
      g.appendChild(el("text", { x: left - 6, y: y + 15, "text-anchor": "end", "class": "label" }, short(name, 17)));
      g.appendChild(el("rect", { x: left, y: y + 3, width: w.toFixed(1), height: row - 8, rx: 3 }));
      g.appendChild(el("text", { x: left + w + 5, y: y + 15, "class": "value" }, r[value].value));
      svg.appendChild(g);
    });
    return svg;
  }

  function timeline(rows, year, weight, label, prefixes) {
    var per = {}, names = {};
    rows.forEach(function (r) {
      var y = yearOf(r[year]);
      if (y === null) return;
      per[y] = (per[y] || 0) + (weight && r[weight] ? parseFloat(r[weight].value) || 0 : 1);
      if (label && r[label]) (names[y] = names[y] || []).push(nameOf(r[label], prefixes));
    });
    var years = Object.keys(per).map(Number).sort(function (a, b) { return a - b; });
    var lo = years[0] - 1, hi = years[years.length - 1] + 1, pad = 30, height = 130, axis = 92;
    var x = function (y) { return pad + (WIDTH - 2 * pad) * (y - lo) / (hi - lo); };
    var max = Math.max.apply(null, years.map(function (y) { return per[y]; }));
    var svg = el("svg", { "class": "chart-timeline", viewBox: "0 0 " + WIDTH + " " + height, width: WIDTH, height: height, role: "img" });
    svg.appendChild(el("line", { x1: pad / 2, x2: WIDTH - pad / 2, y1: axis, y2: axis, "class": "axis" }));
    var step = Math.max(1, Math.ceil((hi - lo) / 10));
    for (var t = lo; t <= hi; t += step) {
      svg.appendChild(el("line", { x1: x(t), x2: x(t), y1: axis, y2: axis + 5, "class": "tick" }));
      svg.appendChild(el("text", { x: x(t), y: axis + 20, "text-anchor": "middle", "class": "year" }, String(t)));
    }
    years.forEach(function (y) {
      var g = el("g", { "class": "event" }), r = 5 + 12 * Math.sqrt(per[y] / max);
      g.appendChild(el("title", {}, y + ": " + per[y] + (names[y] ? " — " + names[y].join(", ") : "")));
      g.appendChild(el("circle", { cx: x(y), cy: axis - r - 2, r: r.toFixed(1) }));
      g.appendChild(el("text", { x: x(y), y: axis - 2 * r - 8, "text-anchor": "middle", "class": "value" }, String(per[y])));
      svg.appendChild(g);
    });
    return svg;
  }

  /* Draw the chart of json into figure (hidden when the result has no chartable shape). */
  KG.resultChart = function (figure, json, opts) {
    var old = figure.querySelector("svg");
    if (old) old.remove();
    figure.hidden = true;
    if (!json.head || !json.results) return null;
    var vars = json.head.vars, rows = json.results.bindings, s = opts.strings, svg = null, caption = "";
    if (!rows.length) return null;
    var year = vars.filter(function (v) { return every(rows, v, function (t) { return yearOf(t) !== null; }); })[0];
    var number = vars.filter(function (v) { return v !== year && every(rows, v, isNumber); })[0];
    if (year) {
      svg = timeline(rows, year, number, nameColumn(vars, rows, [year, number]), opts.prefixes);
      caption = s.chart_years.replace("{n}", number ? "?" + number : s.rows);
    } else if (number) {
      var label = nameColumn(vars, rows, [number]);
      if (!label) return null;
      svg = bars(rows, label, number, opts.prefixes);
      caption = s.chart_bars.replace("{value}", "?" + number).replace("{label}", "?" + label);
    }
    if (!svg) return null;
    svg.setAttribute("aria-label", caption);
    figure.querySelector("figcaption").textContent = caption;
    figure.insertBefore(svg, figure.firstChild);
    figure.hidden = false;
    return svg.getAttribute("class");
  };
})();
