"""The scorecard view: one ready-made, frozen object that every export template only formats.

All numbers, flags, sentences, suppression decisions and chart geometry are settled here, for an
organisation (many respondents, one round) or for one respondent (a personal scorecard), so the
HTML, PDF, Markdown and JSON documents cannot disagree with each other.

By job: `views` (the frozen objects), `build` (organisation and personal scorecards),
`statistics` (reliability, agreement, flags, breakdowns, benchmarks, rounds, training plan),
`tiers` (tier colours, distributions, radar geometry), `versions` (the questionnaire versions
aggregated) and `loading` (from the store).
"""

from __future__ import annotations

from readiness.scorecard.build import METHOD_NOTES, organisation_scorecard, personal_scorecard
from readiness.scorecard.loading import (
    WeightsPreview,
    load_organisation_scorecard,
    load_personal_scorecard,
    preview_weights,
)
from readiness.scorecard.tiers import radar, role_label, tier_views
from readiness.scorecard.views import (
    TIER_COLOURS,
    BenchmarkView,
    BreakdownView,
    ChallengeView,
    Flag,
    GapView,
    GroupView,
    PlanGroupView,
    PlanStepView,
    Progress,
    RadarAxis,
    RadarView,
    RecommendationView,
    ReliabilityView,
    RoundsView,
    Scorecard,
    TierCount,
    TierView,
    TrendRow,
)

__all__ = [
    "METHOD_NOTES", "TIER_COLOURS", "BenchmarkView", "BreakdownView", "ChallengeView", "Flag",
    "GapView", "GroupView", "PlanGroupView", "PlanStepView", "Progress", "RadarAxis", "RadarView",
    "RecommendationView", "ReliabilityView", "RoundsView", "Scorecard", "TierCount", "TierView",
    "TrendRow", "load_organisation_scorecard", "load_personal_scorecard", "organisation_scorecard",
    "personal_scorecard", "preview_weights", "WeightsPreview", "radar", "role_label", "tier_views",
]
