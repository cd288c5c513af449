"""`floe table scan --where`: the rows equal PyIceberg's scan with the same row filter and an
independent Python evaluation; planning prunes files by partition and metrics, never a file
holding a matching row."""

import datetime as dt
import decimal
import json
import math
import re

import pyarrow.parquet as pq
import pytest
from harness.floe_text import arrow_rows, floe_rows
from pyiceberg.table import StaticTable

SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "site", "required": False, "type": "string"},
    {"id": 3, "name": "subject", "required": False, "type": "string"},
    {"id": 4, "name": "ts", "required": False, "type": "timestamp"},
    {"id": 5, "name": "v", "required": False, "type": "double"},
    {"id": 6, "name": "dose", "required": False, "type": "decimal(9,2)"},
    {"id": 7, "name": "flag", "required": False, "type": "boolean"},
    {"id": 8, "name": "d", "required": False, "type": "date"},
]}
PARTITION = "site, bucket(8, subject), truncate(100, id), day(ts)"


def make_row(i):
    """Row i: nulls, NaN and repeated values spread over every column."""
    ts = dt.datetime(2026, 1, 1 + i % 5, i % 24, i % 60)
    return {
        "id": i,
        "site": None if i % 13 == 0 else f"S0{i % 4}",
        "subject": None if i % 17 == 0 else f"SUBJ-{i % 250:04d}",
        "ts": None if i % 19 == 0 else ts,
        "v": math.nan if i % 23 == 0 else (None if i % 29 == 0 else i * 0.5),
        "dose": None if i % 31 == 0 else decimal.Decimal(i % 1000) / 10,
        "flag": None if i % 7 == 0 else i % 2 == 0,
        "d": None if i % 37 == 0 else dt.date(2026, 1, 1 + i % 4),
    }


def to_json(row):
    out = dict(row)
    out["ts"] = row["ts"].isoformat(timespec="microseconds") if row["ts"] else None
    out["v"] = "NaN" if row["v"] is not None and math.isnan(row["v"]) else row["v"]
    out["dose"] = f"{row['dose']:.2f}" if row["dose"] is not None else None
    out["d"] = row["d"].isoformat() if row["d"] else None
    return json.dumps(out)


def sql(op):
    """A comparison with SQL's null rule: null (and NaN for ordering) never compares true."""
    def holds(value, literal):
        if value is None:
            return False
        if isinstance(value, float) and math.isnan(value):
            return op == "!="
        return {"=": value == literal, "!=": value != literal, "<": value < literal,
                "<=": value <= literal, ">": value > literal, ">=": value >= literal}[op]
    return holds


def ts(text):
    return dt.datetime.fromisoformat(text)


# (filter, Python predicate over a row) pairs; the filter text is also PyIceberg's row_filter.
FILTERS = [
    ("site = 'S01'", lambda r: sql("=")(r["site"], "S01")),
    ("site != 'S01'", lambda r: sql("!=")(r["site"], "S01")),
    ("id < 150", lambda r: r["id"] < 150),
    ("id <= 150", lambda r: r["id"] <= 150),
    ("150 > id", lambda r: r["id"] < 150),
    ("id > 1234", lambda r: r["id"] > 1234),
    ("id >= 1234", lambda r: r["id"] >= 1234),
    ("id = 1234", lambda r: r["id"] == 1234),
    ("id IN (5, 77, 1499, 99999)", lambda r: r["id"] in (5, 77, 1499)),
    ("id NOT IN (5, 77)", lambda r: r["id"] not in (5, 77)),
    ("site IS NULL", lambda r: r["site"] is None),
    ("site IS NOT NULL", lambda r: r["site"] is not None),
    ("v IS NAN", lambda r: r["v"] is not None and math.isnan(r["v"])),
    ("v > 600.5", lambda r: sql(">")(r["v"], 600.5)),
    ("v <= 3", lambda r: sql("<=")(r["v"], 3)),
    ("subject LIKE 'SUBJ-00%'", lambda r: r["subject"] is not None and r["subject"].startswith("SUBJ-00")),
    ("subject = 'SUBJ-0042'", lambda r: r["subject"] == "SUBJ-0042"),
    ("subject IN ('SUBJ-0042', 'SUBJ-0043')", lambda r: r["subject"] in ("SUBJ-0042", "SUBJ-0043")),
    ("ts >= '2026-01-03T00:00:00' AND ts < '2026-01-04T00:00:00'",
     lambda r: sql(">=")(r["ts"], ts("2026-01-03T00:00:00")) and sql("<")(r["ts"], ts("2026-01-04T00:00:00"))),
    ("ts = '2026-01-02T05:05:00'", lambda r: sql("=")(r["ts"], ts("2026-01-02T05:05:00"))),
    ("ts > '2026-01-05T22:00:00'", lambda r: sql(">")(r["ts"], ts("2026-01-05T22:00:00"))),
    ("site = 'S01' OR id < 100", lambda r: sql("=")(r["site"], "S01") or r["id"] < 100),
    ("NOT (site = 'S02' OR id >= 100)", lambda r: sql("!=")(r["site"], "S02") and r["id"] < 100),
    ("d BETWEEN '2026-01-02' AND '2026-01-03'",
     lambda r: sql(">=")(r["d"], dt.date(2026, 1, 2)) and sql("<=")(r["d"], dt.date(2026, 1, 3))),
    ("dose > 50.25", lambda r: sql(">")(r["dose"], decimal.Decimal("50.25"))),
    ("flag = true AND site IN ('S00', 'S02')", lambda r: r["flag"] is True and r["site"] in ("S00", "S02")),
    ("true", lambda r: True),
    ("false", lambda r: False),
]


# pyarrow's dataset filter (which PyIceberg reads through) skips a row group holding NaN and
# other values for is_nan(v): it trusts min/max, which exclude NaN per the Parquet spec. The
# same happens on pyarrow's own files (pq.write_table of [77.5, NaN] then is_nan: 0 rows), so
# for these filters PyIceberg returns a strict subset and Python alone is the judge.
PYARROW_DROPS_NAN = {"v IS NAN"}


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A floe table of 1,500 rows in five appends, and the rows it holds."""
    from harness.floe import FloeRunner
    tmp = tmp_path_factory.mktemp("scan")
    floe = FloeRunner(tmp)
    (tmp / "schema.json").write_text(json.dumps(SCHEMA))
    floe.run("namespace", "create", "trial")
    floe.run("table", "create", "trial.vs", "--schema", tmp / "schema.json", "--partition", PARTITION)
    rows = [make_row(i) for i in range(1500)]
    for k in range(5):
        (tmp / f"part{k}.jsonl").write_text("".join(to_json(r) + "\n" for r in rows[k * 300:(k + 1) * 300]))
        floe.run("table", "append", "trial.vs", tmp / f"part{k}.jsonl")
    location = floe.run("table", "metadata-location", "trial.vs").stdout.strip()
    return floe, rows, location


def canon(rows):
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


@pytest.mark.parametrize("expr,predicate", FILTERS, ids=[f for f, _ in FILTERS])
def test_filtered_scan_matches_pyiceberg_and_python(table, expr, predicate):
    floe, rows, location = table
    mine = floe_rows(floe.run("table", "scan", "trial.vs", "--where", expr).stdout)
    expected_ids = sorted(r["id"] for r in rows if predicate(r))
    assert sorted(r["id"] for r in mine) == expected_ids
    theirs = arrow_rows(StaticTable.from_metadata(location).scan(row_filter=expr).to_arrow())
    if expr in PYARROW_DROPS_NAN:
        assert set(canon(theirs)) < set(canon(mine))
    else:
        assert canon(mine) == canon(theirs)


@pytest.mark.parametrize("expr,predicate", FILTERS, ids=[f for f, _ in FILTERS])
def test_planning_never_drops_a_file_with_matches(table, expr, predicate):
    floe, _, _ = table
    all_files = [json.loads(line) for line in floe.run("table", "files", "trial.vs").stdout.splitlines()]
    planned = {json.loads(line)["file_path"]
               for line in floe.run("table", "files", "trial.vs", "--where", expr).stdout.splitlines()}
    for f in all_files:
        ids = pq.read_table(f["file_path"], columns=["id"]).column("id").to_pylist()
        if any(predicate(make_row(i)) for i in ids):
            assert f["file_path"] in planned, f["file_path"]


def test_planning_prunes_by_partition_and_metrics(table):
    floe, _, _ = table
    total = len(floe.run("table", "files", "trial.vs").stdout.splitlines())

    def stats(expr):
        result = floe.run("table", "scan", "trial.vs", "--where", expr, "--stats")
        line = next(line for line in result.stderr.splitlines() if line.startswith("planned "))
        m = re.fullmatch(r"planned (\d+) of (\d+) data files in [\d.]+ ms: (\d+) of (\d+) manifests \((\d+) files\) skipped by "
                         r"partition summaries, (\d+) files by partition values, (\d+) by column metrics", line)
        assert m, line
        return {"planned": int(m[1]), "files": int(m[2]), "by_partition": int(m[6]),
                "by_metrics": int(m[7]), "line": line}

    site = stats("site = 'S01'")  # identity partition
    assert site["files"] == total and site["by_partition"] > total // 2, site["line"]
    subject = stats("subject = 'SUBJ-0042'")  # bucket
    assert subject["by_partition"] > total // 2, subject["line"]
    one_id = stats("id = 1234")  # truncate, then the id bounds within the partition
    assert one_id["planned"] < total // 10 and one_id["by_partition"] > 0, one_id["line"]
    day = stats("ts >= '2026-01-03T00:00:00' AND ts < '2026-01-04T00:00:00'")  # day
    assert day["by_partition"] > total // 2, day["line"]
    dose = stats("dose > 99.5")  # no partition on dose: column bounds only
    assert dose["by_metrics"] > 0 and dose["by_partition"] == 0, dose["line"]


@pytest.mark.parametrize("expr,message", [
    ("nope = 1", "no column named 'nope'"),
    ("id = 'x'", "is not a value of column 'id'"),
    ("id = (1", "expected a value"),
    ("site LIKE 'a%b'", "only a trailing '%'"),
    ("v = 'NaN'", "IS NAN"),
    ("id IS NAN", "IS NAN needs a float or double column"),
    ("site IS", "IS must be followed"),
    ("site = 'unterminated", "unterminated quote"),
    ("(" * 500 + "id = 1" + ")" * 500, "too deeply nested"),
])
def test_bad_filters_fail_cleanly(table, expr, message):
    floe, _, _ = table
    result = floe.fails("table", "scan", "trial.vs", "--where", expr)
    assert message in result.stderr and "floe: error:" in result.stderr, result
