"""Shared fixtures: a small hand-built questionnaire whose scores can be worked out by hand."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# No per-example deadline: two shared cores make timings noisy (speed lives in bench/). In CI
# (CI=true) the examples are derandomized, so a run is repeatable and cannot turn red by luck;
# local runs keep exploring new inputs.
settings.register_profile("project", deadline=None)
settings.register_profile("ci", parent=settings.get_profile("project"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "project")

from readiness.model import (
    Challenge,
    Item,
    Questionnaire,
    Role,
    ScoringRules,
    Tier,
    Tiers,
    TrainingStep,
)

ROLES = ("nurse", "it_admin")


def make_item(item_id: str, challenge: str, *, reverse: bool = False, weight: float = 1.0,
              roles: tuple[str, ...] = ROLES) -> Item:
    return Item(
        id=item_id,
        challenge=challenge,
        text=f"Statement {item_id}",
        roles=frozenset(roles),
        why="why",
        criterion="criterion",
        reverse=reverse,
        weight=weight,
    )


def make_questionnaire(weights: tuple[float, float, float] = (1.0, 1.0, 2.0)) -> Questionnaire:
    """Three challenges (a, b, c) × three items; c2 is reverse, b3 is asked of IT only."""
    challenges = (
        Challenge("a", "Alpha", "d", "intro a", weights[0],
                  (make_item("a1", "a"), make_item("a2", "a"), make_item("a3", "a", weight=2.0))),
        Challenge("b", "Beta", "d", "intro b", weights[1],
                  (make_item("b1", "b"), make_item("b2", "b"),
                   make_item("b3", "b", roles=("it_admin",)))),
        Challenge("c", "Gamma", "d", "intro c", weights[2],
                  (make_item("c1", "c"), make_item("c2", "c", reverse=True), make_item("c3", "c"))),
    )
    tiers = Tiers((
        Tier("not_yet_ready", "Not yet ready", 0, 20, ""),
        Tier("emerging", "Emerging", 20, 40, ""),
        Tier("developing", "Developing", 40, 60, ""),
        Tier("ready", "Ready", 60, 80, ""),
        Tier("leading", "Leading", 80, 100, ""),
    ))
    low = frozenset({"not_yet_ready", "emerging", "developing"})
    training = (
        TrainingStep("t_a", "Alpha basics", ("a",), frozenset(ROLES), low, "e-learning", 30, "w"),
        TrainingStep("t_ab", "Alpha and beta", ("a", "b"), frozenset(ROLES), low, "workshop", 60, "w"),
        TrainingStep("t_b", "Beta basics", ("b",), frozenset({"it_admin"}), low, "lab", 45, "w"),
        TrainingStep("t_c", "Gamma basics", ("c",), frozenset(ROLES), low, "seminar", 20, "w"),
        TrainingStep("t_c_adv", "Gamma advanced", ("c",), frozenset(ROLES),
                     frozenset({"ready", "leading"}), "seminar", 20, "w"),
    )
    return Questionnaire(
        version="test",
        roles=(Role("nurse", "Nurse"), Role("it_admin", "IT administrator")),
        challenges=challenges,
        tiers=tiers,
        rules=ScoringRules(min_coverage=0.5, target=75.0),
        training=training,
    )


@pytest.fixture
def tiny() -> Questionnaire:
    return make_questionnaire()
