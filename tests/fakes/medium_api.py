"""A contract fake of the Medium API endpoints herald uses: `GET /v1/me` and `POST /v1/users/{id}/posts`.

Written from the documented wire format: `Authorization: Bearer <token>`, JSON in and out, answers in
`{"data": ...}`, errors as `{"errors": [{"message", "code"}]}`; only the first three tags are kept.
"""

from __future__ import annotations

import itertools
import re
import time

from faults import FaultPlan
from recording_server import Recorded, RecordingServer, Reply

USER = {"id": "5303d74c64f66366f00cb9b2a94f3251bf5", "username": "wikimediapolicy", "name": "Global Advocacy",
        "url": "https://medium.com/@wikimediapolicy", "imageUrl": "https://images.medium.com/0*avatar.png"}
POSTS = re.compile(r"^/v1/users/([^/]+)/posts$")


def errors(status: int, message: str, code: int) -> Reply:
    """A Medium error response."""
    return status, {}, {"errors": [{"message": message, "code": code}]}


class FakeMedium(RecordingServer):
    """Accepts posts from the one user its token belongs to; serves under `/v1`.

    `posts` holds every created post; `faults` (a `FaultPlan`) fails a share of the
    `POST /v1/users/{id}/posts` requests before or after creating the post; `injected` lists them.
    """

    def __init__(self, token: str, *, faults: FaultPlan | None = None) -> None:
        super().__init__(faults)
        self.token = token
        self.posts: list[dict] = []
        self._ids = itertools.count(0xE1A2B3C4D5)

    @property
    def api_base(self) -> str:
        """What `MediumSettings.api_base` should be."""
        return self.url + "/v1"

    def respond(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return errors(401, "Token was invalid.", 6003)
        if (request.method, request.path) == ("GET", "/v1/me"):
            return 200, {}, {"data": USER}
        found = POSTS.match(request.path)
        if request.method == "POST" and found:
            if found.group(1) != USER["id"]:
                return errors(403, "User does not have permission to publish.", 6027)
            return self._create(request.json or {})
        return errors(404, f"no route {request.method} {request.path}", 6000)

    def fault_reply(self, status: int) -> Reply:
        messages = {500: "Internal server error.", 503: "Service unavailable, try again later.",
                    504: "Gateway timeout."}
        return errors(status, messages.get(status, "Server error."), -1)

    def _create(self, body: dict) -> Reply:
        if not body.get("title") or not body.get("content") or body.get("contentFormat") not in {"html", "markdown"}:
            return errors(400, "title, contentFormat (html or markdown) and content are required.", 6000)
        post_id = f"{next(self._ids):x}"
        slug = re.sub(r"[^a-z0-9]+", "-", body["title"][:100].lower()).strip("-")
        post = {
            "id": post_id,
            "title": body["title"][:100],
            "authorId": USER["id"],
            "tags": [tag for tag in body.get("tags", [])[:3] if len(tag) <= 25],
            "url": f"https://medium.com/@{USER['username']}/{slug}-{post_id}",
            "canonicalUrl": body.get("canonicalUrl", ""),
            "publishStatus": body.get("publishStatus", "public"),
            "publishedAt": int(time.time() * 1000),
            "license": body.get("license", "all-rights-reserved"),
            "licenseUrl": "https://medium.com/policy/9db0094a1e0f",
        }
        self.posts.append(post)
        return 201, {}, {"data": post}
