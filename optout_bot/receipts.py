"""Receipts of confirmed objections and snapshots of failures: private, atomic, never overwritten."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from optout_bot import __version__
from optout_bot.files import private_dir, replace_private, write_new

APP = "optout-bot"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_receipts_dir() -> Path:
    return data_dir() / "receipts"


def default_snapshots_dir() -> Path:
    return data_dir() / "snapshots"


def utc_stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


@dataclass
class Receipt:
    target: str
    country: str
    email: str
    reason: str
    submitted_at: str
    final_url: str
    confirmation_text: str
    tool_version: str = __version__
    screenshot: str | None = None
    code_step: bool = True
    already_objected: bool = False  # Meta's answer was that an objection from this account already stood
    under_review: bool = False  # Meta received it and said it would decide later (its email says how)
    test_site: str | None = None  # the host allowed by hand (--allow-host) the run ended on: not Meta


def save_receipt(folder: Path, receipt: Receipt, screenshot_png: bytes | None, moment: dt.datetime) -> Path:
    folder = private_dir(folder)
    stem = f"{utc_stamp(moment)}-{receipt.target}"
    if screenshot_png is not None:
        shot = write_new(folder, stem, ".png", screenshot_png)
        receipt.screenshot = shot.name
        stem = shot.stem  # the JSON and its picture share a name
    body = json.dumps(receipt.__dict__, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    return write_new(folder, stem, ".json", body)


_LISTED = ("submitted_at", "target", "country", "email")  # what `optout-bot receipts` shows


def test_site(data: dict) -> str | None:
    """The host of a run against a test server (--allow-host), from the receipt's final address;
    None for Meta's own (or a receipt that does not say)."""
    from urllib.parse import urlsplit

    from optout_bot import TARGETS
    from optout_bot.guard import HostGuard, host_of
    from optout_bot.recipe import load

    if "test_site" in data:  # written since 0.1.0's test-site receipts; older ones are read from their address
        return data["test_site"] if isinstance(data["test_site"], str) else None
    url = data.get("final_url")
    try:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or data.get("target") not in TARGETS:
            return None
        host = host_of(url)
    except ValueError:  # not an address ("http://[x")
        return None
    return None if not host or HostGuard(load(data["target"]).meta_domains).on_meta(url) else host


def list_receipts(folder: Path) -> tuple[list[dict], int]:
    """Past receipts, newest first, and how many other .json files were skipped (unreadable, or
    not a receipt); those are never changed or deleted."""
    found, skipped = [], 0
    # listdir, not glob: a folder that cannot be read raises, where glob would list it as empty.
    for name in os.listdir(folder) if folder.is_dir() else []:
        if name.startswith(".") or not name.endswith(".json"):  # a temporary file (older versions' too), not a receipt
            continue
        path = folder / name
        data = None
        if path.is_file():  # not a pipe someone named *.json: reading it would wait for ever
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM, as some editors save
            except (OSError, ValueError, RecursionError):
                pass
        if not _listable(data):
            skipped += 1
            continue
        data["path"] = str(path)
        found.append(data)
    return sorted(found, key=_newest, reverse=True), skipped


def _newest(data: dict) -> tuple[str, int]:
    """When it was sent; within one second, the later name (write_new numbers it: name-2.json)."""
    number = re.search(r"-(\d+)$", Path(data["path"]).stem)
    return data["submitted_at"], int(number.group(1)) if number else 1


def _listable(data) -> bool:
    """A receipt as this tool writes them, as far as the listing shows it: its fields are one line of
    text each (a file with control characters could forge lines of the listing), its target known,
    its screenshot a file name beside it."""
    from optout_bot import TARGETS

    if not isinstance(data, dict) or not all(isinstance(data.get(key), str) and data[key].isprintable() for key in _LISTED):
        return False
    shot, site = data.get("screenshot"), data.get("test_site")
    return (data["target"] in TARGETS and (site is None or isinstance(site, str) and site.isprintable())
            and (shot is None or isinstance(shot, str) and shot.isprintable() and shot not in ("", ".", "..")
                 and shot == Path(shot).name and "\\" not in shot))


# --- failure snapshots -------------------------------------------------------------------

def redact(text: str, secrets: list[str]) -> str:
    """The person's own values (every spelling, any case) become [redacted]; then the capture
    scrubber's rules take tokens, ids, names and any other address, as for a fixture."""
    from optout_bot.capture import scrub  # its rule table is built on import: only when a snapshot needs it

    return scrub(text, secrets, known_as="[redacted]")


def save_trace(context, path: Path, secrets: list[str]) -> None:
    """Stop the context's Playwright trace into `path`, redacted. Playwright writes it raw, readable
    by all: that copy goes to a folder only the person can open, removed whatever happens."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="optout-bot-raw-") as private:
        raw = Path(private) / path.name
        context.tracing.stop(path=str(raw))
        redact_zip(raw, secrets, into=path)


def redact_zip(path: Path, secrets: list[str], into: Path | None = None) -> None:
    """Rewrite a Playwright trace (into `into`, else in place, mode 0600, atomically) with every
    secret replaced, in text members and page copies, and without what a log-in in the window
    leaves there: password fields' values, request bodies, cookies."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        events = {item.filename: _without_log_in(src.read(item).decode("utf-8", "replace"))
                  for item in src.infolist() if item.filename.endswith((".trace", ".network"))}
        bodies = {name for _, dropped in events.values() for name in dropped}
        for item in src.infolist():
            if item.filename in bodies:
                continue
            data = events[item.filename][0].encode("utf-8") if item.filename in events else src.read(item)
            try:
                data = redact(data.decode("utf-8"), secrets).encode("utf-8")
            except UnicodeDecodeError:
                pass  # images: a screenshot of a typed email is covered by the caller's choice to trace
            dst.writestr(item, data)
    replace_private(into or path, out.getvalue())


# A DOM snapshot keeps every field's value, and the network log every request's body and cookies:
# a person who logs in in the bot's window would leave their password and session there.
_SECRET_HEADERS = {"cookie", "set-cookie", "authorization", "proxy-authorization"}
_VALUE = "__playwright_value_"  # where a snapshot keeps an <input>'s value


def _without_log_in(text: str) -> tuple[str, set[str]]:
    """A trace's event lines with passwords, request bodies and cookie headers taken out; and the
    zip members that held the bodies taken out."""
    dropped: set[str] = set()

    def clean(node):
        if isinstance(node, dict):
            body = node.pop("postData", None)
            if isinstance(body, dict):  # its copy in the zip: "_file" now, "_sha1" in older traces
                dropped.update(f"resources/{body['_sha1']}" if key == "_sha1" else body[key]
                               for key in ("_file", "_sha1") if isinstance(body.get(key), str))
            if isinstance(node.get("cookies"), list):
                node["cookies"] = []
            if isinstance(node.get("headers"), list):
                node["headers"] = [h for h in node["headers"] if not (isinstance(h, dict) and str(h.get("name", "")).lower() in _SECRET_HEADERS)]
            for value in node.values():
                clean(value)
        elif isinstance(node, list):
            if len(node) > 1 and node[0] == "INPUT" and isinstance(node[1], dict) and _password(node[1]):
                for key in (_VALUE, "value"):  # the property, and the attribute a page may mirror it into
                    if key in node[1]:
                        node[1][key] = ""
            for value in node:
                clean(value)

    lines = []
    for line in text.split("\n"):  # the trace's own separator; page text may hold U+2028 and friends
        try:
            event = json.loads(line)
        except ValueError:
            continue  # fail closed: a line that cannot be read cannot be cleaned
        clean(event)
        lines.append(json.dumps(event))  # ASCII: a lone surrogate in a page's text is escaped, not an error
    return "\n".join(lines) + "\n", dropped


def _password(attrs: dict) -> bool:
    """A password field, or one a page's "show password" turned into text."""
    said = " ".join(str(attrs.get(key, "")) for key in ("type", "autocomplete", "name", "id")).lower()
    return "password" in said or "passwd" in said or (attrs.get("name") or "").lower() in ("pass", "pwd", "pw")


_MARK_SECRETS_JS = """
(secrets) => {
  const hits = [];
  for (const el of document.querySelectorAll('input, textarea, [contenteditable]')) {
    const value = el.value !== undefined ? el.value : el.textContent;
    if (secrets.some(s => value && value.toLowerCase().includes(s.toLowerCase()))) { el.setAttribute('data-optout-mask', ''); hits.push(el); }
  }
  return hits.length;
}
"""


def page_secrets(page, email: str | None, also: tuple[str, ...] = ()) -> list[str]:
    """The email (and `also`, the person's other addresses) plus every hidden field's value (lsd,
    jazoest and friends), but the form's id (capture.KEEP_HIDDEN): the same for everyone, and what a
    maintainer needs when Meta changes it."""
    from optout_bot.capture import KEEP_HIDDEN

    try:
        hidden = page.eval_on_selector_all("input[type=hidden]", "(els, keep) => els.filter(e => !keep.includes(e.name)).map(e => e.value)",
                                           list(KEEP_HIDDEN))
    except Exception:  # noqa: BLE001 - a closed or crashed page still gets a snapshot of what we have
        hidden = []
    return list(dict.fromkeys(s for s in [email, *also, *hidden] if s))


def save_snapshot(page, folder: Path, email: str | None, why: str, moment: dt.datetime,
                  also: tuple[str, ...] = ()) -> tuple[Path, list[str]]:
    """HTML (redacted), a screenshot with the email masked, and a note of why; returns folder and
    secrets. `also`: the person's other addresses (one typed in the window), redacted the same way."""
    base = private_dir(folder)
    stem = f"{utc_stamp(moment)}-failure"
    snap = base / stem
    n = 1
    while True:
        try:
            snap.mkdir(mode=0o700)
            break
        except FileExistsError:
            n += 1
            snap = base / f"{stem}-{n}"
    secrets = page_secrets(page, email, also)
    note = {"why": redact(why, secrets), "url": redact(page.url, secrets), "time": moment.isoformat(), "tool_version": __version__}
    write_new(snap, "snapshot", ".json", json.dumps(note, ensure_ascii=False, indent=2).encode("utf-8"))
    try:
        write_new(snap, "page", ".html", redact(page.content(), secrets).encode("utf-8"))
        page.evaluate(_MARK_SECRETS_JS, secrets)
        masks = [page.locator("[data-optout-mask]")] + [page.get_by_text(a) for a in dict.fromkeys((email, *also)) if a]
        write_new(snap, "screenshot", ".png", page.screenshot(full_page=True, mask=masks))
    except Exception as exc:  # noqa: BLE001 - keep whatever was saved; say what was not
        write_new(snap, "incomplete", ".txt", f"Part of the snapshot could not be taken: {exc}\n".encode())
    return snap, secrets
