"""bin/run's object storage keeps what users uploaded: a file uploaded through the
platform to the local S3 server (s3rver, started by bin/_s3.sh's own function) downloads
intact after that server is stopped and started again on the same directory, and the
server keeps running while files of one directory are uploaded and deleted at once."""
import contextlib
import hashlib
import json
import os
import pathlib
import signal
import subprocess
import sys
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


# boto3 in a process of its own (eventlet's monkey patching breaks botocore's SSL context,
# see tests/test_hostile_files.py): 200 times, a file is uploaded, then deleted while
# another file of its directory uploads; the new file is read back and deleted too (so
# that the directory empties again). Prints what failed and what each new file read.
REPLACE_FILES = """
import concurrent.futures, json, sys, uuid
import boto3, botocore.config
endpoint, bucket, key = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key,
                  aws_secret_access_key=key, region_name="us-east-1",
                  config=botocore.config.Config(retries={"max_attempts": 0}))
def replace(i):
    folder = f"work_history/2026/{i % 4}"
    old, new = f"{folder}/{uuid.uuid4().hex}", f"{folder}/{uuid.uuid4().hex}"
    s3.put_object(Bucket=bucket, Key=old, Body=b"old")
    with concurrent.futures.ThreadPoolExecutor(2) as both:
        deleted = both.submit(s3.delete_object, Bucket=bucket, Key=old)
        uploaded = both.submit(s3.put_object, Bucket=bucket, Key=new, Body=f"new {i}".encode())
        deleted.result(), uploaded.result()
    read = s3.get_object(Bucket=bucket, Key=new)["Body"].read().decode()
    s3.delete_object(Bucket=bucket, Key=new)
    return read
failed, read = [], []
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    for future in [pool.submit(replace, i) for i in range(200)]:
        try:
            read.append(future.result())
        except Exception as exc:
            failed.append(repr(exc))
print(json.dumps({"failed": failed, "read": read}))
"""


def test_uploads_and_deletes_in_one_directory_at_once_keep_the_server_running(local_s3):
    """Every file of a month shares a directory (``work_history/2026/12/…``): s3rver as
    shipped removed that directory when a delete emptied it, under an upload opening its
    file there, and the whole server died (ENOENT) — seen in the deadline-day benchmark."""
    done = subprocess.run([sys.executable, "-c", REPLACE_FILES, local_s3.endpoint,
                           local_s3.bucket, KEY], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout)
    assert outcome["failed"] == [], outcome["failed"][:3]
    assert outcome["read"] == [f"new {i}" for i in range(200)]  # each as uploaded
    os.kill(int(local_s3.pid_file.read_text()), 0)  # still running
    assert "ENOENT" not in local_s3.log.read_text(errors="replace")
