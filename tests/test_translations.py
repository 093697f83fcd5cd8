"""The catalogues cover every text: extracted from the code and templates, every message has
a Dutch translation, and the compiled catalogue matches its source."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "booking" / "translations" / "nl" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("**/templates/**", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "booking", METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_text_has_a_dutch_translation() -> None:
    with open(CATALOGUE / "messages.po", "rb") as source:
        catalogue = read_po(source, locale="nl")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and (m.string if isinstance(m.string, str) else all(m.string))
    }
    extracted = _extracted()
    assert len(extracted) > 30  # the extraction itself works
    missing = sorted(extracted - translated)
    assert not missing, f"untranslated (run pybabel extract/update): {missing}"


def test_the_compiled_catalogue_matches_its_source() -> None:
    with open(CATALOGUE / "messages.po", "rb") as source:
        catalogue = read_po(source, locale="nl")
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert (CATALOGUE / "messages.mo").read_bytes() == compiled.getvalue()
