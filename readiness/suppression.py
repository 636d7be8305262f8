"""Complementary suppression: a small group stays hidden even from someone who subtracts.

One scorecard shows the organisation's total, the role and department groups and the
role × department cells (each with a count and means). Counts and sums of scores add up along
the same relations (total = Σ roles = Σ departments; role = Σ its cells; department = Σ its
cells), so a suppressed group's count and mean can be recovered whenever its row of cells is
a linear combination of what is shown (e.g. total 12 − the one shown department of 7 = the
suppressed department of 5). This module decides what is shown so that this never happens:

1. primary suppression: every group and cell with 0 < n < `min_size`;
2. complementary suppression: while some suppressed group is still a linear combination of the
   shown ones (tested exactly, by matrix rank over the cells), also suppress the smallest shown
   group that removes that combination (the classic "if exactly one group of a partition is
   suppressed, suppress the next-smallest too", generalised to the three views at once).

A group equal to the whole organisation (one role only, say) is the total itself and is not
protected by hiding it. Cells with no respondents are known to be empty and count as shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import numpy as np

#: Key of a group in a pattern: ("role", r), ("department", d) or ("cell", r, d).
Key = tuple


@dataclass(frozen=True)
class SuppressionPattern:
    """Which role, department and role × department groups a scorecard may show."""

    sizes: dict[Key, int]
    hidden: frozenset[Key]

    def shown(self, key: Key) -> bool:
        return self.sizes.get(key, 0) > 0 and key not in self.hidden

    def hidden_of(self, kind: str) -> frozenset[Hashable]:
        """The keys (role, department or (role, department)) of `kind` that are hidden."""
        return frozenset(k[1] if kind != "cell" else (k[1], k[2]) for k in self.hidden if k[0] == kind)


def _vectors(cells: list[tuple[Hashable, Hashable]], keys: list[Key]) -> np.ndarray:
    """Each group as its 0/1 row over the non-empty cells."""
    out = np.zeros((len(keys), len(cells)))
    for row, key in enumerate(keys):
        for column, (r, d) in enumerate(cells):
            if (key[0] == "role" and key[1] == r) or (key[0] == "department" and key[1] == d) \
                    or (key[0] == "cell" and (key[1], key[2]) == (r, d)):
                out[row, column] = 1.0
    return out


def _basis(shown: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the row space of `shown` (by SVD)."""
    if not shown.size:
        return np.zeros((0, shown.shape[1] if shown.ndim == 2 else 0))
    _u, singular, vt = np.linalg.svd(shown, full_matrices=False)
    return vt[: int((singular > 1e-9 * max(shown.shape) * singular[0]).sum())]


def derivable_rows(targets: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """For each row of `targets`: whether it is a linear combination of the rows of `shown`
    (its residual after projecting on their row space is zero)."""
    basis = _basis(shown)
    residual = targets - (targets @ basis.T) @ basis
    return np.abs(residual).max(axis=1, initial=0.0) < 1e-7


def derivable(target: np.ndarray, shown: np.ndarray) -> bool:
    """Whether `target` is a linear combination of the rows of `shown`."""
    return bool(derivable_rows(target[None, :], shown)[0])


def suppression_pattern(roles: Sequence[Hashable], departments: Sequence[Hashable],
                        min_size: int) -> SuppressionPattern:
    """The pattern for respondents with these roles and departments (one entry each; use a
    sentinel, not None, for "not given")."""
    sizes: dict[Key, int] = {}
    for r, d in zip(roles, departments):
        for key in (("role", r), ("department", d), ("cell", r, d)):
            sizes[key] = sizes.get(key, 0) + 1
    cells = sorted({(k[1], k[2]) for k in sizes if k[0] == "cell"}, key=str)
    keys = sorted(sizes, key=lambda k: (sizes[k], str(k)))
    rows = dict(zip(keys, _vectors(cells, keys)))
    total = np.ones(len(cells))
    hidden = {k for k in keys if sizes[k] < min_size}

    def whole(key: Key) -> bool:
        return bool(rows[key].all())

    def published() -> tuple[list[Key], np.ndarray]:
        chosen = [k for k in keys if k not in hidden]
        return chosen, np.vstack([total] + [rows[k] for k in chosen])

    while True:
        chosen, shown = published()
        protected = [k for k in keys if k in hidden and not whole(k)]
        found = derivable_rows(np.vstack([rows[k] for k in protected]), shown) if protected else []
        leaking = [k for k, hit in zip(protected, found) if hit]
        if not leaking:
            return SuppressionPattern(sizes, frozenset(hidden))
        target = leaking[0]
        essential, involved = _roles_in_combination(rows[target], shown)
        # Same partition first (the next-smallest department for a department), then the rest,
        # smallest first: the first shown group every combination needs, else the first used.
        order = sorted((n for n, k in enumerate(chosen) if not whole(k)),
                       key=lambda n: (chosen[n][0] != target[0], sizes[chosen[n]], str(chosen[n])))
        pick = next((n for n in order if essential[n + 1]), None)
        if pick is None:
            pick = next((n for n in order if involved[n + 1]), order[0])
        hidden.add(chosen[pick])


def _roles_in_combination(target: np.ndarray, shown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of `shown` every way of writing `target` as their combination uses
    (`essential`: hiding one alone makes `target` underivable), and which the minimum-norm
    combination uses (`involved`). The combinations are c0 + N z, with c0 the minimum-norm
    solution and N the left null space of `shown`; row k is essential iff c0_k ≠ 0 and N_k = 0.
    """
    u, singular, vt = np.linalg.svd(shown, full_matrices=True)
    rank = int((singular > 1e-9 * max(shown.shape) * singular[0]).sum())
    c0 = u[:, :rank] @ ((vt[:rank] @ target) / singular[:rank])
    null = u[:, rank:]
    involved = np.abs(c0) > 1e-7
    essential = involved & (np.abs(null).max(axis=1, initial=0.0) < 1e-7)
    return essential, involved
