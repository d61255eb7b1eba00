"""Making untrusted text inert in Adaptive Card Markdown.

TextBlock text, Fact.title and Fact.value are rendered as a Markdown subset in Teams: links
`[x](y)`, emphasis `*x*`, `**x**`, `_x_`, and lists (`- `, `* `, `+ `, `1. ` at the start of a
line); HTML is not rendered (Teams, "Format cards in Teams": "HTML isn't supported in Adaptive
Cards"). A display name such as `[Re-verify your consent](https://…)` must therefore be
escaped before it joins such text, or it becomes a clickable link in a card the bot signs.

`inert` backslash-escapes (CommonMark: any ASCII punctuation may be escaped) every character
that opens a link, emphasis, code or an autolink, and the list and heading markers at the start
of a line; `(`, `)`, `.` and `-` elsewhere stay as they are, so ordinary names read unchanged.
Teams clients do not all honour backslash escapes the same way (microsoft/AdaptiveCards#5758,
MicrosoftDocs/msteams-docs#5793), so links are also broken without relying on them: an
invisible WORD JOINER (U+2060) goes between `]` and `(` and after the `:` of `://`, which no
Markdown link or autolink can span; at worst a client shows a stray backslash or emphasis.
Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) are removed: they let a
name reorder the text around it. Text that should be shown verbatim with no Markdown at all
goes into a RichTextBlock TextRun instead (see builders.py); this is for the places where only
Markdown text exists (facts, notices, TextBlocks that mix prose and names).
"""

from __future__ import annotations

import re

_ANYWHERE = re.compile(r"([\\`*_\[\]<>~])")
_LINK_JOINTS = re.compile(r"(?<=\])(?=\()|(?<=:)(?=//)")
WORD_JOINER = "\u2060"
_LINE_START = re.compile(r"(?m)^([ \t]*)([-+#>=]|\d+(?=[.)]))")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """`text` as it should read, with nothing in it that Adaptive Card Markdown would format."""
    text = _BIDI_CONTROLS.sub("", text)
    text = _LINK_JOINTS.sub(WORD_JOINER, text)
    text = _ANYWHERE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_marker, text)


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():  # "1." or "1)": escape the dot, which the digits are followed by
        return indent + marker + "\\"
    return indent + "\\" + marker
