"""Per-invocation state shared by all commands."""

from __future__ import annotations

from typing import Any

from catalog.config import Settings, load_settings
from catalog.store import Store, open_store


class VeilContext:
    """Shared state of one invocation: settings, and the store once a command needs it."""

    def __init__(self, config_path: str | None, overrides: dict[str, Any], debug: bool) -> None:
        self._config_path = config_path
        self._overrides = overrides
        self.debug = debug
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self._config_path, overrides=self._overrides)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.effective_catalog_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
