"""The verifier decides the status of this ecosystem's credentials from the status list
snapshots it received over Kafka, never by calling the issuer; another issuer's list is still
fetched. In memory: the handler with fake projections, a recording fetcher, real crypto."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from microcred_shared.crypto import Ed25519Multikey, ResolvedKey, sign
from microcred_shared.events.contracts.credentials import StatusListPublishedV1
from microcred_verifier.adapters.mapping import resolved_keys
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.domain.knowledge import StatusRecord
from microcred_verifier.domain.model import Freshness
from microcred_verifier.service_layer.gather import KnowledgeGatherer
from microcred_verifier.service_layer.intake import present
from microcred_verifier.service_layer.ports import FetchError
from microcred_verifier.service_layer.status_gather import StatusGatherer
from microcred_verifier.service_layer.verify import VerifyCredential, VerifyHandler
from pydantic import ValidationError

from tests.support import signed_status_list

DATA = Path(__file__).resolve().parents[2] / "data"
DID = "did:web:issuer.rhine.example:issuers:rvu"
KEY = Ed25519Multikey.from_seed(bytes(range(32)), controller=DID, key_id=f"{DID}#key-1")
LISTS = "https://issuer.rhine.example/status-lists"
LIST_URL = f"{LISTS}/rvu.revocation.1"
INDEX = 7
SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def credential(list_url: str = LIST_URL, key: Ed25519Multikey = KEY) -> dict[str, Any]:
    document = json.loads((DATA / "vectors" / "1edtech-ob30" / "complete.json").read_text())
    document.pop("proof", None)
    document.pop("validUntil", None)
    document["issuer"]["id"] = key.controller
    document["credentialStatus"] = {
        "id": f"{list_url}#{INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(INDEX),
        "statusListCredential": list_url,
    }
    return sign(document, key, verification_method=key.id, created=SIGNED_AT)


def list_credential(
    set_bits: tuple[int, ...] = (),
    *,
    list_url: str = LIST_URL,
    issuer: str = DID,
    key: Ed25519Multikey = KEY,
) -> dict[str, Any]:
    return signed_status_list(list_url, key, set_bits, issuer=issuer, signed_at=SIGNED_AT)


def snapshot(sequence: int, document: dict[str, Any]) -> StatusListPublishedV1:
    return StatusListPublishedV1(
        list_id=document["id"].rsplit("/", 1)[-1],
        provider_id="rvu",
        status_purpose="revocation",
        list_url=document["id"],
        sequence=sequence,
        list_credential=document,
        published_at=SIGNED_AT,
    )


class KeysOnly:
    """Projections that know the issuer's keys (as issuer.keys announced them) and nothing else."""

    def __init__(self, revoked_at: datetime | None = None) -> None:
        method = {
            "id": KEY.id,
            "public_key_multibase": KEY.public_key_multibase,
            "status": "revoked" if revoked_at else "active",
            "valid_from": SIGNED_AT - timedelta(days=1),
            "valid_until": revoked_at,
        }
        self.keys = resolved_keys({"did": DID, "verification_methods": [method]})

    async def keys_of(self, controller: str) -> list[ResolvedKey]:
        return self.keys if controller == DID else []

    async def freshness(self, projection: str) -> Freshness:
        return Freshness(projection)

    async def pathways_from(self, achievement_id: str) -> list[Any]:
        return []

    def __getattr__(self, name: str) -> Any:  # provider_by_did, achievement, ...: unknown
        async def nothing(*_: Any) -> None:
            return None

        return nothing


class RecordingFetcher:
    def __init__(self, body: dict[str, Any] | None = None) -> None:
        self.urls: list[str] = []
        self._body = body

    async def fetch(self, url: str) -> tuple[bytes, str]:
        self.urls.append(url)
        if self._body is None:
            raise FetchError(f"{url}: the issuer is down")
        return json.dumps(self._body).encode(), "application/vc+ld+json"


def handler(
    lists: InMemoryStatusLists, fetcher: RecordingFetcher, projections: Any = None
) -> VerifyHandler:
    projections = projections or KeysOnly()
    status = StatusGatherer(lists, projections, fetcher, max_depth=64)
    gatherer = KnowledgeGatherer(projections, status, loader=None)
    return VerifyHandler(gatherer, fetcher, events=None, max_depth=64)


async def status_of(verify: VerifyHandler, document: dict[str, Any]) -> dict[str, Any]:
    outcome = await verify(VerifyCredential(present(document, 64)))
    checks = outcome.report.to_dict()["checks"]
    found: dict[str, Any] = next(c for c in checks if c["name"] == "status")
    return found


@pytest.fixture
def lists() -> InMemoryStatusLists:
    return InMemoryStatusLists()


async def test_a_fresh_credential_is_active_from_its_lists_snapshot_without_any_fetch(
    lists: InMemoryStatusLists,
) -> None:
    fetcher = RecordingFetcher()  # the issuer is down
    await lists.apply(snapshot(1, list_credential()), datetime.now(UTC))

    status = await status_of(handler(lists, fetcher), credential())

    assert status["status"] == "passed", status["reason"]
    assert status["data"]["source"] == "status-lists projection (snapshot 1)"
    assert fetcher.urls == []


async def test_the_newest_snapshot_decides_and_an_older_one_arriving_late_changes_nothing(
    lists: InMemoryStatusLists,
) -> None:
    verify = handler(lists, RecordingFetcher())
    await lists.apply(snapshot(1, list_credential()), datetime.now(UTC))
    await lists.apply(snapshot(2, list_credential((INDEX,))), datetime.now(UTC))
    assert not await lists.apply(snapshot(1, list_credential()), datetime.now(UTC))

    outcome = await verify(VerifyCredential(present(credential(), 64)))
    status = await status_of(verify, credential())

    assert outcome.report.verdict.value == "not_verified"
    assert status["status"] == "failed"
    assert status["reason"].startswith("revoked")


class Announced(KeysOnly):
    """The issuer also announced a revocation of the entry on credentials.status."""

    async def status_at(self, list_url: str, index: int) -> StatusRecord | None:
        if (list_url, index) != (LIST_URL, INDEX):
            return None
        return StatusRecord("revoked", "revocation", "issued in error", Freshness("statuses"))


async def test_the_issuer_s_reason_is_told_with_a_set_bit_but_never_decides(
    lists: InMemoryStatusLists,
) -> None:
    await lists.apply(snapshot(1, list_credential()), datetime.now(UTC))
    verify = handler(lists, RecordingFetcher(), Announced())

    before = await status_of(verify, credential())  # the event came first: the list decides
    await lists.apply(snapshot(2, list_credential((INDEX,))), datetime.now(UTC))
    after = await status_of(verify, credential())

    assert before["status"] == "passed"
    assert after["status"] == "failed"
    assert after["reason"] == f"revoked (bit {INDEX} set in the status list): issued in error"


async def test_this_ecosystem_s_list_without_a_snapshot_is_unknown_and_never_fetched(
    lists: InMemoryStatusLists,
) -> None:
    listed = list_credential()
    fetcher = RecordingFetcher(body=listed)  # the issuer would answer: it is not asked

    status = await status_of(handler(lists, fetcher), credential())

    assert status["status"] == "warning"
    assert status["conclusive"] is False
    assert "no snapshot of this ecosystem's status list" in status["reason"]
    assert fetcher.urls == []


async def test_a_list_at_a_location_this_ecosystem_publishes_at_is_never_fetched(
    lists: InMemoryStatusLists,
) -> None:
    """Even for an issuer whose keys are not (yet) known: the URL says whose list it is."""
    await lists.apply(snapshot(1, list_credential()), datetime.now(UTC))
    other = Ed25519Multikey.generate()
    fetcher = RecordingFetcher(body=list_credential(issuer=other.controller, key=other))

    status = await status_of(
        handler(lists, fetcher), credential(list_url=f"{LISTS}/rvu.revocation.2", key=other)
    )

    assert status["conclusive"] is False
    assert fetcher.urls == []


async def test_another_issuer_s_list_is_still_fetched(lists: InMemoryStatusLists) -> None:
    other = Ed25519Multikey.generate()
    elsewhere = "https://status.other.example/lists/3"
    fetcher = RecordingFetcher(
        body=list_credential((INDEX,), list_url=elsewhere, issuer=other.controller, key=other)
    )

    status = await status_of(handler(lists, fetcher), credential(list_url=elsewhere, key=other))

    assert fetcher.urls == [elsewhere]
    assert status["status"] == "failed"
    assert status["data"]["source"] == f"fetched {elsewhere}"


async def test_a_snapshot_not_signed_by_the_credential_s_issuer_is_not_believed(
    lists: InMemoryStatusLists,
) -> None:
    """A list naming the issuer but signed by someone else's key says nothing."""
    forger = Ed25519Multikey.generate()
    await lists.apply(snapshot(1, list_credential(issuer=DID, key=forger)), datetime.now(UTC))

    status = await status_of(handler(lists, RecordingFetcher()), credential())

    assert status["conclusive"] is False
    assert f"signed by {forger.controller}" in status["reason"]


async def test_a_snapshot_signed_after_its_key_was_revoked_is_not_believed(
    lists: InMemoryStatusLists,
) -> None:
    revoked = KeysOnly(revoked_at=SIGNED_AT - timedelta(hours=1))
    await lists.apply(snapshot(1, list_credential()), datetime.now(UTC))

    status = await status_of(handler(lists, RecordingFetcher(), revoked), credential())

    assert status["conclusive"] is False
    assert f"signed by {KEY.id} when it was not valid" in status["reason"]


def test_a_snapshot_must_be_filed_under_the_url_its_issuer_signed() -> None:
    document = list_credential()
    with pytest.raises(ValidationError, match="list_url"):
        StatusListPublishedV1.model_validate(
            {**snapshot(1, document).model_dump(), "list_url": f"{LISTS}/rvu.revocation.9"}
        )
