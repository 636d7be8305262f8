"""Organisation challenge weight overrides: the one place they are checked and applied.

The chat summary, the personal and organisation scorecards and `readiness org weights` all go
through `weighted_for`, so a respondent and their organisation see the same weights.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from readiness.model import Questionnaire


def check_weights(questionnaire: Questionnaire, overrides: Mapping[str, object]) -> None:
    """ValueError naming the first override whose challenge is unknown or weight is not > 0."""
    known = {challenge.id for challenge in questionnaire.challenges}
    for challenge_id, weight in overrides.items():
        if challenge_id not in known:
            raise ValueError(
                f"weight override for unknown challenge {challenge_id!r}; "
                f"known challenges: {', '.join(sorted(known))}"
            )
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
            raise ValueError(
                f"weight override for {challenge_id!r} must be a number > 0, got {weight!r}"
            )


def weighted_for(
    questionnaire: Questionnaire, overrides: Mapping[str, float] | None, *, strict: bool = False
) -> Questionnaire:
    """`questionnaire` with an organisation's challenge weight overrides applied.

    Stored overrides (`strict=False`, the default) may name a challenge a later bank no longer
    has: such an override is kept in the database but ignored, as answers to removed items are,
    so a content edit never stops a scorecard or a summary. `strict=True` checks new input
    instead (`check_weights`): ValueError names the unknown challenge or the bad weight.
    """
    if not overrides:
        return questionnaire
    if strict:
        check_weights(questionnaire, overrides)
    known = {challenge.id for challenge in questionnaire.challenges}
    usable = {cid: weight for cid, weight in overrides.items() if cid in known}
    check_weights(questionnaire, usable)
    if not usable:
        return questionnaire
    challenges = tuple(
        replace(c, weight=float(usable.get(c.id, c.weight))) for c in questionnaire.challenges
    )
    return replace(questionnaire, challenges=challenges)
