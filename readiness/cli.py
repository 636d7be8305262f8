"""`readiness` command line: organisations, rounds, the questionnaire, scoring, reports, simulation.

Every error a user can cause prints one line on stderr and exits with code 2, writing nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from readiness.bank import BankError, current_questionnaire
from readiness.model import Questionnaire
from readiness.results import ReadinessResult, evaluate, result_to_dict
from readiness.weights import check_weights, weighted_for

#: Exit code for errors the user can fix (bad input, unknown ids, missing files).
USAGE_ERROR = 2


class UserError(Exception):
    """An error caused by the command's input: reported in one line, exit code 2."""


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain aligned text table (what a terminal user reads at a glance)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[n]) for row in cells) for n in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _store():
    from readiness.storage import Store

    return Store()


# --- org ----------------------------------------------------------------------------------

def cmd_org_create(args: argparse.Namespace) -> None:
    store = _store()
    try:
        record, token = store.create_organisation(args.name)
    except ValueError as error:
        raise UserError(str(error)) from None
    if args.json:
        _print_json({"name": record.name, "join_code": record.join_code, "admin_token": token})
        return
    print(f"Organisation: {record.name}")
    print(f"Join code:    {record.join_code}   (give this to staff; they type it in the chat)")
    print(f"Admin token:  {token}")
    print("The admin token is shown only once: store it safely. It opens the scorecards.")


def cmd_org_list(args: argparse.Namespace) -> None:
    records = _store().list_organisations()
    if args.json:
        _print_json([{"name": r.name, "join_code": r.join_code, "round": r.current_round} for r in records])
        return
    if not records:
        print("No organisations yet. Create one with: readiness org create NAME")
        return
    print(_table([(r.join_code, r.name, r.current_round) for r in records], ["join code", "name", "round"]))


# --- questionnaire ------------------------------------------------------------------------

def _check_role(questionnaire: Questionnaire, role: str | None) -> None:
    if role is not None and role not in questionnaire.role_ids:
        raise UserError(f"unknown role {role!r}; expected one of: {', '.join(questionnaire.role_ids)}")


def cmd_questionnaire_show(args: argparse.Namespace) -> None:
    questionnaire = current_questionnaire()
    _check_role(questionnaire, args.role)
    challenges = []
    for challenge in questionnaire.challenges:
        items = challenge.items_for(args.role) if args.role else challenge.items
        challenges.append((challenge, items))
    if args.format == "json":
        _print_json({
            "version": questionnaire.version,
            "role": args.role,
            "challenges": [
                {
                    "id": c.id,
                    "title": c.title,
                    "weight": c.weight,
                    "description": c.description,
                    "items": [
                        {
                            "id": i.id,
                            "text": i.text,
                            "roles": sorted(i.roles),
                            "reverse": i.reverse,
                            "criterion": i.criterion,
                            "why": i.why,
                            "benchmark": None if i.benchmark is None else {
                                "figure": i.benchmark.figure,
                                "label": i.benchmark.label,
                                "rule": i.benchmark.rule,
                                "threshold": i.benchmark.threshold,
                            },
                        }
                        for i in items
                    ],
                }
                for c, items in challenges
            ],
        })
        return
    rows = [
        (c.title if n == 0 else "", i.id, ("(reverse) " if i.reverse else "") + i.text)
        for c, items in challenges
        for n, i in enumerate(items)
    ]
    print(f"Questionnaire {questionnaire.version}" + (f" for role {args.role}" if args.role else ""))
    print(_table(rows, ["challenge", "item", "statement"]))
    print(f"{len(rows)} items")


def _check_content(directory: Path | None, bank_file: Path | None = None) -> None:
    from readiness.content_set import load_content

    content = load_content(directory, bank_file=bank_file)
    counts = ", ".join(f"{r.id} {len(content.questionnaire.items_for(r.id))}"
                       for r in content.questionnaire.roles)
    print(f"OK: {content.summary()}; items per role: {counts}")


def cmd_content_check(args: argparse.Namespace) -> None:
    """Validate a whole content folder (all seven files) before it goes live."""
    directory = Path(args.directory) if args.directory else None
    if directory is not None and not directory.is_dir():
        raise UserError(f"{directory}: no such directory (give a content folder holding bank.yml, "
                        f"chat.yml, …)")
    _check_content(directory)


def cmd_questionnaire_check(args: argparse.Namespace) -> None:
    """Older spelling of `content check`: PATH may be a content folder or an edited bank.yml
    (checked with the rest of the current content folder)."""
    path = Path(args.file) if args.file else None
    if path is not None and path.is_dir():
        _check_content(path)
        return
    if path is not None and not path.is_file():
        raise UserError(f"{path}: no such file")
    _check_content(None, bank_file=path)


# --- score --------------------------------------------------------------------------------

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
    lines.append(_table(
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
        _print_json(result_to_dict(result))
    else:
        print(_score_table(result))


# --- org round, report, simulate ----------------------------------------------------------

def cmd_org_round(args: argparse.Namespace) -> None:
    store = _store()
    try:
        number = store.start_new_round(args.code)
    except LookupError:
        raise UserError(f"no organisation has the join code {args.code!r}; list them with: readiness org list") from None
    print(f"Round {number} started for {args.code}: new assessments count towards round {number}.")


def _parse_weights(pairs: Sequence[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for pair in pairs:
        challenge, sep, raw = pair.partition("=")
        try:
            if not sep:
                raise ValueError
            weights[challenge.strip()] = float(raw)
        except ValueError:
            raise UserError(f"expected CHALLENGE=WEIGHT (e.g. data_privacy_security=1.5), got {pair!r}") from None
    return weights


def cmd_org_weights(args: argparse.Namespace) -> None:
    """Show the organisation's challenge weights, or override some (validated against the bank)."""
    store = _store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise UserError(f"no organisation has the join code {args.code!r}; list them with: readiness org list")
    questionnaire = current_questionnaire()
    new = {} if args.reset else _parse_weights(args.pairs)
    try:
        check_weights(questionnaire, new)
    except ValueError as error:
        raise UserError(str(error)) from None
    overrides: dict[str, float] = {} if args.reset else {**organisation.weights, **new}
    effective = weighted_for(questionnaire, overrides)  # a stored override of a removed challenge is ignored
    if args.reset or args.pairs:
        store.set_weights(organisation.join_code, overrides)
    print(_table(
        [(c.id, c.weight, "override" if c.id in overrides else "bank") for c in effective.challenges],
        ["challenge", "weight", "from"],
    ))


def _progress_bar(total: int, unit: str, description: str):  # type: ignore[no-untyped-def]
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=description, file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty())


def _write_output(data: str | bytes, output: str | None, binary: bool) -> None:
    if output is None:
        if binary:
            if sys.stdout.isatty():
                raise UserError("PDF output is binary: give -o FILE.pdf (or redirect stdout to a file)")
            sys.stdout.buffer.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
        return
    path = Path(output)
    if not path.parent.is_dir():
        raise UserError(f"{path.parent}: no such directory")
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}") from None
    print(f"Wrote {path}", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> None:
    from readiness import export
    from readiness.scorecard import load_organisation_scorecard

    store = _store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise UserError(f"no organisation has the join code {args.code!r}; list them with: readiness org list")
    questionnaire = current_questionnaire()
    if args.format == "csv":
        frame = store.answers_frame(organisation.join_code, args.round)
        if args.round is not None and not frame["completed"].any():
            raise UserError(f"round {args.round} has no completed assessments for {organisation.join_code}")
        _write_output(export.answers_csv(questionnaire, frame, args.round), args.output, binary=False)
        return
    stages = ["reading answers", "scoring respondents", "summarising challenges",
              "breaking down by role and department", "benchmarks, reliability and agreement",
              "rounds and training plan", f"rendering {args.format}"]
    with _progress_bar(len(stages), "step", "scorecard") as bar:
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
    _write_output(data, args.output, binary=args.format == "pdf")


def cmd_simulate(args: argparse.Namespace) -> None:
    from readiness.simulate import get_profile, simulate

    if args.respondents < 1:
        raise UserError(f"--respondents must be at least 1, got {args.respondents}")
    store = _store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise UserError(f"no organisation has the join code {args.code!r}; list them with: readiness org list")
    try:
        profile = get_profile(args.profile)
    except ValueError as error:
        raise UserError(str(error)) from None
    questionnaire = current_questionnaire()
    with _progress_bar(args.respondents, "respondent", f"simulating {profile.name}") as bar:
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


# --- db, privacy, retention ----------------------------------------------------------------

#: Environment variable: default of `readiness retention purge --older-than` (days).
RETENTION_DAYS_ENV = "READINESS_RETENTION_DAYS"


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - shown as given when SQLAlchemy cannot parse it
        return url


def _database_error(url: str, error: Exception) -> UserError:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    return UserError(f"cannot use the database {_shown_url(url)}: {detail[0] if detail else error}")


def cmd_db_current(args: argparse.Namespace) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import current_revision, default_database_url, head_revision, make_engine

    url = default_database_url()
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    finally:
        engine.dispose()
    head = head_revision()
    if revision is None:
        state = f"empty (no schema yet; `readiness db upgrade` creates revision {head})"
    elif revision == head:
        state = f"{revision} (head)"
    else:
        state = f"{revision} (head is {head}: run `readiness db upgrade`)"
    print(f"Database: {_shown_url(url)}")
    print(f"Revision: {state}")


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import current_revision, default_database_url, make_engine, upgrade_schema

    url = default_database_url()
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        after = upgrade_schema(engine)
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    finally:
        engine.dispose()
    print(f"Database: {_shown_url(url)}")
    if before == after:
        print(f"Already at the latest revision {after}.")
    else:
        print(f"Upgraded from {before or 'an empty database'} to {after}.")


def _delete_chat_events(sender_ids: list[str]) -> int:
    """Delete the tracker events of these conversations (before the readiness rows, so a
    failure here leaves everything in place to retry)."""
    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import delete_tracker_events, tracker_database_url

    url = tracker_database_url()
    try:
        return delete_tracker_events(url, sender_ids)
    except SQLAlchemyError as error:
        raise UserError(
            f"cannot delete chat events in the tracker store {_shown_url(url)} "
            f"(nothing was deleted): {str(getattr(error, 'orig', None) or error).strip().splitlines()[0]}"
        ) from None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def cmd_respondent_delete(args: argparse.Namespace) -> None:
    store = _store()
    footprint = store.respondent_footprint(args.pseudonym)
    if footprint is None:
        raise UserError(f"no respondent has the pseudonym {args.pseudonym!r} (like r-1a2b3c4d5e6f)")
    events = _delete_chat_events(store.conversation_ids(args.pseudonym))
    store.delete_respondent(args.pseudonym)
    print(
        f"Deleted respondent {args.pseudonym}: {_plural(footprint['assessments'], 'assessment')}, "
        f"{_plural(footprint['answers'], 'answer')}, {_plural(footprint['conversations'], 'conversation')}, "
        f"{_plural(events, 'chat tracker event')}."
    )


def cmd_org_purge(args: argparse.Namespace) -> None:
    from readiness.storage import normalise_code

    store = _store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise UserError(f"no organisation has the join code {args.code!r}; list them with: readiness org list")
    footprint = store.organisation_footprint(organisation.join_code)
    what = (
        f"{organisation.name} ({organisation.join_code}): {_plural(footprint['respondents'], 'respondent')}, "
        f"{_plural(footprint['assessments'], 'assessment')}, {_plural(footprint['answers'], 'answer')} "
        "and their chat tracker events"
    )
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError(f"this permanently deletes {what}; add --yes to confirm")
        typed = input(f"This permanently deletes {what}.\nType the join code to confirm: ")
        if normalise_code(typed) != organisation.join_code:
            raise UserError("not confirmed: nothing was deleted")
    events = _delete_chat_events(store.organisation_conversation_ids(organisation.join_code))
    removed = store.purge_organisation(organisation.join_code)
    print(
        f"Purged {organisation.name} ({organisation.join_code}): {_plural(removed, 'respondent')}, "
        f"{_plural(footprint['assessments'], 'assessment')}, {_plural(footprint['answers'], 'answer')}, "
        f"{_plural(events, 'chat tracker event')}."
    )


def cmd_retention_purge(args: argparse.Namespace) -> None:
    from datetime import datetime, timedelta, timezone

    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import delete_idle_tracker_conversations, tracker_database_url

    days = args.older_than
    if days is None:
        configured = os.environ.get(RETENTION_DAYS_ENV, "").strip()
        if not configured:
            raise UserError(f"give --older-than DAYS (or set {RETENTION_DAYS_ENV})")
        try:
            days = int(configured)
        except ValueError:
            raise UserError(f"{RETENTION_DAYS_ENV} must be a whole number of days, got {configured!r}") from None
    if days < 1:
        raise UserError(f"--older-than must be at least 1 day, got {days}")
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    store = _store()
    pseudonyms = store.inactive_respondents(cutoff)
    if args.dry_run:
        print(f"Would delete {_plural(len(pseudonyms), 'respondent')} inactive for more than {days} days"
              + (": " + ", ".join(pseudonyms) if pseudonyms else "."))
        return
    answers = events = 0
    for pseudonym in pseudonyms:
        footprint = store.respondent_footprint(pseudonym)
        if footprint is None:
            continue
        events += _delete_chat_events(store.conversation_ids(pseudonym))
        if store.delete_respondent(pseudonym):
            answers += footprint["answers"]
    url = tracker_database_url()
    try:
        idle_chats, idle_events = delete_idle_tracker_conversations(url, cutoff)
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    print(
        f"Deleted {_plural(len(pseudonyms), 'respondent')} inactive for more than {days} days "
        f"({_plural(answers, 'answer')}, {_plural(events, 'chat tracker event')}), and "
        f"{_plural(idle_chats, 'other idle chat')} ({_plural(idle_events, 'tracker event')})."
    )


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

    purge = org.add_parser("purge", help="delete an organisation, its respondents, answers and chat events")
    purge.add_argument("code", metavar="ORG_CODE")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.set_defaults(handler=cmd_org_purge)

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


if __name__ == "__main__":
    sys.exit(main())
