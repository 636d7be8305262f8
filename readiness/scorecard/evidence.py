"""The scorecard's "Evidence beside perceptions" and "Patients' view" sections.

Evidence: each entered measure's proportions with 95 % Wilson intervals, the seed figure, the
AI-vs-clinicians difference (readiness.evidence), and beside it the staff perception of the same
challenge. Patients: per statement the share answering yes with its Wilson interval, suppressed
below the minimum group, and the staff-vs-patients gap on paired statements.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from readiness.evidence import measure_result, newcombe_unpaired, wilson_interval
from readiness.evidence_content import EvidenceMeasure
from readiness.model import Questionnaire
from readiness.scorecard.views import EvidenceRow, EvidenceView, PatientRow, PatientsView

#: Patients answering at least this count as "yes" (Yes, definitely / Yes, mostly).
PATIENT_YES = 4


def _answered(frame: pd.DataFrame, item: str) -> pd.Series:
    if not len(frame):
        return pd.Series(dtype="float64")
    values = frame.loc[frame["item_id"].astype(str) == item, "value"]
    return values[values.notna()]


def _completed_in(frame: pd.DataFrame, round: int) -> pd.DataFrame:
    if not len(frame):
        return frame
    return frame[frame["completed"] & (frame["round"] == round)]


def evidence_views(questionnaire: Questionnaire, measures: Sequence[EvidenceMeasure], entries: Iterable[Any],
                   staff: pd.DataFrame, round: int, challenge_scores: Mapping[str, float | None],
                   min_group: int) -> tuple[EvidenceView, ...]:
    """One view per entered measure, in evidence.yml order. `entries` are EvidenceRecords of
    this round; `staff` the staff answers frame (all rounds)."""
    by_measure = {e.measure: e for e in entries if e.round == round}
    answers = _completed_in(staff, round)
    views = []
    for measure in measures:
        entry = by_measure.get(measure.id)
        if entry is None:
            continue
        result = measure_result(measure, entry.values)
        rows = [EvidenceRow(p.quantity, p.label, p.percent, p.ci_low, p.ci_high, p.seed_percent, p.n,
                            f"{p.successes:,} of {p.n:,}") for p in result.proportions]
        if result.ratio is not None:
            r = result.ratio
            rows.append(EvidenceRow(r.quantity, r.label, r.percent, None, None, None, None,
                                    f"{r.numerator:g} vs {r.denominator:g} minutes (medians)"))
        perception_percent, perception_n = None, 0
        if measure.perception is not None:
            values = _answered(answers, measure.perception.item)
            perception_n = int(len(values))
            if perception_n >= min_group:
                perception_percent = 100.0 * float((values >= measure.perception.at_least).mean())
        c = result.comparison
        views.append(EvidenceView(
            measure=measure.id, title=measure.title, challenge=measure.challenge,
            challenge_title=questionnaire.challenge(measure.challenge).title, counts=measure.counts,
            rows=tuple(rows), source=entry.source, entered_by=entry.entered_by,
            entered_at=entry.entered_at.strftime("%Y-%m-%d"),
            difference=None if c is None else c.difference, difference_low=None if c is None else c.ci_low,
            difference_high=None if c is None else c.ci_high, difference_method=None if c is None else c.method,
            p_value=None if c is None else c.p_value, reading=None if c is None else c.text,
            challenge_score=challenge_scores.get(measure.challenge),
            perception_label=None if measure.perception is None else measure.perception.label,
            perception_percent=perception_percent, perception_n=perception_n, seed_source=measure.source,
        ))
    return tuple(views)


def patients_view(questionnaire: Questionnaire, patient: Any, patients: pd.DataFrame, staff: pd.DataFrame,
                  round: int, min_group: int) -> PatientsView | None:
    """The patients' section for one round, or None when no patient completed the survey."""
    answers = _completed_in(patients, round)
    people = int(answers["respondent"].nunique()) if len(answers) else 0
    if people == 0 or patient is None:
        return None
    if people < min_group:
        return PatientsView(people, True, (), f"Fewer than {min_group} patients answered in this round, so "
                            "their answers are not shown (nobody could be recognised from them).")
    staff_answers = _completed_in(staff, round)
    rows = []
    for statement in patient.statements:
        values = _answered(answers, statement.id)
        n = int(len(values))
        percent = low = high = None
        yes = int((values >= PATIENT_YES).sum())
        if n >= min_group:
            percent = 100.0 * yes / n
            lo, hi = wilson_interval(yes, n)
            low, high = 100 * lo, 100 * hi
        staff_text = staff_percent = gap = gap_low = gap_high = None
        staff_n = 0
        if statement.staff_item is not None and questionnaire.has_item(statement.staff_item):
            staff_text = questionnaire.item(statement.staff_item).text
            staff_values = _answered(staff_answers, statement.staff_item)
            staff_n = int(len(staff_values))
            staff_yes = int((staff_values >= 4).sum())
            if staff_n >= min_group:
                staff_percent = 100.0 * staff_yes / staff_n
                if percent is not None:
                    d, lo, hi = newcombe_unpaired(staff_yes, staff_n, yes, n)
                    gap, gap_low, gap_high = 100 * d, 100 * lo, 100 * hi
        rows.append(PatientRow(statement.id, statement.text, statement.challenge, n, percent, low, high,
                               statement.staff_item, staff_text, staff_percent, staff_n, gap, gap_low, gap_high))
    text = (f"{people} patients answered. Shares are of patients who gave an answer (“Not sure” is left out): "
            "“yes” means Yes, definitely or Yes, mostly. Staff vs patients: the share of staff agreeing "
            "minus the share of patients saying yes, with its 95 % interval (Newcombe). Patients' answers "
            "never enter the staff readiness index.")
    return PatientsView(people, False, tuple(rows), text)
