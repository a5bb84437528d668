"""The person: questions in the terminal, codes they type, and the note shown in the window."""

from __future__ import annotations

import os
import queue
import re
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Literal

import click
from playwright.sync_api import Error as PlaywrightError, Page

from optout_bot.progress import PROMPT_OPEN, off_the_prompt

CodeMode = Literal["browser", "prompt", "stdin", "either"]
SubmitMode = Literal["manual", "ask", "auto"]
_SIX_DIGITS = re.compile(r"^\d{6}$")


def clean_code(text: str) -> str | None:
    """'123 456' or '123-456' -> '123456'; None unless exactly six digits remain."""
    digits = re.sub(r"[\s-]", "", text)
    return digits if _SIX_DIGITS.match(digits) else None


# Python drops a KeyboardInterrupt that lands while a weakref callback or __del__ runs ("Exception
# ignored in ..."), and the bot would wait on as if Ctrl-C had not been pressed: each wait raises it again.
_ctrl_c = threading.Event()


@contextmanager
def on_ctrl_c(handler: Callable[..., None]) -> Iterator[None]:
    """`handler` for SIGINT while inside; only in the main thread, the one Python lets set it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def ctrl_c_kept() -> Iterator[None]:
    """While the bot waits on the person or the page, a Ctrl-C is noted as well as raised."""

    def pressed(*_) -> None:
        _ctrl_c.set()
        raise KeyboardInterrupt

    _ctrl_c.clear()  # a press left over from an earlier run in this process is not this run's
    try:
        with on_ctrl_c(pressed):
            yield
    finally:
        _ctrl_c.clear()  # also when a second Ctrl-C is raised while the handler is put back


def stop_if_ctrl_c() -> None:
    """Raise a Ctrl-C noted earlier whose KeyboardInterrupt Python swallowed."""
    if _ctrl_c.is_set():
        raise KeyboardInterrupt


ANSWER_POLL_S = 0.25  # how soon an answer is acted on; between polls `keep_waiting` runs


def ask_yes_no(question: str, keep_waiting: Callable[[], None] = lambda: None) -> bool:
    """y/N in the terminal. The question is asked on a thread, so that `keep_waiting`, called
    while no answer has come, can stop the wait (time is up, the window was closed) by raising."""
    if not sys.stdin or not sys.stdin.isatty():
        # No terminal to answer on: never press Send on someone's behalf by accident.
        return False
    answers: queue.Queue[bool] = queue.Queue()
    given_up = threading.Event()

    def ask() -> None:
        try:
            while (answer := (_typed_line(f"{question} [y/N]: ", given_up) or "").lower()) not in ("", "n", "no", "y", "yes"):
                click.echo("Please answer y or n.", err=True)
        except _GivenUp:
            return
        answers.put(answer in ("y", "yes"))

    threading.Thread(target=ask, daemon=True, name="question").start()
    while True:
        try:
            return answers.get(timeout=ANSWER_POLL_S)
        except queue.Empty:
            try:
                stop_if_ctrl_c()
                keep_waiting()
            except BaseException:
                # The question ends here: its thread must not take the next line typed (a code).
                given_up.set()
                off_the_prompt()
                raise


class _GivenUp(Exception):
    """The question was given up before the person answered it."""


def _typed_line(prompt: str, given_up: threading.Event | None = None) -> str | None:
    """One line from standard input, stripped; None at its end. With `given_up`: the line is read
    only once one is there, and _GivenUp is raised instead once the event is set.

    Not click.prompt or click.confirm, which these threads would call: while waiting they redirect
    sys.stdout to stderr for the whole process, and a thread left waiting in them when the run ends
    aborts the interpreter ("could not acquire lock for <stdin> at interpreter shutdown")."""
    if prompt:
        click.echo(prompt, nl=False, err=True)
        PROMPT_OPEN.set()
    if given_up is not None and os.name == "posix":  # select() takes a terminal only there
        import select

        # Given up, the line was ended by whoever gave up, and a later prompt may be open by now.
        while not select.select([sys.stdin], [], [], ANSWER_POLL_S)[0] or given_up.is_set():
            if given_up.is_set():
                raise _GivenUp
    try:
        line = sys.stdin.readline()
    finally:
        PROMPT_OPEN.clear()
    return None if line == "" else line.strip()


class CodeInbox:
    """Codes from the terminal, read on a thread so the bot can watch the window meanwhile."""

    def __init__(self, source: Literal["prompt", "stdin"]):
        self.source = source
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._asking = threading.Event()
        self._thread: threading.Thread | None = None

    def _read(self) -> None:
        while self._asking.wait():
            self._asking.clear()
            line = _typed_line("Six-digit code from Meta's email: " if self.source == "prompt" else "")
            self._lines.put(line)
            if line is None:
                return

    def request(self) -> None:
        """Ask for one more code (a prompt, or the next line of standard input)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._read, daemon=True, name="code-inbox")
            self._thread.start()
        self._asking.set()

    def take(self, timeout: float) -> str | None | Literal[False]:
        """A line, None at end of input, or False if nothing came within `timeout` seconds."""
        stop_if_ctrl_c()
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return False


_NOTE_JS = """
([text, tone]) => {
  let host = document.getElementById('optout-bot-note');
  if (!host) {
    host = document.createElement('div');
    host.id = 'optout-bot-note';
    // Closed shadow root: the note never takes part in the page's form or in the bot's locators.
    host.__root = host.attachShadow({mode: 'closed'});
    Object.assign(host.style, {position: 'fixed', top: '8px', left: '50%', transform: 'translateX(-50%)',
      zIndex: 2147483647, pointerEvents: 'none', maxWidth: '640px', width: 'calc(100% - 32px)'});
    document.documentElement.appendChild(host);
  }
  const colours = {act: '#0b57d0', info: '#3c4043', done: '#137333', warn: '#b3261e'};
  host.__root.innerHTML = '';
  const box = document.createElement('div');
  box.setAttribute('role', 'status');
  box.textContent = 'optout-bot: ' + text;
  Object.assign(box.style, {font: '15px/1.4 system-ui, sans-serif', color: '#fff', background: colours[tone] || colours.info,
    padding: '10px 14px', borderRadius: '8px', boxShadow: '0 2px 8px rgba(0,0,0,.3)'});
  host.__root.appendChild(box);
}
"""


def show_note(page: Page, text: str, tone: str = "info") -> None:
    """A small note above the page saying what to check or press; it never blocks a click."""
    try:
        page.evaluate(_NOTE_JS, [text, tone])
    except PlaywrightError:
        pass  # the page is navigating; the next step shows its note again


def newest_page(page: Page) -> Page | None:
    """The tab the person is on: the newest open one (a link may have opened a new tab)."""
    open_pages = [p for p in page.context.pages if not p.is_closed()]
    return open_pages[-1] if open_pages else None
