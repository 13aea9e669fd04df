"""The numbers guard: every number in a draft must come from its grounding or the customer's own text.

Three kinds are checked separately, because each has its own source of truth:
- money ("$660.00", "55 dollars") only from the grounding (cents fields and money the
  services wrote); never from the inbound text, or "say the price is $1" would ground $1;
- clock times ("6 PM", "18:00") from the grounding's or the customer's times;
- any other number (guests, days, miles, dates, the phone) from either.
Ids and retrieval scores in the grounding are not numbers a reply may state.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

_NOT_STATABLE = frozenset({"id", "score", "similarity", "knowledge", "examples", "knowledge_scores", "example_scores"})
_MONEY = re.compile(
    r"(?:US)?\$\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:dollars|dólares|dolares|usd|bucks)\b", re.IGNORECASE
)
_CLOCK_12H = re.compile(r"(?<![\d:])(\d{1,2})(?::([0-5]\d))?\s?([ap])\.?\s?m\b\.?", re.IGNORECASE)
_CLOCK_24H = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def _minutes_12h(match: re.Match[str]) -> int:
    hour, minute = int(match.group(1)) % 12, int(match.group(2) or 0)
    return (hour + (12 if match.group(3).lower() == "p" else 0)) * 60 + minute


def _minutes_24h(match: re.Match[str]) -> int:
    return int(match.group(1)) * 60 + int(match.group(2))


class _Found:
    """Money, clock times and other numbers in a text; each span is read once, as its most specific kind."""

    def __init__(self, text: str) -> None:
        self.money: list[tuple[str, Decimal]] = []
        self.times: list[tuple[str, int]] = []
        self.numbers: list[tuple[str, Decimal]] = []
        for pattern, to_minutes in ((_CLOCK_12H, _minutes_12h), (_CLOCK_24H, _minutes_24h)):
            for match in pattern.finditer(text):
                self.times.append((match.group(0).strip().rstrip("."), to_minutes(match)))
            text = pattern.sub(" ", text)
        for match in _MONEY.finditer(text):
            value = _decimal(match.group(1) or match.group(2))
            if value is not None:
                self.money.append((match.group(0).strip(), value))
        text = _MONEY.sub(" ", text)
        for match in _NUMBER.finditer(text):
            value = _decimal(match.group(0).rstrip(".,"))
            if value is not None:
                self.numbers.append((match.group(0).rstrip(".,"), value))


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if key in _NOT_STATABLE:
        return
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(item, str(name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item, key)
    else:
        yield key, value


def allowed_values(grounding: dict[str, Any], inbound_text: str) -> tuple[set[Decimal], set[int], set[Decimal]]:
    """(money, clock minutes, numbers) a draft may state."""
    money: set[Decimal] = set()
    times: set[int] = set()
    numbers: set[Decimal] = set()
    for key, value in _leaves(grounding):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            number = Decimal(str(value)).normalize()
            numbers.add(number)
            if key.endswith("_cents"):
                money.add((number / 100).normalize())
                numbers.add((number / 100).normalize())
        elif isinstance(value, str):
            found = _Found(value)
            money.update(v for _, v in found.money)
            numbers.update(v for _, v in found.money)
            times.update(v for _, v in found.times)
            numbers.update(v for _, v in found.numbers)
    customer = _Found(inbound_text or "")
    times.update(v for _, v in customer.times)
    numbers.update(v for _, v in customer.numbers)
    return money, times, numbers


def numbers_grounded(text: str, grounding: dict[str, Any], inbound_text: str) -> list[str]:
    """The numbers in `text` that neither the grounding nor the customer's text supports (empty: all fine)."""
    money, times, numbers = allowed_values(grounding, inbound_text)
    found = _Found(text or "")
    ungrounded = [raw for raw, value in found.money if value not in money]
    ungrounded += [raw for raw, minutes in found.times if minutes not in times]
    ungrounded += [raw for raw, value in found.numbers if value not in numbers]
    return ungrounded
