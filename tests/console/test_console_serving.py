"""How the gateway serves the built console (services/gateway/console.py), without the
services: the files, the history-mode fallback, the cache headers, the not-built answer,
and the rule that leaves every API path to the API."""
import json

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from services.gateway.console import IMMUTABLE, NO_CACHE, ConsoleRule, serve_console


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=app></div>")
    (tmp_path / "assets" / "index-Ab12.js").write_text("console.log(1)")
    (tmp_path / "favicon.ico").write_bytes(b"\0\0\1\0")
    return tmp_path


def test_assets_are_immutable_and_the_app_is_not_cached(dist):
    asset = serve_console(dist, "assets/index-Ab12.js")
    assert asset.status_code == 200
    assert asset.mimetype == "text/javascript"
    assert asset.headers["Cache-Control"] == IMMUTABLE
    index = serve_console(dist, "")
    assert index.mimetype == "text/html" and index.headers["Cache-Control"] == NO_CACHE
    assert serve_console(dist, "favicon.ico").headers["Cache-Control"] == NO_CACHE


def test_router_paths_answer_the_app_but_missing_assets_are_errors(dist):
    for path in ("library", "declarations/12", "ops/audit"):
        answer = serve_console(dist, path)
        assert answer.status_code == 200 and b'id=app' in answer.get_data()
    missing = serve_console(dist, "assets/gone-0000.js")
    assert missing.status_code == 404
    assert json.loads(missing.get_data())["error"]["code"] == "route.not_found"
    escape = serve_console(dist, "../../etc/passwd")
    assert escape.status_code == 404


def test_not_built_answers_404_in_the_error_shape(tmp_path):
    answer = serve_console(tmp_path, "")
    assert answer.status_code == 404
    error = json.loads(answer.get_data())["error"]
    assert error["code"] == "console.not_built" and "npm" in error["message"]


def test_the_catch_all_never_takes_an_api_path():
    urls = Map([ConsoleRule("/<console:path>", methods=["GET", "HEAD"], endpoint="console"),
                Rule("/api/v1/records", methods=["GET", "POST"], endpoint="records"),
                Rule("/healthz", methods=["GET"], endpoint="healthz")]).bind("localhost")
    assert urls.match("/library") == ("console", {"path": "library"})
    assert urls.match("/declarations/3") == ("console", {"path": "declarations/3"})
    assert urls.match("/apiary") == ("console", {"path": "apiary"})
    assert urls.match("/api/v1/records")[0] == "records"
    for path in ("/api", "/api/v1/nothing", "/docs", "/readyz"):
        with pytest.raises(NotFound):
            urls.match(path)
    with pytest.raises(NotFound):
        urls.match("/api/v1/nothing", method="POST")  # not 405: unknown API paths stay 404
    with pytest.raises(MethodNotAllowed):
        urls.match("/healthz", method="DELETE")
