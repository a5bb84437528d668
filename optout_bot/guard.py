"""The host guard: the browser goes to Meta's hosts (and --allow-host ones) and nowhere else."""

from __future__ import annotations

import threading
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, Error as PlaywrightError, Route

from optout_bot.status import HostRefused

# Local pages the browser makes itself; they fetch nothing from the network.
_INTERNAL_SCHEMES = ("about", "data", "blob", "chrome-error")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


class HostGuard:
    def __init__(self, meta_hosts: list[str], extra_hosts: list[str] = ()):
        # Meta's hosts cover their subdomains; a host given by hand means only itself.
        self.domains = tuple(h.lower() for h in meta_hosts)
        self.exact = tuple(h.lower() for h in extra_hosts)
        self.blocked: list[str] = []
        self.violation: str | None = None
        self._lock = threading.Lock()

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in _INTERNAL_SCHEMES:
            return True
        if parts.scheme not in ("http", "https"):
            return False
        host = host_of(url)
        return host in self.exact or any(host == d or host.endswith("." + d) for d in self.domains)

    def require(self, url: str, what: str = "The page") -> None:
        if not self.allows(url):
            self._refuse(url)
            raise self.error(what)

    def error(self, what: str = "The page") -> HostRefused:
        url = self.violation or "?"
        return HostRefused(
            f"{what} tried to go to {host_of(url) or url}, which is not one of Meta's hosts; "
            "the bot stopped there and typed nothing.",
            hint="If this is your own test server, add it with --allow-host HOST.",
        )

    def check(self) -> None:
        """Raise if any page or tab tried to leave the allowed hosts since the last check."""
        if self.violation:
            raise self.error()

    def chromium_args(self) -> list[str]:
        # A second wall at the resolver: names outside the list do not resolve at all.
        excludes = [f"EXCLUDE {d}, EXCLUDE *.{d}" for d in self.domains] + [f"EXCLUDE {h}" for h in self.exact]
        return ["--host-resolver-rules=MAP * ~NOTFOUND, " + ", ".join(excludes)]

    def attach(self, context: BrowserContext) -> None:
        context.route("**/*", self._handle)

    def _refuse(self, url: str) -> None:
        with self._lock:
            self.blocked.append(url)
            self.violation = self.violation or url

    def _handle(self, route: Route) -> None:
        request = route.request
        navigation = request.is_navigation_request()
        if not self.allows(request.url):
            # Sub-resources elsewhere (trackers, fonts) are dropped quietly; a page leaving ends the run.
            if navigation and request.frame.parent_frame is None:
                self._refuse(request.url)
            route.abort("blockedbyclient")
            return
        if not navigation:
            route.fallback()
            return
        # Routes never see redirects, so documents are fetched here and each Location is checked.
        try:
            response = route.fetch(max_redirects=0)
        except PlaywrightError:
            route.abort("failed")  # an unreachable host; the flow's retries deal with it
            return
        location = response.headers.get("location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location)
            if not self.allows(target):
                if request.frame.parent_frame is None:
                    self._refuse(target)
                route.abort("blockedbyclient")
                return
        route.fulfill(response=response)

