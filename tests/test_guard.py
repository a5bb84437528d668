"""The host allow-list: Meta's hosts and their subdomains, hand-given hosts exactly, nothing else."""

import pytest

from optout_bot import recipe
from optout_bot.guard import HostGuard


@pytest.fixture
def guard():
    return HostGuard(recipe.load("instagram").meta_domains, ["127.0.0.1"])


@pytest.mark.parametrize("url", [
    "https://privacycenter.instagram.com/privacy/genai/",
    "https://help.instagram.com/contact/233964459562201",
    "https://www.facebook.com/help/contact/6359191084165019",
    "https://static.cdninstagram.com/rsrc.php/x.js",
    "https://scontent.xx.fbcdn.net/v/t1.jpg",
    "http://127.0.0.1:8765/privacy/genai/",
    "about:blank",
])
def test_allows_meta_and_given_hosts(guard, url):
    assert guard.allows(url)


@pytest.mark.parametrize("url", [
    "https://help.instagram.com.account-verify.example/contact/1",
    "https://instagram.com.evil.example/",
    "https://notinstagram.com/",
    "https://evil.example/?next=instagram.com",
    "http://127.0.0.2/",
    "http://localhost/",
    "ftp://instagram.com/",
    "javascript:alert(1)",
    "file:///etc/passwd",
])
def test_refuses_everything_else(guard, url):
    assert not guard.allows(url)


def test_require_records_the_violation_and_says_what_to_do(guard):
    with pytest.raises(Exception) as err:
        guard.require("https://evil.example/form", "The link")
    assert err.value.status == 7
    assert "evil.example" in err.value.message and "Do not allow that host" in err.value.hint
    assert guard.violation == "https://evil.example/form"


@pytest.mark.parametrize("url, allow", [("http://127.0.0.2:8000/", True), ("http://localhost/", True), ("http://192.168.1.9/", True),
                                        ("https://help.instagram.com.account-verify.example/contact/1", False), ("http://8.8.8.8/", False)])
def test_allowing_a_host_by_hand_is_offered_only_for_a_server_on_this_machine_or_network(url, allow):
    # Found by a newcomer's walkthrough: the demo's look-alike page was answered with
    # "If this is your own test server, add it with --allow-host".
    testing = HostGuard(recipe.load("instagram").meta_domains, ["127.0.0.1"])
    with pytest.raises(Exception) as err:
        testing.require(url, "The link")
    assert ("--allow-host" in err.value.hint) is allow and ("Do not allow that host" in err.value.hint) is not allow


def test_on_metas_own_pages_the_advice_is_never_to_allow_the_host():
    real = HostGuard(recipe.load("instagram").meta_domains)  # no --allow-host: a person's real run
    with pytest.raises(Exception) as err:
        real.require("https://help.instagram.com.account-verify.example/contact/1", "The link")
    assert "--allow-host" not in err.value.hint and "Do not allow that host" in err.value.hint


def test_resolver_rules_exclude_only_allowed_hosts(guard):
    (rule,) = guard.chromium_args()
    assert rule.startswith("--host-resolver-rules=MAP * ~NOTFOUND")
    assert "EXCLUDE *.instagram.com" in rule and "EXCLUDE 127.0.0.1" in rule


@pytest.mark.parametrize("url", [
    "https://instagram.com@evil.example/", "https://evil.example/?x=instagram.com", "https://notinstagram.com/",
    "http://127.0.0.2/", "https://instagram.com.evil.example/", "https://evil.example:443.instagram.com/",
])
def test_the_driver_side_prefilter_never_lets_an_outside_url_through(guard, url):
    assert guard.outside_pattern().search(url)


def test_the_prefilter_skips_allowed_hosts(guard):
    pattern = guard.outside_pattern()
    assert not pattern.search("https://help.instagram.com/contact/1")
    assert not pattern.search("http://127.0.0.1:8765/privacy/genai/")


def test_hosts_allowed_by_hand_are_not_metas_own():
    guard = HostGuard(["instagram.com"], ["127.0.0.1"])
    assert guard.on_meta("https://privacycenter.instagram.com/privacy/genai/")
    assert guard.allows("http://127.0.0.1:8000/") and not guard.on_meta("http://127.0.0.1:8000/")
    assert not guard.on_meta("https://instagram.com.account-verify.example/") and not guard.on_meta("about:blank")


def test_a_host_refused_with_a_window_says_the_person_may_have_gone_there_themselves(guard):
    # Red-team pass 17: a person who typed an outside address into the bot's tab was told only that
    # Meta's page led there and the recipe may need updating.
    guard._refuse("https://example.com/")
    assert "went there yourself" not in guard.error().hint
    guard.window = True
    hint = guard.error().hint
    assert hint.startswith("If you went there yourself in the window, run again and stay on Meta's pages") and "recipe" in hint
