"""Shared test plumbing: the CLI in a subprocess, settings files, the mock site, a virtual display."""

from __future__ import annotations

import os
import pty
import select
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "optout_bot"]
EMAIL = "p.person@example.eu"
REASON = "Não autorizo: as minhas fotos são minhas.\nZweite Zeile — ça suffit."


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    seconds: float


def cli_env(**extra: str | None) -> dict:
    """This process's environment without the person's OPTOUT_* settings or a display, plus `extra`
    (a name given None is left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTOUT_") and k != "DISPLAY"}
    return {k: v for k, v in {**env, **extra}.items() if v is not None}


def run_cli(*args: str, stdin: str = "", env: dict | None = None, cwd: Path | None = None, timeout: float = 120) -> Result:
    """The CLI exactly as a person runs it: a fresh process, no terminal."""
    full_env = cli_env(**(env or {}))
    started = time.monotonic()
    proc = subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


class Terminal:
    """The CLI on a pseudo-terminal, so its prompts behave as they do for a person."""

    def __init__(self, *args, cwd, env: dict | None = None):
        self.master, slave = pty.openpty()
        # The test's own DISPLAY (a headed test's Xvfb) wins over the one the suite runs under.
        env = cli_env(**({"DISPLAY": os.environ["DISPLAY"]} if "DISPLAY" in os.environ else {}) | (env or {}))
        self.proc = subprocess.Popen([*CLI, *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True)
        os.close(slave)
        self.screen = ""

    def expect(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r}; screen was:\n{self.screen}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    self.screen += os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:  # the process ended and closed the terminal
                    break
        assert text in self.screen, self.screen

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode("utf-8"))

    def wait(self) -> int:
        code = self.proc.wait(timeout=30)
        os.close(self.master)
        return code


@pytest.fixture
def env_file(tmp_path):
    def write(email: str = EMAIL, country: str = "PT", reason: str | None = REASON, **extra: str) -> Path:
        lines = [f"OPTOUT_EMAIL={email}", f"OPTOUT_COUNTRY={country}"]
        if reason is not None:
            escaped = reason.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            lines.append(f'OPTOUT_REASON="{escaped}"')
        lines += [f"{k}={v}" for k, v in extra.items()]
        path = tmp_path / "settings.env"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def mock_site():
    """Start MockSite variants on free ports; all are stopped at the end of the test."""
    from optout_bot.mock_site import MockSite

    started = []

    def start(variant: str = ""):
        site = MockSite(variant=variant, port=0)
        site.start()
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()


def prefill_args(site_url: str, env: Path, receipts: Path, *extra: str, timeout: float = 15) -> list[str]:
    """The CLI contract the independent page variants are run against."""
    return ["prefill", "--env-file", str(env), "--start-url", site_url, "--allow-host", "127.0.0.1",
            "--headless", "--submit", "auto", "--code", "stdin", "--receipts-dir", str(receipts),
            "--snapshots-dir", str(receipts.parent / "snapshots"), "--timeout", f"{timeout:g}", *extra]


@pytest.fixture(scope="session")
def xvfb_display():
    """A virtual display for headed runs; skipped where Xvfb is not installed."""
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        pytest.skip("Xvfb is not installed (scripts/test.sh installs it where it can)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()  # Xvfb writes the display number once it accepts clients
    if not number:
        proc.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's browser: whichever Chromium the product itself would use."""
    from optout_bot import browser

    choice = browser.find()
    return {**browser_type_launch_args, **choice.launch_options(), "args": browser.launch_args([])}


@pytest.fixture(scope="session")
def browser_type(playwright, browser_name):
    """pytest-playwright's, with the selector engine the flow's looks use (before any browser)."""
    from optout_bot import locate

    locate.register(playwright)
    return getattr(playwright, browser_name)


def free_port() -> int:
    """A port of 127.0.0.1 that nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def objection(state):
    """The accepted objection submissions the mock site recorded."""
    return [s for s in state["submissions"] if s["form"] == "objection" and s["accepted"]]


def assert_submitted_once(site, country="PT", form_id: str | None = None):
    """Exactly one accepted objection, with the test's settings, the page's tokens and no third-party form."""
    state = site.state()
    subs = objection(state)
    assert len(subs) == 1, state["submissions"]
    assert (subs[0]["country"], subs[0]["email"], subs[0]["reason"]) == (country, EMAIL, REASON)
    if form_id is not None:
        assert subs[0]["form_id"] == form_id
    assert subs[0]["tokens_ok"]
    assert not [s for s in state["submissions"] if s["form"] == "third-party"]
    return state


# What the objection form's page is called: a form that says nothing of objecting or of AI is not
# filled when nobody watches (flow.form_purpose).
OBJECTION_TITLE = "Object to Your Information Being Used for AI at Meta | Instagram Help Center"


def show_form(page, html: str) -> None:
    """`html` as the page's content, titled as the objection form's page is."""
    page.set_content(f"<title>{OBJECTION_TITLE}</title>{html}")


def make_run(**overrides):
    """A flow.Run for in-process tests of single steps: Instagram's recipe, headless, 5 s timeout."""
    from optout_bot import flow, recipe
    from optout_bot.config import Settings
    from optout_bot.guard import HostGuard
    from optout_bot.progress import Reporter

    ig = recipe.load("instagram")
    settings = Settings(email="p@example.eu", country=overrides.pop("country", "PT"), _env_file=None)
    options = dict(headless=True, timeout_s=5) | overrides
    return flow.Run(recipe=ig, settings=settings, guard=HostGuard(ig.meta_domains, ["127.0.0.1"]),
                    report=Reporter(quiet=True), **options)
