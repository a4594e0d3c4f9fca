"""What a pathway rule (``PathwayRule`` in ``events/contracts/catalogue.py``) means.

The catalogue (progress, pathway graph) and the issuer (the stacking engine) must agree on
when a learner's achievements satisfy a pathway, so the meaning lives here, once, as pure
functions over plain data.

Semantics, for ``evaluate(rule, earned)`` where ``earned`` maps the achievement ids a learner
holds to their ECTS (``None`` when the achievement states no ECTS):

- ``achievement``: satisfied when its id is held. It counts that id; nothing else.
- ``all_of``: satisfied when every child is satisfied.
- ``n_of``: satisfied when at least ``n`` children are satisfied.
- ``min_ects``: satisfied when the ECTS of the components counted by its *satisfied* children
  add up to at least ``min_ects``. A child that is only partly done contributes nothing (an
  unfinished ``all_of`` is not a credit); an achievement without ECTS contributes 0.
- ``counted`` of any rule is the union of what its satisfied children count (for a leaf, its
  own id when held), so it is also what "done" means for a partly satisfied rule; an id that
  occurs under several children counts once. ``ects`` is the sum of ECTS over ``counted``.
- ``missing`` is empty for a satisfied rule; otherwise it is the union of the ``missing`` of
  the unsatisfied children: the components, any of which would bring the rule closer.
  ``children_short`` (n-of) and ``ects_short`` (min-ECTS) say how far it still is.

Cross-provider pathways: the caller first keeps only the achievements of providers the pathway
accepts, with :func:`accepted_earned`; :func:`evaluate_pathway` does both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .events.contracts.catalogue import (
    AllOfRule,
    ComponentRule,
    MinEctsRule,
    NOfRule,
    PathwayRule,
)

# ECTS arrive as floats (2.5, 0.1 + 0.2 …): compare sums with a little tolerance.
_ECTS_TOLERANCE = 1e-9

Earned = Mapping[str, float | None]


@dataclass(frozen=True)
class RuleOutcome:
    """How far a learner's achievements go towards one rule (and, in ``children``, its parts)."""

    kind: str
    satisfied: bool
    counted: tuple[str, ...]  # held achievement ids that count, sorted
    ects: float  # ECTS over ``counted``
    missing: tuple[str, ...]  # component ids not held that would help, sorted; () if satisfied
    children: tuple[RuleOutcome, ...] = ()
    children_short: int = 0  # n-of: how many more children must be satisfied
    ects_short: float = 0.0  # min-ECTS: how many ECTS are still needed


class AcceptsProviders(Protocol):
    """What :func:`accepted_earned` needs of a pathway (``PathwayV1`` has it)."""

    @property
    def owner_provider_id(self) -> str: ...

    @property
    def accepted_provider_ids(self) -> Sequence[str]: ...


class RuleWithProviders(AcceptsProviders, Protocol):
    @property
    def rule(self) -> PathwayRule: ...


def evaluate(rule: PathwayRule, earned: Earned) -> RuleOutcome:
    """Evaluate ``rule`` against the achievements in ``earned`` (id -> ECTS)."""
    if isinstance(rule, ComponentRule):
        return _component(rule, earned)
    children = tuple(evaluate(child, earned) for child in rule.rules)
    if isinstance(rule, AllOfRule):
        return _combine(rule.kind, children, earned, satisfied=all(c.satisfied for c in children))
    if isinstance(rule, NOfRule):
        done = sum(1 for child in children if child.satisfied)
        children_short = max(rule.n - done, 0)
        outcome = _combine(rule.kind, children, earned, satisfied=children_short == 0)
        return replace(outcome, children_short=children_short)
    if isinstance(rule, MinEctsRule):
        ects = _ects_of(_union(c.counted for c in children if c.satisfied), earned)
        ects_short = max(rule.min_ects - ects, 0.0)
        satisfied = ects_short <= _ECTS_TOLERANCE
        outcome = _combine(rule.kind, children, earned, satisfied=satisfied)
        return replace(outcome, ects_short=0.0 if satisfied else ects_short)
    raise TypeError(f"unknown pathway rule {rule!r}")


def accepted_earned(
    earned_by_provider: Mapping[str, Earned], pathway: AcceptsProviders
) -> dict[str, float | None]:
    """The achievements that count for ``pathway``: those of its owner and accepted providers.

    ``earned_by_provider`` maps provider id -> (achievement id -> ECTS).
    """
    accepted = {pathway.owner_provider_id, *pathway.accepted_provider_ids}
    return {
        achievement_id: ects
        for provider_id, earned in earned_by_provider.items()
        if provider_id in accepted
        for achievement_id, ects in earned.items()
    }


def evaluate_pathway(
    pathway: RuleWithProviders, earned_by_provider: Mapping[str, Earned]
) -> RuleOutcome:
    """Evaluate a pathway's rule over the learner's achievements from accepted providers."""
    return evaluate(pathway.rule, accepted_earned(earned_by_provider, pathway))


def component_ids(rule: PathwayRule) -> tuple[str, ...]:
    """Every achievement id the rule names, in order of first appearance."""
    return tuple(dict.fromkeys(_walk_components(rule)))


def _walk_components(rule: PathwayRule) -> Iterator[str]:
    if isinstance(rule, ComponentRule):
        yield rule.achievement_id
        return
    for child in rule.rules:
        yield from _walk_components(child)


def _component(rule: ComponentRule, earned: Earned) -> RuleOutcome:
    held = rule.achievement_id in earned
    return RuleOutcome(
        kind=rule.kind,
        satisfied=held,
        counted=(rule.achievement_id,) if held else (),
        ects=_ects_of((rule.achievement_id,), earned) if held else 0.0,
        missing=() if held else (rule.achievement_id,),
    )


def _combine(
    kind: str, children: tuple[RuleOutcome, ...], earned: Earned, *, satisfied: bool
) -> RuleOutcome:
    counted = _union(child.counted for child in children if child.satisfied)
    missing = () if satisfied else _union(c.missing for c in children if not c.satisfied)
    return RuleOutcome(
        kind=kind,
        satisfied=satisfied,
        counted=counted,
        ects=_ects_of(counted, earned),
        missing=missing,
        children=children,
    )


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({item for group in groups for item in group}))


def _ects_of(achievement_ids: Iterable[str], earned: Earned) -> float:
    return float(sum(earned.get(achievement_id) or 0.0 for achievement_id in achievement_ids))
