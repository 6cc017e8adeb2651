"""Catalog search: find tables and columns by name, description and tag, ranked.

Every word of the query must match the object somewhere: in its own name (best), a
tag, its description, or, for a column, its table's or schema's name — so
``customers email`` finds ``crm.customers.email``. Within that, exact name matches
rank above word matches above substrings. Scoring is a pure function over
:class:`Candidate` records; the store only supplies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from catalog.browse import live_tables_query
from catalog.errors import UsageError
from catalog.store import Store

_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Candidate:
    """Something search can find, with the text it can be found by."""

    kind: str  # "table", "view", "materialized_view" or "column"
    warehouse: str
    schema: str
    table: str
    column: str | None
    description: str | None
    tags: tuple[str, ...]

    @property
    def qualified_name(self) -> str:
        parts = [self.warehouse, self.schema, self.table] + ([self.column] if self.column else [])
        return ".".join(parts)

    @property
    def own_name(self) -> str:
        return self.column if self.column is not None else self.table


@dataclass(frozen=True)
class SearchHit:
    kind: str
    name: str
    score: float
    matched: tuple[str, ...]  # which fields matched: name, tag, description, table, schema
    description: str | None
    tags: tuple[str, ...]


def search_catalog(store: Store, text: str, *, limit: int = 20) -> list[SearchHit]:
    """The best ``limit`` matches for ``text`` in the catalog."""
    terms = query_terms(text)
    return rank(_candidates(store), terms, limit=limit)


def query_terms(text: str) -> list[str]:
    terms = [t for t in text.lower().split() if t]
    if not terms:
        raise UsageError("search needs at least one word", hint="e.g. veil catalog search email")
    return terms


def rank(candidates: Iterable[Candidate], terms: Sequence[str], *, limit: int) -> list[SearchHit]:
    """Score and order candidates; those missing any term are dropped."""
    hits = []
    for cand in candidates:
        total, fields = 0.0, set()
        for term in terms:
            score, field = _best(cand, term)
            if score == 0:
                break
            total += score
            fields.add(field)
        else:
            if cand.column is None:
                total += 0.5  # a table outranks one of its columns on an equal match
            hits.append(
                SearchHit(
                    cand.kind,
                    cand.qualified_name,
                    total,
                    tuple(sorted(fields)),
                    cand.description,
                    cand.tags,
                )
            )
    hits.sort(key=lambda h: (-h.score, len(h.name), h.name))
    return hits[:limit]


def _best(c: Candidate, term: str) -> tuple[float, str]:
    options = [
        (_name_score(c.own_name, term, 10), "name"),
        (max((_tag_score(t, term) for t in c.tags), default=0.0), "tag"),
        (_text_score(c.description, term), "description"),
    ]
    if c.column is not None:
        options.append((_name_score(c.table, term, 4), "table"))
    options.append((_name_score(c.schema, term, 2), "schema"))
    return max(options)


def _name_score(name: str, term: str, weight: float) -> float:
    """Exact name > whole word of the name > prefix > anywhere in it."""
    lowered = name.lower()
    if lowered == term:
        return weight
    if term in _WORDS.findall(lowered):
        return 0.6 * weight
    if lowered.startswith(term):
        return 0.45 * weight
    return 0.3 * weight if term in lowered else 0.0


def _tag_score(tag: str, term: str) -> float:
    if tag == term:
        return 8.0
    if tag.startswith(term + ".") or term in tag.split("."):
        return 5.0
    return 2.0 if term in tag else 0.0


def _text_score(text: str | None, term: str) -> float:
    if not text:
        return 0.0
    lowered = text.lower()
    if term in _WORDS.findall(lowered):
        return 2.0
    return 1.0 if term in lowered else 0.0


def _candidates(store: Store) -> list[Candidate]:
    query = live_tables_query()
    result: list[Candidate] = []
    with store.session() as session:
        for table, schema, warehouse in session.execute(query):
            result.append(
                Candidate(
                    table.kind,
                    warehouse,
                    schema,
                    table.name,
                    None,
                    table.description or table.comment,
                    tuple(sorted(t.tag.name for t in table.tags)),
                )
            )
            for col in table.columns:
                if col.removed_at is None:
                    result.append(
                        Candidate(
                            "column",
                            warehouse,
                            schema,
                            table.name,
                            col.name,
                            col.description or col.comment,
                            tuple(sorted(t.tag.name for t in col.tags)),
                        )
                    )
    return result
