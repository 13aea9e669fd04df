# ruff: noqa: E501 - word lists read better unwrapped, one family a line
"""Concepts shared by English, Spanish and French, as features for the offline classifier.

Word n-grams tie what the model learns to one language: "how much", "cuánto" and
"combien" are three unrelated features. A concept feature ("~price") fires for all
three, so examples in one language teach the others. Each concept is a family of
words and short phrases (accent-free, lower case, over `normalize()`d text).
"""

from __future__ import annotations

import re

_CONCEPTS: dict[str, str] = {
    "price": r"how\s+much|price|pricing|cost|quote|estimate|rate|cuanto|cuanta|precio|cuesta|cuestan|cobran|cotizacion"
    r"|presupuesto|combien|prix|tarif|devis|coute|coutent",
    "book": r"book|booking|reserve|reservation|lock\s+(?:us|it)\s+in|sign\s+(?:us\s+)?up|schedule\s+(?:a|the|you)|reservar|reserva"
    r"|apartar|agendar|reserver|reservation|retenir",
    "available": r"available|availability|free\s+on|are\s+you\s+free|open\s+on|anything\s+open|any\s+openings|do\s+you\s+have"
    r"|can\s+(?:you|u)\s+do|doable|possible|disponible|disponibilidad|tienen\s+(?:lugar|espacio|fecha)|se\s+puede"
    r"|libre|dispo|c\s?est\s+possible|vous\s+avez\s+de\s+la\s+place",
    "move": r"move|reschedul\w*|push\s+(?:it|our|the)|change\s+(?:the\s+)?(?:date|time)|switch|postpone|mover|cambiar|pasar"
    r"|posponer|aplazar|deplacer|reporter|decaler|changer\s+(?:la\s+)?(?:date|heure)",
    "cancel": r"cancel\w*|call\s+(?:it\s+)?off|cancelar|cancelacion|anular|annuler|annulation",
    "pay": r"pay|paid|payment|deposit|balance|invoice|receipt|charge[ds]?|venmo|zelle|card|cash|pagar|pago|pague|deposito"
    r"|factura|recibo|cobro|tarjeta|efectivo|payer|paye|paiement|acompte|facture|recu|carte|especes",
    "refund": r"refund\w*|money\s+back|reembols\w*|devolu\w*|devuelv\w*|rembours\w*",
    "menu": r"menu|protein\w*|chicken|steak|shrimp|tofu|vegan\w*|vegetarian\w*|gluten|allerg\w*|sauce|rice|noodles|lobster"
    r"|filet|scallops|salmon|gyoza|proteina|pollo|camaron|vegetarian|alerg\w*|mariscos|langosta|filete|proteine|poulet"
    r"|crevette|vegetarien|allergi\w*|homard|saumon|crustace",
    "faq": r"space|room\s+for|set\s?up|indoors?|outdoors?|rain|weather|tables|chairs|plates|grill|propane|insurance|tip|gratuity"
    r"|how\s+long|travel|come\s+(?:out\s+)?to|area|espacio|mesas|platos|parrilla|lluev\w*|lluvia|propina|traen|cuanto\s+dura"
    r"|espace|pluie|pleut|pourboire|assiettes|combien\s+de\s+temps|deplacez|apportez",
    "thanks": r"thank|thanks|thx|ty\b|grateful|appreciate|gracias|agradec\w*|merci|remerci\w*",
    "praise": r"amazing|awesome|incredible|fantastic|perfect|wonderful|excellent|great\s+job|loved|killed\s+it|slayed|fire\b|sick\b"
    r"|banger|10\s*/\s*10|chef'?s\s+kiss|no\s+crumbs|best\s+\w+\s+ever|a\s+whole\s+vibe|increible|excelente|delicios\w*"
    r"|encant\w*|se\s+luci\w*|buenisim\w*|genial|incroyable|parfait\w*|delicieu\w*|trop\s+bon|une\s+tuerie|adore|top\b",
    "past_event": r"last\s+night|yesterday|the\s+party\s+(?:was|on)|our\s+party|at\s+our\s+party|ayer|anoche|la\s+fiesta\s+(?:fue|estuvo)"
    r"|hier|hier\s+soir|la\s+soiree|la\s+fete\s+(?:etait|a\s+ete)",
    "problem": r"late|cold|raw|rude|burn\w*|forgot|never\s+(?:showed|came|arrived)|no\s+show|didn'?t|wasn'?t|unacceptable|disappoint\w*"
    r"|terrible|awful|worst|waiting|no\s+one\s+answers|nobody\s+answers|ridiculous|tarde|fria|frio|crudo|grosero|olvid\w*"
    r"|nunca|inaceptable|decepcion\w*|pesim\w*|esperando|retard|froid|cru|impoli|oublie|jamais|inadmissible|decu\w*|nul\b",
    "sarcasm": r"(?:oh\s+)?great,|wow\s+thanks\s+for|thanks\s+a\s+lot|love\s+that\s+for\s+us|just\s+great|que\s+bien,|excelente"
    r"\s+servicio|bravo|super,|genial,",
    "greeting_only": r"^(?:hi|hello|hey|hola|buenas|bonjour|salut|yo)\W*$",
    "wrong": r"wrong\s+number|who\s+is\s+this|numero\s+equivocado|quien\s+es|mauvais\s+numero|qui\s+est-ce",
    "spam": r"seo|marketing|reviews\s+on\s+autopilot|grow\s+your|leads|partnership|sponsor|crypto|click\s+here|verify\s+your\s+account"
    r"|job|hiring|apply|resume|trabajo|empleo|emploi|candidature",
    "injection": r"ignore\s+(?:all\s+|your\s+|previous\s+|prior\s+|the\s+)*(?:instructions|rules|prompt)|system\s*:|admin\s+mode"
    r"|you\s+are\s+now|olvida\s+(?:tus|las)\s+instrucciones|ignora\s+(?:tus|las)\s+instrucciones|ignore[sz]?\s+(?:tes|vos|les)\s+instructions"
    r"|developer\s+mode|jailbreak|act\s+as",
    "allergy_reaction": r"hives|epipen|anaphyla\w*|swell\w*|swollen|reaction|reaccion|urticaria|reaction\s+allergique|gonfl\w*",
    "injury": r"burn(?:ed|t)\s+(?:my|his|her|their)|stitches|bleed\w*|cut\s+(?:his|her|my)|hurt|injur\w*|er\b|emergency|ambulance"
    r"|quem\w*|herid\w*|sangr\w*|urgencias|brule\w*|blesse\w*|urgences|points\s+de\s+suture",
    "illness": r"vomit\w*|throw(?:ing)?\s+up|threw\s+up|sick\s+(?:all|after)|food\s+poisoning|diarrh\w*|hospital|enferm\w*"
    r"|intoxica\w*|diarrea|malade\w*|intoxication|hopital",
    "legal": r"lawyer|attorney|sue\b|suing|lawsuit|court|abogad\w*|demanda\w*|avocat|tribunal|poursuivre|proces",
    "chargeback": r"chargeback|dispute|my\s+bank|contracargo|disputa|mi\s+banco|contester|ma\s+banque|opposition",
}
_COMPILED = {name: re.compile(rf"(?:\b)(?:{pattern})(?:\b|(?=\W)|$)") for name, pattern in _CONCEPTS.items()}
_NEGATIVE_EMOJI = set("😞😔😢😭💔😩😫😠😡🤬👎😤😒🙄😕☹🙁")
_POSITIVE_EMOJI = set("😍🥰😊😁😄😃🙌👏🎉❤💯🔥🤩😋👌🥳💕✨")


def concepts(normalized: str, raw: str) -> list[str]:
    """The concept features of a message ("~price", "~praise", "~emoji_neg"...)."""
    found = ["~" + name for name, pattern in _COMPILED.items() if pattern.search(normalized)]
    if any(ch in _NEGATIVE_EMOJI for ch in raw):
        found.append("~emoji_neg")
    if any(ch in _POSITIVE_EMOJI for ch in raw):
        found.append("~emoji_pos")
    return found


def injection(normalized: str) -> bool:
    """Whether the message tries to give the assistant instructions (flagged, never obeyed, not escalated)."""
    return bool(_COMPILED["injection"].search(normalized))
