"""Offline language detection."""

from __future__ import annotations

import json

import pytest

from app.ai import offline
from app.ai.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hi, can we book the 6pm slot for 20 people?", "en"),
        ("pls book sat 4 me lol", "en"),
        ("Hola, quiero reservar para el sábado, somos 20", "es"),
        ("cuánto cuesta para 30 personas?", "es"),
        ("Hola", "es"),
        ("Olá! Gostaria de reservar um chef para o dia 15, somos 20 pessoas", "pt"),
        ("Bonjour, êtes-vous disponible samedi pour une fête?", "fr"),
        ("Guten Tag, wir möchten eine Party buchen", "de"),
        ("Ciao, vorrei prenotare una festa per sabato", "it"),
        ("Xin chào, tôi muốn đặt tiệc", "vi"),
        ("你好，请问20个人的价格是多少？", "zh"),
        ("こんにちは、予約したいです", "ja"),
        ("안녕하세요, 예약하고 싶어요", "ko"),
        ("Здравствуйте, хотим заказать", "ru"),
        ("مرحبا", "ar"),
    ],
)
def test_detects(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "👍", "ok", "12/6", "??"])
def test_no_evidence_means_english(text):
    assert detect_language(text) == "en"


def test_is_deterministic():
    text = "Buenas tardes, tienen disponible el 12?"
    assert {detect_language(text) for _ in range(20)} == {"es"}


def test_labelled_languages_of_the_held_out_set():
    rows = [json.loads(line) for line in offline.TEST_PATH.read_text(encoding="utf-8").splitlines()]
    wrong = [(r["language"], r["text"]) for r in rows if detect_language(r["text"]) != r["language"]]
    assert len(wrong) <= 0.03 * len(rows), wrong
