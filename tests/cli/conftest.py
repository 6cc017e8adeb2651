"""Fixtures for driving the veil command in-process."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from cli.main import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke `veil` in-process with an isolated home, catalog and environment."""
    for var in list(os.environ):
        if var.startswith("VEIL_") and var != "VEIL_TEST_PG_URL":
            monkeypatch.delenv(var)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0):
        result = runner.invoke(cli, ["--home", str(tmp_path / ".veil"), *args], input=input)
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return invoke
