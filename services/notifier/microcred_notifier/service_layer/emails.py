"""Handler: e-mail a learner about a new credential (once per credential and kind), or the
wallet link they asked for (once per request)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.emails import (
    AccessLinkNotice,
    LearnerEmail,
    LearnerNotice,
    compose,
    compose_access_link,
)
from .ports import EmailLog, Mailer

Notice = LearnerNotice | AccessLinkNotice


@dataclass
class LearnerEmails:
    log: EmailLog
    mailer: Mailer

    async def notify(self, notice: LearnerNotice) -> bool:
        """Send the e-mail unless it was sent already; True if sent now.

        A failure to send raises, so the event is retried. Sending and marking are two steps, so
        a crash between them sends the e-mail again on redelivery: at least once, never zero.
        """
        return await self._one(notice)

    async def send_access_link(self, notice: AccessLinkNotice) -> bool:
        """Send the asked-for wallet link unless it was sent already; True if sent now."""
        return await self._one(notice)

    async def send_many(self, notices: Sequence[Notice]) -> list[Exception | bool]:
        """:meth:`notify` and :meth:`send_access_link` for a batch: one claim and one mark for
        all, the e-mails over one connection. Per notice: whether it was sent now, or why it
        could not be (that one alone is tried again)."""
        emails = [_email_of(notice) for notice in notices]
        claims = [
            (email.email_id, _about(notice)) for email, notice in zip(emails, notices, strict=True)
        ]
        claimed = await self.log.claim_many(claims)
        wanted: dict[str, LearnerEmail] = {}
        for email, new in zip(emails, claimed, strict=True):
            if new:  # a notice redelivered within the batch is sent once
                wanted.setdefault(email.email_id, email)
        sent = await self.mailer.send_many(list(wanted.values()))
        failures = dict(zip(wanted, sent, strict=True))
        await self.log.mark_sent_many([i for i, failure in failures.items() if failure is None])
        outcome: list[Exception | bool] = []
        for email in emails:
            failure = failures.pop(email.email_id, False)
            outcome.append(True if failure is None else failure)
        return outcome

    async def _one(self, notice: Notice) -> bool:
        (outcome,) = await self.send_many([notice])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def _email_of(notice: Notice) -> LearnerEmail:
    if isinstance(notice, AccessLinkNotice):
        return compose_access_link(notice)
    return compose(notice)


def _about(notice: Notice) -> str:
    """What the e-mail log records the e-mail is about."""
    return notice.event_id if isinstance(notice, AccessLinkNotice) else notice.credential_id
