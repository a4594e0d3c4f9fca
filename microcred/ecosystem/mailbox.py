"""The local mail sink's log read as a mailbox: what the demo and the tests check e-mails with,
as a learner would read them (decoded, whatever transfer encoding the notifier chose)."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

# aiosmtpd's Debugging handler writes each message between these lines.
MESSAGE = re.compile(
    r"^-{10} MESSAGE FOLLOWS -{10}\n(?:mail options:[^\n]*\n\n)?(.*?)^-{12} END MESSAGE -{12}$",
    re.S | re.M,
)
WALLET_LINK = re.compile(r"https?://\S+/wallet/open\?token=[\w.\-]+")


def messages_to(log: Path, address: str) -> list[EmailMessage]:
    """Every e-mail in the sink's log addressed to ``address``, oldest first."""
    if not log.exists():
        return []
    found = []
    for block in MESSAGE.findall(log.read_text(errors="replace")):
        message = email.message_from_string(block, policy=default)
        assert isinstance(message, EmailMessage)
        if address.lower() in str(message.get("To", "")).lower():
            found.append(message)
    return found


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if isinstance(part, EmailMessage) else ""


def wallet_links_to(log: Path, address: str, subject: str | None = None) -> list[str]:
    """The wallet links e-mailed to ``address`` (in e-mails with this subject, if given),
    oldest first."""
    return [
        link
        for message in messages_to(log, address)
        if subject is None or message.get("Subject") == subject
        for link in WALLET_LINK.findall(body_of(message))
    ]
