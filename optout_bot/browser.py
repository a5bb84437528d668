"""Finding a Chromium that exists on this machine, and launching it quietly."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from optout_bot.status import BadInput, OptoutError

CHANNELS = ("chrome", "chrome-beta", "chrome-dev", "chrome-canary", "msedge", "msedge-beta", "msedge-dev", "chromium")
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SYSTEM_PATHS = {
    "darwin": [
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
    ],
    "win32": [
        r"%PROGRAMFILES%\Google\Chrome\Application\chrome.exe",
        r"%PROGRAMFILES(X86)%\Google\Chrome\Application\chrome.exe",
        r"%LOCALAPPDATA%\Google\Chrome\Application\chrome.exe",
        r"%LOCALAPPDATA%\Chromium\Application\chrome.exe",
    ],
}
# Quiet on a closed network: no update checks, sync, first-run pages or background fetches.
QUIET_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]
INSTALL_HINT = (
    "No Chromium browser was found. Install one with `optout-bot install` "
    "(Playwright's own download), or on Debian/Ubuntu `sudo apt-get install chromium`, "
    "or point OPTOUT_BROWSER at a Chrome or Chromium executable."
)


class NoBrowser(OptoutError):
    pass


@dataclass(frozen=True)
class BrowserChoice:
    source: str  # "OPTOUT_BROWSER", "playwright", "system"
    executable: str | None = None
    channel: str | None = None

    def describe(self) -> str:
        where = self.channel and f"channel {self.channel}" or self.executable
        return f"{where} ({self.source})"

    def launch_options(self) -> dict:
        if self.channel:
            return {"channel": self.channel}
        if self.source == "playwright":
            return {}
        return {"executable_path": self.executable}


def playwright_browsers_dir() -> Path | None:
    """Where Playwright keeps the browsers it downloads (PLAYWRIGHT_BROWSERS_PATH, else its default)."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if root == "0":
        from importlib.util import find_spec

        spec = find_spec("playwright")  # where the package is, without importing it (doctor stays quick)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(spec.submodule_search_locations[0]) / "driver" / "package" / ".local-browsers"
    if root:
        return Path(root)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ms-playwright"


def _playwright_chromium() -> str | None:
    """Playwright's downloaded Chromium, found without starting a browser or the driver."""
    base = playwright_browsers_dir()
    if base is None:
        return None
    names = ("chrome", "chrome.exe", "Chromium", "Google Chrome for Testing", "headless_shell")
    for folder in sorted(base.glob("chromium*"), reverse=True):
        for candidate in folder.rglob("*"):
            if candidate.name in names and candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def _system_chromium() -> str | None:
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for raw in SYSTEM_PATHS.get(sys.platform, []):
        path = Path(os.path.expandvars(raw))
        if path.is_file():
            return str(path)
    return None


def find() -> BrowserChoice:
    """OPTOUT_BROWSER first, then Playwright's own Chromium, then a system Chrome or Chromium."""
    explicit = os.environ.get("OPTOUT_BROWSER")
    if explicit:
        if explicit in CHANNELS:
            return BrowserChoice("OPTOUT_BROWSER", channel=explicit)
        path = Path(explicit).expanduser()
        resolved = shutil.which(str(path)) if not path.is_file() else str(path)
        if not resolved or not os.access(resolved, os.X_OK):
            raise BadInput(
                f"OPTOUT_BROWSER: {explicit!r} is neither an executable file nor a channel; "
                f"give a path to Chrome/Chromium or one of: {', '.join(CHANNELS)}"
            )
        choice = BrowserChoice("OPTOUT_BROWSER", executable=resolved)
        if not is_chromium(version(choice)):
            raise BadInput(f"OPTOUT_BROWSER: {explicit!r} does not answer --version as Chrome or Chromium does; "
                           f"give a path to Chrome/Chromium or one of: {', '.join(CHANNELS)}")
        return choice
    own = _playwright_chromium()
    if own:
        return BrowserChoice("playwright", executable=own)
    system = _system_chromium()
    if system:
        return BrowserChoice("system", executable=system)
    raise NoBrowser(INSTALL_HINT)


@lru_cache(maxsize=8)  # asked by find() for OPTOUT_BROWSER, then again by doctor: one run of --version
def version(choice: BrowserChoice) -> str | None:
    if not choice.executable:
        return None
    try:
        out = subprocess.run([choice.executable, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def is_chromium(version_line: str | None) -> bool:
    """Chromium and the browsers built on it (Chrome, Edge, Brave...) number versions in four parts."""
    return bool(version_line and re.search(r"\b\d+\.\d+\.\d+\.\d+\b", version_line))


def debug_port() -> int | None:
    """OPTOUT_DEBUG_PORT, checked (tests only: a simulated person drives the same window over CDP, loopback only)."""
    port = os.environ.get("OPTOUT_DEBUG_PORT")
    if not port:
        return None
    if not port.strip().isdigit() or not 1024 <= int(port) <= 65535:
        raise BadInput(f"OPTOUT_DEBUG_PORT: {port!r} is not a port; give a number from 1024 to 65535, or unset it (it is for tests)")
    return int(port)


def launch_args(extra: list[str]) -> list[str]:
    args = list(QUIET_ARGS) + list(extra)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return args


def starts(choice: BrowserChoice, timeout: float = 30) -> str | None:
    """None when the browser starts and loads a page headless (as a run would launch it), else
    the reason it did not; without Playwright, so that `doctor` stays quick to start."""
    import tempfile

    if not choice.executable:
        return None  # a channel: Playwright finds it, and only a launch through it would tell
    # A browser's helpers may outlive it for a moment: its profile is removed as far as it can be.
    with tempfile.TemporaryDirectory(prefix="optout-bot-doctor-", ignore_cleanup_errors=True) as profile:
        command = [choice.executable, "--headless", *launch_args([]), f"--user-data-dir={profile}", "--dump-dom", "about:blank"]
        try:
            # Its own process group, so that a browser that hangs goes with all its helpers.
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        except OSError as exc:
            return exc.strerror or str(exc)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if hasattr(os, "killpg"):
                os.killpg(proc.pid, signal.SIGKILL)
            else:  # Windows: no process groups to kill by
                proc.kill()
            proc.communicate()
            return f"it did not load a blank page within {timeout:.0f} s"
    if proc.returncode == 0 and "<html" in out:
        return None
    said = next((line.strip() for line in reversed(err.splitlines()) if line.strip()), "")
    return f"it exited with status {proc.returncode}" + (f": {said[:160]}" if said else "")


class ProfileLock(NamedTuple):
    host: str  # the computer whose browser holds it; "" for this one
    pid: str


def profile_in_use(folder: Path) -> ProfileLock | None:
    """The lock a running Chrome or Chromium holds on a profile folder (Linux and macOS: `SingletonLock`,
    a link to 'host-pid'), as Chromium itself judges it: another computer's holds; this one's only
    while a browser answers on the profile's socket. None for a stale lock, which the browser takes over."""
    import socket

    try:
        host, _, pid = os.readlink(folder / "SingletonLock").rpartition("-")
    except OSError:
        return None
    if host and host != socket.gethostname():
        return ProfileLock(host, pid)
    # The socket's link leads to a short path (a socket's path may hold only ~100 characters).
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(1)
        try:
            probe.connect(os.path.realpath(folder / "SingletonSocket"))
        except OSError:
            return None
    return ProfileLock("", pid)


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def install() -> tuple[int, str]:
    """Playwright's own browser download: its exit code and, when it failed, its error in one line
    (its Node stack trace and retries, ~50 lines, tell a person nothing more)."""
    proc = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], capture_output=True, text=True)
    if proc.returncode == 0:
        return 0, ""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in (proc.stderr + proc.stdout).splitlines()]
    said = next((line for line in lines if line.startswith("Error:")), next((line for line in reversed(lines) if line), ""))
    return proc.returncode, said.removeprefix("Error:").strip()[:160]
