"""The per-declaration total, configured slot rules, attachments, purge and the
generated-file API, against the real database and S3 server."""
import datetime as dt

import pytest
import requests
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook

from services.common import errors
from services.common.config import ConfigError
from services.common.testing import signed

from . import samples
from .conftest import principal, slot_rules_json

KB = 1024


@pytest.fixture
def documents_overrides():
    # A 300KB declaration total stands in for 120MB so that the test uploads little;
    # the check is the same and runs against the stored objects' real sizes.
    return {"BUNDLE_MAX_MB": 300 / 1024, "PURGE_INTERVAL": 3600,
            "SLOT_RULES": slot_rules_json(cq_other={"max_files": 3, "max_size_mb": 0.2})}


@pytest.fixture
def rpc_as(docs):
    def call(who, method, *args, **kwargs):
        context = signed(principal(who)) if who else {}
        with ServiceRpcProxy("documents", docs.config, context_data=context) as proxy:
            return getattr(proxy, method)(*args, **kwargs)
    return call


def test_all_files_of_one_declaration_together_stay_under_the_total(docs):
    part = samples.pdf(padding=120 * KB)
    first = docs.uploaded("alice", "cq_degree", "学历.pdf", part, bundle="declaration:7")
    second = docs.uploaded("alice", "cq_title", "职称.pdf", part, bundle="declaration:7")
    assert first["bundle"] == second["bundle"] == "declaration:7"

    ticket = docs.ticket("alice", "cq_paper", "论文.pdf", bundle="declaration:7")
    docs.send(ticket, part)
    key = docs.object_key(ticket["file_id"])
    answer = docs.complete("alice", ticket["file_id"])
    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error["code"] == "file.bundle_too_large"
    assert error["message"].startswith("同一申报的所有材料合计不能超过0.29MB")
    assert int(error["details"]["total"]) == 2 * len(part)  # RPC errors carry text
    assert key not in docs.objects()

    # a small one still fits; another declaration and another person have their own total
    assert docs.upload("alice", "cq_paper", "论文.pdf", samples.pdf(padding=40 * KB),
                       bundle="declaration:7").status_code == 200
    assert docs.upload("alice", "cq_paper", "论文.pdf", part,
                       bundle="declaration:8").status_code == 200
    assert docs.upload("bob", "cq_paper", "论文.pdf", part,
                       bundle="declaration:7").status_code == 200


def test_slot_rules_from_configuration_apply_and_are_served(docs):
    slots = {s["key"]: s for s in docs.get("/api/v1/file-slots", "alice").json()}
    assert slots["cq_other"]["max_files"] == 3
    assert slots["cq_other"]["rule"] == "只能上传pdf文件，且不超过0.2MB，且最多只能上传3个文件"
    assert "已由运维配置调整" in slots["cq_other"]["source"]
    too_big = docs.upload("alice", "cq_other", "其他.pdf", samples.pdf(padding=210 * KB))
    assert too_big.status_code == 413
    assert too_big.json()["error"]["message"].startswith("文件大小不能超过0.2MB")


@pytest.mark.parametrize("raw, problem", [
    ('{"work_history": {"max_files": 0}}', "max_files"),
    ('{"nowhere": {"max_files": 2}}', "unknown slot 'nowhere'"),
    ('{"work_history": {"extensions": ["exe"]}}', "unsupported ['exe']"),
    ('{"work_history": {"colour": "red"}}', "cannot set ['colour']"),
    ("{not json", "not valid JSON"),
])
def test_wrong_slot_rules_stop_the_service_at_start(raw, problem, service_config,
                                                    container_factory):
    from services.documents.service import DocumentsService

    container = container_factory(DocumentsService, {**service_config, "SLOT_RULES": raw})
    with pytest.raises(ConfigError) as caught:
        container.start()
    assert "SLOT_RULES" in str(caught.value) and problem in str(caught.value)


def test_attach_checks_owner_and_state_and_counts_per_subject(docs, rpc_as):
    files = [docs.uploaded("alice", "paper_check", "查重.docx", samples.docx())]
    pending = docs.ticket("alice", "work_history", "p.png")

    attached = rpc_as("alice", "attach", [files[0]["id"]], "achievements", "record", 12)
    assert [f["id"] for f in attached] == [files[0]["id"]] and attached[0]["attached"]
    # the same again changes nothing
    rpc_as("alice", "attach", [files[0]["id"]], "achievements", "record", 12)
    assert docs.sql("SELECT count(*) FROM documents.attachments")[0][0] == 1

    with pytest.raises(errors.NotFound):
        rpc_as("bob", "attach", [files[0]["id"]], "achievements", "record", 13)
    with pytest.raises(errors.Conflict) as caught:
        rpc_as("alice", "attach", [pending["file_id"]], "achievements", "record", 12)
    assert caught.value.message == "文件尚未完成上传，不能使用"
    with pytest.raises(errors.Unauthenticated):
        rpc_as(None, "attach", [files[0]["id"]], "achievements", "record", 12)

    # the record holds its one 查重 file; a second one for the same record is too many,
    # while a new upload is possible because the first is now used by the record
    second = docs.uploaded("alice", "paper_check", "查重2.docx", samples.docx())
    with pytest.raises(errors.Invalid) as caught:
        rpc_as("alice", "attach", [second["id"]], "achievements", "record", 12)
    assert caught.value.message == "“论文查重附件”最多只能上传1个文件"
    rpc_as("alice", "attach", [second["id"]], "achievements", "record", 14)

    listed = rpc_as("reviewer", "attached_files", "achievements", "record", "12")
    assert [f["file_name"] for f in listed] == ["查重.docx"]
    assert rpc_as("alice", "detach", [files[0]["id"]], "achievements", "record", 12) == {
        "detached": 1}
    assert rpc_as("alice", "attached_files", "achievements", "record", 12) == []


def test_stale_uploads_and_old_transient_files_are_purged(docs, rpc_as):
    stale = docs.ticket("alice", "work_history", "stale.png")
    docs.send(stale, samples.png())
    fresh = docs.ticket("alice", "work_history", "fresh.png")
    old_image = docs.uploaded("alice", "cq_evidence_images", "1.jpg", samples.jpeg())
    used_image = docs.uploaded("alice", "cq_evidence_images", "2.jpg", samples.jpeg())
    rpc_as("alice", "attach", [used_image["id"]], "workflow", "declaration", 1)
    kept = docs.uploaded("alice", "work_history", "kept.png", samples.png())
    docs.sql("UPDATE documents.files SET created_at = now() - interval '2 days' "
             "WHERE id IN (:a, :b, :c, :d)", a=stale["file_id"], b=old_image["id"],
             c=used_image["id"], d=kept["id"])
    stale_key = docs.object_key(stale["file_id"])

    container = docs.container("documents")
    timer = next(e for e in container.entrypoints if e.method_name == "purge_stale_files")
    assert timer.interval == 3600  # PURGE_INTERVAL from the configuration
    with entrypoint_hook(container, "purge_stale_files") as purge:
        assert purge() == {"pending": 1, "transient": 1}

    remaining = {r[0] for r in docs.sql("SELECT id FROM documents.files")}
    assert remaining == {fresh["file_id"], used_image["id"], kept["id"]}
    assert stale_key not in docs.objects()


def test_generated_files_are_stored_completed_with_a_link(docs):
    from services.common.db import Database, DatabaseAccess
    from services.documents.files_rpc import FilesRpc
    from services.documents.policy import PolicyProvider
    from services.documents.storage import Storage

    container = docs.container("documents")
    deps = {type(d): d for d in container.dependencies}

    class Files(FilesRpc):
        """The service's internal API for generated documents, on its real dependencies."""
        db = DatabaseAccess(deps[Database], None)
        storage = deps[Storage].store
        policy = deps[PolicyProvider].policy

    store_generated = Files()._store_generated
    content = samples.pdf(pages=3)
    result = store_generated(principal("alice"), content, "评审表（草稿）.pdf")
    assert result["file"]["slot"] == "generated" and result["file"]["status"] == "completed"
    assert result["file"]["source"] == "generated" and result["file"]["size"] == len(content)
    fetched = requests.get(result["url"], timeout=30)
    assert fetched.content == content
    assert "filename*=UTF-8''" in fetched.headers["Content-Disposition"]
    # the owner finds it among their files; nobody else can fetch it
    assert docs.get(f"/api/v1/files/{result['file']['id']}", "alice").status_code == 200
    assert docs.get(f"/api/v1/files/{result['file']['id']}/download", "bob").status_code == 404
    with pytest.raises(errors.UnsupportedType):
        store_generated(principal("alice"), samples.png(), "x.pdf")
    expires = dt.datetime.fromisoformat(result["expires_at"])
    assert expires - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=300)
