"""Endorsements on fakes: a partner signs an OB 3.0 EndorsementCredential about an achievement
or a provider (valid against the official schema, announced once), credentials issued after it
embed it, and the partner withdraws it through its own revocation list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from microcred_issuer.domain.errors import (
    EndorsementNotFound,
    Forbidden,
    NotAnEndorser,
    PersonalDataInText,
    UnknownAchievement,
)
from microcred_issuer.domain.status_list import bit_is_set, decode_bitstring
from microcred_issuer.service_layer.commands import IssueCompletion
from microcred_issuer.service_layer.endorsements import Endorse, WithdrawEndorsement
from microcred_issuer.service_layer.keys import did_document
from microcred_shared.crypto import StaticKeyResolver, verify_proofs
from microcred_shared.events import Topic
from microcred_shared.openbadges import (
    validate_achievement_credential,
    validate_endorsement_credential,
)
from typer.testing import CliRunner

from microcred.cli import app
from tests.unit.issuer.fakes import World
from tests.unit.issuer.http_app import issuer_client, provider_api_key

COURSE = "uni-a:MECH-1"
PARTNER = "kessler"


@pytest.fixture(params=["eddsa-jcs-2022", "eddsa-rdfc-2022"])
async def world(request: pytest.FixtureRequest) -> World:
    world = World(suite=request.param)
    await world.add_provider("uni-a")
    await world.add_provider(PARTNER, provider_type="company", name="Kessler Automation")
    await world.add_achievement(COURSE, "uni-a")
    return world


def endorse(target_id: str = COURSE, **changes: str) -> Endorse:
    fields = {
        "endorser_id": PARTNER,
        "target_kind": "achievement",
        "target_id": target_id,
        "comment": "Co-designed with our PLC engineers; we hire its graduates.",
    }
    return Endorse(**(fields | changes))  # type: ignore[arg-type]


def verified_by_partner(world: World, document: dict) -> bool:  # type: ignore[type-arg]
    keyring = world.keyrings.keyrings[PARTNER]
    resolver = StaticKeyResolver.from_documents(did_document(keyring))
    return verify_proofs(document, resolver).verified


async def issue(world: World, completion_id: str) -> dict:  # type: ignore[type-arg]
    outcome = await world.handlers.completions.issue(
        IssueCompletion(completion_id, "uni-a", COURSE, date(2025, 5, 1), "ada@example.org")
    )
    return world.credentials.stored[outcome.credential_id].document


async def test_a_partner_endorses_an_achievement_with_a_signed_schema_valid_credential(
    world: World,
) -> None:
    outcome = await world.handlers.endorsements.endorse(endorse())

    document = outcome.endorsement.document
    assert outcome.created
    assert validate_endorsement_credential(document) == []
    assert "EndorsementCredential" in document["type"]
    assert document["issuer"]["id"] == world.keyrings.keyrings[PARTNER].did
    assert document["issuer"]["name"] == "Kessler Automation"
    subject = document["credentialSubject"]
    assert subject["id"].endswith("/achievements/uni-a%3AMECH-1")
    assert subject["endorsementComment"].startswith("Co-designed")
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert verified_by_partner(world, document)
    announced = world.outbox.on(Topic.ENDORSEMENTS)
    assert [e.data.status for e in announced] == ["active"]
    assert announced[0].data.endorser_id == PARTNER


async def test_the_same_request_again_changes_nothing_and_announces_nothing(
    world: World,
) -> None:
    first = await world.handlers.endorsements.endorse(endorse())
    again = await world.handlers.endorsements.endorse(endorse())
    other = await world.handlers.endorsements.endorse(endorse(request_id="2026-renewal"))

    assert not again.created
    assert again.endorsement.document == first.endorsement.document
    assert other.endorsement.endorsement_id != first.endorsement.endorsement_id
    assert len(world.outbox.on(Topic.ENDORSEMENTS)) == 2


async def test_only_a_partner_company_endorses_and_never_its_own_or_an_unknown_target(
    world: World,
) -> None:
    await world.add_achievement("kessler:PLC-1", PARTNER)
    with pytest.raises(NotAnEndorser):
        await world.handlers.endorsements.endorse(endorse(endorser_id="uni-a"))
    with pytest.raises(NotAnEndorser):
        await world.handlers.endorsements.endorse(endorse("kessler:PLC-1"))
    with pytest.raises(UnknownAchievement):
        await world.handlers.endorsements.endorse(endorse("uni-a:NOPE"))
    with pytest.raises(PersonalDataInText):
        await world.handlers.endorsements.endorse(endorse(comment="ask ada@example.org"))
    assert world.outbox.on(Topic.ENDORSEMENTS) == []


async def test_credentials_issued_after_an_endorsement_embed_it_and_stay_schema_valid(
    world: World,
) -> None:
    before = await issue(world, "c-before")
    endorsed = await world.handlers.endorsements.endorse(endorse())
    provider_endorsed = await world.handlers.endorsements.endorse(
        endorse("uni-a", target_kind="provider", comment="A reliable training partner.")
    )
    after = await issue(world, "c-after")

    assert "endorsement" not in before["credentialSubject"]["achievement"]
    assert after["credentialSubject"]["achievement"]["endorsement"] == [
        endorsed.endorsement.document
    ]
    assert after["issuer"]["endorsement"] == [provider_endorsed.endorsement.document]
    assert provider_endorsed.endorsement.document["credentialSubject"]["id"] == (
        world.keyrings.keyrings["uni-a"].did
    )
    assert validate_achievement_credential(after) == []
    # The credential's own proof covers the embedded endorsement.
    keyring = world.keyrings.keyrings["uni-a"]
    resolver = StaticKeyResolver.from_documents(did_document(keyring))
    assert verify_proofs(after, resolver).verified
    after["credentialSubject"]["achievement"]["endorsement"][0]["credentialSubject"][
        "endorsementComment"
    ] = "We never heard of them."
    assert not verify_proofs(after, resolver).verified


async def test_a_withdrawn_endorsement_sets_its_bit_and_is_not_embedded_any_more(
    world: World,
) -> None:
    endorsed = (await world.handlers.endorsements.endorse(endorse())).endorsement
    entry = endorsed.document["credentialStatus"]
    list_id = entry["statusListCredential"].rsplit("/", 1)[-1]

    withdrawn = await world.handlers.endorsements.withdraw(
        WithdrawEndorsement(endorsed.endorsement_id, PARTNER)
    )
    again = await world.handlers.endorsements.withdraw(
        WithdrawEndorsement(endorsed.endorsement_id, PARTNER)
    )
    later = await issue(world, "c-later")

    assert withdrawn.status == again.status == "withdrawn"
    assert [e.data.status for e in world.outbox.on(Topic.ENDORSEMENTS)] == ["active", "withdrawn"]
    status_list = await world.handlers.status_lists.current(list_id)
    assert status_list is not None
    assert verified_by_partner(world, status_list.document)
    encoded = status_list.document["credentialSubject"]["encodedList"]
    assert bit_is_set(decode_bitstring(encoded), int(entry["statusListIndex"]))
    assert "endorsement" not in later["credentialSubject"]["achievement"]


async def test_a_partner_withdraws_only_its_own_endorsements(world: World) -> None:
    endorsed = (await world.handlers.endorsements.endorse(endorse())).endorsement
    with pytest.raises(Forbidden):
        await world.handlers.endorsements.withdraw(
            WithdrawEndorsement(endorsed.endorsement_id, "uni-a")
        )
    with pytest.raises(EndorsementNotFound):
        await world.handlers.endorsements.withdraw(WithdrawEndorsement("nope", PARTNER))


async def test_over_http_a_partner_endorses_with_its_key_and_bad_input_is_a_problem(
    world: World,
) -> None:
    async with issuer_client(world) as http:
        partner = await provider_api_key(http, PARTNER)
        university = await provider_api_key(http, "uni-a")
        body = {"target_kind": "achievement", "target_id": COURSE, "comment": "We hire them."}

        anonymous = await http.post("/endorsements", json=body)
        created = await http.post("/endorsements", json=body, headers=partner)
        repeated = await http.post("/endorsements", json=body, headers=partner)
        not_a_partner = await http.post("/endorsements", json=body, headers=university)
        unknown = await http.post(
            "/endorsements", json=body | {"target_id": "uni-a:NOPE"}, headers=partner
        )
        malformed = await http.post(
            "/endorsements", json=body | {"target_kind": "credential"}, headers=partner
        )
        endorsement_id = created.json()["endorsement_id"]
        served = await http.get(f"/endorsements/{endorsement_id}")
        foreign_withdrawal = await http.post(
            f"/endorsements/{endorsement_id}/withdraw", headers=university
        )
        withdrawn = await http.post(f"/endorsements/{endorsement_id}/withdraw", headers=partner)
        listed = await http.get(f"/partners/{PARTNER}/endorsements")

    assert anonymous.status_code == 401
    assert (created.status_code, repeated.status_code) == (201, 200)
    assert repeated.json()["credential"] == created.json()["credential"]
    assert not_a_partner.status_code == 403
    assert not_a_partner.json()["code"] == "not_an_endorser"
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert malformed.status_code == 422
    assert served.json() == created.json()["credential"]
    assert foreign_withdrawal.status_code == 403
    assert withdrawn.json()["status"] == "withdrawn"
    assert [e["status"] for e in listed.json()] == ["withdrawn"]


async def test_the_credential_page_lists_its_endorsements_with_their_status(world: World) -> None:
    endorsed = (await world.handlers.endorsements.endorse(endorse())).endorsement
    document = await issue(world, "c-paged")
    credential_id = document["id"].rsplit("/", 1)[-1]
    async with issuer_client(world) as http:
        active = await http.get(f"/credentials/{credential_id}/page")
        await world.handlers.endorsements.withdraw(
            WithdrawEndorsement(endorsed.endorsement_id, PARTNER)
        )
        withdrawn = await http.get(f"/credentials/{credential_id}", headers={"accept": "text/html"})

    assert "Kessler Automation" in active.text
    assert "Co-designed with our PLC engineers" in active.text
    assert 'data-status="active"' in active.text
    day = date.fromisoformat(endorsed.document["validFrom"][:10])
    assert f"{day:%B} {day.day}, {day.year}" in active.text  # English's long date
    assert 'data-status="withdrawn"' in withdrawn.text
    assert "withdrawn by its endorser" in withdrawn.text


async def test_microcred_verify_offline_reports_the_endorsement_but_never_vouches_for_it(
    world: World, tmp_path: Path
) -> None:
    await world.handlers.endorsements.endorse(endorse())
    document = await issue(world, "c-offline")
    credential_file = tmp_path / "credential.json"
    credential_file.write_text(json.dumps(document), "utf-8")
    keys = tmp_path / "keys.json"
    documents = [did_document(world.keyrings.keyrings[p]) for p in ("uni-a", PARTNER)]
    keys.write_text(json.dumps(documents), "utf-8")

    result = CliRunner().invoke(
        app, ["verify", "--json", "--keys", str(keys), str(credential_file)]
    )

    outcome = json.loads(result.output)
    [check] = [c for c in outcome["checks"] if c["name"] == "endorsements"]
    assert check["status"] == "warning"
    assert "offline" in check["reason"]
    assert outcome["verdict"] == "unknown"


async def test_the_credential_page_in_french_lists_its_endorsement_in_french(world: World) -> None:
    endorsed = (await world.handlers.endorsements.endorse(endorse())).endorsement
    document = await issue(world, "c-french")
    credential_id = document["id"].rsplit("/", 1)[-1]
    async with issuer_client(world) as http:
        page = await http.get(f"/credentials/{credential_id}/page", params={"lang": "fr"})
        await world.handlers.endorsements.withdraw(
            WithdrawEndorsement(endorsed.endorsement_id, PARTNER)
        )
        withdrawn = await http.get(f"/credentials/{credential_id}/page", params={"lang": "de"})

    day = date.fromisoformat(endorsed.document["validFrom"][:10])
    assert '<h2 id="endorsements">Recommandations</h2>' in page.text
    assert "<strong>Kessler Automation</strong> recommande cette micro-certification" in page.text
    assert f"{day.day} " in page.text.split("<small>", 1)[1].split("–", 1)[0]
    assert str(day) not in page.text.split('id="endorsements"', 1)[1]  # no ISO date left
    assert "Le vérificateur contrôle la signature et le statut" in page.text
    assert "endorses" not in page.text
    assert "vom Empfehlenden zurückgezogen" in withdrawn.text


async def test_a_share_link_s_page_lists_the_credential_s_endorsement_too(world: World) -> None:
    await world.handlers.endorsements.endorse(endorse())
    document = await issue(world, "c-shared")
    credential_id = document["id"].rsplit("/", 1)[-1]
    learner_ref = world.credentials.stored[credential_id].learner_ref
    link = await world.handlers.wallet.share(learner_ref, credential_id)
    async with issuer_client(world) as http:
        page = await http.get(f"/shared/{link.share_id}", params={"lang": "de"})

    assert 'id="shared-note"' in page.text
    assert "<strong>Kessler Automation</strong> empfiehlt dieses Micro-Credential" in page.text
