"""The OpenAPI document and the docs page: complete, consistent with the code."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import BaseModel

from app.api import schemas as out
from app.api.openapi import REQUEST_MODELS, RESPONSE_MODELS, document
from app.pricing import PartyRequest, quote
from app.stations.settings import DEFAULT_SETTINGS
from tests.api.conftest import API

MODELS: dict[str, type[BaseModel]] = {m.__name__: m for m in (*REQUEST_MODELS, *RESPONSE_MODELS)}
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.IGNORECASE)


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_document_is_served_and_is_openapi_3_1(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc == document()
    assert doc["servers"] == [{"url": "/api/v1"}]


def test_every_api_route_is_documented(app):
    doc = document()
    documented = {
        ("/api/v1" + re.sub(r"{(\w+)}", r"<\1>", path), method.upper()) for path, method, _ in _operations(doc)
    }
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.docs_css"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_every_ref_resolves_and_schemas_come_from_the_models():
    doc = document()
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    for name in ("QuoteRequest", "BookingRequest", "LeadRequest", "ErrorResponse", "BookingCreated"):
        assert name in schemas
    booking = schemas["BookingRequest"]
    assert booking["additionalProperties"] is False
    assert {"station", "customer", "event_date", "slot", "adults"} <= set(booking["required"])
    assert booking["properties"]["customer"] == {"$ref": "#/components/schemas/CustomerIn"}


def test_every_operation_documents_its_errors_with_the_error_schema():
    for path, method, op in _operations(document()):
        assert "429" in op["responses"], (path, method)
        for status, response in op["responses"].items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


@pytest.mark.parametrize("path_method", [(p, m) for p, m, _ in _operations(document())], ids=str)
def test_examples_validate_against_their_models(path_method):
    path, method = path_method
    op = document()["paths"][path][method]
    contents = [op["requestBody"]["content"]] if "requestBody" in op else []
    contents += [r["content"] for r in op["responses"].values() if "content" in r]
    for content in contents:
        media = content.get("application/json")
        if not media or "example" not in media or "$ref" not in media["schema"]:
            continue
        model = MODELS[media["schema"]["$ref"].rsplit("/", 1)[1]]
        model.model_validate_json(json.dumps(media["example"]), strict=model in REQUEST_MODELS)


def test_the_quote_model_matches_what_pricing_produces():
    """Guards against app/pricing changing Quote.as_dict() under the API."""
    produced = quote(DEFAULT_SETTINGS, PartyRequest(adults=10, children=2)).as_dict()
    fields = set(out.QuoteOut.model_fields) - {"formatted"}
    assert set(produced) == fields
    line_fields = set(out.QuoteLineOut.model_fields) - {"amount"}
    assert set(produced["lines"][0]) == line_fields


def test_the_docs_page_lists_every_operation_without_inline_code(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert not INLINE_CODE.search(html)
    assert "cdn" not in html.lower()
    doc = document()
    for path, _method, op in _operations(doc):
        assert f'id="op-{op["operationId"]}"' in html
        assert f"/api/v1{path}" in html
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "Idempotency-Key" in html
    assert "outside_service_area" in html
    assert "&#34;station&#34;: &#34;atlanta&#34;" in html  # the examples, escaped
    css = client.get(f"{API}/docs.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
