"""Where mail goes: an SMTP server (`BOOKING_SMTP_URL`), or `.eml` files under
instance/mail/ when none is configured, so a newcomer can read what would have been sent."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT_SECONDS = 20


class Transport(Protocol):
    """Something that takes a finished e-mail."""

    def send(self, mail: EmailMessage) -> None:
        """Hand the mail over; raise when it was not accepted."""


@dataclass(frozen=True)
class SmtpTransport:
    """smtp://user:pass@host:587?starttls=true, or smtps://user:pass@host:465."""

    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpTransport:
        """Read the settings from a `BOOKING_SMTP_URL`."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("BOOKING_SMTP_URL must start with smtp:// or smtps://")
        implicit = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            starttls=query.get("starttls", ["false"])[0].lower() == "true",
        )

    def send(self, mail: EmailMessage) -> None:
        """One SMTP conversation per mail: simple, and nothing half-sent survives a crash."""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


@dataclass(frozen=True)
class DirectoryTransport:
    """Writes each mail as an .eml file, named after its Message-ID."""

    folder: Path

    def send(self, mail: EmailMessage) -> None:
        """Write the mail; a repeat of the same message overwrites its file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-._" else "_" for c in mail["Message-ID"])
        (self.folder / f"{name.strip('_')}.eml").write_bytes(bytes(mail))


def transport_for(smtp_url: str, instance_path: str) -> Transport:
    """The transport the configuration asks for."""
    if smtp_url:
        return SmtpTransport.from_url(smtp_url)
    return DirectoryTransport(Path(instance_path) / "mail")
