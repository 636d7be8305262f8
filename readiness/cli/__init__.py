"""`readiness` command line: organisations, rounds, the questionnaire, scoring, reports, simulation.

Every error a user can cause prints one line on stderr and exits with code 2, writing nothing.
The commands live by group: `organisations` (org …), `content` (questionnaire …, content check),
`reports` (score, report, simulate) and `data` (db …, respondent delete, retention purge);
this module wires them into one argparse parser.
"""

from __future__ import annotations

import argparse
from importlib import import_module
import os
import sys
from typing import Callable, Sequence

from readiness.bank import BankError
from readiness.cli.common import USAGE_ERROR, UserError
from readiness.cli.content import cmd_content_check, cmd_questionnaire_check, cmd_questionnaire_show
from readiness.cli.data import (
    RETENTION_DAYS_ENV,
    cmd_db_current,
    cmd_db_upgrade,
    cmd_respondent_delete,
    cmd_retention_purge,
)
from readiness.cli.organisations import (
    cmd_org_create,
    cmd_org_list,
    cmd_org_patient_poster,
    cmd_org_purge,
    cmd_org_quality,
    cmd_org_round,
    cmd_org_weights,
)
from readiness.cli.evidence import add_parser as add_evidence_parser
from readiness.cli.reports import cmd_report, cmd_score, cmd_simulate

__all__ = ["RETENTION_DAYS_ENV", "USAGE_ERROR", "UserError", "build_parser", "main"]


# --- wiring -------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="readiness",
        description="Generative-AI adoption readiness for hospitals: organisations, questionnaire, scores.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    org = commands.add_parser("org", help="create and list organisations").add_subparsers(
        dest="org_command", required=True, metavar="ACTION")
    create = org.add_parser("create", help="create an organisation; prints its join code and admin token once")
    create.add_argument("name")
    create.add_argument("--json", action="store_true", help="machine-readable output")
    create.set_defaults(handler=cmd_org_create)
    listing = org.add_parser("list", help="list organisations")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_org_list)
    new_round = org.add_parser("round", help="start the organisation's next survey round (e.g. after training)")
    new_round.add_argument("code", metavar="ORG_CODE")
    new_round.set_defaults(handler=cmd_org_round)

    weights = org.add_parser("weights", help="show or override the organisation's challenge weights")
    weights.add_argument("code", metavar="ORG_CODE")
    weights.add_argument("pairs", nargs="*", metavar="CHALLENGE=WEIGHT")
    weights.add_argument("--reset", action="store_true", help="back to the bank's weights")
    weights.set_defaults(handler=cmd_org_weights)

    quality = org.add_parser("quality", help="show or set whether assessments with answer-quality flags "
                             "(straight-lining, contradictions, speeders) are left out of the scorecard")
    quality.add_argument("code", metavar="ORG_CODE")
    choice = quality.add_mutually_exclusive_group()
    choice.add_argument("--exclude-flagged", dest="exclude", action="store_const", const=True,
                        help="leave flagged assessments out of the figures (still counted and reported)")
    choice.add_argument("--include-flagged", dest="exclude", action="store_const", const=False,
                        help="include them (the default)")
    quality.set_defaults(handler=cmd_org_quality, exclude=None)

    poster = org.add_parser("patient-poster", help="a printable A4 poster (PDF) with a QR code for the patients' survey")
    poster.add_argument("code", metavar="ORG_CODE")
    poster.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    poster.add_argument("--url", metavar="BASE", help="the web app's public address (default: $READINESS_PUBLIC_URL)")
    poster.set_defaults(handler=cmd_org_patient_poster)
    for name, handler, what, suffix in (
            ("qr", "cmd_org_qr", "the staff join link as a QR code (SVG)", "svg"),
            ("poster", "cmd_org_poster", "a printable A4 poster (PDF) with the join link, QR code and join code", "pdf")):
        share = org.add_parser(name, help=what + "; the link's address is READINESS_PUBLIC_URL "
                               "(default http://localhost:8080)")
        share.add_argument("code", metavar="ORG_CODE")
        share.add_argument("-o", "--output", metavar="FILE", help=f"write to FILE (e.g. join.{suffix}); default: stdout")
        share.set_defaults(handler=getattr(import_module("readiness.cli.organisations"), handler))

    purge = org.add_parser("purge", help="delete an organisation, its respondents, answers and chat events")
    purge.add_argument("code", metavar="ORG_CODE")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.set_defaults(handler=cmd_org_purge)

    add_evidence_parser(commands)

    respondent = commands.add_parser("respondent", help="privacy: delete one respondent").add_subparsers(
        dest="respondent_command", required=True, metavar="ACTION")
    delete = respondent.add_parser("delete", help="delete a respondent's answers, assessments and chat events")
    delete.add_argument("pseudonym", metavar="PSEUDONYM")
    delete.set_defaults(handler=cmd_respondent_delete)

    retention = commands.add_parser("retention", help="privacy: delete data older than a retention period").add_subparsers(
        dest="retention_command", required=True, metavar="ACTION")
    retention_purge = retention.add_parser(
        "purge", help="delete respondents inactive for more than DAYS, with their chat events, and idle chats")
    retention_purge.add_argument("--older-than", type=int, metavar="DAYS",
                                 help=f"retention period in days (default: ${RETENTION_DAYS_ENV})")
    retention_purge.add_argument("--dry-run", action="store_true", help="list who would be deleted, delete nothing")
    retention_purge.set_defaults(handler=cmd_retention_purge)

    db = commands.add_parser("db", help="database schema migrations").add_subparsers(
        dest="db_command", required=True, metavar="ACTION")
    db_upgrade = db.add_parser("upgrade", help="upgrade the database schema to the latest revision")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)
    db_current = db.add_parser("current", help="show the database's schema revision")
    db_current.set_defaults(handler=cmd_db_current)

    questionnaire = commands.add_parser("questionnaire", help="show or check the question bank").add_subparsers(
        dest="questionnaire_command", required=True, metavar="ACTION")
    show = questionnaire.add_parser("show", help="print the items (for one role)")
    show.add_argument("--role")
    show.add_argument("--format", choices=["json", "table"], default="table")
    show.set_defaults(handler=cmd_questionnaire_show)
    check = questionnaire.add_parser(
        "check", help="validate the content (like `content check`), or an edited bank FILE with it")
    check.add_argument("file", nargs="?", metavar="FILE_OR_DIR")
    check.set_defaults(handler=cmd_questionnaire_check)

    content = commands.add_parser("content", help="check a content folder before it goes live").add_subparsers(
        dest="content_command", required=True, metavar="ACTION")
    content_check = content.add_parser(
        "check", help="validate all content files of DIR (default: $READINESS_CONTENT_DIR or the packaged "
                      "folder); exit 2 with file:line on a problem")
    content_check.add_argument("directory", nargs="?", metavar="DIR")
    content_check.set_defaults(handler=cmd_content_check)

    score = commands.add_parser("score", help="score one respondent's answers from a JSON file")
    score.add_argument("--answers", required=True, metavar="FILE.json")
    score.add_argument("--format", choices=["json", "table"], default="table")
    score.set_defaults(handler=cmd_score)

    report = commands.add_parser("report", help="an organisation's scorecard as html, pdf, md, json or csv")
    report.add_argument("code", metavar="ORG_CODE")
    report.add_argument("--round", type=int, help="survey round (default: the latest with completed assessments)")
    report.add_argument("--format", choices=["html", "pdf", "md", "json", "csv"], required=True)
    csv_of = report.add_mutually_exclusive_group()
    csv_of.add_argument("--evidence", action="store_true",
                        help="with --format csv: the pilot evidence (one row per proportion) instead of the answers")
    csv_of.add_argument("--rounds", action="store_true",
                        help="with --format csv: the round trend (one row per measure and round, the latest "
                             "change with its 95 %% interval) instead of the answers")
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout; pdf needs a file or a pipe)")
    report.set_defaults(handler=cmd_report)

    sim = commands.add_parser("simulate", help="write synthetic completed respondents (demos, tests, load)")
    sim.add_argument("code", metavar="ORG_CODE")
    sim.add_argument("--respondents", type=int, required=True, metavar="N")
    sim.add_argument("--profile", default="typical", metavar="NAME",
                     help="cohort profile from readiness/content/cohort_profiles.yml (default: typical)")
    sim.add_argument("--seed", type=int, default=0, metavar="S")
    sim.set_defaults(handler=cmd_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], None] = args.handler
    try:
        handler(args)
    except (UserError, BankError) as error:
        print(f"readiness: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): not an error; silence the flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0

