"""Sending learner e-mail over SMTP."""

from __future__ import annotations

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

    async def send(self, email: LearnerEmail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        # A stable Message-ID lets a mail server drop the copy a redelivery might send.
        message["Message-ID"] = f"<{email.email_id.replace(':', '.')}@microcred.notifier>"
        message.set_content(email.body)
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.start_tls,
            timeout=self.timeout_seconds,
        )
