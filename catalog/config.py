"""Settings: one table of every knob, read from defaults < veil.yaml < VEIL_* variables.

Each setting is a field of :class:`Settings` whose metadata says what it does, so the
table is the documentation (``veil config show`` prints it, and a test checks every
setting is documented in the README). ``veil.yaml`` may nest keys in sections
(``catalog: {url: ...}``); a nested key ``a.b`` names the field ``a_b`` and the
variable ``VEIL_A_B``. Unknown keys, wrong types and bad values are errors that name
the file, the key and the fix: a typo in a security setting must never be ignored.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from catalog.errors import ConfigError

_LOG_LEVELS = ("debug", "info", "warning", "error")


def _setting(default: Any, doc: str, *, secret: bool = False) -> Any:
    return field(default=default, metadata={"doc": doc, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """Effective configuration. Build it with :func:`load_settings`, not directly."""

    home: str = _setting(
        ".veil", "Directory for Veil's local state (SQLite catalog, demo files, keys)."
    )
    catalog_url: str = _setting(
        "",
        "SQLAlchemy URL of the catalog/policy store. Empty means a SQLite file "
        "`catalog.db` under `home`. Use PostgreSQL to share it between gateways.",
        secret=True,
    )
    log_level: str = _setting("warning", "Log level: debug, info, warning or error.")
    scan_exact_count_max_rows: int = _setting(
        1_000_000,
        "When a warehouse only gives row-count estimates, tables estimated below this "
        "many rows are counted exactly (COUNT(*)); 0 never counts.",
    )
    classify_sample_size: int = _setting(
        100, "Rows sampled per table for PII classification (each column sees up to this many)."
    )
    classify_workers: int = _setting(
        0, "Processes classifying columns in parallel; 0 picks one per core for large jobs."
    )
    classify_spacy_model: str = _setting(
        "",
        "An installed spaCy model (e.g. en_core_web_sm) whose NER adds PERSON, LOCATION and "
        "ORGANIZATION in free text. Empty: Veil's offline recognizers only. Never downloaded.",
    )
    classify_recognizers: tuple[Any, ...] = _setting(
        (),
        "Custom recognizers: a list of {name, regex, score, context} or {name, deny_list, "
        "context}; name is the entity reported (UPPER_SNAKE).",
    )
    mask_salt: str = _setting(
        "",
        "Salt of the `hash` mask (salted SHA-256). Empty: generated once and kept in "
        "`mask-keys.json` under `home` (mode 0600). Gateways sharing a catalog must share it.",
        secret=True,
    )
    mask_token_key: str = _setting(
        "",
        "Key of the `tokenize` mask. Empty: generated once and kept in `mask-keys.json` "
        "under `home`, like `mask_salt`.",
        secret=True,
    )
    audit_key: str = _setting(
        "",
        "Key of the audit log's HMAC-SHA-256 chain. Empty: plain SHA-256, which shows "
        "edits but not a rewrite of the whole chain by someone with write access to the "
        "catalog store. Keep it out of the store; gateways and `veil audit verify` need it.",
        secret=True,
    )
    gateway_tls_cert: str = _setting(
        "",
        "PEM certificate (chain) of `veil proxy`: clients that ask for TLS get it. Empty: "
        "TLS is refused, so clients need sslmode=disable or prefer.",
    )
    gateway_tls_key: str = _setting(
        "", "PEM private key of `gateway_tls_cert`, unencrypted; keep it readable only by Veil."
    )
    gateway_tls_required: bool = _setting(
        False, "Refuse gateway clients that do not use TLS (FATAL 28000). Needs the certificate."
    )
    #: Where each value came from ("default", a file path, or an env variable name).
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def home_path(self) -> Path:
        return Path(self.home).expanduser()

    @property
    def effective_catalog_url(self) -> str:
        """The catalog URL, with the SQLite default filled in under ``home``."""
        if self.catalog_url:
            return self.catalog_url
        return f"sqlite:///{(self.home_path / 'catalog.db').resolve()}"


def setting_table() -> list[tuple[str, str, Any, str, bool]]:
    """(key, env variable, default, doc, secret) for every setting, in declaration order."""
    rows = []
    for f in _setting_fields():
        rows.append((f.name, _env_name(f.name), f.default, f.metadata["doc"], f.metadata["secret"]))
    return rows


def _setting_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in fields(Settings) if "doc" in f.metadata]


def _env_name(name: str) -> str:
    return "VEIL_" + name.upper()


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read settings: defaults, then the YAML file, then ``VEIL_*`` variables, then overrides.

    The file is ``config_path`` if given, else ``$VEIL_CONFIG``, else ``./veil.yaml`` when it
    exists. A file named explicitly must exist.
    """
    env = os.environ if environ is None else environ
    known = {f.name: f for f in _setting_fields()}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {name: "default" for name in known}

    path, explicit = _config_file(config_path, env)
    if path is not None:
        if not path.exists():
            if explicit:
                raise ConfigError(
                    f"config file {path} does not exist",
                    hint="Pass an existing file with --config or VEIL_CONFIG, or create it.",
                )
        else:
            for key, raw in _read_yaml(path).items():
                name = key.replace(".", "_")
                if name not in known:
                    raise ConfigError(
                        f"unknown setting {key!r} in {path}{_did_you_mean(name, known)}",
                        hint="`veil config show` lists every setting.",
                    )
                values[name] = _coerce(known[name], raw, f"{key!r} in {path}")
                sources[name] = str(path)

    for name, f in known.items():
        var = _env_name(name)
        if var in env:
            values[name] = _coerce(f, env[var], var)
            sources[name] = var
    unknown_vars = sorted(
        v
        for v in env
        if v.startswith("VEIL_")
        and v not in _NON_SETTING_VARS
        and v.removeprefix("VEIL_").lower() not in known
    )
    if unknown_vars:
        var = unknown_vars[0]
        raise ConfigError(
            f"unknown environment variable {var}"
            f"{_did_you_mean(var.removeprefix('VEIL_').lower(), known, env=True)}",
            hint="Unset it, or see `veil config show` for the variables Veil reads.",
        )

    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        values[name] = _coerce(known[name], raw, f"option {name}")
        sources[name] = "command line"

    settings = Settings(**values, sources=sources)
    _validate(settings)
    return settings


#: VEIL_* variables that are not settings (they select the file, or belong to tests).
_NON_SETTING_VARS = frozenset({"VEIL_CONFIG", "VEIL_TEST_PG_URL", "VEIL_DEBUG"})


def _config_file(
    config_path: str | os.PathLike[str] | None, env: Mapping[str, str]
) -> tuple[Path | None, bool]:
    if config_path is not None:
        return Path(config_path), True
    if env.get("VEIL_CONFIG"):
        return Path(env["VEIL_CONFIG"]), True
    default = Path("veil.yaml")
    return (default, False) if default.exists() else (None, False)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{path} is not valid YAML{where}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of settings, not a {type(data).__name__}")
    return _flatten(data)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _coerce(f: dataclasses.Field[Any], raw: Any, where: str) -> Any:
    kind = type(f.default)
    if kind is tuple:
        if isinstance(raw, str):  # from an environment variable: a YAML/JSON list
            try:
                raw = yaml.safe_load(raw)
            except yaml.YAMLError:
                raise ConfigError(f"{where} must be a YAML or JSON list") from None
        if isinstance(raw, list | tuple):
            return tuple(raw)
        raise ConfigError(f"{where} must be a list, not {type(raw).__name__}")
    if kind is int:
        if isinstance(raw, bool):
            raise ConfigError(f"{where} must be a whole number, not {raw!r}")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a whole number, not {raw!r}") from None
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{where} must be true or false, not {raw!r}")
    if not isinstance(raw, str | int | float):
        raise ConfigError(f"{where} must be a string, not {type(raw).__name__}")
    return str(raw)


def _validate(s: Settings) -> None:
    if s.log_level.lower() not in _LOG_LEVELS:
        raise ConfigError(
            f"log_level must be one of {', '.join(_LOG_LEVELS)}, not {s.log_level!r}"
            f" (from {s.sources.get('log_level')})"
        )
    if s.scan_exact_count_max_rows < 0:
        raise ConfigError("scan_exact_count_max_rows must be 0 or more")
    if not 1 <= s.classify_sample_size <= 1_000_000:
        raise ConfigError("classify_sample_size must be between 1 and 1000000")
    if s.classify_workers < 0:
        raise ConfigError("classify_workers must be 0 (automatic) or more")
    if not s.home:
        raise ConfigError("home must not be empty")


def _did_you_mean(name: str, known: Mapping[str, Any], *, env: bool = False) -> str:
    match = difflib.get_close_matches(name, list(known), n=1)
    if not match:
        return ""
    suggestion = _env_name(match[0]) if env else repr(match[0])
    return f"; did you mean {suggestion}?"
