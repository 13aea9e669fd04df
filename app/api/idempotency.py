"""`Idempotency-Key` for POST endpoints: a retried request gets the first answer again.

How it holds under concurrency: before doing any work, the request inserts its
IdempotencyRecord (unique per station, scope and key) and flushes. A second request
with the same key blocks on that unique index until the first commits or rolls
back: after a commit its insert fails, it rolls back and replays the stored answer;
after a rollback (the first request was refused) its insert goes through and it does
the work itself. The record is completed in the same transaction as the booking, so
there is never a booking without its record, nor a record without its booking.

Only successful answers are stored: a refused request writes nothing, so a retry
with the same key runs again (and may succeed once the cause is fixed). The same key
with a different body is refused with 409 `idempotency_key_reused`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.api.errors import BadRequest
from app.errors import Conflict
from app.extensions import db
from app.models.booking import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
IN_PROGRESS = 0  # status_code of a record whose request has not finished


class KeyReused(Conflict):
    code = "idempotency_key_reused"


class KeyInProgress(Conflict):
    code = "idempotency_key_in_progress"


def key_from_request() -> str | None:
    """The Idempotency-Key header, None when absent; BadRequest when malformed."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise BadRequest(
            f"{HEADER} must be 1 to 255 printable ASCII characters without spaces (a UUID is ideal).",
            fields={HEADER: "Malformed."},
            code="invalid_idempotency_key",
        )
    return key


def body_hash(body: Any) -> str:
    """Hash of the JSON body, independent of key order and whitespace."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Claim:
    """A request's claim on a key; `replay` is set when the answer already exists."""

    record: IdempotencyRecord | None = None
    replay: Response | None = None

    def complete(self, status: int, payload: dict[str, Any]) -> None:
        """Store the answer (flushed with the work; the request commits both)."""
        if self.record is not None:
            self.record.status_code = status
            self.record.response = payload
            db.session.flush()


def _find(scope: str, key: str) -> IdempotencyRecord | None:
    # Looked up across stations: a key names one request, whichever station it booked.
    return db.session.scalars(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        .order_by(IdempotencyRecord.id)
        .limit(1)
    ).first()


def _answer(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise KeyReused(
            f"This {HEADER} was already used with a different request body. Use a new key for a new request.",
            fields={HEADER: "Already used for another request."},
        )
    if record.status_code == IN_PROGRESS:
        raise KeyInProgress(
            f"A request with this {HEADER} is still being processed. Retry in a moment.",
            fields={HEADER: "In progress."},
        )
    response = jsonify(record.response)
    response.status_code = record.status_code
    response.headers["Idempotent-Replayed"] = "true"
    status_url = (record.response or {}).get("status_url")
    if status_url:
        response.headers["Location"] = status_url
    return response


def claim(scope: str, key: str | None, body: Any, *, station_id: int) -> Claim:
    """Claim `key` for this request, or the stored answer of the request that has it.

    Raises KeyReused (same key, different body) or KeyInProgress.
    """
    if key is None:
        return Claim()
    request_hash = body_hash(body)
    existing = _find(scope, key)
    if existing is not None:
        return Claim(replay=_answer(existing, request_hash))
    record = IdempotencyRecord(
        station_id=station_id,
        scope=scope,
        key=key,
        request_hash=request_hash,
        status_code=IN_PROGRESS,
        response={},
    )
    db.session.add(record)
    try:
        db.session.flush()  # blocks while a concurrent request holds the same key
    except IntegrityError:
        # That request committed first: nothing of ours is written yet, start over.
        db.session.rollback()
        winner = _find(scope, key)
        if winner is None:  # removed again in between: let the client retry
            raise KeyInProgress(
                f"A request with this {HEADER} is still being processed. Retry in a moment.",
                fields={HEADER: "In progress."},
            ) from None
        return Claim(replay=_answer(winner, request_hash))
    return Claim(record=record)
