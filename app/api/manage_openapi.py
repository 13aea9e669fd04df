"""The customer's booking actions in the OpenAPI document (app/api/manage.py), merged in by
app/api/openapi.py like the areas' parts (REQUEST_MODELS, RESPONSE_MODELS, TAG, paths)."""

from __future__ import annotations

from typing import Any

from app.api import examples
from app.api import schemas as out

REQUEST_MODELS = (out.RescheduleRequest, out.GuestsRequest, out.CancelRequest)
RESPONSE_MODELS = ()
TAG = {
    "name": "manage",
    "description": (
        "The customer's own booking, under the station's policies: the same rules as the manage page "
        "(PUBLIC_BASE_URL/b/<token>). `{manage_token}` is the manage token, the last part of `manage_url`."
    ),
}

TOKEN = {
    "name": "manage_token",
    "in": "path",
    "required": True,
    "description": "The manage token: the last part of the booking's `manage_url`",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"},
    "example": examples.MANAGE_TOKEN,
}

ERRORS = {
    400: ("The body is not a JSON object (send `{}` when there is nothing to say).", "bad_request"),
    404: ("No booking has this manage token (wrong, or re-issued by the station).", "booking_not_found"),
    409: (
        "A policy refuses it; `code` names the rule: `booking_closed`, `event_started`, `free_reschedules_used`, "
        "`reschedule_notice`, `guest_count_final`, `slot_full` (taken meanwhile), `illegal_transition`.",
        "reschedule_notice",
    ),
    413: ("The body is larger than 64 KB.", "body_too_large"),
    422: (
        "Validation failed (`fields` says which): not a slot of the station, too soon or too far ahead "
        "(`slot_unavailable`), the same slot or guest count as now (`unchanged`), a count out of range.",
        "validation_failed",
    ),
    429: ("Too many requests from this IP; see Retry-After.", "rate_limited"),
}

ACTIONS = {
    "reschedule": (
        "rescheduleBooking",
        "Move the party to another slot",
        "Within the free reschedules and at least `reschedule_notice_hours` before the party; the new slot "
        "must have room (checked under the slot's lock, so two customers never get its last place).",
        "RescheduleRequest",
        {"event_date": "2027-06-12", "slot": "15:00"},
    ),
    "guests": (
        "changeBookingGuests",
        "Change the guest count",
        "Until `guest_count_final_hours` before the party; the party is priced again (the answer has the "
        "new total and balance). Toddlers and the menu stay as booked.",
        "GuestsRequest",
        {"adults": 12, "children": 3},
    ),
    "cancel": (
        "cancelBooking",
        "Cancel the booking",
        "A balance paid ahead is refunded; the deposit only when cancelling `refund_cutoff_days` or more "
        "before the party. A card payment is refunded through Stripe; otherwise the station pays it back.",
        "CancelRequest",
        {"reason": "We moved the party indoors."},
    ),
}


def paths(body, ok, errors) -> dict[str, Any]:
    """The path items, built with app/api/openapi.py's helpers (_body, _ok, _errors)."""
    items = {}
    for action, (operation_id, summary, description, model, example) in ACTIONS.items():
        items[f"/bookings/{{manage_token}}/{action}"] = {
            "post": {
                "operationId": operation_id,
                "summary": summary,
                "description": description + " The answer is the booking as GET /bookings/{public_token} shows it.",
                "tags": ["manage"],
                "parameters": [TOKEN],
                "requestBody": body(model, example),
                "responses": {
                    **ok(200, "BookingStatus", "Done: the booking as it is now.", examples.booking_status()),
                    **errors(400, 404, 409, 413, 422, table=ERRORS),
                },
            }
        }
    return items
