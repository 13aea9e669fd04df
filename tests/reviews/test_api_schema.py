"""Schemathesis over the reviews endpoints, from their OpenAPI fragment merged into the
API document (as app/api/openapi.py merges it): never a 5xx, answers as documented."""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from app.api.openapi import document
from app.reviews import openapi as reviews_openapi

CONFIG = SchemathesisConfig.from_str(
    """
[checks]
positive_data_acceptance.enabled = false
"""
)


def merged_document() -> dict:
    """The API document: the reviews paths and models are merged into it (app/api/openapi.py)."""
    return document()


def review_paths() -> dict:
    return {path: item for path, item in document()["paths"].items() if "reviews" in path}


schema = schemathesis.openapi.from_dict(merged_document(), config=CONFIG).include(path_regex="reviews")
load_all_checks()


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_reviews_api_conforms_to_its_document(case, app, party):
    case.call_and_validate(app=app)


def test_the_fragment_names_every_reviews_route(app):
    rules = {r.rule.removeprefix("/api/v1") for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    documented = {path.replace("{slug}", "<slug>") for path in review_paths()}
    assert documented <= rules


def test_the_fragment_follows_the_documents_rules():
    """What tests/api/test_openapi.py checks of every operation, for the reviews ones."""
    doc = merged_document()
    models = {m.__name__: m for m in (*reviews_openapi.REQUEST_MODELS, *reviews_openapi.RESPONSE_MODELS)}
    for path, item in review_paths().items():
        for method, op in item.items():
            assert "429" in op["responses"], (path, method)
            contents = [op["requestBody"]["content"]] if "requestBody" in op else []
            for status, response in op["responses"].items():
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].rsplit("/", 1)[1] in doc["components"]["schemas"]
                if status.startswith("4"):
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
                else:
                    contents.append(response["content"])
            for content in contents:
                media = content["application/json"]
                model = models[media["schema"]["$ref"].rsplit("/", 1)[1]]
                model.model_validate_json(json.dumps(media["example"]), strict=model in reviews_openapi.REQUEST_MODELS)
