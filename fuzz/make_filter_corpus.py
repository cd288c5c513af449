"""Seed corpus for fuzz/filter_parser_fuzzer: one filter per file, covering every form of
docs/filters.md on the fuzzer's schema (id, site, ts, v, d, dose, flag, n, info.arm).

    make_filter_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and unused)
"""

import argparse
import pathlib

SEEDS = [
    "id = 1", "site != 'S01'", "5 < id", "id <= -3 AND v > 1.5e3", "site IS NULL", "v IS NOT NAN",
    "id IN (1, 2, 3)", "site NOT IN ('a', 'it''s')", "site LIKE 'S0%'", "site NOT LIKE '50\\%%'",
    "ts >= '2026-01-01T00:00:00' AND ts < '2026-01-02'", "d BETWEEN '2026-01-01' AND '2026-02-01'",
    "dose > 1.25 OR NOT (flag = true)", "n < -2147483648", "n > 2147483647", "info.arm = 'A'",
    "\"site\" = 'x'", "true", "false OR id = 1", "NOT (id = 1 OR (site = 'a' AND v IS NAN))",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        (args.out / f"seed-{i:02d}.txt").write_text(seed)


if __name__ == "__main__":
    main()
