"""`readiness evidence set|list`: pilot evidence an organisation's leads enter per round."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from readiness.cli.common import UserError, open_store, print_json, table, unknown_organisation

if TYPE_CHECKING:
    from readiness.evidence import MeasureResult
    from readiness.evidence_content import EvidenceMeasure


def _measure(code: str) -> "EvidenceMeasure":
    from readiness.live_content import current_content

    content = current_content()
    measure = content.evidence_measure(code)
    if measure is None:
        known = ", ".join(m.id for m in content.evidence)
        raise UserError(f"unknown evidence measure {code!r}; the measures are {known} (evidence.yml)")
    return measure


def cmd_evidence_set(args: argparse.Namespace) -> None:
    from readiness.evidence import EvidenceError, measure_result, parse_pairs

    measure = _measure(args.measure)
    try:
        values = parse_pairs(measure, args.pairs)
    except EvidenceError as error:
        raise UserError(str(error)) from None
    if args.round is not None and args.round < 1:
        raise UserError(f"--round must be 1 or more, got {args.round}")
    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
    try:
        entry = store.set_evidence(organisation.join_code, measure.id, values, round=args.round,
                                   source=args.source, entered_by=args.entered_by)
    except ValueError as error:
        raise UserError(str(error)) from None
    print(f"Saved {measure.id} for {organisation.join_code}, round {entry.round} "
          f"(entered by {entry.entered_by}).")
    for line in _result_lines(measure_result(measure, values)):
        print("  " + line)


def _result_lines(result: "MeasureResult") -> list[str]:
    lines = [f"{p.label}: {p.percent:.1f} % (95 % CI {p.ci_low:.1f}–{p.ci_high:.1f}; {p.successes}/{p.n})"
             + (f"; study {p.seed_percent:g} %" if p.seed_percent is not None else "")
             for p in result.proportions]
    if result.ratio is not None:
        lines.append(f"{result.ratio.label}: {result.ratio.percent:.0f} %")
    if result.comparison is not None:
        lines.append(result.comparison.text)
    return lines


def cmd_evidence_list(args: argparse.Namespace) -> None:
    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
    entries = store.evidence(organisation.join_code, args.round)
    if args.json:
        print_json([{"round": e.round, "measure": e.measure, "values": dict(e.values), "source": e.source,
                     "entered_by": e.entered_by, "entered_at": e.entered_at.isoformat()} for e in entries])
        return
    if not entries:
        which = f" in round {args.round}" if args.round is not None else ""
        print(f"No evidence entered for {organisation.join_code}{which}. "
              "Add some with: readiness evidence set CODE MEASURE key=value …")
        return
    rows = [(e.round, e.measure, " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in e.values.items()),
             e.entered_by, e.entered_at.strftime("%Y-%m-%d %H:%M"), e.source or "") for e in entries]
    print(table(rows, ("round", "measure", "values", "entered by", "entered (UTC)", "source")))


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    evidence = commands.add_parser("evidence", help="pilot evidence per organisation and round (evidence.yml)").add_subparsers(
        dest="evidence_command", required=True, metavar="ACTION")
    put = evidence.add_parser("set", help="enter (or replace) one measure's counts, e.g. "
                              "diagnostic_accuracy cases=1000 ai_correct=950 clinicians_correct=970")
    put.add_argument("code", metavar="ORG_CODE")
    put.add_argument("measure", metavar="MEASURE")
    put.add_argument("pairs", nargs="+", metavar="KEY=VALUE")
    put.add_argument("--round", type=int, help="survey round (default: the organisation's current round)")
    put.add_argument("--source", help="where the counts come from (e.g. \"PACS audit, Jan–Jun\")")
    put.add_argument("--entered-by", default="organisation lead", metavar="ROLE",
                     help="who enters it, as a role, never a name (default: organisation lead)")
    put.set_defaults(handler=cmd_evidence_set)
    show = evidence.add_parser("list", help="the organisation's evidence entries")
    show.add_argument("code", metavar="ORG_CODE")
    show.add_argument("--round", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_evidence_list)
