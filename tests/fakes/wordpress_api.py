"""A contract fake of the WordPress REST routes herald uses (WordPress 6.1 behaviour, `wp/v2`).

Routes, both as `/wp-json/wp/v2/<route>` (only with `pretty_permalinks`) and `/?rest_route=/wp/v2/<route>`:
`GET users/me` (`context=edit` adds roles and capabilities); `GET|POST posts`, `GET|POST posts/<id>`;
`GET|POST tags|categories` (`?slug=` exact, `?include=`, `?search=`; a duplicate name or slug answers
400 `term_exists` with `data.term_id`), `GET tags|categories/<id>`; `GET|POST media` (`?slug=` exact; raw bytes with
`Content-Type` and `Content-Disposition: attachment; filename="x.png"`), `GET|POST media/<id>` (`alt_text`...).

Like WordPress: HTTP Basic with an application password (spaces optional), 401 `invalid_username` /
`incorrect_password` / `rest_not_logged_in`; errors `{"code", "message", "data": {"status"}}`; collections
carry `X-WP-Total` and `X-WP-TotalPages`; a published (or future or private) post whose slug is taken gets
`-2`, `-3`...; a post's `link` is `{url}/{yyyy}/{mm}/{dd}/{slug}/` (or `{url}/?p={id}` for drafts and without
pretty permalinks, where `/wp-json/` answers an HTML 404 page); posts without categories get Uncategorized.
Writes are subject to the `FaultPlan` (any of `faults.HTTP_VARIANTS`), matched against the `/wp/v2/...` route.

Does not implement: DELETE and the trash, revisions, pages and custom post types, `_embed`, `_fields`, ordering
parameters, image sizes and thumbnails, multipart (form) media uploads, users other than the one admin, cookie and
nonce auth. For WordPress's own behaviour under lost replies, use the real WordPress behind
`tests/servers/wordpress_fault_proxy.py` (fixture `wordpress_proxy`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import itertools
import json
import mimetypes
import re
from typing import Any

from faults import FaultPlan
from recording_server import Recorded, RecordingServer, Reply
from slugify import slugify

API_PREFIX = "/wp/v2/"
PUBLIC_STATUSES = ("publish", "future", "private")  # WordPress makes these slugs unique
STATUSES = ("publish", "future", "draft", "pending", "private")
TAXONOMIES = {"tags": "post_tag", "categories": "category"}
ADMIN_CAPABILITIES = {
    "edit_posts": True, "publish_posts": True, "edit_published_posts": True, "delete_posts": True,
    "upload_files": True, "manage_categories": True, "edit_others_posts": True, "read": True, "level_10": True,
    "administrator": True,
}  # fmt: skip
HTML_404 = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body>Not Found</body></html>"
HTML_HOME = b"<!DOCTYPE html><html><head><title>Diff</title></head><body>home</body></html>"


def wp_error(status: int, code: str, message: str, **data: Any) -> Reply:
    """A WordPress REST error."""
    return status, {}, {"code": code, "message": message, "data": {"status": status, **data}}


def wp_slug(text: str) -> str:
    """sanitize_title as WordPress applies it to names and titles (apostrophes dropped, not split on)."""
    return slugify(text, replacements=[["'", ""], ["\u2019", ""]])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _ids(value: str) -> list[int] | None:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        return None


class FakeWordPress(RecordingServer):
    """One site with one user (an administrator unless `capabilities` says otherwise).

    What was applied: `posts` (post objects in `context=edit` form, by creation order), `terms`
    (`{"tags": [...], "categories": [...]}`), `media` (attachment objects) and `files` (uploaded bytes by
    `media_details.file`). `faults` (a `FaultPlan`) fails a share of the writes; `injected` lists them.
    """

    def __init__(
        self, username: str, app_password: str, pretty_permalinks: bool = True, *,
        faults: FaultPlan | None = None, capabilities: dict[str, bool] | None = None,
    ) -> None:
        super().__init__(faults)
        self.username = username
        self.app_password = app_password
        self.pretty_permalinks = pretty_permalinks
        self.capabilities = dict(ADMIN_CAPABILITIES if capabilities is None else capabilities)
        self.user_id = 1
        self.posts: list[dict] = []
        self.terms: dict[str, list[dict]] = {"tags": [], "categories": []}
        self.media: list[dict] = []
        self.files: dict[str, bytes] = {}
        self._ids = itertools.count(5)  # posts and attachments share one ID space, as in wp_posts
        self._term_ids = itertools.count(2)  # tags and categories share one ID space, as in wp_terms
        self.terms["categories"].append(self._term("categories", 1, "Uncategorized", "uncategorized"))

    # --- helpers for tests -------------------------------------------------------------------------------------

    def add_categories(self, *names: str) -> None:
        """Curated categories an editor made on the site (herald refuses categories the site does not have)."""
        for name in names:
            self.terms["categories"].append(self._term("categories", next(self._term_ids), name, wp_slug(name)))

    def posts_with_slug(self, slug: str) -> list[dict]:
        """Posts whose slug is `slug` or WordPress's de-duplicated `slug-2`, `slug-3`...: >1 means a duplicate."""
        pattern = re.compile(rf"^{re.escape(slug)}(-\d+)?$")
        return [post for post in self.posts if pattern.match(post["slug"])]

    def link(self, post: dict) -> str:
        """The public address WordPress gives a stored post."""
        return self._link(post)

    def post(self, post_id: int | str) -> dict | None:
        """The stored post with this ID."""
        return next((post for post in self.posts if post["id"] == int(post_id)), None)

    def term(self, taxonomy: str, term_id: int | str) -> dict | None:
        """The stored tag or category with this ID."""
        return next((term for term in self.terms[taxonomy] if term["id"] == int(term_id)), None)

    # --- routing -----------------------------------------------------------------------------------------------

    def route(self, request: Recorded) -> str:
        """`/wp/v2/<route>` for both URL forms (what a `FaultPlan`'s `paths` patterns see)."""
        if request.path.startswith("/wp-json/"):
            return request.path.removeprefix("/wp-json")
        if request.path in ("/", "/index.php") and "rest_route" in request.query:
            return request.query["rest_route"]
        return request.path

    def fault_reply(self, status: int) -> Reply:
        messages = {500: "There has been a critical error on this website.",
                    503: "The service is temporarily unavailable; try again later.",
                    504: "The upstream server did not answer in time."}
        return wp_error(status, f"http_{status}", messages.get(status, "Server error."))

    def respond(self, request: Recorded) -> Reply:
        if request.path.startswith("/wp-json/"):
            if not self.pretty_permalinks:  # no rewrites: WordPress's theme answers its 404 page
                return 404, {"Content-Type": "text/html; charset=UTF-8"}, HTML_404
            route = request.path.removeprefix("/wp-json")
        elif request.path in ("/", "/index.php") and "rest_route" in request.query:
            route = request.query["rest_route"]
        elif request.path in ("/", "/index.php"):
            return 200, {"Content-Type": "text/html; charset=UTF-8"}, HTML_HOME
        else:
            return 404, {"Content-Type": "text/html; charset=UTF-8"}, HTML_404
        query = {name: value for name, value in request.query.items() if name != "rest_route"}
        if not route.startswith(API_PREFIX):
            return self._no_route()
        user = self._authenticate(request.headers.get("authorization"))
        if isinstance(user, tuple):
            return user
        parts = route.removeprefix(API_PREFIX).strip("/").split("/")
        name, item = parts[0], parts[1] if len(parts) > 1 else None
        if len(parts) > 2 or (item is not None and not item.isdigit() and (name, item) != ("users", "me")):
            return self._no_route()
        method = request.method
        if name == "users" and item == "me" and method == "GET":
            return self._me(query, user)
        if name == "posts" and method in ("GET", "POST"):
            if method == "GET":
                return self._list_posts(query, user) if item is None else self._get_post(int(item), query, user)
            if user is None:
                return wp_error(401, "rest_cannot_create", "Sorry, you are not allowed to create posts as this user.")
            return self._save_post(self._json(request), None if item is None else int(item))
        if name in TAXONOMIES and method in ("GET", "POST"):
            if method == "GET":
                return self._list_terms(name, query) if item is None else self._get_term(name, int(item))
            if user is None or item is not None:
                return wp_error(401, "rest_cannot_create", "Sorry, you are not allowed to create terms in this "
                                "taxonomy.")
            return self._create_term(name, self._json(request))
        if name == "media" and method in ("GET", "POST"):
            if method == "GET":
                return self._list_media(query) if item is None else self._get_media(int(item))
            if user is None:
                return wp_error(401, "rest_cannot_create", "Sorry, you are not allowed to upload media as this user.")
            return self._upload(request) if item is None else self._update_media(int(item), self._json(request))
        return self._no_route()

    @staticmethod
    def _no_route() -> Reply:
        return wp_error(404, "rest_no_route", "No route was found matching the URL and request method.")

    @staticmethod
    def _json(request: Recorded) -> dict:
        try:
            body = json.loads(request.body) if request.body else {}
        except ValueError:
            body = None
        return body if isinstance(body, dict) else {"__invalid__": True}

    def _authenticate(self, header: str | None) -> str | None | Reply:
        """The user name, None when no credentials came, or the 401 WordPress answers to bad ones."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            username, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return wp_error(401, "invalid_username", "Unknown username. Check again or try your email address.")
        if username != self.username:
            return wp_error(401, "invalid_username", "Unknown username. Check again or try your email address.")
        if re.sub(r"[^a-z\d]", "", password, flags=re.I) != re.sub(r"[^a-z\d]", "", self.app_password, flags=re.I):
            return wp_error(401, "incorrect_password", "The provided password is an invalid application password.")
        return username

    @staticmethod
    def _page(items: list[dict], query: dict[str, str]) -> Reply:
        """One page of a collection, with WordPress's total headers."""
        try:
            per_page, page = int(query.get("per_page", "10")), int(query.get("page", "1"))
        except ValueError:
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): per_page, page")
        if not 1 <= per_page <= 100:
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): per_page",
                            params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"})
        pages = -(-len(items) // per_page)
        if page < 1 or (page > pages and items):
            return wp_error(400, "rest_post_invalid_page_number",
                            "The page number requested is larger than the number of pages available.")
        headers = {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}
        return 200, headers, items[(page - 1) * per_page: page * per_page]

    # --- users -------------------------------------------------------------------------------------------------

    def _me(self, query: dict[str, str], user: str | None) -> Reply:
        if user is None:
            return wp_error(401, "rest_not_logged_in", "You are not currently logged in.")
        base = {"id": self.user_id, "name": self.username, "url": "", "description": "",
                "link": f"{self.url}/author/{self.username}/", "slug": wp_slug(self.username),
                "avatar_urls": {}, "meta": []}
        if query.get("context") == "edit":
            role = "administrator" if self.capabilities.get("administrator") else "author"
            base.update({"username": self.username, "email": f"{self.username}@example.org", "locale": "en_US",
                         "nickname": self.username, "roles": [role], "registered_date": "2026-01-01T00:00:00+00:00",
                         "capabilities": dict(self.capabilities), "extra_capabilities": {role: True}})
        return 200, {}, base

    # --- posts -------------------------------------------------------------------------------------------------

    def _link(self, post: dict) -> str:
        if not self.pretty_permalinks or post["status"] in ("draft", "pending") or not post["slug"]:
            return f"{self.url}/?p={post['id']}"
        day = dt.datetime.fromisoformat(post["date"])
        return f"{self.url}/{day:%Y/%m/%d}/{post['slug']}/"

    def _view(self, post: dict, edit: bool) -> dict:
        shown = {**post, "link": self._link(post)}
        if not edit:
            for key in ("title", "content", "excerpt", "guid"):
                shown[key] = {k: v for k, v in post[key].items() if k != "raw"}
        return shown

    def _visible(self, post: dict, user: str | None) -> bool:
        return user is not None or post["status"] == "publish"

    def _list_posts(self, query: dict[str, str], user: str | None) -> Reply:
        edit = query.get("context") == "edit"
        statuses = query.get("status", "publish").split(",")
        if user is None and (edit or statuses != ["publish"]):
            if edit:
                return wp_error(401, "rest_forbidden_context", "Sorry, you are not allowed to edit posts in this "
                                "post type.")
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): status",
                            params={"status": "Status is forbidden."})
        wanted = set(STATUSES) if "any" in statuses else set(statuses)
        if not wanted <= set(STATUSES):
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): status")
        found = [post for post in self.posts if post["status"] in wanted]
        if "slug" in query:
            slugs = {slug.strip() for slug in query["slug"].split(",")}
            found = [post for post in found if post["slug"] in slugs]
        if "include" in query:
            ids = _ids(query["include"])
            if ids is None:
                return wp_error(400, "rest_invalid_param", "Invalid parameter(s): include")
            found = [post for post in found if post["id"] in ids]
        if "search" in query:
            needle = query["search"].lower()
            found = [post for post in found if needle in post["title"]["raw"].lower()
                     or needle in post["content"]["raw"].lower()]
        found.sort(key=lambda post: (post["date"], post["id"]), reverse=True)
        status, headers, page = self._page(found, query)
        if status != 200:
            return status, headers, page
        return status, headers, [self._view(post, edit) for post in page]

    def _get_post(self, post_id: int, query: dict[str, str], user: str | None) -> Reply:
        post = self.post(post_id)
        if post is None or not self._visible(post, user):
            return wp_error(404, "rest_post_invalid_id", "Invalid post ID.")
        edit = query.get("context") == "edit"
        if edit and user is None:
            return wp_error(401, "rest_forbidden_context", "Sorry, you are not allowed to edit this post.")
        return 200, {}, self._view(post, edit)

    def _unique_slug(self, slug: str, post_id: int) -> str:
        taken = {post["slug"] for post in self.posts if post["id"] != post_id}
        if slug not in taken:
            return slug
        suffix = 2
        while f"{slug}-{suffix}" in taken:
            suffix += 1
        return f"{slug}-{suffix}"

    def _save_post(self, body: dict, post_id: int | None) -> Reply:
        """Create (`post_id` None) or update a post from the JSON body."""
        if body.get("__invalid__"):
            return wp_error(400, "rest_invalid_json", "Invalid JSON body passed.")
        existing = self.post(post_id) if post_id is not None else None
        if post_id is not None and existing is None:
            return wp_error(404, "rest_post_invalid_id", "Invalid post ID.")
        if existing is None and not any(body.get(key) for key in ("title", "content", "excerpt")):
            return wp_error(400, "empty_content", "Content, title, and excerpt are empty.")
        status = body.get("status", existing["status"] if existing else "draft")
        if status not in STATUSES:
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): status",
                            params={"status": f"status is not one of {', '.join(STATUSES)}."})
        for taxonomy in TAXONOMIES:
            ids = body.get(taxonomy)
            if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)
                                    or any(self.term(taxonomy, i) is None for i in ids)):
                return wp_error(400, "rest_invalid_param", f"Invalid parameter(s): {taxonomy}",
                                params={taxonomy: f"{taxonomy} must be a list of existing term IDs."})
        media_id = body.get("featured_media")
        if media_id not in (None, 0) and not any(item["id"] == media_id for item in self.media):
            return wp_error(400, "rest_invalid_featured_media", "Invalid featured media ID.")
        now = _now()
        when_text = body.get("date_gmt") or body.get("date")
        if when_text:
            try:
                when = dt.datetime.fromisoformat(str(when_text).removesuffix("Z"))
            except ValueError:
                return wp_error(400, "rest_invalid_param", "Invalid parameter(s): date_gmt",
                                params={"date_gmt": "Invalid date."})
            when = when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when
        else:
            when = dt.datetime.fromisoformat(existing["date_gmt"]) if existing else now
        if status in ("publish", "future"):
            status = "future" if when > now else "publish"
        post_id = existing["id"] if existing else next(self._ids)
        title = body.get("title", existing["title"]["raw"] if existing else "")
        slug = body.get("slug") or (existing["slug"] if existing else "") or ""
        if not slug and status in PUBLIC_STATUSES:
            slug = wp_slug(title) or str(post_id)
        slug = wp_slug(slug) if slug else ""
        if slug and status in PUBLIC_STATUSES:
            slug = self._unique_slug(slug, post_id)
        content = body.get("content", existing["content"]["raw"] if existing else "")
        excerpt = body.get("excerpt", existing["excerpt"]["raw"] if existing else "")
        categories = body.get("categories", existing["categories"] if existing else [])
        post = {
            "id": post_id, "date": _iso(when), "date_gmt": _iso(when), "modified": _iso(now),
            "modified_gmt": _iso(now), "slug": slug, "status": status, "type": "post",
            "guid": {"rendered": f"{self.url}/?p={post_id}", "raw": f"{self.url}/?p={post_id}"},
            "title": {"raw": title, "rendered": html.escape(title, quote=False)},
            "content": {"raw": content, "rendered": content, "protected": False, "block_version": 0},
            "excerpt": {"raw": excerpt, "rendered": f"<p>{html.escape(excerpt, quote=False)}</p>\n" if excerpt
                        else "", "protected": False},
            "author": self.user_id, "featured_media": media_id or (existing["featured_media"] if existing else 0),
            "comment_status": "open", "ping_status": "open", "sticky": False, "template": "", "format": "standard",
            "meta": [], "categories": categories or [1], "tags": body.get("tags", existing["tags"] if existing else []),
        }  # fmt: skip
        if existing is None:
            self.posts.append(post)
            return 201, {"Location": f"{self.url}/wp-json/wp/v2/posts/{post_id}"}, self._view(post, True)
        existing.clear()
        existing.update(post)
        return 200, {}, self._view(post, True)

    # --- terms -------------------------------------------------------------------------------------------------

    def _term(self, taxonomy: str, term_id: int, name: str, slug: str) -> dict:
        term = {"id": term_id, "count": 0, "description": "", "name": name, "slug": slug,
                "taxonomy": TAXONOMIES[taxonomy], "meta": []}
        if taxonomy == "categories":
            term["parent"] = 0
        return term

    def _list_terms(self, taxonomy: str, query: dict[str, str]) -> Reply:
        found = [self._counted(taxonomy, term) for term in self.terms[taxonomy]]
        if "slug" in query:
            slugs = {slug.strip() for slug in query["slug"].split(",")}
            found = [term for term in found if term["slug"] in slugs]
        if "include" in query:
            ids = _ids(query["include"])
            if ids is None:
                return wp_error(400, "rest_invalid_param", "Invalid parameter(s): include")
            found = [term for term in found if term["id"] in ids]
        if "search" in query:
            needle = query["search"].lower()
            found = [term for term in found if needle in term["name"].lower() or needle in term["slug"]]
        found.sort(key=lambda term: term["name"].lower())
        return self._page(found, query)

    def _counted(self, taxonomy: str, term: dict) -> dict:
        count = sum(term["id"] in post[taxonomy] for post in self.posts if post["status"] == "publish")
        base = "tag" if taxonomy == "tags" else "category"
        return {**term, "count": count, "link": f"{self.url}/{base}/{term['slug']}/"}

    def _get_term(self, taxonomy: str, term_id: int) -> Reply:
        term = self.term(taxonomy, term_id)
        if term is None:
            return wp_error(404, "rest_term_invalid", "Term does not exist.")
        return 200, {}, self._counted(taxonomy, term)

    def _create_term(self, taxonomy: str, body: dict) -> Reply:
        name = body.get("name")
        if body.get("__invalid__"):
            return wp_error(400, "rest_invalid_json", "Invalid JSON body passed.")
        if not isinstance(name, str) or not name.strip():
            return wp_error(400, "rest_missing_callback_param", "Missing parameter(s): name",
                            params=["name"])
        name = name.strip()
        slug = wp_slug(body.get("slug") or name)
        for term in self.terms[taxonomy]:
            if term["name"].lower() == name.lower() or term["slug"] == slug:
                return wp_error(400, "term_exists", "A term with the name provided already exists.",
                                term_id=term["id"])
        term = self._term(taxonomy, next(self._term_ids), name, slug)
        if body.get("description"):
            term["description"] = str(body["description"])
        self.terms[taxonomy].append(term)
        return 201, {"Location": f"{self.url}/wp-json/wp/v2/{taxonomy}/{term['id']}"}, self._counted(taxonomy, term)

    # --- media -------------------------------------------------------------------------------------------------

    def _list_media(self, query: dict[str, str]) -> Reply:
        items = self.media
        if "slug" in query:
            slugs = [slug.strip() for slug in query["slug"].split(",")]
            items = [item for item in items if item["slug"] in slugs]
        return self._page(sorted(items, key=lambda item: item["id"], reverse=True), query)

    def _get_media(self, media_id: int) -> Reply:
        item = next((item for item in self.media if item["id"] == media_id), None)
        if item is None:
            return wp_error(404, "rest_post_invalid_id", "Invalid post ID.")
        return 200, {}, item

    def _upload(self, request: Recorded) -> Reply:
        if not request.body:
            return wp_error(400, "rest_upload_no_data", "No data supplied.")
        disposition = request.headers.get("content-disposition", "")
        found = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition, flags=re.I)
        if not found:
            return wp_error(400, "rest_upload_no_content_disposition", "No Content-Disposition supplied.")
        filename = found.group(1).strip().replace("/", "-")
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        mime = content_type or mimetypes.guess_type(filename)[0] or ""
        if not mime or mime == "application/octet-stream":
            return wp_error(500, "rest_upload_sideload_error", "Sorry, you are not allowed to upload this file type.")
        now = _now()
        stem, dot, suffix = filename.rpartition(".")
        stem, suffix = (stem, dot + suffix) if dot else (filename, "")
        stored, number = f"{now:%Y/%m}/{filename}", 1
        while stored in self.files:
            stored = f"{now:%Y/%m}/{stem}-{number}{suffix}"
            number += 1
        self.files[stored] = request.body
        media_id = next(self._ids)
        slug = self._unique_slug(wp_slug(stem) or str(media_id), media_id)
        title = stem
        item = {
            "id": media_id, "date": _iso(now), "date_gmt": _iso(now), "modified": _iso(now), "modified_gmt": _iso(now),
            "slug": slug, "status": "inherit", "type": "attachment", "link": f"{self.url}/?attachment_id={media_id}",
            "title": {"raw": title, "rendered": html.escape(title, quote=False)}, "author": self.user_id,
            "caption": {"raw": "", "rendered": ""}, "alt_text": "", "description": {"raw": "", "rendered": ""},
            "media_type": "image" if mime.startswith("image/") else "file", "mime_type": mime,
            "media_details": {"filesize": len(request.body), "file": stored, "sizes": {}}, "post": None,
            "source_url": f"{self.url}/wp-content/uploads/{stored}",
        }  # fmt: skip
        self.media.append(item)
        return 201, {"Location": f"{self.url}/wp-json/wp/v2/media/{media_id}"}, item

    def _update_media(self, media_id: int, body: dict) -> Reply:
        item = next((item for item in self.media if item["id"] == media_id), None)
        if item is None:
            return wp_error(404, "rest_post_invalid_id", "Invalid post ID.")
        if body.get("__invalid__"):
            return wp_error(400, "rest_invalid_json", "Invalid JSON body passed.")
        if "alt_text" in body:
            item["alt_text"] = str(body["alt_text"])
        for key in ("caption", "description", "title"):
            if key in body:
                item[key] = {"raw": str(body[key]), "rendered": html.escape(str(body[key]), quote=False)}
        item["modified"] = item["modified_gmt"] = _iso(_now())
        return 200, {}, item
