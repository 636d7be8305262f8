"""The chat widget in a real browser (headless Debian chromium via Playwright) against the real stack.

Screenshots go to test-artifacts/screenshots/ (gitignored). The fast tests at the top check the
web app's HTTP side without a browser or Rasa.
"""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from bot.servers import wait_until_up
from readiness.bank import current_questionnaire
from readiness.model import NOT_APPLICABLE
from readiness.patient import PATIENT_AUDIENCE, PATIENT_ROLE
from readiness.scorecard import load_organisation_scorecard
from readiness.simulate import get_profile, simulate
from readiness.storage import Store
from tests.stack import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, WebStack, free_port, web_stack  # noqa: F401

STATIC = ROOT / "bot" / "web" / "static"
TURN_TIMEOUT = 30_000  # ms: one bot reply (Rasa + action server on 2 shared cores)


# --- the web app alone (fast) --------------------------------------------------------------------


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("web") / "web.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.web.app", "--port", str(port)], cwd=ROOT,
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
            env={**__import__("os").environ, "RASA_PORT": "5999", "READINESS_RASA_URL": ""},
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", 60, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def _fetch(url: str) -> tuple[int, dict[str, str], str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


def test_health_page_and_static_files(web_app: str) -> None:
    status, _, body = _fetch(f"{web_app}/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, headers, page = _fetch(f"{web_app}/?org=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert status == 200
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page  # the join code is escaped
    assert 'data-rasa-port="5999"' in page
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["Referrer-Policy"] == "no-referrer"  # scorecard tokens never leak in Referer
    for path, kind in (("/static/widget.js", "javascript"), ("/static/embed.js", "javascript"),
                       ("/static/widget.css", "css"), ("/static/vendor/socket.io.min.js", "javascript")):
        status, headers, body = _fetch(web_app + path)
        assert status == 200 and kind in headers["Content-Type"], path
    _, _, client = _fetch(f"{web_app}/static/vendor/socket.io.min.js")
    assert re.search(r"Socket\.IO v4\.\d+\.\d+", client)  # the locked npm package, not a CDN copy
    with pytest.raises(urllib.error.HTTPError) as error:
        _fetch(f"{web_app}/static/../app.py")
    assert error.value.code == 404


def test_widget_never_parses_bot_text_as_html() -> None:
    source = (STATIC / "widget.js").read_text() + (STATIC / "embed.js").read_text()
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert risky not in source, risky
    page = (ROOT / "bot" / "web" / "templates" / "chat.html").read_text()
    assert "cdn" not in page.lower() and "https://" not in page


# --- the whole product in a browser (slow) --------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def enabled(selector: str = "") -> str:
    return f"button.rc-reply:not([disabled]){selector}"


def wait_buttons(page, payload_start: str) -> None:
    page.wait_for_selector(enabled(f"[data-payload^='{payload_start}']"), timeout=TURN_TIMEOUT)


def progress(page) -> dict[str, int | str]:
    track = page.locator(".rc-progress-track")
    return {
        "answered": int(track.get_attribute("aria-valuenow") or -1),
        "questions": int(track.get_attribute("aria-valuemax") or -1),
        "question": int(track.get_attribute("data-question") or -1),
        "challenge": int(track.get_attribute("data-challenge") or -1),
        "text": page.locator(".rc-progress-text").inner_text(),
    }


def wait_answered(page, count: int) -> None:
    page.wait_for_function(
        """count => {
            const track = document.querySelector('.rc-progress-track');
            return track && Number(track.getAttribute('aria-valuenow')) >= count;
        }""",
        arg=count, timeout=TURN_TIMEOUT,
    )


def current_question(page) -> str:
    """The statement whose answer buttons are still active."""
    group = page.locator(enabled()).first.locator("xpath=ancestor::div[contains(@class,'rc-msg')]")
    return group.locator(".rc-bubble").inner_text()


def type_message(page, text: str) -> None:
    page.fill(".rc-input", text)
    page.press(".rc-input", "Enter")


@pytest.mark.slow
def test_whole_assessment_in_the_browser_with_reload(web_stack: WebStack, browser) -> None:
    store = Store(web_stack.settings.database_url)
    organisation, _token = store.create_organisation("St Example Hospital")
    nurse_items = current_questionnaire().items_for("nurse")
    total = len(nurse_items)
    context = browser.new_context(viewport={"width": 1024, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{web_stack.url}/?org={organisation.join_code}")
        log = page.locator(".rc-log")
        assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
        assert page.locator("label[for='rc1-input']").count() == 1

        # the bot introduces itself on the first visit (a hidden /greet), consent by click
        wait_buttons(page, "/affirm")
        assert "readiness" in log.inner_text().lower()
        assert page.locator(".rc-user").count() == 0  # the greeting sent for us is not shown
        shot(page, "01-welcome.png")
        page.click(enabled("[data-payload='/affirm']"))
        page.wait_for_selector(".rc-user >> text=Yes, I agree")
        assert page.locator("button.rc-reply[data-payload='/deny']").is_disabled()  # used buttons are closed

        # role by click, department as free text; the join code came with ?org= as metadata
        wait_buttons(page, "/inform_role")
        page.click(enabled("[data-payload*='\"nurse\"']"))
        wait_buttons(page, "/skip")
        type_message(page, "Cardiology")
        wait_buttons(page, "/answer")
        assert "St Example Hospital" in log.inner_text()
        # the progress JSON is a separate bot message right after the question's buttons
        page.wait_for_function(
            "() => document.querySelector('.rc-progress-track')?.getAttribute('data-question') === '1'",
            timeout=TURN_TIMEOUT)
        first = progress(page)
        assert first == {**first, "answered": 0, "question": 1, "challenge": 1, "questions": total}
        assert re.match(rf"Challenge 1 of 9: .+ · Question 1 of {total}$", first["text"])
        shot(page, "02-first-question.png")

        typed = {2: ("agree", 4), 5: ("4", 4), 8: ("not really", 2), 16: ("strongly agree", 5)}
        expected: dict[str, object] = {}
        challenges_seen = set()
        reloaded = False
        for index, item in enumerate(nurse_items):
            state = progress(page)
            assert (state["answered"], state["question"]) == (index, index + 1), state
            challenges_seen.add(state["challenge"])
            assert item.text in current_question(page)
            if index in typed:
                text, value = typed[index]
                type_message(page, text)
                page.wait_for_function(
                    "text => { const all = document.querySelectorAll('.rc-user .rc-bubble');"
                    " return all.length && all[all.length - 1].textContent.endsWith(text) }", arg=text)
            else:
                value = (index % 5) + 1 if index % 7 else "n/a"
                payload = f'/answer{{"item": "{item.id}", "likert": {json.dumps(value)}}}'
                button = page.locator(enabled(f"[data-payload='{payload}']"))
                title = button.inner_text()
                button.click()
                assert page.locator(".rc-chosen").last.inner_text() == title
            expected[item.id] = value
            if index == total - 1:
                break
            wait_answered(page, index + 1)
            page.wait_for_selector(enabled("[data-payload^='/answer']"), timeout=TURN_TIMEOUT)
            assert page.locator(".rc-typing").is_hidden()  # the reply came: no typing indicator

            if index == 9 and not reloaded:
                # reload mid-way: the transcript and the current question are still there
                reloaded = True
                session = page.evaluate("localStorage.getItem('readiness-chat:session')")
                messages = page.locator(".rc-msg").count()
                question = current_question(page)
                before = progress(page)
                shot(page, "03-before-reload.png")
                page.reload()
                page.wait_for_selector(enabled("[data-payload^='/answer']"), timeout=TURN_TIMEOUT)
                page.wait_for_selector("section.rc[data-session]", timeout=TURN_TIMEOUT)
                assert page.evaluate("localStorage.getItem('readiness-chat:session')") == session
                assert page.locator(".rc-msg").count() == messages
                assert current_question(page) == question
                assert progress(page) == before
                # scrolled to the end: the current question's last option is in view
                page.wait_for_function(
                    "() => { const log = document.querySelector('.rc-log');"
                    " const last = [...log.querySelectorAll('button.rc-reply:not([disabled])')].pop();"
                    " return last.getBoundingClientRect().bottom <= log.getBoundingClientRect().bottom + 1 }",
                    timeout=5000)
                assert page.locator(".rc-user:has-text('not really')").count() == 1
                shot(page, "04-after-reload.png")

        assert challenges_seen == set(range(1, 10))

        # the summary: a card with the index and the scorecard link, bars in a monospace block
        page.wait_for_selector(".rc-summary", timeout=TURN_TIMEOUT)
        page.wait_for_function("document.querySelector('.rc-progress-track').getAttribute('aria-valuenow') == "
                               f"'{total}'", timeout=TURN_TIMEOUT)
        assert progress(page)["text"].startswith("Assessment complete")
        bars = page.locator("pre.rc-bars")
        assert bars.count() == 1 and len(bars.inner_text().splitlines()) == 9
        assert bars.evaluate("e => getComputedStyle(e).fontFamily").lower().find("mono") >= 0
        link = page.locator(".rc-summary-link")
        href = link.get_attribute("href")
        assert href.startswith(f"{web_stack.url}/me/")
        assert page.locator(f".rc-link[href='{href}']").count() == 1  # the URL in the text is a link too
        assert not page.locator(enabled()).count()
        scorecard = page.request.get(href)  # the web app serves the personal scorecard link
        assert scorecard.status == 200 and "text/html" in scorecard.headers["content-type"]
        bars.scroll_into_view_if_needed()
        shot(page, "05-summary-bars.png")
        page.locator(".rc-summary").scroll_into_view_if_needed()
        shot(page, "06-summary-scorecard-link.png")

        # what the browser sent is what was stored
        assessment = store.assessment_by_report_token(href.rsplit("/", 1)[1])
        assert assessment is not None and assessment.completed
        stored = store.answers(assessment.id)
        assert stored == {k: NOT_APPLICABLE if v == "n/a" else v for k, v in expected.items()}
        respondent = store.get_respondent(assessment.respondent)
        assert respondent.organisation_code == organisation.join_code
        assert respondent.department == "Cardiology"
        assert not errors, errors
    finally:
        context.close()
        store.close()


@pytest.mark.slow
def test_keyboard_only_at_360px(web_stack: WebStack, browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(f"{web_stack.url}/")
        wait_buttons(page, "/affirm")

        def tab_to_reply(limit: int = 12) -> str:
            """Press Tab until an active quick reply has the focus; return its payload."""
            page.evaluate("document.activeElement && document.activeElement.blur()")
            for _ in range(limit):
                page.keyboard.press("Tab")
                payload = page.evaluate(
                    "(() => { const e = document.activeElement;"
                    " return e && e.matches('button.rc-reply:not([disabled])') ? e.dataset.payload : null })()"
                )
                if payload:
                    return payload
            raise AssertionError("Tab never reached a quick reply")

        assert tab_to_reply() == "/affirm"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
        assert outline not in ("", "0px"), "focus must be visible"
        page.keyboard.press("Enter")
        wait_buttons(page, "/inform_role")
        # after a button answer, the focus moves to the next question's first option
        page.wait_for_function("document.activeElement.matches('button.rc-reply:not([disabled])')")
        page.keyboard.press("Tab")  # second role: nurse
        assert "nurse" in page.evaluate("document.activeElement.dataset.payload")
        page.keyboard.press("Enter")
        wait_buttons(page, "/skip")
        page.keyboard.press("Enter")  # the focus is on Skip
        wait_buttons(page, "/no_code")
        page.keyboard.press("Enter")  # no join code
        wait_buttons(page, "/answer")
        # a Likert answer by keyboard: Tab to it from the top, Enter
        payload = tab_to_reply()
        assert payload.startswith("/answer")
        page.keyboard.press("Enter")
        wait_answered(page, 1)
        # typing works from the keyboard too
        page.focus(".rc-input")
        page.keyboard.type("agree")
        page.keyboard.press("Enter")
        wait_answered(page, 2)
        # 360 px: nothing wider than the screen, buttons fully visible
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for box in page.locator(enabled()).evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
            assert box <= 360
        shot(page, "07-mobile-360px.png")
    finally:
        context.close()


@pytest.mark.slow
def test_one_snippet_embeds_the_widget_in_another_page(web_stack: WebStack, browser) -> None:
    """An intranet page (another origin) with only the documented <script> snippet."""
    rasa = f"http://localhost:{web_stack.settings.rasa_port}"
    intranet = (
        "<!doctype html><html lang='en'><head><title>Intranet</title></head><body><h1>Staff portal</h1>"
        f"<script src='{web_stack.url}/static/embed.js' data-rasa-url='{rasa}' data-org='NOPE-000' async></script>"
        "</body></html>"
    )
    # A real server on another origin (Chromium refuses loopback scripts to "public" pages).
    class Intranet(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = intranet.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Intranet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1024, "height": 760})
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/portal")
        toggle = page.locator("button.rc-launcher")
        toggle.wait_for(timeout=TURN_TIMEOUT)
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        wait_buttons(page, "/affirm")
        assert page.evaluate("localStorage.getItem('readiness-chat:org')") == '"NOPE-000"'
        shot(page, "08-embedded-in-intranet-page.png")
        page.keyboard.press("Escape")
        assert page.locator(".rc-floating").is_hidden()
        assert page.evaluate("document.activeElement.classList.contains('rc-launcher')")
    finally:
        context.close()
        server.shutdown()


@pytest.mark.slow
def test_typed_answers_are_echoed_and_proposals_confirmed_in_the_widget(web_stack: WebStack, browser) -> None:
    """The three outcomes in the widget: a typed answer is echoed, a proposal is confirmed with
    one click on its first quick reply, and another proposal is replaced by typing."""
    store = Store(web_stack.settings.database_url)
    items = current_questionnaire().items_for("nurse")
    context = browser.new_context(viewport={"width": 1024, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def bot_says(text: str) -> None:
        page.wait_for_selector(f".rc-msg:not(.rc-user) .rc-bubble >> text={text}", timeout=TURN_TIMEOUT)

    def first_reply() -> str:
        return page.locator(enabled()).first.get_attribute("data-payload")

    try:
        page.goto(f"{web_stack.url}/")
        wait_buttons(page, "/affirm")
        page.click(enabled("[data-payload='/affirm']"))
        wait_buttons(page, "/inform_role")
        page.click(enabled("[data-payload*='\"nurse\"']"))
        wait_buttons(page, "/skip")
        page.click(enabled("[data-payload='/skip']"))
        wait_buttons(page, "/no_code")
        page.click(enabled("[data-payload='/no_code']"))
        wait_buttons(page, "/answer")
        session = json.loads(page.evaluate("localStorage.getItem('readiness-chat:session')"))

        type_message(page, "mostly agree")  # certain: stored and echoed
        bot_says("Noted: 4 – Agree.")
        wait_answered(page, 1)
        assert items[1].text in current_question(page)

        type_message(page, "kind of true")  # plausible: proposed, one click confirms
        bot_says("I read that as 4 – Agree. Is that right?")
        wait_buttons(page, f'/answer{{"item": "{items[1].id}", "likert": 4}}')
        assert first_reply() == f'/answer{{"item": "{items[1].id}", "likert": 4}}'
        assert page.locator(enabled()).count() == 6
        assert progress(page)["answered"] == 1  # nothing stored yet, still on the same statement
        shot(page, "07-proposal.png")
        page.locator(enabled()).first.click()
        wait_answered(page, 2)
        page.wait_for_selector(enabled(f"[data-payload*='\"{items[2].id}\"']"), timeout=TURN_TIMEOUT)

        type_message(page, "sort of false")  # a proposal of 2 …
        page.wait_for_function(
            "payload => { const b = document.querySelector('button.rc-reply:not([disabled])');"
            " return b && b.dataset.payload === payload }",
            arg=f'/answer{{"item": "{items[2].id}", "likert": 2}}', timeout=TURN_TIMEOUT)
        type_message(page, "kind of true")  # … replaced by typing another answer
        page.wait_for_function(
            "payload => { const b = document.querySelector('button.rc-reply:not([disabled])');"
            " return b && b.dataset.payload === payload }",
            arg=f'/answer{{"item": "{items[2].id}", "likert": 4}}', timeout=TURN_TIMEOUT)
        assert progress(page)["answered"] == 2
        page.locator(enabled()).first.click()
        wait_answered(page, 3)

        respondent = store.respondent_for_sender(session)
        assessment = store.open_assessment(respondent.pseudonym)
        assert store.answers(assessment.id) == {items[0].id: 4, items[1].id: 4, items[2].id: 4}
        assert not errors, errors
    finally:
        context.close()
        store.close()


PATIENT_WORDS = ["Yes, definitely", "Yes, mostly", "Partly", "Not really", "No, not at all", "Not sure"]


@pytest.mark.slow
def test_patient_survey_in_the_widget_stays_out_of_the_staff_index(web_stack: WebStack, browser) -> None:
    """Issue 11 §2 in the browser: `?audience=patient&org=CODE` opens the patients' survey (the
    widget sends the audience with every message's metadata); answers by patient-word buttons and
    one typed answer are stored under audience "patient" and leave the staff scorecard as it was."""
    store = Store(web_stack.settings.database_url)
    organisation, _token = store.create_organisation("St Patient Hospital")
    code = organisation.join_code
    simulate(store, code, current_questionnaire(), get_profile("typical"), 6, seed=11)
    staff_before = load_organisation_scorecard(store, code)
    staff_rows_before = len(store.answers_frame(code))
    assert staff_before.respondents == 6 and staff_before.overall is not None
    context = browser.new_context(viewport={"width": 1024, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{web_stack.url}/?audience=patient&org={code}")
        log = page.locator(".rc-log")
        wait_buttons(page, "/affirm")
        assert "survey for patients" in log.inner_text()
        assert page.locator("h1").inner_text() == "AI in your care: a short survey"
        page.click(enabled("[data-payload='/affirm']"))
        wait_buttons(page, "/answer")
        assert "Your answers go to St Patient Hospital" in log.inner_text()

        # button values by position (5 … 1, "n/a" = Not sure); the third statement is typed
        plan: list[object] = [5, "n/a", "sort of", 2, 4, 1]
        expected: dict[str, object] = {}
        while page.locator(enabled("[data-payload^='/answer']")).count():
            buttons = page.locator(enabled())
            assert buttons.all_inner_texts() == PATIENT_WORDS
            item = json.loads(buttons.first.get_attribute("data-payload")[len("/answer"):])["item"]
            assert item not in expected, f"{item} asked twice"
            choice = plan[len(expected)]
            if choice == "sort of":
                type_message(page, "sort of")
                value: object = 3
            else:
                value = choice
                payload = f'/answer{{"item": "{item}", "likert": {json.dumps(value)}}}'
                button = page.locator(enabled(f"[data-payload='{payload}']"))
                title = button.inner_text()
                button.click()
                assert page.locator(".rc-chosen").last.inner_text() == title
            expected[item] = value
            # the next statement's buttons, or the end of the survey
            page.wait_for_function(
                """item => [...document.querySelectorAll('button.rc-reply:not([disabled])')]
                     .some(b => b.dataset.payload.startsWith('/answer') && !b.dataset.payload.includes('"' + item + '"'))
                   || document.querySelector('.rc-log').innerText.includes('Thank you for helping your hospital')""",
                arg=item, timeout=TURN_TIMEOUT)
        transcript = log.inner_text()
        assert "Thank you for helping your hospital" in transcript
        assert 1 <= len(expected) <= 6
        assert page.locator(".rc-user:has-text('sort of')").count() == 1
        # no staff question was asked: no role or department, no role buttons ever shown
        assert "role" not in transcript.lower() and "department" not in transcript.lower()
        assert page.locator("button.rc-reply[data-payload^='/inform_role']").count() == 0
        finished = progress(page)  # the bar is full and says so, not "Question 5 of 5"
        assert finished["text"] == f"Survey complete: all {len(expected)} questions answered"
        assert finished["answered"] == finished["questions"] == len(expected)
        shot(page, "09-patient-survey-done.png")

        # what the browser sent is what was stored, under the patient audience
        session = json.loads(page.evaluate("localStorage.getItem('readiness-chat-patient:session')"))
        respondent = store.respondent_for_sender(session)
        assert respondent is not None and respondent.organisation_code == code
        assert (respondent.audience, respondent.role, respondent.department) == (PATIENT_AUDIENCE, PATIENT_ROLE, None)
        patient = store.answers_frame(code, audience="patient")
        mine = patient[patient["respondent"].astype(str) == respondent.pseudonym]
        assert len(mine) == len(patient) and mine["completed"].all()
        stored = {str(row.item_id): NOT_APPLICABLE if row.not_applicable else int(row.value)
                  for row in mine.itertuples()}
        assert stored == {k: NOT_APPLICABLE if v == "n/a" else v for k, v in expected.items()}
        # the staff index is exactly what it was: the patient is not a staff respondent
        staff = store.answers_frame(code)
        assert len(staff) == staff_rows_before and respondent.pseudonym not in set(staff["respondent"].astype(str))
        staff_after = load_organisation_scorecard(store, code)
        assert (staff_after.respondents, staff_after.overall) == (staff_before.respondents, staff_before.overall)
        assert [c.score for c in staff_after.challenges] == [c.score for c in staff_before.challenges]
        assert not errors, errors
    finally:
        context.close()
        store.close()
