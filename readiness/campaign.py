"""The campaign page's figures while a survey round runs: who took part, and where people stop.

Pure: takes the rows `Store.campaign_rows` returns (or anything with the same attributes) and
the questionnaire; the template only formats the result. Partial assessments count here (they
are what "where people stop" is about) and never in scores: the scorecard reads completed
assessments only.

Groups (roles, departments) with fewer than `min_group` consented respondents are not shown on
their own: they are pooled into one "other" line, and — complementary suppression,
`readiness.suppression` — further groups are pooled until no hidden group can be worked out by
subtracting the shown ones from the total.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol, Sequence

from readiness.aggregate import MIN_GROUP_SIZE
from readiness.model import Questionnaire
from readiness.suppression import suppression_pattern

#: Statements listed under "where people stop" (the most frequent first).
TOP_STOPS = 10
NO_DEPARTMENT = "No department given"
OTHER = "Other groups (fewer than {n} each, pooled)"


class Progress(Protocol):
    role: str
    department: str | None
    consented_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    answered: frozenset[str]


@dataclass(frozen=True)
class Funnel:
    """Consented → started → completed for one group (or everyone)."""

    label: str
    consented: int
    started: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        """Completed as a share (0–100) of those who consented."""
        return None if not self.consented else 100.0 * self.completed / self.consented


@dataclass(frozen=True)
class Stop:
    """A place where `count` people stopped; `share` is of everyone who stopped (0–100)."""

    label: str
    part: str
    count: int
    share: float


@dataclass(frozen=True)
class Campaign:
    round: int
    total: Funnel
    by_role: tuple[Funnel, ...]
    by_department: tuple[Funnel, ...]
    #: Role and department lines pooled because they are small (for the template's note).
    pooled: int
    per_day: tuple[tuple[str, int], ...]
    median_minutes: float | None
    #: Started but not completed.
    partial: int
    #: Consented but not started (they stop before the first statement).
    not_started: int
    stops_by_statement: tuple[Stop, ...]
    stops_by_part: tuple[Stop, ...]
    min_group: int


def _funnel(label: str, rows: Sequence[Progress]) -> Funnel:
    return Funnel(label, len(rows), sum(r.started_at is not None for r in rows),
                  sum(r.completed_at is not None for r in rows))


def _groups(rows: Sequence[Progress], keys: Sequence[str], label: dict[str, str], hidden: set[str],
            min_group: int) -> tuple[tuple[Funnel, ...], int]:
    members: dict[str, list[Progress]] = {}
    for row, key in zip(rows, keys):
        members.setdefault(key, []).append(row)
    shown = [_funnel(label.get(k, k), members[k]) for k in sorted(members, key=lambda k: label.get(k, k))
             if k not in hidden]
    pooled = [row for row, key in zip(rows, keys) if key in hidden]
    if pooled:
        shown.append(_funnel(OTHER.format(n=min_group), pooled))
    return tuple(shown), len({k for k in keys if k in hidden})


def stop_point(questionnaire: Questionnaire, row: Progress) -> tuple[str, str] | None:
    """(statement, part) where an unfinished assessment stopped: the first statement asked of
    the respondent's role that has no answer; None for completed assessments."""
    if row.completed_at is not None:
        return None
    for challenge in questionnaire.challenges:
        for item in challenge.items_for(row.role):
            if item.id not in row.answered:
                return item.text, challenge.title
    return "All statements answered, summary not reached", "End of the chat"


def _stops(counts: Counter, parts: dict[str, str], total: int, limit: int | None) -> tuple[Stop, ...]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if limit is not None:
        ranked = ranked[:limit]
    return tuple(Stop(label, parts.get(label, label), n, 100.0 * n / total) for label, n in ranked)


def campaign_figures(questionnaire: Questionnaire, rows: Iterable[Progress], round: int,
                     min_group: int = MIN_GROUP_SIZE) -> Campaign:
    """Everything the campaign page shows for one round."""
    rows = list(rows)
    roles = [r.role for r in rows]
    departments = [r.department or "" for r in rows]
    pattern = suppression_pattern(roles, departments, min_group)
    role_names = {r.id: r.label for r in questionnaire.roles}
    by_role, pooled_roles = _groups(rows, roles, role_names, {k for k in set(roles) if not pattern.shown(("role", k))},
                                    min_group)
    by_department, pooled_departments = _groups(
        rows, departments, {"": NO_DEPARTMENT}, {k for k in set(departments) if not pattern.shown(("department", k))},
        min_group)
    done = [r for r in rows if r.completed_at is not None and r.started_at is not None]
    per_day = Counter(r.completed_at.date().isoformat() for r in done)  # type: ignore[union-attr]
    minutes = [(r.completed_at - r.started_at).total_seconds() / 60 for r in done]  # type: ignore[operator]
    by_statement: Counter = Counter()
    by_part: Counter = Counter()
    parts: dict[str, str] = {}
    partial = 0
    not_started = 0
    first = "Before the first statement (consented, not started)"
    for row in rows:
        if row.started_at is None:
            not_started += 1
            by_statement[first] += 1
            by_part[first] += 1
            parts[first] = first
            continue
        point = stop_point(questionnaire, row)
        if point is None:
            continue
        partial += 1
        statement, part = point
        by_statement[statement] += 1
        by_part[part] += 1
        parts[statement] = part
    stopped = partial + not_started
    return Campaign(
        round=round,
        total=_funnel("Everyone", rows),
        by_role=by_role,
        by_department=by_department,
        pooled=pooled_roles + pooled_departments,
        per_day=tuple(sorted(per_day.items())),
        median_minutes=statistics.median(minutes) if minutes else None,
        partial=partial,
        not_started=not_started,
        stops_by_statement=_stops(by_statement, parts, stopped, TOP_STOPS),
        stops_by_part=_stops(by_part, {}, stopped, None),
        min_group=min_group,
    )
