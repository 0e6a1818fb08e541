# The settings of the warehouse that are not figures: where files are, what the
# machine may use, how the reports and Superset run. One place: the Makefile
# includes this file and cs_warehouse/settings.py reads it; an environment
# variable of the same name wins over both. Relative paths are relative to the
# repository. profiles.yml and the macro cs_raw_dir repeat a few defaults for a
# plain `dbt build`; tests/test_settings.py checks they agree with this file.
# (A setting that changes a figure is a dbt var in dbt_project.yml: README, "Settings".)

# the raw exports, and the warehouse file that is built and published
CS_RAW_DIR ?= data/demo
CS_WAREHOUSE_PATH ?= warehouse.duckdb
# dbt vars for the make targets and the Python commands, as YAML ('{as_of_date: 2026-06-30}')
CS_DBT_VARS ?=
# dbt and DuckDB
CS_DBT_THREADS ?= 1
CS_DUCKDB_THREADS ?= 2
CS_DUCKDB_MEMORY_LIMIT ?= 3GB
CS_DUCKDB_ACCESS_MODE ?= automatic
# where DuckDB spills; empty: <warehouse file>.tmp beside it
CS_DUCKDB_TEMP_DIRECTORY ?=
# the reports: language (ja or en), and the Chromium that prints them to PDF
CS_REPORT_LANG ?= ja
CS_CHROMIUM ?= /usr/bin/chromium
# Superset (`make bi`): its state directory, address and login
CS_BI_HOME ?= .bi
CS_BI_HOST ?= 127.0.0.1
CS_BI_PORT ?= 8088
CS_BI_USER ?= admin
CS_BI_PASSWORD ?= admin
# the dbt target that `make publish`, `make refresh` and `make build` build on: duckdb,
# or spark (docs/spark.md; the published file is DuckDB either way)
CS_TARGET ?= duckdb
# Spark, the second dbt target (`dbt build --target spark`, docs/spark.md): the public
# schema, the directory of its tables and Derby metastore, where the tables go when not
# there (blank: <work dir>/warehouse; on a cluster, storage every executor reaches), the
# master (local[N] or spark://host:7077), the address executors reach the driver at, the
# driver's and each executor's memory, the driver's logging, and the Thrift server of target spark_thrift
CS_SPARK_SCHEMA ?= cs
CS_SPARK_WORK_DIR ?= /tmp/cs-spark
CS_SPARK_WAREHOUSE_DIR ?=
CS_SPARK_MASTER ?= local[2]
CS_SPARK_DRIVER_HOST ?= 127.0.0.1
CS_SPARK_DRIVER_MEMORY ?= 2g
CS_SPARK_EXECUTOR_MEMORY ?= 1g
CS_SPARK_LOG4J2 ?= scripts/spark-log4j2.properties
CS_SPARK_THRIFT_HOST ?= 127.0.0.1
CS_SPARK_THRIFT_PORT ?= 10000
# where a Spark build writes the public relations as Parquet for the publish to copy into
# the DuckDB file, in a directory <warehouse stem>__spark_export of its own; blank:
# <warehouse stem>__publish.target/spark_export beside the warehouse (on a cluster:
# storage that the executors write and this machine reads)
CS_SPARK_EXPORT_DIR ?=
