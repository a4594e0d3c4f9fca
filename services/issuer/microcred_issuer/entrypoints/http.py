"""The issuer's HTTP surface: one router per use case, in the order its OpenAPI document lists
them (the pages last). Routes translate requests into commands for the same handlers the
consumers call; refusals become problem details in ``problems.py``."""

from fastapi import APIRouter
from microcred_shared.service import stylesheet

from . import (
    http_admin,
    http_clr,
    http_cohorts,
    http_completions,
    http_credentials,
    http_documents,
    http_endorsements,
    http_keys,
    http_learners,
    http_oauth,
    http_ob_api,
    http_share_links,
    pages,
    wallet,
    wallet_sharing,
)

ROUTERS: tuple[APIRouter, ...] = (
    http_cohorts.router,
    http_completions.router,
    http_credentials.router,
    http_documents.router,
    http_admin.router,
    http_keys.router,
    http_ob_api.router,
    http_oauth.router,
    http_endorsements.router,
    pages.router,
    stylesheet.router,
    http_learners.router,
    http_clr.router,
    http_share_links.router,
    wallet.router,
    wallet_sharing.router,
)
