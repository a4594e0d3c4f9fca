"""Handler: e-mail a learner about a new credential (once per credential and kind), or the
wallet link they asked for (once per request)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.emails import (
    AccessLinkNotice,
    LearnerEmail,
    LearnerNotice,
    compose,
    compose_access_link,
)
from .ports import EmailLog, Mailer


@dataclass
class LearnerEmails:
    log: EmailLog
    mailer: Mailer

    async def notify(self, notice: LearnerNotice) -> bool:
        """Send the e-mail unless it was sent already; True if sent now.

        A failure to send raises, so the event is retried. Sending and marking are two steps, so
        a crash between them sends the e-mail again on redelivery: at least once, never zero.
        """
        return await self._send_once(compose(notice), notice.credential_id)

    async def send_access_link(self, notice: AccessLinkNotice) -> bool:
        """Send the asked-for wallet link unless it was sent already; True if sent now."""
        return await self._send_once(compose_access_link(notice), notice.event_id)

    async def _send_once(self, email: LearnerEmail, reference: str) -> bool:
        if not await self.log.claim(email.email_id, reference):
            return False
        await self.mailer.send(email)
        await self.log.mark_sent(email.email_id)
        return True
