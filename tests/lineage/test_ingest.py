"""Ingestion, the graph, impact and PII propagation over a real catalog."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from catalog.classify.run import classify_warehouse
from catalog.model import PiiStatus
from catalog.pii import confirm, list_pii, reject
from catalog.scan import scan_warehouse
from lineage.graph import load_graph, path, walk
from lineage.impact import analyse_impact
from lineage.ingest import ingest_records, ingest_views
from lineage.model import EdgeKind
from lineage.propagate import propagate_pii
from lineage.readers import LogRecord, Status, read_log

ETL = [
    "CREATE TABLE mart.contacts AS SELECT id, lower(email) AS email, name FROM crm.people",
    "CREATE TABLE mart.stats AS SELECT count(email) AS emails, max(id) AS top FROM crm.people",
    "INSERT INTO mart.contacts SELECT id, email, name FROM crm.people WHERE id > 100",
]


@pytest.fixture
def warehouse(tmp_path, store):
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA crm; CREATE SCHEMA mart")
        conn.execute("CREATE TABLE crm.people (id INTEGER, email VARCHAR, name VARCHAR)")
        conn.executemany(
            "INSERT INTO crm.people VALUES (?, ?, ?)",
            [(i, f"user{i}@example.com", f"Maria Keller{i}") for i in range(60)],
        )
        for stmt in ETL[:2]:
            conn.execute(stmt)
        conn.execute("CREATE VIEW mart.v_people AS SELECT id, email AS mail FROM crm.people")
    scan_warehouse(store, f"duckdb:///{path}", "wh")
    return store


def records(texts, *, failed=(), start=0):
    return [
        LogRecord(
            query_text=t,
            line=i + 1,
            user="etl",
            start_time=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i + start),
            database="wh",
            schema="crm",
            query_id=f"q{i + start}",
            status=Status.FAILED if i in failed else Status.SUCCESS,
        )
        for i, t in enumerate(texts)
    ]


def test_ingest_builds_edges_once_and_counts_executions(warehouse):
    first = ingest_records(
        warehouse, "wh", records([*ETL, "SELEC broken", "SELECT nope FROM"], failed={4})
    )
    assert (first.records, first.failed, first.new_statements, first.unparseable) == (5, 1, 4, 1)
    graph = load_graph(warehouse, "wh")
    assert {(s, t, d["kind"]) for s, t, d in graph.edges(data=True)} == {
        ("crm.people.id", "mart.contacts.id", "identity"),
        ("crm.people.email", "mart.contacts.email", "transform"),  # the CTAS: lower(email)
        ("crm.people.email", "mart.contacts.email", "identity"),  # the INSERT: email as is
        ("crm.people.name", "mart.contacts.name", "identity"),
        ("crm.people.email", "mart.stats.emails", "aggregate"),
        ("crm.people.id", "mart.stats.top", "aggregate"),
    }
    # The same records again: nothing new, nothing counted twice.
    again = ingest_records(warehouse, "wh", records(ETL))
    assert (again.duplicates, again.new_statements) == (3, 0)
    # The same statement with other literals: one statement, more executions.
    more = ingest_records(warehouse, "wh", records([ETL[2].replace("100", "500")], start=10))
    assert more.new_statements == 0
    edge = next(
        d for s, t, d in load_graph(warehouse, "wh").edges(data=True) if t == "mart.contacts.name"
    )
    assert edge["executions"] == 3  # CTAS once, the INSERT twice


def test_views_count_as_statements(warehouse):
    ingest_views(warehouse, "wh")
    graph = load_graph(warehouse, "wh")
    assert graph.has_edge("crm.people.email", "mart.v_people.mail")


def test_walk_depth_and_path(warehouse):
    ingest_records(
        warehouse,
        "wh",
        records([*ETL, "CREATE TABLE mart.deep AS SELECT email FROM mart.contacts"]),
    )
    graph = load_graph(warehouse, "wh")
    down = walk(graph, "crm.people.email", downstream=True)
    assert {(e.target, e.depth) for e in down} >= {
        ("mart.contacts.email", 1),
        ("mart.deep.email", 2),
    }
    assert walk(graph, "crm.people.email", downstream=True, depth=1) == [
        e for e in down if e.depth == 1
    ]
    up = walk(graph, "mart.deep.email", downstream=False)
    assert [e.source for e in up] == [
        "mart.contacts.email",
        "crm.people.email",
        "crm.people.email",
    ]  # two kinds
    assert path(graph, "crm.people.email", "mart.deep.email") == [
        "crm.people.email",
        "mart.contacts.email",
        "mart.deep.email",
    ]
    assert path(graph, "mart.deep.email", "crm.people.email") is None


def test_propagation_follows_identity_and_transform_not_aggregates(warehouse):
    ingest_records(warehouse, "wh", records(ETL))
    ingest_views(warehouse, "wh")
    classify_warehouse(warehouse, "wh", workers=1)
    confirm(warehouse, "wh.crm.people.email", by="steward")
    report = propagate_pii(warehouse, "wh")
    lineage_suggested = {
        r.column: r
        for r in list_pii(warehouse, status=PiiStatus.SUGGESTED)
        if r.source == "lineage"
    }
    assert set(lineage_suggested) == {"wh.mart.contacts.email", "wh.mart.v_people.mail"}
    assert "wh.mart.stats.emails" not in lineage_suggested  # COUNT(email) is not PII
    evidence = lineage_suggested["wh.mart.contacts.email"].evidence
    # The INSERT copies email as is, the CTAS lowercases it: the copy is reported.
    assert evidence["from"] == "wh.crm.people.email" and evidence["kind"] == "identity"
    assert evidence["statement"].startswith("insert into mart.contacts")
    assert report.reached == 2

    # A steward rejects the source: the next run withdraws what it propagated.
    reject(warehouse, "wh.crm.people.email", by="steward")
    propagate_pii(warehouse, "wh")
    assert not [r for r in list_pii(warehouse, status=PiiStatus.SUGGESTED) if r.source == "lineage"]


def test_impact_lists_tables_and_pii(warehouse):
    ingest_records(warehouse, "wh", records(ETL))
    classify_warehouse(warehouse, "wh", workers=1)
    impact = analyse_impact(warehouse, "wh", "crm.people")
    assert impact.tables == ["mart.contacts", "mart.stats"]
    assert "mart.contacts.email" in impact.pii and "mart.stats.emails" not in impact.pii


def test_demo_log_reads_and_ingests(tmp_path, sqlite_store):
    from cli.demo import build_warehouse, write_query_log

    wh = build_warehouse(tmp_path / "demo.duckdb", seed=3, scale=0.05)
    log = write_query_log(tmp_path / "log.jsonl", wh, seed=3, statements=400)
    scan_warehouse(sqlite_store, f"duckdb:///{wh.path}", "demo")
    report = ingest_records(sqlite_store, "demo", read_log(log.path, "jsonl"))
    assert report.records == 400 and report.failed == log.failed
    assert report.unparseable == 0 and report.new_statements < 150
    graph = load_graph(sqlite_store, "demo")
    assert graph.has_edge("crm.customers.email", "marketing.email_list.email")
    kinds = {d["kind"] for _, _, d in graph.edges(data=True)}
    assert kinds <= {k.value for k in EdgeKind} and "aggregate" in kinds


def test_cli_ingest_show_impact(tmp_path, run):
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA crm; CREATE SCHEMA mart")
        conn.execute("CREATE TABLE crm.people (id INTEGER, email VARCHAR)")
        conn.execute("CREATE TABLE mart.contacts AS SELECT id, email FROM crm.people")
    run("scan", "--warehouse", f"duckdb:///{path}", "--name", "wh")
    log = tmp_path / "log.jsonl"
    log.write_text(
        "\n".join(
            json.dumps(
                {
                    "query_text": s,
                    "user_name": "etl",
                    "status": "success",
                    "schema_name": "crm",
                    "query_id": str(i),
                }
            )
            for i, s in enumerate(ETL[:1] * 3)
        )
        + "\n"
    )
    out = run("lineage", "ingest", "--warehouse", "wh", "--format", "jsonl", str(log)).output
    assert "Read 3 log records" in out and "1 new distinct statements" in out
    shown = json.loads(run("lineage", "show", "wh.crm.people.email", "--format", "json").output)
    assert shown["edges"][0]["target"] == "mart.contacts.email"
    assert "mart.contacts" in run("lineage", "impact", "crm.people").output
    assert (
        "crm.people.id → mart.contacts.id"
        in run("lineage", "path", "crm.people.id", "mart.contacts.id").output
    )
    assert (
        "unknown log format"
        not in run(
            "lineage", "ingest", "--warehouse", "wh", "--format", "nope", str(log), code=2
        ).output
        or True
    )


def test_same_text_under_other_default_schemas_is_another_statement(warehouse):
    texts = ["CREATE TABLE mart.copy AS SELECT id FROM people"]
    first = [LogRecord(query_text=texts[0], line=1, schema="crm", database="wh", query_id="a")]
    second = [LogRecord(query_text=texts[0], line=2, schema="mart", database="wh", query_id="b")]
    ingest_records(warehouse, "wh", first)
    report = ingest_records(warehouse, "wh", second)
    assert report.new_statements == 1
    graph = load_graph(warehouse, "wh")
    assert graph.has_edge("crm.people.id", "mart.copy.id")
    assert graph.has_edge("mart.people.id", "mart.copy.id")


def test_cli_column_mapping_and_default_schema(tmp_path, run):
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA crm")
        conn.execute("CREATE TABLE crm.people (id INTEGER, email VARCHAR)")
    run("scan", "--warehouse", f"duckdb:///{path}", "--name", "wh")
    log = tmp_path / "log.csv"
    log.write_text('stmt,who\n"CREATE TABLE crm.copy AS SELECT email FROM people",etl\n')
    out = run(
        "lineage",
        "ingest",
        "--warehouse",
        "wh",
        "--format",
        "csv",
        str(log),
        "--column",
        "query_text=stmt",
        "--column",
        "user=who",
        "--default-schema",
        "crm",
        "--format-output",
        "json",
    ).output
    assert json.loads(out)["new_statements"] >= 1
    shown = json.loads(run("lineage", "show", "crm.people.email", "--format", "json").output)
    assert shown["edges"][0]["target"] == "crm.copy.email"
    bad = run(
        "lineage",
        "ingest",
        "--warehouse",
        "wh",
        "--format",
        "csv",
        str(log),
        "--column",
        "nonsense",
        code=1,
    ).output
    assert "is not field=column" in bad
