"""The offline replies' wording in English, Spanish and French, and the few words translated with it.

A station's own labels (proteins, menu items, ways to pay) are shown as they are, but
the default ones have translations here, so a Spanish reply says "efectivo", not "Cash".
"""

from __future__ import annotations

from app.ai.drafting.phrases import en, es, fr

PHRASES = {"en": en.PHRASES, "es": es.PHRASES, "fr": fr.PHRASES}
_PROTEINS = {"es": es.PROTEINS, "fr": fr.PROTEINS}
_MENU = {"es": es.MENU, "fr": fr.MENU}
_PAYMENT = {"es": es.PAYMENT, "fr": fr.PAYMENT}
_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": es.WEEKDAYS,
    "fr": fr.WEEKDAYS,
}


def phrase(language: str, key: str, **values: object) -> str:
    """One sentence in `language` (English when a key is missing there)."""
    template = PHRASES.get(language, PHRASES["en"]).get(key) or PHRASES["en"][key]
    return template.format(**values)


def protein(name: str, language: str) -> str:
    """Mid-sentence form: "chicken", "NY strip" (acronyms keep their capitals), translated defaults."""
    if language in _PROTEINS:
        return _PROTEINS[language].get(name, name)
    return name if name[:2].isupper() else name.lower()


def menu_item(label: str, language: str) -> str:
    """A menu item at the start of a sentence: "Lobster tail", "La cola de langosta"."""
    return _MENU.get(language, {}).get(label, label)


def payment_method(label: str, language: str) -> str:
    """ "Cash" -> "efectivo"; brand names ("Venmo") stay as they are."""
    translated = _PAYMENT.get(language, {}).get(label.casefold())
    if translated:
        return translated
    return label.lower() if language == "en" and label.casefold() in ("cash", "check", "card") else label


def weekday(index: int, language: str) -> str:
    return _WEEKDAYS.get(language, _WEEKDAYS["en"])[index]


def join(items: list[str], language: str, word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {phrase(language, word)} {items[-1]}"
