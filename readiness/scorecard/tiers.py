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


def _short(title: str, limit: int = 22) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def radar(questionnaire: Questionnaire, scores: tuple[float | None, ...]) -> RadarView:
    """Radar geometry: axis i at angle −90° + i·360°/n; a missing score sits at the centre."""
    width, height, radius = 560, 420, 140.0
    cx, cy = width / 2, height / 2
    n = len(scores)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / 100.0
        return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)

    rings = tuple(
        " ".join(f"{x},{y}" for x, y in (point(i, band.upper) for i in range(n)))
        for band in questionnaire.tiers.bands
    )
    axes = []
    for i, challenge in enumerate(questionnaire.challenges):
        x, y = point(i, 100.0)
        lx, ly = point(i, 100.0 + 22.0 / radius * 100.0)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        axes.append(RadarAxis(i + 1, f"{i + 1}. {_short(challenge.title)}", x, y, lx, ly + 4, anchor))
    dots = tuple(point(i, s if s is not None else 0.0) for i, s in enumerate(scores))
    shape = " ".join(f"{x},{y}" for x, y in dots)
    return RadarView(width, height, cx, cy, rings, tuple(axes), shape, dots)

