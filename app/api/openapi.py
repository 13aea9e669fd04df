"""The OpenAPI 3.1 document, generated from the pydantic models that validate requests
(app/bookings/schemas.py, app/api/schemas.py) and shape responses (app/api/schemas.py).

It needs no app or database, so tests (schemathesis) can load it at import time.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from app.api import examples, manage_openapi
from app.api import schemas as out
from app.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from app.availability.services import MAX_RANGE_DAYS
from app.bookings.schemas import BookingRequest, QuoteRequest
from app.newsletter import openapi as newsletter_openapi
from app.reviews import openapi as reviews_openapi

REF = "#/components/schemas/{model}"
VERSION = "1.0.0"

# Areas with public endpoints of their own describe them in a module like this one.
AREA_DOCUMENTS = (reviews_openapi, newsletter_openapi, manage_openapi)

REQUEST_MODELS = (
    QuoteRequest,
    BookingRequest,
    out.LeadRequest,
    out.ChatMessageRequest,
    *(model for area in AREA_DOCUMENTS for model in area.REQUEST_MODELS),
)
RESPONSE_MODELS = (
    out.StationList,
    out.MenuOut,
    out.AvailabilityOut,
    out.QuoteResponse,
    out.BookingCreated,
    out.BookingStatus,
    out.LeadReceived,
    out.ChatPosted,
    out.ChatThread,
    out.ErrorResponse,
    *(model for area in AREA_DOCUMENTS for model in area.RESPONSE_MODELS),
)

DESCRIPTION = """\
JSON API for the public website: stations, menus, availability, quotes, bookings, leads and web chat.

* All money is integer cents (`*_cents`, `cents`) in the station's currency, with a
  `formatted` string for display.
* Dates (`YYYY-MM-DD`) and slot times (`HH:MM`) are local to the station's `timezone`;
  `starts_at` and `*_at` fields are UTC instants.
* Errors always answer `{"error": {"code", "message", "fields"}}`; `fields` maps a dotted
  path of the request (`customer.email`) to a message.
* `POST /bookings` honours an `Idempotency-Key` header: a retry with the same key and
  body gets the first answer again (with `Idempotent-Replayed: true`) and books nothing
  twice; the same key with another body answers 409 `idempotency_key_reused`. Only
  successful answers are kept; a refused request may be retried with the same key.
* Requests are rate limited per IP; past the limit the API answers 429 with
  `Retry-After`.
* Browsers may call the API from the configured public-site origins only (CORS).
"""

ERRORS = {
    400: ("The body is not a JSON object (malformed JSON, empty body) or a header is malformed.", "bad_request"),
    404: ("Unknown station, booking or chat token.", "not_found"),
    409: (
        "The slot is full (`slot_full`), or the Idempotency-Key was used with another body "
        "(`idempotency_key_reused`) or is still being processed (`idempotency_key_in_progress`).",
        "conflict",
    ),
    413: ("The body is larger than 64 KB.", "body_too_large"),
    422: ("Validation failed; `fields` says which and why.", "validation_failed"),
    429: ("Too many requests from this IP; see Retry-After.", "rate_limited"),
}

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "Station slug, from GET /stations",
    "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,60}$"},
    "example": "atlanta",
}


def _ref(model: str) -> dict[str, str]:
    return {"$ref": REF.format(model=model)}


def _json(schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema, "example": example}}


def _errors(*statuses: int, table: dict[int, tuple[str, str]] | None = None) -> dict[str, Any]:
    """Error answers by status; an area may describe its own (`table`), 429 always applies."""
    table = {**ERRORS, **(table or {})}
    return {
        str(status): {
            "description": table[status][0],
            "content": _json(_ref("ErrorResponse"), examples.error(table[status][1])),
        }
        for status in (*statuses, 429)
    }


def _ok(status: int, model: str, description: str, example: Any, headers: dict | None = None) -> dict:
    response: dict[str, Any] = {"description": description, "content": _json(_ref(model), example)}
    if headers:
        response["headers"] = headers
    return {str(status): response}


def _body(model: str, example: Any) -> dict[str, Any]:
    return {"required": True, "content": _json(_ref(model), example)}


def _date_param(name: str, description: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": description,
        "schema": {"type": "string", "format": "date"},
        "example": example,
    }


def _meta(operation_id: str, summary: str, media_type: str, kind: str) -> dict[str, Any]:
    content = {media_type: {"schema": {"type": kind}}}
    responses = {"200": {"description": summary, "content": content}, **_errors()}
    return {"get": {"operationId": operation_id, "summary": summary, "tags": ["meta"], "responses": responses}}


def _paths() -> dict[str, Any]:
    return {
        "/stations": {
            "get": {
                "operationId": "listStations",
                "summary": "Active stations",
                "tags": ["stations"],
                "responses": {**_ok(200, "StationList", "The active stations.", examples.STATIONS), **_errors()},
            }
        },
        "/stations/{slug}/menu": {
            "get": {
                "operationId": "getMenu",
                "summary": "Menu, prices, travel rules, slot times and policies of a station",
                "tags": ["stations"],
                "parameters": [SLUG],
                "responses": {**_ok(200, "MenuOut", "The station's menu.", examples.menu()), **_errors(404)},
            }
        },
        "/stations/{slug}/availability": {
            "get": {
                "operationId": "getAvailability",
                "summary": "Slots of a date range with remaining capacity",
                "description": (
                    "Returns every slot of every day from `from` to `to` (inclusive, station-local "
                    "dates), bookable or not: `bookable` says whether it can be booked now, `reason` "
                    "why not (`too_soon`, `too_far_ahead`, `unavailable`, `full`) and `remaining` how "
                    f"many parties it can still take. At most {MAX_RANGE_DAYS} days per request; dates "
                    "must lie within about a month of today and of the booking horizon."
                ),
                "tags": ["stations"],
                "parameters": [
                    SLUG,
                    _date_param("from", "First day (station-local)", examples.DAY),
                    _date_param("to", "Last day, inclusive", examples.DAY),
                ],
                "responses": {
                    **_ok(200, "AvailabilityOut", "The slots of the range.", examples.AVAILABILITY),
                    **_errors(404, 422),
                },
            }
        },
        "/quotes": {
            "post": {
                "operationId": "createQuote",
                "summary": "Price a party",
                "description": (
                    "The breakdown (guests, upgrades, add-ons, the party minimum when it applies, "
                    "travel beyond the free miles), the deposit and the balance. With `zip_code`, "
                    "travel is priced; beyond the service radius the answer is 422 with code "
                    "`outside_service_area`."
                ),
                "tags": ["bookings"],
                "requestBody": _body("QuoteRequest", examples.QUOTE_REQUEST),
                "responses": {
                    **_ok(200, "QuoteResponse", "The quote.", examples.quote_response()),
                    **_errors(400, 404, 413, 422),
                },
            }
        },
        "/bookings": {
            "post": {
                "operationId": "createBooking",
                "summary": "Book a slot",
                "description": (
                    "Creates a booking awaiting its deposit. Marketing consent is per channel and "
                    "must carry the exact text the customer was shown; it is stored with the time "
                    "and IP. Send an `Idempotency-Key` (a UUID) so that a retry never books twice."
                ),
                "tags": ["bookings"],
                "parameters": [
                    {
                        "name": IDEMPOTENCY_HEADER,
                        "in": "header",
                        "required": False,
                        "description": "A unique key per booking attempt; retries reuse it.",
                        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
                        "example": "5f0c6a2e-8d5b-4c1e-9a57-0a4f3c2b1d10",
                    }
                ],
                "requestBody": _body("BookingRequest", examples.BOOKING_REQUEST),
                "responses": {
                    **_ok(
                        201,
                        "BookingCreated",
                        "Booked; the deposit is due by `deposit_due_at`.",
                        examples.booking_created(),
                        headers={
                            "Location": {"description": "The status URL", "schema": {"type": "string"}},
                        },
                    ),
                    **_errors(400, 404, 409, 413, 422),
                },
            }
        },
        "/bookings/{public_token}": {
            "get": {
                "operationId": "getBookingStatus",
                "summary": "A booking's status, for the customer",
                "tags": ["bookings"],
                "parameters": [
                    {
                        "name": "public_token",
                        "in": "path",
                        "required": True,
                        "description": "`public_token` from the booking answer",
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"},
                        "example": examples.TOKEN,
                    }
                ],
                "responses": {
                    **_ok(200, "BookingStatus", "The booking's status.", examples.booking_status()),
                    **_errors(404),
                },
            }
        },
        "/leads": {
            "post": {
                "operationId": "createLead",
                "summary": "Send a quote request or contact form",
                "description": (
                    "Becomes a lead of the named station (else the station nearest `zip_code`), "
                    "with the UTM/referrer attribution as first and last touch. Writing again "
                    "while a lead is open updates that lead."
                ),
                "tags": ["leads"],
                "requestBody": _body("LeadRequest", examples.LEAD_REQUEST),
                "responses": {
                    **_ok(201, "LeadReceived", "Received.", examples.LEAD_RECEIVED),
                    **_errors(400, 404, 413, 422),
                },
            }
        },
        **_chat_paths(),
        "/openapi.json": _meta("getOpenApi", "This document", "application/json", "object"),
        "/docs": _meta("getDocs", "This document as a web page", "text/html", "string"),
    }


CHAT_TOKEN = "Jm3c0QyWb1n8Xk5tq7PzLm4Vd9sEaHr2"
CHAT_MESSAGE_REQUEST = {
    "station": "atlanta",
    "name": "Grace Hopper",
    "text": "Hi! Do you cater on Sunday evenings?",
    "client_id": "m-1701234567890",
}
CHAT_MESSAGE = {"id": 812, "direction": "in", "text": CHAT_MESSAGE_REQUEST["text"], "at": "2026-11-25T18:04:05Z"}
CHAT_POSTED = {
    "token": CHAT_TOKEN,
    "message": CHAT_MESSAGE,
    "poll_url": f"https://teppan.example/api/v1/chat/{CHAT_TOKEN}/messages",
}
CHAT_THREAD = {
    "messages": [
        CHAT_MESSAGE,
        {"id": 815, "direction": "out", "text": "Yes! 18:00 is open this Sunday.", "at": "2026-11-25T18:06:40Z"},
    ],
    "poll_after_seconds": 5,
}


def _chat_paths() -> dict[str, Any]:
    return {
        "/chat/messages": {
            "post": {
                "operationId": "postChatMessage",
                "summary": "Send a visitor's chat message to a station",
                "description": (
                    "The first message (without `token`) opens a chat and answers its `token`: the chat's "
                    "only credential, to keep in the browser and send with every later message. A "
                    "`token` of another station answers 404. Give each message a `client_id` so that a "
                    "retried POST is stored once. Rate limited per IP on its own budget."
                ),
                "tags": ["chat"],
                "requestBody": _body("ChatMessageRequest", CHAT_MESSAGE_REQUEST),
                "responses": {
                    **_ok(201, "ChatPosted", "Stored; poll `poll_url` for replies.", CHAT_POSTED),
                    **_errors(400, 404, 413, 422),
                },
            }
        },
        "/chat/{token}/messages": {
            "get": {
                "operationId": "getChat",
                "summary": "A chat's messages, for polling",
                "description": (
                    "The visitor's messages and the replies the station has sent, oldest first, at most "
                    "100 after `after`. Poll again after `poll_after_seconds` with the last id seen."
                ),
                "tags": ["chat"],
                "parameters": [
                    {
                        "name": "token",
                        "in": "path",
                        "required": True,
                        "description": "`token` from POST /chat/messages",
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"},
                        "example": CHAT_TOKEN,
                    },
                    {
                        "name": "after",
                        "in": "query",
                        "required": False,
                        "description": "Only messages with a greater id (the last id seen)",
                        "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647},
                        "example": 812,
                    },
                ],
                "responses": {
                    **_ok(200, "ChatThread", "The messages.", CHAT_THREAD),
                    **_errors(404, 422),
                },
            }
        },
    }


@lru_cache(maxsize=1)
def _components() -> dict[str, Any]:
    models = [(m, "validation") for m in REQUEST_MODELS] + [(m, "serialization") for m in RESPONSE_MODELS]
    _, top = models_json_schema(models, ref_template=REF)
    return top["$defs"]


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Teppan public API", "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "tags": [
            {"name": "stations", "description": "Stations, menus and availability"},
            {"name": "bookings", "description": "Quotes, bookings and their status"},
            {"name": "leads", "description": "Quote requests and contact forms"},
            {"name": "chat", "description": "The site's chat widget: messages to a station and its replies"},
            *(area.TAG for area in AREA_DOCUMENTS),
            {"name": "meta", "description": "This documentation"},
        ],
        "paths": {
            **_paths(),
            **reviews_openapi.paths(_body, _ok, _errors),
            **newsletter_openapi.paths(_body, _ok, _errors),
            **manage_openapi.paths(_body, _ok, _errors),
        },
        "components": {"schemas": _components()},
    }


def document() -> dict[str, Any]:
    """A fresh copy of the document (callers may change theirs)."""
    return copy.deepcopy(_document())
