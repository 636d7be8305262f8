"""Patients' wording at a reading age of about 11 (issue 11 §2): every statement, "why we ask"
text, answer button and message patient.yml gives patients, measured with the Flesch-Kincaid
grade (US school grade; grade 6 is ages 11-12) from textstat, a maintained readability library."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
import yaml

from readiness.live_content import current_content

PATIENT_YML = Path(__file__).resolve().parents[1] / "readiness" / "content" / "patient.yml"
#: No single text above grade 7 (ages 12-13); on average at most grade 5 (ages 10-11).
MAX_GRADE, MAX_MEAN_GRADE = 7.0, 5.0
#: The grade is a sentence measure: on a button of a word or two ("Partly" is grade 8.6 by the
#: formula, one word of two syllables) it means nothing, so only texts of 5+ words are graded.
MIN_WORDS = 5


def patient_texts() -> dict[str, str]:
    patient = current_content().patient
    texts = {f"statement {s.id}": s.text for s in patient.statements}
    texts |= {f"why {s.id}": s.why for s in patient.statements}
    texts |= {f"button {v}": label for v, label in patient.answer_labels.items()}
    own = yaml.safe_load(PATIENT_YML.read_text(encoding="utf-8"))["messages"]
    # placeholders ({code}, {organisation}) read as one short word
    texts |= {f"message {k}": re.sub(r"\{[a-z_]+\}", "it", v) for k, v in own.items() if isinstance(v, str)}
    return {name: text for name, text in texts.items() if len(text.split()) >= MIN_WORDS}


def test_the_grades_are_measured_as_published():
    # a long-word sentence reads far harder than a short-word one: the measure is not flat
    assert textstat.flesch_kincaid_grade("The cat sat on the mat.") < 2
    assert textstat.flesch_kincaid_grade(
        "Institutional governance mechanisms necessitate comprehensive algorithmic accountability.") > 14


@pytest.mark.parametrize("name,text", sorted(patient_texts().items()))
def test_every_patient_text_reads_at_about_age_eleven(name, text):
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, (name, text)


def test_the_patient_wording_on_average_reads_below_grade_five():
    grades = [textstat.flesch_kincaid_grade(t) for t in patient_texts().values()]
    assert len(grades) >= 30 and sum(grades) / len(grades) <= MAX_MEAN_GRADE
