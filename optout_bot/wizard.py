"""`optout-bot init`: ask for the settings (or take them as flags) and write a private .env."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Callable

import click
from pydantic import EmailStr, TypeAdapter, ValidationError

from optout_bot import config, countries
from optout_bot.files import check_writable, replace_private
from optout_bot.status import BadInput, Cancelled, OptoutError

_EMAIL = TypeAdapter(EmailStr)


def check_email(value: str) -> str:
    try:
        email = _EMAIL.validate_python(value.strip())
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"].removeprefix("value is not a valid email address: ")) from None
    try:
        return config.clean_email(email)
    except ValueError as exc:
        raise ValueError(f"The address {exc}.") from None


def _sentence(what: str, clean: Callable[[str], str]) -> Callable[[str], str]:
    """The settings' own check, its complaint said as a sentence about `what`."""

    def check(value: str) -> str:
        try:
            return clean(value)
        except ValueError as exc:
            raise ValueError(f"{what} {exc}.") from None

    return check


check_country = _sentence("The country", config.clean_country)
check_reason = _sentence("The reason", config.clean_reason)
check_target = _sentence("The target", config.clean_target)


def _ask(question: str, check: Callable[[str], str], default: str | None = None, show_default: bool = True) -> str:
    """Ask until the answer passes `check`; say what was wrong each time."""
    while True:
        answer = click.prompt(question, default=default, show_default=show_default and default is not None and len(default) < 40, err=True)
        try:
            return check(answer)
        except ValueError as exc:
            click.echo(f"  {exc}", err=True)


def _ask_country() -> str:
    """Ask until the country is known; after a typo with one close name ('Did you mean Portugal?'),
    Enter or 'y' takes that name."""
    suggested = None
    while True:
        answer = click.prompt("Country of residence (ISO code or name)", default=suggested, err=True)
        if suggested and answer.strip().lower() in ("y", "yes"):
            answer = suggested
        try:
            return check_country(answer)
        except ValueError as exc:
            close = countries.suggestions(answer)
            suggested = close[0] if len(close) == 1 else None
            click.echo(f"  {exc}" + (" (Enter or y takes it.)" if suggested else ""), err=True)


# A terminal hands over at most this many bytes of one line (Linux's line buffer): the rest is lost.
_TERMINAL_LINE = 4095


def _ask_reason() -> str:
    """The person's own reason: one line typed, or several pasted at once (the terminal holds the
    others for the next questions: they would answer them, and what is left go to the shell)."""
    while True:
        lines = [click.prompt("Your own reason (Enter keeps the default)", default="", show_default=False, err=True),
                 *_pasted_rest()]
        if any(len(line.encode("utf-8")) >= _TERMINAL_LINE - 1 for line in lines):
            click.echo(f"  The terminal cut that line at {_TERMINAL_LINE} bytes. Give a longer reason with --reason, "
                       "or write it into OPTOUT_REASON in the file afterwards.", err=True)
            continue
        try:
            reason = check_reason("\n".join(lines).strip() if len(lines) > 1 else lines[0])
        except ValueError as exc:
            click.echo(f"  {exc}", err=True)
            continue
        if len(lines) > 1:
            click.echo(f"  Kept your reason: {reason.count(chr(10)) + 1} lines, {len(reason)} characters.", err=True)
        return reason


def _pasted_rest() -> list[str]:
    """The lines that came in the same paste as the one just read (already waiting), blank ones at the end left out."""
    if sys.platform == "win32":  # select() takes no console there: one line, as before
        return []
    import select

    lines = []
    while select.select([sys.stdin], [], [], 0.05)[0]:
        line = sys.stdin.readline()
        if not line:
            break
        lines.append(line.rstrip("\r\n"))
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _dotenv_value(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render(email: str, country: str, reason: str, target: str) -> str:
    lines = [
        "# Written by `optout-bot init`. It holds your email address: keep it private (mode 0600).",
        f"OPTOUT_EMAIL={_dotenv_value(email)}",
        f"OPTOUT_COUNTRY={country}",
        f"# Your reason; left empty, a short, polite objection under {config.default_reason(country)[1]} is sent.",
        f"OPTOUT_REASON={_dotenv_value(reason) if reason else ''}",
        f"OPTOUT_TARGET={target}",
    ]
    return "\n".join(lines) + "\n"


def init(path: Path, email: str | None, country: str | None, reason: str | None, target: str | None, force: bool) -> Path:
    interactive = sys.stdin is not None and sys.stdin.isatty()
    given = {"--email": email, "--country": country, "--target": target}
    missing = [flag for flag, value in given.items() if value is None and flag != "--target"]
    if missing and not interactive:
        raise BadInput(f"{', '.join(missing)}: needed when there is no terminal to ask on (e.g. optout-bot init --email you@example.eu --country PT)")
    _check_path(path)
    if path.exists() and not force:  # asked first: no questions answered for nothing
        if not interactive:
            raise BadInput(f"--env-file: {path} exists; add --force to replace it")
        if not click.confirm(f"{path} exists. Replace it?", default=False, err=True):
            raise Cancelled(f"Kept {path} as it was; nothing was written.")
    email = _given("--email", check_email, email) if email is not None else _ask("Email address of your Instagram/Facebook account", check_email)
    country = _given("--country", config.clean_country, country) if country is not None else _ask_country()
    if note := countries.outside_note(country):
        click.echo(f"  Note: {note}", err=True)
    if reason is None and interactive:
        click.echo(f"Default reason: {config.default_reason(country)[0]}", err=True)
        reason = _ask_reason()
    reason = _given("--reason", config.clean_reason, reason or "")
    if target is None:
        target = _ask("Instagram or Facebook", check_target, default="instagram") if interactive else "instagram"
    target = _given("--target", config.clean_target, target)
    text = render(email, country, reason, target)
    others = _other_settings(path)
    if others:  # another tool's settings in the same file are not init's to drop
        text += "# Kept from the file before: settings of other tools.\n" + "".join(others)
    # Read back as prefill will read it, before anything is written: the same values, or nothing.
    if config.read_env_file(path, text) != {"email": email, "country": country, "reason": reason, "target": target}:
        raise OptoutError("init could not write these settings so that they read back unchanged; nothing was written.",
                          hint="Please report this, with the characters your reason uses.")
    # The same validation prefill uses, before writing (flags beat the environment, so only these values count).
    try:
        config.Settings(_env_file=None, email=email, country=country, reason=reason, target=target)
    except ValidationError as exc:
        raise BadInput(f"init's answers did not pass the settings' own check ({exc.errors()[0]['msg']}); nothing was written") from None
    replace_private(path, text.encode("utf-8"))
    if others:
        click.echo(f"  Kept {len(others)} other setting(s) from the file before (not optout-bot's).", err=True)
    _say_what_beats_the_file(path, {"email": email, "country": country, "reason": reason, "target": target})
    return path


def _other_settings(path: Path) -> list[str]:
    """The lines of a file being replaced that set something other than OPTOUT_*, as written."""
    from dotenv.parser import parse_stream

    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeError):
        return []
    kept = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.key and not binding.error and not binding.key.upper().startswith("OPTOUT_"):
            line = binding.original.string.strip("\n")
            kept.append(line + "\n")
    return kept


def _say_what_beats_the_file(path: Path, written: dict[str, str]) -> None:
    """OPTOUT_* variables in the environment beat .env: prefill would not use what was just written."""
    import os

    from optout_bot.progress import masked

    for field, value in written.items():
        spelt = config.spelt_in_environment(f"OPTOUT_{field.upper()}")
        there = os.environ[spelt].strip() if spelt else value
        if there == value:
            continue
        shown = masked(there, "", others=True)[:60]  # an address shown as everywhere else: p***@example.eu
        click.echo(f"  Note: {spelt} is set in your environment ({shown!r}) and beats {path}: prefill will use it. "
                   f"Unset it (unset {spelt}) to use what was written.", err=True)


def _given(flag: str, check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except ValueError as exc:
        raise BadInput(f"{flag}: {exc}") from None


def _check_path(path: Path) -> None:
    """Only a plain file is replaced: a link (say, into a dotfiles folder) or a device is left alone."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise BadInput(f"--env-file: {path} is not a plain file (a link, a folder or a device); give the path of a regular file")
    if not path.parent.is_dir():
        raise BadInput(f"--env-file: the folder {path.parent} does not exist; create it first, or give another path")
    try:  # before any question: answers that cannot be written would be asked for nothing
        check_writable(path.parent)
    except OSError as exc:
        raise BadInput(f"--env-file: cannot write in {path.parent} ({exc.strerror or exc}); give a path in a folder of yours") from None
