"""The settings that are not figures, from one place: settings.mk at the repository root.

The Makefile includes settings.mk; this module reads the same file. An environment
variable of the same name wins over the file, as it does in make (``?=``). Relative
paths are relative to the repository, so a command gives the same answer from any
directory. Only the standard library is used: bi/manage.py loads this file into
Superset's own virtualenv.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
SETTINGS_PATH = PROJECT_DIR / "settings.mk"
_LINE = re.compile(r"^(CS_[A-Z0-9_]+)\s*\?=\s*(.*?)\s*$")


@lru_cache(maxsize=None)
def defaults(path: str = str(SETTINGS_PATH)) -> dict[str, str]:
    """NAME -> default, for every setting the file declares."""
    found: dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}, line {number}: expected `CS_NAME ?= value`, got {line!r}")
        found[match.group(1)] = match.group(2)
    return found


def get(name: str) -> str:
    """The setting: the environment variable when set and not blank, else the file's default."""
    if name not in defaults():
        raise KeyError(f"{name} is not a setting: declare it in {SETTINGS_PATH.name}")
    value = os.environ.get(name, "").strip()
    return value if value else defaults()[name]


def path(name: str) -> Path:
    """A setting that names a file or directory, absolute (relative ones are the repository's)."""
    value = Path(get(name)).expanduser()
    return value if value.is_absolute() else PROJECT_DIR / value
