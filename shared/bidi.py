"""Characters that reorder how text is displayed (Unicode bidirectional controls).

A name holding U+202E (RIGHT-TO-LEFT OVERRIDE) shows its tail reversed: "Mei\u202egnp.exe"
reads as "Meiexe.png" in a mail or a staff screen. No person or company name needs them (the
bidi algorithm orders Arabic and Hebrew text by itself), so every name field refuses them.
"""

import re

# Embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), and the implicit marks
# (LRM U+200E, RLM U+200F, ALM U+061C).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def has_bidi_controls(value: str) -> bool:
    return BIDI_CONTROLS.search(value) is not None
