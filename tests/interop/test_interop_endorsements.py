"""Issue 15: a credential carrying a partner's endorsement, and the endorsement itself, as the
issuer makes them, verify in Digital Bazaar's independent stack (both suites); an embedded
endorsement changed afterwards breaks the credential's proof there too."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from microcred_issuer.domain.keyring import Keyring
from microcred_issuer.service_layer.commands import IssueCompletion
from microcred_issuer.service_layer.endorsements import Endorse

from tests.interop.test_interop_data_integrity import js_stack, js_verify, write  # noqa: F401
from tests.unit.issuer.fakes import World

pytestmark = pytest.mark.interop


def published(keyring: Keyring) -> list[dict[str, str]]:
    return [
        {
            "id": keyring.vm_id(key),
            "controller": keyring.did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keyring.keys
    ]


async def endorsed_credential(suite: str) -> tuple[dict[str, Any], dict[str, Any], World]:
    world = World(suite=suite)
    await world.add_provider("uni-a")
    await world.add_provider("kessler", provider_type="company", name="Kessler Automation")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    endorsed = await world.handlers.endorsements.endorse(
        Endorse("kessler", "achievement", "uni-a:MECH-1", "We hire its graduates.")
    )
    outcome = await world.handlers.completions.issue(
        IssueCompletion("c-1", "uni-a", "uni-a:MECH-1", date(2025, 5, 30), "ada@example.org")
    )
    credential = world.credentials.stored[outcome.credential_id].document
    return credential, endorsed.endorsement.document, world


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_an_endorsed_credential_and_its_endorsement_verify_in_the_javascript_stack(
    suite: str, tmp_path: Path
) -> None:
    credential, endorsement, world = await endorsed_credential(suite)
    keys = published(world.keyrings.keyrings["uni-a"]) + published(
        world.keyrings.keyrings["kessler"]
    )
    key_file = write(tmp_path / "keys.json", keys)
    tampered = copy.deepcopy(credential)
    embedded = tampered["credentialSubject"]["achievement"]["endorsement"][0]
    embedded["credentialSubject"]["endorsementComment"] = "Never heard of them."

    results = js_verify(
        write(tmp_path / "credential.json", credential),
        write(tmp_path / "endorsement.json", endorsement),
        write(tmp_path / "tampered.json", tampered),
        keys=key_file,
    )

    assert credential["credentialSubject"]["achievement"]["endorsement"] == [endorsement]
    assert [r["verified"] for r in results] == [True, True, False], results
