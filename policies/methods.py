"""The registry of masking methods: their names, parameters and strictness.

This is what a policy may *say* (validated when a policy is applied); how each method
becomes SQL in each dialect lives in :mod:`masking.functions`, which must implement
every name here (a test checks both directions). Keeping the registry below masking/
lets policies/ validate a policy without knowing any SQL generation.

``strictness`` orders methods for PRODUCT.md's rule "among equals the strictest": a
lower number reveals less. ``custom`` ranks as the least strict because Veil cannot
know what an arbitrary expression reveals.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from catalog.errors import UsageError


@dataclass(frozen=True)
class Param:
    name: str
    kind: type  # int or str
    required: bool = False
    default: object = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    doc: str = ""


@dataclass(frozen=True)
class MethodSpec:
    name: str
    strictness: int
    doc: str
    params: tuple[Param, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


METHODS: Mapping[str, MethodSpec] = {
    spec.name: spec
    for spec in (
        MethodSpec("null", 0, "NULL of the column's own type."),
        MethodSpec(
            "redact",
            1,
            "A constant: `value` (default '***') for text columns; NULL of the column's "
            "type for other types.",
            (Param("value", str, default="***", doc="the constant shown for text columns"),),
        ),
        MethodSpec(
            "tokenize",
            2,
            "Keyed token (HMAC-like, with the configured tokenization key): 'tok_' and 16 "
            "hex digits for text; a non-negative integer of the same type for integers; "
            "NULL of the type otherwise. Deterministic, so joins on tokens still work.",
        ),
        MethodSpec(
            "hash",
            3,
            "Salted SHA-256 (the configured salt), lowercase hex for text; a non-negative "
            "integer of the same type for integers; NULL of the type otherwise. "
            "Deterministic, so joins on hashed keys still work.",
        ),
        MethodSpec(
            "date_trunc",
            4,
            "Dates and timestamps truncated to the start of the `unit`, same type; NULL "
            "of the type for non-temporal columns.",
            (Param("unit", str, default="month", choices=("year", "month")),),
        ),
        MethodSpec(
            "bucket",
            4,
            "Numbers rounded down to a multiple of `size` (e.g. ages 30-39 → 30), same "
            "type; NULL of the type for non-numeric columns.",
            (Param("size", int, required=True, minimum=1),),
        ),
        MethodSpec(
            "email",
            5,
            "Local part hidden, domain kept: '***@example.com'. Text only; other types "
            "get NULL of their type.",
        ),
        MethodSpec(
            "partial",
            6,
            "Keep the first `show_first` and last `show_last` characters, the rest "
            "replaced by `fill`; values too short to hide anything are fully filled. "
            "Text only; other types get NULL of their type.",
            (
                Param("show_first", int, default=0, minimum=0),
                Param("show_last", int, default=0, minimum=0),
                Param("fill", str, default="*"),
            ),
        ),
        MethodSpec(
            "custom",
            7,
            "A SQL expression over `value` (the unmasked column), in the warehouse's "
            "dialect, validated when the policy is applied: built-in functions only, no "
            "subqueries, no other columns. Its result is cast back to the column's type.",
            (Param("expression", str, required=True),),
        ),
    )
}


def method_spec(name: str) -> MethodSpec:
    """The registry entry for ``name``, or an error that lists what exists."""
    try:
        return METHODS[name]
    except KeyError:
        close = difflib.get_close_matches(name, METHODS, n=1)
        maybe = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(
            f"unknown mask method {name!r}{maybe}",
            hint="Methods: " + ", ".join(sorted(METHODS)) + ".",
        ) from None


def resolved_params(spec: MethodSpec, given: Mapping[str, object]) -> dict[str, object]:
    """``given`` completed with defaults: what the SQL generator receives."""
    out = {p.name: p.default for p in spec.params if p.default is not None}
    out.update(given)
    return out
