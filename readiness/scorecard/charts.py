"""Chart geometry for the scorecard's inline SVG, and the executive summary's picks.

Everything here is computed from the view objects the scorecard already holds; the template
only draws what it is given (coordinates, colours, lines of text). Labels are wrapped, never
cut, and the drawing areas leave room for them (the radar used to clip "…calability and integ…").
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from readiness.model import Questionnaire

#: Characters per line of a radar label (wrapped at word boundaries).
LABEL_WIDTH = 18
#: Series colours of the trend chart (index first), distinguishable and ≥ 3:1 on white.
SERIES = ("#1b2631", "#1f618d", "#b9770e", "#117a65", "#884ea0", "#a93226", "#2e4053", "#7d6608",
          "#0e6655", "#6c3483")


def wrap(text: str, width: int = LABEL_WIDTH) -> tuple[str, ...]:
    return tuple(textwrap.wrap(text, width, break_long_words=False)) or (text,)


@dataclass(frozen=True)
class RadarAxis:
    number: int
    label: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    #: The label wrapped into lines (drawn as tspans, `line_height` apart, from `label_y`).
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class RadarView:
    """Inline-SVG geometry of the nine-challenge radar: rings at the tier bounds, one axis per
    challenge, the score polygon (`shape`) and its vertices (`dots`)."""

    width: int
    height: int
    cx: float
    cy: float
    rings: tuple[str, ...]
    axes: tuple[RadarAxis, ...]
    shape: str
    dots: tuple[tuple[float, float], ...]
    line_height: float = 13.0


def radar(questionnaire: Questionnaire, scores: tuple[float | None, ...]) -> RadarView:
    """Radar geometry: axis i at angle −90° + i·360°/n; a missing score sits at the centre.
    The canvas is sized so that every wrapped label fits inside it."""
    width, height, radius, gap, line = 640, 500, 160.0, 12.0, 13.0
    cx, cy = width / 2, height / 2
    n = len(scores)

    def point(i: int, value: float, r0: float = radius) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = r0 * value / 100.0
        return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)

    rings = tuple(
        " ".join(f"{x},{y}" for x, y in (point(i, band.upper) for i in range(n)))
        for band in questionnaire.tiers.bands
    )
    axes = []
    for i, challenge in enumerate(questionnaire.challenges):
        x, y = point(i, 100.0)
        lines = wrap(f"{i + 1}. {challenge.title}")
        lx, ly = point(i, 100.0, radius + gap)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        block = line * len(lines)
        if abs(lx - cx) < 10:  # top or bottom: the block sits above or below the axis end
            top = ly - block if ly < cy else ly + 4
        else:  # sides: centred on the axis end, nudged away from the middle line
            top = ly - block / 2 + (-4 if ly < cy - 10 else 4 if ly > cy + 10 else 0)
        axes.append(RadarAxis(i + 1, f"{i + 1}. {challenge.title}", x, y, lx, round(top + line - 3, 1), anchor, lines))
    dots = tuple(point(i, s if s is not None else 0.0) for i, s in enumerate(scores))
    shape = " ".join(f"{x},{y}" for x, y in dots)
    return RadarView(width, height, cx, cy, rings, tuple(axes), shape, dots, line)


# --- heatmap ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    score: float | None
    fill: str
    ink: str


@dataclass(frozen=True)
class HeatRow:
    label: str
    n: int | None
    #: Empty for a suppressed row (drawn as one "hidden" band).
    cells: tuple[HeatCell, ...]

    @property
    def hidden(self) -> bool:
        return not self.cells


@dataclass(frozen=True)
class Heatmap:
    """Roles (rows) × challenges (columns), each cell coloured by its tier; suppressed roles
    are listed as rows marked hidden."""

    columns: tuple[str, ...]
    rows: tuple[HeatRow, ...]


def _ink(colour: str) -> str:
    """Black or white text, whichever contrasts more with `colour` (WCAG relative luminance)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def heatmap(questionnaire: Questionnaire, groups: tuple, suppressed: tuple[str, ...], tiers: tuple) -> Heatmap:
    """`groups`: GroupView rows (label, n, scores per challenge); `tiers`: TierView bands."""

    def colour(score: float | None) -> str:
        if score is None:
            return "#f4f6f6"
        for tier in tiers:
            if tier.lower <= score < tier.upper or (score >= tier.upper and tier is tiers[-1]):
                return tier.colour
        return "#f4f6f6"

    rows = [HeatRow(g.label, g.n, tuple(HeatCell(s, colour(s), _ink(colour(s))) for s in g.scores)) for g in groups]
    rows += [HeatRow(label, None, ()) for label in suppressed]
    return Heatmap(tuple(str(i + 1) for i in range(len(questionnaire.challenges))), tuple(rows))


# --- round trend ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    label: str
    colour: str
    points: str
    dots: tuple[tuple[float, float, str], ...]
    bold: bool


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    series: tuple[TrendSeries, ...]


def trend_chart(rounds: tuple[int, ...], rows: tuple) -> TrendChart:
    """Index (first row, bold) and each challenge per round; `rows` are TrendRow(label, values)."""
    width, height, left, right, top, bottom = 640, 260, 44.0, 470.0, 14.0, 226.0
    span = max(len(rounds) - 1, 1)

    def x(i: int) -> float:
        return round(left + (right - left) * i / span, 1) if len(rounds) > 1 else (left + right) / 2

    def y(v: float) -> float:
        return round(bottom - (bottom - top) * v / 100.0, 1)

    series = []
    for k, row in enumerate(rows):
        known = [(x(i), y(v), f"{v:.0f}") for i, v in enumerate(row.values) if v is not None]
        series.append(TrendSeries(row.label, SERIES[k % len(SERIES)], " ".join(f"{a},{b}" for a, b, _ in known),
                                  tuple(known), k == 0))
    return TrendChart(width, height, left, right, top, bottom,
                      tuple((x(i), f"Round {r}") for i, r in enumerate(rounds)),
                      tuple((y(v), str(v)) for v in (0, 20, 40, 60, 80, 100)), tuple(series))


# --- tier distribution bars --------------------------------------------------------------


@dataclass(frozen=True)
class TierBar:
    name: str
    colour: str
    count: int
    percent: float
    y: float
    width: float


@dataclass(frozen=True)
class TierBars:
    width: int
    height: int
    left: float
    bar_height: float
    bars: tuple[TierBar, ...]


def tier_bars(distribution: tuple) -> TierBars:
    """Horizontal bars: respondents per tier of the overall index (TierCount rows)."""
    left, length, bar, step = 130.0, 380.0, 18.0, 26.0
    most = max((d.percent for d in distribution), default=0.0) or 1.0
    bars = tuple(TierBar(d.tier.name, d.tier.colour, d.count, d.percent, 6 + i * step, round(length * d.percent / most, 1))
                 for i, d in enumerate(distribution))
    return TierBars(640, int(12 + step * len(bars)), left, bar, bars)


# --- executive summary ------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryGap:
    title: str
    score: float
    target: float


@dataclass(frozen=True)
class SummaryStep:
    title: str
    format: str
    minutes: int
    respondents: int
    challenges: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    gaps: tuple[SummaryGap, ...]
    steps: tuple[SummaryStep, ...]


def summary(challenges: tuple, plan: tuple, target: float, top: int = 3) -> Summary:
    """The three largest weighted gaps to the target, and the three training steps that close
    the most weighted gap over all the plan's groups."""
    open_gaps = sorted((c for c in challenges if c.score is not None and c.score < target),
                       key=lambda c: (-(target - c.score) * c.weight, c.number))
    totals: dict[str, list] = {}
    for group in plan:
        for step in group.steps:
            entry = totals.setdefault(step.id, [step, 0, 0.0])
            entry[1] += step.respondents
            entry[2] += step.weighted_gap
    ranked = sorted(totals.values(), key=lambda e: (-e[2], e[0].title))[:top]
    return Summary(
        tuple(SummaryGap(c.title, c.score, target) for c in open_gaps[:top]),
        tuple(SummaryStep(s.title, s.format, s.minutes, n, s.challenges) for s, n, _ in ranked),
    )
