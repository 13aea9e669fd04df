"""Reading party size, date, ZIP code and time from customers' messages (English and Spanish)."""

from __future__ import annotations

from datetime import date

import pytest

from app.ai.drafting.facts import Facts, event_date, extract, merge, party_size, time_of_day, zip_code

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, price for 12 people?", (12, None, None, None)),
        ("We'll have 20 guests", (20, None, None, None)),
        ("party of 8 next week", (8, None, None, None)),
        ("table for 6 please", (6, None, None, None)),
        ("10 adults and 4 kids", (14, 10, 4, None)),
        ("10 adults, 4 children and 2 toddlers", (16, 10, 4, 2)),
        ("12 people including 3 kids", (12, 9, 3, None)),
        ("twelve people on saturday", (12, None, None, None)),
        ("30 ppl", (30, None, None, None)),
        ("para 15 personas", (15, None, None, None)),
        ("somos 9", (9, None, None, None)),
        ("10 adultos y 4 niños", (14, 10, 4, None)),
        ("una fiesta para 20 invitados", (20, None, None, None)),
        ("grupo de 25", (25, None, None, None)),
        ("How much is it?", (None, None, None, None)),
        ("I have 2 questions", (None, None, None, None)),
        ("para el 14 de marzo", (None, None, None, None)),
        ("call me at 404 555 0100", (None, None, None, None)),
    ],
)
def test_party_size(text, expected):
    assert party_size(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Is 2027-03-14 open?", "en", date(2027, 3, 14)),
        ("what about 3/14", "en", date(2027, 3, 14)),
        ("3/14/27 for 10", "en", date(2027, 3, 14)),
        ("12/5", "en", date(2026, 12, 5)),
        ("March 14", "en", date(2027, 3, 14)),
        ("on Mar 14th, 2027", "en", date(2027, 3, 14)),
        ("the 14th of March", "en", date(2027, 3, 14)),
        ("December 1st", "en", date(2026, 12, 1)),
        ("tomorrow at 6", "en", date(2026, 11, 26)),
        ("tonight?", "en", date(2026, 11, 25)),
        ("this Friday", "en", date(2026, 11, 27)),
        ("next Saturday", "en", date(2026, 11, 28)),
        ("on Wednesday", "en", date(2026, 12, 2)),  # today is Wednesday: "on Wednesday" is the next one
        ("this Wednesday", "en", date(2026, 11, 25)),
        ("14 de marzo", "es", date(2027, 3, 14)),
        ("el 14 de marzo de 2027", "es", date(2027, 3, 14)),
        ("mañana", "es", date(2026, 11, 26)),
        ("mañana por la mañana", "es", date(2026, 11, 26)),
        ("pasado mañana", "es", date(2026, 11, 27)),
        ("el próximo sábado", "es", date(2026, 11, 28)),
        ("el sábado que viene", "es", date(2026, 11, 28)),
        ("este viernes", "es", date(2026, 11, 27)),
        ("14/3", "es", date(2027, 3, 14)),
        ("hoy", "es", date(2026, 11, 25)),
        # Unsure: None, never a guess.
        ("3/4", "es", None),
        ("March 14 or March 21?", "en", None),
        ("sometime in spring", "en", None),
        ("February 30", "en", None),
        ("in the morning", "en", None),
        ("por la mañana", "es", None),
        ("$3/14 people", "en", None),
    ],
)
def test_event_date(text, language, expected):
    assert event_date(text, TODAY, language) == expected


def test_a_passed_month_and_day_is_next_year():
    assert event_date("January 5", TODAY) == date(2027, 1, 5)
    assert event_date("November 25", TODAY) == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we're in 30313", "30313"),
        ("zip code 75201, 20 people", "75201"),
        ("código postal 30303", "30303"),
        ("budget is $10000", None),
        ("10000 dollars", None),
        ("call +14045550100", None),
        ("30313 or 30303?", None),
        ("12 people", None),
    ],
)
def test_zip_code(text, expected):
    assert zip_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 6pm", "18:00"),
        ("6:30 p.m.", "18:30"),
        ("12 pm", "12:00"),
        ("12am", "00:00"),
        ("around 18:00", "18:00"),
        ("noon", "12:00"),
        ("a las 7 de la noche", "19:00"),
        ("a las 11 de la mañana", "11:00"),
        ("a las 3 de la tarde", "15:00"),
        ("al mediodía", "12:00"),
        ("13 pm", None),
        ("for 12 people", None),
    ],
)
def test_time_of_day(text, expected):
    assert time_of_day(text) == expected


def test_extract_reads_everything_at_once():
    facts = extract("10 adults and 4 kids on March 14 at 6pm, zip 30313", TODAY)
    assert facts == Facts(
        guests=14, adults=10, children=4, event_date=date(2027, 3, 14), zip_code="30313", time_of_day="18:00"
    )
    assert facts.as_dict()["event_date"] == "2027-03-14"


def test_merge_fills_gaps_from_earlier_messages_but_keeps_the_party_whole():
    newest = extract("and the zip is 30313", TODAY)
    earlier = [extract("12 people including 3 kids", TODAY), extract("20 guests on March 14", TODAY)]
    merged = merge(newest, earlier)
    assert (merged.guests, merged.adults, merged.children) == (12, 9, 3)
    assert merged.event_date == date(2027, 3, 14)
    assert merged.zip_code == "30313"
