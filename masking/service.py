"""Enforcement as a service: the current policy and catalog, an enforcer, a rewrite cache.

The gateway, the HTTP query API and ``veil rewrite`` all call :class:`Enforcement`.
It builds an :class:`~masking.rewrite.Enforcer` for the current policy version and
catalog state and keeps rewrites in an LRU cache keyed by the statement text, the user
and the default schema, and templates in one keyed by the statement's shape (its text
without the constants it compares: :mod:`masking.templates`). Any policy apply or
catalog change (scan, classification, review, tagging) changes a version token; the
next call sees it and starts a new enforcer with empty caches, so a stale decision
never outlives the change that revoked it by more than ``check_interval`` seconds (0
checks on every call).

Fail closed: no policy applied means nobody may read anything; an unreachable store
raises and the caller refuses the statement.
"""

from __future__ import annotations

import json
import os
import secrets as _secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from catalog.config import Settings
from catalog.store import Store
from masking.errors import Refused, denied
from masking.functions import MaskSecrets
from masking.rewrite import Enforcer, Rewritten
from masking.templates import Shape, Template, learn, shape_of
from policies.decide import Decider
from policies.facts import catalog_version, load_warehouse_facts
from policies.model import Policy
from policies.store import current_policy, current_version_number

K = TypeVar("K")
V = TypeVar("V")

#: (shape key, user, default schema)
_ShapeKey = tuple[tuple[str, ...], str, str | None]

_KEYS_FILE = "mask-keys.json"


def mask_secrets(settings: Settings) -> MaskSecrets:
    """The hash salt and tokenization key: from settings, else generated once under home.

    The generated file is created with mode 0600 and never rewritten, so masked values
    stay stable (joins on hashed keys keep working across restarts).
    """
    if settings.mask_salt and settings.mask_token_key:
        return MaskSecrets(salt=settings.mask_salt, token_key=settings.mask_token_key)
    path = settings.home_path / _KEYS_FILE
    stored = _read_or_create_keys(path)
    return MaskSecrets(
        salt=settings.mask_salt or stored["salt"],
        token_key=settings.mask_token_key or stored["token_key"],
    )


def _read_or_create_keys(path: Path) -> dict[str, str]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = {"salt": _secrets.token_hex(32), "token_key": _secrets.token_hex(32)}
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; read theirs
        else:
            with os.fdopen(fd, "w") as f:
                json.dump(keys, f)
    data = json.loads(path.read_text())
    return {"salt": str(data["salt"]), "token_key": str(data["token_key"])}


@dataclass(frozen=True)
class _State:
    token: tuple[int, str]
    enforcer: Enforcer
    policy_version: int


class Enforcement:
    """Rewrites statements for one warehouse, keeping up with policy and catalog changes."""

    def __init__(
        self,
        store: Store,
        warehouse: str,
        secrets: MaskSecrets,
        *,
        cache_size: int = 10_000,
        check_interval: float = 1.0,
    ) -> None:
        self.store = store
        self.warehouse = warehouse
        self.secrets = secrets
        self.cache_size = cache_size
        self.check_interval = check_interval
        self._state: _State | None = None
        self._checked_at = 0.0
        self._cache: OrderedDict[tuple[str, str, str | None], Rewritten] = OrderedDict()
        #: Templates by (shape key, user, default schema); None: the shape has none.
        self._templates: OrderedDict[tuple[tuple[str, ...], str, str | None], Template | None] = (
            OrderedDict()
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.shape_hits = 0
        self.misses = 0

    @property
    def policy_version(self) -> int:
        return self._current().policy_version

    def roles_of(self, user: str) -> tuple[str, ...]:
        """``user``'s roles under the policy in force (none when no policy is applied)."""
        try:
            return self._current().enforcer.decider.roles_of(user)
        except Refused:
            return ()

    @property
    def known_policy_version(self) -> int:
        """The policy version last seen, without asking the store (0 before any)."""
        state = self._state
        return state.policy_version if state is not None else 0

    def rewrite(self, sql: str, user: str, *, default_schema: str | None = None) -> Rewritten:
        """The enforced statement for ``user``, from the cache when nothing has changed.

        Two caches: by exact text, and by shape (:mod:`masking.templates`), so that
        statements differing only in compared constants are rewritten once.
        """
        state = self._current()
        found, shape, shape_key = self._lookup(state, sql, user, default_schema)
        if found is not None:
            return found
        result = state.enforcer.rewrite(sql, user, default_schema=default_schema)
        learned: Template | None = None
        if shape is not None and shape_key is not None:
            learned = learn(state.enforcer, shape, result, user, default_schema=default_schema)
        with self._lock:
            if self._state is state:
                _put(self._cache, (sql, user, default_schema), result, self.cache_size)
                if shape_key is not None:
                    _put(self._templates, shape_key, learned, self.cache_size)
            self.misses += 1
        return result

    def cached(self, sql: str, user: str, *, default_schema: str | None = None) -> Rewritten | None:
        """:meth:`rewrite` when the answer is in a cache and the store is not due for a
        version check: no I/O, so an event loop may call it. None otherwise (then call
        :meth:`rewrite`, in a worker thread)."""
        state = self._state
        if (
            state is None
            or state.policy_version == 0
            or time.monotonic() - self._checked_at >= self.check_interval
        ):
            return None
        return self._lookup(state, sql, user, default_schema)[0]

    def _lookup(
        self, state: _State, sql: str, user: str, default_schema: str | None
    ) -> tuple[Rewritten | None, Shape | None, _ShapeKey | None]:
        key = (sql, user, default_schema)
        with self._lock:
            if self._state is not state:
                return None, None, None
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return cached, None, None
        shape = shape_of(sql, state.enforcer.dialect)
        if shape is None:
            return None, None, None
        shape_key = (shape.key, user, default_schema)
        with self._lock:
            template = self._templates.get(shape_key, _UNKNOWN)
            if template is _UNKNOWN:
                return None, shape, shape_key
            self._templates.move_to_end(shape_key)
            if template is None:
                return None, None, None  # no template: not worth learning again
            self.shape_hits += 1
        assert isinstance(template, Template)
        return template.fill(shape.literals), shape, shape_key

    def current_enforcer(self) -> Enforcer:
        """The enforcer of the policy and catalog in force (refused when no policy)."""
        return self._current().enforcer

    def _current(self) -> _State:
        now = time.monotonic()
        state = self._state
        if state is not None and now - self._checked_at < self.check_interval:
            return state
        with self.store.session() as session:
            token = (current_version_number(self.store), catalog_version(session))
            if state is None or state.token != token:
                facts = load_warehouse_facts(session, self.warehouse)
                version = current_policy(self.store)
                policy = version.policy if version is not None else Policy()
                state = _State(
                    token,
                    Enforcer(facts, Decider(policy), self.secrets),
                    version.number if version is not None else 0,
                )
        with self._lock:
            if self._state is not state:
                self._state = state
                self._cache.clear()
                self._templates.clear()
            self._checked_at = now
        if state.policy_version == 0:
            raise denied(
                "no policy has been applied, so nothing may be read",
                hint="An admin applies one with `veil policy apply FILE.yaml`.",
            )
        return state


_UNKNOWN = object()


def _put(cache: OrderedDict[K, V], key: K, value: V, size: int) -> None:
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)
