"""Deterministic escalation rules: angry, illness, injury, allergy reactions, legal threats, chargebacks."""

from __future__ import annotations

import pytest

from app.ai.escalation import decide, rule_reasons


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # English
        ("Half our guests got food poisoning after your party", "illness"),
        ("3 of us have been throwing up since last night", "illness"),
        ("My husband got sick right after dinner", "illness"),
        ("Your shrimp made everyone sick", "illness"),
        ("We all had diarrhea the next morning", "illness"),
        ("One guest was hospitalized with salmonella", "illness"),
        ("She spent the night in the emergency room", "illness"),
        ("My daughter got burned by the grill", "injury"),
        ("The chef burned my son's hand... I mean burned his hand with the spatula", "injury"),
        ("My guest suffered a burn on her hand", "injury"),
        ("Grandpa got hurt when the table collapsed", "injury"),
        ("The chef cut his finger and was bleeding", "injury"),
        ("We had to call 911", "injury"),
        ("The flaming onion caught fire and hit the awning", "injury"),
        ("He had an allergic reaction to the sauce", "allergy_reaction"),
        ("Her lips swelled up after the shrimp", "allergy_reaction"),
        ("We had to use his EpiPen", "allergy_reaction"),
        ("she broke out in hives", "allergy_reaction"),
        ("I'll be contacting my lawyer", "legal_threat"),
        ("We're going to sue you for this", "legal_threat"),
        ("See you in small claims court", "legal_threat"),
        ("I have reported you to the health department", "legal_threat"),
        ("I'm talking to an attorney tomorrow", "legal_threat"),
        ("I'm doing a chargeback", "chargeback"),
        ("I'll dispute the charge with Amex", "chargeback"),
        ("I'm calling my bank", "chargeback"),
        ("Reverse the charge or I report it as fraud", "chargeback"),
        ("My bank suggested I open a dispute", "chargeback"),
        # Spanish (accents or not)
        ("Todos se enfermaron después de la fiesta", "illness"),
        ("Tuvimos intoxicación por la comida", "illness"),
        ("Mi hijo estuvo vomitando toda la noche", "illness"),
        ("Terminamos en urgencias", "illness"),
        ("El chef le causó una quemadura a mi hija", "injury"),
        ("Mi esposo se quemó la mano con la plancha", "injury"),
        ("Hay un herido", "injury"),
        ("Tuvo una reacción alérgica al camarón", "allergy_reaction"),
        ("Se le hinchó la cara", "allergy_reaction"),
        ("Voy a hablar con mi abogado", "legal_threat"),
        ("Los vamos a demandar", "legal_threat"),
        ("Voy a pedir un contracargo", "chargeback"),
        ("Si no me devuelven el dinero hablo con mi banco", "chargeback"),
    ],
)
def test_rules_find(text, reason):
    assert reason in rule_reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        # Figures of speech and near misses (documented in app/ai/escalation.py).
        "I'm dying to try your lobster",
        "That was a sick party, everyone's still hyped",
        "Chef Tony was killing it",
        "I'm sick of waiting for a quote",
        "We're sick and tired of the rain, can we move indoors?",
        # Allergies asked about, not reactions.
        "My son is allergic to shellfish, can you cook his food separately?",
        "Two guests have severe peanut allergies, is the kitchen nut-free?",
        "Mi hija es alérgica a los mariscos",
        # Burnt food, courts, names, professions, hospitality.
        "The rice was burnt and the vegetables were burnt too",
        "Can the chef set up on our tennis court?",
        "Hi it's Sue, can I book the 6pm?",
        "I'm an attorney planning a firm dinner for 30",
        "We work in hospitality, big fans",
        # Negated.
        "Good news, no one got sick even though it was hot",
        "Nadie se enfermó, todo bien",
        # Money talk without a dispute.
        "Can I pay the deposit with my bank card?",
        "Hay mucha demanda en diciembre?",
    ],
)
def test_rules_do_not_fire_on(text):
    assert rule_reasons(text) == []


def test_angry_emotion_escalates_alone():
    assert decide("Where is my chef", "angry") == (True, ["angry"])
    assert decide("Where is my chef", "negative") == (False, [])


def test_reasons_are_combined_in_a_fixed_order():
    escalate, reasons = decide(
        "Everyone got sick and I'm calling my lawyer", "angry", extra_reasons=["model", "chargeback"]
    )
    assert escalate is True
    assert reasons == ["angry", "illness", "legal_threat", "chargeback", "model"]


def test_empty_text_does_not_escalate():
    assert decide("", "neutral") == (False, [])


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, we need to cancel, my dad is in the hospital",
        "Necesitamos cambiar la fecha, mi esposa está enferma",
        "Nous devons annuler, mon fils est malade",
    ],
)
def test_an_illness_given_as_the_reason_to_cancel_or_move_is_no_rule_match(text):
    assert rule_reasons(text) == []


def test_an_illness_tied_to_the_food_still_matches_in_a_cancellation():
    assert rule_reasons("Cancel the rest of our bookings, everyone got sick from the chicken") == ["illness"]


@pytest.mark.parametrize(
    "text",
    [
        "the chef's knife work was sick, my husband wants lessons",
        "our guest is a nurse at the hospital, she'll be a bit late",
        "do you carry insurance in case someone gets hurt?",
        "¿tienen seguro por si alguien se lastima?",
    ],
)
def test_slang_workplaces_and_what_ifs_do_not_fire(text):
    assert rule_reasons(text) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("the flames singed my dad's eyebrows", "injury"),
        ("she got a rash all over her arms after the sauce", "allergy_reaction"),
        ("Les enfants ont des plaques rouges depuis le repas", "allergy_reaction"),
        ("le salió un sarpullido después del camarón", "allergy_reaction"),
    ],
)
def test_more_ways_of_saying_harm(text, reason):
    assert reason in rule_reasons(text)
