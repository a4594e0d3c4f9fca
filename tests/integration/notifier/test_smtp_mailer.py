"""The SMTP mailer sends a batch of learner e-mails in one session, against a real SMTP server
(aiosmtpd): a refused e-mail fails alone, a server that is away fails them all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from microcred_notifier.adapters.smtp import SmtpMailer
from microcred_notifier.domain.emails import LearnerEmail

from stack import free_port

pytestmark = pytest.mark.integration


@dataclass
class Sink:
    """Takes every message but those to ``refused``; counts the sessions it was greeted in."""

    refused: set[str] = field(default_factory=set)
    received: list[str] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)
    greetings: int = 0

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: Any
    ) -> Any:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.extend(envelope.rcpt_tos)
        parsed = message_from_bytes(envelope.original_content or b"", policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler, port = Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def email(to: str) -> LearnerEmail:
    return LearnerEmail(email_id=f"id-{to}", to=to, subject="Your credential", body="Hello")


async def test_a_batch_goes_in_one_session_and_a_refused_email_fails_alone(
    sink: tuple[Sink, int],
) -> None:
    handler, port = sink
    handler.refused.add("gone@learners.example")
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="noreply@microcred.example")
    batch = [email("ada@learners.example"), email("gone@learners.example"), email("bo@x.example")]

    outcome = await mailer.send_many(batch)

    assert (outcome[0], outcome[2]) == (None, None)
    assert outcome[1] is not None
    assert handler.received == ["ada@learners.example", "bo@x.example"]
    assert handler.greetings == 1


async def test_when_the_server_is_away_every_email_of_the_batch_fails() -> None:
    mailer = SmtpMailer(host="127.0.0.1", port=free_port(), sender="noreply@microcred.example")

    outcome = await mailer.send_many([email("ada@learners.example"), email("bo@x.example")])

    assert len(outcome) == 2
    assert all(isinstance(failure, Exception) for failure in outcome)


async def test_any_text_arrives_as_written(sink: tuple[Sink, int]) -> None:
    handler, port = sink
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="noreply@microcred.example")
    subject = "Ihr Nachweis: Einführung in die Robotik, Grundlagen und Übungen für Anfänger"
    body = "Hallo Zoë,\n\nhttps://creds.example/wallet/open?token=abc.def-ghi\n"
    written = LearnerEmail(email_id="cred:1", to="zoe@learners.example", subject=subject, body=body)

    assert await mailer.send_many([written, email("ada@learners.example")]) == [None, None]

    german, english = handler.messages
    assert german["Subject"] == subject
    text = german.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert text.replace("\r\n", "\n") == body  # SMTP carries lines ending in CRLF
    assert german["Message-ID"] == "<cred.1@microcred.notifier>"
    assert english["Subject"] == "Your credential"
