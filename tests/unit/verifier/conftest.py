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
from microcred_verifier.domain.knowledge import Knowledge, StatusEvidence
from microcred_verifier.domain.model import Freshness

DATA = Path(__file__).resolve().parents[2] / "data"
W3C = DATA / "vectors" / "vc-di-eddsa"
ONEEDTECH = DATA / "vectors" / "1edtech-ob30"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


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
