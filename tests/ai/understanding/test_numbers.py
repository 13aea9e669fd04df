"""Numbers in words, in three languages; an article is never a count."""

from __future__ import annotations

import pytest

from app.ai.understanding.numbers import digitize


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("twenty-five adults", "en", "25 adults"),
        ("twenty five people", "en", "25 people"),
        ("thirty-two", "en", "32"),
        ("one hundred and twenty guests", "en", "120 guests"),
        ("a dozen kids", "en", "12 kids"),
        ("half a dozen kids", "en", "6 kids"),
        ("two dozen people", "en", "24 people"),
        ("3 dozen people", "en", "36 people"),
        ("one of us is vegan", "en", "one of us is vegan"),
        ("once we know, sept 18", "en", "once we know, sept 18"),
        ("veinte personas", "es", "20 personas"),
        ("veinticinco adultos", "es", "25 adultos"),
        ("treinta y dos invitados", "es", "32 invitados"),
        ("para una fiesta", "es", "para una fiesta"),
        ("una docena de ninos", "es", "12 de ninos"),
        ("ciento veinte", "es", "120"),
        ("vingt-cinq adultes", "fr", "25 adultes"),
        ("vingt et un adultes", "fr", "21 adultes"),
        ("quatre-vingts personnes", "fr", "80 personnes"),
        ("soixante-dix", "fr", "70"),
        ("quatre-vingt-douze", "fr", "92"),
        ("une quinzaine de personnes", "fr", "15 de personnes"),
        ("un adulte", "fr", "un adulte"),
    ],
)
def test_digitize(text, language, expected):
    assert digitize(text, language) == expected
