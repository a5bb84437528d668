"""`optout-bot doctor`: one line per thing the tool needs, and whether it is there."""

from __future__ import annotations

import os
import platform
import socket
import stat
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    needed: bool = True


def python() -> Check:
    ok = sys.version_info >= (3, 10)
    return Check("Python", ok, f"{platform.python_version()}" + ("" if ok else " (3.10 or newer is needed)"))


def playwright() -> Check:
    try:
        return Check("Playwright", True, metadata.version("playwright"))
    except metadata.PackageNotFoundError:
        return Check("Playwright", False, "not installed: pip install playwright")


def browser(channel_starts: Callable[[str], str | None] | None = None) -> Check:
    """`channel_starts(channel)`: None when Playwright starts that channel, else why not (a channel
    has no file to run here: only Playwright knows where it is installed)."""
    from optout_bot import browser as finder
    from optout_bot.status import OptoutError

    try:
        choice = finder.find()
    except OptoutError as exc:
        return Check("Browser", False, exc.message)
    version = finder.version(choice)
    if choice.executable and not finder.is_chromium(version):
        return Check("Browser", False, f"{choice.describe()} does not answer --version as Chrome or Chromium does")
    failed = channel_starts(choice.channel) if choice.channel and channel_starts else finder.starts(choice)
    if failed is not None:
        found = "" if choice.channel else " was found but"
        return Check("Browser", False, f"{choice.describe()}{found} could not be started ({failed}); "
                                       "see Troubleshooting in the README")
    return Check("Browser", True, choice.describe() + (f": {version}" if version else "") + ", starts")


def configuration(env_file: str | None) -> list[Check]:
    from optout_bot import config
    from optout_bot.status import BadInput

    checks = []
    path = Path(env_file or ".env")
    if path.is_file() and (mode := stat.S_IMODE(path.stat().st_mode)) & 0o077:
        checks.append(Check("Settings file", False, f"{path} holds your email address and others can read it (mode {mode:o}): "
                                                    f"chmod 600 {path}", needed=False))
    try:
        settings = config.load(env_file, flags=False)
    except BadInput as exc:
        said = exc.message.replace("\n", "; ")
        if "optout-bot init" not in said and "set in the environment" not in said:  # init cannot change the environment
            said += " (`optout-bot init` writes them anew)"
        return [Check("Settings", False, said), *checks]
    return [Check("Settings", True, f"{settings.masked_email}, {settings.country}, target {settings.target}"), *checks]


def receipts_folder(folder: Path) -> Check:
    from optout_bot.files import check_writable, open_to_others

    try:
        if not folder.exists():  # a check changes nothing: the first receipt creates it (a mistyped path stays uncreated)
            above = next((p for p in folder.parents if p.exists()), None)
            if above is not None and above.is_dir() and os.access(above, os.W_OK | os.X_OK):
                return Check("Receipts folder", True, f"{folder} (not there yet; the first receipt creates it, private, in {above})")
            where = f"{above} is not a folder you can write in" if above is not None else "no folder above it exists"
            return Check("Receipts folder", False, f"{folder} does not exist and cannot be created ({where})")
        check_writable(folder)
    except OSError as exc:  # exists() too raises, for a folder above that cannot be entered
        return Check("Receipts folder", False, f"{folder} is not writable ({exc.strerror or exc})")
    if mode := open_to_others(folder):
        return Check("Receipts folder", False, f"{folder} is writable, but others can open it (mode {mode:o}): chmod 700 {folder}",
                     needed=False)
    return Check("Receipts folder", True, f"{folder} (writable, private)")


def meta_reachable(url: str, timeout: float = 5) -> Check:
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "optout-bot doctor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Check("Meta reachable", True, f"{url} answered {response.status}")
    except urllib.error.HTTPError as exc:  # an answer, even a refusal, proves the host is reachable
        return Check("Meta reachable", True, f"{url} answered {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, socket.gaierror):  # "[Errno -2] Name or service not known", in words
            reason = f"its name could not be looked up: no network, or no DNS ({reason.strerror})"
        elif isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror
        return Check("Meta reachable", False, f"{url} could not be reached ({reason}); check your connection")


def run(env_file: str | None, receipts_dir: Path, offline: bool, start_url: str,
        channel_starts: Callable[[str], str | None] | None = None) -> list[Check]:
    checks = [python(), playwright(), browser(channel_starts), *configuration(env_file), receipts_folder(receipts_dir)]
    if not offline:
        checks.append(meta_reachable(start_url))
    from optout_bot.browser import has_display

    if not has_display():
        checks.append(Check("Display", False, "none: prefill needs --headless here, or a desktop session", needed=False))
    return checks
