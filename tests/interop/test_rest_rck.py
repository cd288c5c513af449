"""The Iceberg REST Compatibility Kit 1.11.0 (RESTCompatibilityKitCatalogTests and
RESTCompatibilityKitViewCatalogTests from iceberg-open-api's tests jar, tools/rck/pom.xml) run by
Maven/JUnit against a fresh `floe server`: every test must pass.

The kit's own settings skip 12 of its 157 tests: names with a slash or a dot, nested and empty
namespaces (rck.supports-* default to false), and createTableInUniqueLocation, which is @Disabled.
With rck.requires-namespace-create=true the kit also runs tableCreationWithoutNamespace, which
Iceberg's own JDBC reference fails and floe passes. The Java client writes data and manifest files
itself into the locations the server hands out, so server and kit share this machine's
filesystem. scripts/setup fetches the kit into ~/.m2 (a missing Maven is a failure, not a skip).
"""

import shutil
import subprocess
import xml.etree.ElementTree as ET

from harness.floe_server import FloeServer
from harness.paths import REPO


def test_rest_compatibility_kit(tmp_path):
    # The kit creates tables and views at fixed places under /tmp (/tmp/ns/tbl, JUnit temp
    # directories): its operator allows them, as Polaris deployments list allowed locations.
    server = FloeServer(tmp_path / "warehouse", extra_args=["--allowed-location", "/tmp"]).start()
    try:
        run_kit(server, tmp_path)
    finally:
        assert server.stop() == 0, server.log()


def run_kit(floe_server, tmp_path):
    mvn = shutil.which("mvn")
    assert mvn, "Maven is not installed; run scripts/setup"
    kit = tmp_path / "rck"
    kit.mkdir()
    shutil.copy(REPO / "tools" / "rck" / "pom.xml", kit / "pom.xml")
    shutil.copytree(REPO / "tools" / "rck" / "src", kit / "src")
    result = subprocess.run(
        [mvn, "-B", "-Dstyle.color=never", "test", "-Drck.local=false",
         f"-Duri={floe_server.uri}/", "-Drck.requires-namespace-create=true"],
        cwd=kit, capture_output=True, text=True, timeout=900)
    reports = sorted((kit / "target" / "surefire-reports").glob("TEST-*.xml"))
    assert len(reports) == 2, f"no surefire reports (mvn exit {result.returncode}):\n{result.stdout[-4000:]}"
    run = skipped = 0
    failed = []
    for report in reports:
        suite = ET.parse(report).getroot()
        run += int(suite.get("tests"))
        skipped += int(suite.get("skipped"))
        for case in suite.iter("testcase"):
            for kind in ("failure", "error"):
                if (problem := case.find(kind)) is not None:
                    failed.append(f"{case.get('classname')}.{case.get('name')}: {kind}: "
                                  f"{(problem.get('message') or '')[:300]}")
    assert not failed, "\n".join(failed) + "\n\nserver log (tail):\n" + floe_server.log()[-3000:]
    assert (run, skipped) == (157, 12), f"{run} tests run, {skipped} skipped"
    assert result.returncode == 0, result.stdout[-4000:]
