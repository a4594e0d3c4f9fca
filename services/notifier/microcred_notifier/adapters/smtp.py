"""Sending learner e-mail over SMTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from ..domain.emails import LearnerEmail


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    start_tls: bool = False
    timeout_seconds: float = 10.0

    async def send_many(self, emails: Sequence[LearnerEmail]) -> list[Exception | None]:
        """One SMTP session for the batch (a session per e-mail cost the notifier and the mail
        server a connection, a greeting and a goodbye each). A refused e-mail fails alone; a
        lost connection fails the ones not yet sent."""
        outcome: list[Exception | None] = []
        if not emails:
            return outcome
        try:
            async with self._session() as session:
                for email in emails:
                    try:
                        await session.send_message(self._message(email))
                        outcome.append(None)
                    except (
                        aiosmtplib.SMTPResponseException,
                        aiosmtplib.SMTPRecipientsRefused,
                    ) as refused:
                        outcome.append(refused)
        except (aiosmtplib.SMTPException, OSError) as failure:
            outcome += [failure] * (len(emails) - len(outcome))
        return outcome

    def _session(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.start_tls,
            timeout=self.timeout_seconds,
        )

    def _message(self, email: LearnerEmail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        # A stable Message-ID lets a mail server drop the copy a redelivery might send.
        message["Message-ID"] = f"<{email.email_id.replace(':', '.')}@microcred.notifier>"
        message.set_content(email.body)
        return message
