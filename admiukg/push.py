"""``python -m admiukg.push``: the documented entry point of :mod:`admiukg.store.push`."""

from admiukg.store.push import main

if __name__ == "__main__":
    raise SystemExit(main())
