"""Deterministic escalation rules, applied on top of either classifier.

A message is escalated when it is angry, or tells of illness or injury the party caused,
an allergic reaction, a legal threat or a chargeback (docs/design.md; it once said
"mentions illness"). The rules below are word-bounded regular expressions over
lower-cased, accent-free text, in English, Spanish and French (and a few Portuguese
words). They err on the side of flagging: a manager glancing at a false alarm costs
little, a missed food-poisoning report costs a lot. One exception: an illness that is the
reason to cancel or move a party ("cancel, my mom is in the hospital", "se enfermó mi
papá, hay que cambiar la fecha") is sad news, not something the party caused, unless the
message ties it to the food or the party ("we all got sick after your dinner").

What does NOT escalate, on purpose (tests/ai/test_escalation.py pins these):
- figures of speech: "I'm dying to try your lobster", "that party was sick", "killing it",
  "I'm sick of waiting" (that one is caught by the emotion, if angry);
- allergies as questions ("my son is allergic to shellfish, can you...") - only a
  reaction (hives, swelling, EpiPen, anaphylaxis, "had a reaction") escalates;
- burnt food ("the rice was burnt"), a tennis court, a customer named Sue, "I'm an attorney
  planning a dinner", "hospitality";
- a negated mention right before the match: "no one got sick", "nadie se enfermó";
- an illness given as the reason to cancel or reschedule (see above);
- "what if" questions ("insurance in case someone gets hurt?", "por si alguien se lastima"),
  the hospital as a workplace ("a nurse at the hospital").

The emotion those rules and the classifiers start from is corrected in app.ai.tone.
"""

from __future__ import annotations

import re

from app.ai.concepts import injection
from app.ai.features import strip_accents
from app.ai.labels import ESCALATION_REASONS

_BODY = r"(?:hands?|arms?|face|fingers?|thumb|legs?|skin|foot|feet|eyes?|lips?|head|neck|chest|back|wrist|ankle)"
_WHO = r"(?:my|his|her|their|our|your)"

_EN = {
    "illness": [
        r"\bfood[- ]?poisoning\b",
        r"\bfood[- ]?borne\b",
        r"\b(?:got|get|gets|getting|gotten|became|become|becoming|were|was|are|is|been|fell|feel|feeling|felt|am|"
        r"i'?m|we'?re|they'?re|he'?s|she'?s)\s+(?:so\s+|really\s+|very\s+|all\s+|violently\s+|super\s+|pretty\s+|"
        r"deathly\s+)?(?:sick|ill)\b(?!\s+(?:of|and\s+tired)\b)",
        r"\bmade\s+(?:me|us|him|her|them|everyone|everybody|people|guests|my\s+\w+|our\s+\w+)\s+(?:so\s+|really\s+|very\s+)?"
        r"(?:sick|ill)\b",
        r"\b(?:sick|ill)\s+(?:after|from)\s+(?:the|your|eating|dinner|party|event|food|that)\b",
        r"\bviolently\s+ill\b",
        r"\bvomit\w*",
        r"\bthrow(?:ing|n)?\s+up\b",
        r"\bthrew\s+up\b",
        r"\bpuk(?:e|ed|es|ing)\b",
        r"\bdiarr?h?o?ea\b",
        r"\bnause\w*",
        r"\bupset\s+stomachs?\b",
        r"\bstomach\s*(?:aches?|bug|flu|cramps?|pains?|issues|problems)\b",
        r"\b(?:salmonella|e\.?\s?coli|norovirus|listeria)\b",
        r"\bhospital(?:s|ized|ised|ization|isation)?\b",
        r"\bemergency\s+room\b",
        r"\burgent\s+care\b",
        r"\b(?:covid|flu)\b",
    ],
    "injury": [
        r"\binjur(?:y|ies|ed|ing)\b",
        # A person burned (not "the rice was burnt").
        r"\b(?:i|he|she|we|they|someone|somebody|everyone|kids?|son|daughter|guests?|child|children|husband|wife|"
        r"mom|dad|mother|father|friend|baby|nephew|niece|grandma|grandpa)\s+(?:was|were|got|gets|get|has\s+been|"
        r"had\s+been|is)\s+(?:badly\s+|really\s+|seriously\s+)?burn(?:ed|t)\b",
        r"\bburn(?:ed|t)\s+by\s+(?:the\s+|a\s+|your\s+)?(?:grill|griddle|flames?|fire|oil|grease|spatula|chef|onion)\b",
        rf"\bburn(?:ed|t|s)?\s+{_WHO}\s+(?:\w+'s\s+)?{_BODY}\b",  # "burned my son's arm"
        rf"\bburns?\s+(?:on|to)\s+{_WHO}\s+{_BODY}\b",
        r"\b(?:a|nasty|bad|serious|severe|(?:first|second|third)[- ]degree)\s+burns?\b",
        r"\b(?:got|gets|getting|get)\s+hurt\b",
        r"\bhurt\s+(?:himself|herself|myself|themselves|ourselves|his|her|my|their|our)\b(?!\s+feelings)",
        r"\bcould\s+have\s+(?:been\s+)?(?:hurt|killed|injured)\b",
        rf"\bcut\s+(?:himself|herself|myself|{_WHO})\s*{_BODY}?\b",
        r"\b(?:bled|bleeding|stitches|ambulance|paramedics?|first\s+aid)\b",
        r"\b911\b",
        r"\bfractur\w*",
        rf"\bbroke\s+{_WHO}\s+{_BODY}\b",
        r"\bcaught\s+(?:on\s+)?fire\b",
        r"\bgrease\s+fire\b",
        r"\bsinge[ds]\b",
        r"\bscald(?:ed|ing|s)?\b",
        r"\bscorched\s+(?:my|his|her|their|our)\b",
        r"\bset\s+(?:\w+\s+){0,4}on\s+fire\b",
    ],
    "allergy_reaction": [
        r"\ballergic\s+reactions?\b",
        r"\banaphyla\w*",
        r"\bepi-?\s?pens?\b",
        r"\bepinephrine\b",
        r"\bhives\b",
        r"\bbenadryl\b",
        r"\b(?:lips?|face|throat|tongue|eyes?)\s+(?:was\s+|were\s+|is\s+|are\s+|got\s+|started\s+|began\s+)?"
        r"(?:swell\w*|swollen|closing|puff\w*)",
        r"\bswollen\s+(?:lips?|face|throat|tongue|eyes?)\b",
        r"\bswelled\s+up\b",
        r"\b(?:a|in)\s+rash(?:es)?\b",
        r"\bbroke\s+out\b",
        r"\brash(?:es)?\s+(?:all\s+over|on\s+(?:his|her|their|my|our))\b",
        r"\b(?:red|itchy)\s+(?:spots|bumps|blotches|welts)\b",
        r"\bwelts\b",
        r"\b(?:had|having|has|have|got)\s+(?:a|an)\s+(?:bad\s+|severe\s+|serious\s+|mild\s+|allergic\s+)?reaction\b",
        r"\breacted\s+(?:badly\s+)?to\b",
        r"\b(?:couldn'?t|could\s+not|can'?t|trouble|difficulty)\s+breath(?:e|ing)\b",
    ],
    "legal_threat": [
        r"\blaw\s?suits?\b",
        r"\blegal\s+(?:action|proceedings|claim)\b",
        r"\blitigation\b",
        r"\bclass\s+action\b",
        r"\bsmall\s+claims\b",
        r"\b(?:my|our)\s+(?:lawyers?|attorneys?|legal\s+team|legal\s+counsel|counsel)\b",
        r"\b(?:contact\w*|call\w*|hir(?:e|ing)|get(?:ting)?|consult\w*|talk\w*\s+to|speak\w*\s+(?:to|with)|involv\w*|"
        r"retain\w*)\s+(?:a|an|my|our)\s+(?:lawyer|attorney)s?\b",
        r"\b(?:lawyer|attorney)s?\s+(?:will|is\s+going\s+to|is\s+gonna)\b",
        r"\b(?:sue|suing|sued)\s+(?:you|u|ya|y'?all|your|the\s+company|teppan|them|this|for|over)\b",
        r"\b(?:gonna|going\s+to|will|i'?ll|we'?ll|to|and|or|might|could)\s+sue\b",
        r"\bsuing\b",
        r"\b(?:take|taking|see|seeing|drag|dragging)\s+(?:you|u|ya|this|them)\s+(?:to|in)\s+court\b",
        r"\bcourt\s+(?:case|date|order)\b",
        r"\bhealth\s+(?:department|dept|inspector|inspection)\b",
        r"\bdepartment\s+of\s+health\b",
    ],
    "chargeback": [
        r"\bcharge\s?-?\s?backs?\b",
        r"\bdisput\w*\s+(?:(?:the|this|that|these|those|all|a|my|your|every|of)\s+){0,3}(?:charges?|payments?|"
        r"transactions?|deposits?)\b",
        r"\bdisputing\s+(?:this|it|that)\b",
        r"\b(?:file|filed|filing|open|opened|opening|start|started|submit\w*|a)\s+(?:a\s+)?dispute\b",
        r"\b(?:call|calling|contact\w*|talk\w*\s+to|go\s+to|going\s+to)\s+(?:my|the)\s+(?:bank|credit\s+card\s+company|"
        r"card\s+company|card\s+issuer)\b",
        r"\breport\w*\s+(?:it|this|you|them)\s+to\s+(?:my|the)\s+(?:bank|credit\s+card\s+company|card\s+company)\b",
        r"\breverse\s+(?:the|this|that|my)\s+(?:charge|payment|transaction)s?\b",
        r"\bfraudulent\s+(?:charges?|transactions?)\b",
        r"\b(?:as|for)\s+fraud\b",
    ],
}

_ES = {
    "illness": [
        r"\bintoxicad[oa]s?\b",
        r"\bintoxicacion(?:es)?\b",
        r"\b(?:me|se|nos|te|le|les)\s+enferm\w*",
        r"\benferm[oa]s?\b",
        r"\bvomit\w*",
        r"\bvomitos?\b",
        r"\bdiarrea\b",
        r"\bdolor(?:es)?\s+de\s+(?:estomago|panza|barriga)\b",
        r"\bnauseas?\b",
        r"\bhospital(?:es|izad[oa]s?)?\b",
        r"\burgencias\b",
        r"\bsala\s+de\s+emergencias?\b",
        r"\bsalmonela\b",
        r"\b(?:me|nos|les?)\s+(?:cayo|callo)\s+mal\s+la\s+comida\b",
        # Portuguese and French, the commonest ones.
        r"\bintoxicacao\s+alimentar\b",
        r"\bintoxication\s+alimentaire\b",
    ],
    "injury": [
        r"\bquemadura\w*",
        r"\b(?:se|me|nos|te|le)\s+quem(?:o|e|aron|amos)\b",
        r"\bherid[oa]s?\b",
        r"\blesion(?:es|ad[oa]s?)?\b",
        r"\blastim\w*",
        r"\b(?:se|me)\s+cort(?:o|e)\b",
        r"\bsangr\w*",
        r"\bambulancia\b",
        r"\bincendio\b",
        r"\bprendio\s+(?:en\s+)?fuego\b",
        r"\bchamusc\w*",
    ],
    "allergy_reaction": [
        r"\breaccion(?:es)?\s+alergicas?\b",
        r"\b(?:tuvo|tuve|tuvieron|tuvimos|le\s+dio|me\s+dio|les\s+dio)\s+(?:una\s+)?reaccion\b",
        r"\banafila\w*",
        r"\burticaria\b",
        r"\bronchas\b",
        r"\b(?:sarpullido|salpullido|comezon)\b",
        r"\bse\s+(?:le|me|les)\s+(?:hincho|hincharon|inflamo|cerro)\b",
        r"\bhinchad[oa]s?\b",
        r"\bno\s+(?:podia|pudo|podiamos)\s+respirar\b",
    ],
    "legal_threat": [
        r"\babogad[oa]s?\b",
        r"\bdemandar\w*",
        r"\b(?:voy|vamos)\s+a\s+demandar\w*",
        r"\b(?:poner|pondre|pondremos|meter|meto)\s+una\s+demanda\b",
        r"\buna\s+demanda\s+(?:legal|contra)\b",
        r"\bacci(?:on|ones)\s+legal(?:es)?\b",
        r"\btribunal(?:es)?\b",
        r"\bjuzgado\b",
        r"\b(?:departamento|depto)\s+de\s+salud\b",
        r"\bdenuncia\w*",
    ],
    "chargeback": [
        r"\bcontracargos?\b",
        r"\bdisputa\w*",
        r"\b(?:hablar|hablo|hablare|llamar|llamo|llamare|reportar|reporto|ir|voy)\s+(?:a\s+|con\s+)?(?:mi|el)\s+banco\b",
        r"\b(?:desconocer|revertir|reversar)\s+(?:el|los)\s+cargos?\b",
        r"\breclam\w*\s+(?:al|con\s+el|con\s+mi|a\s+mi)\s+banco\b",
    ],
}

_FR = {
    "illness": [
        r"\bintoxication\s+alimentaire\b",
        r"\b(?:tous|toutes|toute\s+la\s+famille|les\s+enfants|mon\s+\w+|ma\s+\w+|on\s+a|nous\s+avons|il|elle|ils|elles)\s+"
        r"(?:a\s+ete|ont\s+ete|sommes|etaient|etait|est|sont|a|ont)\s+(?:tres\s+)?malade",
        r"\bmalades?\s+(?:apres|depuis)\b",
        r"\bvomi\w*",
        r"\bdiarrhee\b",
        r"\bhopital\b",
        r"\burgences\b",
    ],
    "injury": [
        r"\bbrule\w*",
        r"\bbrulure\w*",
        r"\bblesse\w*",
        r"\bcoupe\w*\s+(?:au|a\s+la|le|la|son|sa)\s+(?:doigt|main|bras|jambe)",
        r"\bpoints\s+de\s+suture\b",
        r"\bsaign\w*",
        r"\bambulance\b",
        r"\b(?:pris|a\s+pris)\s+feu\b",
        r"\b(?:cheveux|sourcils|cils)\s+(?:ont\s+)?(?:roussi|brule)\w*",
    ],
    "allergy_reaction": [
        r"\breaction\s+allergique\b",
        r"\b(?:fait|eu)\s+une\s+(?:grosse\s+|forte\s+)?reaction\b",
        r"\banaphyla\w*",
        r"\burticaire\b",
        r"\bplaques\s+rouges\b",
        r"\bboutons\s+partout\b",
        r"\bdemangeaisons?\b",
        r"\bgonfle\w*",
        r"\bepipen\b",
    ],
    "legal_threat": [
        r"\bavocats?\b",
        r"\bporter\s+plainte\b",
        r"\bplainte\b",
        r"\btribunal\b",
        r"\bpoursuivre\b",
        r"\bpoursuites\b",
        r"\bproces\b",
    ],
    "chargeback": [
        r"\bcontester\s+(?:le|la|ce|cette|les)\s+(?:paiement|prelevement|transaction|debit)",
        r"\b(?:ma|la)\s+banque\b",
        r"\bfaire\s+opposition\b",
    ],
}

RULES: dict[str, list[re.Pattern[str]]] = {
    reason: [re.compile(pattern) for pattern in _EN[reason] + _ES[reason] + _FR[reason]]
    for reason in ("illness", "injury", "allergy_reaction", "legal_threat", "chargeback")
}
# A negation just before a match cancels it ("no one got sick", "nadie se enfermó").
_NEGATION = re.compile(
    r"\b(?:no\s+one|nobody|noone|none\s+of\s+(?:us|them)|didn'?t|did\s+not|never|nadie|ninguno|ningun"
    r"|personne\s+n|aucun|pas\s+de)\b"
)
# Slang praise: "the chef was sick!", "that food was sick 🔥" is not an illness.
_PEOPLE = (
    r"i|we|they|he|she|everyone|everybody|guests?|kids?|son|daughter|wife|husband|mom|dad|mother|father|baby|child"
    r"|children|friends?|people|nobody|someone|all|family|grandma|grandpa|brother|sister|nephew|niece|us|them"
)
_SLANG_SICK = re.compile(
    rf"\b(?!(?:{_PEOPLE})\b)[a-z']+\s+(?:was|is|looked|looks)\s+"
    r"(?:so\s+|soo+\s+|really\s+|super\s+|hella\s+|lowkey\s+)?sick\b(?!\s+(?:after|from|all|for|with))"
)
_NEGATION_WINDOW = 20  # characters before the match
# "in case someone gets hurt", "por si alguien se lastima": a question about what could happen.
_HYPOTHETICAL = re.compile(
    r"\b(?:in\s+case|what\s+if|what\s+happens\s+if|por\s+si|en\s+caso\s+de|que\s+pasa\s+si|au\s+cas\s+ou|en\s+cas\s+de"
    r"|si\s+jamais|que\s+se\s+passe-t-il\s+si)\b"
)
_HYPOTHETICAL_WINDOW = 30
_HARM = frozenset({"illness", "injury", "allergy_reaction"})
# The hospital as a workplace: "our guest is a nurse at the hospital".
_WORKPLACE = re.compile(
    r"\b(?:nurse|doctor|works?|working|shift|job|volunteers?|enfermer[oa]|medic[oa]|trabaja|infirmiere|medecin|travaille)"
    r"\s+(?:at|in|for|en|a|au|dans)\s+(?:the\s+|a\s+|el\s+|un\s+|l'|le\s+)?(?:hospital|hopital)\b"
)
# A request to call off or move a party: an illness named there is usually why, not what the party did.
_CANCEL_OR_MOVE = re.compile(
    r"\b(?:cancel\w*|call\s+(?:it\s+)?off|reschedul\w*|postpone|move\s+(?:the|our|my|it)|push\s+(?:it|the|our)|another\s+date"
    r"|cancelar|cancelamos|cancelo|posponer|aplazar|cambiar\s+la\s+fecha|otra\s+fecha|mover\s+la"
    r"|annul\w*|reporter|decaler|deplacer|une\s+autre\s+date)\b"
)
# What ties an illness to the party: the food, or "after" the meal or party.
_CAUSED_BY_PARTY = re.compile(
    r"\b(?:food|ate|eating|meal|dinner|chicken|shrimp|steak|seafood|rice|sauce|undercooked|raw"
    r"|after\s+(?:the|your|our|ur|that)\s+(?:party|event|dinner|meal|hibachi|show)"
    r"|comida|comimos|comieron|mariscos|camaron\w*|pollo|carne|cena|crud[oa]"
    r"|despues\s+de\s+(?:la|su|el)\s+(?:fiesta|cena|evento|comida)"
    r"|repas|mange\w*|nourriture|crevettes?|poulet|fruits\s+de\s+mer|diner|cru"
    r"|apres\s+(?:la|le|votre|notre)\s+(?:fete|soiree|diner|repas))\b"
    r"|intoxica|poisoning"
)


def prepare(text: str) -> str:
    """Lower case, no accents, plain apostrophes and spaces: what every rule here reads."""
    text = strip_accents(text).lower()
    text = re.sub(r"[’`´]", "'", text)
    return re.sub(r"\s+", " ", text)


def rule_reasons(text: str) -> list[str]:
    """The escalation reasons that the rules find in `text` (no emotion involved)."""
    prepared = _WORKPLACE.sub(" ", _SLANG_SICK.sub(" ", prepare(text or "")))
    found = []
    sad_news = bool(_CANCEL_OR_MOVE.search(prepared)) and not _CAUSED_BY_PARTY.search(prepared)
    for reason, patterns in RULES.items():
        if reason == "illness" and sad_news:
            continue
        for pattern in patterns:
            if any(
                not _NEGATION.search(prepared[max(0, match.start() - _NEGATION_WINDOW) : match.start()])
                and not (
                    reason in _HARM
                    and _HYPOTHETICAL.search(prepared[max(0, match.start() - _HYPOTHETICAL_WINDOW) : match.start()])
                )
                for match in pattern.finditer(prepared)
            ):
                found.append(reason)
                break
    return found


def decide(text: str, emotion: str, extra_reasons: tuple[str, ...] | list[str] = ()) -> tuple[bool, list[str]]:
    """(escalate, reasons): angry emotion, rule matches and `extra_reasons` (e.g. the LLM's), OR-ed."""
    reasons = set(rule_reasons(text)) | set(extra_reasons)
    if emotion == "angry":
        reasons.add("angry")
    ordered = [reason for reason in ESCALATION_REASONS if reason in reasons]
    return bool(ordered), ordered


def flags(text: str) -> list[str]:
    """Marks that do not escalate: an attempt to instruct the assistant ("ignore previous instructions")."""
    return ["injection"] if injection(prepare(text or "")) else []
