"""The documents service's rules that operators configure: the slot table (with the
``SLOT_RULES`` overrides), the per-declaration total, link lifetimes, purge ages and the
workbook limits. Checked once when the container starts: a wrong value stops the
service with a message naming the key."""
import dataclasses

from nameko.extensions import DependencyProvider

from services.common import config as cfg

from .logic.slots import MB, SlotRuleError, SlotTable, apply_overrides

MAX_DOWNLOAD_TTL = 300  # presigned GET links live at most 5 minutes


@dataclasses.dataclass(frozen=True)
class WorkbookLimits:
    max_bytes: int = 10 * MB
    max_sheets: int = 5
    max_rows: int = 10_000
    max_uncompressed_bytes: int = 100 * MB
    max_ratio: int = 100
    max_entries: int = 1000


@dataclasses.dataclass(frozen=True)
class Policy:
    slots: SlotTable
    bundle_max_bytes: int = 120 * MB
    upload_ttl: int = 600
    download_ttl: int = MAX_DOWNLOAD_TTL
    upload_purge_age: int = 3600
    transient_age: int = 86400
    clock_skew: int = 30
    merge_max_images: int = 30
    workbook: WorkbookLimits = WorkbookLimits()

    @property
    def bundle_text(self):
        mb = self.bundle_max_bytes / MB
        return f"{int(mb) if mb.is_integer() else round(mb, 2)}MB"


def _positive(config, key, default, kind=int, upper=None):
    getter = cfg.as_int if kind is int else cfg.as_float
    value = getter(config, key, default)
    if value <= 0 or (upper is not None and value > upper):
        limit = f" and at most {upper}" if upper is not None else ""
        raise cfg.ConfigError(f"configuration value {key} must be greater than 0{limit}, "
                              f"got {value!r}")
    return value


def policy_from_config(config):
    try:
        slots = apply_overrides(config.get("SLOT_RULES"))
    except SlotRuleError as exc:
        raise cfg.ConfigError(str(exc)) from exc
    return Policy(
        slots=slots,
        bundle_max_bytes=int(_positive(config, "BUNDLE_MAX_MB", 120, float) * MB),
        upload_ttl=_positive(config, "UPLOAD_URL_TTL", 600, upper=3600),
        download_ttl=_positive(config, "DOWNLOAD_URL_TTL", MAX_DOWNLOAD_TTL,
                               upper=MAX_DOWNLOAD_TTL),
        upload_purge_age=_positive(config, "UPLOAD_PURGE_AGE", 3600),
        transient_age=_positive(config, "TRANSIENT_FILE_AGE", 86400),
        merge_max_images=_positive(config, "MERGE_MAX_IMAGES", 30, upper=200),
        workbook=WorkbookLimits(
            max_bytes=int(_positive(config, "WORKBOOK_MAX_MB", 10, float) * MB),
            max_sheets=_positive(config, "WORKBOOK_MAX_SHEETS", 5),
            max_rows=_positive(config, "WORKBOOK_MAX_ROWS", 10_000),
            max_uncompressed_bytes=int(
                _positive(config, "WORKBOOK_MAX_UNCOMPRESSED_MB", 100, float) * MB),
            max_ratio=_positive(config, "WORKBOOK_MAX_RATIO", 100),
        ),
    )


class PolicyProvider(DependencyProvider):
    def setup(self):
        self.policy = policy_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.policy
