"""Schemathesis on the newsletter endpoint, from the OpenAPI document plus this area's
paths (the same merge app/api/openapi.py does once wired): never a 5xx, always the
documented statuses and bodies, nothing half-written."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from pydantic.json_schema import models_json_schema
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from app.api import openapi
from app.api.openapi import document
from app.newsletter import openapi as newsletter

CONFIG = SchemathesisConfig.from_str(
    """
[checks]
positive_data_acceptance.enabled = false
"""
)


def newsletter_document() -> dict:
    spec = document()
    if "/newsletter/subscriptions" not in spec["paths"]:
        spec["paths"].update(newsletter.paths(openapi._body, openapi._ok, openapi._errors))
        models = [(m, "validation") for m in newsletter.REQUEST_MODELS] + [
            (m, "serialization") for m in newsletter.RESPONSE_MODELS
        ]
        _, top = models_json_schema(models, ref_template=openapi.REF)
        spec["components"]["schemas"].update(top["$defs"])
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
