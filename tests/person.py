"""A simulated person at the bot's window: connects over CDP and does one thing a person would.

Run as its own process (Playwright's sync API must not share one with pytest-playwright).
    python tests/person.py PORT send          press the Send button
    python tests/person.py PORT send ADDRESS  type another email address over the bot's, then press Send
    python tests/person.py PORT send --country=Spain [ADDRESS]  choose another country in the list first
    python tests/person.py PORT code 314159   type the code and press Confirm
"""

import re
import sys

from playwright.sync_api import expect, sync_playwright


def main(port: str, action: str, *rest: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = browser.contexts[0].pages[-1]
        if action == "send":
            for arg in rest:
                if arg.startswith("--country="):  # another country, chosen by its name in the list
                    page.locator("select").select_option(label=arg.partition("=")[2])
                else:  # another address, as a person may type over the one the bot filled in
                    page.locator("input[autocomplete=email]").fill(arg)
            button = page.get_by_role("button", name=re.compile(r"^\s*send", re.I))
            expect(button).to_be_visible()
            button.click()
        elif action == "code":
            field = page.locator("input[autocomplete='one-time-code']")
            expect(field).to_be_visible()
            field.fill(rest[0])
            page.get_by_role("button", name=re.compile(r"^\s*confirm", re.I)).click()
        else:
            raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main(*sys.argv[1:])
