"""Revocation and suspension: the credential's state, its event, and its status lists."""

from __future__ import annotations

from microcred_shared.events import Topic
from microcred_shared.events.contracts.credentials import CredentialStatusChangedV1
from microcred_shared.events.registry import CREDENTIAL_STATUS_CHANGED

from ..domain.errors import CredentialNotFound, Forbidden
from ..domain.free_text import refuse_personal_data
from ..domain.records import IssuedCredential, StatusAction
from ..domain.status_list import StatusPurpose
from .commands import ChangeStatus
from .keys import SOURCE
from .ports import Clock, Credentials, IssuanceMetrics, OutgoingEvent, Wake
from .status_lists import StatusLists
from .urls import IssuerUrls

PURPOSE_OF_ACTION: dict[StatusAction, StatusPurpose] = {
    "revoke": "revocation",
    "suspend": "suspension",
    "reinstate": "suspension",
}


class StatusHandlers:
    def __init__(
        self,
        *,
        credentials: Credentials,
        lists: StatusLists,
        urls: IssuerUrls,
        clock: Clock,
        wake: Wake,
        metrics: IssuanceMetrics,
    ) -> None:
        self._credentials = credentials
        self._lists = lists
        self._urls = urls
        self._clock = clock
        self._wake = wake
        self._metrics = metrics

    async def change(self, command: ChangeStatus) -> IssuedCredential:
        """Apply the change (a repeat of the current state changes nothing and says nothing)."""
        refuse_personal_data([("reason", command.reason)])
        while True:
            credential = await self._credentials.get(command.credential_id)
            if credential is None or credential.provider_id != command.acting_provider_id:
                if credential is None:
                    raise CredentialNotFound(f"no credential {command.credential_id!r}")
                raise Forbidden("a provider may change the status of its own credentials only")
            changed = credential.status_change(command.action, command.reason, self._clock.now())
            if changed is None:
                return credential
            event = self._status_event(changed, PURPOSE_OF_ACTION[command.action])
            if await self._credentials.update_status(changed, credential.status_sequence, [event]):
                self._wake()
                self._metrics.status_changed(changed.status)
                await self._lists.refresh_slot(changed.slot)
                return changed
            # A concurrent change won the race: read again and re-decide.

    async def on_status_changed(self, credential_id: str) -> None:
        """A status change was published: its bits in the lists, and the lists' snapshots,
        had a crash cut the change short."""
        await self._credentials.reconcile_status_bits(credential_id)
        credential = await self._credentials.get(credential_id)
        if credential is not None:
            await self._lists.refresh_slot(credential.slot)

    def _status_event(self, credential: IssuedCredential, purpose: StatusPurpose) -> OutgoingEvent:
        list_id = credential.slot.list_id(purpose)
        data = CredentialStatusChangedV1(
            credential_id=credential.credential_id,
            provider_id=credential.provider_id,
            achievement_id=credential.achievement_id,
            learner_ref=credential.learner_ref,
            status=credential.status,
            reason=credential.status_reason,
            status_list_credential=self._urls.status_list(list_id),
            status_list_index=credential.slot.index,
            status_purpose=purpose,
            sequence=credential.status_sequence,
            changed_at=credential.status_changed_at or self._clock.now(),
        )
        event = CREDENTIAL_STATUS_CHANGED.envelope(
            data,
            source=SOURCE,
            subject=credential.credential_id,
            event_id=f"credential-status:{credential.credential_id}:{credential.status_sequence}",
        )
        return OutgoingEvent(Topic.CREDENTIALS_STATUS, credential.credential_id, event)
