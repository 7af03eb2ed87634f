/* The query page: highlighted editor with completion, saved examples from /api/queries,
   results as a sortable, filterable, paged table with a chart, the server's own error
   messages, downloads in any format, a share link, and the query kept across reloads. */
(function () {
  "use strict";
  var KG = window.KG;
  var page = document.getElementById("query-page");
  var endpoint = page.dataset.endpoint || "/sparql";
  var base = page.dataset.base || "";
  var lang = document.documentElement.lang || "en";
  var S = JSON.parse(page.dataset.strings);
  var prefixes = JSON.parse(page.dataset.prefixes || "{}");
  var $ = function (id) { return document.getElementById(id); };
  var editor = $("query"), hl = $("highlight"), status = $("status"), results = $("results");
  var examples = $("examples"), info = $("example-info"), errorBox = $("error");
  var truncatedBox = $("truncated"), chart = $("chart"), shareBox = $("share-box"), shareUrl = $("share-url");
  var DRAFT = "admiukg.query.draft", MAX_URL = 8000;  // gunicorn takes request lines to 8190
  var current = null;  // the saved query shown, while its text is unchanged
  var pageParams = new URLSearchParams(location.search);

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
  function saveDraft() {
    try {
      localStorage.setItem(DRAFT, JSON.stringify({ text: editor.value, from: pageParams.get("query") }));
    } catch (e) { /* storage off: the URL still keeps the last run query */ }
  }
  function changed() { paint(); saveDraft(); }

  var completer = KG.completer(editor, {
    list: $("completions"), prefixes: prefixes, endpoint: endpoint, lang: lang, strings: S, onChange: changed
  });
  editor.addEventListener("input", changed);
  editor.addEventListener("scroll", function () {
    hl.parentNode.scrollTop = editor.scrollTop;
    hl.parentNode.scrollLeft = editor.scrollLeft;
  });
  editor.addEventListener("keydown", function (ev) {
    // Tab is left alone: it moves the focus on, as in any form field.
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
  });

  function setStatus(text, kind) {
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }
  function clearMessages() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    truncatedBox.hidden = true;
  }

  /* The server's message, whatever the body: JSON {message}, "400 kind: message" text, HTML. */
  function showError(resp, text) {
    var msg = (text || "").trim();
    try {
      var body = JSON.parse(text);
      msg = body.message || body.error || msg;
    } catch (e) {
      var m = /^\d{3} [\w-]+: ([\s\S]*)$/.exec(msg);
      if (m) msg = m[1];
      if (/^\s*</.test(msg)) msg = "";
    }
    errorBox.textContent = "";
    var head = document.createElement("strong");
    head.textContent = S.http_error + " (HTTP " + resp.status + (resp.statusText ? " " + resp.statusText : "") + ")";
    var body = document.createElement("p");
    body.className = "message";
    body.textContent = msg || resp.statusText;
    errorBox.appendChild(head);
    errorBox.appendChild(body);
    errorBox.hidden = false;
    setStatus("HTTP " + resp.status, "error");
    var at = /line (\d+), column (\d+)/.exec(msg);
    if (at) {  // put the caret where the parser stopped
      var lines = editor.value.split("\n"), offset = 0, line = parseInt(at[1], 10) - 1;
      for (var i = 0; i < line && i < lines.length; i++) offset += lines[i].length + 1;
      offset += Math.max(0, parseInt(at[2], 10) - 1);
      editor.setSelectionRange(offset, offset);
    }
  }
  function showNetworkError(err) {
    errorBox.textContent = S.network_error + ": " + err;
    errorBox.hidden = false;
    setStatus("", "error");
  }
  function showTruncation(resp) {
    if (resp.headers.get("X-SPARQL-Truncated") !== "true") return false;
    var max = resp.headers.get("X-SPARQL-Max-Rows") || page.dataset.maxRows;
    truncatedBox.textContent = S.truncated.replace("{max}", Number(max).toLocaleString(lang));
    truncatedBox.hidden = false;
    return true;
  }

  function post(accept) {
    var body = new URLSearchParams({ query: editor.value });
    ["default-graph-uri", "named-graph-uri"].forEach(function (k) {
      pageParams.getAll(k).forEach(function (v) { body.append(k, v); });
    });
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: body
    });
  }
  function shareLink() {
    var params = new URLSearchParams();
    params.set("query", editor.value);
    ["lang", "default-graph-uri", "named-graph-uri"].forEach(function (k) {
      pageParams.getAll(k).forEach(function (v) { params.append(k, v); });
    });
    return location.origin + location.pathname + "?" + params.toString() +
      (current && current.text === editor.value ? "#" + current.name : "");
  }
  function remember() {
    // The address bar holds the query that ran: reload and back restore it (a query too long
    // for a request line stays in local storage only).
    var link = shareLink();
    if (link.length <= MAX_URL) {
      history.replaceState(null, "", link);
      pageParams = new URLSearchParams(location.search);
    }
    saveDraft();
  }

  function run() {
    clearMessages();
    setStatus(S.loading);
    remember();
    var started = performance.now();
    post("application/sparql-results+json, text/turtle;q=0.9").then(function (resp) {
      return resp.text().then(function (text) {
        if (!resp.ok) { results.textContent = ""; chart.hidden = true; return showError(resp, text); }
        var ms = Math.round(performance.now() - started);
        var type = resp.headers.get("Content-Type") || "";
        var cut = showTruncation(resp) ? " · ⚠" : "";
        if (type.indexOf("sparql-results+json") >= 0) {
          var json = JSON.parse(text);
          var opts = { base: base, prefixes: prefixes, strings: S };
          var n = KG.resultTable(results, json, opts);
          KG.resultChart(chart, json, opts);
          setStatus(n.toLocaleString(lang) + " " + S.rows + " · " + ms + " ms" + cut, "ok");
        } else {
          results.textContent = "";
          chart.hidden = true;
          var pre = document.createElement("pre");
          pre.className = "source";
          pre.textContent = text;
          results.appendChild(pre);
          setStatus(type.split(";")[0] + " · " + (resp.headers.get("X-SPARQL-Rows") || "?") + " · " + ms + " ms" + cut, "ok");
        }
      });
    }).catch(showNetworkError);
  }

  var EXTENSIONS = {
    "text/csv": "csv", "text/tab-separated-values": "tsv", "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml", "text/turtle": "ttl", "application/n-triples": "nt",
    "application/ld+json": "jsonld", "application/rdf+xml": "rdf"
  };
  function download() {
    var select = $("dl-format"), chosen = select.value;
    var kind = select.options[select.selectedIndex].dataset.kind;
    // A graph result asked for as CSV comes as Turtle (and a table as CSV), never a 406.
    var accept = chosen + ", " + (kind === "graph" ? "text/csv;q=0.5" : "text/turtle;q=0.5");
    clearMessages();
    post(accept).then(function (resp) {
      if (!resp.ok) return resp.text().then(function (t) { showError(resp, t); });
      var type = (resp.headers.get("Content-Type") || "").split(";")[0].trim();
      var cut = showTruncation(resp);
      return resp.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = (cut ? "results-truncated." : "results.") + (EXTENSIONS[type] || "txt");
        document.body.appendChild(a);
        a.click();
        setStatus(a.download + (cut ? " · ⚠" : ""), "ok");
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    }).catch(showNetworkError);
  }
  function share() {
    var link = shareLink();
    shareUrl.value = link;
    shareBox.hidden = false;
    shareUrl.focus();
    shareUrl.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link).then(function () { setStatus(S.copied, "ok"); }, function () {});
    }
  }
  $("run").addEventListener("click", run);
  $("dl").addEventListener("click", download);
  $("share").addEventListener("click", share);

  function showInfo(q) {
    info.textContent = "";
    var strong = document.createElement("strong"), span = document.createElement("span");
    strong.textContent = q.summary || q.name;
    span.textContent = " " + (q.description || "");
    info.appendChild(strong);
    info.appendChild(span);
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
  function mark(name) {
    Array.prototype.forEach.call(examples.querySelectorAll("button"), function (b) {
      b.classList.toggle("on", b.dataset.name === name);
    });
  }
  function choose(q) {
    showInfo(q);
    mark(q.name);
    textFor(q).then(function (text) {
      editor.value = withoutHeader(text);
      current = { name: q.name, text: editor.value };
      paint();
      run();
    });
  }

  var wanted = location.hash.slice(1), fromUrl = pageParams.get("query");
  var draft = null;
  try { draft = JSON.parse(localStorage.getItem(DRAFT) || "null"); } catch (e) { /* none */ }
  // The page opened bare shows the last query typed; reloading a query's address keeps what
  // was typed since; a link to an example (#name alone) opens that example.
  if (draft && typeof draft.text === "string" && !wanted && (fromUrl === null || draft.from === fromUrl)) {
    editor.value = draft.text;
  }
  var saved = {};
  window.addEventListener("hashchange", function () {
    var q = saved[location.hash.slice(1)];
    if (q && !(current && current.name === q.name && current.text === editor.value)) choose(q);
  });
  fetch("/api/queries", { headers: { "Accept": "application/json" } }).then(function (r) {
    return r.ok ? r.json() : { queries: [] };
  }).then(function (cat) {
    wanted = location.hash.slice(1);  // it may have changed while the catalogue came
    cat.queries.filter(function (q) { return q.sparql; }).forEach(function (q) {
      saved[q.name] = q;
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "example";
      b.dataset.name = q.name;
      var strong = document.createElement("strong"), span = document.createElement("span");
      strong.textContent = q.summary || q.name;
      span.textContent = q.name;
      b.appendChild(strong);
      b.appendChild(span);
      b.title = q.description || q.summary || q.name;
      b.addEventListener("click", function () { choose(q); });
      li.appendChild(b);
      examples.appendChild(li);
      if (q.name !== wanted) return;
      if (fromUrl === null) return choose(q);
      showInfo(q);  // a shared link to an example: its text came with the page
      mark(q.name);
      current = { name: q.name, text: editor.value };
    });
  }).catch(function () { /* no saved queries: the editor still works */ });
  paint();
  if (page.dataset.autorun) run();
  completer.load();
})();
