"""Sentences managers add to drafts are carried into later drafts; facts, names, promises, other languages never."""

from __future__ import annotations

from app.ai.drafting.examples import Example
from app.ai.drafting.learned import added_sentences, learned_sentences


def _example(draft: str, sent: str, name: str = "Dana Cruz", draft_id: int = 7) -> Example:
    return Example(draft_id, "How much for 12?", sent, name, 0.6, draft)


def _learned(examples, language="en", channel="sms"):
    return learned_sentences(examples, language=language, channel=channel)


def test_added_sentences_are_those_the_draft_did_not_have():
    draft = "Hi Dana! 12 guests come to $660.00. Which date works?"
    sent = "Hi Dana! 12 guests come to $660.00. Which date works? Our chefs bring everything!"
    assert added_sentences(draft, sent) == ["Our chefs bring everything!"]


def test_sentences_with_numbers_names_or_greetings_are_not_carried():
    draft = "12 guests come to $660.00."
    sent = "Hello Dana, 12 guests come to $660.00. Dana, you will love it. Deposit is $100. We bring sake too."
    assert _learned([_example(draft, sent)]) == (["We bring sake too."], 7)


def test_commitments_are_never_carried():
    draft = "12 guests come to $660.00."
    sent = (
        "12 guests come to $660.00. I'll call you this afternoon to go over the details. "
        "The gyoza are on the house. You'll get a full refund. We bring sake too."
    )
    assert _learned([_example(draft, sent)]) == (["We bring sake too."], 7)


def test_another_language_or_a_call_without_a_phone_is_not_carried():
    draft = "Thanks!"
    spanish = _example(draft, "Thanks! ¡Gracias por pensar en nosotros!")
    assert _learned([spanish], language="en") == ([], None)
    assert _learned([spanish], language="es", channel="sms") == (["¡Gracias por pensar en nosotros!"], 7)
    calls = _example(draft, "Thanks! Feel free to text us anytime.")
    assert _learned([calls], channel="webchat") == ([], None)
    assert _learned([calls], channel="sms") == (["Feel free to text us anytime."], 7)


def test_the_closest_example_with_additions_wins_and_hand_written_replies_are_skipped():
    hand_written = _example("", "Thanks for asking, we travel far.", draft_id=3)
    unchanged = _example("See you soon.", "See you soon.", draft_id=4)
    edited = _example("See you soon.", "See you soon. Bring your appetite!", draft_id=5)
    assert _learned([hand_written, unchanged, edited]) == (["Bring your appetite!"], 5)
    assert _learned([]) == ([], None)
