"""The console's component and store tests (Vitest, console/tests) as part of bin/test."""
import os
import shutil
import subprocess

import pytest

from .test_console_browser import CONSOLE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def test_vitest_component_and_store_tests_pass():
    if not shutil.which("npx") or not (CONSOLE / "node_modules").is_dir():
        pytest.skip("the console's packages are not installed (bin/test installs them)")
    run = subprocess.run(["npx", "--no-install", "vitest", "run", "--reporter=dot"],
                         cwd=CONSOLE, capture_output=True, text=True, timeout=1100,
                         env={**os.environ, "CI": "1"})
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
