"""Free-text Likert answers: a table of phrasings, the labels, and properties for any text."""

from __future__ import annotations

import string
from pathlib import Path
from dataclasses import replace

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
    ("6", None),
    ("10", None),
    ("100", None),
    ("4/10", None),
    ("8 / 10", None),
    ("10 out of 10", 5),  # the top of another scale: no other point it could mean
    ("0 out of 10", 1),
    ("0%", 1),
    ("0/5", None),
    ("6 out of 5", None),
    ("-1", None),
    ("−2", None),
    ("3.5", None),
    ("4.0", None),
    ("4,5", None),
    ("1,000", None),
    ("six", None),
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
    ("agree and disagree", 3),  # both sides at once: the middle
    ("agree, disagree", None),
    ("yes and no", 3),  # both sides at once: the middle, as "50/50"
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
    ("𑁒", None),  # Brahmi number one: isdigit() but not a number here (found by hypothesis)
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
    degrees = {word for key, words in data["degrees"].items() for word in words}
    for value, phrases in data["negatable"].items():
        for phrase in phrases:
            if phrase in degrees and parse_answer(phrase) is None:  # a degree word: "not very true"
                assert parse_answer(f"not {phrase} true") == value, phrase
                continue
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
        (lambda d: d["heads"].append("neutral"), "meaning 2 or 4"),
        (lambda d: d["degrees"][4].append("mostly"), "listed twice"),
        (lambda d: d["uncertain"][0].update({"fits": [1]}), "fit its own value"),
        (lambda d: d["leaning"][0].update({"certain": "no"}), "true or false"),
        (lambda d: d.update({"comparative": ["more"]}), "comparative"),
        (lambda d: d["leaning"][0].pop("phrases"), "non-empty list"),
        (lambda d: d["uncertain"][0].update({"phrases": []}), "non-empty list"),
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
        if text.strip().endswith("?"):  # "4?" asks whether 4 fits: proposed, never stored as is
            assert read_answer(text) == Reading(digit, False, "question")
        elif "?" in text:  # a question mark anywhere is a doubt: proposed
            assert read_answer(text).value == digit and not read_answer(text).certain
        else:
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


# --------------------------------------------------------------------------- read_answer (issue 10)

from readiness.bank import current_questionnaire  # noqa: E402
from readiness.live_content import current_content  # noqa: E402


def _item(item_id: str):
    return next(item for c in current_questionnaire().challenges for item in c.items if item.id == item_id)


def _read(text: str, item_id: str | None = None) -> Reading:
    """The rules' reading (without the learned proposals, which tests/test_learned_answers.py checks)."""
    vocabulary = current_content().vocabulary
    return read_answer(text, _item(item_id) if item_id else None, replace(vocabulary, reply_model=None))


# (text, value, certain)
READINGS: list[tuple[str, object, bool]] = [
    # emphasis beside a number answers with the number (live blind5: "1 obviously" was a
    # contradiction, and NLU's answer intent then proposed 5)
    ("1 obviously", 1, True), ("2, obviously", 2, True), ("4 for sure", 4, True),
    ("obviously", 5, True), ("for sure", 5, True), ("obviously not", 1, True),
    # a bare yes or no said three times is emphatic: the extreme, proposed (blind5's one wrong store)
    ("nope nope nope", 1, False), ("no no no", 1, False), ("yes yes yes", 5, False), ("no no", 2, True),
    # the four bugs of issue 10
    ("mostly false", 2, True),
    ("very much disagree", 1, True),
    ("kind of agree", 4, True),  # a hedged label is the mildest agreement, not a guess
    ("that's not true for us", 2, True),
    # echoes of the statement
    ("that's true for us", 4, True),
    ("not true at all", 1, True),
    ("we're fully there", 5, True),
    ("we're there", 4, True),
    ("we're not there at all", 1, True),
    ("not there yet", 2, True),
    ("that's not the case", 2, True),
    # degree words on a head
    ("completely false", 1, True),
    ("absolutely true", 5, True),
    ("very true", 5, True),
    ("definitely no", 1, True),
    ("mostly yes", 4, True),
    # hedges and comparatives
    ("more yes than no", 4, True),
    ("more no than yes", 2, True),
    ("more agree than disagree", 4, True),
    ("more disagree than not", 2, True),
    ("more or less", 4, False),
    ("more or less agree", 4, True),
    ("kind of", 3, False),
    ("sort of", 3, False),
    ("somewhat", 3, False),
    ("sort of disagree", 2, True),
    ("kind of true", 4, False),  # not a label: 3 or 4?
    ("yes, kind of", 4, False),
    ("probably", 4, True),  # one reading: agree, short of certain (issue 10: nothing to confirm)
    ("probably agree", 4, True),
    ("probably 2", 2, True),
    ("rather not", 2, False),
    ("no opinion", NA, False),
    ("50/50", 3, True),
    ("fifty fifty", 3, True),
    ("pretty much", 4, True),
    # intensifiers
    ("couldn't agree more", 5, True),
    ("could not agree more", 5, True),
    ("very much", 5, True),
    ("very much agree", 5, True),
    ("not very much", 2, True),
    # frequency words
    ("always", 5, True),
    ("usually", 4, True),
    ("sometimes", 3, True),
    ("rarely true", 2, True),
    ("never true", 1, True),
    ("often true", 4, True),
    ("almost always", 4, True),
    ("most of the time", 4, True),
    ("hell no", 1, True),
    ("not always", 3, True),
    # emoji
    ("👍", 4, True),
    ("👎", 2, True),
    ("✅", 4, True),
    ("❌", 2, True),
    # clear answers stay certain
    ("4", 4, True),
    ("agree", 4, True),
    ("strongly disagree", 1, True),
    ("don't know", NA, True),
    ("stongly agre", 5, True),
    # a few words the rules cannot account for: a proposal, never stored
    ("yes, I work in the ICU", 4, False),
    ("agree but it varies", 4, False),
    # not answers
    ("why?", None, False),
    ("EHR?", None, False),
    ("what does bias mean?", None, False),
    ("what does agree mean", None, False),
    ("3 or 4", 3, False),  # neighbours: the milder one, proposed (round 4)
    ("agree, disagree", None, False),
    ("9", None, False),
    ("0", 1, False),  # below the scale: the lowest point, proposed
    ("zero", 1, False),
    ("3.5", 3, False),  # between two answers: toward neutral, proposed (round 4)
    ("/restart", None, False),
    ('/answer{"likert": 4}', None, False),
    ("can you repeat the question", None, False),
    # mixed answers: neutral is the likeliest reading, a judgement call (proposed)
    ("it depends", 3, False),
    ("x" * (MAX_ANSWER_LENGTH + 1), None, False),
    ("agree " * 30, None, False),
    ("yes and no", 3, True),
    # a question is never certain, and one about the scale is not an answer
    ("4?", 4, False),
    ("is 5 strongly agree?", None, False),
]


@pytest.mark.parametrize(("text", "value", "certain"), READINGS)
def test_reading(text, value, certain):
    reading = _read(text)
    assert (reading.value, reading.certain) == (value, certain), reading


def test_readings_table_has_no_duplicates():
    texts = [text for text, _, _ in READINGS]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(("negated", "value"), [
    # one rule over any polar phrase, with softeners in between
    ("I don't really agree", 2),
    ("can't agree with that", 2),
    ("I can't say I agree", 2),
    ("I wouldn't say I agree", 2),
    ("I don't think I agree", 2),
    ("don't fully agree", 4),
    ("I don't wholeheartedly agree", 4),
    ("not definitely agree", 4),
    ("I don't disagree", 4),
    ("not completely disagree", 2),
    ("not true", 2),
    ("isn't correct", 2),
    ("not false", 4),
    ("not wrong", 4),
    ("not usually", 2),
    ("not the case at all", 1),
    ("don't agree at all", 1),
])
def test_negation_is_a_rule_over_any_phrase(negated, value):
    reading = _read(negated)
    assert (reading.value, reading.certain) == (value, True), reading


def test_negation_by_rule_covers_every_polar_answer_phrase():
    """Every phrase listed under `answers` for 1, 2, 4 or 5 can be negated without being listed."""
    data = _phrase_file()
    mirror = {4: 2, 2: 4, 5: 4, 1: 2}
    exceptions = {phrase: value for value, phrases in data["negatable"].items() for phrase in phrases}
    for value, phrases in data["answers"].items():
        if value not in mirror:
            continue
        for phrase in phrases:
            if phrase.split()[0] in data["negators"] or phrase in ("never agree",):
                continue  # already negative ("not at all", "don't agree at all")
            reading = _read(f"I don't {phrase}")
            if reading.value is None:
                continue  # the phrase begins with words that make "don't" + phrase unreadable
            assert reading.value == exceptions.get(phrase, mirror[value]), phrase


def test_not_strongly_is_a_proposal_of_agreement_short_of_the_extreme():
    assert _read("not strongly") == Reading(4, False, "negated degree")


@pytest.mark.parametrize(("item_id", "text", "value", "certain"), [
    ("privacy_vulnerability_concern", "yes, somewhat worried", 4, True),
    ("privacy_vulnerability_concern", "yeah somewhat worried tbh", 4, True),
    ("privacy_vulnerability_concern", "not worried at all", 1, True),
    ("privacy_vulnerability_concern", "not worried", 2, True),
    ("privacy_vulnerability_concern", "very worried", 5, True),
    ("privacy_vulnerability_concern", "worried", 4, True),
    ("privacy_vulnerability_concern", "a bit worried", 4, True),  # the respondent's own state, mildly
    ("privacy_vulnerability_concern", "worried?", None, False),
    ("privacy_confidence", "fairly confident", 4, True),
    ("privacy_confidence", "not confident", 2, True),
    ("privacy_confidence", "not very confident", 2, True),
    ("privacy_confidence", "totally confident", 5, True),
    ("training_prepared", "I feel prepared", 4, True),
    ("training_prepared", "not really prepared", 2, True),
    ("training_prepared", "I don't feel prepared", 2, True),
    ("training_prepared", "not prepared at all", 1, True),
    ("training_prepared", "well prepared", 4, True),  # "well" is a filler
    ("ethics_bias_aware", "I recognise that", 4, True),
    ("privacy_breach_reporting", "I know", 4, True),
    # "I don't know" to "I know how to report …": maybe don't know, maybe 1: a proposal
    ("privacy_breach_reporting", "I don't know", NA, False),
    # acronyms are terms to look up, not echoes
    ("usable_single_sign_on", "EHR", None, False),
    ("usable_single_sign_on", "EHR?", None, False),
])
def test_statement_aware_readings(item_id, text, value, certain):
    reading = _read(text, item_id)
    assert (reading.value, reading.certain) == (value, certain), reading


def test_statement_words_are_derived_from_the_text_not_per_item_lists():
    from readiness.answers.reader import statement_words

    words = statement_words("I am worried that our AI tools could have security weaknesses.")
    assert words["worried"] is True  # describes the respondent: alone is agreement
    assert words["security"] is False  # present, but needs a modifier to count
    assert "that" not in words and "tools" not in words
    assert "EHR" not in statement_words("shown inside the EHR") and "ehr" not in statement_words("the EHR")
    # the same answer to a statement without the word is not read as an echo
    assert _read("not worried at all", "privacy_confidence").value is None
    assert _read("not worried at all").value is None


def test_without_a_statement_echo_words_are_unknown():
    assert _read("somewhat worried") == Reading(3, False, "extra words") or \
        _read("somewhat worried").certain is False


@pytest.mark.parametrize("text", [text for text, _ in PHRASINGS])
def test_parse_answer_is_the_certain_value_of_read_answer(text):
    reading = read_answer(text)
    assert parse_answer(text) == (reading.value if reading.certain else None)


@pytest.mark.parametrize(("text", "term"), [
    ("EHR?", "EHR"),
    ("bias?", "bias"),
    ("what's an LLM", "LLM"),
    ("what is FHIR?", "FHIR"),
    ("What does interoperability mean?", "interoperability"),
    ("what do you mean by model card", "model card"),
    ("define hallucination", "hallucination"),
])
def test_term_questions(text, term):
    assert term_in_question(text) == term
    assert is_term_question(text)
    assert _read(text).value is None
    from readiness.matching import find_glossary_entry

    assert find_glossary_entry(current_questionnaire(), term) is not None


@pytest.mark.parametrize("text", ["why?", "really?", "sorry?", "4", "agree", "is it 4?",
                                  "can you repeat the question?", "hello", "", "what?"])
def test_not_term_questions(text):
    assert not is_term_question(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=MAX_ANSWER_LENGTH + 20), st.sampled_from([None, "privacy_vulnerability_concern",
                                                                  "training_prepared"]))
def test_read_answer_never_raises_and_returns_valid_readings(text, item_id):
    reading = _read(text, item_id)
    assert isinstance(reading, Reading)
    assert _in_domain(reading.value)
    assert not (reading.certain and reading.value is None)
    assert isinstance(is_term_question(text), bool)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["agree", "disagree", "not", "don't", "kind", "of", "mostly", "true", "false", "very", "much",
     "more", "than", "yes", "no", "worried", "at", "all", "rarely", "4", "2", "?", "👍", "really",
     "i", "say", "there", "we're", "fully", "probably", "somewhat"]), max_size=10).map(" ".join),
    st.sampled_from([None, "privacy_vulnerability_concern"]))
def test_any_sequence_of_answer_words_reads_validly(text, item_id):
    reading = _read(text, item_id)
    assert _in_domain(reading.value) and not (reading.certain and reading.value is None)
    assert parse_answer(text) == (_read(text).value if _read(text).certain else None)


# --------------------------------------------------------------------------- issue 10, round 2:
# classes of replies (none of these texts is in tests/data/answers_eval.yml)

@pytest.mark.parametrize(("item_id", "text", "value", "certain"), [
    # antonyms of the statement's words: read like the word negated
    ("usable_easy_after_training", "way too complicated", 1, False),  # unknown "way": proposed
    ("usable_easy_after_training", "difficult", 1, True),
    ("usable_easy_after_training", "quite cumbersome", 2, True),
    ("usable_disrupts_care", "it speeds things up", 1, False),  # extra words: proposed
    ("usable_disrupts_care", "smoother", 1, True),
    ("privacy_vulnerability_concern", "calm", 2, True),
    ("privacy_vulnerability_concern", "totally unbothered", 1, True),
    ("transparency_black_box", "interpretable", 1, True),
    ("collab_involved_in_design", "sidelined", 2, True),
    # never when the statement negates the word: either side
    ("collab_tools_imposed", "bypassed", None, False),
    # never without the statement's word: an antonym alone is nothing
    ("usable_adoption_metrics", "sluggish", None, False),
    (None, "clunky", None, False),
    # quantity words after an echo
    ("privacy_vulnerability_concern", "concerned about it loads", 5, True),
    ("privacy_vulnerability_concern", "my greatest concern", 5, True),
    ("usable_easy_after_training", "simple enough", 4, True),
    # know-how
    ("ethics_guidelines_known", "I know where", 4, True),
    # mixed answers: partly, proposed
    ("privacy_access_controls", "audit trails yes, encryption no", 3, False),
    ("training_programme_funded", "there's a programme but no funding", 3, False),
])
def test_statement_classes(item_id, text, value, certain):
    reading = _read(text, item_id)
    assert (reading.value, reading.certain) == (value, certain), reading


@pytest.mark.parametrize(("text", "value", "certain"), [
    # a hedged scale label is the mildest agreement; on other heads still a judgement call
    ("sorta disagree", 2, True),
    ("kinda agree", 4, True),
    ("sort of yes", 4, False),
    # leaning on a number, yes or no without "than"
    ("closer to a 4", 4, True),
    ("more like 3", 3, True),
    ("more of a no", 2, True),
    ("lean disagree", 2, True),
    # quantities alone: only proposed
    ("loads", 5, False),
    ("barely", 2, True),
    ("scarcely", 2, True),
    ("halfway there", 3, True),
    ("very rarely", 1, True),
    # the absence of doubt
    ("no doubt", 5, True),
    ("without any doubt", 5, True),
    ("I don't doubt it", 4, True),
    # "not at all" + a head; bare negations after a subject
    ("not at all the case", 1, True),
    ("nope, it isn't", 2, True),
    ("they don't have any", 1, True),
    ("there isn't", 2, True),
    # qualifiers of knowledge leave the answer as it is
    ("none as far as I know", 1, True),
    ("agree, to my knowledge", 4, True),
    # self-corrections with "I mean"
    ("disagree, I mean strongly disagree", 1, True),
    # a comment after a certain answer: certain when it only says how or where
    ("agree, the trust board signed it off", 4, True),
    ("yes - via our governance team", 4, True),
    # … a proposal when it may take the answer back or restrict it
    ("yes, for nurses", 4, False),
    ("agree, nobody checks it though", 4, False),
    ("yes, in theory", 3, False),  # in name only: partly
    ("agree; the committee", 4, False),
    ("yes, it fizzled out", 4, False),  # a clause with its own subject
    ("agree, we stopped using it", 4, False),
    ("agree, but", 4, False),
    ("agree, but not strongly", 4, True),
    # partial openings: proposed as partly
    ("only on paper", 2, False),  # round 4: a restriction ("only") proposes 2
    ("partially, for some wards", 3, False),
    # not answers
    ("agree, disagree", None, False),
    ("not", None, False),
    ("without", None, False),
    ("more", None, False),
])
def test_reply_classes(text, value, certain):
    reading = _read(text)
    assert (reading.value, reading.certain) == (value, certain), reading


# --------------------------------------------------------------------------- issue 10, round 3:
# certainty audited after the second blind set (none of these texts is in an evaluation file)

@pytest.mark.parametrize(("item_id", "text", "value", "certain"), [
    # a spelled number among words of the statement is a count, not the scale value
    ("privacy_access_controls", "all three", 3, False),
    ("privacy_access_controls", "three, everywhere", 3, False),
    # a digit is the scale even then
    ("privacy_access_controls", "3, everywhere", 3, True),
    (None, "3, our team checks", 3, True),
    # a spelled number alone or with scale words stays certain
    (None, "four", 4, True),
    (None, "a two", 2, True),
    (None, "two, our team checks", 2, False),  # a spelled number with a comment
    # "no" right after a negated verb is the typo of "know": proposed as don't know
    (None, "we dont no", "n/a", False),
    (None, "I don’t no", "n/a", False),
    (None, "i do not no", "n/a", False),
    # … a "no" after a comma is still a no
    (None, "we don't, no", 2, True),
    # "not" for "don't" before "know"
    (None, "we not know", "n/a", True),
    # a bare "no" with a comment may refute something else: proposed; a scale word stays
    (None, "nope, the ward manager", 2, False),
    (None, "no, our team checks", 2, False),
    (None, "disagree, our team checks", 2, True),
    (None, "yes, our team checks", 4, True),
])
def test_certainty_needs_full_evidence(item_id, text, value, certain):
    reading = _read(text, item_id)
    assert (reading.value, reading.certain) == (value, certain), reading


@pytest.mark.parametrize(("text", "value", "certain"), [
    # a negation of each side is neither: proposed neutral
    ("I don't agree and I don't disagree", 3, False),
    # not knowing, then a number: the number, proposed
    ("no idea, perhaps 2", 2, False),
    # two answers a step apart: the one nearer neutral, proposed (round 4; was unread)
    ("2 or 3", 3, False),
    ("agree or strongly agree", 4, False),
    # further apart, or a number in a comment: no reading
    ("2 or 4", None, False),
    ("1-5", None, False),
])
def test_readings_that_only_seem_to_disagree(text, value, certain):
    reading = _read(text)
    assert (reading.value, reading.certain) == (value, certain), reading


# --------------------------------------------------------------------------- issue 10, round 4:
# classes of replies from the third blind set's failures (none of these texts is in an
# evaluation file)

ROUND4: list[tuple[str | None, str, object, bool]] = [
    # "no" + a word of the respondent's own state is its absence: none at all (1), not "not" (2)
    ("privacy_vulnerability_concern", "no worries", 1, True),
    ("patient_consent_confidence", "zero confidence, no", 1, True),
    ("patient_consent_confidence", "no confidence", 1, True),
    ("privacy_vulnerability_concern", "not concerned", 2, True),
    # the statement's own quantifier ("every", "all") repeated with a yes: 5, only proposed
    ("transparency_model_cards", "yes, every model", 5, False),
    ("transparency_model_cards", "every single model, agree", 5, False),
    # idioms of strong agreement and of no, regional yes words and knowing nothing
    (None, "damn right", 5, True),
    (None, "you bet", 5, True),
    (None, "fat chance", 1, True),
    (None, "when pigs fly", 1, True),
    (None, "not a jot", 1, True),
    (None, "not the faintest", NA, True),
    (None, "reckon not", 2, True),
    (None, "aye", 4, True),
    (None, "nothing so far", 1, True),
    # faint praise and criticism: a side, not a strength: proposed
    (None, "not too bad", 4, False),
    (None, "needs work", 2, False),
    # a hesitant yes alone is proposed; with a scale word the scale word decides
    (None, "hmm i guess", 4, False),
    (None, "agree, I guess", 4, True),
    # "yeah" straight before a no only acknowledges ("yeah nah"), "nah" before a yes too
    (None, "yea nah", 2, True),
    (None, "yeah nope", 2, True),
    (None, "nah yep", 4, True),
    (None, "yeah, no", None, False),  # with a comma: read as written, two answers
    # intensified states: the statement's word at its extreme
    ("privacy_vulnerability_concern", "petrified", 5, True),
    ("privacy_vulnerability_concern", "awfully worried", 5, True),
    ("privacy_vulnerability_concern", "not a bit concerned", 1, True),
    (None, "petrified", None, False),  # without the statement's word: nothing
    # numbers off the scale: only ever proposed (quintiles; decimals toward neutral)
    (None, "around 90%", 5, False),
    (None, "about 40 percent", 2, False),
    (None, "8 out of 10", 4, False),
    (None, "1.5", 2, False),
    (None, "4.5", 4, False),
    (None, "150%", 5, True),  # more than 100 % is emphasis, like "100%" (totally)
    (None, "12/10", None, False),
    (None, "80% of the time we forget", None, False),
    # neighbouring answers: the milder one, proposed; never two apart or in a comment
    (None, "4-5", 4, False),
    (None, "neutral or disagree", 3, False),
    (None, "closer to neutral than disagree", 3, False),
    ("training_knows_limits", "yes it crashes sometimes, I check", None, False),
    # a negated degree takes the side named elsewhere; "not entirely" alone is partly
    (None, "disagree - not strongly", 2, True),
    (None, "disagree - not strongly though", 2, False),  # a contrast with nothing after it
    (None, "not fully", 3, False),
    (None, "not strongly", 4, False),
    # the scale's label wins over a bare yes/no of the other side
    (None, "nope, agree", 4, True),
    (None, "yeah, strongly disagree", 1, True),
    (None, "yes agree", 4, True),
    # doubt about a label is its mirror, proposed; not knowing, a comma, a label: the label
    (None, "not sure i agree", 2, False),
    (None, "unsure I would disagree", 4, False),
    (None, "no idea, probably disagree", 2, False),
    # "not" + a manner adverb: a no as to how, proposed
    (None, "not regularly", 2, False),
    ("ethics_fairness_testing", "not consistently", 2, False),
    # planned or being prepared: a no for now, proposed
    (None, "still being developed", 2, False),
    (None, "we plan to", 2, False),
    # "no" + words of the statement: none (1); after a pause the no may stand alone: proposed
    ("patient_consent_process", "no agreed process for that", 1, True),
    ("patient_consent_process", "no, agreed process", 1, False),
    # a degree alone grades the respondent's own state; to a fact it says nothing
    ("privacy_confidence", "extremely", 5, True),
    ("privacy_confidence", "quite", 4, True),
    ("privacy_confidence", "totally", 5, True),  # a leaning word of its own, as before
    ("privacy_confidence", "strongly", None, False),  # strongly what: agree or disagree?
    # to any other statement a degree alone is proposed as the degree of agreement (round 8:
    # the eighth blind set's author accepted "quite" as 4 or 5); it is never certain
    ("patient_consent_process", "extremely", 5, False),
    (None, "quite", 4, False),
    # the statement's own frequency word is agreement with it, proposed
    ("validation_unapproved_use", "yes, sometimes", 4, False),
    # not knowing whether: don't know, proposed
    ("validation_accuracy_confidence", "not sure whether it was", NA, False),
    # the statement's words asked back, then the answer: proposed
    ("privacy_confidence", "confident? very much so", 5, False),
    ("privacy_confidence", "adequate? no", 2, False),
    # what held before a contrast and what holds now: now, proposed
    (None, "I used to disagree but not anymore", 4, False),
    (None, "at first no but now yes", 4, False),
    # not answers: adjectives before a noun, questions without "?", "whats …"
    (None, "sorry, clicked the wrong link", None, False),
    (None, "one minute please", None, False),
    (None, "is this confidential", None, False),
    ("transparency_model_cards", "whats a data card", None, False),
    (None, "wrong", 2, True),  # alone it is still an answer
    (None, "that's right, agree", 4, True),
    # short of a number: a step toward neutral, proposed
    (None, "not really a 5", 4, False),
    (None, "hardly a 1", 2, False),
    # "not really" + "no" is a no; "nobody" + the statement's word denies it
    (None, "not really, no", 2, True),
    ("ethics_data_representation", "nobody reviews that", 1, True),
    ("collab_tools_imposed", "nobody asks", None, False),  # the statement negates it: unclear
    # an echo alone is certain only in the statement's own form or a listed synonym
    ("validation_local_evaluation", "evaluated", 4, True),
    ("validation_local_evaluation", "evaluate", 4, False),
    # messages that are never answers, even when the statement holds the word
    ("usable_user_testing", "test", None, False),
    (None, "hi there", None, False),
    # not knowing what a word means is a question about the term, not a 1
    ("scale_support_available", "I don't know what triage means", None, False),
    # "3ish": the number, hedged (proposed)
    (None, "2ish", 2, False),
    # a past, then a word of the present: what holds now, proposed
    (None, "used to disagree, now agree", 4, False),
    # corrections after "typo" / "realistically": the last answer, proposed
    (None, "agree - typo, disagree", 2, False),
    # "not so" + a label: a softened negation
    (None, "not so disagree", 4, True),
    # more everyday phrasings of agreement and of not being the one to say
    (None, "most days", 4, True),
    (None, "not my call", NA, True),
    # a content reply framed by a bare yes or no: proposed, never stored as is
    ("ethics_guidelines_known", "yes theres a folder of them on the shared drive", 4, False),
    ("ethics_guidelines_known", "the trust published a handbook last spring, yes", 4, False),
    ("ethics_fairness_testing", "we test by age and sex groups, not ethnicity", 3, False),  # partly
    (None, "sorry, the wrong window", None, False),
    # "no" + words of the statement in any inflection, up to "at all": none
    ("usable_user_testing", "no tests before rollout at all", 1, True),
    ("collab_joint_team", "no such team here", 1, True),
    ("collab_joint_team", "no such group", 2, False),  # not a word of the statement: a no, proposed
    (None, "I wouldn't know", NA, True),
    # scope words in a proposed reply: a restriction makes agreement 2, "all" makes it 5
    ("training_programme_funded", "funded for nurses only", 2, False),
    ("transparency_decision_log", "all recorded in the audit log", 5, False),
    # "zero" before a word is none; alone it is the lowest point, proposed; of a scale, no answer
    ("privacy_incidents_reported", "zero reported", 1, True),
    ("privacy_incidents_reported", "zero", 1, False),
    (None, "zero out of five", None, False),
]


@pytest.mark.parametrize(("item_id", "text", "value", "certain"), ROUND4)
def test_round4_classes(item_id, text, value, certain):
    reading = _read(text, item_id)
    assert (reading.value, reading.certain) == (value, certain), reading


#: Certainty audit after the fourth blind set (its three certain misreadings, as classes).
CERTAINTY_AUDIT = [
    # denying an emphatic yes says no, not how far: proposed ("not exactly" = not really)
    (None, "not exactly", 2, False),
    (None, "exactly", 5, True),
    (None, "not strongly agree", 4, True),  # the label stays: agree
    # under way: "not yet" to "we have a process", "partly" to "I feel prepared": proposed
    ("patient_consent_process", "we're working on it", 3, False),
    (None, "in progress", 3, False),
    # a frame noun without a number or a label is content, not the frame of an answer
    ("transparency_explanations_shown", "no, just the answer", 2, False),
    (None, "no answer", 2, False),
    (None, "my answer is 4", 4, True),
    (None, "strongly agree is my answer", 5, True),
    (None, "prefer not to answer", NA, True),  # a listed phrase means what it says
    # a bare affirmation is certain only as subject + auxiliary ("we do"); with other words,
    # read across all 53 statements ("I have to go, patient" to "… could have …"), proposed
    ("privacy_vulnerability_concern", "I have to go, patient", 4, False),
    ("privacy_vulnerability_concern", "we do", 4, True),
]


@pytest.mark.parametrize(("item_id", "text", "value", "certain"), CERTAINTY_AUDIT)
def test_certainty_audit_after_the_fourth_blind_set(item_id, text, value, certain):
    reading = _read(text, item_id)
    assert (reading.value, reading.certain) == (value, certain), reading


#: Classes after the fifth blind set's remaining generic misses and the sixth's first run.
SIDES_AND_DOUBTS = [
    # a side said with a doubt: that side's milder answer, proposed
    (None, "I think yes but not sure", 4, False),
    (None, "not sure, probably no", 2, False),
    (None, "strongly agree but not sure", 4, False),
    (None, "not sure i agree", 2, False),  # doubting a label still says the other side
    # a side limited to a part: partly, proposed
    (None, "yes partially", 3, False),
    (None, "yes to some extent", 3, False),
    (None, "partly", 3, True),
    # a content reply with a side and a "sometimes" is left to the learned proposals
    ("training_knows_limits", "yes it crashes sometimes, I check", None, False),
    # emphasis beside a label takes it to its extreme; beside a number the number stays
    (None, "agree absolutely", 5, True),
    (None, "disagree fully", 1, True),
    (None, "disagree definitely", 1, True),
    (None, "4 definitely", 4, True),
    (None, "fully", 5, True),
    # "not" before a degree of the whole is partly (was unread when the degree is also a phrase)
    (None, "not completely", 3, False),
    (None, "not totally", 3, False),
    (None, "not fully", 3, False),
    # "I don't think that's true": the negation reaches past "that's", "it is"
    (None, "I don't think that's true", 2, True),
    (None, "i don't think it is true", 2, True),
    # a number taken back by a bare no: the second, proposed
    (None, "3 no 2", 2, False),
    (None, "4, nope, 3", 3, False),
    # "in theory", "on paper": in name only, partly
    (None, "on paper yes", 3, False),
    (None, "yes only", 4, False),  # nothing to restrict: the yes stays (proposed)
    (None, "dis-agree", 2, True),  # a split word joined again
    (None, "agree 110%", 5, True),
    (None, "hopefully not", 2, False),
    (None, "mixed feelings", 3, True),
    (None, "wouldn't go that far", 2, False),
    (None, "a bit of both", 3, True),  # both sides at once is the middle, not a doubt
    (None, "half half", 3, True),
    (None, "eh", 3, False),
    # either end of another scale is certain, unless approximated; inside it, proposed
    (None, "10/10", 5, True),
    (None, "0/10", 1, True),
    (None, "100/100", 5, True),
    (None, "about 0%", 1, False),
    (None, "like 10/10", 5, False),
    (None, "10/10?", 5, False),
    (None, "7/10", 4, False),
    # a partial yes alone: proposed, never certain
    (None, "roughly", 3, False),
    (None, "up to a point", 3, False),
    (None, "agree to an extent", 4, False),
    (None, "broadly", 4, False),
    (None, "almost certainly", 4, False),
    (None, "it varies", 3, False),
    (None, "not so much agree", 2, False),
    (None, "generally no", 2, True),
    # a question mark anywhere is a doubt or a question, never certain ("involved? lol": scorn)
    ("collab_involved_in_design", "involved? lol", 2, False),  # laughter after an echo question: a no
    ("training_programme_funded", "funded? haha", 2, False),
    ("collab_involved_in_design", "involved? haha yes", 4, False),
    ("collab_involved_in_design", "involved? hmm", 4, False),
    (None, "agree? yes", 4, False),
    (None, "agree", 4, True),
    # round 7 (from the seventh blind set's generic misses)
    (None, "uh huh", 4, True),
    (None, "could go either way", 3, True),
    (None, "on balance yes", 4, True),
    (None, "good enough", 4, False),
    (None, "not as much as I'd like", 2, False),
    (None, "disagree. on second thought, strongly disagree", 1, False),
    # a long reply that states its answer after "I'll go with", "my answer is": that, proposed
    (None, "part of me wants to say yes but the realistic part says no, so I'll go with disagree I think", 2, False),
    (None, "three admissions in the last hour, and my answer is strongly disagree. Sorry to be blunt.", 1, False),
    (None, "most days I would say so, but after last week I'm not sure. let's say neutral", 3, False),
    (None, "let's say we had a policy", None, False),  # nothing stated after it
    (None, "I'd go with agree", 4, True),  # a reply read as a whole stays as it was
    # a share beside a plain agreement is a share of agreement, proposed
    (None, "90 percent agree", 5, False),
    (None, "like 80% yes", 4, False),
    (None, "80% disagree", None, False),  # the other side's share: not read
    # a number word before a noun counts something: never the answer it spells
    ("collab_protected_time", "two sessions a month for the clinical champions", None, False),
    (None, "I'd say two", 2, True),
    (None, "four out of five", 4, True),
    # not knowing something the statement does not ask about is no answer (live blind7: "not
    # sure what you're asking" to "I know whom to contact" was a certain 1)
    ("scale_support_available", "not sure what you're asking", None, False),
    ("scale_support_available", "no idea who to call", 1, True),
    ("ethics_guidelines_known", "not sure where they are", 1, True),
    # round 8 (classes of the eighth blind set's first-run misses; none of these texts is in it)
    (None, "a notch under agree", 3, False),  # a place beside a named point: one step off it
    (None, "just above the middle", 4, False),
    (None, "just short of strongly disagree", 2, False),  # short of a point: toward neutral
    (None, "more than 2 and less than 4", 3, False),
    (None, "more than 2 less than 5", None, False),  # two points left: no reading
    (None, "I wouldn't go so far as strongly disagree", 2, False),
    (None, "⭐⭐⭐", 3, False),  # stars: a rating out of five, proposed
    (None, "★★★★★★", None, False),
    (None, "yea right", 1, False),  # scorn: a yes meant as a no, proposed
    (None, "oh yeah right", 1, False),
    (None, "yess", 4, True),  # a last letter typed twice
    (None, "nahh", 2, True),
    (None, "de acuerdo", 4, True),  # a few other languages' labels
    (None, "pas d'accord", 2, True),
    (None, "je ne sais pas", NOT_APPLICABLE, True),
    (None, "long night on the ward... anyway, strongly disagree", 1, False),
    (None, "sorry, meant agree", 4, False),
    (None, "it's fine", 4, False),
    (None, "i wouldn't say no", 4, False),
    (None, "more on the disagree side", 2, False),
    (None, "4 or 5 I guess", 4, False),  # a leaning word fitting both points is set aside
    (None, "1 or 2 I guess", None, False),  # … but not one leaning the other way
    (None, "between 2 and 4", 3, False),  # the point between two
    (None, "between 1 and 5", None, False),
    (None, "fairly", 4, False),  # a degree alone, to a statement not about the respondent: proposed
    (None, "strongly", None, False),
    # a count out of a whole larger than the scale: the share it is, never an end in between
    ("usable_single_sign_on", "3 of our 9 systems", 2, False),
    ("scale_across_departments", "in 11 of the 12 wards", 4, False),
    ("scale_across_departments", "12 out of 12", 5, False),
    ("scale_across_departments", "0 of our 6 sites", 1, False),
    ("scale_across_departments", "9 of 6", None, False),
    # being built or drafted is not in place yet: a no for now, proposed
    ("transparency_decision_log", "a draft", 2, False),
    ("transparency_decision_log", "being built", 2, False),
    # words of address are fillers; "lowkey" grades a label like "somewhat"
    (None, "nah mate", 2, True),
    (None, "yes madam", 4, True),
    (None, "mate", None, False),
    (None, "lowkey agree", 4, True),
    (None, "lowkey true", 4, False),
    # refusing is not an answer, even to a statement about answering; not being able to is
    ("training_knows_limits", "I'm not answering that", None, False),
    ("patient_consent_confidence", "not answering", None, False),
    (None, "I refuse to answer this", None, False),
    (None, "can't answer that", "n/a", True),
    (None, "I won't say no", 4, False),  # like "wouldn't say no", never a bare no
    # ninth round: compared answers, torn, okay, corrections ending on their marker
    (None, "closer to agree than neutral", 4, False),
    (None, "nearer disagree than neutral", 2, False),
    (None, "less agree than disagree", 2, False),
    (None, "I'm torn", 3, True),
    (None, "it's okay", 4, False),
    (None, "okay", None, False),  # an acknowledgement alone
    (None, "affirmative", 4, True),
    (None, "uh-uh", 2, True),
    (None, "not that I've noticed", 2, True),
    (None, "no cap, agree", 4, True),
    (None, "yes, actually no", 2, True),
    (None, "4, actually no, 3", 3, True),
    (None, "3 or maybe 4... let's go 4", 4, False),
    (None, "long day. short answer: no.", 2, False),
    # round 10 (blind10): other languages staff answer in, survey shorthand, spelled percent
    (None, "bilkul nahi", 1, True),
    (None, "pata nahi", "n/a", True),
    (None, "hindi po", 2, True),
    (None, "opo", 4, True),
    (None, "na so", 4, True),  # pidgin: "it is so", not "n/a" + "so"
    (None, "na", "n/a", True),
    (None, "thik thak", 3, True),
    (None, "medyo", 3, False),
    (None, "SA", 5, True),
    (None, "sd", 1, True),
    (None, "tres", 3, True),
    (None, "a hundred percent no", 1, True),
    (None, "one hundred percent", 5, True),
    (None, "hundred patients", None, False),
    (None, "facts", 4, False),
    (None, "that'll be the day", 1, False),
    (None, "it's complicated", 3, False),  # an idiom, not the antonym of "easy"
    ("usable_easy_after_training", "it's complicated", 3, False),
    (None, "neutral... actually no idea", "n/a", True),  # "actually" + "no idea"
    (None, "hmm tough one... agree", 4, False),  # "one" of a question, not a 1
    (None, "going with neutral because i genuinely dont have enough info to say more", 3, False),
    (None, "just finished night shift so brain is mush but I'd say 3", 3, False),
    ("ethics_guidelines_known", "we have them, no idea where they are", None, None),  # never a certain 1
    ("ethics_guidelines_known", "no idea where they are", 1, True),
    (None, "five. hmm no, four", 4, False),  # spelled numbers taken back, fillers between
    (None, "disagree (meant agree, fat fingers)", 4, False),  # a closing marker is no answer
    (None, "🙅‍♂️", 2, True),
    (None, "what a joke", 1, False),
    (None, "yes po", 4, True),  # particles of other Englishes are fillers
    (None, "not at all o", 1, True),
    (None, "cannot say lah", "n/a", True),
    (None, "no idea yaar", "n/a", True),
    (None, "Ans 3", 3, True),
    (None, "tick neutral for me", 3, True),
    (None, "o", None, False),
    (None, "agree, wrong one, disagree", 2, True),  # "wrong one" takes the first back
    (None, "yes - no sorry misread, no", 2, False),
    # round 11 (blind11): a verdict after an explanation, reasons, a yes for one part only,
    # not knowing to a statement about knowing, more languages and idioms
    (None, "Our board discussed this last month and we're getting there but not fully. Call it a 3.", 3, False),
    (None, "As director of nursing I have to be honest with you: we are nowhere near this. Strongly disagree.",
     1, False),
    (None, "Honestly, we've discussed it at three exec meetings and approved it in principle, but nobody "
           "has actually had a session backfilled yet, so I'd have to say disagree.", 2, False),
    (None, "Strongly disagree. We have no policy, no training, no budget, no staff, no plan, and no "
           "interest from the board in any of it at all, sadly.", 1, False),  # too long to read whole
    (None, "agree. Well, strongly disagree actually, if we are honest about it.", None, None),
    (None, "2 since the last update broke things", 2, False),
    (None, "neutral cos I've only been here 3 weeks", 3, False),  # "only" is the reason's, not the answer's
    ("privacy_incidents_reported", "yes, two", None, None),  # "two" a count, never a verdict of 2
    ("privacy_access_controls", "encryption yes, audit trails only on the prod DB", 3, False),
    ("collab_protected_time", "for consultants yes, nurses get nothing", None, None),
    (None, "mostly yes, nobody asks the night staff", 4, False),  # a degree, not a part of the statement
    ("ethics_escalation", "not a scooby", 1, False),  # not knowing whom, or not knowing: proposed
    ("privacy_breach_reporting", "no idea", 1, False),
    ("ethics_escalation", "skip", "n/a", True),  # the skip command stays a skip
    ("transparency_model_cards", "no idea", "n/a", True),  # "known limitations": not about knowing
    (None, "是的", 4, True),
    (None, "不同意", 2, True),
    (None, "نعم", 4, True),
    (None, "tak", 4, True),
    (None, "não", 2, True),
    (None, "hapana", 2, True),
    (None, "sijui", "n/a", True),
    (None, "non, jamais", 1, True),
    (None, "concordo totalmente", 5, True),
    (None, "zgadzam się", 4, True),
    (None, "nay", 2, True),
    (None, "nuteral", 3, True),
    (None, "nto really", 2, True),
    (None, "top box", 5, True),
    (None, "bottom of the scale", 1, True),
    (None, "low end", 2, False),
    (None, "five stars", 5, False),
    (None, "damn straight", 5, True),
    (None, "not in a month of Sundays", 1, True),
    (None, "search me", "n/a", True),
    (None, "a wee bit", 3, False),
    (None, "fat fingered a 5, should be 2", 2, False),
    # the statement asked back is no lead answer: "confident?" is not a yes
    ("collab_involved_in_design", "involved? I found out about it at handover", None, False),
    ("privacy_confidence", "confident?? not after the ransomware scare in the spring", None, False),
    ("collab_involved_in_design", "involved? no, never", 1, False),
    (None, "we're drafting one", 2, False),  # a thing being made, not the answer 1
    (None, "I'd give it one", 1, False),
    # a don't-know beside the middle label: the middle is what was picked, proposed
    (None, "no idea, put neutral", 3, False),
    (None, "neutral, don't know", 3, False),
    (None, "don't know. 3", 3, False),
    (None, "idk, agree", 4, False),  # a side beside a don't-know stays a side
    # "quite" leaves a negation in doubt (almost agreeing, or mildly not): the middle, proposed
    (None, "not quite agree", 3, False),
    (None, "I don't quite agree", 3, False),
    (None, "don't quite disagree", 3, False),
    (None, "not quite strongly agree", 4, True),  # the step below the extreme, as without "quite"
    # short of sure is unsure, never the "sure" of a yes
    (None, "not entirely sure", "n/a", False),
    (None, "I'm not 100% sure", "n/a", False),
    (None, "not really sure tbh", "n/a", False),
    (None, "not totally sure", "n/a", False),
    (None, "not so sure", 2, False),  # doubting the claim
    (None, "not at the moment", 2, True),
    (None, "difficult to say", "n/a", True),
    (None, "can't decide", 3, True),
    # scorn: a yes with a flat no that is no label, or an eye-roll beside agreement
    (None, "sure, dream on", 1, False),
    (None, "yeah, in my dreams", 1, False),
    (None, "sure, and pigs fly", 1, False),
    (None, "oh yeah, totally 🙄", 2, False),
    (None, "sure 😏", 2, False),
    (None, "yes, strongly disagree", 1, True),  # a label after a yes is still the label
    # a bare no between two answers takes the first back
    (None, "neutral, no, disagree", 2, False),
    (None, "agree, no, strongly agree", 5, False),
    (None, "strongly agree, no hesitation", 5, True),
    (None, "it's mixed", 3, False),
    (None, "I want to say yes but honestly no", 2, False),
    (None, "I'm not sure how to answer this", "n/a", False),
    (None, "I'm going to say neutral because I've only used one of the tools", 3, False),
    (None, "hard to agree", 2, True),
    (None, "not at all sure", "n/a", False),
    (None, "to a small extent", 2, False),
    (None, "a fair bit", 4, False),
    (None, "nil", 1, True),
    # emphasis before a negated label takes it to its extreme, as "disagree absolutely" does
    (None, "I absolutely don't agree", 1, True),
    (None, "I totally don't agree", 1, True),
    (None, "I just don't agree", 2, True),  # "just" is no emphasis
    (None, "don't really know", "n/a", True),
    # a scale label, then a comment holding other answer words: the label, proposed (not "partly")
    (None, "strongly agree, never had a problem", 5, False),
    (None, "agree, nothing is perfect", 4, False),
    (None, "yes, never had an issue", 3, False),  # a bare yes may answer something else: still partly
    (None, "agree - no hang on, neutral", 3, False),  # a correction, not a comment
    # a degree beside a filler with a judgement of its own grades that filler, not the statement
    ("training_prepared", "very low", 1, False),  # was a stored 5 ("very" = very prepared)
    ("privacy_vulnerability_concern", "pretty low", 2, False),
    ("training_prepared", "very high", 5, False),
    ("training_prepared", "quite afraid", None, None),
    ("training_prepared", "very", 5, True),  # the degree alone still grades the state
    (None, "I'd rate it pretty low", 2, False),
    (None, "no no, I agree", 4, True),  # one no said twice, then the label
    (None, "agree - my boss would strongly disagree though lol", 4, False),
    (None, "not something I'd know about", "n/a", True),
    # a button named by its place is not a number: "the second one" is no "1"
    (None, "the second one", None, False),
    (None, "the last one", None, False),
    (None, "the middle one", 3, True),
    (None, "pull the other one", 1, True),
    # "neither" to a statement naming two things may mean neither of them: only proposed
    ("training_can_support_colleagues", "neither tbh", 3, False),  # "the material and the time"
    ("training_prepared", "neither", 3, True),  # one thing named: the scale's middle
    ("training_can_support_colleagues", "neither agree nor disagree", 3, True),
    (None, "can't really say", "n/a", True),
    (None, "not definitely agree", 4, True),  # the emphasis negated: short of the extreme
]


@pytest.mark.parametrize(("item_id", "text", "value", "certain"), SIDES_AND_DOUBTS)
def test_sides_doubts_and_emphasis(item_id, text, value, certain):
    reading = _read(text, item_id)
    if certain is None:  # whatever is proposed, nothing is stored unconfirmed
        assert not reading.certain, reading
    else:
        assert (reading.value, reading.certain) == (value, certain), reading


#: "skip" (and "skip this one", "pass") typed is the designed skip command (stores don't know,
#: replies "Skipped — it won't count towards your scores." and moves on); blind4's and
#: blind12's authors marked it not an answer. Nothing else in any evaluation file may be
#: stored wrongly.
_DESIGNED = {"skip", "skip this one", "pass"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(path.name for path in (ROOT / "tests" / "data").glob("answers_*.yml")))
def test_no_evaluation_case_is_stored_wrongly(name):
    """The reader (rules and learned proposals) over every evaluation file: a certain reading
    outside a case's accept list is a misfiled answer, the one outcome that must never happen."""
    from bench.answers_eval import WRONG, load_cases, parser_outcomes

    content = current_content()
    outcomes = parser_outcomes(load_cases(ROOT / "tests" / "data" / name, content.questionnaire),
                               content.questionnaire, content.vocabulary)
    wrong = [(o.case.text, o.case.item, o.reading) for o in outcomes
             if o.kind == WRONG and o.case.text not in _DESIGNED]
    assert wrong == []


@pytest.mark.parametrize("name", sorted(path.name for path in (ROOT / "tests" / "data").glob("answers_*.yml")))
def test_no_generic_case_is_stored_wrongly_to_any_statement(name):
    """A generic case holds for any statement, and the live bot types it to one of them: read
    against every statement, no certain reading may fall outside its accept list (the live run
    of blind7 found "not sure what you're asking" a certain 1 to "I know whom to contact")."""
    from bench.answers_eval import load_cases

    content = current_content()
    questionnaire = content.questionnaire
    statements = {item.id: item for role in ("clinician", "nurse", "it_admin", "ai_developer", "leader")
                  for item in questionnaire.items_for(role)}
    wrong = []
    for case in load_cases(ROOT / "tests" / "data" / name, questionnaire):
        if case.item is not None or case.text in _DESIGNED:
            continue
        for item in statements.values():
            reading = read_answer(case.text, item, content.vocabulary)
            if reading.certain and reading.value not in case.accept:
                wrong.append((case.text, item.id, reading))
    assert wrong == []


def test_a_count_after_a_yes_is_no_scorn():
    """"one" after a yes is a count ("yes we had one in march"), never the flat no of scorn."""
    for text in ("yes we had one in march", "yep, one"):
        reading = _read(text, "privacy_incidents_reported")
        assert reading.value != 1 and not reading.certain, reading


@pytest.mark.parametrize(("item_id", "text"), [
    ("privacy_vulnerability_concern", "very secure"),  # "… could have security weaknesses"
    ("privacy_vulnerability_concern", "quite confident"),
    ("privacy_vulnerability_concern", "not secure"),
    ("privacy_vulnerability_concern", "no security"),
    ("privacy_vulnerability_concern", "not logged"),  # "… that expose patient records"
    ("privacy_incidents_reported", "very secure"),  # "Security or privacy incidents …"
    ("privacy_breach_reporting", "fully involved"),  # "… incident involving an AI tool"
    ("scale_support_available", "slows me down"),  # "When an AI tool fails or is slow, …"
    ("ethics_escalation", "never noticed"),  # "If I noticed …, I would know whom to tell"
])
def test_words_of_a_problem_or_a_supposition_are_never_graded_with_certainty(item_id, text):
    """A word modifying a problem noun ("security weaknesses") or inside a leading "If/When …"
    clause is not the statement's claim: grading or denying it may mean the opposite ("very
    secure" to "I am worried … security weaknesses" is not worry), so it is never stored."""
    reading = _read(text, item_id)
    assert not reading.certain, reading


@pytest.mark.parametrize(("item_id", "text", "value"), [
    ("privacy_vulnerability_concern", "very worried", 5),  # the claim itself stays certain
    ("privacy_vulnerability_concern", "not worried", 2),
    ("privacy_incidents_reported", "no incidents", 1),
    ("privacy_incidents_reported", "zero incidents", 1),
    ("scale_support_available", "I know", 4),
])
def test_the_claim_of_a_problem_statement_is_still_read_with_certainty(item_id, text, value):
    reading = _read(text, item_id)
    assert (reading.value, reading.certain) == (value, True), reading


def test_certain_readings_of_the_labelled_examples_agree_with_their_labels():
    """answer_examples.yml holds 10,000 content replies labelled by their writers, who never saw
    the rules: every reply the rules read as certain must agree with its label (same side, at most
    one step away, don't know only for don't know), and no not-answer may be certain. The
    exceptions are designed: typed "skip" / "rather not say" are the skip command, and "not sure
    who supports it" to "I know whom to contact" is the respondent not knowing whom (1)."""
    data = yaml.safe_load((ROOT / "readiness" / "content" / "answer_examples.yml").read_text(encoding="utf-8"))
    content = current_content()
    rules = replace(content.vocabulary, reply_model=None)
    designed = {"skip", "skip this one", "rather not say", "not sure who supports it, never needed to"}
    far = []
    for item_id, rows in data["examples"].items():
        item = None if item_id == "none" else _item(item_id)
        for row in rows:
            text, label = row[0], row[1] if item is not None else None
            reading = read_answer(text, item, rules)
            if not reading.certain or text in designed:
                continue
            if item is None or label in ("n/a", None) or reading.value == NOT_APPLICABLE:
                agrees = item is not None and reading.value == (NOT_APPLICABLE if label in ("n/a", None) else label)
            else:
                agrees = abs(reading.value - int(label)) <= 1 and (reading.value - 3) * (int(label) - 3) >= 0
            if not agrees:
                far.append((item_id, text, label, reading))
    assert far == []
