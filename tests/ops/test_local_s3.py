"""bin/run's object storage keeps what users uploaded: a file uploaded through the
platform to the local S3 server (s3rver, started by bin/_s3.sh's own function) downloads
intact after that server is stopped and started again on the same directory."""
import contextlib
import hashlib
import os
import pathlib
import signal
import subprocess
import time
import uuid

import pytest
import requests
from nameko.testing.utils import find_free_port

from services.documents.tests import samples
from tests.support import Api

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = "S3RVER"  # s3rver's one key pair (bin/_s3.sh)


class LocalS3:
    """s3rver as bin/run starts it, on a free port, its objects in ``data``."""

    def __init__(self, tmp):
        self.port = find_free_port()
        self.data = tmp / "s3"
        self.pid_file = tmp / "s3.pid"
        self.log = tmp / "s3.log"
        self.bucket = f"t-{uuid.uuid4().hex[:16]}"
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def start(self):
        script = (f'source "{ROOT}/bin/_lib.sh"; source "{ROOT}/bin/_s3.sh"; '
                  f'start_local_s3 {self.port} "{self.data}" "{self.pid_file}" '
                  f'"{self.log}" {self.bucket}')
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr + self.log.read_text(errors="replace")

    def stop(self):
        """What bin/stop does with the pid file: TERM, then wait for the process."""
        pid = int(self.pid_file.read_text())
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def local_s3(tmp_path):
    server = LocalS3(tmp_path)
    server.start()
    yield server
    if server.pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            server.stop()


@pytest.fixture
def service_config(service_config, local_s3):
    return {**service_config, "S3_ENDPOINT": local_s3.endpoint, "S3_BUCKET": local_s3.bucket,
            "S3_ACCESS_KEY": KEY, "S3_SECRET_KEY": KEY}


def test_an_uploaded_file_downloads_intact_after_the_storage_restarts(
        platform, db_engine, local_s3):
    api = Api(platform, db_engine)
    person = api.register_person(real_name="李雷")
    data = samples.pdf(pages=2)
    ticket = api.call("POST", "/api/v1/files/uploads", person["token"], expect=201,
                      json={"slot": "work_history", "file_name": "毕业证书.pdf"}).json()
    # the signed form (the only upload there is): s3rver takes browser-form POSTs
    form = ticket["form"]
    sent = requests.post(form["url"], data=form["fields"],
                         files={"file": ("毕业证书.pdf", data)}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    done = api.call("POST", f"/api/v1/files/{ticket['file_id']}/complete", person["token"],
                    expect=200).json()
    assert done["sha256"] == hashlib.sha256(data).hexdigest()

    local_s3.stop()
    assert any(local_s3.data.rglob("*_S3rver_object")), "nothing was written to disk"
    local_s3.start()

    link = api.call("GET", f"/api/v1/files/{ticket['file_id']}/download", person["token"],
                    expect=200, params={"reason": ""}).json()
    answer = requests.get(link["url"], timeout=30)
    assert answer.status_code == 200
    assert answer.content == data
    assert hashlib.sha256(answer.content).hexdigest() == done["sha256"]
