"""Sentences managers add to drafts are carried into later drafts; facts and names never are."""

from __future__ import annotations

from app.ai.drafting.examples import Example
from app.ai.drafting.learned import added_sentences, learned_sentences


def _example(draft: str, sent: str, name: str = "Dana Cruz", draft_id: int = 7) -> Example:
    return Example(draft_id, "How much for 12?", sent, name, 0.6, draft)


def test_added_sentences_are_those_the_draft_did_not_have():
    draft = "Hi Dana! 12 guests come to $660.00. Which date works?"
    sent = "Hi Dana! 12 guests come to $660.00. Which date works? Our chefs bring everything!"
    assert added_sentences(draft, sent) == ["Our chefs bring everything!"]


def test_sentences_with_numbers_names_or_greetings_are_not_carried():
    draft = "12 guests come to $660.00."
    sent = "Hello Dana, 12 guests come to $660.00. Dana, you will love it. Deposit is $100. We bring sake too."
    assert learned_sentences([_example(draft, sent)]) == (["We bring sake too."], 7)


def test_the_closest_example_with_additions_wins_and_hand_written_replies_are_skipped():
    hand_written = _example("", "Thanks for asking, we travel far.", draft_id=3)
    unchanged = _example("See you soon.", "See you soon.", draft_id=4)
    edited = _example("See you soon.", "See you soon. Bring your appetite!", draft_id=5)
    assert learned_sentences([hand_written, unchanged, edited]) == (["Bring your appetite!"], 5)
    assert learned_sentences([]) == ([], None)
