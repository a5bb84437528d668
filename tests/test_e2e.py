"""The whole flow through the CLI, in a subprocess, against the mock site's variants.

Each test asserts what the server received (exact values, one submission, the cookie choice)
and the exit code, as a person or a maintainer would check them.
"""

import json
import os
import signal
import stat
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from conftest import CLI, EMAIL, REASON, ROOT, Terminal, assert_submitted_once, cli_env, free_port, objection, prefill_args, run_cli
from optout_bot.mock_site import PREFILLED_EMAIL, TEST_CODE

# Markup x language x cookie dialog x code step: every language once, every pair of the other three
# once (pairwise), and on some rows one more page feature, so each run proves as much as it can.
MATRIX = [
    ("server", "en", None, True, ""),
    ("server", "de", "cookie", True, "ai-question"),
    ("server", "fr", "cookie-fb", False, ""),
    ("server", "es", None, False, "prefilled"),
    ("server", "it", "cookie", False, "select-names"),
    ("server", "pl", "cookie-fb", True, "new-tab"),
    ("react", "nl", None, True, ""),
    ("react", "pt-PT", "cookie", True, ""),
    ("react", "pt-BR", "cookie-fb", False, ""),
    ("react", "ro", None, False, "ai-question"),
    ("server", "sv", "cookie", True, ""),
    ("server", "bg", "cookie-fb", True, "select-names"),
    ("react", "el", "cookie", True, ""),
    ("react", "cs", None, False, ""),
]


def variant_name(markup, lang, cookie, code_step, extra=""):
    return ",".join(t for t in (markup, lang, cookie, None if code_step else "no-code", extra) if t)


def assert_receipt(folder, country="PT"):
    (receipt,) = folder.glob("*.json")
    data = json.loads(receipt.read_text(encoding="utf-8"))
    assert (data["country"], data["email"], data["reason"]) == (country, EMAIL, REASON)
    assert data["confirmation_text"] and data["final_url"].startswith("http://127.0.0.1")
    assert (folder / data["screenshot"]).stat().st_size > 1000
    assert stat.S_IMODE(receipt.stat().st_mode) == 0o600
    return data


def short_temp_dir() -> tempfile.TemporaryDirectory:
    # Short: Chromium puts a socket under TMPDIR, and a socket's path may hold only ~100 characters.
    return tempfile.TemporaryDirectory(prefix="ob-", dir="/tmp" if os.path.isdir("/tmp") else None)


@pytest.mark.parametrize("markup, lang, cookie, code_step, extra", MATRIX, ids=[variant_name(*m) for m in MATRIX])
def test_matrix(markup, lang, cookie, code_step, extra, mock_site, env_file, tmp_path):
    site = mock_site(variant_name(markup, lang, cookie, code_step, extra))
    receipts = tmp_path / "receipts"
    # One row also keeps a browser profile and a trace on success; one gets a wrong code first.
    options = ["--profile", str(tmp_path / "profile"), "--trace"] if lang == "pt-PT" else []
    codes = ["000000", TEST_CODE] if lang == "nl" else [TEST_CODE]
    with short_temp_dir() as temp:  # where the run's temporary files go (the trace's among them): nothing may stay there
        result = run_cli(*prefill_args(site.start_url, env_file(), receipts, *options), stdin="\n".join(codes) + "\n",
                         env={"TMPDIR": temp})
        assert result.code == 0, result.stderr
        assert os.listdir(temp) == []
    state = assert_submitted_once(site)
    assert [(a["code"], a["ok"]) for a in state["code_attempts"]] == (
        [(c, c == TEST_CODE) for c in codes] if code_step else [])
    assert state["cookie_choices"] == (["essential"] if cookie else [])
    data = assert_receipt(receipts)
    assert data["code_step"] is code_step
    assert EMAIL not in result.stderr + result.stdout.replace(str(receipts), "")
    if len(codes) > 1:
        assert "2 tries left" in result.stderr
    if extra == "prefilled":  # the site's address was replaced, and the person told (masked)
        assert "s***@example.com" in result.stderr and PREFILLED_EMAIL not in result.stderr
    if extra == "new-tab":
        assert "new tab" in result.stderr
    if extra == "ai-question":  # the generic form's first question was answered (the site requires Yes)
        assert "about AI at Meta: chose Yes" in result.stderr
    if options:
        assert stat.S_IMODE((tmp_path / "profile").stat().st_mode) == 0o700
        (trace,) = (tmp_path / "snapshots").glob("*-trace.zip")
        assert stat.S_IMODE(trace.stat().st_mode) == 0o600
        with zipfile.ZipFile(trace) as z:
            assert not any(EMAIL.encode() in z.read(name) for name in z.namelist())


@pytest.mark.parametrize("markup", ["server", "react"])
def test_three_wrong_codes_exit_8(markup, mock_site, env_file, tmp_path):
    site = mock_site(markup)
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin="000000\n111111\n222222\n")
    assert result.code == 8, result.stderr
    assert [a["code"] for a in site.state()["code_attempts"]] == ["000000", "111111", "222222"]
    assert site.state()["confirmed"] == 0


def test_a_country_without_the_right_to_object_is_noted_and_the_form_still_filled(mock_site, env_file, tmp_path):
    site = mock_site("server")
    result = run_cli(*prefill_args(site.start_url, env_file(country="CH"), tmp_path / "r"), stdin=f"{TEST_CODE}\n")
    assert result.code == 0, result.stderr
    assert "Switzerland is not among them" in result.stderr
    assert_submitted_once(site, country="CH")


def test_an_address_that_carries_the_email_is_printed_masked(mock_site, env_file, tmp_path):
    # Found by red-team pass 9: a page whose address held ?email=jo.tester%40example.eu was quoted
    # whole in the error ("Could not find ... on http://...?email=jo.tester%40example.eu").
    from urllib.parse import quote, urljoin

    site = mock_site("server")
    url = urljoin(site.start_url, f"/nowhere/?email={quote(EMAIL, safe='')}&again={quote(EMAIL.upper())}")
    result = run_cli(*prefill_args(url, env_file(), tmp_path / "r"), "--timeout", "2", "--json")
    assert result.code == 3, result.stderr
    said = result.stdout + result.stderr
    assert "email=p***@example.eu&again=p***@example.eu" in said
    assert not [s for s in (EMAIL, quote(EMAIL, safe=""), quote(EMAIL)) if s.lower() in said.lower()]
    debug = run_cli(*prefill_args(url, env_file(), tmp_path / "r"), "--timeout", "2", "--debug")  # the traceback too
    assert debug.code == 3 and "Traceback" in debug.stderr and "p***@example.eu" in debug.stderr
    assert not [s for s in (EMAIL, quote(EMAIL, safe=""), quote(EMAIL)) if s.lower() in debug.stderr.lower()]


def test_no_code_on_standard_input_after_send_says_the_form_was_sent(mock_site, env_file, tmp_path):
    # Found by a newcomer's walkthrough: the run ended with "give the code on its own line" only,
    # and a person told to run again would send a second objection.
    site = mock_site("server")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin="")
    assert result.code == 5, result.stderr
    assert len(site.state()["submissions"]) == 1
    assert "The form had been sent, so Meta may have received it: check your email" in result.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_the_driver_is_kept_compiled_in_a_private_cache_folder_unless_the_person_sets_their_own(mock_site, env_file, tmp_path):
    from optout_bot.browser import playwright_browsers_dir

    site = mock_site("server")
    # Playwright's own Chromium stays findable under another cache folder; the developer's Node settings go.
    quiet_node = {"PLAYWRIGHT_BROWSERS_PATH": os.environ.get("PLAYWRIGHT_BROWSERS_PATH", str(playwright_browsers_dir())),
                  "NODE_COMPILE_CACHE": None, "NODE_DISABLE_COMPILE_CACHE": None, "NODE_OPTIONS": None}
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{TEST_CODE}\n",
                     env={**quiet_node, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.code == 0, result.stderr
    kept = tmp_path / "cache" / "optout-bot" / "node-compile-cache"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert [f for f in kept.rglob("*") if f.is_file()], "Node wrote no compiled code"
    # Their own NODE_COMPILE_CACHE is used as it is, and no folder of ours is made.
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r2"), stdin=f"{TEST_CODE}\n",
                     env={**quiet_node, "XDG_CACHE_HOME": str(tmp_path / "cache2"), "NODE_COMPILE_CACHE": str(tmp_path / "own")})
    assert result.code == 0, result.stderr
    assert [f for f in (tmp_path / "own").rglob("*") if f.is_file()] and not (tmp_path / "cache2" / "optout-bot").exists()


def test_503_then_success_retries_the_page_load(mock_site, env_file, tmp_path):
    site = mock_site("flaky")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{TEST_CODE}\n")
    assert result.code == 0, result.stderr
    assert result.stderr.count("trying again") == 2
    assert site.state()["requests"].count("GET /privacy/genai/") == 3
    assert_submitted_once(site)


def test_unreachable_site_exits_4_after_retries(env_file, tmp_path):
    port = free_port()
    result = run_cli(*prefill_args(f"http://127.0.0.1:{port}/privacy/genai/", env_file(), tmp_path / "r"))
    assert result.code == 4, result.stderr
    assert result.stderr.count("trying again") == 3
    # In words, not Chromium's net::ERR_CONNECTION_REFUSED alone; and no snapshot of its error page.
    assert "127.0.0.1 did not answer properly (it refused the connection; ERR_CONNECTION_REFUSED)" in result.stderr
    assert "Evidence saved" not in result.stderr and not list(tmp_path.glob("snapshots/*"))


def test_look_alike_host_is_refused_with_exit_7(mock_site, env_file, tmp_path):
    site = mock_site("lookalike")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"))
    assert result.code == 7, result.stderr
    assert "account-verify.example" in result.stderr
    assert site.state()["submissions"] == [] and site.state()["input_events"] == 0


@pytest.mark.parametrize("variant, said", [("other-form", "Request a copy of your information"),
                                           ("react,de,other-form", "Eine Kopie deiner Informationen anfordern")])
def test_another_of_metas_forms_behind_the_link_is_never_filled(mock_site, env_file, tmp_path, variant, said):
    # Same fields as the objection form and a thanks like its own: sent, it would read as confirmed.
    site = mock_site(variant)
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"))
    assert result.code == 3, result.stderr
    assert "does not say it is for objecting" in result.stderr and said in result.stderr
    assert site.state()["submissions"] == [] and site.state()["input_events"] == 0
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").glob("*.json"))


def test_missing_field_stops_before_sending_and_saves_a_redacted_snapshot(mock_site, env_file, tmp_path):
    site = mock_site("missing-email")
    with short_temp_dir() as temp:  # where the run's temporary files go: nothing may stay there
        result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), env={"TMPDIR": temp})
        assert result.code == 3, result.stderr
        assert os.listdir(temp) == []
    assert "email address field" in result.stderr
    assert site.state()["submissions"] == []
    (snap,) = (tmp_path / "snapshots").iterdir()
    assert stat.S_IMODE(snap.stat().st_mode) == 0o700
    assert {p.name for p in snap.iterdir()} >= {"page.html", "screenshot.png", "trace.zip", "snapshot.json"}
    html = (snap / "page.html").read_text(encoding="utf-8")
    assert 'name="lsd" value="[redacted]"' in html  # the hidden token is there, and redacted
    assert str(snap) in result.stderr


def test_without_snapshots_dir_the_snapshot_goes_beside_the_receipts_given_and_an_open_folder_is_said(mock_site, env_file, tmp_path):
    # Walk-through review: with --receipts-dir, the evidence went to the user data folder instead.
    # And a receipts folder of one's own that others can open is said to be so (it was not).
    site = mock_site("missing-email")
    (tmp_path / "r").mkdir(mode=0o755)
    os.chmod(tmp_path / "r", 0o755)
    args = prefill_args(site.start_url, env_file(), tmp_path / "r")
    at = args.index("--snapshots-dir")
    result = run_cli(*args[:at], *args[at + 2:], env={"XDG_DATA_HOME": str(tmp_path / "data")})
    assert result.code == 3, result.stderr
    assert f"Others can open the receipts folder {tmp_path / 'r'} (mode 755)" in result.stderr
    assert f"chmod 700 {tmp_path / 'r'}" in result.stderr
    (snap,) = (tmp_path / "r" / "snapshots").iterdir()
    assert str(snap) in result.stderr and (snap / "page.html").exists()
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("variant", ["server,en", "react,pt-BR,no-code"])
def test_a_form_without_a_reason_box_is_sent_with_country_and_email_and_said_so(mock_site, env_file, tmp_path, variant):
    # Meta made the reason optional in 2025; a red-team pass found a form without its box stopped (exit 3).
    site = mock_site(f"{variant},missing-reason")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), stdin=f"{TEST_CODE}\n")
    assert result.code == 0, result.stderr
    (sent,) = site.state()["submissions"]
    assert (sent["accepted"], sent["country"], sent["email"], sent["reason"]) == (True, "PT", EMAIL, None)
    assert REASON not in json.dumps(sent["fields"], ensure_ascii=False)
    assert "The form shows no box for a reason (Meta made it optional in 2025), so none is sent." in result.stderr
    # Red-team pass 19 (g03, g04): a box kept behind "Add details" was said not to exist, and the person's own reason dropped unsaid.
    assert "Your own reason (OPTOUT_REASON) is not sent. If the form offers a box for it behind a button" in result.stderr
    (receipt,) = (tmp_path / "r").glob("*.json")
    assert json.loads(receipt.read_text(encoding="utf-8"))["reason"] == ""  # what was sent


def test_a_form_without_a_reason_box_says_nothing_of_a_reason_the_person_never_wrote(mock_site, env_file, tmp_path):
    site = mock_site("server,en,missing-reason")
    result = run_cli(*prefill_args(site.start_url, env_file(reason=None), tmp_path / "r"), stdin=f"{TEST_CODE}\n")
    assert result.code == 0, result.stderr
    assert "so none is sent" in result.stderr and "Your own reason" not in result.stderr


def test_log_in_wall_headless_exits_5_without_typing(mock_site, env_file, tmp_path):
    site = mock_site("login")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"))
    assert result.code == 5, result.stderr
    assert "log in" in result.stderr and "without --headless" in result.stderr
    assert site.state()["logins"] == 0 and site.state()["input_events"] == 0


def test_cookie_dialog_without_a_decline_choice_exits_3_headless(mock_site, env_file, tmp_path):
    site = mock_site("cookie-allow-only")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"))
    assert result.code == 3, result.stderr
    # Red-team pass 18: a reworded decline read as if there were none; its buttons are named now.
    assert "offers no way the bot recognises to decline optional cookies (its buttons: 'Allow all cookies')" in result.stderr
    assert "Meta has reworded the dialog: please report it" in result.stderr
    assert site.state()["cookie_choices"] == []


@pytest.mark.parametrize("variant, country", [("combobox,fr", "NE"), ("slow", "PT")])
def test_more_page_shapes(variant, country, mock_site, env_file, tmp_path):
    site = mock_site(variant)
    result = run_cli(*prefill_args(site.start_url, env_file(country=country), tmp_path / "r"), stdin=f"{TEST_CODE}\n")
    assert result.code == 0, result.stderr
    assert_submitted_once(site, country=country)


def _waiting_cli(site, env, tmp_path, *extra):
    """The CLI with a standard input that stays open and silent: a person who never answers."""
    read_end, write_end = os.pipe()
    args = prefill_args(site.start_url, env, tmp_path / "r", *extra)
    # Its own process group: Ctrl-C at a terminal reaches the group (Playwright's driver, Chromium) too.
    proc = subprocess.Popen([*CLI, *args], cwd=ROOT, env=cli_env(), stdin=read_end, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    os.close(read_end)
    proc.silent_stdin = write_end  # closed by the caller once the process has ended
    return proc


def test_waiting_for_the_code_is_bounded_by_wait_minutes(mock_site, env_file, tmp_path):
    site = mock_site("")
    proc = _waiting_cli(site, env_file(), tmp_path, "--wait-minutes", "0.02")
    out, err = proc.communicate(timeout=60)
    os.close(proc.silent_stdin)
    assert proc.returncode == 5, err
    assert "Waited 0.02 minutes for the code" in err
    # Found by red-team pass 17: the hint said both "check your email before you run the bot again" and
    # "run again"; a form sent whose code page is gone needs the new run.
    assert "When you are ready, run again: Meta emails a new code each time" in err and "before you run the bot again" not in err
    assert site.state()["code_attempts"] == []


def _ctrl_c_when(proc, text: str) -> tuple[int, str, str]:
    """Ctrl-C as a terminal sends it (to the whole process group) once stderr shows `text`."""
    seen = ""
    for line in proc.stderr:
        seen += line
        if text in line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    os.close(proc.silent_stdin)
    return proc.returncode, out, seen + err


def test_ctrl_c_while_waiting_for_the_code_exits_6_and_says_the_form_was_sent(mock_site, env_file, tmp_path):
    site = mock_site("")
    code, out, err = _ctrl_c_when(_waiting_cli(site, env_file(), tmp_path), "six-digit code emailed to")
    assert site.state()["submissions"], "the form was sent before the code step"
    assert code == 6 and "Traceback" not in err
    # Before, this said "Cancelled; nothing more was sent.", and nothing that the form had reached Meta.
    assert "Stopped: Ctrl-C after the form was sent." in err and "check your email" in err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_after_send_is_said_as_ctrl_c_is(mock_site, env_file, tmp_path, sig):
    # Found by red-team pass 16: `kill` or `timeout` after Send ended the run at once (exit 143), silently.
    # Review 24: SIGHUP (the terminal closed) too.
    site = mock_site("")
    proc = _waiting_cli(site, env_file(), tmp_path)
    seen = ""
    for line in proc.stderr:
        seen += line
        if "six-digit code emailed to" in line:
            break
    proc.send_signal(sig)  # to the CLI alone, as `kill PID` does
    out, err = proc.communicate(timeout=60)
    os.close(proc.silent_stdin)
    assert site.state()["submissions"] and proc.returncode == 6 and "Traceback" not in err
    assert f"Stopped: {sig.name} after the form was sent." in err and "check your email" in err


def test_ctrl_c_after_the_code_was_given_says_meta_may_have_confirmed(mock_site, env_file, tmp_path):
    # Found by red-team pass 16: Ctrl-C while Meta's answer to the code was on its way said only that
    # the form was sent, though the site had taken the code and confirmed.
    site = mock_site("slow-code")
    proc = _waiting_cli(site, env_file(), tmp_path)
    os.write(proc.silent_stdin, f"{TEST_CODE}\n".encode())
    code, out, err = _ctrl_c_when(proc, "pressed Confirm")
    assert site.state()["confirmed"] == 1 and code == 6 and "Traceback" not in err
    assert "the bot gave the emailed code (Meta may already have confirmed the objection)" in err and "check your email" in err


@pytest.mark.parametrize("variant, words", [("server,en", "already objected"), ("react,de", "bereits widersprochen")])
def test_meta_answering_that_an_objection_already_stands_ends_well_and_says_so(mock_site, env_file, tmp_path, variant, words):
    site = mock_site(f"{variant},already")
    receipts = tmp_path / "receipts"
    result = run_cli(*prefill_args(site.start_url, env_file(), receipts), stdin=TEST_CODE + "\n")
    assert result.code == 0, result.stderr
    state = assert_submitted_once(site)
    assert (state["already"], state["confirmed"], state["code_attempts"]) == (1, 0, [])
    # A mock site, not Meta: said so (Meta's own wording is for Meta's hosts).
    assert "The test site at 127.0.0.1 says you had already objected; nothing was sent to Meta." in result.stderr
    assert "confirmed" not in result.stderr
    data = assert_receipt(receipts)
    assert data["already_objected"] is True and words in data["confirmation_text"]
    listed = run_cli("receipts", "--receipts-dir", str(receipts))
    assert "a test run against 127.0.0.1, not an objection to Meta" in listed.stdout


def test_ctrl_c_after_meta_confirmed_still_keeps_the_receipt(mock_site, env_file, tmp_path):
    site = mock_site("no-code")
    code, out, err = _ctrl_c_when(_waiting_cli(site, env_file(), tmp_path), "Step 6 of 6")
    # Before, this ended "Cancelled; nothing more was sent." (exit 6) and no receipt was written.
    assert code == 0 and "The test site at 127.0.0.1 confirmed the objection; nothing was sent to Meta." in err and "Cancelled" not in err
    written = list((tmp_path / "r").glob("*.json"))
    assert len(written) == 1 and out.strip() == str(written[0])
    receipt = json.loads(written[0].read_text())
    assert receipt["email"] == EMAIL and "received your objection" in receipt["confirmation_text"]
    # The browser outlives the Ctrl-C (Playwright would close it on SIGINT by default): the picture is kept too.
    assert receipt["screenshot"] and (tmp_path / "r" / receipt["screenshot"]).stat().st_size > 1000
    assert "The test site at 127.0.0.1 has confirmed your objection: saving its receipt first" in err
    assert "Meta has confirmed" not in err  # found by review: a test site's run said Meta had


def test_ask_at_a_terminal_sends_once_after_yes(mock_site, env_file, tmp_path):
    site = mock_site("")
    term = Terminal(*prefill_args(site.start_url, env_file(), tmp_path / "r"), "--submit", "ask", "--code", "prompt", cwd=tmp_path)
    term.expect("Send the objection now? [y/N]")
    assert site.state()["submissions"] == []
    term.type("y")
    term.expect("Six-digit code from Meta's email")
    term.type(TEST_CODE)
    assert term.wait() == 0, term.screen
    assert_submitted_once(site)
    assert site.state()["code_attempts"] == [{"code": TEST_CODE, "ok": True}]


def test_ctrl_c_at_the_code_prompt_starts_its_message_on_a_line_of_its_own(mock_site, env_file, tmp_path):
    # Found by a newcomer's walkthrough: "Six-digit code from Meta's email: Error: Stopped (Ctrl-C)...".
    site = mock_site("")
    term = Terminal(*prefill_args(site.start_url, env_file(), tmp_path / "r"), "--code", "prompt", cwd=tmp_path)
    term.expect("Six-digit code from Meta's email: ")
    term.proc.send_signal(signal.SIGINT)
    term.expect("check your email")
    assert term.wait() == 6
    assert "Six-digit code from Meta's email: \r\nStopped: Ctrl-C after the form was sent." in term.screen, term.screen


def test_an_unanswered_question_is_bounded_by_wait_minutes(mock_site, env_file, tmp_path):
    site = mock_site("")
    term = Terminal(*prefill_args(site.start_url, env_file(), tmp_path / "r"), "--submit", "ask", "--wait-minutes", "0.02",
                    cwd=tmp_path)
    term.expect("Send the objection now? [y/N]")
    term.expect("Waited 0.02 minutes for your answer to 'Send the objection now?'")
    assert term.wait() == 5, term.screen
    assert site.state()["submissions"] == []


def test_json_events_one_per_line_quiet_and_the_default_reason(mock_site, env_file, tmp_path):
    site = mock_site("no-code")
    result = run_cli(*prefill_args(site.start_url, env_file(reason=None), tmp_path / "r"), "--json", "--quiet")
    assert result.code == 0, result.stderr
    (sub,) = objection(site.state())
    assert "Article 21" in sub["reason"]
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert any("and the default reason" in e["message"] for e in events if e["event"] == "info")
    assert [e["step"] for e in events if e["event"] == "step"] == [1, 2, 3, 4, 6]
    (receipt,) = [e for e in events if e["event"] == "receipt"]
    assert receipt["path"].endswith("-instagram.json")
    assert any(e["event"] == "info" and "layers" in e for e in events)
    assert "Step" not in result.stderr and EMAIL not in result.stdout


def test_json_events_end_with_the_error_when_a_run_fails(mock_site, env_file, tmp_path):
    site = mock_site("missing-email")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), "--json")
    assert result.code == 3, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]  # nothing but JSON, one per line
    last = events[-1]
    assert last["event"] == "error" and last["status"] == 3 and "email address field" in last["message"]
    assert last["snapshot"] and EMAIL not in result.stdout


def test_json_names_the_trace_kept_for_prefill_and_check(mock_site, env_file, tmp_path):
    # Red-team pass 18: 'Trace kept at ...' went only to stderr; a script reading --json lost it.
    site = mock_site("server")
    result = run_cli(*prefill_args(site.start_url, env_file(), tmp_path / "r"), "--json", "--trace", stdin=f"{TEST_CODE}\n")
    assert result.code == 0, result.stderr
    (event,) = [e for e in map(json.loads, result.stdout.splitlines()) if e["event"] == "trace"]
    assert Path(event["path"]).is_file() and event["path"].endswith("-trace.zip")
    result = run_cli("check", "--start-url", site.start_url, "--allow-host", "127.0.0.1", "--headless", "--json", "--trace",
                     env={"XDG_DATA_HOME": str(tmp_path / "data")})
    assert result.code == 0, result.stderr
    assert Path(json.loads(result.stdout)["trace"]).is_file()


def test_the_spinner_names_a_test_site_as_such(mock_site, env_file, tmp_path):
    # Red-team pass 18: on the mock, the terminal said "waiting for Meta's answer".
    site = mock_site("react,slow")  # its Send answers by fetch(), 1.5 s later: the spinner's wait
    term = Terminal(*prefill_args(site.start_url, env_file(), tmp_path / "r"), cwd=tmp_path)
    term.expect("waiting for the test site's answer", timeout=40)
    term.type(TEST_CODE)
    assert term.wait() == 0, term.screen
    assert "Meta's answer" not in term.screen
    assert_submitted_once(site)
