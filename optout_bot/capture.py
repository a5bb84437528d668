"""Capturing Meta's live pages as test fixtures, scrubbed of the person who captured them.

A maintainer walks through the pages in a window (logging in if Meta asks); at each step the
page's HTML is scrubbed and saved. Scrubbing is a small table of rules, and `find_leaks` uses the
same table to say what a file still gives away, so the fixtures test and the scrubber cannot
drift apart. The page is only read here: nothing is typed into it and no cookie is kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from optout_bot import __version__
from optout_bot.files import private_dir, replace_private, write_new
from optout_bot.progress import any_spelling
from optout_bot.status import BadInput, OptoutError

if TYPE_CHECKING:
    from playwright.sync_api import Page

REDACTED = "REDACTED"
MIN_KNOWN = 3  # shorter values would scrub ordinary words out of the page
STEP_NAMES = ("genai", "form", "code", "confirmation")
MANIFEST = "capture.json"

# Hidden form tokens as Meta's pages carry them (inputs, JSON fields, URL and body parameters).
TOKEN_NAMES = ("lsd", "jazoest", "fb_dtsg", "fb_dtsg_ag", "__user", "__a", "__req", "__hs", "__hsi", "hsi",
               "__spin_r", "__spin_b", "__spin_t", "__csr", "__dyn", "__rev", "__s", "__comet_req", "__ccg")
# JSON fields holding a token or a session value (besides the names above).
TOKEN_FIELDS = ("token", "async_get_token", "csrf_token", "haste_session", "device_id", "machine_id", "cookie")
USER_ID_FIELDS = ("USER_ID", "ACCOUNT_ID", "actorID", "actorId", "userID", "userId", "user_id", "viewerID",
                  "viewerId", "viewer_id", "c_user", "ds_user_id", "ig_user_id", "igUserId", "fbid")
NAME_FIELDS = ("NAME", "SHORT_NAME", "full_name", "first_name", "last_name", "short_name", "fullName",
               "firstName", "lastName", "shortName", "username")
COOKIE_NAMES = ("datr", "c_user", "xs", "fr", "sb", "sessionid", "ds_user_id", "csrftoken", "ig_did", "mid",
                "rur", "shbid", "shbts")
KEEP_HIDDEN = ("support_form_id",)  # the form's id: the same for everyone, and what a fixture is about

# A value that already says nothing: ours, the snapshot redactor's, or a template slot ($lsd, ${x}, {{x}}).
_PLACEHOLDER = re.compile(r"(?:|REDACTED|\[redacted\]|0|\$\w+|\$\{[^}]*\}|\{\{[^}]*\}\}|%\(\w+\)s)", re.IGNORECASE)
# Address and file names share a shape (icon@2x.png); these endings are files, not domains.
_ASSET_TLDS = {"png", "jpg", "jpeg", "gif", "webp", "svg", "ico", "js", "mjs", "css", "json", "woff", "woff2",
               "ttf", "mp4", "webm", "html", "map"}
_SAFE_SUFFIXES = (".example", ".test", ".invalid", ".localhost")


def is_example_domain(domain: str) -> bool:
    """RFC 2606/6761 names, and example.<any tld>: addresses there belong to nobody."""
    domain = domain.lower().rstrip(".")
    if domain in ("example", "localhost") or domain.endswith(_SAFE_SUFFIXES):
        return True
    return re.fullmatch(r"(?:[a-z0-9-]+\.)*example\.[a-z]{2,}", domain) is not None


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, names), key=len, reverse=True))


def _json_fields(names: Iterable[str]) -> list[re.Pattern]:
    """`"key":"value"` and `"key":123` in plain JSON, in JSON escaped inside a JSON string, and
    in JSON inside an HTML attribute (&quot;); the value is group v (a bare number: n)."""
    keys = _alternatives(names)
    styles = (
        ('"', r'(?:\\.|[^"\\\n])*'),
        (r'\\"', r'(?:\\{4}|\\{3}"|\\{2}[^\\"]|[^"\\\n])*'),
        ("&quot;", r'(?:(?!&quot;)[^"<\n])*'),
    )
    patterns = []
    for quote_, value in styles:
        patterns.append(re.compile(rf'{quote_}(?:{keys}){quote_}\s*:\s*{quote_}(?P<v>{value})(?={quote_})'))
        patterns.append(re.compile(rf'{quote_}(?:{keys}){quote_}\s*:\s*(?P<n>-?\d+)(?![\d.])'))
    return patterns


def _input_with_name(names: str) -> str:
    return rf"""(?<![\w-])name\s*=\s*(?P<nq>["']?)(?:{names})(?P=nq)(?=[\s/>])"""


@dataclass(frozen=True)
class Rule:
    what: str  # named in find_leaks' report
    pattern: re.Pattern  # groups v, v2 (strings) and n (JSON numbers) hold the secret; the rest stays
    leak: bool = True  # find_leaks reports a real value here


_TOKEN_ALT = _alternatives(TOKEN_NAMES)
_VALUE_ATTR = r"""(?<![\w-])value\s*=\s*(?:"(?P<v>[^"]*)"|'(?P<v2>[^']*)')"""

RULES: tuple[Rule, ...] = (
    # Token inputs (<input type=hidden name="lsd" value="...">), attributes in any order.
    Rule("token input", re.compile(rf"<input\b(?=[^>]*{_input_with_name(_TOKEN_ALT)})[^>]*?{_VALUE_ATTR}", re.I)),
    # Any other hidden input may carry a per-session value nobody has named yet; only the form id stays.
    Rule("hidden input", re.compile(
        rf"""<input\b(?=[^>]*(?<![\w-])type\s*=\s*["']?hidden)(?![^>]*{_input_with_name(_alternatives(KEEP_HIDDEN))})"""
        rf"[^>]*?{_VALUE_ATTR}", re.I), leak=False),
    # ["LSD",[],{"token":"AV..."}], ["DTSGInitialData",[],{"token":...,"async_get_token":...}], SiteData's __spin_*.
    *(Rule("token field", p) for p in _json_fields(TOKEN_FIELDS + TOKEN_NAMES)),
    # CurrentUserInitialData and friends: who is logged in.
    *(Rule("user id field", p) for p in _json_fields(USER_ID_FIELDS)),
    # The person's name as the page greets them ("Jane Doe", "Jane", her user name).
    *(Rule("name field", p) for p in _json_fields(NAME_FIELDS)),
    # Links to the person's own profile.
    Rule("profile link", re.compile(r"profile\.php\?id=(?P<v>\d+)")),
    # fb_dtsg=...&jazoest=... in URLs and request bodies; datr=...; c_user=...; xs=... cookie strings.
    Rule("token or cookie pair", re.compile(
        rf"(?<![\w.$%-])(?:{_alternatives(TOKEN_NAMES + COOKIE_NAMES)})=(?P<v>[^&;\"'\s<>#\\,)]+)")),
)

# name@domain, with @ as Meta writes it in HTML, JSON (\u0040), URLs (%40) and entities; a name
# may follow a JSON escape ("Jane \u003cjane\u0040...") but never starts inside one.
_EMAIL = re.compile(
    r"(?:(?<=\\u[0-9a-fA-F]{4})|(?<![\\A-Za-z0-9._+\-]))"
    r"(?P<local>[A-Za-z0-9][A-Za-z0-9._+\-]*)"
    r"(?P<at>@|\\u0040|%40|&#64;|&#x40;)"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,63}))(?![A-Za-z0-9-])",
    re.IGNORECASE)


def _secret_spans(match: re.Match) -> list[tuple[int, int, str, str]]:
    """(start, end, value, stand-in) of each secret in a match: JSON numbers stay numbers."""
    return [(match.start(g), match.end(g), match.group(g), "0" if g == "n" else REDACTED)
            for g in ("v", "v2", "n") if g in match.re.groupindex and match.group(g) is not None]


def _is_placeholder(value: str) -> bool:
    return _PLACEHOLDER.fullmatch(value.strip()) is not None


def _real_email(match: re.Match) -> bool:
    return match.group("tld").lower() not in _ASSET_TLDS and not is_example_domain(match.group("domain"))


def known_values(values: Iterable[str]) -> list[str]:
    """The person's own strings to scrub; too short a value would eat ordinary words."""
    cleaned = [v.strip() for v in values if v and v.strip()]
    short = [v for v in cleaned if len(v) < MIN_KNOWN]
    if short:
        raise BadInput(f"--known: {short[0]!r} is shorter than {MIN_KNOWN} characters; give whole names or addresses")
    return cleaned


def scrub(text: str, known: Iterable[str] = (), known_as: str | None = None) -> str:
    """The page with the person's addresses, names, ids, tokens and cookies replaced.

    Addresses become person@example.com (person2@..., one per distinct address) so forms still
    look filled; everything else becomes REDACTED (numbers: 0), so a later test can tell.
    `known_as`: one stand-in for every `known` value instead (failure snapshots say [redacted])."""
    for value in sorted({v for v in known if v and len(v) >= MIN_KNOWN}, key=len, reverse=True):
        stand_in = known_as or ("person@example.com" if "@" in value else REDACTED)
        text = re.sub(any_spelling(value), stand_in, text, flags=re.IGNORECASE)

    seen = _harvest(text)
    for rule in RULES:
        text = _replace_spans(rule.pattern, text)
    for value in sorted(seen, key=len, reverse=True):
        # The same id or name elsewhere on the page (aria-labels, greetings, links); as whole words,
        # and in the case the page gave, since these come from the page rather than the person.
        text = re.sub(rf"(?<!\w){any_spelling(value)}(?!\w)", REDACTED, text)

    aliases: dict[str, str] = {}

    def address(match: re.Match) -> str:
        if not _real_email(match):
            return match.group(0)
        key = f"{match.group('local')}@{match.group('domain')}".lower()
        local = aliases.setdefault(key, "person" if not aliases else f"person{len(aliases) + 1}")
        return f"{local}{match.group('at')}example.com"

    return _EMAIL.sub(address, text)


_HARVEST = (*_json_fields(USER_ID_FIELDS), *_json_fields(("NAME", "SHORT_NAME")))


def _harvest(text: str) -> set[str]:
    """Who is logged in, from the page's own data: long ids, and the upper-case NAME fields that
    only the current-user data uses (other names, such as an account called Instagram, stay)."""
    found = set()
    for pattern in _HARVEST:
        for match in pattern.finditer(text):
            for _, _, value, _ in _secret_spans(match):
                if (value.isdigit() and len(value) >= 6) or (not value.isdigit() and len(value) >= MIN_KNOWN
                                                             and not _is_placeholder(value) and "\\" not in value):
                    found.add(value)
    return found


def _replace_spans(pattern: re.Pattern, text: str) -> str:
    pieces, last = [], 0
    for match in pattern.finditer(text):
        for start, end, value, stand_in in _secret_spans(match):
            if not _is_placeholder(value):
                pieces += [text[last:start], stand_in]
                last = end
    return "".join(pieces) + text[last:]


def find_leaks(text: str) -> list[str]:
    """What a file still gives away: real addresses and real-looking token, id, name or cookie values.

    Template slots ($lsd, ${x}, {{x}}) and our own placeholders pass. Values are reported masked
    (two characters and a length), so a failing test does not print them again."""
    found: set[tuple[int, str]] = set()
    for match in _EMAIL.finditer(text):
        if _real_email(match):
            local, at, domain = match.group("local", "at", "domain")
            found.add((_line(text, match.start()), f"email {local[:1]}***{at}{domain}"))
    for rule in RULES:
        if not rule.leak:
            continue
        for match in rule.pattern.finditer(text):
            for start, end, value, _ in _secret_spans(match):
                if not _is_placeholder(value):
                    before = " ".join(text[match.start():start].split())[-32:]
                    found.add((_line(text, start), f"{rule.what} {before}{value[:2]}… ({end - start} chars)"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# --- saving steps -------------------------------------------------------------------------


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _read_page(page: Page) -> tuple[str, str, str]:
    """HTML, URL and language, once the document has loaded (a step may still be navigating)."""
    from playwright.sync_api import Error as PlaywrightError

    tries = 3
    while True:
        try:
            page.wait_for_load_state("domcontentloaded", timeout=30_000)
            lang = page.evaluate("() => document.documentElement.lang || ''")
            return page.content(), page.url, lang
        except PlaywrightError:
            # Mid-navigation the old document goes away; the next wait is for the new one.
            tries -= 1
            if not tries or page.is_closed():
                raise


def save_step(page: Page, out_dir: Path, step: str, known: list[str], target: str = "") -> Path:
    """Scrub the page, write `<step>.html` (0600, in a 0700 folder) and record it in capture.json."""
    folder = private_dir(Path(out_dir))
    content, url, lang = _read_page(page)
    clean = scrub(content, known)
    left = find_leaks(clean) + [f"a --known value ({len(v)} chars)" for v in known if v.lower() in clean.lower()]
    if left:
        # The rules and the check are one table, so this means a bug; keep nothing rather than a leak.
        raise OptoutError(f"scrubbing left {len(left)} secret(s) in {step}; nothing was saved: {left[0]}")
    path = write_new(folder, step, ".html", clean.encode("utf-8"))
    entry = {"step": step, "file": path.name, "url": scrub(url, known), "language": lang, "captured_at": _utc_now()}
    manifest = folder / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}
    if not data:  # the first step describes the capture: when, where it started, in which language
        data = {"captured_at": entry["captured_at"], "url": entry["url"], "language": lang, "target": target,
                "tool_version": __version__, "steps": []}
    data["steps"].append(entry)
    replace_private(manifest, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    return path


def step_name(index: int) -> str:
    return STEP_NAMES[index] if index < len(STEP_NAMES) else f"step-{index + 1}"


def run_capture(page: Page, out_dir: Path, target: str, known: list[str], ask: Callable[[str], str],
                say: Callable[[str], object] = lambda text: None, start_url: str | None = None) -> list[Path]:
    """Open the target's start page, then save one step each time the person presses Enter.

    The person does the walking (and any log-in) in the window; this only reads the page."""
    from playwright.sync_api import Error as PlaywrightError

    from optout_bot import recipe as recipes
    from optout_bot.person import newest_page

    url = start_url or str(recipes.load(target).start_url)
    try:
        page.goto(url, wait_until="domcontentloaded")
    except PlaywrightError as exc:
        # The person can still get there by hand; a capture is worth more than a clean start.
        say(f"Could not open {url} ({str(exc).splitlines()[0]}); open it in the window yourself.")
    saved: list[Path] = []
    while True:
        name = step_name(len(saved))
        if saved:
            prompt = (f"Step {len(saved) + 1} ({name}): go to the next step in the window (log in if asked), "
                      "then press Enter here to save it, or type q to finish")
        else:
            prompt = ("Step 1 (genai): when the window shows the Privacy Center page (log in or decline cookies "
                      "if asked), press Enter here to save it, or type q to finish")
        if ask(prompt).strip().lower() in ("q", "quit"):
            break
        current = newest_page(page)
        if current is None:
            say("The window was closed; the capture ends here.")
            break
        path = save_step(current, Path(out_dir), name, known, target=target)
        saved.append(path)
        say(f"Saved {path} (scrubbed).")
    return saved
