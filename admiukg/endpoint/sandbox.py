"""No network from a query process, enforced by the kernel (seccomp), not by parsing queries.

pyoxigraph evaluates ``SERVICE`` by opening an HTTP connection to whatever IRI the query names,
and it has no switch to turn that off. The static guard refuses the spellings it recognises;
this filter makes the rest harmless: once :func:`deny_network` has run, the process (and every
thread and child it has) gets ``EPERM`` from

* ``socket()`` for every address family except ``AF_UNIX`` (so IPv4, IPv6, raw packets,
  netlink, … are gone; the worker's channel to the web process is a Unix socket pair),
* ``connect()``, whatever the socket: belt and braces against a socket inherited or passed in,
* ``io_uring_setup()``: io_uring can create and connect sockets without those system calls.

The filter cannot be lifted (seccomp filters only ever tighten, and libseccomp sets
``no_new_privs``). Call it once the worker's own channel is connected, before its first query.

Without seccomp (no libseccomp, a kernel without ``CONFIG_SECCOMP_FILTER``, a container that
forbids it) :func:`deny_network` raises :class:`SandboxUnavailable` and the worker does not
start, so the server refuses to serve rather than serve unprotected. Setting
``ADMIUKG_ALLOW_NETWORK_IN_QUERIES=1`` is the explicit opt-out: a warning on stderr and in the
log, and the lexical and parser guards are then the only defence.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys

log = logging.getLogger("admiukg.endpoint.sandbox")

OPT_OUT = "ADMIUKG_ALLOW_NETWORK_IN_QUERIES"


class SandboxUnavailable(RuntimeError):
    """The kernel filter could not be installed and nobody opted out."""


def _install() -> None:
    import pyseccomp as sc  # raises RuntimeError when libseccomp itself is missing

    deny = sc.ERRNO(errno.EPERM)
    flt = sc.SyscallFilter(sc.ALLOW)
    flt.add_rule(deny, "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    flt.add_rule(deny, "connect")
    flt.add_rule(deny, "io_uring_setup")
    flt.load()


def prepare() -> None:
    """Import the filter library in a process that forks query workers, so that each fork
    only installs the filter (9 ms less per new worker); errors surface in :func:`deny_network`."""
    try:
        import pyseccomp  # noqa: F401
    except (ImportError, RuntimeError, OSError):
        pass


def _network_refused() -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except PermissionError:
            continue
        except OSError as exc:  # e.g. no IPv6 in this kernel: not available either way
            if exc.errno in (errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT):
                continue
            return False
        return False
    return True


def deny_network() -> bool:
    """Forbid this process every network connection; True once the kernel enforces it.

    Returns False only under the explicit opt-out; otherwise raises
    :class:`SandboxUnavailable` when the filter cannot be installed or does not hold.
    """
    try:
        _install()
        problem = None if _network_refused() else "the filter loaded but sockets still open"
    except (ImportError, RuntimeError, OSError, AttributeError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    if problem is None:
        return True
    if os.environ.get(OPT_OUT) == "1":
        message = (f"WARNING: query workers run WITHOUT the network sandbox ({problem}); "
                   f"{OPT_OUT}=1 is set, so a query that slips past the guard can reach "
                   "other hosts")
        print(message, file=sys.stderr, flush=True)
        log.warning(message)
        return False
    raise SandboxUnavailable(
        f"cannot forbid network access to query workers ({problem}); the endpoint will not "
        f"serve queries unprotected (set {OPT_OUT}=1 to run without the sandbox)")


def probe() -> str | None:
    """Try :func:`deny_network` in a throwaway child: None if query workers can run here,
    else why not. The server calls it before it starts, to refuse with one clear line."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the filter dies with it
        os.close(read_end)
        try:
            deny_network()
            failure = b""
        except SandboxUnavailable as exc:
            failure = str(exc).encode()
        os.write(write_end, failure)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message or None
