"""When to try a failed webhook delivery again: exponential backoff with jitter, over hours."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Standard Webhooks' suggested schedule after the first attempt: the gaps grow so that a receiver
# that is down for an afternoon still gets its events, without being hammered meanwhile.
DEFAULT_DELAYS_SECONDS: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)


@dataclass(frozen=True)
class RetrySchedule:
    """``delays[i]`` is the wait before attempt ``i + 2``; after the last one, give up."""

    delays: Sequence[float] = DEFAULT_DELAYS_SECONDS
    jitter: float = 0.2
    max_retry_after: float = 86_400.0

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def delay_after(
        self,
        attempt: int,
        *,
        retry_after: float | None = None,
        rng: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait after failed attempt number ``attempt`` (1-based); None: give up.

        Jitter spreads the retries of many deliveries that failed together, so a receiver coming
        back is not met by all of them at once. A receiver's ``Retry-After`` is honoured when it
        asks for longer than the schedule would wait (capped, so a bogus value cannot park a
        delivery forever).
        """
        if attempt >= self.max_attempts:
            return None
        base = self.delays[attempt - 1]
        delay = base * (1 + self.jitter * (2 * rng() - 1))
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return max(delay, 0.0)
