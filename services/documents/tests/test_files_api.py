"""Uploads, completion checks and downloads through the gateway, with the bytes really
POSTed to (with the signed upload form) and GET from the S3 server (moto)."""
import base64
import datetime as dt
import hashlib
import json
import urllib.parse

import pytest
import requests

from . import samples
from .conftest import FakeWorkflow


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def policy_of(ticket):
    return json.loads(base64.b64decode(ticket["form"]["fields"]["policy"]))


def test_upload_complete_download_round_trip_by_the_owner(docs):
    data = samples.pdf(pages=2)
    ticket = docs.ticket("alice", "work_history", "毕业证书 2004.pdf", size=len(data))
    assert ticket["method"] == "POST"
    assert ticket["form"]["fields"]["Content-Type"] == "application/pdf"
    policy = policy_of(ticket)
    assert ["eq", "$Content-Type", "application/pdf"] in policy["conditions"]
    expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    issued = dt.datetime.fromisoformat(ticket["expires_at"].replace("Z", "+00:00"))
    assert abs((expires - issued).total_seconds()) <= 2
    assert abs((issued - dt.datetime.now(dt.UTC)).total_seconds() - 600) <= 5
    info = docs.get(f"/api/v1/files/{ticket['file_id']}", "alice").json()
    assert info["status"] == "pending"

    docs.send(ticket, data)
    done = docs.complete("alice", ticket["file_id"])
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "completed" and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["file_name"] == "毕业证书 2004.pdf" and body["slot_label"] == "佐证材料"
    # completing twice answers the same file
    assert docs.complete("alice", ticket["file_id"]).json()["sha256"] == body["sha256"]

    link = docs.get(f"/api/v1/files/{ticket['file_id']}/download", "alice")
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    fetched = requests.get(url, timeout=30)
    assert fetched.status_code == 200
    assert fetched.content == data
    disposition = fetched.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%AF%95%E4%B8%9A%E8%AF%81%E4%B9%A6%202004.pdf" in disposition
    assert urllib.parse.unquote(disposition.split("UTF-8''")[1]) == "毕业证书 2004.pdf"
    assert fetched.headers["Content-Type"] == "application/pdf"

    listed = docs.get("/api/v1/files?slot=work_history", "alice").json()
    assert [f["id"] for f in listed["items"]] == [ticket["file_id"]] and listed["total"] == 1
    assert docs.get("/api/v1/files?slot=work_history", "bob").json()["total"] == 0


def test_download_links_are_short_and_freshly_signed(docs):
    """What is checked: every link the service issues is signed at the time it is asked
    for and says X-Amz-Expires <= 300, and expires_at matches. moto does not enforce
    presigned expiry (a stale URL still works against moto), so the test cannot show an
    expired URL being refused by storage; MinIO enforces it in production."""
    file_id = docs.uploaded("alice", "work_history", "a.png", samples.png())["id"]
    for _ in range(2):
        before = dt.datetime.now(dt.UTC).replace(microsecond=0)
        answer = docs.get(f"/api/v1/files/{file_id}/download", "alice").json()
        after = dt.datetime.now(dt.UTC)
        query = query_of(answer["url"])
        assert 0 < int(query["X-Amz-Expires"]) <= 300
        signed_at = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=dt.UTC)
        assert before <= signed_at <= after
        expires_at = dt.datetime.fromisoformat(answer["expires_at"])
        assert abs((expires_at - signed_at).total_seconds()
                   - int(query["X-Amz-Expires"])) <= 2
        assert query["response-content-disposition"].startswith("attachment;")


def test_the_service_enforces_the_upload_form_expiry_itself(docs):
    """moto accepts a POST with an expired upload form; the service compares the object's
    arrival time with the form's expiry and refuses the late upload."""
    ticket = docs.ticket("alice", "work_history", "late.png")
    docs.sql("UPDATE documents.files SET upload_expires_at = now() - interval '1 hour' "
             "WHERE id = :i", i=ticket["file_id"])
    docs.send(ticket, samples.png())
    key = docs.object_key(ticket["file_id"])
    assert key in docs.objects()
    answer = docs.complete("alice", ticket["file_id"])
    assert answer.status_code == 409
    assert answer.json()["error"] == {"code": "file.upload_expired",
                                      "message": "上传链接已过期，请重新上传", "details": {}}
    assert key not in docs.objects()
    assert docs.get(f"/api/v1/files/{ticket['file_id']}", "alice").status_code == 404


def test_completing_before_the_bytes_arrived_is_a_conflict_and_changes_nothing(docs):
    ticket = docs.ticket("alice", "work_history", "a.png")
    answer = docs.complete("alice", ticket["file_id"])
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == "文件尚未上传，请上传后再确认"
    docs.send(ticket, samples.png())
    assert docs.complete("alice", ticket["file_id"]).status_code == 200


def test_strangers_get_nothing_reviewers_of_the_unit_and_operators_with_a_reason_do(docs):
    data = samples.png()
    file_id = docs.uploaded("alice", "continuing_education", "继续教育证书.png", data)["id"]

    for who in ("bob", "other_unit"):
        assert docs.get(f"/api/v1/files/{file_id}/download", who).status_code == 404
        assert docs.get(f"/api/v1/files/{file_id}", who).status_code == 404
        assert docs.complete(who, file_id).status_code == 404
        assert docs.delete(f"/api/v1/files/{file_id}", who).status_code == 404
    assert docs.get(f"/api/v1/files/{file_id}/download").status_code == 401
    assert (60, 101) in FakeWorkflow.asked  # the other unit was asked about, and refused

    reviewer = docs.get(f"/api/v1/files/{file_id}/download", "reviewer")
    assert reviewer.status_code == 200
    assert requests.get(reviewer.json()["url"], timeout=30).content == data

    # An operator states a reason of at least 5 characters (issue 15.8); the auditor reads
    # audit records, not persons' files.
    for reason in (None, "核查", "  核查材料  "[:5]):
        no_reason = docs.get(f"/api/v1/files/{file_id}/download", "operator",
                             params={"reason": reason} if reason else {})
        assert no_reason.status_code == 422
        assert no_reason.json()["error"]["code"] == "file.reason_required"
    assert docs.get(f"/api/v1/files/{file_id}/download", "auditor",
                    params={"reason": "核查举报材料"}).status_code == 404
    assert docs.get(f"/api/v1/files/{file_id}", "auditor").status_code == 404
    ok = docs.get(f"/api/v1/files/{file_id}/download", "operator",
                  params={"reason": "核查举报材料"})
    assert ok.status_code == 200
    log = docs.sql("SELECT account_id, basis, reason FROM documents.access_log "
                   "WHERE file_id = :i ORDER BY id", i=file_id)
    assert [tuple(r) for r in log] == [(3, "reviewer", None), (5, "operator", "核查举报材料")]
    # Each link issued is an event for the audit log (identity records file_downloaded).
    events = docs.sql("SELECT data->>'basis', data->>'reason', actor->>'account_id' "
                      "FROM documents.outbox WHERE type = 'file_downloaded' "
                      "AND subject = :s ORDER BY sequence", s=f"file:{file_id}")
    assert [tuple(r) for r in events] == [("reviewer", None, "3"),
                                          ("operator", "核查举报材料", "5")]


def test_a_pdf_that_is_really_a_png_is_refused_and_removed(docs):
    ticket = docs.ticket("alice", "work_history", "scan.pdf")
    docs.send(ticket, samples.png())
    key = docs.object_key(ticket["file_id"])
    answer = docs.complete("alice", ticket["file_id"])
    assert answer.status_code == 415
    error = answer.json()["error"]
    assert error["code"] == "file.type_mismatch"
    assert error["message"] == "文件内容与扩展名不符：扩展名为.pdf，实际内容为PNG图片"
    assert key not in docs.objects()
    assert docs.sql("SELECT count(*) FROM documents.files")[0][0] == 0


def test_extensions_outside_the_slot_are_refused_when_asking(docs):
    answer = docs.post("/api/v1/files/uploads", "alice",
                       json={"slot": "work_history", "file_name": "a.docx"})
    assert answer.status_code == 415
    assert answer.json()["error"]["message"] == "只能上传png/jpg/pdf文件"
    answer = docs.post("/api/v1/files/uploads", "alice",
                       json={"slot": "paper_check", "file_name": "论文.pdf"})
    assert answer.json()["error"]["message"] == "只能上传docx/doc文件"
    # the same checks accept what the slot allows, down to the content
    assert docs.upload("alice", "paper_check", "论文.docx", samples.docx()).status_code == 200
    fake_doc = docs.upload("alice", "paper", "论文.doc", samples.pdf())
    assert fake_doc.status_code == 415


def test_a_file_over_the_slot_size_is_refused_and_removed_from_storage(docs):
    big = samples.pdf(padding=2 * 1024 * 1024 + 1)  # work history: at most 2MB
    declared = docs.post("/api/v1/files/uploads", "alice",
                         json={"slot": "work_history", "file_name": "big.pdf",
                               "size": len(big)})
    assert declared.status_code == 413
    # a client that lies about the size (or says nothing) is caught at completion
    ticket = docs.ticket("alice", "work_history", "big.pdf", size=1000)
    docs.send(ticket, big)
    key = docs.object_key(ticket["file_id"])
    assert key in docs.objects()
    answer = docs.complete("alice", ticket["file_id"])
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "file.too_large"
    assert answer.json()["error"]["message"].startswith("文件大小不能超过2MB")
    assert key not in docs.objects()
    assert docs.get(f"/api/v1/files/{ticket['file_id']}", "alice").status_code == 404
    # exactly 2MB is fine
    assert docs.upload("alice", "work_history", "ok.pdf",
                       samples.pdf(padding=2 * 1024 * 1024)).status_code == 200


def test_a_sixth_file_in_a_five_file_slot_is_refused(docs):
    for n in range(5):
        docs.uploaded("alice", "work_history", f"{n}.png", samples.png(color=(n, 0, 0)))
    early = docs.post("/api/v1/files/uploads", "alice",
                      json={"slot": "work_history", "file_name": "6.png"})
    assert early.status_code == 422
    assert early.json()["error"]["message"] == "“佐证材料”最多只能上传5个文件"
    # two tickets asked before the fifth completed: the later completion is refused
    docs.delete(f"/api/v1/files/{docs.get('/api/v1/files', 'alice').json()['items'][0]['id']}",
                "alice")
    first = docs.ticket("alice", "work_history", "a.png")
    second = docs.ticket("alice", "work_history", "b.png")
    docs.send(first, samples.png())
    docs.send(second, samples.png(color="blue"))
    assert docs.complete("alice", first["file_id"]).status_code == 200
    refused = docs.complete("alice", second["file_id"])
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "file.too_many"
    assert docs.object_key(second["file_id"]) is None
    # another person's slot is their own
    assert docs.upload("bob", "work_history", "b.png", samples.png()).status_code == 200


def test_empty_files_and_bad_names_are_refused(docs):
    for name in ("../../etc/passwd.png", "a\\b.png", "evil\x00.png", "tab\t.png",
                 "gnp.\u202epdf", "noextension", ""):
        answer = docs.post("/api/v1/files/uploads", "alice",
                           json={"slot": "work_history", "file_name": name})
        assert answer.status_code == 422, name
    answer = docs.post("/api/v1/files/uploads", "alice",
                       json={"slot": "work_history", "file_name": "a.png", "size": 0})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "file.empty"
    ticket = docs.ticket("alice", "work_history", "empty.png")
    # MinIO/S3 refuse an empty body (content-length-range starts at 1); moto takes it
    requests.post(ticket["form"]["url"], data=ticket["form"]["fields"],
                  files={"file": ("empty.png", b"")}, timeout=30)
    answer = docs.complete("alice", ticket["file_id"])
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == "不能上传空文件（0字节）"
    unknown = docs.post("/api/v1/files/uploads", "alice",
                        json={"slot": "nowhere", "file_name": "a.png"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "file.slot_unknown"


def test_who_may_upload_where(docs):
    unit_only = docs.post("/api/v1/files/uploads", "alice",
                          json={"slot": "rec_opinion", "file_name": "意见.pdf"})
    assert unit_only.status_code == 403
    assert unit_only.json()["error"]["message"] == "“单位推荐意见”须由单位管理员上传"
    person_only = docs.post("/api/v1/files/uploads", "reviewer",
                            json={"slot": "work_history", "file_name": "a.png"})
    assert person_only.status_code == 403
    generated = docs.post("/api/v1/files/uploads", "alice",
                          json={"slot": "generated", "file_name": "a.pdf"})
    assert generated.status_code == 403
    # a unit's file is the unit's: another admin of the same unit may see and use it
    file_id = docs.uploaded("reviewer", "rec_opinion", "单位推荐意见.jpg", samples.jpeg())["id"]
    assert docs.get(f"/api/v1/files/{file_id}/download", "reviewer2").status_code == 200
    assert docs.get(f"/api/v1/files/{file_id}/download", "other_unit").status_code == 404


def test_delete_only_unattached_files_of_ones_own(docs, attach_rpc):
    kept = docs.uploaded("alice", "work_history", "a.png", samples.png())
    gone = docs.uploaded("alice", "work_history", "b.png", samples.png(color="blue"))
    attach_rpc("alice", [kept["id"]], "achievements", "record", 12)
    refused = docs.delete(f"/api/v1/files/{kept['id']}", "alice")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "file.attached"
    key = docs.object_key(gone["id"])
    answer = docs.delete(f"/api/v1/files/{gone['id']}", "alice")
    assert answer.status_code == 204
    assert key not in docs.objects()
    assert docs.get(f"/api/v1/files/{gone['id']}", "alice").status_code == 404


def test_file_slots_serve_the_seed_rules(docs):
    answer = docs.get("/api/v1/file-slots", "alice")
    assert answer.status_code == 200
    slots = {s["key"]: s for s in answer.json()}
    assert slots["work_history"]["rule"] == \
        "只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件"
    assert slots["continuing_education"]["extensions"] == ["png", "jpg", "pdf", "bmp"]
    engineering = slots["engineering_project"]
    assert (engineering["max_size_mb"], engineering["max_files"]) == (30, 10)
    assert slots["paper_check"]["rule"] == \
        "只能上传docx/doc文件，且不超过10MB，且最多只能上传1个文件"
    assert slots["health_paper_scan"]["extensions"] == ["png", "jpg"]
    assert slots["cq_degree"]["extensions"] == ["pdf"] and slots["cq_degree"]["max_files"] == 1
    assert slots["rec_opinion"]["uploader"] == "unit" and slots["rec_opinion"]["max_files"] == 2
    assert docs.get("/api/v1/file-slots").status_code == 401


def test_openapi_describes_the_file_routes(docs):
    spec = docs.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/files/uploads", "/api/v1/files/{id}/complete", "/api/v1/files/{id}",
                 "/api/v1/files/{id}/download", "/api/v1/files", "/api/v1/files/merge-images",
                 "/api/v1/file-slots", "/api/v1/templates/{name}", "/api/v1/files/{id}/parse"):
        assert path in paths, path
    upload = paths["/api/v1/files/uploads"]["post"]
    assert {"201", "401", "413", "415", "422"} <= set(upload["responses"])
    assert "UploadRequest" in spec["components"]["schemas"]
    assert paths["/api/v1/files/{id}"]["delete"]["responses"].get("204")


@pytest.fixture
def attach_rpc(docs):
    from nameko.standalone.rpc import ServiceRpcProxy

    from services.common.testing import signed

    from .conftest import principal

    def call(who, *args, method="attach"):
        context = signed(principal(who)) if who else {}
        with ServiceRpcProxy("documents", docs.config, context_data=context) as proxy:
            return getattr(proxy, method)(*args)

    return call


def test_pending_uploads_per_person_and_slot_are_capped_at_the_slots_max_files(docs):
    """Issue 15.2: twelve tickets for a five-file slot are not handed out."""
    tickets = [docs.ticket("alice", "work_history", f"{n}.png") for n in range(5)]
    sixth = docs.post("/api/v1/files/uploads", "alice",
                      json={"slot": "work_history", "file_name": "6.png"})
    assert sixth.status_code == 429, sixth.text
    error = sixth.json()["error"]
    assert error["code"] == "file.too_many_pending"
    assert error["message"] == ("“佐证材料”已有5个文件等待上传完成，"
                                "请先完成上传或等待链接过期后再试")
    assert error["details"] == {"max_pending": 5, "pending": 5, "slot": "work_history"}
    assert docs.sql("SELECT count(*) FROM documents.files")[0][0] == 5
    # another person's tickets are their own; a completed upload frees its place
    assert docs.ticket("bob", "work_history", "b.png")["file_id"]
    docs.send(tickets[0], samples.png())
    assert docs.complete("alice", tickets[0]["file_id"]).status_code == 200
    assert docs.ticket("alice", "work_history", "6.png")["file_id"]


def test_a_ticket_gives_only_the_post_form_and_no_put_url(docs):
    """Issue 15.2: a presigned PUT URL binds no size, so none is issued; the form's URL is
    the bare bucket URL (nothing signed in it), the signature rides in the policy."""
    ticket = docs.ticket("alice", "work_history", "a.pdf")
    assert set(ticket) == {"file_id", "slot", "method", "expires_at", "max_bytes", "form"}
    assert ticket["method"] == "POST"
    assert set(ticket["form"]) == {"url", "fields"}
    url = urllib.parse.urlsplit(ticket["form"]["url"])
    assert url.query == "" and url.path == f"/{docs.bucket}"
    assert "X-Amz-Signature" not in json.dumps(ticket)
    spec = docs.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    ticket_spec = spec.json()["components"]["schemas"]["UploadTicket"]
    assert "upload_url" not in ticket_spec["properties"] and "form" in ticket_spec["required"]


def test_the_ticket_binds_the_slots_maximum_length_in_a_signed_post_policy(docs):
    """Issue 15.2: moto checks no signatures, so the bound is read from what is issued
    (MinIO refuses a body outside content-length-range); the form upload works."""
    import base64
    import json

    ticket = docs.ticket("alice", "work_history", "a.png")
    form = ticket["form"]
    fields = form["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, ticket["max_bytes"]] in conditions
    slots = {s["key"]: s for s in docs.get("/api/v1/file-slots", "alice").json()}
    assert ticket["max_bytes"] == slots["work_history"]["max_size_mb"] * 1024 * 1024
    assert ["eq", "$key", fields["key"]] in conditions
    assert fields["x-amz-signature"] and fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    data = samples.png()
    posted = requests.post(form["url"], data=fields, files={"file": ("a.png", data)},
                           timeout=30)
    assert posted.status_code in (200, 201, 204), posted.text
    done = docs.complete("alice", ticket["file_id"])
    assert done.status_code == 200, done.text
    assert done.json()["size"] == len(data)
