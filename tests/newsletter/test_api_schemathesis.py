"""Schemathesis on the newsletter endpoint, from the OpenAPI document: never a 5xx,
always the documented statuses and bodies, nothing half-written."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from app.api.openapi import document

CONFIG = SchemathesisConfig.from_str(
    """
[checks]
positive_data_acceptance.enabled = false
"""
)


def newsletter_document() -> dict:
    """The API document, narrowed to the newsletter endpoint."""
    spec = document()
    spec["paths"] = {"/newsletter/subscriptions": spec["paths"]["/newsletter/subscriptions"]}
    return spec


schema = schemathesis.openapi.from_dict(newsletter_document(), config=CONFIG)
load_all_checks()


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_newsletter_api_conforms_to_its_document(case, app, world):
    case.call_and_validate(app=app)
