"""The settings that are not figures have one home, settings.mk: the Makefile
includes it, cs_warehouse.settings reads it, and the few defaults that a plain
`dbt build` needs in profiles.yml and the macro cs_raw_dir agree with it."""
from __future__ import annotations

import re
import subprocess

import pytest

from cs_warehouse import settings
from cs_warehouse.dbt_runner import PROJECT_DIR


def test_every_default_of_the_profile_and_the_raw_dir_macro_is_the_settings_file():
    profile = (PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    found = re.findall(r"env_var\('(CS_[A-Z_]+)',\s*'([^']*)'\)", profile)
    assert {name for name, _ in found} >= {"CS_WAREHOUSE_PATH", "CS_DBT_THREADS", "CS_DUCKDB_THREADS",
                                           "CS_DUCKDB_MEMORY_LIMIT", "CS_DUCKDB_ACCESS_MODE"}
    for name, default in found:
        assert settings.defaults()[name] == default, f"profiles.yml: {name} defaults to {default!r}"
    macro = (PROJECT_DIR / "macros" / "raw" / "cs_raw_files.sql").read_text(encoding="utf-8")
    assert f"{{%- set raw_dir = '{settings.defaults()['CS_RAW_DIR']}' -%}}" in macro


def test_the_environment_wins_and_relative_paths_are_the_repositorys(monkeypatch):
    monkeypatch.delenv("CS_WAREHOUSE_PATH", raising=False)
    assert settings.path("CS_WAREHOUSE_PATH") == PROJECT_DIR / settings.defaults()["CS_WAREHOUSE_PATH"]
    monkeypatch.setenv("CS_WAREHOUSE_PATH", "elsewhere/w.duckdb")
    assert settings.path("CS_WAREHOUSE_PATH") == PROJECT_DIR / "elsewhere" / "w.duckdb"
    monkeypatch.setenv("CS_WAREHOUSE_PATH", "  ")  # blank is unset, as in make
    assert settings.get("CS_WAREHOUSE_PATH") == settings.defaults()["CS_WAREHOUSE_PATH"]
    with pytest.raises(KeyError, match="declare it in settings.mk"):
        settings.get("CS_NOT_A_SETTING")


def test_make_reads_the_same_file(monkeypatch):
    """make's value of each setting, with nothing in the environment, is the file's
    default (paths made absolute)."""
    for name in settings.defaults():
        monkeypatch.delenv(name, raising=False)
    names = list(settings.defaults())
    script = "print-settings:\n\t@" + " ".join(f"echo '{name}=$({name})';" for name in names) + "\n"
    result = subprocess.run(["make", "--no-print-directory", "-f", "Makefile", "-f", "-", "print-settings"],
                            input=script, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60, check=True)
    values = dict(line.split("=", 1) for line in result.stdout.splitlines())
    for name in names:
        expected = settings.defaults()[name]
        if name in ("CS_RAW_DIR", "CS_WAREHOUSE_PATH"):
            expected = str(settings.path(name))
        assert values[name] == expected, name
