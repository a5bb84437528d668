"""The command line. It alone starts Playwright, and maps every outcome to one ExitStatus.

Heavy modules (Playwright, pydantic) are imported inside the commands that need them, so
`--help` and the commands that open no browser start quickly.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from contextlib import ExitStack, contextmanager
from functools import partial, wraps
from pathlib import Path

import click

from optout_bot import TARGETS, __version__
from optout_bot.progress import hide, off_the_prompt, redact_error
from optout_bot.status import BadInput, Cancelled, ExitStatus, OptoutError, PageMismatch

_state = {"debug": False}


def _debug_option(func):
    @click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                  callback=lambda ctx, p, v: _state.update(debug=_state["debug"] or v),
                  help="Show full tracebacks for errors.")
    @wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


class _Path(click.Path):
    """A path option. An empty one (a shell variable that expanded to nothing) is refused, not taken
    as 'not given': the run would use a folder the person did not mean."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("is empty; give a path, or leave the option out", param, ctx)
        return super().convert(value, param, ctx)


def _config_options(func):
    func = click.option("--target", help="instagram or facebook (default: OPTOUT_TARGET, else instagram).")(func)
    func = click.option("--reason", help="How the processing affects you (default: OPTOUT_REASON, else a polite objection under Art. 21 GDPR, or Art. 18 LGPD in Brazil).")(func)
    func = click.option("--country", help="Country of residence: ISO code (PT, PRT) or name (default: OPTOUT_COUNTRY).")(func)
    func = click.option("--email", help="Your account's email address (default: OPTOUT_EMAIL).")(func)
    func = click.option("--env-file", type=_Path(dir_okay=True), help="Settings file (default: .env in this folder).")(func)
    return func


class _Number(click.FloatRange):
    """A FloatRange that also refuses nan, which passes every bound (it compares false)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number.", param, ctx)
        return number


def _browser_options(func, headless_help="No window: the bot presses Send (--submit auto or ask) and the code comes from the terminal."):
    func = click.option("--trace", is_flag=True, help="Keep a Playwright trace with copies of each page, even when the run succeeds.")(func)
    func = click.option("--timeout", type=_Number(min=1, max=3600), default=30, show_default=True, help="Seconds to wait for the site at each automatic step.")(func)
    func = click.option("--profile", type=_Path(file_okay=False), help="Keep a browser profile here, so a log-in lasts between runs.")(func)
    func = click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST", help="Also allow this host (for local testing). Repeatable.")(func)
    func = click.option("--start-url", help="Start here instead of the target's Privacy Center page.")(func)
    func = click.option("--headless", is_flag=True, help=headless_help)(func)
    return func


def _json_flag(ctx, param, value: bool) -> bool:
    # Eager, so known before the other options' checks: a bad --variant still ends with an error event.
    _state["json"] = value
    return value


def _output_options(func):
    func = click.option("--json", "json_events", is_flag=True, is_eager=True, callback=_json_flag,
                        help="One JSON event per line on stdout.")(func)
    func = click.option("--quiet", "-q", is_flag=True, help="Only what you must do, and the result.")(func)
    return func


_EXIT_CODES = "\b\nExit codes:\n" + "\n".join(f"  {int(s)}  {s.meaning}" for s in ExitStatus)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EXIT_CODES)
@click.version_option(__version__, prog_name="optout-bot")
@_debug_option
def cli():
    """Object to Meta using your Instagram or Facebook posts to train its AI.

    Start with `optout-bot prefill` (opens a window, fills the form, you press Send),
    or try the whole flow on a local copy of Meta's pages with `optout-bot demo`.
    """


# --- shared plumbing --------------------------------------------------------------------


def _load_settings(env_file, email, country, reason, target):
    from optout_bot import config

    return config.load(env_file, email=email, country=country, reason=reason, target=target)


def _check_hosts(allow_hosts: tuple[str, ...]) -> list[str]:
    """Each a host name or an IP address, nothing else: they go into Chromium's resolver rules too,
    where '*' or a comma would open its wall to every host."""
    import ipaddress
    import re

    hosts = []
    for host in allow_hosts:
        clean = host.strip().lower().removeprefix("[").removesuffix("]")
        try:
            ipaddress.ip_address(clean)
        except ValueError:
            try:
                clean = clean.encode("idna").decode("ascii")  # an international name, as the resolver spells it
            except UnicodeError:
                pass
            if not re.fullmatch(r"(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?", clean):
                raise BadInput(f"--allow-host: {host!r} is not a host name; give a bare host such as 127.0.0.1 or localhost "
                               "(no scheme, port, path or wildcard)") from None
        hosts.append(clean.rstrip("."))
    return hosts


def _start_url(url: str | None, recipe, guard) -> str:
    from urllib.parse import urlsplit

    if url is None:
        return str(recipe.start_url)
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is no number, or out of range
    except ValueError:
        raise BadInput(f"--start-url: {url!r} has no valid port; give one such as {recipe.start_url}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"--start-url: {url!r} is not an http(s) address; give one such as {recipe.start_url}")
    if not guard.allows(url):
        raise BadInput(f"--start-url: {parts.hostname} is not one of Meta's hosts; add --allow-host {parts.hostname} if it is your own test server")
    return url


def _prepare_target(target: str, allow_hosts: tuple[str, ...], start_url: str | None):
    """The recipe, its host guard and the checked start URL, for `prepare` (see _playwright); the
    flow's heavy imports and the recipe's patterns are done here too, so they overlap the driver."""
    import optout_bot.flow  # noqa: F401
    import optout_bot.receipts  # noqa: F401
    from optout_bot import recipe as recipes
    from optout_bot.guard import HostGuard

    recipe = recipes.load(target)
    recipe.compile_patterns(answers=False)  # those a run builds once it knows the form's languages
    guard = HostGuard(recipe.meta_domains, _check_hosts(allow_hosts))
    return recipe, guard, _start_url(start_url, recipe, guard)


def _modes(headless: bool, submit: str | None, code: str | None, reads_stdin: bool = True) -> tuple[str, str]:
    if headless and submit == "manual":
        raise BadInput("--submit manual needs a window to press Send in; drop --headless or use --submit auto")
    if headless and code == "browser":
        raise BadInput("--code browser needs a window to type the code in; drop --headless or use --code stdin or --code prompt")
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if submit == "ask" and not interactive:
        raise BadInput("--submit ask asks 'Send the objection now?' at a terminal, and there is none here; "
                       "use --submit auto (the bot presses Send) or, with a window, --submit manual")
    if code == "prompt" and not interactive:
        # Found only after Send otherwise: the form would be sent with no way to give the code.
        raise BadInput("--code prompt asks for the emailed code at a terminal, and there is none here; "
                       "use --code stdin (the code on standard input) or, with a window, --code browser")
    submit = submit or ("auto" if headless else "manual")
    chosen = code is not None
    if code is None:
        if headless:
            code = "prompt" if interactive else "stdin"
        else:
            code = "either" if interactive else "browser"
    if code == "stdin" and reads_stdin and _stdin_is_empty():
        # Found only after Send otherwise: the form would be sent with no code to follow.
        said = "--code stdin reads" if chosen else "Without a terminal or a window, the bot reads"
        raise BadInput(f"{said} the emailed code from standard input, and it is empty (/dev/null or an empty file); give "
                       "the code there once it arrives (a pipe), or run at a terminal, or with a window (without --headless)")
    return submit, code


def _stdin_is_empty() -> bool:
    """Standard input that can only end before any code: /dev/null, or an empty file (a pipe may yet bring one)."""
    import stat

    try:
        st = os.fstat(sys.stdin.fileno())
        null = os.stat(os.devnull)
    except (AttributeError, OSError, ValueError):  # no standard input at all is another matter (the inbox says so)
        return False
    if stat.S_ISCHR(st.st_mode):
        return st.st_rdev == null.st_rdev
    return stat.S_ISREG(st.st_mode) and st.st_size == 0


@contextmanager
def _playwright(prepare=None):
    """Playwright's driver; yields (playwright, what `prepare` returned).

    `prepare` reads and checks the settings in a thread while the driver boots: the driver is a
    Node process, so here that is ~0.3 s of waiting on a pipe, about as long as pydantic's imports,
    the checks and the recipe's patterns take. Its error wins over the driver's, and no browser
    is launched before it has passed (bad input still starts no browser).
    """
    import logging
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    if not _state["debug"]:
        # Playwright logs an error in its message handling, then raises it from the next call, where
        # it reaches the person as one line. The log would add a traceback (seen when Ctrl-C lands
        # in the middle of a message), so it is kept for --debug.
        logging.getLogger("playwright").addHandler(logging.NullHandler())

    _node_compile_cache()

    # `prepare` runs beside the driver's start, not free of it: the loop that talks to the driver
    # runs on this thread and needs the GIL for every message. At the default 5 ms switch interval a
    # thread that only burns CPU slowed the driver's start by ~0.1 s, at 0.5 ms by ~0.04 s (as much
    # as another process burning CPU). Its imports and patterns also set off two full garbage
    # collections (~50 ms) that found next to nothing.
    usual, collecting = sys.getswitchinterval(), gc.isenabled()

    def prepared_quickly():
        # Process-wide settings, changed and put back here so that they always go in pairs.
        sys.setswitchinterval(min(usual, 0.0005))
        gc.disable()
        try:
            return (prepare or (lambda: None))()
        finally:
            # What start-up built (modules, the recipe's patterns) lives as long as the run: kept out
            # of every later collection.
            gc.freeze()
            if collecting:
                gc.enable()
            sys.setswitchinterval(usual)

    with ThreadPoolExecutor(max_workers=1) as pool:
        prepared = pool.submit(prepared_quickly)
        try:
            manager = sync_playwright()
            pw = manager.__enter__()
        except BaseException:
            prepared.result()  # bad input is the one to report, not a driver that failed meanwhile
            raise
        try:
            yield pw, prepared.result()
        finally:
            manager.__exit__(None, None, None)


def _node_compile_cache() -> None:
    """Lets Node keep Playwright's driver compiled between runs (its NODE_COMPILE_CACHE): compiling
    the driver's ~7 MB of JavaScript took ~0.1 s of every start (0.32-0.44 s to ~0.24-0.34 s to
    `initialize`, measured). A folder of the person's cache (a few MB, a folder per Node version),
    created private. Their own setting wins; NODE_DISABLE_COMPILE_CACHE=1 turns it off."""
    if os.environ.get("NODE_COMPILE_CACHE"):
        return
    import platformdirs

    from optout_bot.files import private_dir

    try:
        folder = private_dir(Path(platformdirs.user_cache_dir("optout-bot", appauthor=False)) / "node-compile-cache")
    except OSError:
        return  # a cache that cannot be kept costs only time
    os.environ["NODE_COMPILE_CACHE"] = str(folder)


@contextmanager
def _browser_session(pw, headless: bool, guard, profile: str | None, trace: bool, choice=None):
    """A browser (`choice`, else the one browser.find picks) and one context with the host guard on;
    yields (context, page)."""
    import tempfile

    from optout_bot import browser, locate

    locate.register(pw)  # before any context: the flow's looks need it
    choice = choice or browser.find()
    args = browser.launch_args(guard.chromium_args())
    if (port := browser.debug_port()) is not None:
        args.append(f"--remote-debugging-port={port}")
    # The trace's working files (the typed email among them) go to a private folder removed on the way out.
    with tempfile.TemporaryDirectory(prefix="optout-bot-trace-") as traces_dir:
        context, closer = _launch(pw, choice, profile, headless=headless, args=args, handle_sigint=False, traces_dir=traces_dir)
        try:
            guard.window = not headless
            guard.attach(context)
            # Always the actions, for failure snapshots (cheap); page copies and the network only with --trace.
            context.tracing.start(snapshots=trace, screenshots=False)
            page = context.pages[0] if context.pages else context.new_page()
            yield context, page
        finally:
            try:
                closer.close()
            except Exception:  # noqa: BLE001 - the person may have closed it already
                pass


def _browser_said(exc: Exception) -> str:
    """The browser's own first complaint in Playwright's launch error ("Missing X server or $DISPLAY"), or ""."""
    for line in str(exc).splitlines():  # [pid=1][err] [1:1:1125/063321.126951:ERROR:ui/ozone/...cc:257] Missing X server or $DISPLAY
        if "[err]" in line and "ERROR:" in line and "] " in line.split("ERROR:", 1)[1]:
            return line.split("ERROR:", 1)[1].split("] ", 1)[1].strip()[:160]
    return ""


def _launch(pw, choice, profile: str | None, **options):
    """(context, what to close): the browser with a fresh context, or a persistent one in `profile`."""
    if profile:
        from optout_bot.files import private_dir

        profile = private_dir(Path(profile))  # a folder that cannot be made is the folder's fault, not the browser's
    try:
        if profile:
            context = pw.chromium.launch_persistent_context(profile, **options, **choice.launch_options())
            return context, context
        browser_obj = pw.chromium.launch(**options, **choice.launch_options())
        return browser_obj.new_context(), browser_obj
    except Exception as exc:
        said = _browser_said(exc)
        if "X server" in said or "XServer" in str(exc):
            raise BadInput(f"DISPLAY: {os.environ.get('DISPLAY', '')!r} answers as no display, so the browser could not open its window"
                           + (f" (the browser said: {said})" if said else "") + "; nothing was opened.",
                           hint="Run where you can see a desktop, start a virtual one (Xvfb), or run with --headless: "
                                "then nobody watches, and the bot stops before anything it cannot judge alone.") from None
        if choice.source != "OPTOUT_BROWSER":
            # Found, but it died at once (Playwright says "closed": not the person closing a window).
            raise OptoutError(f"The browser {choice.describe()} could not be started"
                              + (f" (it said: {said})" if said else "") + "; nothing was opened.",
                              hint="Run `optout-bot doctor` to check it, and again with --debug for the browser's own log; "
                                   "OPTOUT_BROWSER can point at another Chrome or Chromium.") from exc
        # The person's own choice of browser (a channel that is not installed, say): theirs to change.
        raise BadInput(f"OPTOUT_BROWSER: {choice.channel or choice.executable} could not be started "
                       f"({str(exc).strip().splitlines()[0][:160]}); unset it to use the browser found by itself") from None


def _never_loaded(page) -> bool:
    try:
        return page.url.startswith(("chrome-error:", "about:blank"))
    except Exception:  # noqa: BLE001 - a closed page: the snapshot says so itself
        return False


def _snapshot(context, page, email, err: OptoutError, folder: Path | None, also: tuple[str, ...] = ()) -> None:
    import datetime as dt

    from optout_bot import receipts

    folder = folder or receipts.default_snapshots_dir()
    snap, secrets = receipts.save_snapshot(page, folder, email, err.message, dt.datetime.now(dt.timezone.utc), also)
    receipts.save_trace(context, snap / "trace.zip", secrets)
    err.snapshot = str(snap)


# --- prefill ------------------------------------------------------------------------------


@cli.command()
@_config_options
@_browser_options
@click.option("--submit", type=click.Choice(["manual", "ask", "auto"]), help="Who presses Send: you in the window (default with a window), the bot after a y/N question, or the bot alone (default with --headless).")
@click.option("--code", type=click.Choice(["browser", "prompt", "stdin"]), help="Where the emailed code comes from (default: whichever you use first, the window or the terminal).")
@click.option("--wait-minutes", type=_Number(min=0.01, max=24 * 60), default=15, show_default=True, help="How long to wait for you at each step that needs you.")
@click.option("--receipts-dir", type=_Path(file_okay=False), help="Where receipts go (default: your user data folder).")
@click.option("--snapshots-dir", type=_Path(file_okay=False), help="Where failure snapshots go (default: snapshots/ beside the receipts).")
@_output_options
@_debug_option
def prefill(env_file, email, country, reason, target, headless, start_url, allow_hosts, profile, timeout, trace,
            submit, code, wait_minutes, receipts_dir, snapshots_dir, quiet, json_events):
    """Open the objection form, fill it in from your settings, and see it through to Meta's confirmation."""
    _run_prefill(lambda: _load_settings(env_file, email, country, reason, target), headless=headless,
                 start_url=start_url, allow_hosts=allow_hosts, profile=profile, timeout=timeout, trace=trace,
                 submit=submit, code=code, wait_minutes=wait_minutes, receipts_dir=receipts_dir,
                 snapshots_dir=snapshots_dir, quiet=quiet, json_events=json_events)


def _run_prefill(load_settings, *, headless, start_url, allow_hosts, profile, timeout, trace, submit, code,
                 wait_minutes, receipts_dir, snapshots_dir, quiet, json_events, inbox=None, note=None, demo=False) -> Path:
    from optout_bot.progress import Reporter

    def prepare():
        """Everything that can reject the input; runs while Playwright's driver boots."""
        settings = load_settings()
        hide(settings.email)  # whatever a message quotes (a page's address may carry it), never printed whole
        from optout_bot import browser, receipts

        recipe, guard, url = _prepare_target(settings.target, allow_hosts, start_url)
        modes = _modes(headless, submit, code, reads_stdin=inbox is None)  # the demo's codes come from its mock mailbox
        if not headless and not browser.has_display():
            raise BadInput("No display found for a browser window; run with --headless (and --submit auto), or set DISPLAY")
        # Before anything is sent: a receipt that cannot be written would be lost after Meta confirms.
        _writable(Path(receipts_dir) if receipts_dir else receipts.default_receipts_dir(), "--receipts-dir")
        if snapshots_dir:
            _writable(Path(snapshots_dir), "--snapshots-dir")
        if profile:
            _usable_profile(Path(profile))
        browser.debug_port()
        return settings, recipe, guard, url, *modes, browser.find()

    _state["sends"] = True  # --json is noted by its own option, before any check
    report = Reporter(quiet=quiet, json_events=json_events)
    with ExitStack() as finishing:  # holds _ctrl_c_waits once Meta has confirmed
        with _playwright(prepare) as (pw, (settings, recipe, guard, url, submit, code, choice)):
            if note:
                report.info(note)
            report.info(f"Objecting on {recipe.display_name} for {settings.masked_email}.")
            from optout_bot import receipts
            from optout_bot.files import open_to_others

            folder = Path(receipts_dir) if receipts_dir else receipts.default_receipts_dir()
            if mode := open_to_others(folder):
                report.warn(f"Others can open the receipts folder {folder} (mode {mode:o}): each receipt is private (0600), "
                            f"but their names show there. To keep it to yourself: chmod 700 {folder}")
            from optout_bot import countries

            if note := countries.outside_note(settings.country):
                report.warn(f"{note} The bot carries on; the form will say if it does not apply.")

            from optout_bot import flow, person
            from optout_bot.guard import host_of

            run = flow.Run(recipe=recipe, settings=settings, guard=guard, report=report, headless=headless, submit=submit,
                           code=code, wait_minutes=wait_minutes, timeout_s=timeout)
            if inbox is not None:
                run.inbox = inbox
            elif code in ("prompt", "stdin", "either"):
                run.inbox = person.CodeInbox("stdin" if code == "stdin" else "prompt")
            # Beside the receipts (a --receipts-dir of one's own keeps its run's evidence with it).
            snapshots = Path(snapshots_dir) if snapshots_dir else Path(receipts_dir) / "snapshots" if receipts_dir else None
            with _browser_session(pw, headless, guard, profile, trace, choice) as (context, page):
                try:
                    with person.ctrl_c_kept():
                        outcome = flow.prefill(page, run, url)
                except KeyboardInterrupt:
                    if not _was_sent(run):
                        raise
                    raise Cancelled(f"{_stop_key()} after {_what_was_sent(run)}.", hint=_SENT_HINT) from None
                except OptoutError as err:
                    if err.status == ExitStatus.CANCELLED and _was_sent(run):
                        err.hint = _SENT_HINT
                    elif err.status in (ExitStatus.PERSON_TIMEOUT, ExitStatus.HOST_REFUSED) and _was_sent(run) and not err.hint_says_sent:
                        err.hint = f"{_SENT_HINT} {err.hint or ''}".strip()
                    shown = person.newest_page(page) or page
                    # A page that never loaded shows only the browser's own error page: nothing to learn from it.
                    if err.status not in (ExitStatus.BAD_INPUT, ExitStatus.CANCELLED) and not _never_loaded(shown):
                        try:
                            _snapshot(context, shown, settings.email, err, snapshots, (run.sent_email,))
                        except Exception as exc:  # noqa: BLE001 - the run's own outcome matters more than its evidence
                            err.hint = f"{err.hint or ''} (No snapshot could be saved: {str(exc).splitlines()[0]}.)".strip()
                    raise
                except Exception as exc:
                    if not _was_sent(run):
                        raise
                    if type(exc).__name__ == "TargetClosedError":
                        raise Cancelled(f"The browser was closed after {_what_was_sent(run)}.", hint=_SENT_HINT) from None
                    # Unexpected, but after Send: "run again" alone could send the objection twice.
                    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    raise OptoutError(f"something unexpected went wrong after {_what_was_sent(run)}: {first}",
                                      hint=f"{_SENT_HINT} Please report this error; with --debug a run shows its details.") from exc
                # A run that ended on a host allowed by hand (--allow-host) is no objection to Meta: said so throughout.
                test_site = host_of(outcome.final_url) if host_of(outcome.final_url) in guard.exact else None
                who = _state["who"] = f"The test site at {test_site}" if test_site else "Meta"
                _state["confirmed"] = True
                finishing.enter_context(_ctrl_c_waits())
                report.step(6)
                path = _save_receipt(outcome, run, receipts_dir, test_site)
                _state["receipt"] = path
                if not headless:  # only once the receipt is safe: the person may close the window now
                    person.show_note(outcome.page, flow.done_note(who, outcome.already, bool(outcome.review)), "done")
                if trace and (kept := _keep_trace(context, outcome.page, settings.email, snapshots, (run.sent_email,))):
                    report.data("trace", f"Trace kept at {kept}", path=str(kept))
        _report_layers(report, run)
        reviewed = "received the objection and says it will review it" if outcome.review else "confirmed the objection"
        if demo:
            said = "answered that an objection from this account already stands" if outcome.already else reviewed
            report.done(f"Demo finished: the mock site {said}. Nothing was sent to Meta. Receipt: {path}")
            report.info(f"For your real objection: `{_me()} init` to save your settings, then `{_me()} prefill`.")
        elif who != "Meta":
            said = "says you had already objected" if outcome.already else reviewed
            report.done(f"{who} {said}; nothing was sent to Meta. Receipt (marked as a test run in `optout-bot receipts`): {path}")
        elif outcome.already:
            report.done(f"Meta says you had already objected: your earlier objection stands. Receipt: {path}")
            report.info("Nothing more to do for this account; keep Meta's earlier confirmation email with the receipt.")
        elif outcome.review:
            report.done(f'Meta received your objection and says it will review it; it is not accepted yet ("{outcome.review}"). Receipt: {path}')
            report.info("The receipt shows when you objected. Meta's email will say whether the objection is honoured; if it is "
                        "turned down, its words say why. Do not send the form again in the meantime.")
            report.info(recipe.after_confirmation)
        else:
            report.done(f"Meta confirmed your objection. Receipt: {path}")
            report.info(recipe.after_confirmation)
            report.info("Meta also sends a confirmation email; keep it with the receipt.")
        if json_events:
            report.data("receipt", str(path), path=str(path))
        else:
            if not sys.stdout.isatty():  # for scripts; on a terminal the line above already shows it
                click.echo(str(path))
        return path


def _writable(folder: Path, flag: str) -> None:
    from optout_bot.files import check_writable

    try:
        check_writable(folder)
    except OSError as exc:
        raise BadInput(f"{flag}: {folder} cannot be written to ({exc.strerror or exc}); give a folder you can write to") from None


def _usable_profile(folder: Path) -> None:
    from optout_bot import browser

    _writable(folder, "--profile")
    # Chromium would not start on a locked profile, and its failure would blame the browser.
    if (lock := browser.profile_in_use(folder)) and lock.host:
        raise BadInput(f"--profile: {folder} is locked by a browser on another computer ({lock.host}); if none runs there "
                       f"any more (or the computer was renamed), delete {folder / 'SingletonLock'}, or give another folder")
    if lock:
        raise BadInput(f"--profile: {folder} is in use by another browser (process {lock.pid}); close that browser's "
                       "windows, or give another folder")


_SENT_HINT = ("The form had been sent, so Meta may have received it: check your email for a code or a confirmation "
              "before you run the bot again.")


def _was_sent(run) -> bool:
    return run.posts > 0 or run.code_step or run.pressed


def _what_was_sent(run) -> str:
    # Pressed, with no answer yet: the form (or the code) may or may not have left the browser.
    if run.code_pressed:
        return "the form was sent and the bot gave the emailed code (Meta may already have confirmed the objection)"
    return "the form was sent" if run.posts > 0 or run.code_step else "Send was pressed"


def _who() -> str:
    """Who confirmed: Meta, or the test site a run allowed by hand ended on (set once it confirmed)."""
    return _state.get("who", "Meta")


def _stop_key() -> str:
    """What stopped the run, as the person would name it."""
    return _state.get("stopped_by", "Ctrl-C")


def _terminated(signum, frame) -> None:
    """SIGTERM (`kill`, `timeout`, a service manager) stops a run as Ctrl-C does: what was sent is
    said, and a confirmed objection's receipt is still written. Without this, Python died at once,
    silently, even after Send. SIGHUP (the terminal closed, an SSH session dropped) too."""
    _state["stopped_by"] = signal.Signals(signum).name
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signum, frame)  # Python's own raises KeyboardInterrupt; the bot's may note it first
    else:  # SIGINT ignored (started in the background): Ctrl-C could not stop it, SIGTERM still does
        raise KeyboardInterrupt


def _without_receipt() -> str:
    """What stands in for a receipt that could not be written."""
    return ("Keep Meta's confirmation email as your proof; do not object again." if _who() == "Meta"
            else "Nothing was sent to Meta.")


def _ctrl_c_waits():
    """From Meta's confirmation on, Ctrl-C waits until the receipt is written and the person told:
    interrupted there, a confirmed objection ended as 'Cancelled' and without its receipt."""
    from optout_bot import person

    def later(*_) -> None:
        if pressed:
            raise KeyboardInterrupt  # a second time: the person means it (main says the objection stands)
        pressed.append(True)
        os.write(2, f"\n  {_who()} has confirmed your objection: saving its receipt first ({_stop_key()} again to stop now).\n".encode())

    pressed: list[bool] = []
    return person.on_ctrl_c(later)


def _report_layers(report, run) -> None:
    """Which locator layer found each element: for maintainers (--debug) and machines (--json)."""
    found = ", ".join(f"{name} by {layer}" for name, layer in run.layers.items())
    if found and (_state["debug"] or report.json_events):
        report.info(f"Found on the page: {found}.", layers=run.layers)


def _save_receipt(outcome, run, receipts_dir, test_site: str | None = None) -> Path:
    import datetime as dt

    from optout_bot import flow, receipts

    moment = dt.datetime.now(dt.timezone.utc)
    receipt = receipts.Receipt(
        target=run.recipe.target,
        country=run.sent_country,  # what the form went with: the person may have changed it in the window
        email=run.sent_email,
        reason=run.sent_reason,  # "" from a form without the box
        submitted_at=moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        final_url=outcome.final_url,
        confirmation_text=flow.confirmation_text(outcome.page, run, outcome.review),
        code_step=outcome.code_step,
        already_objected=outcome.already,
        under_review=bool(outcome.review),
        test_site=test_site,
    )
    try:
        png = outcome.page.screenshot()  # what the person saw; the confirmation sits at the top
    except Exception:  # noqa: BLE001 - a window closed in time must not cost the receipt itself
        png = None
    folder = Path(receipts_dir) if receipts_dir else receipts.default_receipts_dir()
    try:
        return receipts.save_receipt(folder, receipt, png, moment)
    except OSError as exc:  # checked before the run; a disk can still fill up
        raise OptoutError(f"{_who()} confirmed your objection, but its receipt could not be saved in {folder} ({exc.strerror or exc}).",
                          hint=_without_receipt()) from None


def _keep_trace(context, page, email, snapshots: Path | None, also: tuple[str, ...] = ()) -> Path | None:
    """--trace: kept when it can be, and its path returned (for --json); a trace that cannot be saved
    never changes the run's outcome (it is asked for after Meta confirmed, or after check's own result)."""
    import datetime as dt

    from optout_bot import receipts
    from optout_bot.files import private_dir

    try:
        folder = private_dir(snapshots or receipts.default_snapshots_dir())
        path = folder / f"{receipts.utc_stamp(dt.datetime.now(dt.timezone.utc))}-trace.zip"
        receipts.save_trace(context, path, receipts.page_secrets(page, email, also))
    except Exception as exc:  # noqa: BLE001 - the run's result matters more than its trace
        click.echo(f"  The trace could not be saved ({redact_error(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)}).", err=True)
        return None
    click.echo(f"  Trace kept at {path}", err=True)
    return path


@cli.command()
@click.option("--target", type=click.Choice(TARGETS), default="instagram", show_default=True, help="Which recipe to check.")
@partial(_browser_options, headless_help="No window (without a display, always). A check needs no person.")
@click.option("--live", is_flag=True, help="Say that this checks Meta's real page, for the recipe's record (the JSON says live). Not with --start-url.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout instead of a table.")
@_debug_option
def check(target, headless, start_url, allow_hosts, profile, timeout, trace, live, as_json):
    """Walk to the objection form and report which layer finds each element, and what the form says it is for. Types and sends nothing."""
    import json

    _state.update(json=as_json)  # a check that fails ends with its error event, as prefill's runs do

    def prepare():
        """What can reject the input, while Playwright's driver boots (see _playwright)."""
        from optout_bot import browser

        if live and start_url:
            raise BadInput("--live checks Meta's real page; drop --start-url, or drop --live for a test server")
        if profile:
            _usable_profile(Path(profile))
        # A check needs no person; without a display it simply runs headless.
        return *_prepare_target(target, allow_hosts, start_url), headless or not browser.has_display()

    with _playwright(prepare) as (pw, (recipe, guard, url, headless)):
        from optout_bot import flow
        from optout_bot.config import Settings
        from optout_bot.progress import Reporter

        settings = Settings.model_construct(email="check@example.invalid", country="PT", reason="", target=target)
        run = flow.Run(recipe=recipe, settings=settings, guard=guard, report=Reporter(quiet=True), headless=headless,
                       timeout_s=timeout, allow_fallback=live or start_url is None)
        with _browser_session(pw, headless, guard, profile, trace) as (context, page):
            kept = None
            try:
                seen = flow.inspect(page, run, url)
            finally:  # a maintainer's trace of the page is worth most when something was missing
                if trace:
                    kept = _keep_trace(context, page, None, None)
    from optout_bot.recipe import reads_language

    found = seen.layers
    missing = [name for name, layer in found.items() if layer is None and name not in flow.OPTIONAL_ELEMENTS and name not in seen.later]
    warnings = _form_warnings(seen, recipe)
    verified = recipe.last_verified
    if as_json:
        form = None if seen.purpose is None else {"purpose": seen.purpose, "title": seen.title, "language": seen.language,
                                                  "language_read": reads_language(seen.language)}
        click.echo(json.dumps({"target": target, "start_url": url, "live": live, "elements": found,
                               "after_send_not_checked": list(flow.AFTER_SEND), "missing": missing,
                               "shown_later": seen.later,
                               "instead": {n: seen.instead[n] for n in missing if n in seen.instead}, "form": form,
                               "warnings": warnings, "problem": seen.problem or None, "trace": str(kept) if kept else None,
                               "last_verified": verified.model_dump(mode="json")}, ensure_ascii=False))
        _state.update(json=False)  # the report is the one JSON document: what it found missing is in it
    else:
        click.echo(f"Recipe {target}: last verified against the live site: {verified.date or 'never'}"
                   + (f" ({', '.join(verified.languages)})" if verified.languages else ""))
        click.echo(f"Checked {url}")
        for name, layer in found.items():
            element = recipe.element(name)
            if name in seen.later:
                click.echo(f"  {'later':<7}  {name:<8} {element.description:<48} the form shows it once the "
                           f"{'country is chosen' if seen.later[name] == 'country' else 'email is typed'}: not checked, "
                           "as a check types nothing")
                continue
            state, note = (("found  ", layer) if layer else ("absent ", "not reached: the walk stopped before the form" if seen.problem
                                                             else "optional: sent without it")
                           if name in flow.OPTIONAL_ELEMENTS else ("MISSING", f"the page has {seen.instead[name]}" if name in seen.instead else ""))
            click.echo(f"  {state}  {name:<8} {element.description:<48} {note}")
        for name in flow.AFTER_SEND:
            click.echo(f"  {'skipped':<7}  {name:<8} {recipe.element(name).description:<48} appears only after Send")
        if seen.purpose is not None:
            said = "for objecting to AI use" if seen.purpose == "objection" else "NOT for objecting to AI use" \
                if seen.purpose == "other" else "does not say it is for objecting or AI"
            click.echo(f"  {'ok' if seen.purpose == 'objection' else 'WRONG' if seen.purpose == 'other' else 'WARNING':<7}"
                       f"  {'purpose':<8} {said:<48} title: {seen.title!r}")
    for line in warnings:
        click.echo(f"Warning: {line}", err=True)
    if missing:
        names = ", ".join(recipe.element(n).description for n in missing)
        raise PageMismatch(f"Missing on the page: {names}." + (f" The walk stopped here: {seen.problem}" if seen.problem else ""),
                           hint="See docs/maintainers.md to update the recipe"
                                + (", unless the page says why there is no form (a block, an unavailable page)." if seen.problem else "."))
    if seen.purpose == "other":
        raise PageMismatch(f"The form found is not the objection form (it says: {seen.title!r}); prefill would stop there.",
                           hint="The right-to-object link now leads to another of Meta's forms. See docs/maintainers.md.")


def _form_warnings(seen, recipe) -> list[str]:
    """What `prefill` would stop at without a window, though a person with one can go on; and what
    still works only through a last resort (the page's wording has moved away from the recipe's)."""
    from urllib.parse import urlsplit

    from optout_bot import countries
    from optout_bot.flow import NO_LINK_NEEDED
    from optout_bot.guard import HostGuard
    from optout_bot.recipe import reads_language

    out = []
    if seen.purpose == "unrecognised":
        out.append(f"the form's title ({seen.title!r}) and words do not say it is for objecting or about AI: prefill stops "
                   "at this form when nobody watches (--headless or --submit auto); with a window, it asks the person to look "
                   "before sending. "
                   "If it is the objection form, add its wording to the recipe's ai_text (docs/maintainers.md).")
    if seen.purpose is not None and not reads_language(seen.language):
        out.append(f"the form is in {countries.language_name(seen.language)}, a language the recipe has no words for: "
                   "prefill stops there when nobody watches (docs/maintainers.md says how to add a language).")
    for name, layer in seen.layers.items():
        if layer == "structure":
            out.append(f"{recipe.element(name).description} was found only by its markup ({name}.selectors): no words of the "
                       f"recipe name it any more. It still works, but Meta has changed its wording; add the new words to "
                       f"{name}.names (docs/maintainers.md).")
        elif name == "link" and layer == "context":
            out.append("the right-to-object link was found only by the words around it (its paragraph or table row): its own "
                       "words match no phrase of link.names any more. It still works; add the link's new words to link.names "
                       "(docs/maintainers.md).")
        elif layer == "fallback-url":
            out.append("no right-to-object link on the start page matched: the form was reached through the recipe's "
                       "fallback_form_urls, which Meta may retire. Add the link's new words to link.names (docs/maintainers.md).")
    # Only Meta's own objection form belongs in fallback_form_urls (runs open them unasked), not
    # another form the link led to, nor a test server's.
    link = seen.layers.get("link") or ""
    if (seen.purpose == "objection" and link not in ("fallback-url", NO_LINK_NEEDED) and HostGuard(recipe.meta_domains).on_meta(seen.form_url)
            and not recipe.lists_form(seen.form_url)):
        path = urlsplit(seen.form_url).path
        out.append(f"the link led to a form address the recipe does not list ({path}). If Meta has moved the form there, add "
                   "the address to fallback_form_urls: a run reaches the form through it when the link's words change "
                   "(docs/maintainers.md).")
    return out


@cli.command()
@click.option("--env-file", default=".env", show_default=True, type=_Path(dir_okay=False), help="Where to write the settings.")
@click.option("--email", help="Your account's email address.")
@click.option("--country", help="Country of residence: ISO code or name.")
@click.option("--reason", help="How the processing affects you (empty: the default objection).")
@click.option("--target", help="instagram or facebook.")
@click.option("--force", is_flag=True, help="Replace an existing file without asking.")
@_debug_option
def init(env_file, email, country, reason, target, force):
    """Write your settings to .env (mode 0600), asking for what the flags do not give."""
    import shlex

    from optout_bot import wizard

    path = wizard.init(Path(env_file), email, country, reason, target, force)
    given = "" if Path(env_file) == Path(".env") else f" --env-file {shlex.quote(env_file)}"
    click.echo(f"Wrote {path} (only you can read it). Next: {_me()} prefill{given}", err=True)


def _me() -> str:
    """This command as the person can type it again: `optout-bot` when that is on their PATH, else
    the path they ran (`.venv/bin/optout-bot` in a clone, as the README has it)."""
    import shlex
    import shutil

    ran = Path(sys.argv[0])
    if ran.name != "optout-bot":
        return "python -m optout_bot"
    found = shutil.which("optout-bot")
    if found and Path(found).resolve() == ran.resolve():
        return "optout-bot"
    try:
        shown = ran.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return shlex.quote(str(ran))
    return shlex.quote(str(shown) if shown.parent != Path(".") else f"./{shown}")


@cli.command("receipts")
@click.option("--receipts-dir", type=_Path(file_okay=False), help="Where receipts are (default: your user data folder).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per receipt, one per line, on stdout.")
@_debug_option
def receipts_cmd(receipts_dir, as_json):
    """List your past objections, newest first."""
    import json
    import shlex

    from optout_bot import receipts
    from optout_bot.progress import mask_email

    folder = Path(receipts_dir) if receipts_dir else receipts.default_receipts_dir()
    rows = []
    try:
        found, skipped = receipts.list_receipts(folder)
    except OSError as exc:  # not "No receipts yet": they may be there
        raise BadInput(f"{'--receipts-dir' if receipts_dir else 'the receipts folder'}: {folder} cannot be read "
                       f"({exc.strerror or exc}); check its permissions (ls -ld {shlex.quote(str(folder))})") from None
    for data in found:
        shot = data.get("screenshot")
        rows.append({"submitted_at": data["submitted_at"], "target": data["target"], "country": data["country"],
                     "email": mask_email(data["email"]), "receipt": data["path"],
                     "screenshot": str(Path(data["path"]).with_name(shot)) if shot else None,
                     "already_objected": data.get("already_objected") is True,
                     "under_review": data.get("under_review") is True,
                     "test_site": receipts.test_site(data)})
    if skipped:
        click.echo(f"Skipped {skipped} file(s) in {folder} that are not readable receipts (left as they are).", err=True)
    if as_json:  # like every --json of the tool: one object per line
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"No receipts yet in {folder}." + ("" if folder.is_dir() else " (That folder does not exist.)"), err=True)
        return
    for row in rows:
        click.echo(f"{row['submitted_at']}  {row['target']:<9}  {row['country']}  {row['email']}  {row['receipt']}")
        if row["test_site"]:
            click.echo(f"{'':>22}a test run against {row['test_site']}, not an objection to Meta")
        elif row["already_objected"]:
            click.echo(f"{'':>22}Meta said you had already objected")
        elif row["under_review"]:
            click.echo(f"{'':>22}Meta received it and said it would review it (its email says whether it is honoured)")
        if row["screenshot"]:
            click.echo(f"{'':>22}screenshot: {row['screenshot']}")


@cli.command()
@click.option("--env-file", type=_Path(dir_okay=True), help="Settings file to check (default: .env).")
@click.option("--receipts-dir", type=_Path(file_okay=False), help="Receipts folder to check.")
@click.option("--offline", is_flag=True, help="Skip the check that Meta's site can be reached.")
@click.option("--target", type=click.Choice(TARGETS), default="instagram", show_default=True, help="Whose Privacy Center page to try reaching.")
@_debug_option
def doctor(env_file, receipts_dir, offline, target):
    """Check that everything the tool needs is in place; exit 1 if something needed is missing."""
    from optout_bot import doctor as checks, receipts, recipe as recipes

    folder = Path(receipts_dir) if receipts_dir else receipts.default_receipts_dir()
    results = checks.run(env_file, folder, offline, str(recipes.load(target).start_url), channel_starts=_channel_starts)
    for check in results:
        mark = "ok  " if check.ok else ("FAIL" if check.needed else "note")
        click.echo(f"{mark}  {check.name:<16} {check.detail}")
    failed = [c.name for c in results if c.needed and not c.ok]
    if failed:
        raise OptoutError(f"Not ready: {', '.join(failed)}.", hint="Fix the lines marked FAIL above, then run `optout-bot doctor` again.")
    click.echo("Ready.", err=True)


def _channel_starts(channel: str) -> str | None:
    """For doctor: None when Playwright starts the browser `channel` headless, else why not."""
    from optout_bot import browser

    with _playwright() as (pw, _):
        try:
            pw.chromium.launch(channel=channel, headless=True, args=browser.launch_args([])).close()
        except Exception as exc:  # noqa: BLE001 - its reason is the check's answer
            return next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)[:160]
    return None


@cli.command()
@click.option("--target", type=click.Choice(TARGETS), default="instagram", show_default=True, help="Whose pages to capture.")
@click.option("--out", "out_dir", required=True, type=_Path(file_okay=False), help="Folder for the pages, e.g. fixtures/captured/2025-06-01-de (made private: 0700).")
@click.option("--known", multiple=True, metavar="TEXT", help="Also scrub this exact text, in every spelling: your name, user name, email. Repeatable.")
@_debug_option
def capture(target, out_dir, known):
    """Save Meta's pages as you go through them in a window, scrubbed, as test fixtures (see docs/maintainers.md)."""
    from optout_bot import browser, capture as capturing, recipe as recipes
    from optout_bot.guard import HostGuard

    values = capturing.known_values(known)
    if not browser.has_display():
        raise BadInput("capture needs a browser window to walk through; run it where there is a display (or set DISPLAY)")
    _writable(Path(out_dir), "--out")  # before the walk: pages saved nowhere would have to be walked again
    recipe = recipes.load(target)
    guard = HostGuard(recipe.meta_domains)

    def ask(prompt: str) -> str:
        return click.prompt(prompt, default="", show_default=False, err=True)

    def say(text: str) -> None:
        click.echo(f"  {text}", err=True)

    # No profile: the log-in and its cookies end with the window.
    with _playwright() as (pw, _), _browser_session(pw, False, guard, None, False) as (context, page):
        saved = capturing.run_capture(page, Path(out_dir), target, values, ask, say=say)
    if saved:
        click.echo(f"Saved {len(saved)} page(s) in {out_dir}. Read them once before committing: scrubbing cannot know every name.", err=True)
    click.echo(str(out_dir))


# --- demo, mock site, install -------------------------------------------------------------


class _MailboxInbox:
    """The demo's 'person': reads the code from the mock mailbox and says so."""

    def __init__(self, site, email: str, say):
        self.site, self.email, self.say = site, email, say
        self.pending = False

    def request(self) -> None:
        self.pending = True

    def take(self, timeout: float):
        if not self.pending:
            return False
        self.pending = False
        code = self.site.last_code(self.email)
        self.say(f"Demo: the mock mailbox shows the code {code}; typing it as a person would.")
        return code


def _variant(ctx, param, value: str):
    """--variant, parsed once (bad tokens are bad input)."""
    from optout_bot.mock_site import parse_variant

    try:
        return parse_variant(value)
    except ValueError as exc:
        raise BadInput(f"--variant: {exc}") from None


@cli.command()
@click.option("--headless", is_flag=True, help="No window, even if a display exists.")
@click.option("--variant", default="", callback=_variant, help="Which mock pages to use (see `optout-bot mock-site --help`; default: server-rendered English).")
@click.option("--receipts-dir", type=_Path(file_okay=False), help="Where the demo receipt, and a failed demo's snapshot, go (default: a demo folder beside your real receipts).")
@_output_options
@_debug_option
def demo(headless, variant, receipts_dir, quiet, json_events):
    """Run the whole flow against a local mock of Meta's pages, with sample settings."""
    from optout_bot import browser, config, receipts
    from optout_bot.mock_site import MockSite

    no_display = not headless and not browser.has_display()
    headless = headless or no_display
    how = "headless: no display found" if no_display else "headless" if headless else "in a window"
    settings = config.Settings(email="demo.person@example.eu", country="PT",
                               reason="Não autorizo o uso das minhas publicações para treinar IA.\nI object under Art. 21 GDPR.",
                               target=variant.brand, _env_file=None)
    folder = receipts_dir or str(receipts.data_dir() / "demo-receipts")
    with MockSite(variant=variant, port=0) as site:
        inbox = _MailboxInbox(site, settings.email, lambda text: click.echo(f"  {text}", err=True))
        _run_prefill(lambda: settings, headless=headless, start_url=site.start_url, allow_hosts=("127.0.0.1",), profile=None,
                     timeout=30, trace=False, submit="auto", code="stdin", wait_minutes=2, receipts_dir=folder,
                     snapshots_dir=str(Path(folder) / "snapshots"), quiet=quiet, json_events=json_events, inbox=inbox,
                     note=f"Demo: a local mock of Meta's pages at {site.url} ({how}); nothing is sent to Meta.",
                     demo=True)


def _variant_help() -> str:
    # Read from the token table without importing the mock site's templates until needed.
    from optout_bot.mock_site import VARIANT_TOKENS

    return "\b\nVariant tokens:\n" + "\n".join(f"  {k:<18} {v}" for k, v in VARIANT_TOKENS.items())


class _MockSiteCommand(click.Command):
    def format_epilog(self, ctx, formatter):
        formatter.write_paragraph()
        formatter.write(_variant_help() + "\n")


@cli.command("mock-site", cls=_MockSiteCommand)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--variant", default="", callback=_variant, help="Comma-separated page features, e.g. react,de,cookie (default: server-rendered English with a code step).")
@_debug_option
def mock_site(port, variant):
    """Serve a local mock of Meta's pages on 127.0.0.1 for testing (Ctrl-C stops it)."""
    import errno

    from optout_bot.mock_site import serve

    try:
        serve(port, variant, echo=lambda text: click.echo(text, err=True))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise BadInput(f"--port: {port} is already in use on 127.0.0.1; give another port, or 0 for any free one") from None


@cli.command()
@_debug_option
def install():
    """Download Playwright's own Chromium (needs access to Playwright's download server)."""
    click.echo("Downloading Playwright's Chromium (about 150 MB; this may take a few minutes) ...", err=True)
    code, said = __import__("optout_bot.browser", fromlist=["install"]).install()
    if code != 0:
        raise OptoutError(f"Playwright could not download its browser ({said or f'exit status {code}'}).",
                          hint="On Debian/Ubuntu run `sudo apt-get install chromium` instead; optout-bot finds it by itself.")
    click.echo("Installed Playwright's Chromium.", err=True)


# --- the outer shell ----------------------------------------------------------------------


def _print_error(err: OptoutError) -> None:
    off_the_prompt()
    # The person's own choice to stop is no error.
    click.echo(redact_error(f"{'Stopped' if err.status == ExitStatus.CANCELLED else 'Error'}: {err.message}"), err=True)
    if err.snapshot:
        click.echo(f"  Evidence saved in {err.snapshot} (email and tokens redacted).", err=True)
    if err.hint:
        click.echo(redact_error(f"  {err.hint}"), err=True)


def main(argv: list[str] | None = None) -> None:
    said = None
    signal.signal(signal.SIGTERM, _terminated)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is signal.SIG_DFL:  # not under nohup
        signal.signal(signal.SIGHUP, _terminated)
    try:
        cli.main(args=argv, prog_name="optout-bot", standalone_mode=False)
        status = ExitStatus.CONFIRMED
    except click.exceptions.Exit as exc:
        status = exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:  # bare `optout-bot`: the help, no "Error: Usage:"
        click.echo(exc.format_message(), err=True)
        status = ExitStatus.BAD_INPUT
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        click.echo(redact_error(f"Error: {exc.format_message()}{hint}"), err=True)
        status = ExitStatus.BAD_INPUT
        # Refused before the command ran, so it never said --json: a failed run still ends with its event.
        takes_json = exc.ctx is not None and any("--json" in getattr(p, "opts", ()) for p in exc.ctx.command.params)
        _state["json"] = _state.get("json") or takes_json and "--json" in (sys.argv[1:] if argv is None else argv)
        said = BadInput(exc.format_message(), hint=hint.strip(" ()") or None)
    except OptoutError as err:
        if _state["debug"]:
            click.echo(redact_error(traceback.format_exc()), err=True, nl=False)
        _print_error(err)
        status = err.status
        said = err
    except (KeyboardInterrupt, click.Abort):
        if _state.get("receipt"):  # stopped while closing, after Meta confirmed and the receipt was saved
            click.echo(f"\nStopped. {_who()} confirmed your objection; its receipt is {_state['receipt']}", err=True)
            status = ExitStatus.CONFIRMED
        elif _state.get("confirmed"):  # Ctrl-C twice while the receipt was being saved
            click.echo(f"\nStopped before the receipt was saved. {_who()} had confirmed your objection. {_without_receipt()}", err=True)
            status = ExitStatus.CANCELLED
        else:
            # After Send, prefill says so itself (a Cancelled error); other commands send nothing.
            by = f" ({_state['stopped_by']})" if "stopped_by" in _state else ""
            click.echo(f"\nCancelled{by}; nothing was sent." if _state.get("sends") else f"\nCancelled{by}.", err=True)
            status = ExitStatus.CANCELLED
    except Exception as exc:  # noqa: BLE001 - the last word: one readable line, traceback on --debug
        status = _unexpected(exc)
    if _state.get("json") and status:
        _json_error(ExitStatus(status), said)
    # All is written and closed by now: spare the interpreter its last garbage collection over
    # Playwright's and pydantic's many objects (~40 ms at exit). Process-wide and for good, which
    # is fine only because main() is the program's entry point and nothing runs after it.
    gc.freeze()
    sys.exit(int(status))


def _json_error(status: ExitStatus, err: OptoutError | None) -> None:
    """--json: the end of a failed run as the last event on stdout, as a success ends with 'receipt'."""
    import json
    import time

    record = {"event": "error", "message": err.message if err else status.meaning, "time": round(time.time(), 3),
              "status": int(status), "meaning": status.meaning}
    if err:
        record.update(hint=err.hint, snapshot=err.snapshot)
    click.echo(json.dumps({key: redact_error(value) for key, value in record.items()}, ensure_ascii=False))


def _unexpected(exc: Exception) -> ExitStatus:
    if type(exc).__name__ == "TargetClosedError":
        click.echo("Error: the browser window was closed; nothing more was sent.", err=True)
        return ExitStatus.CANCELLED
    if _state["debug"]:
        click.echo(redact_error(traceback.format_exc()), err=True, nl=False)
    else:
        click.echo(redact_error(f"Error: something unexpected went wrong: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"), err=True)
        click.echo("  Run again with --debug to see the details, and report them.", err=True)
    return ExitStatus.ERROR
