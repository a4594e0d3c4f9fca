"""The one benchmark table: figures beside the references measured in the same run, as text and
as JSON (``bench/results/bench-<timestamp>.json`` and ``latest.json``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Reference:
    """Another implementation's figure for the same operation, measured in the same run."""

    label: str
    value: float


@dataclass(frozen=True)
class Goal:
    """Issue 18's goal for a figure: a bound the value must reach (at least, or at most)."""

    bound: float
    at_most: bool = False

    def reached(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.bound if self.at_most else value >= self.bound

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {format_number(self.bound)}"


@dataclass(frozen=True)
class Figure:
    """One row: what was measured, our value, its goal, and the references it is compared
    with."""

    area: str
    name: str
    value: float | None
    unit: str
    references: tuple[Reference, ...] = ()
    note: str = ""
    goal: Goal | None = None
    # A goal that no figure of the bench can judge (said in words, e.g. the crash run's).
    goal_text: str = ""

    @property
    def reached(self) -> bool | None:
        return None if self.goal is None else self.goal.reached(self.value)

    def ratio(self, reference: Reference) -> float | None:
        """How many times better than the reference ours is: ours / theirs for rates,
        theirs / ours for times (a figure in ms), so 3.0 reads "three times faster"."""
        if not self.value or not reference.value:
            return None
        if self.unit == "ms":
            return reference.value / self.value
        return self.value / reference.value


@dataclass
class Outcome:
    """What one benchmark produced: its figures, or why it produced none."""

    benchmark: str
    seconds: float
    figures: list[Figure] = field(default_factory=list)
    error: str | None = None
    raw: dict[str, Any] | None = None
    area: str = "other"  # where a failure shows in the table


def format_number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


# Issue 18's paths first, in the order of its table; then the other figures.
AREAS = ("issuance", "verification offline", "verification HTTP", "webhooks", "scale")


def _line(
    figure: str,
    ours: str,
    unit: str,
    goal: str,
    reached: str,
    reference: str,
    ratio: str,
    note: str,
) -> str:
    return (
        f"{figure:<50} {ours:>9} {unit:<7} {goal:>8} {reached:<11} {reference:<20} {ratio:>7}"
        f"  {note}"
    ).rstrip()


def reached_text(figure: Figure) -> str:
    reached = figure.reached
    if reached is None:
        if figure.goal is None:
            return "not run here" if figure.goal_text else "-"
        return "no figure"
    return "reached" if reached else "NOT REACHED"


def by_area(figures: list[Figure]) -> list[Figure]:
    """Issue 18's areas first, in its order; within an area, the order they came in."""
    rank = {area: n for n, area in enumerate(AREAS)}
    return sorted(figures, key=lambda figure: rank.get(figure.area, len(AREAS)))


def measured(outcomes: list[Outcome]) -> list[Figure]:
    return by_area([figure for outcome in outcomes for figure in outcome.figures])


def ordered(outcomes: list[Outcome]) -> list[Figure]:
    """Every figure, and each failed benchmark as one row of its area."""
    failed = [failed_row(outcome) for outcome in outcomes if outcome.error is not None]
    return by_area([*measured(outcomes), *failed])


def failed_row(outcome: Outcome) -> Figure:
    error = " ".join((outcome.error or "").split())[-160:]
    return Figure(outcome.area, f"{outcome.benchmark}: FAILED", None, "", note=error)


def table(outcomes: list[Outcome]) -> str:
    """One line per figure (and per further reference), under a heading per area."""
    header = ["figure", "ours", "unit", "goal", "goal is", "reference (same run)", "ratio", "note"]
    rows = [_line(*header)]
    rows.append("-" * len(rows[0]))
    area = None
    for figure in ordered(outcomes):
        if figure.area != area:
            area = figure.area
            rows.append(f"{area.upper()}")
        rows.extend(_figure_lines(figure))
    return "\n".join(rows)


def ratio_text(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"×{ratio:.1f}" if ratio >= 1 else f"×{ratio:.2f}"


def _figure_lines(figure: Figure) -> list[str]:
    name, ours = f"  {figure.name}", format_number(figure.value)
    goal = str(figure.goal) if figure.goal else figure.goal_text
    first = (name, ours, figure.unit, goal, reached_text(figure))
    if not figure.references:
        return [_line(*first, "", "", figure.note)]
    lines = []
    for n, reference in enumerate(figure.references):
        shown = f"{reference.label} {format_number(reference.value)}"
        ratio = ratio_text(figure.ratio(reference))
        if n == 0:
            lines.append(_line(*first, shown, ratio, figure.note))
        else:
            lines.append(_line("", "", "", "", "", shown, ratio, ""))
    return lines


def document(
    outcomes: list[Outcome], *, quick: bool, started: datetime, **context: Any
) -> dict[str, Any]:
    """The JSON form: every figure with its ratios, and each benchmark's own full result."""
    figures = []
    for figure in measured(outcomes):
        row = asdict(figure)
        row["goal"] = str(figure.goal) if figure.goal else figure.goal_text or None
        row["goal_reached"] = figure.reached
        row["references"] = [
            {**asdict(reference), "ratio": _rounded(figure.ratio(reference))}
            for reference in figure.references
        ]
        figures.append(row)
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "quick": quick,
        **context,
        "figures": figures,
        "benchmarks": {
            outcome.benchmark: {
                "seconds": round(outcome.seconds, 1),
                "error": outcome.error,
                "result": outcome.raw,
            }
            for outcome in outcomes
        },
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def write(report: dict[str, Any], folder: Path, started: datetime) -> Path:
    """Write ``bench-<timestamp>.json`` and ``latest.json``; returns the timestamped path."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    stamped = folder / f"bench-{started.strftime('%Y%m%dT%H%M%S')}.json"
    stamped.write_text(text, "utf-8")
    (folder / "latest.json").write_text(text, "utf-8")
    return stamped
