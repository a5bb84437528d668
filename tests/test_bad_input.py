"""Bad input: exit 2, one line naming the setting, no traceback, and no browser started."""

import json
import os
import socket
import stat
import tempfile
from pathlib import Path

import pytest

from conftest import run_cli


@pytest.fixture
def tripwire(tmp_path):
    """A fake browser that leaves a mark if anything tries to start it."""
    mark = tmp_path / "browser-started"
    fake = tmp_path / "fake-chromium"
    fake.write_text(f"#!/bin/sh\ntouch {mark}\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return {"OPTOUT_BROWSER": str(fake)}, mark


def good_env(tmp_path, **extra):
    lines = ["OPTOUT_EMAIL=p.person@example.eu", "OPTOUT_COUNTRY=PT"] + [f"{k}={v}" for k, v in extra.items()]
    path = tmp_path / "good.env"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


CASES = {
    "malformed email": (lambda t: ["--env-file", good_env(t), "--email", "p.person.example.eu"], "OPTOUT_EMAIL"),
    "the example's placeholder email": (lambda t: ["--env-file", good_env(t), "--email", "you@example.eu"], "OPTOUT_EMAIL"),
    "missing email": (lambda t: ["--env-file", good_env(t), "--email", ""], "OPTOUT_EMAIL"),
    "unknown country": (lambda t: ["--env-file", good_env(t), "--country", "Portgual"], "OPTOUT_COUNTRY"),
    "reason too long": (lambda t: ["--env-file", good_env(t), "--reason", "x" * 2001], "OPTOUT_REASON"),
    "missing env file": (lambda t: ["--env-file", str(t / "absent.env")], "--env-file"),
    "non-UTF-8 env file": (lambda t: ["--env-file", _latin1(t)], "--env-file"),
    "unreadable env file": (lambda t: ["--env-file", _unreadable(t)], "--env-file"),
    "a named pipe as env file": (lambda t: ["--env-file", _pipe(t)], "--env-file"),
    # Review 24: an empty path (a variable that expanded to nothing) was taken as "not given".
    "empty receipts folder": (lambda t: ["--env-file", good_env(t), "--receipts-dir", ""], "--receipts-dir"),
    "empty profile": (lambda t: ["--env-file", good_env(t), "--profile", " "], "--profile"),
    "empty env file": (lambda t: ["--env-file", ""], "--env-file"),
    "start url not http": (lambda t: ["--env-file", good_env(t), "--start-url", "file:///etc/passwd"], "--start-url"),
    "start url host not allowed": (lambda t: ["--env-file", good_env(t), "--start-url", "https://evil.example/privacy/genai/"], "--start-url"),
    "unknown target": (lambda t: ["--env-file", good_env(t), "--target", "tiktok"], "OPTOUT_TARGET"),
    "unknown target in file": (lambda t: ["--env-file", good_env(t, OPTOUT_TARGET="myspace")], "OPTOUT_TARGET"),
    "headless with manual submit": (lambda t: ["--env-file", good_env(t), "--headless", "--submit", "manual"], "--submit"),
    "headless with browser code": (lambda t: ["--env-file", good_env(t), "--headless", "--code", "browser"], "--code"),
    "bad allow-host": (lambda t: ["--env-file", good_env(t), "--allow-host", "http://127.0.0.1:8000/"], "--allow-host"),
    # Found by red-team pass 16: these went into Chromium's resolver rules ('EXCLUDE *' opens its wall).
    "wildcard allow-host": (lambda t: ["--env-file", good_env(t), "--allow-host", "*"], "--allow-host"),
    "two hosts in one allow-host": (lambda t: ["--env-file", good_env(t), "--allow-host", "127.0.0.1, EXCLUDE *"], "--allow-host"),
    "bad submit choice": (lambda t: ["--env-file", good_env(t), "--submit", "maybe"], "--submit"),
    "ask without a terminal": (lambda t: ["--env-file", good_env(t), "--submit", "ask"], "--submit ask"),
    "code prompt without a terminal": (lambda t: ["--env-file", good_env(t), "--code", "prompt"], "--code prompt"),
    "misspelt setting in file": (lambda t: ["--env-file", good_env(t, OPTOUT_RAESON="x")], "OPTOUT_RAESON"),
    "start url with a bad port": (lambda t: ["--env-file", good_env(t), "--start-url", "https://privacycenter.instagram.com:99999/"], "--start-url"),
    "start url port no number": (lambda t: ["--env-file", good_env(t), "--start-url", "http://127.0.0.1:abc/", "--allow-host", "127.0.0.1"], "--start-url"),
    "timeout not a number": (lambda t: ["--env-file", good_env(t), "--timeout", "nan"], "--timeout"),
    "timeout endless": (lambda t: ["--env-file", good_env(t), "--timeout", "1e9"], "--timeout"),
    "wait not a number": (lambda t: ["--env-file", good_env(t), "--wait-minutes", "nan"], "--wait-minutes"),
    "receipts folder under a file": (lambda t: ["--env-file", good_env(t), "--receipts-dir", _a_file(t, "sub")], "--receipts-dir"),
    "snapshots folder under a file": (lambda t: ["--env-file", good_env(t), "--snapshots-dir", _a_file(t, "sub")], "--snapshots-dir"),
    "profile folder is a file": (lambda t: ["--env-file", good_env(t), "--profile", _a_file(t)], "--profile"),
    # Found in a session: Chromium refused a profile another run's window still had open, and the
    # message blamed the browser ("could not be started", exit 1).
    "profile in use by another browser": (lambda t: ["--env-file", good_env(t), "--profile", _locked_profile(t)], "--profile"),
}


def _locked_profile(tmp_path):
    """A profile folder locked as a running Chromium locks it: its lock names this computer, and a
    listener answers on its socket (kept open for the test's length)."""
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "SingletonLock").symlink_to(f"{socket.gethostname()}-{os.getpid()}")
    short = Path(tempfile.mkdtemp(prefix="optout-sock-", dir="/tmp")) / "SingletonSocket"  # a socket's path is short
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(short))
    listener.listen()
    _LISTENERS.append(listener)
    (folder / "SingletonSocket").symlink_to(short)
    return str(folder)


_LISTENERS: list[socket.socket] = []


def _a_file(tmp_path, *below):
    path = tmp_path / "a-file"
    path.write_text("not a folder\n")
    return str(path.joinpath(*below))


def _latin1(tmp_path):
    path = tmp_path / "latin1.env"
    path.write_bytes("OPTOUT_EMAIL=p@example.eu\nOPTOUT_REASON=Não\n".encode("latin-1"))
    return str(path)


def _pipe(tmp_path):
    path = tmp_path / "pipe.env"
    os.mkfifo(path)  # review 24: reading it waited for ever, past Ctrl-C and SIGTERM
    return str(path)


def _unreadable(tmp_path):
    path = tmp_path / "locked.env"
    path.write_text("OPTOUT_EMAIL=p@example.eu\n")
    path.chmod(0)
    if path.open("rb").readable():  # root reads anything: use a folder, which cannot be read as a file
        path = tmp_path / "a-folder.env"
        path.mkdir()
    return str(path)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_naming_the_setting(case, tmp_path, tripwire):
    env, mark = tripwire
    args, setting = CASES[case]
    result = run_cli("prefill", "--headless", *args(tmp_path), env=env, cwd=tmp_path, timeout=20)
    assert result.code == 2, result.stderr
    assert setting in result.stderr
    assert "Traceback" not in result.stderr
    assert result.seconds < 10  # no browser, no page: a fraction of that on an idle machine
    assert not mark.exists(), "a browser was started for bad input"
    assert "p.person@example.eu" not in result.stderr


def test_debug_shows_the_traceback(tmp_path, tripwire):
    env, _ = tripwire
    result = run_cli("prefill", "--debug", "--env-file", str(tmp_path / "absent.env"), env=env, cwd=tmp_path)
    assert result.code == 2 and "Traceback" in result.stderr


def test_no_display_without_headless_is_bad_usage(tmp_path, tripwire):
    env, mark = tripwire
    result = run_cli("prefill", "--env-file", good_env(tmp_path), env=env, cwd=tmp_path)
    assert result.code == 2 and "--headless" in result.stderr and not mark.exists()


def test_a_display_that_does_not_answer_is_said_as_such(tmp_path):
    # Review 24: DISPLAY set to a display that is not there gave exit 1, "could not be started", and
    # sent the person to doctor, which starts the browser without a window and said "Ready".
    result = run_cli("prefill", "--env-file", good_env(tmp_path), env={"DISPLAY": ":4242"}, cwd=tmp_path, timeout=60)
    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
    assert "DISPLAY: ':4242' answers as no display" in result.stderr and "--headless" in result.stderr


def test_a_debug_port_that_is_no_port_is_bad_input(tmp_path, tripwire):
    env, mark = tripwire
    result = run_cli("prefill", "--headless", "--env-file", good_env(tmp_path), env={**env, "OPTOUT_DEBUG_PORT": "abc"}, cwd=tmp_path)
    assert result.code == 2 and "OPTOUT_DEBUG_PORT: 'abc' is not a port" in result.stderr and not mark.exists()


def test_a_setting_from_the_environment_is_named_as_it_is_spelt(tmp_path, tripwire):
    # The settings read OPTOUT_* in any case; the person must find the variable they set, not the file.
    env, mark = tripwire
    result = run_cli("prefill", "--headless", "--env-file", good_env(tmp_path), env={**env, "optout_country": "Germny"}, cwd=tmp_path)
    assert result.code == 2 and not mark.exists()
    assert "OPTOUT_COUNTRY (set in the environment as optout_country): is unknown: 'Germny'" in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["check", "--headless", "--profile"], ["capture", "--out"]])
def test_other_commands_check_their_folders_before_the_browser(command, tmp_path, tripwire):
    # Found by review: `check` blamed the browser for a profile folder it could not make, and
    # `capture` would have found its --out unwritable only after the person walked every page.
    env, mark = tripwire
    result = run_cli(*command, _a_file(tmp_path, "sub"), env={**env, "DISPLAY": ":99"}, cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert f"{command[-1]}: " in result.stderr and "cannot be written to" in result.stderr
    assert "Traceback" not in result.stderr and not mark.exists()


@pytest.mark.parametrize("slip", [["prefill", "maria.secret@example.pt"], ["prefill", "--headless", "--wait-minutes", "maria.secret@example.pt"],
                                  ["prefill", "--submit", "maria.secret@example.pt"], ["init", "maria.secret@example.pt"],
                                  ["prefill", "--allow-host", "maria.secret@example.pt"]])
def test_an_address_typed_in_the_wrong_place_is_never_printed_whole(slip, tmp_path, tripwire):
    # Found by red-team pass 16: Click's own usage errors quoted it as typed.
    env, mark = tripwire
    result = run_cli(*slip, *(["--json"] if slip[0] == "prefill" else []), env={**env, "OPTOUT_EMAIL": "p.person@example.eu", "OPTOUT_COUNTRY": "PT"}, cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.stderr and not mark.exists()
    said = result.stdout + result.stderr
    assert "maria.secret" not in said and "m***@example.pt" in said
    if slip[0] == "prefill":  # a failed --json run ends with its error event (init has no --json)
        event = json.loads(result.stdout.splitlines()[-1])
        assert event["event"] == "error" and event["status"] == 2 and "m***@example.pt" in event["message"] + (event["hint"] or "")


@pytest.mark.parametrize("empty, flags", [("devnull", []), ("empty-file", []), ("devnull", ["--code", "stdin"])])
def test_code_from_an_empty_standard_input_is_refused_before_anything_is_sent(empty, flags, tmp_path, tripwire):
    # Found by red-team pass 16: `prefill --headless </dev/null` sent the form, then ended with exit 5.
    import subprocess

    from conftest import CLI, cli_env

    env, mark = tripwire
    (tmp_path / "empty.txt").write_text("")
    with open(os.devnull if empty == "devnull" else tmp_path / "empty.txt") as stdin:
        proc = subprocess.run([*CLI, "prefill", "--env-file", good_env(tmp_path), "--headless", *flags], stdin=stdin,
                              capture_output=True, text=True, env=cli_env(**env), timeout=60)
    assert proc.returncode == 2 and "from standard input, and it is empty" in proc.stderr
    # Red-team pass 18: the flag is named only when the person gave it.
    assert ("--code stdin" in proc.stderr) == bool(flags)
    assert "Traceback" not in proc.stderr and not mark.exists()


def test_check_refuses_a_profile_another_browser_holds(tmp_path, tripwire):
    env, mark = tripwire
    result = run_cli("check", "--headless", "--profile", _locked_profile(tmp_path), env=env, cwd=tmp_path)
    assert result.code == 2 and "is in use by another browser (process" in result.stderr, result.stderr
    assert not mark.exists()


def test_a_stale_profile_lock_is_no_holder(tmp_path):
    # Review: a lock whose pid a reboot gave to another program was taken for a browser; Chromium
    # itself asks the profile's socket, and takes a lock nobody answers on over.
    from optout_bot import browser

    folder = tmp_path / "profile"
    folder.mkdir()
    assert browser.profile_in_use(folder) is None
    (folder / "SingletonLock").symlink_to(f"{socket.gethostname()}-{os.getpid()}")  # alive, but no browser
    assert browser.profile_in_use(folder) is None
    (folder / "SingletonLock").unlink()
    (folder / "SingletonLock").symlink_to(f"other-machine-{os.getpid()}")
    assert browser.profile_in_use(folder) == browser.ProfileLock("other-machine", str(os.getpid()))


def test_a_profile_locked_on_another_computer_says_how_to_free_it(tmp_path, tripwire):
    env, mark = tripwire
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "SingletonLock").symlink_to("old-laptop-4242")
    result = run_cli("prefill", "--headless", "--env-file", good_env(tmp_path), "--profile", str(folder), env=env, cwd=tmp_path)
    assert result.code == 2 and not mark.exists()
    assert f"is locked by a browser on another computer (old-laptop); if none runs there any more (or the computer was " \
           f"renamed), delete {folder / 'SingletonLock'}" in result.stderr, result.stderr


def test_a_bad_variant_with_json_ends_with_its_error_event(tmp_path, tripwire):
    # Review 24: `demo --json --variant bogus` said it only on stderr; the option's check ran before --json was read.
    env, mark = tripwire
    result = run_cli("demo", "--headless", "--variant", "react,bogus", "--json", env=env, cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.stderr and not mark.exists()
    event = json.loads(result.stdout.splitlines()[-1])
    assert event["event"] == "error" and event["status"] == 2 and "unknown mock-site variant token 'bogus'" in event["message"]
