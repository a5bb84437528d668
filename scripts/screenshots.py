"""Take the README's screenshots from the mock site, step by step, with the product's own flow steps.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--variant cookie]

Re-run it whenever the pages or the notes change, so the pictures stay current.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from optout_bot import browser, flow, locate, person, recipe
from optout_bot.config import Settings
from optout_bot.guard import HostGuard
from optout_bot.mock_site import MockSite, TEST_CODE
from optout_bot.progress import Reporter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--variant", default="cookie")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    ig = recipe.load("instagram")
    settings = Settings(email="demo.person@example.eu", country="PT", _env_file=None,
                        reason="I object to my posts and photos being used to train AI at Meta.")
    guard = HostGuard(ig.meta_domains, ["127.0.0.1"])
    run = flow.Run(recipe=ig, settings=settings, guard=guard, report=Reporter(quiet=True), headless=True)
    choice = browser.find()

    def shot(page, name: str) -> None:
        path = args.out / f"{name}.png"
        page.screenshot(path=str(path))
        print(path)

    with MockSite(variant=args.variant, port=0) as site, sync_playwright() as pw:
        locate.register(pw)
        chromium = pw.chromium.launch(args=browser.launch_args(guard.chromium_args()), **choice.launch_options())
        context = chromium.new_context(viewport={"width": 1100, "height": 760})
        guard.attach(context)
        page = context.new_page()
        flow.load(page, site.start_url, run)
        page.wait_for_load_state("networkidle")
        shot(page, "1-privacy-center")
        page = flow.reach_form(page, run)
        found = flow.locate_form(page, run)
        flow.fill_form(page, found, run)
        person.show_note(page, flow.send_note("country, email and reason"), "act")
        shot(page, "2-form-filled")
        found["send"].locator.click()
        locate.any_layer(page, ig.code).first.wait_for()
        person.show_note(page, flow.code_note(confirm=True), "act")
        shot(page, "3-code")
        locate.find(page, "code", ig.code).locator.fill(TEST_CODE)
        locate.find(page, "confirm", ig.confirm).locator.click()
        page.get_by_text(ig.text_pattern(ig.confirmation_text)).first.wait_for()
        person.show_note(page, flow.done_note("Meta", already=False), "done")
        shot(page, "4-confirmation")
        chromium.close()


if __name__ == "__main__":
    main()
