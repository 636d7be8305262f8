"""Scorecard documents: HTML, PDF, Markdown, JSON and the anonymised CSV.

Templates (jinja2, in `readiness/templates/`) only format the `Scorecard` view object. HTML is
autoescaped; the Markdown environment escapes every printed text for Markdown and HTML, so a
name like ``<script>`` or ``*bold*`` is shown literally wherever it appears.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from readiness.aggregate import MIN_GROUP_SIZE
from readiness.model import Questionnaire
from readiness.scorecard import Scorecard

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "scorecard.schema.json"

#: Version of the JSON document's shape; bump when a key changes meaning or disappears.
JSON_SCHEMA_VERSION = "1.5"

FORMATS = ("html", "pdf", "md", "json", "csv")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
#: What a suppressed role or department reads as in the CSV.
SUPPRESSED = "suppressed"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def markdown_escape(text: str) -> str:
    """Text shown literally in Markdown: HTML-significant characters become entities and
    Markdown punctuation is backslash-escaped; newlines become spaces (tables stay intact)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    text = re.sub(r"^(>|=|#|[-+](?=\s|$))", r"\\\1", text)  # would start a quote or list
    return re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", text)  # would start a numbered list


def _finalize_markdown(value: Any) -> Any:
    """Applied to every `{{ … }}` of the Markdown template: text is escaped, numbers are not."""
    return markdown_escape(value) if isinstance(value, str) else value


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _signed(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def _pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f} %"


def _environment(markdown: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False if markdown else select_autoescape(["html", "xml"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize_markdown if markdown else None,
    )
    env.filters.update(num=_num, signed=_signed, pct=_pct)
    return env


_HTML_ENV = _environment(markdown=False)
_MD_ENV = _environment(markdown=True)


@dataclass(frozen=True)
class Link:
    """A download link shown on the web dashboard (label, href)."""

    label: str
    href: str


def render_html(card: Scorecard, *, medium: str = "screen", links: tuple[Link, ...] = ()) -> str:
    """Self-contained HTML (inline CSS and SVG). `medium="print"` is the same document with the
    paged-media rules (A4, running header, page numbers) the PDF is rendered from."""
    return _HTML_ENV.get_template("scorecard.html").render(card=card, medium=medium, links=links)


def render_markdown(card: Scorecard) -> str:
    return _MD_ENV.get_template("scorecard.md").render(card=card)


def no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's URL fetcher: nothing is fetched (the document is self-contained; markup that
    slipped through must not make the renderer read files or the network)."""
    raise ValueError(f"the scorecard PDF fetches nothing ({url[:40]})")


def render_pdf(card: Scorecard) -> bytes:
    """The scorecard as PDF: the print variant of the HTML, laid out by WeasyPrint (paged media)."""
    from weasyprint import HTML

    return HTML(string=render_html(card, medium="print"), url_fetcher=no_fetch).write_pdf()


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _trend_json(row: Any) -> dict[str, Any]:
    """A rounds row: values per round, the latest change (`delta`), its 95 % interval, whether
    the interval excludes zero, the n of both rounds and the plain reading."""
    return {
        "label": row.label, "values": [_round(v) for v in row.values], "delta": _round(row.delta),
        "change_ci_low": _round(row.change_low), "change_ci_high": _round(row.change_high),
        "change_is_clear": row.change_is_clear, "change_n_previous": row.n_previous,
        "change_n_latest": row.n_latest, "change_text": row.change_text,
    }


def _tier(tier: Any) -> str | None:
    return None if tier is None else tier.id


def scorecard_to_dict(card: Scorecard) -> dict[str, Any]:
    """The JSON document (schema: readiness/schemas/scorecard.schema.json). Scores are 0–100
    rounded to 0.1, shares are percentages; keys are stable within a schema version."""
    def group(g: Any) -> dict[str, Any]:
        return {
            "label": g.label,
            "respondents": g.n,
            "overall": _round(g.overall),
            "challenges": {c.id: _round(s) for c, s in zip(card.challenges, g.scores)},
            "ci_low": _round(g.low),
            "ci_high": _round(g.high),
        }

    def breakdown(b: Any) -> dict[str, Any] | None:
        return None if b is None else {
            "groups": [group(g) for g in b.groups], "suppressed": list(b.suppressed), "test": b.test,
            "differences": [
                {"score": d.label, "f": round(d.f, 3), "df1": round(d.df1, 2), "df2": round(d.df2, 2),
                 "p_adjusted": round(d.p, 4), "significant": d.significant, "text": d.text}
                for d in b.differences
            ],
        }

    def cell(value: Any, empty: bool) -> dict[str, Any] | None:
        return None if value is None and not empty else {
            "respondents": 0 if empty else value[0], "overall": None if empty else _round(value[1]), "empty": empty}

    fingerprints = dict(card.version_fingerprints)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "kind": card.kind,
        "title": card.title,
        "organisation": card.organisation,
        "round": card.round,
        "generated_at": card.generated_at,
        "questionnaire_version": card.questionnaire_version,
        "questionnaire_versions": [
            {"version": v, "respondents": n, "fingerprints": list(fingerprints.get(v, ()))}
            for v, n in card.versions
        ],
        "respondents": card.respondents,
        "target": card.target,
        "tiers": [{"id": t.id, "name": t.name, "lower": t.lower, "upper": t.upper} for t in card.tiers],
        "overall": {
            "score": _round(card.overall),
            "tier": _tier(card.overall_tier),
            "median": _round(card.overall_median),
            "spread": _round(card.overall_spread),
            "distribution": {d.tier.id: d.count for d in card.overall_distribution},
        },
        "challenges": [
            {
                "id": c.id,
                "title": c.title,
                "weight": c.weight,
                "score": _round(c.score),
                "tier": _tier(c.tier),
                "median": _round(c.median),
                "spread": _round(c.spread),
                "respondents": c.n,
                "coverage": round(c.coverage, 3),
                "distribution": {d.tier.id: d.count for d in c.distribution},
            }
            for c in card.challenges
        ],
        "by_role": breakdown(card.roles),
        "by_department": breakdown(card.departments),
        "suppressed": list(card.suppressed),
        "benchmarks": [
            {
                "item": b.item_id,
                "challenge": b.challenge,
                "label": b.label,
                "source": b.source,
                "rule": b.rule,
                "study_percent": b.figure,
                "percent": _round(b.percent),
                "answered": b.answered,
                "difference": _round(b.difference),
            }
            for b in card.benchmarks
        ],
        "reliability": [
            {
                "challenge": r.challenge,
                "alpha": None if r.alpha is None else round(r.alpha, 3),
                "alpha_n": r.alpha_n,
                "rwg_j": None if r.rwg is None else round(r.rwg, 3),
                "rwg_n": r.rwg_n,
            }
            for r in card.reliability
        ],
        "flags": [{"kind": f.kind, "text": f.text} for f in card.flags],
        "icc": [
            {"challenge": v.challenge, "kind": v.kind, "icc1": None if v.icc1 is None else round(v.icc1, 3),
             "icc2": None if v.icc2 is None else round(v.icc2, 3), "respondents": v.n, "groups": v.groups,
             "text": v.text, "pseudo_agreement": v.pseudo}
            for v in card.icc
        ],
        "by_role_and_department": None if card.cross is None else {
            "roles": list(card.cross.roles),
            "departments": list(card.cross.departments),
            "cells": [[cell(v, e) for v, e in zip(row, blank)] for row, blank in zip(card.cross.cells, card.cross.empty)],
        },
        "quality": None if card.quality is None else {
            "assessed": card.quality.assessed, "flagged": card.quality.flagged,
            "straight_lining": card.quality.straight_lining, "contradictions": card.quality.contradictions,
            "speeders": card.quality.speeders, "excluded": card.quality.excluded,
            "index_with_flagged": _round(card.quality.with_flagged),
            "index_without_flagged": _round(card.quality.without_flagged), "text": card.quality.text,
        },
        "rounds": None if card.rounds is None else {
            "rounds": list(card.rounds.rounds),
            "respondents": list(card.rounds.respondents),
            "measures": [_trend_json(row) for row in card.rounds.rows],
            "benchmarks": [_trend_json(row) for row in card.rounds.benchmarks],
        },
        "training_plan": [
            {
                "group": g.label,
                "respondents": g.n,
                "steps": [
                    {
                        "id": s.id,
                        "title": s.title,
                        "format": s.format,
                        "duration_minutes": s.minutes,
                        "challenges": list(s.challenges),
                        "respondents": s.respondents,
                        "share": _round(s.share),
                        "weighted_gap": _round(s.weighted_gap),
                    }
                    for s in g.steps
                ],
            }
            for g in card.plan
        ],
        "gaps": [
            {"title": g.title, "score": _round(g.score), "target": g.target, "priority": _round(g.priority)}
            for g in card.gaps
        ],
        "next_tier": card.next_tier,
        "recommendations": [
            {"title": r.title, "format": r.format, "duration_minutes": r.minutes, "challenge": r.challenge}
            for r in card.recommendations
        ],
        "method_notes": list(card.method_notes),
        "evidence": [
            {
                "measure": e.measure,
                "quantity": row.quantity,
                "label": row.label,
                "challenge": e.challenge,
                "percent": _round(row.percent),
                "ci_low": _round(row.ci_low),
                "ci_high": _round(row.ci_high),
                "seed_percent": row.seed_percent,
                "n": row.n,
                "staff_percent": _round(e.perception_percent),
                "staff_n": e.perception_n,
            }
            for e in card.evidence for row in e.rows
        ],
        "evidence_measures": [
            {
                "measure": e.measure,
                "title": e.title,
                "challenge": e.challenge,
                "challenge_score": _round(e.challenge_score),
                "perception": e.perception_label,
                "perception_percent": _round(e.perception_percent),
                "perception_n": e.perception_n,
                "source": e.source,
                "entered_by": e.entered_by,
                "entered_at": e.entered_at,
                "difference": None if e.difference is None else {
                    "points": _round(e.difference), "ci_low": _round(e.difference_low),
                    "ci_high": _round(e.difference_high), "method": e.difference_method,
                    "mcnemar_p": None if e.p_value is None else round(e.p_value, 4), "text": e.reading,
                },
            }
            for e in card.evidence
        ],
        "patients": None if card.patients is None else {
            "respondents": card.patients.respondents,
            "suppressed": card.patients.suppressed,
            "text": card.patients.text,
            "statements": [
                {
                    "statement": r.statement, "text": r.text, "challenge": r.challenge, "n": r.n,
                    "percent": _round(r.percent), "ci_low": _round(r.ci_low), "ci_high": _round(r.ci_high),
                    "staff_item": r.staff_item, "staff_percent": _round(r.staff_percent), "staff_n": r.staff_n,
                    "gap": _round(r.gap), "gap_low": _round(r.gap_low), "gap_high": _round(r.gap_high),
                }
                for r in card.patients.rows
            ],
        },
    }


def render_json(card: Scorecard) -> str:
    return json.dumps(scorecard_to_dict(card), indent=2, ensure_ascii=False) + "\n"


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


CSV_COLUMNS = ("respondent", "role", "department", "round", "challenge", "item", "value")


def _pooled_respondents(people: pd.DataFrame, min_group: int) -> set[Any]:
    """Pseudonyms whose role and department the CSV hides, in every round it covers.

    Per round, a respondent's (role, department) is written only if the scorecard of that
    round shows their role × department cell (`readiness.suppression`, complementary
    suppression included); a respondent hidden in one round is hidden in all (the pseudonym
    links the rounds, so "same person, same unit, next round" would undo it); and a cell left
    with fewer than `min_group` labelled respondents is hidden as well, until nothing changes.
    """
    from readiness.suppression import suppression_pattern

    roles = people["role"].astype(object).where(people["role"].notna(), "")
    departments = people["department"].astype(object).where(people["department"].notna(), "")
    pooled: set[Any] = set()
    for _round, rows in people.groupby("round"):
        pattern = suppression_pattern(roles[rows.index].tolist(), departments[rows.index].tolist(), min_group)
        hidden = [not pattern.shown(("cell", r, d)) for r, d in zip(roles[rows.index], departments[rows.index])]
        pooled.update(rows["respondent"][hidden])
    while True:
        labelled = people[~people["respondent"].isin(pooled)]
        sizes = labelled.groupby([labelled["round"], roles[labelled.index], departments[labelled.index]]).size()
        small = sizes[sizes < min_group].index
        if not len(small):
            return pooled
        keys = pd.MultiIndex.from_arrays([labelled["round"], roles[labelled.index], departments[labelled.index]])
        pooled.update(labelled["respondent"][keys.isin(small)])


def answers_csv(questionnaire: Questionnaire, frame: pd.DataFrame, round: int | None = None,
                min_group: int = MIN_GROUP_SIZE, exclude_flagged: bool = False) -> str:
    """Anonymised long CSV of completed assessments: respondent pseudonym, role, department,
    round, challenge, item, value (1–5 or n/a).

    The rows are those the scorecard of each round counts (`readiness.scorecard.counted`):
    with `exclude_flagged` (the organisation's answer-quality setting) the flagged assessments
    are left out, as they are from the HTML, PDF, Markdown and JSON.

    Role and department are both written as "suppressed" for respondents whose role ×
    department cell the scorecard hides (`_pooled_respondents`): the CSV then shows exactly
    the cells the scorecard shows, plus one pool of everyone else, so no hidden group can be
    singled out by counting or subtracting rows.
    """
    from readiness.scorecard.counted import counted_answers

    data = frame[frame["completed"]] if len(frame) else frame
    if round is not None:
        data = data[data["round"] == round]
    data = counted_answers(questionnaire, data, exclude_flagged)
    challenge_of = {item.id: item.challenge for c in questionnaire.challenges for item in c.items}
    data = data.assign(challenge=data["item_id"].map(challenge_of)).dropna(subset=["challenge"])
    people = data.drop_duplicates(["respondent", "round"]).reset_index(drop=True)
    pooled = _pooled_respondents(people, min_group)
    out = data[["respondent", "role", "department", "round", "challenge", "item_id", "value"]].copy()
    hide = out["respondent"].isin(pooled).to_numpy()
    for column in ("role", "department"):
        key = out[column].astype(object).where(out[column].notna(), "")
        out[column] = key.where(~hide, SUPPRESSED)
    out["value"] = out["value"].map(lambda v: "n/a" if pd.isna(v) else str(int(v)))
    out = out.rename(columns={"item_id": "item"})[list(CSV_COLUMNS)]
    return out.to_csv(index=False, lineterminator="\n")


EVIDENCE_CSV_COLUMNS = ("measure", "quantity", "label", "challenge", "percent", "ci_low", "ci_high",
                        "seed_percent", "n", "counts", "staff_percent", "staff_n", "entered_by", "entered_at",
                        "source")


def evidence_csv(card: Scorecard) -> str:
    """The scorecard's pilot evidence as CSV: one row per reported proportion (or ratio)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVIDENCE_CSV_COLUMNS)
    for e in card.evidence:
        for row in e.rows:
            writer.writerow([e.measure, row.quantity, row.label, e.challenge, _round(row.percent), _round(row.ci_low),
                             _round(row.ci_high), row.seed_percent, row.n, row.counts, _round(e.perception_percent),
                             e.perception_n, e.entered_by, e.entered_at, e.source or ""])
    return out.getvalue()


ROUNDS_CSV_COLUMNS = ("section", "measure", "round", "value", "respondents", "change", "change_ci_low",
                      "change_ci_high", "change_is_clear", "change_n_previous", "change_n_latest", "reading")


def rounds_csv(card: Scorecard) -> str:
    """The round trend as CSV: one row per measure and round (index, challenges, benchmarks), the
    latest change with its 95 % interval on the latest round's row. A suppressed round (fewer
    than five respondents) has an empty value, as in every other format; no rounds → header only."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROUNDS_CSV_COLUMNS)
    view = card.rounds
    if view is None:
        return out.getvalue()
    last = len(view.rounds) - 1
    for section, rows in (("readiness", view.rows), ("benchmark", view.benchmarks)):
        for row in rows:
            for i, (number, value) in enumerate(zip(view.rounds, row.values)):
                latest = i == last and i > 0
                writer.writerow([section, row.label, number, "" if value is None else _round(value),
                                 view.respondents[i],
                                 *((_round(row.delta), _round(row.change_low), _round(row.change_high),
                                    row.change_is_clear, row.n_previous, row.n_latest, row.change_text)
                                   if latest else ("",) * 7)])
    return out.getvalue()


#: CSVs built from the scorecard itself (besides the answers CSV): name → writer. The CLI's
#: `--evidence` / `--rounds` and the web's `/org/<code>/<name>.csv` both use this table.
SUMMARY_CSVS = {"evidence": evidence_csv, "rounds": rounds_csv}


def render(card: Scorecard, fmt: str, *, links: tuple[Link, ...] = ()) -> str | bytes:
    """The scorecard in one of html, pdf, md, json (csv needs the answers: `answers_csv`)."""
    if fmt == "html":
        return render_html(card, links=links)
    if fmt == "pdf":
        return render_pdf(card)
    if fmt == "md":
        return render_markdown(card)
    if fmt == "json":
        return render_json(card)
    raise ValueError(f"unknown scorecard format {fmt!r}; expected one of: html, pdf, md, json")


def file_name(card: Scorecard, fmt: str) -> str:
    """A safe download file name, e.g. scorecard-st-mary-s-hospital-round-2.pdf."""
    slug = re.sub(r"[^a-z0-9]+", "-", (card.organisation or "personal").lower()).strip("-")[:60] or "scorecard"
    suffix = f"-round-{card.round}" if card.round is not None else ""
    return f"scorecard-{slug}{suffix}.{fmt}"


__all__ = [
    "FORMATS", "Link", "MEDIA_TYPES", "SUMMARY_CSVS", "answers_csv", "evidence_csv", "rounds_csv", "file_name", "load_schema", "markdown_escape",
    "render", "render_html", "render_json", "render_markdown", "render_pdf", "scorecard_to_dict",
]
