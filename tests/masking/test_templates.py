"""Statement shapes: which constants become slots, and that a filled template is exactly
the rewrite of the statement it stands for."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.scan import scan_warehouse
from catalog.store import Store
from masking.errors import Refused
from masking.rewrite import Enforcer, Rewritten
from masking.service import Enforcement
from masking.templates import Shape, Template, learn, shape_of
from policies.store import apply_policy
from tests import warehouses
from tests.masking.test_adversarial import ATTACKS
from tests.masking.test_rewrite_golden import CASES
from tests.masking.world import SECRETS, enforcer

# (sql, the literals that are slots; None: no shape)
SHAPES = [
    ("SELECT a FROM t WHERE id = 5", ("5",)),
    ("SELECT a FROM t WHERE id = 5;", ("5",)),
    ("SELECT a FROM t WHERE x >= 1.25 AND y <> 'b' OR z < 3", ("1.25", "'b'", "3")),
    ("SELECT a FROM t WHERE name LIKE 'a%' ORDER BY 1 LIMIT 10", ("'a%'",)),
    ("SELECT a FROM t WHERE (id = 1) GROUP BY a HAVING count(*) > 2", ("1", "2")),
    ("SELECT a = 'x', b FROM t", ("'x'",)),
    ("SELECT a FROM t WHERE id = 5 UNION SELECT a FROM u WHERE id != 6", ("5", "6")),
    ("SELECT a FROM t WHERE name ILIKE 'A_' OFFSET 3", ("'A_'",)),
    # never slots: casts, signs, function arguments, IN lists, LIMIT, typed literals
    ("SELECT a FROM t WHERE id = '16384'::regclass", None),
    ("SELECT a FROM t WHERE id = -5", None),
    ("SELECT a FROM t WHERE f(x, 5) = g('y')", None),
    ("SELECT a FROM t WHERE id IN (1, 2)", None),
    ("SELECT a FROM t LIMIT 5", None),
    ("SELECT a FROM t WHERE d = DATE '2024-01-01'", None),
    ("SELECT a FROM t WHERE s = E'a\\nb'", None),
    ("SELECT a FROM t WHERE id = 5 FOR UPDATE", None),
    ("SELECT a FROM t WHERE x = 1e5", None),
    ("SELECT a FROM t WHERE x = 5 + 1", None),
    ("SELECT a FROM t WHERE s = 'x' || 'y'", None),
    # literals another lexer could read differently stay in the key
    ("SELECT a FROM t WHERE s = 'it''s'", None),
    ("SELECT a FROM t WHERE s = 'a\\' OR 1=1 --'", ("1",)),  # the string is no slot
    ("SELECT a FROM t WHERE s = 'two\nlines'", None),
    # parameters and dollar quotes: the exact path only
    ("SELECT a FROM t WHERE id = $1 AND b = 2", None),
    ("SELECT a FROM t WHERE s = $$x$$ AND b = 2", None),
    ("SELECT a FROM t WHERE s = ? AND b = 2", None),
    ("SELECT 'unterminated", None),
]


@pytest.mark.parametrize(("sql", "literals"), SHAPES)
def test_slots(sql: str, literals: tuple[str, ...] | None) -> None:
    shape = shape_of(sql, "postgres")
    assert (shape.literals if shape is not None else None) == literals


def test_statements_differing_in_slots_share_a_key() -> None:
    one = shape_of("SELECT a FROM t WHERE id = 5 AND s = 'x'", "postgres")
    two = shape_of("SELECT a FROM t WHERE id = 77 AND s = 'hello world'", "postgres")
    other_kind = shape_of("SELECT a FROM t WHERE id = '5' AND s = 'x'", "postgres")
    assert one is not None and two is not None and other_kind is not None
    assert one.key == two.key != other_kind.key
    assert one.parameterized() == "SELECT a FROM t WHERE id = $1 AND s = $2"


# -- a filled template is exactly the statement's own rewrite -------------------------

DIALECTS = ("postgres", "duckdb")
ENFORCERS = {d: enforcer(d) for d in DIALECTS}
CORPUS = sorted({(user, sql) for _, user, _, sql in CASES} | {("alice", a.sql) for a in ATTACKS})


def _learned(dialect: str) -> list[tuple[str, Shape, Template]]:
    found = []
    e = ENFORCERS[dialect]
    for user, sql in CORPUS:
        shape = shape_of(sql, dialect)
        if shape is None:
            continue
        try:
            rewritten = e.rewrite(sql, user)
        except Exception:  # noqa: BLE001 - refused statements have no template
            continue
        template = learn(e, shape, rewritten, user)
        if template is not None:
            found.append((user, shape, template))
    return found


LEARNED = {d: _learned(d) for d in DIALECTS}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_corpus_has_templates_to_check(dialect: str) -> None:
    assert len(LEARNED[dialect]) >= 20


def _values(kind: str) -> st.SearchStrategy[str]:
    if kind == "n":
        return st.one_of(
            st.integers(0, 10**15).map(str),
            st.decimals(0, 10**6, places=3, allow_nan=False).map(str),
        )
    text = st.text(st.characters(exclude_characters="'\\\r\n\0", codec="utf-8"), max_size=12)
    return text.map(lambda s: f"'{s}'")


def _variant(shape: Shape, literals: tuple[str, ...]) -> str:
    texts = shape.key[0::2]
    out = [texts[0]]
    for literal, text in zip(literals, texts[1:], strict=True):
        out += [literal, text]
    return "".join(out)


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_filled_template_equals_the_rewrite_of_the_statement(
    dialect: str, data: st.DataObject
) -> None:
    user, shape, template = data.draw(st.sampled_from(LEARNED[dialect]))
    kinds = shape.key[1::2]
    literals = tuple(data.draw(_values(kind)) for kind in kinds)
    sql = _variant(shape, literals)
    again = shape_of(sql, dialect)
    if again is None or again.key != shape.key:
        return  # the value made it another shape (e.g. a decimal that is not a slot)
    direct: Rewritten = ENFORCERS[dialect].rewrite(sql, user)
    assert template.fill(again.literals) == direct


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_two_slot_template_puts_each_value_in_its_place(dialect: str) -> None:
    e = ENFORCERS[dialect]
    learned_from = "SELECT id FROM sales.customers WHERE email > 'a' AND email < 'b'"
    shape = shape_of(learned_from, dialect)
    assert shape is not None
    template = learn(e, shape, e.rewrite(learned_from, "alice"), "alice")
    assert template is not None
    other = "SELECT id FROM sales.customers WHERE email > 'x y' AND email < '%z'"
    again = shape_of(other, dialect)
    assert again is not None and again.key == shape.key
    assert template.fill(again.literals) == e.rewrite(other, "alice")


def test_no_template_when_the_rewrite_depends_on_more_than_the_slots() -> None:
    e: Enforcer = ENFORCERS["postgres"]
    sql = "SELECT id FROM sales.customers WHERE id = 5"
    shape = shape_of(sql, "postgres")
    assert shape is not None
    other = e.rewrite("SELECT id FROM sales.customers WHERE id = 6", "alice")
    assert learn(e, shape, other, "alice") is None  # filling would not give `other`


# -- Enforcement keeps templates, and drops them with the policy ------------------------

POLICY = """\
version: 1
roles: {analyst: {}}
users: {alice: {roles: [analyst]}}
grants:
  - {role: analyst, resource: "*", actions: [select]}
"""


@pytest.fixture
def catalogued(store: Store, tmp_path: Path) -> Store:
    """A catalog store with the sample DuckDB warehouse scanned and POLICY applied."""
    scan_warehouse(store, warehouses.duckdb_warehouse(tmp_path / "wh.duckdb"), "wh")
    apply_policy(store, POLICY, by="admin")
    return store


def test_enforcement_reuses_a_shape_and_forgets_it_on_a_new_policy(catalogued: Store) -> None:
    store = catalogued
    enforcement = Enforcement(store, "wh", SECRETS, check_interval=0)
    first = enforcement.rewrite("SELECT email FROM crm.customers WHERE id = 1", "alice")
    second = enforcement.rewrite("SELECT email FROM crm.customers WHERE id = 2", "alice")
    assert enforcement.shape_hits == 1
    assert second.sql == first.sql.replace("id = 1", "id = 2")
    denied = POLICY.replace('"*"', '"sales.*"')
    apply_policy(store, denied, by="admin")
    with pytest.raises(Refused, match=r"crm\.customers"):
        enforcement.rewrite("SELECT email FROM crm.customers WHERE id = 3", "alice")


def test_cached_answers_without_the_store_only_while_the_versions_are_fresh(
    catalogued: Store,
) -> None:
    store = catalogued
    enforcement = Enforcement(store, "wh", SECRETS, check_interval=3600)
    sql = "SELECT email FROM crm.customers WHERE id = 1"
    assert enforcement.cached(sql, "alice") is None  # nothing decided yet
    rewritten = enforcement.rewrite(sql, "alice")
    assert enforcement.cached(sql, "alice") == rewritten
    assert enforcement.cached(sql.replace("1", "2"), "alice") == enforcement.rewrite(
        sql.replace("1", "2"), "alice"
    )
    assert enforcement.cached(sql, "bob") is None  # per user
    assert enforcement.known_policy_version == 1
    enforcement.check_interval = 0  # now every call must look at the store first
    assert enforcement.cached(sql, "alice") is None
