/* Tiny SPARQL syntax highlighter (self-written; the server has no internet).
   highlightSparql(text) -> HTML string with <span class="tok-…"> around tokens. */
(function (global) {
  "use strict";
  var KEYWORDS = ("BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT DESCRIBE ASK FROM NAMED WHERE " +
    "ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING VALUES OPTIONAL UNION MINUS GRAPH SERVICE SILENT " +
    "FILTER BIND NOT EXISTS IN UNDEF A COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR " +
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN " +
    "UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY " +
    "HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF " +
    "STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE").split(" ");
  var KW = {};
  KEYWORDS.forEach(function (k) { KW[k] = true; });
  var RULES = [
    ["comment", /^#[^\n]*/],
    ["string", /^("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/],
    ["iri", /^<[^<>"{}|^`\\\s]*>/],
    ["var", /^[?$][A-Za-z0-9_\u00B7-\uFFFF]+/],
    ["lang", /^@[a-zA-Z]+(-[a-zA-Z0-9]+)*/],
    ["number", /^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?/],
    ["pname", /^([A-Za-z][\w\-.\u00B7-\uFFFF]*)?:[\w\-.%\u00B7-\uFFFF]*/],
    ["word", /^[A-Za-z_][A-Za-z0-9_]*/],
    ["punct", /^(\^\^|&&|\|\||[{}()[\].,;*=<>!|\/^+-])/],
    ["space", /^\s+/]
  ];
  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function highlightSparql(text) {
    var out = [], rest = text;
    while (rest.length) {
      var matched = false;
      for (var i = 0; i < RULES.length; i++) {
        var m = RULES[i][1].exec(rest);
        if (!m || !m[0].length) continue;
        var kind = RULES[i][0], tok = m[0];
        if (kind === "word") kind = KW[tok.toUpperCase()] ? "keyword" : "plain";
        out.push(kind === "space" || kind === "plain" ? esc(tok) : '<span class="tok-' + kind + '">' + esc(tok) + "</span>");
        rest = rest.slice(tok.length);
        matched = true;
        break;
      }
      if (!matched) { out.push(esc(rest[0])); rest = rest.slice(1); }
    }
    return out.join("");
  }
  global.highlightSparql = highlightSparql;
})(this);
