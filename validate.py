"""Validate the ADMİU Knowledge Graph (or other RDF files): see admiukg/validate_cli.py."""

from admiukg.validation.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
