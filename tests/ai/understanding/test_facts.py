"""Reading party size, date, ZIP code, time and town from customers' messages (English, Spanish, French)."""

from __future__ import annotations

from datetime import date

import pytest

from app.ai.understanding.facts import Facts, merge, read_facts, understand
from app.ai.understanding.text import prepare
from app.stations.settings import DEFAULT_SETTINGS

TODAY = date(2026, 11, 25)  # a Wednesday


def extract(text: str, today: date = TODAY, language: str = "en") -> Facts:
    return read_facts(prepare(text, language), today, language, station_zip="30313")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Hi, price for 12 people?", "en", (12, 12, None)),
        ("We'll have 20 guests", "en", (20, 20, None)),
        ("party of 8 next week", "en", (8, 8, None)),
        ("table for 6 please", "en", (6, 6, None)),
        ("10 adults and 4 kids", "en", (14, 10, 4)),
        ("12 people including 3 kids", "en", (12, 9, 3)),
        ("twelve people on saturday", "en", (12, 12, None)),
        ("twenty-five adults", "en", (25, 25, None)),
        ("thirty-two guests", "en", (32, 32, None)),
        ("a dozen kids and 10 parents", "en", (22, 10, 12)),
        ("40 employees", "en", (40, 40, None)),
        ("8 of us", "en", (8, 8, None)),
        ("30 ppl", "en", (30, 30, None)),
        ("para 15 personas", "es", (15, 15, None)),
        ("somos 9", "es", (9, 9, None)),
        ("veinte personas", "es", (20, 20, None)),
        ("10 adultos y 4 niños", "es", (14, 10, 4)),
        ("una fiesta para 20 invitados", "es", (20, 20, None)),
        ("grupo de 25", "es", (25, 25, None)),
        ("quiero info para una fiesta el sábado", "es", (None, None, None)),
        ("vingt-cinq adultes et cinq enfants", "fr", (30, 25, 5)),
        ("une douzaine d'enfants et 8 adultes", "fr", (20, 8, 12)),
        ("16 personnes dont 6 enfants", "fr", (16, 10, 6)),
        ("How much is it?", "en", (None, None, None)),
        ("I have 2 questions", "en", (None, None, None)),
        ("para el 14 de marzo", "es", (None, None, None)),
        ("call me at 404 555 0100", "en", (None, None, None)),
        ("20-25 people", "en", (None, None, None)),
        ("can we add 5 more people?", "en", (None, None, None)),
    ],
)
def test_party_size(text, language, expected):
    facts = extract(text, language=language)
    assert (facts.guests, facts.adults, facts.children) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Is 2027-03-14 open?", "en", date(2027, 3, 14)),
        ("what about 3/14", "en", date(2027, 3, 14)),
        ("3/14/27 for 10", "en", date(2027, 3, 14)),
        ("March 14", "en", date(2027, 3, 14)),
        ("on Mar 14th, 2027", "en", date(2027, 3, 14)),
        ("the 14th of March", "en", date(2027, 3, 14)),
        ("the 14th", "en", date(2026, 12, 14)),
        ("Saturday the 28th", "en", date(2026, 11, 28)),
        ("tomorrow at 6", "en", date(2026, 11, 26)),
        ("tonight?", "en", date(2026, 11, 25)),
        ("this Friday", "en", date(2026, 11, 27)),
        ("next Saturday", "en", date(2026, 11, 28)),
        ("in two weeks", "en", date(2026, 12, 9)),
        ("Memorial Day", "en", date(2027, 5, 31)),
        ("New Year's Eve", "en", date(2026, 12, 31)),
        ("Thanksgiving", "en", date(2026, 11, 26)),
        ("the 4th of July, observed", "en", date(2027, 7, 5)),  # a Sunday in 2027: observed on Monday
        ("14 de marzo", "es", date(2027, 3, 14)),
        ("sábado 12", "es", date(2026, 12, 12)),
        ("el 30 en la noche", "es", date(2026, 11, 30)),
        ("mañana", "es", date(2026, 11, 26)),
        ("pasado mañana", "es", date(2026, 11, 27)),
        ("el próximo sábado", "es", date(2026, 11, 28)),
        ("Nochebuena", "es", date(2026, 12, 24)),
        ("14/3", "es", date(2027, 3, 14)),
        ("le 20 décembre", "fr", date(2026, 12, 20)),
        ("samedi 5 décembre", "fr", date(2026, 12, 5)),
        ("le 1er mai", "fr", date(2027, 5, 1)),
        ("la Saint-Sylvestre", "fr", date(2026, 12, 31)),
        # Unsure or contradictory: None, never a guess.
        ("3/4", "es", None),
        ("March 14 or March 21?", "en", None),
        ("sometime in spring", "en", None),
        ("February 30", "en", None),
        ("por la mañana", "es", None),
        ("Sunday the 28th", "en", None),  # the 28th is a Saturday
        ("sábado 13", "es", None),  # the 13th is a Sunday
        ("our 20th anniversary", "en", None),
        ("10/10 would book again", "en", None),
        ("the chef was late on Saturday", "en", None),
    ],
)
def test_event_date(text, language, expected):
    assert extract(text, language=language).event_date == expected


def test_a_weekday_that_contradicts_its_date_is_kept_to_ask_about():
    facts = extract("Sunday the 28th?")
    assert facts.event_date is None and facts.date_conflict == (6, date(2026, 11, 28))


def test_dates_count_from_the_day_the_message_was_written():
    assert extract("tomorrow", date(2027, 6, 11)).event_date == date(2027, 6, 12)
    assert extract("the 14th", date(2027, 2, 9)).event_date == date(2027, 2, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we're in 30313", "30313"),
        ("zip code 30601, 20 people", "30601"),
        ("código postal 30303", "30303"),
        ("budget is $10000", None),
        ("10000 dollars", None),
        ("call +14045550100", None),
        ("30313 or 30303?", None),
        ("12345 Main St", None),
        ("12 people", None),
    ],
)
def test_zip_code(text, expected):
    assert extract(text).zip_code == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("at 6pm", "en", "18:00"),
        ("6:30 p.m.", "en", "18:30"),
        ("12 pm", "en", "12:00"),
        ("around 18:00", "en", "18:00"),
        ("at 6", "en", "18:00"),
        ("7:30", "en", "19:30"),
        ("noon", "en", "12:00"),
        ("4pm... sorry 3pm", "en", "15:00"),
        ("can we move it from 3 to 6pm?", "en", "18:00"),
        ("a las 7 de la noche", "es", "19:00"),
        ("a las 11 de la mañana", "es", "11:00"),
        ("a las 3 de la tarde", "es", "15:00"),
        ("al mediodía", "es", "12:00"),
        ("à 19h", "fr", "19:00"),
        ("vers 18h30", "fr", "18:30"),
        ("à midi", "fr", "12:00"),
        ("for 12 people", "en", None),
        ("about 20 people", "en", None),
        ("a 5 star review", "en", None),
    ],
)
def test_time_of_day(text, language, expected):
    assert extract(text, language=language).time_of_day == expected


def test_an_evening_without_a_time_is_a_part_of_the_day():
    facts = extract("Saturday evening for 10 adults?")
    assert facts.time_of_day is None and facts.day_part == "evening"


def test_a_town_in_a_travel_question_is_found_in_the_stations_state():
    found = understand("do you travel to Macon? how much", TODAY, "en", station_zip="30313")
    assert found.facts.town == ("Macon", "31201") and "travel" in found.questions
    assert understand("ideal for 20 people", TODAY, "en", station_zip="30313").facts.town is None


@pytest.mark.parametrize(
    ("text", "language", "topics"),
    [
        ("How much is the filet mignon upgrade? and lobster?", "en", {"upgrade:filet_mignon", "upgrade:lobster_tail"}),
        ("do you take venmo?", "en", {"payment_methods"}),
        ("Is gratuity included?", "en", {"gratuity"}),
        ("what happens if it rains", "en", {"rain"}),
        ("¿Cuánto cuesta la langosta extra?", "es", {"upgrade:lobster_tail"}),
        ("cuanto cobran por niño", "es", {"price_child"}),
        ("Le pourboire est-il compris ?", "fr", {"gratuity"}),
        ("Quel est le montant de l'acompte ?", "fr", {"deposit"}),
    ],
)
def test_questions_are_topics_in_any_language(text, language, topics):
    menu = {
        "upgrades": [(i.key, i.label) for i in DEFAULT_SETTINGS.upgrades],
        "add_ons": [(i.key, i.label) for i in DEFAULT_SETTINGS.add_ons],
    }
    assert set(understand(text, TODAY, language, **menu).questions) >= topics


@pytest.mark.parametrize(
    ("text", "language", "adults", "children", "move"),
    [
        ("can we add 5 more people to our party?", "en", 5, 0, False),
        ("we booked for the 12th, can we add 3 kids?", "en", 0, 3, False),
        ("Podemos agregar 4 niños más?", "es", 0, 4, False),
        ("on peut rajouter 3 enfants ?", "fr", 0, 3, False),
        ("can we push our party from 3 to 6pm?", "en", 0, 0, True),
    ],
)
def test_changes_to_a_booking(text, language, adults, children, move):
    change = understand(text, TODAY, language).change
    assert change is not None
    assert (change.add_adults, change.add_children, change.move) == (adults, children, move)


def test_merge_fills_gaps_from_earlier_messages_but_keeps_the_party_whole():
    newest = extract("and the zip is 30313")
    earlier = [extract("12 people including 3 kids"), extract("20 guests on March 14")]
    merged = merge(newest, earlier)
    assert (merged.guests, merged.adults, merged.children) == (12, 9, 3)
    assert merged.event_date == date(2027, 3, 14)
    assert merged.zip_code == "30313"
