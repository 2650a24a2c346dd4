"""Text that every file format and database can store.

A kernel's messages are JSON, and JSON can carry lone surrogates (``"\\ud800"``): Python
accepts them in a ``str`` but cannot encode them as UTF-8, so ``nbformat.write``, SQLite
and the report would fail on them. Each one is replaced by its escape, the six characters
``\\ud800``: what the student's code printed stays readable and nothing else changes.
"""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def plain_text(text: str) -> str:
    """``text`` with every lone surrogate written as its ``\\uXXXX`` escape."""
    if not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def plain(value):
    """``value`` (nested dicts and lists, a notebook) with every string made ``plain_text``,
    keys included. Dicts are changed in place, so a ``NotebookNode`` stays one."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        for key in list(value):
            item = plain(value[key])
            clean_key = plain_text(key) if isinstance(key, str) else key
            if clean_key != key:
                del value[key]
            value[clean_key] = item
        return value
    if isinstance(value, list):
        value[:] = [plain(item) for item in value]
        return value
    return value
