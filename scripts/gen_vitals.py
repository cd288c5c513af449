"""Synthetic SDTM-like vital signs (VS domain) for demos and benchmarks. No real patient data."""

import argparse
import datetime as dt
import json
import random

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "STUDYID", "required": True, "type": "string"},
    {"id": 2, "name": "USUBJID", "required": True, "type": "string"},
    {"id": 3, "name": "SITEID", "required": True, "type": "string"},
    {"id": 4, "name": "VSSEQ", "required": True, "type": "long"},
    {"id": 5, "name": "VSTESTCD", "required": True, "type": "string"},
    {"id": 6, "name": "VSORRES", "required": False, "type": "string"},
    {"id": 7, "name": "VSSTRESN", "required": False, "type": "double"},
    {"id": 8, "name": "VSSTRESU", "required": False, "type": "string"},
    {"id": 9, "name": "VISITNUM", "required": False, "type": "int"},
    {"id": 10, "name": "VSDTC", "required": False, "type": "timestamptz"},
]}
TESTS = [("SYSBP", "mmHg", 120, 15), ("DIABP", "mmHg", 80, 10), ("PULSE", "beats/min", 72, 12),
         ("TEMP", "C", 36.8, 0.4), ("RESP", "breaths/min", 16, 3), ("WEIGHT", "kg", 75, 14)]


def rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(n):
        subject = i // 60
        code, unit, mean, sd = TESTS[i % len(TESTS)]
        value = round(rng.gauss(mean, sd), 1)
        missing = rng.random() < 0.02
        yield {
            "STUDYID": f"CDISCPILOT{1 + subject % 3:02d}", "USUBJID": f"01-{701 + subject % 40}-{subject:05d}",
            "SITEID": f"{701 + subject % 40}", "VSSEQ": i, "VSTESTCD": code,
            "VSORRES": None if missing else str(value), "VSSTRESN": None if missing else value,
            "VSSTRESU": unit, "VISITNUM": 1 + (i // 6) % 10,
            "VSDTC": (start + dt.timedelta(minutes=7 * i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--jsonl", required=True)
    p.add_argument("--schema", required=True)
    a = p.parse_args()
    with open(a.schema, "w") as f:
        json.dump(SCHEMA, f, indent=1)
    with open(a.jsonl, "w") as f:
        for r in rows(a.rows):
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
