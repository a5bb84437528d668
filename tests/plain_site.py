"""A deliberately plain copy of the English form, written apart from the mock site.

It stands for the independent page variants the CLI contract is judged on: a native country
select, labelled fields, Send, a code page, Confirm, a confirmation. If the flow only passed
the project's own mock, this would catch it.
"""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CODE = "654321"

GENAI = """<!doctype html><html lang="en"><head><title>Generative AI at Meta | Privacy Center</title></head>
<body><main><h1>How Meta uses information for generative AI models</h1>
<p>You can learn more about <a href="/help/contact/third">Data Subject Rights for Third Party Information Used for AI at Meta</a>.</p>
<p>If you live in the EU, UK or Brazil you have the <a href="/help/contact/form">right to object</a> to your information being used.</p>
<p><a href="/privacy/policy/">Privacy Policy</a></p></main></body></html>"""

TITLE = "Object to Your Information Being Used for AI at Meta"
FORM = """<!doctype html><html lang="en"><head><title>{title}</title></head>
<body><h2>{title}</h2>{error}
<form method="post" action="/submit">
<label for="c">Country of residence</label>
<select id="c" name="country"><option value="">Select</option><option>Germany</option><option>Niger</option><option>Nigeria</option><option>Portugal</option></select>
<label for="e">Email address</label><input id="e" name="email" type="text">
<label for="r">Please tell us how this processing impacts you</label><textarea id="r" name="reason"></textarea>
<button type="submit">Send</button></form></body></html>"""

CODE_PAGE = """<!doctype html><html lang="en"><body><p>We sent a code to your email.</p>{error}
<form method="post" action="/confirm"><label for="k">Enter code</label><input id="k" name="code">
<button type="submit">Confirm</button></form></body></html>"""

ELSEWHERE = """<p id="answer" role="status"></p><script>document.querySelector("form").onsubmit = e => {
  e.preventDefault();
  fetch("http://localhost:PORT/submit", {method: "POST", body: new URLSearchParams(new FormData(e.target))})
    .then(() => { answer.textContent = "Thank you, we have received your objection."; })
    .catch(() => { answer.setAttribute("role", "alert"); answer.textContent = "Something went wrong. Please try again."; });
};</script>"""

ONE_BY_ONE = """</div></form><script>document.getElementById("c").onchange = () => { rest.hidden = false; };</script>"""

REVIEW = """<!doctype html><html lang="en"><body><h2>Review your request</h2>
<p>Check the information below before you send your objection.</p>
<dl><dt>Country of residence</dt><dd>{country}</dd><dt>Email address</dt><dd>{email}</dd></dl>
<form method="post" action="/submit/final">{hidden}<a href="/help/contact/form">Edit</a> <button type="submit">Send</button></form></body></html>"""

DONE = """<!doctype html><html lang="en"><body><h2>Thank you</h2><p>We have received your objection.</p></body></html>"""
LINK_PENDING = """<!doctype html><html lang="en"><body><h2>Check your email</h2>
<p>Your request has been sent. Open the link we emailed you to confirm it.</p></body></html>"""


class PlainSite:
    def __init__(self, post_redirect_get: bool = False, form_redirects_to: str | None = None, blank_after_send: bool = False,
                 form_title: str = TITLE, send_redirects_to: str | None = None, review_step: bool = False,
                 posts_elsewhere: bool = False, confirm_dialog: bool = False, done: str = DONE, one_by_one: bool = False):
        self.submissions: list[dict] = []
        self.reviews: list[dict] = []  # with review_step: the form's Next, which shows the values before Send
        self.codes: list[str] = []
        self.drifted = False  # with one_by_one: a button shows beside the country list
        self.footer = ""  # with one_by_one: the page's own footer, below the form
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, body: str, status: int = 200):
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, where: str):
                self.send_response(303)
                self.send_header("Location", where)
                self.send_header("Set-Cookie", "step=code; Path=/")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                path = urlsplit(self.path).path
                form = FORM.replace(">Send</button>", ">Next</button>") if review_step else FORM
                pages = {"/privacy/genai/": GENAI, "/help/contact/form": form.format(error="", title=html.escape(form_title))}
                if confirm_dialog:  # the browser's own "OK / Cancel" before the form is sent
                    pages["/help/contact/form"] = pages["/help/contact/form"].replace(
                        "<form ", "<form onsubmit=\"return confirm('Send your objection now?')\" ")
                if one_by_one:  # the rest of the form, Send with it, shows once a country is chosen
                    pages["/help/contact/form"] = pages["/help/contact/form"].replace(
                        '<label for="e">', '<div id="rest" hidden><label for="e">').replace("</form>", ONE_BY_ONE)
                    pages["/help/contact/form"] = pages["/help/contact/form"].replace("</body>", site.footer + "</body>")
                    if site.drifted:  # a button the recipe has no words for shows beside the list
                        pages["/help/contact/form"] = pages["/help/contact/form"].replace('<div id="rest"', '<button type="button">Proceed</button><div id="rest"')
                if posts_elsewhere:  # its script sends the fields to another host than the page's
                    script = ELSEWHERE.replace("PORT", str(site.server.server_address[1]))
                    pages["/help/contact/form"] = pages["/help/contact/form"].replace("</form>", "</form>" + script)
                if path == "/help/contact/form" and form_redirects_to:
                    return self._redirect(form_redirects_to)
                if path == "/code" and "step=code" in self.headers.get("Cookie", ""):
                    pages["/code"] = CODE_PAGE.format(error="")
                self._send(pages.get(path, "<p>Not found</p>"), 200 if path in pages else 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True).items()}
                if self.path == "/submit" and review_step:
                    site.reviews.append(fields)
                    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items())
                    return self._send(REVIEW.format(country=html.escape(fields.get("country", "")), email=html.escape(fields.get("email", "")), hidden=hidden))
                if self.path in ("/submit", "/submit/final"):
                    site.submissions.append(fields)
                    if blank_after_send:  # neither code, nor confirmation, nor error: the outcome is unknown
                        return self._send("<!doctype html><html lang='en'><body><div id='root'></div></body></html>")
                    if not fields.get("country") or "@" not in fields.get("email", ""):
                        return self._send(FORM.format(error='<p role="alert">Please fill in all fields.</p>', title=html.escape(form_title)))
                    if send_redirects_to:
                        return self._redirect(send_redirects_to)
                    if post_redirect_get:
                        return self._redirect("/code")
                    return self._send(CODE_PAGE.format(error=""))
                if self.path == "/confirm":
                    site.codes.append(fields.get("code", ""))
                    if fields.get("code") == CODE:
                        return self._send(done)
                    if len(site.codes) >= 3:
                        return self._send('<p role="alert">Too many attempts. Your request could not be completed.</p>')
                    return self._send(CODE_PAGE.format(error=f'<p role="alert">{html.escape("That code is incorrect.")}</p>'))
                self._send("nope", 404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.start_url = self.url + "/privacy/genai/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
