"""Object storage (S3 API: MinIO in production, moto's server locally) through the
``minio`` client. The service injects a narrow :class:`ObjectStore`, never the client.

Presigned URLs are signed for ``S3_PUBLIC_ENDPOINT`` when it is set (the address browsers
reach, e.g. behind a proxy), otherwise for ``S3_ENDPOINT``. Signing needs no request to
the server because the region is configured.
"""
import datetime as dt
import hashlib
import io
import logging
import tempfile
import urllib.parse

import eventlet
from minio import Minio
from minio.commonconfig import CopySource
from minio.datatypes import PostPolicy
from minio.error import S3Error
from nameko.extensions import DependencyProvider

from services.common import config as cfg
from services.common.errors import TooLarge

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
SPOOL_IN_MEMORY = 2 * 1024 * 1024  # larger downloads spill to a temporary file
MISSING_CODES = ("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound")


def make_client(endpoint, access_key, secret_key, region, secure=False):
    """A client of ``endpoint``: its scheme decides HTTPS; without one, ``secure``."""
    scheme = "https" if secure else "http"
    parsed = urllib.parse.urlparse(endpoint if "://" in endpoint else f"{scheme}://{endpoint}")
    if not parsed.netloc:
        raise cfg.ConfigError(f"S3_ENDPOINT is not a URL: {endpoint!r}")
    return Minio(parsed.netloc, access_key=access_key, secret_key=secret_key,
                 secure=parsed.scheme == "https", region=region)


class MissingObject(Exception):
    """The object behind a file row is not in storage (lost, removed by an operator).
    Callers answer ``files.missing_file(f)`` (404 ``file.missing`` naming the file) or go
    on without it and say so; never carried over RPC as such."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


class ObjectInfo:
    def __init__(self, size, last_modified):
        self.size = size
        self.last_modified = last_modified


class Download:
    """An object's bytes in a spooled temporary file, with their size and SHA-256."""

    def __init__(self, fileobj, size, sha256):
        self.file = fileobj
        self.size = size
        self.sha256 = sha256

    def read_all(self):
        self.file.seek(0)
        data = self.file.read()
        self.file.seek(0)
        return data

    def close(self):
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ObjectStore:
    def __init__(self, client, bucket, presigner=None):
        self.client = client
        self.bucket = bucket
        self.presigner = presigner or client

    def ensure_bucket(self):
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    def ping(self):
        return self.client.bucket_exists(self.bucket)

    # ---- presigned URLs
    def presign_put(self, key, ttl_seconds):
        return self.presigner.presigned_put_object(
            self.bucket, key, expires=dt.timedelta(seconds=ttl_seconds))

    def presign_post(self, key, ttl_seconds, max_bytes, content_type):
        """A browser-form upload (presigned POST policy) of exactly ``key`` that storage
        refuses beyond ``max_bytes`` (``content-length-range``, enforced by MinIO and S3
        before a byte is stored): ``{"url", "fields"}``."""
        policy = PostPolicy(self.bucket, dt.datetime.now(dt.UTC)
                            + dt.timedelta(seconds=ttl_seconds))
        policy.add_equals_condition("key", key)
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(1, max_bytes)
        fields = self.presigner.presigned_post_policy(policy)
        # The form goes to the bucket's URL, on the host the PUT URLs name.
        parts = urllib.parse.urlsplit(self.presign_put(key, ttl_seconds))
        url = f"{parts.scheme}://{parts.netloc}/{self.bucket}"
        return {"url": url, "fields": {"key": key, "Content-Type": content_type, **fields}}

    def presign_get(self, key, ttl_seconds, content_disposition, content_type):
        return self.presigner.presigned_get_object(
            self.bucket, key, expires=dt.timedelta(seconds=ttl_seconds),
            response_headers={"response-content-disposition": content_disposition,
                              "response-content-type": content_type})

    # ---- objects
    def stat(self, key):
        """Size and last-modified time of the object, or None if it does not exist."""
        try:
            info = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                return None
            raise
        return ObjectInfo(info.size, info.last_modified)

    def exists(self, key):
        return self.stat(key) is not None

    def download(self, key, max_bytes):
        """The object's bytes (spooled to disk when large) with size and SHA-256.
        :class:`TooLarge` if more than ``max_bytes`` arrive: the object changed since it
        was measured, or it lies about its length."""
        digest = hashlib.sha256()
        # handed to the caller open (inside a Download), so no context manager here
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        size = 0
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            spool.close()
            if exc.code in MISSING_CODES:
                raise MissingObject(key) from None
            raise
        try:
            for chunk in response.stream(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    spool.close()
                    raise TooLarge("file.too_large", "文件大小超过限制")
                digest.update(chunk)
                spool.write(chunk)
        finally:
            response.close()
            response.release_conn()
        spool.seek(0)
        return Download(spool, size, digest.hexdigest())

    def copy(self, source_key, key):
        """A server-side copy of ``source_key`` to ``key`` (no bytes through here);
        :class:`MissingObject` when the source is not there."""
        try:
            self.client.copy_object(self.bucket, key, CopySource(self.bucket, source_key))
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                raise MissingObject(source_key) from None
            raise

    def put(self, key, data, content_type):
        self.client.put_object(self.bucket, key, io.BytesIO(data), len(data),
                               content_type=content_type)

    def remove(self, key):
        try:
            self.client.remove_object(self.bucket, key)
        except S3Error as exc:
            if exc.code not in MISSING_CODES:
                raise


class Storage(DependencyProvider):
    def setup(self):
        config = self.container.config
        region, secure = cfg.value(config, "S3_REGION"), cfg.value(config, "S3_SECURE")
        access_key = cfg.value(config, "S3_ACCESS_KEY")
        secret_key = cfg.value(config, "S3_SECRET_KEY")
        client = make_client(cfg.value(config, "S3_ENDPOINT"), access_key, secret_key,
                             region, secure)
        public = cfg.value(config, "S3_PUBLIC_ENDPOINT")
        presigner = (make_client(public, access_key, secret_key, region, secure)
                     if public else None)
        self.store = ObjectStore(client, cfg.value(config, "S3_BUCKET"), presigner)
        for attempt in range(10):
            try:
                self.store.ensure_bucket()
                break
            except Exception as exc:  # storage may still be starting
                if attempt == 9:
                    raise
                log.warning("object storage not ready (%s); retrying", exc)
                eventlet.sleep(1)

    def get_dependency(self, worker_ctx):
        return self.store
