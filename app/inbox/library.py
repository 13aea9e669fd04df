"""What the manager keeps for replies: knowledge-base entries (FAQ, policies) and canned replies.

Canned replies take {variables}: unknown ones are left as written, so a typo shows up
in the editor instead of failing.
"""

from __future__ import annotations

import string

from app import audit
from app.errors import ValidationFailed
from app.extensions import db
from app.models.conversation import CannedReply, Conversation, KnowledgeEntry
from app.models.station import Station
from app.web.formatting import money

KNOWLEDGE_KINDS = {"faq": "FAQ", "policy": "Policy"}
VARIABLES = {
    "first_name": "the customer's first name",
    "name": "the customer's full name",
    "station_name": "this station's name",
    "station_phone": "this station's phone",
    "deposit": "the deposit amount",
    "adult_price": "the price per adult",
    "child_price": "the price per child",
    "party_minimum": "the party minimum",
}


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def variables_for(conversation: Conversation, station: Station) -> dict[str, str]:
    name = ""
    if conversation.customer is not None:
        name = conversation.customer.name
    elif conversation.lead is not None:
        name = conversation.lead.name
    name = name or conversation.contact_name
    settings = station.settings
    return {
        "first_name": name.split()[0] if name.split() else "there",
        "name": name or "there",
        "station_name": station.name,
        "station_phone": station.phone,
        "deposit": money(settings.deposit_cents, settings.currency),
        "adult_price": money(settings.adult_price_cents, settings.currency),
        "child_price": money(settings.child_price_cents, settings.currency),
        "party_minimum": money(settings.party_minimum_cents, settings.currency),
    }


def render_canned(reply: CannedReply, conversation: Conversation, station: Station) -> str:
    try:
        return string.Formatter().vformat(reply.body, (), _KeepUnknown(variables_for(conversation, station)))
    except (ValueError, IndexError, AttributeError):
        return reply.body  # stray braces: give the text back as written


def _text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise ValidationFailed(f"The {field} is required.", fields={field: "Required."})
    if len(value) > limit:
        raise ValidationFailed(f"The {field} is too long (at most {limit:,} characters).", fields={field: "Too long."})
    return value


def save_knowledge(
    station_id: int,
    *,
    kind: str,
    question: str,
    answer: str,
    is_active: bool | None = None,
    entry: KnowledgeEntry | None = None,
) -> KnowledgeEntry:
    """Add or edit an entry; `is_active` None: on for a new entry, off for an edited one."""
    if kind not in KNOWLEDGE_KINDS:
        raise ValidationFailed("Pick FAQ or Policy.", fields={"kind": "Unknown kind."})
    question = _text(question, "question", 255)
    answer = _text(answer, "answer", 4000)
    is_new = entry is None
    if entry is None:
        entry = KnowledgeEntry(station_id=station_id)
        db.session.add(entry)
    before = audit.snapshot(entry, ["kind", "question", "answer", "is_active"]) if not is_new else None
    entry.kind, entry.question, entry.answer = kind, question, answer
    entry.is_active = is_new if is_active is None else is_active
    db.session.flush()
    audit.record(
        "knowledge.created" if is_new else "knowledge.updated",
        entry,
        before=before,
        after={"kind": kind, "question": question, "answer": answer, "is_active": entry.is_active},
    )
    return entry


def save_canned(station_id: int, *, title: str, body: str, reply: CannedReply | None = None) -> CannedReply:
    title = _text(title, "title", 80)
    body = _text(body, "body", 4000)
    duplicate = db.session.scalar(
        db.select(CannedReply.id).where(CannedReply.station_id == station_id, CannedReply.title == title)
    )
    if duplicate is not None and (reply is None or duplicate != reply.id):
        raise ValidationFailed(f"There is already a canned reply named “{title}”.", fields={"title": "Taken."})
    is_new = reply is None
    if reply is None:
        reply = CannedReply(station_id=station_id)
        db.session.add(reply)
    reply.title, reply.body = title, body
    db.session.flush()
    audit.record("canned_reply.created" if is_new else "canned_reply.updated", reply, after={"title": title})
    return reply


def delete(row: KnowledgeEntry | CannedReply) -> None:
    action = "knowledge.deleted" if isinstance(row, KnowledgeEntry) else "canned_reply.deleted"
    audit.record(action, row, before={"id": row.id})
    db.session.delete(row)
    db.session.flush()
