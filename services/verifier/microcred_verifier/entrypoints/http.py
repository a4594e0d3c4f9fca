"""The verifier's HTTP surface: one router per use case (the JSON API, the employer's page),
in the order the app serves them."""

from fastapi import APIRouter

from . import http_presentations, http_verify, pages

ROUTERS: tuple[APIRouter, ...] = (
    http_verify.router,
    http_presentations.router,
    pages.router,
)
