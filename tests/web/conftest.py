"""The page tests share the mailing app of the notification tests (a real SMTP server)."""

from tests.delivery.conftest import MailingApp, mailing

__all__ = ["MailingApp", "mailing"]
