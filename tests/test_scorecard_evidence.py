"""The scorecard's "Evidence beside perceptions" and "Patients' view" in every export: JSON
(validated against the schema), CSV, HTML, Markdown and PDF (text via pdftotext)."""

from __future__ import annotations

import csv
import io
from html import unescape
import json
import subprocess

import pytest
from jsonschema import Draft7Validator

from readiness import export
from readiness.bank import current_questionnaire
from readiness.live_content import current_content
from readiness.scorecard import load_organisation_scorecard
from readiness.simulate import get_profile, simulate
from readiness.storage import Store


def _patients(store: Store, code: str, answers: list[dict]) -> None:
    for values in answers:
        person = store.create_respondent("patient", organisation_code=code, audience="patient")
        assessment = store.start_assessment(person.pseudonym, "2026.1")
        store.record_answers(assessment.id, values)
        store.complete_assessment(assessment.id)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("evidence") / "r.db"
    store = Store(f"sqlite:///{path}")
    organisation, _ = store.create_organisation("St Mary's")
    code = organisation.join_code
    simulate(store, code, current_questionnaire(), get_profile("seed-study"), 80, 1)
    store.set_evidence(code, "diagnostic_accuracy", {"cases": 1000, "ai_correct": 950, "clinicians_correct": 970,
                                                     "ai_only_correct": 12, "clinicians_only_correct": 32},
                       source="PACS audit", entered_by="radiology lead")
    store.set_evidence(code, "security_incidents", {"incidents": 10, "sessions": 1000})
    store.set_evidence(code, "turnaround", {"ai_median_minutes": 12, "usual_median_minutes": 48})
    yes = {"pt_told_ai_used": 5, "pt_understood_purpose": 4, "pt_able_to_say_no": 2, "pt_data_trust": 5,
           "pt_want_to_be_told": 5}
    no = {"pt_told_ai_used": 1, "pt_understood_purpose": "n/a", "pt_able_to_say_no": 1, "pt_data_trust": 3,
          "pt_want_to_be_told": 5}
    _patients(store, code, [yes] * 6 + [no] * 4)
    return store, code


def test_patients_never_enter_staff_figures(stored):
    store, code = stored
    staff = store.answers_frame(code)
    assert staff["role"].astype(str).isin(current_questionnaire().role_ids).all()
    assert not staff["item_id"].astype(str).str.startswith("pt_").any()
    card = load_organisation_scorecard(store, code)
    assert card.respondents == 80  # staff only


def test_json_has_evidence_entries_and_patients_and_validates(stored):
    store, code = stored
    document = json.loads(export.render_json(load_organisation_scorecard(store, code)))
    Draft7Validator(export.load_schema()).validate(document)
    assert document["schema_version"] == "1.5"
    entries = {(e["measure"], e["quantity"]): e for e in document["evidence"]}
    ai = entries[("diagnostic_accuracy", "ai_accuracy")]
    clinicians = entries[("diagnostic_accuracy", "clinicians_accuracy")]
    assert (ai["percent"], ai["seed_percent"], ai["n"]) == (95.0, 95, 1000)
    assert (ai["ci_low"], ai["ci_high"]) == (93.5, 96.2)
    assert (clinicians["percent"], clinicians["seed_percent"]) == (97.0, 97)
    incidents = entries[("security_incidents", "incident_rate")]
    assert (incidents["percent"], incidents["seed_percent"], incidents["ci_low"], incidents["ci_high"]) == (1.0, 1, 0.5, 1.8)
    assert entries[("turnaround", "ai_time_share")]["percent"] == 25.0
    assert entries[("turnaround", "ai_time_share")]["ci_low"] is None
    measures = {m["measure"]: m for m in document["evidence_measures"]}
    difference = measures["diagnostic_accuracy"]["difference"]
    assert difference["points"] == -2.0 and difference["mcnemar_p"] == pytest.approx(0.0037, abs=1e-3)
    assert measures["diagnostic_accuracy"]["entered_by"] == "radiology lead"
    assert measures["security_incidents"]["perception_percent"] is not None  # staff confidence beside it
    # the old staff-agreement benchmark for the breach rate is gone
    assert "privacy_incidents_reported" not in {b["item"] for b in document["benchmarks"]}
    patients = document["patients"]
    assert patients["respondents"] == 10 and not patients["suppressed"]
    told = next(s for s in patients["statements"] if s["statement"] == "pt_told_ai_used")
    assert (told["n"], told["percent"]) == (10, 60.0) and told["ci_low"] < 60 < told["ci_high"]
    assert told["staff_item"] == "patient_informed_of_ai" and told["gap"] is not None
    understood = next(s for s in patients["statements"] if s["statement"] == "pt_understood_purpose")
    assert understood["n"] == 6 and understood["percent"] == 100.0  # "Not sure" left out


def test_patients_under_five_are_not_shown(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    organisation, _ = store.create_organisation("Small")
    _patients(store, organisation.join_code, [{"pt_told_ai_used": 5}] * 4)
    card = load_organisation_scorecard(store, organisation.join_code)
    assert card.patients.suppressed and card.patients.rows == ()
    document = json.loads(export.render_json(card))
    Draft7Validator(export.load_schema()).validate(document)
    assert document["patients"]["statements"] == [] and "Fewer than 5" in document["patients"]["text"]


def test_html_markdown_csv_and_pdf_show_the_sections(stored, tmp_path):
    store, code = stored
    card = load_organisation_scorecard(store, code)
    html = unescape(export.render_html(card))
    markdown = export.render_markdown(card)
    for text in (html, markdown):
        assert "Evidence beside perceptions" in text and "Patients' view" in text
        assert "93.5–96.2" in text and "radiology lead" in text
        assert "The AI's accuracy is 2 points below the clinicians' on 1,000 cases" in text
    rows = list(csv.DictReader(io.StringIO(export.evidence_csv(card))))
    assert [(r["measure"], r["quantity"], r["percent"], r["ci_low"], r["ci_high"], r["seed_percent"], r["n"]) for r in rows][:2] == [
        ("diagnostic_accuracy", "ai_accuracy", "95.0", "93.5", "96.2", "95.0", "1000"),
        ("diagnostic_accuracy", "clinicians_accuracy", "97.0", "95.7", "97.9", "97.0", "1000"),
    ]
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(export.render_pdf(card))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Evidence beside perceptions" in text and "Patients' view" in text and "93.5–96.2" in text
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Pilot evidence" in first and "Diagnostic accuracy" in " ".join(first.split())  # the headline on page 1


def test_cli_writes_the_evidence_csv(stored, tmp_path, monkeypatch):
    from readiness import cli

    store, code = stored
    monkeypatch.setenv("READINESS_DATABASE_URL", store.url)
    out = tmp_path / "evidence.csv"
    assert cli.main(["report", code, "--format", "csv", "--evidence", "-o", str(out)]) == 0
    assert out.read_text().splitlines()[0].startswith("measure,quantity,label,challenge,percent,ci_low,ci_high,seed_percent,n")
    assert cli.main(["report", code, "--format", "md", "--evidence"]) == 2
    rounds = tmp_path / "rounds.csv"
    assert cli.main(["report", code, "--format", "csv", "--rounds", "-o", str(rounds)]) == 0
    assert rounds.read_text().splitlines()[0] == ",".join(export.ROUNDS_CSV_COLUMNS)
    assert cli.main(["report", code, "--format", "json", "--rounds"]) == 2
    with pytest.raises(SystemExit) as refused:  # one or the other: argparse's usage error
        cli.main(["report", code, "--format", "csv", "--rounds", "--evidence"])
    assert refused.value.code == 2
