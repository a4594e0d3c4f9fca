"""What the issuer actually issues (both suites, every credential shape, the status list
credential) verifies in Digital Bazaar's independent stack, and a tampered copy does not."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from microcred_issuer.domain.credentials import EvidenceItem, ResultLine
from microcred_issuer.service_layer.commands import IssueCompletion

from tests.interop.test_interop_data_integrity import js_stack, js_verify, write  # noqa: F401
from tests.unit.issuer.fakes import World

pytestmark = pytest.mark.interop


async def issued(suite: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    world = World(suite=suite)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    await world.add_achievement("uni-a:HYD-2", "uni-a", ects=2.5, eqf_level=4)
    completions = [
        IssueCompletion("c-1", "uni-a", "uni-a:MECH-1", date(2025, 5, 30), "ada@example.org"),
        IssueCompletion(
            "c-2",
            "uni-a",
            "uni-a:HYD-2",
            date(2025, 6, 2),
            learner_did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            learner_name="Grace",
            results=[ResultLine("Final exam", "1.7")],
            evidence=[EvidenceItem(url="https://uni-a.example/evidence/1", name="Report")],
        ),
    ]
    documents = []
    for completion in completions:
        outcome = await world.handlers.completions.issue(completion)
        documents.append(world.credentials.stored[outcome.credential_id].document)
    list_id = documents[0]["credentialStatus"]["statusListCredential"].rsplit("/", 1)[-1]
    status_list = await world.handlers.status_lists.current(list_id)
    assert status_list is not None
    documents.append(status_list.document)
    keyring = world.keyrings.keyrings["uni-a"]
    keys = [
        {
            "id": keyring.vm_id(key),
            "controller": keyring.did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keyring.keys
    ]
    return documents, keys


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_issued_credentials_verify_in_the_javascript_stack(
    suite: str, tmp_path: Path
) -> None:
    documents, keys = await issued(suite)
    key_file = write(tmp_path / "keys.json", keys)
    files = [write(tmp_path / f"doc-{n}.json", d) for n, d in enumerate(documents)]
    results = js_verify(*files, keys=key_file)
    assert [r["verified"] for r in results] == [True] * len(documents), results

    tampered = copy.deepcopy(documents[0])
    tampered["credentialSubject"]["achievement"]["name"] += "!"
    (result,) = js_verify(write(tmp_path / "tampered.json", tampered), keys=key_file)
    assert result["verified"] is False
