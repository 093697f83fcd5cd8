"""The catalogues cover every text: extracted from the code and templates, every message has
a Dutch translation, and the compiled catalogue matches its source."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.extract import extract_from_dir
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


def _source_messages() -> dict[object, str]:
    """Every translated message of messages.po, keyed as gettext keys a compiled catalogue."""
    with open(CATALOGUE / "messages.po", "rb") as source:
        catalogue = read_po(source, locale="nl")
    messages: dict[object, str] = {}
    for m in catalogue:
        if not m.id or m.fuzzy:
            continue  # the header, and guesses that msgfmt leaves out
        prefix = f"{m.context}\x04" if m.context else ""
        if isinstance(m.id, str):
            if m.string:
                messages[prefix + m.id] = m.string
        else:
            for n, plural in enumerate(m.string):
                messages[(prefix + m.id[0], n)] = plural
    return messages


def test_the_compiled_catalogue_matches_its_source() -> None:
    # Compared as gettext reads it at run time, message by message, not byte for byte: the
    # compiler's version (and the header it writes) may differ from the one used to commit.
    with open(CATALOGUE / "messages.mo", "rb") as compiled:
        decoded = gettext.GNUTranslations(compiled)
    runtime = {key: value for key, value in decoded._catalog.items() if key != ""}  # type: ignore[attr-defined]
    source = _source_messages()
    assert len(source) > 300  # the catalogue was read at all
    missing = sorted(str(k) for k in source.keys() - runtime.keys())
    stale = sorted(str(k) for k in runtime.keys() - source.keys())
    changed = sorted(str(k) for k in source.keys() & runtime.keys() if source[k] != runtime[k])
    assert not (missing or stale or changed), (
        f"recompile the catalogue (make translations): missing {missing}, "
        f"stale {stale}, changed {changed}"
    )
    assert decoded.info()["language"] == "nl"
