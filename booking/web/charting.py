"""pygal, imported once and tidied: it appends a finder for its map plugins (unused here)
to sys.meta_path with only the old find_module API, and Python then warns on every later
import that reaches it (an optional import that is absent, say). It comes out at once."""

from __future__ import annotations

import sys

import pygal
from pygal.style import Style

sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

__all__ = ["Style", "pygal"]
