"""The e-mail a learner gets when a credential is issued to them or a stacked one is awarded."""

from __future__ import annotations

from dataclasses import dataclass
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
