"""Files that stop being used free their place in the slot (issue 16, items 1, 3 and 4):
a replaced one-file 印证材料 and an Excel workbook already read no longer count against
the slot's limit, and are purged once unused; ``attach`` with ``slots`` takes only files
of those places. Real database, broker and S3 server, through the gateway and the RPCs
other services call."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook

from services.common import errors
from services.common.testing import signed

from . import samples
from .conftest import principal

BUNDLE = "declaration:31"


@pytest.fixture
def rpc_as(docs):
    def call(who, method, *args, **kwargs):
        context = signed(principal(who)) if who else {}
        with ServiceRpcProxy("documents", docs.config, context_data=context) as proxy:
            return getattr(proxy, method)(*args, **kwargs)
    return call


def subject(file_id):
    # as workflow's health sections attach each file: one subject per file
    return ("workflow", "declaration_file", f"31:{file_id}")


def test_a_one_file_material_is_replaced_again_and_again(docs, rpc_as):
    """Chongqing's 其他材料 (cq_other) takes one PDF. Each replacement attaches the new
    file and detaches the old one, as the health sections do; the old one must not keep
    holding the place, or the second replacement is refused."""
    current = docs.uploaded("alice", "cq_other", "其他材料.pdf", samples.pdf(),
                            bundle=BUNDLE)["id"]
    rpc_as("alice", "attach", [current], *subject(current))
    for n in range(1, 4):
        answer = docs.upload("alice", "cq_other", f"其他材料{n}.pdf",
                             samples.pdf(padding=n * 100), bundle=BUNDLE)
        assert answer.status_code == 200, (n, answer.text)
        new = answer.json()["id"]
        rpc_as("alice", "attach", [new], *subject(new))
        assert rpc_as("alice", "detach", [current], *subject(current)) == {"detached": 1}
        current = new
    # the same for 查档情况
    first = docs.uploaded("alice", "cq_archive_check", "查档1.pdf", samples.pdf(),
                          bundle=BUNDLE)["id"]
    rpc_as("alice", "attach", [first], *subject(first))
    second = docs.uploaded("alice", "cq_archive_check", "查档2.pdf", samples.pdf(padding=9),
                           bundle=BUNDLE)["id"]
    rpc_as("alice", "attach", [second], *subject(second))
    rpc_as("alice", "detach", [first], *subject(first))
    assert docs.upload("alice", "cq_archive_check", "查档3.pdf", samples.pdf(padding=99),
                       bundle=BUNDLE).status_code == 200

    # a file waiting to be used still holds the place
    refused = docs.post("/api/v1/files/uploads", "alice",
                        json={"slot": "cq_archive_check", "file_name": "查档4.pdf",
                              "bundle": BUNDLE})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "file.too_many"


def test_a_released_file_is_used_again_or_purged(docs, rpc_as):
    old = docs.uploaded("alice", "cq_other", "旧.pdf", samples.pdf(), bundle=BUNDLE)["id"]
    rpc_as("alice", "attach", [old], *subject(old))
    rpc_as("alice", "detach", [old], *subject(old))
    assert docs.sql("SELECT released_at IS NOT NULL FROM documents.files WHERE id = :i",
                    i=old)[0][0] is True
    # attached again: kept, no longer released
    rpc_as("alice", "attach", [old], *subject(old))
    assert docs.sql("SELECT released_at FROM documents.files WHERE id = :i",
                    i=old)[0][0] is None
    rpc_as("alice", "detach", [old], *subject(old))
    kept = docs.uploaded("alice", "cq_other", "新.pdf", samples.pdf(padding=5),
                         bundle=BUNDLE)["id"]
    # a file released a day ago and never used again is purged; a fresh upload stays
    docs.sql("UPDATE documents.files SET released_at = now() - interval '2 days', "
             "created_at = now() - interval '3 days' WHERE id IN (:a, :b)", a=old, b=kept)
    docs.sql("UPDATE documents.files SET released_at = NULL WHERE id = :b", b=kept)
    old_key = docs.object_key(old)
    with entrypoint_hook(docs.container("documents"), "purge_stale_files") as purge:
        assert purge() == {"pending": 0, "transient": 1}
    assert {r[0] for r in docs.sql("SELECT id FROM documents.files")} == {kept}
    assert old_key not in docs.objects()


def test_eleven_imports_a_day_each_read_workbook_frees_its_place(docs):
    """import_workbook takes 10 files; a workbook that was read (previewed, imported or
    abandoned) no longer counts, so the 11th import of the day is accepted."""
    data = samples.case_workbook(3)
    for n in range(11):
        answer = docs.upload("alice", "import_workbook", f"病案{n}.xlsx", data)
        assert answer.status_code == 200, (n, answer.text)
        file_id = answer.json()["id"]
        parsed = docs.post(f"/api/v1/files/{file_id}/parse", "alice",
                           params={"template": "cases"})
        assert parsed.status_code == 200, parsed.text
    # unread uploads still count: ten of them fill the slot
    for n in range(10):
        assert docs.upload("alice", "import_workbook", f"未读{n}.xlsx",
                           data).status_code == 200
    refused = docs.post("/api/v1/files/uploads", "alice",
                        json={"slot": "import_workbook", "file_name": "第十一个.xlsx"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["message"] == \
        "“导入文件（病案、参考文献模板）”最多只能上传10个文件"


def test_attach_takes_only_files_of_the_places_named(docs, rpc_as):
    project = docs.uploaded("alice", "engineering_project", "工程.pdf", samples.pdf())["id"]
    own = docs.uploaded("alice", "work_history", "工作证明.png", samples.png())["id"]
    with pytest.raises(errors.Invalid) as caught:
        rpc_as("alice", "attach", [own, project], "achievements", "record", 5,
               slots=["work_history"])
    assert caught.value.code == "file.slot_mismatch"
    assert caught.value.message == \
        "“工程.pdf”（上传于主持参与工程技术项目的“佐证材料”）不是此处的材料，" \
        "只能使用工作经历的“佐证材料”处上传的文件"
    assert docs.sql("SELECT count(*) FROM documents.attachments")[0][0] == 0  # nothing
    with pytest.raises(errors.Invalid) as caught:
        rpc_as("alice", "attach", [own], "achievements", "record", 6, slots=[])
    assert caught.value.message == \
        "“工作证明.png”（上传于工作经历的“佐证材料”）不能用于此处：此处无需上传附件"
    assert [f["id"] for f in rpc_as("alice", "attach", [own], "achievements", "record", 5,
                                    slots=["work_history"])] == [own]

    # describe_files: the caller's own files with their slots, others left out
    described = rpc_as("alice", "describe_files", [project, own, 999999])
    assert [(f["id"], f["slot"]) for f in described] == [
        (project, "engineering_project"), (own, "work_history")]
    assert rpc_as("bob", "describe_files", [project, own]) == []
