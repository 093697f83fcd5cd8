"""Which characters text may hold, and how text is made safe for one line."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab, line feed and carriage return; DEL; C1 controls except NEL.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f"
_SURROGATES = "\ud800-\udfff"
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff"
_FORBIDDEN = re.compile(f"[{_CONTROLS}{_SURROGATES}{_NONCHARACTERS}]")
# Every character Unicode treats as ending a line.
LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Bidirectional embeddings, overrides and isolates: they make a title or a subject read
# differently from what it is (a file name that ends in "gpj.exe" shows as "exe.jpg").
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def first_forbidden_character(text: str) -> str | None:
    """Name the first character text may not hold (NUL, controls, surrogates, non-characters)."""
    match = _FORBIDDEN.search(text)
    if match is None:
        # U+nFFFE and U+nFFFF are non-characters in every plane.
        for char in text:
            if ord(char) > 0xFFFF and (ord(char) & 0xFFFE) == 0xFFFE:
                return f"U+{ord(char):04X}"
        return None
    return f"U+{ord(match.group()):04X}"


# Letters that draw nothing (Hangul fillers, the blank braille pattern, Mongolian vowel
# separator): Unicode files them as letters, yet a title of them reads as empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def is_blank(text: str) -> bool:
    """Whether text shows nothing: only spaces, line breaks, controls and invisible format
    characters (U+200B, U+FEFF, U+2060 ...). A title of them is an empty SUMMARY."""
    return all(
        char.isspace()
        or char in _BLANK_LETTERS
        or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")
        for char in text
    )


def one_line(text: str) -> str:
    """The text with every line break and control made a space, runs of blanks folded."""
    text = LINE_BREAKS.sub(" ", text)
    text = BIDI_CONTROLS.sub("", _FORBIDDEN.sub("", text))
    return re.sub(r"[ \t]+", " ", text).strip()


def clean_multiline(text: str) -> str:
    """The text with controls removed and every line break as a plain '\\n'."""
    return BIDI_CONTROLS.sub("", _FORBIDDEN.sub("", LINE_BREAKS.sub("\n", text)))


def has_line_break(text: str) -> bool:
    """Whether single-line text (a name, a title) holds a line break or a control."""
    return bool(LINE_BREAKS.search(text) or _FORBIDDEN.search(text) or "\t" in text)
