"""The retry schedule and what each attempt's outcome does to a delivery."""

from datetime import timedelta

import pytest
from microcred_notifier.domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus
from microcred_notifier.domain.retries import DEFAULT_DELAYS_SECONDS, RetrySchedule

from tests.unit.notifier.fakes import T0


def delivery() -> Delivery:
    return Delivery(
        delivery_id="msg_1",
        subscription_id="sub_1",
        event_id="evt_1",
        event_type="credential.issued",
        origin="sis.example.edu:443",
        payload={"type": "credential.issued"},
        created_at=T0,
        due_at=T0,
    )


def failed(status: int | None = 500, retry_after: float | None = None) -> AttemptOutcome:
    return AttemptOutcome(
        started_at=T0,
        latency_ms=3.0,
        status_code=status,
        error=None if status else "ConnectTimeout: timed out",
        retry_after_seconds=retry_after,
    )


def test_the_default_schedule_spreads_seven_retries_over_more_than_a_day() -> None:
    schedule = RetrySchedule(jitter=0)
    delays = [schedule.delay_after(n) for n in range(1, schedule.max_attempts)]
    assert delays == list(DEFAULT_DELAYS_SECONDS)
    assert schedule.max_attempts == 8
    assert sum(DEFAULT_DELAYS_SECONDS) > 24 * 3600


def test_the_schedule_gives_up_after_the_last_attempt() -> None:
    assert RetrySchedule(delays=(1, 2)).delay_after(3) is None


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999])
def test_jitter_keeps_each_delay_within_its_band(draw: float) -> None:
    delay = RetrySchedule(delays=(100,), jitter=0.2).delay_after(1, rng=lambda: draw)
    assert delay is not None
    assert 80 <= delay <= 120


def test_jitter_actually_varies_the_delay() -> None:
    schedule = RetrySchedule(delays=(100,), jitter=0.2)
    assert schedule.delay_after(1, rng=lambda: 0.0) != schedule.delay_after(1, rng=lambda: 1.0)


def test_a_longer_retry_after_is_honoured_but_capped() -> None:
    schedule = RetrySchedule(delays=(5, 5), jitter=0, max_retry_after=3600)
    assert schedule.delay_after(1, retry_after=120) == 120
    assert schedule.delay_after(1, retry_after=10**9) == 3600
    assert schedule.delay_after(1, retry_after=1) == 5


def test_a_2xx_answer_makes_the_delivery_succeed() -> None:
    ok = AttemptOutcome(started_at=T0, latency_ms=2.0, status_code=204)
    after = delivery().after_attempt(ok, RetrySchedule())
    assert after.status is DeliveryStatus.SUCCEEDED
    assert after.attempts[0].number == 1
    assert after.last_error is None


def test_a_failure_schedules_the_next_attempt_and_logs_the_error() -> None:
    after = delivery().after_attempt(failed(503), RetrySchedule(jitter=0))
    assert after.status is DeliveryStatus.PENDING
    assert after.due_at == T0 + timedelta(seconds=5)
    assert after.last_error == "HTTP 503"


def test_a_timeout_is_logged_as_an_error_without_status() -> None:
    after = delivery().after_attempt(failed(None), RetrySchedule(jitter=0))
    assert after.attempts[0].outcome.status_code is None
    assert after.last_error == "ConnectTimeout: timed out"


def test_410_gone_ends_the_delivery_at_once() -> None:
    after = delivery().after_attempt(failed(410), RetrySchedule())
    assert after.status is DeliveryStatus.DEAD


def test_the_last_failed_attempt_dead_letters_the_delivery() -> None:
    schedule = RetrySchedule(delays=(1, 1), jitter=0)
    current = delivery()
    for _ in range(3):
        current = current.after_attempt(failed(500), schedule)
    assert current.status is DeliveryStatus.DEAD
    assert current.attempt_count == 3


def test_a_manual_redelivery_starts_the_schedule_afresh() -> None:
    schedule = RetrySchedule(delays=(1,), jitter=0)
    dead = delivery().after_attempt(failed(), schedule).after_attempt(failed(), schedule)
    assert dead.status is DeliveryStatus.DEAD
    again = dead.redelivered(T0 + timedelta(hours=1))
    assert again.status is DeliveryStatus.PENDING
    retried = again.after_attempt(failed(), schedule)
    assert retried.status is DeliveryStatus.PENDING
    assert retried.attempt_count == 3
