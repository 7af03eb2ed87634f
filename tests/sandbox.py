"""A throwaway copy of the checkout, so tests can break or edit the bundled data safely.

``python server.py`` / ``python -m admiukg.store.push`` run with the copy as working directory
import the copied package (the script's directory comes first on ``sys.path``), and
``config.ROOT`` then points at the copy's ontology/, data/ and queries/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("admiukg", "ontology", "data", "queries", "server.py", "validate.py")


def copy_checkout(target: Path) -> Path:
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=ignore)
        else:
            shutil.copy2(src, target / name)
    # the entailment cache is keyed by content: reuse it (OWL RL takes seconds)
    cache = ROOT / ".cache"
    if cache.is_dir():
        (target / ".cache").mkdir(exist_ok=True)
        for f in cache.glob("entailments-*.nt"):
            shutil.copy2(f, target / ".cache" / f.name)
    return target


def break_turtle(path: Path, line: int, text: str = "this is not turtle ;;") -> None:
    """Replace ``line`` (1-based) of a file with a syntax error."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
