"""A webhook receiver for the notifier benchmark, in its own process (as a university's would
be): it verifies every request with the official ``standardwebhooks`` package and notes when
each ``webhook-id`` first arrived.

    python -m bench.webhook_receiver --port 8099

``PUT /control/secret`` (body: the subscription's secret) sets the secret to verify with;
``GET /control/arrivals`` returns ``{"arrivals": {webhook_id: unix time}, "rejected": n}``.
"""

from __future__ import annotations

import argparse
import time

import uvicorn
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class Verifying:
    def __init__(self) -> None:
        self.webhook: Webhook | None = None
        self.arrivals: dict[str, float] = {}
        self.rejected = 0

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        try:
            if self.webhook is None:
                raise WebhookVerificationError("no secret yet")
            self.webhook.verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.rejected += 1
            return Response(status_code=400)
        self.arrivals.setdefault(request.headers["webhook-id"], time.time())
        return Response(status_code=204)

    async def set_secret(self, request: Request) -> Response:
        self.webhook = Webhook((await request.body()).decode())
        self.arrivals.clear()
        self.rejected = 0
        return Response(status_code=204)

    async def report(self, _: Request) -> Response:
        return JSONResponse({"arrivals": self.arrivals, "rejected": self.rejected})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    receiver = Verifying()
    app = Starlette(
        routes=[
            Route("/hook", receiver.hook, methods=["POST"]),
            Route("/control/secret", receiver.set_secret, methods=["PUT"]),
            Route("/control/arrivals", receiver.report, methods=["GET"]),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="error", access_log=False)


if __name__ == "__main__":
    main()
