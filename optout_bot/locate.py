"""Locator layers: role and accessible name, then label, placeholder or a fieldset's legend, then structure.

Each element of a recipe is looked for layer by layer; the first layer with a visible
match wins, and the layer's name is reported so a maintainer sees what still holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from optout_bot.recipe import Element

_FIELD_ROLES = ("textbox", "combobox", "searchbox", "listbox", "spinbutton")
# Inputs nobody types into (flow's open fields leave them out too).
NOT_TYPED = ("hidden", "submit", "button", "reset", "image", "radio", "checkbox", "file")
_FIELDS = (f"input:not({', '.join(f'[type={t}]' for t in NOT_TYPED)}), textarea, select, [role=combobox],"
           " [contenteditable=true]")
# A fieldset holding one field names it by its legend, which the field's accessible name leaves out.
_ONE_FIELD_SETS = ("xpath=.//fieldset[count(.//input[not(" + " or ".join(f"@type='{t}'" for t in NOT_TYPED) + ")]"
                   " | .//textarea | .//select | .//*[@role='combobox'] | .//*[@contenteditable='true'])=1]")
_CLICKABLE = "button, [role=button], input[type=submit], input[type=button], a[href]"


@dataclass
class Found:
    name: str
    locator: Locator
    layer: str
    value: Any = None  # what `read` returned for the match


def layers(scope: Page | Locator, element: Element) -> list[tuple[str, Locator]]:
    """Every layer's locator for `element`, best first; nothing is waited for here."""
    return [(layer, _narrow(scope, loc, element)) for layer, loc in _unnarrowed(scope, element)]


def _unnarrowed(scope: Page | Locator, element: Element) -> list[tuple[str, Locator]]:
    names = element.pattern()
    found: list[tuple[str, Locator]] = []
    if names is not None:
        for role in filter(None, (element.role, *element.also_roles)):
            if element.prefer:
                preferred = scope.get_by_role(role, name=element.preferred_pattern())
                found.append(("role", preferred.and_(scope.locator(element.prefer))))
            found.append(("role", scope.get_by_role(role, name=names)))
        if element.role is None or element.role in _FIELD_ROLES:
            found.append(("label", scope.get_by_label(names)))
            found.append(("placeholder", scope.get_by_placeholder(names)))
            page = scope if isinstance(scope, Page) else scope.page  # `has=` is relative: not under scope's own selector
            legend = page.locator("xpath=./legend").filter(has_text=names)
            found.append(("legend", scope.locator(_ONE_FIELD_SETS).filter(has=legend).locator(_FIELDS)))
        if element.role in ("button", "link"):
            found.append(("text", scope.locator(_CLICKABLE).filter(has_text=names)))
    found += [("structure", scope.locator(css)) for css in element.selectors]
    return found


def _narrow(scope: Page | Locator, loc: Locator, element: Element) -> Locator:
    if element.must_match:
        loc = loc.and_(scope.locator(element.must_match))
    if element.must_not_match:
        loc = loc.and_(scope.locator(f":not({element.must_not_match})"))
    if element.not_inside:
        loc = outside(loc, element.not_inside)
    exclude = element.exclude_pattern()
    if exclude is not None:
        loc = loc.filter(has_not_text=exclude)
    return loc.filter(visible=True)


def outside(loc: Locator, ancestor_test: str) -> Locator:
    """The matches of `loc` no ancestor of which passes the XPath test. Asked of each match
    (`self::`), not by intersecting with every such element of the page (`and_` with `//*`), which
    took 5 to 10 ms per look on the mock's form page; a CSS ':not(x *)' is walked in script, slower still.
    Never an element in a shadow root: its ancestors stop at that root, so a header's web component
    would pass the test (`ancestor::html` keeps to the document itself, as '//*' did)."""
    return loc.locator(f"xpath=self::*[ancestor::html][not(ancestor::*[{ancestor_test}])]")


def any_layer(scope: Page | Locator, element: Element) -> Locator:
    """One locator for 'is it there at all?': the role, legend and structure layers.

    Label and placeholder are left out here because Chromium's accessible name already
    includes them; `find` still tries them in order when it names the winning layer. A legend
    is not part of its field's name, so that layer stays.
    """
    combined = None
    for layer, loc in _unnarrowed(scope, element):
        if layer in ("label", "placeholder") and element.role:
            continue
        combined = loc if combined is None else combined.or_(loc)
    # Narrowed once for the union, not once per layer: each narrowing walks the whole page.
    return None if combined is None else _narrow(scope, combined, element)


def find(scope: Page | Locator, name: str, element: Element, read: str | None = None,
         also: Locator | None = None, rank: Callable[[Any], Any] | None = None) -> Found | None:
    """The first visible match, by layer order; None if no layer matches right now.

    `read`: a JavaScript function applied to that match in the same round trip (Found.value),
    where looking and then `Locator.evaluate` would take four. `also`: every match must match it too.
    `rank` (with `read`): within the winning layer, the match whose value ranks lowest wins, the
    earlier one on a tie; all of them are read in the same round trip.
    """
    for layer, loc in layers(scope, element):
        if also is not None:
            loc = loc.and_(also)
        if read is None:
            if count(loc):
                return Found(name, loc.first, layer)
            continue
        values = read_first(loc, read) if rank is None else read_all(loc, read)
        if values:
            best = 0 if rank is None else min(range(len(values)), key=lambda i: (rank(values[i]), i))
            return Found(name, loc.nth(best), layer, values[best])
    return None


def count(loc: Locator) -> int:
    """How many elements match, read in the page's main world like every other read of the flow
    (`evaluate_all`); `Locator.count` would use Playwright's utility world, and each world costs a
    document its own copy of Playwright's injected script (~30 ms per page, measured). A document
    that goes away under the look holds nothing, as `Locator.count` says too."""
    try:
        return loc.evaluate_all("els => els.length")
    except PlaywrightError as exc:
        if loc.page.is_closed() or "context was destroyed" not in str(exc):
            raise
        return 0


def read_first(loc: Locator, js: str) -> list:
    """[js(first match)], or [] when nothing matches; one round trip, no waiting."""
    return loc.evaluate_all(f"els => els.slice(0, 1).map({js})")


MAX_READ = 20  # candidates `read_all` reads: a page with more links of the same name is no objection page


def read_all(loc: Locator, js: str) -> list:
    """js(match) for each of the first MAX_READ matches, in page order; one round trip, no waiting."""
    return loc.evaluate_all(f"els => els.slice(0, {MAX_READ}).map({js})")
