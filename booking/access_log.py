"""gunicorn's access log without secrets: private feed paths carry a token, so it is cut out."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

PRIVATE_FEED = re.compile(r"(/feeds/private/)[^/?\s.]+")


def redact(text: str) -> str:
    """The text with every private feed token replaced."""
    return PRIVATE_FEED.sub(r"\1[redacted]", text)


class RedactingLogger(Logger):
    """gunicorn's logger; the request line, path and URL of each access entry are redacted."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        """gunicorn's access-log fields, with secrets taken out of every one that holds a URL."""
        values = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(values.get(key), str):
                values[key] = redact(values[key])
        return values
