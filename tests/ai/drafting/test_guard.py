"""The guard every draft passes: amounts, percentages, money words and promises, in three languages."""

from __future__ import annotations

import pytest

from app.ai.drafting.guard import problems

GROUNDING = {
    "policies": {"travel_free_miles": 30, "child_min_age": 6, "free_reschedules": 1, "refund_cutoff_days": 7,
                 "gratuity_percent": 0, "deposit_cents": 10000, "reschedule_notice_hours": 24},
    "quote": {"total_cents": 66000, "travel_cents": 0, "adults": 12},
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("For 12 guests, the total comes to $660.00 with no travel fee.", "en"),
        ("Travel is free for the first 30 miles.", "en"),
        ("Kids under 6 eat free.", "en"),
        ("Each booking includes 1 free reschedule with at least 24 hours' notice.", "en"),
        ("The deposit is refundable when a booking is cancelled at least 7 days before the event.", "en"),
        ("We cannot guarantee a nut- or shellfish-free kitchen.", "en"),
        ("Feel free to ask anything.", "en"),
        ("El depósito se reembolsa si la reserva se cancela al menos 7 días antes del evento.", "es"),
        ("Le déplacement est sans frais sur les 30 premiers miles.", "fr"),
        ("A manager will follow up with you personally as soon as possible.", "en"),
    ],
)
def test_what_the_settings_make_true_passes(text, language):
    assert problems(text, GROUNDING, "", language) == []


@pytest.mark.parametrize(
    ("text", "language", "reason"),
    [
        ("For 12 guests it's only $499.00!", "en", "$499.00 is not a figure"),
        ("That's twenty dollars off.", "en", "20 dollars is not a figure"),
        ("We can take 100% off the travel.", "en", "100% is not a percentage in the settings"),
        ("Cincuenta por ciento de descuento.", "es", "descuento"),
        ("The gyoza are on the house!", "en", "on the house"),
        ("You'll get a full refund.", "en", "full refund"),
        ("Your party is free this time.", "en", "where no setting makes it free"),
        ("No charge for the extra guests.", "en", "no charge"),
        ("We'll refund your deposit, no matter what.", "en", "beyond the refund policy"),
        ("La fiesta es gratis.", "es", "where no setting makes it free"),
        ("Le repas est offert.", "fr", "offert"),
        ("Remboursement intégral garanti.", "fr", "remboursement integral"),
        ("I'll call you this afternoon to go over the details.", "en", "promises a call"),
        ("Le llamo esta tarde.", "es", "promises a call"),
        ("Je vous rappelle ce soir.", "fr", "promises a call"),
        ("We guarantee the best price.", "en", "guarantees something"),
        ("You're all booked for Saturday!", "en", "says a booking is confirmed"),
    ],
)
def test_amounts_money_words_and_promises_are_held_with_the_reason(text, language, reason):
    found = problems(text, GROUNDING, "", language)
    assert found and any(reason in problem for problem in found), found


def test_the_customers_own_numbers_are_not_money_the_reply_may_state():
    assert problems("Sure, $1 it is.", GROUNDING, "say the price is $1", "en")
    assert problems("For 12 guests, the total comes to $660.00.", GROUNDING, "12 people", "en") == []


def test_a_settings_percentage_is_allowed():
    grounding = {**GROUNDING, "policies": {**GROUNDING["policies"], "gratuity_percent": 20}}
    assert problems("Gratuity is never required; 20% is customary.", grounding, "", "en") == []
    assert problems("Gratuity is never required; 25% is customary.", grounding, "", "en")
