"""The CLI contract the independent page variants are judged on, against a plain page set
written apart from the mock site (tests/plain_site.py)."""

import json

import pytest

from conftest import EMAIL, REASON, prefill_args, run_cli
from plain_site import CODE, LINK_PENDING, PlainSite


def answered(done: str, tmp_path, env_file, *, timeout: float = 15, **settings: str):
    """One run whose code step the plain site answers with the page `done`: the form and the code went once each."""
    receipts = tmp_path / "r"
    with PlainSite(done=done) as site:
        result = run_cli(*prefill_args(site.start_url, env_file(**settings), receipts, timeout=timeout), stdin=f"{CODE}\n")
        assert len(site.submissions) == 1 and site.codes == [CODE], result.stderr
    return result, receipts, site.submissions


def written(receipts) -> list:
    """Every file the run left in its receipts folder (none at all when it made no folder)."""
    return list(receipts.iterdir()) if receipts.exists() else []


def test_plain_english_form_is_submitted_once_with_exact_values(tmp_path, env_file):
    receipts = tmp_path / "receipts"
    with PlainSite() as site:
        # Lines that are not six digits are never typed into the page.
        result = run_cli(*prefill_args(site.start_url, env_file(country="prt"), receipts), stdin=f"12345\nabcdef\n{CODE}\n")
        assert "not a six-digit code" in result.stderr
        assert result.code == 0, result.stderr
        assert len(site.submissions) == 1
        sent = site.submissions[0]
        assert sent["country"] == "Portugal"
        assert sent["email"] == EMAIL
        assert sent["reason"].replace("\r\n", "\n") == REASON
        assert site.codes == [CODE]
    (receipt,) = receipts.glob("*.json")
    data = json.loads(receipt.read_text(encoding="utf-8"))
    assert data["country"] == "PT" and data["email"] == EMAIL and data["reason"] == REASON
    assert "received your objection" in data["confirmation_text"]
    assert result.stdout.strip() == str(receipt)
    assert EMAIL not in result.stderr and "p***@example.eu" in result.stderr


def test_a_form_that_shows_the_rest_once_a_country_is_chosen_is_sent_once_with_exact_values(tmp_path, env_file):
    with PlainSite(one_by_one=True) as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{CODE}\n")
        assert result.code == 0, result.stderr
        assert [(s["country"], s["email"], s["reason"].replace("\r\n", "\n")) for s in site.submissions] == [("Portugal", EMAIL, REASON)]
        assert site.codes == [CODE]
    assert "The form shows its fields one after another: chose Portugal first." in result.stderr


def test_niger_is_not_confused_with_nigeria(tmp_path, env_file):
    with PlainSite() as site:
        result = run_cli(*prefill_args(site.start_url, env_file(country="NER"), tmp_path / "r"), stdin=f"{CODE}\n")
        assert result.code == 0, result.stderr
        assert site.submissions[0]["country"] == "Niger"


def test_three_wrong_codes_exit_8_with_the_sites_words(tmp_path, env_file):
    with PlainSite() as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin="111111\n222222\n333333\n")
        assert result.code == 8, result.stderr
        assert site.codes == ["111111", "222222", "333333"]
        assert "That code is incorrect" in result.stderr
    assert not list(tmp_path.rglob("*-instagram.json")), "no receipt without a confirmation"


def test_post_redirect_get_keeps_cookies(tmp_path, env_file):
    # Meta's server-rendered form answers a POST with a redirect that sets a cookie; the code page needs it.
    with PlainSite(post_redirect_get=True) as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{CODE}\n")
        assert result.code == 0, result.stderr
        assert len(site.submissions) == 1 and site.codes == [CODE]


def test_a_redirect_off_meta_hosts_is_refused_with_exit_7(tmp_path, env_file):
    with PlainSite(form_redirects_to="https://help.instagram.com.account-verify.example/contact/1") as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"))
        assert result.code == 7, result.stderr
        assert "account-verify.example" in result.stderr
        assert site.submissions == []


def test_a_redirect_off_meta_hosts_after_send_says_the_form_was_sent(tmp_path, env_file):
    # "Typed nothing" alone would leave a person thinking nothing reached Meta, and running again.
    with PlainSite(send_redirects_to="https://help.instagram.com.account-verify.example/thanks") as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"))
    assert result.code == 7, result.stderr
    assert len(site.submissions) == 1
    assert "account-verify.example" in result.stderr and "typed nothing there" in result.stderr
    assert "The form had been sent, so Meta may have received it: check your email" in result.stderr


def test_an_unknown_outcome_after_send_exits_4_with_evidence_and_no_second_send(tmp_path, env_file):
    with PlainSite(blank_after_send=True) as site:
        args = prefill_args(site.start_url, env_file(), tmp_path / "r", timeout=3)
        result = run_cli(*args)
        assert result.code == 4, result.stderr
        assert "unknown whether Meta received it" in result.stderr
        assert len(site.submissions) == 1, "Send must never be retried"
    (snap,) = (tmp_path / "snapshots").iterdir()
    assert (snap / "page.html").exists() and (snap / "trace.zip").exists()


def test_thanks_in_words_the_recipe_does_not_know_are_quoted_with_what_to_do(tmp_path, env_file):
    # Red-team pass 18: Meta's thanks reworded ("All set") gave only 'unknown whether Meta accepted
    # it' (exit 4); neither the person nor a maintainer learnt from the run what the page said.
    done = ("<!doctype html><html lang='en'><body><header><p>Instagram Help Centre</p></header><h2>All set</h2>"
            "<p>We'll email p.person@example.eu when we've reviewed what you sent.</p></body></html>")
    result, _, _ = answered(done, tmp_path, env_file, timeout=3)
    assert result.code == 4, result.stderr
    assert ("it is unknown whether Meta accepted it. The page says: 'All set / We'll email p***@example.eu when "
            "we've reviewed what you sent.'") in result.stderr
    assert "Meta has changed the page: please report it" in result.stderr and "p.person@" not in result.stderr


def test_thanks_beside_a_refusal_in_unknown_words_are_not_counted_as_confirmed(tmp_path, env_file):
    # Red-team pass 19 (g31-g36): thanks, then a refusal the recipe had no words for, ended with exit 0
    # and a receipt that quoted the refusal as Meta's confirmation.
    done = ("<!doctype html><html lang='en'><body><div><h2>Thank you</h2><p>We have received your request. Having reviewed it, "
            "we don't think your objection applies to how we use your information, p.person@example.eu.</p><button>Request a new code</button></div></body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file)
    assert result.code == 4, result.stderr
    assert ("Meta's answer thanks you, but also says: \"Having reviewed it, we don't think your objection applies to how we use "
            "your information, p***@example.eu.\" The bot cannot tell whether that turns your objection down") in result.stderr
    assert "keep that email as your proof" in result.stderr and "Traceback" not in result.stderr
    assert "p.person@" not in result.stderr  # found in review: the sentence was quoted unmasked
    assert written(receipts) == []


def test_a_form_whose_submit_button_says_next_is_never_pressed_headless(tmp_path, env_file):
    # "Next" shows the values with a Send of its own. Pressed as Send, it led to 'outcome unknown'
    # (exit 4) with nothing sent (red-team passes 11 and 13): no one would see where it leads.
    with PlainSite(review_step=True) as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{CODE}\n")
        assert result.code == 3, result.stderr
        assert "The objection form has 'Next' where its Send button should be" in result.stderr
        assert "Nothing was filled in or sent" in result.stderr and "without --headless" in result.stderr
        assert "Traceback" not in result.stderr
        assert site.reviews == [] and site.submissions == [] and site.codes == []
    assert not list((tmp_path / "r").glob("*.json"))


def test_a_page_that_sends_the_form_to_another_host_is_stopped_and_nothing_goes_there(tmp_path, env_file):
    # Its script posts the fields to a host that is not allowed (localhost, not 127.0.0.1): the
    # guard blocks the request, and the page's "Something went wrong" is not Meta's refusal.
    with PlainSite(posts_elsewhere=True) as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{CODE}\n")
        assert result.code == 7, result.stderr
        assert "tried to send the form to localhost" in result.stderr and "Traceback" not in result.stderr
        assert site.submissions == []
    assert not list((tmp_path / "r").glob("*.json"))


def test_a_browser_confirm_after_send_is_answered_cancel_and_said_at_once(tmp_path, env_file):
    # OK would be a second press of Send; the run says what the page asked instead of waiting out --timeout.
    with PlainSite(confirm_dialog=True) as site:
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{CODE}\n")
        assert result.code == 3, result.stderr
        assert "Send your objection now?" in result.stderr and "Nothing reached Meta" in result.stderr
        assert result.seconds < 15
        assert site.submissions == []


def test_a_link_still_to_open_after_the_code_ends_with_exit_5_and_no_receipt(tmp_path, env_file):
    # "Request sent. Open the link we emailed you to confirm it": nothing is confirmed until the person does.
    result, receipts, _ = answered(LINK_PENDING, tmp_path, env_file)
    assert result.code == 5, result.stderr
    assert "asks you to open a link it emailed" in result.stderr and "Open the link we emailed you to confirm it" in result.stderr
    assert "Traceback" not in result.stderr and "127.0.0.1 confirmed" not in result.stderr
    assert written(receipts) == []


def test_an_answer_in_another_language_than_the_forms_page_is_still_read(tmp_path, env_file):
    # Meta's answers are read in the form page's languages (and English) for speed; an answer in
    # another is read in every language once the page is still, not taken for "no answer" (exit 4).
    done = ("<!doctype html><html lang='nl'><body><h2>Bedankt</h2><p>We hebben je verzoek ontvangen en passen het toe.</p>"
            "</body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file, timeout=20)
    assert result.code == 0, result.stderr
    (receipt,) = receipts.glob("*.json")
    assert "verzoek ontvangen" in json.loads(receipt.read_text(encoding="utf-8"))["confirmation_text"]
    # Read once the page was still, not after the whole --timeout (20 s).
    assert result.seconds < 15, result.seconds


def test_thanks_that_leave_the_decision_for_later_are_said_as_received_not_accepted(tmp_path, env_file):
    # Red-team pass 24 (v24, v45 and four more languages): 'We'll review your request' under thanks was
    # said as "confirmed the objection", in the terminal, the window and the receipt. The objection was
    # received (the receipt is its proof), not yet honoured: said so, and the receipt marks it.
    done = ("<!doctype html><html lang='en'><body><h2>Thanks, we've received your request</h2><p>We'll review your request and "
            "get back to you at p.person@example.eu. This can take up to 30 days.</p></body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file)
    assert result.code == 0, result.stderr
    assert "The test site at 127.0.0.1 received the objection and says it will review it" in result.stderr
    assert "confirmed" not in result.stderr and "p.person@" not in result.stderr
    (receipt,) = receipts.glob("*.json")
    data = json.loads(receipt.read_text(encoding="utf-8"))
    assert data["under_review"] is True and "We'll review your request" in data["confirmation_text"]


def test_the_form_shown_again_after_the_code_is_said_as_such(tmp_path, env_file):
    # Red-team pass 24 (v22): thanks in a toast that went after a second while the form was drawn
    # again, empty, ended with "the page asks for one more step ... take that last step yourself",
    # which sends a person to object twice. Said as what it is; still no receipt (a form asked again
    # cannot be told from one reset).
    done = ("<!doctype html><html lang='en'><body><div role='status' id='t'>Thanks, we've received your objection.</div>"
            "<h2>Object to Your Information Being Used for AI at Meta</h2><form method='post' action='/again'>"
            "<label>Country of residence <select name='country'><option value=''>Choose</option><option>Portugal</option></select></label>"
            "<label>Email address <input type='email' name='email'></label><button type='submit'>Send</button></form>"
            "<script>setTimeout(() => document.getElementById('t').remove(), 1000)</script></body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file, timeout=3)
    assert result.code == 4, result.stderr
    assert "After the code, the page shows the objection form again, empty" in result.stderr
    assert "before you send the form again" in result.stderr and "take that last step yourself" not in result.stderr
    assert written(receipts) == []


def test_thanks_words_negated_end_with_exit_4_and_no_receipt(tmp_path, env_file):
    # "received your objection" is thanks only when nothing negates it; this ended with exit 0 and a receipt.
    done = "<!doctype html><html lang='en'><body><h2>Objection status</h2><p>We have not received your objection.</p></body></html>"
    result, receipts, _ = answered(done, tmp_path, env_file)
    assert result.code == 4, result.stderr
    assert "We have not received your objection." in result.stderr and "writes no receipt" in result.stderr
    assert written(receipts) == []


def test_a_refusal_in_another_language_than_the_forms_page_exits_8(tmp_path, env_file):
    done = ("<!doctype html><html lang='de'><body><h2>Widerspruch</h2><p>Etwas ist schiefgelaufen. Deine Anfrage konnte nicht "
            "bearbeitet werden.</p></body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file)
    assert result.code == 8, result.stderr
    assert "Meta refused the request: Etwas ist schiefgelaufen" in result.stderr
    assert written(receipts) == []


@pytest.mark.parametrize("done, quoted", [
    # English thanks beside a German error: before, the error made it a refusal.
    ("<html lang='en'><body><h2>Thanks</h2><p>We've received your objection request.</p>"
     "<p>Etwas ist schiefgelaufen. Deine Anfrage konnte nicht bearbeitet werden.</p></body></html>",
     "Meta's answer thanks you, but also says: \"Etwas ist schiefgelaufen.\""),
    # A page without a language: its doubt is read in every language, not the form page's only.
    ("<html><body><h2>Thanks</h2><p>We've received your objection request. Nach Prüfung können wir deinem Widerspruch "
     "nicht nachkommen.</p></body></html>", "Nach Prüfung können wir deinem Widerspruch nicht nachkommen."),
])
def test_thanks_beside_words_in_another_language_than_the_forms_page_are_not_counted_as_confirmed(tmp_path, env_file, done, quoted):
    # Review of e63a659: with answers read in the form page's languages, both ended with exit 0 and a receipt.
    result, receipts, _ = answered("<!doctype html>" + done, tmp_path, env_file)
    assert result.code == 4, result.stderr
    assert quoted in result.stderr
    assert written(receipts) == []


def test_a_step_after_the_code_is_named_as_one_the_bot_did_not_take(tmp_path, env_file):
    # Red-team pass 22 (k01, k02): after the code, "Your email address has been verified" over a box to
    # tick and "Submit objection" ended with "no confirmation or error appeared", as if nothing asked
    # for more. The bot fills in and presses nothing after the code; it must say the page wants more.
    done = ("<!doctype html><html lang='en'><body><div><h2>Your email address has been verified.</h2><div><span dir='auto'>"
            "To finish, confirm your objection below. Your objection isn't submitted until you do.</span></div>"
            "<form method='post' action='/submit/final'><label><input type='checkbox' name='sure' required>"
            "<span dir='auto'>I confirm that I want to object.</span></label>"
            "<button type='submit'>Submit objection</button></form></div></body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file, timeout=3)  # one submission: Submit objection never pressed
    assert result.code == 4, result.stderr
    assert ("After the code, the page asks for one more step (a box to fill in or tick, and 'Submit objection'), which "
            "the bot does not take") in result.stderr
    assert "Your objection isn't submitted until you do." in result.stderr  # the page's own words, quoted
    assert "no confirmation or error appeared" not in result.stderr
    assert written(receipts) == []


def test_thanks_in_another_language_in_a_toast_that_goes_soon_are_read_in_time(tmp_path, env_file):
    # Red-team pass 23 (d01, d04, d06): an English form answered in a German toast that went after
    # 1.2 s, or on a page that never stands still (a countdown), was read in every language only once
    # the page stood still (or at --timeout), after it had gone: exit 4. Here both: the page ticks
    # every 0.2 s and the toast goes after 3 s, half the --timeout.
    done = ("<!doctype html><html lang='de'><body><h2>Instagram-Hilfebereich</h2><p>Weiter in <span id='n'>30</span> s</p>"
            "<div role='status' id='t'>Danke! Wir haben deinen Widerspruch erhalten.</div><script>"
            "setInterval(() => { const n = document.getElementById('n'); n.textContent = String(Number(n.textContent) - 1); }, 200);"
            "setTimeout(() => document.getElementById('t').remove(), 3000)</script></body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file, timeout=6)
    assert result.code == 0, result.stderr
    (receipt,) = receipts.glob("*.json")
    assert "Widerspruch erhalten" in json.loads(receipt.read_text(encoding="utf-8"))["confirmation_text"]


def test_thanks_beside_a_link_to_open_in_another_language_are_no_confirmation(tmp_path, env_file):
    # Red-team pass 23 (a05): English thanks beside German "open the link we emailed to confirm" ended
    # with exit 0 and a receipt; the objection counts only once that link is opened.
    done = ("<!doctype html><html lang='en'><body><h2>Thanks, we've received your request</h2><p>Öffne den Link in der E-Mail, "
            "die wir dir gesendet haben, um deinen Widerspruch zu bestätigen.</p></body></html>")
    result, receipts, _ = answered(done, tmp_path, env_file)
    assert result.code == 5, result.stderr
    assert "the page asks you to open a link it emailed ('Öffne den Link" in result.stderr
    assert written(receipts) == []


@pytest.mark.parametrize("beside", [
    # Red-team pass 23 (c06): a sidebar of related articles, in German, naming a problem.
    "<div role='complementary'><h3>Ähnliche Artikel</h3><ul><li><a href='/help/1'>Es gab ein Problem beim Hochladen deines "
    "Fotos</a></li></ul></div>",
    # (f02): a German line that only supposes a problem.
    "<p>Falls ein Problem aufgetreten ist, antworte einfach auf unsere E-Mail.</p>",
])
def test_thanks_beside_other_languages_words_that_report_no_problem_are_confirmed(tmp_path, env_file, beside):
    # Both ended with exit 4: the search for other languages' error words read the whole page, and
    # no condition ("falls": if).
    done = f"<!doctype html><html lang='en'><body>{beside}<h2>Thank you</h2><p>We have received your objection.</p></body></html>"
    result, _, _ = answered(done, tmp_path, env_file)
    assert result.code == 0, result.stderr


def test_the_persons_own_words_shown_back_beside_thanks_are_no_doubt(tmp_path, env_file):
    # Red-team pass 23 (f01): a reason written in German ("Leider": unfortunately, an error word) shown
    # back in a summary beside English thanks was taken for Meta's words of another language (exit 4).
    reason = "Leider wurde ich nie gefragt."
    done = ("<!doctype html><html lang='en'><body><h2>Thank you</h2><p>We have received your objection.</p>"
            f"<p>What you sent: {reason}</p></body></html>")
    result, _, submissions = answered(done, tmp_path, env_file, reason=reason)
    assert result.code == 0, result.stderr
    assert [s["reason"] for s in submissions] == [reason]
