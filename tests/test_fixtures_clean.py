"""No file under fixtures/ may hold a real email address or a real token, id, name or cookie value.

Templates fill their tokens at serve time ($lsd, $jazoest), so those slots pass; a captured page
passes once `optout-bot capture` has scrubbed it. See docs/maintainers.md.
"""

from pathlib import Path

import pytest

from optout_bot.capture import find_leaks
from optout_bot.mock_site import FIXTURES

FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file()) if FIXTURES.is_dir() else []


def test_there_are_fixtures_to_check():
    assert FILES, f"no files under {FIXTURES}"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(FIXTURES)) for p in FILES])
def test_fixture_holds_no_personal_data_or_tokens(path: Path):
    leaks = find_leaks(path.read_bytes().decode("utf-8", errors="replace"))
    assert leaks == [], f"{path.relative_to(FIXTURES.parent)}: " + "; ".join(leaks)
