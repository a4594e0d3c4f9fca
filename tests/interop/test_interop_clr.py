"""A CLR the issuer builds verifies in Digital Bazaar's independent stack (the record's proof
over the bundled credentials, read through the bundled CLR 2.0 context, and each bundled
credential's own), and a tampered copy does not."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from microcred_shared.openbadges import CLR_ISSUER_ID

from tests.interop.test_interop_data_integrity import js_stack, js_verify, write  # noqa: F401
from tests.unit.issuer.test_issuer_clr import ADA, ada_holds_a_stacked_record

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_a_clr_and_each_credential_in_it_verify_in_the_javascript_stack(
    suite: str, tmp_path: Path
) -> None:
    world, held = await ada_holds_a_stacked_record(suite)
    clr = await world.handlers.clr.issue(ADA, [c.credential_id for c in held])
    keys = [
        {
            "id": keyring.vm_id(key),
            "controller": keyring.did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for keyring in world.keyrings.keyrings.values()
        for key in keyring.keys
    ]
    assert CLR_ISSUER_ID in world.keyrings.keyrings
    key_file = write(tmp_path / "keys.json", keys)
    embedded = clr["credentialSubject"]["verifiableCredential"]
    files = [write(tmp_path / "clr.json", clr)] + [
        write(tmp_path / f"embedded-{n}.json", document) for n, document in enumerate(embedded)
    ]

    results = js_verify(*files, keys=key_file)
    assert [r["verified"] for r in results] == [True] * 5, results

    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["verifiableCredential"][2]["credentialSubject"]["achievement"][
        "name"
    ] += "!"
    (result,) = js_verify(write(tmp_path / "tampered.json", tampered), keys=key_file)
    assert result["verified"] is False
