"""Locator layers: role and accessible name, then label, placeholder or a fieldset's legend, then
structure, then (where the recipe asks) the words just before a field.

Each element of a recipe is looked for layer by layer; the first layer with a visible
match wins, and the layer's name is reported so a maintainer sees what still holds.
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from typing import Any, Callable
from weakref import WeakKeyDictionary

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
# The first field after an element, in the page's order.
_NEXT_FIELD = ("xpath=(following::*[self::input[not(" + " or ".join(f"@type='{t}'" for t in NOT_TYPED) + ")]"
               " or self::textarea or self::select or @role='combobox' or @role='textbox'])[1]")
_CLICKABLE = "button, [role=button], input[type=submit], input[type=button], a[href]"
MAX_READ = 20  # candidates read per locator: a page with more links of the same name is no objection page


@dataclass
class Found:
    name: str
    locator: Locator
    layer: str
    value: Any = None  # what `read` returned for the match


def per_scope(build: Callable[..., Any]) -> Callable[..., Any]:
    """Builds locators once per page (or scope) and arguments: a Locator is an immutable description,
    so the one built serves every later look. Building them anew took ~60 ms of Python a run, most
    of it Playwright quoting the recipe's patterns into selectors. Arguments count by value when
    hashable (flags, patterns), else by identity (a run, a recipe element); they are kept with what
    was built, so that an identity is never another object's while it is cached."""
    memo: WeakKeyDictionary = WeakKeyDictionary()

    @functools.wraps(build)
    def cached(scope, *args, **kwargs):
        key = tuple(map(_as_key, args)) + tuple((name, _as_key(value)) for name, value in sorted(kwargs.items()))
        built = memo.setdefault(scope, {})
        if key not in built:
            built[key] = (args, kwargs, build(scope, *args, **kwargs))
        return built[key][-1]

    cached.forget = memo.clear  # build every locator anew (flow._read_in_page_languages: a run's recipe changed)
    return cached


def _as_key(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return id(value)
    return value


def layers(scope: Page | Locator, element: Element) -> list[tuple[str, Locator]]:
    """Every layer's locator for `element`, best first; nothing is waited for here."""
    return list(_layers(scope, element))


@per_scope
def _layers(scope: Page | Locator, element: Element) -> tuple[tuple[str, Locator], ...]:
    return tuple((layer, narrow(scope, loc, element)) for layer, loc in _unnarrowed(scope, element))


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
    if element.nearby and names is not None:
        # Not a legend: one over several fields names none of them (the legend layer takes one over one).
        label = scope.get_by_text(element.nearby_pattern()).and_(scope.locator(f":not(legend, :has({_FIELDS}))"))
        found.append(("nearby", label.locator(_NEXT_FIELD)))
    return found


def narrow(scope: Page | Locator, loc: Locator, element: Element) -> Locator:
    """`loc`'s visible matches that pass `element`'s own tests (must match, never inside, excluded names);
    a field to type into only where a person sees it."""
    if element.must_match:
        loc = loc.and_(scope.locator(element.must_match))
    if element.must_not_match:
        loc = loc.and_(scope.locator(f":not({element.must_not_match})"))
    if element.not_inside:
        loc = outside(loc, element.not_inside)
    exclude = element.exclude_pattern()
    if exclude is not None:
        loc = loc.filter(has_not_text=exclude)
    if element.role in _TYPED_ROLES:
        loc = loc.locator(shown(element.seen_only))
    return loc.filter(visible=True)


def outside(loc: Locator, ancestor_test: str) -> Locator:
    """The matches of `loc` no ancestor of which passes the XPath test. Asked of each match
    (`self::`), not by intersecting with every such element of the page (`and_` with `//*`), which
    took 5 to 10 ms per look on the mock's form page; a CSS ':not(x *)' is walked in script, slower still.
    Never an element in a shadow root: its ancestors stop at that root, so a header's web component
    would pass the test (`ancestor::html` keeps to the document itself, as '//*' did)."""
    return loc.locator(f"xpath=self::*[ancestor::html][not(ancestor::*[{ancestor_test}])]")


@per_scope
def any_layer(scope: Page | Locator, element: Element) -> Locator:
    """One locator for 'is it there at all?': the role, legend, text and structure layers.

    Label and placeholder are left out for an element with a role, because Chromium's accessible
    name already includes them; `find` still tries them in order when it names the winning layer. A legend
    is not part of its field's name, so that layer stays. The nearby layer is left out: a short text
    near another field is no sign that this one is there.
    """
    combined = None
    for layer, loc in _unnarrowed(scope, element):
        if layer in ("label", "placeholder") and element.role or layer == "nearby":
            continue
        combined = loc if combined is None else combined.or_(loc)
    # Narrowed once for the union, not once per layer: each narrowing walks the whole page.
    return None if combined is None else narrow(scope, combined, element)


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
            best = _best(values, rank)
            return Found(name, loc.nth(best), layer, values[best])
    return None


# `optout-kind=NAME@LOOK` matches the element it is applied to and notes NAME on it for look
# number LOOK (a property of the element object, seen only by scripts in the page's main world,
# not a DOM change), so one read of several locators joined by `or_` tells which matched what.
# It also notes when: the union comes back in document order, which for shadow content is not
# the order `Locator.nth` counts in, and the reads must count as `nth` does.
KIND_ENGINE = "optout-kind"
_KIND_ENGINE_JS = """{
  queryAll(root, body) {
    if (root.nodeType !== 1) return [];
    const at = body.lastIndexOf('@'), name = body.slice(0, at), look = body.slice(at + 1);
    if (!root.__optoutKinds || root.__optoutKinds.look !== look) root.__optoutKinds = {look, names: new Map()};
    this.seq = (this.seq || 0) + 1;
    root.__optoutKinds.names.set(name, this.seq);
    return [root];
  },
  query(root, body) { return this.queryAll(root, body)[0] || null; }
}"""


# `optout-shown=...` keeps the field it is applied to only if it is not a honeypot: a field that
# anti-spam checks expect robots to fill and people to leave empty because they cannot see it, all
# of which Playwright counts as visible. Unseen: under 4 px, or inside a box of that size that cuts
# what overflows it (its containing blocks: a fixed or absolute box escapes the others; the page's
# own body and root, whose overflow is the window's, never count); clipped away
# (`clip: rect(0 0 0 0)`, `clip-path: inset(50%)`); transparent, itself or a parent; or placed off the
# page (before its start, or past its right edge where neither the page nor a box around it scrolls
# sideways). `=strict`: unseen is enough (the email and reason fields, which no form draws unseen).
# Otherwise it must also be kept out of the keyboard's way (tabindex=-1), as honeypots are: a code
# widget's own field is often one transparent input over six drawn boxes.
SHOWN_ENGINE = "optout-shown"
_SHOWN_ENGINE_JS = r"""{
  queryAll(root, body) {
    if (root.nodeType !== 1) return [];
    const W = document.documentElement, B = document.body, up = a => a.parentElement || (a.getRootNode() || {}).host;
    const tiny = r => r.width < 4 || r.height < 4, r = root.getBoundingClientRect();
    let scrolls = false;
    const clipped = () => {
      for (let a = root; a && a !== B && a !== W; ) {
        const s = getComputedStyle(a);
        if (/^rect\(0px,? 0px,? 0px,? 0px\)$/.test(s.clip) || s.clipPath === 'inset(50%)') return true;
        if (a !== root && /auto|scroll/.test(s.overflowX)) scrolls = true;
        if (a !== root && (s.overflowX !== 'visible' || s.overflowY !== 'visible') && tiny(a.getBoundingClientRect())) return true;
        if (s.position === 'fixed') return false;
        let next = up(a);
        if (s.position === 'absolute')
          while (next && next !== B && next !== W && getComputedStyle(next).position === 'static' && getComputedStyle(next).transform === 'none') next = up(next);
        a = next;
      }
      return false; };
    // After clipped(), which notes whether a box around it scrolls sideways.
    const pastTheEdge = () => !scrolls && r.left >= innerWidth && [W, B].some(x => x && /hidden|clip/.test(getComputedStyle(x).overflowX));
    const unseen = tiny(r) || r.right + scrollX <= 0 || r.bottom + scrollY <= 0
      || !root.checkVisibility({opacityProperty: true, visibilityProperty: true}) || clipped() || pastTheEdge();
    return unseen && (body === 'strict' || (root.getAttribute('tabindex') || '').trim() === '-1') ? [] : [root];
  },
  query(root, body) { return this.queryAll(root, body)[0] || null; }
}"""
# Fields a person types into; a list or a box to tick may be drawn transparent over its look-alike.
_TYPED_ROLES = ("textbox", "spinbutton", "searchbox")


def shown(strict: bool) -> str:
    """The selector that keeps a field only where it is no honeypot; `strict`: unseen is enough."""
    return f"{SHOWN_ENGINE}={'strict' if strict else 'keyboard'}"


# `optout-unsaid=` keeps the element it is applied to only if its words were not in the page's text
# as flow._add_shown last noted it (`window.__optoutSaid`, before a press): what a page showed before
# Send or Confirm is no answer to it, whatever language it is in. Without a note (a new document), all pass.
UNSAID_ENGINE = "optout-unsaid"
_UNSAID_ENGINE_JS = r"""{
  queryAll(root, body) {
    if (root.nodeType !== 1) return [];
    const said = (root.ownerDocument.defaultView || {}).__optoutSaid;
    if (typeof said !== 'string') return [root];
    const text = (root.innerText || root.textContent || '').replace(/\s+/g, ' ').trim();
    return text && said.includes(text) ? [] : [root];
  },
  query(root, body) { return this.queryAll(root, body)[0] || null; }
}"""
# What _add_shown notes (whitespace as the engine reads it).
NOTE_SAID_JS = "window.__optoutSaid = (document.body ? document.body.innerText : '').replace(/\\s+/g, ' ')"

ENGINES = {KIND_ENGINE: _KIND_ENGINE_JS, SHOWN_ENGINE: _SHOWN_ENGINE_JS, UNSAID_ENGINE: _UNSAID_ENGINE_JS}


def register(playwright) -> None:
    """Teach a Playwright instance the engines `Look` and `narrow` need; before it opens any browser context."""
    for name, script in ENGINES.items():
        try:
            playwright.selectors.register(name, script)
        except PlaywrightError as exc:
            if "already registered" not in str(exc):
                raise


_LOOKS = itertools.count(1)
# Runs in the page on the union's matches: sorts them by the names the engine noted (each name's in
# the order its locator matched them), then reads them in the order they were added (a read may
# rely on a tag an earlier one set), each as `Array.map` would: (element, index, all those read).
# An element added with its layers is read only in its first layer with a match, as `find` does.
_LOOK_JS = """els => { const look = %(look)s, plan = %(plan)s, reads = %(reads)s, byName = {}, out = {};
  for (const e of els) { const k = e.__optoutKinds; if (!k || k.look !== look) continue;
    for (const [name, seq] of k.names) (byName[name] = byName[name] || []).push([seq, e]); }
  for (const name in byName) byName[name] = byName[name].sort((a, b) => a[0] - b[0]).map(p => p[1]);
  const read = (name, got, keep) => (keep === null ? got : got.slice(0, keep)).map((e, i, all) => reads[name] ? reads[name](e, i, all) : true);
  for (const [name, layers, keep] of plan) {
    if (layers === null) { if (byName[name]) out[name] = read(name, byName[name], keep); continue; }
    for (let i = 0; i < layers; i++) {
      const got = byName[name + '.' + i];
      if (got) { out[name] = {layer: i, values: read(name, got, keep)}; break; } } }
  out['*'] = %(then)s;
  return out; }"""


class Look:
    """Several questions about a page, answered in one round trip: `add` locators and `add_element`
    recipe elements, then `run`. A round trip costs ~10 ms besides the page's own work, and a step
    used to ask up to five in a row."""

    def __init__(self, page: Page):
        self.page = page
        self._locators: dict[str, Locator] = {}  # what the union holds, by the name the engine notes
        self._plan: list[tuple[str, int | None, int]] = []  # (name, its number of layers or None, values kept)
        self._reads: dict[str, str] = {}
        self._layers: dict[str, list[tuple[str, Locator]]] = {}
        self._then = "null"

    def then(self, js: str) -> "Look":
        """A JavaScript expression evaluated after the reads, in the same round trip (`Seen.then`)."""
        self._then = js
        return self

    def add(self, name: str, loc: Locator, read: str | None = None, visible: bool = True,
            keep: int | None = MAX_READ) -> "Look":
        """Its matches (`visible` ones only, unless told); `read`: a JavaScript function of the
        element and its index among them, whose values `run` returns (`true` for each without one),
        for the first `keep` of them (None: all)."""
        self._locators[name] = loc.filter(visible=True) if visible else loc
        self._plan.append((name, None, keep))
        if read:
            self._reads[name] = read
        return self

    def add_element(self, name: str, scope: Page | Locator, element: Element, read: str | None = None,
                    also: Locator | None = None, every: bool = False, upto: int | None = None) -> "Look":
        """A recipe element, as `find` looks for it (`Seen.found` picks it), its layers in the same
        round trip. `read` runs on the first match of the first layer with any; with `every`, on all
        of that layer's (for a rank). `upto`: only the first layers (each costs the page 1 to 20 ms:
        when the usual first layer holds, the rest would cost more than a second round trip)."""
        self._layers[name] = []
        for i, (layer, loc) in enumerate(layers(scope, element)[:upto]):
            if also is not None:
                loc = loc.and_(also)
            self._layers[name].append((layer, loc))
            self._locators[f"{name}.{i}"] = loc
        self._plan.append((name, len(self._layers[name]), MAX_READ if every else 1))
        if read:
            self._reads[name] = read
        return self

    def run(self) -> "Seen":
        """The answers; none (as for a page without any) when the document went away under the look."""
        look = str(next(_LOOKS))
        union = None
        for name, loc in self._locators.items():
            noted = loc.locator(f"{KIND_ENGINE}={name}@{look}")
            union = noted if union is None else union.or_(noted)
        if union is None:
            return self.nothing()
        reads = "{" + ", ".join(f"{json.dumps(name)}: {js}" for name, js in self._reads.items()) + "}"
        js = _LOOK_JS % {"look": json.dumps(look), "plan": json.dumps(self._plan), "reads": reads, "then": self._then}
        try:
            return Seen(union.evaluate_all(js), self._layers)
        except PlaywrightError as exc:
            if self.page.is_closed() or "context was destroyed" not in str(exc):
                raise
            return self.nothing()

    def nothing(self) -> "Seen":
        """What a look at a page without any of them sees."""
        return Seen({}, self._layers)


@dataclass
class Seen:
    """What one `Look` saw: per name added, the values read from its matches, in page order."""

    values: dict[str, Any]
    layers: dict[str, list[tuple[str, Locator]]]

    def __contains__(self, name: str) -> bool:
        return bool(self.values.get(name))

    @property
    def then(self) -> Any:
        """What the expression given to `Look.then` gave (None without one, or when nothing was read)."""
        return self.values.get("*")

    def every(self, name: str) -> list:
        """The values read from every match of `name`'s winning layer (none: an empty list)."""
        hit = self.values.get(name)
        return hit["values"] if hit else []

    def found(self, name: str, rank: Callable[[Any], Any] | None = None) -> Found | None:
        """The element added with `add_element`, as `find` picks it: in the first layer with a match,
        the first match or, with `rank` (and `every`), the one whose value ranks lowest."""
        hit = self.values.get(name)
        if not hit:
            return None
        layer, loc = self.layers[name][hit["layer"]]
        values = hit["values"]
        best = _best(values, rank)
        return Found(name, loc.nth(best), layer, values[best])


def _best(values: list, rank: Callable[[Any], Any] | None) -> int:
    """The index of the value that ranks lowest (the earlier on a tie); the first without a rank."""
    return 0 if rank is None else min(range(len(values)), key=lambda i: (rank(values[i]), i))


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


def read_all(loc: Locator, js: str) -> list:
    """js(match) for each of the first MAX_READ matches, in page order; one round trip, no waiting."""
    return loc.evaluate_all(f"els => els.slice(0, {MAX_READ}).map({js})")
