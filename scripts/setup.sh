#!/usr/bin/env bash
# One-time set-up, quick when repeated: .venv, the package, a browser (and Xvfb with --xvfb).
# Run by scripts/demo.sh and scripts/test.sh; safe to run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
want_xvfb=0
for arg in "$@"; do [ "$arg" = "--xvfb" ] && want_xvfb=1; done

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  say "optout-bot needs Python 3.10 or newer; '$python' is $("$python" --version 2>&1 || echo missing)."
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$python" -m venv .venv
fi
stamp=.venv/.optout-bot-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "installing optout-bot and its test tools into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
  touch "$stamp"
fi

has_browser() { .venv/bin/python -c 'from optout_bot import browser; browser.find()' >/dev/null 2>&1; }
apt_packages=()
if ! has_browser; then
  say "no Chromium found; trying Playwright's own download"
  timeout 120 .venv/bin/python -m playwright install chromium >/dev/null 2>&1 || say "Playwright's download did not work here"
  has_browser || apt_packages+=(chromium)
fi
if [ "$want_xvfb" = 1 ] && ! command -v Xvfb >/dev/null 2>&1; then
  apt_packages+=(xvfb xauth)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing ${apt_packages[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    say "please install: ${apt_packages[*]} (e.g. sudo apt-get install ${apt_packages[*]})"
  fi
fi
if ! has_browser; then
  .venv/bin/optout-bot doctor --offline >&2 || true
  say "no browser could be installed; see the README's troubleshooting section."
  exit 1
fi
