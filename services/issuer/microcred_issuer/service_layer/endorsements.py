"""A partner endorses an achievement or a provider (a signed OB 3.0 EndorsementCredential,
stored with its event in one write), and withdraws it (the bit in its own revocation list).

Idempotent like issuance: the endorsement's id derives from (partner, target, request), so a
request made again finds it stored and changes nothing; the steps after the store (the target's
index, the status bit, the list's snapshot) are repeated each time, which mends a crash between
them."""

from __future__ import annotations

from dataclasses import dataclass

from microcred_shared.events import Topic
from microcred_shared.events.contracts.endorsements import EndorsementV1
from microcred_shared.events.registry import ENDORSEMENT_CHANGED
from microcred_shared.openbadges import validate_endorsement_credential

from ..domain.endorsements import (
    ENDORSER_TYPE,
    Endorsement,
    EndorsementTarget,
    TargetKind,
    endorsement_credential,
    endorsement_id,
)
from ..domain.errors import (
    EndorsementNotFound,
    Forbidden,
    InvalidCredential,
    NotAnEndorser,
    ProviderNotTrusted,
    UnknownAchievement,
    UnknownProvider,
)
from ..domain.free_text import refuse_personal_data
from ..domain.model import Provider
from ..domain.status_list import status_entry
from .keys import SOURCE, KeyHandlers
from .ports import CatalogueView, Clock, KeyVault, OutgoingEvent, Signer, Wake
from .ports_endorsements import EndorsementStore
from .slots import SlotAllocator
from .status_lists import StatusLists
from .urls import IssuerUrls


@dataclass(frozen=True)
class Endorse:
    endorser_id: str  # the partner the API key authenticated
    target_kind: TargetKind
    target_id: str
    comment: str
    request_id: str = "default"  # one endorsement per partner, target and request


@dataclass(frozen=True)
class WithdrawEndorsement:
    endorsement_id: str
    endorser_id: str  # the partner the API key authenticated


@dataclass(frozen=True)
class EndorseOutcome:
    endorsement: Endorsement
    created: bool


class EndorsementHandlers:
    def __init__(
        self,
        *,
        store: EndorsementStore,
        catalogue: CatalogueView,
        keys: KeyHandlers,
        allocator: SlotAllocator,
        lists: StatusLists,
        signer: Signer,
        vault: KeyVault,
        urls: IssuerUrls,
        clock: Clock,
        wake: Wake,
    ) -> None:
        self._store = store
        self._catalogue = catalogue
        self._keys = keys
        self._allocator = allocator
        self._lists = lists
        self._signer = signer
        self._vault = vault
        self._urls = urls
        self._clock = clock
        self._wake = wake

    async def endorse(self, command: Endorse) -> EndorseOutcome:
        refuse_personal_data([("comment", command.comment)])
        endorser = await self._endorser(command.endorser_id)
        target = await self._target(endorser, command.target_kind, command.target_id)
        wanted = endorsement_id(
            endorser.provider_id, command.target_kind, command.target_id, command.request_id
        )
        existing = await self._store.get(wanted)
        if existing is not None:
            await self._store.index(existing)
            return EndorseOutcome(existing, created=False)
        endorsement = await self._sign(wanted, endorser, target, command.comment)
        created = await self._store.add(endorsement, [self._event(endorsement)])
        if created:
            self._wake()
        else:  # another request or replica stored it first: theirs is the one
            endorsement = await self._stored(wanted)
        await self._store.index(endorsement)
        return EndorseOutcome(endorsement, created=created)

    async def withdraw(self, command: WithdrawEndorsement) -> Endorsement:
        """Withdrawn: its bit set in the partner's revocation list, the list re-published."""
        while True:
            current = await self._store.get(command.endorsement_id)
            if current is None:
                raise EndorsementNotFound(f"no endorsement {command.endorsement_id!r}")
            if current.endorser_id != command.endorser_id:
                raise Forbidden("a partner withdraws its own endorsements only")
            changed = current.withdrawn(self._clock.now())
            if changed is None:
                break  # already withdrawn: finish what a crash may have cut short
            if await self._store.replace(changed, current.sequence, [self._event(changed)]):
                self._wake()
                current = changed
                break
        await self._store.index(current)
        await self._lists.refresh_slot(current.slot)
        return current

    async def _stored(self, wanted: str) -> Endorsement:
        stored = await self._store.get(wanted)
        if stored is None:
            raise RuntimeError(f"endorsement {wanted} was neither stored nor found")
        return stored

    async def get(self, endorsement_id: str) -> Endorsement | None:
        return await self._store.get(endorsement_id)

    async def of_endorser(self, endorser_id: str) -> list[Endorsement]:
        return await self._store.of_endorser(endorser_id)

    async def _endorser(self, endorser_id: str) -> Provider:
        endorser = await self._catalogue.provider(endorser_id)
        if endorser is None:
            raise UnknownProvider(f"partner {endorser_id!r} is not in the catalogue")
        if not endorser.trusted:
            raise ProviderNotTrusted(f"partner {endorser_id!r} is suspended")
        if endorser.provider_type != ENDORSER_TYPE:
            raise NotAnEndorser(
                f"{endorser_id!r} is a provider of type {endorser.provider_type!r}; only a "
                "partner company (type company) endorses"
            )
        return endorser

    async def _target(
        self, endorser: Provider, kind: TargetKind, target_id: str
    ) -> EndorsementTarget:
        if kind == "achievement":
            achievement = await self._catalogue.achievement(target_id)
            if achievement is None:
                raise UnknownAchievement(f"achievement {target_id!r} is not known")
            owner = achievement.provider_id
            url, name = self._urls.achievement(target_id), achievement.name
        else:
            provider = await self._catalogue.provider(target_id)
            if provider is None:
                raise UnknownProvider(f"provider {target_id!r} is not in the catalogue")
            keyring = await self._keys.ensure_existing(target_id)
            owner = target_id
            url, name = (keyring.did if keyring else self._urls.did(target_id)), provider.name
        if owner == endorser.provider_id:
            raise NotAnEndorser("a partner does not endorse itself or its own achievements")
        return EndorsementTarget(kind, target_id, owner, url, name)

    async def _sign(
        self, wanted: str, endorser: Provider, target: EndorsementTarget, comment: str
    ) -> Endorsement:
        keyring = await self._keys.ensure(endorser.provider_id)
        slot = await self._allocator.allocate(endorser.provider_id, wanted)
        now = self._clock.now()
        list_url = self._urls.status_list(slot.list_id("revocation"))
        unsigned = endorsement_credential(
            credential_url=self._urls.endorsement(wanted),
            endorser=endorser,
            endorser_did=keyring.did,
            target=target,
            comment=comment,
            valid_from=now,
            status_entry=status_entry(list_url, "revocation", slot.index),
        )
        signed = self._signer.sign(unsigned, self._vault.signing_key(keyring), now)
        errors = validate_endorsement_credential(signed)
        if errors:
            raise InvalidCredential("; ".join(str(error) for error in errors[:5]))
        return Endorsement(
            endorsement_id=wanted,
            endorser_id=endorser.provider_id,
            endorser_name=endorser.name,
            endorser_did=keyring.did,
            target_kind=target.kind,
            target_id=target.target_id,
            target_provider_id=target.owner_id,
            comment=comment,
            document=signed,
            slot=slot,
            issued_at=now,
        )

    def _event(self, endorsement: Endorsement) -> OutgoingEvent:
        data = EndorsementV1(
            endorsement_id=endorsement.endorsement_id,
            endorser_id=endorsement.endorser_id,
            endorser_name=endorsement.endorser_name,
            endorser_did=endorsement.endorser_did,
            target_kind=endorsement.target_kind,
            target_id=endorsement.target_id,
            target_provider_id=endorsement.target_provider_id,
            comment=endorsement.comment,
            status=endorsement.status,
            sequence=endorsement.sequence,
            credential_url=self._urls.endorsement(endorsement.endorsement_id),
            credential=endorsement.document,
            issued_at=endorsement.issued_at,
            withdrawn_at=endorsement.withdrawn_at,
        )
        event = ENDORSEMENT_CHANGED.envelope(
            data,
            source=SOURCE,
            subject=endorsement.endorsement_id,
            event_id=f"endorsement:{endorsement.endorsement_id}:{endorsement.sequence}",
        )
        return OutgoingEvent(Topic.ENDORSEMENTS, endorsement.endorsement_id, event)
