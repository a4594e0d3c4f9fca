"""A receiver that never answers costs the others nothing: theirs all arrive while its first
requests are still open, long before any of them could time out."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_shared.events import Topic

from tests.integration.notifier.harness import (
    Behaviour,
    Publisher,
    Receiver,
    issued_event,
    running_notifier,
    settings_for,
)
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

EVENTS = 60
# Far longer than the test may run: no request to the dead receiver ends while it runs, so
# how soon the live one gets everything cannot depend on the dead one's timeouts.
NEVER = 600.0


async def test_a_live_receiver_gets_every_event_while_a_dead_one_holds_its_requests_open(
    infra: Any,
) -> None:
    settings = settings_for(
        infra, "dead", request_timeout_seconds=NEVER, max_in_flight_per_origin=4
    )
    async with (
        Receiver().serving() as dead,
        Receiver().serving() as live,
        running_notifier(settings) as notifier,
        Publisher(notifier.operator) as publisher,
    ):
        dead.behaviours["hook"] = Behaviour(hang_always=True)
        for name, receiver in (("dead", dead), ("live", live)):
            api_key = await notifier.subscriber(name)
            created = await notifier.subscribe(api_key, receiver.url("hook"), ["credential.issued"])
            receiver.secrets["hook"] = created["secret"]
        for n in range(EVENTS):
            event = issued_event(f"cred-dead-receiver-{n}")
            await publisher.publish(Topic.CREDENTIALS_ISSUED, f"learner-{n}", event)

        async def live_count() -> int:
            return len(live.accepted["hook"])

        await eventually(live_count, lambda n: n == EVENTS, timeout=60)

        # The dead receiver holds its origin's few slots, and every request it got is still
        # open: nothing the live receiver got waited for one of them to end.
        assert dead.hanging == len(dead.requests) == 4
        assert live.rejected_signatures == []
