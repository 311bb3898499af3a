"""A contract fake of the Medium API endpoints herald uses: `GET /v1/me` and `POST /v1/users/{id}/posts`.

Implements (from Medium's API documentation): `Authorization: Bearer <token>` (401 code 6003 otherwise), JSON in
and out, answers in `{"data": ...}`, errors as `{"errors": [{"message", "code"}]}`; posting as another user is 403
(6027); `title` (over 100 characters cut), `contentFormat` `html|markdown`, `content` required (400 otherwise);
only the first three tags are kept (each at most 25 characters); `publishStatus` defaults to `public`. Every
`POST .../posts` is subject to the `FaultPlan`, including after-faults where the post is stored and the client sees
502 / 503 / 504 / 500, a dropped or reset connection, or a timeout; before-faults 400 / 401 / 403 / 429 / 503 in
Medium's error format. Duplicates are visible with `by_canonical_url()`, `by_title()` and `duplicates()`.

Does not implement: there is no endpoint to list a user's posts (as on Medium), publications
(`/v1/publications/...`), image upload (`/v1/images`), the per-day posting limit (script a 429 instead), or
Medium's HTML filtering (content is stored as sent).
"""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter

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
        known = {400: ("Invalid request.", 6000), 401: ("Token was invalid.", 6003),
                 403: ("User does not have permission to publish.", 6027), 429: ("Too many requests.", -1),
                 500: ("Internal server error.", -1), 502: ("Bad gateway.", -1),
                 503: ("Service unavailable, try again later.", -1), 504: ("Gateway timeout.", -1)}
        message, code = known.get(status, ("Server error.", -1))
        return errors(status, message, code)

    def by_canonical_url(self) -> Counter[str]:
        """How many stored posts carry each `canonicalUrl` (posts without one are left out)."""
        return Counter(post["canonicalUrl"] for post in self.posts if post["canonicalUrl"])

    def by_title(self) -> Counter[str]:
        """How many stored posts carry each title."""
        return Counter(post["title"] for post in self.posts)

    def duplicates(self) -> dict[str, int]:
        """Canonical URLs (or, for posts without one, titles) stored more than once, with their counts."""
        keys = Counter(post["canonicalUrl"] or post["title"] for post in self.posts)
        return {key: count for key, count in keys.items() if count > 1}

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
