"""The floe command line: version, help, errors and exit codes."""

import re


def test_version_names_release_and_build(floe):
    out = floe.run("--version").stdout.strip()
    assert re.fullmatch(r"floe version \d+\.\d+\.\d+ \(build ([0-9a-f]{12}|unknown)\)", out), out


def test_help_lists_subcommands(floe):
    out = floe.run("--help").stdout
    assert "Usage: floe" in out
    assert "doctor" in out


def test_no_subcommand_prints_help_and_exits_2(floe):
    result = floe.fails()
    assert result.returncode == 2
    assert "Subcommands:" in result.stdout


def test_unknown_option_and_subcommand_exit_2(floe):
    assert floe.fails("doctor", "--bogus").returncode == 2
    assert "--bogus" in floe.fails("doctor", "--bogus").stderr
    assert floe.fails("no-such-command").returncode == 2


def test_bad_log_level_is_a_clear_error(floe):
    result = floe.fails("--log-level", "loud", "doctor")
    assert result.returncode == 2
    assert "unknown log level 'loud'" in result.stderr


def test_doctor_reports_build_and_warehouse(floe, tmp_path):
    out = floe.run("doctor", "--warehouse", tmp_path / "wh").stdout
    assert out.startswith("floe version ")
    assert "writable" in out


def test_doctor_fails_on_unwritable_warehouse(floe, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        import os
        if os.geteuid() == 0:
            # root writes anywhere; a path under a regular file is unusable for everyone.
            (tmp_path / "file").write_text("x")
            target = tmp_path / "file" / "wh"
        else:
            target = locked / "wh"
        result = floe.fails("doctor", "--warehouse", target)
        assert result.returncode == 1
        assert "warehouse" in result.stderr
    finally:
        locked.chmod(0o700)


def test_bad_data_exits_1_and_bad_usage_exits_2(floe, tmp_path):
    # Exit 2 is for a wrong command line; a command that fails on its input exits 1.
    (tmp_path / "schema.json").write_text(
        '{"type": "struct", "fields": [{"id": 1, "name": "id", "required": true, "type": "long"}]}')
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n')
    result = floe.fails("parquet", "write", "bad.jsonl", "out.parquet", "--schema", "schema.json")
    assert result.returncode == 1 and "expected long" in result.stderr
    import io

    import fastavro
    buffer = io.BytesIO()
    fastavro.writer(buffer, {"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"}]},
                    [{"a": 1}], codec="deflate")
    (tmp_path / "junk.avro").write_bytes(buffer.getvalue().replace(b"deflate", b"\x9beflate", 1))
    result = floe.fails("avro", "cat", "junk.avro")
    # The codec name comes back escaped, not as raw bytes (stderr is read as UTF-8 here).
    assert result.returncode == 1 and '"\\x9beflate"' in result.stderr, result
    assert floe.fails("parquet", "write", "bad.jsonl").returncode == 2
