# ruff: noqa: E501 - word lists read better unwrapped, one family a line
"""Concepts shared by English, Spanish and French, as features for the offline classifier.

Word n-grams tie what the model learns to one language: "how much", "cuánto" and
"combien" are three unrelated features. A concept feature ("~price") fires for all
three, so examples in one language teach the others. Each concept is a family of
words and short phrases (accent-free, lower case, over `normalize()`d text).
"""

from __future__ import annotations

import hashlib
import json
import re

# Words aimed at the assistant rather than at the business, in the three languages: an order to drop
# its instructions, a message addressed to the AI, or a role it is told to play.
_INJECTION = (
    r"(?:ignore|ignoring|disregard|forget|override|bypass|olvida|olvide|olviden|ignora|ignore[sz]?|oublie[sz]?|omite)"
    r"\s+(?:\w+\s+){0,4}(?:instructions?|rules|prompts?|guidelines|programming|instrucciones|reglas|indicaciones|consignes|regles)"
    r"|(?:system|developer|admin)\s*(?:note|prompt|message|override|mode|:)|you\s+are\s+now|jailbreak|act\s+as\s+(?:if|an?|the)"
    r"|pretend\s+(?:you|to\s+be)|(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:assistant|ai|bot|chatbot|model|gpt)"
    r"|(?:as|to)\s+the\s+(?:ai|assistant|bot)\b|(?:assistant|asistente|assistente)\s+(?:ia|ai|virtual)|(?:para|pour)\s+(?:el|l|le)\s?(?:bot|asistente|assistant|ia)"
    r"|modo\s+(?:admin|administrador|desarrollador)|mode\s+(?:admin|developpeur)"
)

_CONCEPTS: dict[str, str] = {
    "price": r"how\s+much|price|pricing|cost|quote|estimate|rate|cuanto|cuanta|precio|cuesta|cuestan|cobran|cotizacion"
    r"|presupuesto|combien|prix|tarif|devis|coute|coutent",
    "book": r"book|booking|reserve|reservation|lock\s+(?:us|it)\s+in|sign\s+(?:us\s+)?up|schedule\s+(?:a|the|you)|reservar|reserva"
    r"|apartar|agendar|reserver|reservation|retenir",
    "available": r"available|availability|free\s+on|are\s+you\s+free|open\s+on|anything\s+open|any\s+openings|do\s+you\s+have"
    r"|can\s+(?:you|u)\s+do|doable|possible|disponible|disponibilidad|tienen\s+(?:lugar|espacio|fecha)|se\s+puede"
    r"|libre|dispo|c\s?est\s+possible|vous\s+avez\s+de\s+la\s+place",
    "move": r"move|reschedul\w*|push\s+(?:it|our|the)|change\s+(?:the\s+)?(?:date|time)|switch|postpone|instead|mover|cambiar|pasar|en\s+vez|en\s+lugar"
    r"|slide|shift|bump|(?:later|another|different|new|other)\s+(?:date|day|time)|adelantar|atrasar|recorrer|(?:otra|nueva)\s+fecha"
    r"|plutot|a\s+la\s+place|au\s+lieu|avancer|repousser|(?:autre|nouvelle)\s+date"
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
    "praise": r"amazing|awesome|incredible|fantastic|perfect|wonderful|excellent|great\s+job|loved|killed\s+it|crushed\s+it|smashed\s+it"
    r"|slayed|(?:absolutely|totally|really|yall|y'?all|you\s+guys|u\s+guys)\s+ate|ate\s+(?:that|it|and\s+left)|banger|slap(?:s|ped)"
    r"|(?:was|is|so|straight|pure|literally|absolute|hella)\s+(?:fire|sick)\b(?!\s+(?:after|from|all|of|and|with|for))"
    r"|goated|bussin|hits\s+different|10\s*/\s*10|chef'?s\s+kiss|no\s+crumbs|best\s+\w+\s+(?:ever|all\s+year|in\s+years)|a\s+whole\s+vibe"
    r"|legend(?:ary)?|the\s+goat|a\s+beast|on\s+point|next\s+level|increible|excelente|delicios\w*|encant\w*|se\s+luci\w*"
    r"|se\s+la\s+rifo|se\s+rifo|chid[oa]s?|(?:estuvo|fue|es|esta|quedo|super|bien)\s+brutal|buenisim\w*|espectacular|riquisim\w*|de\s+lujo|padrisim\w*|bacan\w*|chever\w*"
    r"|genial|incroyable|parfait\w*|delicieu\w*|trop\s+(?:bon|fort|bien)|une\s+tuerie|une\s+dinguerie|de\s+ouf|un\s+boss"
    r"|mis\s+le\s+feu|(?:au|trop|vraiment|super)\s+top|c\W?etait\s+top|magnifique|adore",
    "past_event": r"last\s+night|yesterday|the\s+party\s+(?:was|on)|our\s+party|at\s+our\s+party|ayer|anoche|la\s+fiesta\s+(?:fue|estuvo)"
    r"|hier|hier\s+soir|la\s+soiree|la\s+fete\s+(?:etait|a\s+ete)",
    "problem": r"late|cold|raw|rude|burn\w*|forgot|never\s+(?:showed|came|arrived)|no\s+show|didn'?t|wasn'?t|unacceptable|disappoint\w*"
    r"|terrible|awful|worst|waiting|no\s+one\s+answers|nobody\s+answers|ridiculous|overcooked|undercooked|missing|left\s+early"
    r"|wrong(?!\s+(?:number|#|num))|gross|dirty|filthy|bland|mushy|soggy|greasy|too\s+(?:salty|loud|short)|dry\b|broke\b|broken|damaged?"
    r"|scratch\w*|stain\w*|spill\w*|ruin\w*|messed\s+up|left\s+a\s+mess|charged\s+(?:us\s+|me\s+)?twice|overcharg\w*|never\s+got"
    r"|no\s+(?:reply|response|answer)|haven'?t\s+heard|still\s+(?:no|haven'?t)|ignor(?:ed|ing)|unprofessional"
    r"|manch\w*|rayad\w*|derram\w*|arruin\w*|de\s+mas|nadie\s+(?:contesta|responde)|no\s+(?:contestan|responden)|poco\s+profesional"
    r"|tache\w*|raye\w*|renvers\w*|gache\w*|personne\s+ne\s+repond|pas\s+de\s+reponse|pas\s+(?:tres\s+)?professionnel"
    r"|suci[oa]|asqueros\w*|sos[oa]\b|salad[oa]|sec[oa]\b|roto|rota|danad[oa]|degoutant|insipide|sale\s+(?:et|comme)|abime\w*|casse\w*"
    r"|tarde|fria|frio|crudo|grosero|olvid\w*|nunca|inaceptable|decepcion\w*|pesim\w*|esperando|sin\s+sabor|ni\s+una\s+disculpa"
    r"|sin\s+disculp\w*|falto|faltaba|quemad[oa]|retard|froid|cru|impoli|grossier|oublie|jamais|inadmissible|inacceptable|decu\w*"
    r"|nul\b|manquait|trop\s+cuit|en\s+retard|pas\s+(?:venu|bon|cuit)|sur\s+son\s+telephone|on\s+(?:his|her|their)\s+phone",
    "sarcasm": r"oh\s+great|great,\s+(?:just|another|now|so|the)|wow\s+thanks\s+for|thanks\s+a\s+lot|thanks\s+for\s+nothing|love\s+that\s+for\s+us|just\s+great"
    r"|great\s+job\s+guys|(?:great|awesome|amazing)\s+service|que\s+bien,|(?:que\s+)?(?:buen|excelente)\s+servicio|gracias\s+por\s+nada|bravo"
    r"|super,|genial,|merci\s+pour\s+rien|bravo\s+(?:vraiment|encore)|vraiment\s+top|would\s+(?:definitely\s+)?not\s+recommend",
    "greeting_only": r"^(?:hi|hello|hey|hola|buenas|bonjour|salut|yo)\W*$",
    "wrong": r"wrong\s+number|who\s+is\s+this|numero\s+equivocado|quien\s+es|mauvais\s+numero|qui\s+est-ce",
    "spam": r"seo|marketing|reviews\s+on\s+autopilot|grow\s+your|leads|partnership|sponsor|crypto|click\s+here|verify\s+your\s+account"
    r"|followers|seguidores|abonnes|agency|agencia|agence|job|hiring|apply|resume|trabajo|empleo|emploi|candidature|recrutez",
    "injection": _INJECTION,
    "allergy_reaction": r"hives|epipen|anaphyla\w*|swell\w*|swollen|reaction|reaccion|urticaria|reaction\s+allergique|gonfl\w*",
    "injury": r"burn(?:ed|t)\s+(?:my|his|her|their)|stitches|bleed\w*|cut\s+(?:his|her|my)|hurt|injur\w*|er\b|emergency|ambulance"
    r"|quem\w*|herid\w*|sangr\w*|urgencias|brule\w*|blesse\w*|urgences|points\s+de\s+suture",
    "illness": r"vomit\w*|throw(?:ing)?\s+up|threw\s+up|sick\s+(?:all|after)|food\s+poisoning|diarrh\w*|hospital|enferm\w*"
    r"|intoxica\w*|diarrea|malade\w*|intoxication|hopital",
    "legal": r"lawyer|attorney|sue\b|suing|lawsuit|court|abogad\w*|demanda\w*|avocat|tribunal|poursuivre|proces",
    "chargeback": r"chargeback|dispute|my\s+bank|contracargo|disputa|mi\s+banco|contester|ma\s+banque|opposition",
}
_COMPILED = {name: re.compile(rf"(?:\b)(?:{pattern})(?:\b|(?=\W)|$)") for name, pattern in _CONCEPTS.items()}
NEGATIVE_EMOJI = frozenset("😞😔😢😭💔😩😫😠😡🤬👎😤😒🙄😕☹🙁🥲😣😖")
POSITIVE_EMOJI = frozenset("😍🥰😊😁😄😃🙌🎉❤💯🔥🤩😋👌🥳💕✨🤙🙏😎💪")
ANGRY_EMOJI = frozenset("😠😡🤬👿")
# An eye-roll or an upside-down smile turns praise into sarcasm; applause does when something went wrong.
_SARCASM_EMOJI = frozenset("🙄🙃😒")
# "not great", "no estuvo tan bueno", "pas top": a negated compliment is a complaint's word.
_NEGATED = re.compile(r"\b(?:not|isn'?t|wasn'?t|no|nada|ni|pas|plus|jamais|never|nunca|tan)\s+(?:\w+\s+)?$")


def concepts(normalized: str, raw: str) -> list[str]:
    """The concept features of a message ("~price", "~praise", "~sarcasm", "~emoji_neg"...)."""
    found = ["~" + name for name, pattern in _COMPILED.items() if name != "praise" and pattern.search(normalized)]
    praise = [m for m in _COMPILED["praise"].finditer(normalized) if not _NEGATED.search(normalized[: m.start()])]
    if praise:
        found.append("~praise")
    elif _COMPILED["praise"].search(normalized):
        found.append("~negated_praise")
    emojis = set(raw)
    problem = "~problem" in found or "~negated_praise" in found
    if "~sarcasm" not in found and (
        (emojis & _SARCASM_EMOJI and (praise or "~thanks" in found or problem)) or ("👏" in emojis and problem)
    ):
        found.append("~sarcasm")
    if emojis & NEGATIVE_EMOJI:
        found.append("~emoji_neg")
    if emojis & (POSITIVE_EMOJI | {"👏"}) and "~sarcasm" not in found:
        found.append("~emoji_pos")
    return found


def injection(normalized: str) -> bool:
    """Whether the message tries to give the assistant instructions (flagged, never obeyed, not escalated)."""
    return bool(_COMPILED["injection"].search(normalized))


# Names the lexicon: a trained model reads these concepts as features, so a cached model trained with other
# patterns must not be loaded (app.ai.offline puts this in the model's name).
LEXICON_VERSION = hashlib.sha256(
    json.dumps(
        [_CONCEPTS, sorted(NEGATIVE_EMOJI), sorted(POSITIVE_EMOJI), sorted(_SARCASM_EMOJI), _NEGATED.pattern],
        sort_keys=True,
    ).encode()
).hexdigest()[:12]
