"""The notifier's HTTP API: one router per use case, in the order its OpenAPI document lists
them. Routes translate requests into commands for the same handlers the consumers call."""

from fastapi import APIRouter

from . import http_deliveries, http_subscribers, http_subscriptions

ROUTERS: tuple[APIRouter, ...] = (
    http_subscribers.router,
    http_subscriptions.router,
    http_deliveries.router,
)
