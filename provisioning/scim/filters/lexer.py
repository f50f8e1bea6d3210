"""The tokenizer under the filter and PATCH path parser (RFC 7644 §3.4.2.2, §3.5.2).

Filter text splits into punctuation (``()[]``), JSON strings (RFC 8259 §7, kept as written,
quotes and escapes included) and words: names, operators, literals and numbers, which the
parser tells apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioning.scim.errors import InvalidFilter

__all__ = ["Token", "tokenize"]

_PUNCTUATION = "()[]"


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "string", "(", ")", "[", "]" or "end"
    text: str
    position: int

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the text"
        text = self.text if len(self.text) <= 40 else f"{self.text[:40]}..."
        return f"{text!r} at position {self.position}"


def tokenize(text: str) -> list[Token]:
    """Split into punctuation, JSON strings and words (names, operators, literals, numbers)."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
            continue
        if char in _PUNCTUATION:
            end = position + 1
        elif char == '"':
            end = _string_end(text, position)
        else:
            end = _word_end(text, position)
        kind = char if char in _PUNCTUATION else "string" if char == '"' else "word"
        tokens.append(Token(kind, text[position:end], position))
        position = end
    tokens.append(Token("end", "", len(text)))
    return tokens


def _string_end(text: str, start: int) -> int:
    """Index just past the closing quote of the string opening at ``start``."""
    position = start + 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
        elif text[position] == '"':
            return position + 1
        else:
            position += 1
    raise InvalidFilter(f"The string starting at position {start} has no closing quote.")


def _word_end(text: str, start: int) -> int:
    """Index just past the word starting at ``start``: up to a space, a quote or punctuation."""
    position = start
    while position < len(text) and not text[position].isspace():
        if text[position] in _PUNCTUATION or text[position] == '"':
            break
        position += 1
    return position
