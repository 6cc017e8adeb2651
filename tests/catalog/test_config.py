"""Settings: precedence, validation, and messages that name the file, key and fix."""

from __future__ import annotations

import pytest

from catalog.config import load_settings, setting_table
from catalog.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "veil.yaml"
    path.write_text(text)
    return path


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert s.home == ".veil" and s.catalog_url == ""
    assert s.effective_catalog_url == f"sqlite:///{(tmp_path / '.veil' / 'catalog.db')}"
    assert s.sources["home"] == "default"


def test_file_then_env_then_overrides(tmp_path):
    path = write(tmp_path, "home: /from/file\nlog_level: info\nscan_exact_count_max_rows: 10\n")
    s = load_settings(path, environ={"VEIL_LOG_LEVEL": "debug"}, overrides={"home": None})
    assert (s.home, s.log_level, s.scan_exact_count_max_rows) == ("/from/file", "debug", 10)
    assert s.sources["home"] == str(path) and s.sources["log_level"] == "VEIL_LOG_LEVEL"
    s = load_settings(path, environ={}, overrides={"home": "/cli"})
    assert s.home == "/cli" and s.sources["home"] == "command line"


def test_nested_sections_map_to_flat_settings(tmp_path):
    path = write(tmp_path, "scan:\n  exact_count_max_rows: 5\n")
    assert load_settings(path, environ={}).scan_exact_count_max_rows == 5


def test_veil_yaml_in_the_current_directory_is_read(tmp_path, monkeypatch):
    write(tmp_path, "home: here\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).home == "here"


def test_veil_config_variable_names_the_file(tmp_path):
    path = write(tmp_path, "home: there\n")
    assert load_settings(environ={"VEIL_CONFIG": str(path)}).home == "there"


@pytest.mark.parametrize(
    "text, message",
    [
        ("catalog_ur: x\n", "unknown setting 'catalog_ur' in .*; did you mean 'catalog_url'"),
        ("scan_exact_count_max_rows: many\n", "must be a whole number, not 'many'"),
        ("scan_exact_count_max_rows: true\n", "must be a whole number"),
        ("scan_exact_count_max_rows: -1\n", "must be 0 or more"),
        ("log_level: loud\n", "log_level must be one of debug, info, warning, error"),
        ("home: [a, b]\n", "'home' in .* must be a string"),
        ("home: x\n  bad: : indent\n", "is not valid YAML \\(line 2"),
        ("- a\n- b\n", "must hold a mapping of settings, not a list"),
    ],
)
def test_bad_files_are_explained(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, text), environ={})


def test_empty_file_is_fine(tmp_path):
    assert load_settings(write(tmp_path, ""), environ={}).home == ".veil"


def test_an_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml", environ={})


@pytest.mark.parametrize(
    "environ, message",
    [
        (
            {"VEIL_CATALOG_UR": "x"},
            "unknown environment variable VEIL_CATALOG_UR; did you mean VEIL_CATALOG_URL",
        ),
        (
            {"VEIL_SCAN_EXACT_COUNT_MAX_ROWS": "1e9x"},
            "VEIL_SCAN_EXACT_COUNT_MAX_ROWS must be a whole number",
        ),
    ],
)
def test_bad_variables_are_explained(environ, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


def test_every_setting_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for key, env, _default, doc, _secret in setting_table():
        assert doc, key
        assert f"`{key}`" in readme and f"`{env}`" in readme, f"{key} missing from README"
