"""A provider that imported its own key and issues under a did:web of its own: what the issuer
signs verifies in Digital Bazaar's stack against the DID document the issuer serves for the
provider to publish, and does not when the published document names another key."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from microcred_issuer.service_layer.commands import IssueCompletion, RotateKey
from microcred_shared.crypto import Ed25519Multikey

from tests.interop.test_interop_data_integrity import js_stack, js_verify, write  # noqa: F401
from tests.unit.issuer.fakes import World

pytestmark = pytest.mark.interop

OWN_DID = "did:web:uni.example"


async def issued_under_own_did(suite: str) -> tuple[dict[str, Any], dict[str, Any]]:
    world = World(suite=suite)
    await world.add_provider("uni-a", issuer_dids=[OWN_DID])
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    own_key = Ed25519Multikey.from_private_key(Ed25519PrivateKey.generate())
    await world.handlers.keys.rotate(RotateKey("uni-a", own_key.secret_key_multibase, OWN_DID))
    outcome = await world.handlers.completions.issue(
        IssueCompletion("c-1", "uni-a", "uni-a:MECH-1", date(2025, 5, 30), "ada@example.org")
    )
    to_publish = await world.handlers.keys.own_did_document("uni-a")
    assert to_publish is not None
    return world.credentials.stored[outcome.credential_id].document, to_publish


def published_keys(did_document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {key: vm[key] for key in ("id", "controller", "publicKeyMultibase")}
        for vm in did_document["verificationMethod"]
    ]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_a_credential_issued_under_a_providers_own_did_web_verifies_in_the_js_stack(
    tmp_path: Path, suite: str
) -> None:
    credential, to_publish = await issued_under_own_did(suite)
    assert credential["issuer"]["id"] == OWN_DID
    published = write(tmp_path / "did.json", published_keys(to_publish))
    [result] = js_verify(write(tmp_path / "credential.json", credential), keys=published)
    assert result["verified"], result

    impostor = Ed25519Multikey.generate().public_key_multibase
    wrong = [key | {"publicKeyMultibase": impostor} for key in published_keys(to_publish)]
    [refused] = js_verify(
        write(tmp_path / "credential.json", credential), keys=write(tmp_path / "bad.json", wrong)
    )
    assert not refused["verified"]
