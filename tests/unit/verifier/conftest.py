"""Fixtures for the verifier's domain tests: the copied W3C / 1EdTech vectors and knowledge
built the way the offline CLI builds it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from microcred_shared.crypto import (
    ChainResolver,
    DidKeyResolver,
    KeyResolutionError,
    KeyResolver,
    ResolvedKey,
    StaticKeyResolver,
    default_loader,
    keys_from_document,
    split_did_url,
)
from microcred_verifier.domain.knowledge import (
    AchievementFacts,
    Knowledge,
    ProviderFacts,
    StatusEvidence,
    StatusRecord,
)
from microcred_verifier.domain.model import Freshness

DATA = Path(__file__).resolve().parents[2] / "data"
W3C = DATA / "vectors" / "vc-di-eddsa"
ONEEDTECH = DATA / "vectors" / "1edtech-ob30"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
RECEIVED = datetime(2025, 12, 1, tzinfo=UTC)


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


class FragmentKeyResolver:
    """1EdTech's fixtures name keys as ``<issuer URL>#<publicKeyMultibase>``.

    Test-only: trusting a key because a URL fragment says so would let anyone claim any issuer
    URL; the service resolves https and did:web keys only from its projection of issuer.keys.
    """

    def resolve(self, verification_method_id: str) -> ResolvedKey:
        _, fragment = split_did_url(verification_method_id)
        if not fragment or not fragment.startswith("z6Mk"):
            raise KeyResolutionError("no key in the fragment")
        return keys_from_document({verification_method_id: fragment})[0]


def oneedtech_resolver() -> KeyResolver:
    return ChainResolver(
        StaticKeyResolver.from_documents(load(ONEEDTECH / "keys.json")),
        FragmentKeyResolver(),
        DidKeyResolver(),
    )


def offline_knowledge(
    resolver: KeyResolver | None = None, status: dict[int, StatusEvidence] | None = None
) -> Knowledge:
    return Knowledge(
        resolver=resolver or oneedtech_resolver(),
        keys_freshness=Freshness("key files and did:key"),
        loader=default_loader(),
        status=status,
    )


def provider(
    *issuer_dids: str,
    name: str = "Example Corp",
    trust: str = "trusted",
    accreditation: str = "accredited",
) -> ProviderFacts:
    return ProviderFacts(
        provider_id="example-corp",
        name=name,
        trust=trust,
        accreditation_status=accreditation,
        accreditation_body="AQAS" if accreditation == "accredited" else None,
        country="DE",
        issuer_dids=issuer_dids,
        freshness=Freshness("providers projection (this entry received)", RECEIVED),
    )


def achievement_of(facts: ProviderFacts, achievement_id: str) -> AchievementFacts:
    return AchievementFacts(
        achievement_id=achievement_id,
        provider_id=facts.provider_id,
        name="An achievement",
        status="active",
        freshness=Freshness("achievements projection (this entry received)", RECEIVED),
    )


def online_knowledge(
    resolver: KeyResolver | None = None,
    *,
    registry_received: bool = True,
    **known: Any,
) -> Knowledge:
    """What the service gathers: a provider registry received at RECEIVED (unless not), no
    status entries looked up, and whatever else is ``known`` (provider, achievement…)."""
    as_of = RECEIVED if registry_received else None
    return Knowledge(
        resolver=resolver or oneedtech_resolver(),
        keys_freshness=Freshness("issuer_keys projection", as_of),
        loader=default_loader(),
        online=True,
        providers_freshness=Freshness("providers projection", as_of),
        achievements_freshness=Freshness("achievements projection", as_of),
        status=known.pop("status", {}),
        **known,
    )


def all_active(document: dict[str, Any]) -> dict[int, StatusEvidence]:
    """Every credentialStatus entry announced active by its issuer."""
    entries = document.get("credentialStatus") or []
    record = StatusRecord("active", "revocation", None, Freshness("statuses projection", RECEIVED))
    count = len(entries) if isinstance(entries, list) else 1
    return {index: StatusEvidence(record=record) for index in range(count)}


def registered_knowledge(document: dict[str, Any], **provider_terms: Any) -> Knowledge:
    """The service's knowledge of a credential whose issuer is a registered provider (trusted
    and accredited unless ``provider_terms`` say otherwise) owning its achievement."""
    issuer = document["issuer"]
    facts = provider(issuer if isinstance(issuer, str) else issuer["id"], **provider_terms)
    achievement_id = document["credentialSubject"]["achievement"]["id"]
    return online_knowledge(
        DidKeyResolver() if facts.issuer_dids[0].startswith("did:key:") else None,
        provider=facts,
        achievement=achievement_of(facts, achievement_id),
        status=all_active(document),
    )
