"""The parts of one mail, in one language: what every kind of mail is composed into."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MailContent:
    """The parts of one mail, in one language."""

    subject: str
    lines: list[str]
    details: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    why: str = ""
    code: str = ""
    # Buttons: (label, absolute URL).
    links: list[tuple[str, str]] = field(default_factory=list)
    # Whom the mail greets, where that is not an account (a complaint's filer).
    greeting: str = ""
