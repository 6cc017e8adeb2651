"""Masked examples: the shape of a matching value, with none of its characters.

Stewards need to see what a column looks like to judge a suggestion, and the catalog
must never hold raw personal data. Letters become ``x``/``X``, digits ``9``; separators
stay, so ``ann.lee@example.com`` reads ``xxx.xxx@xxxxxxx.xxx`` and a card
``9999 9999 9999 9999``. In prose, each detected entity becomes ``[ENTITY]`` and every
other word is shape-masked too: a name the recognizers missed must not leak either.
"""

from __future__ import annotations

from catalog.classify.values import ValueFacts

_MAX = 60


def mask_shape(text: str) -> str:
    """Every letter and digit replaced, separators kept, cut to 60 characters."""
    out = []
    for ch in text[:_MAX]:
        if ch.isdigit():
            out.append("9")
        elif ch.isalpha():
            out.append("X" if ch.isupper() else "x")
        else:
            out.append(ch)
    return "".join(out) + ("…" if len(text) > _MAX else "")


def mask_prose(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Detected entities as ``[ENTITY]``, everything else shape-masked."""
    parts: list[str] = []
    cursor = 0
    for start, end, entity in spans:
        if start < cursor:
            continue  # overlapping detections: the first one already covers it
        parts.append(mask_shape(text[cursor:start]) if start > cursor else "")
        parts.append(f"[{entity}]")
        cursor = end
    parts.append(mask_shape(text[cursor:]))
    joined = "".join(parts)
    return joined[: _MAX + 20] + ("…" if len(joined) > _MAX + 20 else "")


def masked_example(entity: str, facts: ValueFacts) -> str | None:
    example = facts.examples.get(entity)
    if entity == "FREE_TEXT_PII" and example is not None:
        return mask_prose(example, facts.text_example_spans)
    if example is None and entity == "DATE_OF_BIRTH" and facts.dates:
        return "9999-99-99"
    return mask_shape(example) if example is not None else None
