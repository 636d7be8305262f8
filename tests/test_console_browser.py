"""The console and the scorecards in a real browser (headless Debian chromium via Playwright)
against the real web app: axe-core (npm, locked in bot/web/package-lock.json) over every page
with 0 WCAG 2.1 A/AA violations, and the keyboard path through the console (sign in, open the
campaign, start a round with its confirmation). Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from bot.servers import wait_until_up
from readiness.bank import current_questionnaire
from readiness.simulate import get_profile, simulate
from readiness.storage import Store
from tests.stack import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, free_port

AXE = ROOT / "bot" / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ADMIN_SECRET = "a server admin secret for the browser test"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("console-browser")
    url = f"sqlite:///{folder / 'browser.db'}"
    store = Store(url)
    q = current_questionnaire()
    org, token = store.create_organisation("Harbour View Hospital")
    simulate(store, org.join_code, q, get_profile("typical"), 40, seed=21)
    store.start_new_round(org.join_code)
    simulate(store, org.join_code, q, get_profile("typical"), 30, seed=22)
    for n in range(5):  # people who stopped part-way
        person = store.create_respondent("nurse", organisation_code=org.join_code, department="Emergency")
        assessment = store.start_assessment(person.pseudonym, q.version)
        store.record_answers(assessment.id, {item.id: 4 for item in q.items_for("nurse")[: 3 + n]})
    person = store.create_respondent("clinician", organisation_code=org.join_code)
    mine = store.start_assessment(person.pseudonym, q.version)
    store.record_answers(mine.id, {item.id: 2 for item in q.items_for("clinician")})
    store.complete_assessment(mine.id)
    port = free_port()
    log = folder / "web.log"
    env = {**os.environ, "READINESS_DATABASE_URL": url, "READINESS_DATA_DIR": str(folder), "RASA_PORT": "5999",
           "READINESS_RASA_URL": "", "READINESS_ADMIN_SECRET": ADMIN_SECRET, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as handle:
        process = subprocess.Popen([sys.executable, "-m", "bot.web.app", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", 60, process)
        yield {"base": f"http://127.0.0.1:{port}", "code": org.join_code, "token": token, "store": store,
               "report": mine.report_token}
    finally:
        process.terminate()
        process.wait(timeout=15)
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


def test_axe_finds_no_wcag_violations_on_any_page(site, browser):
    base, code = site["base"], site["code"]
    # the pages' CSP forbids injected scripts: the audit context bypasses it (the pages do not)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    checked: dict[str, list] = {}

    def audit(name: str, status: int | None = None) -> None:
        if status is not None:
            assert page.evaluate("document.readyState") == "complete"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)
        checked[name] = axe_violations(page)

    page.goto(f"{base}/")
    audit("chat")
    answer = page.goto(f"{base}/org/{code}/")
    assert "/signin" in page.url and answer.status == 200
    audit("signin")
    page.fill("#token", "wrong token")
    page.click("button[type=submit]")
    assert page.locator(".error").is_visible()
    audit("signin-error")
    page.fill("#token", site["token"])
    page.click("button[type=submit]")
    assert page.url.endswith(f"/org/{code}/")
    audit("campaign")
    for name in ("share", "round", "weights", "scorecard", "evidence"):
        assert page.goto(f"{base}/org/{code}/{name}").status == 200, name
        audit(name)
    page.goto(f"{base}/org/{code}/weights")
    page.click("button[value=preview]")
    assert page.locator("#preview").is_visible()
    audit("weights-preview")
    page.goto(f"{base}/me/{site['report']}")
    audit("personal-scorecard")
    for name, path, status in (("error-404", "/me/no-such-link", 404), ("error-404-page", "/nowhere", 404),
                               ("error-401", "/org/ZZZ-ZZZ/scorecard.json", 401)):
        assert page.goto(base + path).status == status, name
        assert page.locator("main h1").count() == 1
        audit(name)
    assert page.goto(f"{base}/admin/organisations/new").status == 200
    audit("new-organisation")
    context.close()
    failing = {name: found for name, found in checked.items() if found}
    assert not failing, json.dumps(failing, indent=1)
    assert len(checked) == 15


def _tab_to(page, selector: str, limit: int = 40) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element matching `selector` has the focus (fails if never)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the keyboard")


def test_keyboard_path_sign_in_campaign_and_a_new_round(site, browser):
    base, code, store = site["base"], site["code"], site["store"]
    before = store.get_organisation(code).current_round
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/org/{code}/")
    _tab_to(page, "#token")
    page.keyboard.type(site["token"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/org/{code}/")
    assert page.locator("h1").inner_text() == f"Campaign: round {before}"
    assert page.locator("#completed").inner_text() == "31"  # 30 simulated + the personal one
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["readiness_session"]["httpOnly"] and cookies["readiness_session"]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("readiness_session") == -1  # not readable by scripts
    _tab_to(page, "nav a[href$='/round']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/org/{code}/round")
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")  # without the confirmation box: refused, nothing changes
    page.wait_for_selector(".error")
    assert store.get_organisation(code).current_round == before
    _tab_to(page, "#confirm")
    page.keyboard.press("Space")
    assert page.is_checked("#confirm")
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/org/{code}/?done=round-{before + 1}")
    assert f"Round {before + 1} has started" in page.locator("main").inner_text()
    assert store.get_organisation(code).current_round == before + 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-keyboard-new-round.png"), full_page=True)
    # sign out with the keyboard too
    _tab_to(page, "form.signout button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/org/{code}/signin?out=1")
    assert page.goto(f"{base}/org/{code}/").url.startswith(f"{base}/org/{code}/signin")
    context.close()


def test_campaign_share_weights_and_csrf_in_the_browser(site, browser):
    """What a lead does after signing in, clicked through in the browser."""
    base, code, store = site["base"], site["code"], site["store"]
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/org/{code}/signin")
    page.fill("#token", site["token"])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/org/{code}/")
    # campaign figures against the database (the current round)
    rows = store.campaign_rows(code)
    assert page.locator("#consented").inner_text() == str(len(rows))
    assert page.locator("#started").inner_text() == str(sum(r.started_at is not None for r in rows))
    assert page.locator("#completed").inner_text() == str(sum(r.completed_at is not None for r in rows))
    # share: the join link, a drawn QR code, the poster as a download
    page.click("nav a[href$='/share']")
    assert page.input_value("#join-link") == f"{base}/?org={code}"
    box = page.locator("figure.qr svg").bounding_box()
    assert box and box["width"] >= 200 and box["height"] >= 200
    with page.expect_download() as download:
        page.click("a[href$='/poster.pdf']")
    assert download.value.suggested_filename == f"poster-{code}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    # weights: preview shows the effect, saving needs the second step
    page.click("nav a[href$='/weights']")
    first = current_questionnaire().challenges[0]
    page.fill(f"#w-{first.id}", "2.5")
    page.click("button[value=preview]")
    assert page.locator("#preview").is_visible() and store.get_organisation(code).weights == {}
    page.click("button[value=save]")
    page.wait_for_url(f"{base}/org/{code}/?done=weights")
    assert store.get_organisation(code).weights == {first.id: 2.5}
    # a forged form (right cookie, wrong CSRF token) is refused
    page.goto(f"{base}/org/{code}/round")
    round_before = store.get_organisation(code).current_round
    page.evaluate("() => { document.querySelector('main input[name=csrf]').value = 'forged'; "
                  "document.querySelector('#confirm').checked = true; document.querySelector('main form').submit(); }")
    page.wait_for_function("() => document.title.startsWith('Form refused')")
    assert page.locator("main h1").inner_text() == "Form refused"
    assert store.get_organisation(code).current_round == round_before
    # the radar's labels lie inside the drawing (nothing clipped), measured by the browser
    page.goto(f"{base}/org/{code}/scorecard")
    outside = page.evaluate("""() => {
        const svg = document.querySelector('svg[aria-labelledby=radar-title]');
        const [x0, y0, w, h] = svg.getAttribute('viewBox').split(' ').map(Number);
        return [...svg.querySelectorAll('text')].map(t => t.getBBox())
            .filter(b => b.x < x0 || b.y < y0 || b.x + b.width > x0 + w || b.y + b.height > y0 + h).length;
    }""")
    assert outside == 0
    assert page.locator("svg[aria-labelledby=radar-title] text").count() == 9
    assert page.locator("table.heat").count() == 1 and page.locator("svg[aria-labelledby=trend-title]").count() == 1
    context.close()
