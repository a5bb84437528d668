"""A local mock of Meta's "object to AI training" pages, served from the fixtures in fixtures/.

It plays the whole flow (Privacy Center page -> objection form -> emailed code -> confirmation)
in server-rendered or React-style markup, in fourteen languages, and records everything a test needs
to check what a bot did. Like the real pages, class names and ids are regenerated on every load,
so only roles, labels and texts are stable. Standard library only, plus pycountry for the
country names.
"""

from __future__ import annotations

import copy
import gettext
import html
import json
import random
import re
import secrets
import string
import sys
import threading
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

import pycountry

__all__ = ["MockSite", "Variant", "parse_variant", "VARIANT_TOKENS", "TEST_CODE", "serve"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

TEST_CODE = "314159"
MAX_CODE_ATTEMPTS = 3
FLAKY_FAILURES = 2
SLOW_SUBMIT_SECONDS = 1.5
PREFILLED_EMAIL = "someone.else@example.com"

START_PATH = "/privacy/genai/"
CONTACT_PREFIX = "/help/contact/"
SUBMIT_PATH = "/ajax/help/contact/submit/page"
CONFIRM_PATH = "/ajax/help/contact/confirm"
LOGIN_PATH = "/accounts/login"
MAILBOX_PATH = "/__mock/mailbox"
SESSION_COOKIE = "mock_session"
CHOICE_COOKIE = "mock_cookie_choice"
AJAX_PREFIX = "for (;;);"  # Meta's ajax endpoints prefix their JSON with this
MAX_BODY = 20 * 1024 * 1024
# Meta-style logging and the state endpoint itself are left out of the request log.
UNLOGGED_PATHS = {"/__mock/state", "/__mock/event"}

# Variant token -> gettext catalogue of pycountry's country names (None: English as stored).
LANGUAGES: dict[str, str | None] = {
    "en": None, "de": "de", "fr": "fr", "es": "es", "it": "it", "nl": "nl",
    "pt-PT": "pt", "pt-BR": "pt_BR", "pl": "pl", "ro": "ro",
    "sv": "sv", "cs": "cs", "el": "el", "bg": "bg",
}
_LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "nl": "Dutch", "pt-PT": "European Portuguese", "pt-BR": "Brazilian Portuguese",
    "pl": "Polish", "ro": "Romanian", "sv": "Swedish", "cs": "Czech", "el": "Greek", "bg": "Bulgarian",
}

VARIANT_TOKENS: dict[str, str] = {
    "server": "server-rendered HTML; Send and Confirm are full-page form POSTs (default)",
    "react": "empty root div plus an inline JS app: div role=button, ARIA country combobox, "
             "content swapped in place via fetch(), no navigation",
    **{lang: f"{name} texts" + (" (default)" if lang == "en" else "")
       for lang, name in _LANGUAGE_NAMES.items()},
    "combobox": "country as an ARIA typeahead combobox with a hidden Field<digits>_iso2_country_code "
                "(always on with react)",
    "select-names": "native country <select> whose option values are opaque numeric ids, not ISO codes",
    "cookie": "Instagram-style cookie dialog (hashed classes only) covering the pages until a choice is made",
    "cookie-fb": "Facebook-style cookie dialog (data-testid, data-cookiebanner; accept-all first in the DOM)",
    "cookie-allow-only": "cookie dialog that offers only 'Allow all cookies'",
    "ai-question": "the generic objection form (a 2025 path from the Privacy Policy): it first asks whether the "
                   "request is about AI at Meta (Yes/No radios); the other fields show only after Yes",
    "no-code": "no emailed-code step: Send leads straight to the confirmation (2025 logged-in flow)",
    "already": "an objection from this account already stands: Send is answered 'You've already objected' (no code step)",
    "login": "log-in wall on the pages until POST /accounts/login sets a mock_session cookie",
    "prefilled": f"the email field arrives filled with {PREFILLED_EMAIL} (as for a logged-in account)",
    "missing-email": "the form has no email field (layout drift)",
    "missing-country": "the form has no country field (layout drift)",
    "missing-reason": "the form has no reason text box (layout drift)",
    "lookalike": "the right-to-object link points to a look-alike, non-Meta host",
    "other-form": "the right-to-object link leads to Meta's 'Request a copy of your information' form: "
                  "country, email and a text box as on the objection form, and a thanks like its own",
    "flaky": f"the first {FLAKY_FAILURES} GETs of the start page answer 503 with a Meta-style error page",
    "new-tab": "the right-to-object link opens in a new tab (target=_blank)",
    "facebook": "Facebook-style pages and wording; form at /help/contact/6359191084165019",
    "slow": f"the server waits ~{SLOW_SUBMIT_SECONDS} s before answering Send",
    "slow-code": f"the server takes the code at once but waits ~{SLOW_SUBMIT_SECONDS} s before answering it",
}

_MARKUPS = ("server", "react")
_COOKIE_TOKENS = ("cookie", "cookie-fb", "cookie-allow-only")
_MISSING_TOKENS = {"missing-email": "email", "missing-country": "country", "missing-reason": "reason"}
# On/off tokens; each sets the Variant field of its name with "_" for "-".
_FLAG_TOKENS = {token: token.replace("-", "_") for token in (
    "combobox", "select-names", "ai-question", "no-code", "already", "login", "prefilled", "lookalike", "other-form", "flaky", "new-tab", "facebook",
    "slow", "slow-code")}


# --------------------------------------------------------------------------- variants


@dataclass(frozen=True)
class Variant:
    """Which shape of the pages the mock serves; see VARIANT_TOKENS."""

    markup: str = "server"
    lang: str = "en"
    cookie: str | None = None  # one of _COOKIE_TOKENS
    missing: frozenset[str] = frozenset()  # subset of {"email", "country", "reason"}
    combobox: bool = False
    select_names: bool = False
    ai_question: bool = False
    no_code: bool = False
    already: bool = False
    login: bool = False
    prefilled: bool = False
    lookalike: bool = False
    other_form: bool = False
    flaky: bool = False
    new_tab: bool = False
    facebook: bool = False
    slow: bool = False
    slow_code: bool = False

    @property
    def react(self) -> bool:
        return self.markup == "react"

    @property
    def uses_combobox(self) -> bool:
        return self.combobox or self.react

    @property
    def brand(self) -> str:
        return "facebook" if self.facebook else "instagram"

    def tokens(self) -> list[str]:
        """Canonical token list: markup and language first, then the rest in VARIANT_TOKENS order."""
        chosen = [self.markup, self.lang]
        for token in VARIANT_TOKENS:
            if (token == self.cookie
                    or _MISSING_TOKENS.get(token) in self.missing
                    or (token in _FLAG_TOKENS and getattr(self, _FLAG_TOKENS[token]))):
                chosen.append(token)
        return chosen

    def __str__(self) -> str:
        return ",".join(self.tokens())


def parse_variant(spec: str) -> Variant:
    """Parse comma-separated tokens such as "react,de,cookie" into a Variant."""
    by_lower = {token.lower(): token for token in VARIANT_TOKENS}
    picked: dict[str, str] = {}  # one-of groups: field -> token
    flags: dict[str, bool] = {}
    missing: set[str] = set()
    for raw in spec.split(","):
        text = raw.strip()
        if not text:
            continue
        token = by_lower.get(text.lower())
        if token is None:
            raise ValueError(
                f"unknown mock-site variant token {text!r}; accepted tokens: {', '.join(VARIANT_TOKENS)}")
        if token in _MISSING_TOKENS:
            missing.add(_MISSING_TOKENS[token])
        elif token in _FLAG_TOKENS:
            flags[_FLAG_TOKENS[token]] = True
        else:
            group = "markup" if token in _MARKUPS else "cookie" if token in _COOKIE_TOKENS else "lang"
            if picked.get(group, token) != token:
                raise ValueError(f"variant tokens {picked[group]!r} and {token!r} cannot be combined; pick one")
            picked[group] = token
    variant = Variant(missing=frozenset(missing), **picked, **flags)
    if variant.select_names and variant.uses_combobox:
        raise ValueError("variant token 'select-names' needs the native <select>; "
                         "it cannot be combined with 'combobox' or 'react'")
    return variant


# --------------------------------------------------------------------------- texts and countries


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, for sorting and matching country names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _with_brand(value, brand: str):
    if isinstance(value, str):
        return value.replace("{brand}", brand)
    if isinstance(value, list):
        return [_with_brand(item, brand) for item in value]
    return value


@lru_cache(maxsize=None)
def _texts(lang: str, brand: str) -> dict:
    raw = json.loads((FIXTURES / "strings" / f"{lang}.json").read_text("utf-8"))
    return {key: _with_brand(value, brand) for key, value in raw.items()}


@lru_cache(maxsize=None)
def _countries(lang: str) -> tuple[tuple[str, str], ...]:
    """(ISO alpha-2, name in the page language), sorted as a reader of that language expects."""
    catalogue = LANGUAGES[lang]
    names = (gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[catalogue])
             if catalogue else gettext.NullTranslations())

    def local_name(country) -> str:
        # Prefer the everyday name ("Moldova", not "Moldova, Republic of") where it is translated.
        common = getattr(country, "common_name", None)
        if common and (catalogue is None or names.gettext(common) != common):
            return names.gettext(common)
        return names.gettext(country.name)

    pairs = ((country.alpha_2, local_name(country)) for country in pycountry.countries)
    return tuple(sorted(pairs, key=lambda pair: _fold(pair[1])))


# --------------------------------------------------------------------------- HTML building


class Markup(str):
    """HTML built here from escaped parts: substituted into templates without escaping again."""


_VOID_TAGS = {"input", "br", "img", "meta"}


def _esc(value) -> Markup:
    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


def _join(parts) -> Markup:
    return Markup("".join(_esc(part) for part in parts))


def _tag(name: str, attrs: dict, inner="") -> Markup:
    """One element; attributes with None/False are left out, True gives a bare attribute."""
    rendered = [name] + [key if value is True else f'{key}="{html.escape(str(value))}"'
                         for key, value in attrs.items() if value is not None and value is not False]
    opening = f"<{' '.join(rendered)}>"
    return Markup(opening if name in _VOID_TAGS else f"{opening}{_esc(inner)}</{name}>")


@lru_cache(maxsize=None)
def _template(name: str) -> string.Template:
    return string.Template((FIXTURES / name).read_text("utf-8"))


def _script_json(data) -> str:
    """JSON that is safe inside an inline <script> (no '</script>' or '<!--' can appear)."""
    text = json.dumps(data, ensure_ascii=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


_ATOM_CHARS = string.ascii_lowercase + string.digits


class _Page:
    """One page load. Class names and ids are made up afresh for each load, like Meta's hashed
    atomic classes and React's ids, so a bot cannot lean on them."""

    def __init__(self, texts: dict, rng: random.Random):
        self.texts = texts
        self.classes: dict[str, str] = {}
        self._ids: dict[str, str] = {}
        self._rng = rng
        self._used: set[str] = set()

    def _fresh(self, make: Callable[[], str]) -> str:
        value = make()
        while value in self._used:
            value = make()
        self._used.add(value)
        return value

    def cls(self, name: str) -> str:
        if name not in self.classes:
            rng = self._rng
            atoms = [self._fresh(lambda: "x" + "".join(rng.choices(_ATOM_CHARS, k=rng.randint(6, 8))))
                     for _ in range(rng.randint(2, 4))]
            self.classes[name] = " ".join(atoms)
        return self.classes[name]

    def css(self, name: str) -> str:
        """The class atom the stylesheet uses for `name`."""
        return self.cls(name).split()[0]

    def id(self, name: str) -> str:
        if name not in self._ids:
            rng = self._rng
            self._ids[name] = self._fresh(
                lambda: f"u_{rng.randint(0, 9)}_{rng.randint(0, 255):x}_"
                        + "".join(rng.choices(string.ascii_letters, k=2)))
        return self._ids[name]

    def fill(self, template: str, **values) -> Markup:
        return Markup(_template(template).substitute(_Slots(self, values)))


class _Slots:
    """Template slots: $c_x class names, $s_x stylesheet atoms, $id_x ids, $t_x page texts,
    anything else from the given values. Everything is escaped unless it is Markup."""

    def __init__(self, page: _Page, values: dict):
        self.page = page
        self.values = values

    def __getitem__(self, key: str) -> str:
        kind, _, rest = key.partition("_")
        if key in self.values:
            value = self.values[key]
        elif kind == "c":
            value = self.page.cls(rest)
        elif kind == "s":
            value = self.page.css(rest)
        elif kind == "id":
            value = self.page.id(rest)
        elif kind == "t":
            value = self.page.texts[rest]
        else:
            raise KeyError(key)
        return _esc(value)


# --------------------------------------------------------------------------- forms


@dataclass(frozen=True)
class _Field:
    role: str  # topic | country | email | reason | name | files
    name: str  # the posted name, Field<digits> as on Meta's contact forms
    label: str  # text key
    required: bool = True


@dataclass(frozen=True)
class _Form:
    kind: str  # "objection" | "third-party" | "copy"
    form_id: str
    title: str  # text key
    intro: str  # text key
    fields: tuple[_Field, ...]

    def field(self, role: str) -> _Field | None:
        return next((f for f in self.fields if f.role == role), None)


@dataclass(frozen=True)
class _Brand:
    name: str
    form_id: str
    third_party_id: str
    copy_id: str  # "Request a copy of your information": another of Meta's forms
    lookalike_url: str
    field_base: int  # Field<digits> names are derived from this, stable per brand as on the real forms


_BRANDS = {
    "instagram": _Brand("Instagram", "233964459562201", "1283956405581063", "366993967229337",
                        "https://help.instagram.com.account-verify.example/contact/233964459562201",
                        1412795478919520),
    "facebook": _Brand("Facebook", "6359191084165019", "1191934328657286", "2032834846972583",
                       "https://www.facebook.com.account-verify.example/help/contact/6359191084165019",
                       1618345265221004),
}


def _field_names(base: int, count: int) -> list[str]:
    return [f"Field{base + index * 3333333}" for index in range(count)]


def _build_forms(brand: _Brand, missing: frozenset[str], ai_question: bool = False) -> dict[str, _Form]:
    country, email, reason = _field_names(brand.field_base, 3)
    topic = (_Field("topic", _field_names(brand.field_base - 3333333, 1)[0], "topic_label"),) if ai_question else ()
    objection = _Form("objection", brand.form_id, "form_title", "form_intro", topic + tuple(
        f for f in (_Field("country", country, "country_label"), _Field("email", email, "email_label"),
                    _Field("reason", reason, "reason_label"))
        if f.role not in missing))
    name, email, country, prompt, files = _field_names(brand.field_base + 640_000_000_000, 5)
    third_party = _Form("third-party", brand.third_party_id, "tp_title", "tp_intro", (
        _Field("name", name, "tp_name_label", required=False), _Field("email", email, "email_label"),
        _Field("country", country, "country_label"), _Field("reason", prompt, "tp_prompt_label"),
        _Field("files", files, "tp_files_label", required=False)))
    country, email, prompt = _field_names(brand.field_base + 1_280_000_000_000, 3)
    copy = _Form("copy", brand.copy_id, "copy_title", "copy_intro", (
        _Field("country", country, "country_label"), _Field("email", email, "email_label"),
        _Field("reason", prompt, "copy_prompt_label")))
    return {form.form_id: form for form in (objection, third_party, copy)}


_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _mail_key(email: str) -> str:
    return email.strip().casefold()


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- HTTP plumbing


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    cookies: dict[str, str]
    form: dict[str, str]
    body: bytes

    @property
    def ajax(self) -> bool:
        return self.form.get("__a") == "1"


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def _json_response(data, status: int = 200, prefix: str = "") -> _Response:
    body = prefix + json.dumps(data, ensure_ascii=False)
    return _Response(status, body.encode("utf-8"), "application/json; charset=utf-8")


def _parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """Form fields of a POST body, decoded as UTF-8; a file field gives its file name."""
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                              encoding="utf-8", errors="replace"))
    if mime != "multipart/form-data":
        return {}
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename()
        if filename is not None:
            # Several files under one name: keep them all, comma-separated.
            fields[name] = ", ".join(filter(None, [fields.get(name, ""), filename]))
        else:
            fields[name] = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return fields


# --------------------------------------------------------------------------- the site


@dataclass
class _Pending:
    """A submission waiting for its emailed code."""

    record: dict
    email: str
    wrong: int = 0
    locked: bool = False
    confirmed: bool = False


class _Site:
    """The mock's behaviour and recorded state, independent of the HTTP server."""

    def __init__(self, variant: Variant):
        self.variant = variant
        self.brand = _BRANDS[variant.brand]
        self.texts = _texts(variant.lang, self.brand.name)
        self.countries = _countries(variant.lang)
        self.forms = _build_forms(self.brand, variant.missing, variant.ai_question)
        self._rng = random.Random(secrets.randbits(64))
        self._iso = {iso for iso, _ in self.countries}
        self._by_name = {_fold(name): iso for iso, name in self.countries}
        opaque = self._rng.sample(range(10 ** 14, 10 ** 15), len(self.countries)) if variant.select_names else []
        self._option_values = {iso: str(value) for (iso, _), value in zip(self.countries, opaque)}
        self._from_option_value = {value: iso for iso, value in self._option_values.items()}
        self._lock = threading.Lock()
        self._state = {
            "variant": str(variant), "requests": [], "submissions": [], "code_attempts": [],
            "confirmed": 0, "already": 0, "cookie_choices": [], "input_events": 0, "input_fields": [], "logins": 0,
        }
        self._mail: dict[str, str] = {}
        self._tokens: dict[str, str] = {}  # lsd -> jazoest, for every form served
        self._pending: dict[str, _Pending] = {}
        self._sessions: set[str] = set()
        self._start_gets = 0

    # ----- recorded state

    def state(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._state)

    def last_code(self, email: str) -> str | None:
        with self._lock:
            return self._mail.get(_mail_key(email))

    # ----- routing

    def handle(self, req: _Request) -> _Response:
        if req.path not in UNLOGGED_PATHS:
            with self._lock:
                self._state["requests"].append(f"{req.method} {req.path}")
        if req.method == "GET":
            return self._get(req)
        posts = {SUBMIT_PATH: self._submit, CONFIRM_PATH: self._confirm, LOGIN_PATH: self._login,
                 "/__mock/cookie": self._cookie_choice, "/__mock/event": self._event}
        handler = posts.get(req.path)
        return handler(req) if handler else self._message(req, "notfound_title", "notfound_text", 404)

    def _get(self, req: _Request) -> _Response:
        docs = {"/privacy/policy/": "privacy_policy", "/help/": "help_center",
                "/policies/cookies/": "cookie_policy", "/legal/terms/": "terms"}
        if req.path == START_PATH:
            return self._start_page(req)
        if req.path == START_PATH.rstrip("/"):
            return _Response(301, b"", headers=[("Location", START_PATH)])
        if req.path.startswith(CONTACT_PREFIX):
            return self._contact_page(req, req.path[len(CONTACT_PREFIX):].strip("/"))
        if req.path in docs:
            return self._message(req, docs[req.path], "doc_text")
        if req.path == MAILBOX_PATH:
            return self._mailbox(req)
        if req.path == MAILBOX_PATH + ".json":
            email = req.query.get("email", "")
            return _json_response({"email": email, "code": self.last_code(email)})
        if req.path == "/__mock/state":
            return _json_response(self.state())
        if req.path == "/favicon.ico":
            return _Response(404, b"", "text/plain")
        return self._message(req, "notfound_title", "notfound_text", 404)

    # ----- documents

    def _page(self) -> _Page:
        return _Page(self.texts, self._rng)

    def _document(self, req: _Request, page: _Page, *, title: str, section: str,
                  content: Markup | None = None, app: dict | None = None, events: bool = False,
                  boot: dict | None = None, status: int = 200) -> _Response:
        """Wrap a page in the brand's frame and the shell. With `app`, the body is an empty root
        and the React-style app renders the frame and the content client side."""
        boot = dict(boot or {}, events=events)
        dialog = self._cookie_dialog(req, page, boot)
        frame = f"{self.variant.brand}/frame.html"
        scripts = ["common/runtime.js"]
        if app is None:
            body = page.fill(frame, brand=self.brand.name, section=section, content=content)
            overlay = dialog
        else:
            root, mount = page.id("root"), page.id("mount")
            boot.update(app=app, root=root, mount=mount, texts=self.texts, idSeed=self._rng.randint(0, 40),
                        frame=page.fill(frame, brand=self.brand.name, section=section,
                                        content=_tag("div", {"id": mount})),
                        cookieHtml=dialog)
            body, overlay = _tag("div", {"id": root}), Markup("")
            scripts.append("react/app.js")
        css = _join([page.fill("common/style.css"), page.fill(f"{self.variant.brand}/style.css")])
        boot["classes"] = page.classes
        script_html = _join([Markup(f"<script>window.__mockBoot={_script_json(boot)};</script>")]
                            + [Markup(f"<script>\n{_template(name).template}</script>") for name in scripts])
        document = page.fill("common/shell.html", lang=self.variant.lang, title=title, css=css,
                             body=body, overlay=overlay, scripts=script_html)
        return _Response(status, document.encode("utf-8"))

    def _title(self, key: str) -> str:
        return f"{self.texts[key]} | {self.brand.name}"

    def _cookie_dialog(self, req: _Request, page: _Page, boot: dict) -> Markup:
        if not self.variant.cookie or req.cookies.get(CHOICE_COOKIE):
            return Markup("")
        template = {"cookie": "common/cookie_instagram.html", "cookie-fb": "common/cookie_facebook.html",
                    "cookie-allow-only": "common/cookie_allow_only.html"}[self.variant.cookie]
        dialog = page.fill(template)
        # The page script tells the buttons apart by this load's class atoms; nothing else marks them.
        boot["cookie"] = {page.css("cookie_all"): "all", page.css("cookie_essential"): "essential"}
        return dialog

    def _message(self, req: _Request, heading_key: str, text_key: str, status: int = 200,
                 *, alert: bool = False, back: bool = False) -> _Response:
        page = self._page()
        extra = _tag("a", {"href": START_PATH, "class": page.cls("link")}, self.texts["error_back"]) if back else ""
        content = page.fill("server/message.html", heading=self.texts[heading_key], text=self.texts[text_key],
                            role=Markup(' role="alert"') if alert else Markup(""), extra=extra)
        return self._document(req, page, title=self._title(heading_key), section=self.texts["section_help"],
                              content=content, status=status)

    def _logged_in(self, req: _Request) -> bool:
        with self._lock:
            return req.cookies.get(SESSION_COOKIE) in self._sessions

    def _login_wall(self, req: _Request) -> _Response | None:
        if not self.variant.login or self._logged_in(req):
            return None
        return self._login_page(req, req.path)

    def _login_page(self, req: _Request, next_path: str, error: bool = False) -> _Response:
        page = self._page()
        alert = _tag("div", {"role": "alert", "class": page.cls("form_alert")}, self.texts["login_error"]) if error else ""
        content = page.fill("server/login.html", next=next_path, error=alert)
        return self._document(req, page, title=self._title("login_title"), section=self.brand.name, content=content)

    # ----- start page

    def _start_page(self, req: _Request) -> _Response:
        with self._lock:
            self._start_gets += 1
            failing = self.variant.flaky and self._start_gets <= FLAKY_FAILURES
        if failing:
            return self._message(req, "error_title", "error_text", 503, back=True)
        wall = self._login_wall(req)
        if wall:
            return wall
        page = self._page()
        nav = [(START_PATH, self.texts["genai_title"]), ("/privacy/policy/", self.texts["privacy_policy"]),
               ("/policies/cookies/", self.texts["cookie_policy"]), ("/help/", self.texts["help_center"])]
        blocks = [(tag, self._segments(text)) for tag, text in self.texts["genai_blocks"]]
        common = dict(title=self._title("genai_title"), section=self.texts["section_privacy"])
        if self.variant.react:
            return self._document(req, page, app={"kind": "genai", "nav": nav, "blocks": blocks}, **common)
        article = _join(_tag(tag, {"class": page.cls(tag)}, _join(self._segment_html(page, s) for s in segments))
                        for tag, segments in blocks)
        links = _join(_tag("a", {"href": href, "class": page.cls("nav_link")}, text) for href, text in nav)
        return self._document(req, page, content=page.fill("server/genai.html", nav=links, article=article), **common)

    def _segments(self, text: str) -> list:
        """Running text with "[link text](#key)" markers -> strings and link dicts."""
        brand = self.brand
        targets = {"object": brand.lookalike_url if self.variant.lookalike
                   else CONTACT_PREFIX + (brand.copy_id if self.variant.other_form else brand.form_id),
                   "thirdparty": CONTACT_PREFIX + brand.third_party_id,
                   "policy": "/privacy/policy/", "help": "/help/"}
        segments: list = []
        for index, part in enumerate(re.split(r"\[([^\]]+)\]\(#(\w+)\)", text)):
            if index % 3 == 0:
                segments.append(part)
            elif index % 3 == 1:
                segments.append({"text": part})
            else:
                segments[-1].update(href=targets[part], newTab=part == "object" and self.variant.new_tab)
        return [s for s in segments if s]

    @staticmethod
    def _segment_html(page: _Page, segment) -> Markup:
        if isinstance(segment, str):
            return _esc(segment)
        new_tab = segment["newTab"]
        return _tag("a", {"href": segment["href"], "class": page.cls("link"), "target": new_tab and "_blank",
                          "rel": new_tab and "noopener noreferrer"}, segment["text"])

    # ----- the forms

    def _contact_page(self, req: _Request, form_id: str) -> _Response:
        form = self.forms.get(form_id)
        if form is None:
            return self._message(req, "notfound_title", "notfound_text", 404)
        wall = self._login_wall(req)
        if wall:
            return wall
        email = form.field("email")
        values = {email.name: PREFILLED_EMAIL} if email and self.variant.prefilled else {}
        return self._form_document(req, form, values)

    def _issue_tokens(self) -> tuple[str, str]:
        lsd = "AV" + secrets.token_urlsafe(8)[:9]
        jazoest = "2" + str(sum(map(ord, lsd)))
        with self._lock:
            self._tokens[lsd] = jazoest
        return lsd, jazoest

    def _tokens_ok(self, data: dict[str, str]) -> bool:
        with self._lock:
            expected = self._tokens.get(data.get("lsd", ""))
        return expected is not None and expected == data.get("jazoest")

    def _form_document(self, req: _Request, form: _Form, values: dict[str, str],
                       error: tuple[str | None, str] | None = None) -> _Response:
        page = self._page()
        lsd, jazoest = self._issue_tokens()
        common = dict(title=self._title(form.title), section=self.texts["section_help"], events=True)
        countries = [list(pair) for pair in self.countries]
        if self.variant.react:
            fields = [{"role": f.role, "name": f.name, "label": self.texts[f.label], "value": values.get(f.name, ""),
                       "required": f.required} for f in form.fields]
            if form.field("topic"):
                fields[0].update(yes=self.texts["topic_yes"], no=self.texts["topic_no"], other=self.texts["topic_other"])
            app = {"kind": "form", "formKind": form.kind, "formId": form.form_id, "title": self.texts[form.title],
                   "intro": self.texts[form.intro], "fields": fields, "lsd": lsd, "jazoest": jazoest,
                   "countries": countries}
            return self._document(req, page, app=app, **common)
        error_field, message = error or (None, None)
        boot: dict = {}
        fields_html = _join(self._field_html(page, f, values, message if f.name == error_field else None, boot)
                            for f in form.fields if f.role != "topic")
        topic = form.field("topic")
        if topic:
            fields_html = self._topic_html(page, topic, values, message if topic.name == error_field else None,
                                           fields_html, boot)
        if boot.get("combos"):
            boot.update(countries=countries, optionClass=page.cls("option"), activeClass=page.css("option_active"))
        form_alert = (_tag("div", {"role": "alert", "class": page.cls("form_alert")}, message)
                      if message and error_field is None else "")
        intro = _join(_tag("p", {"class": page.cls("intro")}, text) for text in self.texts[form.intro])
        enctype = "multipart/form-data" if form.field("files") else "application/x-www-form-urlencoded"
        content = page.fill("server/form.html", title=self.texts[form.title], intro=intro, form_alert=form_alert,
                            fields=fields_html, lsd=lsd, jazoest=jazoest, form_id=form.form_id, enctype=enctype)
        return self._document(req, page, content=content, boot=boot, **common)

    def _field_html(self, page: _Page, f: _Field, values: dict[str, str], error: str | None, boot: dict) -> Markup:
        control_id, error_id = page.id(f.name), page.id(f.name + "_error")
        attrs = {"id": control_id, "name": f.name, "class": page.cls("control"),
                 "aria-required": "true" if f.required else None,
                 "aria-invalid": "true" if error else None, "aria-describedby": error_id if error else None}
        value = values.get(f.name, "")
        if f.role == "country":
            control = self._country_html(page, f, values, attrs, boot)
        elif f.role == "reason":
            # A textarea drops one leading newline when parsed, so add one to keep the value exact.
            control = _tag("textarea", {**attrs, "class": f"{attrs['class']} {page.cls('textarea')}", "rows": "5"},
                           "\n" + value)
        elif f.role == "files":
            control = _tag("input", {**attrs, "type": "file", "multiple": True, "accept": "image/*"})
        else:
            control = _tag("input", {**attrs, "type": "text", "value": value,
                                     "inputmode": "email" if f.role == "email" else None,
                                     "autocomplete": "email" if f.role == "email" else "name"})
        alert = _tag("div", {"role": "alert", "id": error_id, "class": page.cls("alert")}, error) if error else ""
        return page.fill("server/field.html", label=self.texts[f.label], control_id=control_id,
                         control=control, error=alert)

    def _topic_html(self, page: _Page, f: _Field, values: dict[str, str], error: str | None, rest: Markup,
                    boot: dict) -> Markup:
        """Yes/No radios in a fieldset; the fields after it stay hidden until Yes (the page script)."""
        answer = values.get(f.name, "")
        error_id, gate_id, other_id = page.id(f.name + "_error"), page.id(f.name + "_gate"), page.id(f.name + "_other")
        boot["topic"] = {"name": f.name, "gate": gate_id, "other": other_id}
        radios = _join(_tag("label", {"class": page.cls("choice")}, _join([
            _tag("input", {"type": "radio", "name": f.name, "value": value, "checked": answer == value,
                           "class": page.cls("radio"), "aria-describedby": error_id if error else None}),
            " ", self.texts[key]])) for value, key in (("yes", "topic_yes"), ("no", "topic_no")))
        alert = _tag("div", {"role": "alert", "id": error_id, "class": page.cls("alert")}, error) if error else ""
        legend = _tag("legend", {"class": page.cls("label")}, self.texts[f.label])
        other = _tag("p", {"id": other_id, "class": page.cls("intro"), "hidden": answer != "no"}, self.texts["topic_other"])
        return _join([_tag("fieldset", {"class": page.cls("field")}, _join([legend, radios, alert, other])),
                      _tag("div", {"id": gate_id, "class": page.cls("gate"), "hidden": answer != "yes"}, rest)])

    def _country_html(self, page: _Page, f: _Field, values: dict[str, str], attrs: dict, boot: dict) -> Markup:
        if not self.variant.uses_combobox:
            chosen = values.get(f.name, "")
            options = [_tag("option", {"value": ""}, self.texts["country_select"])]
            options += [_tag("option", {"value": value, "selected": value == chosen}, name)
                        for value, name in ((self._option_values.get(iso, iso), name) for iso, name in self.countries)]
            return _tag("select", attrs, _join(options))
        hidden_id, listbox_id = page.id(f.name + "_iso"), page.id(f.name + "_listbox")
        boot.setdefault("combos", []).append({"input": attrs["id"], "hidden": hidden_id, "listbox": listbox_id})
        return _join([
            _tag("input", {**attrs, "type": "text", "role": "combobox", "aria-autocomplete": "list",
                           "aria-expanded": "false", "aria-controls": listbox_id, "autocomplete": "off",
                           "placeholder": self.texts["country_search"], "value": values.get(f.name, "")}),
            _tag("input", {"type": "hidden", "id": hidden_id, "name": f"{f.name}_iso2_country_code",
                           "value": values.get(f"{f.name}_iso2_country_code", "")}),
            _tag("div", {"role": "listbox", "id": listbox_id, "class": page.cls("listbox"), "hidden": True}),
        ])

    def _country_of(self, form: _Form, data: dict[str, str]) -> str | None:
        f = form.field("country")
        if f is None:
            return None
        if self.variant.uses_combobox:  # only a picked option counts, as on the real typeahead
            iso = data.get(f"{f.name}_iso2_country_code", "").strip().upper()
            return iso if iso in self._iso else None
        value = data.get(f.name, "").strip()
        if self.variant.select_names:
            return self._from_option_value.get(value)
        return value.upper() if value.upper() in self._iso else self._by_name.get(_fold(value))

    def _validate(self, form: _Form, data: dict[str, str], record: dict) -> tuple[str | None, str] | None:
        """(field name or None, message) of the first problem, in the order the page shows fields."""
        if not record["tokens_ok"]:
            return None, self.texts["err_generic"]
        for f in form.fields:
            value = data.get(f.name, "").strip()
            if f.role == "topic" and value != "yes":
                return f.name, self.texts["err_topic"]
            if f.role == "country" and record["country"] is None:
                return f.name, self.texts["err_country"]
            if f.role == "email" and not _EMAIL_RE.fullmatch(value):
                return f.name, self.texts["err_email"]
            if f.role == "reason" and not value:
                return f.name, self.texts["err_reason"]
        return None

    def _submit(self, req: _Request) -> _Response:
        data = {key: _lf(value) for key, value in req.form.items()}
        form = self.forms.get(data.get("support_form_id", ""))
        if form is None or (self.variant.login and not self._logged_in(req)):
            return self._failure(req)
        email_field, reason_field = form.field("email"), form.field("reason")
        record = {"form": form.kind, "form_id": form.form_id,
                  "fields": {key: value for key, value in data.items() if key != "__a"},
                  "country": self._country_of(form, data),
                  "email": data.get(email_field.name) if email_field else None,
                  "reason": data.get(reason_field.name) if reason_field else None,
                  "tokens_ok": self._tokens_ok(data), "accepted": False, "error": None}
        problem = self._validate(form, data, record)
        record["accepted"] = problem is None
        record["error"] = problem[1] if problem else None
        email = (record["email"] or "").strip()
        pending_id = None
        with self._lock:
            self._state["submissions"].append(record)
            if problem is None and form.kind == "objection" and self.variant.already:
                self._state["already"] += 1  # nothing new stands: no confirmation counted
            elif problem is None and form.kind == "objection":
                if self.variant.no_code or not email:
                    self._state["confirmed"] += 1
                else:
                    pending_id = secrets.token_urlsafe(12)
                    self._pending[pending_id] = _Pending(record, email)
                    self._mail[_mail_key(email)] = TEST_CODE
        if self.variant.slow:
            time.sleep(SLOW_SUBMIT_SECONDS)  # sleep-ok: simulates a slow site
        if problem:
            if req.ajax:
                return _json_response({"status": "invalid", "field": problem[0], "error": problem[1]},
                                      prefix=AJAX_PREFIX)
            return self._form_document(req, form, data, problem)
        if form.kind != "objection":
            return self._done(req, "received", "tp_done_title", f"{form.kind.replace('third-party', 'tp')}_done_text")
        if self.variant.already:
            return self._done(req, "already", "already_title", "already_text")
        if pending_id is None:
            return self._done(req, "done", "done_title", "done_text")
        if req.ajax:
            return _json_response({"status": "code", "request": pending_id, "email": email}, prefix=AJAX_PREFIX)
        return self._code_document(req, pending_id)

    def _done(self, req: _Request, status: str, heading_key: str, text_key: str) -> _Response:
        if req.ajax:
            return _json_response({"status": status}, prefix=AJAX_PREFIX)
        page = self._page()
        content = page.fill("server/done.html", heading=self.texts[heading_key], text=self.texts[text_key])
        return self._document(req, page, title=self._title(heading_key), section=self.texts["section_help"],
                              content=content)

    def _failure(self, req: _Request) -> _Response:
        """Bad tokens, unknown form or request, or no log-in: Meta's generic error."""
        if req.ajax:
            return _json_response({"status": "error", "error": self.texts["err_generic"]}, prefix=AJAX_PREFIX)
        return self._message(req, "error_title", "err_generic", 400, alert=True, back=True)

    def _code_document(self, req: _Request, pending_id: str, error: str | None = None) -> _Response:
        page = self._page()
        lsd, jazoest = self._issue_tokens()
        error_id = page.id("code_error")
        control = _tag("input", {"id": page.id("code"), "name": "code", "type": "text", "class":
                                 f"{page.cls('control')} {page.cls('code_input')}", "autocomplete": "one-time-code",
                                 "inputmode": "numeric", "maxlength": "6", "aria-invalid": "true" if error else None,
                                 "aria-describedby": error_id if error else None})
        alert = _tag("div", {"role": "alert", "id": error_id, "class": page.cls("alert")}, error) if error else ""
        with self._lock:
            email = self._pending[pending_id].email
        content = page.fill("server/code.html", code_text=self.texts["code_text"].replace("{email}", email),
                            lsd=lsd, jazoest=jazoest, request_id=pending_id, control=control, error=alert)
        return self._document(req, page, title=self._title("code_title"), section=self.texts["section_help"],
                              content=content, events=True)

    def _confirm(self, req: _Request) -> _Response:
        data = req.form
        code = data.get("code", "").strip()
        pending_id = data.get("request_id", "")
        tokens_ok = self._tokens_ok(data)
        with self._lock:
            pending = self._pending.get(pending_id)
            if pending is None or not tokens_ok:
                outcome = "error"
            else:
                ok = code == TEST_CODE and not pending.locked
                self._state["code_attempts"].append({"code": code, "ok": ok})
                if pending.locked:
                    outcome = "refused"
                elif ok:
                    if not pending.confirmed:
                        pending.confirmed = True
                        self._state["confirmed"] += 1
                    outcome = "done"
                else:
                    pending.wrong += 1
                    outcome = "wrong"
                    if pending.wrong >= MAX_CODE_ATTEMPTS:
                        pending.locked = True
                        pending.record["error"] = self.texts["refused_text"]
                        outcome = "refused"
        if self.variant.slow_code:
            time.sleep(SLOW_SUBMIT_SECONDS)  # sleep-ok: simulates a slow site (the code is taken already)
        if outcome == "error":
            return self._failure(req)
        if outcome == "done":
            return self._done(req, "done", "done_title", "done_text")
        if outcome == "refused":
            if req.ajax:
                return _json_response({"status": "refused", "title": self.texts["refused_title"],
                                       "error": self.texts["refused_text"]}, prefix=AJAX_PREFIX)
            return self._message(req, "refused_title", "refused_text", alert=True)
        if req.ajax:
            return _json_response({"status": "wrong", "error": self.texts["err_code"]}, prefix=AJAX_PREFIX)
        return self._code_document(req, pending_id, self.texts["err_code"])

    # ----- log-in, cookies, logging, mailbox

    def _login(self, req: _Request) -> _Response:
        target = req.form.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = START_PATH  # never redirect off the site
        if not (req.form.get("username", "").strip() and req.form.get("password", "")):
            return self._login_page(req, target, error=True)
        session = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions.add(session)
            self._state["logins"] += 1  # only the count: the password is never kept
        return _Response(303, b"", headers=[("Location", target),
                                            ("Set-Cookie", f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax")])

    def _cookie_choice(self, req: _Request) -> _Response:
        choice = req.form.get("choice")
        if choice not in ("all", "essential"):
            return _json_response({"ok": False}, 400)
        with self._lock:
            self._state["cookie_choices"].append(choice)
        response = _json_response({"ok": True})
        response.headers.append(("Set-Cookie", f"{CHOICE_COOKIE}={choice}; Path=/; SameSite=Lax"))
        return response

    def _event(self, req: _Request) -> _Response:
        try:
            event = json.loads(req.body.decode("utf-8"))
        except ValueError:
            event = None
        if not isinstance(event, dict) or event.get("type") not in ("input", "keydown", "change"):
            return _Response(400, b"", "text/plain")
        name = str(event.get("field") or "unnamed")
        with self._lock:
            self._state["input_events"] += 1
            if name not in self._state["input_fields"]:
                self._state["input_fields"].append(name)
        return _Response(204, b"", "text/plain")

    def _mailbox(self, req: _Request) -> _Response:
        email = req.query.get("email", "")
        code = self.last_code(email) if email else None
        if code:
            result = _join([_tag("p", {}, f"Last code sent to {email.strip()}:"),
                            _tag("p", {"id": "code", "style": "font-size:32px;letter-spacing:6px"}, code)])
        elif email:
            result = _tag("p", {}, f"No code has been sent to {email.strip()}.")
        else:
            result = Markup("")
        page = self._page()
        return _Response(200, page.fill("common/mailbox.html", email=email, result=result).encode("utf-8"))


class _Handler(BaseHTTPRequestHandler):
    server_version = "MockMeta/1.0"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length) if length else b""
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except CookieError:  # a malformed cookie header is the client's problem, not a crash
            pass
        req = _Request(method, url.path, dict(parse_qsl(url.query)), {k: m.value for k, m in jar.items()},
                       _parse_form(self.headers.get("Content-Type", ""), body), body)
        try:
            response = self.server.site.handle(req)
        except Exception:  # noqa: BLE001 - a bug in the mock answers 500, its traceback on stderr
            traceback.print_exc(file=sys.stderr)
            response = _Response(500, b"mock-site error", "text/plain")
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:
        pass  # every request is in state()["requests"]; keep test and CLI output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, site: _Site):
        self.site = site
        super().__init__(("127.0.0.1", port), _Handler)


# --------------------------------------------------------------------------- public API


class MockSite:
    """The mock pages on 127.0.0.1, in a background thread: `with MockSite("react,de") as site: ...`."""

    def __init__(self, variant: str | Variant = "", port: int = 0):
        self.variant = variant if isinstance(variant, Variant) else parse_variant(variant)
        self._site = _Site(self.variant)
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def _bind(self) -> _Server:
        if self._server is None:
            self._server = _Server(self._port, self._site)
        return self._server

    def start(self) -> MockSite:
        server = self._bind()
        if self._thread is None:
            # A short poll interval makes stop() quick; tests start many sites.
            self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="mock-site", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self._server = None

    def __enter__(self) -> MockSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the mock site is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def start_url(self) -> str:
        return self.url + START_PATH

    def mailbox_url(self) -> str:
        return self.url + MAILBOX_PATH

    def state(self) -> dict:
        """A deep copy of everything recorded so far: submissions, code attempts, cookie choices, input events and more."""
        return self._site.state()

    def last_code(self, email: str) -> str | None:
        """The code last "emailed" to that address, or None."""
        return self._site.last_code(email)


def serve(port: int, variant: str | Variant, echo: Callable[[str], object] = print) -> None:
    """Run the mock site in the foreground until Ctrl-C (for `optout-bot mock-site`)."""
    site = MockSite(variant, port)
    server = site._bind()
    echo(f"Mock site ({site.variant}) on {site.url}")
    echo(f"Start page: {site.start_url}")
    echo(f"Mailbox:    {site.mailbox_url()}  (the code is always {TEST_CODE})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("Mock site stopped.")
    finally:
        site.stop()
