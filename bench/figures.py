"""Summaries of timings and the lines that print them beside their targets."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], q: float) -> float:
    """Return the *q*-th percentile (0-100) of *samples*, nearest-rank."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def median(samples: Sequence[float]) -> float:
    """Return the median of *samples*."""
    return statistics.median(samples)


def verdict(value: float, target: float, *, at_least: bool) -> str:
    """Return "PASS" if *value* meets *target* (as a floor or a ceiling), else "MISS"."""
    ok = value >= target if at_least else value <= target
    return "PASS" if ok else "MISS"


def target_line(
    name: str, value: float, unit: str, target: float, *, at_least: bool, fmt: str = ",.0f"
) -> str:
    """Return "name: value unit (target >= t unit) PASS|MISS", aligned for a column of figures."""
    sign = ">=" if at_least else "<="
    return (
        f"{name:<44} {value:>12{fmt}} {unit:<6} target {sign} {target:{fmt}} {unit:<6} "
        f"{verdict(value, target, at_least=at_least)}"
    )


def rounds_line(name: str, values: Sequence[float], unit: str, fmt: str = ",.0f") -> str:
    """Return "name: median unit (rounds: a, b, c)"."""
    each = ", ".join(f"{v:{fmt}}" for v in values)
    return f"{name:<44} {median(values):>12{fmt}} {unit:<6} median of {len(values)}: {each}"
