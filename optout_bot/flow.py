"""The objection flow: small steps that each take a Page, driven by a recipe.

Nothing here starts a browser; the CLI owns that. Every wait is on page state: a locator,
a load state, or the page's own DOM changing (a MutationObserver counter).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import sys
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Literal, NamedTuple, NoReturn, TypeVar
from urllib.parse import unquote, unquote_plus, urljoin, urlsplit

from playwright.sync_api import Error as PlaywrightError, Locator, Page, Request, TimeoutError as PlaywrightTimeout, expect
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from optout_bot import LANGUAGES, TARGETS, countries, locate, person
from optout_bot.config import Settings, default_reason
from optout_bot.guard import HostGuard, host_of
from optout_bot.locate import Found
from optout_bot.progress import Reporter, mask_email, masked
from optout_bot.recipe import ANSWER_TEXTS, FORM_ELEMENTS, Recipe, phrase_source, primary_language, reads_language
from optout_bot.status import Cancelled, PageMismatch, PersonTimeout, Rejected, Unreachable

CHUNK_MS = 1000  # longest single wait before the guard and the terminal are looked at again
MAX_CODE_TRIES = 3
PRESS_LOADS_MS = 1000  # a pressed link's script has started its page load within this long
LOCKED_WAIT_S = 10  # a field disabled while the page's script starts is enabled well within this
LOCKED_LOOK_MS = 500  # meanwhile, a cookie dialog that locks the form is looked for this often
ONE_BY_ONE_S = 1.5  # a followed page still this long with only a country field: a form that shows its fields one by one?
EXPAND_AFTER_S = 1.0  # a start page still this long without the link: open its collapsed sections
T = TypeVar("T")

_WATCH_JS = """() => {
  if (!window.__optoutWatch) {
    const w = window.__optoutWatch = {n: 0, waiting: []};
    new MutationObserver(() => { w.n++; w.waiting.splice(0).forEach(wake => wake(true)); }).observe(document, {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ['class', 'style', 'hidden', 'aria-hidden', 'aria-invalid', 'disabled', 'open']});
  }
  return window.__optoutWatch.n;
}"""
# Resolves on the first change after `n`, from the observer itself (no polling delay). A new
# document has no watch yet: a change, once its DOM is loaded (a wait may reach it at its commit,
# before a slow script in it has finished the page).
_CHANGED_JS = """n => { const w = window.__optoutWatch;
  if (!w) return document.readyState !== 'loading' || new Promise(wake => document.addEventListener('DOMContentLoaded', () => wake(true)));
  return w.n !== n || new Promise(wake => w.waiting.push(wake)); }"""


@dataclass
class Run:
    """What every step needs besides the page."""

    recipe: Recipe
    settings: Settings
    guard: HostGuard
    report: Reporter
    headless: bool
    submit: person.SubmitMode = "auto"
    code: person.CodeMode = "stdin"
    wait_minutes: float = 15
    timeout_s: float = 30
    retry_base_s: float = 0.5
    retries: int = 4
    inbox: person.CodeInbox | None = None
    layers: dict[str, str] = field(default_factory=dict)  # element -> layer that found it
    code_step: bool = False
    allow_fallback: bool = True
    settle_s: float | None = None  # a loaded page still this long shows all it will (None: timeout_s)
    posts: int = 0  # POST requests answered (or failed) on the form's page: proof something was sent
    sent: int = 0  # POST requests started there, answered or not: none means nothing left the browser
    # Each of those as (address, body): the page's own logging of a click posts too, while its own
    # check ("at least 20 characters") keeps the form back. Judged when it matters (_form_left), with
    # what the form then held.
    sent_requests: list[tuple[str, bytes | None]] = field(default_factory=list)
    email_in_form: bool = True  # False: the page shows the account's address masked, which may not be posted
    pressed: bool = False  # the bot has pressed Send (a Ctrl-C from then on may come after the form left)
    pressed_at: float = float("-inf")  # when the bot last pressed Send or Confirm (time.monotonic)
    code_pressed: bool = False  # the bot has pressed Confirm, or typed a code into a field that sends itself
    typed_code: str | None = None  # the code the bot typed last, to know a POST that carries it
    code_posts: int = 0  # POSTs started on the page that carried that code
    seen_document: float | None = None  # time origin of the document _mark_seen last tagged
    caution: str = ""  # what the person must check before sending, said again in the window's note
    browser_dialogs: list[str] | None = None  # messages of confirm()/alert() dialogs, answered Cancel (None: not watched yet)
    reason_sent: bool = True  # False: the form had no reason box (optional since 2025)
    sent_values: dict[str, Any] | None = None  # email, reason and country in the form as the person pressed Send
    said_changes: bool = False  # what the person changed in the window has been said
    # A form that shows its fields one after another: something was filled in before the rest came,
    # and the country field chosen in then (kept when it gives way to the choice).
    filled_first: bool = False
    country_first: Found | None = None
    # The whole recipe while `recipe` reads Meta's answers in the form page's languages only
    # (_read_in_page_languages); None once it reads them in every language again.
    every_language: Recipe | None = None
    widened: bool = False  # answers were read in the form page's languages, then in every language again: see _new_answer
    # The form page's languages (its tag's, those its words show, English): a refusal beside thanks is read in each.
    page_languages: frozenset[str] = frozenset({"en"})
    answered_at: float = float("-inf")  # when the last POST counted in `posts` was answered (time.monotonic)

    @property
    def sent_email(self) -> str:
        """The address the form went with: the one the person typed in the window, else the settings'."""
        typed = (self.sent_values or {}).get("email")
        if not isinstance(typed, str) or "@" not in typed or could_be(typed.strip(), self.settings.email):
            return self.settings.email  # none typed, or the account's as the page masks it
        return typed.strip()

    @property
    def sent_country(self) -> str:
        """The country the form went with: the one the person chose in the window, else the settings'."""
        return _country_sent(self.sent_values, self.settings.country)[0]

    @property
    def sent_reason(self) -> str:
        """The reason the form went with ("" from a form without its box)."""
        typed = (self.sent_values or {}).get("reason")
        return typed.strip() if isinstance(typed, str) else self.settings.reason if self.reason_sent else ""

    @property
    def settle(self) -> float:
        return self.timeout_s if self.settle_s is None else self.settle_s

    @property
    def person_deadline(self) -> float:
        return time.monotonic() + self.wait_minutes * 60


@dataclass
class Outcome:
    final_url: str
    code_step: bool
    page: Page  # its confirmation's words are read by the caller (confirmation_text), once it is safe to
    already: bool = False  # Meta answered that an objection from this account already stands
    review: str | None = None  # Meta's words that it will decide later ("We'll review your request"), the address masked


# --- waiting on the page ----------------------------------------------------------------


def mark(page: Page) -> int | None:
    """The page's change counter now (None while it is navigating)."""
    try:
        return page.evaluate(_WATCH_JS)
    except PlaywrightError:
        return None


def wait_for_change(page: Page, since: int | None, timeout_ms: float = CHUNK_MS) -> bool:
    """Wait until the DOM changes or the page navigates; False if it stayed still."""
    person.stop_if_ctrl_c()
    if page.is_closed():
        raise _closed()
    try:
        if since is None:
            page.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
            return True
        page.wait_for_function(_CHANGED_JS, arg=since, timeout=timeout_ms)
        return True
    except PlaywrightTimeout:
        return False
    except PlaywrightError:
        # The old document went away: a navigation is a change. Let it get far enough to read.
        try:
            page.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
        except PlaywrightError:
            pass
        return True


def _classified(classify: Callable[[], T | None], page: Page) -> tuple[T | None, int | None]:
    """Classify the page; if nothing is recognised, arm the change counter and look once more,
    so a change between the look and the arming cannot be missed."""
    state = classify()
    if state:
        return state, None
    since = mark(page)
    return classify(), since


def _visible(loc: Locator) -> bool:
    try:
        return locate.count(loc.filter(visible=True)) > 0
    except PlaywrightError:
        if loc.page.is_closed():
            raise _closed() from None
        return False  # mid-navigation; the caller looks again after the next change


def _seen(look: locate.Look) -> locate.Seen:
    """`look.run()`; nothing seen while the page is navigating (the caller looks again after the next change)."""
    try:
        return look.run()
    except PlaywrightError as exc:
        if look.page.is_closed():
            raise _closed() from None
        if any(engine in str(exc) for engine in locate.ENGINES):  # not registered: a programming error, never a page's
            raise
        return look.nothing()


def _closed() -> Cancelled:
    return Cancelled("The bot's browser tab or window was closed; nothing more was sent by the bot.")


def _first_text(loc: Locator) -> str:
    """The first match's text, or "" at once when nothing matches (never waits)."""
    try:
        texts = loc.all_inner_texts()
    except PlaywrightError:
        return ""
    # Its lines kept apart (a heading and its text): _sentences says them as a person reads them.
    return "\n".join(" ".join(line.split()) for line in texts[0].splitlines() if line.strip()) if texts else ""


def _sentences(text: str) -> str:
    """Lines as one text, for a message: a line that ends without punctuation before one that starts
    with a capital is a heading ("We couldn't confirm your request. You've entered..."); a line
    broken mid-sentence ("A new code has been / sent") runs on."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(line + "." if i + 1 < len(lines) and lines[i + 1][:1].isupper() and line[-1] not in ".!?:;…" else line
                    for i, line in enumerate(lines))


# --- loading, with retries for what is safe to repeat -------------------------------------


class _Retryable(Exception):
    def __init__(self, message: str, status: int = 0, after: float = 0):
        super().__init__(message)
        self.status = status  # the HTTP status that asked for another try (0: no answer)
        self.after = after  # the server's Retry-After, in seconds


MAX_WAIT_S = 8  # the longest wait between two loads, whatever a Retry-After asks for


def _retry_status(status: int) -> bool:
    """A server error, or 'too many requests': worth loading the page again (a page load is safe to repeat)."""
    return status >= 500 or status == 429


def _retry_after(value: str | None) -> float:
    """A Retry-After header in seconds: a number, or an HTTP date."""
    try:
        return max(float(value or 0), 0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - dt.datetime.now(dt.timezone.utc)).total_seconds(), 0)
    except (TypeError, ValueError):  # neither: a short wait
        return MAX_WAIT_S


def load(page: Page, url: str, run: Run) -> None:
    """Go to `url`, retrying network errors, 5xx and 429 answers with exponential back-off (longer
    when the server's Retry-After asks for it, up to MAX_WAIT_S)."""
    run.guard.require(url, "The start page")
    backoff = wait_exponential(multiplier=run.retry_base_s, max=MAX_WAIT_S)

    def wait(state: RetryCallState) -> float:
        asked = getattr(state.outcome.exception(), "after", 0) if state.outcome else 0
        return max(backoff(state), min(asked, MAX_WAIT_S))

    def announce(state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0
        run.report.warn(f"{host_of(url)} did not answer properly ({state.outcome.exception()}); trying again in {wait:.1f} s")

    def attempt() -> None:
        try:
            response = page.goto(url, wait_until="domcontentloaded", timeout=run.timeout_s * 1000)
        except PlaywrightTimeout:
            run.guard.check()
            raise _Retryable(f"it did not finish loading within {run.timeout_s:g} s (--timeout)") from None
        except PlaywrightError as exc:
            run.guard.check()
            raise _Retryable(_short(exc)) from None
        run.guard.check()
        if response is not None and _retry_status(response.status):
            after = _retry_after(response.headers.get("retry-after"))
            if after > MAX_WAIT_S:  # more requests now would go against what the server asked
                raise Unreachable(f"{host_of(url)} asked the bot to wait {after:.0f} s before loading {url} again (HTTP {response.status}).",
                                  hint=f"Run it again in {max(round(after / 60), 1)} minute(s).")
            raise _Retryable(f"HTTP {response.status}", response.status, after)

    retrying = Retrying(
        stop=stop_after_attempt(run.retries),
        wait=wait,
        retry=retry_if_exception_type(_Retryable),
        before_sleep=announce,
        reraise=True,
    )
    try:
        with run.report.waiting(f"waiting for {host_of(url)}"):
            retrying(attempt)
    except _Retryable as exc:
        busy = exc.status == 429
        raise Unreachable(
            f"Could not load {url} after {run.retries} tries: {exc}{' (too many requests)' if busy else ''}.",
            hint="Meta asks for fewer requests for now: try again in a few minutes." if busy
            else "Check your internet connection and try again later.",
        ) from None


# Chromium's network errors, as a person would say them.
_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "its name could not be looked up (no internet connection, or a DNS problem)",
    "ERR_INTERNET_DISCONNECTED": "there is no internet connection",
    "ERR_CONNECTION_REFUSED": "it refused the connection",
    "ERR_CONNECTION_RESET": "the connection was cut",
    "ERR_CONNECTION_CLOSED": "the connection was cut",
    "ERR_CONNECTION_TIMED_OUT": "it did not answer in time",
    "ERR_TIMED_OUT": "it did not answer in time",
    "ERR_ADDRESS_UNREACHABLE": "it cannot be reached from this network",
    "ERR_NETWORK_CHANGED": "the network changed while loading",
    "ERR_PROXY_CONNECTION_FAILED": "the proxy could not be reached",
    "ERR_CERT_": "its security certificate was not accepted",
    "ERR_SSL_": "a secure connection could not be made",
}


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0]
    code = re.search(r"net::(ERR_[A-Z_]+)", text)
    if code:
        said = next((words for key, words in _NET_ERRORS.items() if code.group(1).startswith(key)), None)
        if said:
            return f"{said}; {code.group(1)}"
    return text[:160]


# --- reaching the form --------------------------------------------------------------------

StartState = Literal["cookies", "login", "question", "form", "country", "link"]


def _form_marker(page: Page, recipe: Recipe) -> Locator:
    return locate.any_layer(page, recipe.email).or_(locate.any_layer(page, recipe.reason))


@locate.per_scope
def _cookie_dialog(page: Page, recipe: Recipe) -> Locator:
    """A visible dialog that speaks of cookies (the layers keep only visible matches)."""
    return locate.any_layer(page, recipe.cookie_dialog.model_copy(update={"names": {}})).filter(
        has_text=recipe.cookie_dialog.pattern()
    )


@locate.per_scope
def _cookie_banner(page: Page, recipe: Recipe) -> Locator:
    """A cookie dialog, or any banner whose buttons speak of cookies (not every banner is a dialog)."""
    choice = recipe.cookie_choice()
    # A footer's "Cookie settings" is no banner: only buttons that make a choice count.
    loose = (page.get_by_role("button", name=recipe.cookie_dialog.pattern()).filter(has_text=choice)
             .filter(visible=True))
    hooks = locate.any_layer(page, recipe.cookie_banner)
    return _cookie_dialog(page, recipe).or_(loose).or_(hooks)


def _unanswered_yes(page: Page, recipe: Recipe) -> Locator:
    """'Yes' to the generic form's question whether the request is about AI at Meta, not chosen yet:
    a radio in the group the question names (or holds), a label around a radio the page hides, or
    a list the question names that still shows its empty choice, or a list of the page's own making
    (an ARIA combobox) the question names that shows no yes yet (red-team pass 25: a09, d01)."""
    question = recipe.text_pattern(recipe.ai_question)
    yes = recipe.yes_pattern()
    unchecked = page.locator(":not(:checked):not([aria-checked=true])")
    # A group the question names holds its own answers; a group that only holds the question's
    # words may hold other questions too: there, only answers after those words count.
    named = page.get_by_role("radiogroup", name=question).or_(page.get_by_role("group", name=question))
    after = page.get_by_text(question).locator("xpath=following::*")
    holding = page.locator("fieldset, [role=radiogroup]").filter(has_text=question)
    radio = (named.get_by_role("radio", name=yes).or_(holding.get_by_role("radio", name=yes).and_(after))).and_(unchecked)
    label = (named.locator("label").or_(holding.locator("label").and_(after))).filter(has_text=yes).filter(
        has=page.locator("input[type=radio]:not(:checked)"))
    listed = page.get_by_role("combobox", name=question).and_(page.locator("select:has(option[value='']:checked)"))
    picker = (page.get_by_role("combobox", name=question).and_(page.locator(":not(select, input, textarea)"))
              .filter(has_not_text=recipe.yes_word_pattern()))
    return radio.or_(label).or_(listed).or_(picker).filter(visible=True)


# A candidate link, tagged with this look's number and its place (so the one ranked first is the
# one pressed, whatever renders meanwhile): where it goes, its name, the words of its nearest block
# (a table's cell is none, nor a box that holds all of a cell: its row says what the link is for).
_LINK_JS = ("(a, i) => {{ const tag = '{look}-' + i; a.setAttribute('data-optout-link', tag);"
            " let block = (a.parentElement && a.parentElement.closest('p, li, dd, td, th, div, section, article')) || a;"
            " const cell = a.closest('td, th');"
            " if (cell && cell.contains(block) && block.innerText.trim() === cell.innerText.trim()) block = cell.closest('tr') || block;"
            " return {{href: a.getAttribute('href') || '', target: (a.getAttribute('target') || '').toLowerCase(),"
            " name: a.getAttribute('aria-label') || a.innerText, around: block.innerText.slice(0, 2000), tag}}; }}")
_LOOKS = itertools.count(1)
_NOT_PRESSED = ":not([data-optout-pressed])"  # a script-only link pressed once that led nowhere


# A candidate read with its block (a paragraph, a list item, a table's row; else the nearest box) and
# how many links that block holds.
_IN_BLOCK_JS = ("(a, i) => {{ const value = ({link})(a, i), block = a.closest('p, li, tr, dd')"
                " || (a.parentElement && a.parentElement.closest('div, section, article')) || a;"
                " value.around = block.innerText.slice(0, 1000); value.links = block.querySelectorAll('a[href]').length; return value; }}")


def _link_by_its_block(page: Page, run: Run) -> Found | None:
    """A link to a contact form whose own words name no objection ("Submit a request" in a table of
    requests, "preencha este formulário") but whose block does, and names nothing else (third parties,
    ads) nor holds another link. Looked for last; the form it leads to must still say what it is for
    (see _unrecognised_purpose)."""
    recipe = run.recipe
    if not recipe.link.prefer:
        return None
    links = locate.narrow(page, page.locator(recipe.link.prefer), recipe.link).and_(page.locator(_NOT_PRESSED + _not_others(recipe)))
    values = locate.read_all(links, _IN_BLOCK_JS.format(link=_LINK_JS.format(look=next(_LOOKS))))
    objecting, other = recipe.objecting_pattern(), recipe.link.exclude_pattern("word")
    for i, link in enumerate(values):
        if (link["links"] == 1 and objecting.search(link["around"]) and not (other and other.search(link["around"]))
                and recipe.other_app_at(link["href"]) is None):
            return locate.Found("link", links.nth(i), "context", link)
    return None


def _to_form(form_id: str) -> str:
    """CSS: a link to the form with this id (its address ends in /contact/<id>)."""
    return f"[href*='/contact/{form_id}']"


def _not_others(recipe: Recipe) -> str:
    """CSS: not a link to another app's objection form (a Privacy Center may link both apps' forms)."""
    return "".join(f":not({_to_form(form_id)})" for form_id in recipe.others_forms())


def _others_form(url: str, run: Run) -> tuple[str, Recipe] | None:
    """(what, recipe) when `url` is another app's page (Recipe.other_app_at): "form <id>" for one of
    its known forms, else "at <host>" (Meta changes the forms' ids)."""
    if (other := run.recipe.other_app_at(url)) is None:
        return None
    parts = urlsplit(url)
    known = set(parts.path.split("/")) & set(other.form_ids())
    return (f"form {known.pop()}" if known else f"at {parts.hostname}"), other


def _others_link(page: Page, run: Run) -> Recipe | None:
    """The other app, when the page shows a link to one of its known forms (never pressed: see _not_others)."""
    return next((other for form_id, other in run.recipe.others_forms().items()
                 if _visible(page.locator(f"a{_to_form(form_id)}"))), None)


def _check_app(page: Page, run: Run) -> None:
    """The form reached is not another app's (a known form address of the wrong app, say)."""
    if hit := _others_form(page.url, run):
        what, other = hit
        raise PageMismatch(f"The right-to-object link led to {other.display_name}'s objection form ({what}), not "
                           f"{run.recipe.display_name}'s; nothing was filled in or sent.",
                           hint=f"Run again with --target {other.target} to object for that account. " + _DRIFT_HINT)


def _link_rank(recipe: Recipe) -> Callable[[dict], tuple[bool, bool, int, bool, bool]]:
    """Links to the other app's host last (its form would file the objection for that app); then
    real links before those the page's script follows (a clickable card says 'right to object'
    too); then the stronger phrase; on a tie, one whose passage speaks of AI first (a table of
    rights); then one in a passage about third parties' information or marketing last (Meta's page
    links that other form too)."""
    other, ai = recipe.link.exclude_pattern("word"), recipe.ai_pattern()
    return lambda link: (recipe.other_app_at(link["href"]) is not None, not _goes_somewhere(link["href"]),
                         recipe.link.name_rank(link["name"]), not ai.search(f"{link['name']} {link['around']}"),
                         bool(other and other.search(f"{link['name']} {link['around']}")))


class FirstLook(NamedTuple):
    """find_form's first look at the form (the country and email by their first layers), taken in
    the same round trip as reach_form's last look; `n` numbers its tags."""
    n: int
    seen: locate.Seen


class Start(NamedTuple):
    state: StartState
    link: Found | None = None  # for "link": the link as read in the same look, to be followed
    form: FirstLook | None = None  # for "form" (and "country"), with `form_reads`: find_form's first look


def classify_start(page: Page, run: Run, want_link: bool = True, form_reads: dict[str, str] | None = None) -> Start | None:
    """What the page shows. `form_reads` (a followed link, where the form is expected): find_form's
    first look rides along, with these reads."""
    recipe = run.recipe
    look = (locate.Look(page).add("cookies", _cookie_banner(page, recipe)).add("login", locate.any_layer(page, recipe.login_wall))
            .add("form", _form_marker(page, recipe)))
    n = _add_form_look(look, page, run, form_reads) if form_reads is not None else None
    if want_link:
        # Its first layer in the same look (the usual page's link is there), the rest after.
        link_look = dict(read=_LINK_JS.format(look=next(_LOOKS)), also=page.locator(_NOT_PRESSED + _not_others(recipe)))
        look.add_element("link", page, recipe.link, every=True, upto=1, **link_look)
    seen = _seen(look)
    # Cookie dialogs and log-in walls come first: they cover the form; then the form, then the link.
    for state in ("cookies", "login", "form"):
        if state in seen:
            return Start(state, form=FirstLook(n, seen) if state == "form" and n is not None else None)
    if want_link and (link := seen.found("link", rank=_link_rank(recipe))
                      or locate.find(page, "link", recipe.link, rank=_link_rank(recipe), **link_look)
                      or _link_by_its_block(page, run)):
        return Start("link", link)
    # The generic form holds its fields back until its question is answered (looked for last:
    # the usual pages never need this look).
    if _visible(_unanswered_yes(page, recipe)):
        return Start("question")
    if not want_link and (seen.found("country", rank=_country_rank) if n is not None else locate.find(page, "country", recipe.country)):
        # Where the link led, a country list and nothing else: a form that shows its fields one after another, perhaps.
        return Start("country", form=FirstLook(n, seen) if n is not None else None)
    return None


class _Clock:
    """reach_form's two times: when the page last changed, and when to stop waiting on this page."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.restart()

    def restart(self) -> None:
        """A new page, or the person's turn just ended: the full time again."""
        self.changed = time.monotonic()
        self.deadline = self.changed + self.timeout_s

    def touch(self) -> None:
        self.changed = time.monotonic()

    @property
    def still(self) -> float:
        return time.monotonic() - self.changed

    @property
    def expired(self) -> bool:
        return time.monotonic() > self.deadline


def reach_form(page: Page, run: Run) -> Page:
    """From the Privacy Center page to the objection form, through cookie dialogs, log-in and tabs."""
    return _reach_form(page, run)[0]


def _reach_form(page: Page, run: Run, form_reads: dict[str, str] | None = None) -> tuple[Page, FirstLook | None]:
    """reach_form; with `form_reads`, also find_form's first look at the form reached (one round trip less)."""
    clock = _Clock(run.timeout_s)
    followed = False  # the link, or a known form address, was followed: only the form is looked for
    fallbacks: list[str] | None = None  # known form addresses not tried yet (decided once, when needed)
    expanded = False  # collapsed sections were opened once, in case the link is inside one
    framed = False  # the form's frame was opened on its own once
    tabs = 0  # the start page's tabs not selected at first, pressed one by one
    answered: set[str] = set()  # pages whose question was answered (once each: never Yes to a second question)
    tried: set[tuple[str, ...]] = set()  # (page, link text, href, text around) of links that loaded nothing, or another app's form
    link_from: _LinkFrom | None = None  # the link followed, to go back to if it led to another app's form
    led_to_other: Recipe | None = None  # the other app whose form a link of this page led to
    backs = 0  # times back from another app's form
    while True:
        run.guard.check()
        start, since = _classified(lambda: classify_start(page, run, want_link=not followed,
                                                          form_reads=form_reads if followed else None), page)
        state = start.state if start else None
        if link_from and (hit := _others_form(page.url, run)):
            # A redirect, or a link the page's script follows, led to the other app's form: nothing is
            # typed there; back to the link's page, where the next look passes that link over.
            backs += 1
            if backs > MAX_LINKS_BACK:  # a page whose links look new on every load: never round and round
                _check_app(page, run)
            tried.add(link_from.key)
            led_to_other = hit[1]
            page, followed, expanded = _back_to(link_from, page, hit[1], run), False, False  # a reload folds sections again
            link_from = None
            clock.restart()
            continue
        if state == "form":
            return page, start.form
        if state == "country":
            if clock.still > min(ONE_BY_ONE_S, run.settle) and _loaded(page) and not _first_text(_already(page, run, new_only=False)):
                return page, start.form  # still only a country field: locate_form fills it, and the rest may follow
            state, since = None, mark(page)  # nothing to act on yet: wait for the page to change, or to stay still
        if state == "cookies":
            decline_cookies(page, run)
        elif state == "login":
            wait_for_login(page, run)
            clock.restart()
        elif state == "question":
            if page.url in answered:
                raise PageMismatch("The form asks more than one question about AI at Meta; the bot answered the first and stops.",
                                   hint=_DRIFT_HINT)
            answer_question(page, run)
            answered.add(page.url)
        elif state == "link":
            link = start.link.value
            # Two apps' links may share their words; a press of href="#" adds an empty fragment to the page's address.
            here = page.url
            pressed = (here.rstrip("#"), link["name"], link["href"], link["around"])
            if pressed in tried:  # pressed once already (its mark may be gone with a re-render or a reload)
                _tag_pressed(page, start.link)
                state, since = None, mark(page)
            elif (reached := follow_link(page, run, start.link)) is None:
                tried.add(pressed)
            else:
                link_from = _LinkFrom(page, here, link["name"], pressed)
                page, followed = reached, True
                clock.restart()
        if state:
            clock.touch()
            continue
        if wait_for_change(page, since):
            clock.touch()
        if not followed and clock.still > min(EXPAND_AFTER_S, run.settle) and _loaded(page):
            if not expanded:
                expanded = True
                if _expand_sections(page, run):
                    clock.touch()
                    continue
            elif tabs < MAX_TABS and _next_tab(page, run):  # one at a time: a tab hides the panel before it
                tabs += 1
                clock.touch()
                continue
        if clock.expired or (clock.still > run.settle and _loaded(page)):
            if _asks_to_log_in(page, run):
                wait_for_login(page, run)
                clock.restart()
                continue
            if followed and (said := _first_text(_already(page, run, new_only=False))):
                raise PageMismatch(f"Meta's page shows no form but says: \"{_sentences(_quoted(said, run))[:300]}\" Nothing was sent.",
                                   hint="Your earlier objection stands: keep Meta's confirmation email. If you never objected, "
                                        f"open {page.url} in your own browser.")
            if followed and not framed and (frame := _form_frame(page, run)):
                framed = True
                run.report.info(f"The form is in a frame of the page; opening the frame on its own: {frame}")
                load(page, frame, run)
                clock.restart()
                continue
            if fallbacks is None:
                fallbacks = _fallback_urls(page, run, followed)
            if not fallbacks:
                if led_to_other is None and not followed:
                    led_to_other = _others_link(page, run)
                if led_to_other is not None and not followed:  # the page's only such link is the other app's
                    raise PageMismatch(f"The page's right-to-object link leads to {led_to_other.display_name}'s objection form, "
                                       f"not {run.recipe.display_name}'s, and it has no other; nothing was filled in or sent.",
                                       hint=f"Run again with --target {led_to_other.target} to object for that account. " + _DRIFT_HINT)
                if not followed:  # no sign that Meta changed the page: the bot has no words for it
                    _check_language(_declared_language(page), run, form_found=False, what="page")
                what = "the objection form" if followed else run.recipe.link.description
                said = _what_the_page_says(page, run)
                raise PageMismatch(f"Could not find {what} on {page.url}." + (f' The page says: "{said}"' if said else ""),
                                   hint=(_NOTHING_TO_FILL_HINT if said else "") + _DRIFT_HINT)
            # Through the same loop as any page: its cookie dialog, log-in and late rendering included.
            url = fallbacks.pop(0)
            run.report.warn(f"{'No right-to-object link on the page' if not followed else 'No form there'}; trying the known form address {url}")
            load(page, url, run)
            run.layers["link"] = "fallback-url"
            followed = True
            clock.restart()


_NOTHING_TO_FILL_HINT = ("If it says you are blocked for now, or that the page, the form or the site is not available, nothing "
                         "was sent: try again later (a block usually lifts within hours). Otherwise: ")


def _what_the_page_says(page: Page, run: Run) -> str:
    """The page's own message, else its first heading, quoted as a person would read it: a page that
    says "You're temporarily blocked" or "This page isn't available" is no change to Meta's page."""
    heading = locate.outside(page.get_by_role("heading"), run.recipe.page_chrome).filter(visible=True)
    said = site_message(page, run) or _sentences(_quoted(_first_text(heading), run))
    return said[:200]


def _loaded(page: Page) -> bool:
    try:
        return page.evaluate("document.readyState") == "complete"
    except PlaywrightError:
        return False


# Sections a page keeps collapsed (Meta's Privacy Center folds its answers); never in the chrome,
# a form or a dialog, and never a link, a menu or a field's own list.
_COLLAPSED = ("details:not([open]) > summary, button[aria-expanded=false], [role=button][aria-expanded=false]")
MAX_SECTIONS = 20


# Scrolls down the page a window at a time and back up: sections drawn only once they are in sight
# (an IntersectionObserver) are asked for. True if the page is taller than the window.
# A window that draws no frames (behind another) would hold each step: a step waits for two frames or
# 100 ms, and the whole scroll ends within 2 s.
_SCROLL_THROUGH_JS = """async () => { const height = () => document.documentElement.scrollHeight, end = performance.now() + 2000;
  if (height() <= innerHeight + 1) return false;
  const drawn = () => Promise.race([new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))),
                                    new Promise(done => setTimeout(done, 100))]);
  for (let i = 0; i < 40 && scrollY + innerHeight < height() - 1 && performance.now() < end; i++) { scrollBy(0, innerHeight); await drawn(); }
  scrollTo(0, 0); return true; }"""
MAX_TABS = 6
_TABS = itertools.count(1)


def _page_controls(page: Page, run: Run, css: str) -> Locator:
    """The page's own `css` controls: not a link, a menu's or a list's, nor in the chrome, a form or a dialog."""
    return page.locator(css).and_(page.locator(
        "xpath=//*[not(self::a or @aria-haspopup or @role='combobox' or @data-optout-opened)"
        f" and not(ancestor::*[{run.recipe.page_chrome} or self::form or self::a or @role='dialog'])]")).filter(visible=True)


def _next_tab(page: Page, run: Run) -> bool:
    """Press the start page's next tab not selected at first (a tab shows its panel and sends
    nothing): the link may be in its panel. False when none is left."""
    tab = _page_controls(page, run, "[role=tab][aria-selected=false]:not([data-optout-tab])")
    run.guard.require(page.url, "The Privacy Center page")
    tag = next(_TABS)
    try:  # the tabs chosen at first count as looked in
        page.locator("[role=tab][aria-selected=true]:not([data-optout-tab])").evaluate_all(
            "els => els.forEach(e => e.setAttribute('data-optout-tab', '0'))")
        said = locate.read_first(tab, f"e => {{ e.setAttribute('data-optout-tab', '{tag}'); return ({_WORDS_JS})(e); }}")
        if not said:
            return False
        page.locator(f"[data-optout-tab='{tag}']").click(timeout=2000)
    except PlaywrightError:
        return True  # it changed under us; the loop looks again
    run.report.info(f"No link in sight; opened the page's tab {said[0][:60]!r} to look inside.")
    return True


def _expand_sections(page: Page, run: Run) -> int:
    """Open the page's collapsed sections (a click that shows text and sends nothing), and scroll
    through it once (sections drawn on sight); how many sections, and 1 for the scroll."""
    sections = _page_controls(page, run, _COLLAPSED)
    url = page.url
    run.guard.require(url, "The Privacy Center page")
    try:
        scrolled = int(page.evaluate(_SCROLL_THROUGH_JS))
    except PlaywrightError:
        scrolled = 0
    opened = 0
    try:
        while opened < MAX_SECTIONS and page.url == url:
            # Tagged as it is found, so each is clicked once whatever its aria-expanded says after.
            if not locate.read_first(sections, f"e => {{ e.setAttribute('data-optout-opened', '{opened}'); return true; }}"):
                break
            page.locator(f"[data-optout-opened='{opened}']").click(timeout=2000)
            opened += 1
    except PlaywrightError:
        pass  # it changed under us; the loop looks again
    if opened:
        run.report.info(f"No link in sight; opened {opened} collapsed section(s) of the page to look inside.")
    return opened + scrolled


# A page that shows the form in a frame (<iframe>) of its own: the visible frames large enough to
# hold a form (not an ad's or a tracker's), largest first, each tagged with its place in that order
# (looked into by its element: its address may have changed since, by a redirect or replaceState).
_FRAMES_JS = """() => [...document.querySelectorAll('iframe[src]')].filter(f => f.checkVisibility())
  .map(f => [f.getBoundingClientRect(), f]).filter(([r]) => r.width >= 240 && r.height >= 160)
  .sort((a, b) => b[0].width * b[0].height - a[0].width * a[0].height)
  .map(([, f], i) => { f.setAttribute('data-optout-frame', String(i)); return f.src; })"""


_FRAME_FIELDS = "input:not([type=hidden], [type=submit], [type=button]), select, textarea, [role=combobox], [role=textbox]"


def _form_frame(page: Page, run: Run) -> str | None:
    """The address of the frame the page the link led to shows its form in: on the hosts the guard
    allows (over https, but for a test server), and with fields to fill in (not an embedded video or
    post). Opened on its own, it is the form's page (the bot's reads and presses stay in one document).
    None: no such frame."""
    try:
        sources = page.evaluate(_FRAMES_JS)
    except PlaywrightError:
        return None
    for i, src in enumerate(sources):
        if not (src.startswith("https://") or src.startswith("http://") and host_of(src) in run.guard.exact) or not run.guard.allows(src):
            continue
        try:
            if page.locator(f"iframe[data-optout-frame='{i}']").content_frame.locator(_FRAME_FIELDS).filter(visible=True).count():
                return src
        except PlaywrightError:
            continue  # gone meanwhile
    return None


def _fallback_urls(page: Page, run: Run, followed: bool) -> list[str]:
    """The recipe's known form addresses: only when no link was found, and only on Meta's own site."""
    if followed or not run.allow_fallback or not run.guard.on_meta(page.url):
        return []
    return [str(url) for url in run.recipe.fallback_form_urls]


_DRIFT_HINT = "Meta may have changed the page. Run `optout-bot check` and see the maintainers' guide."


def decline_cookies(page: Page, run: Run) -> None:
    recipe = run.recipe
    dialog = _cookie_dialog(page, recipe)
    in_dialog = _visible(dialog)
    scope = dialog.first if in_dialog else page
    accept = recipe.cookie_accept.pattern()
    choice = None
    for layer, loc in locate.layers(scope, recipe.cookie_decline):
        if layer != "structure":
            loc = loc.filter(has_not_text=accept)
            if not in_dialog:
                loc = loc.filter(has_text=recipe.cookie_dialog.pattern())
        if _visible(loc):
            choice = Found("cookie_decline", loc.first, layer)
            break
    banner = _cookie_banner(page, recipe)
    lacks = "offers no way to decline optional cookies"
    if choice is not None and not _enabled_once_read(choice.locator, dialog.first if in_dialog else None):
        choice, lacks = None, "keeps its 'decline' choice disabled"
    if choice is None:
        if run.headless:
            offered = _button_words(dialog.first if in_dialog else banner.first) if lacks.startswith("offers") else ""
            lacks = lacks.replace("offers no way", "offers no way the bot recognises")
            raise PageMismatch(
                f"A cookie dialog covers the page and {lacks}" + (f" (its buttons: {offered})" if offered else "")
                + "; the bot never accepts them.",
                hint="Run with a window (without --headless) to make the choice yourself. If one of its buttons declines "
                     "optional cookies, Meta has reworded the dialog: please report it (see docs/maintainers.md).",
            )
        run.report.your_turn(f"A cookie dialog in the window {lacks.replace('offers no way', 'offers no way the bot recognises')}. "
                             "Choose the least permissive option yourself.")
        person.show_note(page, "Please choose the cookie option yourself (the least permissive one).", "act")
        _wait_person(lambda: not _visible(banner), page, run, "the cookie choice")
        return
    label = " ".join(_first_text(choice.locator).split()) or "decline"
    run.layers["cookie_decline"] = choice.layer
    choice.locator.click()
    run.report.info(f"Declined optional cookies ({label!r}).")
    try:
        banner.first.wait_for(state="hidden", timeout=run.timeout_s * 1000)
    except PlaywrightTimeout:
        raise PageMismatch("The cookie dialog stayed open after declining optional cookies.", hint=_DRIFT_HINT) from None


COOKIE_READ_WAIT_MS = 3000


def _button_words(scope: Locator) -> str:
    """The visible buttons' words in `scope`, quoted, for a message (a maintainer's first clue)."""
    return _words_of(scope.get_by_role("button"))


def _words_of(loc: Locator) -> str:
    """The visible matches' words (or labels), each once and quoted, for a message."""
    try:
        words = locate.read_all(loc.filter(visible=True), _WORDS_JS)
    except PlaywrightError:
        return ""
    return ", ".join(repr(w) for w in dict.fromkeys(" ".join(w.split())[:60] for w in words) if w)


def _enabled_once_read(choice: Locator, dialog: Locator | None) -> bool:
    """A 'decline' some dialogs enable only once their text was scrolled to its end: scrolled there
    (reading accepts nothing), then waited for briefly."""
    try:
        if choice.is_enabled(timeout=COOKIE_READ_WAIT_MS):
            return True
        if dialog is not None:  # a banner without a dialog has no text to read through
            dialog.evaluate("d => { for (const e of [d, ...d.querySelectorAll('*')]) if (e.scrollHeight > e.clientHeight)"
                            " { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); } }", timeout=COOKIE_READ_WAIT_MS)
        expect(choice).to_be_enabled(timeout=COOKIE_READ_WAIT_MS)
        return True
    except (AssertionError, PlaywrightError):
        return False


def _asks_to_log_in(page: Page, run: Run) -> bool:
    """A page that shows neither link nor form but offers 'Log in' (or is a log-in address)."""
    path = urlsplit(page.url).path.lower()
    return (any(word in path for word in run.recipe.login_path_words)
            or _visible(locate.any_layer(page, run.recipe.login_prompt)))


def _login_shown(page: Page, run: Run) -> bool:
    if _visible(locate.any_layer(page, run.recipe.login_wall)):
        return True
    return _asks_to_log_in(page, run) and not _visible(_form_marker(page, run.recipe)) and not locate.find(page, "link", run.recipe.link)


def wait_for_login(page: Page, run: Run) -> None:
    if run.headless:
        raise PersonTimeout(
            "Meta asks you to log in (or to confirm it is you) before showing the form, and a headless run cannot do that.",
            hint="Run again with a window (without --headless) and log in there; add --profile DIR to stay logged in.",
        )
    run.report.your_turn("Log in to your account (or confirm it is you) in the browser window. The bot never types or stores your password; it waits for you.")
    person.show_note(page, "Please log in. optout-bot waits and carries on afterwards.", "act")
    _wait_person(lambda: not _login_shown(page, run), page, run, "the log-in")
    run.report.info("Logged in; carrying on.")


def _wait_person(done: Callable[[], bool], page: Page, run: Run, what: str, deadline: float | None = None) -> None:
    deadline = deadline or run.person_deadline
    with _window_closed_is_cancel(page):
        while not done():
            _in_time(run, what, deadline)
            wait_for_change(page, mark(page))


def _in_time(run: Run, what: str, deadline: float) -> None:
    run.guard.check()
    if time.monotonic() > deadline:
        raise PersonTimeout(f"Waited {run.wait_minutes:g} minutes for {what}; stopping.", hint="Run again when you have time; nothing was sent.")


def _ask(page: Page, run: Run, question: str, what: str, answered: Callable[[], bool] | None = None) -> bool:
    """A y/N question in the terminal, bounded like every wait on the person; closing the window
    cancels. `answered`: true once the person answered in the window instead (_AnsweredInWindow)."""
    deadline = run.person_deadline

    def keep_waiting() -> None:
        _in_time(run, what, deadline)
        mark(page)  # a call into the browser, so that a closed window is noticed
        if page.is_closed():
            raise _closed()
        if answered is not None and answered():
            raise _AnsweredInWindow

    return person.ask_yes_no(question, keep_waiting)


class _AnsweredInWindow(Exception):
    """The person did in the window what the terminal's question asked about."""


@contextmanager
def _window_closed_is_cancel(page: Page):
    """While the person has the window: closing it is their way to stop, not a failure."""
    try:
        yield
    except PlaywrightError:
        if page.is_closed():
            raise _closed() from None
        raise


def answer_question(page: Page, run: Run) -> None:
    """Choose Yes: the request is about AI at Meta. Only a choice on the page; nothing is sent."""
    yes = _unanswered_yes(page, run.recipe).first
    run.guard.require(page.url, "The form page")
    try:
        options = _read(yes, "e => e.tagName === 'SELECT' ? Array.from(e.options, o => [o.value, o.label])"
                             " : e.getAttribute('role') === 'combobox' ? 'picker' : null",
                        "the question whether your request is about AI at Meta", run)
        if options is None:
            yes.click(timeout=run.timeout_s * 1000)
        elif options == "picker":  # opened, then its Yes (only a choice on the page, as a radio is)
            yes.click(timeout=run.timeout_s * 1000)
            page.get_by_role("option", name=run.recipe.yes_pattern()).filter(visible=True).first.click(timeout=run.timeout_s * 1000)
        else:
            value = next((v for v, label in options if run.recipe.yes_pattern().match(label)), None)
            if value is None:
                raise PageMismatch("The form asks whether your request is about AI at Meta, and its list offers no Yes.",
                                   hint=_DRIFT_HINT)
            yes.select_option(value=value)
        yes.wait_for(state="hidden", timeout=5000)  # chosen: it no longer matches
    except PlaywrightError:
        if page.is_closed():
            raise _closed() from None
        raise PageMismatch("The form asks whether your request is about AI at Meta, and choosing Yes did not hold.",
                           hint=_DRIFT_HINT) from None
    run.report.info("The form first asks whether your request is about AI at Meta: chose Yes.")
    _go_on_after_yes(page, run)


QUESTION_FIELDS_MS = 2000  # how long the form's fields may take to show after Yes before its 'Next' is pressed


def _go_on_after_yes(page: Page, run: Run) -> None:
    """A question on a step of its own (red-team pass 25, b05: Yes, then 'Weiter'): when no field of
    the form shows after Yes, its button that only leads on is pressed, once. Nothing of the
    objection can go with it: the form's fields are not there yet."""
    fields = locate.any_layer(page, run.recipe.email).or_(locate.any_layer(page, run.recipe.country)).filter(visible=True)
    try:
        fields.first.wait_for(state="visible", timeout=QUESTION_FIELDS_MS)
        return
    except PlaywrightError:
        pass
    onward = _onward_buttons(page, run)
    if locate.count(onward) != 1:  # none, or several: not the question's own
        return
    said = _onward(page, run) or "Next"
    onward.first.click(timeout=run.timeout_s * 1000)
    run.report.info(f"Pressed {said!r} after Yes, to go on to the form's fields.")


class _LinkFrom(NamedTuple):
    tab: Page
    url: str  # the link's page, as it was
    text: str  # the link's words
    key: tuple[str, ...]  # as in `tried`


MAX_LINKS_BACK = 3  # links that led to another app's form, before the page counts as leading only there


def _back_to(link_from: _LinkFrom, page: Page, other: Recipe, run: Run) -> Page:
    """Back from another app's form to the page of the link that led there (its tab closed, if it opened one)."""
    run.report.warn(f"The link {' '.join(link_from.text.split())[:80]!r} led to {other.display_name}'s objection form, not "
                    f"{run.recipe.display_name}'s; nothing was typed there. Looking for another link.")
    if page is not link_from.tab and not link_from.tab.is_closed():
        page.close()
        return link_from.tab
    load(page, link_from.url, run)  # in the tab it opened, if the person closed the first
    return page


def _goes_somewhere(href: str) -> bool:
    """An address a browser loads (not '#top' or 'javascript:'): the link can be followed by address."""
    return bool(href) and not href.startswith("#") and urlsplit(href).scheme.lower() in ("", "http", "https")


def follow_link(page: Page, run: Run, found: Found) -> Page | None:
    """Follow the link `classify_start` found and read; the page it led to, or None when it was a
    link the page's script follows and pressing it started no page load."""
    href, target, text = found.value["href"], found.value["target"], found.value["name"]
    link = page.locator(f"[data-optout-link='{found.value['tag']}']")  # the one read, whatever rendered since
    url = urljoin(page.url, href) if _goes_somewhere(href) else None
    run.layers["link"] = found.layer
    if url:
        run.guard.require(url, "The right-to-object link")
    run.report.info(f"Found the right-to-object link ({' '.join(text.split())!r}).", layer=found.layer)
    if target == "_blank" and url:
        # Opened by its address, as the link would: a cookie dialog drawn over the link since the look
        # would take a click (red-team pass 24, v17: exit 1 after the click's whole timeout).
        tab = page.context.new_page()
        load(tab, url, run)
        run.report.info("The form opens in a new tab; carrying on there.")
        return tab
    if url:
        load(page, url, run)
        return page
    # No address: pressed, and the host guard vets where it goes. A cookie dialog drawn since the look
    # would take the press (red-team pass 25, b09): declined first, or, drawn by the press, then pressed again.
    def covered() -> bool:
        return _safely(lambda: _visible(_cookie_banner(page, run.recipe)))

    if covered():
        decline_cookies(page, run)
    reached = _press(page, link, run)
    if reached is None and covered():
        decline_cookies(page, run)
        reached = _press(page, link, run)
    if reached is None:
        _tag_pressed(page, found)
        run.report.warn(f"Pressing {' '.join(text.split())[:80]!r} opened nothing; looking further.")
    return reached


def _tag_pressed(page: Page, found: Found) -> None:
    """So that the next look finds another link, if the page has one."""
    try:
        locate.read_first(page.locator(f"[data-optout-link='{found.value['tag']}']"), "e => e.setAttribute('data-optout-pressed', '')")
    except PlaywrightError:
        pass


def _press(page: Page, link: Locator, run: Run) -> Page | None:
    """Press a link the page's script follows; the page it loads, here or in a new tab, or None.
    What counts is a page load it starts during the click or just after (the script may wait a tick)."""
    before, starts, opened = page.url, [], []

    def here(request) -> bool:
        try:
            return request.frame == page.main_frame
        except PlaywrightError:  # a new tab's first load: its frame is not there yet
            return False

    def top_level(request) -> bool:
        try:
            return request.is_navigation_request() and request.frame.parent_frame is None
        except PlaywrightError:
            return True

    def on_request(request) -> None:
        if top_level(request):
            starts.append(request)

    def on_popup(tab: Page) -> None:
        opened.append(tab)

    def stayed() -> bool:  # an href="#" press only adds an empty fragment; a hash route ('#/object') is a move
        return page.url.rstrip("#") == before.rstrip("#")

    page.context.on("request", on_request)
    page.on("popup", on_popup)
    try:
        link.click(timeout=run.timeout_s * 1000)
        if not starts and not opened and stayed():
            starts.append(page.context.wait_for_event("request", predicate=top_level, timeout=PRESS_LOADS_MS))
        if starts and not opened and stayed() and not any(map(here, starts)):
            opened.append(page.wait_for_event("popup", timeout=PRESS_LOADS_MS))  # announced after its load began
    except PlaywrightTimeout:
        pass  # it could not be pressed, or started nothing
    finally:
        page.context.remove_listener("request", on_request)
        page.remove_listener("popup", on_popup)
    if not stayed() or any(map(here, starts)):
        return page
    return _new_tab(opened[0], run) if opened else None


def _new_tab(new_page: Page, run: Run) -> Page:
    new_page.wait_for_load_state("domcontentloaded", timeout=run.timeout_s * 1000)
    run.guard.check()
    run.report.info("The form opened in a new tab; carrying on there.")
    status = new_page.evaluate("(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0")
    if _retry_status(status):  # the tab's own load failed: retry it like any page load
        load(new_page, new_page.url, run)
    return new_page


# --- the form -----------------------------------------------------------------------------


def _region_js(alpha_2: str) -> str:
    """The browser's own name for the country (Unicode CLDR, as most sites use) in a language: where
    it differs from ISO's ('Țările de Jos', not 'Olanda')."""
    return (f"l => {{ try {{ return new Intl.DisplayNames([l], {{type: 'region', fallback: 'none'}}).of('{alpha_2}') || ''; }}"
            " catch (_) { return ''; } }")


def _other_regions(page: Page, alpha_2: str) -> list[str]:
    """The browser's names for the country in every form language: read only when the page's own
    language did not do (building them costs the page ~20 ms, more than the rest of the form's look)."""
    others = json.dumps([language.replace("_", "-") for language in countries.FORM_LANGUAGES])
    return [name for name in page.evaluate(f"{others}.map({_region_js(alpha_2)})") if name]


# The box around an element that floats over the page (position: fixed), or null.
_FIXED_BOX_JS = "e => { for (let a = e; a; a = a.parentElement) if (getComputedStyle(a).position === 'fixed') return a; return null; }"


def _country_js(alpha_2: str) -> str:
    """What choose_country needs, read in the round trip that finds the field: the page's language,
    a <select>'s options (only those valued with the country's ISO code when there are such, else
    all of them, to be matched by name), the browser's name for the country in the page's language
    (`regions`; _other_regions reads the rest when needed) and whether it is a text input; then, for
    locate_form, the page's title and visible headings (not a sidebar's, a menu's or a dialog's) and
    whether the form asks for files (the third-party form does), and whether the field floats over
    the page (a help widget's)."""
    codes = json.dumps([alpha_2, countries.alpha_3(alpha_2)])
    return ("e => { e.setAttribute('data-optout-filled', ''); let options = null; const listed = e.tagName === 'INPUT' && !!e.list;"
            " if (e.tagName === 'SELECT' || listed) {"
            " const all = Array.from((listed ? e.list : e).options).map(o => [o.value, o.label || o.textContent || o.value]);"
            f" const coded = all.filter(([v]) => {codes}.includes(v.trim().toUpperCase()));"
            " options = coded.length ? coded : all; }"
            f" const titles = {_TITLES_JS}();"
            " const chosen = e.tagName === 'SELECT' ? (e.selectedOptions[0] || {}) : {};"
            " const lang = document.documentElement.lang || navigator.language || '';"
            # The country's own language too ('Deutschland'), for a page whose language tag is missing or wrong.
            f" const own = (() => {{ try {{ return new Intl.Locale('und-{alpha_2}').maximize().language; }} catch (_) {{ return ''; }} }})();"
            f" return {{lang, declared: document.documentElement.lang, options, regions: [lang, own].map({_region_js(alpha_2)}),"
            " origin: performance.timeOrigin,"
            " locked: !!(e.disabled || e.getAttribute('aria-disabled') === 'true'),"  # not readOnly: a custom list's trigger may be
            " current: [e.value || '', chosen.label || chosen.textContent || e.value || ''],"
            " typed: e.tagName === 'INPUT' || e.tagName === 'TEXTAREA', listed, titles,"
            f" wraps: e.getAttribute('role') === 'combobox' && !e.matches('input, textarea, select') && !!e.querySelector({json.dumps(_TYPED_IN)}),"
            " radio: e.matches('input[type=radio], [role=radio], [role=radiogroup]') || !!e.querySelector('input[type=radio], [role=radio]'),"
            " chosen_first: e.hasAttribute('data-optout-chosen'),"
            " files: !!(e.form || document).querySelector('input[type=file]'),"
            f" floating: ({_FIXED_BOX_JS})(e) ? (e.setAttribute('data-optout-floating', ''), true) : false}}; }}")


# What a control says: its text, an input's value, or its label.
_WORDS_JS = "e => (e.innerText || e.value || e.getAttribute('aria-label') || '').trim()"
# Tags a field as the bot's own (`attr`="value") for as long as it stays what it was: React reuses a
# node where the next step draws one of the same kind (the email field turned into the code field),
# and a field turned into another is no longer the bot's. What it was: the attributes that say what
# it is for. (Send keeps its tag: see _send_turned_confirm.)
_OWN_JS = ("(e, attr, value) => { const own = e.__optoutOwn = e.__optoutOwn || {}, had = attr in own;"
           " const fields = ['name', 'type', 'inputmode', 'autocomplete', 'placeholder', 'aria-label', 'aria-labelledby', 'maxlength', 'role'];"
           " const what = () => fields.map(a => e.getAttribute(a)).join('\\n');"
           " own[attr] = {value, was: what()}; e.setAttribute(attr, value); if (had) return;"
           " new MutationObserver(() => { const o = own[attr]; if (what() === o.was) e.setAttribute(attr, o.value); else e.removeAttribute(attr); })"
           ".observe(e, {attributes: true, attributeFilter: fields}); }")
# Tags the Send button in the look that finds it: the code step's Confirm is never that button.
# Its words then are kept (in the page's main world, as a property): see _send_turned_confirm.
_TAG_SEND_JS = (f"e => {{ e.setAttribute('data-optout-send', ''); const words = ({_WORDS_JS})(e).slice(0, 80);"
                " e.__optoutSendWords = words; return words; }")
# Reads a field the bot fills, and tags it: a field of ours left on the page asks nothing new.
_OWN_FMT = _OWN_JS.replace("{", "{{").replace("}", "}}")  # for the templates below, filled in with str.format
_FILLED_JS = "e => {{ {before} (%s)(e, 'data-optout-filled', '{name}'); return {value}; }}" % _OWN_FMT
# Reads the reason box (or contenteditable) and, in the same round trip, the email field tagged
# with `tag` before it (null when that field is out of reach, e.g. in another shadow root) and
# what else the form requires that is still missing (what would stop the browser sending it).
_KEPT_JS = ("e => {{ (%s)(e, 'data-optout-filled', 'reason');" % _OWN_FMT +
            " const m = e.getRootNode().querySelector('[data-optout-filled=\"{tag}\"]');"
            " return {{kept: e.value ?? e.innerText, email: m ? m.value : null, missing: ({missing})(e), accounts: ({accounts})(e),"
            " origin: performance.timeOrigin}}; }}")
# The same read through the email field, for a form without a reason box.
_KEPT_EMAIL_JS = ("e => ({{kept: null, email: e.value, missing: ({missing})(e), accounts: ({accounts})(e),"
                  " origin: performance.timeOrigin}})")
# Given a field of the form: the choices of its account picker ("Which account is this about?"),
# a group of radios (one radiogroup, name, or else the smallest block around more than one) of
# which two or more show an email address; looked for in the field's form first, then in the rest
# of its page, never in the page's chrome (the recipe's page_chrome: a header's account switcher).
# Each is tagged for a click: a visible label (a styled radio hides its input under it), else the
# radio itself.
_ACCOUNTS_JS = r"""e => { const root = e.isConnected ? e.getRootNode() : document, RADIOS = '[role=radio], input[type=radio]';
  root.querySelectorAll('[data-optout-account]').forEach(x => x.removeAttribute('data-optout-account'));
  const said = %(said)s, apps = %(apps)s, pickers = scope => { const groups = new Map();
    for (const r of scope.querySelectorAll(RADIOS)) {
      if (r.matches('input') && r.parentElement && r.parentElement.closest('[role=radio]')) continue;  // its role=radio stands for it
      if (document.evaluate(`boolean(ancestor-or-self::*[${%(chrome)s}])`, r, null, XPathResult.BOOLEAN_TYPE, null).booleanValue) continue;
      const label = r.labels && r.labels[0], shown = label && label.checkVisibility() ? label : r.checkVisibility() ? r : null;
      let key = r.closest('[role=radiogroup]') || (r.name ? 'name:' + r.name : null);
      for (let a = r.parentElement; !key && a; a = a.parentElement) if (a.querySelectorAll(RADIOS).length > 1 || a === scope) key = a;
      if (!groups.has(key)) groups.set(key, []);
      const text = said(r), address = text.match(/[^\s@()<>,;:\u00B7]+@[^\s@()<>,;:\u00B7]+\.[^\s@()<>,;:.\u00B7]+/);
      const named = apps.filter(app => new RegExp(`(^|[^\\w])${app}($|[^\\w])`, 'i').test(text));
      groups.get(key).push({shown, address: address ? address[0] : null, app: named.length === 1 ? named[0] : null,
                            name: text.replace(/\s+/g, ' ').trim().slice(0, 80),
                            checked: r.matches('input') ? r.checked : r.getAttribute('aria-checked') === 'true'}); }
    // "Send a copy to ..." beside "No copy": an option, not a choice of accounts.
    return [...groups.values()].map(radios => radios.filter(x => x.shown && (x.address || x.app))).filter(accounts => accounts.length > 1).flat(); };
  const form = e.isConnected && e.closest('form, [role=form]'), inForm = form ? pickers(form) : [], found = inForm.length ? inForm : pickers(root);
  found.forEach((x, i) => x.shown.setAttribute('data-optout-account', String(i)));
  return found.map(x => ({address: x.address, app: x.app, name: x.name, checked: x.checked})); }"""
# What a radio says (its label, or the text its name is drawn from), invisible marks left out.
_RADIO_TEXT_JS = r"""(r => { const label = r.labels && r.labels[0], by = (r.getAttribute('aria-labelledby') || '').split(/\s+/)
    .map(id => id && r.getRootNode().getElementById ? r.getRootNode().getElementById(id) : null).filter(Boolean).map(x => x.innerText).join(' ');
  return (r.getAttribute('aria-label') || by || (label && label.innerText) || r.innerText || '').replace(/[\u200B-\u200F\u2060\uFEFF]/g, ''); })"""


def _accounts_js(recipe: Recipe) -> str:
    """_ACCOUNTS_JS with the recipe's page chrome (the same test as for the site's answers). An
    account is a radio that shows an address or names one app ("pat.photos · Instagram")."""
    return _ACCOUNTS_JS % {"said": _RADIO_TEXT_JS, "apps": json.dumps(list(TARGETS)), "chrome": json.dumps(recipe.page_chrome)}


# Given [a field of the form, a radio's words]: true once the picker's radio saying them is checked
# (read anew each time: a picker may draw its radios anew on a click).
_ACCOUNT_CHECKED_JS = "([e, name]) => (%s)(e).some(x => x.checked && x.name === name)"
# Given a field of the form: the names of the visible controls, not the bot's, that would keep the
# browser from sending it (a declaration to tick, a name to give). Only where the browser checks:
# Send is the form's submit button and neither it nor the form opts out (a script checks otherwise).
_MISSING_JS = """e => { const form = e.form || e.closest('form'), send = document.querySelector('[data-optout-send]');
  if (!form || form.noValidate || !send || send.form !== form || send.type !== 'submit' || send.formNoValidate) return [];
  const name = c => { const group = c.type === 'radio' && c.closest('fieldset, [role=radiogroup]');
    const text = group ? ((group.querySelector('legend') || {}).innerText || group.getAttribute('aria-label'))
      : ((c.labels && c.labels[0] && c.labels[0].innerText) || c.getAttribute('aria-label') || c.placeholder);
    return (text || c.name || c.type).trim(); };
  return [...new Set(Array.from(form.elements).filter(c => c.willValidate && !c.validity.valid
    && !c.hasAttribute('data-optout-filled') && c.checkVisibility()).map(name))]; }"""
_FILLS = itertools.count(1)  # each fill tags its email field anew: a form filled again reads its own
# The email's group: its <form>, else the smallest block around it that holds the country field
# the recipe found (tagged `ctag`; a feedback or "was this helpful?" box asks for an email, never
# for a country of residence).
_GROUP_JS = ("e => {{ const c = document.querySelector(\"[data-optout-country='{ctag}']\"); if (e.form || !c) return e.form;"
             " for (let a = e.parentElement; a; a = a.parentElement) if (a.contains(c)) return a; return null; }}")
# Read on every email field of the winning layer at once: whether its group holds that country
# field (`own`) and how deep the group sits (the tightest wins: a box elsewhere on the page shares
# only a large block with the country). Each group is tagged with a word of its own per field (one
# block may be tagged for two). And where the email is, and its value (read again later: choosing
# the country may change it).
_WHERE_JS = ("(e, i) => {{ const g = ({group})(e), c = document.querySelector(\"[data-optout-country='{ctag}']\"), tag = '{form}-' + i;"
             " const own = !!g && !!c && (g.contains(c) || c.form === g); let depth = 0; for (let a = g; a; a = a.parentElement) depth++;"
             " let up = -1; if (g && g.contains(e)) {{ up = 0; for (let a = e; a !== g; a = a.parentElement) up++; }}"
             " if (g) g.setAttribute('data-optout-form', ((g.getAttribute('data-optout-form') || '') + ' ' + tag).trim());"
             " e.setAttribute('data-optout-email', tag);"
             " return {{form: g ? tag : null, etag: tag, ctag: '{ctag}', own, depth, up, in_form: !!e.form, light: e.getRootNode() === document, value: e.value}}; }}")
_FORMS = itertools.count(1)


def _mark_form_again(email: Found) -> str:
    """JavaScript statements, run on the email field, that mark its group again (a re-render may
    have replaced it; the other fields are looked for inside the marked group)."""
    tag = email.value["form"]
    group = _GROUP_JS.format(ctag=email.value["ctag"])
    # Drawn anew, the country field has lost its tag too: the group is then as far up as it was.
    return (f"{{ let g = ({group})(e); if (!g && {email.value['up']} >= 0) {{ g = e; for (let i = 0; g && i < {email.value['up']}; i++) g = g.parentElement; }}"
            f" if (g) g.setAttribute('data-optout-form', "
            f"((g.getAttribute('data-optout-form') || '') + ' {tag}').trim()); }}") if tag else ""


def _mark_again(email: Found, tag: str, run: Run, release: bool = False) -> None:
    """Mark the form's group and its email field again, through the email field (found by meaning):
    a page that draws the whole form anew on each keystroke drops the marks the other fields are
    looked for by (Send and the reason inside the group, the email read back by its tag).
    `release`: just typed into (and focused), it also gets the key release typing ends with (_RELEASE_JS)."""
    _read(email.locator, f"e => {{ {_mark_form_again(email)} e.setAttribute('data-optout-email', '{email.value['etag']}');"
                         f" ({_OWN_JS})(e, 'data-optout-filled', '{tag}'); {f'({_RELEASE_JS})(e);' if release else ''} return true; }}",
          run.recipe.email.description, run)


def _email_rank(where: dict) -> tuple[bool, int]:
    """Email fields whose group holds the country field first, the tightest group first."""
    return not where["own"], -where["depth"] if where["own"] else 0


def _form_reads(run: Run) -> dict[str, str]:
    """What locate_form reads of the elements it finds, per element."""
    return {"country": _country_js(run.settings.country), "send": _TAG_SEND_JS}


# Of several country fields (a sign-up box for news, a region bar above the form), the form's is
# not a stray one: a field outside any form whose block (the smallest around it with another field)
# holds another country field, and no field to write in outside that one's group (its form or
# block), stands alone in another's block. Then, by weight: the group (its form, or that
# block) has a box to write in (the reason); a Send button (not "Subscribe"); words of objecting, in
# it or in the heading just before it. A box that floats over the page and is no dialog (a help
# widget) counts as stray. Read on every match (e, i, all); only the best so far keeps the tag, so
# the email's read that follows in the same look asks about the winner, and its `rank` picks the
# same one (the earlier on a tie, as `locate._best` does). A dialog that wins among several is the
# form, not a widget to look past (`kept`).
_COUNTRY_RANK_JS = """(e, i, all, words, send) => { let rank = 0, kept = false;
  if (all.length > 1) {
    const FIELDS = 'input:not([type=hidden],[type=checkbox],[type=radio],[type=submit],[type=button],[type=reset],[type=image]), textarea, select, [contenteditable=true], [role=textbox], [role=combobox]';
    const WRITE = 'textarea, [contenteditable=true], [role=textbox][aria-multiline=true]';
    const HEADING = 'h1, h2, h3, h4, h5, h6, [role=heading]';
    const apart = (x, y) => x !== y && !x.contains(y) && !y.contains(x), other = x => apart(x, e);
    const form = x => x.form || x.closest('form, [role=form]');
    const group = x => { let g = form(x);
      for (let a = x.parentElement; !g && a; a = a.parentElement) if ([...a.querySelectorAll(FIELDS)].some(y => apart(x, y))) g = a;
      return g || document.body; };
    const g = group(e), rivals = all.filter(o => other(o) && g.contains(o)).map(group);
    const writes = [...g.querySelectorAll(`${WRITE}, input:not([type=search])`)].some(x => other(x) && !all.includes(x)
      && !x.closest('[role=search]') && !rivals.some(r => r.contains(x)));
    const heading = () => { for (let a = g; a && a !== document.body; a = a.parentElement)
      for (let s = a.previousElementSibling; s; s = s.previousElementSibling) {
        if (s.matches(HEADING)) return s.innerText || '';
        if (s.querySelector(FIELDS)) continue;
        const hs = s.querySelectorAll(HEADING); if (hs.length) return hs[hs.length - 1].innerText || ''; }
      return ''; };
    const box = (%(fixed)s)(e);
    const dialog = !!box && !!box.closest('dialog, [role=dialog], [role=alertdialog], [aria-modal=true]');
    if ((!form(e) && rivals.length && !writes) || (box && !dialog)) rank = 0;
    else { rank = 8; kept = dialog;
      if ([...g.querySelectorAll(WRITE)].some(other)) rank += 4;
      const buttons = [...g.querySelectorAll('button, [role=button], input[type=submit]')], sends = new RegExp(send, 'i');
      if (buttons.some(b => sends.test((b.innerText || b.value || b.getAttribute('aria-label') || '').trim()))) rank += 2;
      if (new RegExp(words, 'i').test((g.innerText || '') + ' | ' + heading())) rank += 2; } }
  if (i === 0 || rank > all.best) {
    if (i > 0) all[all.at].removeAttribute('data-optout-country');
    all.best = rank; all.at = i; return [rank, true, kept]; }
  return [rank, false, kept]; }""" % {"fixed": _FIXED_BOX_JS}


def _country_read(n: int, reads: dict[str, str], run: Run) -> str:
    words, send = json.dumps(run.recipe.objecting_source()), json.dumps(run.recipe.send_source())
    return (f"(e, i, all) => {{ const [rank, best, kept] = ({_COUNTRY_RANK_JS})(e, i, all || [e], {words}, {send});"
            f" if (best) e.setAttribute('data-optout-country', 'country-{n}');"
            f" const value = ({reads.get('country', 'e => ({})')})(e); value.rank = rank; if (kept) value.floating = false; return value; }}")


def _country_rank(value: dict) -> int:
    """As _COUNTRY_RANK_JS tags it: the highest rank wins."""
    return -value["rank"]


def _email_read(n: int) -> str:
    return _WHERE_JS.format(group=_GROUP_JS.format(ctag=f"country-{n}"), ctag=f"country-{n}", form=f"form-{n}")


def _add_form_look(look: locate.Look, page: Page, run: Run, reads: dict[str, str]) -> int:
    """Add find_form's first look to `look`: the country and email by their first layers, where the
    usual form has them; the email's read (after the country's) asks where the tagged country is.
    Returns the number its tags carry."""
    n = next(_FORMS)
    look.add_element("country", page, run.recipe.country, read=_country_read(n, reads, run), every=True, upto=1)
    look.add_element("email", page, run.recipe.email, read=_email_read(n), every=True, upto=1)
    return n


def find_form(page: Page, run: Run, reads: dict[str, str] | None = None, first: FirstLook | None = None) -> dict[str, Found | None]:
    """The form's elements (None: missing). The country first, anywhere on the page (of several, as
    _COUNTRY_RANK_JS ranks them); then, of several email fields, the one in the tightest <form> or block that holds
    that country field; the reason and Send in that group, Send only after the email: a feedback
    box or a chat with an email field or a Send of its own elsewhere on the page is never filled
    or pressed. `reads`: per element, as `find`; `first`: the first look, if already taken with them."""
    reads = reads or {}
    if first is None:
        look = locate.Look(page)
        n = _add_form_look(look, page, run, reads)
        first = FirstLook(n, look.run())
    n, seen = first
    country, email = seen.found("country", rank=_country_rank), seen.found("email", rank=_email_rank)
    if country is None:  # the email's read then had no tagged country to ask about: both again
        country = locate.find(page, "country", run.recipe.country, read=_country_read(n, reads, run), rank=_country_rank)
        email = None
    if _floats(country):
        # A box that floats over the page (a help widget with a country list of its own) is no
        # form: the page's own country field comes first. A form in a dialog floats too, and is
        # then the only one.
        own = locate.find(page, "country", run.recipe.country, read=_country_read(n, reads, run), rank=_country_rank,
                          also=page.locator(":not([data-optout-floating])"))
        if own is not None:
            page.locator(f"[data-optout-floating][data-optout-country='country-{n}']").evaluate_all(_NOT_THE_FORM_JS)
            country, email = own, None
    elif country is not None and any(value.get("floating") for value in seen.every("country")):
        # A help widget's country field lost to the form's: its box is no part of the form either.
        page.locator(f"[data-optout-floating]:not([data-optout-country='country-{n}'])").evaluate_all(_NOT_THE_FORM_JS)
    email = email or locate.find(page, "email", run.recipe.email, read=_email_read(n), rank=_email_rank)
    # Its group is tagged: a `has=` scope would look for the email again at every use (~100 ms a
    # run, measured). XPath's 'following' stays inside a shadow root.
    scope, not_email = _email_group(page, email) if email else (page, None)
    after_email = email.locator.locator("xpath=following::*") if email and email.value["light"] else None
    also = {"reason": not_email, "send": after_email}
    look = locate.Look(page)
    for name in ("reason", "send"):  # by their first layer in one look, then layer by layer
        look.add_element(name, scope, run.recipe.element(name), read=reads.get(name), also=also[name], upto=1)
    seen = look.run()
    found = {"email": email, "country": country}
    for name in ("send", "reason"):
        found[name] = seen.found(name) or locate.find(scope, name, run.recipe.element(name), read=reads.get(name), also=also[name])
        if found[name] is None and scope is not page and (name == "send" or not email.value["in_form"]):
            # Send drawn outside the <form> (a footer bar; <button form=...>): the first after the
            # email. A form without <form> may draw its reason outside the block too (above it,
            # even), but before its Send: a "tell us more" box further down belongs to something else.
            before_send = also[name]
            if name == "reason" and after_email is not None and found["send"] is not None:
                before_send = before_send.and_(found["send"].locator.locator("xpath=preceding::*"))
            found[name] = locate.find(page, name, run.recipe.element(name), read=reads.get(name), also=before_send)
    return {name: found[name] for name in FORM_ELEMENTS}


# Untags a floating country field that is not the form's, and marks the box that floats as no
# part of the form: its empty fields ask nothing of the person (see _open_fields).
_NOT_THE_FORM_JS = (f"els => els.forEach(e => {{ e.removeAttribute('data-optout-country');"
                    f" ({_FIXED_BOX_JS})(e).setAttribute('data-optout-widget', ''); }})")


def _onward_buttons(page: Page, run: Run) -> Locator:
    """Buttons outside the page's chrome that only lead on ('Next', 'Weiter')."""
    return locate.outside(page.get_by_role("button", name=run.recipe.onward_pattern()), run.recipe.page_chrome).filter(visible=True)


def _onward(page: Page, run: Run) -> str | None:
    """The words of a button outside the page's chrome that only leads on ('Next'), where a form split
    over pages has its Send."""
    try:
        said = locate.read_first(_onward_buttons(page, run), _WORDS_JS)
    except PlaywrightError:
        return None  # only the message depends on it
    return said[0] if said and said[0] else None


def _nothing(run: Run) -> str:
    """What a stop before Send left undone: a form that shows its fields one after another may have had some filled."""
    return "Nothing was sent." if run.filled_first else "Nothing was filled in or sent."


def _leads_on(words: str, run: Run, taken_for_send: bool = False) -> PageMismatch:
    """A form whose button leads on ('Next') where Send should be: split over pages, or a review before
    Send. `taken_for_send`: a run with a window would take it for Send and leave what follows to the person."""
    words = " ".join(words.split())[:40]
    return PageMismatch(f"The objection form has '{words}' where its Send button should be: it goes on over more pages,"
                        f" which the bot does not follow on its own. {_nothing(run)}",
                        hint="Run again with a window (without --headless): the bot fills the form and leaves the next pages to "
                             "you. " + _DRIFT_HINT if taken_for_send else _DRIFT_HINT)


def _floats(country: Found | None) -> bool:
    """The country field found floats over the page (position: fixed), as a help widget does."""
    return country is not None and isinstance(country.value, dict) and bool(country.value.get("floating"))


# Meta's 2025 form asks only for the country and email; a form without a reason box is sent without
# one, but only where the right-to-object link or a known form address led (a box on the Privacy
# Center page itself that asks for a country and an email is no objection form without it).
OPTIONAL_ELEMENTS = ("reason",)
OPTIONAL_WAIT_S = 3  # how long a form may take to draw a box it may not have: not the whole --timeout


def locate_form(page: Page, run: Run, first: FirstLook | None = None) -> dict[str, Found | None]:
    """The form's elements with their checks: all of them but OPTIONAL_ELEMENTS, which are None
    when the form has none. `first`: find_form's first look, taken by _reach_form with `_form_reads`."""
    reads = _form_reads(run)
    found = find_form(page, run, reads, first)
    optional = OPTIONAL_ELEMENTS if "link" in run.layers else ()  # "link": followed, or a known form address
    deadline, optional_until = time.monotonic() + run.timeout_s, time.monotonic() + OPTIONAL_WAIT_S
    # Part of it may still be drawing (the page showed some box with an email field first): look
    # again while the page changes, until it has been still for a moment (for a box the form may
    # not have, for OPTIONAL_WAIT_S).
    # A country field that floats over the page (a help widget's) may be all there is yet: the
    # page's own form may still be drawing (for OPTIONAL_WAIT_S too).
    def unsettled(found: dict[str, Found | None]) -> bool:
        return None in found.values() or _floats(found["country"])

    steps, scrolled = 0, False
    while True:
        while unsettled(found):
            needed = any(hit is None for name, hit in found.items() if name not in optional)
            until = deadline if needed else optional_until
            if not needed and not scrolled:  # a box the form draws only once it is in sight; once
                scrolled = True
                _safely(lambda: page.evaluate(_SCROLL_THROUGH_JS))
            since = mark(page)
            found = find_form(page, run, reads)
            still_ms = CHUNK_MS if needed else max((until - time.monotonic()) * 1000, 1)
            if not unsettled(found) or time.monotonic() > until or not wait_for_change(page, since, still_ms):
                break
        if found["country"] is None and run.country_first is not None and _same_origin(page, run.country_first.value["origin"]):
            found["country"] = run.country_first  # it gave way to what was chosen ("Country: Germany · Change"): the choice stands
        missing = [name for name, hit in found.items() if hit is None and name not in optional]
        if not missing or steps >= MAX_STEPS or not (shown := _fill_what_is_shown(page, found, run)):
            break
        if shown == "country":
            run.country_first = replace(found["country"], value={**found["country"].value, "gone": True})
        steps += 1
        optional_until = time.monotonic() + OPTIONAL_WAIT_S
    if missing:
        # A page in a language without words in the recipe is no sign that Meta changed it.
        _check_language(_declared_language(page), run, form_found=False)
        onward = _onward(page, run) if "send" in missing else None
        if onward:
            raise _leads_on(onward, run)
        names = ", ".join(run.recipe.element(n).description for n in missing)
        raise PageMismatch(f"The objection form is missing {names}; {_nothing(run).lower()}", hint=_DRIFT_HINT)
    said = found["send"].value
    if run.headless and isinstance(said, str) and not run.recipe.send.pattern().search(said) and run.recipe.onward_pattern().search(said):
        raise _leads_on(said, run, taken_for_send=True)  # no one would see what its press leads to
    verdict, title = form_purpose(page, found, run)
    if verdict == "other":
        # The third-party-information form, or one for another purpose (direct marketing, ads),
        # asks for the same fields: never send it.
        raise PageMismatch(f"This is not the objection form (it says: {title!r}). {_nothing(run)}",
                           hint="The link followed led to another of Meta's forms. " + _DRIFT_HINT)
    _check_language(found["country"].value["declared"], run)
    if verdict == "unrecognised":
        _unrecognised_purpose(run, title)
    for name, hit in found.items():
        run.layers[name] = hit.layer if hit else "none: the form has no such box"
    return found


MAX_STEPS = 2  # a form that shows its fields one after another: rounds of filling what it shows


def shown_first(page: Page, found: dict[str, Found | None], run: Run) -> tuple[Literal["country", "email"], str] | None:
    """Whether the form found is one that shows its fields one after another, and if so which it
    shows first and the page's titles (None: it is not). Only on the page the right-to-object link
    (or a known form address) led to, only where that page says it is the objection form."""
    country, email = found["country"], found["email"]
    if "link" not in run.layers or (country is None) == (email is None) or _floats(country) or found["send"] is not None:
        # Neither is there (nothing to fill), or both, or the form shows its Send: what is missing is no later step.
        return None
    # The country's read has the page's titles, and whether its form asks for files (the third-party form asks for screenshots).
    titles, files = (country.value["titles"], country.value["files"]) if country is not None else (
        _page_titles(page), _visible(page.locator("input[type=file]")))
    if files or run.recipe.purpose_of(titles) != "objection":
        return None
    return ("country" if country is not None else "email"), titles


def _fill_what_is_shown(page: Page, found: dict[str, Found | None], run: Run) -> Literal["country", "email", None]:
    """A form that shows its fields one after another (the country first and the rest, Send with it,
    once it is chosen; or the email first): what it shows is filled in, so that the rest appears;
    says which (None: nothing), where `shown_first` says the form is one; nothing is pressed."""
    if not shown_first(page, found, run):
        return None
    country, email = found["country"], found["email"]
    run.guard.require(page.url, "The form page")
    run.filled_first = True
    settings = run.settings
    if country is not None:
        if country.value.get("chosen_first") or country.value.get("gone"):
            return None  # chosen once already, and nothing more appeared
        choose_country(page, country.locator, settings.country, run, seen=country.value)
        locate.read_first(country.locator, "e => e.setAttribute('data-optout-chosen', '')")
        run.report.info(f"The form shows its fields one after another: chose {countries.english_name(settings.country)} first.")
        return "country"
    if email.value.get("value"):
        return None  # filled in already (by the site, or by the bot): the rest does not wait for it
    email.locator.fill(settings.email)
    run.report.info(f"The form shows its fields one after another: typed {settings.masked_email} first.")
    return "email"


# The page's title and visible headings, not a sidebar's, a menu's or a dialog's.
_TITLES_JS = ("(() => [document.title, ...Array.from(document.querySelectorAll('h1, h2, [role=heading]'))"
              ".filter(h => h.checkVisibility() && !h.closest('aside, nav, footer, [role=complementary], [role=navigation], [role=dialog]'))"
              ".map(h => h.innerText)].join(' | '))")


def _page_titles(page: Page) -> str:
    try:
        return page.evaluate(f"() => {_TITLES_JS}()")
    except PlaywrightError:
        return ""


# The visible words of a form, not its lists' (a country's name is no title) nor what is typed.
_OWN_TEXT_JS = """e => { const skip = 'select, datalist, [role=listbox], [role=option], textarea, script, style, [aria-hidden=true]', out = [];
  const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) { const p = n.parentElement; if (p && !p.closest(skip) && p.checkVisibility()) out.push(n.data); }
  return out.join(' ').slice(0, 4000); }"""


def form_purpose(page: Page, found: dict[str, Found], run: Run) -> tuple[Literal["objection", "other", "unrecognised"], str]:
    """What the form found is for, by its title and headings (read with the country field by
    `_country_js`), and the title. "other": the third-party-information form (it asks for files) or
    one for another purpose (direct marketing, ads). "unrecognised": neither its title nor, failing
    that, its own words say it is for objecting or about AI; Meta's other request forms ('Request a
    copy of your information') ask for the same fields, and their thanks reads like the objection's."""
    titles = found["country"].value["titles"]
    title = _title(titles)
    verdict = "other" if found["country"].value["files"] else run.recipe.purpose_of(titles)
    if verdict != "unrecognised":
        return verdict, title
    tag = found["email"].value["form"]
    try:
        own = page.locator(f"[data-optout-form~='{tag}']").first.evaluate(_OWN_TEXT_JS, timeout=run.timeout_s * 1000) if tag else ""
    except PlaywrightError:
        own = ""
    return ("objection" if run.recipe.purpose_pattern().search(own) else "unrecognised"), title


# The recipe's languages whose words the field's page shows (its text, the field's own names).
_LANGUAGES_JS = """(els, sources) => { const e = els[0]; if (!e) return Object.keys(sources); let text = [e.getAttribute('aria-label'), e.getAttribute('placeholder'),
    ...Array.from(e.labels || [], l => l.innerText), e.ownerDocument.title].join(' ');
  for (let r = e.getRootNode(); r instanceof ShadowRoot; r = r.host.getRootNode()) text += ' ' + r.textContent;
  text += ' ' + (e.ownerDocument.body ? e.ownerDocument.body.innerText : '');
  return Object.keys(sources).filter(l => new RegExp(sources[l], 'i').test(text)); }"""


def _read_in_page_languages(found: dict[str, Found | None], run: Run) -> None:
    """From here on, Meta's answers are read in the languages of the form's page: its tag's, those
    whose words it shows, and English (a page in any language may answer in English). Where nothing
    is recognised in them, they are read in every language again (_every_language)."""
    field = found["country"] or found["email"]
    if field is None or run.every_language is not None:
        return
    try:
        shown = field.locator.evaluate_all(_LANGUAGES_JS, run.recipe.language_sources())
    except PlaywrightError:
        return
    declared = primary_language(found["country"].value["declared"] if found["country"] else "")
    languages = {"en", *shown, declared} & set(LANGUAGES)
    if languages == set(LANGUAGES):
        return
    run.page_languages = frozenset(languages)
    run.every_language, run.recipe = run.recipe, run.recipe.narrowed(languages)
    _forget_answers()
    # Built beside the filling, which waits on the browser (~40 ms of Python): a pattern needed
    # before the thread has built it is built where it is needed, as any other.
    threading.Thread(target=_built_quietly, args=(run.recipe.compile_answer_patterns,), daemon=True).start()


def _built_quietly(build: Callable[[], None]) -> None:
    """`build` in a thread that lets the one talking to Playwright's driver in every 0.5 ms (see
    cli._playwright: at Python's default 5 ms, a thread that only computes slows every message)."""
    usual = sys.getswitchinterval()
    sys.setswitchinterval(min(usual, 0.0005))
    try:
        build()
    finally:
        sys.setswitchinterval(usual)


def _every_language(run: Run) -> bool:
    """Meta's answer read in every language from now on, where it was read in the form page's
    only; False when it already was."""
    if run.every_language is None:
        return False
    run.recipe, run.every_language, run.widened = run.every_language, None, True
    _forget_answers()
    return True


WIDEN_AFTER_S = 0.5  # after the site's answer, unrecognised this long: read in every language (a toast may go soon)


def _answered_a_while(run: Run) -> bool:
    return time.monotonic() - run.answered_at > WIDEN_AFTER_S


def _until_widened(run: Run, posted: bool, chunk_ms: float) -> float:
    """How long to wait for the page's next change: `chunk_ms`, but while Meta's answers are read in the
    form page's languages only, after the site's answer, no longer than until they are read in every
    language (a toast in another may go with the next change)."""
    if not posted or run.every_language is None:
        return chunk_ms
    return min(chunk_ms, max((run.answered_at + WIDEN_AFTER_S - time.monotonic()) * 1000, 1))


def _forget_answers() -> None:
    """Locators of Meta's answers built with the run's words before they changed (the run is their key,
    not its recipe; the elements' are built from the elements, which narrowing leaves as they are)."""
    for built in (_answer_text, _confirmations, _already):
        built.forget()


def _classify_widely(page: Page, run: Run, *args, **kwargs) -> Result | None:
    """classify_after, once more in every language where the form page's recognise nothing: for a
    look that is not repeated."""
    result = classify_after(page, run, *args, **kwargs)
    if result is None and _every_language(run):
        result = classify_after(page, run, *args, **kwargs)
    return result


# The first sentence `source` matches in, of a line of the page's text that is not its chrome, a
# sidebar, a link or a button, and that the page did not show before the last press (_add_shown's
# note; a new document has none), with the person's own words (`typed`: a summary of what was sent)
# taken out; null: none. The match may run from the line's start (an error word outside every phrase
# that says nothing went wrong): its sentence is the one its end is in.
_SENTENCE_WITH_JS = r"""([source, typed]) => { const re = new RegExp(source, 'i'), norm = t => t.replace(/\s+/g, ' ').trim();
  let text = document.body ? document.body.innerText : '';
  for (const x of document.querySelectorAll('nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo],'
                                            + ' [role=complementary], a, [role=link], button, [role=button]'))
    if (x.innerText && x.innerText.trim()) text = text.replace(x.innerText, '\n');
  const said = typeof window.__optoutSaid === 'string' ? window.__optoutSaid : '';
  for (let line of text.split('\n').map(norm)) {
    if (!line || said.includes(line)) continue;
    for (const t of typed) if (t) line = norm(line.split(t).join(' '));
    const m = re.exec(line); if (!m) continue;
    const at = m.index + Math.max(m[0].length - 1, 0);
    const start = Math.max(...['.', '!', '?'].map(c => line.lastIndexOf(c, at - 1))) + 1, end = line.slice(at).search(/[.!?]/);
    return line.slice(start, end < 0 ? undefined : at + end + 1).trim(); }
  return null; }"""
# Meta's words that doubt thanks: single phrases of their own, and phrases that count only together
# ("open the link" + "to confirm", in one sentence).
_DOUBT_WORDS = ("error_text", "problem_text", "expired_text", "verify_link_text")
_DOUBT_PAIRS = ("link_text", "verify_text", "link_back_text")


def _foreign_doubt(page: Page, run: Run) -> str | None:
    """While Meta's answers are read in the form page's languages: a sentence of the page in another
    language that says something went wrong or leaves a step to take (an emailed link to open), beside
    thanks read in the page's, as error_pattern and pending_pattern read them (a problem only
    supposed is none). Not a phrase the form page's languages share (their reading saw it), except
    in a pair ("Link" is English and German). Matched in the browser: nothing of the whole recipe is
    compiled in Python."""
    whole = run.every_language
    if whole is None:
        return None
    kept = set(run.recipe.confirmation_text)
    update = {}
    for name in ANSWER_TEXTS:
        own = {p.casefold() for words in getattr(run.recipe, name).values() for p in words} if name in _DOUBT_WORDS else set()
        update[name] = {lang: [p for p in words if p.casefold() not in own] for lang, words in getattr(whole, name).items() if lang not in kept}
    if not any(update[name].values() for name in (*_DOUBT_WORDS, *_DOUBT_PAIRS)):
        return None
    others = whole.model_copy(update=update)
    try:  # error_source first: its group must be the pattern's first (recipe._outside)
        said = page.evaluate(_SENTENCE_WITH_JS, [f"{others.error_source()}|{others.pending_source()}",
                                                 [" ".join(line.split()) for line in run.settings.reason.splitlines()]])
    except PlaywrightError:
        return None
    if said and others.pending_pattern().search(said):  # a link still to open, as in the page's languages
        raise _link_pending(page, run, said)
    return said


def _title(titles: str) -> str:
    """The page's titles as a report shows them: once each (a page's heading often repeats its document title)."""
    return " | ".join(dict.fromkeys(" ".join(part.split()) for part in titles.split(" | ") if part.strip()))[:120]


def _unrecognised_purpose(run: Run, title: str) -> None:
    """Unattended, a form that does not say what it is for is never filled; with a person there,
    they are told to look before sending."""
    if _unattended(run):
        raise PageMismatch(f"This form does not say it is for objecting to AI use (its title: {title!r}), so the bot stopped. "
                           + _nothing(run),
                           hint="The link may lead to another of Meta's forms. To look at it yourself, run with a window "
                                "(no --headless, no --submit auto). " + _DRIFT_HINT)
    run.caution = "This form's title does not mention objecting or AI: make sure it is the objection form before you send it."
    run.report.warn(f"This form does not say it is for objecting to AI use (its title: {title!r}). Look at it in the window; "
                    "send it only if it is the objection form.")


def _unattended(run: Run) -> bool:
    """Nobody will press Send, or see what Meta answers, but the bot."""
    return run.headless or run.submit == "auto"


def _check_language(declared: str, run: Run, form_found: bool = True, what: Literal["form", "page"] = "form") -> None:
    """A page in a language the recipe has no words for: sent, its answer could not be told from a
    refusal, so an unattended run stops here; with a person there, they are told to read it.
    Without `form_found` it always stops: the missing fields are no sign that Meta changed the page.
    `what`: the form, or the page before it, where the link was not found."""
    if reads_language(declared):
        return
    unread = f"This {what} is in {countries.language_name(declared)}, a language the bot does not read yet"
    if what == "page":
        raise PageMismatch(f"{unread}, and it found no right-to-object link there it could read. {_nothing(run)}",
                           hint="Set your account's language to one the bot reads (the README lists them), or object "
                                "in your browser. docs/maintainers.md says how to add a language.")
    if _unattended(run) or not form_found:
        raise PageMismatch(f"{unread}, so it stopped (it could not tell what Meta answers). {_nothing(run)}",
                           hint="Run with a window (no --headless, no --submit auto): the bot fills the form and you read "
                                "Meta's answer in the window. docs/maintainers.md says how to add a language.")
    run.report.warn(f"{unread}: it fills the form, but cannot tell what Meta answers. Read the answer in the window, and keep Meta's email.")


def fill_form(page: Page, found: dict[str, Found], run: Run) -> Marked | None:
    """Fill the form found. A page that reloads meanwhile (an A/B test's redirect: what was typed went
    with it) gets the form found and filled again, once; a second reload, or a log-in or something
    else in the form's place, stops the run before Send. A form drawn anew (a server-rendered copy
    that the page's script replaced with empty fields) is filled again, once. Either way the caller's
    `found` becomes the new form's. Returns the page's marks for `send`, taken with the last look at
    what was filled (None: send takes them)."""
    origin = found["country"].value["origin"]  # read by locate_form with the country
    retried = reloaded = False
    while True:
        try:
            kept_origin, marked = _fill_form(page, found, run)
        except (PageMismatch, PlaywrightError) as exc:
            if page.is_closed():
                raise
            if _safely(lambda: _login_shown(page, run)):
                raise PersonTimeout("Meta asked for a log-in while the bot was filling in the form; nothing was sent.",
                                    hint="Run again with a window (without --headless), log in when asked, and add --profile DIR to stay logged in.") from None
            if not _same_origin(page, origin):
                kept_origin = None  # reloaded: below
            elif not retried and _safely(lambda: _visible(_cookie_banner(page, run.recipe))):
                # A cookie dialog that came after the form was found covers it: declined, then all again.
                retried = True
                decline_cookies(page, run)
                continue
            elif not retried and _safely(lambda: _drawn_anew(page, found, run)):
                retried = True
                run.report.info("The page drew the form anew while the bot was filling it in; filling it in again.")
                found.update(locate_form(page, run))
                continue
            elif isinstance(exc, PlaywrightTimeout):  # a field the bot found could no longer be used
                raise PageMismatch(f"The form changed while the bot was filling it in ({_short(exc)}); nothing was sent.", hint=_DRIFT_HINT) from None
            else:
                raise
        if kept_origin == origin:
            return marked
        # What was chosen or typed went with the old document; sending the new one would send less.
        if reloaded:
            raise PageMismatch("The page reloaded twice while the bot was filling in the form; nothing was sent.",
                               hint="Run again. If it happens every time, " + _DRIFT_HINT)
        reloaded = True
        run.report.info("The page reloaded while the bot was filling in the form; filling it in again.")
        page.wait_for_load_state("domcontentloaded")
        _check_app(page, run)
        if _safely(lambda: _visible(_cookie_banner(page, run.recipe))):
            decline_cookies(page, run)
        found.update(locate_form(page, run))
        origin = found["country"].value["origin"]


def _drawn_anew(page: Page, found: dict[str, Found], run: Run) -> bool:
    """The country field the bot found is no longer in the page, and the page shows a form again."""
    tag = found["email"].value["ctag"]
    return page.evaluate(f"!document.querySelector(\"[data-optout-country='{tag}']\")") and _visible(_form_marker(page, run.recipe))


def _safely(look: Callable[[], bool]) -> bool:
    """A look at a page that may be navigating away: nothing seen then."""
    try:
        return look()
    except PlaywrightError:
        return False


def _same_origin(page: Page, origin: float) -> bool:
    try:
        return page.evaluate("performance.timeOrigin") == origin
    except PlaywrightError:
        return False


def _fill_form(page: Page, found: dict[str, Found], run: Run, account_chosen: bool = False) -> tuple[float | None, Marked | None]:
    """Fills the form; returns the document's timeOrigin, read with what was kept, and the marks for Send.
    `account_chosen`: filled again after the bot chose the account on the form (which may reset it)."""
    settings = run.settings
    run.guard.require(page.url, "The form page")
    seen = found["country"].value
    # Chosen when the form showed only it: choosing again (clearing a typeahead) may hide the rest,
    # and a field that gave way to the choice is gone.
    if not (seen.get("gone") or seen.get("chosen_first") and _is_country(page, seen["current"], settings.country,
                                                                           [n for n in seen["regions"] if n])):
        choose_country(page, found["country"].locator, settings.country, run, seen=seen)

    email = found["email"].locator
    tag = f"email-{next(_FILLS)}"
    existing = _read(email, _FILLED_JS.format(name=tag, before=_mark_form_again(found["email"]), value="e.value"),
                     run.recipe.email.description, run).strip()
    typed = existing.lower() != settings.email.lower()
    if typed and could_be(existing, settings.email) and not email.is_editable():
        # Logged in, the form shows the account's address as Meta masks it: ours, as far as anyone can tell.
        run.report.info(f"The page shows your account's address as {_as_shown(existing)} and does not let it be changed; "
                        "it fits the address in your settings.")
        typed, run.email_in_form = False, False
    if typed:
        if existing and not email.is_editable():
            raise PageMismatch(f"The page shows {_as_shown(existing)} and does not let it be changed; your settings say {settings.masked_email}.",
                               hint="Log in with the account of OPTOUT_EMAIL, or set OPTOUT_EMAIL to the address the page shows.")
        if existing:
            run.report.warn(f"The page had filled in {_as_shown(existing)}; replaced it with {settings.masked_email} from your settings.")
        email.fill(settings.email)
        _mark_again(found["email"], tag, run, release=True)  # typing may have drawn the form anew

    if found["reason"] is None:  # drawn only now (once the country was chosen, say)?
        found["reason"] = _reason_box(page, run, found["email"])
    run.reason_sent = found["reason"] is not None
    if found["reason"] is not None:
        field, what = found["reason"].locator, run.recipe.reason.description
        field.fill(settings.reason)
        kept_js = _KEPT_JS.format(tag=tag, missing=_MISSING_JS, accounts=_accounts_js(run.recipe))
    else:  # Meta made the reason optional in 2025; a form without its box is read through the email field
        field, what = email, run.recipe.email.description
        kept_js = _KEPT_EMAIL_JS.format(missing=_MISSING_JS, accounts=_accounts_js(run.recipe))
    if found["reason"] is not None or typed:
        # A page may cut or change what was typed once the box loses focus, as pressing Send makes it.
        # Whatever has the focus: a form drawn anew on each keystroke has replaced the box the bot found.
        page.evaluate(_LET_GO_JS)
    # What was kept, and in the same round trip the marks send() takes before Send (nothing happens between).
    since, seen = _marked(_add_before_press(locate.Look(page).add("kept", field, read=kept_js, keep=1), page, run), run)
    if "kept" in seen:
        read, marked = seen.values["kept"][0], Marked(since, "cookies" in seen)
    else:  # away for a moment, or drawn anew: read as ever, and send() marks the page itself
        read, marked = _read(field, kept_js, what, run, again=lambda: _mark_again(found["email"], tag, run)), None
    if read["accounts"] and _choose_account(page, run, read["accounts"], found, again=account_chosen):
        # The fields and what the form requires are read (and filled, if need be) anew.
        return _fill_form(page, found, run, account_chosen=True)
    kept, email_kept = read["kept"], read["email"]
    if typed:
        if email_kept is None:
            email_kept = email.input_value()
        # A page that filled in the account's address may put it back a moment later (when the field
        # loses focus, say): the form would go with that address, and the receipt name the other.
        put_back = existing and (email_kept.strip().lower() == existing.lower() or not email.evaluate(
            _STEADY_JS.format(choice="e => [e.value.trim().toLowerCase()]"), [settings.email.lower(), KEPT_MS],
            timeout=run.timeout_s * 1000))
        if put_back:
            raise PageMismatch(f"The page put its own address ({_as_shown(existing)}) back in the email field after the bot "
                               f"typed {settings.masked_email}; nothing was sent.",
                               hint="Log in with the account of OPTOUT_EMAIL, or set OPTOUT_EMAIL to the address the page shows.")
        if email_kept.strip().lower() != settings.email.lower():
            raise PageMismatch("The email field did not keep the address typed into it.", hint=_DRIFT_HINT)
    country, address = countries.english_name(settings.country), settings.masked_email
    if found["reason"] is None:
        run.report.info(f"Filled in country {country} and email {address}. The form shows no box for a reason "
                        "(Meta made it optional in 2025), so none is sent.")
        if settings.reason != default_reason(settings.country)[0]:
            # Some forms keep the box behind a button ("Add details"), which the bot does not press.
            run.report.warn("Your own reason (OPTOUT_REASON) is not sent. If the form offers a box for it behind a button such "
                            "as 'Add details', " + ("run with a window and --submit manual, and write it there before Send."
                                                    if _unattended(run) else "open it in the window and write your reason there before Send."))
    else:
        text, basis = default_reason(settings.country)
        if kept.replace("\r\n", "\n").strip() != settings.reason.strip():
            hint = (f"The default objection is longer than this box takes: set OPTOUT_REASON (or --reason) to your own, "
                    f"at most {len(kept)} characters." if settings.reason == text else
                    f"Shorten OPTOUT_REASON to at most {len(kept)} characters.")
            raise PageMismatch(f"The reason box kept only {len(kept)} of {len(settings.reason)} characters; nothing was sent.", hint=hint)
        reason = f"the default reason (an objection under {basis})" if settings.reason == text else "your reason"
        run.report.info(f"Filled in country {country}, email {address} and {reason}.")
    if read["missing"]:
        # A declaration to tick or a name to give: the person's to answer, never the bot's.
        if _unattended(run):
            raise PageMismatch(f"The form also requires {_named(read['missing'])}, which the bot does not fill in; nothing was sent.",
                               hint="Run with a window (no --headless, no --submit auto) to fill it in yourself before Send.")
        run.report.warn(f"The form also requires {_named(read['missing'])}, which the bot does not fill in: fill it in in the window before Send.")
    return read["origin"], marked


# A key released in a field, as a person's typing ends (an older validation script enables Send on
# keyup alone; the bot's typing sends input events only). Shift: no character, no caret. Only in the
# focused field, so that what opens on it (a "Did you mean ...?" box) closes on the blur that follows.
_RELEASE_JS = ("e => ['keydown', 'keyup'].forEach(type => e.dispatchEvent(new KeyboardEvent(type,"
               " {bubbles: true, cancelable: true, composed: true, key: 'Shift', code: 'ShiftLeft', shiftKey: type === 'keydown'})))")
# Lets go of the focused field (the reason box, or the email field): a key released, then a blur.
_LET_GO_JS = f"""() => {{ let a = document.activeElement; while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (a && a !== document.body) {{ ({_RELEASE_JS})(a); if (a.blur) a.blur(); }} }}"""


def _choose_account(page: Page, run: Run, accounts: list[dict[str, Any]], found: dict[str, Found], again: bool = False) -> bool:
    """An account picker: the objection goes for the account chosen there, so it must be the one
    whose address (as the page masks it) fits the settings', or, where the list shows no address, the
    one on the target's app. True when the bot chose it; `again`: it did so before, and the form gave
    up that choice."""
    email, target = run.settings.email, run.recipe.target
    shown = [_as_shown(a["address"]) if a["address"] else a["name"] for a in accounts]
    fits = [i for i, a in enumerate(accounts) if (address_fits(a["address"], email) if a["address"] else a["app"] == target)]
    if len(fits) > 1 and len(ours := [i for i in fits if accounts[i]["app"] == target]) == 1:
        fits = ours  # one address for both apps' accounts: the target's app tells
    chosen = [i for i, a in enumerate(accounts) if a["checked"]]
    if set(fits) & set(chosen):
        return False
    if again:  # the form drew its picker anew after the bot's choice, without it
        raise PageMismatch("The form asks which account the objection is for, and it gave up the account the bot chose there "
                           f"({', '.join(shown)} now); nothing was sent.", hint=_DRIFT_HINT)
    if len(fits) != 1:
        which = "none" if not fits else "more than one"
        what = (f"shows your address {run.settings.masked_email}" if any(a["address"] for a in accounts)
                else f"is an account on {run.recipe.display_name}")
        message = f"The form asks which account the objection is for ({', '.join(shown)}), and {which} of them {what}"
        if _unattended(run):
            raise PageMismatch(f"{message}; nothing was sent.",
                               hint="Run with a window to choose the account yourself, or set OPTOUT_EMAIL to the address of "
                                    "the account you object for.")
        run.report.your_turn(f"{message}: choose the account in the window before Send.")
        return False
    run.guard.require(page.url, "The form page")
    try:
        page.locator(f"[data-optout-account='{fits[0]}']").click(timeout=run.timeout_s * 1000)
        field = found["email"].locator.element_handle(timeout=run.timeout_s * 1000)
        page.wait_for_function(_ACCOUNT_CHECKED_JS % _accounts_js(run.recipe), arg=[field, accounts[fits[0]]["name"]], timeout=run.timeout_s * 1000)
    except PlaywrightError as exc:
        if page.is_closed():
            raise _closed() from None
        raise PageMismatch(f"The form asks which account the objection is for, and the account {shown[fits[0]]} could not be "
                           f"chosen ({_short(exc)}); nothing was sent.", hint=_DRIFT_HINT) from None
    why = "whose address fits yours" if accounts[fits[0]]["address"] else f"the one on {run.recipe.display_name}"
    if chosen:
        run.report.warn(f"Chose the account {shown[fits[0]]} on the form, {why}; the page had chosen "
                        f"{', '.join(shown[i] for i in chosen)}.")
    else:
        run.report.info(f"Chose the account {shown[fits[0]]} on the form, {why}.")
    return True


# How pages mask an address: s•••••@example.com, j***r@e*****.eu.
_MASK_CHARS = "*\u2022\u25CF\u2217\u2026"  # *, •, ●, ∗, …


def _masked(shown: str) -> bool:
    return any(c in shown for c in _MASK_CHARS)


def could_be(shown: str, email: str) -> bool:
    """Whether `shown` is an address the page masked ('p•••••@example.eu') that could be `email`."""
    return _masked(shown) and address_fits(shown, email)


def address_fits(shown: str, email: str) -> bool:
    """Whether an address as a page shows it ('s•••••@example.com', 'j***r@e*****.eu') could be
    `email`. A mask may stand for any number of characters: pages mask to a fixed length."""
    def pattern(part: str) -> str:
        return "".join(".*" if piece[0] in _MASK_CHARS else re.escape(piece)
                       for piece in re.findall(f"[{_MASK_CHARS}]+|[^{_MASK_CHARS}]+", part))
    local, _, domain = shown.rpartition("@")
    email_local, _, email_domain = email.rpartition("@")
    return bool(re.fullmatch(pattern(local), email_local, re.IGNORECASE) and re.fullmatch(pattern(domain), email_domain, re.IGNORECASE))


def _email_group(page: Page, email: Found) -> tuple[Page | Locator, Locator]:
    """Where the form's other fields are looked for: the email's tagged group (the page when it has
    none), and what is not the email field itself (an email box of type text may be labelled with
    "details", a reason's word)."""
    tag = email.value["form"]
    return (page.locator(f"[data-optout-form~='{tag}']") if tag else page,
            page.locator(f":not([data-optout-email='{email.value['etag']}'])"))


def _reason_box(page: Page, run: Run, email: Found) -> Found | None:
    """The reason box in the email's group, as find_form looks for it, without waiting (none
    without a group: a box elsewhere on the page may be anything's)."""
    scope, not_email = _email_group(page, email)
    if scope is page:
        return None
    found = locate.find(scope, "reason", run.recipe.reason, also=not_email)
    if found is not None:
        run.layers["reason"] = found.layer
    return found


def _named(labels: list[str]) -> str:
    return ", ".join(repr(" ".join(label.split())[:80]) for label in labels[:3])


def choose_country(page: Page, control: Locator, alpha_2: str, run: Run, seen: dict | None = None) -> None:
    """Pick the country by ISO value or by its name in the page's language: the browser's (CLDR),
    then pycountry's translations of ISO 3166. `seen`: what _country_js read when the field was found."""
    seen = seen or _read(control, _country_js(alpha_2), run.recipe.country.description, run)
    options = seen["options"]
    regions = [name for name in seen["regions"] if name]
    names = list(dict.fromkeys(regions[:1] + countries.names_in(alpha_2, seen["lang"] or None)))
    if seen["locked"]:
        if _is_country(page, seen["current"], alpha_2, regions):
            run.report.info(f"The page already shows your country, {countries.english_name(alpha_2)}, and does not let it be changed.")
            return
        _wait_until_enabled(page, control, seen["current"], alpha_2, run)
        seen = _read(control, _country_js(alpha_2), run.recipe.country.description, run)
        options = seen["options"]
    if seen.get("radio"):
        _choose_radio(page, control, alpha_2, names, regions, run)
        return
    if options is not None:
        value = _option_for(page, options, alpha_2, names, regions)
        listed = seen["listed"]  # a text field with a <datalist>: its options are only suggestions
        if listed and value is not None:
            control.fill(value)
            if control.input_value() != value:
                raise PageMismatch("The country choice did not hold.", hint=_DRIFT_HINT)
            return
        if not listed:
            if value is None:
                _person_chooses_country(page, control, names, run, _SELECT_CHOICE)
            elif control.select_option(value=value) != [value]:
                raise PageMismatch("The country choice did not hold.", hint=_DRIFT_HINT)
            return
    # Last, the country's name in its own language: a page whose language tag is missing or wrong.
    typed = seen["typed"]
    if seen.get("wraps"):  # an ARIA 1.1 combobox: a box around the text field typed into
        control, typed = control.locator(_TYPED_IN).first, True
    _choose_in_combobox(page, control, names + [name for name in regions[1:] if name not in names], alpha_2, typed, run)


def _option_for(page: Page, options: list[list[str]], alpha_2: str, names: list[str], regions: list[str]) -> str | None:
    """Of [value, words] options, the value of the country's: by its ISO code, its names in the page's
    language, then in every form language (a page's language may not be its list's)."""
    wanted_codes = {alpha_2, countries.alpha_3(alpha_2)}
    wanted_names = {countries.fold(n) for n in names}
    value = next((v for v, _ in options if v.strip().upper() in wanted_codes), None)
    labels = [(v, countries.fold(countries.without_code(label, alpha_2))) for v, label in options]  # "Portugal (PT)"
    if value is None:
        value = next((v for v, label in labels if label in wanted_names), None)
    if value is None:
        anywhere = _names_anywhere(page, alpha_2, regions)
        value = next((v for v, label in labels if label in anywhere), None)
    return value


# The radios of the country list a radio (or its group) belongs to: its radiogroup, else the radios
# of its name, else its fieldset's. Each is tagged `{tag}-i` for a click (its visible label, as a styled radio
# hides its input under it) and read as [i, value, words, checked].
_RADIOS_JS = """e => {{ const RADIOS = 'input[type=radio], [role=radio]';
  const group = e.closest('[role=radiogroup]') || (e.matches(RADIOS) ? null : e);
  const radios = group ? [...group.querySelectorAll(RADIOS)]
    : e.name ? [...e.getRootNode().querySelectorAll(`input[type=radio][name="${{CSS.escape(e.name)}}"]`)]
    : [...(e.closest('fieldset') || e).querySelectorAll(RADIOS)];
  return radios.map((r, i) => {{ const label = r.labels && r.labels[0];
    (label && label.checkVisibility() ? label : r).setAttribute('data-optout-radio', '{tag}-' + i);
    return [String(i), r.value || '', ({words})(r), r.matches('input') ? r.checked : r.getAttribute('aria-checked') === 'true']; }}); }}"""
_RADIOS = itertools.count(1)


def _choose_radio(page: Page, control: Locator, alpha_2: str, names: list[str], regions: list[str], run: Run) -> None:
    """A country list of radios: the one whose value is the country's ISO code or whose words name it."""
    tag = f"radio-{next(_RADIOS)}"
    radios = _read(control, _RADIOS_JS.format(tag=tag, words=_RADIO_TEXT_JS), run.recipe.country.description, run)
    codes = {alpha_2, countries.alpha_3(alpha_2)}
    index = next((i for i, value, _, _ in radios if value.strip().upper() in codes), None)
    if index is None:  # by the words: [i, words] pairs, whose first is never a code
        index = _option_for(page, [[i, words] for i, _, words, _ in radios], alpha_2, names, regions)
    if index is None:
        choice = f"e => {{ const c = ({_RADIOS_JS.format(tag=tag, words=_RADIO_TEXT_JS)})(e).find(r => r[3]); return [c ? c[2].trim() : '', !!c]; }}"
        _person_chooses_country(page, control, names, run, choice)
        return
    page.locator(f"[data-optout-radio='{tag}-{index}']").click()
    again = _read(control, _RADIOS_JS.format(tag=tag, words=_RADIO_TEXT_JS), run.recipe.country.description, run)
    if not any(i == index and checked for i, _, _, checked in again):
        raise PageMismatch("The country choice did not hold.", hint=_DRIFT_HINT)


def _names_anywhere(page: Page, alpha_2: str, regions: list[str]) -> set[str]:
    """The country's names in every form language, pycountry's and the browser's, folded."""
    return {countries.fold(n) for n in countries.names_anywhere(alpha_2) + regions + _other_regions(page, alpha_2)}


def _is_country(page: Page, current: list[str], alpha_2: str, regions: list[str]) -> bool:
    value, label = (text.strip() for text in current)
    return value.upper() in (alpha_2, countries.alpha_3(alpha_2)) or countries.fold(label) in _names_anywhere(page, alpha_2, regions)


def _wait_until_enabled(page: Page, control: Locator, current: list[str], alpha_2: str, run: Run) -> None:
    """A country field disabled while the page's script starts is enabled soon; one that stays
    disabled shows a country taken from the account: not the person's, so nothing is sent (as for
    an email the page will not let be changed). A form locked until its cookie dialog is answered
    is not waited out: the dialog is declined (nothing is typed yet), and the wait goes on."""
    deadline = time.monotonic() + LOCKED_WAIT_S
    declined = False
    while True:
        try:
            expect(control).to_be_enabled(timeout=LOCKED_LOOK_MS)
            return
        except AssertionError:
            if not declined and _safely(lambda: _visible(_cookie_banner(page, run.recipe))):
                declined = True
                decline_cookies(page, run)
                deadline = time.monotonic() + LOCKED_WAIT_S
                continue
            if time.monotonic() < deadline:
                continue
        shown = current[1].strip() or current[0].strip() or "(none)"
        raise PageMismatch(f"The page shows the country {shown!r} and does not let it be changed; "
                           f"your settings say {countries.english_name(alpha_2)}. Nothing was sent.",
                           hint="Log in with the account you object for, or set OPTOUT_COUNTRY to where you live.") from None


# The text field an ARIA 1.1 combobox holds.
_TYPED_IN = "input:is([type=text], [type=search], :not([type])):not([readonly]):not([disabled])"
# Meta's typeahead keeps the chosen country's ISO code in a hidden field named Field<digits>_iso2_country_code.
_ISO_COMPANION = "input[type=hidden][name$='iso2_country_code' i]"


# Marks the combobox typed into and says where its list of options is.
_TYPING_JS = ("e => { e.setAttribute('data-optout-typing', '');"
              " return e.getAttribute('aria-controls') || e.getAttribute('aria-owns') || ''; }")
_TYPED_INTO_GONE = "html:not(:has([data-optout-typing]))"
MAX_SWAPS = 2
JUST_SEEN_MS = 2000


def _on_just_seen(page: Page, run: Run, act: Callable[[float], None]) -> None:
    """An action on a control just read: briefly first, then, unless a log-in has taken the form's
    place (fill_form stops there) or a cookie dialog covers it (fill_form declines it and fills the
    form again), for the rest of --timeout (a form being drawn anew, an overlay). Either would
    otherwise keep the person waiting the whole --timeout."""
    try:
        act(JUST_SEEN_MS)
    except PlaywrightTimeout:
        if _safely(lambda: _login_shown(page, run) or _visible(_cookie_banner(page, run.recipe))):
            raise
        act(max(run.timeout_s * 1000 - JUST_SEEN_MS, 1))


def _choose_in_combobox(page: Page, control: Locator, names: list[str], alpha_2: str, is_input: bool, run: Run) -> None:
    """Type the name, then pick the option whose text is exactly it (Niger, not Nigeria)."""
    typeahead = is_input and control.is_editable()
    swaps = declined = 0
    queue = list(names)
    while queue:
        name = queue.pop(0)
        # Read where its list is, and mark the control, at each try: a page that drew the form anew
        # (its script replacing a server-rendered copy) has a new control with a list of a new id.
        listbox_id = next(iter(locate.read_first(control, _TYPING_JS)), "")
        scope = page.locator(f'[id="{listbox_id}"]') if listbox_id else page
        options = scope.get_by_role("option").filter(visible=True)
        _on_just_seen(page, run, lambda ms: control.click(timeout=ms))
        with _asking(page) as asking:
            if typeahead:
                _on_just_seen(page, run, lambda ms: control.fill("", timeout=ms))
                control.press_sequentially(name)  # every keystroke counts against the limit: the whole --timeout
            listed = _listed(page, options.first.or_(page.locator(_TYPED_INTO_GONE)).first, asking)
            if not listed:
                continue
            if not locate.count(page.locator("[data-optout-typing]")) and not locate.count(options):
                if swaps < MAX_SWAPS:  # typed into a control that is gone: the same name again, in the new one
                    swaps += 1
                    queue.insert(0, name)
                continue
            target = _option_named(options, name, alpha_2, asking)
        if target is None:
            continue
        if declined < 2 and _safely(lambda: _visible(_cookie_banner(page, run.recipe))):
            # A cookie dialog that came with the typing covers the list: declined, then the name again,
            # once the page has settled (declining took the focus from the field: its list may close
            # a moment later, over the name typed again).
            declined += 1
            decline_cookies(page, run)
            _settle(page, AFTER_DIALOG_STILL_MS)
            queue.insert(0, name)
            continue
        target.click()
        # A typeahead keeps what was typed even when no option was picked: trust its ISO companion.
        if page.locator(_ISO_COMPANION).count():
            try:  # the page may set it a moment after the click
                page.wait_for_function("([css, want]) => { const e = document.querySelector(css);"
                                       " return !!e && e.value.trim().toUpperCase() === want; }",
                                       arg=[_ISO_COMPANION, alpha_2], timeout=2000)
                return
            except PlaywrightTimeout:
                pass
        # Folded first: a list's own arrow after the name ("Austria (+43) ▾") is no part of it.
        elif countries.without_code(countries.fold(control.input_value() if is_input else control.inner_text()), alpha_2) == countries.fold(name):
            return
        raise PageMismatch(f"The country list did not keep {name!r}.", hint=_DRIFT_HINT)
    companion = page.locator(_ISO_COMPANION)
    if companion.count():  # the page's own record of the choice
        _person_chooses_country(page, companion.first, names, run, _COMPANION_CHOICE)
    elif not typeahead:  # a list that only shows what was picked
        _person_chooses_country(page, control, names, run, _SHOWN_CHOICE)
    else:  # what a person types there is no choice yet: nothing tells when they have chosen
        raise _unknown_country(names, run, "If your country is in the list under another name, please report it (docs/maintainers.md)")


# What a country list holds as chosen: [its text, whether that is a choice]. A placeholder is
# none; a combobox shows its placeholder as text, so there that cannot be told.
_SELECT_CHOICE = "e => [e.value ? (e.selectedOptions[0] || {}).label || e.value : '', !!e.value]"
_COMPANION_CHOICE = "e => [e.value.trim(), !!e.value.trim()]"
# What a custom country list shows: its input's value (the list's own, or one it wraps), else its text.
_SHOWN_WORDS = ("e => { const i = e.tagName === 'INPUT' ? e : e.querySelector('input:not([type=hidden])');"
                " return ((i ? i.value : e.innerText) || '').trim(); }")
_SHOWN_CHOICE = f"e => [({_SHOWN_WORDS})(e), false]"
# Resolves true once the choice has stayed `was` for `ms` (arrow keys pass through other countries
# on the way to one), false as soon as it is something else.
_STEADY_JS = ("(e, [was, ms]) => new Promise(done => {{ const read = {choice}, since = Date.now();"
              " (function check() {{ if (read(e)[0] !== was) done(false); else if (Date.now() - since >= ms) done(true);"
              " else setTimeout(check, 100); }})(); }})")
STEADY_MS = 1500
KEPT_MS = 1000  # how long a replaced address must stay before Send


LIST_STILL_MS = 1500  # a typeahead still this long after the typing, asking no server, lists none for that name
LIST_WAIT_S = 5  # the longest a typeahead's list is waited on for one name
AFTER_DIALOG_STILL_MS = 600  # a page's own reaction to a dialog closed (a list closing on blur) comes within this


@contextmanager
def _asking(page: Page):
    """While inside: whether a request of the page's scripts (fetch, XHR) made meanwhile is still unanswered."""
    waiting: set = set()

    def started(request: Request) -> None:
        if request.resource_type in ("fetch", "xhr"):
            waiting.add(request)

    def answered(request: Request) -> None:
        waiting.discard(request)

    handlers = {"request": started, "requestfinished": answered, "requestfailed": answered}
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        yield lambda: bool(waiting)
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)


def _settle(page: Page, still_ms: float, timeout_s: float = 2) -> None:
    """Until the page has not changed for `still_ms` (at most `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and wait_for_change(page, mark(page), still_ms):
        pass


def _option_named(options: Locator, name: str, alpha_2: str, asking: Callable[[], bool]) -> Locator | None:
    """The option that is `name` (the list may add the country's own code, "Portugal (PT)"; never
    another's), or None. Briefly: a list still filtering shows stale options. Longer where it shows
    one option only, which may be a placeholder ("No results", "Searching…") until the search
    answers: while that option changes (not the page: a clock ticks on some) or a request is open,
    up to LIST_WAIT_S; whatever it does while that option cannot be chosen (a search that waits a
    while before it asks its server)."""
    named = options.filter(has_text=re.compile(rf"^\s*{re.escape(name)}(?:\s*[(\[]\s*{alpha_2}\s*[)\]])?\s*$", re.IGNORECASE)).first
    deadline = time.monotonic() + LIST_WAIT_S
    before = None
    while True:
        try:
            named.wait_for(timeout=1000)
            return named
        except PlaywrightTimeout:  # spelled with other accents or spacing: compare as a person reads
            shown = options.evaluate_all(_OPTIONS_JS)
        exact = [i for i, (text, _) in enumerate(shown) if countries.fold(countries.without_code(text, alpha_2)) == countries.fold(name)]
        if exact:
            return options.nth(exact[0])
        if len(shown) > 1 or time.monotonic() >= deadline:
            return None
        if not ((shown and shown[0][1]) or shown != before or asking()):
            return None
        before = shown


# A list's options: their words, and whether they cannot be chosen.
_OPTIONS_JS = "es => es.map(e => [e.innerText, e.getAttribute('aria-disabled') === 'true' || !!e.disabled])"


def _listed(page: Page, loc: Locator, asking: Callable[[], bool], timeout_s: float = LIST_WAIT_S) -> bool:
    """Whether `loc` shows within `timeout_s`; False as soon as the page has stayed still for
    LIST_STILL_MS without it while `asking` no server (a list filtered to nothing: the next name is
    typed at once, not 5 s later)."""
    deadline = time.monotonic() + timeout_s
    while True:
        since = mark(page)
        if _visible(loc):
            return True
        left = deadline - time.monotonic()
        if left <= 0 or (not wait_for_change(page, since, min(left * 1000, LIST_STILL_MS)) and not asking()):
            return _visible(loc)


def _tried(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


def _unknown_country(names: list[str], run: Run, way_out: str) -> PageMismatch:
    return PageMismatch(f"The country list has no entry the bot knows for {countries.english_name(run.settings.country)} (it looked for {_tried(names)}).",
                        hint=f"{way_out}; if it is not in the list, the form may not be offered in your country.")


def _person_chooses_country(page: Page, shown: Locator, names: list[str], run: Run, choice_js: str) -> None:
    """No option bears a name the bot knows for the country (the page may spell it otherwise): in a
    window the person picks it, and the bot carries on once `shown` holds a new choice that stays."""
    if run.headless:
        raise _unknown_country(names, run, "Run without --headless to choose your country in the window yourself")
    english = countries.english_name(run.settings.country)

    def choice() -> list:
        return _read(shown, choice_js, run.recipe.country.description, run)

    before, is_choice = choice()
    if is_choice and (before.upper() == run.settings.country  # the ISO companion already says so
                      or _ask(page, run, f"The country list shows {before!r}. Is that {english}, your country of residence?",
                                   "your answer about the country")):
        return
    again = f" (It shows {before!r} now; if that is yours, run again from a terminal to confirm it there.)" if is_choice else ""
    run.report.your_turn(f"The country list does not name {english} in a way the bot knows (it looked for {_tried(names)}). "
                         f"Choose your country of residence in the list in the window; the bot carries on once you have.{again} "
                         "If it is not there, the form is not offered where you live: close the window to stop.")
    person.show_note(page, "Please choose your country of residence in the list.", "act")
    now, deadline = before, run.person_deadline
    with _window_closed_is_cancel(page):
        while now in ("", before) or not shown.evaluate(_STEADY_JS.format(choice=choice_js), [now, STEADY_MS]):
            _wait_person(lambda: choice()[0] not in ("", before), page, run, "your choice of country", deadline)
            now = choice()[0]
    run.report.info(f"You chose {now!r} in the country list.")


def _read(loc: Locator, js: str, what: str, run: Run, again: Callable[[], None] | None = None):
    """`js` applied to the first match in one round trip (`Locator.evaluate` takes three). The
    element was just found; if a re-render has it away for a moment, wait for it as evaluate does.
    `again`: on a miss, first put back the marks the locator needs (a page that drew itself anew)."""
    values = locate.read_first(loc, js)
    if not values and again is not None:
        again()
        values = locate.read_first(loc, js)
    if values:
        return values[0]
    try:
        return loc.evaluate(js, timeout=run.timeout_s * 1000)
    except PlaywrightTimeout:
        raise PageMismatch(f"{_capital(what)} went away while the bot was filling the form.", hint=_DRIFT_HINT) from None


def _as_shown(address: str) -> str:
    """Another address in a field: as the page masks it (j*******r@example.eu), else masked by the bot."""
    return address if re.search(f"[{_MASK_CHARS}]{{2}}", address.partition("@")[0]) else mask_email(address)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Send, the code, the outcome ------------------------------------------------------------

Result = Literal["code", "confirmed", "already", "refused", "wrong-code", "login", "lost", "dialog", "review", "pending"]


def _mark_seen(page: Page, run: Run, code_texts: bool = False, typed: str = "") -> int | None:
    """Tag what is on screen now, so only messages that appear after our action count; returns
    the page's change counter as `mark` does, from the same round trip. `code_texts` (before Send):
    also what speaks of a code already, so that only a code step's own words hold a thanks back.
    `typed`: see _add_before_press."""
    return _marked(_add_shown(locate.Look(page), page, run, code_texts, typed), run)[0]


class Marked(NamedTuple):
    """The page just before Send or Confirm: its change counter (None while it navigates), and
    whether a cookie banner covers it."""
    since: int | None
    banner: bool


def _add_before_press(look: locate.Look, page: Page, run: Run, code_texts: bool = True, typed: str = "") -> locate.Look:
    """_mark_seen before Send (`code_texts`) or Confirm, and whether a cookie banner came over the
    page, in `look`. `typed`: what is not marked yet is marked with it, to be taken back (_unmark)."""
    return _add_shown(look, page, run, code_texts, typed).add("cookies", _cookie_banner(page, run.recipe))


def _mark_before_press(page: Page, run: Run, code_texts: bool = True, typed: str = "") -> Marked:
    since, seen = _marked(_add_before_press(locate.Look(page), page, run, code_texts, typed), run)
    return Marked(since, "cookies" in seen)


def _add_shown(look: locate.Look, page: Page, run: Run, code_texts: bool, typed: str = "") -> locate.Look:
    # An empty alert is a place for a message, not one: what the page writes there later is new.
    shown = (page.get_by_role("alert").filter(has_text=_SOME_TEXT).or_(_error_texts(page, run, new_only=False))
             .or_(_confirmations(page, run, new_only=False, after_code=True))  # the wider kind: both stages
             .or_(_already(page, run, new_only=False))  # a form page's "if you have already objected..."
             .or_(_pending(page, run, new_only=False))  # a help box's "Confirm your email: open the link..."
             .or_(_dialogs(page)))  # a help chat's, say: only one that Send opens is its answer
    if code_texts:
        shown = shown.or_(_code_texts(page, run))
    # Also the document's time origin: thanks on a later document are new whatever they say.
    tag = (f"e => {{ if (!e.hasAttribute('data-optout-seen')) e.setAttribute('data-optout-seen', '{typed}'); return true; }}" if typed
           else "e => { e.setAttribute('data-optout-seen', ''); return true; }")
    # And the page's text (locate.UNSAID_ENGINE): after a look in the form page's languages only, the
    # marks miss a note in another; a mark that may be taken back keeps the text before it too.
    keep = "window.__optoutSaidBefore = window.__optoutSaid; " if typed else ""
    return (look.add("shown", shown, read=tag, visible=False, keep=None)
            .then(f"(() => {{ {keep}{locate.NOTE_SAID_JS}; return [({_WATCH_JS})(), performance.timeOrigin]; }})()"))


def _unmark(page: Page, typed: str) -> None:
    """Takes back the marks `typed` left (they may have taken an answer for what was there before)."""
    try:
        page.locator(f"[data-optout-seen='{typed}']").evaluate_all(
            "els => { els.forEach(e => e.removeAttribute('data-optout-seen')); window.__optoutSaid = window.__optoutSaidBefore; }")
    except PlaywrightError:
        pass  # the document went away: the next one's messages are all new


def _marked(look: locate.Look, run: Run) -> tuple[int | None, locate.Seen]:
    seen = _seen(look)
    if seen.then is None:
        return None, seen  # mid-navigation: the next document's messages are all new anyway
    counter, run.seen_document = seen.then
    return counter, seen


_SOME_TEXT = re.compile(r"\S")


def _settled_alerts(page: Page) -> Locator:
    """Alerts the page has finished writing (not a progress note still busy)."""
    return page.get_by_role("alert").and_(page.locator(":not([aria-busy=true])"))


def _alerts(page: Page, run: Run, new_only: bool = True, fields: bool = True) -> Locator:
    """Alerts that say something went wrong (not progress notes)."""
    return _new_answer(page, run, _settled_alerts(page).filter(has_text=run.recipe.error_pattern(fields)), new_only)


def _errors(page: Page, run: Run, new_only: bool = True, fields: bool = True) -> Locator:
    """What went wrong: an alert, or error words anywhere."""
    return _alerts(page, run, new_only, fields).or_(_error_texts(page, run, new_only, fields))


def _error_texts(page: Page, run: Run, new_only: bool = True, fields: bool = True) -> Locator:
    """Error words where a site gives its answer: not in a link ("Entered the wrong email address?"
    among a thanks page's related articles), nor in the page's chrome or footer."""
    return _new_answer(page, run, _answer_text(page, run, run.recipe.error_pattern(fields)), new_only)


@locate.per_scope
def _answer_text(page: Page, run: Run, words: re.Pattern) -> Locator:
    """Text with `words` where a site gives its answer: not in a link, the page's chrome or footer."""
    # Not locate.outside: an answer drawn in a shadow root still counts. A dialog's or a form's own
    # header or footer is no page chrome.
    aside = (f"self::a or @role='link' or ((self::footer or @role='contentinfo' or {run.recipe.page_chrome})"
             " and not(ancestor::form or ancestor::*[@role='dialog' or @role='alertdialog']))")
    return page.get_by_text(words).locator(f"xpath=self::*[not(ancestor-or-self::*[{aside}])]")


@locate.per_scope
def _confirmations(page: Page, run: Run, new_only: bool = True, after_code: bool = False, not_already: bool = False) -> Locator:
    """Words of a confirmation; not those that speak of the code or of a message not received
    ("if you haven't received your code", "Keine E-Mail erhalten?"), nor those that also say what
    went wrong ("The request sent is not valid"; a field's "required" may be thanks: "nothing more is required").
    `after_code` (the code was confirmed): thanks may speak of the code ("Your code was confirmed")
    or of an email not received ("Didn't receive our email?"), only not of a code not received, nor
    of a new code.
    `not_already`: not thanks that are part of saying the objection already stood."""
    recipe = run.recipe
    words = page.get_by_text(recipe.confirmation_pattern(not_already))
    if after_code:
        # Not beside a new code on its way either ("Check your email for a new code"): the code step again.
        words = (words.filter(has_not_text=recipe.together(recipe.not_received_text, recipe.code.names))
                 .filter(has_not_text=recipe.text_pattern(recipe.new_code_text)))
    else:
        words = words.filter(has_not_text=recipe.code.pattern()).filter(has_not_text=recipe.text_pattern(recipe.not_received_text))
    return _new_answer(page, run, _not_typed(page, words.filter(has_not_text=run.recipe.error_pattern())), new_only)


def _pending(page: Page, run: Run, new_only: bool = True) -> Locator:
    """Text that leaves a step to take through a link in an email: nothing is confirmed yet."""
    return _new_answer(page, run, _not_typed(page, _answer_text(page, run, run.recipe.pending_pattern())), new_only)


def _link_pending(page: Page, run: Run, said: str | None = None) -> PersonTimeout:
    """`said`: the page's words that ask for it, if already read."""
    said = _sentences(_first_text(_pending(page, run))) if said is None else said
    return PersonTimeout(f"Meta has not confirmed the objection yet: the page asks you to open a link it emailed ({_quoted(said, run)[:200]!r}). "
                         "The bot does not open links in your email.",
                         hint=f"Open Meta's email to {mask_email(run.sent_email)} (or to the address the page names) and follow its link: the "
                              "objection counts only then. No receipt was saved. Do not send the form again; if no email comes, check "
                              "your spam folder.")


@locate.per_scope
def _already(page: Page, run: Run, new_only: bool = True) -> Locator:
    """Meta's word that an objection from this account already stands."""
    return _new_answer(page, run, _not_typed(page, page.get_by_text(run.recipe.text_pattern(run.recipe.already_text))), new_only)


def _not_typed(page: Page, loc: Locator) -> Locator:
    """Not text the person typed (a rich-text reason box may say anything)."""
    return loc.locator("xpath=self::*[ancestor::html][not(ancestor-or-self::*[@contenteditable and @contenteditable!='false'])]")


# A field still waiting for input (not the bot's own, not a search box, not in the page's chrome):
# a page that shows one is asking for something, whatever thanks it also says.
_SEARCH_WORDS = ("search", "such", "recherch", "busca", "cerca", "zoek", "pesquis", "szuka", "wyszuk", "caut", "căut")
_NOT_FIELDS = ", ".join(["[readonly]", "[disabled]", "[data-optout-filled]", "[role=searchbox]", "[role=combobox]", "[name=q]"]
                        + [f"[{attr}^={word} i]" for word in _SEARCH_WORDS for attr in ("placeholder", "aria-label", "name")])
_OPEN_INPUTS = f"input:not({', '.join(f'[type={t}]' for t in (*locate.NOT_TYPED, 'search'))}, {_NOT_FIELDS})"
_OPEN_BOXES = f"textarea:not({_NOT_FIELDS}), [contenteditable=true]:not({_NOT_FIELDS})"


def _open_fields(page: Page, recipe: Recipe, after_code: bool = False) -> Locator:
    """After the code, multi-line boxes do not count (no code is typed into one, and a 'tell us
    more' box under Meta's thanks asks nothing more); nor do email fields (a feedback panel's
    "Email (optional)"), unless the objection form is shown again: an email field the bot did not
    fill, even a read-only one, beside a country field."""
    if after_code:
        fields = page.locator(f"{_OPEN_INPUTS}:not([type=email], [autocomplete=email i], [name*=email i])").or_(_shown_again(page, recipe))
    else:
        fields = page.locator(f"{_OPEN_INPUTS}, {_OPEN_BOXES}")
    return locate.outside(fields, f"{recipe.page_chrome} or @data-optout-widget").locator(locate.shown(strict=False)).filter(visible=True)


def _shown_again(page: Page, recipe: Recipe) -> Locator:
    """The body, while it shows the objection form again: an email and a country field the bot did
    not fill. Any country field the recipe knows (a page's other list may count too: then the run
    ends as unknown, never as a false confirmation)."""
    unfilled = page.locator(":not([data-optout-filled])")
    email = locate.any_layer(page, recipe.email).and_(unfilled)
    return page.locator("body").filter(has=email).filter(has=locate.any_layer(page, recipe.country).and_(unfilled))


def _asks_more(page: Page, run: Run, after_code: bool = False) -> bool:
    """An open field (as `_open_fields` counts them), other than one in a feedback box, which asks
    nothing of the objection and would otherwise hold back the thanks beside it: a form whose
    button speaks of feedback ("Was this helpful? Tell us more (optional)" over "Submit feedback"),
    or a dialog named for it (a survey opened over Meta's thanks)."""
    fields = _open_fields(page, run.recipe, after_code)
    feedback = run.recipe.send.exclude_pattern()
    if feedback is None:
        return _visible(fields)
    # Not a box around the whole answer (thanks included): only a box of its own.
    boxes = (page.locator("form, [role=form]").filter(has=page.get_by_role("button", name=feedback))
             .or_(page.get_by_role("dialog", name=feedback).or_(page.get_by_role("alertdialog", name=feedback)))
             .filter(has_not=page.get_by_text(run.recipe.confirmation_pattern())))
    in_boxes = fields.and_(boxes.locator(f"{_OPEN_INPUTS}, {_OPEN_BOXES}"))
    seen = _seen(locate.Look(page).add("open", fields, keep=None).add("feedback", in_boxes, keep=None))
    if not seen.values:
        return True  # mid-navigation: not an answer yet; the caller looks again after the next change
    return len(seen.values.get("open") or ()) > len(seen.values.get("feedback") or ())


def _new(page: Page, loc: Locator, new_only: bool) -> Locator:
    if new_only:
        loc = loc.and_(page.locator(":not([data-optout-seen])"))
    return loc.filter(visible=True)


def _new_answer(page: Page, run: Run, loc: Locator, new_only: bool) -> Locator:
    """`_new` for Meta's answers in words of a language: once they are read in every language after the
    form page's (run.widened), the marks, taken with the form page's words only, may have missed an old
    note in another language (an English form's Spanish "if you already objected...", a German banner
    about an error elsewhere): then never the words the page showed before the press, not even where an
    old message counts (a page still since the site's answer, the words quoted, the receipt's)."""
    loc = _new(page, loc, new_only)
    return loc.locator(f"{locate.UNSAID_ENGINE}=") if run.widened else loc


def site_message(page: Page, run: Run, lines: bool = False) -> str:
    """The site's own words, with the person's address masked (pages often repeat it), as one text
    for a message; with `lines`, as the page has them (for word checks that must not see a period
    the bot put in)."""
    text = (_first_text(_alerts(page, run, new_only=False)) or _first_text(_error_texts(page, run, new_only=False))
            or _first_text(_new(page, page.get_by_role("alert"), True)))
    text = _quoted(text, run)
    return text if lines else _sentences(text).rstrip(".")


# React pages (Meta's) write their paragraphs as <span dir="auto">, and their buttons' and labels' words too.
_SAYING = ("h1, h2, h3, [role=heading], p, [role=status], [role=alert], [role=dialog],"
           " span[dir=auto]:not(button *, [role=button] *, a *, [role=link] *, label *, [role=option] *, [role=checkbox] *)")


def _said_since_the_press(page: Page, run: Run) -> str:
    """What the page shows that is new since the press (headings, paragraphs, status and dialogs
    outside its chrome), masked: when no answer the recipe knows was recognised, the words a person
    can check and a maintainer needs. (_what_the_page_says quotes a page the walk stopped at: its
    message or first heading, old or new.)"""
    try:
        texts = locate.read_all(_new(page, locate.outside(page.locator(_SAYING), run.recipe.page_chrome), True), "e => e.innerText")
    except PlaywrightError:
        return ""
    said: list[str] = []
    for text in (" ".join(t.split()) for t in texts):
        if text and not any(text in other for other in said):
            said = [other for other in said if other not in text] + [text]
    quoted = _quoted(" / ".join(said), run)
    return quoted if len(quoted) <= 200 else quoted[:199] + "…"


def _unknown_answer(what: str, page: Page, run: Run, hint: str) -> Unreachable:
    """`what` happened and no answer was recognised: quoting what the page says instead, if anything."""
    said = _said_since_the_press(page, run)
    if page.url.startswith("chrome-error:"):  # the browser's own page: no words of Meta's to report
        return Unreachable(f"{what.rstrip('.')}: the connection to the site broke off"
                           + (f" (the browser says: '{said}')." if said else "."), hint=hint)
    if not said:
        return Unreachable(what, hint=hint)
    return Unreachable(f"{what.rstrip('.')}. The page says: '{said}'.",
                       hint=f"{hint} If those words are Meta's answer in new wording, Meta has changed the page: please report "
                            "it (see docs/maintainers.md) so the next run recognises them.")


def _quoted(text: str, run: Run) -> str:
    """The page's words as the bot quotes them: the person's address in every spelling, and any
    other (the logged-in account's, which is theirs too), masked."""
    return masked(text, run.settings.email, others=True)


def classify_after(page: Page, run: Run, stage: Literal["send", "code"], form: list[Locator],
                   posted: bool = True, stale_errors: bool = False) -> Result | None:
    """What the page says now. `posted`: a POST was answered since the action, so the site has spoken;
    `stale_errors`: the page has been still since that answer, so a message already on screen is it."""
    if page.url.startswith("chrome-error:"):
        run.guard.check()
        return "lost"
    look = (locate.Look(page).add("code", locate.any_layer(page, run.recipe.code))
            .add("login", locate.any_layer(page, run.recipe.login_wall)).add("form", _either(form)))
    # What the page says once the form is gone: what went wrong (an alert, or error words), else the
    # confirmation (only once something was sent).
    says: dict[str, Callable[[], Locator]] = {"errors": lambda: _errors(page, run, not stale_errors, fields=False)}
    if posted:
        says |= {"thanks": lambda: _thanks(page, run, stage, stale_errors), "already": lambda: _already(page, run),
                 "open": lambda: _open_fields(page, run.recipe, after_code=stage == "code"), "pending": lambda: _pending(page, run)}
        if stage == "send":
            says["code_words"] = lambda: _speaks_of_a_code(page, run)
    if stage == "code":
        # After the code the last page usually shows no code field, log-in or form: one look for all.
        for name, loc in says.items():
            look.add(name, loc())
    seen = _seen(look)

    def shows(name: str) -> bool:  # after Send, each only when it is asked (the code page answers first)
        return name in seen if stage == "code" else _visible(says[name]())

    code_visible = "code" in seen
    if code_visible and stage == "send":
        return "code"
    if not code_visible and "login" in seen:
        return "login"  # before messages: a log-in page's own alerts are not the site's answer
    if code_visible or "form" in seen:
        return _answer_beside_fields(page, run, stage, code_visible, posted, stale_errors)
    if shows("errors"):
        return "refused"
    if not posted:
        return None
    # "Request sent. Open the link we emailed you to confirm it": whatever thanks beside it. Not while
    # the page speaks of a code after Send ("or open the link"): its field may still be on its way.
    if shows("pending") and not (stage == "send" and shows("code_words")):
        return "pending"
    # Thanks first: a thanks page may also say "if you have already objected, you need not again".
    # Not thanks that say it already stood ("We've already received your objection").
    answer = "confirmed" if shows("thanks") else "already" if shows("already") else None
    if answer == "confirmed" and shows("already") and not _visible(_thanks(page, run, stage, stale_errors, not_already=True)):
        answer = "already"
    if answer is None or (shows("open") and _asks_more(page, run, after_code=True) if stage == "code" else _asks_more(page, run)):
        return None
    if stage == "send" and shows("code_words"):
        return None  # "Request sent" over "enter the code we emailed": its field may still be on its way
    return answer


def _thanks(page: Page, run: Run, stage: Literal["send", "code"], settled: bool, not_already: bool = False) -> Locator:
    """New confirmations; after the code, once the page has stayed still since the site's answer
    (no field still on its way), also thanks that speak of the code."""
    # Not while a progress indicator beside it says the page is still at work ("Request sent" over a
    # spinner, then the code step): a determinate one (aria-valuenow) is a step counter, not work.
    return _confirmations(page, run, after_code=stage == "code" and settled, not_already=not_already).locator(_NOT_BUSY)


_NOT_BUSY = ("xpath=self::*[not(ancestor-or-self::*[position() <= 3][not(self::body or self::html)]//*"
             "[(@aria-busy='true' or (@role='progressbar' and not(@aria-valuenow)))"
             " and not(ancestor-or-self::*[@hidden or @aria-hidden='true' or contains(translate(@style, ' ', ''), 'display:none')])])]")


def _code_texts(page: Page, run: Run) -> Locator:
    """Text (not a link or a button) with a word for the code at the start of a word."""
    recipe = run.recipe
    return page.get_by_text(recipe.text_pattern(recipe.code.names)).and_(page.locator(":not(a, button, [role=link], [role=button])"))


def _speaks_of_a_code(page: Page, run: Run) -> Locator:
    """New text that speaks of a code: the code field may still be on its way."""
    return _new(page, _code_texts(page, run), True)


def _answer_beside_fields(page: Page, run: Run, stage: Literal["send", "code"], code_visible: bool,
                          posted: bool, stale_errors: bool) -> Result | None:
    """The code field or form is still there. Hints shown while typing are no answer: only once the
    site was asked; then its error, or thanks that appeared since (some pages leave the form)."""
    if code_visible and not posted:
        return None
    new_only = not stale_errors
    if _visible(_errors(page, run, new_only)):
        return "wrong-code" if code_visible else "refused"
    if stage == "send" and posted and _already_alone(page, run, stale_errors):
        return "already"
    if not stale_errors:
        return None
    in_dialog = False
    if code_visible and _visible(locate.any_layer(page, run.recipe.code).and_(page.locator(":enabled:not([readonly])"))):
        # The code field still takes input: no thanks on that page is the answer, unless they stand
        # in a dialog opened over it since the code (a React modal leaves the page behind it).
        if stage != "code":
            return None
        in_dialog = True

    def thanks(not_already: bool = False) -> Locator:
        found = _thanks(page, run, stage, settled=True, not_already=not_already)
        if in_dialog:
            # Not a dialog about a code ("your request for a new code was sent") or feedback ("Thanks! Your feedback was submitted").
            found = found.locator(_IN_A_DIALOG).filter(has_not_text=run.recipe.code.pattern())
            if feedback := run.recipe.send.exclude_pattern():
                found = found.filter(has_not_text=feedback)
        return found

    if _visible(thanks()) and _same_document(page, run):
        if stage == "send" and _visible(_speaks_of_a_code(page, run)):
            return None
        if _visible(_pending(page, run)):
            return "pending"
        # "Ya hemos recibido tu oposición" in a status box beside a form that stays.
        return "already" if _visible(_already(page, run)) and not _visible(thanks(not_already=True)) else "confirmed"
    if stage == "send" and _visible(_pending(page, run)):
        return "pending"
    if stage == "send":  # still since the answer, with a new alert that uses no known error words
        return "refused" if _visible(_new(page, _settled_alerts(page), True)) else None
    return None


_IN_A_DIALOG = "xpath=self::*[ancestor-or-self::*[@role='dialog' or @role='alertdialog' or @aria-modal='true' or self::dialog[@open]]]"


def _already_alone(page: Page, run: Run, settled: bool) -> bool:
    """After Send, beside a form that stays: "You've already objected" in a new alert or status box,
    read at once (a toast may be gone by the time the page is still), with no thanks of the site's
    own, no link still to open and no code on its way beside it. No refusal, however much an alert
    it is; but the form page's own note ("If you've already objected, ...") drawn again is no answer."""
    boxes = page.get_by_role("alert").or_(page.get_by_role("status")).filter(has_text=run.recipe.text_pattern(run.recipe.already_text))
    return (_visible(_new(page, boxes, True)) and _same_document(page, run)
            and not _visible(_thanks(page, run, "send", settled, not_already=True))
            and not _visible(_pending(page, run)) and not _visible(_speaks_of_a_code(page, run)))


def _same_document(page: Page, run: Run) -> bool:
    """The page is the document our action was taken on (a form sent back on a new document is no
    thanks, whatever its fixed text says)."""
    return _same_origin(page, run.seen_document)


def _either(locators: list[Locator]) -> Locator:
    combined = locators[0]
    for loc in locators[1:]:
        combined = combined.or_(loc)
    return combined.filter(visible=True)


def await_result(page: Page, run: Run, stage: Literal["send", "code"], form: list[Locator], deadline: float,
                 since: int | None = None, posts_before: int = 0, sent_before: int | None = None) -> Result:
    """After our own click: let the page react first (`since` is its change counter before the click;
    a new document is a change once its DOM is loaded)."""
    # A test server allowed by hand is no Meta (the run's last words say so too).
    who = "the test site's" if host_of(page.url) in run.guard.exact else "Meta's"
    with run.report.waiting(f"waiting for {who} answer"):
        wait_for_change(page, since)  # bounded: a page may answer without changing (same message again)
        return _await_result(page, run, stage, form, deadline, posts_before, sent_before)


def _await_result(page: Page, run: Run, stage: Literal["send", "code"], form: list[Locator], deadline: float,
                  posts_before: int, sent_before: int | None = None) -> Result:
    """`sent_before` (our own press of Send): the request count before it, so that a page that sent
    nothing that may carry the form (_form_left) and opened a dialog instead (a review step: "Are you
    sure?") is told apart at once."""
    settled = False  # the site answered and the page has stayed still since
    while True:
        run.guard.check()
        posted = run.posts > posts_before
        result, since = _classified(lambda: classify_after(page, run, stage, form, posted, settled), page)
        if result:
            return result
        if settled and stage == "send" and _asks_for_send_again(page, run):
            return "review"
        if time.monotonic() > deadline:
            if _every_language(run):
                continue  # an answer in a language other than the form page's
            return "lost"
        chunk = _until_widened(run, posted, CHUNK_MS)
        changed = wait_for_change(page, since, chunk)
        still = not changed and chunk == CHUNK_MS  # still for a whole chunk, not a wait cut short to widen the words
        settled = posted and still
        if (settled or posted and _answered_a_while(run)) and _every_language(run):
            continue  # the site answered, and the page is still or a moment has passed: in another language than the form page's?
        if settled and _plain_text(page):
            continue  # looked at again at once, without them
        if (still and sent_before is not None and not _form_left(run, sent_before) and _visible(_new(page, _dialogs(page), True))
                and not _visible(_cookie_banner(page, run.recipe))):
            return "dialog"
        # A browser dialog (confirm()) since the press was answered Cancel, and the page sent nothing.
        if still and run.browser_dialogs and (
                not _form_left(run, sent_before) if sent_before is not None else run.posts == posts_before):
            return "dialog"


# Takes soft hyphens and zero-width spaces out of the page's text nodes (not a field's or a rich-text
# box's, not a script's; zero-width joiners stay: they hold emoji together); the count of nodes changed.
_PLAIN_TEXT_JS = r"""() => { const odd = /[\u00AD\u200B\u2060\uFEFF]/, all = /[\u00AD\u200B\u2060\uFEFF]/g; let n = 0;
  const walk = root => { const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let t = w.nextNode(); t; t = w.nextNode()) {
      if (!odd.test(t.nodeValue)) continue;
      const p = t.parentElement;
      if (!p || p.closest('script, style, textarea, [contenteditable]:not([contenteditable=false])')) continue;
      t.nodeValue = t.nodeValue.replace(all, ''); n++; }
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot); };
  walk(document); return n; }"""


def _plain_text(page: Page) -> bool:
    """Playwright matches text patterns against the raw text, where a soft hyphen or a zero-width space
    inside a word ('meg\u00adkaptuk') hides it; invisible either way, they are taken out of an answer
    that has stayed unrecognised (never on the usual path, where the answer is read at once). True if
    any was."""
    try:
        return bool(page.evaluate(_PLAIN_TEXT_JS))
    except PlaywrightError:
        return False  # mid-navigation: the next look is at a new document


def _asks_for_send_again(page: Page, run: Run) -> bool:
    """A new page with a button named just Send and no field to fill, still since the site's answer:
    a step that shows what was filled in before it is sent ("Review your request"). Not with an
    email field, even a read-only one (the form came back), nor a code field; not the form's own
    page (its Send, unanswered), nor a button that only starts with Send ("Submit another request")."""
    send = run.recipe.send.whole_pattern()
    return (send is not None and not _same_document(page, run) and _visible(page.get_by_role("button", name=send))
            and not _visible(_open_fields(page, run.recipe)) and not _visible(locate.any_layer(page, run.recipe.email)))


def _dialogs(page: Page) -> Locator:
    return page.get_by_role("dialog").or_(page.get_by_role("alertdialog"))


def watch_posts(page: Page, run: Run) -> None:
    """Count answered POSTs on this page (a confirmation only counts once something was sent)."""

    def count(request) -> None:
        if _is_sending(request):
            run.posts += 1
            run.answered_at = time.monotonic()

    def started(request) -> None:
        if _is_sending(request):
            run.sent += 1
            # A form's own submission whose body the browser keeps to itself may have carried it.
            body = _body(request)
            run.sent_requests.append((request.url, _UNREAD if body is None and request.resource_type == "document" else body))
            if run.typed_code and _carries(request.post_data or "", run.typed_code):
                run.code_posts += 1

    page.on("request", started)
    page.on("requestfinished", count)
    page.on("requestfailed", count)


def _body(request: Request) -> bytes | None:
    try:
        return request.post_data_buffer
    except PlaywrightError:
        return None


_UNREAD = b"\0unread"  # a sent request's body the browser did not give (see watch_posts)


def _form_left(run: Run, since: int) -> bool:
    """Whether a POST started since the `since`-th may have carried the form: its body (or, for the
    address, its URL) holds the address or the reason's first words, in any of the encodings pages
    use; or nothing is known to look for (a masked address and no reason box)."""
    emails, reasons = _form_values(run)
    if not emails and not reasons:
        return run.sent > since
    for url, body in run.sent_requests[since:]:
        if body is _UNREAD:
            return True
        if any(e in t for t in _readings(url) for e in emails):
            return True
        if body and any(v in t for t in _readings(body.decode("utf-8", "replace")) for v in (*emails, *reasons)):
            return True
    return False


def _form_values(run: Run) -> tuple[set[str], set[str]]:
    """What any request sending the form carries, as _readings writes it: the address (unless the page
    shows it masked) and the first words of the reason."""
    typed = run.sent_values or {}
    emails = {run.settings.email} if run.email_in_form else set()
    emails |= {v for v in [typed.get("email")] if isinstance(v, str) and "@" in v and not _masked(v)}
    reasons = {run.settings.reason} if run.reason_sent else set()
    reasons |= {v for v in [typed.get("reason")] if isinstance(v, str)}
    spelt = {_plain(email) for email in emails}
    pieces = {_plain(next((line for line in reason.splitlines() if line.strip()), ""))[:24] for reason in reasons}
    return spelt, {piece for piece in pieces if len(piece) >= 6}


def _plain(text: str) -> str:
    return " ".join(text.split()).lower()


_JSON_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])')
_JSON_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _json_unescaped(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: chr(int(m[1][1:], 16)) if m[1][0] == "u" else _JSON_CHARS.get(m[1], m[1]), text)


def _readings(text: str) -> set[str]:
    """`text` decoded every way a page may have encoded it (URL-encoding, JSON's escapes, either
    inside the other, twice), each _plain."""
    seen, todo = {text}, [text]
    while todo and len(seen) < 16:
        current = todo.pop()
        for decode in (unquote_plus, unquote, _json_unescaped):
            if (decoded := decode(current)) not in seen:
                seen.add(decoded)
                todo.append(decoded)
    return {_plain(t) for t in seen}


def _carries(body: str, code: str) -> bool:
    """A request's body holds the code as a number of its own (not inside a timestamp)."""
    return bool(re.search(rf"(?<!\d){code}(?!\d)", unquote_plus(body)))


def _note_browser_dialogs(page: Page, run: Run) -> None:
    """Answer the page's browser dialogs Cancel (as Playwright would unasked), and note them: a
    'Send it now?' confirm() after Send would be a second press, and is told apart from silence.
    A 'Leave site?' prompt right after the bot pressed Send or Confirm is answered Leave: the page
    is leaving because of that press (a form sent the plain way), and leaving is what it asked for.
    (Later, it may be the person's click on a link in the window: Cancel keeps what they filled in.)"""
    if run.browser_dialogs is not None:
        return
    run.browser_dialogs = []

    def answer(dialog) -> None:
        leaving = dialog.type == "beforeunload" and time.monotonic() - run.pressed_at < LEAVE_AFTER_PRESS_S
        if not leaving:
            run.browser_dialogs.append(dialog.message)
        try:
            dialog.accept() if leaving else dialog.dismiss()
        except PlaywrightError:  # the page went away meanwhile
            pass

    page.context.on("dialog", answer)


def _is_sending(request: Request) -> bool:
    # Beacons ('ping') are the page's own logging, not the form reaching Meta.
    return request.method == "POST" and request.resource_type in ("document", "xhr", "fetch")


# The block an answer's thanks stand in (a card with its heading): up to three levels while it stays
# small, without its buttons ("Request a new code") and the page's chrome.
_ANSWER_BLOCK_JS = """els => ({lang: document.documentElement.lang, blocks: els.map(e => { let b = e;
  for (let i = 0; i < 3; i++) { const p = b.parentElement; if (!p || p === document.documentElement || p.innerText.length > 1500) break; b = p; }
  let text = b.innerText;
  for (const x of b.querySelectorAll('button, [role=button], nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo]'))
    if (x.innerText.trim()) text = text.replace(x.innerText, '\\n');
  return text; })})"""


def answer_read(page: Page, run: Run) -> dict | None:
    """The page's language and the text of the blocks that hold Meta's thanks; None if gone with a navigation."""
    try:
        return _confirmations(page, run, new_only=False, after_code=True).evaluate_all(_ANSWER_BLOCK_JS)
    except PlaywrightError:
        return None


def turned_down(page: Page, run: Run, read: dict | None = None) -> str | None:
    """A sentence beside Meta's thanks that speaks of the objection with a negation (Recipe.turned_down_in).
    `read`: answer_read's, if already taken."""
    read = read or answer_read(page, run)
    if read is None:
        return None  # nothing seen beside the thanks
    # Read in the answer's own language; one the form page's words were not narrowed to (or none) in all of them.
    recipe = run.recipe if primary_language(read["lang"] or "") in run.recipe.negation_text else run.every_language or run.recipe
    said = next((said for text in dict.fromkeys(read["blocks"])
                 if (said := recipe.turned_down_in(_sentences(text), read["lang"], also=run.page_languages))), None)
    return said or _foreign_doubt(page, run)


def under_review(run: Run, read: dict | None) -> str | None:
    """Meta's sentence beside its thanks that leaves the decision for later ("We'll review your request"), or None."""
    recipe = run.every_language or run.recipe  # specific phrases: read in every language
    return next((said for text in dict.fromkeys(read["blocks"]) if (said := recipe.review_in(_sentences(text)))), None) if read else None


def confirmation_text(page: Page, run: Run, review: str | None = None) -> str:
    """Meta's words of the outcome, for the receipt: its thanks, or that the objection already stood,
    and its words that it will review it (`review`) where the thanks do not hold them."""
    loc = _confirmations(page, run, new_only=False, after_code=True).or_(_already(page, run, new_only=False))
    try:
        texts = loc.all_inner_texts()
    except PlaywrightError:
        texts = []
    said = " ".join(" ".join(t.split()) for t in texts)
    return (f"{said} {review}" if review and review not in said else said).strip()[:1000]


def send(page: Page, found: dict[str, Found], run: Run, marked: Marked | None = None) -> Result:
    """Send once: pressed by the person, by the bot after a yes, or by the bot alone. Never retried;
    pressed a second time only when a cookie dialog took the first press, which never reached Send.
    `marked`: the page's marks, if fill_form took them just before."""
    form = [found[n].locator for n in ("email", "reason", "send") if found[n]]
    watch_posts(page, run)
    _note_browser_dialogs(page, run)
    since, banner = marked or _mark_before_press(page, run)
    if run.submit == "manual":
        watch = _watch_presses(page, run)
        fields = "country, email and reason" if run.reason_sent else "country and email"  # a form without the box
        person.show_note(page, send_note(fields, run.caution),
                         "warn" if run.caution else "act")
        run.report.your_turn(f"Check the {fields} in the browser window, then press Send there. The bot waits and does not press it for you.")
        return _await_person_send(page, run, form, watch)
    if run.submit == "ask":
        if run.caution:
            person.show_note(page, run.caution, "warn")
        watch = _watch_presses(page, run)
        if not _asked_to_send(page, run, found, watch):
            run.report.info("Send was pressed in the window; the bot does not press it again.")
            return _await_person_send(page, run, form, watch)
        since = mark(page)  # the page may have changed while they answered
    person.stop_if_ctrl_c()  # a Ctrl-C Python dropped while the form was filled: before Send, not after
    run.guard.require(page.url, "The form page")
    if run.submit == "ask":  # looked at again: the person had the window meanwhile
        banner = _visible(_cookie_banner(page, run.recipe))
    if banner:  # a cookie banner that came late, over the form: it would take the click
        found, since = _decline_over_form(page, run)
    for press in ("first", "second"):
        form = [found[n].locator for n in ("email", "reason", "send") if found[n]]
        posts_before, sent_before = run.posts, run.sent  # before the click: its POST may be answered during it
        _forget_before_press(run)
        run.pressed = True  # from here a Ctrl-C may come after the form left
        if _press_once(page, run, found["send"].locator, _SEND, last=press == "second"):
            break
        found, since = _decline_over_form(page, run)
    result = await_result(page, run, "send", form, time.monotonic() + run.timeout_s, since, posts_before, sent_before)
    if run.submit == "ask":  # the person had the window before their yes
        _say_what_the_person_changed(run, result)
    return _after_send(page, run, result, posted=run.posts > posts_before, sent=run.sent > sent_before,
                       form_sent=_form_left(run, sent_before))


# Notes a press of Send (or any form's submit) by the person while the bot waits on them.
_PRESS_WATCH_JS = """() => { const shown = %s; window.__optoutPressed = false; if (!window.__optoutWatching) { window.__optoutWatching = true;
  const value = tag => { const e = document.querySelector(`[data-optout-filled${tag}]`); return e ? e.value ?? e.innerText : null; };
  // The country field the bot chose in (the last one tagged): the words it shows, and its value.
  const country = () => { const tagged = Array.from(document.querySelectorAll('[data-optout-country^="country-"]'));
    const e = tagged.sort((a, b) => a.dataset.optoutCountry.slice(8) - b.dataset.optoutCountry.slice(8)).pop();
    if (!e) return null;
    if (e.tagName === 'SELECT') { const o = e.selectedOptions[0]; return [o ? (o.label || o.textContent || '').trim() : '', e.value]; }
    // Meta's typeahead keeps the ISO code in a hidden companion field.
    const iso = (e.form || e.parentElement || document).querySelector('input[type=hidden][name$="iso2_country_code" i]');
    return [shown(e), iso ? iso.value : '']; };
  const chosen = country();  // as the bot left it: only a change from it is the person's choice
  const note = () => { window.__optoutPressed = true;
    // What the form goes with: the person may have changed it in the window (see _expose_sending).
    if (window.__optoutSending) window.__optoutSending({email: value('^="email-"'), reason: value('="reason"'),
                                                       country: country(), country_chosen: chosen}); };
  document.addEventListener('submit', note, true);
  document.addEventListener('click', e => { if (e.target.closest && e.target.closest('[data-optout-send]')) note(); }, true); }
  return performance.timeOrigin; }""" % _SHOWN_WORDS


class _Presses(NamedTuple):
    """Where the person's presses are counted from: the document watched, and the POSTs so far
    (counted before they are asked: Meta may answer a press before the bot looks)."""
    origin: float
    posts: int
    sent: int


def _watch_presses(page: Page, run: Run) -> _Presses:
    _forget_before_press(run)
    _expose_sending(page, run)
    return _Presses(page.evaluate(_PRESS_WATCH_JS), run.posts, run.sent)


_SENDING_TO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page -> the run its binding reports to


def _expose_sending(page: Page, run: Run) -> None:
    """A function the press watch calls with the form's email and reason as the person presses Send:
    through Playwright's binding, so the values reach the bot even as the page leaves for the next."""
    exposed = page in _SENDING_TO
    _SENDING_TO[page] = run
    if exposed:
        return

    def sending(_source, values) -> None:
        to = _SENDING_TO.get(page)
        if to is not None and isinstance(values, dict):  # a later page without the fields (a review step) keeps what was read
            to.sent_values = (to.sent_values or {}) | {k: v for k, v in values.items() if k in ("email", "reason") and isinstance(v, str)}
            if _words_pair(values.get("country")):
                to.sent_values |= {"country": values["country"], "country_chosen": values.get("country_chosen")}

    try:
        page.expose_binding("__optoutSending", sending)
    except PlaywrightError:
        del _SENDING_TO[page]  # the page went away: the settings stand for what was sent


def _forget_before_press(run: Run) -> None:
    """Only what the coming press causes counts: a browser dialog or a blocked post from before (a
    tracker's) is not its doing."""
    if run.browser_dialogs:
        run.browser_dialogs.clear()
    run.guard.blocked_sends.clear()


def _pressed(page: Page, watch: _Presses) -> bool:
    """The person pressed Send (or submitted the form) since `watch`, or the page left that document."""
    try:
        pressed, now = page.evaluate("[window.__optoutPressed === true, performance.timeOrigin]")
    except PlaywrightError:
        if page.is_closed():
            raise _closed() from None
        return True  # a new page is loading: the form was sent
    return pressed or now != watch.origin


def _asked_to_send(page: Page, run: Run, found: dict[str, Found], watch: _Presses) -> bool:
    """--submit ask: True once the person says yes and the form lacks nothing the browser requires;
    False if they pressed Send in the window meanwhile (the bot must not press it again)."""
    run.report.info(f"The form is ready: country {countries.english_name(run.settings.country)}, email {run.settings.masked_email}.")
    while True:
        try:
            # A press in the window ends the question at once: the code step may follow within seconds.
            yes = _ask(page, run, "Send the objection now?", "your answer to 'Send the objection now?'",
                       answered=lambda: _pressed(page, watch))
        except _AnsweredInWindow:
            return False
        if _pressed(page, watch):
            return False
        if not yes:
            raise Cancelled("You chose not to send the form; nothing was sent.")
        # Looked at again: the person had the window meanwhile. This also marks the form anew,
        # in case the page drew it again (its Send is looked for inside the marked form).
        missing = _read(found["email"].locator, f"e => {{ {_mark_form_again(found['email'])} return ({_MISSING_JS})(e); }}",
                        run.recipe.email.description, run)
        if not missing:
            return True
        run.report.warn(f"The form still requires {_named(missing)}: fill it in in the window, then answer again.")


_ATTEMPT = re.compile(r"^\s*(?:-\s*)?(?:attempting|retrying) click action", re.M)


_CLICK_DONE = "click action done"  # in a click's call log: it pressed; what follows waits for the page it started


def _never_pressed(click_error: str) -> bool:
    """From a failed click's call log: no attempt reached the page. Each attempt that performed the
    click is judged on its own: another layer took it only if Playwright said so at that attempt's
    end ("intercepts pointer events"); one that performed without that may have pressed."""
    if _CLICK_DONE in click_error:
        return False
    return not any("performing click action" in attempt and "intercepts pointer events" not in attempt
                   for attempt in _ATTEMPT.split(click_error))


class _Button(NamedTuple):
    name: str
    sends: str  # what pressing it sends to Meta
    unsent: str  # said when it could not be pressed at all


_SEND = _Button("Send", "the form", "nothing was sent")
_CONFIRM = _Button("Confirm", "the code", "the code was not sent")


PRESS_SLICE_S = 1.5  # a press whose button cannot be reached looks for a cookie dialog over it this often
LEAVE_AFTER_PRESS_S = 5  # a 'Leave site?' prompt this soon after the bot's press comes from that press


def _press_once(page: Page, run: Run, button: Locator, kind: _Button, last: bool) -> bool:
    """Press `button` once; never again after an attempt that may have pressed it. False: a cookie
    dialog (which came after the last look) took the press, nothing was pressed or sent, and the
    dialog is still there: the caller declines it and, unless `last`, presses again."""
    sent_before = run.sent
    deadline = time.monotonic() + run.timeout_s
    # Usually the button can be pressed at once: pressed within a slice. One that ran out of it
    # waiting for the page its press started was pressed (await_result waits for that page); one
    # that pressed nothing (judged by its call log) goes on as below.
    run.pressed_at = time.monotonic()
    try:
        button.click(timeout=min(PRESS_SLICE_S, run.timeout_s) * 1000)
        return True
    except PlaywrightError as exc:
        if isinstance(exc, PlaywrightTimeout) and _CLICK_DONE in str(exc):
            return True
        if not _pressed_nothing(exc, run, sent_before):
            raise _press_failed(kind, exc) from None
        why = _short(exc)
    # Then only Playwright's checks that the button can be pressed (a trial presses nothing), in
    # slices: a cookie dialog that came over it after the last look is seen within one, not after
    # the whole --timeout. (The press itself is not sliced: it waits for the page it starts.)
    while True:
        try:
            button.click(trial=True, timeout=max(min(PRESS_SLICE_S, deadline - time.monotonic()), 0.1) * 1000)
            break
        except PlaywrightTimeout as exc:
            why = _short(exc)
        except PlaywrightError:
            break  # gone or drawn anew meanwhile: the press says what it finds
        banner = _safely(lambda: _visible(_cookie_banner(page, run.recipe)))
        if banner and not last:
            return False
        if banner or time.monotonic() >= deadline:
            _unpressable(button, kind, why)
    run.pressed_at = time.monotonic()
    try:
        button.click(timeout=max(deadline - time.monotonic(), 1) * 1000)
        return True
    except PlaywrightError as exc:
        if not _pressed_nothing(exc, run, sent_before):
            raise _press_failed(kind, exc) from None
        if last or not _visible(_cookie_banner(page, run.recipe)):
            _unpressable(button, kind, _short(exc))
        return False


def _pressed_nothing(exc: PlaywrightError, run: Run, sent_before: int) -> bool:
    """A press that failed without reaching the page (its call log says so) while nothing left the browser."""
    return isinstance(exc, PlaywrightTimeout) and _never_pressed(str(exc)) and run.sent == sent_before


def _press_failed(kind: _Button, exc: PlaywrightError) -> Unreachable:
    """A press that may have reached the page failed: what Meta got is not known."""
    return Unreachable(f"Pressing {kind.name} failed ({_short(exc)}); it is unknown whether Meta received {kind.sends}.",
                       hint="Check your email for a code or a confirmation before trying again.")


def _unpressable(button: Locator, kind: _Button, why: str) -> NoReturn:
    """Nothing pressed: say why (raised without Playwright's error: `why` has its words)."""
    if _safely(lambda: button.is_disabled(timeout=1000)):  # the page's own gate: a box to tick, a longer reason
        raise PageMismatch(f"{kind.name} stayed disabled; {kind.unsent}.",
                           hint=f"The page wants something before it enables {kind.name} that the bot does not do "
                                "(a box to tick, a longer reason?). Run with a window (--submit manual), complete it "
                                f"there and press {kind.name} yourself.") from None
    raise PageMismatch(f"{kind.name} could not be pressed ({why}); {kind.unsent}.",
                       hint=f"Something on the page covers {kind.name}, or the page drew it anew. " + _DRIFT_HINT) from None


def _decline_over_form(page: Page, run: Run) -> tuple[dict[str, Found], int | None]:
    """Decline a cookie dialog that came over the filled form. Declining may reload the page: wait
    for the form, find it again (with its checks) and refill it. Returns the form and the new mark."""
    decline_cookies(page, run)
    try:
        page.wait_for_load_state("domcontentloaded", timeout=run.timeout_s * 1000)
        _form_marker(page, run.recipe).first.wait_for(timeout=run.timeout_s * 1000)
    except PlaywrightError:
        raise PageMismatch("After the cookie choice the form did not come back; nothing was sent.", hint=_DRIFT_HINT) from None
    found = locate_form(page, run)
    fill_form(page, found, run)
    return found, _mark_seen(page, run, code_texts=True)


def _await_person_send(page: Page, run: Run, form: list[Locator], watch: _Presses, review: bool = False) -> Result:
    """`review`: the Send is a review page's, after the form itself was sent."""
    deadline = run.person_deadline
    while True:
        result = _await_result(page, run, "send", form, deadline, watch.posts)
        if result == "refused":
            # A person can correct the form and press Send again; show them what the site said.
            run.sent_values = None  # the next press is read anew (a form drawn again may have lost the bot's marks)
            watch = _watch_presses(page, run)  # first: a second press may follow at once
            run.report.warn(f"The site says: {site_message(page, run) or 'the form was not accepted'}. Correct it in the window and press Send again.")
            _mark_seen(page, run, code_texts=True)
            continue
        # A POST alone is no press: a cookie choice or the page's own traffic posts too.
        if result == "lost" and not (run.sent > watch.sent and _pressed(page, watch)):
            if time.monotonic() <= deadline:  # lost early: an error page
                raise Unreachable("The page failed to load before Send was pressed; nothing was sent.",
                                  hint="Check your connection and run again.")
            waited = f"Waited {run.wait_minutes:g} minutes for Send to be pressed; stopping."
            if review:
                raise PersonTimeout(f"{waited} The review page's Send was not pressed, so the objection may not have reached Meta.",
                                    hint="Check your email for a code or a confirmation before running the bot again.")
            if run.sent > watch.sent:  # the page posted: it may have hidden a press from the watch
                raise PersonTimeout(f"{waited} The bot did not see it pressed.",
                                    hint="If you did press Send, check your email for a code or a confirmation before running the bot again.")
            raise PersonTimeout(f"{waited} Nothing was sent.",
                                hint="Run again when you have time to check the form; --wait-minutes gives you longer.")
        _say_what_the_person_changed(run, result)
        return _after_send(page, run, result, by_person=True, posted=run.posts > watch.posts)


def _words_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _country_sent(values: dict[str, Any] | None, settings_country: str) -> tuple[str, str | None]:
    """The country the form went with, from what its country field showed as Send was pressed
    ([words, value], see _PRESS_WATCH_JS): the settings' while it showed what the bot chose, else
    the country it names. Also the words shown when they name no country the bot knows (None else):
    the settings' country stands then, and the person is told."""
    shown, chosen = (values or {}).get("country"), (values or {}).get("country_chosen")
    if not _words_pair(shown) or shown == chosen:
        return settings_country, None
    words, value = shown
    # A value that is an ISO code is what the form sends; else the words, without a dial code or a
    # bracketed tail ("🇪🇸 Spain (+34)"; the flag goes in the fold).
    plain = re.sub(r"\s*(?:\(.*|\[.*|\+\s*\d[\d\s-]*)$", "", re.sub(r"^\s*\+\s*\d+\s*", "", words))
    for text in ([value] if re.fullmatch(r"[A-Z]{2,3}", value.strip()) else []) + [plain, words]:
        if text.strip():
            try:
                return countries.resolve(text), None
            except LookupError:
                continue
    if countries.fold(plain) in {countries.fold(name) for name in countries.names_anywhere(settings_country)}:
        return settings_country, None
    return settings_country, words or value or None


def _say_what_the_person_changed(run: Run, result: Result) -> None:
    """Once the form has left (not for a press the page kept, nor twice for a review step)."""
    if result not in ("code", "confirmed", "already", "pending") or run.said_changes:
        return
    run.said_changes = True
    changed = []
    country, unknown = _country_sent(run.sent_values, run.settings.country)
    if country != run.settings.country:
        changed.append(f"the country {countries.english_name(country)} (your settings say {countries.english_name(run.settings.country)})")
    elif unknown:
        run.report.warn(f"The country list showed {' '.join(unknown.split())[:60]!r} as Send was pressed, which the bot cannot match to a "
                        f"country; the receipt names {countries.english_name(run.settings.country)}, from your settings.")
    if run.sent_email.lower() != run.settings.email.lower():
        changed.append(f"the email address {mask_email(run.sent_email)} (your settings say {run.settings.masked_email})")
    if run.reason_sent and " ".join(run.sent_reason.split()) != " ".join(run.settings.reason.split()):
        changed.append("your reason as typed there")
    if changed:
        run.report.info(f"The form was sent with what is in the window: {' and '.join(changed)}. The receipt records that.")


def _after_send(page: Page, run: Run, result: Result, by_person: bool = False, posted: bool = True, sent: bool = True,
                form_sent: bool = True) -> Result:
    """`posted`: a POST was answered since Send; `sent`: one left the browser (answered or not);
    `form_sent`: one that may carry the form did (_form_left). An answer that never came is
    judged by any POST (it may have been the form: never "nothing reached Meta" then); the page's own
    complaint by those that may carry the form (its logging of the click is no sending)."""
    if result in ("refused", "lost") and run.guard.blocked_sends:  # the page's own error, for a request the guard stopped
        raise run.guard.sent_elsewhere()
    # Posted, but nothing that may carry the form: the page's own logging, it seems.
    unsent = "Nothing reached Meta." if not sent else ("What the page posted carried neither your address nor your reason "
                                                       "(its own logging, it seems): most likely nothing reached Meta.")
    if result == "refused" and not form_sent:
        # The page's own check ("This field is required"): the form asks for more than the bot fills in.
        raise PageMismatch(f"The page did not send the form; it says: {site_message(page, run) or 'the form is not complete'}. {unsent}",
                           hint="If it is about what the bot filled in, change OPTOUT_EMAIL, OPTOUT_COUNTRY or OPTOUT_REASON and "
                                "run again. If the form asks for something the bot does not fill in, run with --submit manual, "
                                "fill it in in the window and press Send yourself. " + _DRIFT_HINT)
    if result == "refused":
        said = site_message(page, run)
        raise Rejected(f"Meta refused the form: {said or 'no reason given'}.",
                       hint=_RELOGIN_HINT if _session_ended(page, run, said) else
                       "If Meta's message is about what was filled in, check OPTOUT_EMAIL, OPTOUT_COUNTRY and OPTOUT_REASON; "
                       "if it says something went wrong or that you are blocked, try again in a few hours.")
    if result == "dialog":  # a review step between Send and the request: answering it would be a second press
        in_browser = bool(run.browser_dialogs)
        title = run.browser_dialogs[-1] if in_browser else _first_text(_new(page, _dialogs(page), True))
        title = title.split("\n")[0].strip()
        raise PageMismatch(f"After Send the page opened a dialog{f' ({_quoted(title, run)[:80]!r})' if title else ''} and "
                           f"{'did not send the form' if sent else 'sent nothing'}; the bot presses Send only once. {unsent}",
                           hint="The page asks in a browser dialog, which the bot answers Cancel and cannot leave to you; please "
                                "report it (see docs/maintainers.md)." if in_browser else
                                "Run with a window (--submit manual), check the form and answer the dialog yourself.")
    if result == "review":  # pressing this Send would be a second press: the person's call
        if run.headless:
            raise Unreachable("After Send the page shows another Send button and no answer, perhaps a step to review what was "
                              "filled in. The bot presses Send only once; it is unknown whether Meta received the objection.",
                              hint="Check your email for a code or a confirmation. If none comes, run again with a window (without "
                                   "--headless): the bot stops at that page for you to check it and press Send yourself.")
        _mark_seen(page, run)  # this page is handed over: it is not taken for a new review step again
        watch = _watch_presses(page, run)  # first: the press may follow at once
        person.show_note(page, "This page asks for Send again. Check what it shows, then press Send yourself; the bot does not press it twice.", "act")
        run.report.your_turn("The page shows another Send button, perhaps to review what was filled in. Check it in the window "
                             "and press Send there if it is right. The bot waits and does not press it for you.")
        return _await_person_send(page, run, [page.get_by_role("button", name=run.recipe.send.whole_pattern())], watch, review=True)
    if result == "login":
        raise PersonTimeout("Meta asked for a log-in after Send.", hint="Run again with a window and log in first; add --profile DIR to stay logged in.")
    if result == "pending":
        raise _link_pending(page, run)
    if result == "lost":
        if not sent:  # e.g. the browser kept back a form that still misses something it requires
            raise Unreachable("Send was pressed, but the page sent no request and showed no answer; most likely nothing reached Meta.",
                              hint="Check your email for a code or a confirmation before trying again; if none comes, nothing was sent.")
        if not posted:
            raise Unreachable(f"The form was sent, but Meta's server did not answer within {run.timeout_s:g} seconds; "
                              "it is unknown whether Meta received it.",
                              hint="Check your email for a code or a confirmation before trying again; do not send it twice.")
        who = "The form was sent" if not by_person else "Send was pressed"
        if unsure := _thanks_held_back(page, run):
            raise Unreachable(f"{who}, and {unsure}, so the bot cannot tell whether Meta needs more; it is unknown whether the "
                              "objection is complete.", hint="Check your email for Meta's confirmation before trying again; do not send it twice.")
        if not form_sent:  # still "unknown": a form sent in a shape the bot cannot read would look the same
            raise Unreachable("Send was pressed, but no code field, confirmation or error appeared. What the page posted carried "
                              "neither your address nor your reason (its own logging, it seems): most likely nothing reached Meta, "
                              "but the bot cannot be sure.",
                              hint="Check your email for a code or a confirmation before trying again.")
        raise _unknown_answer(f"{who}, but no code field, confirmation or error appeared; it is unknown whether Meta received it.",
                              page, run, hint="Check your email for a code or a confirmation before trying again.")
    return result


def _thanks_held_back(page: Page, run: Run) -> str | None:
    """Thanks after Send that classify_after would not take as the answer, and why, in words: a
    page that says "we've received your objection" over a field to fill in is not said to show no
    confirmation at all."""
    said = _first_text(_thanks(page, run, "send", settled=True))
    if not said:
        return None
    if _asks_more(page, run):
        why = "it also shows a field to fill in"
    elif _visible(_speaks_of_a_code(page, run)):
        why = "it also speaks of a code, but no code field appeared"
    else:
        return None
    return f"the page says {_quoted(_sentences(said), run)[:160]!r}, but {why}"


_TYPE_IT_YOURSELF = ("Do not run the bot again (that would send the form twice): type the code from Meta's "
                     "email into the page yourself, or wait for Meta's email. " + _DRIFT_HINT)


def enter_code(page: Page, run: Run) -> Result:
    """The six-digit code: typed by the person in the page, or taken from the terminal and typed here."""
    run.code_step = True
    # Meta may send it to the logged-in account's address instead: the page's word counts.
    run.report.info(f"The page asks for the six-digit code emailed to {mask_email(run.sent_email)} (or to the address the page names).")
    try:
        code_field, confirm = _find_code(page, run)
    except PlaywrightError:
        if page.is_closed():
            raise _closed() from None
        code_field = confirm = None
    if code_field is None:
        if not run.headless and (answer := _answered_before_the_code_step(page, run)):
            return answer
        raise PageMismatch(f"The form was sent and Meta asks for the emailed code, but the bot cannot find {run.recipe.code.description}.",
                           hint=_TYPE_IT_YOURSELF)
    # No Confirm: a field that sends the code once it is full; see _type_code.
    run.layers.update(code=code_field.layer, confirm=confirm.layer if confirm else "none: the field sends the code")
    form = [code_field.locator] + ([confirm.locator] if confirm else [])
    split = code_field.value == 1  # one box per digit
    tries = 0
    deadline = run.person_deadline
    terminal = run.code in ("prompt", "stdin", "either")
    in_page = run.code in ("browser", "either")
    if in_page:
        person.show_note(page, code_note(confirm is not None), "act")
    ask = {
        "browser": code_note(confirm is not None, into="the browser window"),
        "either": "Type the six-digit code from Meta's email here, or into the browser window, whichever you prefer.",
        "prompt": "Type the six-digit code from Meta's email below.",
    }.get(run.code)
    if ask:
        run.report.your_turn(ask)
    if terminal:
        run.inbox.request()
    while True:
        if in_page:  # terminal codes are marked when typed, in _type_code
            _mark_seen(page, run)
        result = _next_attempt(page, run, form, deadline, terminal, in_page, split)
        if result in ("confirmed", "already"):
            return result
        if result == "wrong-code" and _not_about_the_code(run, said := site_message(page, run, lines=True)):
            result = "refused"  # "An error occurred ... try again later" beside the field: another code would not help
        if result == "wrong-code":
            tries += 1
            message = _sentences(said).rstrip(".") or "the code was not accepted"
            expired = run.recipe.says_expired(said)
            resent = expired and run.recipe.says_new_code_sent(said)  # Meta sent the next one itself
            if tries >= MAX_CODE_TRIES or (expired and run.headless and not resent) or _locked(form[0], run):
                # Without a window nobody can ask Meta for a new code (the bot never does); a field
                # Meta disabled takes no other code (a lock-out after fewer tries than usual).
                raise Rejected(f"Meta did not accept the code{'' if tries == 1 else f' {tries} times'}: {message}.",
                               hint="Wait a few minutes and start again; Meta sends a new code each time.")
            left = MAX_CODE_TRIES - tries
            run.report.warn(f"The site says: {message} ({left} {'try' if left == 1 else 'tries'} left)."
                            + (" Give the new code from Meta's newest email." if resent
                               else " Ask Meta for a new code in the window, then give the new one." if expired else ""))
            if terminal:
                run.inbox.request()
            continue
        if result == "refused":
            said = site_message(page, run)
            raise Rejected(f"Meta refused the request: {said or 'no reason given'}.",
                           hint=_RELOGIN_HINT if _session_ended(page, run, said) else
                           "Nothing more can be done in this run. Wait an hour or so, then start over: Meta sends a new code.")
        if result == "login":
            raise PersonTimeout("Meta asked for a log-in during the code step.", hint="Run again with a window and log in first.")
        if result == "pending":
            raise _link_pending(page, run)
        if _safely(lambda: _visible(_shown_again(page, run.recipe))):
            # A React form reset after a toast, or the form asked again: the page alone cannot tell which.
            raise _unknown_answer("After the code, the page shows the objection form again, empty; it is unknown whether Meta "
                                  "accepted the objection.", page, run,
                                  hint="Check your email for Meta's confirmation before you send the form again: if it comes, "
                                       "your objection stands and there is nothing more to do.")
        if step := _step_after_the_code(page, run, form):
            raise _unknown_answer(f"After the code, the page asks for one more step (a box to fill in or tick, and '{step}'), which "
                                  "the bot does not take: your objection may not be submitted yet.", page, run,
                                  hint="Check your email for Meta's confirmation. If none comes, object in your own browser and "
                                       "take that last step yourself: the bot fills in and presses nothing after the code.")
        raise _unknown_answer("After the code was confirmed, no confirmation or error appeared; it is unknown whether Meta accepted it.",
                              page, run, hint="Check your email for Meta's confirmation before trying again.")


def _not_about_the_code(run: Run, said: str) -> bool:
    """An error beside the code field that names no code and no expiry ("Ocorreu um erro ao processar
    sua solicitação. Tente novamente mais tarde."): the request failed; it is no wrong code."""
    recipe = run.recipe
    return bool(said.strip()) and not recipe.text_pattern(recipe.code.names).search(said) and not recipe.says_expired(said)


# What a step after the code may ask for: a field to fill in, or a box or choice to tick.
_STEP_FIELDS = (f"{_OPEN_INPUTS}, input[type=checkbox]:not(:checked), input[type=radio]:not(:checked),"
                " [role=checkbox][aria-checked=false], [role=radio][aria-checked=false]")


def _step_after_the_code(page: Page, run: Run, form: list[Locator]) -> str | None:
    """The words of the button of a step the page asks for after the code (the code's field gone, a
    field or box to tick beside a button of its own, neither in the page's chrome), or None. Not a
    feedback box's ('Submit feedback'): it asks nothing of the objection."""
    if _safely(lambda: _visible(form[0])):
        return None
    chrome = f"{run.recipe.page_chrome} or @data-optout-widget"
    buttons = locate.outside(page.get_by_role("button"), chrome)
    if (feedback := run.recipe.send.exclude_pattern()) is not None:
        buttons = buttons.filter(has_not_text=feedback)
    seen = _seen(locate.Look(page).add("fields", locate.outside(page.locator(_STEP_FIELDS), chrome), keep=1)
                 .add("button", buttons, read=_WORDS_JS, keep=1).add("cookies", _cookie_banner(page, run.recipe)))
    words = " ".join((seen.values.get("button") or [""])[0].split())
    # A cookie dialog's switches and buttons are no step of the objection's.
    return words[:60] if "fields" in seen and words and "cookies" not in seen else None


_RELOGIN_HINT = ("Meta's session ended before the objection was confirmed. Run again with a window (without --headless), "
                 "log in when Meta asks, and go through the form again; add --profile DIR to stay logged in.")


def _session_ended(page: Page, run: Run, said: str) -> bool:
    """A refusal that says the session expired and asks to log in again (in its words, or with a
    'Log in' of its own, outside the page's chrome: a Help Center seen logged out has one in its
    header whatever it says): not a wait of some hours, but a log-in."""
    recipe = run.recipe
    if not (said and recipe.expired_pattern().search(said)):
        return False
    login = locate.outside(locate.any_layer(page, recipe.login_prompt), recipe.page_chrome)
    return bool(recipe.text_pattern(recipe.login_prompt.names).search(said)) or _safely(lambda: _visible(login))


def _answered_before_the_code_step(page: Page, run: Run) -> Result | None:
    """The code field was there after Send and is gone: a quick hand may have given the code in the
    window already. Meta's thanks then stand, but not thanks that speak of a code (those may be the
    code step's own words around a field the bot does not know)."""
    answer = _classify_widely(page, run, "code", [page.locator("[data-optout-none]")], posted=True)
    if answer in ("confirmed", "already") and not _visible(_code_texts(page, run)):
        return answer
    return None


_LOCKED_JS = "e => e.disabled || e.readOnly || e.getAttribute('aria-disabled') === 'true'"
LOCK_WAIT_S = 5  # a field disabled while the page works is enabled again within this long


def _locked(field: Locator, run: Run) -> bool:
    """The code field is there but takes no typing any more, and stays so (not merely busy)."""
    try:
        if locate.read_first(field, _LOCKED_JS) != [True]:
            return False
        try:
            expect(field).to_be_editable(timeout=min(LOCK_WAIT_S, run.timeout_s) * 1000)
            return False
        except AssertionError:
            return locate.read_first(field, _LOCKED_JS) == [True]
    except PlaywrightError:
        return False


def _find_code(page: Page, run: Run) -> tuple[Found | None, Found | None]:
    """The code field and its Confirm: by their first layers in one look (where the usual page has
    them), else one after the other."""
    code_read = "e => e.maxLength"  # 1: one box per digit
    first_code = locate.layers(page, run.recipe.code)[0][1].first  # what `found` picks in that layer
    seen = (locate.Look(page).add_element("code", page, run.recipe.code, read=code_read, upto=1)
            .add_element("confirm", page, run.recipe.confirm, also=first_code.locator("xpath=following::*"), upto=1).run())
    if code_field := seen.found("code"):
        return code_field, seen.found("confirm") or confirm_button(page, run, code_field)
    code_field = locate.find(page, "code", run.recipe.code, read=code_read)
    return code_field, confirm_button(page, run, code_field) if code_field else None


def confirm_button(page: Page, run: Run, code_field: Found) -> Found | None:
    """The code's Confirm follows its field: never the form's Send above it (even on a new document,
    where its tag is gone), never a resend button (the recipe's exclusions)."""
    return (locate.find(page, "confirm", run.recipe.confirm, also=code_field.locator.locator("xpath=following::*"))
            or _send_turned_confirm(page, run, code_field))


def _send_turned_confirm(page: Page, run: Run, code_field: Found) -> Found | None:
    """React may reuse Send's node for the code's Confirm. The bot's Send counts as Confirm only where
    its words have changed since it was pressed, to Confirm's and none of Send's: a Send that still
    says what it said (even 'Confirm') is never pressed again."""
    button = page.locator("[data-optout-send]").and_(code_field.locator.locator("xpath=following::*")).filter(visible=True)
    try:
        read = locate.read_first(button, f"e => [({_WORDS_JS})(e).slice(0, 80), e.__optoutSendWords ?? null]")
    except PlaywrightError:
        return None
    if not read or read[0][1] is None or read[0][0] == read[0][1]:
        return None
    words = read[0][0]
    confirm, send, exclude = run.recipe.confirm.pattern(), run.recipe.send.pattern(), run.recipe.confirm.exclude_pattern()
    if not confirm.search(words) or send.search(words) or (exclude is not None and exclude.search(words)):
        return None
    return Found("confirm", button.first, "reused")


def _next_attempt(page: Page, run: Run, form: list[Locator], deadline: float, terminal: bool, in_page: bool,
                  split: bool = False) -> Result:
    """Wait for the person (page or terminal) to give a code; type terminal codes; return the site's answer."""
    posts_before, sent_before = run.posts, run.sent
    settled = False  # in the page: the site answered the person's code and the page has stayed still since
    while True:
        run.guard.check()
        if time.monotonic() > deadline:
            if run.posts > posts_before or run.sent > sent_before or run.code_pressed:
                # Something left the code page meanwhile (a code given in the window?): Meta may have confirmed.
                raise PersonTimeout(f"Waited {run.wait_minutes:g} minutes for the code's answer; stopping.")
            raise PersonTimeout(f"Waited {run.wait_minutes:g} minutes for the code; stopping.",
                                hint="The form was sent, but the objection counts only once its code is confirmed, and this "
                                     "run's code page is closed now. When you are ready, run again: Meta emails a new code "
                                     "each time; use the one from its newest email.", hint_says_sent=True)
        if in_page:
            since, posted = mark(page), run.posts > posts_before
            result = classify_after(page, run, "code", form, posted=posted)
            if not result and settled and _plain_text(page):
                result = classify_after(page, run, "code", form, posted=posted)
            if not result and settled:
                # Still since the answer, as after the bot's own press: thanks in a dialog over a code
                # field that stays enabled count. Old errors do not: that press may have been "Send a new code".
                result = classify_after(page, run, "code", form, posted=True, stale_errors=True)
                result = result if result in ("confirmed", "pending") else None
                if not result and _every_language(run):
                    continue  # an answer in another language than the form page's: looked at again at once
            if not result and posted and _answered_a_while(run) and _every_language(run):
                continue  # a toast that may go before the page is still
            if result:
                return result
        if terminal:
            line = run.inbox.take(timeout=0 if in_page else CHUNK_MS / 1000)
            if line is None:
                if run.typed_code:  # the site's answer to it was said just before
                    raise PersonTimeout(f"Standard input ended after the site's answer to the code {run.typed_code}; "
                                        "no other code was given.",
                                        hint="Run again when you are ready (if the page said something went wrong, wait a "
                                             "while first): Meta emails a new code each time; use the one from its newest email.")
                raise PersonTimeout("Standard input ended before a code was accepted.",
                                    hint="Next time give the six-digit code on its own line, or run at a terminal.")
            if line is not False:
                code = person.clean_code(line)
                if code is None:
                    run.report.warn("That is not a six-digit code; the bot typed nothing. Try again.")
                    run.inbox.request()
                    continue
                if code == run.typed_code:  # the site has just refused it: a second Confirm with it would only use up a try
                    run.report.warn(f"The site already refused the code {code}; the bot did not type it again. "
                                    "Give the code from Meta's newest email.")
                    run.inbox.request()
                    continue
                if not run.headless and (answer := _answered_in_window(page, run, form, posts_before)):
                    return answer
                return _type_code(page, run, code, form, split, posts_before)
        if in_page:
            chunk = CHUNK_MS / 2 if terminal else CHUNK_MS
            wait = _until_widened(run, posted, chunk)
            settled = posted and not wait_for_change(page, since, wait) and wait == chunk


_FINAL: tuple[Result, ...] = ("confirmed", "already", "pending", "refused", "login")


def _answered_in_window(page: Page, run: Run, form: list[Locator], posts_before: int) -> Result | None:
    """Before the bot types a code given at the terminal: the person may also have given one in the
    window. A request the page started is let finish first (a second Confirm while Meta checks the
    first would send the code twice); then Meta's answer to it is taken, or awaited while the field
    is away. None: type the terminal's code."""
    deadline, said = time.monotonic() + run.timeout_s, False
    while True:
        result = classify_after(page, run, "code", form, posted=run.posts > posts_before)
        if result in _FINAL:
            return result
        answered = run.sent <= run.posts  # no request the page started is still out
        if answered and (result == "wrong-code" or _visible(form[0].and_(page.locator(":enabled:not([readonly])")))):
            return None  # nothing pending, or a wrong code in the window: the terminal's is typed next
        if time.monotonic() > deadline:
            if _every_language(run):
                continue
            if _visible(form[0]):
                return None
            raise PageMismatch("The code field went away and did not come back; the bot did not type the code.", hint=_TYPE_IT_YOURSELF)
        if answered and not said:
            said = True
            run.report.info("The code field went away before the bot typed the code: the code given in the window is being answered.")
        wait_for_change(page, mark(page), CHUNK_MS / 2)


def _type_code(page: Page, run: Run, code: str, form: list[Locator], split: bool = False,
               posts_before: int | None = None) -> Result:
    """`posts_before`: the POSTs before the person could give a code in the window as well."""
    code_field, confirm = form[0], (form[1] if len(form) > 1 else None)
    run.guard.require(page.url, "The code page")
    fields, parts = [code_field], [code]
    if split:
        # The digit boxes: single-character inputs in the nearest block that holds all of them.
        boxes = code_field.locator(f"xpath=ancestor::*[count(.//input[@maxlength='1']) >= {len(code)}][1]//input[@maxlength='1']")
        if boxes.count() != len(code):
            raise PageMismatch("The code field is split into boxes that do not match a six-digit code; nothing was typed.", hint=_DRIFT_HINT)
        fields, parts = boxes.all(), list(code)
    if confirm is None:
        return _type_code_that_sends_itself(page, run, code, form, fields, parts)
    window_posts = run.posts if posts_before is None else posts_before
    typed_posts, code_posts, run.typed_code = run.posts, run.code_posts, code
    # Before typing too: a field that sends the code itself once it is whole may be answered before
    # the bot looks again.
    typed = f"typed-{next(_TYPED)}"
    before_typing = _mark_seen(page, run, typed=f"{typed}-before")
    try:
        for box, part in zip(fields, parts):
            box.fill(part)
    except PlaywrightError as exc:
        if page.is_closed():
            raise _closed() from None
        # The field went away while the bot typed: a code given in the window may be being answered
        # (and its thanks drawn before the marks just taken).
        _unmark(page, f"{typed}-before")
        if (answer := _await_result(page, run, "code", form, time.monotonic() + run.timeout_s, window_posts)) in _FINAL:
            return answer
        raise PageMismatch(f"The code field went away before the bot could type the code ({_short(exc)}); the code was not sent.",
                           hint=_TYPE_IT_YOURSELF) from None
    since, banner = _mark_before_press(page, run, code_texts=False, typed=typed) if run.code_posts == code_posts else (None, False)
    if run.code_posts > code_posts:
        # A field that sends the code once it is whole, beside a Confirm: the code is on its way, and
        # a press would send it twice. What typing drew may be the answer already.
        _unmark(page, typed)
        run.code_pressed = True
        run.report.info(f"Typed the code {code}; the page sent it itself, so the bot does not press Confirm.")
        return await_result(page, run, "code", form, time.monotonic() + run.timeout_s, before_typing, typed_posts)
    for press in ("first", "second"):
        if banner:  # a cookie dialog that came with the code step, or on typing it, would take the press
            decline_cookies(page, run)
            _type_again(fields, parts)  # the choice may have drawn the step anew, or reloaded it
            since = _mark_seen(page, run)
        posts_before = run.posts  # after the cookie choice: its POST is no answer to the code
        run.code_pressed = True
        try:
            if _press_once(page, run, confirm, _CONFIRM, last=press == "second"):
                break
        except (PageMismatch, Unreachable):
            # Confirm went away under the press: the person may have pressed it in the window first.
            if (answer := _classify_widely(page, run, "code", form, posted=run.posts > window_posts)) in _FINAL:
                return answer
            raise
        banner = True
    run.report.info(f"Typed the code {code} and pressed Confirm.")
    return await_result(page, run, "code", form, time.monotonic() + run.timeout_s, since, posts_before)


_TYPED = itertools.count(1)  # each code typed marks what typing drew under its own tag


def _type_again(fields: list[Locator], parts: list[str]) -> None:
    try:
        for box, part in zip(fields, parts):
            box.fill(part)
    except PlaywrightError as exc:
        raise PageMismatch(f"After the cookie choice the code field did not come back ({_short(exc)}); the code was not sent.",
                           hint="Run again with a window (without --headless) and type the code into the page yourself. " + _DRIFT_HINT) from None


def _type_code_that_sends_itself(page: Page, run: Run, code: str, form: list[Locator], fields: list[Locator],
                                 parts: list[str]) -> Result:
    """No Confirm button: a field that sends the code once it is full. Typed key by key, as a person
    does; nothing is pressed, since Enter may press a 'send a new code' button, or a form's Send."""
    since, posts_before = _mark_seen(page, run), run.posts  # before typing: the page may answer the last key
    run.code_pressed, run.typed_code = True, code
    for box, part in zip(fields, parts):
        if box.input_value():  # a code tried before (clearing an empty box may count as a backspace)
            box.fill("")
        box.press_sequentially(part)
    run.report.info(f"Typed the code {code}; the page has no Confirm button and sends it itself.")
    result = await_result(page, run, "code", form, time.monotonic() + run.timeout_s, since, posts_before)
    if result == "lost" and run.posts == posts_before:
        raise PageMismatch(f"The bot typed the code {code}, but the page shows no Confirm button it knows and did not send the code.",
                           hint="Press the page's own Confirm in the window if it has one. " + _TYPE_IT_YOURSELF)
    return result


def prefill(page: Page, run: Run, start_url: str) -> Outcome:
    """The whole flow on one page; returns the confirmed outcome or raises an OptoutError."""
    step = run.report.step
    page.context.set_default_timeout(run.timeout_s * 1000)  # no action waits longer than --timeout
    step(1)
    load(page, start_url, run)
    step(2)
    page, first = _reach_form(page, run, form_reads=_form_reads(run))
    _check_app(page, run)
    found = locate_form(page, run, first)
    _read_in_page_languages(found, run)
    step(3)
    marked = fill_form(page, found, run)
    step(4)
    result = send(page, found, run, marked)
    if result == "code":
        step(5)
        result = enter_code(page, run)
    read = answer_read(page, run) if result == "confirmed" else None
    if result == "confirmed" and (said := turned_down(page, run, read)):
        raise Unreachable(f"Meta's answer thanks you, but also says: \"{_quoted(said, run)[:300]}\" The bot cannot tell whether that "
                          "turns your objection down, so it does not count it as confirmed and writes no receipt.",
                          hint="Read Meta's answer in full (in the window, or the snapshot) and Meta's email: if the objection was "
                               "accepted, keep that email as your proof; if not, its words say why.")
    if result == "confirmed" and not run.code_step:
        run.report.info("No code step: Meta confirmed right after Send.")
    review = under_review(run, read)
    return Outcome(final_url=page.url, code_step=run.code_step, page=page, already=result == "already",
                   review=_quoted(review, run)[:300] if review else None)


# The notes the window shows at the person's turns (scripts/screenshots.py shows the same).
def send_note(fields: str, caution: str = "") -> str:
    return f"{caution} Check {fields} below, then press the Send button yourself.".strip()


def code_note(confirm: bool, into: str = "the page") -> str:
    press = ", then press Confirm" if confirm else " (the page sends it itself once it is whole)"
    return f"Type the six-digit code from Meta's email into {into}{press}."


def done_note(who: str, already: bool, review: bool = False) -> str:
    done = (f"{who} says you had already objected" if already else
            f"{who} received your objection and will review it" if review else f"{who} confirmed your objection")
    return f"Done: {done}. Your receipt is saved; this window closes now."


AFTER_SEND = ("code", "confirm")


NO_LINK_NEEDED = "not needed: the form is on the start page"  # the link's layer in a check's report then


class Inspection(NamedTuple):
    layers: dict[str, str | None]  # per element, the layer that found it; None: missing
    purpose: str | None  # form_purpose's verdict; None when the form was not found whole
    title: str
    language: str  # as the page declares it; '' when it does not say
    problem: str = ""  # why the walk to the form stopped, in the words prefill would use
    instead: dict[str, str] = {}  # per missing form element, what the page shows in its place (a maintainer's clue)
    form_url: str = ""  # where the form was found whole
    later: dict[str, str] = {}  # a form that shows its fields one after another: per element not shown yet, what it waits for


def _shown_instead(page: Page, run: Run, missing: list[str]) -> dict[str, str]:
    """For each missing element, the words the page has where it would be: the buttons for Send,
    the fields' labels for a field; outside the page's chrome."""
    out = {}
    for name in missing:
        shown = page.get_by_role("button") if name == "send" else (
            page.locator("label, legend").or_(page.locator("xpath=//*[@id][@id = //@aria-labelledby]")))  # React's labels
        said = _words_of(locate.outside(shown, run.recipe.page_chrome))
        if said:
            out[name] = ("buttons: " if name == "send" else "labels: ") + said
    return out


# A footer that is the page's own (ARIA's contentinfo), not a section's, a dialog's or a form's.
_PAGE_FOOTER = ("(@role='contentinfo' or self::footer) and not(ancestor::article or ancestor::aside or ancestor::main or ancestor::nav"
                " or ancestor::section or ancestor::form or ancestor::*[@role='main' or @role='dialog' or @role='form'])")


def _shows_nothing_else(page: Page, run: Run, first: str) -> bool:
    """Besides the field a form of steps shows first, its page shows no button and no other field to
    type into (outside the chrome): else its other fields may be there under words the recipe no
    longer knows, which a check must report as missing. The page's own footer (its cookie settings,
    its language) does not count; a footer inside its main part or a form may hold the form's Send."""
    buttons = locate.outside(page.get_by_role("button"), f"{run.recipe.page_chrome} or {_PAGE_FOOTER}")
    fields = locate.outside(page.locator(f"{_OPEN_INPUTS}, {_OPEN_BOXES}"), run.recipe.page_chrome).filter(visible=True)
    try:
        return not _visible(buttons) and locate.count(fields) <= (first == "email")
    except PlaywrightError:
        return False


def _declared_language(page: Page) -> str:
    """The page's language tag; '' when it has none or is navigating (which the recipe reads as any)."""
    try:
        return page.evaluate("document.documentElement.lang")
    except PlaywrightError:
        return ""


def inspect(page: Page, run: Run, start_url: str) -> Inspection:
    """Walk to the form and say, per element, which layer finds it, and what the form says it is
    for, as `prefill` would judge it. Types nothing."""
    page.context.set_default_timeout(run.timeout_s * 1000)
    load(page, start_url, run)
    try:
        page = reach_form(page, run)
    except PageMismatch as stop:
        # A link that was followed still holds: what stopped the walk lies beyond it (the form's
        # page says it is not available, or the link leads to the other app's form).
        return Inspection({"link": run.layers.get("link"), **{name: None for name in FORM_ELEMENTS}}, None, "", "", stop.message)
    _check_app(page, run)
    layers = {"link": run.layers.get("link", NO_LINK_NEEDED)}
    found = find_form(page, run, {"country": _country_js(run.settings.country)})
    for name, hit in found.items():
        layers[name] = hit.layer if hit else None
    missing = [name for name, hit in found.items() if hit is None]
    if any(name not in OPTIONAL_ELEMENTS for name in missing):
        if (stepwise := shown_first(page, found, run)) and _shows_nothing_else(page, run, stepwise[0]):
            # prefill fills what such a form shows first; a check types nothing, so the rest is not seen.
            first, titles = stepwise
            declared = found["country"].value["declared"] if first == "country" else _declared_language(page)
            return Inspection(layers, "objection", _title(titles), declared or "", form_url=page.url,
                              later={name: first for name in missing})
        return Inspection(layers, None, "", "", instead=_shown_instead(page, run, missing))
    purpose, title = form_purpose(page, found, run)
    return Inspection(layers, purpose, title, found["country"].value["declared"] or "", form_url=page.url)
