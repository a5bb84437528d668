"""What the person reads while the bot works: numbered steps on stderr, or JSON events on stdout."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from functools import lru_cache

import click

PREFILL_STEPS = (
    "opening the Privacy Center",
    "finding the objection form",
    "filling the form",
    "sending the form",
    "confirming with the emailed code",
    "saving your receipt",
)


def mask_email(email: str) -> str:
    """p***@example.eu: enough to recognise, not enough to copy. The one way the address is shown."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "@": "&commat;", "+": "&plus;", ".": "&period;"}
_ALSO = {"+": [" "], " ": ["+"]}  # a query string's space, decoded or encoded by hand


def _hex(number: int, width: int) -> str:
    return "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{number:0{width}X}")


def any_spelling(value: str) -> str:
    """A pattern for `value` however an output may spell each character, in any mix: as itself,
    percent-encoded once or twice (jo.tester%2Bmeta@example.eu inside a next= address), as an
    HTML entity or a JSON escape. Matches in any case of the escapes; the value's own letters as
    the flags say."""
    parts = []
    for ch in value:
        code = ord(ch)
        percent = "".join(f"%(?:25)?{_hex(byte, 2)}" for byte in ch.encode("utf-8"))
        alts = [re.escape(ch), percent, f"&#0*{code};", f"&#[xX]0*{_hex(code, 1)};", rf"\\[uU]{_hex(code, 4)}"]
        alts += [re.escape(e) for e in [_ENTITIES.get(ch, "")] + _ALSO.get(ch, []) if e]
        parts.append(f"(?:{'|'.join(alts)})")
    return "".join(parts)


@lru_cache(maxsize=4)
def _spellings(email: str) -> re.Pattern:
    return re.compile(any_spelling(email), re.IGNORECASE)


EXAMPLE_EMAIL = "you@example.eu"  # the examples' placeholder (no one's, refused as a setting): shown whole, to be copied
_ADDRESS = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


def masked(text: str, email: str, others: bool = False) -> str:
    """`text` with every spelling of `email` shown as mask_email shows it; with `others`, every
    other plain address too (a page's words may name the logged-in account's)."""
    text = _spellings(email).sub(mask_email(email), text) if email else text
    return _ADDRESS.sub(lambda m: m.group(0) if m.group(0).lower() == EXAMPLE_EMAIL else mask_email(m.group(0)), text) if others else text


_HIDDEN: list[str] = []  # the person's address, once known: never printed whole, whatever the message


def hide(email: str) -> None:
    """From now on every line the Reporter or the CLI's error printer writes shows `email` masked."""
    _HIDDEN[:] = [email]


def redact(text):
    """A message (or any value of an event) with the hidden address masked."""
    if isinstance(text, str) and _HIDDEN:
        return masked(text, _HIDDEN[0])
    return text


def redact_error(text):
    """An error line with every address masked, the hidden one in any spelling: it may quote what the
    person typed in the wrong place (`prefill name@example.eu`, the address as --wait-minutes)."""
    if isinstance(text, str):
        return masked(text, _HIDDEN[0] if _HIDDEN else "", others=True)
    return text


def use_colour(stream=sys.stderr) -> bool:
    # no-color.org: NO_COLOR counts when it is not empty; a "dumb" terminal shows escapes as text.
    return (not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
            and hasattr(stream, "isatty") and stream.isatty())


# Set while a prompt waits on its line (person._typed_line): what is said meanwhile starts a line of its own.
PROMPT_OPEN = threading.Event()


def off_the_prompt() -> None:
    """Start a new line if a prompt's text is the last thing on the terminal (the person gave the
    code in the window instead): otherwise the next message is glued to it."""
    if PROMPT_OPEN.is_set():
        PROMPT_OPEN.clear()
        click.echo("", err=True)


class Reporter:
    def __init__(self, quiet: bool = False, json_events: bool = False):
        self.quiet = quiet
        self.json_events = json_events
        self.steps = PREFILL_STEPS
        self.colour = use_colour()

    def _emit(self, kind: str, text: str, **data) -> None:
        if self.json_events:
            record = {"event": kind, "message": text, "time": round(time.time(), 3), **data}
            click.echo(json.dumps({key: redact(value) for key, value in record.items()}, ensure_ascii=False), nl=True)

    def _say(self, text: str, style: dict | None = None, always: bool = False) -> None:
        if self.quiet and not always:
            return
        text = redact(text)
        if self.colour and style:
            text = click.style(text, **style)
        off_the_prompt()
        click.echo(text, err=True)

    def step(self, number: int) -> None:
        title = self.steps[number - 1]
        text = f"Step {number} of {len(self.steps)}: {title}"
        self._emit("step", text, step=number, of=len(self.steps), title=title)
        self._say(text, {"bold": True})

    @contextmanager
    def waiting(self, text: str):
        """A spinner on the terminal while the site works; nothing at all when not on a terminal."""
        if self.quiet or self.json_events or not sys.stderr.isatty():
            yield
            return
        stop = threading.Event()
        off_the_prompt()

        def spin() -> None:
            frames = "|/-\\"
            n = 0
            while not stop.wait(0.1):  # sleep-ok: animation frame rate of the spinner
                sys.stderr.write(f"\r  {frames[n % 4]} {text}")
                sys.stderr.flush()
                n += 1
            sys.stderr.write("\r" + " " * (len(text) + 6) + "\r")
            sys.stderr.flush()

        thread = threading.Thread(target=spin, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def info(self, text: str, **data) -> None:
        self._emit("info", text, **data)
        self._say(f"  {text}")

    def warn(self, text: str, **data) -> None:
        self._emit("warning", text, **data)
        self._say(f"  Note: {text}", {"fg": "yellow"}, always=True)

    def your_turn(self, text: str, **data) -> None:
        """The one thing the person must do now; shown even with --quiet."""
        self._emit("your-turn", text, **data)
        self._say(f"\n>>> Your turn: {text}\n", {"fg": "cyan", "bold": True}, always=True)

    def data(self, kind: str, text: str, **data) -> None:
        """An event for --json only (what stderr already said in its own words: a file kept)."""
        self._emit(kind, text, **data)

    def done(self, text: str, **data) -> None:
        self._emit("done", text, **data)
        self._say(text, {"fg": "green", "bold": True}, always=True)
