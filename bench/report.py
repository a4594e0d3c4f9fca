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
class Figure:
    """One row: what was measured, our value, and the references it is compared with."""

    area: str
    name: str
    value: float | None
    unit: str
    references: tuple[Reference, ...] = ()
    note: str = ""

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


def format_number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _line(figure: str, ours: str, unit: str, reference: str, ratio: str, note: str) -> str:
    return f"{figure:<54} {ours:>10} {unit:<10} {reference:<22} {ratio:>7}  {note}".rstrip()


def table(outcomes: list[Outcome]) -> str:
    rows = [_line("figure", "ours", "unit", "reference (same run)", "ratio", "note")]
    rows.append("-" * len(rows[0]))
    for outcome in outcomes:
        if outcome.error is not None:
            error = " ".join(outcome.error.split())[-160:]
            rows.append(_line(f"{outcome.benchmark}: FAILED", "-", "", "", "", error))
            continue
        for figure in outcome.figures:
            rows.extend(_figure_lines(figure))
    return "\n".join(rows)


def _figure_lines(figure: Figure) -> list[str]:
    name, ours = f"{figure.area}: {figure.name}", format_number(figure.value)
    if not figure.references:
        return [_line(name, ours, figure.unit, "", "", figure.note)]
    lines = []
    for n, reference in enumerate(figure.references):
        ratio = figure.ratio(reference)
        shown = f"{reference.label} {format_number(reference.value)}"
        ratio_text = "-" if ratio is None else f"×{ratio:.1f}"
        if n == 0:
            lines.append(_line(name, ours, figure.unit, shown, ratio_text, figure.note))
        else:
            lines.append(_line("", "", "", shown, ratio_text, ""))
    return lines


def document(
    outcomes: list[Outcome], *, quick: bool, started: datetime, **context: Any
) -> dict[str, Any]:
    """The JSON form: every figure with its ratios, and each benchmark's own full result."""
    figures = []
    for outcome in outcomes:
        for figure in outcome.figures:
            row = asdict(figure)
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
