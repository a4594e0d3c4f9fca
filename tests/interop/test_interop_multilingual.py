"""Issue 15: a credential carrying its achievement in English, German and French (the EU
context v2's language maps) verifies in Digital Bazaar's stack; a changed translation does not."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from microcred_issuer.service_layer.commands import IssueCompletion

from tests.interop.test_interop_data_integrity import js_stack, js_verify, write  # noqa: F401
from tests.unit.issuer.fakes import World
from tests.unit.issuer.trilingual import TRILINGUAL

pytestmark = pytest.mark.interop


async def trilingual(suite: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    world = World(suite=suite)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:SPS-3", "uni-a", **TRILINGUAL)
    outcome = await world.handlers.completions.issue(
        IssueCompletion("c-1", "uni-a", "uni-a:SPS-3", date(2025, 6, 3), "ada@example.org")
    )
    keyring = world.keyrings.keyrings["uni-a"]
    keys = [
        {
            "id": keyring.vm_id(key),
            "controller": keyring.did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keyring.keys
    ]
    return world.credentials.stored[outcome.credential_id].document, keys


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_a_credential_in_three_languages_verifies_in_the_javascript_stack(
    suite: str, tmp_path: Path
) -> None:
    credential, keys = await trilingual(suite)
    assert sorted(credential["credentialSubject"]["achievement"]["nameTranslations"]) == [
        "de",
        "en",
        "fr",
    ]
    key_file = write(tmp_path / "keys.json", keys)

    (result,) = js_verify(write(tmp_path / "credential.json", credential), keys=key_file)
    assert result["verified"] is True, result

    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["nameTranslations"]["de"] += "!"
    (result,) = js_verify(write(tmp_path / "tampered.json", tampered), keys=key_file)
    assert result["verified"] is False
