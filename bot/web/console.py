"""The campaign console: sign-in, the campaign page, sharing, and actions with confirmation.

    /org/<code>/signin            GET form, POST the admin token (sets the session cookie)
    /org/<code>/signout           POST (CSRF)
    /org/<code>/                  campaign page: who took part, where people stop
    /org/<code>/scorecard         the HTML scorecard with download links (no token in them)
    /org/<code>/share             join link, QR code, poster;  qr.svg, poster.pdf
    /org/<code>/round             GET confirmation, POST (CSRF) starts the next round
    /org/<code>/weights           GET form, POST preview (effect on the index), POST save (CSRF)
    /admin/organisations/new      only with READINESS_ADMIN_SECRET set (else 404)

Access is decided by `Guard.check` in bot.web.scorecards (Bearer header, `?token=` once, or the
session cookie; rate limits; the same 401 for every failure). Console pages render Jinja
templates from bot/web/templates; their CSS is /static/console.css (nothing inline, no script).
"""

from __future__ import annotations

import hmac
import os
import re
from typing import Any, Awaitable, Callable
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sanic import Blueprint, response
from sanic.request import Request

from bot.web.sessions import SESSION_COOKIE
from readiness import share
from readiness.campaign import campaign_figures

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
ADMIN_SECRET_ENV = "READINESS_ADMIN_SECRET"
#: Pages are self-made: styles and images from this app, forms post only here, no scripts.
CONSOLE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
               "frame-ancestors 'self'; base-uri 'none'")
HEADERS = {"Cache-Control": "no-store", "Content-Security-Policy": CONSOLE_CSP}
WEIGHT_FIELD = re.compile(r"^weight_([a-z0-9_]{1,64})$")

ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.filters["num"] = lambda v, d=0: "–" if v is None else f"{v:.{d}f}"


def page(template: str, status: int = 200, **values: Any) -> response.HTTPResponse:
    return response.html(ENV.get_template(template).render(**values), status=status, headers=HEADERS)


def error_page(status: int, title: str, message: str) -> response.HTTPResponse:
    return page("error.html", status=status, title=title, message=message, access=None)


def base_url(request: Request) -> str:
    """The app's address as this request reached it (for the join link when
    READINESS_PUBLIC_URL is not set)."""
    return f"{request.scheme}://{request.host}"


def add_console_routes(bp: Blueprint, guard: Any, in_thread: Callable[[Callable[[], Any]], Awaitable[Any]],
                       store_of: Callable[[Request], Any]) -> None:
    """Register the console pages on the scorecard blueprint (they share its guard)."""

    @bp.get("/org/<code>/signin")
    async def signin_form(request: Request, code: str) -> response.HTTPResponse:
        return guard.signin_form(request, code)

    @bp.post("/org/<code>/signin")
    async def signin(request: Request, code: str) -> response.HTTPResponse:
        return await guard.signin(request, code)

    @bp.post("/org/<code>/signout")
    async def signout(request: Request, code: str) -> response.HTTPResponse:
        return await guard.signout(request, code)

    @bp.get("/org/<code>/", strict_slashes=True)
    async def campaign(request: Request, code: str) -> response.HTTPResponse:
        access = await guard.check(request, code, page=True)
        if isinstance(access, response.HTTPResponse):
            return access
        store = store_of(request)

        def build() -> Any:
            from readiness.bank import current_questionnaire

            record = store.get_organisation(access.code)
            if record is None:
                return None
            rows = store.campaign_rows(record.join_code, record.current_round)
            return record, campaign_figures(current_questionnaire(), rows, record.current_round)

        built = await in_thread(build)
        if built is None:
            return guard.unauthorised()
        record, figures = built
        return page("campaign.html", access=access, org=record, campaign=figures,
                    flash=request.args.get("done", ""))

    async def signed_in_organisation(request: Request, code: str, page_: bool = True) -> Any:
        """(access, organisation record), or the response to send instead (sign-in, 401, 429)."""
        access = await guard.check(request, code, page=page_)
        if isinstance(access, response.HTTPResponse):
            return access
        record = await in_thread(lambda: store_of(request).get_organisation(access.code))
        if record is None:  # deleted since the token was checked
            return guard.unauthorised()
        return access, record

    @bp.get("/org/<code>/share")
    async def share_page(request: Request, code: str) -> response.HTTPResponse:
        found = await signed_in_organisation(request, code)
        if isinstance(found, response.HTTPResponse):
            return found
        access, record = found
        url = share.join_url(record.join_code, base_url(request))
        return page("share.html", access=access, org=record, url=url,
                    patient_url=share.patient_url(record.join_code, base_url(request)),
                    qr=share.qr_svg(url, title=f"QR code of the join link {url}", sized=False))

    async def share_file(request: Request, code: str, kind: str) -> response.HTTPResponse:
        access = await guard.check(request, code, page=False)
        if isinstance(access, response.HTTPResponse):
            return access
        record = await in_thread(lambda: store_of(request).get_organisation(access.code))
        if record is None:
            return guard.unauthorised()
        url = share.join_url(record.join_code, base_url(request))
        if kind == "svg":
            body: bytes = share.qr_svg(url).encode("utf-8")
            media, name = "image/svg+xml", f"join-{record.join_code}.svg"
        else:
            body = await in_thread(lambda: share.poster_pdf(record.name, record.join_code, url))
            media, name = "application/pdf", f"poster-{record.join_code}.pdf"
        return response.raw(body, content_type=media, headers={
            "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})

    @bp.get("/org/<code>/qr.svg")
    async def qr(request: Request, code: str) -> response.HTTPResponse:
        return await share_file(request, code, "svg")

    @bp.get("/org/<code>/poster.pdf")
    async def poster(request: Request, code: str) -> response.HTTPResponse:
        return await share_file(request, code, "pdf")

    @bp.route("/org/<code>/round", methods=["GET", "POST"])
    async def new_round(request: Request, code: str) -> response.HTTPResponse:
        found = await signed_in_organisation(request, code)
        if isinstance(found, response.HTTPResponse):
            return found
        access, record = found
        store = store_of(request)
        if request.method == "GET":
            return page("round.html", access=access, org=record)
        if (request.form.get("confirm") or "") != "yes":
            return page("round.html", status=400, access=access, org=record,
                        error="Tick the box to confirm that the round should end.")
        number = await in_thread(lambda: store.start_new_round(record.join_code))
        return response.redirect(f"/org/{quote(record.join_code)}/?done=round-{number}", status=303,
                                 headers={"Cache-Control": "no-store"})

    @bp.route("/org/<code>/weights", methods=["GET", "POST"])
    async def weights(request: Request, code: str) -> response.HTTPResponse:
        from readiness.bank import current_questionnaire
        from readiness.scorecard import preview_weights

        found = await signed_in_organisation(request, code)
        if isinstance(found, response.HTTPResponse):
            return found
        access, record = found
        store = store_of(request)
        questionnaire = current_questionnaire()
        bank = {c.id: c.weight for c in questionnaire.challenges}
        current = {**bank, **{k: v for k, v in record.weights.items() if k in bank}}
        if request.method == "GET":
            return page("weights.html", access=access, org=record, challenges=questionnaire.challenges,
                        values={k: _show(v) for k, v in current.items()}, preview=None, error=None)
        proposed, values, error = _read_weights(request, questionnaire, bank)
        preview = None
        if error is None:
            try:
                preview = await in_thread(lambda: preview_weights(store, record.join_code, proposed))
            except ValueError as problem:
                error = str(problem)
        if error is not None:
            return page("weights.html", status=400, access=access, org=record, challenges=questionnaire.challenges,
                        values=values, preview=None, error=error)
        if request.form.get("action") == "save":
            await in_thread(lambda: store.set_weights(record.join_code, proposed))
            return response.redirect(f"/org/{quote(record.join_code)}/?done=weights", status=303,
                                     headers={"Cache-Control": "no-store"})
        return page("weights.html", access=access, org=record, challenges=questionnaire.challenges,
                    values=values, preview=preview, error=None)

    @bp.route("/admin/organisations/new", methods=["GET", "POST"])
    async def new_organisation(request: Request) -> response.HTTPResponse:
        secret = os.environ.get(ADMIN_SECRET_ENV, "")
        if not secret:
            return error_page(404, "Not found", "There is no page at this address.")
        form_token, cookie = guard.form_token(request)
        if request.method == "GET":
            return guard.with_form_cookie(page("new_org.html", csrf=form_token, error=None, created=None,
                                               access=None), cookie, request)
        if not guard.form_token_ok(request):
            return guard.csrf_refused()
        blocked = guard.admin_limits.retry_after(("admin", request.remote_addr or request.ip))
        if blocked is not None:
            return guard.too_many(blocked)
        typed = request.form.get("secret") or ""
        name = (request.form.get("name") or "").strip()
        if not hmac.compare_digest(typed.encode("utf-8"), secret.encode("utf-8")):
            guard.admin_limits.failure(("admin", request.remote_addr or request.ip))
            return page("new_org.html", status=401, csrf=form_token, created=None, access=None,
                        error="That is not the server's admin secret.")
        if not name:
            return page("new_org.html", status=400, csrf=form_token, created=None, access=None,
                        error="Give the organisation a name (e.g. St Mary's Hospital).")
        store = store_of(request)
        try:
            record, token = await in_thread(lambda: store.create_organisation(name))
        except ValueError as problem:
            return page("new_org.html", status=400, csrf=form_token, created=None, access=None, error=str(problem))
        return page("new_org.html", csrf=form_token, error=None, access=None,
                    created={"name": record.name, "code": record.join_code, "token": token})


def evidence_page(store: Any, code: str, form: Any) -> tuple[int, dict[str, Any] | None]:
    """The evidence form (GET) or the result of a submission (POST): (status, the template's
    values), or (401, None) for an organisation deleted meanwhile.

    A submission names one measure and its inputs; it is checked exactly like
    `readiness evidence set` (readiness.evidence.check_values): a bad value gets one message and
    nothing is stored.
    """
    from readiness.evidence import EvidenceError, check_values, measure_result
    from readiness.live_content import current_content

    content = current_content()
    record = store.get_organisation(code)
    if record is None:
        return 401, None
    message, status = "", 200
    if form is not None:
        measure = content.evidence_measure(form.get("measure", ""))
        if measure is None:
            message, status = "Unknown evidence measure: choose one of the forms below.", 400
        else:
            raw = {spec.name: form.get(spec.name, "") for spec in measure.inputs if form.get(spec.name, "").strip()}
            try:
                values = check_values(measure, raw)
                entry = store.set_evidence(record.join_code, measure.id, values, source=form.get("source") or None,
                                           entered_by=form.get("entered_by") or "organisation lead")
            except (EvidenceError, ValueError) as error:
                message, status = f"Not saved: {error}", 400
            else:
                result = measure_result(measure, values)
                lines = [f"{p.label}: {p.percent:.1f} % (95 % CI {p.ci_low:.1f}–{p.ci_high:.1f})" for p in result.proportions]
                if result.comparison is not None:
                    lines.append(result.comparison.text)
                message = f"Saved {measure.title} for round {entry.round}. " + " ".join(lines)
    entered = {e.measure: e for e in store.evidence(record.join_code, record.current_round)}
    forms = [{
        "id": measure.id, "title": measure.title, "counts": measure.counts,
        "fields": [{
            "name": spec.name, "label": spec.label, "required": spec.required,
            "value": "" if entered.get(measure.id) is None or spec.name not in entered[measure.id].values
            else f"{entered[measure.id].values[spec.name]:g}",
        } for spec in measure.inputs],
    } for measure in content.evidence]
    return status, {"org": record, "forms": forms, "message": message, "refused": status >= 400}


def _show(weight: float) -> str:
    return f"{weight:g}"


def _read_weights(request: Request, questionnaire: Any, bank: dict[str, float]) -> tuple[dict[str, float], dict[str, str], str | None]:
    """The proposed overrides (weights that differ from the bank's), the typed values, and the
    first problem (one line naming the challenge) or None."""
    values = {cid: (request.form.get(f"weight_{cid}") or "").strip() for cid in bank}
    proposed: dict[str, float] = {}
    for challenge in questionnaire.challenges:
        raw = values[challenge.id]
        try:
            weight = float(raw.replace(",", "."))
        except ValueError:
            return {}, values, f"Weight of “{challenge.title}” must be a number greater than 0 (got “{raw}”)."
        if not weight > 0 or weight != weight or weight == float("inf"):
            return {}, values, f"Weight of “{challenge.title}” must be a number greater than 0 (got “{raw}”)."
        if weight != bank[challenge.id]:
            proposed[challenge.id] = weight
    return proposed, values, None
