"""Tier colours and distributions, role labels and the radar's geometry, shared by the
organisation's and the personal scorecard."""

from __future__ import annotations

import math

from readiness.model import Questionnaire
from readiness.scorecard.views import TIER_COLOURS, RadarAxis, RadarView, TierCount, TierView


def tier_views(questionnaire: Questionnaire) -> tuple[TierView, ...]:
    return tuple(
        TierView(band.id, band.name, TIER_COLOURS[min(n, len(TIER_COLOURS) - 1)], band.lower, band.upper)
        for n, band in enumerate(questionnaire.tiers.bands)
    )


def tier_of(questionnaire: Questionnaire, score: float | None) -> TierView | None:
    if score is None:
        return None
    return tier_views(questionnaire)[questionnaire.tiers.position(score)]


def distribution(questionnaire: Questionnaire, counts: tuple[tuple[str, int], ...]) -> tuple[TierCount, ...]:
    total = sum(n for _, n in counts)
    views = {t.id: t for t in tier_views(questionnaire)}
    return tuple(TierCount(views[tid], n, 100.0 * n / total if total else 0.0) for tid, n in counts)


def role_label(questionnaire: Questionnaire, role: str | None) -> str:
    for r in questionnaire.roles:
        if r.id == role:
            return r.label
    return str(role)


def radar(questionnaire: Questionnaire, scores: tuple[float | None, ...]) -> RadarView:
    """Radar geometry (`readiness.scorecard.charts.radar`: wrapped labels, nothing clipped)."""
    from readiness.scorecard import charts

    return charts.radar(questionnaire, scores)
