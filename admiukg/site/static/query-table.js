/* The result table of the query page: safe links, sorting, filtering and paging.
   KG.resultTable(box, json, opts) draws SPARQL JSON results into box. */
(function () {
  "use strict";
  var KG = window.KG = window.KG || {};
  var PAGE = 50;
  var QUIET_TYPES = { "xsd:string": 1, "xsd:integer": 1, "xsd:decimal": 1, "xsd:double": 1, "xsd:gYear": 1, "xsd:boolean": 1 };
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|gYear)$/;

  KG.compact = function (iri, prefixes) {
    var best = null;
    for (var p in prefixes) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && (!best || ns.length > prefixes[best].length)) best = p;
    }
    return best === null ? iri : best + ":" + iri.slice(prefixes[best].length);
  };

  /* A link target only for http(s) IRIs (IRIs of the served graph become the server's own
     paths); anything else (javascript:, data:, urn:, mailto: …) is shown as text. */
  KG.safeHref = function (iri, base) {
    if (base && iri.indexOf(base) === 0) {
      var path = "/" + iri.slice(base.length);
      var explicit = new URLSearchParams(location.search).get("lang");
      if (!explicit) return path;
      var cut = path.indexOf("#"), hash = cut >= 0 ? path.slice(cut) : "";
      return (cut >= 0 ? path.slice(0, cut) : path) + "?lang=" + encodeURIComponent(explicit) + hash;
    }
    return /^https?:\/\/[^\s]/i.test(iri) ? iri : null;
  };

  function termText(term) {
    if (!term) return "";
    return term.type === "bnode" ? "_:" + term.value : String(term.value);
  }

  function cell(term, opts) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var href = KG.safeHref(term.value, opts.base);
      var label = KG.compact(term.value, opts.prefixes);
      var el = document.createElement(href ? "a" : "span");
      el.textContent = label;
      el.title = term.value;
      if (href) {
        el.href = href;
        if (el.href.indexOf(location.origin + "/") === 0) el.className = "local";
      } else {
        el.className = "iri-text";
      }
      td.appendChild(el);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else if (term.type === "triple") {
      td.textContent = "<< " + ["subject", "predicate", "object"].map(function (k) {
        return termText(term.value[k]);
      }).join(" ") + " >>";
    } else {
      var span = document.createElement("span");
      span.className = "lit";
      span.textContent = term.value;
      td.appendChild(span);
      var dt = term.datatype ? KG.compact(term.datatype, opts.prefixes) : null;
      if (dt) td.title = dt;
      var tag = term["xml:lang"] || (dt && !QUIET_TYPES[dt] ? dt : null);
      if (tag) {
        var t = document.createElement("span");
        t.className = "tag";
        t.textContent = tag;
        td.appendChild(t);
      }
    }
    return td;
  }

  function compareTerms(a, b) {
    if (!a || !b) return a ? -1 : b ? 1 : 0;  // unbound last
    var na = a.datatype && NUMERIC.test(a.datatype), nb = b.datatype && NUMERIC.test(b.datatype);
    if (na && nb) return parseFloat(a.value) - parseFloat(b.value);
    return termText(a).localeCompare(termText(b), undefined, { numeric: true });
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  KG.resultTable = function (box, json, opts) {
    var s = opts.strings;
    box.textContent = "";
    if (typeof json.boolean === "boolean") {
      var p = document.createElement("p");
      p.className = "ask";
      p.textContent = json.boolean ? "true" : "false";
      box.appendChild(p);
      return 1;
    }
    var vars = json.head.vars, all = json.results.bindings;
    if (!all.length) {
      var none = document.createElement("p");
      none.className = "muted";
      none.textContent = s.no_results;
      box.appendChild(none);
      return 0;
    }
    var state = { sortVar: null, dir: 1, filter: "", page: 0 };
    var tools = document.createElement("div");
    tools.className = "table-tools";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "filter";
    filter.placeholder = s.filter;
    filter.setAttribute("aria-label", s.filter);
    var pager = document.createElement("span");
    pager.className = "pager";
    var info = document.createElement("span");
    info.className = "page-info";
    var prev = button("‹ " + s.page_prev, function () { state.page--; draw(); });
    var next = button(s.page_next + " ›", function () { state.page++; draw(); });
    prev.className = "page-prev";
    next.className = "page-next";
    pager.appendChild(prev);
    pager.appendChild(info);
    pager.appendChild(next);
    tools.appendChild(filter);
    tools.appendChild(pager);
    box.appendChild(tools);

    var table = document.createElement("table");
    table.className = "results";
    var head = document.createElement("tr");
    var heads = vars.map(function (v) {
      var th = document.createElement("th");
      th.setAttribute("aria-sort", "none");
      var b = button("?" + v, function () {
        state.dir = state.sortVar === v ? -state.dir : 1;
        state.sortVar = v;
        state.page = 0;
        draw();
      });
      b.className = "sort";
      th.appendChild(b);
      head.appendChild(th);
      return th;
    });
    var thead = document.createElement("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = document.createElement("tbody");
    table.appendChild(tbody);
    box.appendChild(table);

    var texts = all.map(function (row) {
      return vars.map(function (v) { return termText(row[v]); }).join("\u0000").toLowerCase();
    });
    filter.addEventListener("input", function () { state.filter = filter.value.toLowerCase(); state.page = 0; draw(); });

    function draw() {
      var rows = all.map(function (r, i) { return i; });
      if (state.filter) rows = rows.filter(function (i) { return texts[i].indexOf(state.filter) >= 0; });
      if (state.sortVar) {
        var v = state.sortVar;
        rows.sort(function (a, b) { return state.dir * compareTerms(all[a][v], all[b][v]) || a - b; });
      }
      var pages = Math.max(1, Math.ceil(rows.length / PAGE));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var first = state.page * PAGE;
      tbody.textContent = "";
      rows.slice(first, first + PAGE).forEach(function (i) {
        var tr = document.createElement("tr");
        vars.forEach(function (v) { tr.appendChild(cell(all[i][v], opts)); });
        tbody.appendChild(tr);
      });
      heads.forEach(function (th, k) {
        th.setAttribute("aria-sort", vars[k] !== state.sortVar ? "none" : state.dir > 0 ? "ascending" : "descending");
      });
      var n = function (x) { return x.toLocaleString(document.documentElement.lang || undefined); };
      info.textContent = n(rows.length ? first + 1 : 0) + "–" + n(Math.min(first + PAGE, rows.length)) +
        " " + s.page_of + " " + n(rows.length);
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      pager.hidden = all.length <= PAGE && !state.filter;
    }
    draw();
    return all.length;
  };
})();
