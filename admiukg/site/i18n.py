"""The reader's language for HTML pages (az or en) and the UI strings in both.

`?lang=` wins over Accept-Language so that a link can switch language; the
data's own labels come from the graph, only page chrome lives here.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort, current_app, has_app_context, request

LANGUAGES = ("en", "az")
_DIR = Path(__file__).with_name("strings")
DEFAULT = "en"

#: UI strings per language: ``strings/<lang>.json`` beside this module (page chrome only; the
#: data's own labels come from the graph).
STRINGS = {lang: json.loads((_DIR / f"{lang}.json").read_text("utf-8")) for lang in LANGUAGES}


def current_lang() -> str:
    """The page language: ?lang= (400 if unsupported), else Accept-Language."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked not in LANGUAGES:
            abort(400, description=f"Unsupported lang={asked!r}; use one of: {', '.join(LANGUAGES)}.")
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT)


def strings(lang: str) -> dict[str, str]:
    """UI strings; over arbitrary files (a dataset without the bundled graph's roles) the site
    is named after the files' own title and description, never ADMİU."""
    ds = current_app.extensions.get("admiukg") if has_app_context() else None
    if ds is None or getattr(ds, "graphs", None) or not hasattr(ds, "info"):
        return STRINGS[lang]
    info = ds.info
    return {**STRINGS[lang], "site": info.title, "intro": getattr(info, "description", "") or ""}


#: Readable names for the borrowed terms pages show most (the graph does not label other
#: vocabularies' terms): ``strings/term-labels.json``, IRI -> {language: name}.
TERM_LABELS: dict[str, dict[str, str]] = json.loads((_DIR / "term-labels.json").read_text("utf-8"))


def term_label(iri: str, lang: str) -> str | None:
    names = TERM_LABELS.get(iri)
    return None if names is None else names.get(lang, names[DEFAULT])
