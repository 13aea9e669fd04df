"""Stages, notes, quotes, conversion and merging: the rules and what each change records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.leads import conversion, merging, services, tasks
from app.models.base import utcnow
from app.models.conversation import Conversation
from app.models.lead import Lead, LeadEvent, Task
from app.models.qr import QrCode
from app.models.station import Station
from app.models.user import User
from tests.customers.factories import BookingFactory, CustomerFactory
from tests.leads.factories import first_response_task, make_lead


@pytest.fixture
def ctx_world(app, world):
    with app.app_context():
        yield world


def _kinds(lead: Lead) -> list[str]:
    return list(db.session.scalars(select(LeadEvent.kind).where(LeadEvent.lead_id == lead.id).order_by(LeadEvent.id)))


def _user(world, who: str) -> User:
    return db.session.get(User, world.users[who].id)


def test_moving_out_of_new_is_the_first_response(ctx_world):
    lead = make_lead(ctx_world.station.id, guests=10)
    before = lead.score
    staff = _user(ctx_world, "staff")
    services.move(lead, "contacted", staff)
    assert lead.stage == "contacted" and lead.stage_changed_at is not None
    assert lead.first_response_at is not None
    task = first_response_task(lead)
    assert task.done_at is not None and task.done_by_id == staff.id
    assert _kinds(lead) == ["created", "stage"]
    assert lead.score == before + 10  # answered within the SLA
    event = db.session.scalar(select(LeadEvent).where(LeadEvent.kind == "stage", LeadEvent.lead_id == lead.id))
    assert event.data == {"from": "new", "to": "contacted"} and event.actor_id == staff.id


@pytest.mark.parametrize(
    ("stage", "reason", "field"),
    [
        ("lost", "", "lost_reason"),
        ("lost", "   ", "lost_reason"),
        ("won", "", "stage"),
        ("bogus", "", "stage"),
        ("new", "", "stage"),
    ],
)
def test_refused_moves_change_nothing(ctx_world, stage, reason, field):
    lead = make_lead(ctx_world.station.id)
    with pytest.raises(ValidationFailed) as refused:
        services.move(lead, stage, None, lost_reason=reason)
    assert field in refused.value.fields
    assert lead.stage == "new" and lead.first_response_at is None and _kinds(lead) == ["created"]


def test_lost_keeps_its_reason_until_the_lead_comes_back(ctx_world):
    lead = make_lead(ctx_world.station.id)
    services.move(lead, "lost", None, lost_reason="Budget")
    assert (lead.stage, lead.lost_reason) == ("lost", "Budget")
    services.move(lead, "nurturing", None)
    assert lead.lost_reason == ""


def test_an_outbound_reply_marks_the_first_response_and_contacted(ctx_world):
    lead = make_lead(ctx_world.station.id)
    services.record_contact(lead, None)
    assert lead.stage == "contacted" and lead.first_response_at is not None
    first = lead.first_response_at
    services.record_contact(lead, None, now=utcnow() + timedelta(hours=1))
    assert lead.first_response_at == first and lead.stage == "contacted"


def test_completing_the_first_response_task_by_hand_counts(ctx_world):
    lead = make_lead(ctx_world.station.id)
    tasks.complete_task(first_response_task(lead), _user(ctx_world, "staff"))
    assert lead.first_response_at is not None
    with pytest.raises(ValidationFailed):
        tasks.complete_task(first_response_task(lead), None)


def test_a_late_first_response_scores_less_and_overdue_tasks_show(ctx_world):
    created = utcnow() - timedelta(hours=3)
    lead = make_lead(ctx_world.station.id, now=created)
    task = first_response_task(lead)
    assert task.due_at < utcnow()  # 60 min SLA: overdue
    services.move(lead, "contacted", None)
    assert any(r["label"] == "Answered after the 60 min target" and r["points"] == 3 for r in lead.score_reasons)


def test_add_task_checks_its_fields(ctx_world):
    lead = make_lead(ctx_world.station.id)
    with pytest.raises(ValidationFailed) as refused:
        tasks.add_task(lead.station_id, title="", due_at=None, owner_id=ctx_world.users["other_manager"].id, actor=None)
    assert set(refused.value.fields) == {"title", "due_at", "owner_id"}
    task = tasks.add_task(
        lead.station_id, title="Call back", due_at=utcnow(), owner_id=ctx_world.users["staff"].id, actor=None, lead=lead
    )
    assert task.kind == "follow_up" and task.lead_id == lead.id


def test_notes_and_quotes(ctx_world):
    lead = make_lead(ctx_world.station.id)
    with pytest.raises(ValidationFailed):
        services.add_note(lead, None, "  ")
    services.add_note(lead, None, "Left a voicemail")
    priced = services.record_quote(lead, None, {"adults": "12", "children": "2"}, zip_code="30303")
    assert priced["total_cents"] == 12 * 5500 + 2 * 3000
    assert lead.quote == priced and lead.guests == 14 and lead.stage == "quoted"
    assert _kinds(lead) == ["created", "note", "quote_sent", "stage"]
    event = db.session.scalar(select(LeadEvent).where(LeadEvent.kind == "quote_sent"))
    assert event.data["total_cents"] == priced["total_cents"]
    with pytest.raises(ValidationFailed):
        services.record_quote(lead, None, {"adults": "-3"}, zip_code=None)


def test_link_booking_marks_won_and_carries_the_qr_code(ctx_world):
    qr = QrCode(station_id=ctx_world.station.id, code="truck2a", name="Truck", target_url="https://example.com/")
    db.session.add(qr)
    db.session.flush()
    lead = make_lead(ctx_world.station.id, attribution={"qr_code": "truck2a", "utm_source": "truck"})
    customer = CustomerFactory(station_id=ctx_world.station.id)
    booking = BookingFactory(customer=customer, attribution={})
    conversion.link_booking(lead, booking)
    assert booking.qr_code_id == qr.id
    assert booking.attribution == {"source": "quote_request", "qr_code": "truck2a", "utm_source": "truck"}
    assert (lead.stage, lead.booking_id, lead.customer_id, booking.lead_id) == ("won", booking.id, customer.id, lead.id)
    assert lead.first_response_at is not None and first_response_task(lead).done_at is not None
    assert _kinds(lead) == ["created", "converted", "stage"]
    conversion.link_booking(lead, booking)  # again: nothing new
    assert _kinds(lead) == ["created", "converted", "stage"]
    other_customer = CustomerFactory(station_id=ctx_world.other.id)
    with pytest.raises(ValidationFailed):
        conversion.link_booking(make_lead(ctx_world.station.id), BookingFactory(customer=other_customer))


def test_won_via_the_stage_form_needs_the_booking_first(ctx_world):
    lead = make_lead(ctx_world.station.id)
    lead.booking_id = BookingFactory(customer=CustomerFactory(station_id=ctx_world.station.id)).id
    services.move(lead, "won", None)
    assert lead.stage == "won"


def test_merge_moves_everything_to_the_kept_lead(ctx_world):
    station = db.session.get(Station, ctx_world.station.id)
    keep = make_lead(station.id, email="kim@example.com", attribution={"utm_source": "later"}, now=utcnow())
    duplicate = make_lead(
        station.id,
        email="kim@work.example",
        phone="+14045550155",
        guests=20,
        attribution={"utm_source": "first"},
        now=utcnow() - timedelta(days=2),
    )
    conversation = Conversation(station_id=station.id, channel="sms", contact="+14045550155", lead_id=duplicate.id)
    db.session.add(conversation)
    services.add_note(duplicate, None, "Called twice")
    db.session.flush()
    moved = merging.merge(keep, duplicate, _user(ctx_world, "manager"))
    assert moved["conversations"] == 1 and moved["tasks"] == 1
    assert conversation.lead_id == keep.id
    assert (duplicate.merged_into_id, duplicate.stage, duplicate.lost_reason) == (keep.id, "lost", "duplicate")
    assert keep.phone == "+14045550155" and keep.guests == 20
    assert keep.first_touch["utm_source"] == "first" and keep.last_touch["utm_source"] == "later"
    assert "note" in _kinds(keep) and "merged" in _kinds(keep)
    dup_task = db.session.scalar(select(Task).where(Task.auto_key == f"lead:{duplicate.id}:first_response"))
    assert dup_task.lead_id == keep.id and dup_task.done_at is not None  # the kept lead has its own
    with pytest.raises(ValidationFailed):
        merging.merge(keep, duplicate, None)  # already merged
    with pytest.raises(ValidationFailed):
        merging.merge(keep, keep, None)
    with pytest.raises(ValidationFailed):
        services.move(duplicate, "new", None)  # merged leads are closed


def test_likely_duplicates_share_email_or_phone(ctx_world):
    lead = make_lead(ctx_world.station.id, email="sam@example.com", phone="+14045550166")
    lost = make_lead(ctx_world.station.id, email="sam@example.com")  # the open lead matched: same lead
    assert lost.id == lead.id
    services.move(lead, "lost", None, lost_reason="Budget")
    second = make_lead(ctx_world.station.id, email="other@example.com", phone="+14045550166")
    make_lead(ctx_world.other.id, email="sam@example.com")
    assert [d.id for d in merging.likely_duplicates(second)] == [lead.id]


def test_a_booking_from_someone_with_an_open_lead_wins_it(ctx_world):
    lead = make_lead(ctx_world.station.id, email="nia@example.com", attribution={"utm_source": "flyer"})
    customer = CustomerFactory(station_id=ctx_world.station.id, email="nia@example.com")
    booking = BookingFactory(customer=customer, attribution={})
    assert conversion.link_open_lead(booking) is lead
    assert lead.stage == "won" and booking.lead_id == lead.id and booking.attribution["utm_source"] == "flyer"
    stranger = BookingFactory(customer=CustomerFactory(station_id=ctx_world.station.id))
    assert conversion.link_open_lead(stranger) is None and stranger.lead_id is None
