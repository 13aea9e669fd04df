"""Property-based run of the OpenAPI document against the app (schemathesis, WSGI).

Every documented operation is exercised with generated valid and invalid requests
(and the document's examples): no answer may be a 5xx, and every answer must match
the documented status codes, content types and response schemas. "Valid by the
schema" is not "bookable" (a random slug is no station, a random date no slot), so
the check that schema-valid data must be accepted is left out.

FUZZ_EXAMPLES (default 25 per operation) makes a bigger run by hand, e.g.
`FUZZ_EXAMPLES=400 make test PYTEST_ARGS="tests/api/test_schemathesis.py -q"` (see SECURITY.md).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from app.api.openapi import document
from app.extensions import db
from tests.api.conftest import add_chef

CONFIG = SchemathesisConfig.from_str(
    """
[checks]
positive_data_acceptance.enabled = false
"""
)
schema = schemathesis.openapi.from_dict(document(), config=CONFIG)
load_all_checks()


@pytest.fixture
def alpha_with_chefs(app, world):
    """Station alpha exists with chefs, so some generated requests get past the 404s."""
    with app.app_context():
        add_chef(world.station.id, "Kenji")
        db.session.commit()
    return world


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_document(case, app, alpha_with_chefs):
    case.call_and_validate(app=app)
