/* Autocompletion in the query editor: prefixes from the server's prefix table (given to the
   page, nothing fetched from elsewhere) and the classes and properties of the served graph
   (asked once from this endpoint). Ctrl+Space opens it; typing "pfx:" or after PREFIX opens
   it by itself; arrows choose, Enter or Tab takes, Escape closes. A missing PREFIX line for
   the chosen term is added at the top. */
(function () {
  "use strict";
  var KG = window.KG = window.KG || {};
  var MAX = 40;
  var TERMS_QUERY = [
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "SELECT ?term ?kind (SAMPLE(?l) AS ?label) WHERE {",
    "  { SELECT DISTINCT ?term (\"class\" AS ?kind) WHERE {",
    "      { [] a ?term } UNION { ?term a owl:Class } UNION { ?term a rdfs:Class } } }",
    "  UNION",
    "  { SELECT DISTINCT ?term (\"property\" AS ?kind) WHERE {",
    "      { [] ?term [] } UNION { ?term a rdf:Property } UNION { ?term a owl:ObjectProperty }",
    "      UNION { ?term a owl:DatatypeProperty } } }",
    "  FILTER(isIRI(?term))",
    "  OPTIONAL { ?term skos:prefLabel|rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), \"$lang\")) }",
    "} GROUP BY ?term ?kind LIMIT 5000"
  ].join("\n");

  KG.completer = function (editor, opts) {
    var list = opts.list, prefixes = opts.prefixes, s = opts.strings;
    var terms = null, loading = null, items = [], active = 0, span = null;

    function loadTerms() {
      if (loading) return loading;
      loading = fetch(opts.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json" },
        body: new URLSearchParams({ query: TERMS_QUERY.replace("$lang", opts.lang) })
      }).then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; }).then(function (json) {
        terms = json.results.bindings.map(function (b) {
          return { iri: b.term.value, kind: b.kind.value, label: b.label ? b.label.value : "" };
        });
        return terms;
      }).catch(function () { terms = []; return terms; });
      return loading;
    }

    function declared(text) {
      var found = {}, re = /PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>/gi, m;
      while ((m = re.exec(text))) found[m[1] || ""] = m[2];
      return found;
    }
    function nameFor(iri, known) {
      var best = null;
      for (var p in known) {
        var ns = known[p];
        if (iri.indexOf(ns) === 0 && /^[\w\-]+$/.test(iri.slice(ns.length)) && (!best || ns.length > known[best].length)) best = p;
      }
      return best === null ? null : { prefix: best, local: iri.slice(known[best].length) };
    }

    /* The word before the caret and what may complete it. */
    function context() {
      var text = editor.value, end = editor.selectionStart, start = end;
      while (start > 0 && /[\w\-.:]/.test(text.charAt(start - 1))) start--;
      var word = text.slice(start, end), lineStart = text.lastIndexOf("\n", start - 1) + 1;
      var before = text.slice(lineStart, start);
      return { start: start, end: end, word: word, inPrefix: /^\s*PREFIX\s+$/i.test(before), text: text };
    }

    function candidates(ctx) {
      var out = [], word = ctx.word.toLowerCase(), known = Object.assign({}, prefixes, declared(ctx.text));
      if (ctx.inPrefix) {
        Object.keys(prefixes).sort().forEach(function (p) {
          if ((p + ":").indexOf(word) === 0) out.push({ text: p + ": <" + prefixes[p] + ">", hint: s.prefix });
        });
        return out;
      }
      var colon = word.indexOf(":");
      if (colon < 0) {
        Object.keys(prefixes).sort().forEach(function (p) {
          if (word && p.indexOf(word) === 0) out.push({ text: p + ":", hint: prefixes[p], prefix: p });
        });
      }
      (terms || []).forEach(function (t) {
        var name = nameFor(t.iri, known);
        if (colon >= 0) {
          var pfx = word.slice(0, colon), local = word.slice(colon + 1);
          if (!name || name.prefix.toLowerCase() !== pfx || name.local.toLowerCase().indexOf(local) !== 0) return;
        } else if (!word || !(name ? name.local : t.iri).toLowerCase().startsWith(word)) {
          return;
        }
        out.push({ text: name ? name.prefix + ":" + name.local : "<" + t.iri + ">", prefix: name && name.prefix,
                   hint: s[t.kind] + (t.label ? " · " + t.label : ""), kind: t.kind });
      });
      return out.slice(0, MAX);
    }

    function ensurePrefix(p) {
      if (!p || !prefixes[p] || declared(editor.value)[p] !== undefined) return 0;
      var line = "PREFIX " + p + ": <" + prefixes[p] + ">\n";
      var caret = editor.selectionStart;
      editor.setRangeText(line, 0, 0, "preserve");
      editor.setSelectionRange(caret + line.length, caret + line.length);
      return line.length;
    }

    function accept(i) {
      var item = items[i];
      if (!item || !span) return close();
      editor.setRangeText(item.text, span.start, span.end, "end");
      ensurePrefix(item.prefix);
      close();
      editor.focus();
      opts.onChange();
      if (/:$/.test(item.text)) show(false);  // a prefix: go on to its terms
    }

    function place() {
      var cs = getComputedStyle(editor), text = editor.value.slice(0, span ? span.start : editor.selectionStart);
      var lines = text.split("\n"), line = lines.length - 1, col = lines[line].length;
      var lh = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5;
      var probe = document.createElement("span");
      probe.className = "measure";
      probe.textContent = "MMMMMMMMMM";
      editor.parentNode.appendChild(probe);
      var cw = probe.getBoundingClientRect().width / 10;
      probe.remove();
      list.style.top = (parseFloat(cs.paddingTop) + (line + 1) * lh - editor.scrollTop + 2) + "px";
      list.style.left = Math.max(0, parseFloat(cs.paddingLeft) + col * cw - editor.scrollLeft - 4) + "px";
    }

    function render() {
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "completion-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.className = (i === active ? "on " : "") + (item.kind || "prefix");
        var b = document.createElement("strong");
        b.textContent = item.text;
        var h = document.createElement("span");
        h.textContent = item.hint || "";
        li.appendChild(b);
        li.appendChild(h);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); accept(i); });
        list.appendChild(li);
      });
      editor.setAttribute("aria-activedescendant", items.length ? "completion-" + active : "");
      var on = list.children[active];
      if (on && on.scrollIntoView) on.scrollIntoView({ block: "nearest" });
    }

    function show(explicit) {
      loadTerms().then(function () {
        var ctx = context();
        if (!explicit && !ctx.inPrefix && ctx.word.indexOf(":") < 0) return close();
        items = candidates(ctx);
        if (!items.length) return close();
        span = { start: ctx.start, end: ctx.end };
        active = 0;
        render();
        place();
        list.hidden = false;
        editor.setAttribute("aria-expanded", "true");
      });
    }

    function close() {
      list.hidden = true;
      items = [];
      span = null;
      editor.setAttribute("aria-expanded", "false");
      editor.removeAttribute("aria-activedescendant");
    }

    editor.addEventListener("keydown", function (ev) {
      if (ev.key === " " && ev.ctrlKey) { ev.preventDefault(); show(true); return; }
      if (list.hidden) return;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        active = (active + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        render();
      } else if (ev.key === "Enter" || ev.key === "Tab") {
        if (ev.ctrlKey || ev.metaKey) return close();
        ev.preventDefault();
        ev.stopImmediatePropagation();
        accept(active);
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        close();
      }
    });
    editor.addEventListener("input", function () {
      var ctx = context();
      if (ctx.word && (ctx.inPrefix || ctx.word.indexOf(":") >= 0)) show(false); else close();
    });
    editor.addEventListener("blur", close);
    editor.addEventListener("scroll", close);
    return { isOpen: function () { return !list.hidden; }, load: loadTerms };
  };
})();
