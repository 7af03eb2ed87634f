"""Command line of the validator: ``python validate.py [FILE...]`` / ``admiukg-validate``.

Exit codes: 0 conforms, 1 violations (warnings too with --strict), 2 cannot
load (syntax error, missing file, unusable shapes, time limit). Reports go to
stdout; load errors also go to stderr. Never a traceback (set
ADMIUKG_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from admiukg.graph import safeinput

#: Default wall-time limit in seconds; untrusted input must not run forever.
DEFAULT_TIMEOUT = 300.0


class ValidationTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so that no library's ``except Exception`` swallows it."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="admiukg-validate",
        description="Validate RDF data against the ADMİU ontology and SHACL shapes "
        "(OWL RL inference first). With no FILE, validates the bundled data/*.ttl.",
        epilog="exit codes: 0 conforms, 1 violations, 2 cannot load (errors name file and line)",
    )
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="RDF files (.ttl .nt .nq .trig .rdf .owl .xml .jsonld)")  # fmt: skip
    parser.add_argument("--format", "-f", choices=("text", "json", "turtle", "github"), default="text",
                        help="text (default): FILE:LINE: severity: message; json; turtle: SHACL "
                        "validation report; github: Actions annotations")  # fmt: skip
    parser.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    parser.add_argument("-q", "--quiet", action="store_true", help="text format: print only what fails; no summary")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"give up with exit 2 after this long (default {DEFAULT_TIMEOUT:g}; 0: none)")  # fmt: skip
    parser.add_argument("--ontology", action="append", metavar="FILE",
                        help="use this ontology file instead of the bundled ontology (repeatable)")  # fmt: skip
    parser.add_argument("--shapes", metavar="FILE", help="use this SHACL shapes file instead of the bundled one")
    parser.add_argument("--no-cache", action="store_true", help="recompute OWL RL entailments (ignore the cache in ~/.cache/admiukg)")
    parser.add_argument("--max-file-size", type=int, default=safeinput.limits.max_bytes // 2**20, metavar="MIB",
                        help="refuse input files larger than this (default %(default)s MiB)")  # fmt: skip
    parser.add_argument("--engine", choices=("auto", "pyshacl", "sparql"), default="auto",
                        help="auto (default): above 50k triples everything runs inside one Oxigraph store, "
                        "SHACL compiled to SPARQL; pyshacl: always rdflib and pyshacl (the reference); "
                        "sparql: always the store")  # fmt: skip
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    safeinput.limits.max_bytes = args.max_file_size * 2**20
    stop = _arm_timeout(args.timeout)
    try:
        from admiukg.validation.validate import validate

        report = validate(data_selection(args.files), strict=args.strict, ontology_paths=args.ontology,
                          shapes_path=args.shapes, use_cache=not args.no_cache, engine=args.engine)  # fmt: skip
        from admiukg.validation.reports import RENDERERS, summary, to_text

        if args.format == "text":
            output = to_text(report, quiet=args.quiet)
        else:
            output = RENDERERS[args.format](report)
    except ValidationTimeout:
        print(f"admiukg-validate: error: time limit of {args.timeout:g} s exceeded", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours must still be a clean CI failure
        if os.environ.get("ADMIUKG_DEBUG"):
            raise
        print(f"admiukg-validate: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        stop()
    if report.errors and args.format in ("text", "turtle"):
        for error in report.errors:
            print(f"{error}", file=sys.stderr)
        if args.format == "text":  # the errors went to stderr; stdout keeps the summary
            output = "" if args.quiet else summary(report) + "\n"
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return report.exit_code


def data_selection(files: list[str]) -> list[str] | None:
    """The data files to validate for the FILE arguments (None: the bundled data).

    Files of the bundled graph (ontology, shapes, data) only make sense
    together, so naming any of them -- as pre-commit does with changed files --
    selects the whole bundled data; other files are validated as given.
    """
    from pathlib import Path

    from admiukg import config

    if not files:
        return None
    bundled_data = config.data_files()
    data = {p.resolve() for p in bundled_data}
    schema = {p.resolve() for p in (*config.ontology_files(), config.shapes_file())}
    named = [Path(f).resolve() for f in files]
    external = [f for f, p in zip(files, named) if p not in data and p not in schema]
    if len(external) == len(files):
        return files
    if not external:
        return None
    return external + ([str(p) for p in bundled_data] if any(p in data for p in named) else [])


def _arm_timeout(seconds: float):
    """SIGALRM interrupts Python code; a watchdog thread ends the process if C code ignores it."""
    if not seconds or seconds <= 0:
        return lambda: None

    def on_alarm(signum, frame):
        raise ValidationTimeout

    use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)

    def hard_stop():
        sys.stderr.write(f"admiukg-validate: error: time limit of {seconds:g} s exceeded\n")
        sys.stderr.flush()
        os._exit(2)

    watchdog = threading.Timer(seconds + 2.0, hard_stop)
    watchdog.daemon = True
    watchdog.start()

    def stop():
        watchdog.cancel()
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return stop
