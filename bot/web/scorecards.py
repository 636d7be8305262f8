"""Scorecard pages of the web app: organisation dashboard and downloads, personal scorecards.

    /org/<code>/scorecard             the HTML scorecard with download links   (?round=N)
    /org/<code>/scorecard.<fmt>       download: html, pdf, md, json or csv   (?round=N)
    /me/<report_token>                personal scorecard (HTML; ?format=pdf|json|md downloads)
    (the console pages, bot.web.console, share this blueprint and its guard)

Organisation pages need the organisation's admin token: typed once on `/org/<code>/signin`
(a signed session cookie whose id the server records and sign-out revokes, bot.web.sessions), or as `Authorization: Bearer <token>`
(automation), or once as `?token=` (signs in and redirects to the same address without it, so
the token stays out of history and links). A page opened without any of them redirects to the
sign-in form. The token is checked with `Store.verify_admin_token` (scrypt hash, constant-time
compare, the same cost for unknown organisations), and every failure — unknown code, malformed
code, wrong or missing token — gets the same 401 body, so nobody learns which codes exist.
A personal link that matches nothing is a plain 404.

Rate limits (in memory, per process: each web worker counts on its own, and a restart forgets):
after ADMIN_FAILURES wrong admin tokens within FAILURE_WINDOW seconds from one client address
for one organisation code, that address gets 429 (with Retry-After) for that code, right token
or not, until the oldest failure leaves the window; codes that do not exist count the same, so
the 429 reveals nothing. After PERSONAL_MISSES unknown personal links within the window, one
address gets 429 on every /me/ link. A blocked request is refused before any hashing or SQL.
The client address is Sanic's `request.remote_addr` (forwarded headers only when the app is
configured to trust a proxy), falling back to the socket's peer address.

The store is `app.ctx.store` when the app set one, else one `Store()` per process
(READINESS_DATABASE_URL), created on first use. All work (hashing, SQL, rendering) runs in a
thread so the event loop keeps serving the chat page.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, urlencode

from sanic import Blueprint, response
from sanic.request import Request

from bot.web.sessions import (
    CSRF_COOKIE,
    CSRF_MAX_AGE,
    SESSION_COOKIE,
    Session,
    Sessions,
    cookie_options,
    load_secret,
    same,
)
from readiness import export
from readiness.scorecard import load_organisation_scorecard, load_personal_scorecard

#: Headers of every scorecard response: never cached, never sniffed, never framed elsewhere.
NO_STORE = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: The HTML scorecard is self-contained: inline styles and SVG, nothing fetched.
HTML_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
UNAUTHORISED = "Unauthorised: this page needs the organisation's admin token.\n"
NOT_FOUND = "Not found.\n"
_FILE = re.compile(r"^(?:scorecard\.(html|pdf|md|json|csv)|(evidence|rounds)\.csv)$")
_PERSONAL_FORMATS = ("html", "pdf", "json", "md")
TOO_MANY = "Too many failed attempts: try again later.\n"
#: Wrong admin tokens allowed per client address and organisation code within FAILURE_WINDOW.
ADMIN_FAILURES = 5
#: Unknown personal links allowed per client address within FAILURE_WINDOW.
PERSONAL_MISSES = 20
#: Seconds over which failures are counted.
FAILURE_WINDOW = 600
#: "1": mark cookies Secure even over plain HTTP (a TLS proxy the app is not told about).
SECURE_COOKIES_ENV = "READINESS_SECURE_COOKIES"

_default_store: Any = None
_default_lock = threading.Lock()


def _store(request: Request) -> Any:
    """The app's store (app.ctx.store) or the lazily created per-process default."""
    global _default_store
    store = getattr(request.app.ctx, "store", None)
    if store is not None:
        return store
    with _default_lock:
        if _default_store is None:
            from readiness.storage import Store

            _default_store = Store()
        return _default_store


class FailureLimiter:
    """Sliding-window failure counts per key, in memory (per process).

    `retry_after(key)` is None while the key has fewer than `limit` failures in the last
    `window` seconds, else the whole seconds until the oldest of them expires. At most
    `max_keys` keys are kept: beyond that, the keys with the oldest failures are forgotten.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._failures: dict[Any, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: Any, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        while times and times[0] <= now - self.window:
            times.popleft()
        if times is not None and not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: Any) -> int | None:
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if times is None or len(times) < self.limit:
                return None
            return max(1, math.ceil(times[-self.limit] + self.window - now))

    def failure(self, key: Any) -> None:
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if times is None:
                if len(self._failures) >= self.max_keys:
                    self._forget_oldest(now)
                times = self._failures[key] = deque(maxlen=self.limit)
            times.append(now)

    def success(self, key: Any) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _forget_oldest(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        if len(self._failures) >= self.max_keys:
            oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in oldest[: len(oldest) // 2 + 1]:
                del self._failures[key]


def client_address(request: Request) -> str:
    return request.remote_addr or request.ip or "?"


def _code_key(code: str) -> str:
    """The organisation code as the store reads it (case, dashes and spaces do not matter)."""
    return re.sub(r"[^0-9A-Za-z]", "", code).upper()[:32]


def _too_many(seconds: int) -> response.HTTPResponse:
    return response.text(TOO_MANY, status=429, headers={**NO_STORE, "Retry-After": str(seconds)})


async def _in_thread(work: Callable[[], Any]) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, work)


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.args.get("token", "") or ""


def _unauthorised() -> response.HTTPResponse:
    return response.text(UNAUTHORISED, status=401,
                         headers={**NO_STORE, "WWW-Authenticate": 'Bearer realm="scorecards"'})


def _not_found() -> response.HTTPResponse:
    return response.text(NOT_FOUND, status=404, headers=NO_STORE)


def _round_arg(request: Request) -> int | None | str:
    raw = request.args.get("round")
    if raw is None or raw == "":
        return None
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else "bad"


def _document(body: str | bytes, fmt: str, filename: str | None) -> response.HTTPResponse:
    headers = dict(NO_STORE)
    if fmt == "html":
        headers["Content-Security-Policy"] = HTML_CSP
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    data = body.encode("utf-8") if isinstance(body, str) else body
    return response.raw(data, content_type=export.MEDIA_TYPES[fmt], headers=headers)


def make_blueprint(
    name: str = "scorecards",
    admin_limiter: FailureLimiter | None = None,
    personal_limiter: FailureLimiter | None = None,
) -> Blueprint:
    """The scorecard routes as a blueprint (a fresh one per call, e.g. one per test app),
    with its own rate limiters unless given some."""
    bp = Blueprint(name)
    admin_limits = admin_limiter or FailureLimiter(ADMIN_FAILURES, FAILURE_WINDOW)
    personal_limits = personal_limiter or FailureLimiter(PERSONAL_MISSES, FAILURE_WINDOW)
    bp.ctx.admin_limiter, bp.ctx.personal_limiter = admin_limits, personal_limits

    guard = Guard(admin_limits)
    bp.ctx.guard = guard

    async def organisation(request: Request, code: str, filename: str | None) -> response.HTTPResponse:
        store = _store(request)
        access = await guard.check(request, code, page=filename is None)
        if isinstance(access, response.HTTPResponse):
            return access
        fmt = "html"
        summary_file: str | None = None  # "evidence" or "rounds": a CSV built from the scorecard
        if filename is not None:
            match = _FILE.match(filename)
            if match is None:
                return _not_found()
            fmt = match.group(1) or "csv"
            summary_file = match.group(2)
        chosen = _round_arg(request)
        if chosen == "bad":
            return response.text("round must be a positive whole number\n", status=400, headers=NO_STORE)

        def build() -> tuple[str | bytes, str] | None:
            record = store.get_organisation(code)
            if record is None:  # deleted between the token check and now
                return None
            if summary_file is not None:
                card = load_organisation_scorecard(store, record.join_code, round=chosen)  # type: ignore[arg-type]
                return export.SUMMARY_CSVS[summary_file](card), export.file_name(card, "csv").replace("scorecard-", f"{summary_file}-", 1)
            if fmt == "csv":
                from readiness.bank import current_questionnaire

                frame = store.answers_frame(record.join_code, chosen)  # type: ignore[arg-type]
                body = export.answers_csv(current_questionnaire(), frame, chosen,  # type: ignore[arg-type]
                                          exclude_flagged=record.exclude_flagged)
                card_name = export.file_name(_NamedCard(record.name, chosen), "csv")  # type: ignore[arg-type]
                return body, card_name
            card = load_organisation_scorecard(store, record.join_code, round=chosen)  # type: ignore[arg-type]
            links: tuple[export.Link, ...] = ()
            if filename is None:
                query: dict[str, str] = {}
                if chosen is not None:
                    query["round"] = str(chosen)
                suffix = ("?" + urlencode(query)) if query else ""
                base = f"/org/{quote(record.join_code)}/scorecard"
                links = tuple(export.Link(label, f"{base}.{ext}{suffix}") for ext, label in (
                    ("pdf", "PDF"), ("html", "HTML"), ("md", "Markdown"), ("json", "JSON"), ("csv", "CSV (anonymised answers)")))
                links += (export.Link("CSV (pilot evidence)", f"/org/{quote(record.join_code)}/evidence.csv{suffix}"),
                          export.Link("CSV (round trend)", f"/org/{quote(record.join_code)}/rounds.csv{suffix}"),
                          export.Link("Enter pilot evidence", f"/org/{quote(record.join_code)}/evidence{suffix}"),
                          export.Link("Patient poster (PDF)", f"/org/{quote(record.join_code)}/patient-poster.pdf{suffix}"))
                return export.render_html(card, links=links), export.file_name(card, "html")
            return export.render(card, fmt), export.file_name(card, fmt)

        try:
            built = await _in_thread(build)
        except ValueError as error:  # a round without data
            return response.text(f"{error}\n", status=404, headers=NO_STORE)
        if built is None:
            return _unauthorised()
        body, download = built
        return _document(body, fmt, None if filename is None else download)

    @bp.route("/org/<code>/evidence", methods=["GET", "POST"])
    async def evidence_form(request: Request, code: str) -> response.HTTPResponse:
        access = await guard.check(request, code, page=True)
        if isinstance(access, response.HTTPResponse):
            return access
        from bot.web.console import evidence_page, page

        store = _store(request)
        form = request.form if request.method == "POST" else None
        status, values = await _in_thread(lambda: evidence_page(store, code, form))
        if values is None:
            return _unauthorised()
        return page("evidence.html", status=status, access=access, **values)

    @bp.get("/org/<code>/patient-poster.pdf")
    async def patient_poster(request: Request, code: str) -> response.HTTPResponse:
        access = await guard.check(request, code, page=False)
        if isinstance(access, response.HTTPResponse):
            return access
        store = _store(request)

        def build() -> bytes | None:
            from readiness.share import patient_url, poster_pdf

            record = store.get_organisation(code)
            if record is None:
                return None
            base = f"{request.scheme}://{request.host}"
            return poster_pdf(record.name, record.join_code, patient_url(record.join_code, base), "patient")

        pdf = await _in_thread(build)
        if pdf is None:
            return _unauthorised()
        return response.raw(pdf, content_type="application/pdf", headers={
            **NO_STORE, "Content-Disposition": 'attachment; filename="patient-poster.pdf"'})

    @bp.get("/org/<code>/scorecard")
    async def scorecard_page(request: Request, code: str) -> response.HTTPResponse:
        return await organisation(request, code, None)

    @bp.get("/org/<code>/<filename>")
    async def download(request: Request, code: str, filename: str) -> response.HTTPResponse:
        return await organisation(request, code, filename)

    from bot.web.console import add_console_routes

    add_console_routes(bp, guard, _in_thread, _store)

    @bp.get("/me/<report_token>")
    async def personal(request: Request, report_token: str) -> response.HTTPResponse:
        address = client_address(request)
        blocked = personal_limits.retry_after(address)
        if blocked is not None:
            return _too_many(blocked)
        fmt = request.args.get("format", "html")
        if fmt not in _PERSONAL_FORMATS or len(report_token) > 64:
            personal_limits.failure(address)
            return _not_found()
        store = _store(request)

        def build() -> tuple[str | bytes, str] | None:
            card = load_personal_scorecard(store, report_token)
            if card is None:
                return None
            return export.render(card, fmt), export.file_name(card, fmt)

        built = await _in_thread(build)
        if built is None:
            personal_limits.failure(address)
            return _not_found()
        body, download = built
        return _document(body, fmt, None if fmt == "html" else download)

    return bp


@dataclass(frozen=True)
class Access:
    """Who is asking: the organisation (normalised code) and, for a browser session, the CSRF
    token its forms must carry (None for a Bearer request, which no other site can forge)."""

    code: str
    csrf: str | None


class Guard:
    """Decides access to an organisation's pages, and runs the sign-in form (bot.web.sessions)."""

    def __init__(self, admin_limits: FailureLimiter) -> None:
        self.admin_limits = admin_limits
        self._sessions: Any = None
        self._lock = threading.Lock()

    @property
    def sessions(self) -> Any:
        with self._lock:
            if self._sessions is None:
                from readiness.storage import default_data_dir

                self._sessions = Sessions(load_secret(default_data_dir()))
            return self._sessions

    @staticmethod
    def unauthorised() -> response.HTTPResponse:
        return _unauthorised()

    @staticmethod
    def too_many(seconds: int) -> response.HTTPResponse:
        return _too_many(seconds)

    @staticmethod
    def csrf_refused() -> response.HTTPResponse:
        from bot.web.console import error_page

        return error_page(403, "Form refused", "This form expired or came from another page: "
                          "go back, reload the page and send it again.")

    @staticmethod
    def secure(request: Request) -> bool:
        return request.scheme == "https" or os.environ.get(SECURE_COOKIES_ENV, "") == "1"

    def _set(self, resp: response.HTTPResponse, request: Request, name: str, value: str, max_age: int) -> None:
        resp.cookies[name] = value
        for key, option in cookie_options(self.secure(request), max_age).items():
            resp.cookies[name][key] = option

    async def _session(self, request: Request) -> Session | None:
        """The request's session: signed, unexpired, and still open on the server (not signed
        out; a copy of the cookie dies with it)."""
        session = self.sessions.read(request.cookies.get(SESSION_COOKIE))
        if session is None:
            return None
        store = _store(request)
        return session if await _in_thread(lambda: store.console_session_active(session.code, session.sid)) else None

    async def check(self, request: Request, code: str, *, page: bool) -> "Access | response.HTTPResponse":
        """Access, or the response to send instead (401, 429, 303 to sign in or to drop `?token=`).
        A POST with a browser session must carry the session's CSRF token (else 403)."""
        key = (client_address(request), _code_key(code))
        blocked = self.admin_limits.retry_after(key)
        if blocked is not None:
            return _too_many(blocked)
        header = request.headers.get("authorization", "")
        query = request.args.get("token")
        if header or query is not None:
            token = _token(request)
            store = _store(request)
            if not await _in_thread(lambda: store.verify_admin_token(code, token)):
                self.admin_limits.failure(key)
                return _unauthorised()
            self.admin_limits.success(key)
            if header:
                return Access(_code_key(code), None)
            # `?token=`: sign in, then the same address without the token
            kept = [(k, v) for k, values in request.args.items() if k != "token" for v in values]
            target = request.path + ("?" + urlencode(kept) if kept else "")
            return await self.signed_in(request, _code_key(code), target)
        session = await self._session(request)
        if session is not None and session.code == _code_key(code):
            if request.method == "POST" and not same(request.form.get("csrf") or "", session.csrf):
                return self.csrf_refused()
            return Access(session.code, session.csrf)
        if page and request.method == "GET":
            target = request.path + ("?" + request.query_string if request.query_string else "")
            return response.redirect(f"/org/{quote(code)}/signin?next={quote(target)}", status=303,
                                     headers={"Cache-Control": "no-store"})
        return _unauthorised()

    async def signed_in(self, request: Request, code: str, target: str) -> response.HTTPResponse:
        store, lifetime = _store(request), self.sessions.max_age
        sid = await _in_thread(lambda: store.open_console_session(code, lifetime))
        value, _ = self.sessions.issue(code, sid)
        resp = response.redirect(target, status=303, headers={"Cache-Control": "no-store"})
        self._set(resp, request, SESSION_COOKIE, value, self.sessions.max_age)
        return resp

    def form_token(self, request: Request) -> tuple[str, str | None]:
        return self.sessions.form_token(request.cookies.get(CSRF_COOKIE))

    def form_token_ok(self, request: Request) -> bool:
        return self.sessions.form_token_ok(request.cookies.get(CSRF_COOKIE), request.form.get("csrf") or "")

    def with_form_cookie(self, resp: response.HTTPResponse, cookie: str | None, request: Request | None = None) -> response.HTTPResponse:
        if cookie is not None:
            resp.cookies[CSRF_COOKIE] = cookie
            for key, option in cookie_options(False if request is None else self.secure(request), CSRF_MAX_AGE).items():
                resp.cookies[CSRF_COOKIE][key] = option
        return resp

    def _next(self, code: str, raw: str | None) -> str:
        """Where to go after signing in: a page of this organisation only (no open redirect)."""
        prefix = f"/org/{quote(code)}/"
        if raw and raw.startswith("/org/") and _code_key(raw[5:].split("/", 1)[0]) == _code_key(code) \
                and "//" not in raw[1:] and "\\" not in raw:
            return raw
        return prefix

    def signin_form(self, request: Request, code: str, *, status: int = 200, error: str | None = None,
                    note: str | None = None) -> response.HTTPResponse:
        from bot.web.console import page

        token, cookie = self.form_token(request)
        resp = page("signin.html", status=status, code=code, csrf=token, error=error, access=None,
                    next=self._next(code, request.form.get("next") if request.method == "POST" else request.args.get("next")),
                    note=note or ("You are signed out." if request.args.get("out") else None))
        return self.with_form_cookie(resp, cookie, request)

    async def signin(self, request: Request, code: str) -> response.HTTPResponse:
        if not self.form_token_ok(request):
            return self.csrf_refused()
        key = (client_address(request), _code_key(code))
        blocked = self.admin_limits.retry_after(key)
        if blocked is not None:
            return _too_many(blocked)
        token = (request.form.get("token") or "").strip()
        store = _store(request)
        if not await _in_thread(lambda: store.verify_admin_token(code, token)):
            self.admin_limits.failure(key)
            return self.signin_form(request, code, status=401, error=(
                "This admin token does not open this organisation. Check the join code in the "
                "address and the token you were given when the organisation was created."))
        self.admin_limits.success(key)
        return await self.signed_in(request, _code_key(code), self._next(code, request.form.get("next")))

    async def signout(self, request: Request, code: str) -> response.HTTPResponse:
        """End the session on the server (every copy of its cookie) and clear the cookie."""
        session = await self._session(request)
        if session is not None and not same(request.form.get("csrf") or "", session.csrf):
            return self.csrf_refused()
        if session is not None:
            store = _store(request)
            await _in_thread(lambda: store.revoke_console_session(session.sid))
        resp = response.redirect(f"/org/{quote(code)}/signin?out=1", status=303, headers={"Cache-Control": "no-store"})
        self._set(resp, request, SESSION_COOKIE, "", 0)
        return resp


class _NamedCard:
    """Just enough of a Scorecard for `export.file_name` (CSV has no scorecard)."""

    def __init__(self, organisation: str, round: int | None) -> None:
        self.organisation = organisation
        self.round = round


#: The blueprint the web app registers (`from bot.web.scorecards import blueprint`).
blueprint = make_blueprint()
