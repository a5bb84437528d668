"""The mock Meta pages, exercised over HTTP with the standard library only (no browser)."""

from __future__ import annotations

import html
import http.client
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar

import pytest

from optout_bot.mock_site import TEST_CODE, VARIANT_TOKENS, FIXTURES, MockSite, Variant, parse_variant

IG_FORM = "/help/contact/233964459562201"
FB_FORM = "/help/contact/6359191084165019"
REASON = "Ich widerspreche – bitte nicht.\r\nZweite Zeile: ação ✓ <b>&amp;</b>"


class _Client:
    """urllib with a cookie jar and without raising on 4xx/5xx."""

    def __init__(self, site: MockSite):
        self.site = site
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.site.url + path, body, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def get(self, path: str) -> tuple[int, str]:
        return self.request(path)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self.request(path, data)


class _Page(HTMLParser):
    """What a reader of a server-rendered page needs: links with their paragraph, labels, controls."""

    def __init__(self, text: str):
        super().__init__()
        self.links: list[dict] = []
        self.labels: dict[str, str] = {}  # for= id -> label text
        self.controls: dict[str, dict] = {}  # id -> attributes
        self.hidden: dict[str, str] = {}
        self.options: list[tuple[str, str]] = []
        self.selected: list[str] = []  # values of the options marked selected
        self.alerts: list[str] = []
        self.alert_by_id: dict[str, str] = {}
        self.textareas: dict[str, str] = {}
        self._stack: list[tuple[str, dict, list[str]]] = []
        self._paragraph: list[str] | None = None
        self.text = text
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs.get("value", "")
        if tag in ("input", "select", "textarea") and "id" in attrs:
            self.controls[attrs["id"]] = attrs
        if tag == "input":
            return
        if tag == "p":
            self._paragraph = []
        self._stack.append((tag, attrs, []))

    def handle_endtag(self, tag):
        if not self._stack or self._stack[-1][0] != tag:
            return
        _, attrs, parts = self._stack.pop()
        text = "".join(parts)
        if self._stack:
            self._stack[-1][2].append(text)
        if tag == "a":
            self.links.append({"text": text, "href": attrs.get("href"), "target": attrs.get("target"),
                               "paragraph": None if self._paragraph is None else self._paragraph})
        elif tag == "label":
            self.labels[attrs.get("for", "")] = text
        elif tag == "option":
            self.options.append((attrs.get("value", ""), text))
            if "selected" in attrs:
                self.selected.append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textareas[attrs["name"]] = text
        elif tag == "p":
            self._paragraph = None
        if attrs.get("role") == "alert":
            self.alerts.append(text.strip())
            if "id" in attrs:
                self.alert_by_id[attrs["id"]] = text.strip()

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][2].append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)

    def link(self, text: str) -> dict:
        return next(link for link in self.links if link["text"] == text)

    def control(self, label: str) -> dict:
        """The control a <label> names, found the way a person would: by the label's text."""
        target = next(for_id for for_id, text in self.labels.items() if text == label)
        return self.controls[target]


def _filled(form: _Page, country="PT", email="me@example.org", reason="Please stop.") -> dict:
    data = dict(form.hidden)
    data[form.control("Country of residence")["name"]] = country
    data[form.control("Email address")["name"]] = email
    data[form.control("Please tell us how this processing impacts you")["name"]] = reason
    return data


@pytest.fixture
def site(mock_site):
    return mock_site("server,en")


@pytest.fixture
def client(site):
    return _Client(site)


def _submit(client: _Client, **fields) -> tuple[int, _Page]:
    _, text = client.get(IG_FORM)
    status, answer = client.post("/ajax/help/contact/submit/page", _filled(_Page(text), **fields))
    return status, _Page(answer)


def _raw_get(host: str, port: int, path: str) -> http.client.HTTPResponse:
    """A GET to exactly host:port, bypassing the site's own idea of its URL."""
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_binds_loopback_only_on_a_free_port(site, mock_site):
    """Each site answers on 127.0.0.1 at a port of its own, and nowhere else."""
    other = mock_site("facebook")
    ports = []
    for running in (site, other):
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)", running.url)
        assert match, running.url
        port = int(match.group(1))
        response = _raw_get("127.0.0.1", port, "/privacy/genai/")
        assert response.status == 200 and response.getheader("Server", "").startswith("MockMeta/")
        assert running.state()["requests"] == ["GET /privacy/genai/"]  # this site answered, not the other
        ports.append(port)
    assert ports[0] != ports[1]
    # On Linux every 127.x address reaches this host, so a socket bound to all addresses would answer here.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", ports[0]), timeout=2).close()
    assert site.start_url == site.url + "/privacy/genai/"
    assert site.state()["variant"] == "server,en"


def test_start_page_has_the_link_in_running_text_and_the_decoys(client, site):
    status, text = client.get("/privacy/genai/")
    page = _Page(text)
    assert status == 200 and '<html lang="en"' in text
    link = page.link("right to object")
    assert link["href"] == IG_FORM and link["target"] is None
    paragraph = "".join(link["paragraph"])
    assert "you have the right to object to your information" in paragraph  # inside running text
    decoy = page.link("submit a request about third-party information")
    assert "".join(decoy["paragraph"]) == paragraph  # right beside it
    assert decoy["href"].startswith("/help/contact/") and decoy["href"] != IG_FORM
    assert {"Privacy Policy", "Help Center"} <= {l["text"] for l in page.links}
    status, decoy_page = client.get(decoy["href"])
    assert status == 200
    assert "Data Subject Rights for Third Party Information Used for AI at Meta" in decoy_page
    assert "Screenshots of the response" in _Page(decoy_page).labels.values()
    assert "Please tell us how this processing impacts you" not in _Page(decoy_page).labels.values()


def test_class_names_and_ids_change_on_every_load(client):
    first, second = client.get(IG_FORM)[1], client.get(IG_FORM)[1]
    # Atom by atom: one class kept across loads is enough for a bot to lean on.
    classes = lambda text: {atom for value in re.findall(r'class="([^"]+)"', text) for atom in value.split()}
    ids = lambda text: set(re.findall(r'\bid="([^"]+)"', text))
    assert classes(first) and not classes(first) & classes(second)
    assert ids(first) and not ids(first) & ids(second)
    names = lambda text: set(re.findall(r'name="(Field\d+)"', text))
    assert names(first) == names(second) and len(names(first)) == 3
    lsd = lambda text: _Page(text).hidden["lsd"]
    assert lsd(first) != lsd(second)
    labels = lambda text: sorted(_Page(text).labels.values())
    assert labels(first) == labels(second) == sorted(
        ["Country of residence", "Email address", "Please tell us how this processing impacts you"])


@pytest.mark.parametrize("fields, label, message", [
    ({"country": ""}, "Country of residence", "Please select your country of residence."),
    ({"email": "me@example"}, "Email address", "Please enter a valid email address."),
    ({"email": "not an email"}, "Email address", "Please enter a valid email address."),
    ({"reason": "  \r\n "}, "Please tell us how this processing impacts you", "This field is required."),
])
def test_validation_refusals_are_recorded_with_the_sites_message(client, site, fields, label, message):
    status, page = _submit(client, **fields)
    assert status == 200
    assert page.alerts == [message]
    control = page.control(label)
    assert control["aria-invalid"] == "true"
    assert page.alert_by_id[control["aria-describedby"]] == message  # the message is tied to its field
    others = [c for c in page.controls.values() if c is not control and c.get("name", "").startswith("Field")]
    assert len(others) == 2 and not any("aria-invalid" in c for c in others)
    state = site.state()
    [submission] = state["submissions"]
    assert submission["accepted"] is False and submission["error"] == message
    assert submission["tokens_ok"] is True
    typed = {"country": "PT", "email": "me@example.org", "reason": "Please stop.", **fields}
    assert site.last_code(typed["email"]) is None and state["confirmed"] == 0
    assert "Confirmation code" not in page.labels.values()
    # What the person typed is kept.
    assert page.control("Email address")["value"] == typed["email"]
    assert page.selected == ([typed["country"]] if typed["country"] else [])
    reason = page.control("Please tell us how this processing impacts you")["name"]
    assert page.textareas[reason] == "\n" + typed["reason"].replace("\r\n", "\n")


def test_refusal_keeps_a_multiline_reason_and_escapes_it(client):
    _, page = _submit(client, email="bad", reason=REASON)
    assert page.textareas[page.control("Please tell us how this processing impacts you")["name"]] == \
        "\n" + REASON.replace("\r\n", "\n")
    assert html.escape(REASON.replace("\r\n", "\n")) in page.text  # markup in the reason stays text


def test_valid_utf8_submission_is_recorded_exactly(client, site):
    status, page = _submit(client, country="PT", email="ana@example.pt", reason=REASON)
    assert status == 200 and page.alerts == []
    state = site.state()
    [submission] = state["submissions"]
    assert submission["form"] == "objection" and submission["form_id"] == "233964459562201"
    assert submission["country"] == "PT" and submission["email"] == "ana@example.pt"
    assert submission["reason"] == "Ich widerspreche – bitte nicht.\nZweite Zeile: ação ✓ <b>&amp;</b>"
    assert submission["accepted"] and submission["tokens_ok"] and submission["error"] is None
    assert submission["fields"]["Field1412795485586186"] == submission["reason"]
    assert site.last_code("ANA@example.pt ") == TEST_CODE
    code = page.control("Confirmation code")
    assert (code["autocomplete"], code["inputmode"], code["maxlength"]) == ("one-time-code", "numeric", "6")
    # The code page names the address and asks to keep the page open.
    assert "ana@example.pt" in page.text and "Don&#x27;t close this page" in page.text
    assert state["confirmed"] == 0


def test_tampered_tokens_are_refused(client, site):
    _, text = client.get(IG_FORM)
    data = _filled(_Page(text))
    data["jazoest"] = "21234"
    _, answer = client.post("/ajax/help/contact/submit/page", data)
    [submission] = site.state()["submissions"]
    assert submission["tokens_ok"] is False and submission["accepted"] is False
    assert _Page(answer).alerts == ["Something went wrong. Please reload the page and try again."]
    assert site.last_code("me@example.org") is None  # otherwise fully valid, yet no code is sent


def _code_step(client: _Client) -> _Page:
    status, page = _submit(client)
    assert status == 200
    return page


def _confirm(client: _Client, page: _Page, code: str) -> _Page:
    data = dict(page.hidden, code=code)
    return _Page(client.post("/ajax/help/contact/confirm", data)[1])


def test_wrong_code_three_times_is_refused(client, site):
    page = _code_step(client)
    for _ in range(2):
        page = _confirm(client, page, "000000")
        assert page.alerts == ["That code isn't right. Check the email and try again."]
        assert page.control("Confirmation code")["aria-invalid"] == "true"
    final = _confirm(client, page, "111111")
    assert "We couldn't confirm your request" in final.text.replace("&#x27;", "'")
    assert len(final.alerts) == 1 and "You've entered an incorrect code too many times" in final.alerts[0]
    assert "Confirmation code" not in final.labels.values()
    late = _confirm(client, page, TEST_CODE)  # a right code after the lock-out does not help
    assert "You&#x27;ve entered an incorrect code too many times" in late.text
    state = site.state()
    assert state["code_attempts"] == [{"code": c, "ok": False} for c in ("000000", "000000", "111111", TEST_CODE)]
    assert state["confirmed"] == 0
    [submission] = state["submissions"]
    assert submission["error"].startswith("You've entered an incorrect code too many times")


def test_right_code_confirms(client, site):
    page = _code_step(client)
    done = _confirm(client, page, f" {TEST_CODE} ")
    assert "Thanks. We&#x27;ve received your objection request." in done.text
    assert "apply from now on to the development and improvement of AI at Meta" in done.text
    assert "<form" not in done.text
    state = site.state()
    assert state["confirmed"] == 1 and state["code_attempts"] == [{"code": TEST_CODE, "ok": True}]


def test_mailbox_shows_the_code(client, site):
    _code_step(client)
    _, text = client.get("/__mock/mailbox?email=me%40example.org")
    assert re.search(r'id="code"[^>]*>(\d+)<', text).group(1) == TEST_CODE
    _, raw = client.get("/__mock/mailbox.json?email=me%40example.org")
    assert json.loads(raw) == {"email": "me@example.org", "code": TEST_CODE}
    _, raw = client.get("/__mock/mailbox.json?email=nobody%40example.org")
    assert json.loads(raw)["code"] is None


def test_state_endpoint_and_request_log(client, site):
    client.get("/privacy/genai/")
    _, raw = client.get("/__mock/state")
    state = json.loads(raw)
    assert state["requests"] == ["GET /privacy/genai/"]
    assert set(state) == {"variant", "requests", "submissions", "code_attempts", "confirmed", "already", "cookie_choices",
                          "input_events", "input_fields", "logins"}


def test_field_events_are_counted(client, site):
    for kind in ("input", "keydown"):
        request = urllib.request.Request(site.url + "/__mock/event", json.dumps(
            {"type": kind, "field": "Field1412795482252853"}).encode(), {"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()
    state = site.state()
    assert state["input_events"] == 2 and state["input_fields"] == ["Field1412795482252853"]
    assert state["requests"] == []  # page telemetry stays out of the request log


def test_flaky_answers_503_twice_then_200(mock_site):
    site = mock_site("flaky")
    client = _Client(site)
    statuses = [client.get("/privacy/genai/")[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert site.state()["requests"] == ["GET /privacy/genai/"] * 3


def test_third_party_submissions_are_recorded_as_such(client, site):
    _, text = client.get("/privacy/genai/")
    page = _Page(client.get(_Page(text).link("submit a request about third-party information")["href"])[1])
    data = dict(page.hidden)
    data[page.control("Email address")["name"]] = "me@example.org"
    data[page.control("Country of residence")["name"]] = "DE"
    reason = next(c for c in page.controls.values() if c.get("name", "").startswith("Field")
                  and c["name"] not in data and "type" not in c)
    data[reason["name"]] = "A prompt"
    status, answer = client.post("/ajax/help/contact/submit/page", data)
    assert status == 200 and "Thanks for contacting us." in answer
    state = site.state()
    [submission] = state["submissions"]
    assert submission["form"] == "third-party" and submission["accepted"]
    assert (submission["country"], submission["email"], submission["reason"]) == ("DE", "me@example.org", "A prompt")
    assert site.last_code("me@example.org") is None and state["confirmed"] == 0


def test_react_pages_are_an_empty_root_and_answer_ajax_json(mock_site):
    site = mock_site("react,de")
    client = _Client(site)
    _, text = client.get(IG_FORM)
    assert '<html lang="de"' in text
    assert re.search(r'<body class="[^"]+">\s*<div id="[^"]+"></div>', text)
    assert not _Page(text).labels and "<form" not in text  # nothing to read before the script runs
    boot = json.loads(re.search(r"window.__mockBoot=(\{.*?\});</script>", text).group(1))
    form = boot["app"]
    assert [f["label"] for f in form["fields"]] == [
        "Wohnsitzland", "E-Mail-Adresse", "Bitte erkläre uns, wie sich diese Verarbeitung auf dich auswirkt"]
    country, email, reason = (f["name"] for f in form["fields"])
    data = {"lsd": form["lsd"], "jazoest": form["jazoest"], "support_form_id": form["formId"], "__a": "1",
            country: "Deutschland", f"{country}_iso2_country_code": "", email: "me@example.org", reason: "x"}
    _, raw = client.post("/ajax/help/contact/submit/page", data)
    assert raw.startswith("for (;;);")
    assert json.loads(raw[9:]) == {"status": "invalid", "field": country,
                                   "error": "Bitte wähle dein Wohnsitzland aus."}
    data[f"{country}_iso2_country_code"] = "DE"
    answer = json.loads(client.post("/ajax/help/contact/submit/page", data)[1][9:])
    assert answer["status"] == "code" and answer["email"] == "me@example.org"
    wrong = {"lsd": form["lsd"], "jazoest": form["jazoest"], "request_id": answer["request"], "__a": "1"}
    result = json.loads(client.post("/ajax/help/contact/confirm", dict(wrong, code="123456"))[1][9:])
    german = json.loads((FIXTURES / "strings" / "de.json").read_text("utf-8"))
    assert result == {"status": "wrong", "error": german["err_code"]} and boot["texts"]["err_code"] == german["err_code"]
    result = json.loads(client.post("/ajax/help/contact/confirm", dict(wrong, code=TEST_CODE))[1][9:])
    assert result == {"status": "done"} and site.state()["confirmed"] == 1


def test_select_names_uses_opaque_option_values(mock_site):
    site = mock_site("select-names")
    client = _Client(site)
    page = _Page(client.get(IG_FORM)[1])
    values = dict((text, value) for value, text in page.options)
    opaque = [value for value, _ in page.options if value]
    # Longer than any ISO code (alpha-2, alpha-3 or numeric-3), and one per country.
    assert all(value.isdigit() and len(value) > 3 for value in opaque) and len(set(opaque)) == len(opaque)
    client.post("/ajax/help/contact/submit/page", _filled(page, country="PT"))
    page = _Page(client.get(IG_FORM)[1])
    client.post("/ajax/help/contact/submit/page", _filled(page, country=values["Portugal"]))
    first, second = site.state()["submissions"]
    assert (first["accepted"], first["country"], first["error"]) == (
        False, None, "Please select your country of residence.")
    assert (second["accepted"], second["country"]) == (True, "PT")


def test_no_code_variant_confirms_on_send(mock_site):
    site = mock_site("no-code,prefilled")
    client = _Client(site)
    page = _Page(client.get(IG_FORM)[1])
    assert page.control("Email address")["value"] == "someone.else@example.com"
    _, text = client.post("/ajax/help/contact/submit/page", _filled(page))
    assert "Thanks. We&#x27;ve received your objection request." in text
    assert "Confirmation code" not in _Page(text).labels.values()
    state = site.state()
    [submission] = state["submissions"]
    assert submission["accepted"] and submission["email"] == "me@example.org"  # what was typed, not the prefill
    assert state["confirmed"] == 1 and site.last_code("me@example.org") is None


def test_login_wall_and_cookie_choice(mock_site):
    site = mock_site("login,cookie,facebook")
    client = _Client(site)
    _, text = client.get("/privacy/genai/")
    assert 'type="password"' in text and "right to object" not in text
    assert 'role="dialog"' in text and "Decline optional cookies" in text
    assert client.post("/__mock/cookie", {"choice": "essential"})[0] == 200
    status, text = client.post("/accounts/login", {"username": "ana", "password": "secret", "next": "/privacy/genai/"})
    assert status == 200 and "right to object" in text and 'role="dialog"' not in text
    assert _Page(text).link("right to object")["href"] == FB_FORM
    state = site.state()
    assert state["logins"] == 1 and state["cookie_choices"] == ["essential"]
    assert "secret" not in json.dumps(state)


def test_ai_question_variant_needs_yes_before_it_takes_the_objection(mock_site):
    site = mock_site("ai-question")
    client = _Client(site)
    _, text = client.get(IG_FORM)
    # The question comes first, as a named group of two radios; the fields wait behind it, hidden.
    question = re.search(r"<fieldset[^>]*><legend[^>]*>([^<]+)</legend>(.*?)</fieldset><div ([^>]*)>", text, re.S)
    assert question.group(1) == "Does your request relate to AI at Meta?"
    radios = re.findall(r'<input type="radio" name="(Field\d+)" value="(\w+)"', question.group(2))
    assert [value for _, value in radios] == ["yes", "no"] and radios[0][0] == radios[1][0]
    assert re.search(r"\bhidden\b", question.group(3)) and text.index("Email address") > question.end()
    topic = radios[0][0]
    page = _Page(text)
    for answer in (None, "no"):
        data = _filled(page) | ({topic: answer} if answer else {})
        status, refused = client.post("/ajax/help/contact/submit/page", data)
        assert status == 200 and _Page(refused).alerts == ["Please answer this question."]
        page = _Page(refused)
    assert site.last_code("me@example.org") is None
    _, answer = client.post("/ajax/help/contact/submit/page", _filled(page) | {topic: "yes"})
    assert _Page(answer).control("Confirmation code")
    accepted = [s for s in site.state()["submissions"] if s["accepted"]]
    assert len(accepted) == 1 and accepted[0]["fields"][topic] == "yes"
    assert site.last_code("me@example.org") == TEST_CODE


def test_lookalike_and_new_tab_variants(mock_site):
    link = _Page(_Client(mock_site("lookalike,new-tab")).get("/privacy/genai/")[1]).link("right to object")
    assert link["href"] == "https://help.instagram.com.account-verify.example/contact/233964459562201"
    assert link["target"] == "_blank"


def test_missing_field_variants_drop_the_field(mock_site):
    page = _Page(_Client(mock_site("missing-email,missing-reason")).get(IG_FORM)[1])
    assert list(page.labels.values()) == ["Country of residence"]
    assert [c["name"] for c in page.controls.values() if c.get("name", "").startswith("Field")] == [
        page.control("Country of residence")["name"]]  # no unlabelled control left behind


def test_parse_variant_rejects_unknown_tokens():
    with pytest.raises(ValueError) as error:
        parse_variant("react,klingon")
    assert "'klingon'" in str(error.value) and "pt-BR" in str(error.value) and "cookie-fb" in str(error.value)
    for conflict, message in [
        ("server,react", "'server' and 'react' cannot be combined"),
        ("de,fr", "'de' and 'fr' cannot be combined"),
        ("cookie,cookie-fb", "'cookie' and 'cookie-fb' cannot be combined"),
        ("react,select-names", "'select-names' needs the native <select>"),
        ("combobox,select-names", "'select-names' needs the native <select>"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_variant(conflict)
    with pytest.raises(ValueError, match="'nope'"):
        MockSite("nope")


def test_parse_variant_round_trips():
    variant = parse_variant(" react , DE,cookie,,missing-email ")
    assert isinstance(variant, Variant)
    assert (variant.markup, variant.lang, variant.cookie, variant.missing) == ("react", "de", "cookie",
                                                                              frozenset({"email"}))
    assert str(variant) == "react,de,cookie,missing-email"
    assert str(parse_variant("")) == "server,en"
    assert parse_variant(str(variant)) == variant
    for token in VARIANT_TOKENS:  # every token the help lists is accepted and kept
        assert token in parse_variant(token).tokens(), token
    # The help's "(default)" marks exactly what an empty variant gives.
    assert [token for token, text in VARIANT_TOKENS.items() if "(default)" in text] == ["server", "en"]
    texts = [text.strip() for text in VARIANT_TOKENS.values()]
    assert all(texts) and len(set(texts)) == len(texts)  # each token explained, none by a copy of another


def test_every_language_has_every_text(mock_site):
    english = json.loads((FIXTURES / "strings" / "en.json").read_text("utf-8"))
    shape = lambda texts: {key: type(value) for key, value in texts.items()}
    strings = {path.stem: json.loads(path.read_text("utf-8")) for path in (FIXTURES / "strings").glob("*.json")}
    for lang, texts in strings.items():
        assert shape(texts) == shape(english), lang
    # Both ways: a language token without its strings file would crash the site.
    assert set(strings) == {token for token in VARIANT_TOKENS if parse_variant(token).lang == token}
    for lang, texts in strings.items():
        text = _Client(mock_site(lang)).get("/privacy/genai/")[1]
        assert f'<html lang="{lang}"' in text
        heading = texts["genai_blocks"][0][1]
        assert f">{html.escape(heading)}</h1>" in text, lang  # the page speaks that language
