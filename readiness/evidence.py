"""Pilot evidence: checking an entry, and the statistics the scorecard shows beside perceptions.

Pure functions, no I/O. Proportions get a 95 % Wilson score interval (Wilson 1927; Newcombe
1998a, method 3); the difference of two accuracies on the same cases gets Newcombe's
square-and-add interval — for paired data (Newcombe 1998b, method 10) when the discordant
counts are known, else the unpaired hybrid score interval (Newcombe 1998a, method 10) — and,
with discordant counts, an exact (conditional binomial) McNemar test.

Why these: they behave well for proportions near 0 or 1 (95 % accuracy, 1 % incidents),
where the textbook Wald interval undercovers or leaves [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from readiness.evidence_content import EvidenceMeasure, EvidenceProportion

#: Two-sided 95 % normal quantile.
Z95 = 1.959963984540054
#: p below this is "statistically clear".
ALPHA = 0.05

Values = Mapping[str, float]


class EvidenceError(ValueError):
    """An entry that cannot be stored: one line naming the measure, the input and the fix."""


# --- checking an entry ----------------------------------------------------------------------

def parse_pairs(measure: EvidenceMeasure, pairs: list[str] | tuple[str, ...]) -> dict[str, float]:
    """`key=value` words (the CLI's) as values for `measure`, checked (`check_values`)."""
    raw: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise EvidenceError(f"{measure.id}: {pair!r} is not key=value (e.g. {measure.inputs[0].name}=100)")
        if key.strip() in raw:
            raise EvidenceError(f"{measure.id}: {key.strip()} is given twice")
        raw[key.strip()] = value.strip()
    return check_values(measure, raw)


def check_values(measure: EvidenceMeasure, raw: Mapping[str, object]) -> dict[str, float]:
    """The entry's values as numbers, or EvidenceError naming the first problem: an unknown or
    missing input, a negative or non-whole count, a count above its limit (correct > cases),
    inputs that must come together, or discordant counts that do not fit the totals."""
    names = measure.input_names
    for key in raw:
        if key not in names:
            raise EvidenceError(f"{measure.id}: unknown input {key!r}; its inputs are {', '.join(names)}")
    values: dict[str, float] = {}
    for spec in measure.inputs:
        given = raw.get(spec.name)
        if given is None or (isinstance(given, str) and not given.strip()):
            if spec.required:
                raise EvidenceError(f"{measure.id}: {spec.name} is missing ({spec.label.lower()}); "
                                    f"give {spec.name}=N")
            continue
        number = _number(measure, spec.name, given)
        if spec.kind == "count":
            if number < 0 or number != int(number):
                raise EvidenceError(f"{measure.id}: {spec.name} must be a whole number of 0 or more, got {given}")
            number = int(number)
        elif not number > 0:
            raise EvidenceError(f"{measure.id}: {spec.name} must be a number of minutes above 0, got {given}")
        values[spec.name] = number
    for spec in measure.inputs:
        for limit in spec.at_most:
            if spec.name in values and limit in values and values[spec.name] > values[limit]:
                raise EvidenceError(f"{measure.id}: {spec.name}={_show(values[spec.name])} is more than "
                                    f"{limit}={_show(values[limit])}; it cannot be")
    given_together = [name for name in measure.together if name in values]
    if given_together and len(given_together) != len(measure.together):
        missing = [name for name in measure.together if name not in values]
        raise EvidenceError(f"{measure.id}: {', '.join(given_together)} needs {', '.join(missing)} too "
                            "(give both or neither)")
    comparison = measure.comparison
    if comparison is not None and comparison.first_only in values and comparison.second_only in values:
        table = paired_table(measure, values)
        if table is None:
            first = measure_proportion(measure, comparison.first)
            second = measure_proportion(measure, comparison.second)
            raise EvidenceError(
                f"{measure.id}: the discordant counts do not fit: {first.numerator} − {comparison.first_only} "
                f"must equal {second.numerator} − {comparison.second_only} (cases both got right), "
                f"within {first.denominator}")
    return values


def _number(measure: EvidenceMeasure, name: str, given: object) -> float:
    if isinstance(given, bool):
        raise EvidenceError(f"{measure.id}: {name} must be a number, got {given!r}")
    if isinstance(given, (int, float)):
        number = float(given)
    else:
        try:
            number = float(str(given).replace(",", "").replace("_", ""))
        except ValueError:
            raise EvidenceError(f"{measure.id}: {name} must be a number, got {given!r}") from None
    if not math.isfinite(number):
        raise EvidenceError(f"{measure.id}: {name} must be a finite number, got {given!r}")
    return number


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def measure_proportion(measure: EvidenceMeasure, quantity: str) -> EvidenceProportion:
    return next(p for p in measure.proportions if p.quantity == quantity)


def paired_table(measure: EvidenceMeasure, values: Values) -> tuple[int, int, int, int] | None:
    """(both right, only first right, only second right, both wrong) from the entry, or None
    when the discordant counts are missing or inconsistent with the totals."""
    c = measure.comparison
    if c is None or c.first_only not in values or c.second_only not in values:
        return None
    first, second = measure_proportion(measure, c.first), measure_proportion(measure, c.second)
    n = int(values[first.denominator])
    b, cc = int(values[c.first_only]), int(values[c.second_only])
    both = int(values[first.numerator]) - b
    if both != int(values[second.numerator]) - cc or both < 0:
        return None
    neither = n - both - b - cc
    if neither < 0:
        return None
    return both, b, cc, neither


# --- statistics -----------------------------------------------------------------------------

def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for successes/n (as proportions 0–1); n must be > 0."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_unpaired(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """p1 − p2 with Newcombe's hybrid score interval (1998a, method 10): (difference, low, high)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, low), min(1.0, high)


def newcombe_paired(a: int, b: int, c: int, d: int, z: float = Z95) -> tuple[float, float, float]:
    """Paired p1 − p2 = (b − c)/n with Newcombe's square-and-add interval for paired data
    (1998b, method 10). a: both right, b: only the first right, c: only the second, d: neither."""
    n = a + b + c + d
    if n <= 0:
        raise ValueError("n must be positive")
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, z)
    l2, u2 = wilson_interval(a + c, n, z)
    product = (a + b) * (c + d) * (a + c) * (b + d)
    phi = 0.0
    if product > 0:
        psi = a * d - b * c
        corrected = psi - n / 2 if psi > n / 2 else (psi if psi < 0 else 0.0)
        phi = corrected / math.sqrt(product)
    diff = p1 - p2
    low = diff - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = diff + math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    return diff, max(-1.0, low), min(1.0, high)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact (conditional binomial) McNemar p from the discordant counts."""
    if b + c == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(b, b + c, 0.5).pvalue)


# --- what the scorecard shows ----------------------------------------------------------------

@dataclass(frozen=True)
class ProportionResult:
    measure: str
    quantity: str
    label: str
    successes: int
    n: int
    percent: float
    ci_low: float
    ci_high: float
    seed_percent: float | None


@dataclass(frozen=True)
class RatioResult:
    measure: str
    quantity: str
    label: str
    numerator: float
    denominator: float
    percent: float


@dataclass(frozen=True)
class ComparisonResult:
    """first − second in percentage points, its 95 % interval, the method, and (paired with
    discordant counts) the exact McNemar p."""

    difference: float
    ci_low: float
    ci_high: float
    method: str
    p_value: float | None
    n: int
    text: str

    @property
    def clear(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0


@dataclass(frozen=True)
class MeasureResult:
    measure: EvidenceMeasure
    values: Mapping[str, float]
    proportions: tuple[ProportionResult, ...]
    ratio: RatioResult | None
    comparison: ComparisonResult | None


def _count(n: int) -> str:
    return f"{n:,}"


def compare(measure: EvidenceMeasure, values: Values) -> ComparisonResult | None:
    c = measure.comparison
    if c is None:
        return None
    first, second = measure_proportion(measure, c.first), measure_proportion(measure, c.second)
    n1, n2 = int(values[first.denominator]), int(values[second.denominator])
    if n1 <= 0 or n2 <= 0:
        return None
    table = paired_table(measure, values)
    if table is not None:
        a, b, cc, d = table
        diff, low, high = newcombe_paired(a, b, cc, d)
        p = mcnemar_exact(b, cc)
        method = "Newcombe paired square-and-add interval (1998, method 10); exact McNemar test"
    else:
        diff, low, high = newcombe_unpaired(int(values[first.numerator]), n1, int(values[second.numerator]), n2)
        p = None
        method = "Newcombe hybrid score interval (1998, method 10), unpaired: discordant counts not given"
    diff, low, high = 100 * diff, 100 * low, 100 * high
    return ComparisonResult(diff, low, high, method, p, n1,
                            reading(c.first_name, c.second_name, diff, low, high, p, n1, first.label))


def reading(first: str, second: str, diff: float, low: float, high: float, p: float | None, n: int,
            quantity: str) -> str:
    """The comparison in words a hospital lead reads at a glance, e.g. "The AI's accuracy is
    within 2 points of the clinicians' on 1,000 cases; the difference is not statistically clear"."""
    what = "accuracy" if "accuracy" in quantity.lower() else "share"
    subject = _possessive(first)
    subject = subject[:1].upper() + subject[1:]
    gap = abs(diff)
    points = f"{gap:.0f} point{'' if round(gap) == 1 else 's'}"
    clear = low > 0 or high < 0
    if round(gap) == 0 and not clear:
        head = f"{subject} {what} is the same as {_possessive(second)} to the nearest point"
    elif clear:
        head = f"{subject} {what} is {points} {'above' if diff > 0 else 'below'} {_possessive(second)}"
    else:
        head = f"{subject} {what} is within {points} of {_possessive(second)}"
    interval = f"95 % interval {low:+.1f} to {high:+.1f} points"
    test = "" if p is None else f", exact McNemar p = {p:.3f}"
    verdict = "statistically clear" if clear else "not statistically clear"
    return f"{head} on {_count(n)} cases; the difference is {verdict} ({interval}{test})."


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def measure_result(measure: EvidenceMeasure, values: Values) -> MeasureResult:
    """Every proportion (with its Wilson interval), the ratio and the comparison of one entry."""
    proportions = []
    for spec in measure.proportions:
        if spec.numerator not in values or spec.denominator not in values:
            continue
        x, n = int(values[spec.numerator]), int(values[spec.denominator])
        if n <= 0:
            continue
        low, high = wilson_interval(x, n)
        proportions.append(ProportionResult(measure.id, spec.quantity, spec.label, x, n, 100 * x / n,
                                            100 * low, 100 * high, spec.seed_percent))
    ratio = None
    if measure.ratio is not None and measure.ratio.numerator in values and measure.ratio.denominator in values:
        r = measure.ratio
        ratio = RatioResult(measure.id, r.quantity, r.label, values[r.numerator], values[r.denominator],
                            100 * values[r.numerator] / values[r.denominator])
    return MeasureResult(measure, dict(values), tuple(proportions), ratio, compare(measure, values))
