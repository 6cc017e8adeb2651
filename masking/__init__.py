"""masking: masking functions per dialect, query rewriter, PostgreSQL wire-protocol gateway."""

from masking.functions import (
    SUPPORTED_DIALECTS,
    MaskSecrets,
    TypeFamily,
    UnsupportedDialectError,
    mask_expression,
    type_family,
)

__all__ = [
    "SUPPORTED_DIALECTS",
    "MaskSecrets",
    "TypeFamily",
    "UnsupportedDialectError",
    "mask_expression",
    "type_family",
]
