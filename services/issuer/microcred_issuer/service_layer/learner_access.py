"""Learner access: a learner's list of credentials answers only that learner.

A learner proves they hold the address their credentials were issued to by opening a link
e-mailed to it. The link carries a signed, expiring token naming their learner reference (the
salted identity hash in their credentials, never the address); opening it exchanges it for a
wallet session token of another purpose and its own lifetime. Either token names one learner,
and only that learner's credentials are ever listed with it.

Asking for a link answers the same whether or not the address is known here: the e-mail goes
only to the address itself, so whoever asks learns nothing. At most one link per learner per
``link_interval`` is sent, so asking cannot flood a mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from microcred_shared.access_tokens import Minted, PurposeTokens
from microcred_shared.events import Topic
from microcred_shared.events.contracts.credentials import LearnerAccessLinkV1
from microcred_shared.events.registry import LEARNER_ACCESS_LINK

from ..domain.identity import learner_from_email, normalise_email
from ..domain.records import IssuedCredential
from .commands import RequestAccessLink
from .keys import SOURCE
from .ports import AccessLinkRequests, Clock, Credentials, OutgoingEvent, Wake
from .urls import IssuerUrls

# Each purpose signs with its own derived key: a link token is no session token, and neither
# is valid anywhere else.
LINK_PURPOSE = "learner-wallet-link"
SESSION_PURPOSE = "learner-wallet-session"


@dataclass(frozen=True)
class LearnerAccessOptions:
    key: str
    link_lifetime: timedelta = timedelta(minutes=30)
    notice_link_lifetime: timedelta = timedelta(days=7)
    session_lifetime: timedelta = timedelta(minutes=60)
    link_interval: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class WalletLink:
    url: str
    expires_at: datetime


class WalletLinks:
    """The links e-mailed to learners: the one they ask for, and the one in each issuance
    e-mail (longer-lived: such an e-mail may be opened days later)."""

    def __init__(self, options: LearnerAccessOptions, urls: IssuerUrls) -> None:
        self.tokens = PurposeTokens(options.key, LINK_PURPOSE, options.link_lifetime)
        self._notice_lifetime = options.notice_link_lifetime
        self._urls = urls

    def asked_for(self, learner_ref: str, now: datetime) -> WalletLink:
        return self._link(self.tokens.mint(learner_ref, now))

    def with_notice(self, learner_ref: str, now: datetime) -> WalletLink:
        return self._link(self.tokens.mint(learner_ref, now, self._notice_lifetime))

    def _link(self, minted: Minted) -> WalletLink:
        return WalletLink(self._urls.wallet_link(minted.token), minted.expires_at)


class LearnerAccess:
    def __init__(
        self,
        *,
        credentials: Credentials,
        requests: AccessLinkRequests,
        links: WalletLinks,
        options: LearnerAccessOptions,
        salt_key: bytes,
        clock: Clock,
        wake: Wake,
    ) -> None:
        self._credentials = credentials
        self._requests = requests
        self._links = links
        self._sessions = PurposeTokens(options.key, SESSION_PURPOSE, options.session_lifetime)
        self._interval = options.link_interval
        self._salt_key = salt_key
        self._clock = clock
        self._wake = wake

    @property
    def session_lifetime(self) -> timedelta:
        return self._sessions.lifetime

    async def request_link(self, command: RequestAccessLink) -> bool:
        """Queue an e-mail with a wallet link if credentials were issued to the address and no
        link went to it in the last interval; True if one was queued now."""
        learner_ref = learner_from_email(command.email, self._salt_key).learner_ref
        if not await self._credentials.of_learner(learner_ref):
            return False
        now = self._clock.now()
        link = self._links.asked_for(learner_ref, now)
        event = access_link_event(learner_ref, normalise_email(command.email), link)
        queued = await self._requests.record(learner_ref, now, now - self._interval, [event])
        if queued:
            self._wake()
        return queued

    def open_link(self, link_token: str) -> Minted | None:
        """A wallet session for the learner an e-mailed link names; None for a link that is
        not genuine or has expired."""
        now = self._clock.now()
        grant = self._links.tokens.check(link_token, now)
        return self._sessions.mint(grant.subject, now) if grant else None

    def learner_of(self, token: str, *, sessions_only: bool = False) -> str | None:
        """The learner a wallet session token names (or, unless ``sessions_only``, an e-mailed
        link's token); None for anything else."""
        now = self._clock.now()
        grant = self._sessions.check(token, now)
        if grant is None and not sessions_only:
            grant = self._links.tokens.check(token, now)
        return grant.subject if grant else None

    async def credentials_of(self, learner_ref: str) -> list[IssuedCredential]:
        return await self._credentials.of_learner(learner_ref)


def access_link_event(learner_ref: str, email: str, link: WalletLink) -> OutgoingEvent:
    data = LearnerAccessLinkV1(email=email, wallet_url=link.url, expires_at=link.expires_at)
    event = LEARNER_ACCESS_LINK.envelope(data, source=SOURCE)
    return OutgoingEvent(Topic.CREDENTIALS_LEARNER_NOTICES, learner_ref, event)
