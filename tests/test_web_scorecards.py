"""Web scorecards: admin token required, no leak of which organisations exist, personal links.

sanic-testing is not installed, so the real web app (bot.web.app.create_app) runs in a
subprocess on a free port and is called with urllib.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from readiness.bank import current_questionnaire
from readiness.simulate import get_profile, simulate
from readiness.storage import Store
from tests.bot_stack import free_port

ROOT = Path(__file__).resolve().parents[1]
SERVER = """
import sys
from bot.web.app import create_app
app = create_app()
app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=1, access_log=False, motd=False)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("web") / "web.db"
    url = f"sqlite:///{db}"
    store = Store(url)
    q = current_questionnaire()
    first, first_token = store.create_organisation("First <script>alert(1)</script> Hospital")
    second, second_token = store.create_organisation("Second Hospital")
    simulate(store, first.join_code, q, get_profile("typical"), 6, seed=1)
    person = store.create_respondent("nurse", organisation_code=second.join_code)
    assessment = store.start_assessment(person.pseudonym, q.version)
    store.record_answers(assessment.id, {item.id: 3 for item in q.items_for("nurse")})
    store.complete_assessment(assessment.id)
    port = free_port()
    env = {**os.environ, "READINESS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=str(ROOT), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except (OSError, http.client.HTTPException):  # not up yet (or a TCP self-connect)
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "server did not start")
            time.sleep(0.2)
    yield {"base": base, "first": first.join_code, "first_token": first_token,
           "second": second.join_code, "second_token": second_token, "report": assessment.report_token}
    process.terminate()
    process.wait(timeout=10)


def get(url: str, token: str | None = None) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_admin_token_opens_its_own_organisation(site):  # type: ignore[no-untyped-def]
    status, headers, body = get(f"{site['base']}/org/{site['first']}/", site["first_token"])
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body and b"<script>" not in body
    assert headers["Cache-Control"] == "no-store"
    status, headers, body = get(f"{site['base']}/org/{site['first']}/scorecard", site["first_token"])
    assert status == 200 and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body and b"<script>" not in body
    status, headers, body = get(f"{site['base']}/org/{site['first']}/scorecard.json", site["first_token"])
    assert status == 200 and json.loads(body)["respondents"] == 6
    status, headers, body = get(f"{site['base']}/org/{site['first']}/scorecard.csv", site["first_token"])
    assert status == 200 and body.startswith(b"respondent,role,department")
    assert "attachment" in headers["Content-Disposition"]
    status, _, body = get(f"{site['base']}/org/{site['first']}/scorecard.pdf", site["first_token"])
    assert status == 200 and body.startswith(b"%PDF")


def test_wrong_token_cannot_download_another_organisation(site):  # type: ignore[no-untyped-def]
    responses = [
        get(f"{site['base']}/org/{site['second']}/scorecard.json", site["first_token"]),  # other org's token
        get(f"{site['base']}/org/{site['second']}/scorecard.csv?token=wrong"),
        get(f"{site['base']}/org/ZZZ-ZZZ/scorecard.json", site["first_token"]),  # no such org
        get(f"{site['base']}/org/%3Cbad%3E/", site["first_token"]),  # malformed code
        get(f"{site['base']}/org/{site['second']}/secrets.txt"),  # unknown file, no token
    ]
    assert {status for status, _, _ in responses} == {401}
    assert len({body for _, _, body in responses}) == 1  # the same body whether the org exists or not
    # A page opened without a token leads to the sign-in form, for codes that exist or not alike
    pages = [get(f"{site['base']}/org/{code}/") for code in (site["second"], "ZZZ-ZZZ")]
    assert [status for status, _, _ in pages] == [200, 200]
    same = [re.sub(rb'name="csrf" value="[^"]*"', b"", body.replace(code.encode(), b"CODE"))
            for (_, _, body), code in zip(pages, (site["second"], "ZZZ-ZZZ"))]
    assert same[0] == same[1] and b"Sign in to organisation CODE" in same[0]


def test_personal_scorecard_link(site):  # type: ignore[no-untyped-def]
    status, headers, body = get(f"{site['base']}/me/{site['report']}")
    assert status == 200 and b"Your readiness scorecard" in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    status, _, body = get(f"{site['base']}/me/{site['report']}?format=json")
    assert status == 200 and json.loads(body)["kind"] == "personal"
    assert get(f"{site['base']}/me/not-a-real-token")[0] == 404
    assert get(f"{site['base']}/me/{site['report']}?format=exe")[0] == 404


def post(url: str, fields: dict, token: str | None = None) -> tuple[int, bytes]:
    from urllib.parse import urlencode

    request = urllib.request.Request(url, data=urlencode(fields).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_evidence_form_behind_the_admin_token_saves_and_refuses_bad_values(site):  # type: ignore[no-untyped-def]
    base, code, token = site["base"], site["first"], site["first_token"]
    status, _, signin = get(f"{base}/org/{code}/evidence")  # a page: redirected to sign in
    assert status == 200 and b"Sign in" in signin and b"clinicians_correct" not in signin
    assert post(f"{base}/org/{code}/evidence", {"measure": "staff_trained", "trained": "1", "staff": "2"},
                site["second_token"])[0] == 401  # another organisation's token
    status, _, body = get(f"{base}/org/{code}/evidence", token)
    assert status == 200 and b"Diagnostic accuracy, AI vs clinicians" in body and b'name="clinicians_correct"' in body
    status, body = post(f"{base}/org/{code}/evidence", {
        "measure": "diagnostic_accuracy", "cases": "1000", "ai_correct": "950", "clinicians_correct": "970",
        "source": "PACS audit", "entered_by": "radiology lead"}, token)
    assert status == 200 and b"Saved Diagnostic accuracy" in body and b"95.0 % (95 % CI 93.5" in body
    status, body = post(f"{base}/org/{code}/evidence", {
        "measure": "diagnostic_accuracy", "cases": "100", "ai_correct": "950", "clinicians_correct": "97"}, token)
    assert status == 400 and b"ai_correct=950 is more than cases=100" in body
    status, _, document = get(f"{base}/org/{code}/scorecard.json", token)
    entries = {e["quantity"]: e for e in json.loads(document)["evidence"]}
    assert entries["ai_accuracy"]["n"] == 1000  # the bad submission changed nothing
    status, headers, csv_body = get(f"{base}/org/{code}/evidence.csv", token)
    assert status == 200 and csv_body.startswith(b"measure,quantity") and b"ai_accuracy" in csv_body
    status, headers, csv_body = get(f"{base}/org/{code}/rounds.csv", token)
    assert status == 200 and csv_body.startswith(b"section,measure,round,value,respondents,change")
    assert csv_body.count(b"\n") == 1 and "rounds-" in headers["Content-Disposition"]  # one round: no trend
    assert get(f"{base}/org/{code}/rounds.csv")[0] == 401
    status, _, campaign = get(f"{base}/org/{code}/", token)
    assert status == 200 and b"/evidence" in campaign  # the console links the form
    status, _, scorecard = get(f"{base}/org/{code}/scorecard", token)
    assert b"Evidence beside perceptions" in scorecard
    status, _, share = get(f"{base}/org/{code}/share", token)
    assert b"patient-poster.pdf" in share and b"audience=patient" in share


def test_patient_poster_download(site):  # type: ignore[no-untyped-def]
    base, code, token = site["base"], site["first"], site["first_token"]
    assert get(f"{base}/org/{code}/patient-poster.pdf")[0] == 401
    status, headers, body = get(f"{base}/org/{code}/patient-poster.pdf", token)
    assert status == 200 and body.startswith(b"%PDF") and "attachment" in headers["Content-Disposition"]
