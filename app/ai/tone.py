"""The tone of a message, corrected where its words say more than a model: slang praise, sarcasm, sad emoji,
calm reports, hostile words (the lexicon is app.ai.concepts, shared with the intent rules).

- `tone(text, emotion)`: the emotion to keep;
- `could_be_angry(text)`: whether a message a model finds close to angry shows a sign of it;
- `something_went_wrong(text, emotion)`: whether a message reads as a complaint at all.
"""

from __future__ import annotations

import re

from app.ai.concepts import ANGRY_EMOJI, concepts
from app.ai.escalation import prepare, rule_reasons

# Anger is shouting, accusing or threatening; a calm report of a problem is "negative".
_ANGER = re.compile(
    r"!!|\b(?:unacceptable|ridiculous|furious|outrageous|disgusting|joke|scam|worst|never\s+again|how\s+dare|wtf"
    r"|inaceptable|ridiculo|indignante|estafa|peor|nunca\s+mas|inadmissible|scandaleux|arnaque|honteux|jamais\s+plus)\b"
)
# Words that are hostile on their own: they make a message angry whatever the model thought.
_HOSTILE = re.compile(
    r"\b(?:unacceptable|inaceptable|inacceptable|inadmissible|ridiculous|ridiculo|outrageous|disgrace(?:ful)?|disgusting"
    r"|scam(?:mers)?|estafa(?:dores)?|arnaque|rip\s?-?off|frauds|liars?|lied\s+to|you\s+people|how\s+dare|wtf|furious|furios[oa]"
    r"|furieu(?:x|se)|incompeten\w*|this\s+is\s+a\s+joke|i'?m\s+done\s+with|never\s+again|nunca\s+mas|no\s+vuelvo\s+a"
    r"|plus\s+jamais|jamais\s+plus|verguenza|falta\s+de\s+respeto|me\s+trat\w+\s+(?:muy\s+)?mal|c'?est\s+une\s+honte|honteux"
    r"|scandaleux|vous\s+vous\s+moquez|fed\s+up|hart[oa]s?|poca\s+madre|j'?en\s+ai\s+marre|ras\s+le\s+bol)\b"
)
_SHOUT = re.compile(r"\b[A-Z]{4,}\b")
# Impatience: how long, how often, "or not?".
_IMPATIENT = re.compile(
    r"\b(?:it'?s\s+been|been\s+waiting|still\s+waiting|(?:\d+|two|three|four|several)\s+(?:days|weeks|times)|third\s+time"
    r"|3rd\s+time|or\s+not|simple\s+question|seriously|come\s+on|every\s+time|again|hace\s+\d+\s+dias|otra\s+vez"
    r"|de\s+nuevo|en\s+serio|tercera\s+vez|depuis\s+\d+\s+jours|encore|toujours\s+pas|serieusement|troisieme\s+fois)\b"
)


def _reading(text: str) -> tuple[str, set[str]]:
    prepared = prepare(text or "")
    return prepared, set(concepts(prepared, text or ""))


def _hostile(prepared: str, raw: str) -> bool:
    return bool(_HOSTILE.search(prepared)) or bool(set(raw) & ANGRY_EMOJI)


def tone(text: str, emotion: str) -> str:
    """The emotion, corrected where words say more than the model: slang praise, sarcasm, sad emoji, calm reports,
    hostile words (app.ai.concepts holds the lexicon shared with the intent rules)."""
    prepared, found = _reading(text)
    hostile = _hostile(prepared, text or "")
    problem = "~problem" in found or "~negated_praise" in found
    if "~sarcasm" in found and problem:
        calm = not (hostile or _ANGER.search(prepared))
        return "negative" if emotion in ("positive", "neutral", "angry") and calm else emotion
    praise = "~praise" in found and not problem
    if praise and emotion in ("negative", "angry", "neutral"):
        return "positive"
    shown = hostile or _ANGER.search(prepared) or _SHOUT.search(text or "")
    if emotion == "angry" and not (shown or rule_reasons(text)):
        return "negative"  # a calm report: disappointed, not hostile
    if emotion in ("neutral", "negative") and hostile:
        return "angry"
    if emotion == "negative" and ("!!" in (text or "") or "¡¡" in (text or "")):
        return "angry"  # disappointment shouted: every labelled set calls "...!!" about a problem angry
    if emotion in ("neutral", "positive") and "~emoji_neg" in found and not praise:
        return "negative"
    return emotion


_WENT_WRONG = frozenset(
    {"~problem", "~sarcasm", "~negated_praise", "~emoji_neg"}
    | {"~injury", "~illness", "~allergy_reaction", "~legal", "~chargeback"}
)


def something_went_wrong(text: str, emotion: str) -> bool:
    """Any sign of a complaint: a negative tone, a problem word, sarcasm, a sad emoji, a reason to escalate."""
    if emotion in ("negative", "angry"):
        return True
    prepared, found = _reading(text)
    return bool(found & _WENT_WRONG) or _hostile(prepared, text or "") or bool(rule_reasons(text))


def could_be_angry(text: str) -> bool:
    """Whether a message the model finds close to angry shows a sign of it: hostile words, shouting, "??", an angry
    emoji, a threat, or a problem told with impatience ("it's been 2 days", "third time", "or not?"). A calm
    report ("your chef scratched our table"), a sad emoji (😩 😞) and sarcasm without hostile words are disappointment,
    not anger."""
    prepared, found = _reading(text)
    if _hostile(prepared, text or "") or _ANGER.search(prepared):
        return True
    if "~sarcasm" in found:
        return False
    raw = text or ""
    shown = _SHOUT.search(raw) or "??" in raw or "?!" in raw or {"~legal", "~chargeback"} & found
    return bool(shown or ("~problem" in found and _IMPATIENT.search(prepared)))
