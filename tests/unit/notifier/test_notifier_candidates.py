"""The dispatcher's waiting deliveries, queued per receiving origin."""

from microcred_notifier.service_layer.candidates import CandidateQueue
from microcred_notifier.service_layer.ports import DueDelivery


def due(delivery_id: str, origin: str) -> DueDelivery:
    return DueDelivery(delivery_id, origin)


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
