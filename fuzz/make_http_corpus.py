"""Seed corpus for fuzz/http_parser_fuzzer: raw request bytes as clients send them (PyIceberg,
Java, DuckDB, curl), pipelined requests, chunked bodies and malformed framing.

    make_http_corpus.py OUT_DIR [--floe BINARY]   (--floe is accepted and unused)
"""

import argparse
import pathlib

SEEDS = [
    b"GET /v1/config?warehouse=w HTTP/1.1\r\nHost: 127.0.0.1:8181\r\nUser-Agent: python-requests/2.32\r\n"
    b"Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n",
    b"POST /v1/namespaces HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
    b'{"namespace": ["edc"]}     ',
    b"HEAD /v1/namespaces/a%1Fb HTTP/1.1\r\n\r\nGET /v1/namespaces?pageSize=1&pageToken=0 HTTP/1.1\r\n\r\n",
    b"POST /v1/transactions/commit HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3;x=y\r\n 1}\r\n0\r\n\r\n",
    b"POST /v1/namespaces HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET /%zz HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    b"\r\n\r\nDELETE /v1/namespaces/edc/tables/t?purgeRequested=true HTTP/1.1\r\n\r\n",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--floe")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        (args.out / f"seed-{i:02d}").write_bytes(seed)


if __name__ == "__main__":
    main()
