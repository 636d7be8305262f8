"""Learned proposals for content replies (readiness.answers.learned, answer_examples.yml): they
are only ever proposed, never for a question or a greeting, never over an NLU interruption; the
file goes through the content gate (file:line errors, optional, live edits refit the model)."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from readiness.answers import _SIDE_GUESSES, Reading, read_answer
from readiness.answers.learned import ExampleError, build_reply_model, labelled, reply_features
from readiness.bank import CONTENT_DIR_ENV, PACKAGED_CONTENT_DIR
from readiness.content_set import EXAMPLES_FILE, ContentError, load_content
from readiness.dialogue import Conversation
from readiness.live_content import current_content
from readiness.storage import Store
from tests.test_conversation import Chat, onboard


@pytest.fixture(scope="module")
def content():
    return load_content(PACKAGED_CONTENT_DIR)


def statements(content) -> dict[str, str]:
    return {item.id: item.text for c in content.questionnaire.challenges for item in c.items}


def rules_only(content):
    return replace(content.vocabulary, reply_model=None)


# Content replies written for this test (not from an evaluation set): a fact, no answer words.
CONTENT_REPLIES = [
    ("training_programme_funded", "the trust put zero money into courses for this", {1, 2}),
    ("usable_single_sign_on", "one login gets me into all of them", {4, 5}),
    ("privacy_confidence", "pen tests every year and we pass them", {4, 5}),
]


@pytest.mark.parametrize("item_id,text,acceptable", CONTENT_REPLIES)
def test_a_content_reply_the_rules_leave_is_proposed_and_never_stored(content, item_id, text, acceptable):
    item = content.questionnaire.item(item_id)
    assert read_answer(text, item, rules_only(content)).value is None  # the rules alone: asked again
    reading = read_answer(text, item, content.vocabulary)
    assert reading.rule == "learned" and not reading.certain and reading.value in acceptable


#: A small example set of its own, so that the test checks the rule, not the packaged examples.
_PAUSE_EXAMPLES = {"examples": {
    "validation_post_deployment_monitoring": [
        ["no plan to pause it", 2], ["nothing to pause it with", 2], ["no way to pause", 2],
        ["we cannot pause it", 2], ["pausing is not possible", 2], ["watched every day", 5],
        ["dashboards checked daily", 5], ["monitored around the clock", 5], ["reviewed weekly", 4],
        ["audited monthly", 4]],
    "none": [["what time is it", "none"], ["hello there", "none"], ["can I stop now", "none"]],
}}


@pytest.mark.parametrize("text,expected", [
    ("we track drift but no plan to pause", 2),  # the examples read one side clearly: that side
    ("dashboards yes, off switch no", 3),  # the model is unsure (p < 0.8): the rules' "partly" stays
])
def test_a_mixed_reply_takes_the_side_the_examples_read_clearly(content, text, expected):
    item = content.questionnaire.item("validation_post_deployment_monitoring")
    model = build_reply_model(_PAUSE_EXAMPLES, statements(content), content.vocabulary.symbols)
    assert read_answer(text, item, rules_only(content)) == Reading(3, False, "mixed")
    reading = read_answer(text, item, replace(content.vocabulary, reply_model=model))
    assert (reading.value, reading.certain) == (expected, False)
    assert reading.rule == ("learned mixed" if expected != 3 else "mixed")


_TEAM_EXAMPLES = {"examples": {
    "collab_joint_team": [
        ["it fizzled out", 2], ["that group fizzled out", 2], ["the team fizzled out last year", 1],
        ["it stopped meeting", 2], ["disbanded after the pilot", 1], ["fizzled out quickly", 2],
        ["we meet every month", 4], ["the group meets weekly", 5], ["monthly meetings, well attended", 4],
        ["a standing team with clinicians and IT", 5]],
    "none": [["what time is it", "none"], ["hello there", "none"], ["can I stop now", "none"]],
}}


@pytest.mark.parametrize("text,expected,rule", [
    ("there was one, it fizzled out", 2, "learned side"),  # the content turns the word around
    ("there was one, it meets every month", 5, "extra words"),  # same side: the rules' proposal stays
])
def test_an_answer_word_among_content_gives_way_to_a_clear_other_side(content, text, expected, rule):
    item = content.questionnaire.item("collab_joint_team")
    model = build_reply_model(_TEAM_EXAMPLES, statements(content), content.vocabulary.symbols)
    alone = read_answer(text, item, rules_only(content))
    assert alone.rule == "extra words" and not alone.certain and alone.value in (4, 5)
    reading = read_answer(text, item, replace(content.vocabulary, reply_model=model))
    assert reading == Reading(expected, False, rule)


@pytest.mark.parametrize("text", [
    "is this anonymous?", "what does FHIR mean", "EHR?", "hello", "test", "brb, bleep going off",
    "who will see my answers?",
])
def test_questions_and_greetings_are_never_proposed(content, text):
    for item in content.questionnaire.items_for("nurse"):
        assert read_answer(text, item, content.vocabulary).value is None, (text, item.id)


def test_a_learned_reading_is_never_certain_and_a_certain_one_is_never_replaced(content):
    """Over every example the model was fitted on: the rules' certain readings stand as they
    are, and whatever the model adds is a proposal."""
    data = yaml.safe_load((PACKAGED_CONTENT_DIR / EXAMPLES_FILE).read_text(encoding="utf-8"))
    examples = list(labelled(data, statements(content)))
    assert len(examples) >= 1000
    learned = 0
    for key, text, _ in examples:
        if key == "none":
            continue
        item = content.questionnaire.item(key)
        reading = read_answer(text, item, content.vocabulary)
        alone = read_answer(text, item, rules_only(content))
        if alone.value is not None and alone.rule == "mixed":
            # the rules' "partly" for a mixed reply may give way to a clearer side, proposed
            assert reading == alone or (reading.rule == "learned mixed" and not reading.certain), text
        elif alone.value is not None and not alone.certain and alone.rule in _SIDE_GUESSES:
            # an answer word among unread content may give way to the other side, proposed
            assert reading == alone or (reading.rule == "learned side" and not reading.certain), text
        elif alone.value is not None:
            assert reading == alone, text
        elif reading.value is not None:
            learned += 1
            assert reading.rule.startswith("learned") and not reading.certain, text
    assert learned > 100  # the model does read content replies


def test_a_statement_without_examples_gets_no_learned_proposal(content):
    texts = statements(content)
    model = build_reply_model({"examples": {"training_programme_funded": [
        ["no money for courses at all", 1], ["fully paid for by the trust", 5], ["no idea who pays", "n/a"],
        ["partly covered", 3]]}}, texts)
    assert model is not None and model.items == frozenset({"training_programme_funded"})
    assert model.propose("no money for it at all", "usable_single_sign_on", texts["usable_single_sign_on"]) \
        == (None, 0.0)
    value, probability = model.propose("no money at all", "training_programme_funded",
                                       texts["training_programme_funded"])
    assert probability > 0 and value in (None, 1)


@pytest.mark.parametrize("labels", [("1", "5"), ("1", "3", "5", "n/a", "none")])
def test_the_model_scores_exactly_as_the_fitted_regression(content, labels):
    """The weights are copied out of sklearn for speed: the sums must give its probabilities
    (binary and multinomial fits)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from readiness.answers import learned

    texts = statements(content)
    item = "privacy_confidence"
    words = {"1": ["no protection at all", "wide open", "not secure"], "3": ["some of it", "half and half"],
             "5": ["locked down tight", "fully encrypted"], "n/a": ["no clue", "ask IT"],
             "none": ["is this anonymous", "brb"]}
    data = {"examples": {item: [[t, lab if lab == "n/a" else int(lab)] for lab in labels if lab != "none"
                                for t in words[lab]]}}
    if "none" in labels:
        data["examples"]["none"] = [[t, "none"] for t in words["none"]]
    model = build_reply_model(data, texts)
    assert model.labels == tuple(sorted(labels))
    rows, targets = [], []
    ordered = sorted(texts)
    for number, (key, text, label) in enumerate(labelled(data, texts)):
        target = key if key != "none" else ordered[number % len(ordered)]
        rows.append(dict.fromkeys(reply_features(text, target, texts[target]), 1.0))
        targets.append(label)
    vectorizer = DictVectorizer()
    fitted = LogisticRegression(C=learned.REGULARISATION, solver=learned.SOLVER, max_iter=1000,
                                tol=learned.TOLERANCE, random_state=0).fit(vectorizer.fit_transform(rows), targets)
    for text in ("not encrypted at all", "fully locked", "no clue really", "brb"):
        expected = fitted.predict_proba(vectorizer.transform([dict.fromkeys(reply_features(text, item, texts[item]), 1.0)]))[0]
        got = model.probabilities(text, item, texts[item])
        assert [got[label] for label in fitted.classes_] == pytest.approx(list(expected), abs=1e-9)
    # a row per feature, read row by row: a fresh fit (coef_ transposed) and cached weights alike
    assert model.fitted().matrix.flags.c_contiguous


def test_the_same_examples_are_fitted_once(content):
    texts = statements(content)
    data = {"examples": {"privacy_confidence": [["all locked down", 5], ["wide open", 1]]}}
    first, again = build_reply_model(data, texts), build_reply_model(yaml.safe_load(yaml.safe_dump(data)), texts)
    assert first == again and first.fitted() is again.fitted()


def test_negation_is_in_the_features():
    marked = reply_features("no budget for it", "training_programme_funded", "Training is funded.")
    plain = reply_features("budget for it", "training_programme_funded", "Training is funded.")
    assert "w=¬budget" in marked and "w=budget" in plain and "w=budget" not in marked


def _copy(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, directory)
    return directory


def _line(path: Path, fragment: str) -> int:
    return next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in text)


def test_removing_a_statement_from_the_bank_keeps_the_content_valid(tmp_path):
    """Found by the live-edit test: the examples of a removed statement made the whole edit
    fail (the bot kept the old bank). They are skipped now, and `content check` names them."""
    import subprocess
    import sys

    directory = _copy(tmp_path)
    bank = yaml.safe_load((directory / "bank.yml").read_text(encoding="utf-8"))
    removed = bank["challenges"][0]["items"].pop(0)["id"]
    (directory / "bank.yml").write_text(yaml.safe_dump(bank, sort_keys=False), encoding="utf-8")
    edited = load_content(directory)
    assert not edited.questionnaire.has_item(removed)
    assert removed not in edited.vocabulary.reply_model.items
    run = subprocess.run([sys.executable, "-m", "readiness.cli", "content", "check", str(directory)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("OK: ") and f"statements the bank does not have (their examples are not used): {removed}" in run.stdout


def test_a_misspelt_statement_id_is_skipped_and_named(tmp_path):
    from readiness.content_set import ignored_examples

    directory = _copy(tmp_path)
    path = directory / EXAMPLES_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("  privacy_confidence:\n", "  privacy_confidenc:\n", 1),
                    encoding="utf-8")
    content = load_content(directory)
    assert "privacy_confidence" not in content.vocabulary.reply_model.items
    assert ignored_examples(directory, content.questionnaire) == ("privacy_confidenc",)


@pytest.mark.parametrize("old,new,expected", [
    ("propose_at: 0.5\n", "propose_at: 1.5\n", "propose_at must be a number between 0 and 1"),
])
def test_examples_file_problems_name_file_and_line(tmp_path, old, new, expected):
    directory = _copy(tmp_path)
    path = directory / EXAMPLES_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert info.value.file == str(path) and expected in info.value.problem
    assert info.value.line == _line(path, new.strip())


@pytest.mark.parametrize("entry,expected", [
    ('    - ["locked down tight", 6]\n', "the value must be 1-5 or n/a"),
    ('    - ["locked down tight"]\n', "expected [text, value]"),
    ('    - ["is this anonymous", none]\n', "the value must be 1-5 or n/a"),
])
def test_a_bad_example_names_its_line(tmp_path, entry, expected):
    directory = _copy(tmp_path)
    path = directory / EXAMPLES_FILE
    text = path.read_text(encoding="utf-8")
    anchor = "  privacy_confidence:\n"
    path.write_text(text.replace(anchor, anchor + entry, 1), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(directory)
    assert expected in info.value.problem and "privacy_confidence" in str(info.value)
    assert info.value.line == _line(path, entry.strip())


def test_a_folder_without_examples_reads_with_the_rules_alone(tmp_path, content):
    directory = _copy(tmp_path)
    (directory / EXAMPLES_FILE).unlink()
    bare = load_content(directory)
    assert bare.vocabulary.reply_model is None and bare.summary().endswith(" 0 answer examples")
    item_id, text, _ = CONTENT_REPLIES[0]
    assert read_answer(text, bare.questionnaire.item(item_id), bare.vocabulary).value is None
    assert content.summary().endswith(f" {content.vocabulary.reply_model.size} answer examples")


def test_a_live_edit_of_the_examples_refits_the_model(tmp_path, monkeypatch):
    directory = _copy(tmp_path)
    monkeypatch.setenv(CONTENT_DIR_ENV, str(directory))
    item = current_content().questionnaire.item("collab_joint_team")
    reply = "the quokka committee sorts it out"
    before = read_answer(reply, item)
    path = directory / EXAMPLES_FILE
    text = path.read_text(encoding="utf-8")
    anchor = "  collab_joint_team:\n"
    extra = "".join(f'    - ["{words}", 5]\n' for words in (
        "the quokka committee", "quokka committee runs it", "our quokka group does this", "quokka board"))
    stat = path.stat()
    path.write_text(text.replace(anchor, anchor + extra, 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_mtime_ns + 2_000_000_000,) * 2)
    after = read_answer(reply, current_content().questionnaire.item("collab_joint_team"))
    assert after.rule == "learned" and after.value == 5 and not after.certain and after != before


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'r.db'}")
    yield s
    s.close()


#: A content reply the learned model reads for the first statement a nurse is asked.
FACT = "pen tests every year and we pass them"


def onboarded(store) -> tuple[Chat, object]:
    """A nurse at the first statement, and that statement."""
    chat = Chat(Conversation(store))
    onboard(chat)
    return chat, current_content().questionnaire.item(chat.current_item())


def test_a_learned_proposal_is_confirmed_with_one_tap(store):
    chat, item = onboarded(store)
    reading = read_answer(FACT, item)
    assert reading.rule == "learned" and reading.value is not None
    messages = chat.say(FACT)
    confirm = [m.data["confirm"] for m in messages if m.data and "confirm" in m.data]
    assert confirm == [{"item": item.id, "likert": reading.value}]
    assert store.answers(chat.state.assessment_id) == {}  # nothing stored yet
    chat.press(reading.value)
    assert store.answers(chat.state.assessment_id) == {item.id: reading.value}


def test_an_nlu_interruption_beats_a_learned_proposal(store):
    chat, item = onboarded(store)
    assert read_answer(FACT, item).rule == "learned"
    messages = chat.say(FACT, "progress", 0.9)  # NLU heard an interruption: it is handled
    assert not any(m.data and "confirm" in m.data for m in messages)
    assert chat.state.proposal is None and store.answers(chat.state.assessment_id) == {}


def test_examples_errors_are_value_errors():
    with pytest.raises(ExampleError):
        build_reply_model({"examples": {"privacy_confidence": [["x", 7]]}}, {"privacy_confidence": "…"})
    assert build_reply_model({"examples": {"nope": [["x", 1]]}}, {"privacy_confidence": "…"}) is None
    assert build_reply_model(None, {}) is None and build_reply_model({"examples": {}}, {}) is None


_CACHED_EXAMPLES = {"examples": {"training_programme_funded": [
    ["no money for courses at all", 1], ["the trust pays for everything", 5], ["no idea who pays", "n/a"],
    ["partly covered by the trust", 3], ["nothing budgeted", 1], ["fully funded this year", 5]]}}


def test_fitted_weights_are_cached_between_processes_and_a_bad_cache_is_refitted(content, tmp_path, monkeypatch):
    """A second process reads the weights back instead of fitting again (same readings); a
    corrupt or truncated cache file is never used: the model is fitted again and the file rewritten."""
    from readiness.answers import learned

    monkeypatch.setenv(learned.CACHE_DIR_ENV, str(tmp_path))
    texts = statements(content)
    item, reply = "training_programme_funded", "no money at all for it"

    fits: list[int] = []
    fit = learned._fit
    monkeypatch.setattr(learned, "_fit", lambda *args: fits.append(1) or fit(*args))

    def fresh_process_reading(fits: list[int]):
        learned._FITTED.clear()  # what a new process starts with
        model = build_reply_model(_CACHED_EXAMPLES, texts)
        return model.probabilities(reply, item, texts[item])

    first = fresh_process_reading(fits)
    assert fits == [1] and len(list(tmp_path.glob("reply-model-*.npz"))) == 1
    second = fresh_process_reading(fits)
    assert fits == [1] and second == pytest.approx(first)  # read back, not fitted

    cached = next(tmp_path.glob("reply-model-*.npz"))
    cached.write_bytes(cached.read_bytes()[:100])  # a truncated file (a crash mid-copy, a full disk)
    third = fresh_process_reading(fits)
    assert fits == [1, 1] and third == pytest.approx(first)
    assert learned._load_weights(cached) is not None  # rewritten whole

    monkeypatch.setenv(learned.CACHE_DIR_ENV, "off")
    fresh_process_reading(fits)
    assert fits == [1, 1, 1]
    learned._FITTED.clear()
