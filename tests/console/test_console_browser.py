"""The reference web console in Debian's Chromium (playwright-core, no browser download)
against the whole platform started here: every service and the gateway, which serves the
built console (console/dist) at /. The journey itself is console/e2e/journey.mjs; this
test builds the unit hierarchy through the API, runs the script with node and fails with
its output (screenshots of the failing pages stay in the test's output directory)."""
import json
import os
import pathlib
import shutil
import uuid

import eventlet
import pytest
from eventlet.green import subprocess

from services.identity.tests.conftest import HEFEI, PASSWORD
from tests.support import Api

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
JOURNEY_TIMEOUT = float(os.environ.get("CONSOLE_E2E_TIMEOUT", "900"))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


def _run(args, cwd, timeout):
    """Run a command cooperatively (the platform keeps serving in this process)."""
    log = cwd / f".{args[0]}-{uuid.uuid4().hex[:6]}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while proc.poll() is None:
            if eventlet.hubs.get_hub().clock() > deadline:
                proc.kill()
                break
            eventlet.sleep(0.5)
    text = log.read_text(errors="replace")
    log.unlink()
    return proc.returncode, text


@pytest.fixture(scope="session")
def console_dist():
    """console/dist, built here when bin/test (ensure_console) has not built it."""
    if not shutil.which("node") or not os.path.exists(CHROMIUM):
        pytest.skip(f"the browser tests need node and {CHROMIUM} (bin/test installs chromium)")
    if not (CONSOLE / "dist" / "index.html").is_file():
        if not (CONSOLE / "node_modules").is_dir():
            code, out = _run(["npm", "ci", "--no-audit", "--no-fund"], CONSOLE, 900)
            assert code == 0, out[-4000:]
        code, out = _run(["npx", "vite", "build"], CONSOLE, 900)
        assert code == 0, out[-4000:]
    return CONSOLE / "dist"


def _unit(api, token, kind, name, parent=None):
    username = f"u{uuid.uuid4().hex[:10]}"
    unit = api.call("POST", "/api/v1/units", token, expect=201, json={
        "name": name, "kind": kind, "nature": "organ", "region": HEFEI,
        "parent_unit_id": parent["unit_id"] if parent else None,
        "admin": {"username": username, "password": PASSWORD, "name": f"{name}管理员"}}).json()
    return {"unit_id": unit["unit_id"], "name": name, "admin": username}


def test_the_journey_of_every_role_in_chromium(platform, db_engine, web_config_port,
                                               console_dist, tmp_path):
    api = Api(platform, db_engine)
    index = api.call("GET", "/")
    assert index.status_code == 200 and "text/html" in index.headers["Content-Type"]

    ops = api.operator()
    hr = _unit(api, ops, "hr", "合肥市人力资源和社会保障局")
    organiser = _unit(api, ops, "organiser", "合肥市中小学教师高级职称评审委员会办公室")
    hr_token = api.login(hr["admin"])
    edu = _unit(api, hr_token, "competent", "合肥市教育局", parent=hr)
    school = _unit(api, hr_token, "employer", "合肥市第一中学", parent=edu)
    setup = tmp_path / "setup.json"
    setup.write_text(json.dumps({"password": PASSWORD, "hr": hr, "organiser": organiser,
                                 "edu": edu, "school": school}, ensure_ascii=False))

    # failures' screenshots where pytest's clean-up of old runs does not reach
    out = ROOT / "var" / "test-output" / f"console-journey-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "BASE_URL": f"http://127.0.0.1:{web_config_port}",
           "SETUP": str(setup), "OUT_DIR": str(out), "CHROMIUM": CHROMIUM}
    log = tmp_path / "journey.log"
    with open(log, "wb") as handle:
        proc = subprocess.Popen(["node", "e2e/journey.mjs"], cwd=CONSOLE, env=env,
                                stdout=handle, stderr=subprocess.STDOUT)
        deadline = eventlet.hubs.get_hub().clock() + JOURNEY_TIMEOUT
        while proc.poll() is None and eventlet.hubs.get_hub().clock() < deadline:
            eventlet.sleep(0.5)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log.read_text(errors="replace")
    assert proc.returncode == 0, (
        f"the browser journey failed (screenshots in {out}):\n{output[-8000:]}")
    assert "journey passed" in output
    shutil.rmtree(out, ignore_errors=True)  # kept only when the journey fails


def test_the_screens_the_journey_does_not_walk_render_in_chromium(console_dist, tmp_path):
    """申报情况, 岗位核准, 上报, 单位信息, 事件订阅, 单位注册 and a 卫生 declaration's 申报材料
    (现有职称, the 重庆卫生系列评审表 sections) from the build with scripted API answers
    (console/e2e/screens.mjs): each shows its content without a page or console error."""
    out = tmp_path / "screens"
    env = {**os.environ, "DIST": str(console_dist), "OUT_DIR": str(out), "CHROMIUM": CHROMIUM}
    log = tmp_path / "screens.log"
    with open(log, "wb") as handle:
        proc = subprocess.Popen(["node", "e2e/screens.mjs"], cwd=CONSOLE, env=env,
                                stdout=handle, stderr=subprocess.STDOUT)
        deadline = eventlet.hubs.get_hub().clock() + 300
        while proc.poll() is None and eventlet.hubs.get_hub().clock() < deadline:
            eventlet.sleep(0.5)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log.read_text(errors="replace")
    assert proc.returncode == 0 and "screens passed" in output, output[-6000:]
