"""Length-preserving clean-up of Teams message text.

Teams sends HTML (``<at>Name</at>``, ``<p>``, ``&nbsp;``). Every tag and character entity is
replaced by spaces of the *same length*, so offsets found in the cleaned text index directly
into the original string. ``<at>…</at>`` mention spans are returned separately.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AT = re.compile(r"<at(?:\s[^<>]*)?>(.*?)</at>", re.S | re.I)
_ZW = re.compile(r"[\u200b-\u200f\u2060\ufeff]")


def clean(text: str, keep_format: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """Return (cleaned text of identical length, list of <at> mention content spans).

    Zero-width characters become spaces, for display; with ``keep_format`` they are kept,
    for screening, whose normaliser removes them (a space would split a disguised name).
    """
    mentions: list[tuple[int, int]] = []
    zw = not keep_format and _ZW.search(text)
    if "<" not in text and "&" not in text and not zw:
        return text, mentions
    for m in _AT.finditer(text):
        s, e = m.span(1)
        if e > s:
            mentions.append((s, e))
    out = list(text)
    if "<" in text:
        for m in _TAG.finditer(text):
            for i in range(m.start(), m.end()):
                out[i] = " "
    if "&" in text:
        for m in _ENTITY.finditer(text):
            rep = html.unescape(m.group(0))
            if len(rep) != 1 or rep in "\u00a0\u200b":
                rep = " "
            out[m.start()] = rep
            for i in range(m.start() + 1, m.end()):
                out[i] = " "
    if zw:
        for m in _ZW.finditer(text):
            out[m.start()] = " "
    return "".join(out), mentions
