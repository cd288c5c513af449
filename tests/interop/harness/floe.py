"""Runs the floe binary the way a user does and captures what it says."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import subprocess
from typing import Sequence

from .paths import FLOE_BINARY, require


@dataclasses.dataclass
class FloeResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (f"floe {' '.join(self.args)} -> exit {self.returncode}\n"
                f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}")


class FloeRunner:
    """`floe.run("doctor")` runs build/floe in `cwd` with a timeout.

    With check=True (the default) a non-zero exit raises AssertionError showing
    the command, its exit code and both streams.
    """

    def __init__(self, cwd: pathlib.Path, binary: pathlib.Path = FLOE_BINARY) -> None:
        self.binary = require(binary, "floe binary")
        self.cwd = cwd

    def run(self, *args: str | os.PathLike, check: bool = True, input: str | None = None,
            timeout: float = 120, env: dict[str, str] | None = None) -> FloeResult:
        argv = [str(a) for a in args]
        proc = subprocess.run([str(self.binary), *argv], cwd=self.cwd, input=input,
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
        result = FloeResult(argv, proc.returncode, proc.stdout, proc.stderr)
        if check and result.returncode != 0:
            raise AssertionError(f"floe failed:\n{result}")
        return result

    def fails(self, *args: str | os.PathLike, **kwargs) -> FloeResult:
        """Runs a command that must fail; returns its result for checking the error."""
        result = self.run(*args, check=False, **kwargs)
        assert result.returncode != 0, f"floe should have failed:\n{result}"
        return result
