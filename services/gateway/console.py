"""The reference web console (``console/``), served by the gateway at ``/``.

The built files (``vite build`` → ``console/dist``, or ``CONSOLE_DIR``) are answered as
they are: hashed assets under ``/assets/`` with a year-long immutable cache, every other
path that is not the API's (``/api/…``, ``/docs``, ``/healthz``, ``/readyz``) with
``index.html`` and ``no-cache`` (the console's router uses the history mode). When the
console is not built, its paths answer 404 in the error shape.
"""
import mimetypes
import os
import pathlib

from nameko.web.handlers import HttpRequestHandler
from werkzeug.routing import PathConverter, Rule
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from services.common import errors

from .http import JsonHttp, error_response

DEFAULT_DIR = pathlib.Path(__file__).resolve().parents[2] / "console" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/woff2", ".woff2")


class ConsolePathConverter(PathConverter):
    """A path that is not the API's: never ``api``/``api/…``, ``docs``, ``healthz``,
    ``readyz``, so that unknown API paths keep answering 404 ``route.not_found``."""
    regex = r"(?!(?:api|docs|healthz|readyz)(?:/|$))[^/].*?"


class ConsoleRule(Rule):
    def get_converter(self, variable_name, converter_name, args, kwargs):
        if converter_name == "console":
            return ConsolePathConverter(self.map, *args, **kwargs)
        return super().get_converter(variable_name, converter_name, args, kwargs)


class ConsoleHttp(HttpRequestHandler):
    """Nameko's HTTP entrypoint on the gateway's server, with the console's converter."""
    server = JsonHttp.server

    def get_url_rule(self):
        return ConsoleRule(self.url, methods=self.method.split(","))


console_http = ConsoleHttp.decorator


def console_dir(config):
    configured = (config or {}).get("CONSOLE_DIR") or os.environ.get("CONSOLE_DIR")
    return pathlib.Path(configured) if configured else DEFAULT_DIR


def not_built():
    return error_response(errors.NotFound(
        "console.not_built",
        "管理控制台尚未构建：请在 console/ 目录执行 npm ci && npm run build（bin/run 会自动构建）"))


def serve_console(root, path):
    index = root / "index.html"
    if not index.is_file():
        return not_built()
    if path:
        target = safe_join(str(root), path)
        if target is not None and os.path.isfile(target):
            mimetype = mimetypes.guess_type(target)[0] or "application/octet-stream"
            cache = IMMUTABLE if path.startswith("assets/") else NO_CACHE
            return _file(target, mimetype, cache)
        if path.startswith("assets/") or target is None:
            # a missing asset is an error, not the app (which would break as a script)
            return error_response(errors.NotFound("route.not_found", "接口不存在"))
    return _file(str(index), "text/html", NO_CACHE)


def _file(target, mimetype, cache):
    with open(target, "rb") as handle:
        body = handle.read()
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    if mimetype == "text/html":
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
    return response


class ConsoleRoutes:
    """Mixed into the gateway: ``/`` and every non-API path answer the console."""

    @console_http("GET,HEAD", "/")
    def console_index(self, request):
        return serve_console(console_dir(self.config), "")

    @console_http("GET,HEAD", "/<console:path>")
    def console_path(self, request, path):
        return serve_console(console_dir(self.config), path)
