"""The dispatcher's waiting deliveries, queued per receiving origin."""

from datetime import UTC, datetime

from microcred_notifier.domain.deliveries import Delivery
from microcred_notifier.service_layer.candidates import CandidateQueue
from microcred_notifier.service_layer.ports import DueDelivery


def due(delivery_id: str, origin: str) -> DueDelivery:
    return DueDelivery(delivery_id, origin)


def stored_delivery(delivery_id: str) -> Delivery:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    return Delivery(delivery_id, "sub", "event", "credential.issued", "o", {}, now, now)


def test_a_full_origins_backlog_is_passed_over_and_kept_for_later() -> None:
    queue = CandidateQueue()
    queue.extend(due(f"dead-{n}", "dead:80") for n in range(500))
    queue.extend(due(f"live-{n}", "live:80") for n in range(3))
    room = {"dead:80": 0, "live:80": 16}

    taken = queue.take(10, room.__getitem__, lambda _: False)

    assert [c.delivery_id for c in taken] == ["live-0", "live-1", "live-2"]
    assert len(queue) == 500
    room["dead:80"] = 1
    assert [c.delivery_id for c in queue.take(10, room.__getitem__, lambda _: False)] == ["dead-0"]
    assert len(queue) == 499


def test_taking_respects_the_overall_room_and_each_origins_room_in_arrival_order() -> None:
    queue = CandidateQueue()
    queue.extend([due("a1", "a"), due("b1", "b"), due("a2", "a"), due("a3", "a"), due("b2", "b")])

    taken = queue.take(3, {"a": 2, "b": 5}.__getitem__, lambda _: False)

    assert [c.delivery_id for c in taken] == ["a1", "a2", "b1"]
    assert len(queue) == 2


def test_skipped_and_repeated_candidates_are_dropped_not_taken() -> None:
    queue = CandidateQueue()
    queue.extend([due("x", "o"), due("y", "o"), due("x", "o"), due("z", "o")])

    taken = queue.take(10, lambda _: 10, lambda c: c.delivery_id == "y")

    assert [c.delivery_id for c in taken] == ["x", "z"]
    assert len(queue) == 0


def test_a_look_at_the_store_keeps_what_was_handed_over_with_its_document() -> None:
    queue = CandidateQueue()
    handed = DueDelivery("h1", "o", stored_delivery("h1"))
    queue.extend([handed, due("old-look", "o")])

    queue.refresh([due("h1", "o"), due("new-look", "o")])

    taken = queue.take(10, lambda _: 10, lambda _: False)
    assert [(c.delivery_id, c.stored is not None) for c in taken] == [
        ("h1", True),
        ("new-look", False),
    ]
