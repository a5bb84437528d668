"""The person's side of a run, without a browser: a Ctrl-C is never lost while the bot waits."""

import gc
import os
import signal
import threading
import time
import weakref

import pytest

from optout_bot import person


class _Thing:
    pass


class _Terminal:
    def isatty(self) -> bool:
        return True


def _ctrl_c_inside_a_weakref_callback() -> None:
    """Ctrl-C lands while Python runs a weakref callback, whose exceptions it only prints."""
    thing = _Thing()

    def callback(_):
        signal.raise_signal(signal.SIGINT)
        for _ in range(10_000):  # the handler runs here, and its KeyboardInterrupt goes no further
            pass

    ref = weakref.ref(thing, callback)
    del thing
    gc.collect()
    assert ref() is None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_that_python_swallowed_still_stops_the_wait_for_the_code():
    inbox = person.CodeInbox("stdin")
    with person.ctrl_c_kept():
        _ctrl_c_inside_a_weakref_callback()  # returns: Python dropped the KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt):
            inbox.take(timeout=0)
    assert inbox.take(timeout=0) is False  # noted for one run only


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_that_python_swallowed_still_stops_a_yes_no_question(monkeypatch):
    nobody_answers = threading.Event()
    monkeypatch.setattr(person.sys, "stdin", _Terminal())
    monkeypatch.setattr(person, "_typed_line", lambda prompt, *_: nobody_answers.wait())
    with person.ctrl_c_kept():
        _ctrl_c_inside_a_weakref_callback()
        give_up = time.monotonic() + 5

        def keep_waiting() -> None:
            assert time.monotonic() < give_up, "the question went on waiting after Ctrl-C"

        with pytest.raises(KeyboardInterrupt):
            person.ask_yes_no("Send the objection now?", keep_waiting)


def test_a_ctrl_c_noted_in_an_earlier_run_is_not_this_runs():
    person._ctrl_c.set()  # left over, as when a second Ctrl-C ends the earlier run inside its own clean-up
    with person.ctrl_c_kept():
        person.stop_if_ctrl_c()  # does not raise


def test_a_question_given_up_leaves_the_next_line_to_whoever_reads_it_next(monkeypatch):
    # Found by red-team pass 17: a question ended by a press of Send in the window must not take the
    # code the person types at the terminal afterwards.
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stdin, os.fdopen(write_end, "w") as typed:
        monkeypatch.setattr(person.sys, "stdin", stdin)
        given_up = threading.Event()
        given_up.set()
        typed.write("314159\n")  # already there when the question's thread looks: still not its to take
        typed.flush()
        outcome = []
        asked = threading.Thread(target=lambda: outcome.append(_raised(person._typed_line, "Send the objection now? [y/N]: ", given_up)))
        asked.start()
        asked.join(timeout=5)
        assert outcome == [person._GivenUp]
        assert person._typed_line("") == "314159"


def _raised(call, *args):
    try:
        call(*args)
    except Exception as exc:  # noqa: BLE001 - what was raised is the answer
        return type(exc)
    return None
