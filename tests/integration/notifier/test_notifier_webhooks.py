"""The notifier on the real Kafka broker and MongoDB-wire database, calling a real receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from microcred_shared.events import Topic

from tests.integration.notifier.harness import (
    Behaviour,
    Publisher,
    Receiver,
    RunningNotifier,
    data_of,
    issued_event,
    revoked_event,
    running_notifier,
    settings_for,
)
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver().serving() as serving:
        yield serving


@pytest.fixture(scope="module")
async def notifier(infra: Any) -> AsyncIterator[RunningNotifier]:
    async with running_notifier(settings_for(infra, "webhooks")) as running:
        yield running


@pytest.fixture(scope="module")
async def publisher(notifier: RunningNotifier) -> AsyncIterator[Publisher]:
    async with Publisher(notifier.operator) as started:
        yield started


async def subscribe(
    notifier: RunningNotifier,
    receiver: Receiver,
    name: str,
    event_types: tuple[str, ...] = ("credential.issued",),
    acts_for: tuple[str, ...] = (),
    **filters: list[str],
) -> tuple[str, str]:
    """A subscriber with one subscription to ``receiver``'s ``/name``: (api key, sub id)."""
    api_key = await notifier.subscriber(name, list(acts_for))
    created = await notifier.subscribe(api_key, receiver.url(name), list(event_types), **filters)
    receiver.secrets[name] = created["secret"]
    return api_key, created["subscription_id"]


async def test_an_issued_credential_reaches_each_matching_subscription_once_signed(
    notifier: RunningNotifier, receiver: Receiver, publisher: Publisher
) -> None:
    key_a, sub_a = await subscribe(notifier, receiver, "one-a", provider_ids=["uni-north"])
    await subscribe(notifier, receiver, "one-b", isced_f_codes=["07"])
    await subscribe(notifier, receiver, "one-other", provider_ids=["vet-south"])

    event = issued_event("cred-one")
    await publisher.publish(Topic.CREDENTIALS_ISSUED, "learner-1", event)
    await publisher.publish(Topic.CREDENTIALS_ISSUED, "learner-1", event)  # redelivered
    marker = issued_event("cred-one-marker")
    await publisher.publish(Topic.CREDENTIALS_ISSUED, "learner-1", marker)

    def both_have_the_marker(accepted: dict[str, list[dict[str, Any]]]) -> bool:
        return all(len(accepted["one-" + s]) == 2 for s in ("a", "b"))

    async def probe() -> dict[str, list[dict[str, Any]]]:
        return receiver.accepted

    await eventually(probe, both_have_the_marker)
    for name in ("one-a", "one-b"):
        ids = [d["credential_id"] for d in data_of(receiver.accepted[name])]
        assert ids == ["cred-one", "cred-one-marker"]
    assert receiver.requests_to("one-other") == []
    # The redelivered event was not sent again at all (not merely deduplicated by the receiver).
    assert len(receiver.requests_to("one-a")) == len(receiver.requests_to("one-b")) == 2
    assert receiver.rejected_signatures == []
    log = await notifier.deliveries(key_a, sub_a)
    assert sorted(d["event_id"] for d in log) == sorted([event.id, marker.id])
    assert all(d["status"] == "succeeded" and len(d["attempts"]) == 1 for d in log)


async def test_a_receiver_failing_three_times_accepts_the_event_once_on_the_fourth_attempt(
    notifier: RunningNotifier, receiver: Receiver, publisher: Publisher
) -> None:
    receiver.behaviours["flaky"] = Behaviour(fail_first=3)
    api_key, subscription_id = await subscribe(notifier, receiver, "flaky")
    await publisher.publish(Topic.CREDENTIALS_ISSUED, "learner-2", issued_event("cred-flaky"))

    async def log() -> list[dict[str, Any]]:
        return await notifier.deliveries(api_key, subscription_id)

    (delivery,) = await eventually(
        log, lambda found: bool(found) and found[0]["status"] == "succeeded"
    )
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 500, 204]
    assert all(a["latency_ms"] >= 0 for a in delivery["attempts"])
    assert [d["credential_id"] for d in data_of(receiver.accepted["flaky"])] == ["cred-flaky"]
    assert {r.webhook_id for r in receiver.requests_to("flaky")} == {delivery["delivery_id"]}


async def test_a_dead_receiver_is_dead_lettered_without_holding_up_the_others(
    notifier: RunningNotifier, receiver: Receiver, publisher: Publisher
) -> None:
    receiver.behaviours["dead"] = Behaviour(hang_always=True)
    dead_key, dead_sub = await subscribe(notifier, receiver, "dead", provider_ids=["uni-dead"])
    await subscribe(notifier, receiver, "alive", provider_ids=["uni-dead"])
    for n in range(3):
        event = issued_event(f"cred-dead-{n}", provider_id="uni-dead")
        await publisher.publish(Topic.CREDENTIALS_ISSUED, "learner-3", event)

    async def alive_count() -> int:
        return len(receiver.accepted["alive"])

    await eventually(alive_count, lambda n: n == 3)
    # Everything reached the live receiver while the dead one was still holding requests open.
    assert receiver.hanging > 0

    async def dead_log() -> list[dict[str, Any]]:
        return await notifier.deliveries(dead_key, dead_sub)

    log = await eventually(
        dead_log, lambda found: len(found) == 3 and all(d["status"] == "dead" for d in found)
    )
    for delivery in log:
        assert len(delivery["attempts"]) == 4
        assert all(a["status_code"] is None and a["error"] for a in delivery["attempts"])

    # The receiver is repaired; its owner asks for one dead-lettered delivery again.
    receiver.behaviours["dead"] = Behaviour()
    chosen = log[0]["delivery_id"]
    response = await notifier.http.post(
        f"/subscriptions/{dead_sub}/deliveries/{chosen}/redeliver",
        headers={"authorization": f"Bearer {dead_key}"},
    )
    assert response.status_code == 200, response.text

    async def dead_accepted() -> int:
        return len(receiver.accepted["dead"])

    await eventually(dead_accepted, lambda n: n == 1)
    assert receiver.requests_to("dead")[-1].webhook_id == chosen


async def test_a_university_receives_only_the_events_its_subscription_asks_for(
    notifier: RunningNotifier, receiver: Receiver, publisher: Publisher
) -> None:
    # Acts for uni-filter: entitled to see its learners' references.
    await subscribe(
        notifier,
        receiver,
        "own-revocations",
        event_types=("credential.revoked",),
        acts_for=("uni-filter",),
        provider_ids=["uni-filter"],
    )
    await subscribe(
        notifier,
        receiver,
        "engineering",
        isced_f_codes=["07"],
        provider_ids=["uni-filter", "vet-filter"],
    )
    await publisher.publish(
        Topic.CREDENTIALS_ISSUED, "l", issued_event("f-eng", provider_id="uni-filter")
    )
    await publisher.publish(
        Topic.CREDENTIALS_ISSUED,
        "l",
        issued_event("f-biz", provider_id="vet-filter", isced_f_code="0413"),
    )
    await publisher.publish(Topic.CREDENTIALS_STATUS, "l", revoked_event("f-eng", "uni-filter"))
    await publisher.publish(Topic.CREDENTIALS_STATUS, "l", revoked_event("f-x", "vet-filter"))
    # Markers: once they arrive, everything published before them on the same key was handled.
    await publisher.publish(
        Topic.CREDENTIALS_ISSUED, "l", issued_event("f-end", provider_id="uni-filter")
    )
    await publisher.publish(Topic.CREDENTIALS_STATUS, "l", revoked_event("f-end", "uni-filter"))

    async def accepted() -> dict[str, list[dict[str, Any]]]:
        return receiver.accepted

    await eventually(
        accepted, lambda a: len(a["engineering"]) == 2 and len(a["own-revocations"]) == 2
    )
    assert [d["credential_id"] for d in data_of(receiver.accepted["engineering"])] == [
        "f-eng",
        "f-end",
    ]
    revocations = data_of(receiver.accepted["own-revocations"])
    assert [d["credential_id"] for d in revocations] == ["f-eng", "f-end"]
    assert [p["type"] for p in receiver.accepted["own-revocations"]] == ["credential.revoked"] * 2
    # The awarding provider's account sees the learner; a university filtering by field does not.
    assert revocations[0]["learner_ref"] == "sha256$learner-1"
    assert "learner_ref" not in data_of(receiver.accepted["engineering"])[0]


async def test_the_api_refuses_strangers_and_hides_other_subscribers_subscriptions(
    notifier: RunningNotifier, receiver: Receiver
) -> None:
    owner_key, subscription_id = await subscribe(notifier, receiver, "private")
    stranger_key = await notifier.subscriber("stranger")
    anonymous = await notifier.http.get("/subscriptions")
    wrong_admin = await notifier.http.post(
        "/admin/subscribers",
        json={"name": "x", "kind": "partner"},
        headers={"authorization": "Bearer nope"},
    )
    as_stranger = await notifier.http.get(
        f"/subscriptions/{subscription_id}", headers={"authorization": f"Bearer {stranger_key}"}
    )
    as_owner = await notifier.http.get(
        f"/subscriptions/{subscription_id}", headers={"authorization": f"Bearer {owner_key}"}
    )
    assert (anonymous.status_code, wrong_admin.status_code) == (401, 401)
    assert as_stranger.status_code == 404
    assert as_owner.status_code == 200
    assert "secret" not in as_owner.json()
