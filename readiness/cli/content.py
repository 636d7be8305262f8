"""`readiness questionnaire show|check` and `readiness content check`: the content before it goes live."""

from __future__ import annotations

import argparse
from pathlib import Path

from readiness.bank import current_questionnaire
from readiness.cli.common import UserError, print_json, table
from readiness.model import Questionnaire


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
        print_json({
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
    print(table(rows, ["challenge", "item", "statement"]))
    print(f"{len(rows)} items")


def _check_content(directory: Path | None, bank_file: Path | None = None) -> None:
    from readiness.content_set import ignored_examples, load_content

    content = load_content(directory, bank_file=bank_file)
    counts = ", ".join(f"{r.id} {len(content.questionnaire.items_for(r.id))}"
                       for r in content.questionnaire.roles)
    print(f"OK: {content.summary()}; items per role: {counts}")
    ignored = ignored_examples(content.directory, content.questionnaire)
    if ignored:
        print(f"note: answer_examples.yml names statements the bank does not have (their examples "
              f"are not used): {', '.join(ignored)}")


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
