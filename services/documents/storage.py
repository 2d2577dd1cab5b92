"""Object storage (S3 API: MinIO in production, moto's server locally) through the
``minio`` client. The service injects a narrow :class:`ObjectStore`, never the client."""
import logging
import urllib.parse

import eventlet
from minio import Minio
from nameko.extensions import DependencyProvider

from services.common import config as cfg

log = logging.getLogger(__name__)


def make_client(endpoint, access_key, secret_key, region):
    parsed = urllib.parse.urlparse(endpoint if "://" in endpoint else f"http://{endpoint}")
    if not parsed.netloc:
        raise cfg.ConfigError(f"S3_ENDPOINT is not a URL: {endpoint!r}")
    return Minio(parsed.netloc, access_key=access_key, secret_key=secret_key,
                 secure=parsed.scheme == "https", region=region)


class ObjectStore:
    def __init__(self, client, bucket):
        self.client = client
        self.bucket = bucket

    def ensure_bucket(self):
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    def ping(self):
        return self.client.bucket_exists(self.bucket)


class Storage(DependencyProvider):
    def setup(self):
        config = self.container.config
        client = make_client(
            cfg.require(config, "S3_ENDPOINT"),
            config.get("S3_ACCESS_KEY") or "",
            config.get("S3_SECRET_KEY") or "",
            config.get("S3_REGION") or "us-east-1",
        )
        self.store = ObjectStore(client, cfg.require(config, "S3_BUCKET"))
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
