"""PII classification: which columns hold personal data, how sure Veil is, and why.

``Classifier`` classifies one column from sampled values (pure, no I/O);
``classify_warehouse`` samples every column of a catalogued warehouse, classifies them
in parallel and records the suggestions for stewards to review (catalog.pii).
"""

from catalog.classify.classifier import Classifier, ClassifierConfig, ColumnVerdict
from catalog.classify.decide import ColumnContext
from catalog.classify.run import ClassifyReport, ColumnResult, classify_warehouse

__all__ = [
    "Classifier",
    "ClassifierConfig",
    "ClassifyReport",
    "ColumnContext",
    "ColumnResult",
    "ColumnVerdict",
    "classify_warehouse",
]
