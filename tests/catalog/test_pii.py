"""The steward's PII review on real stores: recording, decisions, precedence, tags, export."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.browse import export_json, list_tables, to_catalog_table
from catalog.errors import NotFoundError, UsageError
from catalog.model import PiiInfo, PiiStatus, PiiSuggestion
from catalog.names import resolve_column, resolve_table
from catalog.pii import (
    ColumnKey,
    RecordStats,
    confirm,
    effective_pii,
    list_pii,
    pii_to_mask,
    record_suggestions,
    reject,
    summarize_evidence,
    validate_entity,
)
from catalog.scan import scan_warehouse
from catalog.store.models import PiiSuggestionRow
from tests import warehouses

EMAIL = "crm.customers.email"
NAME = "crm.customers.full_name"


def key(ref: str = EMAIL, warehouse: str = "dw") -> ColumnKey:
    schema, table, column = ref.split(".")
    return ColumnKey(warehouse, schema, table, column)


def suggestion(entity: str = "EMAIL_ADDRESS", score: float = 0.98, **changes) -> PiiSuggestion:
    evidence = {"samples": 100, "hits": 98, "signals": ["name: 'email'"], **changes}
    return PiiSuggestion(entity, score, evidence, "a**@e******.com")


@pytest.fixture
def catalog(store, tmp_path):
    """A store with the sample DuckDB warehouse scanned as ``dw``."""
    scan_warehouse(store, warehouses.duckdb_warehouse(tmp_path / "dw.duckdb"), "dw")
    return store


def rows(store, ref: str = EMAIL) -> list[PiiSuggestionRow]:
    with store.session() as session:
        _, column = resolve_column(session, ref)
        query = sa.select(PiiSuggestionRow).where(PiiSuggestionRow.column_id == column.id)
        return list(session.scalars(query.order_by(PiiSuggestionRow.id)))


def column_tags(store, ref: str = EMAIL) -> set[str]:
    with store.session() as session:
        _, column = resolve_column(session, ref)
        return {t.tag.name for t in column.tags}


def effective(store, ref: str = EMAIL) -> PiiInfo | None:
    with store.session() as session:
        _, column = resolve_column(session, ref)
        return effective_pii(session, [column.id]).get(column.id)


def record(store, *items, source: str = "classifier") -> RecordStats:
    return record_suggestions(store, items, source=source)


# --- recording ------------------------------------------------------------------------


def test_first_run_records_suggestions_and_ignores_columns_without_pii(catalog):
    stats = record(
        catalog,
        (key(EMAIL), suggestion(), "fp1"),
        (key(NAME), suggestion("PERSON", 0.8), "fp2"),
        (key("crm.customers.balance"), None, "fp3"),
    )
    assert stats == RecordStats(new=2)
    [row] = rows(catalog)
    assert (row.entity, row.score, row.status, row.source, row.fingerprint) == (
        "EMAIL_ADDRESS",
        0.98,
        "suggested",
        "classifier",
        "fp1",
    )
    assert row.masked_example == "a**@e******.com" and row.decided_at is None


@pytest.mark.parametrize(
    "again, fingerprint, expected",
    [
        (suggestion(), "fp1", RecordStats(unchanged=1)),
        (suggestion(score=0.7), "fp1", RecordStats(updated=1)),
        (suggestion(), "fp-other", RecordStats(updated=1)),
        (suggestion("PERSON"), "fp1", RecordStats(updated=1)),
        (suggestion(hits=60), "fp1", RecordStats(updated=1)),
        (
            PiiSuggestion("EMAIL_ADDRESS", 0.98, suggestion().evidence, "x**@y.com"),
            "fp1",
            RecordStats(updated=1),
        ),
        (None, "fp1", RecordStats(withdrawn=1)),
    ],
    ids=["same", "score", "fingerprint", "entity", "evidence", "example", "gone"],
)
def test_rerun_updates_the_open_suggestion_in_place(catalog, again, fingerprint, expected):
    record(catalog, (key(), suggestion(), "fp1"))
    [before] = rows(catalog)
    assert record(catalog, (key(), again, fingerprint)) == expected
    after = rows(catalog)
    if again is None:
        assert after == []  # never decided, so nothing to keep
        return
    [row] = after
    assert row.id == before.id and row.status == "suggested"
    assert (row.entity, row.score, row.fingerprint) == (again.entity, again.score, fingerprint)
    assert (row.updated_at > before.updated_at) == (expected.updated == 1)


def test_a_column_given_twice_keeps_its_last_result(catalog):
    stats = record(catalog, (key(), suggestion(), "fp1"), (key(), suggestion("PERSON"), "fp2"))
    assert stats == RecordStats(new=1)
    assert [r.entity for r in rows(catalog)] == ["PERSON"]


def test_sources_keep_their_own_open_suggestions(catalog):
    record(catalog, (key(), suggestion(), "fp1"))
    record(catalog, (key(), suggestion(), "lineage-fp"), source="lineage")
    assert record(catalog, (key(), None, "fp1")) == RecordStats(withdrawn=1)
    assert [(r.source, r.status) for r in rows(catalog)] == [("lineage", "suggested")]


@pytest.mark.parametrize(
    "decide, again, fingerprint, expected",
    [
        ("confirm", suggestion(), "fp1", RecordStats(unchanged=1)),
        ("reject", suggestion(), "fp1", RecordStats(unchanged=1)),
        ("confirm", suggestion(), "fp2", RecordStats(new=1, beside_decision=1)),
        ("reject", suggestion(), "fp2", RecordStats(new=1, beside_decision=1)),
        ("confirm", suggestion("PERSON"), "fp1", RecordStats(new=1, beside_decision=1)),
        ("reject", None, "fp1", RecordStats()),
        ("confirm", None, "fp1", RecordStats()),
        # The steward changed the type: the entity they changed away from was reviewed.
        ("change", suggestion(), "fp1", RecordStats(unchanged=1)),
        ("change", suggestion("US_SSN"), "fp1", RecordStats(new=1, beside_decision=1)),
    ],
)
def test_decisions_survive_rerecording(catalog, decide, again, fingerprint, expected):
    record(catalog, (key(), suggestion(), "fp1"))
    if decide == "confirm":
        confirm(catalog, EMAIL, by="ann", note="checked")
    elif decide == "change":
        confirm(catalog, EMAIL, entity="PERSON", by="ann", note="checked")
    else:
        reject(catalog, EMAIL, by="ann", note="checked")
    [decision] = rows(catalog)

    assert record(catalog, (key(), again, fingerprint)) == expected

    decided, *beside = rows(catalog)
    assert [
        getattr(decided, f) for f in ("id", "entity", "score", "status", "decided_at", "note")
    ] == [getattr(decision, f) for f in ("id", "entity", "score", "status", "decided_at", "note")]
    assert decided.fingerprint == "fp1" and decided.decided_by == "ann"
    assert [(r.status, r.fingerprint) for r in beside] == (
        [("suggested", fingerprint)] if expected.new else []
    )


def test_a_suggestion_beside_a_decision_is_updated_then_withdrawn_when_data_returns(catalog):
    record(catalog, (key(), suggestion(), "fp1"))
    confirm(catalog, EMAIL, by="ann")
    assert record(catalog, (key(), suggestion(), "fp2")) == RecordStats(new=1, beside_decision=1)
    assert record(catalog, (key(), suggestion(score=0.5), "fp3")) == RecordStats(
        updated=1, beside_decision=1
    )
    assert record(catalog, (key(), suggestion(score=0.5), "fp3")) == RecordStats(unchanged=1)
    assert record(catalog, (key(), suggestion(), "fp1")) == RecordStats(withdrawn=1)
    assert [r.status for r in rows(catalog)] == ["confirmed"]


def test_a_steward_made_decision_agrees_with_any_run_naming_its_entity(catalog):
    confirm(catalog, EMAIL, entity="EMAIL_ADDRESS", by="ann")
    assert record(catalog, (key(), suggestion(), "fp1")) == RecordStats(unchanged=1)
    assert record(catalog, (key(), suggestion("PERSON"), "fp1")) == RecordStats(
        new=1, beside_decision=1
    )


@pytest.mark.parametrize(
    "items, message",
    [
        ([(key("crm.customers.nope"), None, None)], r"1 column is not in the catalog: dw\.crm"),
        (
            [(key("crm.x.a"), None, None), (key("crm.x.b"), None, None)],
            r"2 columns are not in the catalog: dw\.crm\.x\.a, dw\.crm\.x\.b",
        ),
        ([(key(EMAIL, warehouse="other"), None, None)], "no warehouse named 'other'"),
    ],
)
def test_unknown_columns_are_named_and_nothing_is_recorded(catalog, items, message):
    with pytest.raises(NotFoundError, match=message):
        record(catalog, (key(NAME), suggestion("PERSON"), "fp"), *items)
    assert rows(catalog, NAME) == []


@pytest.mark.parametrize(
    "source, item, message",
    [
        ("steward", (key(), suggestion(), "fp"), "unknown suggestion source 'steward'"),
        ("classifier", (key(), suggestion("email"), "fp"), "not an UPPER_SNAKE entity name"),
    ],
)
def test_bad_recording_input_is_refused(catalog, source, item, message):
    with pytest.raises(UsageError, match=message):
        record(catalog, item, source=source)


def test_recording_resolves_columns_in_bulk(catalog):
    """A run's statement count does not grow with its number of columns."""
    with catalog.session() as session:
        table = resolve_table(session, "crm.customers").table
        names = [c.name for c in table.columns]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(catalog.engine, "before_cursor_execute", count)
    try:
        record(catalog, (key("crm.customers.id"), suggestion("PERSON"), "fp"))
        one = len(statements)
        statements.clear()
        items = [(key(f"crm.customers.{n}"), suggestion("US_SSN"), "fp") for n in names]
        record(catalog, *items, (key("sales.orders.total"), suggestion("US_SSN"), "fp"))
        many = len(statements)
    finally:
        sa.event.remove(catalog.engine, "before_cursor_execute", count)
    assert many <= one + 1  # the same statements; an update batch beside the insert batch


# --- decisions ------------------------------------------------------------------------


def test_confirming_a_suggestion_tags_the_column(catalog):
    record(catalog, (key(), suggestion(), "fp1"))
    done = confirm(catalog, "dw.crm.customers.EMAIL", by="ann", note="JIRA-1")
    assert (done.column, done.entity, done.score, done.status) == (
        "dw.crm.customers.email",
        "EMAIL_ADDRESS",
        0.98,
        PiiStatus.CONFIRMED,
    )
    assert (done.source, done.decided_by, done.note) == ("classifier", "ann", "JIRA-1")
    assert done.decided_at is not None and done.masked_example == "a**@e******.com"
    assert done.summary == "98/100 values match; name: email"
    assert column_tags(catalog) == {"pii", "pii.email_address"}


def test_confirming_without_a_suggestion_needs_an_entity(catalog):
    with pytest.raises(UsageError, match="has no PII suggestion to confirm") as info:
        confirm(catalog, NAME, by="ann")
    assert "--entity" in str(info.value)
    done = confirm(catalog, NAME, entity="person", by="ann")
    assert (done.entity, done.score, done.status, done.source) == (
        "PERSON",
        1.0,
        PiiStatus.CONFIRMED,
        "steward",
    )
    assert done.summary == "marked by a steward"
    assert column_tags(catalog, NAME) == {"pii", "pii.person"}


def test_changing_the_type_moves_the_entity_tag(catalog):
    record(catalog, (key(), suggestion(), "fp1"))
    confirm(catalog, EMAIL, by="ann")
    changed = confirm(catalog, EMAIL, entity="PERSON", by="bo")
    assert (changed.entity, changed.score, changed.decided_by) == ("PERSON", 1.0, "bo")
    assert changed.evidence["changed_from"] == "EMAIL_ADDRESS"
    assert "steward changed the type from EMAIL_ADDRESS" in changed.summary
    assert column_tags(catalog) == {"pii", "pii.person"}
    back = confirm(catalog, EMAIL, entity="EMAIL_ADDRESS", by="bo")
    assert column_tags(catalog) == {"pii", "pii.email_address"}
    assert "changed_from" not in back.evidence and len(rows(catalog)) == 1


def test_rejecting_removes_the_pii_tags_and_keeps_the_others(catalog):
    from catalog.curate import add_tag

    add_tag(catalog, EMAIL, "contact")
    record(catalog, (key(), suggestion(), "fp1"))
    confirm(catalog, EMAIL, by="ann")
    done = reject(catalog, EMAIL, by="bo", note="test accounts only")
    assert (done.status, done.decided_by, done.note) == (
        PiiStatus.REJECTED,
        "bo",
        "test accounts only",
    )
    assert column_tags(catalog) == {"contact"}
    again = confirm(catalog, EMAIL, by="ann")  # a steward may change their mind back
    assert again.status is PiiStatus.CONFIRMED and again.note is None
    assert column_tags(catalog) == {"contact", "pii", "pii.email_address"}


def test_rejecting_an_open_suggestion_beside_a_confirmation(catalog):
    record(catalog, (key(), suggestion(), "fp1"))
    confirm(catalog, EMAIL, by="ann")
    record(catalog, (key(), suggestion("PERSON"), "fp2"))
    done = reject(catalog, EMAIL, by="bo")
    assert (done.entity, done.status) == ("PERSON", PiiStatus.REJECTED)
    assert [r.status for r in rows(catalog)] == ["confirmed", "rejected"]
    assert column_tags(catalog) == set()  # the column's latest decision says: not PII


@pytest.mark.parametrize(
    "setup, message",
    [
        ([], "nothing to reject on dw.crm.customers.email: it has no PII suggestion"),
        (["record", "reject"], "EMAIL_ADDRESS was already rejected by ann on "),
    ],
)
def test_rejecting_with_nothing_to_reject_says_so(catalog, setup, message):
    if "record" in setup:
        record(catalog, (key(), suggestion(), "fp1"))
    if "reject" in setup:
        reject(catalog, EMAIL, by="ann")
    with pytest.raises(UsageError, match=message):
        reject(catalog, EMAIL, by="bo")


def test_confirm_settles_same_entity_suggestions_from_every_source(catalog):
    record(catalog, (key(), suggestion("PERSON"), "l1"), source="lineage")
    record(catalog, (key(), suggestion(), "c1"))
    record(catalog, (key(), suggestion(), "l2"), source="lineage")  # lineage now agrees
    confirm(catalog, EMAIL, by="ann")
    assert {(r.source, r.status) for r in rows(catalog)} == {
        ("classifier", "confirmed"),
        ("lineage", "confirmed"),
    }


def test_decisions_need_a_decider_and_a_real_column(catalog):
    with pytest.raises(UsageError, match="say who decides"):
        confirm(catalog, NAME, entity="PERSON", by="  ")
    with pytest.raises(NotFoundError, match="has no column 'nope'"):
        reject(catalog, "crm.customers.nope", by="ann")
    with pytest.raises(UsageError, match="does not name a column"):
        confirm(catalog, "crm.customers", by="ann")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("EMAIL_ADDRESS", "EMAIL_ADDRESS"),
        ("email_address", "EMAIL_ADDRESS"),
        ("Email Address", "EMAIL_ADDRESS"),
        ("us-ssn", "US_SSN"),
        ("employee_id", "EMPLOYEE_ID"),
        ("LOYALTY_NUMBER", "LOYALTY_NUMBER"),
    ],
)
def test_entities_are_normalized(name, expected):
    assert validate_entity(name) == expected


@pytest.mark.parametrize(
    "name, message",
    [
        ("EMAIL_ADRESS", "did you mean 'EMAIL_ADDRESS'"),
        ("email", "did you mean 'EMAIL_ADDRESS'"),
        ("ssn", "did you mean 'US_SSN'"),
        ("PHONE_NUMBR", "did you mean 'PHONE_NUMBER'"),
        ("CREDITCARD", "did you mean 'CREDIT_CARD'"),
        ("1PASS", "is not a PII entity name"),
        ("x", "is not a PII entity name"),
        ("ÉMAIL!", "is not a PII entity name"),
    ],
)
def test_unknown_entities_are_refused_with_a_suggestion(name, message):
    with pytest.raises(UsageError, match=message):
        validate_entity(name)


def test_custom_entities_seen_by_a_recognizer_are_known(catalog):
    record(catalog, (key(NAME), suggestion("EMPLOYEE_ID"), "fp"))
    with pytest.raises(UsageError, match="did you mean 'EMPLOYEE_ID'"):
        confirm(catalog, EMAIL, entity="EMPLOYE_ID", by="ann")
    assert confirm(catalog, EMAIL, entity="employee_id", by="ann").entity == "EMPLOYEE_ID"


# --- reading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "steps, expected",
    [
        ([], None),
        (["suggest"], PiiInfo("EMAIL_ADDRESS", 0.98, "suggested")),
        (["suggest", "confirm"], PiiInfo("EMAIL_ADDRESS", 0.98, "confirmed")),
        (["suggest", "reject"], PiiInfo("EMAIL_ADDRESS", 0.98, "rejected")),
        (["hand"], PiiInfo("PERSON", 1.0, "confirmed")),
        # A newer suggestion beside a decision needs review, and is masked until then.
        (["suggest", "confirm", "changed"], PiiInfo("US_SSN", 0.6, "suggested")),
        (["suggest", "reject", "changed"], PiiInfo("US_SSN", 0.6, "suggested")),
        # An older open claim of another source does not override a newer decision.
        (["lineage", "suggest", "confirm"], PiiInfo("EMAIL_ADDRESS", 0.98, "confirmed")),
    ],
)
def test_effective_pii_precedence(catalog, steps, expected):
    for step in steps:
        if step == "suggest":
            record(catalog, (key(), suggestion(), "fp1"))
        elif step == "changed":
            record(catalog, (key(), suggestion("US_SSN", 0.6), "fp2"))
        elif step == "lineage":
            record(catalog, (key(), suggestion("PERSON", 0.5), "l1"), source="lineage")
        elif step == "hand":
            confirm(catalog, EMAIL, entity="PERSON", by="ann")
        elif step == "confirm":
            confirm(catalog, EMAIL, by="ann")
        else:
            reject(catalog, EMAIL, by="ann")
    assert effective(catalog) == expected


def test_masking_sees_every_open_and_the_confirmed_entity(catalog):
    record(catalog, (key(), suggestion("PERSON", 0.5), "l1"), source="lineage")
    record(catalog, (key(), suggestion(), "fp1"), (key(NAME), suggestion("PERSON"), "fp"))
    confirm(catalog, EMAIL, by="ann")
    reject(catalog, NAME, by="ann")
    with catalog.session() as session:
        ids = {
            ref: resolve_column(session, ref)[1].id
            for ref in (EMAIL, NAME, "crm.customers.balance")
        }
        masked = pii_to_mask(session, ids.values())
    assert masked == {
        ids[EMAIL]: (
            PiiInfo("EMAIL_ADDRESS", 0.98, "confirmed"),
            PiiInfo("PERSON", 0.5, "suggested"),
        )
    }


def test_list_shows_current_claims_in_column_order_and_filters(catalog, tmp_path):
    scan_warehouse(catalog, warehouses.duckdb_warehouse(tmp_path / "b.duckdb"), "b")
    record(
        catalog,
        (key(NAME), suggestion("PERSON", 0.8), "fp"),
        (key(EMAIL), suggestion(), "fp1"),
        (key("sales.orders.customer_id"), suggestion("US_SSN", 0.4), "fp"),
    )
    record(catalog, (key(EMAIL, warehouse="b"), suggestion(), "fp1"))
    confirm(catalog, "dw." + EMAIL, by="ann")
    confirm(catalog, "dw." + EMAIL, entity="PERSON", by="ann")  # replaces, not adds
    record(catalog, (key(EMAIL), suggestion(), "fp2"))  # changed data beside the decision

    listed = [(r.column, r.entity, r.status.value) for r in list_pii(catalog)]
    assert listed == [
        ("b.crm.customers.email", "EMAIL_ADDRESS", "suggested"),
        ("dw.crm.customers.email", "PERSON", "confirmed"),
        ("dw.crm.customers.email", "EMAIL_ADDRESS", "suggested"),
        ("dw.crm.customers.full_name", "PERSON", "suggested"),
        ("dw.sales.orders.customer_id", "US_SSN", "suggested"),
    ]
    assert [r.column for r in list_pii(catalog, status=PiiStatus.CONFIRMED)] == [
        "dw.crm.customers.email"
    ]
    assert list_pii(catalog, status=PiiStatus.REJECTED) == []
    assert len(list_pii(catalog, warehouse="b")) == 1
    assert len(list_pii(catalog, warehouse="dw", status=PiiStatus.SUGGESTED)) == 3
    with pytest.raises(NotFoundError, match="no warehouse named 'nope'"):
        list_pii(catalog, warehouse="nope")


def test_claims_of_removed_columns_are_not_listed(catalog, tmp_path):
    url = warehouses.duckdb_warehouse(tmp_path / "drift.duckdb")
    scan_warehouse(catalog, url, "drift")
    record(
        catalog, (key("crm.customers.born", warehouse="drift"), suggestion("DATE_OF_BIRTH"), "f")
    )
    warehouses.apply(url, warehouses.DRIFT)
    scan_warehouse(catalog, url, "drift")
    assert list_pii(catalog, warehouse="drift") == []
    with pytest.raises(NotFoundError, match="not in the catalog"):
        record(catalog, (key("crm.customers.born", warehouse="drift"), None, None))


def test_export_shows_each_columns_effective_pii(catalog):
    record(catalog, (key(), suggestion(), "fp1"), (key(NAME), suggestion("PERSON", 0.8), "fp"))
    confirm(catalog, EMAIL, by="ann")
    doc = export_json(list_tables(catalog))
    columns = {
        f"{t['schema']}.{t['name']}.{c['name']}": c for t in doc["tables"] for c in t["columns"]
    }
    assert columns[EMAIL]["pii"] == {
        "entity": "EMAIL_ADDRESS",
        "score": 0.98,
        "status": "confirmed",
    }
    assert columns[EMAIL]["tags"] == ["pii", "pii.email_address"]
    assert columns[NAME]["pii"] == {"entity": "PERSON", "score": 0.8, "status": "suggested"}
    assert columns[NAME]["tags"] == []  # only confirmation tags
    assert columns["crm.customers.balance"]["pii"] is None
    assert set(columns[EMAIL]) == {"name", "type", "tags", "pii", "nullable", "description"}
    # One table on its own (``veil catalog show``) reads the same PII.
    with catalog.session() as session:
        resolved = resolve_table(session, "crm.customers")
        one = to_catalog_table(resolved.table, resolved.schema, resolved.warehouse)
    assert {c.name: c.pii for c in one.columns}["email"] == PiiInfo(
        "EMAIL_ADDRESS", 0.98, "confirmed"
    )


def test_deleting_a_warehouse_deletes_its_claims(catalog):
    from catalog.store.models import WarehouseRow

    record(catalog, (key(), suggestion(), "fp1"))
    with catalog.session() as session:
        session.delete(session.scalars(sa.select(WarehouseRow)).one())
    with catalog.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PiiSuggestionRow)) == 0


@pytest.mark.parametrize(
    "evidence, source, expected",
    [
        (
            {"samples": 100, "hits": 98, "signals": ["values: …", "name: 'email'", "type: TEXT"]},
            "classifier",
            "98/100 values match; name: email",
        ),
        (
            {
                "samples": 40,
                "hits": 12,
                "signals": ["text: 12/40 values contain PII (PERSON in 9)"],
            },
            "classifier",
            "12/40 values contain PII (PERSON in 9)",
        ),
        (
            {
                "samples": 0,
                "signals": ["name: 'ssn'"],
                "note": "suggested by the column name alone",
            },
            "classifier",
            "name: ssn; suggested by the column name alone",
        ),
        ({}, "steward", "marked by a steward"),
        ({}, "lineage", ""),
        ({"signals": "not a list", "hits": "x"}, "classifier", ""),
    ],
)
def test_evidence_summaries(evidence, source, expected):
    assert summarize_evidence(evidence, source=source) == expected


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_store_from_before_the_review_workflow_upgrades_in_place(backend, tmp_path, request):
    from alembic import command

    from catalog.store import open_store
    from catalog.store.migrate import alembic_config, current_revision, head_revision

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("make_pg_database")()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            sa.text(
                "INSERT INTO warehouses (name, url, dialect, created_at) "
                "VALUES ('old', 'duckdb:///x', 'duckdb', CURRENT_TIMESTAMP)"
            )
        )
        conn.commit()
    engine.dispose()

    store = open_store(url)
    try:
        with store.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert "pii_suggestions" in sa.inspect(conn).get_table_names()
        assert list_pii(store, warehouse="old") == []
    finally:
        store.close()
    if backend == "sqlite":
        assert (tmp_path / "old.db.before-0001.bak").exists()
