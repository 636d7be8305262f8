"""Free-text Likert answers: a table of phrasings, the labels, and properties for any text."""

from __future__ import annotations

import string

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness import answers
from readiness.answers import (
    LIKERT_LABELS,
    MAX_ANSWER_LENGTH,
    NOT_APPLICABLE_LABEL,
    Reading,
    is_term_question,
    likert_label,
    parse_answer,
    read_answer,
    term_in_question,
)
from readiness.model import NOT_APPLICABLE, is_valid_answer

NA = NOT_APPLICABLE

PHRASINGS: list[tuple[str, object]] = [
    # digits, with the wrappings people type
    ("4", 4),
    (" 4 ", 4),
    ("4.", 4),
    ("4!", 4),
    ("(4)", 4),
    ("\t3\n", 3),
    ("1", 1),
    ("5", 5),
    ("４", 4),  # full-width digit
    ("4/5", 4),
    ("4 / 5", 4),
    ("5/5", 5),
    ("1/5", 1),
    ("4 out of 5", 4),
    ("4 of 5", 4),
    ("a 4", 4),
    ("I'd say 4", 4),
    ("I’d say 4", 4),
    ("I would say a 4", 4),
    ("rating: 4", 4),
    ("My answer is 2", 2),
    ("I'd give it a 4 out of 5", 4),
    ("I'll go with 3", 3),
    ("option 5", 5),
    ("probably 2", 2),
    ("hmm, 3 I guess", 3),
    ("4 4", 4),
    ("4 - agree", 4),
    ("agree - 4", 4),
    ("2, disagree", 2),
    # number words
    ("four", 4),
    ("Three.", 3),
    ("one", 1),
    ("two", 2),
    ("five", 5),
    ("a four", 4),
    ("I'd say four", 4),
    ("four out of five", 4),
    # the bot's button labels
    ("1 – Strongly disagree", 1),
    ("2 – Disagree", 2),
    ("3 – Neutral", 3),
    ("4 – Agree", 4),
    ("5 – Strongly agree", 5),
    ("Don't know", NA),
    ("Don’t know", NA),
    # out of range, other scales, fractions, several numbers: ask again
    ("9", None),
    ("0", None),
    ("6", None),
    ("10", None),
    ("100", None),
    ("4/10", None),
    ("8 / 10", None),
    ("10 out of 10", None),
    ("0/5", None),
    ("6 out of 5", None),
    ("-1", None),
    ("−2", None),
    ("3.5", None),
    ("4.0", None),
    ("4,5", None),
    ("1,000", None),
    ("six", None),
    ("zero", None),
    ("ten out of ten", None),
    ("80%", None),
    ("4th", None),
    ("a4", None),
    ("3 or 4", None),
    ("3-4", None),
    ("4, 5", None),
    ("between 3 and 4", None),
    ("5 - agree", None),
    # strongly agree
    ("strongly agree", 5),
    ("Strongly Agree!!!", 5),
    ("I strongly agree", 5),
    ("totally agree", 5),
    ("completely agree", 5),
    ("absolutely", 5),
    ("Definitely!", 5),
    ("100%", 5),
    ("100% agree", 5),
    ("agree 100 percent", 5),
    ("couldn't agree more", 5),
    ("yes, definitely", 5),
    ("yes, strongly agree", 5),
    ("Strongly agree 💯", 5),
    ("always", 5),
    ("of course", 5),
    # agree
    ("agree", 4),
    ("AGREE", 4),
    ("Agreed.", 4),
    ("I agree", 4),
    ("I'd agree", 4),
    ("yes", 4),
    ("Yes!", 4),
    ("yeah", 4),
    ("yes, 4", 4),
    ("mostly", 4),
    ("mostly agree", 4),
    ("i think so", 4),
    ("somewhat agree", 4),
    ("tend to agree", 4),
    ("pretty much", 4),
    ("usually", 4),
    ("Agree 😊", 4),
    ("definitely a 4", 4),
    # neutral
    ("neither", 3),
    ("neutral", 3),
    ("I'm neutral", 3),
    ("neither agree nor disagree", 3),
    ("Neither agree or disagree", 3),
    # issue 10: bare hedges are judgement calls, proposed (read_answer, certain=False), not stored
    ("somewhat", None),
    ("sort of", None),
    ("kind of", None),
    ("not sure either way", 3),
    ("in between", 3),
    ("somewhere in the middle", 3),
    ("so-so", 3),
    ("so so", 3),
    ("partly", 3),
    ("maybe", 3),
    ("sometimes", 3),
    ("not always", 3),
    # disagree
    ("disagree", 2),
    ("I disagree.", 2),
    ("no", 2),
    ("No.", 2),
    ("nope", 2),
    ("not really", 2),
    ("no, not really", 2),
    ("somewhat disagree", 2),
    ("tend to disagree", 2),
    ("rarely", 2),
    ("probably not", 2),
    ("I don't think so", 2),
    ("not true", 2),
    ("mostly no", 2),
    # strongly disagree
    ("strongly disagree", 1),
    ("absolutely not", 1),
    ("Definitely not.", 1),
    ("not at all", 1),
    ("never", 1),
    ("no, never", 1),
    ("totally disagree", 1),
    ("no way", 1),
    ("of course not", 1),
    ("I don't agree at all", 1),
    # negations
    ("don't agree", 2),
    ("dont agree", 2),
    ("do not agree", 2),
    ("I wouldn't agree", 2),
    ("I would not agree", 2),
    ("I don't really agree", 2),
    ("not really agree", 2),
    ("don't disagree", 4),
    ("I do not disagree", 4),
    ("not strongly agree", 4),
    ("I don't totally agree", 4),
    ("not strongly disagree", 2),
    ("I wouldn't say so", 2),
    ("not neutral", None),
    ("not 4", None),
    ("not yes", None),
    ("not", None),
    ("don't don't agree", None),
    # typos
    ("agre", 4),
    ("agee", 4),
    ("aggree", 4),
    ("disagre", 2),
    ("dissagree", 2),
    ("disagee", 2),
    ("stongly agree", 5),
    ("strongley disagree", 1),
    ("strongly agre", 5),
    ("nuetral", 3),
    ("neutal", 3),
    ("netural", 3),
    ("nether", 3),
    ("niether agree nor disagree", 3),
    ("totaly agree", 5),
    ("definately", 5),
    ("not aplicable", NA),
    # typo correction must not invent answers
    ("neural", None),
    ("neural network", None),
    ("degree", None),
    ("agent", None),
    ("argue", None),
    ("fever", None),
    ("completed", None),
    ("either", None),
    ("green", None),
    # don't know / not applicable
    ("don't know", NA),
    ("I don't know", NA),
    ("dunno", NA),
    ("idk", NA),
    ("not sure", NA),
    ("I'm not sure", NA),
    ("unsure", NA),
    ("n/a", NA),
    ("N/A", NA),
    ("n.a.", NA),
    ("not applicable", NA),
    ("skip", NA),
    ("Skip this one please", NA),  # a phrase of its own: "one" here is not the answer 1
    ("skip, 1", None),
    ("skip it", NA),
    ("no idea", NA),
    ("pass", NA),
    ("prefer not to say", NA),
    ("I'd rather not say", NA),
    ("doesn't apply", NA),
    ("can't say", NA),
    # contradictions
    ("agree and disagree", None),
    ("agree, disagree", None),
    ("yes and no", None),
    ("yes, 3", None),
    ("no, 4", None),
    ("don't know, maybe 3", None),
    ("strongly agree, strongly disagree", None),
    ("maybe, definitely", None),
    ("👍👎", None),
    # emoji
    ("👍", 4),
    ("👎", 2),
    ("👍🏽", 4),
    ("🙂", None),
    ("🤷", None),
    # not answers
    ("why do you ask?", None),
    ("what does HIPAA mean", None),
    ("What does 'agree' mean here?", None),
    ("hello", None),
    ("hi there", None),
    ("I work in the ICU", None),
    ("yes, I work in the ICU", None),
    ("we agree on 3 of the 5 policies", None),
    ("can you repeat the question", None),
    ("it depends", None),
    ("asdf", None),
    ("ok", None),
    ("thanks", None),
    ("I think", None),
    ("strongly", None),
    ("", None),
    ("   ", None),
    ("\n\t", None),
    ("?!.", None),
    ("<script>alert(1)</script>", None),
    ("<b>4</b>", None),
    ("'; DROP TABLE answers; --", None),
    ("4; DROP TABLE answers", None),
    ("{{ 4 }}", 4),  # only punctuation around the digit
    ("${jndi:ldap://x}", None),
    ("\x00\x1b[31m", None),
    ("أوافق", None),  # Arabic "I agree": not in the vocabulary, so asked again
    ("\u202e4", 4),  # right-to-left override around a digit
    ("٤", None),  # Arabic-Indic digit four: not read as a number
    ("x" * (MAX_ANSWER_LENGTH + 1), None),
    ("4" + " " * MAX_ANSWER_LENGTH, None),
]


def test_the_table_is_large_and_has_no_duplicate_phrasings():
    texts = [text for text, _ in PHRASINGS]
    assert len(texts) >= 120
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(("text", "expected"), PHRASINGS)
def test_phrasing(text, expected):
    assert parse_answer(text) == expected


def test_results_are_real_ints_not_bools_or_strings():
    assert type(parse_answer("4")) is int
    assert type(parse_answer("agree")) is int
    assert parse_answer("don't know") == NOT_APPLICABLE


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_button_labels_round_trip(value):
    label = likert_label(value)
    assert parse_answer(label) == value
    assert parse_answer(f"{value} – {label}") == value
    assert parse_answer(f"{value} - {label.lower()}") == value


def test_dont_know_button_round_trips():
    assert parse_answer(likert_label(NOT_APPLICABLE)) == NOT_APPLICABLE


def test_labels():
    assert LIKERT_LABELS == ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")
    assert [likert_label(v) for v in range(1, 6)] == list(LIKERT_LABELS)
    assert likert_label(NOT_APPLICABLE) == NOT_APPLICABLE_LABEL == "Don't know"


@pytest.mark.parametrize("value", [0, 6, -1, True, False, 3.0, "3", None, "N/A"])
def test_label_of_an_invalid_value_raises(value):
    with pytest.raises(ValueError):
        likert_label(value)


@pytest.mark.parametrize("value", [None, 4, b"4", ["4"]])
def test_non_text_is_not_an_answer(value):
    assert parse_answer(value) is None  # type: ignore[arg-type]


def test_lone_surrogates_do_not_raise():
    assert parse_answer("\ud800") is None
    assert parse_answer("4 \udfff") == 4


def test_long_input_is_no_answer():
    # speed on such inputs is measured in bench/parser_speed.py, not asserted here
    for text in ("4" * 100_000, "agree " * 20_000, "\U0001F44D" * 100_000, "ﷺ" * 100_000):
        assert parse_answer(text) is None


def test_worst_case_input_under_the_cutoff_is_no_answer():
    # NFKC expands U+FDFA to 18 characters; the cutoff bounds even that.
    for text in ("ﷺ" * MAX_ANSWER_LENGTH, "not " * (MAX_ANSWER_LENGTH // 4), "a" * MAX_ANSWER_LENGTH):
        assert parse_answer(text) is None


def test_answer_at_the_cutoff_still_counts():
    text = "4".center(MAX_ANSWER_LENGTH)
    assert len(text) == MAX_ANSWER_LENGTH
    assert parse_answer(text) == 4


# --------------------------------------------------------------------------- vocabulary


def _phrase_file() -> dict:
    from importlib import resources

    text = resources.files("readiness").joinpath("content", "answer_phrases.yml").read_text("utf-8")
    return yaml.safe_load(text)


def test_every_listed_phrase_parses_to_its_value():
    data = _phrase_file()
    for value, phrases in data["answers"].items():
        for phrase in phrases:
            assert parse_answer(phrase) == value, phrase
    for group in data["leaning"]:
        for phrase in group["phrases"]:
            reading = read_answer(phrase)
            assert reading.value == group["value"], phrase
            assert reading.certain == group.get("certain", True), phrase
    for group in data["uncertain"]:
        for phrase in group["phrases"]:
            assert read_answer(phrase) == Reading(group["value"], False, "hedge"), phrase


def test_every_negatable_phrase_negates_as_listed():
    data = _phrase_file()
    for value, phrases in data["negatable"].items():
        for phrase in phrases:
            assert parse_answer(f"I don't {phrase}") == value, phrase
            assert parse_answer(f"not {phrase}") == value, phrase


def test_fillers_alone_are_not_answers():
    for filler in _phrase_file()["fillers"]:
        assert parse_answer(filler) is None, filler


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda d: d["leaning"][0]["phrases"].append(True), "quote it"),
        (lambda d: d["answers"][4].append("strongly agree"), "listed twice"),
        (lambda d: d["answers"].update({7: ["seven-ish"]}), "not 1–5"),
        (lambda d: d["negatable"][2].append("nonsense phrase"), "not an answer"),
        (lambda d: d["fillers"].append("agree"), "fillers that are also answers"),
        (lambda d: d["typo_targets"].append("zebra"), "typo_targets"),
        (lambda d: d.pop("fillers"), "'fillers'"),
    ],
)
def test_broken_phrase_file_is_rejected_with_a_reason(mutation, message):
    data = _phrase_file()
    mutation(data)
    with pytest.raises(ValueError, match=message):
        answers._build_vocabulary(data)


# --------------------------------------------------------------------------- properties


def _in_domain(result: object) -> bool:
    return result is None or (is_valid_answer(result) and not isinstance(result, bool))


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_parses_to_none_na_or_1_to_5(text):
    assert _in_domain(parse_answer(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(), min_size=0, max_size=MAX_ANSWER_LENGTH))
def test_any_short_text_with_any_characters_is_handled(text):
    assert _in_domain(parse_answer(text))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["agree", "disagree", "strongly", "not", "don't", "no", "yes", "4", "/", "5", "of",
             "out", "100", "%", "neither", "nor", "maybe", "definitely", "i", "say", "-", ",",
             "n/a", "know", "sure", "really", "👍", "10", "3.5", "never", "at", "all"]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_any_sequence_of_answer_words_is_handled(text):
    assert _in_domain(parse_answer(text))


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=MAX_ANSWER_LENGTH + 1, max_size=20_000))
def test_large_text_is_never_an_answer(text):
    assert parse_answer(text) is None


_AROUND = st.text(alphabet=string.whitespace + "!?.,;:()[]{}\"'*#~+=_<>|", max_size=10)


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=1, max_value=5), _AROUND, _AROUND)
def test_a_digit_alone_with_whitespace_and_punctuation_parses_to_itself(digit, before, after):
    text = f"{before}{digit}{after}"
    if len(text) <= MAX_ANSWER_LENGTH:
        assert parse_answer(text) == digit


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=50), st.integers(min_value=1, max_value=5))
def test_inputs_longer_than_the_cutoff_are_not_answers(padding, digit):
    text = f"{digit} " + padding * (MAX_ANSWER_LENGTH // len(padding) + 1)
    assert len(text) > MAX_ANSWER_LENGTH
    assert parse_answer(text) is None


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([text for text, _ in PHRASINGS if len(text) <= 60]), st.sampled_from(
    [str.upper, str.lower, str.title, lambda s: f"  {s}  ", lambda s: f"{s}!", lambda s: f"\"{s}\""]
))
def test_case_and_surrounding_punctuation_do_not_change_the_reading(text, change):
    expected = dict(PHRASINGS)[text]
    changed = change(text)
    if len(changed) <= MAX_ANSWER_LENGTH:
        assert parse_answer(changed) == expected
