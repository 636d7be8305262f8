"""`readiness org …`: create, list, start a round, weights, answer quality, purge, qr, poster."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from readiness.bank import current_questionnaire
from readiness.cli.common import (
    UserError,
    open_store,
    plural,
    print_json,
    table,
    unknown_organisation,
    write_output,
)
from readiness.cli.data import delete_chat_events
from readiness.weights import check_weights, weighted_for


def cmd_org_create(args: argparse.Namespace) -> None:
    store = open_store()
    try:
        record, token = store.create_organisation(args.name)
    except ValueError as error:
        raise UserError(str(error)) from None
    if args.json:
        print_json({"name": record.name, "join_code": record.join_code, "admin_token": token})
        return
    print(f"Organisation: {record.name}")
    print(f"Join code:    {record.join_code}   (give this to staff; they type it in the chat)")
    print(f"Admin token:  {token}")
    print("The admin token is shown only once: store it safely. It opens the scorecards.")


def cmd_org_list(args: argparse.Namespace) -> None:
    records = open_store().list_organisations()
    if args.json:
        print_json([{"name": r.name, "join_code": r.join_code, "round": r.current_round} for r in records])
        return
    if not records:
        print("No organisations yet. Create one with: readiness org create NAME")
        return
    print(table([(r.join_code, r.name, r.current_round) for r in records], ["join code", "name", "round"]))


def cmd_org_round(args: argparse.Namespace) -> None:
    store = open_store()
    try:
        number = store.start_new_round(args.code)
    except LookupError:
        raise unknown_organisation(args.code) from None
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
    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
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
    print(table(
        [(c.id, c.weight, "override" if c.id in overrides else "bank") for c in effective.challenges],
        ["challenge", "weight", "from"],
    ))


def cmd_org_quality(args: argparse.Namespace) -> None:
    """Show the answer-quality setting, or set it (--exclude-flagged / --include-flagged)."""
    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
    if args.exclude is not None:
        organisation = store.set_exclude_flagged(organisation.join_code, args.exclude)
    if organisation.exclude_flagged:
        print(f"{organisation.name}: assessments with answer-quality flags are left out of the "
              "scorecard's figures (they are still counted and reported).")
    else:
        print(f"{organisation.name}: assessments with answer-quality flags are included in the "
              "scorecard's figures (the default); the scorecard reports how many were flagged.")


def cmd_org_purge(args: argparse.Namespace) -> None:
    from readiness.storage import normalise_code

    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
    footprint = store.organisation_footprint(organisation.join_code)
    what = (
        f"{organisation.name} ({organisation.join_code}): {plural(footprint['respondents'], 'respondent')}, "
        f"{plural(footprint['assessments'], 'assessment')}, {plural(footprint['answers'], 'answer')} "
        "and their chat tracker events"
    )
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError(f"this permanently deletes {what}; add --yes to confirm")
        typed = input(f"This permanently deletes {what}.\nType the join code to confirm: ")
        if normalise_code(typed) != organisation.join_code:
            raise UserError("not confirmed: nothing was deleted")
    events = delete_chat_events(store.organisation_conversation_ids(organisation.join_code))
    removed = store.purge_organisation(organisation.join_code)
    print(
        f"Purged {organisation.name} ({organisation.join_code}): {plural(removed, 'respondent')}, "
        f"{plural(footprint['assessments'], 'assessment')}, {plural(footprint['answers'], 'answer')}, "
        f"{plural(events, 'chat tracker event')}."
    )


def cmd_org_patient_poster(args: argparse.Namespace) -> None:
    """An A4 poster with the QR code of the organisation's patient survey link."""
    from readiness.share import patient_url, poster_pdf

    store = open_store()
    organisation = store.get_organisation(args.code)
    if organisation is None:
        raise unknown_organisation(args.code)
    link = patient_url(organisation.join_code, args.url)
    write_output(poster_pdf(organisation.name, organisation.join_code, link, "patient"), args.output, binary=True)
    print(f"Patient link: {link}")

def _share_target(code: str) -> tuple[str, str, str]:
    """(organisation name, join code, join link) or the unknown-organisation error."""
    from readiness.share import join_url

    organisation = open_store().get_organisation(code)
    if organisation is None:
        raise unknown_organisation(code)
    return organisation.name, organisation.join_code, join_url(organisation.join_code)


def cmd_org_qr(args: argparse.Namespace) -> None:
    """The staff join link as a QR code (SVG); the link's base is READINESS_PUBLIC_URL."""
    from readiness.share import qr_svg

    _, _, url = _share_target(args.code)
    write_output(qr_svg(url), args.output, binary=False)


def cmd_org_poster(args: argparse.Namespace) -> None:
    """A printable A4 poster (PDF) with the join link, its QR code and the join code."""
    from readiness.share import poster_pdf

    name, code, url = _share_target(args.code)
    write_output(poster_pdf(name, code, url), args.output, binary=True)
