"""A minimal fake of the Hugging Face Hub *upload* API, on a loopback port, for tests.

It answers what ``HfApi.create_repo`` and ``HfApi.upload_folder`` (huggingface_hub 2.x) send, and
records everything in memory, so a test can check byte for byte what would reach the Hub::

    with FakeHub(token="hf_fake") as hub:
        api = HfApi(endpoint=hub.url, token="hf_fake")
        ...
        hub.repos["someone/tiny-gan"]["files"]   # {path: bytes}, the repo's current content
        hub.commits                              # one dict per commit received

Endpoints (repo type ``models`` only, which is all ganzoo uses):

- ``POST /api/repos/create``                       create a repo (409 if it exists)
- ``DELETE /api/repos/delete``                     delete a repo (404 if there is none)
- ``GET  /api/models/{id}``                        repo info (404 if there is none: ``repo_exists``)
- ``POST /api/validate-yaml``                      accept any README front matter
- ``POST /api/models/{id}/preupload/{rev}``        every file is "regular" (no LFS / Xet upload),
                                                   with the git oid of the file already there
- ``POST /api/models/{id}/commit/{rev}``           NDJSON: a header line, then one line per file
- ``GET  /api/models/{id}/revision/{rev}``         repo info (used when a commit would be empty)

Anything else is answered 404 and recorded in ``unhandled``, so a test can tell the client asked
for something this fake does not know. ``hub.fail[name] = status`` makes the endpoint served by
method ``name`` (e.g. ``"_commit"``, ``"_delete_repo"``) answer ``status`` without doing anything,
to test how a client copes with a failing Hub. Standard library only.
"""

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

_REPO = r"/api/models/(?P<repo>[^/]+/[^/]+)"
_ROUTES = [
    ("POST", re.compile(r"/api/repos/create"), "_create_repo"),
    ("DELETE", re.compile(r"/api/repos/delete"), "_delete_repo"),
    ("GET", re.compile(_REPO), "_info"),
    ("POST", re.compile(r"/api/validate-yaml"), "_validate_yaml"),
    ("POST", re.compile(_REPO + r"/preupload/(?P<rev>[^/]+)"), "_preupload"),
    ("POST", re.compile(_REPO + r"/commit/(?P<rev>[^/]+)"), "_commit"),
    ("GET", re.compile(_REPO + r"/revision/(?P<rev>[^/]+)"), "_revision"),
]


def git_oid(data):
    """The git blob sha1 of ``data``: the Hub's oid of a regular (non-LFS) file."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class HubHTTPError(Exception):
    def __init__(self, status, message, error_code=None, **body):
        super().__init__(message)
        self.status, self.error_code = status, error_code
        self.body = {"error": message, **body}


class FakeHub:
    """The fake Hub server. ``start()``/``stop()`` or ``with FakeHub() as hub:``.

    ``token``: if set, every request must carry ``Authorization: Bearer <token>`` (else 401).
    """

    def __init__(self, token=None):
        self.token = token
        self.repos = {}       # "owner/name" -> {"private": bool, "files": {path: bytes}, "sha": str | None}
        self.commits = []     # {"repo_id", "revision", "summary", "description", "files", "deleted", "oid"}
        self.requests = []    # (method, path) of every request, in order
        self.unhandled = []   # (method, path) answered 404 because no route matched
        self.fail = {}        # route method name -> HTTP status it answers instead of working
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # port 0: a free port
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- request handling (called from the server's threads) ---------------------------------

    def handle(self, method, path, headers, body):
        """-> (status, json-able body, extra headers)."""
        with self._lock:
            self.requests.append((method, path))
            if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
                return 401, {"error": "Invalid credentials in Authorization header"}, {}
            for route_method, pattern, name in _ROUTES:
                match = pattern.fullmatch(path)
                if match and route_method == method:
                    args = {k: unquote(v) for k, v in match.groupdict().items()}
                    if name in self.fail:
                        return self.fail[name], {"error": f"FakeHub: {name} fails (test)"}, {}
                    try:
                        return (200, getattr(self, name)(body, **args), {})
                    except HubHTTPError as e:
                        extra = {"X-Error-Code": e.error_code} if e.error_code else {}
                        return e.status, e.body, extra
            self.unhandled.append((method, path))
            return 404, {"error": f"FakeHub does not implement {method} {path}"}, {}

    def _repo(self, repo_id, revision):
        if repo_id not in self.repos:
            raise HubHTTPError(404, f"Repository {repo_id} not found", "RepoNotFound")
        if revision != "main":
            raise HubHTTPError(404, f"Revision {revision} not found", "RevisionNotFound")
        return self.repos[repo_id]

    def _create_repo(self, body):
        payload = json.loads(body)
        if payload.get("type", "model") != "model":
            raise HubHTTPError(400, "FakeHub only hosts model repos")
        repo_id = f"{payload['organization']}/{payload['name']}"
        if repo_id in self.repos:  # the client reads "url" from this answer too (exist_ok=True)
            raise HubHTTPError(409, "You already created this model repo", url=f"{self.url}/{repo_id}")
        self.repos[repo_id] = {
            "private": payload.get("visibility") == "private", "files": {}, "sha": None,
        }
        return {"url": f"{self.url}/{repo_id}", "name": repo_id}

    def _delete_repo(self, body):
        payload = json.loads(body)  # {"name", "organization", "type"}
        if payload.get("type", "model") != "model":
            raise HubHTTPError(400, "FakeHub only hosts model repos")
        repo_id = f"{payload['organization']}/{payload['name']}"
        if repo_id not in self.repos:
            raise HubHTTPError(404, f"Repository {repo_id} not found", "RepoNotFound")
        del self.repos[repo_id]
        return {}

    def _info(self, body, repo):
        return self._revision(body, repo, "main")

    def _validate_yaml(self, body):
        json.loads(body)  # {"content": <README.md>, "repoType": "model"}
        return {"errors": [], "warnings": []}

    def _preupload(self, body, repo, rev):
        files = self._repo(repo, rev)["files"]
        answer = []
        for f in json.loads(body)["files"]:
            old = files.get(f["path"])
            answer.append({
                "path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                "oid": git_oid(old) if old is not None else None,
            })
        return {"files": answer}

    def _commit(self, body, repo, rev):
        state = self._repo(repo, rev)
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        if not lines or lines[0]["key"] != "header":
            raise HubHTTPError(400, "The first NDJSON line must be the commit header")
        header = lines[0]["value"]
        added, deleted = {}, []
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            if key == "file" and value.get("encoding") == "base64":
                added[value["path"]] = base64.b64decode(value["content"], validate=True)
            elif key in ("deletedFile", "deletedFolder"):
                deleted.append(value["path"])
            else:  # lfsFile etc.: this fake never asks for LFS, so this is a client bug
                raise HubHTTPError(400, f"FakeHub does not accept {key!r} operations")
        files = state["files"]
        for path in deleted:
            for existing in [p for p in files if p == path or p.startswith(path.rstrip("/") + "/")]:
                del files[existing]
        files.update(added)
        oid = hashlib.sha1(f"{repo}:{len(self.commits)}:{header['summary']}".encode()).hexdigest()
        state["sha"] = oid
        self.commits.append({
            "repo_id": repo, "revision": rev, "summary": header["summary"],
            "description": header.get("description", ""), "files": added, "deleted": deleted,
            "oid": oid,
        })
        return {"success": True, "commitOid": oid, "commitUrl": f"{self.url}/{repo}/commit/{oid}"}

    def _revision(self, body, repo, rev):
        state = self._repo(repo, rev)
        return {
            "id": repo, "sha": state["sha"], "private": state["private"],
            "siblings": [{"rfilename": p} for p in sorted(state["files"])],
        }


class _Handler(BaseHTTPRequestHandler):
    fake = None  # set by FakeHub.start()

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, answer, extra = self.fake.handle(
            self.command, urlsplit(self.path).path, self.headers, body
        )
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format, *args):  # keep pytest output clean
        pass
