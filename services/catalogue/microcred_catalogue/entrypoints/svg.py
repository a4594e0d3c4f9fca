"""Server-rendered SVG: the pathway graph and the verifications-per-month bar chart.

Accessible by construction: a title and description per drawing, and state is told by text and
shape (a solid box with a tick, a dashed box with a cross), never by colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from microcred_shared.events.contracts.catalogue import (
    ComponentRule,
    MinEctsRule,
    NOfRule,
    PathwayRule,
)
from microcred_shared.pathways import RuleOutcome

WIDTH = 760
ROW = 46
BOX = 36
INDENT = 28
DONE = ("#e7f6ec", "#1e7b3a", "")
MISSING = ("#ffffff", "#a4161a", ' stroke-dasharray="6 4"')
NEUTRAL = ("#f4f6f9", "#4a5568", "")


@dataclass
class _Canvas:
    parts: list[str] = field(default_factory=list)
    y: int = 0


def _text(x: int, y: int, content: str, *, weight: str = "normal", anchor: str = "start") -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="14" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="#1a1a1a">{escape(content)}</text>'
    )


def _short(text: str, limit: int = 58) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rule_label(rule: PathwayRule) -> str:
    if isinstance(rule, NOfRule):
        return f"Any {rule.n} of these {len(rule.rules)}"
    if isinstance(rule, MinEctsRule):
        return f"At least {rule.min_ects:g} ECTS from these"
    return "All of these"


def _group_state(outcome: RuleOutcome) -> str:
    if outcome.satisfied:
        return "✓ met"
    if outcome.children_short:
        return f"✗ not met: {outcome.children_short} more needed"
    if outcome.ects_short:
        return f"✗ not met: {outcome.ects_short:g} ECTS short"
    return "✗ not met"


def _leaf(canvas: _Canvas, x: int, rule: ComponentRule, names: Mapping[str, str],
          outcome: RuleOutcome | None) -> None:  # fmt: skip
    fill, stroke, dash = NEUTRAL if outcome is None else DONE if outcome.satisfied else MISSING
    state = "" if outcome is None else "✓ DONE" if outcome.satisfied else "✗ MISSING"
    css = "" if outcome is None else "done" if outcome.satisfied else "missing"
    y = canvas.y
    name = names.get(rule.achievement_id, rule.achievement_id)
    canvas.parts.append(
        f'<g class="component {css}" data-achievement="{escape(rule.achievement_id)}">'
        f'<rect x="{x}" y="{y}" width="{WIDTH - 2 * x}" height="{BOX}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="2"{dash}/>'
        + _text(x + 12, y + 23, _short(f"{name} ({rule.achievement_id})"))
        + (_text(WIDTH - x - 12, y + 23, state, weight="bold", anchor="end") if state else "")
        + "</g>"
    )
    canvas.y += ROW


def _rule(canvas: _Canvas, x: int, rule: PathwayRule, names: Mapping[str, str],
          outcome: RuleOutcome | None) -> None:  # fmt: skip
    if isinstance(rule, ComponentRule):
        _leaf(canvas, x, rule, names, outcome)
        return
    top = canvas.y
    canvas.y += ROW - 10
    for index, child in enumerate(rule.rules):
        child_outcome = outcome.children[index] if outcome is not None else None
        _rule(canvas, x + INDENT, child, names, child_outcome)
    height = canvas.y - top - 6
    state = "" if outcome is None else _group_state(outcome)
    stroke = "#4a5568" if outcome is None else "#1e7b3a" if outcome.satisfied else "#a4161a"
    canvas.parts.insert(
        0,
        f'<g class="rule {rule.kind}"><rect x="{x}" y="{top}" width="{WIDTH - 2 * x}" '
        f'height="{height}" rx="8" fill="none" stroke="{stroke}" stroke-width="1.5"/>'
        + _text(x + 10, top + 22, rule_label(rule), weight="bold")
        + (_text(WIDTH - x - 12, top + 22, state, anchor="end") if state else "")
        + "</g>",
    )
    canvas.y += 10


def pathway_svg(
    *,
    title: str,
    target_id: str,
    rule: PathwayRule,
    names: Mapping[str, str],
    outcome: RuleOutcome | None,
) -> str:
    """The target on top, then its rule with nested groups; ``outcome`` marks a learner's state."""
    canvas = _Canvas(y=ROW + 30)
    _rule(canvas, 8, rule, names, outcome)
    target = names.get(target_id, target_id)
    awarded = "" if outcome is None else "✓ earned" if outcome.satisfied else "not yet earned"
    head = (
        f'<rect x="8" y="6" width="{WIDTH - 16}" height="{BOX + 4}" rx="8" fill="#0b4f9c"/>'
        f'<text x="20" y="31" font-size="15" font-weight="bold" fill="#ffffff">'
        f"{escape(_short('Target: ' + target, 70))}</text>"
        + (
            f'<text x="{WIDTH - 20}" y="31" font-size="14" text-anchor="end" fill="#ffffff">'
            f"{escape(awarded)}</text>"
            if awarded
            else ""
        )
        + _text(20, ROW + 20, "is awarded when the learner holds:")
    )
    desc = _description(target, names, outcome)
    height = canvas.y + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="pathway-title pathway-desc">'
        f'<title id="pathway-title">{escape(title)}</title>'
        f'<desc id="pathway-desc">{escape(desc)}</desc>' + head + "".join(canvas.parts) + "</svg>"
    )


def _description(target: str, names: Mapping[str, str], outcome: RuleOutcome | None) -> str:
    if outcome is None:
        return f"What stacks into {target}."
    done = ", ".join(names.get(i, i) for i in outcome.counted) or "none"
    missing = ", ".join(names.get(i, i) for i in outcome.missing) or "none"
    return f"Towards {target}: done: {done}; missing: {missing}."


def bar_chart_svg(title: str, bars: Sequence[tuple[str, int]]) -> str:
    """A vertical bar per (label, value), the value written above each bar."""
    height, top, bottom, left = 240, 24, 40, 40
    plot = height - top - bottom
    peak = max((v for _, v in bars), default=0) or 1
    step = max(36, min(80, (WIDTH - left - 10) // max(len(bars), 1)))
    width = max(WIDTH, left + step * len(bars) + 10)
    parts = [
        f'<line x1="{left}" y1="{top + plot}" x2="{width - 10}" y2="{top + plot}" '
        'stroke="#4a5568"/>'
    ]
    for index, (label, value) in enumerate(bars):
        bar = round(plot * value / peak)
        x = left + index * step + 6
        parts.append(
            f'<g class="bar"><rect x="{x}" y="{top + plot - bar}" width="{step - 12}" '
            f'height="{bar}" fill="#0b4f9c"><title>{escape(label)}: {value}</title></rect>'
            + _text(x + (step - 12) // 2, top + plot - bar - 6, str(value), anchor="middle")
            + _text(x + (step - 12) // 2, top + plot + 20, label, anchor="middle")
            + "</g>"
        )
    summary = "; ".join(f"{label}: {value}" for label, value in bars) or "no data yet"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="chart-title chart-desc">'
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(summary)}</desc>' + "".join(parts) + "</svg>"
    )
