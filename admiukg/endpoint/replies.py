"""What a query worker (or a remote store) answers for one job: typed, and still plain tuples, so
they cross a process pipe as they are and tests may index them."""

from __future__ import annotations

from typing import Literal, NamedTuple


class Answer(NamedTuple):
    """A result body ready to send: its format key, the bytes, how many rows or triples it holds,
    and whether (and why: True for rows, ``"bytes"``) it was cut."""

    tag: Literal["ok"]
    fmt: str
    body: bytes
    rows: int
    truncated: bool | str


class Failure(NamedTuple):
    """A refusal or an error of the query itself, with the HTTP status to answer."""

    tag: Literal["error"]
    status: int
    kind: str
    message: str


Reply = Answer | Failure


def answer(fmt: str, body: bytes, rows: int, truncated: bool | str = False) -> Answer:
    return Answer("ok", fmt, body, rows, truncated)


def failure(status: int, kind: str, message: str) -> Failure:
    return Failure("error", status, kind, message)
