"""Scorecard exports parse, validate and escape; personal scorecards use the same templates."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from html.parser import HTMLParser

import pandas as pd
import pytest
from jsonschema import Draft7Validator

from readiness import export
from readiness.bank import current_questionnaire
from readiness.content_set import bank_fingerprint
from readiness.scorecard import load_organisation_scorecard, load_personal_scorecard, organisation_scorecard
from readiness.scoring import score_profile
from readiness.simulate import get_profile, synthetic_answers
from readiness.storage import Store

NASTY = "<script>alert('x')</script> *St* [Mary](http://evil) | Hospital"


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    q = current_questionnaire()
    one = synthetic_answers(q, get_profile("typical"), 60, seed=3)
    two = synthetic_answers(q, get_profile("seed-study-after-training"), 40, seed=4, round=2)
    frame = pd.concat([one, two], ignore_index=True)
    frame.loc[frame["respondent"].isin(["s-000001", "s-000002"]), "department"] = NASTY
    return frame


@pytest.fixture(scope="module")
def card(frame):  # type: ignore[no-untyped-def]
    return organisation_scorecard(current_questionnaire(), frame, name=NASTY, round=1)


def test_html_parses_and_escapes_names(card):  # type: ignore[no-untyped-def]
    html = export.render_html(card)
    parser = Elements()
    parser.feed(html)
    assert "script" not in parser.tags
    assert "svg" in parser.tags and "polygon" in parser.tags  # the radar
    text = "".join(parser.text)
    assert NASTY in text  # shown literally
    assert "&lt;script&gt;" in html and "<script>" not in html
    for section in ("The nine challenges", "By role", "Compared with the study", "Reliability and agreement",
                    "Compared with earlier rounds", "Training plan", "How this was measured", "@media print"):
        assert section in html


def test_markdown_escapes_names(card):  # type: ignore[no-untyped-def]
    md = export.render_markdown(card)
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "\\*St\\*" in md and "\\[Mary\\]" in md and "\\| Hospital" in md
    assert md.startswith("# &lt;script&gt;")
    assert "| # | Challenge | Score |" in md


def test_json_validates_against_schema(card):  # type: ignore[no-untyped-def]
    document = json.loads(export.render_json(card))
    Draft7Validator(export.load_schema()).validate(document)
    assert document["round"] == 1 and document["respondents"] == 60
    assert [c["id"] for c in document["challenges"]] == [c.id for c in current_questionnaire().challenges]
    assert document["rounds"]["rounds"] == [1, 2]
    assert all(g["respondents"] >= 5 for g in document["by_department"]["groups"])
    assert any(NASTY in s for s in document["suppressed"])


def test_csv_is_long_anonymised_and_suppresses_small_departments(frame):  # type: ignore[no-untyped-def]
    q = current_questionnaire()
    data = pd.read_csv(io.StringIO(export.answers_csv(q, frame)), dtype=str, keep_default_na=False)
    assert list(data.columns) == ["respondent", "role", "department", "round", "challenge", "item", "value"]
    assert len(data) == len(frame)
    assert NASTY not in set(data["department"])  # 2 respondents: suppressed
    assert "suppressed" in set(data["department"])
    sizes = data.drop_duplicates(["respondent", "round"]).groupby(["round", "department"]).size()
    assert all(n >= 5 for (rnd, dept), n in sizes.items() if dept != "suppressed")
    assert set(data["value"]) <= {"1", "2", "3", "4", "5", "n/a"}
    one = pd.read_csv(io.StringIO(export.answers_csv(q, frame, round=2)), dtype=str)
    assert set(one["round"]) == {"2"}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_text(card, tmp_path):  # type: ignore[no-untyped-def]
    pdf = export.render_pdf(card)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "alert('x')" in text  # the name, as text
    assert "Data privacy and security" in text and "Training plan" in text
    assert "Compared with the study" in text


def test_personal_scorecard_from_a_report_token(tmp_path):  # type: ignore[no-untyped-def]
    q = current_questionnaire()
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    org, _token = store.create_organisation(NASTY, weights={"transparency": 2.0})
    person = store.create_respondent("nurse", organisation_code=org.join_code)
    assessment = store.start_assessment(person.pseudonym, q.version)
    store.record_answers(assessment.id, {item.id: 2 for item in q.items_for("nurse")})
    store.complete_assessment(assessment.id)
    card = load_personal_scorecard(store, assessment.report_token)
    assert card is not None and card.kind == "personal"
    answers = {item.id: 2 for item in q.items_for("nurse")}
    expected = score_profile(q.with_weights({"transparency": 2.0}), "nurse", answers).overall
    assert card.overall == pytest.approx(expected)
    assert expected != pytest.approx(score_profile(q, "nurse", answers).overall)
    assert dict(card.weights)["Transparent decision-making"] == 2.0
    assert card.recommendations and card.gaps
    html = export.render_html(card)
    assert "Your largest gaps" in html and "&lt;script&gt;" in html and "<script>" not in html
    Draft7Validator(export.load_schema()).validate(json.loads(export.render_json(card)))
    assert "Recommended training" in export.render_markdown(card)
    assert load_personal_scorecard(store, "no-such-token") is None
    organisation = load_organisation_scorecard(store, org.join_code)
    assert organisation.respondents == 1 and organisation.roles.groups == ()
    with pytest.raises(LookupError):
        load_organisation_scorecard(store, "ZZZ-ZZZ")


def test_empty_organisation_renders(tmp_path):  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    org, _ = store.create_organisation("Empty")
    card = load_organisation_scorecard(store, org.join_code)
    assert card.respondents == 0 and card.overall is None
    assert "No completed assessments" in export.render_html(card)
    Draft7Validator(export.load_schema()).validate(json.loads(export.render_json(card)))
    export.render_markdown(card)


def test_store_scorecards_survive_a_removed_item_and_list_versions(tmp_path):  # type: ignore[no-untyped-def]
    """Answers stored under an older bank (one item since removed, stored as an answer to an id
    the bank no longer has) still give a personal and an organisation scorecard; both say
    which questionnaire versions (and bank fingerprints, where recorded) they aggregate, in
    every format."""
    q = current_questionnaire()
    fingerprint = bank_fingerprint(q)
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    org, _token = store.create_organisation("St Elsewhere", weights={"transparency": 2.0, "removed_challenge": 3.0})
    tokens = []
    for n in range(6):
        person = store.create_respondent("nurse", organisation_code=org.join_code)
        # two from before fingerprints were recorded, four under the current bank
        assessment = (store.start_assessment(person.pseudonym, "0.9") if n < 2
                      else store.start_assessment(person.pseudonym, q.version, fingerprint))
        answers: dict[str, object] = {item.id: 1 + n % 5 for item in q.items_for("nurse")}
        answers["statement_removed_since"] = 5
        store.record_answers(assessment.id, answers)  # type: ignore[arg-type]
        store.complete_assessment(assessment.id)
        tokens.append(assessment.report_token)
    personal = load_personal_scorecard(store, tokens[0])
    assert personal is not None and personal.overall is not None
    kept = {item.id: 1 for item in q.items_for("nurse")}
    assert personal.overall == pytest.approx(score_profile(q.with_weights({"transparency": 2.0}), "nurse", kept).overall)
    assert personal.versions_text == "Questionnaire versions: 0.9 (n=1)"
    current = load_personal_scorecard(store, tokens[2])
    assert current is not None
    assert current.versions_text == f"Questionnaire versions: {q.version} (n=1, fingerprint {fingerprint[:12]})"
    card = load_organisation_scorecard(store, org.join_code)
    assert card.respondents == 6
    assert card.versions == (("0.9", 2), (q.version, 4))
    assert card.version_fingerprints == ((q.version, (fingerprint[:12],)),)
    text = f"Questionnaire versions: 0.9 (n=2), {q.version} (n=4, fingerprint {fingerprint[:12]})"
    assert text in export.render_html(card)
    assert export.markdown_escape(text) in export.render_markdown(card)
    document = json.loads(export.render_json(card))
    Draft7Validator(export.load_schema()).validate(document)
    assert document["questionnaire_versions"] == [
        {"version": "0.9", "respondents": 2, "fingerprints": []},
        {"version": q.version, "respondents": 4, "fingerprints": [fingerprint[:12]]},
    ]
