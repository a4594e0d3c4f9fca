"""What the endorsement check needs of each embedded endorsement's endorser, gathered like the
credential's issuer: its keys (the issuer.keys projection; an outside did:web through the safe
fetcher), its registry entry by DID, and its status lists' snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microcred_shared.crypto import DidKeyResolver, OfflineDocumentLoader

from ..domain.checks_endorsements import MAX_ENDORSEMENTS, embedded_endorsements
from ..domain.credential import issuer_id
from ..domain.knowledge import Knowledge
from ..domain.model import Freshness
from .issuer_keys import IssuerKeyGatherer
from .ports import Projections
from .status_gather import StatusGatherer


class EndorserGatherer:
    def __init__(
        self,
        projections: Projections,
        keys: IssuerKeyGatherer,
        status: StatusGatherer,
        loader: OfflineDocumentLoader | None,
    ) -> None:
        self._projections = projections
        self._keys = keys
        self._status = status
        self._loader = loader

    async def gather(
        self, document: Mapping[str, Any], keys_freshness: Freshness, providers: Freshness
    ) -> list[Knowledge]:
        """One Knowledge per embedded endorsement (the first MAX_ENDORSEMENTS), by position."""
        gathered: list[Knowledge] = []
        for item in embedded_endorsements(document)[:MAX_ENDORSEMENTS]:
            endorsement = item.document
            if not isinstance(endorsement, Mapping):
                gathered.append(Knowledge(DidKeyResolver(), keys_freshness, online=True))
                continue
            endorser = issuer_id(endorsement)
            keys = await self._keys.gather(endorsement, None, endorser)
            ours = keys.issuer_hosted_here
            gathered.append(
                Knowledge(
                    resolver=keys.resolver,
                    keys_freshness=keys_freshness,
                    loader=self._loader,
                    online=True,
                    unresolved_dids=keys.unresolved_dids,
                    provider=await self._projections.provider_by_did(endorser)
                    if endorser
                    else None,
                    providers_freshness=providers,
                    issuer_hosted_here=ours,
                    status=await self._status.evidence(endorsement, issuer_is_ours=ours),
                )
            )
        return gathered
