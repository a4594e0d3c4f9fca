"""Handler: e-mail a learner about a new credential, once per credential and kind."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.emails import LearnerNotice, compose
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
        email = compose(notice)
        if not await self.log.claim(email.email_id, notice.credential_id):
            return False
        await self.mailer.send(email)
        await self.log.mark_sent(email.email_id)
        return True
