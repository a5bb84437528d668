"""The host guard: the browser goes to Meta's hosts (and --allow-host ones) and nowhere else."""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from optout_bot.status import HostRefused

if TYPE_CHECKING:  # for annotations only: `receipts` asks on_meta without loading Playwright
    from playwright.sync_api import BrowserContext, Frame, Page, Request, Route

# Local pages the browser makes itself; they fetch nothing from the network.
_INTERNAL_SCHEMES = ("about", "data", "blob", "chrome-error")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def _local(host: str) -> bool:
    """This machine or its private network: where a test server of one's own runs."""
    import ipaddress

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private


class HostGuard:
    def __init__(self, meta_hosts: list[str], extra_hosts: list[str] = ()):
        # Meta's hosts cover their subdomains; a host given by hand means only itself.
        self.domains = tuple(h.lower() for h in meta_hosts)
        self.exact = tuple(h.lower() for h in extra_hosts)
        self.violation: str | None = None
        self.window = False  # the person has the window (and may have gone somewhere by hand)
        self.blocked_sends: list[str] = []  # what a page tried to post elsewhere (blocked)
        self._lock = threading.Lock()

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in _INTERNAL_SCHEMES:
            return True
        if parts.scheme not in ("http", "https"):
            return False
        return host_of(url) in self.exact or self.on_meta(url)

    def on_meta(self, url: str) -> bool:
        """On one of Meta's hosts (or a subdomain), not merely on a host allowed by hand."""
        host = host_of(url)
        return (urlsplit(url).scheme in ("http", "https") and bool(host)
                and any(host == d or host.endswith("." + d) for d in self.domains))

    def require(self, url: str, what: str = "The page") -> None:
        if not self.allows(url):
            self._refuse(url)
            raise self.error(what)

    def error(self, what: str = "The page") -> HostRefused:
        url = self.violation or "?"
        # Testing against one's own server is the one case where allowing a host is right; for a
        # named host, advice to allow it would walk a person into a look-alike site.
        hint = (f"If this is your own test server, add it with --allow-host {host_of(url)}." if self.exact and _local(host_of(url)) else
                "Meta's pages should not lead there. Do not allow that host; if Meta's page really does, "
                "the recipe needs updating (see docs/maintainers.md).")
        if self.window:
            hint = f"If you went there yourself in the window, run again and stay on Meta's pages until the bot is done. {hint}"
        return HostRefused(
            f"{what} tried to go to {host_of(url) or url}, which is not one of Meta's hosts; "
            "the bot stopped and typed nothing there.",
            hint=hint,
        )

    def sent_elsewhere(self) -> HostRefused:
        """The page posted (a form, by script) to a host outside the allowed ones; it was blocked."""
        host = host_of(self.blocked_sends[0]) or self.blocked_sends[0]
        return HostRefused(f"After Send the page tried to send the form to {host}, which is not one of Meta's hosts; "
                           "the bot blocked it, so nothing went there. Meta's own pages do not do this.",
                           hint="Do not allow that host. Check that you started from Meta's Privacy Center; if Meta's page "
                                "really does this, the recipe needs updating (see docs/maintainers.md). Check your email for a "
                                "code or a confirmation before running again, in case the page also sent it to Meta.")

    def check(self) -> None:
        """Raise if any page or tab tried to leave the allowed hosts since the last check."""
        if self.violation:
            raise self.error()

    def chromium_args(self) -> list[str]:
        # A second wall at the resolver: names outside the list do not resolve at all.
        excludes = [f"EXCLUDE {d}, EXCLUDE *.{d}" for d in self.domains] + [f"EXCLUDE {h}" for h in self.exact]
        return ["--host-resolver-rules=MAP * ~NOTFOUND, " + ", ".join(excludes)]

    def outside_pattern(self) -> re.Pattern:
        """Matches every URL that may be outside the allowed hosts, so that only those reach Python.

        A cheap pre-filter run by Playwright's driver; `allows` makes the exact decision.
        """
        hosts = [rf"(?:[^/@:?#]*\.)?{re.escape(d)}" for d in self.domains] + [re.escape(h) for h in self.exact]
        return re.compile(rf"^(?!https?://(?:{'|'.join(hosts)})(?::\d+)?(?:[/?#]|$))")

    def attach(self, context: BrowserContext) -> None:
        # Requests to allowed hosts are not intercepted at all (no round trip per resource).
        # Routes never see redirects: a redirect elsewhere is stopped by the resolver rules
        # (its host does not resolve) and reported by the events below.
        context.route(self.outside_pattern(), self._handle)
        context.on("requestfailed", self._watch)  # a redirect to a name that does not resolve
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)

    def _refuse(self, url: str) -> None:
        with self._lock:
            self.violation = self.violation or url

    def _handle(self, route: Route) -> None:
        request = route.request
        if self.allows(request.url):
            route.fallback()
            return
        # Sub-resources elsewhere (trackers, fonts) are dropped quietly; a page leaving ends the run.
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self._refuse(request.url)
        elif request.method == "POST" and request.resource_type in ("xhr", "fetch"):
            with self._lock:
                self.blocked_sends.append(request.url)
        route.abort("blockedbyclient")

    def _watch(self, request: Request) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None and not self.allows(request.url):
            self._refuse(request.url)

    def _watch_page(self, page: Page) -> None:
        # A redirect to an address that needs no name lookup lands here, as the page's new URL.
        def navigated(frame: Frame) -> None:
            if frame.parent_frame is None and not self.allows(frame.url):
                self._refuse(frame.url)

        page.on("framenavigated", navigated)
