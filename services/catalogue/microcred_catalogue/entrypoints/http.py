"""The catalogue's HTTP surface: one router per use case, in the order its OpenAPI document
lists them (the pages last). Routes translate requests into commands for the same handlers the
consumers call; refusals become problem details in ``problems.py``."""

from fastapi import APIRouter
from microcred_shared.service import stylesheet

from . import (
    dashboard_pages,
    http_courses,
    http_endorsements,
    http_kafka,
    http_partners,
    http_pathways,
    http_providers,
    http_stats,
    pages,
)

ROUTERS: tuple[APIRouter, ...] = (
    http_providers.router,
    http_partners.router,
    http_kafka.router,
    http_courses.router,
    http_endorsements.router,
    http_pathways.router,
    http_stats.router,
    pages.router,
    stylesheet.router,
    dashboard_pages.router,
)
