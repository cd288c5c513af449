"""The Flink peer of bench/ingest: PyFlink's Table API on a local mini-cluster (its JVM is this
process's child), `INSERT INTO iceberg.<table> SELECT ... FROM kafka_source`, the seed stack's
own writer. Flink's Iceberg sink commits on checkpoints: the checkpoint interval is its commit
interval.

    flink_job.py JARS_DIR BOOTSTRAP TOPIC REST_URI NS.TABLE PAYLOAD INTERVAL_MS PARALLELISM
"""

from __future__ import annotations

import sys

# The columns of each payload of bench/ingest/bench.py, as Flink SQL types.
COLUMNS = {
    "100B": "id BIGINT, ts BIGINT, kind STRING, site STRING, v BIGINT",
    "500B": ("id BIGINT, ts BIGINT, study STRING, site STRING, subject STRING, form STRING, item STRING, "
             "action STRING, old_value STRING, new_value STRING, `user` STRING, reason STRING, "
             "audit ROW<device STRING, `session` STRING, ip STRING>, `comment` STRING"),
    "2KB": ("id BIGINT, ts BIGINT, resourceType STRING, status STRING, patient STRING, encounter STRING, "
            "code ROW<`system` STRING, code STRING, display STRING>, `value` ROW<`value` BIGINT, unit STRING>, "
            "performer STRING, note STRING"),
}


def main() -> None:
    _jars, bootstrap, topic, uri, table, payload, interval_ms, parallelism = sys.argv[1:9]
    from pyflink.table import EnvironmentSettings, TableEnvironment

    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    conf = env.get_config()
    # The jars are on the JVM's classpath already (bench.py puts them in PyFlink's lib/).
    conf.set("execution.checkpointing.interval", f"{interval_ms} ms")
    conf.set("parallelism.default", parallelism)
    conf.set("taskmanager.memory.process.size", "2g")
    ns, name = table.split(".")
    env.execute_sql(f"CREATE CATALOG iceberg WITH ('type' = 'iceberg', 'catalog-type' = 'rest', "
                    f"'uri' = '{uri}')")
    env.execute_sql(f"CREATE DATABASE IF NOT EXISTS iceberg.{ns}")
    columns = COLUMNS[payload]
    env.execute_sql(f"CREATE TABLE IF NOT EXISTS iceberg.{ns}.{name} ({columns})")
    env.execute_sql(f"""CREATE TEMPORARY TABLE kafka_source ({columns}) WITH (
        'connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = '{bootstrap}',
        'properties.group.id' = 'flink-{name}', 'scan.startup.mode' = 'earliest-offset',
        'format' = 'json', 'json.ignore-parse-errors' = 'false')""")
    env.execute_sql(f"INSERT INTO iceberg.{ns}.{name} SELECT * FROM kafka_source").wait()


if __name__ == "__main__":
    main()
