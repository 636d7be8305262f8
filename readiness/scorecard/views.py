"""The scorecard's frozen view objects: what every export template formats, computing nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

#: Colours of the tiers, lowest first (red → green); reused if a bank defines more tiers. Each
#: has a contrast of at least 4.5:1 with white (WCAG AA), as text on white and under white text.
TIER_COLOURS = ("#b03a2e", "#a04000", "#7d6608", "#1d8348", "#145a32")

#: Fingerprints listed per questionnaire version in `Scorecard.versions_text` (the rest counted).
MAX_FINGERPRINTS_SHOWN = 3

#: Called with a short description of each stage of long work (for a progress bar).
Progress = Callable[[str], None]


from readiness.scorecard.charts import Heatmap, RadarAxis, RadarView, Summary, TierBars, TrendChart  # noqa: E402,F401


@dataclass(frozen=True)
class TierView:
    id: str
    name: str
    colour: str
    lower: float
    upper: float


@dataclass(frozen=True)
class TierCount:
    tier: TierView
    count: int
    percent: float


@dataclass(frozen=True)
class ChallengeView:
    """One challenge's row: organisation mean (or a respondent's score) and its distribution."""

    number: int
    id: str
    title: str
    weight: float
    score: float | None
    tier: TierView | None
    median: float | None
    spread: float | None
    n: int
    coverage: float
    distribution: tuple[TierCount, ...]
    answered: int | None = None
    asked: int | None = None


@dataclass(frozen=True)
class GroupView:
    """A shown group; `low`/`high` bound the 95 % t interval of its overall index."""

    label: str
    n: int
    overall: float | None
    scores: tuple[float | None, ...]
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class DifferenceView:
    """Whether the shown groups differ on one score more than noise: Welch's F, its degrees of
    freedom, the Holm-adjusted p and a plain reading."""

    label: str
    f: float | None
    df1: float | None
    df2: float | None
    p: float | None
    significant: bool
    text: str


@dataclass(frozen=True)
class BreakdownView:
    kind: str
    title: str
    groups: tuple[GroupView, ...]
    suppressed: tuple[str, ...]
    #: Test of the differences between the shown groups: overall index first, then challenges.
    differences: tuple[DifferenceView, ...] = ()
    test: str = ""


@dataclass(frozen=True)
class CrossView:
    """Role × department: rows are roles, columns departments; a cell is (n, overall mean) or
    None when suppressed (or empty: `empty` marks those)."""

    roles: tuple[str, ...]
    departments: tuple[str, ...]
    cells: tuple[tuple[tuple[int, float | None] | None, ...], ...]
    empty: tuple[tuple[bool, ...], ...]


@dataclass(frozen=True)
class IccView:
    """ICC(1), ICC(2) of one challenge with `kind` (department, role) as groups, their n and a
    plain reading; `pseudo` warns of high rwg(j) with ICC(1) near zero."""

    challenge: str
    kind: str
    icc1: float | None
    icc2: float | None
    n: int
    groups: int
    text: str
    pseudo: bool = False


@dataclass(frozen=True)
class QualityView:
    """Answer-quality flags: counts per rule, the index with and without the flagged
    assessments (None when that would show fewer than the minimum group) and the setting."""

    assessed: int
    straight_lining: int
    contradictions: int
    speeders: int
    flagged: int
    excluded: bool
    with_flagged: float | None
    without_flagged: float | None
    text: str


@dataclass(frozen=True)
class BenchmarkView:
    item_id: str
    challenge: str
    statement: str
    label: str
    source: str
    rule: str
    figure: float
    percent: float | None
    answered: int
    difference: float | None


@dataclass(frozen=True)
class ReliabilityView:
    challenge: str
    alpha: float | None
    alpha_n: int
    alpha_forms: int
    rwg: float | None
    rwg_n: int


@dataclass(frozen=True)
class Flag:
    """A plain-words warning; `kind` is reliability, agreement or disagreement."""

    kind: str
    text: str


@dataclass(frozen=True)
class TrendRow:
    """One measure per round and the latest change with its 95 % interval (`rounds.RoundChange`);
    `change_text` is the plain reading (`rounds.change_words`)."""

    label: str
    values: tuple[float | None, ...]
    delta: float | None
    change_low: float | None = None
    change_high: float | None = None
    change_is_clear: bool | None = None
    n_previous: int | None = None
    n_latest: int | None = None
    change_text: str = "–"


@dataclass(frozen=True)
class RoundsView:
    rounds: tuple[int, ...]
    respondents: tuple[int, ...]
    rows: tuple[TrendRow, ...]
    benchmarks: tuple[TrendRow, ...]


@dataclass(frozen=True)
class PlanStepView:
    id: str
    title: str
    format: str
    minutes: int
    challenges: tuple[str, ...]
    respondents: int
    share: float
    weighted_gap: float
    why: str


@dataclass(frozen=True)
class PlanGroupView:
    label: str
    n: int
    steps: tuple[PlanStepView, ...]


@dataclass(frozen=True)
class GapView:
    title: str
    score: float
    target: float
    priority: float


@dataclass(frozen=True)
class RecommendationView:
    title: str
    format: str
    minutes: int
    challenge: str
    why: str


@dataclass(frozen=True)
class Scorecard:
    """Everything a scorecard document shows. `kind` is "organisation" or "personal"; sections
    that do not apply are empty (or None) and the templates skip them."""

    kind: str
    title: str
    subtitle: str
    organisation: str | None
    round: int | None
    generated_at: str
    questionnaire_version: str
    respondents: int
    overall: float | None
    overall_tier: TierView | None
    overall_median: float | None
    overall_spread: float | None
    overall_distribution: tuple[TierCount, ...]
    target: float
    tiers: tuple[TierView, ...]
    challenges: tuple[ChallengeView, ...]
    radar: RadarView
    roles: BreakdownView | None = None
    departments: BreakdownView | None = None
    suppressed: tuple[str, ...] = ()
    benchmarks: tuple[BenchmarkView, ...] = ()
    reliability: tuple[ReliabilityView, ...] = ()
    flags: tuple[Flag, ...] = ()
    icc: tuple[IccView, ...] = ()
    cross: CrossView | None = None
    quality: QualityView | None = None
    rounds: RoundsView | None = None
    plan: tuple[PlanGroupView, ...] = ()
    gaps: tuple[GapView, ...] = ()
    next_tier: str | None = None
    recommendations: tuple[RecommendationView, ...] = ()
    weights: tuple[tuple[str, float], ...] = ()
    method_notes: tuple[str, ...] = ()
    #: (bank version, respondents) the figures aggregate, oldest first; `questionnaire_version`
    #: is the bank the scorecard was computed with.
    versions: tuple[tuple[str, int], ...] = ()
    #: (bank version, short fingerprints of the banks its respondents started under), for the
    #: versions of `versions` whose fingerprints were recorded.
    version_fingerprints: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Pilot evidence beside staff perceptions (evidence.yml, entered per round).
    evidence: tuple["EvidenceView", ...] = ()
    #: The patients' survey (never part of the staff figures); None when nobody answered.
    patients: "PatientsView | None" = None
    #: Charts and the executive summary (organisation scorecards; `readiness.scorecard.charts`).
    heatmap: Heatmap | None = None
    trend: TrendChart | None = None
    tier_bars: TierBars | None = None
    summary: Summary | None = None

    @property
    def versions_text(self) -> str:
        """"Questionnaire versions: 1.0 (n=12), 1.1 (n=30, fingerprint 3f9a0c1b2d4e)", or ""
        when not known."""
        if not self.versions:
            return ""
        fingerprints = dict(self.version_fingerprints)

        def one(version: str, n: int) -> str:
            seen = fingerprints.get(version, ())
            if not seen:
                return f"{version} (n={n})"
            shown = ", ".join(seen[:MAX_FINGERPRINTS_SHOWN])
            more = f" and {len(seen) - MAX_FINGERPRINTS_SHOWN} more" if len(seen) > MAX_FINGERPRINTS_SHOWN else ""
            return f"{version} (n={n}, fingerprint{'s' if len(seen) > 1 else ''} {shown}{more})"

        return "Questionnaire versions: " + ", ".join(one(v, n) for v, n in self.versions)


@dataclass(frozen=True)
class EvidenceRow:
    """One reported proportion (or ratio: no interval) of a measure, in percent."""

    quantity: str
    label: str
    percent: float
    ci_low: float | None
    ci_high: float | None
    seed_percent: float | None
    n: int | None
    counts: str


@dataclass(frozen=True)
class EvidenceView:
    """A pilot measure beside the staff perception of the same challenge."""

    measure: str
    title: str
    challenge: str
    challenge_title: str
    counts: str
    rows: tuple[EvidenceRow, ...]
    source: str | None
    entered_by: str
    entered_at: str
    #: first − second in points, its interval, the method, the exact McNemar p and the reading
    difference: float | None = None
    difference_low: float | None = None
    difference_high: float | None = None
    difference_method: str | None = None
    p_value: float | None = None
    reading: str | None = None
    #: staff: the challenge's mean score, and the share of staff answering >= N to the named
    #: statement (None when fewer than the minimum group answered)
    challenge_score: float | None = None
    perception_label: str | None = None
    perception_percent: float | None = None
    perception_n: int = 0
    seed_source: str | None = None


@dataclass(frozen=True)
class PatientRow:
    """One patient statement: share answering yes (4–5) of those who gave an answer, with its
    Wilson interval; paired with the staff statement about the same thing when there is one."""

    statement: str
    text: str
    challenge: str
    n: int
    percent: float | None
    ci_low: float | None
    ci_high: float | None
    staff_item: str | None = None
    staff_text: str | None = None
    staff_percent: float | None = None
    staff_n: int = 0
    gap: float | None = None
    gap_low: float | None = None
    gap_high: float | None = None


@dataclass(frozen=True)
class PatientsView:
    respondents: int
    suppressed: bool
    rows: tuple[PatientRow, ...]
    text: str
