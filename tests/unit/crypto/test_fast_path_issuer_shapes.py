"""Every credential shape our issuer signs with eddsa-rdfc-2022 takes the fast path and gets the
reference's canonical form: plain, with results and evidence, for a DID learner, with texts in three languages, and the
signed status list credential."""

from __future__ import annotations

from datetime import date
from typing import Any

from microcred_issuer.domain.credentials import EvidenceItem, ResultLine
from microcred_issuer.service_layer.commands import IssueCompletion
from microcred_shared.crypto import reference_rdfc
from microcred_shared.crypto.fast_rdfc import fast_canonicalize
from microcred_shared.crypto.loader import default_loader

from tests.unit.issuer.fakes import World
from tests.unit.issuer.trilingual import TRILINGUAL

RDFC = "eddsa-rdfc-2022"


def proof_free_and_configs(document: dict[str, Any]) -> list[dict[str, Any]]:
    proofs = document.get("proof", [])
    proofs = proofs if isinstance(proofs, list) else [proofs]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    configs = [
        {**{k: v for k, v in proof.items() if k != "proofValue"}, "@context": document["@context"]}
        for proof in proofs
    ]
    return [unsecured, *configs]


async def issued_documents() -> list[dict[str, Any]]:
    world = World(suite=RDFC)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    await world.add_achievement("uni-a:HYD-2", "uni-a", ects=2.5, eqf_level=4)
    await world.add_achievement("uni-a:SPS-3", "uni-a", **TRILINGUAL)  # language maps
    completions = [
        IssueCompletion("c-1", "uni-a", "uni-a:MECH-1", date(2025, 5, 30), "ada@example.org"),
        IssueCompletion(
            "c-2",
            "uni-a",
            "uni-a:HYD-2",
            date(2025, 6, 2),
            learner_did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            learner_name="Grace",
            results=[ResultLine("Final exam", "1.7"), ResultLine("Project", "passed")],
            evidence=[
                EvidenceItem(url="https://uni-a.example/evidence/1", name="Project report"),
                EvidenceItem(narrative="Practical exam observed on site"),
            ],
        ),
        IssueCompletion("c-3", "uni-a", "uni-a:SPS-3", date(2025, 6, 3), "ada@example.org"),
    ]
    documents = []
    for completion in completions:
        outcome = await world.handlers.completions.issue(completion)
        documents.append(world.credentials.stored[outcome.credential_id].document)
    entry = documents[0]["credentialStatus"]
    signed_list = await world.handlers.status_lists.current(
        entry["statusListCredential"].rsplit("/", 1)[-1]
    )
    assert signed_list is not None
    documents.append(signed_list.document)
    return documents


async def test_every_issued_shape_takes_the_fast_path_with_the_reference_bytes() -> None:
    documents = await issued_documents()
    assert len(documents) == 4
    for signed in documents:
        assert signed["proof"][0]["cryptosuite"] == RDFC
        for document in proof_free_and_configs(signed):
            fast = fast_canonicalize(document, default_loader())
            assert fast is not None, document.get("type")
            assert fast == reference_rdfc(document)
