"""Seed corpus for fuzz/time_fuzzer: TZif files from the system's zoneinfo (byte 0 = mode 0),
POSIX TZ rules (mode 1) and "format\\ntext" pairs for TimeFormat (mode 2).

    make_time_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and unused)
"""

import argparse
import pathlib

ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "Europe/Dublin",
         "America/Nuuk", "Asia/Kolkata", "UTC", "right/UTC"]
RULES = ["EST5EDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3", "<+0530>-5:30",
         "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "IST-1GMT0,M10.5.0,M3.5.0/1", "EST5EDT,0/0,J365/25",
         "NZST-12NZDT,M9.5.0,M4.1.0/3", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
         "XXX24YYY-24,J1/167,365/-167"]
FORMATS = [("%d/%m/%Y %H:%M", "25/11/2026 13:45"), ("%FT%T.%f%z", "2026-11-25T13:45:00.5+01:00"),
           ("%a, %d %b %Y %H:%M:%S %z", "Wed, 25 Nov 2026 13:45:00 -0500"), ("%s.%f", "-1700000000.123"),
           ("%Y-%j", "2024-366"), ("%e %B %y %I %p", " 5 march 69 12 am"), ("%D %R", "11/25/26 09:05"),
           ("%Y%m%d%H%M%S", "20260102030405"), ("%Y %%", "2026 %")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, zone in enumerate(ZONES):
        path = pathlib.Path("/usr/share/zoneinfo") / zone
        if not path.exists():
            raise SystemExit(f"make_time_corpus: {path} is missing (tzdata; run scripts/setup)")
        (args.out / f"tzif-{i:02d}").write_bytes(b"\x00" + path.read_bytes())
    for i, rule in enumerate(RULES):
        (args.out / f"rule-{i:02d}").write_bytes(b"\x01" + rule.encode())
    for i, (fmt, text) in enumerate(FORMATS):
        (args.out / f"format-{i:02d}").write_bytes(b"\x02" + f"{fmt}\n{text}".encode())


if __name__ == "__main__":
    main()
