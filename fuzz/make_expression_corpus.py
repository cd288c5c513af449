"""Seed corpus for fuzz/expression_fuzzer: one pipeline expression per file, covering every form
of docs/design/expressions.md on the fuzzer's scope (id, n, x, s, ts, d, day, b, v.hr, v.tags,
m), plus expressions at and past the nesting limit.

    make_expression_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and unused)
"""

import argparse
import pathlib

SEEDS = [
    "id + n * 2 - 1", "100 / n", "n % 0", "-id", "x / 0.0", "id * 9223372036854775807",
    "n <> 0 AND 100 / n > 5", "n = 0 OR 1 / n > 1", "NOT b", "s IS NOT NULL", "id IN (1, 2, NULL)",
    "id NOT BETWEEN 1 AND 10", "s LIKE '%ü_c%'", "s NOT LIKE '%%%_'",
    "CASE WHEN n > 0 THEN 'pos' WHEN n < 0 THEN 'neg' ELSE NULL END", "CASE s WHEN 'a' THEN 1 END",
    "coalesce(n, id, 0)", "nullif(s, '')", "CAST(s AS int)", "TRY_CAST(s AS double)", "d::double",
    "CAST(x AS decimal(38,10))", "CAST(ts AS date) = DATE '2026-03-29'", "ts >= '2026-01-01T00:00:00Z'",
    "CAST(day AS timestamp_ns)", "upper(trim(s)) || '-' || length(s)", "substring(s, 2, 3)",
    "substr(s, -5)", "concat(id, n, x, s, ts, d, day, b)", "replace(s, '', 'x')", "split(s, ' ')[2]",
    "regexp_extract(s, '(\\\\w+) (\\\\w+)', 2)", "regexp_like(s, '^(a|b)*$')",
    "regexp_replace(s, '[aeiou]', '<\\\\0>')", "sha256(s)", "hmac_sha256(s, 'key')",
    "date_trunc('week', day)", "date_trunc('quarter', ts)", "current_timestamp() > ts",
    "v.hr + 1", "v.tags[1]", "m['k']", "\"s\" = 'x'", "TIMESTAMPTZ '2026-01-01T00:00:00+02:00'",
    "parse_timestamp(s, '%d/%m/%Y %H:%M', 'Europe/Paris')", "parse_date(s, '%Y-%j')",
    "to_timezone(ts, 'America/New_York')", "from_timezone(CAST(ts AS timestamp), s)",
    "parse_timestamp(s, '%s.%f%z', s)", "1e309", "99999999999999999999", "'unterminated", "CAST(1 AS", "((((n))))",
    "(" * 63 + "n" + ")" * 63, "(" * 70 + "n" + ")" * 70, "-" * 80 + "n", "NOT " * 80 + "b",
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
