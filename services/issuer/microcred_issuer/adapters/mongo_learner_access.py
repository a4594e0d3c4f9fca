"""When each learner was last sent a wallet link, with the e-mail events still to publish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from microcred_shared.messaging.outbox import store_with_outbox
from microcred_shared.mongo import Document, MongoDatabase

from ..service_layer.ports import OutgoingEvent
from .outbox import entries

# One small document per learner who asked for a link, by learner_ref as `_id`: the interval
# check reads and writes it by `_id` alone (FerretDB scans for any other filter).
ACCESS_LINKS = "learner_access_links"


class MongoAccessLinkRequests:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[ACCESS_LINKS]

    async def record(
        self,
        learner_ref: str,
        at: datetime,
        quiet_since: datetime,
        events: Sequence[OutgoingEvent],
    ) -> bool:
        def quiet(stored: Document | None) -> bool:
            return stored is None or stored["last_link_at"] <= quiet_since

        # The check runs under the document's lock (store_with_outbox), so two requests at
        # once send one link.
        return await store_with_outbox(
            self._collection,
            learner_ref,
            {"$set": {"last_link_at": at}},
            entries(events),
            only_if=quiet,
            upsert=True,
        )
