"""The campaign console over HTTP against the real web app (a subprocess on a free port):
sign-in/out, session cookies, CSRF, the campaign figures against the database, sharing, the
round and weight actions, and creating organisations behind READINESS_ADMIN_SECRET.

The browser side (keyboard path, axe-core) is in tests/test_console_browser.py.
"""

from __future__ import annotations

import os
import re
import stat
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest
import requests
from sqlalchemy import text as sql

from bot.web.sessions import Sessions
from readiness import share
from readiness.bank import current_questionnaire
from readiness.scorecard import load_organisation_scorecard
from readiness.simulate import get_profile, simulate
from readiness.storage import Store
from tests.bot_stack import free_port

ROOT = Path(__file__).resolve().parents[1]
READINESS = Path(sys.executable).parent / "readiness"
SERVER = """
import sys
from bot.web.app import create_app
app = create_app()
app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=1, access_log=False, motd=False)
"""
ADMIN_SECRET = "correct horse battery staple 42"


class Web:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, str(self.port)], cwd=str(ROOT),
                                        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(self.base + "/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                self.process.kill()
                raise RuntimeError(self.process.stderr.read().decode() if self.process.stderr else "no server")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def partial(store: Store, code: str, role: str, department: str | None, answered: int) -> None:
    """A respondent who stopped after `answered` statements (0: consented, never started: -1)."""
    q = current_questionnaire()
    person = store.create_respondent(role, organisation_code=code, department=department)
    if answered < 0:
        return
    assessment = store.start_assessment(person.pseudonym, q.version)
    store.record_answers(assessment.id, {item.id: 3 for item in q.items_for(role)[:answered]})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{folder / 'console.db'}"
    store = Store(url)
    q = current_questionnaire()
    org, token = store.create_organisation("St Mary's <b>Hospital</b>")
    other, other_token = store.create_organisation("Other Hospital")
    simulate(store, org.join_code, q, get_profile("typical"), 24, seed=3)
    for n in range(6):
        partial(store, org.join_code, "nurse", "Emergency", 2 + n % 2)  # stop at statement 3 or 4
    partial(store, org.join_code, "clinician", "Radiology", 0)
    partial(store, org.join_code, "it_admin", None, -1)
    web = Web({"READINESS_DATABASE_URL": url, "READINESS_DATA_DIR": str(folder),
               "READINESS_ADMIN_SECRET": ADMIN_SECRET})
    yield {"web": web, "base": web.base, "store": store, "url": url, "folder": folder, "code": org.join_code,
           "token": token, "other": other.join_code, "other_token": other_token}
    web.stop()
    store.close()


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def sign_in(site: dict, client: requests.Session | None = None) -> requests.Session:
    client = client or requests.Session()
    form = client.get(f"{site['base']}/org/{site['code']}/signin")
    answer = client.post(f"{site['base']}/org/{site['code']}/signin", allow_redirects=False,
                         data={"csrf": csrf(form.text), "token": site["token"], "next": f"/org/{site['code']}/"})
    assert answer.status_code == 303, answer.text
    return client


# --------------------------------------------------------------------------- sign-in


def test_sign_in_sets_a_signed_httponly_cookie_and_sign_out_ends_it(site):
    base, code = site["base"], site["code"]
    client = requests.Session()
    first = client.get(f"{base}/org/{code}/", allow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == f"/org/{code}/signin?next=/org/{code}/"
    form = client.get(base + first.headers["location"])
    assert form.status_code == 200 and 'type="password"' in form.text
    answer = client.post(f"{base}/org/{code}/signin", allow_redirects=False,
                         data={"csrf": csrf(form.text), "token": site["token"], "next": f"/org/{code}/share"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/org/{code}/share"
    cookie = answer.headers["set-cookie"]
    assert "readiness_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=28800" in cookie and "Path=/" in cookie and "Secure" not in cookie  # plain HTTP here
    assert site["token"] not in cookie
    page = client.get(f"{base}/org/{code}/")
    assert page.status_code == 200 and "Campaign: round 1" in page.text
    assert "&lt;b&gt;Hospital&lt;/b&gt;" in page.text and "<b>Hospital" not in page.text
    assert page.headers["Cache-Control"] == "no-store" and "form-action 'self'" in page.headers["Content-Security-Policy"]
    out = client.post(f"{base}/org/{code}/signout", data={"csrf": csrf(page.text)}, allow_redirects=False)
    assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
    assert client.get(f"{base}/org/{code}/", allow_redirects=False).status_code == 303
    assert "You are signed out" in client.get(base + out.headers["location"]).text


def test_sign_in_refuses_wrong_tokens_the_same_way_for_unknown_codes(site):
    base = site["base"]
    bodies = []
    for code in (site["code"], "ZZZ-ZZZ"):
        client = requests.Session()
        form = client.get(f"{base}/org/{code}/signin", headers={"X-Forwarded-For": "x"})
        answer = client.post(f"{base}/org/{code}/signin", data={"csrf": csrf(form.text), "token": "guess"},
                             allow_redirects=False)
        assert answer.status_code == 401 and "set-cookie" not in {k.lower() for k in answer.headers if "session" in answer.headers[k]}
        text = re.sub(r'value="[^"]*"', "", answer.text.replace(code, "CODE"))
        bodies.append(text)
    assert bodies[0] == bodies[1] and "does not open this organisation" in bodies[0]
    # the next target cannot leave the organisation (no open redirect)
    client = requests.Session()
    form = client.get(f"{base}/org/{site['code']}/signin?next=//evil.example/")
    answer = client.post(f"{base}/org/{site['code']}/signin", allow_redirects=False,
                         data={"csrf": csrf(form.text), "token": site["token"], "next": "https://evil.example/"})
    assert answer.headers["location"] == f"/org/{site['code']}/"


def test_forms_without_the_csrf_token_are_refused(site):
    base, code, store = site["base"], site["code"], site["store"]
    # sign-in form: no token, or a token without its cookie (another site's form)
    client = requests.Session()
    form = client.get(f"{base}/org/{code}/signin")
    assert client.post(f"{base}/org/{code}/signin", data={"token": site["token"]}).status_code == 403
    stranger = requests.post(f"{base}/org/{code}/signin", data={"csrf": csrf(form.text), "token": site["token"]},
                             allow_redirects=False)
    assert stranger.status_code == 403 and "set-cookie" not in stranger.headers
    # signed in: the session cookie alone (a cross-site POST) does not start a round
    client = sign_in(site)
    before = store.get_organisation(code).current_round
    for data in ({"confirm": "yes"}, {"confirm": "yes", "csrf": "forged"}):
        answer = client.post(f"{base}/org/{code}/round", data=data, allow_redirects=False)
        assert answer.status_code == 403 and "Form refused" in answer.text
    assert client.post(f"{base}/org/{code}/weights", data={"action": "save", f"weight_{current_questionnaire().challenges[0].id}": "9"}).status_code == 403
    assert client.post(f"{base}/org/{code}/signout", data={}).status_code == 403
    assert store.get_organisation(code).current_round == before and store.get_organisation(code).weights == {}


def test_query_token_signs_in_once_and_never_shows_up_again(site):
    base, code, token = site["base"], site["code"], site["token"]
    client = requests.Session()
    answer = client.get(f"{base}/org/{code}/scorecard?token={token}&round=1", allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/org/{code}/scorecard?round=1"
    for path in ("/", "/scorecard?round=1", "/share", "/weights", "/round"):
        page = client.get(f"{base}/org/{code}{path}")
        assert page.status_code == 200 and token not in page.text, path
    assert 'href="/org/' + code + '/scorecard.pdf?round=1"' in client.get(f"{base}/org/{code}/scorecard?round=1").text
    assert client.get(f"{base}/org/{code}/scorecard.pdf").content.startswith(b"%PDF")
    # the session opens only its own organisation
    assert client.get(f"{base}/org/{site['other']}/scorecard.json").status_code == 401


def test_tampered_or_expired_sessions_are_refused(site):
    client = sign_in(site)
    value = client.cookies["readiness_session"]
    forged = requests.get(f"{site['base']}/org/{site['code']}/", allow_redirects=False,
                          cookies={"readiness_session": value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]})
    assert forged.status_code == 303  # back to sign-in
    sessions = Sessions("s" * 40, max_age=1)
    issued, session = sessions.issue("ABC123", "some-id")
    assert sessions.read(issued) == session and session.sid == "some-id"
    time.sleep(2.1)
    assert sessions.read(issued) is None
    assert Sessions("t" * 40).read(Sessions("s" * 40).issue("ABC123", "some-id")[0]) is None


def test_sign_out_ends_the_session_on_the_server_so_a_copied_cookie_is_refused(site):
    base, code, store = site["base"], site["code"], site["store"]
    client = sign_in(site)
    copied = client.cookies["readiness_session"]
    stolen = requests.Session()
    stolen.cookies.set("readiness_session", copied)
    assert stolen.get(f"{base}/org/{code}/", allow_redirects=False).status_code == 200
    # the table keeps a hash of the session id: neither the id nor the admin token
    with store.engine.connect() as connection:
        stored = [tuple(map(str, row)) for row in connection.execute(sql("SELECT * FROM console_sessions"))]
    signed = Sessions((site["folder"] / "session-secret").read_text().strip()).read(copied)
    assert signed is not None and signed.code == code.replace("-", "")
    assert stored and not any(signed.sid in v or site["token"] in v for row in stored for v in row)
    page = client.get(f"{base}/org/{code}/")
    assert client.post(f"{base}/org/{code}/signout", data={"csrf": csrf(page.text)},
                       allow_redirects=False).status_code == 303
    # the copy still has a valid signature and is not expired, yet it is signed out
    for path in ("/", "/scorecard", "/weights"):
        answer = stolen.get(f"{base}/org/{code}{path}", allow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith(f"/org/{code}/signin?next="), path
    assert stolen.get(f"{base}/org/{code}/scorecard.json", allow_redirects=False).status_code == 401
    assert stolen.post(f"{base}/org/{code}/round", data={"confirm": "yes", "csrf": signed.csrf},
                       allow_redirects=False).status_code == 401
    # a well-signed cookie whose id the server never issued is refused the same way
    secret = (site["folder"] / "session-secret").read_text().strip()
    made_up, _ = Sessions(secret).issue(signed.code, "never-issued")
    assert requests.get(f"{base}/org/{code}/", cookies={"readiness_session": made_up},
                        allow_redirects=False).status_code == 303
    # signing in again works, with a new id; Bearer is unaffected by any of this
    again = sign_in(site)
    assert again.get(f"{base}/org/{code}/").status_code == 200
    assert Sessions(secret).read(again.cookies["readiness_session"]).sid != signed.sid
    assert requests.get(f"{base}/org/{code}/scorecard.json",
                        headers={"Authorization": f"Bearer {site['token']}"}).status_code == 200


def test_the_signing_secret_is_generated_once_with_mode_0600(site):
    path = site["folder"] / "session-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_text().strip()) >= 32


def test_bearer_automation_and_rate_limits_still_work(site):
    base, code = site["base"], site["code"]
    assert requests.get(f"{base}/org/{code}/scorecard.json", headers={"Authorization": f"Bearer {site['token']}"}).status_code == 200
    address = "127.0.0.77"
    session = requests.Session()
    session.mount("http://", _Bound(address))
    form = session.get(f"{base}/org/{code}/signin")
    for n in range(5):
        answer = session.post(f"{base}/org/{code}/signin", data={"csrf": csrf(form.text), "token": f"guess{n}"})
        assert answer.status_code == 401
    answer = session.post(f"{base}/org/{code}/signin", data={"csrf": csrf(form.text), "token": site["token"]})
    assert answer.status_code == 429


class _Bound(requests.adapters.HTTPAdapter):
    """Requests from one loopback address (a different client for the rate limiter)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


# --------------------------------------------------------------------------- campaign page


def cells(html: str, table: str) -> dict[str, list[str]]:
    body = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S)
    assert body, table
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head:
            found[head.group(1).strip()] = [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return found


def test_campaign_figures_match_the_database(site):
    client = sign_in(site)
    html = client.get(f"{site['base']}/org/{site['code']}/").text
    with site["store"].engine.connect() as db:
        org_id = db.execute(sql("SELECT id FROM organisations WHERE join_code = :c"), {"c": site["code"]}).scalar_one()
        consented = db.execute(sql("SELECT count(*) FROM respondents WHERE organisation_id = :o"), {"o": org_id}).scalar_one()
        started = db.execute(sql("SELECT count(DISTINCT a.respondent_id) FROM assessments a JOIN respondents r "
                                 "ON r.id = a.respondent_id WHERE r.organisation_id = :o AND a.round = 1"), {"o": org_id}).scalar_one()
        times = db.execute(sql("SELECT a.started_at, a.completed_at FROM assessments a JOIN respondents r "
                               "ON r.id = a.respondent_id WHERE r.organisation_id = :o AND a.completed_at IS NOT NULL"),
                           {"o": org_id}).all()
        nurses = db.execute(sql("SELECT count(*) FROM respondents WHERE organisation_id = :o AND role = 'nurse'"),
                            {"o": org_id}).scalar_one()
    assert (consented, started, len(times)) == (32, 31, 24)
    figure = lambda name: re.search(rf'id="{name}">([^<]*)<', html).group(1)  # noqa: E731
    assert (figure("consented"), figure("started"), figure("completed")) == (str(consented), str(started), str(len(times)))
    parse = lambda t: t if not isinstance(t, str) else __import__("datetime").datetime.fromisoformat(t)  # noqa: E731
    minutes = statistics.median((parse(b) - parse(a)) / timedelta(minutes=1) for a, b in times)
    assert figure("median") == f"{minutes:.1f} min"
    roles = cells(html, "roles")
    assert roles["Nurse"][0] == str(nurses)  # consented nurses, completed or not
    assert sum(int(r[2]) for r in roles.values()) == len(times)
    days = cells(html, "per-day")
    assert sum(int(v[0]) for v in days.values()) == len(times)
    # departments: groups under 5 are pooled, never shown alone
    departments = cells(html, "departments")
    assert "Radiology" not in departments and all(int(v[0]) >= 5 for v in departments.values())
    # where people stop: 3 nurses at statement 3, 3 at statement 4, 1 physician at the first, 1 not started
    q = current_questionnaire()
    nurse_items = q.items_for("nurse")
    stops = cells(html, "stops-statement")
    assert stops[nurse_items[2].text][1] == "3" and stops[nurse_items[3].text][1] == "3"
    assert stops[q.items_for("clinician")[0].text][1] == "1"
    assert stops["Before the first statement (consented, not started)"][1] == "1"
    parts = cells(html, "stops-part")
    assert sum(int(v[0]) for v in parts.values()) == 8
    # and none of it reaches the scorecard: it counts the 24 completed only
    assert load_organisation_scorecard(site["store"], site["code"]).respondents == 24


# --------------------------------------------------------------------------- share


def test_share_page_qr_code_and_poster(site, tmp_path):
    import segno

    client = sign_in(site)
    code = site["code"]
    page = client.get(f"{site['base']}/org/{code}/share").text
    link = f"{site['base']}/?org={code}"
    assert f'value="{link}"' in page and "<svg" in page
    svg = client.get(f"{site['base']}/org/{code}/qr.svg")
    assert svg.headers["Content-Type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
    # the QR code encodes the join link: exactly what segno draws for that link
    assert svg.text == share.qr_svg(link)
    assert segno.make(link, error="m").designator.endswith("-M")
    poster = client.get(f"{site['base']}/org/{code}/poster.pdf")
    assert poster.content.startswith(b"%PDF")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(poster.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert code in text and link in text and "St Mary" in text
    assert re.search(r"Pages:\s+1\b", info) and "595.276 x 841.89" in info  # one A4 page
    # the page also loads the QR library's output for the same link from the CLI
    env = {**os.environ, "READINESS_DATABASE_URL": site["url"], "READINESS_PUBLIC_URL": site["base"]}
    out = subprocess.run([str(READINESS), "org", "qr", code, "-o", str(tmp_path / "qr.svg")], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "qr.svg").read_text() == svg.text
    out = subprocess.run([str(READINESS), "org", "poster", code, "-o", str(tmp_path / "cli.pdf")], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    cli_text = subprocess.run(["pdftotext", str(tmp_path / "cli.pdf"), "-"], capture_output=True, text=True).stdout
    assert link in cli_text
    bad = subprocess.run([str(READINESS), "org", "qr", "ZZZ-ZZZ", "-o", str(tmp_path / "x.svg")], env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and not (tmp_path / "x.svg").exists()


# --------------------------------------------------------------------------- actions


def test_new_round_needs_confirmation(site):
    client = sign_in(site, requests.Session())
    base, code, store = site["base"], site["code"], site["store"]
    before = store.get_organisation(code).current_round
    page = client.get(f"{base}/org/{code}/round").text
    assert f"Start round {before + 1}" in page
    refused = client.post(f"{base}/org/{code}/round", data={"csrf": csrf(page)}, allow_redirects=False)
    assert refused.status_code == 400 and "Tick the box" in refused.text
    assert store.get_organisation(code).current_round == before
    done = client.post(f"{base}/org/{code}/round", data={"csrf": csrf(page), "confirm": "yes"}, allow_redirects=False)
    assert done.status_code == 303 and store.get_organisation(code).current_round == before + 1
    campaign = client.get(base + done.headers["location"]).text
    assert f"Round {before + 1} has started" in campaign and f"Campaign: round {before + 1}" in campaign
    assert re.search(r'id="completed">0<', campaign)  # nobody has finished the new round yet


def test_weights_preview_then_save(site):
    from readiness.scorecard import organisation_scorecard

    client = sign_in(site, requests.Session())
    base, code, store = site["base"], site["other"], site["store"]
    # a second organisation with data of its own (the first one's round moved on above)
    simulate(store, code, current_questionnaire(), get_profile("typical"), 8, seed=5)
    client = requests.Session()
    form = client.get(f"{base}/org/{code}/signin")
    client.post(f"{base}/org/{code}/signin", data={"csrf": csrf(form.text), "token": site["other_token"]})
    page = client.get(f"{base}/org/{code}/weights").text
    q = current_questionnaire()
    values = {f"weight_{c.id}": f"{c.weight:g}" for c in q.challenges}
    first = q.challenges[0]
    for typed in ("-1", "0", "lots", "nan"):
        bad = client.post(f"{base}/org/{code}/weights", data={**values, f"weight_{first.id}": typed, "csrf": csrf(page),
                                                               "action": "save"})
        assert bad.status_code == 400 and f"Weight of “{first.title}” must be a number greater than 0" in bad.text
        assert store.get_organisation(code).weights == {}
    proposed = {**values, f"weight_{first.id}": "3"}
    preview = client.post(f"{base}/org/{code}/weights", data={**proposed, "csrf": csrf(page), "action": "preview"})
    assert preview.status_code == 200 and "Nothing is saved yet" in preview.text
    assert store.get_organisation(code).weights == {}
    frame = store.answers_frame(code)
    expected_before = organisation_scorecard(q, frame, name="x").overall
    expected_after = organisation_scorecard(q, frame, name="x", weights={first.id: 3.0}).overall
    assert re.search(r'id="before">([^<]+)<', preview.text).group(1) == f"{expected_before:.1f}"
    assert re.search(r'id="after">([^<]+)<', preview.text).group(1) == f"{expected_after:.1f}"
    saved = client.post(f"{base}/org/{code}/weights", data={**proposed, "csrf": csrf(page), "action": "save"},
                        allow_redirects=False)
    assert saved.status_code == 303 and store.get_organisation(code).weights == {first.id: 3.0}
    assert load_organisation_scorecard(store, code).overall == pytest.approx(expected_after)


def test_organisations_from_the_web_need_the_server_admin_secret(site, tmp_path):
    base = site["base"]
    client = requests.Session()
    form = client.get(f"{base}/admin/organisations/new")
    assert form.status_code == 200
    wrong = client.post(f"{base}/admin/organisations/new", data={"csrf": csrf(form.text), "name": "New", "secret": "guess"})
    assert wrong.status_code == 401 and "not the server&#39;s admin secret" in wrong.text
    made = client.post(f"{base}/admin/organisations/new",
                       data={"csrf": csrf(form.text), "name": "Newtown General", "secret": ADMIN_SECRET})
    assert made.status_code == 200
    code = re.search(r'id="new-code">([^<]+)<', made.text).group(1)
    token = re.search(r'id="new-token">([^<]+)<', made.text).group(1)
    assert site["store"].get_organisation(code).name == "Newtown General"
    assert requests.get(f"{base}/org/{code}/scorecard.json", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.post(f"{base}/admin/organisations/new", data={"name": "X", "secret": ADMIN_SECRET}).status_code == 403
    # without the secret in the environment the page does not exist
    other = Web({"READINESS_DATABASE_URL": site["url"], "READINESS_DATA_DIR": str(tmp_path), "READINESS_ADMIN_SECRET": "",
                 "SANIC_PROXIES_COUNT": "1"})
    try:
        assert requests.get(f"{other.base}/admin/organisations/new").status_code == 404
        assert requests.post(f"{other.base}/admin/organisations/new", data={"secret": ""}).status_code == 404
        # behind a proxy the app is told about, a sign-in over HTTPS gets a Secure cookie
        form = requests.get(f"{other.base}/org/{site['code']}/signin", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
        assert "Secure" in form.headers["set-cookie"]
        form_cookie = form.headers["set-cookie"].split(";", 1)[0]  # requests keeps Secure cookies for https only
        answer = requests.post(f"{other.base}/org/{site['code']}/signin", allow_redirects=False,
                               headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9", "Cookie": form_cookie},
                               data={"csrf": csrf(form.text), "token": site["token"]})
        assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]
    finally:
        other.stop()


def straight_liner(store: Store, code: str, value: int = 5) -> str:
    """A nurse who gave the same answer to every statement (flagged as straight-lining)."""
    q = current_questionnaire()
    person = store.create_respondent("nurse", organisation_code=code, department="Emergency")
    assessment = store.start_assessment(person.pseudonym, q.version)
    store.record_answers(assessment.id, {item.id: value for item in q.items_for("nurse")})
    store.complete_assessment(assessment.id, version=q.version)
    return person.pseudonym


def test_weights_preview_and_csv_count_the_respondents_the_scorecard_counts(site):
    """Excluding flagged assessments (the organisation's setting) applies to the preview of a
    weight change and to the CSV exactly as to the scorecard: one rule (scorecard.counted)."""
    import io

    import pandas as pd

    from readiness.scorecard import preview_weights

    base, store = site["base"], site["store"]
    org, token = store.create_organisation("Quality Hospital")
    code = org.join_code
    q = current_questionnaire()
    simulate(store, code, q, get_profile("typical"), 12, seed=11)
    flagged = straight_liner(store, code)
    first = q.challenges[0]
    proposed = {first.id: 3.0}
    included = preview_weights(store, code, proposed)
    store.set_exclude_flagged(code, True)
    excluded = preview_weights(store, code, proposed)
    assert excluded.excluded >= 1 and excluded.respondents == included.respondents - excluded.excluded
    assert excluded.before == pytest.approx(load_organisation_scorecard(store, code).overall)
    assert excluded.before != pytest.approx(included.before)  # the straight-liner does move the index
    client = requests.Session()
    form = client.get(f"{base}/org/{code}/signin")
    client.post(f"{base}/org/{code}/signin", data={"csrf": csrf(form.text), "token": token})
    page = client.get(f"{base}/org/{code}/weights").text
    values = {f"weight_{c.id}": f"{c.weight:g}" for c in q.challenges}
    data = {**values, f"weight_{first.id}": "3", "csrf": csrf(page)}
    preview = client.post(f"{base}/org/{code}/weights", data={**data, "action": "preview"})
    shown_after = re.search(r'id="after">([^<]+)<', preview.text).group(1)
    assert shown_after == f"{excluded.after:.1f}" != f"{included.after:.1f}"
    assert "with answer-quality flags left out" in preview.text
    saved = client.post(f"{base}/org/{code}/weights", data={**data, "action": "save"}, allow_redirects=False)
    assert saved.status_code == 303
    card = load_organisation_scorecard(store, code)
    assert card.overall == pytest.approx(excluded.after) and f"{card.overall:.1f}" == shown_after
    assert card.respondents == excluded.respondents
    # the CSV leaves the flagged assessment out too (the HTML/JSON already did), and has it back
    # when the setting is off
    def csv_people() -> set[str]:
        body = client.get(f"{base}/org/{code}/scorecard.csv")
        assert body.status_code == 200
        return set(pd.read_csv(io.StringIO(body.text), dtype=str)["respondent"])

    without = csv_people()
    assert flagged not in without and len(without) == card.respondents
    store.set_exclude_flagged(code, False)
    assert csv_people() == without | {flagged} and len(without | {flagged}) == included.respondents
    cli = subprocess.run([str(READINESS), "report", code, "--format", "csv"], capture_output=True, text=True,
                         env={**os.environ, "READINESS_DATABASE_URL": site["url"]}, cwd=str(site["folder"]))
    assert cli.returncode == 0 and flagged in cli.stdout
    store.set_exclude_flagged(code, True)
    cli = subprocess.run([str(READINESS), "report", code, "--format", "csv"], capture_output=True, text=True,
                         env={**os.environ, "READINESS_DATABASE_URL": site["url"]}, cwd=str(site["folder"]))
    assert cli.returncode == 0 and flagged not in cli.stdout
    assert set(pd.read_csv(io.StringIO(cli.stdout), dtype=str)["respondent"]) == without
