"""The endorsements projection: every endorsement the issuer announced, in memory, one per
process, fed by the compacted ``endorsements`` topic (every replica reads it whole at start,
as the search projection reads ``catalogue.achievements``). It answers the achievement page,
the dashboard and the search's endorser filter without a database query per request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from microcred_shared.events.contracts.endorsements import EndorsementV1

from ..domain.endorsements import Endorsement


def endorsement_of(event: EndorsementV1) -> Endorsement:
    return Endorsement(
        endorsement_id=event.endorsement_id,
        endorser_id=event.endorser_id,
        endorser_name=event.endorser_name,
        target_kind=event.target_kind,
        target_id=event.target_id,
        target_provider_id=event.target_provider_id,
        comment=event.comment,
        status=event.status,
        sequence=event.sequence,
        credential_url=event.credential_url,
        issued_at=event.issued_at,
        withdrawn_at=event.withdrawn_at,
    )


class MemoryEndorsements:
    def __init__(self) -> None:
        self._by_id: dict[str, Endorsement] = {}
        self._by_target: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        self._by_provider: defaultdict[str, set[str]] = defaultdict(set)

    def apply(self, event: EndorsementV1) -> bool:
        """Keep the newest state of each endorsement (an older one arriving late changes
        nothing); True if it changed what is held."""
        current = self._by_id.get(event.endorsement_id)
        if current is not None and current.sequence >= event.sequence:
            return False
        endorsement = endorsement_of(event)
        self._by_id[endorsement.endorsement_id] = endorsement
        self._by_target[(endorsement.target_kind, endorsement.target_id)].add(
            endorsement.endorsement_id
        )
        for provider_id in (endorsement.endorser_id, endorsement.target_provider_id):
            self._by_provider[provider_id].add(endorsement.endorsement_id)
        return True

    def of_target(self, kind: str, target_id: str) -> list[Endorsement]:
        """Withdrawn ones too (the page says so), the newest first."""
        return self._listed(self._by_target.get((kind, target_id), ()))

    def of_provider(self, provider_id: str) -> list[Endorsement]:
        """The endorsements a provider gave (a partner) or received (it or its achievements)."""
        return self._listed(self._by_provider.get(provider_id, ()))

    def achievements_endorsed_by(self, endorser_ids: Iterable[str]) -> frozenset[str]:
        """The achievements one of these partners endorses now (withdrawn ones left out)."""
        wanted = set(endorser_ids)
        return frozenset(
            e.target_id
            for provider_id in wanted
            for e in self._listed(self._by_provider.get(provider_id, ()))
            if e.active and e.target_kind == "achievement" and e.endorser_id in wanted
        )

    def endorsers(self) -> list[tuple[str, str]]:
        """(id, name) of each partner endorsing an achievement now, by name: the browse page's
        endorser filter offers these."""
        named = {
            e.endorser_id: e.endorser_name
            for e in self._by_id.values()
            if e.active and e.target_kind == "achievement"
        }
        return sorted(named.items(), key=lambda item: (item[1].casefold(), item[0]))

    def _listed(self, ids: Iterable[str]) -> list[Endorsement]:
        found = [self._by_id[i] for i in ids]
        return sorted(found, key=lambda e: (e.issued_at, e.endorsement_id), reverse=True)
