"""An achievement the catalogue published in English, German and French (issue 15)."""

from __future__ import annotations

from typing import Any

TRILINGUAL: dict[str, Any] = {
    "name": "PLC programming",
    "description": "Programme industrial controllers to IEC 61131-3.",
    "criteria": "Practical project with an oral defence.",
    "learning_outcomes": ["Write structured text", "Commission a cell"],
    "languages": ["en", "de", "fr"],
    "primary_language": "en",
    "translations": {
        "de": {
            "name": "Grundlagen der SPS-Programmierung",
            "description": "Industriesteuerungen nach IEC 61131-3 programmieren.",
            "criteria": "Praktisches Projekt mit mündlicher Prüfung.",
            "learning_outcomes": ["Strukturierten Text schreiben", "Eine Zelle in Betrieb nehmen"],
        },
        "fr": {
            "name": "Programmation des automates",
            "description": "Programmer des automates industriels selon la CEI 61131-3.",
            "learning_outcomes": ["Écrire du texte structuré « ST »"],
        },
    },
}
