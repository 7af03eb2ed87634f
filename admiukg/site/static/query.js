/* The query page: highlighted editor, saved examples from /api/queries,
   results as a table with links, downloads of the results via the endpoint. */
(function () {
  "use strict";
  var page = document.getElementById("query-page");
  var endpoint = page.dataset.endpoint || "/sparql";
  var base = page.dataset.base || "";
  var lang = document.documentElement.lang || "en";
  var editor = document.getElementById("query");
  var hl = document.getElementById("highlight");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var examples = document.getElementById("examples");
  var PREFIXES = {
    "au:": base + "ontology#", "id:": base + "id/", "aush:": base + "shapes#",
    "rdf:": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
    "owl:": "http://www.w3.org/2002/07/owl#", "xsd:": "http://www.w3.org/2001/XMLSchema#",
    "skos:": "http://www.w3.org/2004/02/skos/core#", "prov:": "http://www.w3.org/ns/prov#",
    "org:": "http://www.w3.org/ns/org#", "dcterms:": "http://purl.org/dc/terms/", "schema:": "https://schema.org/"
  };

  var QUIET_TYPES = { "xsd:string": 1, "xsd:integer": 1, "xsd:decimal": 1, "xsd:double": 1, "xsd:gYear": 1, "xsd:boolean": 1 };
  var info = document.getElementById("example-info");

  function withoutHeader(text) {
    // The "#+" lines are the saved query's metadata (shown above the editor).
    var lines = text.split("\n"), i = 0;
    while (i < lines.length && (/^#\+/.test(lines[i]) || (i > 0 && /^\s*$/.test(lines[i]) && /^#\+/.test(lines[i - 1])))) i++;
    return lines.slice(i).join("\n");
  }

  function paint() {
    // A trailing newline needs a visible character or the overlay is one line short.
    hl.innerHTML = window.highlightSparql(editor.value) + "\n ";
    hl.parentNode.scrollTop = editor.scrollTop;
    hl.parentNode.scrollLeft = editor.scrollLeft;
  }
  editor.addEventListener("input", paint);
  editor.addEventListener("scroll", function () {
    hl.parentNode.scrollTop = editor.scrollTop;
    hl.parentNode.scrollLeft = editor.scrollLeft;
  });
  editor.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
    if (ev.key === "Tab") {  // indent instead of leaving the editor
      ev.preventDefault();
      var s = editor.selectionStart;
      editor.setRangeText("  ", s, editor.selectionEnd, "end");
      paint();
    }
  });

  function compact(iri) {
    for (var p in PREFIXES) {
      if (iri.indexOf(PREFIXES[p]) === 0 && iri.length > PREFIXES[p].length) return p + iri.slice(PREFIXES[p].length);
    }
    return iri;
  }
  function hrefFor(iri) {
    if (base && iri.indexOf(base) === 0) {
      var path = "/" + iri.slice(base.length);
      var explicit = new URLSearchParams(location.search).get("lang");
      if (!explicit) return path;
      var hash = path.indexOf("#") >= 0 ? path.slice(path.indexOf("#")) : "";
      return path.replace(hash, "") + "?lang=" + explicit + hash;
    }
    return iri;
  }
  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var a = document.createElement("a");
      a.href = hrefFor(term.value);
      a.textContent = compact(term.value);
      a.title = term.value;
      if (a.href.indexOf(location.origin) === 0) a.className = "local";
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else {
      var span = document.createElement("span");
      span.className = "lit";
      span.textContent = term.value;
      td.appendChild(span);
      var dt = term.datatype ? compact(term.datatype) : null;
      if (dt) td.title = dt;
      // Numbers and years read fine without their datatype; other tags are shown.
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
  function showTable(json) {
    results.innerHTML = "";
    if (typeof json.boolean === "boolean") {
      var p = document.createElement("p");
      p.className = "ask";
      p.textContent = json.boolean ? "true" : "false";
      results.appendChild(p);
      return 1;
    }
    var vars = json.head.vars, rows = json.results.bindings;
    if (!rows.length) {
      results.innerHTML = '<p class="muted">' + page.dataset.noResults + "</p>";
      return 0;
    }
    var table = document.createElement("table");
    table.className = "results";
    var tr = document.createElement("tr");
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = "?" + v; tr.appendChild(th); });
    var thead = document.createElement("thead");
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = document.createElement("tbody");
    rows.forEach(function (row) {
      var r = document.createElement("tr");
      vars.forEach(function (v) { r.appendChild(cell(row[v])); });
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    results.appendChild(table);
    return rows.length;
  }
  function post(accept) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: new URLSearchParams({ query: editor.value })
    });
  }
  function fail(resp, text) {
    var msg = text;
    try { msg = JSON.parse(text).error || JSON.parse(text).message || text; } catch (e) { /* plain text */ }
    status.textContent = resp.status + " " + resp.statusText + ": " + msg;
    status.className = "status error";
  }
  function run() {
    status.textContent = page.dataset.loading;
    status.className = "status";
    var started = performance.now();
    post("application/sparql-results+json, text/turtle;q=0.9").then(function (resp) {
      return resp.text().then(function (text) {
        if (!resp.ok) { results.innerHTML = ""; return fail(resp, text); }
        var ms = Math.round(performance.now() - started);
        var type = resp.headers.get("Content-Type") || "";
        if (type.indexOf("json") >= 0) {
          var n = showTable(JSON.parse(text));
          status.textContent = n + " " + page.dataset.rowsWord + " · " + ms + " ms";
        } else {
          results.innerHTML = "";
          var pre = document.createElement("pre");
          pre.className = "source";
          pre.textContent = text;
          results.appendChild(pre);
          status.textContent = type.split(";")[0] + " · " + ms + " ms";
        }
        status.className = "status ok";
      });
    }).catch(function (err) { status.textContent = String(err); status.className = "status error"; });
  }
  function download(accept, name) {
    post(accept).then(function (resp) {
      if (!resp.ok) return resp.text().then(function (t) { fail(resp, t); });
      return resp.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = name;
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    });
  }
  document.getElementById("run").addEventListener("click", run);
  document.getElementById("dl-csv").addEventListener("click", function () { download("text/csv", "results.csv"); });
  document.getElementById("dl-json").addEventListener("click", function () {
    download("application/sparql-results+json", "results.json");
  });

  function showInfo(q) {
    info.innerHTML = "<strong></strong> <span></span>";
    info.firstChild.textContent = q.summary || q.name;
    info.lastChild.textContent = q.description || "";
    info.hidden = false;
  }
  function textFor(q) {
    // Bind the page language where the query takes a lang parameter.
    var langParam = (q.parameters || []).filter(function (p) {
      return p.name === "lang" && (!p.enum || p.enum.indexOf(lang) >= 0);
    })[0];
    if (!langParam) return Promise.resolve(q.sparql);
    return fetch("/api/queries/" + encodeURIComponent(q.name) + "/sparql?lang=" + lang).then(function (r) {
      return r.ok ? r.text() : q.sparql;
    }).catch(function () { return q.sparql; });
  }
  function choose(q, button) {
    showInfo(q);
    textFor(q).then(function (text) {
      editor.value = withoutHeader(text);
      paint();
      run();
    });
    Array.prototype.forEach.call(examples.querySelectorAll("button"), function (b) { b.classList.remove("on"); });
    button.classList.add("on");
    history.replaceState(null, "", "#" + q.name);
  }
  fetch("/api/queries", { headers: { "Accept": "application/json" } }).then(function (r) {
    return r.ok ? r.json() : { queries: [] };
  }).then(function (cat) {
    var wanted = location.hash.slice(1);
    cat.queries.filter(function (q) { return q.sparql; }).forEach(function (q) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "example";
      b.dataset.name = q.name;
      b.innerHTML = "<strong></strong><span></span>";
      b.firstChild.textContent = q.summary || q.name;
      b.lastChild.textContent = q.name;
      b.title = q.description || q.summary || q.name;
      b.addEventListener("click", function () { choose(q, b); });
      li.appendChild(b);
      examples.appendChild(li);
      if (q.name === wanted) choose(q, b);
    });
  }).catch(function () { /* no saved queries: the editor still works */ });
  paint();
})();
