#!/usr/bin/env python3
"""Benchmark: the whole flow through the CLI against the shortest Playwright script doing the same.

    .venv/bin/python scripts/bench.py [--runs N] [--variant V] [--out docs/performance.md] [--breakdown]

Against one local mock site (started here, in-process; it is pure stdlib), it times side by side,
pair by pair, in fresh processes:

- flow:  `optout-bot prefill ... --headless --submit auto --code stdin` (the code on stdin);
- floor: the shortest honest Playwright script doing the same steps with hard-coded knowledge of the
         mock's pages (same Chromium, same flags): the least any tool could take;
- help:  `optout-bot --help` against `python -c "import click"`.

The order inside a pair alternates every other pair. After each browser run the mock's own record
must show exactly one more confirmed objection, so neither side can skip a step. It prints medians
and ratios against the goals (flow <= 1.2x the floor, --help <= 1.5x importing click) and writes
the same, with the machine, the commands and every raw number, to docs/performance.md.
With --breakdown it also measures, once, where the flow's extra time goes.

This process never starts Playwright itself; everything timed runs in a subprocess.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optout_bot import browser, recipe  # noqa: E402  (no Playwright: Chromium and its flags; the recipe's names)
from optout_bot.mock_site import TEST_CODE, MockSite, parse_variant  # noqa: E402
from optout_bot.wizard import render as render_settings  # noqa: E402

FLOW_GOAL = 1.2
HELP_GOAL = 1.5
TIMEOUT_S = 180
EMAIL = "p.person@example.eu"
COUNTRY = "PT"
REASON = "Não autorizo: as minhas fotos são minhas.\nZweite Zeile — ça suffit."
# The mock's objection form ids (Instagram, Facebook): the floor's hard-coded knowledge of the link.
FORM_IDS = ("233964459562201", "6359191084165019")
# Variant tokens the floor script knows how to walk (server-rendered pages with a native <select>).
FLOOR_TOKENS = {"server", "en", "de", "fr", "es", "it", "nl", "pt-PT", "pt-BR", "pl", "ro",
                "facebook", "prefilled", "slow", "no-code"}


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------- the floor script

# The steps, in order, as (phase, code). Joined as they are for the timed runs; with marks (for the
# breakdown only) a print of the wall clock follows each phase, and lines starting with "?" (waits
# that the next step's own auto-wait makes unnecessary) are kept, so each phase ends where it says.
FLOOR_HEAD = """\
import sys
from playwright.sync_api import sync_playwright

url, email, reason, code = sys.argv[1:5]
with sync_playwright() as pw:
"""


def floor_steps(launch: dict, args: list[str], code_step: bool, extras: tuple[str, ...] = ()) -> list[tuple[str, list[str]]]:
    link = ", ".join(f"a[href$='/{form_id}']" for form_id in FORM_IDS)
    # Where each element is: the mock's CSS, or (extra "roles") the recipe's role and accessible-name
    # patterns, as the locator layers' first layer looks for it on a page it has never seen.
    css = {"link": link, "country": "select", "email": "input[autocomplete=email]", "reason": "textarea",
           "send": "button[type=submit]", "code": "input[name=code]", "confirm": "button[type=submit]"}
    setup = [line for extra in extras for line in extra_setup(extra)]
    roles = {}
    if "roles" in extras:
        ig = recipe.load("instagram")
        setup.append("import re")
        for name in css:
            element = ig.element(name)
            pattern = element.pattern()
            roles[name] = f"page.get_by_role({element.role!r}, name=re.compile({pattern.pattern!r}, {int(pattern.flags)})).first"

    def act(name: str, action: str, *values: str) -> str:
        if name in roles:
            return f"{roles[name]}.{action}({', '.join(values)})"
        return f'page.{action}({", ".join([json.dumps(css[name]), *values])})'

    steps = [
        ("browser ready", [f"browser = pw.chromium.launch(headless=True, args={json.dumps(args)}, **{launch!r})",
                           "page = browser.new_page()"] + setup),
        ("start page loaded", ["page.goto(url)"]),
        ("form reached", [act("link", "click"), '?page.wait_for_selector("select")']),
        ("form filled", [act("country", "select_option", f'"{COUNTRY}"'), act("email", "fill", "email"),
                         act("reason", "fill", "reason")]),
    ]
    if code_step:
        steps += [("sent, code page shown", [act("send", "click"), '?page.wait_for_selector("input[name=code]")']),
                  ("code confirmed", [act("code", "fill", "code"), act("confirm", "click"),
                                      'page.wait_for_selector("[role=status]")'])]
    else:
        steps += [("sent, confirmed", [act("send", "click"), 'page.wait_for_selector("[role=status]")'])]
    # The flow's job ends with a receipt that includes a screenshot of the confirmation, so the floor
    # takes the same screenshot: the same steps, done the shortest way.
    steps.append(("receipt saved", ['page.screenshot()']))
    steps.append(("browser closed", ["browser.close()"]))  # the mark goes after the with block
    return steps


def extra_setup(extra: str) -> list[str]:
    """One of the CLI's extra costs, added to the floor for the breakdown's comparisons."""
    if extra == "tracing":
        return ["page.context.tracing.start(snapshots=False, screenshots=False)"]
    if extra == "guard":
        # The CLI's host guard in miniature: a route for URLs outside the allowed hosts (none here)
        # and a request listener that watches redirects, as optout_bot.guard does.
        return ["import re",
                r'page.context.route(re.compile(r"^(?!https?://127\.0\.0\.1(?::\d+)?(?:[/?#]|$))"), lambda route: route.abort())',
                'page.context.on("request", lambda request: None)']
    return []


def floor_script(launch: dict, args: list[str], code_step: bool, marks: bool = False, extras: tuple[str, ...] = ()) -> str:
    lines = FLOOR_HEAD.splitlines()
    if marks:
        lines[0] = "import json, sys, time"
    steps = floor_steps(launch, args, code_step, extras)
    for index, (phase, code) in enumerate(steps):
        lines += ["    " + line.lstrip("?") for line in code if marks or not line.startswith("?")]
        if marks:  # the last mark once Playwright has stopped too, as the flow's "done" event is
            indent = "" if index == len(steps) - 1 else "    "
            lines.append(f"{indent}print(json.dumps({{'phase': {phase!r}, 'time': time.time()}}), flush=True)")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- running things


@dataclass
class Setup:
    bin: Path
    tmp: Path
    site: MockSite
    env_file: Path
    env: dict
    code_step: bool
    floor_file: Path
    launch: dict
    args: list[str]
    runs: int = 0

    def flow_cmd(self, receipts: Path, *extra: str) -> list[str]:
        return [str(self.bin / "optout-bot"), "prefill", "--env-file", str(self.env_file),
                "--start-url", self.site.start_url, "--allow-host", "127.0.0.1", "--headless",
                "--submit", "auto", "--code", "stdin", "--receipts-dir", str(receipts),
                "--snapshots-dir", str(self.tmp / "snapshots"), *extra]

    def floor_cmd(self, script: Path | None = None) -> list[str]:
        return [str(self.bin / "python"), str(script or self.floor_file), self.site.start_url, EMAIL, REASON,
                TEST_CODE if self.code_step else ""]

    def receipts(self) -> Path:
        self.runs += 1
        return self.tmp / f"receipts-{self.runs}"


def child_env(tmp: Path) -> dict:
    """The environment a person's shell would give: no OPTOUT_* settings, no display, no debug logs,
    and Python's bytecode cache on. The cache goes to a folder of its own (PYTHONPYCACHEPREFIX), so
    sources edited since the last run are compiled once, in the warm-up, and nothing is written
    into the project; every command timed gets the same treatment. The user cache folder is one of
    its own too (XDG_CACHE_HOME): there the CLI keeps Playwright's driver compiled by Node, filled
    in the warm-up as after a person's first run; the floor, a plain script, keeps none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTOUT_")}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DEBUG", "PWDEBUG", "PYTHONDONTWRITEBYTECODE",
                 "NODE_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE", "NODE_OPTIONS"):
        env.pop(name, None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    # Playwright's downloaded browsers stay where they are (they are found under the cache folder).
    env.setdefault("PLAYWRIGHT_BROWSERS_PATH", str(browser.playwright_browsers_dir()))
    env["XDG_CACHE_HOME"] = str(tmp / "cache")
    return env


def run(cmd: list[str], env: dict, cwd: Path, stdin: str | None = None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=TIMEOUT_S)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise BenchError(f"exit {proc.returncode} from {shlex.join(cmd)}\n--- stdout\n{proc.stdout[-3000:]}"
                         f"\n--- stderr\n{proc.stderr[-3000:]}")
    return elapsed, proc


def confirmed_once(setup: Setup, what: str, action):
    """Run `action`, then insist the mock recorded exactly one more submission and confirmation."""
    before = setup.site.state()
    result = action()
    after = setup.site.state()
    if (after["confirmed"], len(after["submissions"])) != (before["confirmed"] + 1, len(before["submissions"]) + 1):
        raise BenchError(f"{what}: the mock recorded {after['confirmed'] - before['confirmed']} confirmations and "
                         f"{len(after['submissions']) - len(before['submissions'])} submissions instead of one each")
    last = after["submissions"][-1]
    if not last["accepted"] or last["country"] != COUNTRY or (last["email"] or "").strip() != EMAIL:
        raise BenchError(f"{what}: the mock recorded an unexpected submission: {last}")
    return result


def time_flow(setup: Setup) -> float:
    cmd = setup.flow_cmd(setup.receipts())
    return confirmed_once(setup, "flow", lambda: run(cmd, setup.env, setup.tmp, stdin=TEST_CODE + "\n")[0])


def time_floor(setup: Setup) -> float:
    return confirmed_once(setup, "floor", lambda: run(setup.floor_cmd(), setup.env, setup.tmp)[0])


def time_help(setup: Setup) -> float:
    elapsed, proc = run([str(setup.bin / "optout-bot"), "--help"], setup.env, setup.tmp)
    if "prefill" not in proc.stdout:
        raise BenchError("optout-bot --help did not list the prefill command")
    return elapsed


def time_click(setup: Setup) -> float:
    return run([str(setup.bin / "python"), "-c", "import click"], setup.env, setup.tmp)[0]


def pairs(n: int, first, second, label: str) -> list[dict]:
    """n pairs: pairs 1, 3, 5, ... run `first` first, pairs 2, 4, ... run `second` first."""
    out = []
    for i in range(n):
        order = (("a", first), ("b", second)) if i % 2 == 0 else (("b", second), ("a", first))
        times = {}
        for key, action in order:
            times[key] = action()
        out.append({"a": times["a"], "b": times["b"], "first": order[0][0]})
        print(f"  {label} pair {i + 1}/{n}: {times['a']:.3f} s vs {times['b']:.3f} s", flush=True)
    return out


# --------------------------------------------------------------------------- the breakdown


@dataclass
class Breakdown:
    flow_phases: list[tuple[str, float]] = field(default_factory=list)
    floor_phases: list[tuple[str, float]] = field(default_factory=list)
    flow_calls: dict[str, list] = field(default_factory=dict)  # method -> [count, seconds]
    floor_calls: dict[str, list] = field(default_factory=dict)
    imports_flow: list[tuple[str, float]] = field(default_factory=list)
    imports_help: list[tuple[str, float]] = field(default_factory=list)
    imports_click: float = 0.0
    ablations: dict[str, list[float]] = field(default_factory=dict)


# The CLI's --json step events, mapped onto the floor's phases (the event that ends each phase).
FLOW_MARKS = [("browser ready", 1), ("start page loaded", 2), ("form reached", 3), ("form filled", 4),
              ("sent, code page shown", 5), ("code confirmed", 6)]


def flow_timeline(setup: Setup) -> list[tuple[str, float]]:
    cmd = setup.flow_cmd(setup.receipts(), "--json")
    started = time.time()
    _, proc = confirmed_once(setup, "flow (timeline)", lambda: run(cmd, setup.env, setup.tmp, stdin=TEST_CODE + "\n"))
    ended = time.time()
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    steps = {e["step"]: e["time"] for e in events if e["event"] == "step"}
    done = next(e["time"] for e in events if e["event"] == "done")
    marks = [(phase, steps[n]) for phase, n in FLOW_MARKS if n in steps]
    if 5 not in steps:  # no code step: step 4 -> 6 is "sent, confirmed"
        marks = [(p, t) for p, t in marks if p != "code confirmed"] + [("sent, confirmed", steps[6])]
    # The receipt is saved inside the browser session; "done" comes once the browser and Playwright stopped.
    marks += [("browser closed", done), ("exited", ended)]
    return _durations(started, marks)


def floor_timeline(setup: Setup) -> list[tuple[str, float]]:
    script = setup.tmp / "floor_marks.py"
    script.write_text(floor_script(setup.launch, setup.args, setup.code_step, marks=True), encoding="utf-8")
    started = time.time()
    _, proc = confirmed_once(setup, "floor (timeline)", lambda: run(setup.floor_cmd(script), setup.env, setup.tmp))
    ended = time.time()
    marks = [(m["phase"], m["time"]) for m in map(json.loads, proc.stdout.splitlines())]
    marks.append(("exited", ended))  # to the parent seeing the process end, as for the flow
    phases = _durations(started, marks)
    # The flow saves its receipt inside its "browser closed" phase; count the floor's screenshot there too.
    shot = dict(phases).get("receipt saved", 0.0)
    return [(p, t + shot if p == "browser closed" else t) for p, t in phases if p != "receipt saved"]


def _durations(started: float, marks: list[tuple[str, float]]) -> list[tuple[str, float]]:
    out, last = [], started
    for phase, moment in marks:
        out.append((phase, moment - last))
        last = moment
    return out


# Runs the flow or a floor script with every Playwright call timed, from the client sending it to
# its answer arriving (Connection.send_message_to_server is Playwright's one way out). For the
# breakdown only; if a Playwright release renames it, the breakdown says so and carries on.
CALL_TIMER = """\
import atexit, json, runpy, sys, time
calls = {}
try:
    from playwright._impl.connection import Connection
    send = Connection.send_message_to_server

    def timed(self, obj, method, params, options):
        started = time.perf_counter()
        future = send(self, obj, method, params, options)

        def done(_, method=method):
            entry = calls.setdefault(method, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

        future.add_done_callback(done)
        return future

    Connection.send_message_to_server = timed
    atexit.register(lambda: print("CALLS " + json.dumps(calls), file=sys.stderr))
except (ImportError, AttributeError):
    pass
kind = sys.argv.pop(1)
if kind == "flow":
    sys.argv[0] = "optout-bot"
    from optout_bot.cli import main
    main()
else:
    sys.argv[0] = sys.argv.pop(1)
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def timed_calls(setup: Setup, kind: str, args: list[str], stdin: str | None) -> dict[str, list]:
    timer = setup.tmp / "call_timer.py"
    timer.write_text(CALL_TIMER, encoding="utf-8")
    cmd = [str(setup.bin / "python"), str(timer), kind, *args]
    _, proc = confirmed_once(setup, f"{kind} (calls)", lambda: run(cmd, setup.env, setup.tmp, stdin=stdin))
    line = next((line for line in proc.stderr.splitlines() if line.startswith("CALLS ")), None)
    return json.loads(line[len("CALLS "):]) if line else {}


_IMPORT = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def top_imports(stderr: str) -> list[tuple[str, float]]:
    """-X importtime output -> seconds per top-level package, each module's own (self) time, so a
    package imported by another one is counted under its own name."""
    per: Counter = Counter()
    for line in stderr.splitlines():
        m = _IMPORT.match(line)
        if m:
            per[m.group(4).split(".")[0]] += int(m.group(1)) / 1e6
    return per.most_common()


def breakdown(setup: Setup, runs: int) -> Breakdown:
    b = Breakdown()
    print("Breakdown: step timelines", flush=True)
    b.flow_phases = flow_timeline(setup)
    b.floor_phases = floor_timeline(setup)
    print("Breakdown: Playwright calls, timed", flush=True)
    b.flow_calls = timed_calls(setup, "flow", setup.flow_cmd(setup.receipts())[1:], TEST_CODE + "\n")
    b.floor_calls = timed_calls(setup, "floor", setup.floor_cmd()[1:], None)
    print("Breakdown: imports (-X importtime)", flush=True)
    py = str(setup.bin / "python")
    flow_cmd = setup.flow_cmd(setup.receipts())
    flow_cmd = [py, "-X", "importtime", "-m", "optout_bot", *flow_cmd[1:]]
    _, proc = confirmed_once(setup, "flow (imports)", lambda: run(flow_cmd, setup.env, setup.tmp, stdin=TEST_CODE + "\n"))
    b.imports_flow = top_imports(proc.stderr)
    _, proc = run([py, "-X", "importtime", "-m", "optout_bot", "--help"], setup.env, setup.tmp)
    b.imports_help = top_imports(proc.stderr)
    _, proc = run([py, "-X", "importtime", "-c", "import click"], setup.env, setup.tmp)
    b.imports_click = sum(t for _, t in top_imports(proc.stderr))
    print(f"Breakdown: the floor plus each of the CLI's extras ({runs} runs each, interleaved)", flush=True)
    scripts = {}
    for name, extras in ABLATIONS.items():
        path = setup.tmp / f"floor_{name}.py"
        path.write_text(floor_script(setup.launch, setup.args, setup.code_step, extras=extras), encoding="utf-8")
        scripts[name] = path
    b.ablations = {name: [] for name in scripts}
    for _ in range(runs):
        for name, path in scripts.items():
            b.ablations[name].append(confirmed_once(setup, f"floor ({name})",
                                                    lambda: run(setup.floor_cmd(path), setup.env, setup.tmp)[0]))
    return b


ABLATIONS = {
    "plain": (),
    "tracing": ("tracing",),
    "guard": ("guard",),
    "both": ("tracing", "guard"),
    "roles": ("roles",),
}


# --------------------------------------------------------------------------- reporting


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine(load: list[str], choice: browser.BrowserChoice) -> dict:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass

    def version_of(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "?"

    return {
        "cores": os.cpu_count(), "cpu": cpu or platform.processor() or "?", "os": platform.platform(),
        "python": platform.python_version(), "playwright": version_of("playwright"), "click": version_of("click"),
        "chromium": browser.version(choice) or choice.describe(), "chromium_at": choice.describe(),
        "load": load, "code": code_version(),
    }


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.split("\n")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (no git)"
    changed = sorted(line[3:] for line in dirty if line.strip())
    if not head:
        return "unknown (not a git checkout)"
    return f"commit {head}" + (f", plus uncommitted changes to {', '.join(changed)}" if changed else "")


def med(values: list[float]) -> float:
    return statistics.median(values)


def summary(flow: list[dict], help_: list[dict]) -> dict:
    s = {
        "flow": med([p["a"] for p in flow]), "floor": med([p["b"] for p in flow]),
        "help": med([p["a"] for p in help_]), "click": med([p["b"] for p in help_]),
    }
    s["flow_ratio"] = s["flow"] / s["floor"]
    s["help_ratio"] = s["help"] / s["click"]
    s["flow_pair_ratio"] = med([p["a"] / p["b"] for p in flow])
    s["help_pair_ratio"] = med([p["a"] / p["b"] for p in help_])
    s["flow_met"] = s["flow_ratio"] <= FLOW_GOAL
    s["help_met"] = s["help_ratio"] <= HELP_GOAL
    return s


def table(s: dict, runs: int) -> str:
    rows = [
        ("flow (optout-bot prefill)", s["flow"], "floor (plain Playwright)", s["floor"], s["flow_ratio"],
         s["flow_pair_ratio"], FLOW_GOAL, s["flow_met"]),
        ("optout-bot --help", s["help"], 'python -c "import click"', s["click"], s["help_ratio"],
         s["help_pair_ratio"], HELP_GOAL, s["help_met"]),
    ]
    out = [f"Medians of {runs} pairs:"]
    for name, a, base, b, ratio, pair_ratio, goal, met in rows:
        out.append(f"  {name:<27} {a:7.3f} s   {base:<26} {b:7.3f} s   ratio {ratio:.2f}x "
                   f"(median of pairs {pair_ratio:.2f}x)   goal <= {goal}x: {'met' if met else 'NOT met'}")
    return "\n".join(out)


def markdown(setup: Setup, args, s: dict, flow: list[dict], help_: list[dict], m: dict, b: Breakdown | None,
             started: dt.datetime, seconds: float) -> str:
    floor_text = setup.floor_file.read_text(encoding="utf-8")
    env_text = setup.env_file.read_text(encoding="utf-8")
    flow_cmd = shlex.join(["optout-bot", *setup.flow_cmd(setup.tmp / "receipts-N")[1:]]).replace(str(setup.tmp), "TMP")
    flow_cmd = flow_cmd.replace(setup.site.url, "http://127.0.0.1:PORT")
    yes = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
    variant = parse_variant(args.variant)
    lines = [
        "# Performance",
        "",
        f"Measured by `scripts/bench.py` on {started:%Y-%m-%d %H:%M} UTC, {args.runs} pairs of each, "
        f"against the mock site (variant `{variant}`), in {seconds:.0f} s.",
        "Each number is the wall-clock time of one fresh process, from `subprocess.run` to its exit "
        "(`time.perf_counter`), as a person running the command would see it.",
        "",
        "| measurement | median | baseline | median | ratio of medians | median of pair ratios | goal | |",
        "|---|---:|---|---:|---:|---:|---:|---|",
        f"| flow: `optout-bot prefill` | {s['flow']:.3f} s | floor: the shortest Playwright script | {s['floor']:.3f} s "
        f"| {s['flow_ratio']:.2f}x | {s['flow_pair_ratio']:.2f}x | <= {FLOW_GOAL}x | {yes(s['flow_met'])} |",
        f"| `optout-bot --help` | {s['help']:.3f} s | `python -c \"import click\"` | {s['click']:.3f} s "
        f"| {s['help_ratio']:.2f}x | {s['help_pair_ratio']:.2f}x | <= {HELP_GOAL}x | {yes(s['help_met'])} |",
        "",
        "The goals are judged on the ratio of the medians; the median of the per-pair ratios is there as "
        "a check that drift on the machine during the run did not decide the result. Earlier runs, "
        "where the flow's extra time goes and what has been tried: [speed.md](speed.md).",
        "",
        "## Machine",
        "",
        f"- {m['cores']} cores ({m['cpu']}), {m['os']}",
        f"- Python {m['python']}, Playwright {m['playwright']}, click {m['click']}",
        f"- {m['chromium']}, found as {m['chromium_at']}; headless, flags: `{' '.join(setup.args)}`",
        f"- code: {m['code']}",
        f"- load average (1, 5, 15 min) before the pairs: {m['load'][0]}; after them: {m['load'][-1]}. "
        "The machine may be shared; other work running at the same time slows both sides of a pair, "
        "which is why the runs are paired and alternated.",
        "",
        "## What runs",
        "",
        "One mock site (`optout_bot.mock_site.MockSite`) runs inside the benchmark's own process on a free "
        "port of 127.0.0.1. After every browser run the mock's own record must show exactly one more "
        f"accepted submission (country {COUNTRY}, the same email) and one more confirmed objection, or "
        "the benchmark stops; so neither side can skip a step. Within a pair the order alternates "
        "(flow first in odd-numbered pairs, floor first in even-numbered ones; likewise for `--help`). "
        "Settings, receipts and the floor script live in a temporary folder, the working folder of "
        "every run. Every command runs with Python's bytecode cache on, kept in that folder "
        "(`PYTHONPYCACHEPREFIX`, `PYTHONDONTWRITEBYTECODE` unset), as on an installed copy, and a "
        "user cache folder of its own (`XDG_CACHE_HOME`), where the CLI keeps Playwright's driver "
        "compiled by Node (`NODE_COMPILE_CACHE`, filled in the warm-up as after a person's first "
        "run; ~0.08 s of the driver's start). The floor, a plain script, keeps none.",
        "",
        f"**Flow**, with the code `{TEST_CODE}` on standard input (settings file below, no `OPTOUT_*` "
        "variables, no `DISPLAY`):",
        "",
        "```sh",
        f"{flow_cmd}",
        "```",
        "",
        "```sh",
        f"# TMP/settings.env\n{env_text.rstrip()}",
        "```",
        "",
        "**Floor**: `python TMP/floor.py http://127.0.0.1:PORT/privacy/genai/ EMAIL REASON CODE`, with "
        "`floor.py` exactly as follows. It uses hard-coded knowledge of the mock's pages (the form's "
        "address in the link, the `<select>`, `autocomplete=email`, the textarea, `name=code`, "
        "`role=status` on the confirmation), which a tool for Meta's real, changing pages cannot; "
        "that is what makes it the floor. It ends, as the flow does, with a screenshot of the "
        "confirmation (the receipt's picture). Same Chromium and flags as the CLI, which also adds "
        "`--host-resolver-rules` for its host guard.",
        "",
        "```python",
        floor_text.rstrip(),
        "```",
        "",
        "**Help**: `optout-bot --help` against `python -c \"import click\"`, both from `.venv/bin`.",
        "",
        "## Raw numbers (seconds)",
        "",
        "| pair | first | flow | floor | flow/floor | first | --help | import click | help/click |",
        "|---:|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for i, (f, h) in enumerate(zip(flow, help_), 1):
        lines.append(f"| {i} | {'flow' if f['first'] == 'a' else 'floor'} | {f['a']:.3f} | {f['b']:.3f} | "
                     f"{f['a'] / f['b']:.2f} | {'help' if h['first'] == 'a' else 'click'} | {h['a']:.3f} | "
                     f"{h['b']:.3f} | {h['a'] / h['b']:.2f} |")
    if args.warmup:
        lines += ["", f"Not counted: {args.warmup} warm-up run(s) of each of the four commands before the "
                  "pairs, so that the first pair does not pay alone for compiling bytecode and a cold disk cache."]
    if b is not None:
        lines += ["", *breakdown_markdown(b, args.breakdown_runs, s["flow"] - s["floor"])]
    lines += [
        "",
        "## How to reproduce",
        "",
        "After `scripts/test.sh` or `scripts/demo.sh` has set up `.venv`, from the repository root: "
        f"`.venv/bin/python scripts/bench.py --runs {args.runs}"
        + (f" --variant {shlex.quote(args.variant)}" if args.variant else "")
        + (" --breakdown" if b is not None else "")
        + "` (rewrites this file; `--out PATH` writes elsewhere). "
        "Numbers vary between machines; the ratios are the point.",
        "",
    ]
    return "\n".join(lines)


def calls_table(flow: dict[str, list], floor: dict[str, list]) -> list[str]:
    if not flow or not floor:
        return ["(not measured: this Playwright has no Connection.send_message_to_server to time)"]
    lines = ["| call | flow: count | flow: seconds | floor: count | floor: seconds |", "|---|---:|---:|---:|---:|"]
    for name in sorted(set(flow) | set(floor), key=lambda n: -max(flow.get(n, [0, 0])[1], floor.get(n, [0, 0])[1])):
        a, c = flow.get(name, [0, 0.0]), floor.get(name, [0, 0.0])
        lines.append(f"| {name} | {a[0]} | {a[1]:.3f} | {c[0] or ''} | {f'{c[1]:.3f}' if c[0] else ''} |")
    total = lambda d: (sum(v[0] for v in d.values()), sum(v[1] for v in d.values()))  # noqa: E731
    (fn, fs), (cn, cs) = total(flow), total(floor)
    lines.append(f"| **all** | **{fn}** | **{fs:.3f}** | **{cn}** | **{cs:.3f}** |")
    only = {name: v for name, v in flow.items() if name not in floor and not name.endswith("NoReply")}
    if only:
        lines += ["", f"Calls the floor never makes: {sum(v[0] for v in only.values())}, waited on for "
                      f"{sum(v[1] for v in only.values()):.3f} s in all ("
                  + ", ".join(f"{name} {v[0]}" for name, v in sorted(only.items(), key=lambda kv: -kv[1][1])) + ")."]
    return lines


def breakdown_markdown(b: Breakdown, runs: int, gap: float) -> list[str]:
    flow_total = sum(t for _, t in b.flow_phases)
    floor_total = sum(t for _, t in b.floor_phases)
    floor = dict(b.floor_phases)
    lines = [
        "## Where the flow's extra time goes",
        "",
        "Measured once each with `--breakdown`, after and apart from the timed pairs (so these runs are "
        "not in the medians above).",
        "",
        "**Step by step**, one run each: the flow's phases end at its `--json` step events, the floor's "
        "at a printed clock after each step; both start when the process is spawned and end when the "
        "parent sees it exit.",
        "",
        "| phase (ends when) | flow | floor | extra |",
        "|---|---:|---:|---:|",
    ]
    for phase, t in b.flow_phases:
        other = floor.get(phase)
        if other is None:
            lines.append(f"| {phase} | {t:.3f} | - | {t:+.3f} |")
        else:
            lines.append(f"| {phase} | {t:.3f} | {other:.3f} | {t - other:+.3f} |")
    lines += [f"| **total** | **{flow_total:.3f}** | **{floor_total:.3f}** | **{flow_total - floor_total:+.3f}** |", ""]
    lines += [
        "\"browser ready\" includes starting Python, the imports and launching Chromium; in the flow it also "
        "includes loading the settings and recipe, the host guard's route and starting the trace. "
        "\"browser closed\" also holds the confirmation's screenshot, in both, and in the flow writing "
        "the receipt's two files; for both it ends once Chromium and Playwright's driver have stopped. \"exited\" is the "
        "interpreter's own exit.",
        "",
        "**Playwright calls**, one run each: every call the client sent to Playwright's driver, with the "
        "time from sending it to its answer (a round trip through the driver, and for most, into the page). "
        "Calls can overlap (the host guard's route calls run while a `goto` waits), so the times add up to "
        "more than the wall clock; `...NoReply` calls are not waited for.",
        "",
        *calls_table(b.flow_calls, b.floor_calls),
        "",
        "**Imports** (`python -X importtime`, one run each: seconds per top-level package, each module's "
        "own time; importtime itself adds some overhead):",
        "",
        f"- `prefill`: {sum(t for _, t in b.imports_flow):.3f} s in all: "
        + ", ".join(f"{name} {t:.3f}" for name, t in b.imports_flow[:10]),
        f"- `--help`: {sum(t for _, t in b.imports_help):.3f} s in all: "
        + ", ".join(f"{name} {t:.3f}" for name, t in b.imports_help[:8]),
        f"- `import click` alone: {b.imports_click:.3f} s",
        "",
        f"**The floor plus one of the CLI's extras at a time** (median of {runs} runs each, interleaved): "
        "what each costs by itself.",
        "",
        "| script | median | over the plain floor |",
        "|---|---:|---:|",
    ]
    base = med(b.ablations["plain"])
    names = {"plain": "floor", "tracing": "floor + `context.tracing.start(snapshots=False)` (the failure trace)",
             "guard": "floor + the host guard's route for outside URLs and its request listener",
             "both": "floor + both",
             "roles": "floor finding each element by role and the recipe's names (its 23 languages) instead of the mock's CSS"}
    for name, times in b.ablations.items():
        lines.append(f"| {names[name]} | {med(times):.3f} | {med(times) - base:+.3f} |")
    lines += ["", f"For comparison, in the timed pairs the flow's median is {gap:.3f} s above the floor's."]
    return lines


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="pairs of each (default 7)")
    parser.add_argument("--variant", default="", help="mock-site variant (default: server-rendered English with a code step)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md", help="Markdown report (default docs/performance.md)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted runs of each command first (default 1)")
    parser.add_argument("--breakdown", action="store_true", help="also measure where the flow's extra time goes")
    parser.add_argument("--breakdown-runs", type=int, default=5, help="runs of each floor variant in the breakdown (default 5)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    variant = parse_variant(args.variant)
    unsupported = [t for t in variant.tokens() if t not in FLOOR_TOKENS]
    if unsupported:
        parser.error(f"the floor script does not walk variant token(s) {', '.join(unsupported)}; "
                     f"it knows {', '.join(sorted(FLOOR_TOKENS))}")
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "optout-bot").exists():
        bin_dir = ROOT / ".venv" / "bin"
    if not (bin_dir / "optout-bot").exists():
        parser.error("no optout-bot next to this Python; run it as .venv/bin/python scripts/bench.py "
                     "after scripts/test.sh or scripts/demo.sh has set up .venv")

    choice = browser.find()
    launch = choice.launch_options()
    flags = browser.launch_args([])
    started = dt.datetime.now(dt.timezone.utc)
    clock = time.perf_counter()
    load = [loadavg()]
    with tempfile.TemporaryDirectory(prefix="optout-bench-") as tmp_name, MockSite(variant, port=0) as site:
        tmp = Path(tmp_name)
        env_file = tmp / "settings.env"
        env_file.write_text(render_settings(EMAIL, COUNTRY, REASON, variant.brand), encoding="utf-8")  # as `init` writes it
        floor_file = tmp / "floor.py"
        floor_file.write_text(floor_script(launch, flags, not variant.no_code), encoding="utf-8")
        setup = Setup(bin_dir, tmp, site, env_file, child_env(tmp), not variant.no_code, floor_file, launch, flags)
        try:
            print(f"Mock site ({variant}) at {site.url}; {args.runs} pairs; Chromium {choice.describe()}", flush=True)
            for _ in range(args.warmup):
                time_flow(setup), time_floor(setup), time_help(setup), time_click(setup)
            flow = pairs(args.runs, lambda: time_flow(setup), lambda: time_floor(setup), "flow/floor")
            help_ = pairs(args.runs, lambda: time_help(setup), lambda: time_click(setup), "help/click")
            load.append(loadavg())
            s = summary(flow, help_)
            print(table(s, args.runs), flush=True)
            b = breakdown(setup, args.breakdown_runs) if args.breakdown else None
            if b is not None:
                print("\n".join(breakdown_markdown(b, args.breakdown_runs, s["flow"] - s["floor"])), flush=True)
            text = markdown(setup, args, s, flow, help_, machine(load, choice), b, started, time.perf_counter() - clock)
        except BenchError as err:
            print(f"bench: {err}", file=sys.stderr)
            return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
