"""Page shapes an independent red-team pass found (pages written from public reports only, run
through the CLI contract). Each is reduced here to the smallest page that showed it, in-process."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import pytest
from playwright.sync_api import Error as PlaywrightError, Page, expect

from conftest import OBJECTION_TITLE, make_run, show_form
from optout_bot import flow, locate, recipe
from optout_bot.progress import Reporter
from optout_bot.status import PageMismatch, PersonTimeout, Rejected, Unreachable

IG = recipe.load("instagram")
FORM_URL = "https://help.instagram.com/contact/1085632098765432"
FIELDS = """<label>Country of residence <select><option value="">-</option><option value="PT">Portugal</option></select></label>
  <label>Email address <input type="email"></label>
  <label>Please tell us how this processing impacts you <textarea></textarea></label>"""


def serve(page: Page, html: str, answer: str = '{"ok": true}', title: str = OBJECTION_TITLE) -> list[dict]:
    """The page at FORM_URL, with the objection form's <title>; its fetch() POSTs are answered with
    `answer` and recorded."""
    posts = []

    def handle(route):
        if route.request.method == "POST":
            posts.append(route.request.post_data_json or {})
            route.fulfill(status=200, content_type="application/json", body=answer)
        else:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=f"<html lang='en'><title>{title}</title><body>{html}</body></html>")

    page.route("https://help.instagram.com/**", handle)
    page.goto(FORM_URL)
    return posts


def _a_post(response) -> bool:
    return response.request.method == "POST"


# --- the link ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text", [
    ("de", "Du hast das Recht, <a href='/help/contact/9'>Widerspruch einzulegen</a>."),
    ("de", "Du hast ein <a href='/help/contact/9'>Recht auf Widerspruch</a>."),
    ("pl", "Masz prawo <a href='/help/contact/9'>sprzeciwić się</a> wykorzystywaniu."),
    ("pt", "<a href='/help/contact/9'>Opõe-te</a> à utilização das tuas informações."),
    ("ro", "Ai <a href='/help/contact/9'>dreptul la opoziţie</a> (with a cedilla)."),
    ("it", "<a href='/help/contact/9'>Opponiti</a> all'uso delle tue informazioni."),
    ("nl", "<a href='/help/contact/9'>Maak bezwaar</a> tegen het gebruik."),
    ("es", "<a href='/help/contact/9'>Oponte</a> al uso de tu información."),
    ("en", "You can <a href='/help/contact/9'>object</a> to this use."),
])
def test_the_link_in_each_language_with_a_form_address_the_recipe_does_not_know(page: Page, lang, text):
    page.set_content(f"<html lang='{lang}'><p>{text}</p></html>")
    hit = locate.find(page, "link", IG.link)
    assert hit is not None and hit.locator.get_attribute("href") == "/help/contact/9"


def test_third_parties_in_the_plural_is_still_the_other_form(page: Page):
    page.set_content("""<p>Your <a href="/help/contact/5">right to object regarding information from third parties</a>.</p>
      <p>Your <a href="/help/contact/9">right to object</a>.</p>""")
    assert locate.find(page, "link", IG.link).locator.get_attribute("href") == "/help/contact/9"


def _chosen_link(page: Page, html: str) -> str:
    page.set_content(html)
    start = flow.classify_start(page, make_run())
    assert start.state == "link"
    return start.link.value["href"]


def _answering(page: Page, answers: list[tuple[int, dict]]) -> list[float]:
    """FORM_URL answered in turn with each (status, headers); when each request came."""
    times = []

    def handle(route):
        status, headers = answers[min(len(times), len(answers) - 1)]
        times.append(time.monotonic())
        route.fulfill(status=status, headers=headers, content_type="text/html", body=f"<p>HTTP {status}</p>")

    page.route("https://help.instagram.com/**", handle)
    return times


def test_too_many_requests_is_retried_after_the_wait_the_server_asks_for(page: Page):
    # Found by a red-team pass: a 429 page was searched for the form, and the run ended with
    # "Could not find the objection form ... Meta may have changed the page".
    times = _answering(page, [(429, {"retry-after": "1"}), (200, {})])
    flow.load(page, FORM_URL, make_run(retry_base_s=0.01))
    assert len(times) == 2 and times[1] - times[0] >= 1
    assert page.locator("p").inner_text() == "HTTP 200"


def test_too_many_requests_every_time_ends_as_unreachable_and_says_to_wait(page: Page):
    times = _answering(page, [(429, {"retry-after": "0"})])
    with pytest.raises(Unreachable, match=r"after 4 tries: HTTP 429 \(too many requests\)") as caught:
        flow.load(page, FORM_URL, make_run(retry_base_s=0.01))
    assert len(times) == 4 and "try again in a few minutes" in caught.value.hint


_NO_REASON = """<form><label>Country of residence <select><option value="">-</option><option value="PT">Portugal</option></select></label>
  <label>Email address <input type="email"></label>{more}<button type="submit">Send</button></form>"""


def _reached_by_link() -> flow.Run:
    run = make_run()
    run.layers["link"] = "role"  # as reach_form leaves it after following the right-to-object link
    return run


def test_a_box_with_a_country_and_an_email_on_the_privacy_center_page_is_no_form_without_a_reason(page: Page):
    # The review of the optional reason: such a box ("Get updates about AI at Meta") on the start
    # page was filled and sent as the objection; only a page the link led to may lack the box.
    page.set_content("<title>Generative AI at Meta</title><p>You have the <a href='/help/contact/9'>right to object</a>.</p>"
                     "<h2>Get updates about AI at Meta</h2>" + _NO_REASON.format(more=""))
    with pytest.raises(PageMismatch, match="missing the box"):
        flow.locate_form(page, make_run())
    assert flow.locate_form(page, _reached_by_link())["reason"] is None


# An account picker, as a React page draws one (red-team pass 13): the objection goes for the chosen
# account. p@example.eu is the address of make_run's settings.
_ACCOUNTS = """<div role="radiogroup" aria-label="Which account is this about?">
  <div role="radio" tabindex="0" aria-checked="{first}" data-v="1">@pat.photos · p•••••@example.nl</div>
  <div role="radio" tabindex="-1" aria-checked="{second}" data-v="2">@pat · p•••••@example.eu</div></div>"""
_ACCOUNT_SENT = """<script>window.clicks = 0; const chosen = () => document.querySelector('[role=radio][aria-checked=true]');
  document.querySelector('[role=radiogroup]').onclick = e => { const r = e.target.closest('[role=radio]'); window.clicks++;
    document.querySelectorAll('[role=radio]').forEach(x => x.setAttribute('aria-checked', String(x === r))); };
  send.onclick = () => fetch('/submit', {method: 'POST', body: JSON.stringify({account: chosen() && chosen().dataset.v,
    email: document.querySelector('input[type=email]').value})}).then(() => { f.innerHTML = "<p>Thanks. We've received your objection request.</p>"; });
</script>"""


def _picker_form(page: Page, first: str, second: str, shown: str = "", redraw: bool = False) -> list[dict]:
    picker = _ACCOUNTS.format(first=first, second=second)
    if shown:
        picker = picker.replace("p•••••@example.eu", shown)
    script = _ACCOUNT_SENT
    if redraw:  # the group drawn anew from its data on each click: the radios the bot looked at are gone
        script = script.replace("window.clicks++;", "window.clicks++; const v = r.dataset.v, g = e.currentTarget;"
                                " g.innerHTML = [...g.children].map(x => `<div role='radio' data-v='${x.dataset.v}'>${x.textContent}</div>`).join('');"
                                " r = g.querySelector(`[data-v='${v}']`);").replace("const r = e.target", "let r = e.target")
    return serve(page, f'<div id="f">{picker}{FIELDS}<div role="button" tabindex="0" id="send">Send</div></div>{script}')


def _sent_after_fill(page: Page, **run_options) -> tuple[flow.Run, str]:
    run = make_run(**run_options)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    return run, flow.send(page, found, run)


@pytest.mark.parametrize("first, second, clicks", [("true", "false", 1), ("false", "false", 1), ("false", "true", 0)])
def test_an_account_picker_is_set_to_the_account_whose_address_fits_the_settings(page: Page, first, second, clicks):
    # The other account preselected, none, or already the right one (left as it is).
    posts = _picker_form(page, first, second)
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"account": "2", "email": "p@example.eu"}]
    assert page.evaluate("window.clicks") == clicks


def test_an_account_picker_drawn_anew_on_a_click_is_read_again(page: Page):
    posts = _picker_form(page, "true", "false", redraw=True)
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"account": "2", "email": "p@example.eu"}]


def test_choosing_another_account_is_said_with_the_addresses_masked(page: Page, capsys):
    posts = _picker_form(page, "true", "false")
    page.evaluate("document.querySelector('[data-v=\"1\"]').textContent = '@pat.photos · pat.private@example.nl'")
    run = make_run()
    run.report = Reporter(json_events=True)
    flow.fill_form(page, flow.locate_form(page, run), run)
    said = " ".join(json.loads(line)["message"] for line in capsys.readouterr().out.splitlines())
    assert "Chose the account p•••••@example.eu on the form, whose address fits yours; the page had chosen p***@example.nl." in said
    assert "pat.private" not in said and posts == []


@pytest.mark.parametrize("shown, why", [("q•••••@example.eu", "none"), ("p•••••@example.eu", "more than one")])
def test_an_account_picker_without_one_account_of_the_settings_address_stops_before_send(page: Page, shown, why):
    _picker_form(page, "true" if why == "none" else "false", "false", shown=shown)  # two that fit, neither chosen
    if why != "none":
        page.evaluate("document.querySelector('[data-v=\"1\"]').textContent = '@pat.photos · p•••••@example.eu'")
    run = make_run()
    found = flow.locate_form(page, run)
    with pytest.raises(PageMismatch, match=rf"which account the objection is for \(.*\), and {why} of them shows your address "
                                           r"p\*+@example.eu; nothing was sent"):
        flow.fill_form(page, found, run)
    assert page.evaluate("window.clicks") == 0


_STYLED_RADIOS = """<form id="f">{fields}<fieldset><legend>{legend}</legend>
  <label><input type="radio" name="pick" value="1" checked><span class="dot"></span> {one}</label>
  <label><input type="radio" name="pick" value="2"><span class="dot"></span> {two}</label></fieldset>
  <button type="submit">Send</button></form>
  <style>label {{ position: relative; display: block; padding: 4px 24px; }}
    [type=radio], .dot {{ position: absolute; left: 0; top: 4px; margin: 0; width: 16px; height: 16px; }} [type=radio] {{ opacity: 0; }}</style>
  <script>f.onsubmit = e => {{ e.preventDefault(); fetch('/submit', {{method: 'POST', body: JSON.stringify({{pick: new FormData(f).get('pick')}})}})
    .then(() => {{ f.outerHTML = "<p>Thanks. We've received your objection request.</p>"; }}); }};</script>"""


def test_a_styled_radio_under_its_label_is_chosen_through_the_label(page: Page):
    # Review 21: the input (opacity 0) under its label's text took the click for 30 s.
    posts = serve(page, _STYLED_RADIOS.format(fields=FIELDS, legend="Which account is this about?",
                                              one="@pat.photos (p•••••@example.nl)", two="@pat (p•••••@example.eu)"))
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"pick": "2"}]


def test_a_radio_that_merely_names_an_address_is_no_account_picker(page: Page):
    # Review 21: "Send a copy to s•••••@example.nl" beside "No copy" stopped the run (exit 3).
    posts = serve(page, _STYLED_RADIOS.format(fields=FIELDS, legend="Send me a copy of this request",
                                              one="No copy", two="Send a copy to p•••••@example.nl"))
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"pick": "1"}]


# Red-team pass 18 (f06): a "Which account?" list in Accounts Center shows names and apps, not
# addresses; the other app's account was preselected and sent. The target's app tells which.
@pytest.mark.parametrize("one, two", [
    ("Pat Tester · Facebook", "pat.photos · Instagram"),
    # Both accounts under the same address: only the app tells them apart.
    ("Pat Tester · Facebook · p•••••@example.eu", "pat.photos · Instagram · p•••••@example.eu"),
])
def test_an_account_picker_that_names_apps_is_set_to_the_targets_account(page: Page, one, two):
    posts = serve(page, _STYLED_RADIOS.format(fields=FIELDS, legend="Which account?", one=one, two=two))
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"pick": "2"}]


def test_an_account_picker_with_two_accounts_of_the_targets_app_and_no_addresses_stops_before_send(page: Page):
    # Neither chosen (one chosen by the page is left: both are the person's, in one Accounts Center).
    posts = serve(page, _STYLED_RADIOS.format(fields=FIELDS, legend="Which account?", one="pat.photos · Instagram",
                                              two="pat.travel · Instagram").replace(" checked", ""))
    run = make_run()
    with pytest.raises(PageMismatch, match=r"which account the objection is for \(pat.photos · Instagram, pat.travel · Instagram\), "
                                           r"and more than one of them"):
        flow.fill_form(page, flow.locate_form(page, run), run)
    assert posts == []


_UNGROUPED = {  # review 22: no radiogroup and no name, each radio in a wrapper of its own
    "wrapped role=radio": """<div class=o><div role=radio tabindex=0 aria-checked=true data-v=1>@pat.photos · p•••••@example.nl</div></div>
      <div class=o><div role=radio tabindex=0 aria-checked=false data-v=2>@pat · p•••••@example.eu</div></div>""",
    "inputs in labels": """<label><input type=radio checked data-v=1> @pat.photos (p•••••@example.nl)</label>
      <label><input type=radio data-v=2> @pat (p•••••@example.eu)</label>""",
    "named by aria-labelledby": """<div role=radio tabindex=0 aria-checked=true aria-labelledby=a1 data-v=1>◯</div><span id=a1>@pat.photos (p•••••@example.nl)</span>
      <div role=radio tabindex=0 aria-checked=false aria-labelledby=a2 data-v=2>◯</div><span id=a2>@pat (p•••••@example.eu)</span>"""}
_UNGROUPED_SENT = """<script>const radios = [...document.querySelectorAll('[data-v]')], chosen = () => radios.find(r => r.checked || r.getAttribute('aria-checked') === 'true');
  radios.forEach(r => r.addEventListener('click', () => { radios.forEach(x => { x.checked = x === r; if (x.getAttribute('role')) x.setAttribute('aria-checked', String(x === r)); });
    {reset} }}));
  document.querySelector('{send}').onclick = e => {{ e.preventDefault(); fetch('/submit', {{method: 'POST', body: JSON.stringify({{account: chosen() && chosen().dataset.v,
    email: document.querySelector('input[type=email]').value, reason: document.querySelector('textarea').value}})}})
    .then(() => {{ document.body.innerHTML = "<p>Thanks. We've received your objection request.</p>"; }}); }};</script>"""


def _ungrouped(page: Page, picker: str, outside: bool = False, reset: str = "") -> list[dict]:
    script = _UNGROUPED_SENT.replace("{reset} }}));", reset + " }));").replace("{{", "{").replace("}}", "}").replace("{send}", "#send")
    form = f'<form id="f" onsubmit="return false">{"" if outside else picker}{FIELDS}<button id="send">Send</button></form>'
    return serve(page, (picker if outside else "") + form + script)


@pytest.mark.parametrize("shape", list(_UNGROUPED))
def test_an_account_picker_without_a_group_or_names_is_still_set(page: Page, shape):
    posts = _ungrouped(page, _UNGROUPED[shape])
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"account": "2", "email": "p@example.eu", "reason": flow.default_reason("PT")[0]}]


def test_an_account_picker_above_the_form_is_set_too(page: Page):
    # Review 22: a picker outside the fields' <form>, carried by the page's script.
    posts = _ungrouped(page, _UNGROUPED["wrapped role=radio"], outside=True)
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts[0]["account"] == "2"


def test_a_form_that_resets_its_fields_when_the_account_is_chosen_is_filled_again(page: Page):
    # Review 22: a form drawn anew for the chosen account was sent with an empty email and reason.
    posts = _ungrouped(page, _UNGROUPED["inputs in labels"],
                       reset="document.querySelector('input[type=email]').value = ''; document.querySelector('textarea').value = '';")
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"account": "2", "email": "p@example.eu", "reason": flow.default_reason("PT")[0]}]


def test_a_form_that_gives_up_the_chosen_account_is_not_sent(page: Page):
    # Read-through: the choice clears the email, and typing it again puts the page's own account back.
    posts = _ungrouped(page, _UNGROUPED["wrapped role=radio"],
                       reset="const box = document.querySelector('input[type=email]'); box.value = ''; box.addEventListener('input', () => "
                             "radios.forEach(x => x.setAttribute('aria-checked', String(x.dataset.v === '1'))), {once: true});")
    with pytest.raises(PageMismatch, match=r"gave up the account the bot chose there \(p•••••@example.nl, p•••••@example.eu now\); "
                                           "nothing was sent"):
        _sent_after_fill(page)
    assert posts == []


def test_a_required_account_picker_the_bot_set_is_not_left_to_the_person(page: Page):
    # Review 22: the bot chose the account, then stopped over the same group ("The form also requires ...").
    posts = serve(page, f"""<form id=f>{FIELDS}<fieldset><legend>Which account is this about?</legend>
      <label><input type=radio name=acct value=1 required> @pat.photos (p•••••@example.nl)</label>
      <label><input type=radio name=acct value=2> @pat (p•••••@example.eu)</label></fieldset><button type=submit>Send</button></form>
      <script>f.onsubmit = e => {{ e.preventDefault(); fetch('/submit', {{method: 'POST', body: JSON.stringify({{acct: new FormData(f).get('acct')}})}})
        .then(() => {{ f.outerHTML = "<p>Thanks. We've received your objection request.</p>"; }}); }};</script>""")
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts == [{"acct": "2"}]


def test_an_account_switcher_in_the_pages_chrome_is_no_picker(page: Page):
    # Review 22: an aside "Your accounts" group stopped the run (exit 3).
    posts = _ungrouped(page, "<aside role=complementary><p>Your accounts</p>" + _UNGROUPED["wrapped role=radio"] + "</aside>", outside=True)
    assert _sent_after_fill(page)[1] == "confirmed"
    assert posts[0]["account"] == "1"


@pytest.mark.parametrize("shown, email, fits", [
    ("p•••••@example.eu", "p@example.eu", True), ("s*****@Example.com", "sanne.vd@example.com", True),
    ("pat·p•••••@example.eu", "p@example.eu", False),
    ("j***r@e*****.eu", "john.doer@example.eu", True), ("s•••••@example.nl", "sanne.vd@example.com", False),
    ("x***@example.eu", "p@example.eu", False), ("sanne.vd@example.com", "sanne.v@example.com", False)])
def test_an_address_as_a_page_masks_it_fits_the_addresses_it_could_be(shown, email, fits):
    assert flow.address_fits(shown, email) is fits


def test_a_tell_us_more_box_below_a_form_without_a_reason_box_is_never_filled(page: Page):
    # The review of the optional reason: with no <form>, the reason was looked for page-wide and a
    # feedback box's "Tell us more" under Send was filled as the objection's reason.
    show_form(page, "<main><div><label>Country of residence <select><option value=''>-</option><option value='PT'>Portugal</option>"
                    "</select></label><label>Email address <input type=email></label><div role=button tabindex=0>Send</div></div></main>"
                    "<div><p>Was this page helpful?</p><label>Tell us more <textarea id=fb></textarea></label></div>")
    run = _reached_by_link()
    found = flow.locate_form(page, run)
    assert found["reason"] is None
    flow.fill_form(page, found, run)
    expect(page.locator("#fb")).to_have_value("")
    assert not run.reason_sent


@pytest.mark.parametrize("when", ["late", "after-country"])
def test_a_reason_box_drawn_late_or_once_the_country_is_chosen_is_filled(page: Page, when):
    box = ("const add = () => { if (!document.querySelector('textarea')) document.querySelector('button').insertAdjacentHTML("
           "'beforebegin', '<label>Please tell us how this processing impacts you <textarea></textarea></label>'); };"
           + ("setTimeout(add, 1500);" if when == "late" else "document.querySelector('select').addEventListener('change', add);"))
    show_form(page, _NO_REASON.format(more="") + f"<script>{box}</script>")
    run = _reached_by_link()
    found = flow.locate_form(page, run)
    assert (found["reason"] is None) == (when == "after-country")
    flow.fill_form(page, found, run)
    expect(page.locator("textarea")).to_have_value(run.settings.reason)
    assert run.reason_sent and run.layers["reason"] != "none: the form has no such box"


def test_a_form_without_a_reason_box_on_a_page_that_keeps_changing_is_not_waited_on_for_the_whole_timeout(page: Page):
    show_form(page, _NO_REASON.format(more="<span id=t></span>") + "<script>setInterval(() => t.textContent = Date.now(), 300)</script>")
    run = _reached_by_link()
    run.timeout_s = 20
    started = time.monotonic()
    assert flow.locate_form(page, run)["reason"] is None
    assert time.monotonic() - started < flow.OPTIONAL_WAIT_S + 2


@pytest.mark.parametrize("onward, said", [
    ("<button type=submit>Next</button>", "Next"),
    ("<input type=submit value='Volgende'>", "Volgende"),
    ("<div role=button tabindex=0>Weiter <span>&rarr;</span></div>", "Weiter \u2192"),
])
def test_a_form_whose_only_button_leads_on_is_not_sent_and_the_run_says_so(page: Page, onward, said):
    # Red-team passes 11 and 13: on a form split over pages, 'Next' (its only submit button) was
    # pressed as Send, then 'outcome unknown' (exit 4) was said although nothing had been sent.
    show_form(page, f"<form method=post action='/step'>{FIELDS}{onward}</form>")
    with pytest.raises(PageMismatch, match=f"has '{said}' where its Send button should be: it goes on over more pages"):
        flow.locate_form(page, make_run(timeout_s=1))


def test_with_a_window_a_submit_button_that_leads_on_is_taken_for_send(page: Page):
    # The person sees what it leads to: a review page's Send is left to them (test_headed).
    show_form(page, f"<form method=post action='/step'>{FIELDS}<button type=submit>Next</button></form>")
    assert flow.locate_form(page, make_run(headless=False))["send"].locator.inner_text() == "Next"


def test_a_next_button_beside_the_send_button_is_left_alone(page: Page):
    show_form(page, f"<form>{FIELDS}<button type=button>Next tip</button><button type=submit>Send</button></form>")
    assert flow.locate_form(page, make_run())["send"].locator.inner_text() == "Send"


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    from email.utils import format_datetime
    import datetime as dt
    later = format_datetime(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=120), usegmt=True)
    assert 115 <= flow._retry_after(later) <= 120
    assert (flow._retry_after("3"), flow._retry_after(None), flow._retry_after("soon")) == (3, 0, flow.MAX_WAIT_S)


def test_a_wait_longer_than_a_few_seconds_asked_with_429_stops_at_once(page: Page):
    times = _answering(page, [(429, {"retry-after": "120"})])
    with pytest.raises(Unreachable, match="asked the bot to wait 120 s") as caught:
        flow.load(page, FORM_URL, make_run(retry_base_s=0.01))
    assert len(times) == 1 and "2 minute" in caught.value.hint


IG_FORM, FB_FORM = "/help/contact/233964459562201", "/help/contact/6359191084165019"


@contextlib.contextmanager
def _two_apps(page: Page, links):
    """A Privacy Center with `links` (or `links(n)` on its n-th load), a redirect (/help/redirect/ig)
    and a script redirect (/l.php) to Instagram's form, and both apps' forms, each of which records a
    keystroke. Yields (start address, the form addresses loaded, those typed into)."""
    loaded, typed, starts = [], [], []
    page.context.expose_function("typed", lambda path: typed.append(path))
    form = f"<title>{OBJECTION_TITLE}</title>{FIELDS}<button>Send</button><script>addEventListener('input', () => typed(location.pathname))</script>"

    def answer(method, path, body):
        if path == "/help/redirect/ig":
            return 0, 302, "", IG_FORM
        if path == "/l.php":
            return 0, 200, "text/html", f"<p>Leaving…</p><script>setTimeout(() => location.replace('{IG_FORM}'), 200)</script>"
        if path.startswith("/help/contact/"):
            loaded.append(path)
            return 0, 200, "text/html", form
        if path.startswith("/privacy/"):
            starts.append(path)
        return 0, 200, "text/html", f"<html lang='en'><body>{links(len(starts)) if callable(links) else links}</body></html>"

    with _site(answer) as (base, _):
        yield f"{base}/privacy/genai/", loaded, typed


def _link(to: str, name: str = "Instagram") -> str:
    """A paragraph with a right-to-object link: to an address, or (`script:`, `tab:`) by the page's script."""
    kind, _, where = to.partition(":") if to.startswith(("script:", "tab:")) else ("", "", to)
    press = {"": f"href='{where}'", "script": f"href='#' onclick=\"location.href='{where}'\"",
             "tab": f"href='#' onclick=\"window.open('{where}')\""}[kind]
    return f"<p>{name}: you have the <a {press}>right to object</a>.</p>"


@pytest.mark.parametrize("first", ["/help/redirect/ig", "/l.php", f"script:{IG_FORM}", f"tab:{IG_FORM}"])
def test_a_link_that_leads_to_the_other_apps_form_is_left_for_the_next_link(page: Page, first):
    # Found by a red-team pass: a redirect or a script link to Instagram's form, listed first, ended
    # a Facebook run with exit 3 although Facebook's own link was on the page too.
    run = make_run()
    run.recipe = recipe.load("facebook")
    with _two_apps(page, _link(first) + _link(f"script:{FB_FORM}", "Facebook")) as (start, loaded, typed):
        flow.load(page, start, run)
        reached = flow.reach_form(page, run)
        assert reached is page and page.url.endswith(FB_FORM)
        assert loaded == [IG_FORM, FB_FORM]
        assert page.context.pages == [page]  # the other app's form, opened in a tab, was closed
        flow.fill_form(page, flow.locate_form(page, run), run)
    assert set(typed) == {FB_FORM}  # typed into Facebook's form only


def test_a_link_that_shows_the_form_under_a_hash_route_is_followed_there(page: Page, capsys):
    # Found by review: with only a change of the address's fragment counting as no page load, a
    # hash route ('#/object') was reported as "opened nothing" and the form reached by chance.
    form = f"<h1>{OBJECTION_TITLE}</h1>" + FIELDS.replace("\n", " ") + "<button>Send</button>"
    start = f"<p>You have the <a href='#' onclick='event.preventDefault(); location.hash = \"/object\"; document.body.innerHTML = form.innerHTML'>right to object</a>.</p><template id='form'>{form}</template>"
    with _site(lambda method, path, body: (0, 200, "text/html", f"<html lang='en'><body>{start}</body></html>")) as (base, _):
        run = make_run()
        run.report = Reporter(json_events=True)
        page.goto(f"{base}/privacy/genai/")
        assert flow.reach_form(page, run).url.endswith("/privacy/genai/#/object")
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert not [line for line in said if "opened nothing" in line], said


def test_a_hash_route_link_to_the_form_is_followed_and_an_in_page_anchor_is_not(page: Page):
    # Found by red-team pass 11: every address starting with '#' was skipped as an in-page anchor,
    # so a single-page app's '#/contact/<id>' was never followed (exit 3).
    form = f"<h1>{OBJECTION_TITLE}</h1>" + FIELDS.replace("\n", " ") + "<button>Send</button>"
    start = (f"<p>Read about <a href='#right-to-object'>your right to object</a> below.</p><p id='right-to-object'>You have the "
             f"<a href='#/contact/233964459562201'>right to object</a>.</p><template id='form'>{form}</template>"
             "<script>addEventListener('hashchange', () => { if (location.hash.startsWith('#/contact/'))"
             " document.body.innerHTML = document.getElementById('form').innerHTML; });</script>")
    with _site(lambda method, path, body: (0, 200, "text/html", f"<html lang='en'><body>{start}</body></html>")) as (base, _):
        page.goto(f"{base}/privacy/genai/")
        assert flow.reach_form(page, make_run()).url.endswith("/privacy/genai/#/contact/233964459562201")


@pytest.mark.parametrize("path", ["/checkpoint/?next=%2Fhelp%2Fcontact%2F6359191084165019", "/challenge/?next=%2Fprivacy%2Fgenai%2F"])
def test_a_security_check_before_the_form_is_the_persons_to_pass_not_a_changed_page(page: Page, path):
    # Found by red-team pass 9: Meta's "Confirm it's you" check ended with "Meta may have changed the page" (exit 3).
    page.route("https://www.facebook.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<h1>Confirm it's you</h1><p>To keep your account safe.</p><button>Continue</button>"))
    page.goto(f"https://www.facebook.com{path}")
    with pytest.raises(PersonTimeout, match="log in \\(or to confirm it is you\\)"):
        flow.reach_form(page, make_run(settle_s=0.5))


def test_an_answer_the_bot_does_not_know_is_quoted_with_its_react_text_not_its_buttons_or_labels(page: Page):
    # Red-team pass 22 (k01): after the code, "Your email address has been verified." over "To finish,
    # confirm your objection below. Your objection isn't submitted until you do.", a box to tick and a
    # button; the paragraph is a span (as on Meta's React pages), and only the heading was quoted.
    page.set_content("""<div><h2>Your email address has been verified.</h2><div><span dir="auto">To finish, confirm your
      objection below. Your objection isn't submitted until you do.</span></div>
      <label><input type="checkbox"><span dir="auto">I confirm that I want to object.</span></label>
      <div role="button" tabindex="0"><span dir="auto">Submit objection</span></div><a href="/help"><span dir="auto">Help</span></a></div>""")
    assert flow._said_since_the_press(page, make_run()) == (
        "Your email address has been verified. / To finish, confirm your objection below. Your objection isn't submitted until you do.")


def test_a_start_page_in_a_language_the_recipe_does_not_read_says_so_not_that_meta_changed_it(page: Page):
    # Red-team pass 22 (l11, l12): a Maltese or Irish Privacy Center ended with "Meta may have changed
    # the page", where the form page in such a language says the bot does not read it.
    page.route("http://127.0.0.1:9/**", lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=(
        "<html lang='mt'><h1>L-IA ġenerattiva fil-Meta</h1><p>Għandek id-dritt li <a href='/help/contact/1'>toġġezzjona</a>"
        " għall-użu tal-informazzjoni tiegħek.</p></html>")))
    page.goto("http://127.0.0.1:9/privacy/genai/")
    with pytest.raises(PageMismatch, match=r"This page is in Maltese \(mt\), a language the bot does not read yet") as caught:
        flow.reach_form(page, make_run(settle_s=0.5, timeout_s=2))
    assert "changed the page" not in caught.value.message + caught.value.hint


def test_a_page_whose_links_look_new_on_every_load_is_not_gone_round_for_ever(page: Page):
    # Found by review: the text around the link changed on each load, so the same link seemed new.
    run = make_run()
    run.recipe = recipe.load("facebook")
    # (After ten loads the link is gone, so that a regression ends too.)
    with _two_apps(page, lambda n: f"<p>Updated {n} minutes ago. " + _link("/help/redirect/ig")[3:] if n < 10 else "") as (start, loaded, typed):
        flow.load(page, start, run)
        with pytest.raises(PageMismatch, match=r"The right-to-object link led to Instagram's objection form \(form 233964459562201\)"):
            flow.reach_form(page, run)
    assert len(loaded) == flow.MAX_LINKS_BACK + 1 and typed == []


def test_links_in_folded_sections_are_looked_for_again_after_coming_back(page: Page):
    # Found by review: the reload folds the sections again, and they were opened only once.
    run = make_run(settle_s=2)
    run.recipe = recipe.load("facebook")
    # Both folded; Instagram's is a real link, so it is followed first.
    folded = (f"<details><summary>Instagram</summary>{_link('/help/redirect/ig')}</details>"
              f"<details><summary>Facebook</summary>{_link(f'script:{FB_FORM}', 'Facebook')}</details>")
    with _two_apps(page, folded) as (start, loaded, typed):
        flow.load(page, start, run)
        flow.reach_form(page, run)
        assert loaded == [IG_FORM, FB_FORM] and page.url.endswith(FB_FORM)


def test_when_the_only_link_leads_to_the_other_apps_form_the_known_form_address_is_tried(page: Page):
    run = make_run(settle_s=0.5)
    run.recipe = recipe.load("facebook")
    loaded = []

    def handle(route):
        url = route.request.url
        if "/contact/" in url:
            loaded.append(url)
            route.fulfill(status=200, content_type="text/html", body=f"<title>{OBJECTION_TITLE}</title>{FIELDS}<button>Send</button>")
        else:
            route.fulfill(status=200, content_type="text/html", body=_link(f"script:https://help.instagram.com{IG_FORM}"))

    page.route("https://*.facebook.com/**", handle)
    page.route("https://help.instagram.com/**", handle)
    page.goto("https://www.facebook.com/privacy/genai/")
    flow.reach_form(page, run)
    assert loaded == [f"https://help.instagram.com{IG_FORM}", f"https://www.facebook.com{FB_FORM}"] and page.url == loaded[-1]
    assert page.locator("input[type=email]").input_value() == ""


_BOTH_APPS = """<p>Instagram: you have the <a href="https://help.instagram.com/contact/233964459562201">right to object</a>.</p>
  <p>Facebook: you have the <a href="https://www.facebook.com/help/contact/6359191084165019">right to object</a>.</p>"""


@pytest.mark.parametrize("target, first", [("facebook", True), ("instagram", False)])
def test_of_two_apps_right_to_object_links_the_targets_own_is_followed(page: Page, target, first):
    # Found by a red-team pass: with --target facebook the bot sent Instagram's form (listed first),
    # and the receipt said Facebook.
    run = make_run()
    run.recipe = recipe.load(target)
    html = _BOTH_APPS if first else "".join(reversed(_BOTH_APPS.split("\n  ")))
    page.set_content(html)
    start = flow.classify_start(page, run)
    assert start.state == "link" and start.link.value["href"].endswith(run.recipe.form_ids()[0])


def test_another_apps_objection_form_reached_anyway_is_never_filled(page: Page):
    run = make_run()
    run.recipe = recipe.load("facebook")
    serve(page, FIELDS)  # reached by a link the page's script follows, say
    page.goto("https://help.instagram.com/contact/233964459562201")
    with pytest.raises(PageMismatch, match="led to Instagram's objection form .* not Facebook's; nothing was filled in or sent"):
        flow._check_app(page, run)
    flow._check_app(page, make_run())  # Instagram's own form, for Instagram


# Forms whose ids no recipe knows (Meta changes them): only the host says whose they are.
_NEW_IG, _NEW_FB = "https://help.instagram.com/contact/1157311645138410", "https://www.facebook.com/help/contact/1029384756102938"


def _facebook_privacy_center(page: Page, links: str) -> tuple[list[str], list[str]]:
    """Facebook's Privacy Center with `links`; forms on both apps' hosts, each recording a keystroke.
    Returns (the form addresses loaded, those typed into)."""
    loaded, typed = [], []
    page.context.expose_function("typed", lambda url: typed.append(url))
    form = f"<title>{OBJECTION_TITLE}</title>{FIELDS}<button>Send</button><script>addEventListener('input', () => typed(location.href))</script>"

    def handle(route):
        if "/contact/" in route.request.url:
            loaded.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body=form)
        else:
            route.fulfill(status=200, content_type="text/html", body=f"<html lang='en'><body>{links}</body></html>")

    page.route("https://*.facebook.com/**", handle)
    page.route("https://help.instagram.com/**", handle)
    page.goto("https://www.facebook.com/privacy/genai/")
    return loaded, typed


def test_a_form_on_the_other_apps_host_is_never_filled_whatever_its_id(page: Page):
    # Red-team pass 15: told apart only by known form ids, a Facebook run filed its objection on
    # Instagram's form with a new id (exit 0, a receipt saying Facebook).
    run = make_run(settle_s=0.5, allow_fallback=False)
    run.recipe = recipe.load("facebook")
    loaded, typed = _facebook_privacy_center(page, _link(_NEW_IG))
    with pytest.raises(PageMismatch, match="link leads to Instagram's objection form, not Facebook's") as caught:
        flow.reach_form(page, run)
    assert "--target instagram" in caught.value.hint
    assert loaded == [_NEW_IG] and typed == []
    page.goto(_NEW_IG)  # reached anyway (a start address, say)
    with pytest.raises(PageMismatch, match=r"led to Instagram's objection form \(at help.instagram.com\), not Facebook's"):
        flow._check_app(page, run)


@pytest.mark.parametrize("target", ["facebook", "instagram"])
def test_of_two_apps_links_to_new_forms_the_one_on_the_targets_host_is_followed(page: Page, target):
    run = make_run()
    run.recipe = recipe.load(target)
    page.set_content(_link(_NEW_IG) + _link(_NEW_FB, "Facebook") if target == "facebook" else _link(_NEW_FB, "Facebook") + _link(_NEW_IG))
    assert flow.classify_start(page, run).link.value["href"] == (_NEW_FB if target == "facebook" else _NEW_IG)


@pytest.mark.parametrize("url, app", [
    (_NEW_IG, "instagram"), (_NEW_FB, "facebook"),
    ("https://www.facebook.com/help/instagram/contact/1029384756", "instagram"),  # Instagram's help pages on Facebook's host
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fhelp.instagram.com%2F", "facebook"),  # the shim's own page: where it leads is judged there
    ("http://127.0.0.1:8000/help/contact/1029384756", None), ("/help/contact/1029384756", None),  # a test server, a relative link
    ("https://www.facebook.com/help/contact/233964459562201", "instagram"),  # a known form's id names its app, whatever the host
    ("http://127.0.0.1:8000/help/contact/6359191084165019", "facebook"),
])
def test_whose_page_an_address_is(url, app):
    for target in ("instagram", "facebook"):
        other = recipe.load(target).other_app_at(url)
        assert (other.target if other else None) == (app if app != target else None)


def test_a_page_whose_only_link_is_to_the_other_apps_known_form_says_so(page: Page):
    # Red-team pass 15: that link is never pressed, and the run said only "Meta may have changed the page".
    run = make_run(settle_s=0.5, allow_fallback=False)
    run.recipe = recipe.load("facebook")
    loaded, _ = _facebook_privacy_center(page, _link(f"https://help.instagram.com{IG_FORM.removeprefix('/help')}"))
    with pytest.raises(PageMismatch, match="link leads to Instagram's objection form") as caught:
        flow.reach_form(page, run)
    assert "--target instagram" in caught.value.hint and loaded == []


def test_of_two_links_with_the_same_words_the_one_in_a_passage_about_third_parties_loses(page: Page):
    assert _chosen_link(page, """<p>Information about you from third parties may be used. You have the
      <a href="/help/contact/5">right to object</a> to its use.</p>
      <p>You have the <a href="/help/contact/9">right to object</a> to your information being used.</p>""") == "/help/contact/9"


def test_a_passing_mention_of_third_parties_does_not_outweigh_the_stronger_phrase(page: Page):
    # 'tiers' is also inside French 'métiers': only whole words count.
    assert _chosen_link(page, """<div>We do not sell your information to third parties. You have the
      <a href="/help/contact/9">right to object</a> to its use for AI at Meta.</div>
      <p>You can also <a href="/help/contact/77">object to</a> other processing.</p>""") == "/help/contact/9"
    assert _chosen_link(page, """<html lang="fr"><p>Nos métiers. Votre <a href="/help/contact/9">droit d'opposition</a>.</p>
      <p><a href="/help/contact/77">Droit d'opposition</a> ici.</p></html>""") == "/help/contact/9"


def test_of_two_contact_links_the_stronger_phrase_wins_wherever_it_stands(page: Page):
    assert _chosen_link(page, """<p>You can <a href="/help/contact/5">submit an objection</a> here.</p>
      <p>Or use your <a href="/help/contact/9">right to object</a>.</p>""") == "/help/contact/9"


def test_a_clickable_card_that_mentions_the_right_loses_to_a_real_link(page: Page):
    assert _chosen_link(page, """<div role="link" tabindex="0" onclick="location.href='/help/article/1'">Generative AI at Meta:
      how we use information, and your right to object</div>
      <p><a href="/privacy/genai/objection/">Object to your information being used for AI</a></p>""") == "/privacy/genai/objection/"


START = "https://privacycenter.instagram.com/privacy/genai/"


def _start_page(page: Page, body: str) -> None:
    form = f"<h1>Object to Your Information Being Used for AI at Meta</h1>{FIELDS}<button>Send</button>"
    for url in ("https://www.instagram.com/help/contact/9", str(IG.fallback_form_urls[0])):
        page.context.route(url, lambda route: route.fulfill(content_type="text/html", body=form))  # new tabs too
    page.route(START, lambda route: route.fulfill(content_type="text/html", body=body))
    page.goto(START)


@pytest.mark.parametrize("follow, reached", [
    ("location.href = 'https://www.instagram.com/help/contact/9'", "https://www.instagram.com/help/contact/9"),
    ("window.open('https://www.instagram.com/help/contact/9')", "https://www.instagram.com/help/contact/9"),
    # Shows a note and goes nowhere: pressed once, then the known form address.
    ("note.hidden = false", str(IG.fallback_form_urls[0])),
], ids=["navigates", "opens-a-tab", "goes-nowhere"])
def test_a_link_without_an_address_is_pressed_and_followed_where_it_leads(page: Page, follow, reached):
    _start_page(page, f"""<main><p>You have the <span role="link" tabindex="0" onclick="{follow}">right to object</span>.</p>
      <p id="note" hidden>See the Help Center.</p></main>""")
    assert flow.reach_form(page, make_run(settle_s=1)).url == reached


def test_a_link_to_a_new_tab_is_opened_there_even_when_something_covers_it(page: Page):
    # Red-team pass 24 (v17): a cookie dialog drawn over the start page after the bot's look took the
    # click on a target=_blank link; the click's whole timeout later, the run ended with exit 1.
    _start_page(page, """<div style="position: fixed; inset: 0; z-index: 9"></div>
      <p>You have the <a href="https://www.instagram.com/help/contact/9" target="_blank">right to object</a>.</p>""")
    tab = flow.reach_form(page, make_run(settle_s=1, timeout_s=3))
    assert tab is not page and tab.url == "https://www.instagram.com/help/contact/9"
    assert page.url == START  # the Privacy Center stays open in its own tab, as after the link


def test_a_script_link_whose_press_a_cookie_dialog_takes_is_pressed_again_once_it_is_declined(page: Page):
    # Red-team pass 25 (b09, 3 runs in 7): Instagram's cookie dialog, drawn after the bot's look, took
    # the press on a card with no address; the card was passed over as "opened nothing", and the run
    # ended with exit 3. Here the dialog comes as the pointer reaches the link.
    _start_page(page, """<main><p>You have the <span role="link" tabindex="0" id="l"
      onclick="location.href = 'https://www.instagram.com/help/contact/9'">right to object</span>.</p></main>
      <script>let shown = false; l.addEventListener('mouseover', () => { if (shown) return; shown = true;
        document.body.insertAdjacentHTML('beforeend', '<div id="c" role="dialog" style="position: fixed; inset: 0; background: #fff">'
          + '<h2>Allow the use of cookies from Instagram on this browser?</h2><button onclick="c.remove()">Decline optional cookies</button>'
          + '<button onclick="c.remove()">Allow all cookies</button></div>'); });</script>""")
    assert flow.reach_form(page, make_run(settle_s=1, timeout_s=3)).url == "https://www.instagram.com/help/contact/9"


def _presses(page: Page) -> list:
    """What the page logs as pressed (console lines 'pressed ...'), kept across its documents."""
    said = []
    page.on("console", lambda message: said.append(message.text) if message.text.startswith("pressed") else None)
    return said


@pytest.mark.parametrize("href", ["javascript:void(0)", "#"])
def test_a_javascript_address_is_no_address_the_link_is_pressed(page: Page, href):
    _start_page(page, f"""<p>Your <a href="{href}" onclick="event.preventDefault(); location.href = 'https://www.instagram.com/help/contact/9'">right
      to object</a>.</p>""")
    assert flow.reach_form(page, make_run()).url == "https://www.instagram.com/help/contact/9"


def test_the_link_pressed_is_the_one_ranked_first_whatever_renders_meanwhile(page: Page):
    _start_page(page, """<p>You can <span role="link" onclick="console.log('pressed 5')">submit an objection</span>.</p>
      <p>Use your <span role="link" onclick="console.log('pressed 9'); location.href = 'https://www.instagram.com/help/contact/9'">right
      to object</span>.</p>""")
    presses, run = _presses(page), make_run()
    start = flow.classify_start(page, run)
    page.evaluate("""document.body.insertAdjacentHTML('afterbegin',
      `<p><span role=link onclick="console.log('pressed 1')">submit an objection</span></p>`)""")
    assert flow.follow_link(page, run, start.link).url == "https://www.instagram.com/help/contact/9"
    assert presses == ["pressed 9"]


def test_a_script_link_that_redraws_itself_is_pressed_once(page: Page):
    # Its own press redraws it: the mark the bot left on it is gone, the bot's memory is not.
    _start_page(page, """<main id="m"></main><script>function render() { m.innerHTML = `<p>You have the <span role="link"
      tabindex="0" onclick="console.log('pressed'); render()">right to object</span>.</p>`; } render();</script>""")
    presses = _presses(page)
    assert flow.reach_form(page, make_run(settle_s=1)).url == str(IG.fallback_form_urls[0])
    assert presses == ["pressed"]


def test_a_script_link_whose_page_is_slow_to_answer_is_followed_once(page: Page):
    form = f"<h1>Object to Your Information Being Used for AI at Meta</h1>{FIELDS}<button>Send</button>"
    with _slow_site(form, answer_after_s=0, get_after_s=2.5) as (url, _):
        _start_page(page, f"""<p>You have the <span role="link" onclick="console.log('pressed');
          setTimeout(() => location.href = '{url}/form', 0)">right to object</span>.</p>""")
        presses = _presses(page)
        assert flow.reach_form(page, make_run(settle_s=1)).url == f"{url}/form"
    assert presses == ["pressed"]


def test_a_link_to_a_contact_form_wins_over_a_help_article_or_the_policy(page: Page):
    page.set_content("""<p><a href="https://help.instagram.com/2034512">Learn more about your right to object</a>.
      <a href="https://www.instagram.com/legal/policy/?section_id=7">right to object</a>.
      Use your <a href="https://help.instagram.com/contact/9">right to object</a>.</p>""")
    assert locate.find(page, "link", IG.link).locator.get_attribute("href") == "https://help.instagram.com/contact/9"


# --- the form ---------------------------------------------------------------------------

def test_the_third_party_form_is_never_filled_even_when_its_link_looked_right(page: Page):
    serve(page, f"<h2>Data Subject Rights for Third Party Information Used for AI at Meta</h2>{FIELDS}<button>Send</button>")
    with pytest.raises(PageMismatch, match="not the objection form"):
        flow.locate_form(page, make_run())
    expect(page.locator("input[type=email]")).to_have_value("")


def test_a_form_that_asks_for_screenshots_is_not_the_objection_form(page: Page):
    serve(page, f"<h1>Contact us</h1>{FIELDS}<label>Screenshots <input type=file></label><button>Send</button>")
    with pytest.raises(PageMismatch, match="not the objection form"):
        flow.locate_form(page, make_run())


def test_a_log_in_bar_in_the_header_is_neither_a_wall_nor_the_form(page: Page):
    serve(page, f"""<div role="banner"><form><label>Email or phone <input name="email"></label>
      <label>Password <input type="password" name="pass"></label><button>Log in</button></form></div>
      <h1>Object to Your Information Being Used for AI at Meta</h1>{FIELDS}<button type="submit">Send</button>""")
    run = make_run()
    assert flow.classify_start(page, run, want_link=False).state == "form"
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    expect(page.locator("form input[name=email]")).to_have_value("")  # the log-in bar's field
    expect(page.locator("input[type=email]")).to_have_value("p@example.eu")


def test_the_page_chrome_is_one_recipe_setting_that_every_check_follows(page: Page):
    # A newsletter box in the footer: with the footer added to page_chrome (one place), its
    # email field is neither the form's nor a field that still asks for input.
    page.set_content("""<div role="contentinfo"><label>Your email address <input type="email" id="news"></label></div>
      <p>Thanks, we've received your objection request.</p>""")
    run = make_run()
    assert flow._visible(locate.any_layer(page, run.recipe.email))
    assert flow._visible(flow._open_fields(page, run.recipe))
    data = recipe._raw("instagram")
    data["page_chrome"] += " or @role='contentinfo'"
    run.recipe = recipe.Recipe.model_validate(data)
    assert not flow._visible(locate.any_layer(page, run.recipe.email))
    assert not flow._visible(flow._open_fields(page, run.recipe))
    assert run.recipe.login_wall.not_inside == run.recipe.page_chrome


def test_a_country_list_in_another_language_than_the_page_says(page: Page):
    page.set_content("""<html lang="en"><label>Country <select><option value="1">Alemanha</option>
      <option value="2">Portugal (Portugalia)</option><option value="3">Portugalia</option></select></label></html>""")
    flow.choose_country(page, page.locator("select"), "PT", make_run())
    expect(page.locator("select")).to_have_value("3")


def test_a_select_only_combobox_is_opened_and_picked_from(page: Page):
    page.set_content("""<div id="c" role="combobox" tabindex="0" aria-controls="lb" aria-label="Country of residence"
        onclick="document.getElementById('lb').hidden = false">Select a country</div>
      <div role="listbox" id="lb" hidden>
        <div role="option" onclick="c.textContent = this.textContent; lb.hidden = true">Poland</div>
        <div role="option" onclick="c.textContent = this.textContent; lb.hidden = true">Portugal</div></div>""")
    flow.choose_country(page, page.locator("#c"), "PT", make_run())
    expect(page.locator("#c")).to_have_text("Portugal")


def test_a_country_box_drawn_anew_while_typing_is_typed_into_again(page: Page):
    # Hydration under the bot's typing: the server-rendered box has no list behind it; the live
    # box that replaces it has a list of another id. The name is typed again, into the live box.
    page.set_content("""<div id="root"><input role="combobox" aria-controls="ssr" aria-label="Country of residence">
      <div role="listbox" id="ssr"></div></div>
      <script>const live = `<input id="c" role="combobox" aria-controls="live" aria-label="Country of residence"
          oninput="lb.hidden = !this.value"><div role="listbox" id="live" hidden>
          <div role="option" onclick="c.value = this.textContent; live.hidden = true">Poland</div>
          <div role="option" onclick="c.value = this.textContent; live.hidden = true">Portugal</div></div>`;
        document.querySelector('input').addEventListener('input', () => setTimeout(() => {
          root.innerHTML = live; window.lb = document.getElementById('live'); }, 200), {once: true});</script>""")
    flow.choose_country(page, page.get_by_role("combobox"), "PT", make_run())
    expect(page.locator("#c")).to_have_value("Portugal")


def test_a_country_box_that_swaps_itself_for_its_open_form_is_chosen_from(page: Page):
    # Found by review: opened, the box draws itself anew with its list in the same render; the
    # box the bot marked is gone and an option shows at once. That is an open list, not a swap.
    page.set_content("""<div id="root"></div><script>
      const closed = v => `<div role="combobox" tabindex="0" aria-label="Country of residence" aria-controls="lb">${v}</div>`;
      root.innerHTML = closed('Select a country');
      root.addEventListener('click', e => {
        if (e.target.getAttribute('role') === 'combobox') root.innerHTML = `<div role="combobox" aria-expanded="true"
          aria-label="Country of residence" aria-controls="lb">Select a country</div><div role="listbox" id="lb">
          <div role="option">Poland</div><div role="option">Portugal</div></div>`;
        else if (e.target.getAttribute('role') === 'option') root.innerHTML = closed(e.target.textContent);
      });</script>""")
    flow.choose_country(page, page.get_by_role("combobox"), "PT", make_run())
    expect(page.get_by_role("combobox")).to_have_text("Portugal")


def test_a_country_box_away_for_longer_than_a_moment_is_waited_for_within_the_timeout(page: Page):
    # Found by review: typed into, the first copy goes, "Loading..." stands for 3 s, then the live box comes.
    page.set_content("""<div id="root"><input role="combobox" aria-label="Country of residence"></div><script>
      document.querySelector('input').addEventListener('input', () => { root.textContent = 'Loading...';
        setTimeout(() => root.innerHTML = `<input id="c" role="combobox" aria-label="Country of residence" aria-controls="lb"
          oninput="lb.hidden = !this.value"><div role="listbox" id="lb" hidden>
          <div role="option" onclick="c.value = this.textContent; lb.hidden = true">Portugal</div></div>`, 3000); }, {once: true});</script>""")
    page.context.set_default_timeout(15000)  # as prefill sets it from --timeout
    flow.choose_country(page, page.get_by_role("combobox"), "PT", make_run(timeout_s=15))
    expect(page.locator("#c")).to_have_value("Portugal")


def test_a_typeahead_that_kept_only_the_typed_text_is_not_a_choice(page: Page):
    # The list shows the name but picking does nothing: the input still reads "Portugal" (typed),
    # the ISO companion stays empty, and that is what counts.
    page.set_content("""<input id="c" role="combobox" aria-controls="lb" aria-label="Country of residence"
        oninput="lb.hidden = false"><input type="hidden" name="Field1_iso2_country_code" value="">
      <div role="listbox" id="lb" hidden><div role="option">Portugal</div></div>""")
    with pytest.raises(PageMismatch, match="did not keep"):
        flow.choose_country(page, page.locator("#c"), "PT", make_run())


def test_a_cookie_dialog_that_comes_with_the_first_keystroke_is_declined_and_the_country_typed_again(page: Page):
    # Found by red-team pass 9: it covered the list, and the option's click waited out --timeout (exit 3).
    page.set_content("""<input id="c" role="combobox" aria-controls="lb" aria-label="Country of residence"
        oninput="lb.hidden = false; window.choice || document.getElementById('d') || document.body.insertAdjacentHTML('beforeend',
          `<div role='dialog' id='d' style='position:fixed;inset:0;background:#fff'>Allow the use of cookies from Instagram by this browser?
          <button onclick='window.choice = &quot;all&quot;; d.remove()'>Allow all cookies</button>
          <button onclick='window.choice = &quot;essential&quot;; d.remove()'>Decline optional cookies</button></div>`)">
      <div role="listbox" id="lb" hidden><div role="option" onclick="c.value = 'Portugal'; lb.hidden = true">Portugal</div></div>""")
    run = make_run(timeout_s=10)
    started = time.monotonic()
    flow.choose_country(page, page.locator("#c"), "PT", run)
    assert page.evaluate("window.choice") == "essential" and page.locator("#c").input_value() == "Portugal"
    assert time.monotonic() - started < 8


_ENGLISH_COOKIES = ("Allow the use of cookies from Instagram by this browser?", "Allow all cookies", "Decline optional cookies")


def _form_with_late_cookies(page: Page, show_dialog_on: str, words: tuple[str, str, str] = _ENGLISH_COOKIES) -> list[dict]:
    """A form whose cookie dialog (`words`: its question, allow, decline) appears when
    `show_dialog_on(show)` calls `show`; POSTs record the email and the cookie choice made by then."""
    question, allow, decline = words
    return serve(page, f"""<h1>Object to Your Information Being Used for AI at Meta</h1><div id="f">{FIELDS}
      <button id="send">Send</button></div>
      <script>
        send.onclick = () => fetch('/submit', {{method: 'POST', body: JSON.stringify({{
          email: document.querySelector('input[type=email]').value, cookies: window.choice || null}})}})
          .then(() => {{ f.innerHTML = "<p>Thanks. We've received your objection request.</p>"; }});
        ({show_dialog_on})(() => window.choice || document.getElementById('d') || document.body.insertAdjacentHTML('beforeend',
          `<div role="dialog" id="d" style="position:fixed;inset:0;background:#fff">{question}
          <button onclick="window.choice='all'; d.remove()">{allow}</button>
          <button onclick="window.choice='essential'; d.remove()">{decline}</button></div>`));
      </script>""")


@pytest.mark.parametrize("address", ["history.pushState(null, '', '?sent=1')", "history.replaceState(null, '', '?step=2')",
                                     "location.hash = 'sent'"])
def test_a_send_that_changes_the_address_but_not_the_document_is_awaited_as_one_page(page: Page, address):
    # The address changes on the press, the document stays: a note already on the page ("All
    # fields are required.") is no answer; the thanks come 1.4 s later. The POST is synchronous,
    # so it is answered before the click returns.
    posts = serve(page, f"""<h1>Object to Your Information Being Used for AI at Meta</h1><div id="f">{FIELDS}
      <p>All fields are required.</p><button id="send">Send</button></div>
      <script>
        send.onclick = () => {{ const x = new XMLHttpRequest(); x.open('POST', '/submit', false);
          x.send(JSON.stringify({{email: document.querySelector('input[type=email]').value}})); {address};
          setTimeout(() => {{ f.innerHTML = "<p>Thanks. We've received your objection request.</p>"; }}, 1400); }};
      </script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]


def _answered_with(page: Page, after: str, code_after_ms: int | None = None) -> list[dict]:
    """The form; its Send posts the address, then the form gives way to `after` (and, `code_after_ms`
    later, to a code step)."""
    code = "" if code_after_ms is None else (
        f"setTimeout(() => {{ document.body.innerHTML = '<label>Enter the code <input autocomplete=one-time-code></label>"
        f"<button>Confirm</button>'; }}, {code_after_ms});")
    return serve(page, f"""<form id="f">{FIELDS}<button type="submit" id="send">Send</button></form>
      <script>f.onsubmit = e => {{ e.preventDefault();
        fetch('/submit', {{method: 'POST', body: JSON.stringify({{email: f.querySelector('[type=email]').value}})}})
        .then(() => {{ f.outerHTML = {json.dumps(after)}; {code} }}); }};</script>""")


def _send_answered(page: Page, after: str, code_after_ms: int | None = None, **run_options) -> str:
    """Find, fill and send the form `_answered_with` serves; what `send` makes of the answer."""
    _answered_with(page, after, code_after_ms)
    run = make_run(**run_options)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    return flow.send(page, found, run)


@pytest.mark.parametrize("beside", [
    "<h3>Related articles</h3><ul><li><a href='/help/1'>What to do if you entered the wrong email address</a></li></ul>",
    "<aside role='complementary'><p>Fix a login error on Instagram</p></aside>",
    "<footer><p>Couldn't find what you need? Visit the Help Center.</p></footer>",
    "<p>Entered the wrong email? <a href='/help/2'>See how to fix it</a></p>".replace("<p>", "<p><a href='/help/3'>").replace("? <a", "?</a> <a"),
], ids=["related-link", "aside", "footer", "links-only"])
def test_error_words_in_links_or_the_pages_chrome_beside_thanks_are_no_refusal(page: Page, beside):
    # Found by red-team pass 10: Meta refused the form: What to do if you entered the wrong email address.
    posts = _answered_with(page, f"<div><p>Thanks. We've received your objection request.</p>{beside}</div>")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]


@pytest.mark.parametrize("thanks", [
    "<p>Thanks. We've received your objection request. If this wasn't you, let us know.</p>",
    "<div lang='pt-BR'><p>Recebemos sua solicitação. Obrigado.</p><p>Se não foi você, entre em contato conosco.</p></div>",
    "<p lang='cs'>Děkujeme, vaši námitku jsme obdrželi. Pokud jste to nebyli vy, kontaktujte nás.</p>",
], ids=["en", "pt-BR", "cs"])
def test_thanks_that_end_with_if_this_was_not_you_confirm(page: Page, thanks):
    # Found by red-team pass 10: "Se não foi você" holds the error words "não foi" (exit 8 after thanks).
    assert _send_answered(page, thanks) == "confirmed"


@pytest.mark.parametrize("said", [
    "<p>Your request wasn't sent. If the problem continues, try again later.</p>",
    "<p>Din invändning om AI kunde inte skickas.</p>",
    # An error that opens with 'Se' beside thanks words: an 'if' rule tried in review made this a confirmation.
    "<div lang='es'><h2>Se ha producido un error</h2><p>Gracias por tu paciencia. Vuelve a intentarlo más tarde.</p></div>",
    "<p lang='it'>Si è verificato un errore: la richiesta non è stata inviata correttamente.</p>",
    "<div role='dialog'><header><h2>Something went wrong</h2></header><p>Please try again later.</p></div>",  # a dialog's header
    "<p>Thanks for your patience. If this wasn't you, tell us. Your request wasn't sent.</p>",  # an error beside the 'if' phrase
])
def test_an_error_after_send_is_a_refusal_whatever_thanks_are_beside_it(page: Page, said):
    with pytest.raises(Rejected, match="Meta refused the form"):
        _send_answered(page, said)


@pytest.mark.parametrize("said, relogin", [
    # Red-team pass 20 (h32): told to wait some hours, where logging in again is what helps.
    ("<div role='alert' lang='it'>La tua sessione è scaduta. Accedi di nuovo per inviare la richiesta.</div>", True),
    ("<div role='alert'>Your session has expired. <a href='/accounts/login/'>Log in</a> to continue.</div>", True),
    # Expired, but nothing about logging in; or a log-in word with nothing expired.
    ("<div role='alert'>This request has expired. Please try again later.</div>", False),
    ("<div role='alert'>Something went wrong. <a href='/accounts/login/'>Log in</a> to see your requests.</div>", False),
    # Review 28 #7: a header's "Log in" (every Help Center seen logged out has one) asks nothing of this answer;
    # "try again" beside a session that expired does not hide it.
    ("<div><header><a href='/accounts/login/'>Log in</a></header><div role='alert'>This request has expired.</div></div>", False),
    ("<div role='alert'>Your session has expired. Please log in and try again.</div>", True),
])
def test_a_session_that_expired_after_send_asks_to_log_in_again_not_to_wait(page: Page, said, relogin):
    with pytest.raises(Rejected, match="Meta refused the form") as caught:
        _send_answered(page, said)
    assert ("log in when Meta asks" in caught.value.hint) is relogin
    assert ("try again in a few hours" in caught.value.hint) is not relogin


def test_a_session_that_expired_after_the_code_asks_to_log_in_again_not_to_wait(page: Page):
    # Red-team pass 20 (h24): "Session expirée" and a "Se connecter" link after the code.
    expired = ("<div role=alert><h2>Session expirée</h2><p>Votre session a expiré. Veuillez vous reconnecter pour continuer.</p>"
               "</div><a href=/accounts/login/>Se connecter</a>")  # inside a JS string: no quotes
    posts = serve(page, _EXPIRING_CODE.replace("out.innerHTML = ", "document.body.innerHTML = ").replace(
        '<div role="alert">This code has expired. Request a new code to confirm your request.</div>', expired))
    run = make_run(code="stdin")
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    with pytest.raises(Rejected, match="Meta refused the request: Session expirée") as caught:
        flow.enter_code(page, run)
    assert "log in when Meta asks" in caught.value.hint and "Wait an hour" not in caught.value.hint
    assert posts == [{"code": "314159"}]


def test_a_refusal_that_names_the_accounts_other_address_is_quoted_masked(page: Page):
    # Found by red-team pass 10: only the configured address was masked; the account's is the person's too.
    with pytest.raises(Rejected) as caught:
        _send_answered(page, "<div role='alert'>We couldn't process this request for ana.silva@sapo.pt.</div>")
    assert "a***@sapo.pt" in caught.value.message and "ana.silva" not in caught.value.message


def test_a_sent_note_over_a_spinner_is_no_confirmation_before_the_code_step(page: Page):
    # Found by red-team pass 10: "Request sent" shown while the page draws its code step was taken as
    # Meta's thanks (exit 0, a receipt, and the code never typed).
    assert _send_answered(page, "<div role='status'><div><span>Request sent</span></div><div><div role='progressbar' aria-busy='true'></div></div></div>",
                          code_after_ms=1500) == "code"


@pytest.mark.parametrize("after", [
    "<div><p>Thanks. We've received your objection request.</p><div role='progressbar' aria-valuenow='3' aria-valuemax='3'>Step 3 of 3</div></div>",
    "<div><p>Thanks. We've received your objection request.</p><div role='progressbar' style='display: none'></div></div>",
    "<p>Your objection has been received.</p><div aria-busy='true'>Loading related articles</div>",  # body-level, elsewhere
], ids=["step-counter", "hidden-spinner", "busy-elsewhere"])
def test_a_progress_indicator_that_is_no_work_on_the_answer_leaves_thanks_alone(page: Page, after):
    assert _send_answered(page, after) == "confirmed"


def test_finish_by_clicking_the_emailed_link_is_no_confirmation(page: Page):
    # Found by red-team pass 10: "your objection" alone counted as thanks. Since pass 13 said at
    # once (exit 5), not after the whole --timeout as an unknown outcome.
    with pytest.raises(PersonTimeout, match="asks you to open a link it emailed"):
        _send_answered(page, "<div><h2>Check your email</h2><p>To finish submitting your objection, click the link we sent "
                             "to j***@example.eu. The link expires in 24 hours.</p></div>", timeout_s=2)


def test_a_send_that_loads_a_new_document_is_read_there(page: Page):
    # A plain form POST: the answer is a new document, a change already; its old notes are gone.
    serve(page, f"""<h1>Object to Your Information Being Used for AI at Meta</h1>
      <form method="post" action="/submit">{FIELDS.replace('type="email"', 'type="email" name="email"')}
      <p>All fields are required.</p><button id="send">Send</button></form>""")
    sent = []

    def answer(route):
        sent.append(route.request.post_data)
        route.fulfill(status=200, content_type="text/html", body="<p>Thanks. We've received your objection request.</p>")

    page.route("**/submit", answer)
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert sent == ["email=p%40example.eu"]


def _page(body: str) -> str:
    return f"<!doctype html><html lang='en'><title>{OBJECTION_TITLE}</title><body>{body}</body></html>"


def _sent_on_site(page: Page, routes: dict[tuple[str, str], tuple[float, str]], wait_until: str = "load") -> tuple[str, list[bytes]]:
    """The form at /help/contact/1 of a _site answering (method, path) -> (seconds to wait, text)
    found, filled and sent; returns what send() made of the answer, and the bodies POSTed."""
    def answer(method, path, body):
        wait_s, text = routes[method, path]
        return wait_s, 200, "text/javascript" if path.endswith(".js") else "text/html; charset=utf-8", text

    with _site(answer) as (url, posts):
        page.goto(url + "/help/contact/1", wait_until=wait_until)
        run = make_run()
        found = flow.locate_form(page, run)
        flow.fill_form(page, found, run)
        return flow.send(page, found, run), posts


def test_a_send_whose_new_document_is_slow_to_finish_is_read_once_it_has(page: Page):
    # Found by review: the answer's HTML says thanks at once, but a parser-blocking script (1 s)
    # turns it into the code step before DOMContentLoaded; Playwright's click returns at the commit.
    shell = _page("<div id=a><p>Thanks. We've received your objection request.</p></div><script src='/slow.js'></script>")
    code_step = "a.innerHTML = '<p>Enter the code we emailed you.</p><label>Code <input maxlength=6></label><button>Confirm</button>';"
    fields = FIELDS.replace('type="email"', 'type="email" name="email"')
    form = _page(f"<form method=post action=/submit>{fields}<button id=send>Send</button></form>")
    routes = {("GET", "/help/contact/1"): (0, form), ("POST", "/submit"): (0, shell), ("GET", "/slow.js"): (1.0, code_step)}
    assert _sent_on_site(page, routes) == ("code", [b"email=p%40example.eu"])


def test_a_leave_site_prompt_on_send_is_answered_leave_so_the_form_is_sent_once(page: Page):
    # Red-team pass 22 (s03): a form that asks "Leave site?" (beforeunload) once it was typed into; its
    # Send submits it natively. Answered Cancel, the submission stopped there: exit 3, nothing sent.
    # Leaving is what the press asked for, and no second press.
    fields = FIELDS.replace('type="email"', 'type="email" name="email"')
    form = _page(f"""<form method=post action=/submit>{fields}<button id=send>Send</button></form>
      <script>document.querySelector('form').addEventListener('input', () => {{ window.onbeforeunload = e => {{ e.preventDefault(); e.returnValue = ''; }}; }});</script>""")
    thanks = _page("<p>Thanks. We've received your objection request.</p>")
    routes = {("GET", "/help/contact/1"): (0, form), ("POST", "/submit"): (0, thanks)}
    assert _sent_on_site(page, routes) == ("confirmed", [b"email=p%40example.eu"])


def test_a_form_page_that_finishes_loading_during_the_press_is_still_one_document(page: Page):
    # Found by review: the form is found and filled before the page's own DOMContentLoaded (a slow
    # script at the end of its body, which also uncovers Send); that event comes during the press
    # and is no new document: the note already there ("All fields are required.") is no answer.
    form = _page(f"""<script>document.documentElement.setAttribute("data-loading", "")</script><div id=f>{FIELDS}
      <p>All fields are required.</p><span style="position:relative; display:inline-block"><button id=send>Send</button><i id=cover></i></span></div>
      <style>[data-loading] #cover {{ position:absolute; inset:0; display:block; }}</style>
      <script>send.onclick = () => {{ const x = new XMLHttpRequest(); x.open('POST', '/submit', false); x.send('{{}}');
        setTimeout(() => {{ f.innerHTML = "<p>Thanks. We've received your objection request.</p>"; }}, 1400); }};</script>
      <script src='/slow.js'></script>""")
    routes = {("GET", "/help/contact/1"): (0, form), ("POST", "/submit"): (0, '{"ok": true}'),
              ("GET", "/slow.js"): (1.5, "document.documentElement.removeAttribute('data-loading');")}
    assert _sent_on_site(page, routes, wait_until="commit") == ("confirmed", [b"{}"])


def test_a_cookie_dialog_that_comes_after_the_form_is_declined_before_send(page: Page):
    posts = _form_with_late_cookies(page, "show => setTimeout(show, 300)")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    page.locator("#d").wait_for()  # the dialog is up now, over the filled form
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu", "cookies": "essential"}]


def test_a_cookie_dialog_that_comes_between_the_last_look_and_the_press_does_not_hold_send_back_for_the_whole_timeout(page: Page):
    # Red-team pass 22 (l10, x01, x02): the dialog came after the form was filled and read back; the
    # press on Send waited all of --timeout for it to go (15 s) before it was declined.
    posts = _form_with_late_cookies(page, "show => { window.show = show; }")
    run = make_run(timeout_s=15)
    found = flow.locate_form(page, run)
    marked = flow.fill_form(page, found, run)
    assert marked is not None and not marked.banner
    page.evaluate("window.show()")  # up now, after the marks send() is given
    started = time.monotonic()
    assert flow.send(page, found, run, marked) == "confirmed"
    assert time.monotonic() - started < 6
    assert posts == [{"email": "p@example.eu", "cookies": "essential"}]


def test_a_cookie_dialog_that_comes_between_finding_and_filling_a_typeahead_is_declined_and_the_form_filled(page: Page):
    # Red-team pass 16 (Facebook's dialog, 0.7 s after each load): it covered the country's
    # typeahead before its first click, which waited out --timeout (exit 3, "the form changed").
    country = """<label>Country of residence <input id="c" role="combobox" aria-controls="lb" oninput="lb.hidden = false"></label>
      <div role="listbox" id="lb" hidden><div role="option" onclick="c.value = 'Portugal'; lb.hidden = true">Portugal</div></div>"""
    posts = _form_with_late_cookies(page, "show => setTimeout(show, 300)")
    page.evaluate("html => document.querySelector('#f label').outerHTML = html", country)
    run = make_run(timeout_s=10)
    found = flow.locate_form(page, run)
    page.locator("#d").wait_for()  # up now, over the form
    started = time.monotonic()
    flow.fill_form(page, found, run)
    assert time.monotonic() - started < 8  # not the whole --timeout first (review 23)
    assert page.evaluate("window.choice") == "essential" and page.locator("#c").input_value() == "Portugal"
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu", "cookies": "essential"}]


@pytest.mark.parametrize("listen", [
    "f.addEventListener('keyup', check);",  # the form's own handler, for all its fields
    "f.querySelectorAll('input, textarea').forEach(e => e.addEventListener('keyup', () => { e.dataset.ok = 1; check(); }));",
], ids=["form", "each-field"])
def test_a_send_enabled_only_by_key_presses_is_enabled_as_a_person_typing_would(page: Page, listen):
    # Red-team pass 20 (h18): an older validation script enables Send from keyup alone; the bot's
    # typing (an input event) left it disabled, and the run waited out --timeout (exit 3).
    posts = serve(page, f"""<div id="f">{FIELDS}<button id="send" disabled>Send</button></div>
      <script>const check = () => {{ const email = f.querySelector('[type=email]'), reason = f.querySelector('textarea');
          send.disabled = !(/@/.test(email.value) && reason.value.length > 10
                            && (!email.dataset.ok === !reason.dataset.ok)); }};  // per field: both keyed, or neither
        {listen}
        send.onclick = () => fetch('/submit', {{method: 'POST', body: JSON.stringify({{email: f.querySelector('[type=email]').value}})}})
          .then(() => {{ f.innerHTML = "<p>Thanks. We've received your objection request.</p>"; }});</script>""")
    run = make_run(timeout_s=10)
    found = flow.locate_form(page, run)
    marked = flow.fill_form(page, found, run)
    started = time.monotonic()
    assert flow.send(page, found, run, marked) == "confirmed"
    assert time.monotonic() - started < 5
    assert posts == [{"email": "p@example.eu"}]


def test_a_suggestion_box_the_email_opens_on_a_key_closes_on_its_blur_before_send(page: Page):
    # Review 28 #5: the released key went to the email field while the reason box had the focus; a
    # "Did you mean ...?" box that opens on keyup and closes on blur then stayed over Send (exit 3).
    posts = serve(page, f"""<div id="f">{FIELDS}<button id="send">Send</button></div>
      <div id="hint" hidden style="position:fixed;inset:0;background:#fff">Did you mean p@example.com?</div>
      <script>const email = f.querySelector('[type=email]');
        email.addEventListener('keyup', () => {{ hint.hidden = false; }});
        email.addEventListener('blur', () => {{ hint.hidden = true; }});
        send.onclick = () => fetch('/submit', {{method: 'POST', body: JSON.stringify({{email: email.value}})}})
          .then(() => {{ f.innerHTML = "<p>Thanks. We've received your objection request.</p>"; }});</script>""")
    run = make_run(timeout_s=5)
    found = flow.locate_form(page, run)
    marked = flow.fill_form(page, found, run)
    assert flow.send(page, found, run, marked) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]


def test_a_form_locked_until_its_late_cookie_dialog_is_answered_is_filled_without_waiting_out_the_lock(page: Page):
    # Red-team pass 21 (k13): every field disabled until a choice is made in a cookie dialog that comes
    # after the form was found. The bot waited the whole 10 s for the country to unlock first.
    posts = _form_with_late_cookies(page, "show => setTimeout(show, 300)")
    page.evaluate("""() => { const fields = document.querySelectorAll('#f select, #f input, #f textarea');
      fields.forEach(e => e.disabled = true);
      const unlock = setInterval(() => { if (window.choice) { clearInterval(unlock); fields.forEach(e => e.disabled = false); } }, 100); }""")
    run = make_run(timeout_s=15)
    found = flow.locate_form(page, run)
    started = time.monotonic()
    flow.fill_form(page, found, run)
    assert time.monotonic() - started < 5
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu", "cookies": "essential"}]


@pytest.mark.parametrize("words", [
    ("Dopustiti upotrebu kolačića s Instagrama u ovom pregledniku?", "Dopusti sve kolačiće", "Odbij neobavezne kolačiće"),
    ("Sallitaanko Instagramin evästeiden käyttö tässä selaimessa?", "Salli kaikki evästeet", "Hylkää valinnaiset evästeet"),
    ("Vil du tillate bruk av informasjonskapsler fra Instagram i denne nettleseren?", "Tillat alle informasjonskapsler",
     "Avvis valgfrie informasjonskapsler"),
    ("Да се разреши ли използването на бисквитки от Instagram в този браузър?", "Разрешаване на всички бисквитки",
     "Отхвърляне на незадължителните бисквитки"),
], ids=["hr", "fi", "nb", "bg"])
def test_a_cookie_dialog_that_says_cookies_in_the_pages_own_word_is_declined(page: Page, words):
    # Found by red-team pass 11: only the word 'cookie' made a dialog a cookie dialog, so a Croatian
    # or Finnish one stayed over the form and Send could not be pressed (exit 3).
    posts = _form_with_late_cookies(page, "show => setTimeout(show, 300)", words)
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    page.locator("#d").wait_for()
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu", "cookies": "essential"}]


def test_a_dialog_whose_words_only_look_like_cookies_is_no_cookie_dialog(page: Page):
    # Found by review: Swedish 'kakor' is Slovenian for 'as'; a code step in a dialog was taken for cookies.
    page.set_content("<html lang='sl'><div role='dialog'><p>Vnesite kodo, kakor ste jo prejeli po e-pošti.</p>"
                     "<input autocomplete='one-time-code'><button>Potrdi</button></div></html>")
    assert not flow._visible(flow._cookie_banner(page, recipe.load("instagram")))


def test_a_cookie_dialog_that_takes_the_press_on_send_is_declined_and_send_pressed_once(page: Page):
    # The dialog comes after the bot's last look, as the pointer reaches the button (a red-team page
    # showed it 400 ms late); Playwright reports it "intercepts pointer events" and never presses Send.
    posts = _form_with_late_cookies(page, "show => send.addEventListener('mouseover', show)")
    run = make_run(timeout_s=2)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    expect(page.locator("#d")).to_have_count(0)  # not there when the bot last looks
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu", "cookies": "essential"}]


_BAR_OVER_SEND = f"""<html lang='en'><title>{OBJECTION_TITLE}</title><body><form method="post" action="/submit">{FIELDS}<div style="height: 480px"></div>
  <button type="submit" id="send">Send</button><div style="height: 2000px"></div></form>
  <script>send.addEventListener('mouseover', () => document.getElementById('bar') || document.body.insertAdjacentHTML('beforeend',
    `<div role="dialog" id="bar" style="position:fixed;left:0;right:0;bottom:0;height:200px;background:#fff">
    Allow the use of cookies from Instagram by this browser? <button onclick="bar.remove()">Allow all cookies</button>
    <button onclick="bar.remove()">Decline optional cookies</button></div>`));</script></body></html>"""


@contextlib.contextmanager
def _site(answer):
    """A local site: `answer(method, path, body)` gives (seconds to wait, status, content type, body)
    for each request. Yields (base URL, the bodies POSTed); on exit it waits for every request it took."""
    posts = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.command == "POST":
                posts.append(body)
            wait_s, status, kind, text = answer(self.command, self.path.split("?")[0], body)
            time.sleep(wait_s)  # the site is slow (the server's thread, not the test's)
            data = text.encode()
            self.send_response(status)
            if 300 <= status < 400:  # a redirect: `text` is where to
                self.send_header("Location", text)
                data = b""
            if data:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = False  # server_close waits for every request it took
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", posts
    finally:
        server.shutdown()
        server.server_close()


def _slow_site(html: str, answer_after_s: float, status: int = 204, get_after_s: float = 0):
    """A local site: GET gives `html` after `get_after_s`; a POST is recorded at once and answered
    after `answer_after_s` with `status` and no body (204: the page stays)."""
    return _site(lambda method, path, body: (get_after_s, 200, "text/html; charset=utf-8", html) if method == "GET"
                 else (answer_after_s, status, "", ""))


@contextlib.contextmanager
def _filled_on_slow_site(page: Page, html: str, answer_after_s: float, timeout_s: float):
    """The form of `html` on a _slow_site, found and filled. Yields (found, run, posts)."""
    with _slow_site(html, answer_after_s=answer_after_s) as (url, posts):
        page.goto(url + "/help/contact/1")
        run = make_run(timeout_s=timeout_s)
        found = flow.locate_form(page, run)
        flow.fill_form(page, found, run)
        yield found, run, posts


def test_a_cookie_bar_that_took_only_the_first_attempt_never_gets_send_pressed_again(page: Page):
    # Found by review: the bar covers Send where Playwright first scrolls it to; Playwright scrolls
    # again and presses; the site answers the POST (204, the page stays) only after the press has
    # timed out. The call log holds "intercepts pointer events" from the first attempt and the bar
    # is still up, but Send was pressed: no second press. (Since the first press is sliced, it is
    # taken as pressed and the answer waited for: "The form was sent, ... unknown whether Meta received it".)
    with _filled_on_slow_site(page, _BAR_OVER_SEND, answer_after_s=3, timeout_s=2) as (found, run, posts):
        with pytest.raises(Unreachable, match="unknown whether Meta received"):
            flow.send(page, found, run)  # a second press would post at once, then wait out its own timeout
    assert len(posts) == 1


def test_a_look_while_the_page_is_replaced_finds_nothing_rather_than_failing(page: Page):
    # A log-in form posting (the person logging in) while the bot looks for the link: the document
    # goes away under the look, which then holds nothing.
    with _slow_site("<form method=post action=/login><button id=b>Log in</button></form>", answer_after_s=1, status=200) as (url, _):
        page.goto(url + "/privacy/genai/")
        page.locator("#b").click(no_wait_after=True)
        assert locate.find(page, "link", IG.link) is None


def test_another_layer_that_takes_the_press_on_send_is_reported_not_worked_around(page: Page):
    posts = serve(page, f"""<div>{FIELDS}<button id="send" onclick="fetch('/submit', {{method: 'POST', body: '{{}}'}})">Send</button></div>
      <script>send.addEventListener('mouseover', () => document.body.insertAdjacentHTML('beforeend',
        '<div role="dialog" style="position:fixed;inset:0;background:#fff">Rate your experience</div>'), {{once: true}});</script>""")
    run = make_run(timeout_s=2)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(PageMismatch, match="Send could not be pressed .*; nothing was sent"):
        flow.send(page, found, run)
    assert posts == []


def test_a_send_drawn_anew_after_the_last_look_is_said_unpressed_not_unknown(page: Page):
    # Found by red-team pass 7: the form's block is drawn anew (same values, new nodes) a moment
    # after each keystroke, and so after the bot's last look; Send, looked for inside the marked
    # block, never came back. Before: exit 4, "unknown whether Meta received the form". Here the
    # redraw comes as the pointer reaches Send, so that it always lands between look and press.
    posts = serve(page, f"""<div id="root"><div id="f">{FIELDS}<button id="send">Send</button></div></div><script>
      const wire = () => {{ send.onclick = () => fetch('/submit', {{method: 'POST', body: '{{}}'}});
        send.addEventListener('mouseover', redraw, {{once: true}}); }};
      const redraw = () => {{ const values = [...f.querySelectorAll('select, input, textarea')].map(e => e.value);
        root.innerHTML = root.innerHTML;  // new nodes, without the bot's marks
        f.querySelectorAll('select, input, textarea').forEach((e, i) => e.value = values[i]); wire(); }};
      wire();</script>""")
    run = make_run(timeout_s=2)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(PageMismatch, match="Send could not be pressed .*; nothing was sent"):
        flow.send(page, found, run)
    assert posts == []


# --- after Send -------------------------------------------------------------------------

def _code_page(page: Page, extra_before_confirm: str = "") -> list[dict]:
    """A form that keeps its Send and shows the code box under it after sending."""
    return serve(page, f"""<h1>Object to Your Information Being Used for AI at Meta</h1><div>{FIELDS}
      <button id="send" onclick="window.sends = (window.sends || 0) + 1">Send</button></div>
      <div><label>Enter code <input type="number" id="code"></label>{extra_before_confirm}
        <button onclick="fetch('/confirm', {{method: 'POST', body: JSON.stringify({{code: code.value}})}})">Confirm</button></div>""")


@pytest.mark.parametrize("lang, heading, again", [("pl", "Wpisz kod", "Wyślij kod ponownie"), ("ro", "Introdu codul", "Trimite din nou codul"),
                                                  ("de", "Code eingeben", "Code erneut senden"), ("nl", "Voer de code in", "Code opnieuw verzenden"),
                                                  ("es", "Introduce el código", "Volver a enviar el código"), ("it", "Inserisci il codice", "Invia di nuovo il codice")])
def test_the_code_steps_heading_before_its_field_is_no_refusal(page: Page, lang, heading, again):
    # Found by red-team pass 7 (1 run in 4): the code step's heading ("Enter the code") and its
    # "send the code again" came up a moment before its field; that button still reads as the form's
    # Send, and "wpisz" ("enter") alone was one of the words of a field's complaint: exit 8.
    serve(page, f"<html lang='{lang}'><div id='f'>{FIELDS}<button id='send'>Send</button></div></html>")
    run = make_run()
    flow._mark_seen(page, run)
    page.evaluate(f"f.innerHTML = '<h2>{heading}</h2><a href=\"#\" role=\"button\" id=\"again\">{again}</a>'")
    assert flow.classify_after(page, run, "send", [page.locator("#again")], posted=True) is None


def test_the_codes_confirm_is_never_the_forms_send_nor_a_resend_button(page: Page):
    posts = _code_page(page, '<div role="button" onclick="window.resent = true">Send code again</div>')
    run = make_run()
    flow.locate_form(page, run)  # tags this page's Send
    page.reload()  # a new document, as after a server-rendered Send: the tag is gone
    code = locate.find(page, "code", IG.code)
    flow.confirm_button(page, run, code).locator.click()
    assert page.evaluate("[window.sends, window.resent]") == [None, None]
    page.wait_for_function("() => performance.getEntriesByType('resource').some(r => r.name.endsWith('/confirm'))")
    assert len(posts) == 1


@pytest.mark.parametrize("email", [
    '<input type="text" inputmode="email" aria-labelledby="el eh">',  # filled by the bot: tagged as its own
    '<input type="text" autocomplete="email" aria-labelledby="el eh" value="p@example.eu">',  # filled by the site
])
def test_an_email_field_whose_hint_speaks_of_the_code_is_never_the_code_field(page: Page, email):
    # Red-team pass 19 (g22, 3 runs in 4): "Useremo questo indirizzo per inviarti un codice" in the email
    # field's description made it the code field when the form stayed above the code step; the code was
    # typed into it, and the run ended "the page shows no Confirm button it knows" (exit 3).
    serve(page, f"""<div id="f">{FIELDS.replace('<label>Email address <input type="email"></label>',
                                                 f'<span id="el">Email address</span><span id="eh">We will send a code to this address</span>{email}')}
      <button id="send">Send</button></div>""")
    run = make_run()
    flow.fill_form(page, flow.locate_form(page, run), run)
    page.evaluate("""f.insertAdjacentHTML('afterend', '<div><label>Code <input id="code" maxlength="6"></label><button>Confirm</button></div>')""")
    code, confirm = flow._find_code(page, run)
    assert code.locator.get_attribute("id") == "code" and confirm is not None


# React keeps a DOM node where the next step renders an element of the same type at the same place:
# the email field becomes the code field, Send becomes Confirm (their props, not the nodes, change).
_REUSED_NODES = """<div id="f"><h2 id="h">Object to your information being used for AI</h2>
  <label id="cl">Country of residence <select><option value="">-</option><option value="PT">Portugal</option></select></label>
  <label id="rl">Please tell us how this processing impacts you <textarea></textarea></label>
  <label><span id="el">Email address</span> <input id="x1" type="email" name="email" autocomplete="email"></label>
  <button id="b1">Send</button><div role="status" id="done"></div></div>
  <script>let step = 'form';
    b1.onclick = () => {
      if (step === 'form') { fetch('/submit', {method: 'POST', body: JSON.stringify({email: x1.value})}).then(() => {
        step = 'code'; cl.remove(); rl.remove(); h.textContent = 'Enter the 6-digit code we sent to your email';
        el.textContent = 'Confirmation code'; x1.value = ''; x1.type = 'text'; x1.name = 'code';
        x1.setAttribute('autocomplete', 'one-time-code'); x1.setAttribute('inputmode', 'numeric'); x1.maxLength = 6;
        b1.textContent = 'Confirm'; }); return; }
      fetch('/code', {method: 'POST', body: JSON.stringify({code: x1.value})}).then(() => {
        f.querySelector('label').remove(); b1.remove(); done.textContent = "Thanks. We've received your objection."; });
    };</script>"""


def test_a_field_the_page_turns_into_the_code_field_is_no_longer_the_bots_own(page: Page):
    # Review 25 (#7): fields the bot filled are never the code field (red-team pass 19, g22); a React
    # page that reuses the email field's node for the code kept that mark, and no code field was found.
    posts = serve(page, _REUSED_NODES)
    run = make_run(code="stdin")
    run.inbox = _Codes("314159")
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "code"
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}, {"code": "314159"}]


@pytest.mark.parametrize("verify", ["", "<button id='verify'>Verify</button>"], ids=["no-other-button", "its-own-confirm"])
def test_a_send_that_still_says_send_is_never_the_codes_confirm(page: Page, verify):
    # Review 26 (critical): the form hidden while it was sent, a spinner's hidden text inside Send
    # changed, and a mark that followed Send's words was gone for good: the old Send, still saying
    # Send under a code box drawn above it, was pressed as Confirm (the form sent twice).
    serve(page, f"<div id='f'>{FIELDS}<button id='send'>Send<span class='sp' hidden></span></button>{verify}</div>")
    run = make_run()
    flow.locate_form(page, run)  # tags the Send
    page.evaluate("() => { f.style.display = 'none'; send.querySelector('.sp').textContent = 'Sending…'; }")
    page.evaluate("""() => { f.insertAdjacentHTML('afterbegin', '<label>Code <input id="code" maxlength="6"></label>'); f.style.display = ''; }""")
    code = locate.find(page, "code", IG.code)
    confirm = flow.confirm_button(page, run, code)
    assert code.locator.get_attribute("id") == "code"
    assert (confirm.locator.get_attribute("id") if confirm else None) == ("verify" if verify else None)


def test_a_send_that_said_confirm_from_the_start_is_never_the_codes_confirm(page: Page):
    # Review 27: the form's submit button reads "Verify" (found by its markup); a code field drawn
    # above it made that same button, unchanged, count as the code's Confirm: the form sent twice.
    serve(page, f"<form id='f' onsubmit='return false'>{FIELDS}<button type='submit' id='s'>Verify</button></form>")
    run = make_run()
    assert flow.locate_form(page, run)["send"].layer == "structure"
    page.evaluate("""f.insertAdjacentHTML('afterbegin', '<label>Code <input id="code" maxlength="6"></label>')""")
    code = locate.find(page, "code", IG.code)
    assert code.locator.get_attribute("id") == "code" and flow.confirm_button(page, run, code) is None


def test_a_number_field_is_the_code_and_its_page_is_no_confirmation(page: Page):
    serve(page, """<p>Thanks. We sent a six-digit code to your email. If you haven't received your code within a few
      minutes, check your spam folder.</p><label>Enter code <input id="c" type="number"></label><button>Confirm</button>""")
    assert locate.find(page, "code", IG.code).layer == "role"
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "code"


def test_thanks_beside_a_field_that_still_asks_for_something_is_no_confirmation(page: Page):
    serve(page, """<p>Thank you. We have received your request.</p><label>Reference <input id="r"></label>""")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) is None
    page.locator("#r").evaluate("e => e.remove()")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) == "confirmed"


def _answer_above_the_form(page: Page, message: str) -> tuple[flow.Run, list]:
    """The form stays on screen; after Send, `message` appears above it."""
    serve(page, f"<div id='f'>{FIELDS}<button id='send'>Send</button></div>")
    run = make_run()
    flow._mark_seen(page, run)
    page.evaluate("m => document.body.insertAdjacentHTML('afterbegin', m)", message)
    return run, [page.locator("input[type=email]"), page.locator("#send")]


def test_thanks_that_appear_above_a_form_left_on_screen_confirm_once_the_page_is_still(page: Page):
    run, form = _answer_above_the_form(page, "<div role='status'>Thanks. We've received your objection request.</div>")
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=False) is None  # may still change
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=True) == "confirmed"


@pytest.mark.parametrize("lang, complaint", [("pl", "Wpisz adres e-mail."), ("ro", "Introdu adresa de e-mail."),
                                             ("de", "Bitte versuche es später erneut."), ("de", "Versuche es noch einmal."),
                                             ("nl", "Probeer het nog eens."), ("nl", "Probeer het later opnieuw.")])
def test_a_fields_complaint_beside_the_form_is_a_refusal(page: Page, lang, complaint):
    # The words of a complaint are whole phrases (a single "wpisz" or "erneut" also read the code
    # step's heading or "send the code again" as one); these are the complaints a review named.
    run, form = _answer_above_the_form(page, f"<p lang='{lang}'>{complaint}</p>")
    assert flow.classify_after(page, run, "send", form, posted=True) == "refused"


def test_a_new_alert_without_known_error_words_refuses_once_the_page_is_still(page: Page):
    run, form = _answer_above_the_form(page, "<div role='alert'>Please tell us more about how this processing impacts you.</div>")
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=False) is None
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=True) == "refused"


def test_a_code_split_into_six_boxes_gets_one_digit_each(page: Page):
    posts = serve(page, """<div><label id="l">Enter code</label><div>""" + "".join(
        f'<input maxlength="1" inputmode="numeric" aria-labelledby="l" id="b{i}">' for i in range(6)) + """</div>
      <button onclick="fetch('/confirm', {method: 'POST', body: JSON.stringify(
        {code: [...document.querySelectorAll('input')].map(i => i.value).join('')})})
        .then(() => document.body.innerHTML = '<p>Thanks. We\\'ve received your objection request.</p>')">Confirm</button></div>""")
    run = make_run()
    code = locate.find(page, "code", IG.code, read="e => e.maxLength")
    assert code.value == 1
    confirm = locate.find(page, "confirm", IG.confirm)
    flow.watch_posts(page, run)
    assert flow._type_code(page, run, "314159", [code.locator, confirm.locator], split=True) == "confirmed"
    assert posts == [{"code": "314159"}]


# --- the start page and the generic form, more shapes ------------------------------------

@pytest.mark.parametrize("html", [
    """<details><summary>How can I object?</summary><p>Use your <a href="/help/contact/9">right to object</a>.</p></details>""",
    # A React accordion: the answer is rendered only once its button is pressed.
    """<div role="button" aria-expanded="false" tabindex="0" onclick="this.setAttribute('aria-expanded', 'true');
       a.innerHTML = 'Use your <a href=&quot;/help/contact/9&quot;>right to object</a>.'">How can I object?</div><div id="a"></div>""",
], ids=["details", "accordion"])
def test_a_link_inside_a_collapsed_section_is_found_after_opening_it(page: Page, html):
    page.route("https://www.instagram.com/help/contact/9", lambda route: route.fulfill(
        content_type="text/html", body=f"<h1>Object to Your Information Being Used for AI at Meta</h1>{FIELDS}<button>Send</button>"))
    page.route("https://www.instagram.com/privacy/", lambda route: route.fulfill(
        content_type="text/html", body=f"<header><button aria-expanded='false'>Menu</button></header><main>{html}</main>"))
    page.goto("https://www.instagram.com/privacy/")
    run = make_run()
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.evaluate("() => { document.querySelector('header button').onclick = () => fetch('/menu'); }")
    assert flow.reach_form(page, run).url == "https://www.instagram.com/help/contact/9"
    expect(page.get_by_role("heading")).to_have_text("Object to Your Information Being Used for AI at Meta")
    assert not [url for url in asked if url.endswith("/menu")]  # the header's Menu button was left alone


_LINK = "<p>Use your <a href='/help/contact/9'>right to object</a>.</p>"


@pytest.mark.parametrize("html", [
    # Red-team pass 21 (k18): a section drawn only once it is in sight, far down the page.
    "<p style='height:3000px'>How Meta uses information for generative AI.</p><div id='lazy' style='min-height:40px'></div>"
    "<script>new IntersectionObserver(es => { if (es[0].isIntersecting && !lazy.innerHTML) setTimeout(() => { lazy.innerHTML = LINK; }, 300); })"
    ".observe(lazy);</script>",
    # k19, k21: the link in the panel of a tab not selected at first (drawn when it is chosen, or there but hidden).
    # (Review 27: the tab chosen at first is never pressed back, a press wasted.)
    "<div role='tablist'><div role='tab' aria-selected='true' tabindex='0' id='t0'>Overview</div><div role='tab' aria-selected='false' "
    "tabindex='-1' id='t1'>Your data</div><div role='tab' aria-selected='false' tabindex='-1' id='t2'>Your choices</div></div>"
    "<div role='tabpanel' id='p'><p>Overview of AI at Meta.</p></div><script>const tabs = [t0, t1, t2];"
    "tabs.forEach((t, i) => t.onclick = () => { tabs.forEach(o => o.setAttribute('aria-selected', String(o === t)));"
    " if (i === 0) fetch('/tab0'); p.innerHTML = i === 2 ? LINK : '<p>Nothing here.</p>'; });</script>",
    "<div role='tablist'><div role='tab' aria-selected='true' tabindex='0'>Overview</div><div role='tab' aria-selected='false' "
    "tabindex='-1' id='t2'>Your choices</div></div><div role='tabpanel'><p>Overview of AI at Meta.</p></div>"
    "<div role='tabpanel' id='p' hidden>LINK</div><script>t2.onclick = () => { t2.setAttribute('aria-selected', 'true'); p.hidden = false; };</script>",
], ids=["drawn-on-sight", "tab-drawn-when-chosen", "tab-hidden"])
def test_a_link_drawn_only_on_sight_or_in_a_tab_not_chosen_is_found(page: Page, html):
    page.route("https://www.instagram.com/help/contact/9", lambda route: route.fulfill(
        content_type="text/html", body=f"<h1>Object to Your Information Being Used for AI at Meta</h1>{FIELDS}<button>Send</button>"))
    page.route("https://www.instagram.com/privacy/", lambda route: route.fulfill(
        content_type="text/html", body="<header><div role='tablist'><a role='tab' aria-selected='false' href='/explore/'>Explore</a></div></header>"
                                       f"<main>{html.replace('LINK', _LINK if 'hidden>' in html else json.dumps(_LINK))}</main>"))
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto("https://www.instagram.com/privacy/")
    assert flow.reach_form(page, make_run()).url == "https://www.instagram.com/help/contact/9"
    assert not [url for url in asked if url.endswith("/tab0")]


def test_a_reason_box_drawn_only_once_it_is_in_sight_is_filled(page: Page):
    # Red-team pass 21 (k24): the box was drawn on sight, far down the form; the bot sent the form
    # without the reason ("The form shows no box for a reason").
    posts = serve(page, f"""<div id="f">{FIELDS.split('<label>Please')[0]}<p style="height:2500px">Before you send</p>
      <div id="lazy" style="min-height:40px"></div><button id="send">Send</button></div>
      <script>new IntersectionObserver(es => {{ if (es[0].isIntersecting && !lazy.innerHTML) setTimeout(() => {{
        lazy.innerHTML = '<label>Please tell us how this processing impacts you <textarea></textarea></label>'; }}, 200); }}).observe(lazy);
      send.onclick = () => fetch('/submit', {{method: 'POST', body: JSON.stringify({{reason: f.querySelector('textarea').value}})}});</script>""")
    run = make_run()
    run.layers["link"] = "role"  # reached by the right-to-object link: the reason box is optional
    found = flow.locate_form(page, run)
    assert found["reason"] is not None
    flow.fill_form(page, found, run)
    expect(page.locator("textarea")).to_have_value(run.settings.reason)


def test_the_generic_forms_question_as_a_list_is_answered_yes(page: Page):
    page.set_content("""<label for="q">Is your request related to AI at Meta?</label>
      <select id="q" onchange="more.hidden = this.value !== 'yes'"><option value="">--</option>
        <option value="no">No</option><option value="yes">Yes</option></select>""" + f"<div id='more' hidden>{FIELDS}</div>")
    run = make_run()
    assert flow.classify_start(page, run, want_link=False).state == "question"
    assert flow.reach_form(page, run) is page
    expect(page.locator("#q")).to_have_value("yes")


# --- what is no confirmation (review of the above) --------------------------------------

@pytest.mark.parametrize("text, result", [
    ("Your objection hasn't been submitted.", "refused"),
    ("La richiesta non è stata inviata.", "refused"),
    ("A confirmation link has been sent to your email address. Open it to finish.", "pending"),
    ("Het is niet gelukt om je verzoek in te dienen.", "refused"),
    ("Danke. Keine E-Mail erhalten? Wir senden sie dir gern noch einmal.", None),
    ("Zgłoszenie zakończyło się niepomyślnie.", "refused"),
])
def test_negated_or_unfinished_sending_is_no_confirmation(page: Page, text, result):
    serve(page, f"<p>{text}</p>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == result


@pytest.mark.parametrize("lang, text, result", [
    # Found by red-team pass 9: Danish 'fejl' (error) began Hungarian 'fejlesztésére' (development),
    # and Meta's Hungarian thanks was read as a refusal (exit 8, no receipt).
    ("hu", "A tiltakozásodat elküldtük. Mostantól érvényes lesz a Metánál használt MI fejlesztésére.", "confirmed"),
    ("da", "Der opstod en fejl. Din indsigelse blev ikke sendt.", "refused"),
    ("da", "Afsendelsen fejlede.", "refused"),
    # Slovak says it either way round; only 'už ste ...' was known (exit 4).
    ("sk", "Námietku ste už odoslali. Vaša námietka už platí.", "already"),
])
def test_outcome_words_of_one_language_are_not_read_into_another(page: Page, lang, text, result):
    serve(page, f"<html lang='{lang}'><p>{text}</p></html>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True, stale_errors=True) == result


def test_thanks_beside_error_words_is_a_refusal(page: Page):
    serve(page, "<p>Thank you. Unfortunately we could not process your request.</p>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "refused"


@pytest.mark.parametrize("lang, text, result", [
    # Found by red-team pass 11: thanks for the request over a refusal in unknown words was exit 0 and a receipt.
    ("en", "Thanks for your request. We weren't able to match this email address to an Instagram account. "
           "Check it and submit the form again.", "refused"),
    ("en", "Thanks for your request. This email address isn't associated with an Instagram account.", "refused"),
    ("fi", "Kiitos pyynnöstäsi. Emme kuitenkaan löytäneet tähän sähköpostiosoitteeseen liitettyä Instagram-tiliä.", "refused"),
    ("da", "Tak for din anmodning. Vi kunne dog ikke finde en Instagram-konto med denne e-mailadresse.", "refused"),
    # Gratitude alone confirms nothing: what follows may be anything.
    ("en", "Thanks. Now confirm your email address: your request won't be processed until you confirm it.", None),
    ("hu", "Köszönjük. Kérjük, ellenőrizd az e-mail-címed, és küldd el újra az űrlapot.", None),
    ("de", "Bitte bestätige deine E-Mail-Adresse. Du wirst dazu eine E-Mail erhalten.", None),
    ("pl", "Otrzymasz wiadomość e-mail z linkiem. Kliknij go, aby dokończyć.", "pending"),  # the link, then "click it"
    # Found by review: a strong phrase beside a refusal in other words, and pending pages.
    ("en", "Request received. No Instagram account is associated with this email address.", "refused"),
    ("de", "Wir haben deine Anfrage erhalten. Leider können wir kein Instagram-Konto mit dieser Adresse finden.", "refused"),
    ("cs", "Vaši námitku jsme obdrželi. Pokud to nebylo možné ověřit, pošlete ji znovu.", "refused"),
    ("en", "Your email address was successfully verified. Press Submit to finish your request.", None),
    ("fr", "Un e-mail vous a été envoyé. Une fois reçu, cliquez sur le lien pour terminer.", "pending"),
    # ... and confirmations that only counted through a word of thanks, or never counted.
    ("it", "Grazie. Ciò significa che la tua richiesta si applicherà d'ora in poi allo sviluppo dell'IA di Meta.", "confirmed"),
    ("de", "Danke. Wir haben deine Widerspruchsanfrage erhalten.", "confirmed"),
    ("fi", "Kiitos. Vastustamispyyntösi on vastaanotettu.", "confirmed"),
    ("en", "Thanks. We've reviewed your request and will honor your objection.", "confirmed"),
    ("fr", "Merci. Votre opposition a été envoyée.", "confirmed"),
    # A word of success confirms only in one sentence with the request: not a link sent successfully.
    # ... and a link followed by "open it" is a step left (red-team pass 14: exit 4, not 5).
    ("de", "Danke. Der Link wurde erfolgreich an deine E-Mail-Adresse gesendet. Öffne ihn, um deine Anfrage abzuschließen.", "pending"),
    ("en", "Almost done. A link was successfully sent to your email address; open it to finish.", "pending"),
    ("en", "Almost done. We sent a link to p.person@example.eu. Open it to confirm your objection.", "pending"),
    ("fr", "Presque fini. Le lien a été envoyé avec succès. Cliquez dessus pour terminer.", "pending"),
    ("nl", "Gelukt. Open de link in je e-mail om je verzoek te bevestigen.", "pending"),
    ("es", "Listo. Tu solicitud se ha enviado correctamente.", "confirmed"),
    ("el", "Ευχαριστούμε. Η αίτησή σας υποβλήθηκε με επιτυχία.", "confirmed"),
    # ... nor in a sentence a negation turns round (red-team pass 12: each was exit 0).
    ("es", "Lo sentimos. Tu solicitud no se completó con éxito.", "refused"),
    ("pt", "Atenção. Sua solicitação não pôde ser enviada com sucesso.", "refused"),
    ("pl", "Uwaga. Twoje zgłoszenie nie zostało pomyślnie przesłane.", "refused"),
    ("de", "Hinweis. Dein Widerspruch wurde nicht angenommen.", "refused"),
    ("de", "Widerspruch nicht möglich. Dein Widerspruch wurde nicht bearbeitet, da wir kein Konto mit dieser Adresse finden konnten.", "refused"),
    ("en", "Update. Your objection has been reviewed and we won't be applying your objection.", "refused"),
    ("de", "Danke. Eine E-Mail wurde erfolgreich an k***@example.de gesendet. Bitte sieh in deinem Postfach nach.", None),
    # Refusals in words the recipe did not read (exit 4), and a confirmation.
    ("ro", "Ne pare rău. Solicitarea ta nu poate fi procesată.", "refused"),
    ("cs", "Omlouváme se. Vaši žádost jsme nemohli zpracovat.", "refused"),
    ("bg", "Съжаляваме. Заявката ви не може да бъде обработена.", "refused"),
    ("nb", "Takk. Innsigelsen din er registrert.", "confirmed"),
    ("en", "Thanks, we've received your objection. If you can't find our email, check your spam folder.", "confirmed"),
    # Found by review: "from now on" alone, and "correctly" beside the form's name, also ask.
    ("fr", "Presque fini. Vous devez désormais confirmer votre demande en cliquant sur le lien.", "pending"),
    ("en", "Notice. From now on, objections can only be submitted in Accounts Center.", None),
    ("it", "Attenzione. Compila correttamente tutti i campi del modulo.", None),
    ("es", "Casi listo. Te hemos enviado correctamente un correo electrónico a j***@example.es.", None),  # the email (m), not the request (f)
    # ... and thanks with a caveat, or a negation after the words of success, still confirm.
    ("en", "Thanks, we've received your objection. It will not be applied to information we have already used.", "confirmed"),
    ("de", "Danke. Wir haben deinen Widerspruch erhalten. Bereits trainierte Modelle werden nicht berücksichtigt.", "confirmed"),
    ("de", "Danke. Ihr Widerspruch wurde erfolgreich verarbeitet und wir werden Ihre Daten nicht mehr verwenden.", "confirmed"),
    ("nl", "Gelukt. Je bezwaar is nu succesvol verzonden.", "confirmed"),
    # A link in the email still to open: pending, whatever thanks stand beside it (red-team pass 13: each was exit 0).
    ("en", "Check your email. Your request has been sent. Open the link we emailed you to confirm it.", "pending"),
    ("en", "One more step. We’ve successfully sent a link to confirm your objection to a***@example.eu. The link expires in 24 hours.", "pending"),
    ("de", "Bestätige deine Anfrage. Deine Anfrage wurde gesendet. Bitte öffne den Link in der E-Mail, die wir an k***@example.de geschickt haben, um sie zu bestätigen.", "pending"),
    ("fr", "Confirmez votre demande. Votre demande a bien été envoyée. Cliquez sur le lien que nous vous avons envoyé par e-mail pour la confirmer.", "pending"),
    ("pt", "Falta pouco. Enviamos com sucesso um link para confirmar sua objeção. Verifique seu email.", "pending"),
    ("de", "Fast geschafft. Wir haben deinen Widerspruch erhalten und dir einen Bestätigungslink geschickt.", "pending"),
    ("en", "Thanks, we've received your objection. We sent a link to john.doe@example.com to confirm it.", "pending"),
    # ... but links and confirming in different sentences, or accounts "linked", are no step left.
    ("en", "Thanks, we've received your objection. It applies to the accounts linked in your Accounts Center. You'll also receive an email confirming this.", "confirmed"),
    ("en", "Thanks, we've received your objection. You'll receive an email to confirm this. Your settings are at this link.", "confirmed"),
    ("en", "Done. We’ll apply your objection.", "confirmed"),
    # A date's dots end no sentence.
    ("en", "Almost done. Open the link we emailed you on 12.03.2025 to confirm your objection.", "pending"),
    ("es", "Listo. Tu solicitud del 12.03.2025 se completó con éxito.", "confirmed"),
    ("es", "Lo sentimos. Tu solicitud del 12.03.2025 no se completó con éxito.", "refused"),
])
def test_gratitude_alone_is_no_confirmation_and_a_strong_phrase_needs_no_thanks(page: Page, lang, text, result):
    serve(page, f"<html lang='{lang}'><h2>{text.split('. ')[0]}.</h2><p>{text.split('. ', 1)[1]}</p></html>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True, stale_errors=True) == result


@pytest.mark.parametrize("body, review", [
    ("<h2>Review your request</h2><dl><dt>Email</dt><dd>p***@example.eu</dd></dl><form><button>Send</button></form>", True),
    # Found by review: a page that is no review step, taken for one.
    ("<h2>Thanks!</h2><button>Submit another request</button>", False),  # only starts with Send's words
    ("<form><label>Email <input type='email' readonly value='p@example.eu'></label><button>Send</button></form>", False),  # the form again
    ("<form><label>Enter code <input maxlength='6'></label><button>Submit</button></form>", False),  # a field to fill
])
def test_a_new_page_that_only_asks_for_send_is_a_review_step(page: Page, body, review):
    run = make_run()
    serve(page, f"<form>{FIELDS}<button>Send</button></form>")
    flow._mark_seen(page, run)  # as before Send
    assert not flow._asks_for_send_again(page, run)  # the form's own page
    serve(page, body)  # the site's answer: a new document
    assert flow._asks_for_send_again(page, run) is review


@pytest.mark.parametrize("text", [
    # Review of pass 13's fix: nouns ("a confirmation"), "confirming" and idioms ("in connection
    # with": bg "във връзка с", ro "în legătură cu", sl "v povezavi z") are no step left to take.
    "Ще получите потвърждение по имейл във връзка с акаунтите във вашия Център за акаунти.",
    "Vei primi un e-mail care confirmă acest lucru, cu detalii în legătură cu solicitarea ta.",
    "Po e-pošti boste prejeli potrditev v povezavi z računi v Središču za račune.",
    "Potrdili smo vaš ugovor v povezavi z vašimi računi.",
    "Ti invieremo una conferma via email con un link ai dettagli.",
    "Otrzymasz e-mail potwierdzający z linkiem do szczegółów.",
    "Gausite patvirtinimo laišką su nuoroda į išsamią informaciją.",
    "You'll receive an email with complete details and a link to your settings.",
    "Your objection applies to the accounts linked in your Accounts Center. You'll receive an email confirming this.",
])
def test_words_of_a_real_confirmation_about_links_and_confirming_leave_nothing_pending(text):
    assert not recipe.load("instagram").pending_pattern().search(text)


def test_a_link_to_open_that_was_on_the_form_page_before_send_is_nothing_new(page: Page):
    run = make_run()
    serve(page, f"<p>New here? To confirm your email, open the link we sent you.</p><div id='f'>{FIELDS}<button>Send</button></div>")
    flow._mark_seen(page, run)
    page.evaluate("f.outerHTML = '<h2>Thanks, we have received your objection.</h2>'")
    assert flow.classify_after(page, run, "send", [page.locator("#f")], posted=True) == "confirmed"


def test_a_link_beside_words_of_a_code_after_send_waits_for_the_codes_field(page: Page):
    serve(page, "<p>We emailed you a code. Enter it below, or open the link in the email to confirm.</p>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True, stale_errors=True) is None


def test_an_alert_beside_the_form_that_asks_to_open_a_link_is_pending_not_refused(page: Page):
    run, form = _answer_above_the_form(page, "<div role='alert'>Open the link we emailed you to confirm your request.</div>")
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=True) == "pending"


def test_a_link_to_open_after_the_code_is_no_confirmation_but_pending(page: Page):
    serve(page, "<html lang='pl'><h2>Jeszcze jeden krok</h2><p>Twoja prośba została wysłana. Kliknij link w wiadomości e-mail, aby ją potwierdzić.</p></html>")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) == "pending"


def test_thanks_beside_the_form_with_a_link_to_open_is_pending(page: Page):
    run = make_run()
    serve(page, f"<form>{FIELDS}<button>Send</button></form><p id='answer'></p>")
    flow._mark_seen(page, run)
    page.evaluate("answer.textContent = 'Your request has been sent. Open the link we emailed you to confirm it.'")
    assert flow.classify_after(page, run, "send", [page.locator("form")], posted=True, stale_errors=True) == "pending"


def test_a_code_hint_after_confirm_is_no_confirmation(page: Page):
    serve(page, "<p>Thanks. If you haven't received your code, check your spam folder.</p>")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) is None
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True, stale_errors=True) is None


@pytest.mark.parametrize("text", [
    "Your code was confirmed and your objection has been submitted. You'll receive an email with the details.",
    "Thanks, we've received your objection. Didn't receive our email at p***@example.eu? Check your spam folder.",
    "Dein Code wurde bestätigt. Wir haben deinen Widerspruch erhalten.",
])
def test_thanks_that_speak_of_the_code_confirm_once_the_page_is_still_after_the_code(page: Page, text):
    serve(page, f"<h2>Object to Your Information Being Used for AI at Meta</h2><p>{text}</p>")
    gone = [page.locator("#gone")]
    assert flow.classify_after(page, make_run(), "code", gone, posted=True) is None  # a code field may be on its way
    assert flow.classify_after(page, make_run(), "code", gone, posted=True, stale_errors=True) == "confirmed"
    # After Send they are no answer: the code step's own words may stand beside thanks.
    assert flow.classify_after(page, make_run(), "send", gone, posted=True, stale_errors=True) is None


@pytest.mark.parametrize("text", ["Köszönjük! Tiltakozásodat meg\u00adkaptuk. Hamarosan e\u00admailben is értesítünk.",
                                  "Kiitos! Vastustamis\u00adpyyntösi on vastaan\u200botettu."])
def test_thanks_with_soft_hyphens_or_zero_width_spaces_in_words_confirm_once_the_page_is_still(page: Page, text):
    # Red-team pass 13: invisible either way, they hid Meta's thanks from the recipe's words (exit 4).
    serve(page, f"<p>{text}</p>")
    run, gone = make_run(), [page.locator("#gone")]
    assert flow.classify_after(page, run, "code", gone, posted=True, stale_errors=True) is None  # as Playwright reads the text
    assert flow._await_result(page, run, "code", gone, time.monotonic() + 10, posts_before=-1) == "confirmed"


def test_invisible_characters_leave_fields_and_emoji_alone(page: Page):
    page.set_content("<p id=p>meg\u00adkaptuk \U0001F468\u200d\U0001F469</p><textarea>meg\u00adkaptuk</textarea>"
                     "<div contenteditable id=c>e\u200bmail</div>")
    assert flow._plain_text(page) and not flow._plain_text(page)
    assert page.locator("#p").text_content() == "megkaptuk \U0001F468\u200d\U0001F469"
    assert page.locator("textarea").input_value() == "meg\u00adkaptuk" and page.locator("#c").text_content() == "e\u200bmail"


@pytest.mark.parametrize("text", [  # red-team pass 15: Facebook's wording; each ended with exit 4
    "An objection is already in place for your account. You don't need to do anything else.",
    "Wir haben deinen Widerspruch bereits erhalten. Du musst dieses Formular nicht noch einmal senden.",
    "Nous avons déjà reçu votre opposition. Vous n’avez rien d’autre à faire.",
    "Abbiamo già ricevuto la tua opposizione. Non devi fare altro.",
])
def test_meta_saying_in_other_words_that_the_objection_already_stands(page: Page, text):
    serve(page, f"<p>{text}</p>")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) == "already"


@pytest.mark.parametrize("text", ["Your request was received. We’ll email you.", "Widerspruch umgesetzt. Er gilt ab sofort für alle Konten."])
def test_short_thanks_in_other_words_confirm(page: Page, text):
    serve(page, f"<p>{text}</p>")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) == "confirmed"


@pytest.mark.parametrize("stage", ["send", "code"])
def test_meta_saying_the_objection_already_stands_is_its_own_answer(page: Page, stage):
    serve(page, "<h2>Object to Your Information Being Used for AI at Meta</h2><p>You've already objected to your "
                "information being used for AI at Meta. You don't need to submit this form again.</p>")
    assert flow.classify_after(page, make_run(), stage, [page.locator("#gone")], posted=True) == "already"
    assert flow.classify_after(page, make_run(), stage, [page.locator("#gone")], posted=False) is None


def test_thanks_with_a_note_for_those_who_already_objected_is_a_confirmation(page: Page):
    serve(page, "<h2>Thanks. We've received your objection request.</h2>"
                "<p>If you've already objected, you don't need to object again.</p>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "confirmed"


@pytest.mark.parametrize("stage", ["send", "code"])
@pytest.mark.parametrize("lang, html", [
    ("en", "<p>We've already received your objection. You don't need to submit this form again.</p>"),
    # Thanks words after the "already" in its sentence (review 21).
    ("en", "<p>We've already received your objection, and it will apply from now on.</p>"),
    # Red-team pass 15's Facebook wording: the thanks words ("hemos recibido") inside the "already"...
    ("es", "<h2>Ya recibimos tu oposición</h2><p>Ya hemos recibido tu oposición. No tienes que volver a enviar este formulario.</p>"),
    # ... also where a heading's text runs into the next block's ("oposiciónNo tienes").
    ("es", "<h2>Ya hemos recibido tu oposición</h2><p>No tienes que volver a enviar este formulario.</p>"),
    ("es", "<p>Ya hemos recibido tu oposición y se aplicará a tu cuenta. No tienes que volver a enviar este formulario.</p>"),
    ("pt", "<p>Já recebemos a sua oposição. Não precisa de enviar este formulário novamente.</p>"),
    ("pl", "<p>Otrzymaliśmy już Twój sprzeciw. Nie musisz ponownie wysyłać tego formularza.</p>"),
    ("ro", "<p>Am primit deja obiecţia ta (with a cedilla).</p>")])
def test_we_already_received_your_objection_is_already_not_thanks(page: Page, stage, lang, html):
    page.set_content(f"<html lang='{lang}'><body>{html}</body></html>")
    assert flow.classify_after(page, make_run(), stage, [page.locator("#gone")], posted=True) == "already"


@pytest.mark.parametrize("lang, text", [
    ("en", "Thanks. We've received your objection request. If you've already objected, you don't need to object again."),
    ("en", "We've received your objection. You don't need to send this form again."),
    ("es", "Hemos recibido tu oposición. No tienes que volver a enviar este formulario."),
    # "Já recebemos" / "Ya hemos recibido" alone is as often "we've now received it".
    ("pt", "Pronto! Já recebemos sua objeção."),
    ("es", "Ya hemos recibido tu oposición y se aplicará a tu cuenta.")])
def test_thanks_and_a_note_in_one_paragraph_is_a_confirmation(page: Page, lang, text):
    page.set_content(f"<html lang='{lang}'><body><p>{text}</p></body></html>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "confirmed"


def test_already_received_beside_a_form_that_stays_is_already(page: Page):
    page.set_content(f"<html lang='es'><body><form id=f>{FIELDS}</form><div id=say role=status></div></body></html>")
    run = make_run()
    flow._mark_seen(page, run, code_texts=True)  # as before Send
    run.seen_document = page.evaluate("performance.timeOrigin")
    page.locator("#say").evaluate("e => e.innerHTML = '<p>Ya hemos recibido tu oposición. No tienes que volver a enviar este formulario.</p>'")
    assert flow.classify_after(page, run, "send", [page.locator("#f select")], posted=True, stale_errors=True) == "already"


@pytest.mark.parametrize("lang, say", [
    # Red-team pass 17: "already" alone, in an alert beside a form that stays, was read as a refusal
    # (exit 8, "try again in a few hours").
    ("en", "<div role=alert>You've already objected. You don't need to submit this form again.</div>"),
    ("de", "<div role=status><p>Du hast bereits widersprochen.</p></div>"),
])
def test_already_alone_beside_a_form_that_stays_is_already(page: Page, lang, say):
    said = _said_beside_the_form(page, lang, say)
    # Read at once too: a toast may be gone by the time the page has been still for a moment.
    assert said(stale=False) == said(stale=True) == "already"


def _said_beside_the_form(page: Page, lang: str, say: str) -> Callable[..., str | None]:
    """The form stays; after Send the page says `say` beside it. Returns classify_after as of then,
    by whether the page has been still since the site answered."""
    page.set_content(f"<html lang='{lang}'><body><form id=f>{FIELDS}</form><div id=say></div></body></html>")
    run = make_run()
    flow._mark_seen(page, run, code_texts=True)  # as before Send
    run.seen_document = page.evaluate("performance.timeOrigin")
    page.locator("#say").evaluate("(e, html) => e.innerHTML = html", say)
    return lambda stale: flow.classify_after(page, run, "send", [page.locator("#f select")], posted=True, stale_errors=stale)


@pytest.mark.parametrize("say, answer", [
    # Review 23: read at once, "already" came before the site's own thanks, a link to open or a code
    # on its way, and the form page's own note drawn again was taken for Meta's answer.
    ("<div role=alert>Thanks, we've received your objection. If you've already objected, you don't need to object again.</div>", "confirmed"),
    ("<div role=status>Open the link we emailed you to confirm your objection. If you've already objected, you don't need to object again.</div>", "pending"),
    ("<div role=status>We've emailed you a code. If you've already objected, you don't need to object again.</div>", None),
    ("<p>If you've already objected, you don't need to object again.</p>", None),
])
def test_already_beside_a_form_that_stays_never_hides_the_sites_own_answer(page: Page, say, answer):
    said = _said_beside_the_form(page, "en", say)
    assert said(stale=False) is None
    assert said(stale=True) == answer


def test_the_browsers_own_error_page_is_no_new_wording_of_meta(page: Page):
    # Walk-through review: a connection dropped after Send was reported with "If those words are
    # Meta's answer in new wording, Meta has changed the page: please report it".
    serve(page, f"<form>{FIELDS}</form>")
    run = make_run()
    flow._mark_seen(page, run)
    page.route("https://help.instagram.com/ajax/**", lambda route: route.abort("connectionreset"))
    with pytest.raises(PlaywrightError):
        page.goto("https://help.instagram.com/ajax/help/contact/submit/page")
    page.wait_for_url(lambda url: url.startswith("chrome-error:"))  # its error page commits a moment after
    err = flow._unknown_answer("The form was sent, but no code field, confirmation or error appeared.", page, run, hint="Check your email.")
    assert str(err).startswith("The form was sent, but no code field, confirmation or error appeared: the connection to the site broke off")
    assert "new wording" not in (err.hint or "") and err.hint == "Check your email."


def test_thanks_after_an_already_sentence_are_found_in_the_page(page: Page):
    # The phrase is taken by a back-reference (\\1) that only the first group may use: were it
    # wrong in the browser, no text after an "already" phrase would ever be found (review 22).
    page.set_content("<p>You've already objected. We've received your objection and will apply it.</p>")
    assert page.get_by_text(IG.confirmation_pattern(not_already=True)).count() == 1
    page.set_content("<p>If this wasn't you, let us know. Something went wrong.</p>")
    assert page.get_by_text(IG.error_pattern()).count() == 1


def test_a_phrase_is_taken_whole_once_however_often_a_page_repeats_it():
    # Review 21: 'déjà opposé' and 'déjà opposée' begin alike; tried in every combination, a text
    # that repeats one took 49 s to search (18 times). Each pattern's first group is that phrase.
    pattern = IG.confirmation_pattern(not_already=True)
    assert pattern.groups == 1 and IG.error_pattern().groups == 1
    started = time.monotonic()
    assert pattern.search("Nous avons déjà reçu votre demande. " + "Vous vous êtes déjà opposée. " * 40) is None
    assert time.monotonic() - started < 1


def test_the_form_pages_note_for_those_who_already_objected_is_no_answer(page: Page):
    serve(page, f"<p>If you've already objected, you don't need to object again.</p><form>{FIELDS}<button>Send</button></form>")
    run = make_run()
    flow._mark_seen(page, run, code_texts=True)  # as before Send
    page.locator("form").evaluate("f => f.remove()")  # the form goes; nothing new is said
    assert flow.classify_after(page, run, "send", [page.locator("form button")], posted=True, stale_errors=True) is None


def test_thanks_that_speak_of_the_code_on_the_code_page_itself_are_not_new_after_confirm(page: Page):
    serve(page, "<p>Thanks, your request was received. We sent a code to p***@example.eu.</p><div id='box'>"
                "<label>Enter code <input id='c' maxlength='6'></label><button>Confirm</button></div>")
    run = make_run()
    flow._mark_seen(page, run)  # as before typing the code
    page.locator("#box").evaluate("e => e.remove()")  # the field goes; nothing new is said
    assert flow.classify_after(page, run, "code", [page.locator("#c")], posted=True, stale_errors=True) is None


def test_thanks_beside_a_code_field_that_still_takes_input_is_no_confirmation(page: Page):
    serve(page, "<label>Enter code <input id='c' maxlength='6'></label><button>Confirm</button>")
    run = make_run()
    flow._mark_seen(page, run)
    page.evaluate("document.body.insertAdjacentHTML('afterbegin', '<p>Thank you, we have received your request.</p>')")
    form = [page.locator("#c"), page.get_by_role("button")]
    assert flow.classify_after(page, run, "code", form, posted=True, stale_errors=True) is None
    page.locator("#c").evaluate("e => e.readOnly = true")  # finished: the page keeps it, read-only
    assert flow.classify_after(page, run, "code", form, posted=True, stale_errors=True) == "confirmed"


def test_thanks_in_a_dialog_over_a_code_field_that_still_takes_input_confirm(page: Page):
    # Red-team pass 13: a React modal opens over the code step, which stays enabled behind it.
    serve(page, "<label>Enter code <input id='c' maxlength='6'></label><button>Confirm</button>")
    run = make_run()
    flow._mark_seen(page, run)
    page.evaluate("""document.body.insertAdjacentHTML('beforeend', '<div role="dialog" aria-modal="true"><h2>Thanks, we’ve received'
                     + ' your objection</h2><p>We’ll apply it from now on.</p><div role="button">Close</div></div>')""")
    form = [page.locator("#c"), page.get_by_role("button", name="Confirm")]
    assert flow.classify_after(page, run, "code", form, posted=True, stale_errors=True) == "confirmed"


def test_the_persons_own_thanks_in_the_reason_box_is_no_confirmation(page: Page):
    serve(page, """<label id="l">Email address</label><input type="email" aria-labelledby="l">
      <div contenteditable="true" role="textbox" aria-label="How this processing impacts you" id="r"></div><button>Send</button>""")
    run = make_run(submit="manual")
    flow._mark_seen(page, run)
    page.locator("#r").evaluate("e => e.innerHTML = '<div>My photos are mine.</div><div>Thank you.</div>'")
    form = [page.locator("input"), page.locator("#r"), page.get_by_role("button")]
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=True) is None


def test_the_objection_forms_own_title_is_no_question_to_answer(page: Page):
    # Fields held back, so the question look runs: the title says "AI at Meta", the radios answer another question.
    page.set_content(f"""<fieldset><legend>Object to Your Information Being Used for AI at Meta</legend>
      <p>Are you submitting on behalf of someone else?</p>
      <label><input type="radio" name="rep"> Yes</label><label><input type="radio" name="rep"> No</label>
      <div hidden>{FIELDS}</div></fieldset>""")
    assert flow.classify_start(page, make_run(), want_link=False) is None
    assert page.locator("input[type=radio]:checked").count() == 0


def test_in_a_block_of_several_questions_only_the_yes_after_the_ai_question_is_chosen(page: Page):
    page.set_content(f"""<fieldset><p>Are you submitting on behalf of someone else?</p>
      <label><input type="radio" name="rep" value="yes"> Yes</label><label><input type="radio" name="rep" value="no"> No</label>
      <p>Does your request relate to AI at Meta?</p>
      <label><input type="radio" name="ai" value="yes" onchange="f.hidden = false"> Yes</label>
      <label><input type="radio" name="ai" value="no"> No</label></fieldset><div id="f" hidden>{FIELDS}</div>""")
    run = make_run()
    assert flow.reach_form(page, run) is page
    assert page.evaluate("[...document.querySelectorAll('input:checked')].map(e => e.name)") == ["ai"]


def test_a_form_sent_back_on_a_new_document_is_no_thanks_whatever_its_own_text_says(page: Page):
    serve(page, f"<p>If your objection is honoured, it will be applied going forward.</p><div>{FIELDS}<button id='send'>Send</button></div>")
    run = make_run()
    flow._mark_seen(page, run)
    page.reload()  # the server answered Send with the same form: a new document, nothing tagged
    form = [page.locator("input[type=email]"), page.locator("#send")]
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=True) is None


def test_a_confirmation_that_says_nothing_more_is_required_is_a_confirmation(page: Page):
    serve(page, "<p>Thanks. We've received your objection request. No further action is required.</p>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "confirmed"


def test_an_information_alert_on_the_form_before_send_is_no_refusal(page: Page):
    serve(page, f"<div role='alert'>This form is for people in the EU, the UK and Brazil.</div><div>{FIELDS}<button id='send'>Send</button></div>")
    run = make_run()
    flow._mark_seen(page, run)
    form = [page.locator("input[type=email]"), page.locator("#send")]
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=True) is None


def test_a_field_whose_label_holds_a_search_word_inside_another_word_still_asks(page: Page):
    serve(page, "<p>Thanks. We've received your request.</p><label>Referentie van je verzoek <input aria-label='Referentie van je verzoek'></label>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) is None


def test_a_cookie_choice_that_reloads_the_page_gets_the_form_found_and_filled_again(page: Page):
    posts = serve(page, f"""<h1>Object to Your Information Being Used for AI at Meta</h1><div id="f">{FIELDS}<button id="send">Send</button></div>
      <script>
        send.onclick = () => fetch('/submit', {{method: 'POST', body: JSON.stringify({{
          email: document.querySelector('input[type=email]').value}})}})
          .then(() => {{ f.innerHTML = "<p>Thanks. We've received your objection request.</p>"; }});
        if (!sessionStorage.choice) setTimeout(() => document.body.insertAdjacentHTML('beforeend', `<div role="dialog" id="d"
          style="position:fixed;inset:0;background:#fff">Allow the use of cookies from Instagram by this browser?
          <button onclick="sessionStorage.choice = 'essential'; location.reload()">Decline optional cookies</button></div>`), 300);
      </script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    page.locator("#d").wait_for()
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]
    assert page.evaluate("sessionStorage.choice") == "essential"


# --- a second red-team pass: other forms on the page, other wordings, what the form requires ---

def test_a_feedback_box_with_its_own_send_before_the_form_is_never_filled_nor_pressed(page: Page):
    posts = serve(page, f"""<aside><form id="fb"><label>Is this page useful? Tell us how we can improve it
      <textarea id="fb-text" name="feedback"></textarea></label><button type="button" id="fb-send">Send</button></form></aside>
      <form id="objection">{FIELDS}<button type="button" id="send">Send</button></form>
      <script>
        for (const b of document.querySelectorAll('button')) b.onclick = () => fetch('/submit', {{method: 'POST',
          body: JSON.stringify({{from: b.id, text: b.form.querySelector('textarea').value}})}});
      </script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with page.expect_response(_a_post):  # answered only after serve() has recorded it
        found["send"].locator.click()
    expect(page.locator("#fb-text")).to_have_value("")
    assert [p["from"] for p in posts] == ["send"] and posts[0]["text"] == run.settings.reason


# A "Was this page helpful?" box asking for an email (optional) with a Send of its own, before the
# objection form: the fourth red-team pass found the bot typing the address into it and pressing its Send.
_HELPFUL = """<section><h3>Was this page helpful?</h3><label><input type="radio" name="h">Yes</label>
  <label>Email (optional) <input type="email" id="fb-email"></label><button type="button" id="fb-send">Send</button></section>"""


@pytest.mark.parametrize("objection", [
    f'<form id="objection">{FIELDS}<button type="button" id="send">Send</button></form>',  # server-rendered
    f'<div><div><div>{FIELDS}</div></div><div role="button" tabindex="0" id="send">Send</div></div>',  # React, no <form>
])
def test_a_helpful_box_with_an_email_field_before_the_form_is_never_filled_nor_pressed(page: Page, objection):
    serve(page, _HELPFUL + objection)
    run = make_run()
    found = flow.locate_form(page, run)
    assert found["send"].locator.get_attribute("id") == "send"
    flow.fill_form(page, found, run)
    expect(page.locator("#fb-email")).to_have_value("")
    expect(page.locator(":is(form, div) input[type=email]:not(#fb-email)")).to_have_value("p@example.eu")
    expect(page.locator("textarea")).to_have_value(run.settings.reason)


# Red-team pass 16: another box asking for a country above the form, in the page's main part: a
# sign-up for news about AI with a <form> of its own (the bot filled it and pressed "Subscribe"),
# and a region bar that reloads the page (the bot chose the country there).
_SIGN_UP = """<section><h3>Stay informed about AI at Meta</h3><form id="news"><label>Country <select id="news-country">
  <option value="">-</option><option value="PT">Portugal</option></select></label><label>Email <input type="email" id="news-email"></label>
  <button type="submit" id="news-send">{send}</button></form></section>"""
_REGION_BAR = """<div><label>Showing information for: Country <select id="region" onchange="window.reloads = (window.reloads || 0) + 1">
  <option value="">-</option><option value="PT">Portugal</option></select></label></div>"""


@pytest.mark.parametrize("before, objection", [
    (_SIGN_UP.format(send="Subscribe"), f'<form id="objection">{FIELDS}<button type="submit" id="send">Send</button></form>'),
    (_SIGN_UP.format(send="Submit"), f'<div><div><div>{FIELDS}</div></div><div role="button" tabindex="0" id="send">Send</div></div>'),
    # The 2025 form, without a reason box: its own words speak of objecting.
    (_SIGN_UP.format(send="Submit"), f'<form id="objection"><h2>Object to your information being used for AI</h2>'
                                     f'{FIELDS.split("<label>Please")[0]}<button type="submit" id="send">Send</button></form>'),
    (_REGION_BAR, f'<form id="objection">{FIELDS}<button type="submit" id="send">Send</button></form>'),
])
def test_another_box_asking_for_a_country_above_the_form_is_never_filled_nor_pressed(page: Page, before, objection):
    posts = serve(page, f"<main><h1>Object to Your Information Being Used for AI at Meta</h1>{before}{objection}</main>"
                        "<script>document.addEventListener('submit', e => { e.preventDefault();"
                        " fetch('/x', {method: 'POST', body: JSON.stringify({form: e.target.id})}); });</script>")
    run = _reached_by_link()
    found = flow.locate_form(page, run)
    assert found["send"].locator.get_attribute("id") == "send"
    flow.fill_form(page, found, run)
    for decoy in ("#news-country", "#news-email", "#region"):
        if page.locator(decoy).count():
            expect(page.locator(decoy)).to_have_value("")
    expect(page.locator("#objection select, div > div > div select").first).to_have_value("PT")
    expect(page.locator("input[type=email]:not(#news-email)")).to_have_value("p@example.eu")
    assert page.evaluate("window.reloads || 0") == 0 and posts == []


# Review 23 #3: pages the ranking above still got wrong. The 2025 form (no reason box) whose objecting
# words are only in the page's heading, beside a sign-up box; a form without <form> whose fields stand
# in sections of their own, beside one; a region bar beside a language list, or beside a form without
# <form>; a form in a dialog over a page with a region bar.
_FIELDS_2025 = FIELDS.split("<label>Please")[0]
_WITH_LANGUAGES = ('<div id="bar"><label>Country <select id="region"><option value="">-</option><option value="PT">Portugal</option>'
                   '</select></label><label>Language <select><option>English</option></select></label></div>')


@pytest.mark.parametrize("before, objection", [
    (_SIGN_UP.format(send="Subscribe"), f'<form id="objection">{_FIELDS_2025}<button type="submit" id="send">Send</button></form>'),
    (_SIGN_UP.format(send="Subscribe"),
     '<section id="objection"><h3>Where do you live?</h3><label>Country of residence <select><option value="">-</option>'
     '<option value="PT">Portugal</option></select></label></section><section><label>Email address <input type="email"></label></section>'
     '<section><label>Please tell us how this processing impacts you <textarea></textarea></label></section>'
     '<div role="button" tabindex="0" id="send">Send</div>'),
    (_REGION_BAR, f'<div id="objection"><div><div>{FIELDS}</div></div><div role="button" tabindex="0" id="send">Send</div></div>'),
    (_WITH_LANGUAGES, f'<form id="objection">{_FIELDS_2025}<button type="submit" id="send">Send</button></form>'),
    (_REGION_BAR, '<div role="dialog" aria-modal="true" style="position:fixed;inset:10px;background:#fff">'
                  f'<h2>Object to your information being used for AI</h2><form id="objection">{FIELDS}'
                  '<button type="submit" id="send">Send</button></form></div>'),
], ids=["sign-up-and-2025-form", "sign-up-and-sections", "region-bar-and-no-form", "region-bar-with-languages", "form-in-a-dialog"])
def test_the_form_is_told_from_another_box_by_its_heading_its_send_and_its_own_fields(page: Page, before, objection):
    serve(page, f"<main><h1>Object to Your Information Being Used for AI at Meta</h1>{before}{objection}</main>")
    found = flow.locate_form(page, _reached_by_link())
    assert found["send"].locator.get_attribute("id") == "send"
    assert found["country"].locator.evaluate("e => !!e.closest('#objection')")
    assert found["email"].locator.evaluate("e => !e.closest('#news')")


_RES = """<label>Country of residence <select id="res"><option value="">-</option><option value="IE">Ireland</option>
  <option value="PT">Portugal</option></select></label>"""


def ids(found):
    return [found[name].locator.get_attribute("id") for name in ("country", "email", "reason", "send")]


# Three pages from the review of the fourth pass's fixes, where the first of those fixes chose wrongly.
def test_a_second_email_field_in_the_form_and_a_feedback_form_with_a_list_of_its_own(page: Page):
    posts = serve(page, f"""<form>{_RES}<label>Email address <input type="email" id="email"></label>
      <label>Confirm email address <input type="email" id="email2"></label>
      <label>Please tell us how this processing impacts you <textarea id="reason"></textarea></label>
      <button type="button" id="send" onclick="fetch('/x', {{method: 'POST', body: JSON.stringify({{from: 'objection'}})}})">Send</button></form>
      <form><h3>Feedback</h3><label>Reply language <select id="lang"><option value="en">English</option><option value="pt">Português</option></select></label>
      <label>Email (optional) <input type="email" id="fb-email"></label><label>Tell us more <textarea id="fb-text"></textarea></label>
      <button type="button" id="fb-send" onclick="fetch('/x', {{method: 'POST', body: JSON.stringify({{from: 'feedback'}})}})">Send</button></form>""")
    run = make_run()
    found = flow.locate_form(page, run)
    assert ids(found) == ["res", "email", "reason", "send"]
    flow.fill_form(page, found, run)
    with page.expect_response(_a_post):
        found["send"].locator.click()
    expect(page.locator("#lang")).to_have_value("en")
    expect(page.locator("#fb-email")).to_have_value("")
    assert posts == [{"from": "objection"}]


def test_a_dial_code_list_beside_the_email_is_not_the_country(page: Page):
    serve(page, f"""<div><section>{_RES}</section>
      <section><label>Email address <input type="email" id="email"></label>
        <label>Country code <select id="dial"><option value="IE">Ireland (+353)</option><option value="PT">Portugal (+351)</option></select></label>
        <label>Phone (optional) <input type="tel"></label></section>
      <label>Please tell us how this processing impacts you <textarea id="reason"></textarea></label>
      <div role="button" tabindex="0" id="send">Send</div></div>""")
    run = make_run()
    found = flow.locate_form(page, run)
    assert ids(found) == ["res", "email", "reason", "send"]
    flow.fill_form(page, found, run)
    expect(page.locator("#res")).to_have_value("PT")
    expect(page.locator("#dial")).to_have_value("IE")


def test_a_reason_drawn_before_the_country_and_email_block_is_found(page: Page):
    serve(page, f"""<div><label>Please tell us how this processing impacts you <textarea id="reason"></textarea></label>
      <div>{_RES}<label>Email address <input type="email" id="email"></label></div>
      <div role="button" tabindex="0" id="send">Send</div></div>""")
    assert ids(flow.locate_form(page, make_run())) == ["res", "email", "reason", "send"]


def test_a_country_field_only_the_recipe_knows_decides_which_email_field_is_the_forms(page: Page):
    # A typeahead with no role, name or autocomplete that says "country": only its label does.
    serve(page, _HELPFUL + """<div><label>Country of residence <input type="text" id="country"></label>
      <label>Email address <input type="email" id="email"></label>
      <label>Please tell us how this processing impacts you <textarea></textarea></label>
      <div role="button" tabindex="0" id="send">Send</div></div>""")
    found = flow.find_form(page, make_run())
    assert [found[n].locator.get_attribute("id") for n in ("email", "country", "send")] == ["email", "country", "send"]


def test_a_feedback_panel_drawn_before_the_form_is_not_taken_for_an_incomplete_form(page: Page):
    serve(page, _HELPFUL + f"""<div id="later"></div><script>setTimeout(() => later.innerHTML =
      `<div>{FIELDS}<div role="button" tabindex="0" id="send">Send</div></div>`, 400)</script>""")
    run = make_run()
    found = flow.locate_form(page, run)  # before, exit 3: "the form is missing the country field"
    assert found["send"].locator.get_attribute("id") == "send"
    flow.fill_form(page, found, run)
    expect(page.locator("#fb-email")).to_have_value("")
    expect(page.locator("#later input[type=email]")).to_have_value("p@example.eu")


# The fifth red-team pass: a help centre's region picker in a sidebar before the form was taken for
# the country of residence (its change reloads the page); an email box of type text labelled with
# "details" was taken for the reason box too.
_PICKER = """<{tag}><label>Country/region <select id="region" onchange="fetch('/locale', {{method: 'POST',
  body: JSON.stringify({{cc: this.value}})}}).then(() => location.reload())"><option value="">-</option>
  <option value="PT">Portugal</option></select></label></{end}>"""


@pytest.mark.parametrize("sidebar", ["aside", "div role='complementary'"])
def test_a_region_picker_in_a_sidebar_before_the_form_is_not_the_country(page: Page, sidebar):
    posts = serve(page, _PICKER.format(tag=sidebar, end=sidebar.split()[0]) + f"<form>{FIELDS}<button type='button'>Send</button></form>")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    expect(page.locator("form select")).to_have_value("PT")
    expect(page.locator("#region")).to_have_value("")
    assert posts == []


def test_an_email_box_of_type_text_that_speaks_of_details_is_not_the_reason(page: Page):
    serve(page, """<form><label>Country of residence <select><option value="">-</option><option value="PT">Portugal</option></select></label>
      <label>Email address (we will send the details there) <input type="text" name="Field1002"></label>
      <label>Please tell us how this processing impacts you <textarea></textarea></label><button type="button">Send</button></form>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)  # before: the reason typed into the email box, exit 3
    expect(page.locator("input[name=Field1002]")).to_have_value("p@example.eu")
    expect(page.locator("textarea")).to_have_value(run.settings.reason)


def test_a_page_that_reloads_while_the_form_is_filled_stops_with_nothing_sent(page: Page):
    serve(page, f"""<form>{FIELDS.replace('<select>', '<select onchange="location.reload()">')}
      <button type="button">Send</button></form>""")
    run = make_run()
    found = flow.locate_form(page, run)
    with pytest.raises(PageMismatch, match="The page reloaded twice while the bot was filling in the form; nothing was sent") as caught:
        flow.fill_form(page, found, run)
    assert caught.value.hint.startswith("Run again. If it happens every time, Meta may have changed the page.")


def test_a_page_that_reloads_once_while_the_form_is_filled_gets_it_filled_again(page: Page):
    # Red-team pass 19 (g26): an A/B test's one redirect as the country was chosen stopped the run (exit 3),
    # though nothing had been sent and filling the new page in is safe.
    posts = serve(page, f"""<form id="f">{FIELDS.replace('<select>', '<select onchange="if (!sessionStorage.ab) {{ sessionStorage.ab = 1; location.reload(); }}">')}
      <button type="submit">Send</button></form><div role="status" id="done"></div>
      <script>f.onsubmit = e => {{ e.preventDefault(); fetch('/submit', {{method: 'POST', body: JSON.stringify({{
        country: f.querySelector('select').value, email: f.querySelector('[type=email]').value}})}})
        .then(() => {{ done.textContent = "Thanks. We've received your objection."; }}); }};</script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert page.evaluate("sessionStorage.ab") == "1"
    assert flow.send(page, found, run) == "confirmed" and posts == [{"country": "PT", "email": "p@example.eu"}]


@pytest.mark.parametrize("lang, heading", [("en", "Request sent"), ("de", "Anfrage gesendet"), ("fr", "Demande envoyée"),
                                           ("es", "Solicitud enviada"), ("it", "Richiesta inviata"), ("ro", "Solicitare trimisă")])
def test_a_short_request_sent_heading_after_the_code_is_the_confirmation(page: Page, lang, heading):
    serve(page, f"<h2>{heading}</h2><p>p***@example.eu</p>")
    run = make_run()
    assert flow.classify_after(page, run, "code", [page.locator("#gone")], posted=True) == "confirmed"
    assert flow.classify_after(page, run, "code", [page.locator("#gone")], posted=False) is None


def test_thanks_after_send_that_speak_of_a_code_wait_for_its_field(page: Page):
    # The heading is drawn before the code field: taking it for the confirmation would skip the code.
    serve(page, "<h2>Thank you</h2><p>Enter the 6-digit code we emailed you.</p><div id='later'></div>")
    run = make_run()
    assert flow.classify_after(page, run, "send", [page.locator("#gone")], posted=True) is None
    page.evaluate("later.innerHTML = '<label>Code <input inputmode=numeric maxlength=6></label>'")
    assert flow.classify_after(page, run, "send", [page.locator("#gone")], posted=True) == "code"
    serve(page, "<h2>Request sent</h2><p>We will email you when it has been reviewed. <a href='/c'>Code of conduct</a></p>")
    assert flow.classify_after(page, run, "send", [page.locator("#gone")], posted=True) == "confirmed"


def test_fields_named_only_by_the_legend_of_their_fieldset_are_found(page: Page):
    serve(page, """<form><fieldset><legend>Country of residence</legend><select><option value="">-</option>
      <option value="PT">Portugal</option></select></fieldset>
      <fieldset><legend>Email address</legend><input type="text" name="Field1002"></fieldset>
      <fieldset><legend>Contact</legend><input type="text" name="Field1003"><input type="text" name="Field1004"></fieldset>
      <label>Please tell us how this processing impacts you <textarea></textarea></label><button type="button">Send</button></form>""")
    run = make_run()
    found = flow.locate_form(page, run)
    assert found["email"].layer == "legend" and found["email"].locator.get_attribute("name") == "Field1002"
    serve(page, "<p>Check your email.</p><fieldset><legend>Enter code</legend><input type='text' name='Field2001'></fieldset>")
    assert flow.classify_after(page, run, "send", [page.locator("#gone")], posted=True) == "code"
    # A legend over several fields names none of them.
    serve(page, "<fieldset><legend>Your email and code</legend><input name='Field1'><input name='Field2'></fieldset>")
    assert locate.find(page, "email", run.recipe.email) is None


@pytest.mark.parametrize("options", ['<option value="Polska"><option value="Portugal">',
                                     '<option value="PL">Polska</option><option value="PT">Portugal</option>'])
def test_a_country_field_with_a_datalist_gets_the_options_value_typed(page: Page, options):
    serve(page, f"""<form><label>Country of residence <input name="Field1001" list="cc"></label><datalist id="cc">{options}</datalist>
      <label>Email address <input type="email"></label>
      <label>Please tell us how this processing impacts you <textarea></textarea></label><button type="button">Send</button></form>""")
    run = make_run()
    flow.fill_form(page, flow.locate_form(page, run), run)  # before: 5 s per name waiting for a list, then exit 3
    expect(page.locator("input[name=Field1001]")).to_have_value("PT" if "PT" in options else "Portugal")


@pytest.mark.parametrize("text", ["The request sent is not valid. Please try again later.",
                                  "La solicitud enviada no es válida. Inténtalo más tarde.",
                                  "La richiesta inviata non è valida.", "O pedido enviado é inválido.",
                                  "La demande envoyée n'est pas valide.", "Wniosek wysłany jest nieprawidłowy."])
@pytest.mark.parametrize("stage", ["send", "code"])
def test_an_error_that_holds_a_short_confirmation_phrase_is_no_confirmation(page: Page, text, stage):
    serve(page, f"<p role='alert'>{text}</p>")
    assert flow.classify_after(page, make_run(), stage, [page.locator("#gone")], posted=True) != "confirmed"


def test_thanks_beside_the_form_that_speak_of_a_code_wait_for_its_field_too(page: Page):
    serve(page, f"<form id='f'>{FIELDS}<button type='button'>Send</button></form><div id='msg'></div>")
    run = make_run()
    found = flow.locate_form(page, run)
    flow._mark_seen(page, run, code_texts=True)
    page.evaluate("msg.innerHTML = '<h2>Thank you</h2><p>Enter the code we emailed you.</p>'")
    form = [found[n].locator for n in ("email", "reason", "send")]
    assert flow.classify_after(page, run, "send", form, posted=True, stale_errors=True) is None


def test_words_about_a_code_already_on_the_form_page_do_not_hold_back_the_thanks(page: Page):
    serve(page, f"<p>Under the Italian Privacy Code you may object.</p><form id='f'>{FIELDS}<button type='button'>Send</button></form>")
    run = make_run()
    flow.locate_form(page, run)
    flow._mark_seen(page, run, code_texts=True)
    page.evaluate("f.outerHTML = '<h2>Request sent</h2><p>We have received your objection.</p>'")
    assert flow.classify_after(page, run, "send", [page.locator("#f input")], posted=True) == "confirmed"


def test_a_legend_names_the_fieldsets_field_not_its_checkboxes_radios_or_buttons(page: Page):
    serve(page, """<form><label>Country of residence <select><option value="">-</option><option value="PT">Portugal</option></select></label>
      <fieldset><legend>Email address</legend><label><input type=checkbox> use my account's</label><input type="text" name="Field1002"></fieldset>
      <fieldset><legend>How does this processing impact you?</legend><label><input type=radio name=r> A lot</label>
      <textarea name="Field1003"></textarea></fieldset><button type="button">Send</button></form>""")
    run = make_run()
    found = flow.locate_form(page, run)
    assert found["email"].locator.get_attribute("name") == "Field1002"
    assert found["reason"].locator.get_attribute("name") == "Field1003"
    serve(page, "<fieldset><legend>Enter code</legend><input type=submit value=Resend><input type='text' name='Field2001'></fieldset>")
    assert locate.find(page, "code", run.recipe.code).locator.get_attribute("name") == "Field2001"


def test_a_window_closed_while_the_form_is_filled_is_no_reload(page: Page, monkeypatch):
    serve(page, f"<form>{FIELDS}<button type='button'>Send</button></form>")
    run = make_run()
    found = flow.locate_form(page, run)
    choose = flow.choose_country
    monkeypatch.setattr(flow, "choose_country", lambda p, *a, **k: (p.close(), choose(p, *a, **k)))
    with pytest.raises(Exception) as err:
        flow.fill_form(page, found, run)
    assert type(err.value).__name__ == "TargetClosedError"


def test_after_the_code_a_feedback_panel_email_is_no_question_but_the_form_shown_again_is(page: Page):
    thanks = "<p>Thanks. We've received your objection request.</p>"
    serve(page, thanks + _HELPFUL)
    run = make_run()
    assert flow.classify_after(page, run, "code", [page.locator("#gone")], posted=True) == "confirmed"
    serve(page, thanks + f"<form>{FIELDS}<button>Send</button></form>")
    assert flow.classify_after(page, run, "code", [page.locator("#gone")], posted=True) is None


_LOCKED = """<form><label>Country of residence <select disabled><option value="IE">Irlanda</option>
  <option value="PT" {pt}>Portogallo</option></select></label>
  <label>Email address <input type="email"></label><label>Please tell us how this processing impacts you <textarea></textarea></label>
  <button type="button" id="send">Send</button></form>"""


def test_a_country_the_page_locks_is_kept_if_it_is_the_persons_and_refused_if_not(page: Page, monkeypatch):
    monkeypatch.setattr(flow, "LOCKED_WAIT_S", 1)
    serve(page, _LOCKED.format(pt="selected"))
    run = make_run(timeout_s=30)
    started = time.monotonic()
    flow.fill_form(page, flow.locate_form(page, run), run)  # before: 30 s waiting for the list, then exit 1
    assert time.monotonic() - started < 5
    expect(page.locator("textarea")).to_have_value(run.settings.reason)
    serve(page, _LOCKED.format(pt=""))
    with pytest.raises(PageMismatch, match="shows the country 'Irlanda' and does not let it be changed; your settings say Portugal"):
        flow.fill_form(page, flow.locate_form(page, run), run)
    expect(page.locator("input[type=email]")).to_have_value("")


def test_a_country_field_disabled_while_the_page_starts_is_chosen_once_enabled(page: Page):
    serve(page, _LOCKED.format(pt="") + "<script>setTimeout(() => document.querySelector('select').disabled = false, 1500)</script>")
    run = make_run()
    flow.fill_form(page, flow.locate_form(page, run), run)
    expect(page.locator("select")).to_have_value("PT")


def test_metas_temporarily_blocked_page_is_a_refusal(page: Page):
    serve(page, "<h2>You're Temporarily Blocked</h2><p>It looks like you were misusing this feature by going too fast.</p>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "refused"


@pytest.mark.parametrize("html, said", [
    ("<h2>You're Temporarily Blocked</h2><p>It looks like you were misusing this feature by going too fast.</p>",
     "You're Temporarily Blocked"),  # the site's message (error words), as other messages are quoted
    ("<header><h1>Instagram</h1></header><main><h2>Sorry, this page isn't available.</h2><p>The link may be broken.</p></main>",
     "Sorry, this page isn't available."),
])
def test_a_page_without_the_link_that_says_why_is_quoted(page: Page, html, said):
    # Red-team pass 14: blocked and unavailable pages ended with only "Meta may have changed the page".
    serve(page, html)
    with pytest.raises(PageMismatch) as caught:
        flow.reach_form(page, make_run(allow_fallback=False, settle_s=0.2))
    assert f'The page says: "{said}"' in caught.value.message and "try again later" in caught.value.hint


def test_a_chat_with_its_own_send_before_a_form_without_a_form_element_is_never_pressed(page: Page):
    show_form(page, f"""<div role="complementary" aria-label="Chats"><div role="textbox" contenteditable="true" aria-label="Message"></div>
      <div role="button" tabindex="0" aria-label="Send" id="chat-send">➤</div></div>
      <div>{FIELDS}<button id="send">Send</button></div>""")
    found = flow.locate_form(page, make_run())
    assert found["send"].locator.get_attribute("id") == "send"


@pytest.mark.parametrize("text", [
    "Wir haben deinem Widerspruch stattgegeben. Du erhältst eine Bestätigung per E-Mail.",
    "Votre opposition a été acceptée. Nous n’utiliserons plus vos informations publiques.",
    "Je bezwaar is gehonoreerd. We gebruiken je openbare informatie niet meer.",
    "La tua opposizione è stata accolta. Non utilizzeremo più le tue informazioni pubbliche.",
    "Your objection has been applied. We won’t use your public information for AI at Meta.",  # red-team pass 14
    "Dein Widerspruch wurde umgesetzt. Ab jetzt nutzen wir deine öffentlichen Informationen nicht mehr für KI bei Meta.",
])
def test_thanks_in_other_words_confirm(page: Page, text):
    serve(page, f"<p>{text}</p>")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) == "confirmed"


@pytest.mark.parametrize("text", [
    "Votre opposition n'a pas été acceptée.",
    "La tua opposizione non è stata accolta.",
    "Je bezwaar is niet gehonoreerd.",
    "Wir haben deinem Widerspruch nicht stattgegeben.",
    "Your objection has not been applied.",
    "Dein Widerspruch wurde nicht umgesetzt.",
    "Your request was not received.",
    "Widerspruch nicht umgesetzt.",
])
def test_the_same_words_negated_are_no_confirmation_words(page: Page, text):
    # Asked of the confirmation words alone: error words would answer 'refused' before them.
    serve(page, f"<p>{text}</p>")
    assert locate.count(flow._confirmations(page, make_run())) == 0


# Written from the languages themselves, not from the recipe's lists: one thanks and one failure each.
@pytest.mark.parametrize("lang, thanks, failure", [
    ("sv", "Tack! Vi har tagit emot din begäran.", "Din begäran kunde inte skickas."),
    ("da", "Tak. Vi har modtaget din anmodning.", "Din anmodning kunne ikke sendes."),
    ("nb", "Takk! Vi har mottatt forespørselen din.", "Forespørselen din kunne ikke sendes."),
    ("fi", "Kiitos! Olemme vastaanottaneet pyyntösi.", "Pyyntöäsi ei voitu lähettää."),
    ("cs", "Děkujeme. Vaši žádost jsme obdrželi.", "Vaši žádost se nepodařilo odeslat."),
    ("sk", "Ďakujeme. Vašu žiadosť sme prijali.", "Vašu žiadosť sa nepodarilo odoslať."),
    ("el", "Ευχαριστούμε. Λάβαμε το αίτημά σας.", "Δεν ήταν δυνατή η υποβολή του αιτήματός σας."),
    ("hu", "Köszönjük! Megkaptuk a kérését.", "Nem sikerült elküldeni a kérését."),
    ("bg", "Благодарим ви. Получихме заявката ви.", "Заявката ви не беше изпратена."),
    ("hr", "Hvala. Primili smo vaš zahtjev.", "Vaš zahtjev nije poslan."),
    ("sl", "Hvala. Vašo zahtevo smo prejeli.", "Vaše zahteve ni bilo mogoče poslati."),
    ("lt", "Ačiū. Gavome jūsų užklausą.", "Jūsų užklausos nepavyko išsiųsti."),
    ("lv", "Paldies! Mēs saņēmām jūsu pieprasījumu.", "Jūsu pieprasījumu neizdevās nosūtīt."),
    ("et", "Aitäh! Oleme teie taotluse kätte saanud.", "Teie taotlust ei õnnestunud saata."),
])
def test_thanks_and_failure_in_the_later_languages(page: Page, lang, thanks, failure):
    for text, result in ((thanks, "confirmed"), (failure, "refused")):
        serve(page, f"<html lang='{lang}'><p>{text}</p></html>")
        assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) == result, text


@pytest.mark.parametrize("stem, inside, alone", [
    ("επιτυχ", "Η υποβολή ήταν ανεπιτυχής.", "Η υποβολή ήταν επιτυχής."),
    ("успешно", "Заявката е изпратена неуспешно.", "Заявката е изпратена успешно."),
])
def test_a_word_start_in_greek_and_cyrillic_is_not_the_middle_of_a_word(page: Page, stem, inside, alone):
    pattern = recipe.compiled((stem,), "word")
    page.set_content(f"<p id='a'>{alone}</p><p id='b'>{inside}</p>")
    assert [p.get_attribute("id") for p in page.get_by_text(pattern).all()] == ["a"]


def test_a_tell_us_more_box_under_the_thanks_after_the_code_asks_nothing_more(page: Page):
    serve(page, """<p>Thanks. We've received your objection request.</p>
      <form><label>How was your experience? Tell us more (optional) <textarea></textarea></label><button>Send</button></form>""")
    run = make_run()
    assert flow.classify_after(page, run, "code", [page.locator("#gone")], posted=True) == "confirmed"
    # Right after Send, a new box beside thanks may still be the form asking for more.
    assert flow.classify_after(page, run, "send", [page.locator("#gone")], posted=True) is None


@pytest.mark.parametrize("name, answer", [
    # Red-team pass 17: a survey opened over the thanks after the code held them back (exit 4, no receipt).
    ("aria-label='Feedback'", "confirmed"),
    ("aria-label='Umfrage'", "confirmed"),
    # A dialog that does not say it is for feedback may ask for anything: no answer yet.
    ("aria-label='One more thing'", None),
])
def test_a_survey_dialog_over_the_thanks_after_the_code_asks_nothing_more(page: Page, name, answer):
    serve(page, f"""<h2>Thanks. We've received your objection request.</h2><div role="dialog" aria-modal="true" {name}>
      <div role="heading" aria-level="2">How was your experience?</div><div role="button" tabindex="0">Good</div>
      <label>Anything else? (optional) <input type="text" name="more"></label><div role="button" tabindex="0">Not now</div></div>""")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) == answer


@pytest.mark.parametrize("button, lang", [("Submit feedback", "en"), ("Feedback senden", "de"), ("Envoyer votre avis", "fr")])
def test_thanks_after_send_over_a_feedback_form_is_the_answer(page: Page, button, lang):
    # Found by red-team pass 13: a no-code thanks page with "Was this helpful? Tell us more (optional)"
    # and "Submit feedback" below waited out --timeout and ended "no confirmation appeared" (exit 4).
    serve(page, f"""<html lang="{lang}"><h2>Thanks, we've received your objection</h2><p>We'll honour it from now on.</p>
      <form><h3>Was this helpful?</h3><label>Tell us more (optional) <textarea></textarea></label>
      <input type="email" placeholder="Email (optional)"><button>{button}</button></form></html>""")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "confirmed"


def test_a_form_around_the_thanks_and_a_field_is_no_feedback_box(page: Page):
    # Review: one outer form held the thanks, a field that asks more, and a "Submit feedback" button.
    serve(page, """<form><h2>Thanks, we've received your objection</h2><label>Date of birth <input></label>
      <button>Submit feedback</button></form>""")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) is None


def test_thanks_after_send_beside_a_field_that_is_not_feedback_is_no_answer_and_said_so(page: Page):
    serve(page, """<h2>Thanks, we've received your objection</h2>
      <form><label>Tell us how this processing affects you <textarea></textarea></label><button>Send</button></form>
      <form><label>Tell us more <textarea></textarea></label><button>Submit feedback</button></form>""")
    run = make_run()
    assert flow.classify_after(page, run, "send", [page.locator("#gone")], posted=True) is None
    assert flow._thanks_held_back(page, run) == "the page says \"Thanks, we've received your objection\", but it also shows a field to fill in"


_REQUIRED = f"""<form>{FIELDS}<label><input type="checkbox" required> I confirm that the information I've provided is accurate</label>
  <button type="submit" id="send">Send</button></form>"""


def test_a_declaration_the_form_requires_stops_an_unattended_run_before_send(page: Page):
    posts = serve(page, _REQUIRED)
    run = make_run()
    found = flow.locate_form(page, run)
    with pytest.raises(PageMismatch, match="requires .I confirm that the information I've provided is accurate."):
        flow.fill_form(page, found, run)
    assert posts == [] and not page.locator("input[type=checkbox]").is_checked()


def test_a_declaration_the_form_requires_is_left_to_the_person_in_a_window(page: Page, capsys):
    serve(page, _REQUIRED)
    run = make_run(headless=False, submit="manual")
    run.report = Reporter(json_events=True)
    flow.fill_form(page, flow.locate_form(page, run), run)
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert any("fill it in in the window before Send" in line for line in said)
    assert not page.locator("input[type=checkbox]").is_checked()


@pytest.mark.parametrize("lang", ["is", "tr-TR", "uk"])
def test_a_form_in_a_language_the_recipe_does_not_read_is_not_sent_unattended(page: Page, lang):
    page.set_content(f"<html lang='{lang}'><form>{FIELDS}<button type='submit'>Senda</button></form></html>")
    with pytest.raises(PageMismatch, match="does not read yet.*Nothing was filled in or sent") as raised:
        flow.locate_form(page, make_run())
    assert f"({lang})" in str(raised.value)
    assert page.locator("input[type=email]").input_value() == ""


def test_a_form_in_a_language_the_recipe_does_not_read_is_filled_in_a_window_with_a_warning(page: Page, capsys):
    page.set_content(f"<html lang='is-IS'><form>{FIELDS}<button type='submit'>Senda</button></form></html>")
    run = make_run(headless=False, submit="manual")
    run.report = Reporter(json_events=True)
    assert set(flow.locate_form(page, run)) == {"country", "email", "reason", "send"}
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert any(line.startswith("This form is in Icelandic (is-IS), a language the bot does not read yet") for line in said)


def test_a_form_drawn_anew_when_the_country_is_chosen_is_filled_and_sent_all_the_same(page: Page):
    # As a framework may do: a fresh <form> (none of the bot's marks) with the choice kept.
    posts = serve(page, f"""<aside><form><label>Tell us how we can improve <textarea></textarea></label>
      <button type="button">Send</button></form></aside><form id="objection">{FIELDS}<button type="button" id="send">Send</button></form>
      <script>
        const wire = f => f.querySelector('#send').onclick = () => fetch('/submit', {{method: 'POST',
          body: JSON.stringify({{country: f.querySelector('select').value, reason: f.querySelector('textarea').value}})}});
        wire(objection);
        objection.querySelector('select').onchange = e => {{
          const old = e.target.form, fresh = old.cloneNode(true);
          for (const el of [fresh, ...fresh.querySelectorAll('*')])
            for (const a of [...el.attributes]) if (a.name.startsWith('data-optout')) el.removeAttribute(a.name);
          fresh.querySelector('select').value = e.target.value;
          old.replaceWith(fresh); wire(fresh);
        }};
      </script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with page.expect_response(_a_post):
        found["send"].locator.click()
    assert posts == [{"country": "PT", "reason": run.settings.reason}]


class _Codes:
    """Codes as if typed at the terminal, one per request; None once they run out."""

    def __init__(self, *codes: str):
        self.codes = list(codes)

    def request(self):
        pass

    def take(self, timeout):
        return self.codes.pop(0) if self.codes else None


class _BothPlaces(_Codes):
    """The person types the code into the page and presses Confirm, then types it at the terminal too
    (`settled`: only once the page shows Meta's answer)."""

    def __init__(self, page: Page, settled: bool):
        super().__init__("314159")
        self.page, self.settled = page, settled

    def take(self, timeout):
        if self.codes:
            self.page.evaluate("code.value = '314159'; ok.click()")
            if self.settled:
                self.page.get_by_text("received your objection").wait_for()
        return super().take(timeout)


# Confirm draws a spinner in place of the step at once (as React pages do), Meta's thanks later.
_CODE_ANSWERED_LATER = """<div id="k"><label>Enter code <input id="code" maxlength="6" autocomplete="one-time-code"></label>
  <button type="button" id="ok">Confirm</button></div>
  <script>ok.onclick = () => { const sent = code.value; k.innerHTML = '<div role="progressbar" aria-busy="true">Checking</div>';
    fetch('/code', {method: 'POST', body: JSON.stringify({code: sent})})
      .then(() => { k.innerHTML = "<p>Thanks. We've received your objection.</p>"; }); };</script>"""


@pytest.mark.parametrize("settled", [False, True], ids=["answer-on-its-way", "answer-shown"])
def test_a_code_given_in_the_window_and_at_the_terminal_is_sent_once_and_its_answer_taken(page: Page, settled):
    # Found by red-team pass 17: the bot typed the terminal's code into a field the window's Confirm
    # had taken away, and a confirmed objection ended "something unexpected went wrong" (exit 1) or
    # "Confirm could not be pressed; the code was not sent" (exit 3), without its receipt.
    posts = serve(page, _CODE_ANSWERED_LATER)
    run = make_run(code="either", headless=False)
    run.inbox = _BothPlaces(page, settled)
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159"}]


@pytest.mark.parametrize("shown, result", [
    ("<p>Thanks. We've received your objection request.</p>", "confirmed"),
    # The code step's own words around a field the bot does not know: no thanks to take.
    ("<p>Thanks. We've received your objection request.</p><p>Enter the code we sent to your email.</p>", PageMismatch),
])
def test_a_code_step_already_answered_in_the_window_is_taken(page: Page, shown, result):
    # Red-team pass 17: the person confirmed the code in the window before the bot looked for its
    # field; the run ended "cannot find the six-digit code field" (exit 3) while Meta had confirmed.
    serve(page, shown)
    run = make_run(code="browser", headless=False)
    if result is PageMismatch:
        with pytest.raises(PageMismatch, match="cannot find"):
            flow.enter_code(page, run)
    else:
        assert flow.enter_code(page, run) == result


def test_a_code_meta_is_still_checking_after_the_windows_confirm_is_not_sent_again(page: Page, monkeypatch):
    # Review of red-team pass 17's fix: the window's Confirm still on its way (its field unchanged),
    # the bot typed the terminal's code and pressed Confirm again: the code went twice.
    posts, waiting = [], []

    def slow(route):
        if route.request.method == "POST":
            posts.append(route.request.post_data_json)
            waiting.append(route)  # Meta answers later, while the bot waits
        else:
            route.fulfill(status=200, content_type="text/html", body=f"<html lang='en'><title>{OBJECTION_TITLE}</title><body>"
                          "<div id='k'><label>Enter code <input id='code' maxlength='6' autocomplete='one-time-code'></label>"
                          "<button type='button' id='ok'>Confirm</button></div><script>ok.onclick = () => fetch('/code', "
                          "{method: 'POST', body: JSON.stringify({code: code.value})}).then(() => { k.innerHTML = "
                          "\"<p>Thanks. We've received your objection.</p>\"; });</script></body></html>")

    page.route("https://help.instagram.com/**", slow)
    page.goto(FORM_URL)
    real_wait = flow.wait_for_change

    def meta_answers(*args, **kwargs):
        while waiting:
            waiting.pop().fulfill(status=200, content_type="application/json", body='{"ok": true}')
        return real_wait(*args, **kwargs)

    monkeypatch.setattr(flow, "wait_for_change", meta_answers)
    run = make_run(code="either", headless=False)
    run.inbox = _BothPlaces(page, settled=False)
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159"}]


def test_a_code_field_away_for_a_moment_gets_the_terminals_code_when_it_is_back(page: Page):
    # Review of red-team pass 17's fix: a step hidden for a moment (nobody gave a code in the window)
    # was waited out and ended "After the code was confirmed, ... unknown" with no code ever sent.
    posts = serve(page, """<div id="k"><label>Enter code <input id="code" maxlength="6" autocomplete="one-time-code"></label>
      <button type="button" id="ok">Confirm</button></div>
      <script>ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value})})
        .then(() => { k.innerHTML = "<p>Thanks. We've received your objection.</p>"; });</script>""")

    class Redrawn(_Codes):
        def take(self, timeout):
            if self.codes:
                page.evaluate("k.hidden = true; setTimeout(() => k.hidden = false, 800)")
            return super().take(timeout)

    run = make_run(code="either", headless=False)
    run.inbox = Redrawn("314159")
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159"}]


_EXPIRING_CODE = """<label>Enter code <input id="code" maxlength="6" autocomplete="one-time-code"></label>
  <button type="button" id="ok">Confirm</button><div id="out"></div>
  <script>ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value})})
    .then(() => { out.innerHTML = '<div role="alert">This code has expired. Request a new code to confirm your request.</div>'; });</script>"""


@pytest.mark.parametrize("said, more", [
    ("This code has expired. Request a new code to confirm your request.", ""),
    # Red-team pass 17: "no longer valid" was no error at all (exit 4, "no confirmation or error appeared").
    ("This code is no longer valid. Request a new code to confirm your request.", ""),
    # Found by red-team pass 9: locked after the first wrong code, the field was disabled, and the
    # next code's fill waited out the timeout: "something unexpected went wrong" (exit 1).
    ("You have entered an incorrect code too many times. Try again later.", "code.disabled = true;"),
])
def test_an_expired_code_or_a_lock_out_ends_an_unattended_run_at_once(page: Page, said, more):
    posts = serve(page, _EXPIRING_CODE.replace("This code has expired. Request a new code to confirm your request.", said)
                  .replace(".then(() => {", ".then(() => { " + more))
    run = make_run(code="stdin")
    run.inbox = _Codes("314159", "271828")
    flow.watch_posts(page, run)
    with pytest.raises(Rejected, match=f"Meta did not accept the code: {said[:30]}"):
        flow.enter_code(page, run)
    assert posts == [{"code": "314159"}]


def test_stdin_that_ends_after_the_sites_answer_to_a_code_says_so(page: Page, capsys):
    # Red-team pass 14: after the site's answer to the code, the run said to "give the six-digit code
    # on its own line", though it had been given.
    said = "The code you entered is incorrect."
    posts = serve(page, _EXPIRING_CODE.replace("This code has expired. Request a new code to confirm your request.", said))
    run = make_run(code="stdin")
    run.report = Reporter(json_events=True)
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    with pytest.raises(PersonTimeout) as ended:
        flow.enter_code(page, run)
    assert ended.value.message == "Standard input ended after the site's answer to the code 314159; no other code was given."
    assert "on its own line" not in ended.value.hint and "something went wrong, wait" in ended.value.hint
    assert f"The site says: {said[:-1]}" in capsys.readouterr().out
    assert posts == [{"code": "314159"}]


@pytest.mark.parametrize("said", ["Something went wrong. Please try again later.",
                                  "Ocorreu um erro ao processar sua solicitação. Tente novamente mais tarde."])
def test_an_error_beside_the_code_field_that_names_no_code_is_a_refusal_not_a_wrong_code(page: Page, said):
    # Red-team pass 25 (a25, b01): Meta's own trouble after the right code was taken for a wrong code;
    # the run asked for another and, given the same code again, pressed Confirm with it a second time.
    # A message that names neither a code nor its expiry is the site's answer to the request (exit 8).
    # (Words misread the other way, Italian "Si è verificato un errore" read as about a "verifica"
    # code, still count as a wrong code, as every such message did before.)
    posts = serve(page, _EXPIRING_CODE.replace("This code has expired. Request a new code to confirm your request.", said))
    run = make_run(code="stdin")
    run.inbox = _Codes("314159", "314159", "271828")
    flow.watch_posts(page, run)
    with pytest.raises(Rejected, match=f"Meta refused the request: {said[:30]}"):
        flow.enter_code(page, run)
    assert posts == [{"code": "314159"}]


def test_a_code_the_site_has_just_refused_is_not_typed_again(page: Page, capsys):
    # Red-team pass 25 (b01): the same code twice on standard input was typed and confirmed twice.
    posts = serve(page, _EXPIRING_CODE.replace("This code has expired. Request a new code to confirm your request.",
                                               "The code you entered is incorrect."))
    run = make_run(code="stdin")
    run.inbox = _Codes("111111", "111111")
    flow.watch_posts(page, run)
    with pytest.raises(PersonTimeout, match="Standard input ended after the site's answer to the code 111111"):
        flow.enter_code(page, run)
    assert posts == [{"code": "111111"}]
    assert "The site already refused the code 111111; the bot did not type it again" in capsys.readouterr().err


def test_a_code_field_disabled_only_while_the_page_works_takes_the_next_code(page: Page):
    # Found by review: a field disabled for a moment after a wrong code was taken for a lock-out.
    posts = serve(page, """<label>Enter code <input id="code" maxlength="6" autocomplete="one-time-code"></label>
      <button type="button" id="ok">Confirm</button><div id="out"></div>
      <script>ok.onclick = () => { code.disabled = true; fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value})})
        .then(() => { if (code.value === '271828') { document.body.innerHTML = "<p>Thanks. We've received your objection.</p>"; return; }
          out.innerHTML = '<div role="alert">The code you entered is incorrect.</div>';
          setTimeout(() => code.disabled = false, 1500); }); };</script>""")
    run = make_run(code="stdin")
    run.inbox = _Codes("314159", "271828")
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159"}, {"code": "271828"}]


@pytest.mark.parametrize("lines, said", [
    ("We couldn't confirm your request\nYou've entered an incorrect code too many times.",
     "We couldn't confirm your request. You've entered an incorrect code too many times."),
    ("This code has expired. A new code has been\nsent to your email.", "This code has expired. A new code has been sent to your email."),
])
def test_a_sites_message_on_several_lines_reads_as_sentences(lines, said):
    assert flow._sentences(lines) == said


def test_a_new_code_sent_on_a_line_of_its_own_is_still_a_new_code(page: Page):
    # Found by review: a period put after "has been" split the sentence that says a new code was sent.
    serve(page, "<div role='alert'>This code has expired. A new code has been<br>sent to your email.</div>")
    said = flow.site_message(page, make_run(), lines=True)
    assert IG.says_expired(said) and IG.says_new_code_sent(said)


def test_an_expired_code_in_a_window_asks_for_a_new_one(page: Page, capsys):
    posts = serve(page, _EXPIRING_CODE)
    run = make_run(code="stdin", headless=False)
    run.inbox, run.report = _Codes("314159", "271828"), Reporter(json_events=True)
    flow.watch_posts(page, run)
    with pytest.raises(PersonTimeout):  # the codes ran out
        flow.enter_code(page, run)
    assert posts == [{"code": "314159"}, {"code": "271828"}]
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert any("Ask Meta for a new code in the window" in line for line in said)


_COOKIES_OVER_CODE = """<div id="k"><label>Confirmation code <input id="code" maxlength="6" autocomplete="one-time-code"></label>
  <button type="button" id="ok">Confirm</button></div>
  <script>ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value, cookies: window.choice || null})})
    .then(() => { k.outerHTML = "<p>Thanks. We've received your objection request.</p>"; });
    const cover = () => window.choice || document.getElementById('d') || document.body.insertAdjacentHTML('beforeend', `<div id="d"
      style="position:fixed;inset:0;background:rgba(0,0,0,.6)"><div role="dialog" aria-modal="true" style="background:#fff">
      Allow the use of cookies from Instagram by this browser?
      <button onclick="window.choice='all'; d.remove()">Allow all cookies</button>
      <button onclick="window.choice='essential'; d.remove(); fetch('/cookies', {method: 'POST', body: '{}'})">Decline optional cookies</button></div></div>`);
    %s</script>"""


@pytest.mark.parametrize("when", ["cover();", "code.addEventListener('focus', cover);"], ids=["with-the-code-step", "on-typing"])
def test_a_cookie_dialog_over_the_code_step_is_declined_before_confirm(page: Page, when):
    # Found by red-team pass 7: the click on Confirm timed out under the dialog, and the run said
    # "Typed the code ... and pressed Confirm", then that it was unknown whether Meta had it.
    posts = serve(page, _COOKIES_OVER_CODE % when)
    run = make_run(code="stdin")
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{}, {"code": "314159", "cookies": "essential"}]  # the cookie choice, then the code


def test_a_cookie_choice_that_reloads_the_code_step_gets_the_code_typed_again(page: Page):
    # Found by review: the code was typed before the dialog was declined, and the choice reloaded
    # the page: Confirm sent an empty code.
    posts = serve(page, """<label>Confirmation code <input id="code" maxlength="6" autocomplete="one-time-code"></label>
      <button type="button" id="ok">Confirm</button><div id="out"></div>
      <script>const chosen = document.cookie.includes('choice=');
        ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value, cookies: chosen})})
          .then(() => { out.innerHTML = "<p>Thanks. We've received your objection request.</p>"; code.remove(); });
        code.addEventListener('focus', () => chosen || document.getElementById('d') || document.body.insertAdjacentHTML('beforeend',
          `<div id="d" style="position:fixed;inset:0;background:#fff"><div role="dialog">Allow the use of cookies from Instagram by this browser?
          <button>Allow all cookies</button>
          <button onclick="document.cookie = 'choice=essential'; location.reload()">Decline optional cookies</button></div></div>`));</script>""")
    run = make_run(code="stdin")
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159", "cookies": True}]


def test_a_press_that_got_through_after_another_layer_took_an_attempt_is_never_said_unsent(page: Page):
    # Found by review: a layer takes the first attempt and goes; the next attempt presses, but the
    # page stays busy past the timeout before its POST. "Nothing was sent" would be false.
    serve(page, f"""<div>{FIELDS}<button id="send">Send</button></div>
      <script>send.onclick = () => {{ window.clicked = true; const t = Date.now(); while (Date.now() - t < 2500);
          fetch('/submit', {{method: 'POST', body: '{{}}'}}); }};
        send.addEventListener('mouseover', () => {{ document.body.insertAdjacentHTML('beforeend',
          '<div id="ov" role="dialog" style="position:fixed;inset:0;background:#fff">Rate your experience</div>');
          setTimeout(() => ov.remove(), 800); }}, {{once: true}});</script>""")
    run = make_run(timeout_s=2)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(Unreachable, match="it is unknown whether Meta received the form"):
        flow.send(page, found, run)
    page.wait_for_function("() => window.clicked === true")


def test_a_confirm_that_cannot_be_pressed_says_the_code_was_not_sent(page: Page, capsys):
    # Not a cookie dialog: something the bot does not dismiss covers Confirm.
    posts = serve(page, _COOKIES_OVER_CODE.replace("Allow the use of cookies from Instagram by this browser?", "Rate your experience")
                  .replace("Allow all cookies", "Great").replace("Decline optional cookies", "Bad") % "cover();")
    run = make_run(code="stdin", timeout_s=2)
    run.inbox, run.report = _Codes("314159"), Reporter(json_events=True)
    flow.watch_posts(page, run)
    with pytest.raises(PageMismatch, match="Confirm could not be pressed .*; the code was not sent"):
        flow.enter_code(page, run)
    assert posts == []
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert not any("pressed Confirm" in line for line in said)


@pytest.mark.parametrize("expired", ["This code has expired. We've sent you a new code.",
                                     "Den här koden har gått ut. Vi har skickat en ny kod till dig.",
                                     "Ta koda ni več veljavna. Poslali smo vam novo kodo."])
def test_an_expired_code_that_meta_replaced_itself_takes_the_next_code_unattended(page: Page, capsys, expired):
    posts = serve(page, f"""<label>Enter code <input id="code" maxlength="6" autocomplete="one-time-code"></label>
      <button type="button" id="ok">Confirm</button><div id="out"></div>
      <script>let n = 0; ok.onclick = () => fetch('/code', {{method: 'POST', body: JSON.stringify({{code: code.value}})}})
        .then(() => {{ if (n++) document.body.innerHTML = "<h2>Thanks. We've received your objection request.</h2>";
                       else out.innerHTML = {json.dumps(f'<div role="alert">{expired}</div>')}; }});</script>""")
    run = make_run(code="stdin")
    run.inbox, run.report = _Codes("314159", "271828"), Reporter(json_events=True)
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159"}, {"code": "271828"}]
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert any("Give the new code from Meta's newest email" in line for line in said)


# --- an independent review of the above ----------------------------------------------------

def test_the_form_shown_again_after_the_code_is_no_thanks_whatever_its_intro_says(page: Page):
    serve(page, f"""<p>If your objection is honoured, it will be applied going forward.</p>
      <form><label>Email address <input type="email" value="p@example.eu" readonly></label>{FIELDS.split('<label>Email')[0]}
      <label>Please tell us how this processing impacts you <textarea></textarea></label><button>Send</button></form>""")
    assert flow.classify_after(page, make_run(), "code", [page.locator("#gone")], posted=True) is None


@pytest.mark.parametrize("send", [
    '</form><div class="footer"><button type="button" id="send">Send</button></div>',
    '</form><p>Check your answers.</p><button type="submit" form="f" id="send">Send</button>',
])
def test_a_send_button_drawn_outside_the_form_is_found_after_the_email(page: Page, send):
    show_form(page, f'<button type="button">Send</button><form id="f">{FIELDS}{send}')
    assert flow.locate_form(page, make_run())["send"].locator.get_attribute("id") == "send"


_WIDGET = ('<div style="position:fixed;right:0;bottom:0"><p>Questions? Write to us.</p><label>Country <select><option value="">-</option>'
           '<option value="PT">Portugal</option></select></label><label>Email <input type="text"></label>'
           '<label>Message <textarea></textarea></label><div role="button">Send</div></div>')


@pytest.mark.parametrize("body", [
    # Red-team pass 13: a help widget before the form in the markup was filled and sent instead of it.
    _WIDGET + f'<form id="f">{FIELDS}<button id="send">Send</button></form>',
    # ... while a form in a dialog, which floats too, is still the form.
    f'<div role="dialog" style="position:fixed;inset:0;background:#fff"><form id="f">{FIELDS}<button id="send">Send</button></form></div>',
], ids=["widget-before-form", "form-in-a-dialog"])
def test_a_help_widget_floating_over_the_page_is_no_form(page: Page, body):
    show_form(page, body)
    found = flow.locate_form(page, make_run())
    assert [found[name].locator.evaluate("e => !!e.closest('#f')") for name in ("country", "email", "reason", "send")] == [True] * 4


def test_a_help_widgets_empty_fields_ask_nothing_once_the_form_is_found(page: Page):
    show_form(page, _WIDGET + f'<form id="f">{FIELDS}<button id="send">Send</button></form>')
    run = make_run()
    flow.locate_form(page, run)
    flow._mark_seen(page, run)
    page.evaluate("f.outerHTML = '<h2>Thanks, we have received your objection.</h2>'")
    assert flow.classify_after(page, run, "code", [page.locator("#f")], posted=True) == "confirmed"


@pytest.mark.parametrize("fields, send", [
    # Red-team pass 13: each was "missing the Send button" or "missing the email address field"
    # (exit 3), or pressed the feedback box's button.
    (FIELDS, '<button type="button" id="send">📨 Send</button>'),  # type=button: only its name tells
    (FIELDS.replace("Email address", "E\u2011Mail\u2011Adresse").replace('type="email"', 'type="text"'), '<button id="send">Send</button>'),
    (FIELDS, '<button type="button" id="send">Widerspruch absenden</button>'),
    (FIELDS + '<p>Was this page helpful?</p><button>Yes</button><button>No</button><button>Submit feedback</button>',
     '<button id="send">Send</button>'),
], ids=["emoji", "non-breaking-hyphens", "de-widerspruch-absenden", "feedback-before-send"])
def test_icons_hyphens_and_feedback_buttons_around_the_form(page: Page, fields, send):
    show_form(page, f'<form id="f">{fields}{send}</form>')
    found = flow.locate_form(page, make_run())
    assert found["email"] is not None and found["send"].locator.get_attribute("id") == "send"


@pytest.mark.parametrize("form, send", [
    ("<form novalidate>", '<button type="submit">Send</button>'),
    ("<form>", '<button type="button">Send</button>'),
    ("<form>", '<button type="submit" formnovalidate>Send</button>'),
    ("<form>", '<label hidden>Name of the child <input required></label><button type="submit">Send</button>'),
], ids=["novalidate", "button-send", "formnovalidate", "hidden-field"])
def test_what_the_browser_does_not_check_is_not_asked_for(page: Page, form, send):
    # The page's script checks such a form, and a field it hides is not asked: a required name the
    # browser would not stop Send for is no reason to stop (the control below: it would).
    required = "" if "hidden" in send else "<label>Name of the child <input required></label>"
    show_form(page, f"""{form}{FIELDS}{required}{send}</form>""")
    run = make_run()
    flow.fill_form(page, flow.locate_form(page, run), run)  # no PageMismatch
    show_form(page, f"""<form>{FIELDS}<label>Name of the child <input required></label><button type="submit">Send</button></form>""")
    with pytest.raises(PageMismatch, match="Name of the child"):
        flow.fill_form(page, flow.locate_form(page, run), run)


def test_a_required_choice_is_named_by_its_question(page: Page):
    show_form(page, f"""<form>{FIELDS}<fieldset><legend>Are you over 18?</legend>
      <label><input type="radio" name="adult" required> Yes</label><label><input type="radio" name="adult"> No</label></fieldset>
      <button type="submit">Send</button></form>""")
    run = make_run()
    with pytest.raises(PageMismatch, match="requires 'Are you over 18\\?', which"):
        flow.fill_form(page, flow.locate_form(page, run), run)


def _sending_form(page: Page, extra: str = "") -> list[dict]:
    return serve(page, f"""<form id="f">{FIELDS}{extra}<button type="submit" id="send">Send</button></form>
      <script>f.onsubmit = e => {{ e.preventDefault(); fetch('/submit', {{method: 'POST', body: JSON.stringify({{
        email: f.querySelector('input[type=email]').value}})}}).then(() => {{ f.outerHTML = "<p>Thanks. We've received your objection request.</p>"; }}); }};
      </script>""")


def _person(monkeypatch, *answers):
    """The person at the terminal: each answer is (what they do in the window first, y or n)."""
    queue = list(answers)

    def answer(question, keep_waiting=None):
        act, yes = queue.pop(0)
        act()
        return yes

    monkeypatch.setattr(flow.person, "ask_yes_no", answer)


def test_send_pressed_in_the_window_while_the_terminal_asks_is_not_pressed_again(page: Page, monkeypatch):
    posts = _sending_form(page)

    def press_and_be_answered():  # Meta answers before the person answers the terminal
        with page.expect_event("requestfinished"):
            page.locator("#send").click()
        page.get_by_text("received your objection").wait_for()

    _person(monkeypatch, (press_and_be_answered, True))
    run = make_run(submit="ask", headless=False, wait_minutes=0.25)  # a miss ends in 15 s, not 15 minutes
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]


def test_send_pressed_by_the_person_and_never_answered_is_not_reported_as_nothing_sent(page: Page, monkeypatch):
    posts = serve(page, f"""<form id="f">{FIELDS}<button type="submit" id="send">Send</button></form>
      <script>f.onsubmit = e => {{ e.preventDefault(); fetch('/submit', {{method: 'POST', body: '{{}}'}}); }};</script>""")
    # The person reads the note and presses Send; the page shows nothing.
    found, run = _filled_for_the_person(page, monkeypatch, lambda: page.locator("#send").click())
    with pytest.raises(Unreachable, match="Send was pressed, but no code field, confirmation or error appeared; it is unknown"):
        flow.send(page, found, run)
    assert posts == [{}]


def _filled_for_the_person(page: Page, monkeypatch, act) -> tuple[dict, flow.Run]:
    """The form found and filled for --submit manual (waits of 6 s); `act` is what the person
    does in the window once the bot's note tells them to press Send."""
    shown = flow.person.show_note

    def note_then_act(page_, text, kind):
        shown(page_, text, kind)
        act()

    monkeypatch.setattr(flow.person, "show_note", note_then_act)
    run = make_run(submit="manual", headless=False, wait_minutes=0.1)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    return found, run


def test_a_person_asked_to_check_a_form_without_a_reason_box_is_not_asked_about_a_reason(page: Page, monkeypatch, capsys):
    # Found by review: the bot said the form has no box for a reason, then asked to check the reason.
    posts = serve(page, """<form id="f"><label>Country of residence <select><option value="">-</option>
      <option value="PT">Portugal</option></select></label><label>Email address <input type="email"></label>
      <button type="submit" id="send">Send</button></form>
      <script>f.onsubmit = e => { e.preventDefault(); fetch('/submit', {method: 'POST', body: '{}'})
        .then(() => { f.outerHTML = "<p>Thanks. We've received your objection request.</p>"; }); };</script>""")
    notes = []
    monkeypatch.setattr(flow.person, "show_note", lambda page_, text, kind: (notes.append(text), page.locator("#send").click()))
    run = make_run(submit="manual", headless=False, wait_minutes=0.1)
    run.layers["link"] = "role"  # reached by the right-to-object link: the box may be missing
    run.report = Reporter(json_events=True)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    flow.send(page, found, run)
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    turn = next(line for line in said if "press Send there" in line)
    assert "Check the country and email in the browser window" in turn and "reason" not in turn
    assert notes and "Check country and email below" in notes[0] and "reason" not in notes[0]
    assert posts == [{}]


def test_a_cookie_choice_that_posts_while_the_person_never_presses_send_is_no_press(page: Page, monkeypatch):
    # A POST alone is no press: the page's own traffic, or a cookie choice, posts too.
    posts = serve(page, f"""<form id="f">{FIELDS}<button type="submit" id="send">Send</button></form>
      <button type="button" id="decline" onclick="fetch('/cookies', {{method: 'POST', body: '{{}}'}})">Only allow essential cookies</button>""")

    def decline():
        with page.expect_event("requestfinished"):
            page.locator("#decline").click()

    found, run = _filled_for_the_person(page, monkeypatch, decline)
    with pytest.raises(PersonTimeout, match="Waited 0.1 minutes for Send to be pressed; stopping. The bot did not see it pressed.") as stop:
        flow.send(page, found, run)
    assert "If you did press Send, check your email" in stop.value.hint  # the page posted: say what to check
    assert posts == [{}]  # the cookie choice's, not the form's


def test_a_person_who_never_presses_send_is_told_nothing_was_sent(page: Page, monkeypatch):
    posts = _sending_form(page)
    found, run = _filled_for_the_person(page, monkeypatch, lambda: None)
    with pytest.raises(PersonTimeout, match="Waited 0.1 minutes for Send to be pressed; stopping. Nothing was sent."):
        flow.send(page, found, run)
    assert posts == []


def test_a_send_pressed_by_the_bot_and_not_yet_answered_counts_as_sent_for_ctrl_c(page: Page):
    from optout_bot import cli

    held = []
    _sending_form(page)
    page.route("**/submit", lambda route: held.append(route))  # Meta never answers
    run = make_run(timeout_s=1)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(Unreachable, match="did not answer"):
        flow.send(page, found, run)
    assert len(held) == 1 and run.posts == 0
    # A Ctrl-C here is told the form may have reached Meta, not "nothing was sent".
    assert cli._was_sent(run) and cli._what_was_sent(run) == "Send was pressed"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_python_dropped_while_filling_stops_before_send_is_pressed(page: Page):
    posts = _sending_form(page)
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with flow.person.ctrl_c_kept():
        flow.person._ctrl_c.set()  # as the handler does when its KeyboardInterrupt lands in a weakref callback
        with pytest.raises(KeyboardInterrupt):
            flow.send(page, found, run)
    assert posts == [] and not run.pressed


def test_a_form_drawn_anew_while_the_terminal_asks_still_gets_send_pressed(page: Page, monkeypatch):
    posts = _sending_form(page)

    def redraw():  # as a framework may: a fresh <form>, values kept, none of the bot's marks
        page.evaluate("""() => { const old = document.getElementById('f'), fresh = old.cloneNode(true);
          for (const el of [fresh, ...fresh.querySelectorAll('*')])
            for (const a of [...el.attributes]) if (a.name.startsWith('data-optout')) el.removeAttribute(a.name);
          fresh.querySelector('input[type=email]').value = old.querySelector('input[type=email]').value;
          fresh.onsubmit = old.onsubmit; old.replaceWith(fresh); }""")

    _person(monkeypatch, (redraw, True))
    run = make_run(submit="ask", headless=False)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]


def test_a_yes_before_the_required_box_is_ticked_is_asked_again(page: Page, monkeypatch, capsys):
    posts = _sending_form(page, '<label><input type="checkbox" id="tick" required> The information is accurate</label>')
    _person(monkeypatch, (lambda: None, True), (lambda: page.locator("#tick").check(), True))
    run = make_run(submit="ask", headless=False)
    run.report = Reporter(json_events=True)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert "The form still requires 'The information is accurate': fill it in in the window, then answer again." in said


@pytest.mark.parametrize("puts_back", [True, False])
def test_a_page_that_puts_its_own_address_back_is_not_sent(page: Page, puts_back):
    # Found by red-team pass 10 (1 run in 3): the account's address came back 50 ms after the field
    # lost focus, after the bot had read it, and the form went with that address.
    back = ("email.addEventListener('blur', () => setTimeout(() => { email.value = 'sanne.devries@ziggo.nl'; }, 50));"
            if puts_back else "")
    posts = serve(page, f"""<form id="f">{FIELDS.replace('type="email"', 'type="email" id="email" value="sanne.devries@ziggo.nl"')}
      <button type="submit">Send</button></form>
      <script>{back} f.onsubmit = e => {{ e.preventDefault(); fetch('/submit', {{method: 'POST', body: JSON.stringify({{email: email.value}})}})
        .then(() => {{ f.outerHTML = "<p>Thanks. We've received your objection request.</p>"; }}); }};</script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    if puts_back:
        with pytest.raises(PageMismatch, match=r"put its own address \(s\*\*\*@ziggo.nl\) back .* nothing was sent"):
            flow.fill_form(page, found, run)
        assert posts == []
    else:
        flow.fill_form(page, found, run)
        assert flow.send(page, found, run) == "confirmed" and posts == [{"email": "p@example.eu"}]


def test_a_review_dialog_between_send_and_the_request_stops_at_once_saying_nothing_was_sent(page: Page):
    # Found by red-team pass 10: the run waited its whole --timeout, then said to check the email (exit 4).
    posts = serve(page, f"""<div role="dialog" aria-label="Help">Need help? Chat with us.</div>
      <form id="f">{FIELDS}<button type="submit">Send</button></form>
      <script>f.onsubmit = e => {{ e.preventDefault(); document.body.insertAdjacentHTML('beforeend',
        '<div role="dialog" aria-modal="true"><h2>Review your request</h2><button>Edit</button><button>Submit</button></div>'); }};</script>""")
    run = make_run(timeout_s=15)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    started = time.monotonic()
    with pytest.raises(PageMismatch, match="After Send the page opened a dialog \\('Review your request'\\) and sent nothing") as caught:
        flow.send(page, found, run)
    assert time.monotonic() - started < 8 and "--submit manual" in caught.value.hint
    assert posts == []


def test_a_send_that_stays_disabled_says_so_and_what_to_do(page: Page):
    # Found by red-team pass 10: a Send enabled only after ticking a box was "covered by something".
    show_form(page, f"<form>{FIELDS}<label><input type='checkbox' onchange='send.disabled = !this.checked'> I confirm</label>"
                    "<button type='submit' id='send' disabled>Send</button></form>")
    run = make_run(timeout_s=1)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(PageMismatch, match="Send stayed disabled; nothing was sent") as caught:
        flow.send(page, found, run)
    assert "Run with a window (--submit manual)" in caught.value.hint


def test_a_send_that_sends_nothing_is_not_reported_as_sent(page: Page):
    show_form(page, f"<form>{FIELDS}<button type='button'>Send</button></form>")  # a script that never came
    run = make_run(timeout_s=1)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(Unreachable, match="the page sent no request and showed no answer"):
        flow.send(page, found, run)


# A required field the bot does not fill, checked by the page's script: its complaint is written
# into an alert that was there, empty, before Send.
_EXTRA_REQUIRED = f"""<form>{FIELDS}<label>Confirm your email address <input type="email" id="again"></label>
  <div role="alert" id="err"></div><button type="button" id="send">Send</button></form><div role="alert" id="answer"></div>
  <script>send.onclick = () => {{ if (!again.value) {{ err.textContent = 'This field is required.'; return; }}
    const values = [...document.querySelectorAll('select, input, textarea')].map(e => e.value);
    fetch('/submit', {{method: 'POST', body: JSON.stringify(values)}}).then(() => {{ answer.textContent = 'Something went wrong. Please try again later.'; }}); }};</script>"""


def test_a_field_the_page_requires_and_the_bot_does_not_fill_stops_with_nothing_sent(page: Page):
    posts = serve(page, _EXTRA_REQUIRED)
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(PageMismatch, match="The page did not send the form; it says: This field is required. Nothing reached Meta"):
        flow.send(page, found, run)
    assert posts == []


def test_an_answer_written_into_an_alert_that_was_empty_is_meta_refusing(page: Page):
    posts = serve(page, _EXTRA_REQUIRED.replace('id="again"', 'id="again" value="p@example.eu"'))
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(Rejected, match="Meta refused the form: Something went wrong"):
        flow.send(page, found, run)
    assert len(posts) == 1


# Meta's pages log clicks with POSTs of their own; the form's own POST carries what was filled in.
_LOG_CLICK = "fetch('/log', {method: 'POST', body: JSON.stringify({event: 'click', target: 'send'})});"


@pytest.mark.parametrize("check, log", [
    ("reason.value.trim().length < 20 ? 'Please give us more detail (at least 20 characters).' : ''", _LOG_CLICK),
    ("'Please choose what you are objecting to.'", _LOG_CLICK),
    ("'Please choose what you are objecting to.'", "fetch('/log?event=click', {method: 'POST'});"),  # nothing in its body
], ids=["reason-too-short", "a-choice-left-empty", "a-log-with-no-body"])
def test_the_pages_own_check_beside_its_click_logging_is_no_refusal_by_meta(page: Page, check, log):
    # Found by red-team pass 18 (f21, f22): the click's logging POST made the page's own check "Meta refused the form" (exit 8).
    posts = serve(page, f"""<div>{FIELDS.replace('<textarea>', '<textarea id="reason">')}<div role="alert" id="err"></div>
      <div role="button" tabindex="0" id="send">Send</div></div>
      <script>send.onclick = () => {{ {log} const said = {check}; if (said) {{ err.textContent = said; return; }}
        fetch('/submit', {{method: 'POST', body: JSON.stringify({{email: document.querySelector('[type=email]').value}})}}); }};</script>""")
    run = make_run()
    run.settings.reason = "No AI."
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(PageMismatch, match="The page did not send the form; it says: Please (give us more detail|choose what).*"
                                           r"\(its own logging, it seems\): most likely nothing reached Meta") as caught:
        flow.send(page, found, run)
    assert len(posts) == 1 and "email" not in posts[0]
    assert "OPTOUT_REASON" in caught.value.hint and "--submit manual" in caught.value.hint


@pytest.mark.parametrize("body", [
    # URL-encoded ('+' and '@' written as %2B, %40), with the content type Playwright reads back
    "new URLSearchParams({Field1: email.value, Field2: 'PT'}).toString(), headers: {'content-type': 'application/x-www-form-urlencoded'}",
    "JSON.stringify({variables: JSON.stringify({input: {contact: email.value}})})",  # GraphQL's variables as a string in JSON
    "JSON.stringify({text: reason.value})",  # the address left out, the reason in
    # ... its quotes and letters escaped as \uXXXX, inside a JSON string of their own
    "JSON.stringify({q: JSON.stringify({text: reason.value}).replace(/[\\u007f-\\uffff]/g, c => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))})",
], ids=["urlencoded", "json-in-json", "reason-only", "reason-escaped"])
def test_a_refusal_after_the_forms_own_post_beside_click_logging_is_metas(page: Page, body):
    posts = serve(page, f"""<div>{FIELDS.replace('<textarea>', '<textarea id="reason">').replace('type="email"', 'type="email" id="email"')}
      <div role="alert" id="err"></div><div role="button" tabindex="0" id="send">Send</div></div>
      <script>send.onclick = () => {{ {_LOG_CLICK}
        fetch('/submit', {{method: 'POST', body: {body}}}).then(() => {{ err.textContent = 'Something went wrong. Please try again later.'; }}); }};</script>""")
    run = make_run()
    run.settings.email = "p.person+ai@example.eu"
    run.settings.reason = 'Não "autorizo"  o uso\tdas minhas fotos.'
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(Rejected, match="Meta refused the form: Something went wrong"):
        flow.send(page, found, run)
    assert len(posts) == 2


def test_an_address_with_an_international_domain_is_typed_as_the_browser_keeps_it(page: Page):
    # Found in review: the email field keeps p@bücher.de as p@xn--bcher-kva.de, so the bot stopped with
    # "The email field did not keep the address typed into it" (exit 3) before Send.
    from optout_bot.config import Settings

    posts = _answered_with(page, "<p>Thanks. We've received your objection request.</p>")
    run = make_run()
    run.settings = Settings(email="p@bücher.de", country="PT", _env_file=None)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed" and posts == [{"email": "p@xn--bcher-kva.de"}]


def test_a_review_dialog_after_click_logging_stops_at_once_saying_nothing_was_sent(page: Page):
    posts = serve(page, f"""<form id="f">{FIELDS}<button type="submit">Send</button></form>
      <script>f.onsubmit = e => {{ e.preventDefault(); {_LOG_CLICK} document.body.insertAdjacentHTML('beforeend',
        '<div role="dialog" aria-modal="true"><h2>Review your request</h2><button>Edit</button><button>Submit</button></div>'); }};</script>""")
    run = make_run(timeout_s=15)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    started = time.monotonic()
    with pytest.raises(PageMismatch, match="After Send the page opened a dialog \\('Review your request'\\) and did not send the form; "
                                           ".*its own logging, it seems\\): most likely nothing reached Meta"):
        flow.send(page, found, run)
    assert time.monotonic() - started < 8 and posts == [{"event": "click", "target": "send"}]


def test_a_send_that_only_logs_its_click_and_shows_nothing_is_said_as_such(page: Page):
    # helper-75's review: this said "The form was sent, but no code field ... appeared", though what left
    # the browser carried neither the address nor the reason. Still exit 4: the bot cannot be sure.
    posts = serve(page, f"""<div>{FIELDS}<div role="button" tabindex="0" id="send">Send</div></div>
      <script>send.onclick = () => {{ {_LOG_CLICK} }};</script>""")
    run = make_run(timeout_s=1.5)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    with pytest.raises(Unreachable, match="Send was pressed, but no code field, confirmation or error appeared. What the page "
                                          r"posted carried neither your address nor your reason \(its own logging, it seems\): "
                                          "most likely nothing reached Meta, but the bot cannot be sure"):
        flow.send(page, found, run)
    assert posts == [{"event": "click", "target": "send"}]


def test_a_form_sent_to_a_server_that_does_not_answer_is_not_called_unsent(page: Page):
    # Saying "nothing reached Meta" here would invite a second objection.
    html = (f"<html lang='en'><title>{OBJECTION_TITLE}</title><form>{FIELDS}<button type='button' id='send'>Send</button></form>"
            "<script>send.onclick = () => fetch('/submit', {method: 'POST', body: 'x'});</script></html>")
    with _filled_on_slow_site(page, html, answer_after_s=4, timeout_s=1.5) as (found, run, posts):
        with pytest.raises(Unreachable, match="The form was sent, but Meta's server did not answer within 1.5 seconds; it is unknown"):
            flow.send(page, found, run)
        assert len(posts) == 1


def test_a_new_code_counts_as_sent_only_when_the_site_says_it_sent_one():
    assert IG.says_new_code_sent("Dieser Code ist abgelaufen. Wir haben dir einen neuen Code gesendet.")
    assert IG.says_new_code_sent("Ce code a expiré. Nous vous avons envoyé un nouveau code.")
    assert not IG.says_new_code_sent("This code has expired. Request a new code to confirm your request.")
    assert not IG.says_new_code_sent("The code we sent has expired. Request a new one.")


def test_a_code_that_is_wrong_or_expired_is_one_wrong_try_not_an_expiry():
    assert IG.says_expired("This code has expired. Request a new code to confirm your request.")
    assert not IG.says_expired("The code you entered is incorrect or has expired.")
    assert not IG.says_expired("Der Code ist falsch oder abgelaufen.")


@pytest.mark.parametrize("lang", ["und", "x-default", ""])
def test_a_language_tag_that_names_no_language_stops_nothing(page: Page, lang):
    show_form(page, f"<html lang='{lang}'><form>{FIELDS}<button type='submit'>Send</button></form></html>")
    assert set(flow.locate_form(page, make_run())) == {"country", "email", "reason", "send"}


def test_a_page_in_an_unread_language_whose_fields_are_not_found_says_so_not_that_meta_changed_it(page: Page):
    page.set_content("""<html lang='is'><form><label>Netfang <input name="netfang"></label>
      <div role="button">Senda</div></form></html>""")
    with pytest.raises(PageMismatch, match=r"Icelandic \(is\), a language the bot does not read yet"):
        flow.locate_form(page, make_run(headless=False, submit="manual"))



# --- a third red-team pass: objections for other purposes, codes that send themselves ---------

def test_of_several_right_to_object_links_the_one_about_ai_is_followed_not_direct_marketing_or_ads(page: Page):
    assert _chosen_link(page, """<section><h3>Direct marketing</h3><p>You have the <a href="/help/contact/1">right to object</a>
      to your information being used for direct marketing.</p></section>
      <section><h3>Ads</h3><p>You have the <a href="/help/contact/2">right to object</a> to processing of your information
      for ads based on legitimate interests.</p></section>
      <section><h3>AI at Meta</h3><p>You have the <a href="/help/contact/9">right to object</a> to your information being
      used for AI at Meta.</p></section>""") == "/help/contact/9"


def test_a_link_named_for_another_purpose_is_never_taken(page: Page):
    assert _chosen_link(page, """<html lang="de"><h2>Widerspruchsrecht</h2>
      <p>Du kannst jederzeit <a href="/help/contact/1">der Direktwerbung widersprechen</a>.</p>
      <p>Du kannst <a href="/help/contact/2">der Verarbeitung für Werbeanzeigen widersprechen</a>.</p>
      <p>Du hast das Recht, der Verwendung deiner Informationen für KI bei Meta <a href="/help/contact/9">zu widersprechen</a>.</p>
      </html>""") == "/help/contact/9"


@pytest.mark.parametrize("title", ["Object to direct marketing", "Object to processing for personalised ads",
                                   "Widerspruch gegen die Verarbeitung zu Werbezwecken", "Opposition à des fins publicitaires"])
def test_a_form_for_objecting_to_another_purpose_is_never_filled(page: Page, title):
    page.set_content(f"<h1>{title}</h1><form>{FIELDS}<button type='submit'>Send</button></form>")
    with pytest.raises(PageMismatch, match="This is not the objection form"):
        flow.locate_form(page, make_run())


@pytest.mark.parametrize("others", [
    "<h2 hidden>Advertising</h2>",  # not shown
    "<aside><h2>Werbung und Anzeigen</h2></aside>",  # a sidebar's
    "<h2>Les métiers de Meta</h2>",  # 'tiers' and 'métiers': words are matched from their start
])
def test_the_objection_form_is_not_refused_for_a_heading_that_is_not_its_own(page: Page, others):
    page.set_content(f"<h1>Object to Your Information Being Used for AI at Meta</h1>{others}<form>{FIELDS}<button type='submit'>Send</button></form>")
    assert set(flow.locate_form(page, make_run())) == {"country", "email", "reason", "send"}


@pytest.mark.parametrize("title, lang", [
    ("Request a copy of your information", "en"),
    ("Anfrage zu deinen Daten bei Meta", "de"),
    ("Kinderschutz: Anfrage zu deinen Daten", "de"),  # 'KI' is a whole word in capitals, not 'Kinder'
    ("Mi solicitud de datos personales", "es"),  # nor Spanish 'mi' for Latvian and Hungarian 'MI'
])
def test_a_form_that_says_nothing_of_objecting_or_ai_is_not_filled_unattended(page: Page, title, lang):
    # Meta's other request forms ask for the same fields, and their thanks reads like the objection's.
    posts = serve(page, f"<h1>{title}</h1><form>{FIELDS}<button type='submit'>Send</button></form>",
                  title=f"{title} | Instagram Help Center")
    page.evaluate(f"document.documentElement.lang = '{lang}'")
    with pytest.raises(PageMismatch, match="does not say it is for objecting to AI use.*Nothing was filled in or sent") as raised:
        flow.locate_form(page, make_run())
    assert title in str(raised.value)
    assert page.locator("input[type=email]").input_value() == "" and posts == []


def test_a_sidebar_about_ai_does_not_make_another_form_the_objection_form(page: Page):
    serve(page, f"""<aside><h2>Generative AI at Meta</h2><a href="/privacy/genai">Your right to object</a></aside>
      <nav><a href="/help/ai">Meta AI</a></nav><h1>Request a copy of your information</h1>
      <form><p>Tell us what you need.</p>{FIELDS}<button type='submit'>Send</button></form>""", title="Instagram Help Center")
    with pytest.raises(PageMismatch, match="does not say it is for objecting"):
        flow.locate_form(page, make_run())


@pytest.mark.parametrize("intro", [
    "If you want to object to your information being used for AI at Meta, fill in this form.",
    "Du hast das Recht, der Verwendung deiner Informationen für KI bei Meta zu widersprechen.",
    "Voit vastustaa tietojesi käyttöä tekoälyn kehittämiseen.",
])
def test_a_form_whose_title_says_nothing_is_known_by_its_own_words(page: Page, intro):
    # A page titled only by the help centre: the form's own words say what it is for.
    serve(page, f"<div role='main'><form><p>{intro}</p>{FIELDS}<button type='submit'>Send</button></form></div>",
          title="Instagram Help Center")
    assert set(flow.locate_form(page, make_run())) == {"country", "email", "reason", "send"}


def test_a_form_that_says_nothing_of_objecting_is_filled_in_a_window_with_a_warning(page: Page, capsys):
    serve(page, f"<h1>Request a copy of your information</h1><form>{FIELDS}<button type='submit'>Send</button></form>",
          title="Instagram Help Center")
    run = make_run(headless=False, submit="manual")
    run.report = Reporter(json_events=True)
    found = flow.locate_form(page, run)
    said = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["message"] for e in said if e["event"] == "warning"] == [
        "This form does not say it is for objecting to AI use (its title: 'Instagram Help Center | Request a copy of your information'). "
        "Look at it in the window; send it only if it is the objection form."]
    assert "objection form" in run.caution and set(found) == {"country", "email", "reason", "send"}


def test_a_link_to_a_section_of_the_page_is_no_link_to_the_form(page: Page):
    page.set_content("""<p>Jump to your <a href="#right-to-object">right to object</a>.</p><h2 id="right-to-object">Your rights</h2>""")
    assert flow.classify_start(page, make_run()) is None


def _code_page_without_confirm(page: Page, field: str, sends_on: str, extra: str = "") -> list[dict]:
    """A code step with no Confirm button; its field sends the code on `sends_on` ('keyup' once six
    digits are in, 'later' 1.5 s after that, 'enter' as a form's implicit submission, or 'never')."""
    script = {"keyup": "code.addEventListener('keyup', () => code.value.length === 6 && send());",
              "later": "code.addEventListener('input', () => code.value.length === 6 && setTimeout(send, 1500));",
              "enter": "code.form.addEventListener('submit', e => { e.preventDefault(); send(); });",
              "never": ""}[sends_on]
    return serve(page, f"""<form><label>Enter code {field}</label>{extra}</form><div id="out"></div><script>
      const code = document.getElementById('code');
      const send = () => fetch('/code', {{method: 'POST', body: JSON.stringify({{code: code.value}})}})
        .then(() => {{ out.innerHTML = "<p>Thanks. We've received your objection request.</p>"; code.remove(); }});
      {script}</script>""")


_OTP = '<input id="code" autocomplete="one-time-code" maxlength="6">'


@pytest.mark.parametrize("field", [_OTP, '<input id="code" type="tel" maxlength="6" inputmode="numeric">'])
@pytest.mark.parametrize("sends_on", ["keyup", "later"])
def test_a_code_field_without_confirm_gets_the_code_sent_once(page: Page, field, sends_on):
    posts = _code_page_without_confirm(page, field, sends_on)
    run = make_run(code="stdin")
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    flow.enter_code(page, run)
    assert posts == [{"code": "314159"}]


@pytest.mark.parametrize("field_sends, answer_ms", [("code", 300), ("code", 0), ("nothing", 0), ("a log", 0)])
def test_a_code_field_that_sends_itself_beside_a_confirm_gets_the_code_sent_once(page: Page, field_sends, answer_ms):
    # Left from red-team pass 14: the page sent the code as its sixth digit went in, and the bot's
    # press of Confirm sent it a second time. Review: an answer drawn at once was taken for old news.
    # A page's own logging as the digits go in (a POST with a timestamp) is no code sent.
    on_input = {"code": "code.value.length === 6 && send();", "nothing": "",
                "a log": "fetch('/log', {method: 'POST', body: JSON.stringify({t: '17' + code.value + '000', ev: 'input'})});"}
    posts = serve(page, f"""<form><label>Enter code {_OTP}</label><button type="button" id="ok">Confirm</button></form>
      <div id="out"></div><script>
      const code = document.getElementById('code');
      const answer = () => {{ out.innerHTML = "<p>Thanks. We've received your objection request.</p>"; code.form.remove(); }};
      const send = () => fetch('/code', {{method: 'POST', body: JSON.stringify({{code: code.value}})}})
        .then(() => setTimeout(answer, {answer_ms}));
      ok.onclick = send; code.addEventListener('input', () => {{ {on_input[field_sends]} }});</script>""")
    run = make_run(code="stdin")
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert [p for p in posts if "code" in p] == [{"code": "314159"}]
    assert len(posts) == (2 if field_sends == "a log" else 1)


def test_a_person_typing_into_a_code_field_without_confirm_is_not_told_to_press_confirm(page: Page, monkeypatch, capsys):
    # Found by review: the note and the terminal said "press Confirm" where the page has none.
    posts = _code_page_without_confirm(page, _OTP, "keyup")
    notes = []
    # The person types a moment after reading the note (at once, the bot would take the thanks for old news).
    typed_later = "setTimeout(() => { code.value = '314159'; code.dispatchEvent(new KeyboardEvent('keyup')); }, 300)"
    monkeypatch.setattr(flow.person, "show_note", lambda page_, text, kind: (notes.append(text), page.evaluate(typed_later)))
    run = make_run(code="browser", headless=False, wait_minutes=0.2)  # a missed answer fails fast, not in 15 minutes
    run.report = Reporter(json_events=True)
    flow.watch_posts(page, run)
    flow.enter_code(page, run)
    said = " ".join(json.loads(line)["message"] for line in capsys.readouterr().out.splitlines())
    assert "into the browser window (the page sends it itself once it is whole)" in said and "Confirm" not in said
    assert notes == ["Type the six-digit code from Meta's email into the page (the page sends it itself once it is whole)."]
    assert posts == [{"code": "314159"}]


def test_thanks_in_a_dialog_over_the_code_step_confirm_a_code_the_person_typed_in_the_page(page: Page, monkeypatch):
    # Left over from red-team pass 13: the dialog's thanks counted only for a code given at the
    # terminal; typed in the page, the run waited until the person's time ran out.
    posts = serve(page, """<label>Enter code <input id="code" maxlength="6"></label><button id="ok">Confirm</button>
      <script>ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value})}).then(() =>
        document.body.insertAdjacentHTML('beforeend', '<div role="dialog" aria-modal="true"><h2>Thanks, we’ve received'
          + ' your objection</h2><p>We’ll apply it from now on.</p><div role="button">Close</div></div>'));</script>""")
    typed_later = "setTimeout(() => { code.value = '314159'; ok.click(); }, 300)"
    monkeypatch.setattr(flow.person, "show_note", lambda page_, text, kind: page.evaluate(typed_later))
    run = make_run(code="browser", headless=False, wait_minutes=0.2)  # missed, it ends in 12 s with PersonTimeout
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159"}]


def test_thanks_in_another_language_than_the_form_s_for_a_code_typed_in_the_page_are_read(page: Page, monkeypatch):
    # Review of e63a659: answers read in the form page's languages only; the in-page path never read
    # them in every language, and waited until the person's time ran out.
    posts = serve(page, """<label>Enter code <input id="code" maxlength="6"></label><button id="ok">Confirm</button>
      <script>ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value})}).then(() =>
        document.body.insertAdjacentHTML('beforeend', '<div role="dialog" aria-modal="true"><h2>Bedankt</h2>'
          + '<p>We hebben je verzoek ontvangen.</p></div>'));</script>""")
    monkeypatch.setattr(flow.person, "show_note", lambda page_, text, kind: page.evaluate("setTimeout(() => { code.value = '314159'; ok.click(); }, 300)"))
    # Read in ~4 s; the person's time (which the code before ran out) is wide for a loaded machine: 12 s was not.
    run = make_run(code="browser", headless=False, wait_minutes=0.5)
    run.every_language, run.recipe = run.recipe, run.recipe.narrowed({"en"})  # as after an English form
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"code": "314159"}] and run.every_language is None


def test_an_old_error_still_on_screen_after_the_person_asks_for_a_new_code_is_no_answer(page: Page, monkeypatch, capsys):
    # The in-page path reads a still page after a POST as the answer only for thanks: the person's
    # last press may have been "Send a new code", which leaves the last code's error where it was.
    posts = serve(page, """<p role="alert">That code isn't right. Check it and try again.</p>
      <label>Enter code <input id="code" maxlength="6"></label><button id="ok">Confirm</button>
      <button id="again">Send a new code</button><div id="out"></div>
      <script>again.onclick = () => fetch('/resend', {method: 'POST', body: JSON.stringify({resend: true})});
        ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({code: code.value})}).then(() =>
          { out.innerHTML = "<p>Thanks. We've received your objection request.</p>"; code.remove(); });</script>""")
    # A new code asked for at once; typed and confirmed 3 s later (the page stays still in between).
    person_acts = "again.click(); setTimeout(() => { code.value = '314159'; ok.click(); }, 3000)"
    monkeypatch.setattr(flow.person, "show_note", lambda page_, text, kind: page.evaluate(person_acts))
    run = make_run(code="browser", headless=False, wait_minutes=0.2)
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"resend": True}, {"code": "314159"}]
    assert "The site says" not in capsys.readouterr().err


@pytest.mark.parametrize("sends_on, extra", [
    ("never", ""),
    ("enter", ""),  # Enter is never pressed: in another form it may press a Send or a 'new code' button
    ("never", '<button onclick="fetch(\'/resend\', {method: \'POST\', body: \'{}\'})">Send me a new code</button>'),
])
def test_a_code_field_without_confirm_that_sends_nothing_is_left_to_the_person(page: Page, sends_on, extra):
    posts = _code_page_without_confirm(page, _OTP, sends_on, extra)
    run = make_run(code="stdin", timeout_s=2)
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    with pytest.raises(PageMismatch, match="did not send the code"):
        flow.enter_code(page, run)
    assert posts == []


def test_six_phone_number_boxes_are_the_code(page: Page):
    page.set_content("<label>Enter code</label><div>" + "".join(
        f'<input type="tel" maxlength="1" aria-label="Digit {i}">' for i in range(1, 7)) + "</div><button>Confirm</button>")
    hit = locate.find(page, "code", IG.code, read="e => e.maxLength")
    assert hit is not None and hit.value == 1


@pytest.mark.parametrize("lang, label", [("de", "➤ Senden"), ("en", "\ue163 Send"), ("fr", "› Envoyer")])
def test_a_send_button_whose_name_begins_with_a_glyph_is_the_send(page: Page, lang, label):
    # An arrow or an icon font's glyph is text, so part of the accessible name, before the word.
    show_form(page, f"""<html lang="{lang}"><body><form>{_RES}<label>Email <input type="email" id="email"></label>
      <label>How this processing impacts you <textarea id="reason"></textarea></label>
      <div role="button" tabindex="0" id="again">↻ Resend</div><div role="button" tabindex="0" id="send">{label}</div></form>""")
    assert ids(flow.locate_form(page, make_run())) == ["res", "email", "reason", "send"]


_ALREADY_ELSEWHERE = {  # the mock speaks the other 14 languages; these were written by hand
    "da": "Du har allerede gjort indsigelse mod brugen af dine oplysninger til AI hos Meta. Du behøver ikke at indsende formularen igen.",
    "nb": "Du har allerede protestert mot bruken av informasjonen din til AI hos Meta. Du trenger ikke å sende inn skjemaet på nytt.",
    "fi": "Olet jo vastustanut tietojesi käyttöä Metan tekoälyssä. Sinun ei tarvitse lähettää lomaketta uudelleen.",
    "sk": "Už ste podali námietku proti používaniu vašich informácií na AI v Meta. Tento formulár nemusíte odosielať znova.",
    "hu": "Már tiltakoztál az ellen, hogy a Meta a mesterséges intelligenciához használja az adataidat. Nem kell újra elküldened ezt az űrlapot.",
    "hr": "Već ste uložili prigovor na korištenje vaših podataka za AI u Meti. Ne morate ponovno slati ovaj obrazac.",
    "sl": "Ugovor ste že vložili. Tega obrazca vam ni treba poslati znova.",
    "lt": "Jūs jau pateikėte prieštaravimą dėl savo informacijos naudojimo „Meta“ DI. Šios formos pateikti dar kartą nereikia.",
    "lv": "Jūs jau iebildāt pret savas informācijas izmantošanu Meta MI. Šī veidlapa nav jāiesniedz atkārtoti.",
    "et": "Olete juba esitanud vastuväite oma teabe kasutamisele Meta tehisintellektis. Seda vormi ei pea uuesti saatma.",
}


def _already_texts():
    from optout_bot.mock_site import FIXTURES, LANGUAGES
    for lang in LANGUAGES:
        texts = json.loads((FIXTURES / "strings" / f"{lang}.json").read_text("utf-8"))
        yield lang, f"<h2>{texts['already_title']}</h2><p>{texts['already_text']}</p>"
    yield from ((lang, f"<p>{text}</p>") for lang, text in _ALREADY_ELSEWHERE.items())
    yield from ((lang, f"<p>{text}</p>") for lang, text in _ALREADY_IN_OTHER_WORDS.items())


_ALREADY_IN_OTHER_WORDS = {  # a second hand's wording, which the first lists missed
    "ro": "Ți-ai exprimat deja obiecția față de utilizarea informațiilor tale pentru AI la Meta.",
    "lv": "Jūs jau esat iebildis pret savas informācijas izmantošanu mākslīgajam intelektam uzņēmumā Meta.",
    # Red-team pass 7's wording (before: exit 4, "unknown whether Meta received it").
    "fr": "Vous avez déjà envoyé une opposition. Votre opposition est déjà prise en compte : vous n'avez rien d'autre à faire.",
    "it": "Hai già inviato un'opposizione. La tua opposizione all'uso delle tue informazioni per l'IA di Meta è già attiva.",
    "pl": "Sprzeciw został już przez Ciebie zgłoszony. Twój sprzeciw już obowiązuje, nie musisz nic więcej robić.",
    "pt": "Você já enviou uma objeção. Sua objeção ao uso das suas informações para a IA da Meta já está em vigor.",
    "sv": "Du har redan skickat en invändning. Din invändning gäller redan, så du behöver inte göra något mer.",
    "cs": "Námitku jste už odeslali. Vaše námitka už platí, nemusíte nic dalšího dělat.",
}


@pytest.mark.parametrize("lang, stage, text", [
    ("fr", "send", "Nous vous avons déjà envoyé un e-mail. Consultez votre boîte de réception."),
    ("sv", "send", "Vi har redan skickat ett e-postmeddelande till dig. Kolla din inkorg."),
    ("it", "code", "Ti abbiamo già inviato un codice. Controlla la tua e-mail."),
    ("fr", "code", "Nous vous avons déjà envoyé un code. Vérifiez vos e-mails."),
    ("pt", "code", "Você já enviou o código. Verifique seu e-mail.")])
def test_already_sent_an_email_or_a_code_is_not_already_objected(page: Page, lang, stage, text):
    # Found by review: "already sent" alone was taken for "you already objected".
    serve(page, f"<html lang='{lang}'><div id='f'>{FIELDS}<button id='send'>Send</button></div></html>")
    run = make_run()
    flow._mark_seen(page, run)
    page.evaluate("t => { f.outerHTML = '<p>' + t + '</p>'; }", text)
    assert flow.classify_after(page, run, stage, [page.locator("#gone")], posted=True) != "already"


@pytest.mark.parametrize("lang, html", list(_already_texts()))
def test_already_objected_in_every_language_is_neither_thanks_nor_a_refusal(page: Page, lang, html):
    # "You don't need to send this form again" holds words a refusal uses ("skicka", "send"): it must not read as one.
    serve(page, f"<html lang='{lang}'>{html}</html>")
    assert flow.classify_after(page, make_run(), "send", [page.locator("#gone")], posted=True) == "already"


def test_a_form_address_that_says_you_already_objected_stops_saying_so(page: Page):
    already = ("<h2>Object to Your Information Being Used for AI at Meta</h2><p>You've already submitted this request.</p>"
               "<p>We'll continue to honour your objection. You don't need to object again.</p>")
    page.route("https://www.instagram.com/help/contact/9", lambda route: route.fulfill(content_type="text/html", body=already))
    page.route(START, lambda route: route.fulfill(content_type="text/html",
                                                  body="<p>You have the <a href='https://www.instagram.com/help/contact/9'>right to object</a>.</p>"))
    page.goto(START)
    with pytest.raises(PageMismatch) as stopped:
        flow.reach_form(page, make_run(settle_s=1))
    assert "says: \"You've already submitted this request.\" Nothing was sent." in stopped.value.message
    assert "Your earlier objection stands" in stopped.value.hint


# Every keystroke draws the whole form anew from the page's state (all nodes replaced, focus kept),
# as some React forms do: the bot's marks on the form go with the old nodes.
_REDRAWN_ON_INPUT = """<div id="root"></div><script>
  const state = {country: '', email: '', reason: ''};
  function draw() {
    const active = document.activeElement && document.activeElement.name;
    root.innerHTML = `<div><h1>Object to Your Information Being Used for AI at Meta</h1>
      <label>Country of residence <select name="country"><option value="">-</option><option value="PT">Portugal</option></select></label>
      <label>Email address <input type="email" name="email"></label>
      <label>Please tell us how this processing impacts you <textarea name="reason"></textarea></label>
      <div role="button" tabindex="0" id="send">Send</div></div>`;
    for (const [k, v] of Object.entries(state)) root.querySelector(`[name=${k}]`).value = v;
    root.querySelectorAll('[name]').forEach(e => e.addEventListener(e.tagName === 'SELECT' ? 'change' : 'input', () => { state[e.name] = e.value; draw(); }));
    document.getElementById('send').onclick = () => fetch('/submit', {method: 'POST', body: JSON.stringify(state)})
      .then(() => { root.innerHTML = "<h2>Thanks. We've received your objection request.</h2>"; });
    if (active) { const n = root.querySelector(`[name=${active}]`); n.focus(); }
  }
  draw();</script>"""


def test_a_form_drawn_anew_on_every_keystroke_is_filled_and_sent_once(page: Page):
    posts = serve(page, _REDRAWN_ON_INPUT)
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"country": "PT", "email": "p@example.eu", "reason": run.settings.reason}]


def test_a_log_in_dialog_put_in_the_forms_place_while_filling_stops_with_exit_5_and_nothing_sent(page: Page):
    # As a React page does when it finds the session expired: the first change swaps the form out.
    posts = serve(page, f"""<h1>Widerspruch gegen die Verwendung deiner Informationen für KI bei Meta</h1><div id="root"><form>{FIELDS}
      <button type="button">Send</button></form></div>
      <script>document.querySelector('select').addEventListener('change', () => {{ root.innerHTML = `<div role="dialog">
        <h2>Melde dich an, um fortzufahren</h2><input aria-label="Telefonnummer, Benutzername oder E-Mail-Adresse">
        <input type="password" aria-label="Passwort"><button>Anmelden</button></div>`; }});</script>""")
    run = make_run(timeout_s=1)
    page.context.set_default_timeout(1000)  # as prefill sets it from --timeout
    found = flow.locate_form(page, run)
    with pytest.raises(PersonTimeout, match="Meta asked for a log-in while the bot was filling in the form; nothing was sent"):
        flow.fill_form(page, found, run)
    assert posts == [] and page.locator("input[type=password]").input_value() == ""


def test_a_log_in_put_in_place_of_the_country_box_as_it_is_typed_into_stops_without_waiting_out_the_timeout(page: Page):
    # The box the bot just clicked is gone for good: a person should not wait the whole --timeout.
    posts = serve(page, """<div id="root"><form><label>Country of residence <input role="combobox" aria-controls="lb"></label>
      <div role="listbox" id="lb"></div><label>Email address <input type="email"></label>
      <label>Please tell us how this processing impacts you <textarea></textarea></label><button type="button">Send</button></form></div>
      <script>document.querySelector('[role=combobox]').addEventListener('click', () => root.innerHTML = `<div role="dialog">
        <h2>Log in to continue</h2><input aria-label="Phone number, username or email address">
        <input type="password" aria-label="Password"><button>Log in</button></div>`);</script>""")
    run = make_run(timeout_s=15)
    page.context.set_default_timeout(15000)  # as prefill sets it from --timeout
    found = flow.locate_form(page, run)
    started = time.monotonic()
    with pytest.raises(PersonTimeout, match="Meta asked for a log-in"):
        flow.fill_form(page, found, run)
    assert time.monotonic() - started < 8 and posts == []


def test_a_server_rendered_copy_replaced_while_filling_is_filled_again(page: Page):
    # Hydration: the first copy of the form has no script behind it (its country box lists
    # nothing); the page's script then draws the live form, empty, in its place.
    serve(page, """<div id="root"><form><label>Country of residence <input role="combobox" aria-expanded="false"></label>
      <label>Email address <input type="email"></label>
      <label>Please tell us how this processing impacts you <textarea></textarea></label><button type="button">Send</button></form></div>
      <script>document.querySelector('[role=combobox]').addEventListener('input', () => root.innerHTML = `<form>
        <label>Country of residence <select><option value="">-</option><option value="PT">Portugal</option></select></label>
        <label>Email address <input type="email"></label>
        <label>Please tell us how this processing impacts you <textarea></textarea></label><button type="button">Send</button></form>`,
        {once: true});</script>""")
    run = make_run(timeout_s=1)
    page.context.set_default_timeout(1000)  # as prefill sets it from --timeout
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    expect(page.locator("select")).to_have_value("PT")
    expect(page.locator("input[type=email]")).to_have_value(run.settings.email)
    expect(page.locator("textarea")).to_have_value(run.settings.reason)
    assert found["country"].locator.evaluate("e => e.tagName") == "SELECT"  # the caller's `found` is the live form's


@pytest.mark.parametrize("values, sent", [
    (None, ("PT", None)),  # headless, or no press seen
    ({"country": ["Portugal", "PT"], "country_chosen": ["Portugal", "PT"]}, ("PT", None)),  # as the bot chose it
    ({"country": ["Espanha", "opt-17"], "country_chosen": ["Portugal", "opt-3"]}, ("ES", None)),  # named in the page's language
    ({"country": ["", "DE"], "country_chosen": ["", "PT"]}, ("DE", None)),  # a list that shows no words, valued by ISO code
    ({"country": ["Atlantis", "opt-99"], "country_chosen": ["Portugal", "opt-3"]}, ("PT", "Atlantis")),  # no country the bot knows
    ({"country": ["🇵🇹 Portugal (+351)", ""], "country_chosen": ["Portugal", ""]}, ("PT", None)),  # redrawn by the page
    # Review: a decorated name was no country, and another one that held the settings' name was theirs.
    ({"country": ["🇪🇸 Spain (+34)", ""], "country_chosen": ["Portugal", ""]}, ("ES", None)),
    ({"country": ["Spanien (ES)", ""], "country_chosen": ["Portugal", ""]}, ("ES", None)),
    ({"country": ["Portugalia Nova", ""], "country_chosen": ["Portugal", ""]}, ("PT", "Portugalia Nova")),
    ({"country": ["España", "ES"], "country_chosen": ["Portugal", "PT"]}, ("ES", None)),  # Meta's typeahead and its ISO companion
    ({"country": ["+34 Spain", ""], "country_chosen": ["Portugal", ""]}, ("ES", None)),
    ({"country": ["Spain", "ind"], "country_chosen": ["Portugal", "prt"]}, ("ES", None)),  # an opaque value is no code
])
def test_the_country_a_form_went_with_is_read_from_its_list_as_send_was_pressed(values, sent):
    assert flow._country_sent(values, "PT") == sent


def test_a_french_region_chosen_in_the_window_is_not_france():
    chosen = {"country": ["Guyana francese (+594)", ""], "country_chosen": ["Francia", ""]}
    assert flow._country_sent(chosen, "FR") == ("GF", None)


@pytest.mark.parametrize("picker, choose", [
    ("<select><option value=''>Country</option><option value='PT'>Portugal</option><option value='ES'>Spain</option></select>",
     "e => { e.value = 'ES'; }"),
    ("<button type='button' role='combobox' aria-label='Country'>Portugal</button>", "e => { e.textContent = 'Spain'; }"),
    ("<div role='combobox' aria-label='Country'><input value='Portugal'></div>", "e => { e.querySelector('input').value = 'España'; }"),
    ("<input role='combobox' aria-label='Country' value='Portugal'><input type='hidden' name='F1_iso2_country_code' value='PT'>",
     "e => { e.value = 'Spain (+34)'; e.nextElementSibling.value = 'ES'; }"),
])
def test_the_press_watch_reads_the_country_each_kind_of_list_shows(page: Page, picker, choose):
    # Review: a button's value is '' (not undefined), so a button picker read '' before and after.
    page.set_content(f"<form>{picker}<button type='submit' data-optout-send>Send</button></form>")
    page.locator("[aria-label=Country], select").first.evaluate("e => e.setAttribute('data-optout-country', 'country-1')")
    got = []
    page.expose_binding("__optoutSending", lambda source, values: got.append(values))
    page.evaluate(flow._PRESS_WATCH_JS)
    page.locator("[aria-label=Country], select").first.evaluate(choose)
    page.locator("form").evaluate("f => f.addEventListener('submit', e => e.preventDefault())")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("form")).to_be_attached()
    page.wait_for_function("() => window.__optoutPressed")
    assert got and flow._country_sent(got[-1], "PT")[0] == "ES", got


# --- a form that shows its fields one after another ------------------------------------------------

# Red-team pass 19 (g01, g02) and pass 16 (v19): only the country list (or only the email field) was
# drawn, the rest once it was filled; the bot looked for the whole form and stopped (exit 3).
_ONE_BY_ONE = """<div id="step">{first}</div><div role="status" id="done"></div>
  <script>const step = document.getElementById('step'), values = {{}};
    const rest = () => {{ step.insertAdjacentHTML('beforeend', `{rest}<button id="send">Send</button>`);
      send.onclick = () => {{ step.querySelectorAll('select, input, textarea').forEach(e => values[e.name] = e.value);
        fetch('/submit', {{method: 'POST', body: JSON.stringify(values)}}).then(() => {{ done.textContent = "Thanks. We've received your objection."; }}); }}; }};
    {reveal}</script>"""
_COUNTRY = """<label>Country of residence <select name="country"><option value="">-</option><option value="PT">Portugal</option></select></label>"""
_EMAIL = """<label>Email address <input type="email" name="email"></label>"""
_REASON = """<label>Please tell us how this processing impacts you <textarea name="reason"></textarea></label>"""
_SHAPES = {
    # The country stays, the rest is drawn below it.
    "country-first": dict(first=_COUNTRY, rest=_EMAIL + _REASON,
                          reveal="step.querySelector('select').onchange = () => setTimeout(rest, 300);"),
    # The country list gives way to what was chosen, kept in a hidden field.
    "country-summary": dict(first=_COUNTRY, rest=_EMAIL + _REASON, reveal="""step.querySelector('select').onchange = e => setTimeout(() => {
        step.innerHTML = `<p>Country of residence: <b>Portugal</b> <a href="#">Change</a></p><input type="hidden" name="country" value="${e.target.value}">`;
        rest(); }, 300);"""),
    # The email first; the rest once it holds an address.
    "email-first": dict(first=_EMAIL, rest=_COUNTRY + _REASON,
                        reveal="step.querySelector('input').oninput = e => { if (/@.+[.]/.test(e.target.value) && !values.shown) { values.shown = 1; setTimeout(rest, 300); } };"),
}


@pytest.mark.parametrize("shape", list(_SHAPES))
def test_a_form_that_shows_its_fields_one_after_another_is_filled_step_by_step(page: Page, shape, capsys):
    posts = serve(page, _ONE_BY_ONE.format(**_SHAPES[shape]).replace("values.shown", "window.shown"))
    run = make_run()
    run.layers["link"] = "role"  # reached by the right-to-object link
    run.report = Reporter(json_events=True)
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"country": "PT", "email": "p@example.eu", "reason": run.settings.reason}]
    said = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert any(m.startswith("The form shows its fields one after another: ") for m in said), said


def test_a_form_of_steps_whose_country_is_locked_a_moment_under_a_cookie_bar_is_filled(page: Page):
    # Review 28 #4: the country list disabled while the page's script starts, and a cookie bar (not
    # covering the form): the bot stopped at once ("A cookie dialog keeps the form locked").
    bar = ("<div role='dialog' id='d' style='position:fixed;bottom:0;left:0;right:0;background:#eee'>Allow the use of cookies from "
           "Instagram on this browser? <button onclick='d.remove()'>Allow all cookies</button> "
           "<button onclick='d.remove()'>Decline optional cookies</button></div>"
           "<script>setTimeout(() => document.querySelector('select').disabled = false, 4000);</script>")
    posts = serve(page, _ONE_BY_ONE.format(**_SHAPES["country-first"]).replace('<select name="country">', '<select name="country" disabled>') + bar)
    run = make_run()
    run.layers["link"] = "role"
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"country": "PT", "email": "p@example.eu", "reason": run.settings.reason}]
    assert not page.locator("#d").count()


@pytest.mark.parametrize("title, rest, said, left", [
    # A page that does not say it is the objection form: its country list is left alone.
    ("Choose your region | Help Centre", _SHAPES["country-first"], "missing .*; nothing was filled in or sent", ""),
    # The objection form whose rest never comes: chosen, then a stop that says only that nothing was sent.
    (OBJECTION_TITLE, dict(first=_COUNTRY, rest="", reveal=""), "The objection form is missing .*; nothing was sent[.]", "PT"),
], ids=["no-objection-form", "rest-never-comes"])
def test_a_lone_country_list_is_chosen_only_on_the_objection_form_and_a_stop_says_what_was_filled(page: Page, title, rest, said, left):
    posts = serve(page, _ONE_BY_ONE.format(**rest), title=title)
    run = make_run(timeout_s=2)
    run.layers["link"] = "role"
    with pytest.raises(PageMismatch, match=said):
        flow.locate_form(page, run)
    assert page.locator("select").input_value() == left and posts == []


def test_the_link_to_a_form_that_shows_only_its_country_list_at_first_leads_to_it(page: Page):
    posts = serve(page, _ONE_BY_ONE.format(**_SHAPES["country-summary"]))
    page.route("https://privacycenter.instagram.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body=f"<html lang='en'><p>You have the <a href='{FORM_URL}'>right to object</a>.</p></html>"))
    page.goto("https://privacycenter.instagram.com/privacy/genai/")
    run = make_run()
    started = time.monotonic()
    page = flow.reach_form(page, run)
    assert page.url == FORM_URL and time.monotonic() - started < 4  # not the whole --timeout
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"country": "PT", "email": "p@example.eu", "reason": run.settings.reason}]


# --- honeypots ---------------------------------------------------------------------------------------

# Red-team pass 20 (h02, h34, h35, h38, h39): anti-spam fields a person cannot see, placed before the
# real ones and without aria-hidden, got the address (the real field was sent empty, exit 0 and a
# receipt) or the reason. Playwright counts them visible; a filled honeypot loses the objection.
_HONEYPOT_STYLES = {
    "clipped": "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap",
    "transparent": "opacity:0;position:absolute;top:0;left:0",
    "off-screen": "position:absolute;left:-9999px;top:0",
    "moved-away": "position:absolute;transform:translateY(-5000px)",
    # Review 26: past the page's right edge where the page does not scroll that way.
    "past-the-edge": "position:absolute;right:-9999px;top:0\"><style>body { overflow-x: hidden }</style><div \"",
}


@pytest.mark.parametrize("style", list(_HONEYPOT_STYLES))
def test_fields_a_person_cannot_see_are_never_filled(page: Page, style):
    decoys = (f'<div><div style="{_HONEYPOT_STYLES[style]}"><label>Email <input type="email" name="contact_email" tabindex="-1" autocomplete="off"></label>'
              '<label>Please tell us how this processing impacts you <textarea name="comments" tabindex="-1"></textarea></label></div></div>')
    posts = serve(page, f"""<div id="f">{decoys}{FIELDS}<button id="send">Send</button></div><div role="status" id="done"></div>
      <script>send.onclick = () => {{ const v = {{}}; f.querySelectorAll('input, textarea').forEach((e, i) => v[e.name || i] = e.value);
        fetch('/submit', {{method: 'POST', body: JSON.stringify(v)}}).then(() => {{ done.textContent = "Thanks. We've received your objection."; }}); }};</script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"contact_email": "", "comments": "", "2": "p@example.eu", "3": run.settings.reason}]


def test_a_code_field_a_person_cannot_see_is_never_typed_into(page: Page):
    # Red-team pass 20 (h37): the code went into an off-screen "Code" field before the real one; the
    # site took it for a wrong code, and every try would have done the same.
    posts = serve(page, """<p>We sent a 6-digit code to your email.</p>
      <div style="position:absolute;left:-9999px"><label>Code <input name="otp" tabindex="-1"></label></div>
      <div id="step"><label>Code <input id="code" name="code" maxlength="6"></label><button id="ok">Confirm</button></div><div role="status" id="done"></div>
      <script>ok.onclick = () => fetch('/code', {method: 'POST', body: JSON.stringify({otp: document.querySelector('[name=otp]').value, code: code.value})})
        .then(() => { step.remove(); done.textContent = "Thanks. We've received your objection."; });</script>""")
    run = make_run(code="stdin")
    run.inbox = _Codes("314159")
    flow.watch_posts(page, run)
    assert flow.enter_code(page, run) == "confirmed"
    assert posts == [{"otp": "", "code": "314159"}]


def test_a_code_widgets_transparent_field_over_its_drawn_boxes_is_the_code_field(page: Page):
    # Review 26: one transparent input over six drawn boxes (a common code widget) was taken for a
    # honeypot: no code field (exit 4). Only one also kept out of the keyboard's way is.
    serve(page, """<p>We sent a 6-digit code to your email.</p><label for="otp">Enter the code</label>
      <div style="position:relative;width:300px;height:48px"><div aria-hidden="true" style="display:flex;gap:6px">
        <span style="width:40px;height:46px;border:1px solid #999"></span><span style="width:40px;height:46px;border:1px solid #999"></span></div>
        <input id="otp" autocomplete="one-time-code" inputmode="numeric" maxlength="6" style="position:absolute;inset:0;opacity:0"></div>
      <button>Confirm</button>""")
    code, confirm = flow._find_code(page, make_run())
    assert code.locator.get_attribute("id") == "otp" and confirm is not None


@pytest.mark.parametrize("layout", [
    # Review 26: the body's overflow (the window's) with every box fixed left the body 0 px high; the
    # email field inside it was taken for a honeypot (exit 3). (Without a doctype the body fills the
    # window: its height is given here.)
    """<style>body {{ overflow: hidden; height: 0 }}</style><div role="dialog" aria-modal="true" style="position:fixed;inset:40px">{form}</div>""",
    # Review 27: a dialog that scrolls inside itself over a page locked against scrolling, and an app
    # shell whose inner box scrolls: fields below the fold were taken for honeypots past the page's end.
    """<style>body {{ overflow: hidden }}</style><div role="dialog" aria-modal="true" style="position:fixed;inset:40px;overflow:auto">
      <p style="height:3000px">Before you object</p>{form}</div>""",
    """<style>html, body {{ height: 100%; overflow: hidden; margin: 0 }}</style><main style="height:100%;overflow:auto">
      <p style="height:3000px">Before you object</p>{form}</main>""",
], ids=["fixed-dialog", "dialog-that-scrolls", "app-shell"])
def test_a_form_on_a_page_that_does_not_scroll_itself_is_filled(page: Page, layout):
    serve(page, layout.format(form=f"<div id='f'>{FIELDS}<button id='send'>Send</button></div>"))
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert page.locator("input[type=email]").input_value() == "p@example.eu"
    expect(page.locator("textarea")).to_have_value(run.settings.reason)


def test_a_country_list_drawn_transparent_over_its_look_alike_is_still_chosen(page: Page):
    # The other side: a native list made transparent over a styled box is the one a person uses.
    posts = serve(page, """<div id="f"><label>Country of residence <span style="position:relative;display:inline-block;width:200px;height:30px">
        <span aria-hidden="true">Select…</span><select name="country" style="opacity:0;position:absolute;inset:0">
        <option value="">-</option><option value="PT">Portugal</option></select></span></label>
      <label>Email address <input type="email" name="email"></label>
      <label>Please tell us how this processing impacts you <textarea></textarea></label><button id="send">Send</button></div>
      <script>send.onclick = () => fetch('/submit', {method: 'POST', body: JSON.stringify({country: f.querySelector('select').value})});</script>""")
    run = make_run()
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert page.locator("select").input_value() == "PT"


# --- a form in a frame -------------------------------------------------------------------------------

def _framed(page: Page, frame_src: str, moves: bool = False) -> list[dict]:
    """The link leads to a page that shows the objection form in an <iframe> at `frame_src`."""
    posts = []

    def handle(route):
        url = route.request.url
        if route.request.method == "POST":
            posts.append(route.request.post_data_json or {})
            return route.fulfill(status=200, content_type="application/json", body='{"ok": true}')
        if "privacycenter" in url:
            body = f"<html lang='en'><p>You have the <a href='{FORM_URL}'>right to object</a>.</p></html>"
        elif url.endswith("/embed"):
            body = (f"<html lang='en'><title>{OBJECTION_TITLE}</title><div id='f'>{FIELDS}<button id='send'>Send</button></div>"
                    "<div role='status' id='done'></div><script>send.onclick = () => fetch('/submit', {method: 'POST', body: "
                    "JSON.stringify({email: f.querySelector('input').value})}).then(() => { done.textContent = "
                    "\"Thanks. We've received your objection.\"; });</script>"
                    + ("<script>history.replaceState(null, '', location.pathname + '?locale=en_GB');</script>" if moves else "") + "</html>")
        else:
            body = (f"<html lang='en'><title>{OBJECTION_TITLE}</title><h1>{OBJECTION_TITLE}</h1><p>Fill in the form below.</p>"
                    f"<iframe src='{frame_src}' title='Objection form' style='width:100%;height:600px;border:0'></iframe>"
                    "<iframe src='/tr/pixel' style='width:1px;height:1px;border:0'></iframe></html>")
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route("https://*.instagram.com/**", handle)
    page.route("https://forms.example.com/**", handle)
    page.route("https://www.facebook.com/plugins/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<html><video controls width='480' height='270'></video><a href='#'>Watch on Facebook</a></html>"))
    page.goto("https://privacycenter.instagram.com/privacy/genai/")
    return posts


@pytest.mark.parametrize("moves", [False, True], ids=["stays", "renames-itself"])
def test_a_form_shown_in_a_frame_of_the_page_is_opened_on_its_own_and_sent(page: Page, moves):
    # Red-team pass 16 (v12, open since): the help-center page embedded the form in a same-site
    # <iframe>; the bot looked only in the page itself and stopped (exit 3). Review 27: a frame whose
    # address changed once loaded (history.replaceState) was passed over.
    posts = _framed(page, "/help/contact/233964459562201/embed", moves)
    run = make_run()
    run.report = Reporter(json_events=True)
    page = flow.reach_form(page, run)
    assert page.url.split("?")[0] == "https://help.instagram.com/help/contact/233964459562201/embed"
    found = flow.locate_form(page, run)
    flow.fill_form(page, found, run)
    assert flow.send(page, found, run) == "confirmed"
    assert posts == [{"email": "p@example.eu"}]


@pytest.mark.parametrize("frame_src", ["https://forms.example.com/object/embed", "https://www.facebook.com/plugins/video.php?href=x"],
                         ids=["other-host", "meta-video-without-fields"])
def test_a_frame_on_a_host_the_guard_does_not_allow_or_without_fields_is_never_opened(page: Page, frame_src):
    # Review 26: a page the link led to that embeds a Meta video (a host the guard allows) had the
    # video opened in its place; the error then named the video's address.
    _framed(page, frame_src)
    run = make_run(timeout_s=3)
    with pytest.raises(PageMismatch, match="Could not find the objection form"):
        flow.reach_form(page, run)
    assert page.url == FORM_URL


def test_a_form_that_shows_its_send_but_lacks_a_field_is_no_form_of_steps(page: Page):
    posts = serve(page, f"<form>{_COUNTRY}{_REASON}<button type='submit'>Send</button></form>")
    run = make_run(timeout_s=2)
    run.layers["link"] = "role"
    with pytest.raises(PageMismatch, match="The objection form is missing the email address field; nothing was filled in or sent"):
        flow.locate_form(page, run)
    assert page.locator("select").input_value() == "" and posts == []


def test_a_cookie_dialog_after_the_code_is_not_named_as_a_step_the_page_asks_for(page: Page):
    # Its switches are boxes to tick and its buttons buttons: no step of the objection's.
    run = make_run()
    page.set_content("""<h2>Something went wrong on our side.</h2><div role="dialog" aria-label="Cookies">
      <p>Allow the use of cookies from Instagram on this browser?</p><label><input type="checkbox"> Optional cookies</label>
      <button>Decline optional cookies</button><button>Allow all cookies</button></div>""")
    assert flow._step_after_the_code(page, run, [page.locator("#code")]) is None
    page.set_content("""<h2>Your email address has been verified.</h2><label><input type="checkbox"> I want to object.</label>
      <div role="button" tabindex="0">Submit objection</div>""")
    assert flow._step_after_the_code(page, run, [page.locator("#code")]) == "Submit objection"
    page.set_content("""<label>Code <input id="code"></label><label><input type="checkbox"> Remember me</label><button>Confirm</button>""")
    assert flow._step_after_the_code(page, run, [page.locator("#code")]) is None  # the code step itself


def _read_in_english_only(run) -> None:
    """As flow._read_in_page_languages leaves a run on an English form page whose words show no other language."""
    run.every_language, run.recipe = run.recipe, run.recipe.narrowed({"en"})
    flow._forget_answers()


def test_once_read_in_every_language_a_note_in_another_language_shown_before_the_press_is_no_answer(page: Page):
    # Red-team pass 23 (c04, c07, e03): the marks before a press hold the form page's languages'
    # words only; read in every language after an answer in words the bot does not know, a Spanish
    # "if you already objected" note on the English form counted as Meta's answer (exit 0, a receipt).
    run = make_run()
    page.set_content("""<html lang="en"><main><form><label>Email <input type="email"></label><button>Send</button></form>
      <p>Si ya te has opuesto, no tienes que volver a enviar este formulario.</p></main></html>""")
    _read_in_english_only(run)
    flow._mark_seen(page, run)  # before Send
    page.evaluate("""document.querySelector('form').remove();
      document.querySelector('main').insertAdjacentHTML('afterbegin', '<h2>Zapisano zgłoszenie numer 42.</h2>')""")
    assert flow._every_language(run)
    assert flow.classify_after(page, run, "send", [page.locator("form")], posted=True) is None
    assert flow.classify_after(page, run, "send", [page.locator("form")], posted=True, stale_errors=True) is None
    # What comes after the press still counts, in any language.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<p>Ya te has opuesto antes.</p>')")
    assert flow.classify_after(page, run, "send", [page.locator("form")], posted=True) == "already"


def test_once_read_in_every_language_an_old_banner_with_error_words_does_not_turn_thanks_into_a_refusal(page: Page):
    # Red-team pass 23 (c02): a German banner about an error elsewhere ("Fehler beim Laden von Reels"),
    # on every page, beside German thanks: read as Meta's refusal once the page stood still (exit 8).
    run = make_run()
    page.set_content("""<html lang="en"><div class="note">Einige Nutzer sehen derzeit einen Fehler beim Laden von Reels.</div>
      <main><label>Code <input id="code"></label><button>Confirm</button></main></html>""")
    _read_in_english_only(run)
    flow._mark_seen(page, run)  # before Confirm
    page.evaluate("document.querySelector('main').innerHTML = '<h2>Danke</h2><p>Wir haben deinen Widerspruch erhalten.</p>'")
    assert flow._every_language(run)
    assert flow.classify_after(page, run, "code", [page.locator("#code")], posted=True, stale_errors=True) == "confirmed"


def test_english_left_untranslated_on_a_polish_answer_is_read_for_a_refusal_too(page: Page):
    # Red-team pass 23 (b05): thanks and a refusal in Meta's untranslated English strings, on a page
    # tagged Polish, were read in Polish only: exit 0 and a receipt.
    run = make_run()
    run.page_languages = frozenset({"pl", "en"})
    page.set_content("""<html lang="pl"><main><h2>Thanks, we've received your objection.</h2>
      <p>After review, we have decided not to apply your objection to your account.</p></main></html>""")
    assert flow.turned_down(page, run) == "After review, we have decided not to apply your objection to your account."
