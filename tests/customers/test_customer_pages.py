"""The customer list and search, the customer page, notes, consent and merging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models.audit import AuditEntry
from app.models.booking import Booking
from app.models.customer import ConsentRecord, Customer
from tests.customers.factories import BookingFactory, ConsentFactory, CustomerFactory

# --- the list -------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("manager", 200), ("staff", 200), ("chef", 403)])
def test_customer_list_by_role(as_role, world, seed, role, status):
    with seed():
        CustomerFactory(station_id=world.station.id, name="Ada Lovelace")
    response = as_role(role).get("/s/alpha/customers/")
    assert response.status_code == status
    if status == 200:
        assert b"Ada Lovelace" in response.data


def test_another_stations_user_gets_404(as_role):
    assert as_role("other_manager").get("/s/alpha/customers/").status_code == 404


def test_list_shows_only_this_stations_customers(as_role, world, seed):
    with seed():
        CustomerFactory(station_id=world.station.id, name="Ada Lovelace")
        CustomerFactory(station_id=world.other.id, name="Grace Hopper")
    html = as_role("staff").get("/s/alpha/customers/").get_data(as_text=True)
    assert "Ada Lovelace" in html and "Grace Hopper" not in html


@pytest.fixture
def people(world, seed):
    with seed():
        ada = CustomerFactory(
            station_id=world.station.id, name="Ada Lovelace", email="ada@example.com", phone="+14045550142"
        )
        grace = CustomerFactory(
            station_id=world.station.id, name="Grace Hopper", email="grace@navy.example", phone="+17705550123"
        )
        BookingFactory(customer=ada)
        BookingFactory(customer=ada, event_date=datetime.now(UTC).date() + timedelta(days=40), slot_time="12:00")
    return ada, grace


@pytest.mark.parametrize(
    "query",
    [
        "(404) 555-0142",  # what staff type, in another format than the stored +14045550142
        "404.555.0142",
        "+1 404 555 0142",
        "4045550142",
        "555-0142",  # part of a number
        "lovelace",
        "ADA@EXAMPLE",
    ],
)
def test_search_by_name_email_or_phone_in_any_format(as_role, people, query):
    html = as_role("staff").get("/s/alpha/customers/", query_string={"q": query}).get_data(as_text=True)
    assert "Ada Lovelace" in html, query
    assert "Grace Hopper" not in html, query


def test_search_without_match_says_so(as_role, people):
    html = as_role("staff").get("/s/alpha/customers/?q=nobody%25").get_data(as_text=True)
    assert "No customers match" in html and "Ada Lovelace" not in html


def test_list_shows_booking_numbers_and_display_phone(as_role, people):
    html = as_role("staff").get("/s/alpha/customers/?q=ada").get_data(as_text=True)
    assert "(404) 555-0142" in html
    assert '<td data-label="Bookings">2</td>' in html


def test_search_with_htmx_returns_the_list_fragment(as_role, people):
    client = as_role("staff")
    response = client.htmx("get", "/s/alpha/customers/?q=grace")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Grace Hopper" in html and "Ada Lovelace" not in html
    assert "HX-Request" in response.headers["Vary"]
    # The page itself searches with HTMX and pushes the URL, with a plain GET form beneath.
    page = client.get("/s/alpha/customers/").get_data(as_text=True)
    assert 'hx-push-url="true"' in page and 'method="get" action="/s/alpha/customers/"' in page
    # A history restore (back button) wants the whole page even though it is an HTMX request.
    restored = client.htmx("get", "/s/alpha/customers/?q=grace", headers={"HX-History-Restore-Request": "true"})
    assert "<html" in restored.get_data(as_text=True)


def test_list_paginates(as_role, world, seed):
    with seed():
        for n in range(30):
            CustomerFactory(station_id=world.station.id, name=f"Party {n:02d}")
    client = as_role("staff")
    first = client.get("/s/alpha/customers/").get_data(as_text=True)
    assert "Party 24" in first and "Party 25" not in first and "Page 1 of 2" in first
    second = client.htmx("get", "/s/alpha/customers/?page=2").get_data(as_text=True)
    assert "Party 25" in second and "Party 24" not in second and 'hx-target="#customer-list"' in second


def _add_customers(world, count: int) -> None:
    for _ in range(count):
        customer = CustomerFactory(station_id=world.station.id)
        BookingFactory(customer=customer)
        ConsentFactory(customer=customer)


def test_customer_list_query_count_does_not_grow_with_rows(as_role, world, seed, count_queries):
    client = as_role("staff")
    with seed():
        _add_customers(world, 3)
    with count_queries() as few:
        assert client.get("/s/alpha/customers/").status_code == 200
    with seed():
        _add_customers(world, 27)
    with count_queries() as many:
        response = client.get("/s/alpha/customers/")
    assert response.get_data(as_text=True).count("/s/alpha/customers/") >= 25
    assert few.count == many.count, "\n".join(many.statements)
    with count_queries() as fragment:
        client.htmx("get", "/s/alpha/customers/?page=2")
    assert fragment.count <= many.count


# --- the customer page ----------------------------------------------------------------


def test_customer_page(as_role, world, people, seed, dbq):
    ada, _ = people
    with seed():
        ConsentFactory(
            customer=ada,
            channel="sms",
            text="Text me offers. Reply STOP to stop.",
            source="booking.api",
            ip_address="198.51.100.23",
            recorded_at=datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
        )
        ConsentFactory(
            customer=ada,
            channel="sms",
            granted=False,
            text="STOP",
            source="sms.stop",
            ip_address=None,
            recorded_at=datetime(2026, 2, 1, 15, 0, tzinfo=UTC),
        )
    response = as_role("staff").get(f"/s/alpha/customers/{ada.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "(404) 555-0142" in html and "ada@example.com" in html
    # bookings: reference, total, balance
    refs = [b.reference for b in dbq.scalars(select(Booking).where(Booking.customer_id == ada.id))]
    assert all(ref in html for ref in refs)
    assert "$610.00" in html and "$510.00" in html
    # consent ledger: text, time (station time), source, IP
    assert "Text me offers. Reply STOP to stop." in html
    assert "Mon 05 Jan 2026, 10:00 EST" in html  # 15:00 UTC in New York
    assert "198.51.100.23" in html and "sms.stop" in html and "withdrawn" in html
    assert "No conversations with this customer yet." in html


def test_customer_page_for_roles(as_role, people):
    ada, _ = people
    assert as_role("chef").get(f"/s/alpha/customers/{ada.id}").status_code == 403
    assert as_role("other_manager").get(f"/s/alpha/customers/{ada.id}").status_code == 404


def test_customers_of_another_station_answer_404(as_role, world, seed):
    with seed():
        beta = CustomerFactory(station_id=world.other.id)
        alpha = CustomerFactory(station_id=world.station.id)
    client = as_role("owner")
    assert client.get(f"/s/alpha/customers/{beta.id}").status_code == 404
    assert client.post_form(f"/s/alpha/customers/{beta.id}/notes", {"notes": "x"}).status_code == 404
    assert client.post_form(f"/s/alpha/customers/{beta.id}/merge", {"duplicate_id": alpha.id}).status_code == 404
    assert client.post_form(f"/s/alpha/customers/{alpha.id}/merge", {"duplicate_id": beta.id}).status_code == 404
    assert client.get(f"/s/beta/customers/{beta.id}").status_code == 200


# --- notes ----------------------------------------------------------------------------


def test_notes_edit_without_htmx_redirects(as_role, people, dbq):
    ada, _ = people
    response = as_role("staff").post_form(f"/s/alpha/customers/{ada.id}/notes", {"notes": "  Prefers the patio.  "})
    assert response.status_code == 303
    assert response.location.endswith(f"/s/alpha/customers/{ada.id}")
    assert dbq.get(Customer, ada.id).notes == "Prefers the patio."
    entry = dbq.scalar(select(AuditEntry).where(AuditEntry.action == "customer.notes_changed"))
    assert entry.after == {"notes": "Prefers the patio."} and entry.actor_id is not None


def test_notes_edit_with_htmx_returns_the_fragment(as_role, people, dbq):
    ada, _ = people
    response = as_role("manager").htmx("post", f"/s/alpha/customers/{ada.id}/notes", data={"notes": "Gate 4321"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="customer-notes">') and "<html" not in html and "Gate 4321" in html
    assert "Notes saved." in response.headers["HX-Trigger"]
    assert dbq.get(Customer, ada.id).notes == "Gate 4321"


def test_notes_need_edit_permission_and_csrf(as_role, people, dbq):
    ada, _ = people
    assert as_role("chef").post_form(f"/s/alpha/customers/{ada.id}/notes", {"notes": "x"}).status_code == 403
    assert as_role("staff").post(f"/s/alpha/customers/{ada.id}/notes", data={"notes": "x"}).status_code == 400
    assert dbq.get(Customer, ada.id).notes == ""


def test_overlong_notes_are_refused(as_role, people, dbq):
    ada, _ = people
    response = as_role("staff").htmx("post", f"/s/alpha/customers/{ada.id}/notes", data={"notes": "x" * 10_001})
    assert response.status_code == 422
    assert dbq.get(Customer, ada.id).notes == ""


# --- merging --------------------------------------------------------------------------


@pytest.fixture
def twins(world, seed):
    """Ada twice: the second signed up with another email but the same phone."""
    with seed():
        keep = CustomerFactory(station_id=world.station.id, name="Ada Lovelace", email="ada@example.com", phone=None)
        dup = CustomerFactory(
            station_id=world.station.id,
            name="ada lovelace",
            email="ada.l@example.com",
            phone="+14045550142",
            notes="VIP",
        )
        kept_booking = BookingFactory(customer=keep)
        moved = [BookingFactory(customer=dup, slot_time="12:00"), BookingFactory(customer=dup, slot_time="15:00")]
        ConsentFactory(customer=dup, channel="sms", text="Texts OK")
    return keep, dup, kept_booking, moved


def test_likely_duplicates_offer_a_merge_to_managers(as_role, twins):
    keep, dup, _, _ = twins
    html = as_role("manager").get(f"/s/alpha/customers/{keep.id}").get_data(as_text=True)
    assert "Likely duplicates" in html and f'name="duplicate_id" value="{dup.id}"' in html
    assert 'data-confirm="Merge ada lovelace into Ada Lovelace?' in html
    staff_html = as_role("staff").get(f"/s/alpha/customers/{keep.id}").get_data(as_text=True)
    assert "Likely duplicates" in staff_html and "duplicate_id" not in staff_html  # staff may not merge


def test_merge_moves_bookings_and_marks_the_duplicate(as_role, twins, dbq):
    keep, dup, kept_booking, moved = twins
    client = as_role("manager")
    response = client.post_form(f"/s/alpha/customers/{keep.id}/merge", {"duplicate_id": dup.id})
    assert response.status_code == 303 and response.location.endswith(f"/s/alpha/customers/{keep.id}")

    owners = {b.id: b.customer_id for b in dbq.scalars(select(Booking))}
    assert owners == {kept_booking.id: keep.id, moved[0].id: keep.id, moved[1].id: keep.id}
    assert dbq.scalar(select(ConsentRecord)).customer_id == keep.id
    kept, merged = dbq.get(Customer, keep.id), dbq.get(Customer, dup.id)
    assert merged.merged_into_id == keep.id
    assert (kept.phone, kept.notes, kept.sms_consent) == ("+14045550142", "VIP", True)
    assert dbq.scalar(select(AuditEntry).where(AuditEntry.action == "customer.merged")).after["bookings"] == 2

    # The duplicate leaves the list; its page points at the customer it joined.
    listing = client.get("/s/alpha/customers/").get_data(as_text=True)
    assert f'/s/alpha/customers/{dup.id}"' not in listing and f'/s/alpha/customers/{keep.id}"' in listing
    page = client.get(f"/s/alpha/customers/{dup.id}").get_data(as_text=True)
    assert "merged into" in page and f'href="/s/alpha/customers/{keep.id}"' in page
    assert "Merged ada lovelace" not in page and "duplicate_id" not in page

    again = client.post_form(f"/s/alpha/customers/{keep.id}/merge", {"duplicate_id": dup.id}, follow_redirects=True)
    assert "already merged" in again.get_data(as_text=True)


def test_merge_with_htmx_redirects_the_page(as_role, twins):
    keep, dup, _, _ = twins
    response = as_role("owner").htmx("post", f"/s/alpha/customers/{keep.id}/merge", data={"duplicate_id": dup.id})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith(f"/s/alpha/customers/{keep.id}")


def test_merge_keeps_the_newest_consent_decision(as_role, world, seed, dbq):
    """A STOP sent by the duplicate wins over an older opt-in of the kept customer."""
    with seed():
        keep = CustomerFactory(station_id=world.station.id, name="Ada", sms_consent=True)
        dup = CustomerFactory(station_id=world.station.id, name="Ada", sms_consent=False)
        ConsentFactory(customer=keep, channel="sms", recorded_at=datetime(2026, 1, 1, tzinfo=UTC))
        ConsentFactory(
            customer=dup, channel="sms", granted=False, text="STOP", recorded_at=datetime(2026, 3, 1, tzinfo=UTC)
        )
    as_role("manager").post_form(f"/s/alpha/customers/{keep.id}/merge", {"duplicate_id": dup.id})
    assert dbq.get(Customer, keep.id).sms_consent is False


@pytest.mark.parametrize("role", ["staff", "chef"])
def test_merge_needs_the_merge_permission(as_role, twins, dbq, role):
    keep, dup, _, _ = twins
    response = as_role(role).post_form(f"/s/alpha/customers/{keep.id}/merge", {"duplicate_id": dup.id})
    assert response.status_code == 403
    assert dbq.get(Customer, dup.id).merged_into_id is None


def test_merge_refuses_nonsense(as_role, twins, dbq):
    keep, _, _, _ = twins
    client = as_role("manager")
    same = client.post_form(f"/s/alpha/customers/{keep.id}/merge", {"duplicate_id": keep.id}, follow_redirects=True)
    assert "two different customers" in same.get_data(as_text=True)
    missing = client.post_form(f"/s/alpha/customers/{keep.id}/merge", {}, follow_redirects=True)
    assert "Choose the duplicate" in missing.get_data(as_text=True)
    assert dbq.count(Customer, Customer.merged_into_id.is_not(None)) == 0


def test_the_customer_page_lists_their_conversations_on_every_channel(as_role, world, seed):
    from app.extensions import db
    from app.models.conversation import Conversation

    with seed():
        ava = CustomerFactory(station_id=world.station.id, name="Ava")
        other = CustomerFactory(station_id=world.station.id, name="Bob")
        for channel, contact, subject in (
            ("sms", "+14045550100", ""),
            ("email", "ava@example.com", "Birthday party"),
            ("instagram", "ig-123", ""),
            ("webchat", "chat-1", ""),
        ):
            db.session.add(
                Conversation(
                    station_id=world.station.id,
                    customer_id=ava.id,
                    channel=channel,
                    contact=contact,
                    subject=subject,
                    last_preview=f"hello by {channel}",
                )
            )
        db.session.add(Conversation(station_id=world.station.id, customer_id=other.id, channel="sms", contact="+1"))

    html = as_role("staff").get(f"/s/alpha/customers/{ava.id}").get_data(as_text=True)

    section = html[html.index(">Conversations</h2>") :]
    section = section[: section.index("</section>")]
    for label in ("SMS", "Email", "Instagram", "Website chat"):
        assert f">{label}</span>" in section
    assert section.count("data-conversation=") == 4  # not Bob's
    assert "Birthday party" in section and "hello by webchat" in section
    assert 'href="/s/alpha/inbox/' in section
    assert "once the inbox is connected" not in html
