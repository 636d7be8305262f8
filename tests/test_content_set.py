"""The content gate: all seven files from one folder, checked together; the live copy keeps the
last valid content when an edit is broken; the fingerprint; the declared chat messages."""

from __future__ import annotations

import ast
import http.client
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from readiness.answers import parse_answer
from readiness.bank import CONTENT_DIR_ENV, PACKAGED_CONTENT_DIR, current_questionnaire
from readiness.chat_text import MESSAGES, load_chat_texts
from readiness.content_set import ContentError, ContentSet, load_content
from readiness.dialogue import ChatState, Conversation, UserTurn
from readiness.live_content import content_problem, content_state, current_content
from readiness.simulate import get_profile, load_profiles
from readiness.storage import Store

ROOT = Path(__file__).resolve().parents[1]
READINESS = ROOT / "readiness"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An editable copy of the packaged content, served through $READINESS_CONTENT_DIR."""
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    monkeypatch.setenv(CONTENT_DIR_ENV, str(directory))
    return directory


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) and make sure the change is seen as a change even on
    file systems with coarse timestamps (the size or inode may stay the same)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    before = path.stat().st_mtime_ns
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


# ---------------------------------------------------------------------------- one folder


def test_packaged_content_is_one_valid_set() -> None:
    content = load_content(PACKAGED_CONTENT_DIR)
    assert isinstance(content, ContentSet)
    assert content.version == content.questionnaire.version == "2026.1"
    assert content.directory == PACKAGED_CONTENT_DIR
    assert set(content.chat.messages) == set(MESSAGES)
    assert {"seed-study", "typical"} <= set(content.cohort_profiles)
    assert parse_answer("mostly agree", content.vocabulary) == 4
    assert len(content.fingerprint) == 64 and content.short_fingerprint == content.fingerprint[:12]


def test_chat_wording_honours_the_content_dir(folder: Path, tmp_path: Path) -> None:
    edit(folder / "chat.yml", "Hello! I'm the generative-AI readiness assistant.",
         "Kia ora! I'm St Mary's readiness helper.")
    assert current_content().chat.say("welcome", minutes=7).startswith("Kia ora! I'm St Mary's")
    assert load_chat_texts().say("welcome", minutes=7).startswith("Kia ora!")
    # and the conversation says it, with no restart
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        reply = Conversation(store).handle("s1", ChatState(), UserTurn("hi", "greet", 0.95, {}, {}))
        assert reply.messages[0].text.startswith("Kia ora! I'm St Mary's")
        edit(folder / "chat.yml", "Kia ora!", "Good morning!")
        reply = Conversation(store).handle("s2", ChatState(), UserTurn("hi", "greet", 0.95, {}, {}))
        assert reply.messages[0].text.startswith("Good morning!")
    finally:
        store.close()


def test_answer_phrases_honour_the_content_dir(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_answer("right as rain") is None
    edit(folder / "answer_phrases.yml", "    - very strongly agree\n",
         "    - very strongly agree\n    - right as rain\n")
    assert parse_answer("right as rain") == 5
    assert parse_answer("right as rain", current_content().vocabulary) == 5
    monkeypatch.delenv(CONTENT_DIR_ENV)
    assert parse_answer("right as rain") is None


def test_cohort_profiles_honour_the_content_dir(folder: Path) -> None:
    edit(folder / "cohort_profiles.yml", "description: A typical hospital",
         "description: Our own hospital")
    assert get_profile("typical").description.startswith("Our own hospital")
    assert load_profiles()["typical"] is current_content().cohort_profiles["typical"]


def test_bank_honours_the_content_dir(folder: Path) -> None:
    edit(folder / "bank.yml", 'version: "2026.1"', 'version: "st-marys-3"')
    assert current_questionnaire().version == current_content().version == "st-marys-3"


# ---------------------------------------------------------------------------- live reload


def test_broken_edit_keeps_the_last_valid_content(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = current_content()
    assert content_problem() is None
    bank = folder / "bank.yml"
    edit(bank, "roles:\n", "roles:\n  - id: [broken\n")
    caplog.set_level(logging.ERROR, logger="readiness.content")
    for _ in range(25):
        assert current_content() is good
        assert current_questionnaire() is good.questionnaire
    problem = content_problem()
    assert problem is not None and f"{bank}:" in problem and "malformed YAML" in problem
    line = int(problem.split(f"{bank}:", 1)[1].split(":", 1)[0])
    assert line == line_of(bank, "[broken") + 1 or line == line_of(bank, "[broken")
    errors = [r for r in caplog.records if r.name == "readiness.content" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and f"{bank}:{line}" in errors[0].getMessage()
    state = content_state()
    assert not state.ok and state.version == good.version and state.fingerprint == good.fingerprint

    # a second, different broken edit is logged once more
    edit(bank, "  - id: [broken\n", "  - id: [still broken\n")
    for _ in range(5):
        assert current_content() is good
    errors = [r for r in caplog.records if r.name == "readiness.content" and r.levelno == logging.ERROR]
    assert len(errors) == 2

    # fixed, and reworded: the new content is served and the problem clears
    edit(bank, "  - id: [still broken\n", "")
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    first = data["challenges"][0]["items"][0]
    edit(bank, first["text"].split("\n")[0].strip()[:30], "Reworded, " + first["text"].strip()[:30])
    fixed = current_content()
    assert fixed is not good and content_problem() is None and content_state().ok
    assert fixed.questionnaire.item(first["id"]).text.startswith("Reworded, ")
    assert fixed.fingerprint != good.fingerprint


def test_broken_chat_edit_keeps_the_bot_talking(folder: Path) -> None:
    good = current_content()
    edit(folder / "chat.yml", "Your readiness index: {score}", "Your readiness index: {scroe}")
    assert current_content() is good
    assert current_content().chat.say("summary_title", score=50, tier="Developing").startswith(
        "Your readiness index: 50")
    problem = content_problem()
    assert problem is not None
    assert f"{folder / 'chat.yml'}:{line_of(folder / 'chat.yml', '{scroe}')}:" in problem
    assert "summary_title" in problem and "{scroe}" in problem and "{score}" in problem


def test_first_load_failure_is_raised_clearly(tmp_path: Path) -> None:
    """A process that never had valid content refuses to start, naming file:line."""
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    edit(directory / "tiers.yml", "tiers:\n", "tiers:\n  - id: [oops\n")
    script = ("from readiness.live_content import current_content, content_problem\n"
              "from readiness.content_set import ContentError\n"
              "try:\n    current_content()\nexcept ContentError as e:\n    print('REFUSED', e)\n"
              "print('PROBLEM', content_problem())\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, CONTENT_DIR_ENV: str(directory)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"REFUSED {directory / 'tiers.yml'}:" in result.stdout
    assert f"PROBLEM {directory / 'tiers.yml'}:" in result.stdout


# ---------------------------------------------------------------------------- fingerprint


def test_fingerprint_ignores_formatting_but_not_meaning(tmp_path: Path) -> None:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    original = load_content(directory)
    bank = directory / "bank.yml"
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    # reformatted: other key order, other line width, flow style, comments, no anchors
    bank.write_text("# reformatted by a YAML tool\n"
                    + yaml.safe_dump(data, sort_keys=True, width=60, allow_unicode=True),
                    encoding="utf-8")
    assert load_content(directory).fingerprint == original.fingerprint

    def changed(mutate) -> str:  # type: ignore[no-untyped-def]
        copy = yaml.safe_load(yaml.safe_dump(data))
        mutate(copy)
        bank.write_text(yaml.safe_dump(copy, allow_unicode=True), encoding="utf-8")
        return load_content(directory).fingerprint

    first = lambda d: d["challenges"][0]["items"][0]  # noqa: E731
    fingerprints = {
        "text": changed(lambda d: first(d).update(text=first(d)["text"] + " Really.")),
        "reverse": changed(lambda d: first(d).update(reverse=not first(d).get("reverse", False))),
        "item weight": changed(lambda d: first(d).update(weight=2.0)),
        "challenge weight": changed(lambda d: d["challenges"][0].update(weight=3.0)),
        "roles": changed(lambda d: first(d).update(roles=first(d)["roles"][:1])),
    }
    assert original.fingerprint not in fingerprints.values()
    assert len(set(fingerprints.values())) == len(fingerprints)
    # the version is a label recorded beside the fingerprint, not part of it
    relabelled = changed(lambda d: d.update(version="2027.1"))
    assert relabelled == original.fingerprint
    # tiers.yml is part of it
    bank.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edit(directory / "tiers.yml", "target: 75", "target: 70")
    assert load_content(directory).fingerprint != original.fingerprint


# ---------------------------------------------------------------------------- errors name file:line


def test_missing_chat_message_names_the_file_and_key(tmp_path: Path) -> None:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    chat = directory / "chat.yml"
    edit(chat, 'go_back_first: "This is the first statement, so there\'s nothing to go back to."\n', "")
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert info.value.file == str(chat) and "'go_back_first'" in str(info.value)
    assert "missing" in str(info.value)


def test_unknown_chat_message_is_a_typo(tmp_path: Path) -> None:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    chat = directory / "chat.yml"
    edit(chat, "\nhelp: >-", "\nhlep: >-")
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert info.value.line == line_of(chat, "hlep:") and "did you mean 'help'" in str(info.value)


def test_bad_placeholder_names_file_and_line(tmp_path: Path) -> None:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    chat = directory / "chat.yml"
    edit(chat, "Your personal scorecard: {url}\"", "Your personal scorecard: {link}\"")
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert str(info.value).startswith(f"{chat}:{line_of(chat, '{link}')}: message 'summary_scorecard'")
    assert "{link}" in str(info.value) and "{url}" in str(info.value)
    edit(chat, "{link}", "{url")
    with pytest.raises(ContentError, match="bad placeholder"):
        load_content(directory)


@pytest.mark.parametrize(("old", "new", "marker", "expected"), [
    ("    - very strongly agree\n", "    - very strongly agree\n    - totally agree\n",
     None, "listed twice"),
    ("negators: [not,", "negators: [not, 'not at all',", "negators:", "must be one word"),
])
def test_answer_phrase_problems_name_file_and_line(tmp_path: Path, old: str, new: str,
                                                   marker: str | None, expected: str) -> None:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    phrases = directory / "answer_phrases.yml"
    edit(phrases, old, new)
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert info.value.file == str(phrases) and expected in info.value.problem
    if marker is None:  # the second "totally agree" under answers
        lines = [n for n, text in enumerate(phrases.read_text().splitlines(), 1) if text == "    - totally agree"]
        assert info.value.line == lines[1]  # the later of the two in the answers section
    else:
        assert info.value.line == line_of(phrases, marker)


def test_cohort_profile_problems_name_file_and_line(tmp_path: Path) -> None:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    profiles = directory / "cohort_profiles.yml"
    edit(profiles, "    correlation: 0.55\n", "    corelation: 0.55\n")
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert str(info.value).startswith(f"{profiles}:{line_of(profiles, 'corelation')}: profile 'seed-study'")
    assert "unknown key 'corelation'" in str(info.value)
    edit(profiles, "    corelation: 0.55\n", "    correlation: 1.5\n")
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert info.value.line == line_of(profiles, "correlation: 1.5") and "between 0 and 1" in str(info.value)
    assert str(info.value).count("profile 'seed-study'") == 1  # named once, not twice
    edit(profiles, "    correlation: 1.5\n", "    correlation: 0.55\n")
    edit(profiles, "          - {p: 0.99, counts: []}", "          - {p: 0.98, counts: []}")  # the simulated pilot
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert "evidence.security_incidents: outcomes must be" in str(info.value) and "summing to 1" in str(info.value)
    assert info.value.line is not None and str(info.value).count("profile 'seed-study'") == 1


def test_a_missing_file_names_it(tmp_path: Path) -> None:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    (directory / "cohort_profiles.yml").unlink()
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert info.value.file == str(directory / "cohort_profiles.yml") and "not found" in str(info.value)
    with pytest.raises(ContentError, match="not a directory"):
        load_content(tmp_path / "nowhere")


# ---------------------------------------------------------------------------- declared messages


#: Calls whose first argument is a chat.yml key: the renderer's `say`, the step's views and the
#: step's small helpers that build a view from a key.
_KEYED_CALLS = frozenset({
    "say", "Text", "Choice", "RoleChoice", "confirm", "consent_question", "_department_question",
    "_code_question", "_reply",
})


def _say_calls() -> list[tuple[Path, int, str, frozenset[str] | None]]:
    """Every call naming a chat.yml key in readiness/ (`say("key", name=…)`, `Text("key", {…})`,
    …): file, line, key, the placeholder names it passes (None when they are not literal)."""
    calls = []
    for path in sorted(READINESS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in _KEYED_CALLS or not node.args or not isinstance(node.args[0], ast.Constant) \
                    or not isinstance(node.args[0].value, str):
                continue
            literal = [a for a in node.args[1:] if isinstance(a, ast.Dict)]
            opaque = any(k.arg is None for k in node.keywords) or any(
                not isinstance(a, (ast.Dict, ast.Tuple)) for a in node.args[1:])
            if opaque or any(None in d.keys or not all(isinstance(k, ast.Constant) for k in d.keys) for d in literal):
                keywords = None
            else:
                keywords = frozenset(k.arg for k in node.keywords if k.arg is not None) | frozenset(
                    k.value for d in literal for k in d.keys)
            calls.append((path, node.lineno, node.args[0].value, keywords))
    return calls


def test_every_message_the_code_says_is_declared_with_its_placeholders() -> None:
    calls = _say_calls()
    assert len({key for _, _, key, _ in calls}) >= 40  # the scan finds the conversation's messages
    from readiness.patient import PATIENT_MESSAGES

    declared = {**MESSAGES, **PATIENT_MESSAGES}  # patient-only messages live in patient.yml
    for path, line, key, keywords in calls:
        where = f"{path.relative_to(ROOT)}:{line}"
        assert key in declared, f"{where}: say({key!r}) is not declared in chat_text.MESSAGES"
        if keywords is not None:
            assert keywords == declared[key], (
                f"{where}: say({key!r}) passes {sorted(keywords)}, MESSAGES declares "
                f"{sorted(declared[key])}")


def test_packaged_chat_uses_only_declared_placeholders() -> None:
    texts = load_content(PACKAGED_CONTENT_DIR).chat
    for key, allowed in MESSAGES.items():
        texts.say(key, **{name: 1 for name in allowed})  # every message renders with its values


# ---------------------------------------------------------------------------- health


def test_web_health_reports_the_content_state(tmp_path: Path) -> None:
    from tests.bot_stack import free_port

    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    port = free_port()
    server = ("import sys\nfrom bot.web.app import create_app\napp = create_app()\n"
              "app.run(host='127.0.0.1', port=int(sys.argv[1]), workers=1, access_log=False, motd=False)\n")
    env = {**os.environ, CONTENT_DIR_ENV: str(directory), "PYTHONPATH": str(ROOT),
           "READINESS_DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}"}
    process = subprocess.Popen([sys.executable, "-c", server, str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"

    def health() -> dict:
        with urllib.request.urlopen(base + "/health", timeout=5) as reply:
            assert reply.status == 200
            return json.loads(reply.read())

    try:
        deadline = time.time() + 30
        while True:
            try:
                first = health()
                break
            except (OSError, http.client.HTTPException):  # not up yet (or a TCP self-connect)
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(process.stderr.read().decode() if process.stderr else "no server")
                time.sleep(0.2)
        expected = load_content(directory)
        assert first["status"] == "ok"
        assert first["content"] == {"ok": True, "version": expected.version,
                                     "fingerprint": expected.fingerprint, "problem": None,
                                     "directory": str(directory)}
        edit(directory / "bank.yml", "roles:\n", "roles:\n  - id: [broken\n")
        broken = health()
        assert broken["status"] == "content_problem" and broken["content"]["ok"] is False
        assert broken["content"]["version"] == expected.version  # still served
        assert f"{directory / 'bank.yml'}:" in broken["content"]["problem"]
        edit(directory / "bank.yml", "  - id: [broken\n", "")
        assert health()["content"]["ok"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)
