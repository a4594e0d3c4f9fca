"""Issue 8: after everything else in this suite (files run in name order, so this one last),
no service log holds a development secret, an API key, a webhook secret or a private key.
Issue 13: nor an e-mail address, though the suite sent completions, poison messages and
generated inputs full of them."""

from __future__ import annotations

import re

import pytest

from microcred.ecosystem.secrets import dev_secrets
from tests.reliability.conftest import Seeded
from tests.support import EMAIL_ADDRESS

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(120)]

SECRET_SHAPES = (
    re.compile(r"whsec_[A-Za-z0-9+/=_-]{8,}"),
    re.compile(r"secretKeyMultibase"),
    re.compile(r"secret_key_multibase\W+z[1-9A-HJ-NP-Za-km-z]{20,}"),
)


async def test_no_service_log_contains_a_secret(seeded: Seeded) -> None:
    run_dir = seeded.ecosystem.run_dir
    known = set(dev_secrets(run_dir).values()) | seeded.secrets_handed_out
    logs = sorted(run_dir.glob("*.log"))
    leaks: list[str] = []
    scanned = 0
    for log in logs:
        text = log.read_text(errors="replace")
        scanned += len(text)
        leaks += [f"{log.name}: a known secret" for secret in known if secret in text]
        leaks += [f"{log.name}: {shape.pattern}" for shape in SECRET_SHAPES if shape.search(text)]
    print(
        f"\nsecrets in logs: {len(known)} known secrets and {len(SECRET_SHAPES)} secret shapes "
        f"searched in {len(logs)} logs ({scanned // 1024} KiB): {len(leaks)} found"
    )
    assert logs, f"no service logs in {run_dir}"
    assert len(known) >= 6
    assert leaks == []


# The local SMTP sink stands in for the learners' mailboxes: their addresses belong there.
LEARNER_MAILBOX_LOGS = frozenset({"mailsink.log"})


async def test_no_service_log_contains_an_email_address(seeded: Seeded) -> None:
    logs = [
        log
        for log in sorted(seeded.ecosystem.run_dir.glob("*.log"))
        if log.name not in LEARNER_MAILBOX_LOGS
    ]
    found = {
        f"{log.name}: {address}"
        for log in logs
        for address in EMAIL_ADDRESS.findall(log.read_text(errors="replace"))
    }
    print(f"\ne-mail addresses in {len(logs)} service logs: {len(found)} found")
    assert logs, f"no service logs in {seeded.ecosystem.run_dir}"
    assert sorted(found) == []
