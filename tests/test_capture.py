"""Fixture capture: scrubbing a page seeded with a person's address, name, ids, tokens and cookies."""

import json
import re
import stat
import urllib.request

import pytest
from playwright.sync_api import Page

from optout_bot import capture
from optout_bot.status import BadInput

# Secrets as Meta's pages carry them for a logged-in person; every one must be gone after scrub().
EMAIL = "jane.doe@gmail.com"
NAME = "Jane Doe"
USER_ID = "100087654321098"
LSD = "AVqZx81kPq0"
JAZOEST = "21047"
DTSG = "NAcNnYv3XcBq1xFh9ZkT0pQ:17:1716200000"
ASYNC_TOKEN = "Adz0Lw1mF7kRb3u:17:1716200000"
DATR = "kY9wZr8Qd2XbA1fT5nLmPq0c"
XS = "42%3AaBcD3fGhIj%3A2%3A1716200000%3A-1%3A1234"
HSI = "7371234567890123456"
IG_USER = "jane.doe.1990"

SECRETS = [EMAIL, NAME, USER_ID, LSD, DTSG, ASYNC_TOKEN, DATR, XS, HSI, IG_USER, "jane.doe\\u0040gmail.com",
           "jane.doe%40gmail.com"]

SEEDED = f"""<!DOCTYPE html>
<html lang="de" id="facebook"><head><meta charset="utf-8"><title>Hilfebereich | Facebook</title>
<script type="application/json" data-sjs>{{"require":[["ScheduledServerJS","handle",null,[{{"define":[
["LSD",[],{{"token":"{LSD}"}},323],
["DTSGInitialData",[],{{"token":"{DTSG}","async_get_token":"{ASYNC_TOKEN}"}},258],
["CurrentUserInitialData",[],{{"ACCOUNT_ID":"{USER_ID}","USER_ID":"{USER_ID}","NAME":"{NAME}","SHORT_NAME":"Jane",
 "IS_BUSINESS_PERSON_ACCOUNT":false,"actorID":{USER_ID}}},270],
["SiteData",[],{{"server_revision":1013602391,"hsi":"{HSI}","__spin_r":1013602391,"__spin_b":"trunk",
 "__spin_t":1716200000,"haste_session":"19866.HYP:comet_pkg.2.1..2.1"}},317],
["SprinkleConfig",[],{{"param_name":"jazoest","version":2,"should_randomize":false}},2111],
["PolarisViewer",[],{{"username":"{IG_USER}","full_name":"{NAME}","userID":"{USER_ID}"}},1]
]}}]]]}}</script>
<script>requireLazy(["Env"],function(e){{e.set("contact_email","jane.doe\\u0040gmail.com");
  e.set("props","{{\\"viewerID\\":\\"{USER_ID}\\",\\"first_name\\":\\"Jane\\"}}");
  window.__c="datr={DATR}; c_user={USER_ID}; xs={XS}; sb=Xk2ZZi9QjTb0";}});</script>
</head><body>
<div role="banner"><a href="/profile.php?id={USER_ID}" aria-label="{NAME}">{NAME}</a></div>
<div role="main" data-props="{{&quot;userID&quot;:&quot;{USER_ID}&quot;,&quot;token&quot;:&quot;{LSD}&quot;}}">
<h1>Widerspruchsrecht</h1>
<p>Hallo {NAME}, wir antworten an {EMAIL}. Fragen? Schreib an privacy@example.com oder test@help.test.</p>
<a href="/ajax/bz?__a=1&amp;__user={USER_ID}&amp;fb_dtsg={DTSG}&amp;jazoest={JAZOEST}&amp;lsd={LSD}">log</a>
<a href="/help/contact/?email=jane.doe%40gmail.com">zurück</a>
<img src="/images/icon@2x.png" alt="">
<form method="post" action="/ajax/help/contact/submit/page" id="u_0_3_xY">
  <input type="hidden" name="lsd" value="{LSD}" autocomplete="off">
  <input type="hidden" value="{JAZOEST}" name="jazoest" autocomplete="off">
  <input type="hidden" name="fb_dtsg" value="{DTSG}">
  <input type="hidden" name="__user" value="{USER_ID}">
  <input type="hidden" name="support_form_id" value="6359191084165019">
  <label for="c">Wohnsitzland</label><select id="c" name="Field1618345265221004"><option value="DE">Deutschland</option></select>
  <label for="e">E-Mail-Adresse</label><input id="e" type="text" name="Field1621678598554337" value="{EMAIL}">
  <label for="r">Bitte erkläre, wie sich diese Verarbeitung auf dich auswirkt</label>
  <textarea id="r" name="Field1625011931887670"></textarea>
  <button type="submit">Senden</button>
</form></div></body></html>"""


def test_seeded_page_keeps_no_secret():
    out = capture.scrub(SEEDED, known=[NAME])
    for secret in SECRETS:
        assert secret not in out, secret
    assert "Jane" not in out  # SHORT_NAME and first_name too
    assert capture.find_leaks(out) == []


def test_the_seeded_page_is_what_find_leaks_catches():
    # The fixtures test is only as good as this: the raw page must be caught.
    leaks = "\n".join(capture.find_leaks(SEEDED))
    for kind in ("email j***@gmail.com", "token input", "token field", "user id field", "name field", "token or cookie pair"):
        assert kind in leaks, kind
    for secret in (LSD, DTSG, ASYNC_TOKEN, USER_ID, EMAIL, DATR):
        assert secret[:5] not in leaks  # reported masked, so a failing test does not print them again


def test_scrubbed_page_keeps_the_form_and_example_addresses():
    out = capture.scrub(SEEDED, known=[NAME])
    assert "privacy@example.com" in out and "test@help.test" in out and "icon@2x.png" in out
    assert 'value="person@example.com"' in out and "person\\u0040example.com" in out and "person%40example.com" in out
    assert 'name="support_form_id" value="6359191084165019"' in out
    assert f'name="lsd" value="{capture.REDACTED}"' in out and f'value="{capture.REDACTED}" name="jazoest"' in out
    assert '"param_name":"jazoest"' in out  # a field name, not a token
    for label in ("Wohnsitzland", "E-Mail-Adresse", "wie sich diese Verarbeitung", "Senden", '<html lang="de"'):
        assert label in out
    assert len(re.findall(r"<input\b", out)) == len(re.findall(r"<input\b", SEEDED))
    assert '"actorID":0' in out and '"__spin_t":0' in out  # JSON numbers stay numbers
    # The script data still parses as JSON.
    data = re.search(r"data-sjs>(.*?)</script>", out, re.S).group(1)
    assert json.loads(data)["require"][0][0] == "ScheduledServerJS"


def test_distinct_addresses_get_distinct_placeholders():
    out = capture.scrub("a@gmail.com b@web.de A@GMAIL.COM p@example.eu")
    assert out == "person@example.com person2@example.com person@example.com p@example.eu"


@pytest.mark.parametrize("domain, example", [
    ("example.com", True), ("example.org", True), ("mail.example.net", True), ("example.eu", True),
    ("meta.example", True), ("x.test", True), ("a.invalid", True), ("localhost", True),
    ("gmail.com", False), ("example-mail.com", False), ("notexample.com", False), ("example.com.evil.io", False),
])
def test_example_domains(domain, example):
    assert capture.is_example_domain(domain) is example


def test_template_slots_are_not_leaks_but_real_values_are():
    template = '<input type="hidden" name="lsd" value="$lsd"><input name="jazoest" value="${jazoest}"> {"token":"{{t}}"}'
    assert capture.find_leaks(template) == []
    assert capture.scrub(template) == template
    assert capture.find_leaks(template.replace("$lsd", "AVq1x2y3")) != []


def test_known_values_are_checked_and_scrubbed_in_every_spelling():
    with pytest.raises(BadInput):
        capture.known_values(["Jo"])
    assert capture.known_values([" José Ñandú ", ""]) == ["José Ñandú"]
    page = 'José Ñandú | Jos\\u00e9 \\u00d1and\\u00fa | Jos%C3%A9%20%C3%91and%C3%BA | JOSÉ ÑANDÚ'
    assert capture.scrub(page, ["José Ñandú"]) == " | ".join([capture.REDACTED] * 4)


def test_a_served_mock_page_is_caught_raw_and_clean_once_scrubbed(mock_site):
    # The mock fills its templates with fresh lsd/jazoest values: real-looking, as on Meta's pages.
    site = mock_site("")
    with urllib.request.urlopen(site.url + "/help/contact/233964459562201", timeout=10) as response:
        served = response.read().decode("utf-8")
    assert any("token input" in leak for leak in capture.find_leaks(served))
    assert capture.find_leaks(capture.scrub(served)) == []


def test_save_step_writes_private_scrubbed_files_and_the_manifest(page: Page, tmp_path):
    page.set_content(SEEDED)
    out = tmp_path / "captured" / "2025-06-01-de"
    first = capture.save_step(page, out, "form", [NAME], target="facebook")
    page.set_content("<html lang='de'><body><p>Danke, Jane Doe. Wir haben deinen Widerspruch erhalten.</p></body></html>")
    second = capture.save_step(page, out, "confirmation", [NAME], target="facebook")

    assert (first.name, second.name) == ("form.html", "confirmation.html")
    for path in (first, second, out / capture.MANIFEST):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, (path.name, secret)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert "Wohnsitzland" in first.read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]

    manifest = json.loads((out / capture.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["target"] == "facebook" and manifest["language"] == "de"
    assert manifest["url"] == page.url  # about:blank here; scrubbed like the pages
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["captured_at"])
    assert [s["step"] for s in manifest["steps"]] == ["form", "confirmation"]
    assert [s["file"] for s in manifest["steps"]] == ["form.html", "confirmation.html"]


def test_save_step_never_overwrites_an_earlier_capture(page: Page, tmp_path):
    page.set_content("<html lang='en'><p>one</p></html>")
    first = capture.save_step(page, tmp_path, "genai", [])
    second = capture.save_step(page, tmp_path, "genai", [])
    assert first != second and first.exists() and second.exists()


def test_run_capture_saves_each_step_as_the_person_walks(page: Page, tmp_path, mock_site):
    site = mock_site("de")
    answers = iter(["", "", "q"])
    prompts = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if len(prompts) == 2:  # the person follows the link in the window
            page.get_by_role("link", name=re.compile("Widerspruch", re.I)).first.click()
            page.wait_for_url("**/help/contact/**")
        return next(answers)

    saved = capture.run_capture(page, tmp_path, "instagram", [], ask, start_url=site.start_url)
    assert [p.name for p in saved] == ["genai.html", "form.html"]
    assert "press Enter" in prompts[0] and "type q" in prompts[1]
    manifest = json.loads((tmp_path / capture.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["language"] == "de" and manifest["url"] == site.start_url
    assert manifest["steps"][1]["url"].endswith("/help/contact/233964459562201")
    form = saved[1].read_text(encoding="utf-8")
    assert f'name="lsd" value="{capture.REDACTED}"' in form and capture.find_leaks(form) == []
    # Nothing was typed: the mock saw no input events and no submission.
    assert site.state()["input_events"] == 0 and site.state()["submissions"] == []


def test_the_logged_in_name_and_id_go_even_when_not_given():
    out = capture.scrub(SEEDED)
    assert NAME not in out and USER_ID not in out and "Hallo REDACTED" in out


def test_addresses_next_to_json_escapes_keep_the_escape():
    out = capture.scrub('"Jane \\u003cjane.doe\\u0040gmail.com\\u003e"')
    assert out == '"Jane \\u003cperson\\u0040example.com\\u003e"'
    assert json.loads(out) == "Jane <person@example.com>"
