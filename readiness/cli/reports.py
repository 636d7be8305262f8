"""`readiness score`, `report` and `simulate`: one respondent's score, an organisation's
scorecard, synthetic respondents."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from readiness.bank import current_questionnaire
from readiness.cli.common import (
    UserError,
    open_store,
    print_json,
    progress_bar,
    table,
    unknown_organisation,
    write_output,
)
from readiness.results import ReadinessResult, evaluate, result_to_dict


def _read_answers_file(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot read: {error}") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("role"), str) or not isinstance(data.get("answers"), dict):
        raise UserError(f'{path}: expected {{"role": "<role>", "answers": {{"<item id>": 1-5 or "n/a", ...}}}}')
    return data["role"], data["answers"]


def _score_table(result: ReadinessResult) -> str:
    profile = result.profile
    lines = []
    overall = "n/a" if profile.overall is None else f"{profile.overall:.1f}"
    lines.append(f"Overall readiness: {overall}  ({profile.tier.name if profile.tier else 'not enough answers'})")
    lines.append("")
    lines.append(table(
        [
            (c.title, "-" if c.score is None else f"{c.score:.1f}", c.tier.name if c.tier else "-", f"{c.coverage:.0%}")
            for c in profile.challenges
        ],
        ["challenge", "score", "tier", "coverage"],
    ))
    if result.top_gaps:
        lines.append("")
        lines.append("Top gaps: " + "; ".join(f"{g.title} ({g.score:.0f} vs target {g.target:.0f})" for g in result.top_gaps))
    if result.next_tier is not None:
        plan = result.next_tier
        lines.append(f"To reach {plan.target.name}: {plan.steps} one-point answer improvement(s) in "
                     + ", ".join(plan.challenges()))
    if result.recommendations:
        lines.append("")
        lines.append("Recommended training:")
        for n, rec in enumerate(result.recommendations, 1):
            lines.append(f"  {n}. {rec.step.title} ({rec.step.format}, {rec.step.duration_minutes} min) — {rec.challenge_title}")
    return "\n".join(lines)


def cmd_score(args: argparse.Namespace) -> None:
    role, answers = _read_answers_file(Path(args.answers))
    questionnaire = current_questionnaire()
    try:
        result = evaluate(questionnaire, role, answers)
    except ValueError as error:
        raise UserError(f"{args.answers}: {error}") from None
    if args.format == "json":
        print_json(result_to_dict(result))
    else:
        print(_score_table(result))


def cmd_report(args: argparse.Namespace) -> None:
    from readiness import export
    from readiness.scorecard import load_organisation_scorecard

    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
    questionnaire = current_questionnaire()
    summary = "evidence" if getattr(args, "evidence", False) else "rounds" if getattr(args, "rounds", False) else None
    if summary is not None and args.format != "csv":
        raise UserError(f"--{summary} goes with --format csv (the other formats always include the {summary})")
    if summary is not None:
        try:
            card = load_organisation_scorecard(store, organisation.join_code, round=args.round,
                                               questionnaire=questionnaire)
        except ValueError as error:
            raise UserError(str(error)) from None
        write_output(export.SUMMARY_CSVS[summary](card), args.output, binary=False)
        return
    if args.format == "csv":
        frame = store.answers_frame(organisation.join_code, args.round)
        if args.round is not None and not frame["completed"].any():
            raise UserError(f"round {args.round} has no completed assessments for {organisation.join_code}")
        write_output(export.answers_csv(questionnaire, frame, args.round, exclude_flagged=organisation.exclude_flagged),
                     args.output, binary=False)
        return
    stages = ["reading answers", "scoring respondents", "summarising challenges",
              "breaking down by role and department", "benchmarks, reliability and agreement",
              "rounds and training plan", "evidence and patients", f"rendering {args.format}"]
    with progress_bar(len(stages), "step", "scorecard") as bar:
        def progress(stage: str) -> None:
            bar.set_postfix_str(stage)
            bar.update(1)

        try:
            card = load_organisation_scorecard(store, organisation.join_code, round=args.round,
                                               questionnaire=questionnaire, progress=progress)
        except ValueError as error:
            raise UserError(str(error)) from None
        progress(f"rendering {args.format}")
        data = export.render(card, args.format)
    write_output(data, args.output, binary=args.format == "pdf")


def cmd_simulate(args: argparse.Namespace) -> None:
    from readiness.live_content import current_content
    from readiness.simulate import get_profile, simulate, simulate_evidence, synthetic_evidence

    if args.respondents < 1:
        raise UserError(f"--respondents must be at least 1, got {args.respondents}")
    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
    try:
        profile = get_profile(args.profile)
    except ValueError as error:
        raise UserError(str(error)) from None
    questionnaire = current_questionnaire()
    measures = current_content().evidence
    try:  # a profile whose pilot does not fit evidence.yml fails before anything is written
        synthetic_evidence(measures, profile, args.respondents, args.seed)
    except ValueError as error:
        raise UserError(str(error)) from None
    with progress_bar(args.respondents, "respondent", f"simulating {profile.name}") as bar:
        done = [0]

        def progress(written: int) -> None:
            bar.update(written - done[0])
            done[0] = written

        try:
            written = simulate(store, organisation.join_code, questionnaire, profile,
                               args.respondents, args.seed, progress=progress)
        except ValueError as error:
            raise UserError(str(error)) from None
    print(f"Wrote {written} completed synthetic respondents ({profile.name}) to "
          f"{organisation.join_code}, round {organisation.current_round}.")
    if profile.evidence:
        entered = simulate_evidence(store, organisation.join_code, measures, profile, args.respondents, args.seed)
        skipped = sorted({e.measure for e in profile.evidence} - set(entered))
        if entered:
            print(f"Entered simulated pilot evidence: {', '.join(entered)} (entered by simulation).")
        if skipped:
            print(f"Kept the evidence a lead entered for this round: {', '.join(skipped)}.")
