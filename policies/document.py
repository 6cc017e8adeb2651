"""Policy documents: YAML text → validated :class:`~policies.model.Policy`, and back.

The YAML format (version 1) is PRODUCT.md's, extended: users may carry ``attributes``
(for ``current_user_attr('key')`` in row filters), grants may say ``effect: deny``,
and masks give their method's parameters beside ``method`` (``show_last: 4``).

Reading never stops at the first mistake: every problem is collected with its place
in the document and its line, and :class:`~policies.errors.PolicyError` lists them
all. Structure, names and references are checked here; the YAML is read with its line
numbers by :mod:`policies.located_yaml`, and SQL and catalog checks are in
:mod:`policies.checks`.

Lists whose order means nothing (grants, row filters, retention rules, and the
role, action and exempt lists inside them) are sorted when read, so reordering a file
changes nothing; the order of masks is kept, since people read them top to bottom.
:func:`~policies.canonical.canonical_yaml` writes that normalized form back out, with
every section and default spelled out, so stored versions diff cleanly.

>>> policy = parse_policy("version: 1\\nroles: {analyst: {}}\\n"
...                       "grants: [{role: analyst, resource: 'sales.*', actions: [select]}]")
>>> parse_policy(canonical_yaml(policy)) == policy
True
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from catalog.errors import UsageError
from policies.canonical import (
    FORMAT_VERSION,
    MASK_TARGETS,
    canonical_yaml,
    grant_key,
    retention_key,
    row_filter_key,
)
from policies.checks import check_policy, load_catalog
from policies.errors import ProblemCollector
from policies.facts import WarehouseFacts
from policies.located_yaml import load_located
from policies.methods import MethodSpec, method_spec
from policies.model import (
    Action,
    Defaults,
    Effect,
    Grant,
    KeepPeriod,
    MaskRule,
    Policy,
    RetentionAction,
    RetentionRule,
    Role,
    RowFilter,
    UnknownColumns,
    User,
)
from policies.patterns import Pattern, parse_pattern

__all__ = ["FORMAT_VERSION", "canonical_yaml", "parse_policy"]

_SECTIONS = ("version", "roles", "users", "grants", "masks", "row_filters", "retention", "defaults")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,199}$")
_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,199}$")  # as catalog.curate.normalize_tag
_MASK_KEYS = (*MASK_TARGETS, "method", "exempt")
_MISSING: Any = object()  # a key that is absent, as opposed to present and null
_E = TypeVar("_E", bound=StrEnum)


def parse_policy(
    text: str,
    *,
    dialect: str = "postgres",
    catalog: Session | Iterable[WarehouseFacts] | None = None,
    dialect_for: Callable[[str], str] | None = None,
    check_sql: bool = True,
) -> Policy:
    """Read and validate a policy document; raise PolicyError listing every problem.

    SQL in the document (row-filter predicates, custom mask expressions) is parsed in
    the dialect of each catalog warehouse a rule can apply to, or in ``dialect`` when
    there is no catalog. With ``catalog`` (a catalog store session, or facts already
    loaded) the tables and columns that rules name must exist, and retention columns
    must be dates or timestamps. ``dialect_for`` overrides a warehouse's dialect.
    ``check_sql=False`` only checks structure: for text validated when it was applied.
    """
    problems = ProblemCollector()
    data = load_located(text, problems)
    policy = _Reader(problems).document(data)
    if policy is not None and check_sql:
        warehouses = load_catalog(catalog) if isinstance(catalog, Session) else catalog
        check_policy(
            policy, problems, dialect=dialect, warehouses=warehouses, dialect_for=dialect_for
        )
    problems.raise_if_any()
    assert policy is not None  # no problems means the document was read
    return policy


# -- structure ----------------------------------------------------------------------------


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value; quote it if you meant text)"
    if value is None:
        return "nothing"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    lowered = {o.lower(): o for o in options}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1)
    return f"; did you mean {lowered[close[0]]!r}?" if close else ""


class _Reader:
    """Turns the plain document into records, adding a problem for everything wrong."""

    def __init__(self, problems: ProblemCollector) -> None:
        self.p = problems
        self.roles: set[str] = set()

    # helpers

    def mapping(
        self,
        value: object,
        loc: str,
        keys: Sequence[str],
        *,
        required: Sequence[str] = (),
        extra_ok: bool = False,
        what: str = "a mapping",
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.p.add(loc, f"expected {what}, got {_kind(value)}")
            return None
        if not extra_ok:
            for key in value:
                if key not in keys:
                    where = key if loc == "policy" else f"{loc}.{key}"
                    self.p.add(where, f"unknown key {key!r}{_did_you_mean(key, keys)}")
        for key in required:
            if key not in value:
                self.p.add(loc, f"missing {key!r}")
        return value

    def text(self, value: object, loc: str, what: str = "text") -> str | None:
        """``value`` if it is non-blank text; None (and a problem, unless the key is
        missing, which ``mapping(required=…)`` reported) otherwise."""
        if value is _MISSING:
            return None
        if isinstance(value, str) and value.strip():
            return value
        self.p.add(loc, f"expected {what}, got {_kind(value)}")
        return None

    def text_list(self, value: object, loc: str, what: str) -> list[tuple[str, str]]:
        """[(location, text)] of a list of texts; a problem for each bad item."""
        if value is None or value is _MISSING:
            return []
        if not isinstance(value, list):
            self.p.add(loc, f"expected a list of {what}s, got {_kind(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            found = self.text(item, f"{loc}[{i}]", what)
            if found is not None:
                out.append((f"{loc}[{i}]", found))
        return out

    def role_refs(self, value: object, loc: str) -> tuple[str, ...]:
        names = []
        for item_loc, name in self.text_list(value, loc, "role name"):
            if self.known_role(name, item_loc):
                names.append(name)
        return tuple(sorted(set(names)))

    def known_role(self, name: str, loc: str) -> bool:
        if name in self.roles:
            return True
        hint = _did_you_mean(name, self.roles) or "; declare it under `roles:`"
        self.p.add(loc, f"unknown role {name!r}{hint}")
        return False

    def pattern(self, value: object, loc: str, depth: int | None = None) -> Pattern | None:
        text = self.text(value, loc, "a resource pattern like 'sales.*'")
        if text is None:
            return None
        try:
            pattern = parse_pattern(text)
        except UsageError as e:
            self.p.add(loc, e.message)
            return None
        if depth == 2 and pattern.depth != 2:
            self.p.add(loc, f"{text!r} does not name tables: write schema.table (globs allowed)")
            return None
        if depth == 3 and pattern.depth != 3:
            self.p.add(
                loc, f"{text!r} does not name columns: write schema.table.column (globs allowed)"
            )
            return None
        return pattern

    def section_list(self, data: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.p.add(key, f"expected a list, got {_kind(value)}")
            return []
        return [(f"{key}[{i}]", item) for i, item in enumerate(value)]

    # the document

    def document(self, data: Any) -> Policy | None:
        if data is None:
            if not self.p:
                self.p.add("policy", "the document is empty; a policy starts with `version: 1`")
            return None
        doc = self.mapping(data, "policy", _SECTIONS, what="a mapping of sections")
        if doc is None:
            return None
        if "version" not in doc:
            self.p.add("version", f"missing: a policy starts with `version: {FORMAT_VERSION}`")
        elif doc["version"] != FORMAT_VERSION or isinstance(doc["version"], bool):
            self.p.add(
                "version",
                f"expected {FORMAT_VERSION} (the only policy format so far), "
                f"got {_kind(doc['version'])}",
            )
        roles = self.read_roles(doc.get("roles"))
        return Policy(
            roles=roles,
            users=self.read_users(doc.get("users")),
            grants=tuple(sorted(self.read_grants(doc), key=grant_key)),
            masks=tuple(self.read_masks(doc)),
            row_filters=tuple(sorted(self.read_row_filters(doc), key=row_filter_key)),
            retention=tuple(sorted(self.read_retention(doc), key=retention_key)),
            defaults=self.read_defaults(doc.get("defaults")),
        )

    def read_roles(self, value: object) -> dict[str, Role]:
        if value is None:
            return {}
        section = self.mapping(value, "roles", (), extra_ok=True, what="a mapping of role names")
        if section is None:
            return {}
        specs: dict[str, tuple[str, object]] = {}
        for name, spec in section.items():
            loc = f"roles.{name}"
            if not _NAME.match(name):
                self.p.add(loc, f"bad role name {name!r}: {_NAME_RULE}")
                continue
            self.roles.add(name)
            specs[name] = (loc, spec)
        roles: dict[str, Role] = {}
        for name, (loc, spec) in specs.items():
            if spec is None:
                roles[name] = Role(name)
                continue
            body = self.mapping(spec, loc, ("inherits",))
            inherits = self.role_refs(body.get("inherits"), f"{loc}.inherits") if body else ()
            roles[name] = Role(name, inherits)
        for cycle in _cycles({n: r.inherits for n, r in roles.items()}):
            self.p.add(
                f"roles.{cycle[0]}.inherits",
                "role inheritance cycle: " + " → ".join([*cycle, cycle[0]]),
            )
        return roles

    def read_users(self, value: object) -> dict[str, User]:
        if value is None:
            return {}
        section = self.mapping(value, "users", (), extra_ok=True, what="a mapping of user names")
        if section is None:
            return {}
        users: dict[str, User] = {}
        for name, spec in section.items():
            loc = f"users.{name}"
            if not _NAME.match(name):
                self.p.add(loc, f"bad user name {name!r}: {_NAME_RULE}")
                continue
            if spec is None:
                users[name] = User(name)
                continue
            body = self.mapping(spec, loc, ("roles", "attributes"))
            if body is None:
                continue
            roles = self.role_refs(body.get("roles"), f"{loc}.roles")
            attributes = self.read_attributes(body.get("attributes"), f"{loc}.attributes")
            users[name] = User(name, roles, attributes)
        return users

    def read_attributes(self, value: object, loc: str) -> dict[str, str]:
        if value is None:
            return {}
        body = self.mapping(value, loc, (), extra_ok=True)
        if body is None:
            return {}
        out: dict[str, str] = {}
        for key, item in body.items():
            if not _ATTRIBUTE.match(key):
                self.p.add(
                    f"{loc}.{key}",
                    f"bad attribute name {key!r}: use letters, digits and '_', "
                    "starting with a letter",
                )
            elif isinstance(item, str):
                out[key] = item
            else:
                self.p.add(f"{loc}.{key}", f"expected text, got {_kind(item)}")
        return out

    def read_grants(self, doc: Mapping[str, Any]) -> list[Grant]:
        grants = []
        for loc, item in self.section_list(doc, "grants"):
            body = self.mapping(
                item,
                loc,
                ("role", "resource", "actions", "effect"),
                required=("role", "resource", "actions"),
            )
            if body is None:
                continue
            role = self.text(body.get("role", _MISSING), f"{loc}.role", "a role name")
            role_ok = role is not None and self.known_role(role, f"{loc}.role")
            pattern = self.pattern(body.get("resource", _MISSING), f"{loc}.resource")
            actions = self.read_actions(body.get("actions", _MISSING), f"{loc}.actions")
            effect = self.enum(body.get("effect", "allow"), f"{loc}.effect", Effect)
            if role_ok and pattern is not None and actions and effect is not None:
                assert role is not None
                grants.append(Grant(role, pattern.text, actions, effect))
        return grants

    def read_actions(self, value: object, loc: str) -> frozenset[Action]:
        if value is None:
            self.p.add(loc, "expected a list of actions, got nothing")
        found = [self.enum(v, loc_i, Action) for loc_i, v in self.text_list(value, loc, "action")]
        if isinstance(value, list) and not value:
            self.p.add(loc, "expected at least one action: " + ", ".join(a.value for a in Action))
        if any(a is None for a in found):
            return frozenset()
        return frozenset(a for a in found if a is not None)

    def enum(self, value: object, loc: str, enum: type[_E]) -> _E | None:
        options = [e.value for e in enum]
        if isinstance(value, str) and value in options:
            return enum(value)
        if isinstance(value, str):
            close = _did_you_mean(value, options)
            self.p.add(
                loc, f"unknown {_ENUM_NOUN[enum]} {value!r}{close or '; use ' + ', '.join(options)}"
            )
        else:
            self.p.add(loc, f"expected one of {', '.join(options)}, got {_kind(value)}")
        return None

    def read_masks(self, doc: Mapping[str, Any]) -> list[MaskRule]:
        masks = []
        for index, (loc, item) in enumerate(self.section_list(doc, "masks")):
            body = self.mapping(item, loc, _MASK_KEYS, required=("method",), extra_ok=True)
            if body is None:
                continue
            ok = True
            targets = [k for k in MASK_TARGETS if k in body]
            if len(targets) != 1:
                self.p.add(
                    loc,
                    "give exactly one of tag, table or column"
                    + (f" (found {', '.join(targets)})" if targets else ""),
                )
                ok = False
            target: dict[str, str | None] = {"tag": None, "table": None, "column": None}
            for key in targets:
                if key == "tag":
                    tag = self.read_tag(body["tag"], f"{loc}.tag")
                    ok = ok and tag is not None
                    target["tag"] = tag
                else:
                    pattern = self.pattern(body[key], f"{loc}.{key}", 2 if key == "table" else 3)
                    ok = ok and pattern is not None
                    target[key] = pattern.text if pattern else None
            exempt = self.role_refs(body.get("exempt"), f"{loc}.exempt")
            given = {k: v for k, v in body.items() if k not in _MASK_KEYS}
            raw_method = body.get("method", _MISSING)
            # YAML reads an unquoted `method: null` as nothing; it can only mean the
            # method named "null" (show NULL), so take it as that.
            raw_method = "null" if raw_method is None else raw_method
            method = self.text(raw_method, f"{loc}.method", "a mask method")
            params: dict[str, object] | None = None
            if method is not None:
                try:
                    spec = method_spec(method)
                except UsageError as e:
                    self.p.add(f"{loc}.method", e.message)
                else:
                    params = self.read_params(spec, given, loc)
            if ok and method is not None and params is not None:
                masks.append(
                    MaskRule(
                        method=method,
                        tag=target["tag"],
                        table=target["table"],
                        column=target["column"],
                        params=params,
                        exempt=exempt,
                        index=index,
                    )
                )
        return masks

    def read_tag(self, value: object, loc: str) -> str | None:
        text = self.text(value, loc, "a tag like pii.email_address")
        if text is None:
            return None
        tag = text.strip().lower()
        if not _TAG.match(tag):
            self.p.add(
                loc,
                f"{text!r} is not a valid tag: use lowercase letters, digits, '_', '.', ':' "
                "or '-', e.g. pii.email_address",
            )
            return None
        return tag

    def read_params(
        self, spec: MethodSpec, given: Mapping[str, object], loc: str
    ) -> dict[str, object] | None:
        ok = True
        for name, value in given.items():
            param = spec.param(name)
            ploc = f"{loc}.{name}"
            if param is None:
                if spec.params:
                    names = [p.name for p in spec.params]
                    known = _did_you_mean(name, [*names, *_MASK_KEYS]) or (
                        "; it takes " + ", ".join(names)
                    )
                    self.p.add(ploc, f"mask method {spec.name!r} has no parameter {name!r}{known}")
                else:
                    known = _did_you_mean(name, _MASK_KEYS)
                    self.p.add(
                        ploc,
                        f"unknown key {name!r}{known}"
                        if known
                        else f"mask method {spec.name!r} takes no parameters (got {name!r})",
                    )
                ok = False
            elif param.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
                self.p.add(ploc, f"expected a whole number, got {_kind(value)}")
                ok = False
            elif param.kind is str and not isinstance(value, str):
                self.p.add(ploc, f"expected text, got {_kind(value)}")
                ok = False
            elif param.choices and value not in param.choices:
                close = _did_you_mean(str(value), param.choices)
                self.p.add(
                    ploc,
                    f"{value!r} is not one of {', '.join(param.choices)}{close}",
                )
                ok = False
            elif param.minimum is not None and isinstance(value, int) and value < param.minimum:
                self.p.add(ploc, f"must be at least {param.minimum}, got {value}")
                ok = False
        for param in spec.params:
            if param.required and param.name not in given:
                self.p.add(loc, f"mask method {spec.name!r} needs {param.name!r}")
                ok = False
        return dict(given) if ok else None

    def read_row_filters(self, doc: Mapping[str, Any]) -> list[RowFilter]:
        filters = []
        for index, (loc, item) in enumerate(self.section_list(doc, "row_filters")):
            body = self.mapping(item, loc, ("table", "where", "role"), required=("table", "where"))
            if body is None:
                continue
            pattern = self.pattern(body.get("table", _MISSING), f"{loc}.table", 2)
            where = self.text(body.get("where", _MISSING), f"{loc}.where", "a SQL predicate")
            role: str | None = None
            role_ok = True
            if body.get("role") is not None:
                role = self.text(body["role"], f"{loc}.role", "a role name")
                role_ok = role is not None and self.known_role(role, f"{loc}.role")
            if pattern is not None and where is not None and role_ok:
                filters.append(RowFilter(pattern.text, where, role, index))
        return filters

    def read_retention(self, doc: Mapping[str, Any]) -> list[RetentionRule]:
        rules = []
        for index, (loc, item) in enumerate(self.section_list(doc, "retention")):
            body = self.mapping(
                item,
                loc,
                ("table", "column", "keep", "action"),
                required=("table", "column", "keep"),
            )
            if body is None:
                continue
            pattern = self.pattern(body.get("table", _MISSING), f"{loc}.table", 2)
            if pattern is not None and any(c in pattern.text for c in "*?["):
                self.p.add(f"{loc}.table", f"{pattern.text!r}: name one table, without globs")
                pattern = None
            column = self.text(body.get("column", _MISSING), f"{loc}.column", "a column name")
            keep = self.text(body.get("keep", _MISSING), f"{loc}.keep", "a period like 90d")
            if keep is not None:
                try:
                    KeepPeriod.parse(keep)
                except ValueError as e:
                    self.p.add(f"{loc}.keep", str(e))
                    keep = None
            action = self.enum(body.get("action", "hide"), f"{loc}.action", RetentionAction)
            if pattern is not None and column is not None and keep is not None and action:
                rules.append(RetentionRule(pattern.text, column, keep, action, index))
        return rules

    def read_defaults(self, value: object) -> Defaults:
        if value is None:
            return Defaults()
        body = self.mapping(value, "defaults", ("pii_mask", "unknown_columns", "mask_suggested"))
        if body is None:
            return Defaults()
        defaults = Defaults()
        pii_mask = defaults.pii_mask
        if "pii_mask" in body:
            name = self.text(body["pii_mask"], "defaults.pii_mask", "a mask method name")
            if name is not None:
                try:
                    spec = method_spec(name)
                except UsageError as e:
                    self.p.add("defaults.pii_mask", e.message)
                else:
                    needs = [p.name for p in spec.params if p.required]
                    if needs:
                        self.p.add(
                            "defaults.pii_mask",
                            f"mask method {name!r} needs {', '.join(needs)}, which a default "
                            "cannot give; pick one without required parameters (redact, null, "
                            "hash, …)",
                        )
                    else:
                        pii_mask = name
        unknown = defaults.unknown_columns
        if "unknown_columns" in body:
            found = self.enum(body["unknown_columns"], "defaults.unknown_columns", UnknownColumns)
            unknown = found or unknown
        suggested = defaults.mask_suggested
        if "mask_suggested" in body:
            if isinstance(body["mask_suggested"], bool):
                suggested = body["mask_suggested"]
            else:
                self.p.add(
                    "defaults.mask_suggested",
                    f"expected true or false, got {_kind(body['mask_suggested'])}",
                )
        return Defaults(pii_mask, unknown, suggested)


_NAME_RULE = "use letters, digits, '_', '-', '.', '+' or '@', starting with a letter or digit"
_ENUM_NOUN: Mapping[type, str] = {
    Action: "action",
    Effect: "effect",
    RetentionAction: "retention action",
    UnknownColumns: "choice",
}


def _cycles(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Each cycle of the role graph once, starting at its alphabetically first role."""
    found: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                start = cycle.index(min(cycle))
                rotated = cycle[start:] + cycle[:start]
                found.setdefault(tuple(rotated), rotated)
            elif nxt in graph and state.get(nxt) is None:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [])
    return [found[k] for k in sorted(found)]
