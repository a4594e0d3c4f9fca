"""The composition root: settings in, a FastAPI app with its consumers and dispatcher out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import FastAPI
from microcred_shared.logging import configure_logging
from microcred_shared.service.http import (
    install_operational_routes,
    runtime_lifespan,
)
from microcred_shared.service.runtime import Runtime, build_runtime
from opentelemetry.trace import TracerProvider
from prometheus_client import Counter, Histogram

from .adapters import mongo_deliveries, mongo_subscriptions
from .adapters.dispatch_lease import MongoDispatchLease
from .adapters.keys import SecretKeys
from .adapters.mongo_deliveries import MongoDeliveries, MongoEmailLog
from .adapters.mongo_subscriptions import MongoSubscribers, MongoSubscriptions
from .adapters.smtp import SmtpMailer
from .adapters.system import DnsResolver, SystemClock
from .adapters.webhooks import HttpWebhookSender
from .config import NotifierSettings
from .domain.deliveries import AttemptOutcome, Delivery
from .domain.retries import RetrySchedule
from .entrypoints.consumers import register_consumers
from .entrypoints.deps import NotifierApi
from .entrypoints.http import ROUTERS
from .entrypoints.problems import install_problems
from .service_layer.dispatcher import Dispatcher, DispatchLimits
from .service_layer.emails import LearnerEmails
from .service_layer.fanout import FanOut
from .service_layer.ports import AddressResolver, Mailer, WebhookSender
from .service_layer.subscriptions import SubscriptionHandlers


@dataclass
class Adapters:
    """The outside world, replaceable in tests (a fake sender, resolver or mailer)."""

    sender: WebhookSender | None = None
    resolver: AddressResolver = field(default_factory=DnsResolver)
    mailer: Mailer | None = None


@dataclass
class Notifier:
    """Everything one notifier process holds; ``app.state.notifier`` in a running app."""

    settings: NotifierSettings
    runtime: Runtime
    subscriptions: SubscriptionHandlers
    fan_out: FanOut
    dispatcher: Dispatcher
    emails: LearnerEmails
    deliveries: MongoDeliveries
    http_sender: HttpWebhookSender | None = None

    async def start(self) -> None:
        if self.settings.run_dispatcher:
            self.dispatcher.start()

    async def stop(self) -> None:
        await self.dispatcher.stop()
        if self.http_sender:
            await self.http_sender.aclose()


def build_notifier(
    settings: NotifierSettings,
    *,
    tracer_provider: TracerProvider | None = None,
    adapters: Adapters | None = None,
) -> Notifier:
    adapters = adapters or Adapters()
    runtime = build_runtime(
        settings,
        indexes=[*mongo_subscriptions.INDEXES, *mongo_deliveries.INDEXES],
        tracer_provider=tracer_provider,
    )
    database = runtime.database
    clock = SystemClock()
    keys = SecretKeys(settings.secret_encryption_key.get_secret_value())
    subscribers = MongoSubscribers(database)
    subscriptions = MongoSubscriptions(database)
    deliveries = MongoDeliveries(database)
    http_sender: HttpWebhookSender | None = None
    sender: WebhookSender
    if adapters.sender is None:
        sender = http_sender = _http_sender(settings, tracer_provider)
    else:
        sender = adapters.sender
    dispatcher = Dispatcher(
        deliveries=deliveries,
        subscriptions=subscriptions,
        keys=keys,
        sender=sender,
        resolver=adapters.resolver,
        clock=clock,
        lease=MongoDispatchLease(database),
        schedule=RetrySchedule(
            delays=settings.retry_delays_seconds,
            jitter=settings.retry_jitter,
            max_retry_after=settings.max_retry_after_seconds,
        ),
        limits=DispatchLimits(
            max_in_flight=settings.max_in_flight,
            max_in_flight_per_origin=settings.max_in_flight_per_origin,
            lease=timedelta(seconds=settings.lease_seconds),
            poll_interval_seconds=settings.dispatcher_poll_seconds,
            max_idle_seconds=settings.dispatcher_max_idle_seconds,
        ),
        allow_private_urls=settings.allow_private_webhook_urls,
        on_attempt=_attempt_metrics(runtime),
    )
    mailer = adapters.mailer or SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_start_tls,
    )
    notifier = Notifier(
        settings=settings,
        runtime=runtime,
        subscriptions=SubscriptionHandlers(
            subscribers=subscribers,
            subscriptions=subscriptions,
            deliveries=deliveries,
            keys=keys,
            resolver=adapters.resolver,
            clock=clock,
            allow_private_urls=settings.allow_private_webhook_urls,
            rotation_grace=timedelta(seconds=settings.secret_rotation_grace_seconds),
            on_new_deliveries=dispatcher.new_deliveries,
        ),
        fan_out=FanOut(subscribers, subscriptions, deliveries, clock, dispatcher.new_deliveries),
        dispatcher=dispatcher,
        emails=LearnerEmails(MongoEmailLog(database), mailer),
        deliveries=deliveries,
        http_sender=http_sender,
    )
    register_consumers(runtime, notifier.fan_out, notifier.emails)
    return notifier


def create_app(
    settings: NotifierSettings,
    *,
    tracer_provider: TracerProvider | None = None,
    adapters: Adapters | None = None,
) -> FastAPI:
    notifier = build_notifier(settings, tracer_provider=tracer_provider, adapters=adapters)
    app = FastAPI(
        title="microcred notifier",
        summary="Signed webhooks (Standard Webhooks) and learner e-mail for ecosystem events",
        version="1.0.0",
        lifespan=runtime_lifespan(notifier.runtime, notifier.start, notifier.stop),
    )
    app.state.notifier = notifier
    app.state.api = NotifierApi(notifier.subscriptions, settings.admin_token.get_secret_value())
    install_problems(app)
    install_operational_routes(app, notifier.runtime)
    for router in ROUTERS:
        app.include_router(router)
    return app


def _http_sender(
    settings: NotifierSettings, tracer_provider: TracerProvider | None
) -> HttpWebhookSender:
    return HttpWebhookSender(
        settings.request_timeout_seconds,
        settings.max_in_flight,
        tracer=tracer_provider.get_tracer("microcred.notifier") if tracer_provider else None,
    )


def _attempt_metrics(runtime: Runtime) -> Callable[[Delivery, AttemptOutcome], None]:
    attempts = Counter(
        "notifier_webhook_attempts",
        "webhook delivery attempts by outcome",
        ["outcome"],
        registry=runtime.metrics,
    )
    latency = Histogram(
        "notifier_webhook_latency_seconds",
        "time for a receiver to answer",
        registry=runtime.metrics,
    )

    def observe(_: Delivery, outcome: AttemptOutcome) -> None:
        label = "accepted" if outcome.accepted else "error" if outcome.error else "rejected"
        attempts.labels(label).inc()
        latency.observe(outcome.latency_ms / 1000)

    return observe


def configure(settings: NotifierSettings) -> None:
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
