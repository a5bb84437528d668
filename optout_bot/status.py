"""Exit codes, and the one exception type the CLI turns into them."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    CONFIRMED = 0
    ERROR = 1
    BAD_INPUT = 2
    PAGE_MISMATCH = 3
    UNREACHABLE = 4
    PERSON_TIMEOUT = 5
    CANCELLED = 6
    HOST_REFUSED = 7
    REJECTED = 8

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitStatus.CONFIRMED: "the site confirmed the objection, or said that one already stands",
    ExitStatus.ERROR: "no browser found or started, something doctor needs is missing, or an unexpected error (run again with --debug and report it)",
    ExitStatus.BAD_INPUT: "bad configuration or usage; nothing was opened",
    ExitStatus.PAGE_MISMATCH: "the page did not match what the flow expects; nothing further was submitted",
    ExitStatus.UNREACHABLE: "the site could not be reached after retries, or the outcome of a submission is unknown",
    ExitStatus.PERSON_TIMEOUT: "a person was needed and did not act in time (or could not, headless), or Meta asks you to open a link it emailed before the objection counts",
    ExitStatus.CANCELLED: "cancelled by the person (window closed, Ctrl-C, or \"no\" at the Send question)",
    ExitStatus.HOST_REFUSED: "refused: the page tried to leave the allowed hosts",
    ExitStatus.REJECTED: "the site rejected the request (for example the code, after three tries)",
}


class OptoutError(Exception):
    """An outcome a person should read: a message and the exit status it maps to."""

    status = ExitStatus.ERROR

    def __init__(self, message: str, *, hint: str | None = None, snapshot: str | None = None, hint_says_sent: bool = False):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.snapshot = snapshot
        self.hint_says_sent = hint_says_sent  # the hint already says what to do about a form that was sent


class BadInput(OptoutError):
    status = ExitStatus.BAD_INPUT


class PageMismatch(OptoutError):
    status = ExitStatus.PAGE_MISMATCH


class Unreachable(OptoutError):
    status = ExitStatus.UNREACHABLE


class PersonTimeout(OptoutError):
    status = ExitStatus.PERSON_TIMEOUT


class Cancelled(OptoutError):
    status = ExitStatus.CANCELLED


class HostRefused(OptoutError):
    status = ExitStatus.HOST_REFUSED


class Rejected(OptoutError):
    status = ExitStatus.REJECTED
