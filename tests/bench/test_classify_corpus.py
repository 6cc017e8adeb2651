"""The PII benchmark's labeled corpus (bench/classify_corpus.py) and its baseline harness.

A benchmark is only as good as its ground truth: these tests check that the corpus is
big and varied enough, that every label matches a column in the DuckDB file, that the
generated values really are what their label says (checksums, SSN rules, valid phone
numbers, plausible birth dates), that the decoys really are not (Luhn-failing numbers,
recent dates), and that person names come from mimesis, not from the Faker lists the
classifier itself uses.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import phonenumbers
import pytest
from faker.providers.person.en_US import Provider as FakerEnUs
from mimesis import Person
from mimesis.locales import Locale

from bench import classify
from bench._common import write_readme_section
from bench.classify_corpus import (
    ENTITIES,
    REFERENCE_DAY,
    TABLES,
    Corpus,
    aba_valid,
    build_corpus,
    column_values,
    iban_from_bban,
    iban_valid,
    luhn_complete,
    luhn_valid,
    ssn_valid,
)

#: Placeholders the corpus writes into "messy" text columns instead of values.
PLACEHOLDERS = {"", "n/a", "-", "unknown", "none"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("corpus") / "corpus.duckdb")


@pytest.fixture(scope="module")
def con(corpus: Corpus) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect(str(corpus.path), read_only=True)
    yield conn
    conn.close()


def values_of(con: duckdb.DuckDBPyConnection, key: str) -> list[object]:
    """The column's real values: NULLs, blanks and placeholders left out."""
    schema, table, column = key.split(".")
    rows = con.execute(f'SELECT "{column}" FROM "{schema}"."{table}"').fetchall()
    out = []
    for (value,) in rows:
        if value is None or (isinstance(value, str) and value.strip().lower() in PLACEHOLDERS):
            continue
        out.append(value.strip() if isinstance(value, str) else value)
    return out


def keys_with(corpus: Corpus, label: str | None, family: str | None = None) -> list[str]:
    return [
        k
        for k, v in corpus.labels.items()
        if v == label and (family is None or corpus.families[k] == family)
    ]


# --- Size and shape --------------------------------------------------------------------------


def test_corpus_is_big_enough_and_covers_every_entity(corpus: Corpus) -> None:
    counts = Counter(corpus.labels.values())
    assert len(corpus.labels) >= 300
    assert counts[None] >= 120
    for entity in ENTITIES:
        assert counts[entity] >= 12, entity
        formats = {corpus.families[k] for k in keys_with(corpus, entity)}
        assert len(formats) >= 3, (entity, formats)
    assert set(counts) == {*ENTITIES, None}


def test_labels_match_the_columns_in_the_database(
    corpus: Corpus, con: duckdb.DuckDBPyConnection
) -> None:
    rows = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND NOT internal"
    ).fetchall()
    assert {f"{s}.{t}.{c}" for s, t, c in rows} == set(corpus.labels)
    counts = con.execute(
        "SELECT DISTINCT estimated_size FROM duckdb_tables() "
        "WHERE database_name = current_database()"
    ).fetchall()
    assert counts == [(corpus.rows,)]


def test_misleading_names_are_labeled_by_content(corpus: Corpus) -> None:
    labels = corpus.labels
    assert labels["support.tickets.notes"] == "EMAIL_ADDRESS"
    assert labels["identity.kyc_checks.id"] == "US_SSN"
    assert labels["sales.products.name"] is None
    assert labels["logistics.shipments.contact"] == "PHONE_NUMBER"
    assert labels["staging.kv_export.value"] == "IBAN_CODE"
    assert labels["staging.raw_import.col7"] == "DATE_OF_BIRTH"
    assert labels["crm.customers.email_verified"] is None
    assert labels["identity.travel_documents.passport_no"] == "US_PASSPORT"


def test_some_columns_are_messy(corpus: Corpus, con: duckdb.DuckDBPyConnection) -> None:
    holes = []
    for key in corpus.labels:
        schema, table, column = key.split(".")
        row = con.execute(
            f'SELECT count(*) FILTER (WHERE "{column}" IS NULL OR trim(CAST("{column}" '
            f"AS VARCHAR)) IN ('', 'N/A', 'n/a', '-', 'unknown', 'none')) "
            f'FROM "{schema}"."{table}"'
        ).fetchone()
        assert row is not None
        holes.append(row[0] / corpus.rows)
    messy = [h for h in holes if 0.1 <= h <= 0.35]
    assert len(messy) >= 15
    assert max(holes) <= 0.35, "PII columns must still be mostly PII"
    upper = values_of(con, "sales.orders.ship_to_name")
    assert all(v == v.upper() for v in upper if isinstance(v, str))


# --- Determinism -----------------------------------------------------------------------------


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = conn.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        return {
            f"{s}.{t}": conn.execute(f'SELECT * FROM "{s}"."{t}" ORDER BY rowid').fetchall()
            for s, t in tables
        }


def test_same_seed_same_corpus_other_seed_other_values(tmp_path: Path) -> None:
    small = {"rows": 40, "per_entity": 2, "per_decoy_family": 1}
    a = build_corpus(tmp_path / "a.duckdb", seed=5, **small)
    b = build_corpus(tmp_path / "b.duckdb", seed=5, **small)
    c = build_corpus(tmp_path / "c.duckdb", seed=6, **small)
    assert a.labels == b.labels == c.labels
    assert _dump(a.path) == _dump(b.path)
    assert _dump(a.path) != _dump(c.path)


def test_each_column_depends_only_on_the_seed_and_its_name(
    corpus: Corpus, con: duckdb.DuckDBPyConnection
) -> None:
    """The quick corpus' columns equal the full corpus' (a column has its own stream)."""
    customers = next(t for t in TABLES if (t.schema, t.name) == ("crm", "customers"))
    email = next(c for c in customers.columns if c.name == "email")
    alone = column_values(11, customers, email, corpus.rows)
    rows = con.execute('SELECT "email" FROM crm.customers ORDER BY rowid').fetchall()
    assert alone == [r[0] for r in rows]


# --- Values are what their labels say ------------------------------------------------------


def test_checksum_helpers_agree_with_known_numbers() -> None:
    assert luhn_valid("4111 1111 1111 1111")
    assert not luhn_valid("4111 1111 1111 1112")
    assert luhn_valid(luhn_complete("453201511283036"))
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("DE89370400440532013001")
    assert iban_from_bban("DE", "370400440532013000") == "DE89370400440532013000"
    assert ssn_valid("078-05-1120")
    for bad in ("000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000"):
        assert not ssn_valid(bad), bad
    assert aba_valid("011000015")
    assert not aba_valid("011000016")


def test_cards_pass_luhn_and_the_decoys_fail_it(
    corpus: Corpus, con: duckdb.DuckDBPyConnection
) -> None:
    brands: Counter[str] = Counter()
    for key in keys_with(corpus, "CREDIT_CARD"):
        for value in values_of(con, key):
            digits = "".join(c for c in str(value) if c.isdigit())
            assert luhn_valid(digits) and 14 <= len(digits) <= 16, (key, value)
            brands[digits[0]] += 1
    assert set(brands) >= {"2", "3", "4", "5", "6"}  # Mastercard 2-series, Amex/JCB, Discover
    for key in keys_with(corpus, None, "Luhn-failing 16 digits"):
        for value in values_of(con, key):
            digits = "".join(c for c in str(value) if c.isdigit())
            assert len(digits) == 16 and not luhn_valid(digits), (key, value)


def test_ibans_pass_mod_97(corpus: Corpus, con: duckdb.DuckDBPyConnection) -> None:
    countries = set()
    for key in keys_with(corpus, "IBAN_CODE"):
        for value in values_of(con, key):
            assert iban_valid(str(value)), (key, value)
            countries.add(str(value)[:2].upper())
    assert len(countries) >= 10


def test_ssns_follow_the_issuing_rules(corpus: Corpus, con: duckdb.DuckDBPyConnection) -> None:
    for key in keys_with(corpus, "US_SSN"):
        for value in values_of(con, key):
            assert ssn_valid(str(value)), (key, value)


def _parse_phone(text: str) -> phonenumbers.PhoneNumber | None:
    """``text`` as a valid number of one of the corpus' regions (national formats carry none)."""
    for region in ("US", "GB", "DE", "FR"):
        try:
            number = phonenumbers.parse(text.replace("(0)", ""), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def test_phone_numbers_are_valid(corpus: Corpus, con: duckdb.DuckDBPyConnection) -> None:
    regions = set()
    for key in keys_with(corpus, "PHONE_NUMBER"):
        msisdn = corpus.families[key].startswith("MSISDN")
        for value in values_of(con, key):
            number = _parse_phone(("+" if msisdn else "") + str(value))
            assert number is not None, (key, value)
            regions.add(phonenumbers.region_code_for_number(number))
    assert {"US", "GB", "DE", "FR"} <= regions


def _dates(values: list[object]) -> list[dt.date]:
    out = []
    for value in values:
        if isinstance(value, dt.datetime):
            out.append(value.date())
        elif isinstance(value, dt.date):
            out.append(value)
    return out


def test_birth_dates_are_adults_and_decoy_dates_are_recent(
    corpus: Corpus, con: duckdb.DuckDBPyConnection
) -> None:
    births = [d for k in keys_with(corpus, "DATE_OF_BIRTH") for d in _dates(values_of(con, k))]
    assert births and all(dt.date(1940, 1, 1) <= d <= dt.date(2006, 6, 30) for d in births)
    recent = [
        d
        for k in keys_with(corpus, None, "recent or future date")
        for d in _dates(values_of(con, k))
    ]
    horizon = REFERENCE_DAY - dt.timedelta(days=366)
    assert recent and all(d >= horizon for d in recent)


def test_names_come_from_mimesis_not_from_faker(
    corpus: Corpus, con: duckdb.DuckDBPyConnection
) -> None:
    """English first and last names are mimesis' own, and mostly unknown to Faker's en_US."""
    firsts = [str(v) for v in values_of(con, "crm.customers.first_name")]
    lasts = [str(v) for v in values_of(con, "crm.customers.last_name")]
    # mimesis' English name data (a private attribute; pinned mimesis<23 in pyproject).
    dataset = Person(Locale.EN)._dataset
    assert set(firsts) <= {*dataset["names"]["female"], *dataset["names"]["male"]}
    assert set(lasts) <= set(dataset["surnames"])
    faker_firsts = set(FakerEnUs.first_names)
    assert sum(f in faker_firsts for f in firsts) / len(firsts) < 0.5
    everything = " ".join(str(v) for v in values_of(con, "crm.contacts.full_name"))
    assert not set(everything.split()) <= faker_firsts | set(FakerEnUs.last_names)


# --- The harness -----------------------------------------------------------------------------


class FakeResult:
    def __init__(self, entity_type: str, score: float) -> None:
        self.entity_type, self.score = entity_type, score


class FakeAnalyzer:
    """Answers from a table: value -> [(entity, score)]."""

    def __init__(self, answers: dict[str, list[tuple[str, float]]]) -> None:
        self.answers = answers

    def analyze(self, text: str, language: str) -> list[FakeResult]:
        return [FakeResult(e, s) for e, s in self.answers.get(text, [])]


def test_presidio_verdict_takes_the_largest_share_above_half() -> None:
    analyzer = FakeAnalyzer(
        {
            "a@x.com": [("EMAIL_ADDRESS", 1.0), ("URL", 0.5)],
            "b@x.com": [("EMAIL_ADDRESS", 1.0), ("URL", 0.5)],
            "1999-01-02": [("DATE_TIME", 0.6)],
        }
    )
    verdict = classify.presidio_verdict(analyzer, ["a@x.com", "b@x.com", None, "  ", "x"])
    assert verdict.label == "EMAIL_ADDRESS"  # the tie with URL goes to Veil's entity
    assert verdict.share == pytest.approx(2 / 3)
    assert classify.presidio_verdict(analyzer, ["1999-01-02"]).label == "DATE_OF_BIRTH"
    assert classify.presidio_verdict(analyzer, ["a@x.com", "x", "y"]).label is None
    assert classify.presidio_verdict(analyzer, [None, ""]).label is None


def test_scores_and_targets(corpus: Corpus) -> None:
    perfect = {k: classify.Verdict(v) for k, v in corpus.labels.items()}
    scores = classify.score(corpus, perfect)
    assert scores.macro_f1 == 1.0 and scores.micro_f1 == 1.0 and not scores.errors
    assert classify.missed_targets(scores, 60.0) == []
    assert classify.missed_targets(scores, 10.0) == ["10.0 columns/s < 50"]

    wrong = dict(perfect)
    email = keys_with(corpus, "EMAIL_ADDRESS")[0]
    decoy = keys_with(corpus, None, "UUID")[0]
    wrong[email] = classify.Verdict(None)
    wrong[decoy] = classify.Verdict("US_DRIVER_LICENSE")
    scores = classify.score(corpus, wrong)
    assert scores.entities["EMAIL_ADDRESS"].fn == 1
    assert scores.entities["US_DRIVER_LICENSE"].fp == 1
    assert scores.decoys["UUID"] == Counter({"US_DRIVER_LICENSE": 1})
    assert any("EMAIL_ADDRESS recall" in m for m in classify.missed_targets(scores, 60.0))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: the baseline must stay offline."""

    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.mark.usefixtures("no_network")
def test_baseline_runs_offline_on_a_tiny_corpus(tmp_path: Path) -> None:
    tiny = build_corpus(tmp_path / "tiny.duckdb", rows=100, per_entity=1, per_decoy_family=1)
    model = classify.blank_spacy_model(tmp_path / "blank-en")
    with classify.PresidioBaseline(model, workers=1) as baseline:
        run = baseline.run(tiny)
    assert set(run.verdicts) == set(tiny.labels)
    assert run.cells == 100 * len(tiny.labels) and run.seconds > 0 and run.startup > 0
    by_label = {tiny.labels[k]: v.label for k, v in run.verdicts.items() if tiny.labels[k]}
    assert by_label["EMAIL_ADDRESS"] == "EMAIL_ADDRESS"
    assert by_label["IBAN_CODE"] == "IBAN_CODE"
    assert by_label["PERSON"] is None  # no NER in a blank pipeline

    measured = classify.Measured()
    measured.add(run)
    scores = {classify.BASELINE: classify.score(tiny, run.verdicts)}
    assert 0 < scores[classify.BASELINE].macro_f1 < 1
    args = classify.parse_args(["--quick", "--baseline-only"])
    section = classify.readme_section(
        tiny, {classify.BASELINE: measured}, scores, args, 0.1, 1.0, []
    )
    readme = tmp_path / "README.md"
    write_readme_section(classify.SECTION, section, readme)
    text = readme.read_text()
    assert f"## {classify.SECTION}" in text and "| EMAIL_ADDRESS |" in text
