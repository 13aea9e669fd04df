"""The booking page answers in at most 10 SQL statements, whatever the booking carries.

Staff open booking pages all day: the page loads the booking, its chefs, payments (with
who recorded them), refunds and timeline in a fixed number of statements.
"""

from __future__ import annotations

from sqlalchemy import event, select

from app.bookings import lifecycle
from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from app.models.booking import Booking
from app.models.user import User
from app.payments.services import refund
from tests.bookings.conftest import booking_request

MAX_QUERIES = 10


def _statements_for(app, client, path: str) -> tuple[list[str], str]:
    statements: list[str] = []

    def _count(conn, cursor, statement, *args):
        # The tests' own savepoints (each request in a savepoint of the test's transaction) are no page's.
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            statements.append(statement)

    engine = db._app_engines[app][None].engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    assert response.status_code == 200
    return [" ".join(statement.split())[:160] for statement in statements], response.get_data(as_text=True)


def test_booking_page_stays_within_ten_queries_with_payments_and_refunds(app, as_role, kitchen, world):
    client = as_role("manager")
    station, _ = kitchen
    with app.test_request_context():
        booking = create_booking(db.session.merge(station), booking_request(), actor=Actor.customer(), source="api")
        db.session.commit()
        booking_id = booking.id
    path = f"/s/alpha/bookings/{booking_id}"
    pending, _ = _statements_for(app, client, path)
    assert len(pending) <= MAX_QUERIES, "\n".join(pending)

    with app.test_request_context():
        booking = db.session.get(Booking, booking_id)
        manager = db.session.scalar(select(User).where(User.email == world.users["manager"].email))
        staff = Actor.user(manager)
        lifecycle.record_payment(booking, staff, amount_cents=booking.deposit_cents, method="cash")
        lifecycle.record_payment(booking, staff, amount_cents=5000, method="zelle", kind="balance")
        refund(booking, staff, amount_cents=2000, method="cash", reason="one guest fewer")
        db.session.commit()
    paid, html = _statements_for(app, client, path)
    assert len(paid) <= MAX_QUERIES, "\n".join(paid)
    assert html.count(f"by {world.users['manager'].name}") >= 2  # who recorded each payment is shown
    assert "$20.00" in html  # the refund
