"""The e-mails a learner gets: a credential issued or a stacked one awarded, and the link to
their wallet they asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

NoticeKind = Literal["completion", "stacked"]


@dataclass(frozen=True)
class LearnerNotice:
    credential_id: str
    kind: NoticeKind
    email: str
    achievement_name: str
    provider_name: str
    page_url: str
    learner_name: str | None = None
    wallet_url: str | None = None  # absent in notices from issuers before wallet links
    wallet_url_expires_at: datetime | None = None


@dataclass(frozen=True)
class AccessLinkNotice:
    """A learner asked for a link to their wallet; ``event_id`` makes it one e-mail."""

    event_id: str
    email: str
    wallet_url: str
    expires_at: datetime


@dataclass(frozen=True)
class LearnerEmail:
    email_id: str
    to: str
    subject: str
    body: str


def email_id_for(credential_id: str, kind: NoticeKind) -> str:
    """One e-mail per credential and kind, however often the notice is redelivered."""
    return f"{kind}:{credential_id}"


def compose(notice: LearnerNotice) -> LearnerEmail:
    greeting = f"Dear {notice.learner_name}," if notice.learner_name else "Hello,"
    if notice.kind == "stacked":
        subject = f"You have been awarded {notice.achievement_name}"
        news = (
            f"your micro-credentials now add up to {notice.achievement_name}, "
            f"awarded by {notice.provider_name}."
        )
    else:
        subject = f"Your micro-credential: {notice.achievement_name}"
        news = (
            f"{notice.provider_name} has issued you the micro-credential {notice.achievement_name}."
        )
    body = "\n".join(
        [
            greeting,
            "",
            news[0].upper() + news[1:],
            "",
            "View, download and share it here:",
            notice.page_url,
            "",
            "Anyone you share it with can verify it there, without an account.",
            *_wallet_lines(notice),
            "",
            "-- microcred",
        ]
    )
    return LearnerEmail(
        email_id=email_id_for(notice.credential_id, notice.kind),
        to=notice.email,
        subject=subject,
        body=body,
    )


def _wallet_lines(notice: LearnerNotice) -> list[str]:
    if not notice.wallet_url:
        return []
    until = (
        f" until {_moment(notice.wallet_url_expires_at)}" if notice.wallet_url_expires_at else ""
    )
    return [
        "",
        f"All your micro-credentials, with their status (this link works{until}):",
        notice.wallet_url,
    ]


def compose_access_link(notice: AccessLinkNotice) -> LearnerEmail:
    body = "\n".join(
        [
            "Hello,",
            "",
            "Here is the link to your micro-credentials you asked for:",
            notice.wallet_url,
            "",
            f"It works until {_moment(notice.expires_at)}. Keep it to yourself: whoever opens it",
            "sees your credentials.",
            "",
            "Did not ask for it? Then ignore this e-mail; nobody else received the link.",
            "",
            "-- microcred",
        ]
    )
    return LearnerEmail(
        email_id=f"access-link:{notice.event_id}",
        to=notice.email,
        subject="Your link to your micro-credentials",
        body=body,
    )


def _moment(moment: datetime) -> str:
    return moment.strftime("%d %B %Y, %H:%M UTC")
