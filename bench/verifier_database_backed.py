"""The verifier process as it was before its projections were held in memory: every read of
the projections a database query. The reference run of ``bench/verifier_live.py``."""

from __future__ import annotations

from microcred_shared.mongo import create_client
from microcred_shared.service.serve import serve
from microcred_verifier.adapters.mongo_projections import MongoProjections
from microcred_verifier.bootstrap import Adapters, configure, create_app
from microcred_verifier.config import VerifierSettings


def main() -> None:
    settings = VerifierSettings()
    configure(settings)
    client = create_client(settings.mongodb_uri.get_secret_value(), app_name="verifier-bench")
    adapters = Adapters(projections=MongoProjections(client[settings.mongodb_database]))

    def database_backed(settings: VerifierSettings, **kw: object) -> object:
        return create_app(settings, adapters=adapters, **kw)  # type: ignore[arg-type]

    serve(settings, database_backed, host=settings.http_host, port=settings.http_port)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
