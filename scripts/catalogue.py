"""Bring the Dutch catalogue up to date: extract every text from the code and templates,
merge it into booking/translations/nl/LC_MESSAGES/messages.po (keeping translations), compile
messages.mo, and list the texts that still need a translation. `make translations` runs it;
tests/test_translations.py fails while any text is untranslated or the .mo is stale."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "booking" / "translations" / "nl" / "LC_MESSAGES"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**/templates/**", "jinja2")]
# A fixed header: the compiled catalogue holds it, and must come out the same every time.
CREATED = datetime(2026, 11, 25, 13, 59, tzinfo=UTC)


def main() -> None:
    """Extract, merge, compile; print each untranslated text as JSON."""
    template = Catalog()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "booking", METHODS, keywords=KEYWORDS
    ):
        template.add(message, locations=[])
    with open(CATALOGUE / "messages.po", "rb") as source:
        catalogue = read_po(source, locale="nl")
    catalogue.update(template, no_fuzzy_matching=True)
    catalogue.obsolete = {}
    catalogue.project, catalogue.version = "Wijkruimte", "1"
    catalogue.creation_date = catalogue.revision_date = CREATED
    catalogue.fuzzy = False
    with open(CATALOGUE / "messages.po", "wb") as target:
        write_po(target, catalogue, no_location=True, width=100)
    # Compiled from the file as written, as the test compiles it.
    with open(CATALOGUE / "messages.po", "rb") as source:
        catalogue = read_po(source, locale="nl")
    with open(CATALOGUE / "messages.mo", "wb") as target:
        write_mo(target, catalogue)
    for message in catalogue:
        text = message.string
        if message.id and not (text if isinstance(text, str) else text and all(text)):
            print(json.dumps(message.id, ensure_ascii=False))


if __name__ == "__main__":
    main()
