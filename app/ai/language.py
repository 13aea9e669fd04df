"""Offline language detection: writing system first, then function words and telltale letters.

No dependency and no randomness: the same text always gives the same ISO 639-1 code.
Statistical detectors (langdetect and friends) are unreliable on what customers send
("ok", "cuanto?", "pls book sat"); this one is tuned for the business's languages
(English, Spanish, plus Portuguese, French, German, Italian, Vietnamese, Tagalog and
non-Latin scripts by their script). With no evidence at all ("👍", "ok", "12/6") it
answers English, the business's default.
"""

from __future__ import annotations

import re
import unicodedata

from app.ai.features import strip_accents

DEFAULT_LANGUAGE = "en"

# (first, last code point, language); the share of letters in a script decides.
_SCRIPTS = (
    (0x3040, 0x30FF, "ja"),  # hiragana, katakana
    (0xAC00, 0xD7AF, "ko"),
    (0x1100, 0x11FF, "ko"),
    (0x4E00, 0x9FFF, "zh"),
    (0x3400, 0x4DBF, "zh"),
    (0x0400, 0x04FF, "ru"),
    (0x0600, 0x06FF, "ar"),
    (0x0590, 0x05FF, "he"),
    (0x0E00, 0x0E7F, "th"),
    (0x0900, 0x097F, "hi"),
    (0x0370, 0x03FF, "el"),
    (0x0530, 0x058F, "hy"),
)

_WORDS = {
    "en": """the a an and or but is are was were be been am i im i'm you your u ur we our us they them it its this
        that these those to of for in on at with from by about can could would should will do does did have has had
        my me he she his her what when where how why which who if so not no yes just please pls thanks thank thx
        hi hey hello ok okay lol omg wanna gonna want need book party people guests price much many there here
        get got some any all more also than then too very really our'll we're i'd i'll don't can't didn't it's""",
    "es": """el la los las un una unos unas y o pero es son fue era estar esta estan estamos soy somos yo tu usted
        ustedes nosotros mi mis su sus de del al en con por para sin sobre que como cuando donde cuanto cuanta
        cuantos cuantas porque hola gracias buenas buenos dias tardes noches favor porfa quiero queremos quisiera
        necesito necesitamos pueden puede tienen tiene hay fiesta personas gente precio cuesta fecha comida hora
        sabado domingo viernes manana semana ya muy mas tambien pero si no le les lo nos se me te esto eso este ese
        reserva reservacion cumpleanos invitados ninos adultos saludos llego nadie todo todos quien habla
        van voy vamos va perdon numero equivocado disculpe oigan aceptan acepta cobran cobra hacen hace pueden
        podemos puedo tienen quisieramos queria quieren necesitamos reservar reservacion cancelar cambiar llueve lluvia
        propina deposito precio precios cuesta cuestan cuanto cuantos horarios mariscos alergico alergica alergia
        gracias muchas excelente increible chef estuvo fueron llegaron tarde hora horas dia dias tambien nuestra nuestro
        ustedes traen parrilla espacio mesas sillas platos agregar ninos adultos seriamos somos comida fiesta cumple""",
    "pt": """o a os as um uma e ou mas e sao foi era estar esta estamos sou somos eu voce voces nos meu minha seu sua
        do da dos das no na nos nas em com por para sem que como quando onde quanto porque ola obrigado obrigada
        bom dia boa tarde noite favor quero queremos gostaria preciso podem pode tem festa pessoas gente preco custa
        data comida hora sabado domingo muito mais tambem nao sim isso este esse aqui""",
    "fr": """le la les un une des et ou mais est sont etait etre je tu il elle nous vous ils elles mon ma mes ton ta
        son sa ses notre votre de du au aux en dans avec pour sans sur que qui quoi comment quand ou combien
        pourquoi bonjour bonsoir merci salut oui non pas tres plus aussi fete personnes prix repas heure samedi
        dimanche disponible voudrais voulons besoin pouvez avez acceptez faites fait etes sommes serons serait sera
        voulez aimerions souhaitons reserver reservation annuler deplacer rembourse acompte pourboire pluie pleut
        combien coute coutent tarif devis enfants adultes soiree anniversaire chef merci beaucoup etait trop super
        genial incroyable retard heure heures jour jours aussi notre nos votre vos chez ici depuis dont quel quelle
        quels quelles espace tables chaises assiettes allergique allergie crustaces supplement homard deplacez""",
    "de": """der die das ein eine und oder aber ist sind war sein ich du er sie wir ihr mein meine dein unser euer
        von zu mit fur auf aus bei nach wie wann wo warum was wieviel hallo danke bitte guten tag abend ja nein nicht
        sehr auch mehr personen preis datum essen uhr samstag sonntag mochten konnen haben""",
    "it": """il lo la i gli le un una e o ma sono era essere io tu lui lei noi voi loro mio mia suo sua nostro di da
        in con per su che come quando dove quanto perche ciao grazie buongiorno buonasera si non molto anche piu
        festa persone prezzo data cibo ora sabato domenica vorrei vorremmo possiamo avete""",
    "vi": """toi ban chung la va cua cho khong co nhung mot nay do duoc gi nao bao nhieu xin chao cam on nguoi tiec
        ngay gia muon can""",
    "tl": """ang ng mga sa na at ay ko mo siya kami kayo sila ito iyan po opo salamat magkano kailan saan paano
        gusto namin ninyo handaan tao""",
}
_LEXICON: dict[str, set[str]] = {lang: set(words.split()) for lang, words in _WORDS.items()}
_WORD_LANGS: dict[str, list[str]] = {}
for _lang, _words in _LEXICON.items():
    for _word in _words:
        _WORD_LANGS.setdefault(_word, []).append(_lang)

# Letters and marks that point at one language (checked on the original text).
_TELLTALES = (
    (re.compile(r"[ñ¿¡]"), "es", 2.0),
    (re.compile(r"[ãõ]|ção|ções"), "pt", 2.0),
    (re.compile(r"[èêëœ]|ç(?!ão)"), "fr", 1.0),
    (re.compile(r"[äöüß]"), "de", 2.0),
    (re.compile(r"[ơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]"), "vi", 3.0),
)
_TOKEN = re.compile(r"[a-z']+")


def _script_language(text: str) -> str | None:
    counts: dict[str, int] = {}
    letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        code = ord(ch)
        for first, last, lang in _SCRIPTS:
            if first <= code <= last:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not letters or not counts:
        return None
    # Japanese mixes kana with kanji: any kana makes it Japanese.
    if counts.get("ja"):
        counts["ja"] += counts.pop("zh", 0)
    lang, count = max(counts.items(), key=lambda item: item[1])
    return lang if count / letters >= 0.3 else None


def scores(text: str) -> dict[str, float]:
    """Evidence per Latin-script language (words shared by k languages count 1/k)."""
    lowered = unicodedata.normalize("NFC", text).lower()
    result = dict.fromkeys(_LEXICON, 0.0)
    for pattern, lang, weight in _TELLTALES:
        if pattern.search(lowered):
            result[lang] += weight
    for token in _TOKEN.findall(strip_accents(lowered)):
        langs = _WORD_LANGS.get(token)
        if langs:
            for lang in langs:
                result[lang] += 1.0 / len(langs)
    return result


def detect_language(text: str) -> str:
    """ISO 639-1 code of `text`; "en" when there is nothing to go on."""
    if not text or not text.strip():
        return DEFAULT_LANGUAGE
    script = _script_language(text)
    if script:
        return script
    evidence = scores(text)
    best = max(evidence, key=lambda lang: (evidence[lang], lang == DEFAULT_LANGUAGE))
    if evidence[best] < 0.5 or evidence[best] <= evidence[DEFAULT_LANGUAGE]:
        return DEFAULT_LANGUAGE
    return best
