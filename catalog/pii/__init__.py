"""The steward's PII review: where suggestions go, and the decisions stewards make on them.

The classifier (and, later, lineage propagation) *suggests* that a column holds an
entity, with a score and evidence; a steward *confirms* it (perhaps changing the
entity), *rejects* it, or marks a column as PII by hand. Each claim is one row of
``pii_suggestions``; a column's state is read from its rows, never stored twice.

Three rules shape this package:

* A steward's decision is never changed by a machine. A re-run that sees the same data
  (same entity, same fingerprint) adds nothing; one that sees other data or another
  entity records an open suggestion *beside* the decision, for a second look.
* An open suggestion counts until a steward rejects it: :func:`effective_pii` reports
  it when it is newer than the column's latest decision, and :func:`pii_to_mask` hands
  every open one to the masking layer (PRODUCT.md: suggested PII is masked like
  confirmed PII, because a new copy of personal data must be protected at once).
* Nothing here carries raw values. Evidence and masked examples arrive masked from the
  classifier; this module adds no field that could hold data.

Confirmed PII gets the column tags ``pii`` and ``pii.<entity lowercased>``, changed in
the same transaction as the decision so tag-based masking rules always agree with it.

The pipeline, one module per step: :mod:`~catalog.pii.record` (a run's suggestions in
bulk) → :mod:`~catalog.pii.review` (stewards confirm or reject) →
:mod:`~catalog.pii.read` (review list, export, masking); :mod:`~catalog.pii.claims`
holds the stored form and the precedence rules all three share.
"""

from catalog.pii.claims import SUGGESTION_SOURCES
from catalog.pii.read import (
    PiiRecord,
    effective_pii,
    list_pii,
    pii_to_mask,
    summarize_evidence,
)
from catalog.pii.record import ColumnKey, RecordStats, record_suggestions
from catalog.pii.review import confirm, pii_tags, reject, validate_entity

__all__ = [
    "SUGGESTION_SOURCES",
    "ColumnKey",
    "PiiRecord",
    "RecordStats",
    "confirm",
    "effective_pii",
    "list_pii",
    "pii_tags",
    "pii_to_mask",
    "record_suggestions",
    "reject",
    "summarize_evidence",
    "validate_entity",
]
