"""Person names without an NER model: a dictionary of first and last names.

The dictionary is Faker's person-name lists for every locale it ships (about 31,000
first names and 28,000 last names, Latin and other scripts), loaded once per process.
The accuracy benchmark deliberately draws its names from a different source (mimesis),
so it measures recognition of names as they occur, not recall of this list.
"""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

_PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "der",
        "den",
        "da",
        "di",
        "del",
        "della",
        "du",
        "le",
        "la",
        "mc",
        "mac",
        "o",
        "bin",
        "ibn",
        "al",
        "el",
        "ten",
        "ter",
        "y",
        "e",
        "st",
        "st.",
    }
)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "herr", "frau", "mme", "m"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})


def fold(word: str) -> str:
    """Case- and accent-insensitive key: ``Müller`` and ``MULLER`` meet."""
    decomposed = unicodedata.normalize("NFKD", word.strip(".,;:()\"'’").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class NameDictionary:
    """Known first and last names, folded for matching."""

    def __init__(self, first: Iterable[str], last: Iterable[str]) -> None:
        self.first = frozenset(fold(n) for n in first if n)
        self.last = frozenset(fold(n) for n in last if n)

    def is_first(self, word: str) -> bool:
        return fold(word) in self.first

    def is_last(self, word: str) -> bool:
        key = fold(word)
        return key in self.last or any(fold(part) in self.last for part in word.split("-"))

    def is_known(self, word: str) -> bool:
        return self.is_first(word) or self.is_last(word)

    def is_full_name(self, words: Sequence[str], *, strict: bool = False) -> bool:
        """Two to four words that read as a person's name (``Maria de la Cruz``, ``SMITH, John``).

        ``strict`` (for running text, where capitalized phrases abound) also wants the
        last word to be a known name.
        """
        core = [w for w in words if fold(w) not in _TITLES and fold(w) not in _SUFFIXES]
        core = [w.rstrip(",") for w in core if w.rstrip(",")]
        content = [w for w in core if fold(w) not in _PARTICLES]
        if not 2 <= len(content) <= 4 or not all(_is_wordlike(w) for w in content):
            return False
        first, last = content[0], content[-1]
        if self.is_first(first) and strict:
            return self.is_last(last) or self.is_first(last)
        if self.is_first(first):
            # Surnames are far more varied than any list: a known first name followed by
            # name-shaped words is enough.
            # Middle initials ("John F. Kennedy") are fine; a one-letter last word is not.
            return len(last.strip(".")) > 1 and all(_is_wordlike(w) for w in content[1:])
        # "Last, First" and surname-first orders.
        return self.is_last(first) and self.is_first(last)

    def is_single_name(self, word: str) -> bool:
        return _is_wordlike(word) and self.is_known(word)


def _is_wordlike(word: str) -> bool:
    stripped = word.replace("-", "").replace("'", "").replace("’", "").rstrip(".")
    return bool(stripped) and stripped.isalpha()


@cache
def default_names() -> NameDictionary:
    """Faker's first and last names across all its locales (cached per process)."""
    from faker.providers import person

    first: set[str] = set()
    last: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for attr in (
            "first_names",
            "first_names_male",
            "first_names_female",
            "first_names_nonbinary",
        ):
            first.update(_names(provider, attr))
        last.update(_names(provider, "last_names"))
    return NameDictionary(first, last)


def _names(provider: type, attr: str) -> list[str]:
    for klass in provider.__mro__:
        value = vars(klass).get(attr)
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, list | tuple | set | frozenset):
            return list(value)
    return []
