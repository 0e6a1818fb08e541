"""Superset settings for `make bi` (bi/run.py points SUPERSET_CONFIG_PATH here).

Everything Superset keeps (its SQLite metadata, the secret key) lives in
CS_BI_HOME (default .bi/ in the project). No internet: no map tiles, no telemetry,
no example data.
"""
import os
import secrets
from pathlib import Path

BI_HOME = Path(os.environ.get("CS_BI_HOME", Path(__file__).resolve().parents[1] / ".bi"))
BI_HOME.mkdir(parents=True, exist_ok=True)
_key_file = BI_HOME / "secret_key"
if not _key_file.exists():
    _key_file.write_text(secrets.token_urlsafe(42))
    _key_file.chmod(0o600)
SECRET_KEY = _key_file.read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{BI_HOME / 'superset.db'}"
DATA_DIR = str(BI_HOME)

# a cache per process is enough for one local server
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 60}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}   # charts always read the published file
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}
EXPLORE_FORM_DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}

# offline: no map tiles, no external requests, no examples
MAPBOX_API_KEY = ""
SUPERSET_WEBSERVER_TIMEOUT = 120
SQLLAB_TIMEOUT = 120
# ALLOW_ADHOC_SUBQUERY: the tier coverage chart filters on the latest month with a
# subquery; the database is read-only, so a subquery can only read
FEATURE_FLAGS = {"ALLOW_ADHOC_SUBQUERY": True}
TALISMAN_ENABLED = False
WTF_CSRF_ENABLED = True
# the warehouse is a local file, opened read-only (see the do_connect hook below)
PREVENT_UNSAFE_DB_CONNECTIONS = False


# A fresh DuckDB instance for every connection. DuckDB caches one database instance
# per file and process: while any connection to the file is open (a long query), a
# new duckdb.connect(path) returns that instance, which still reads the file as it
# was before a publish renamed a new one over it. An in-memory instance is never
# shared, and ATTACH opens the file as it is now, read-only. The URI in Superset
# stays the warehouse path. (SQLAlchemy's do_connect event would be the usual hook,
# but it does not fire when registered on the Engine class, and Superset creates
# its engines itself; so duckdb_engine's connect is wrapped.)
import duckdb_engine  # noqa: E402

_duckdb_engine_connect = duckdb_engine.Dialect.connect


def _duckdb_fresh_instance(self, *cargs, **cparams):
    path = cparams.get("database") or (cargs[0] if cargs else None)
    if not path or str(path) == ":memory:" or str(path).startswith("md:"):
        return _duckdb_engine_connect(self, *cargs, **cparams)
    params = {key: value for key, value in cparams.items() if key not in ("database", "read_only")}
    connection = _duckdb_engine_connect(self, ":memory:", **params)
    quoted = str(path).replace("'", "''")
    connection.execute(f"attach '{quoted}' as warehouse (read_only)")
    connection.execute("use warehouse")
    return connection


duckdb_engine.Dialect.connect = _duckdb_fresh_instance
