"""Diff, live: the WordPress REST API with an application password."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html
import json
import mimetypes
from collections.abc import Sequence
from typing import Any, NoReturn

import httpx
from slugify import slugify

from channels.diff.render import DiffDraft
from channels.diff.settings import DiffSettings
from content.body_images import InlineImage, media_filename, unique_images
from herald.core.draft import Receipt
from herald.core.ledger import Ledger
from herald.core.outcomes import http_failure, network_failure
from herald.core.parts import tracked_write
from herald.core.transport import PreflightError, TransientError, Transport, TransportError

CHANNEL = "diff"
API = "wp/v2"
IMAGE_PART = "image"  # a body image's upload; the featured image is the "media" part


def term_slug(name: str) -> str:
    """The slug WordPress would give a term name (it drops apostrophes rather than splitting on them)."""
    return slugify(name, replacements=[["'", ""], ["\u2019", ""]])


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None


def _term_names(draft: DiffDraft) -> list[tuple[str, str]]:
    """(taxonomy, name) of every tag, then every category, in the order their ledger parts are numbered."""
    return [("tags", name) for name in draft.tags] + [("categories", name) for name in draft.categories]


def _utc_now() -> str:
    """Now as WordPress writes `date_gmt` (comparable as text)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "")


def _error(response: httpx.Response) -> tuple[str, str, dict]:
    """WordPress's error `code`, `message` and `data`, or the bare status when the body is not its JSON."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "code" in body:
        return str(body["code"]), str(body.get("message", "")), body.get("data") or {}
    return f"http_{response.status_code}", response.reason_phrase, {}


class WordPressTransport(Transport):
    """Publishes a DiffDraft: terms by name, the featured image, then the post, never twice."""

    kind = "live"

    def __init__(self, settings: DiffSettings, ledger: Ledger, slug: str, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.ledger = ledger
        self.slug = slug
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=settings.timeout_seconds)
        self._auth = httpx.BasicAuth(settings.username, settings.app_password.get_secret_value() if
                                     settings.app_password else "")  # fmt: skip
        self._pretty: bool | None = None  # /wp-json/ works; None until the first GET finds out
        self._looked_up: tuple[tuple, list, dict[tuple[str, str], int]] | None = None  # see look_up
        self.created_terms: list[str] = []  # terms this transport created, for the publish output

    def _url(self, route: str, params: dict | None) -> tuple[str, dict]:
        """The URL and query of a wp/v2 route, with or without pretty permalinks."""
        if self._pretty is False:
            return f"{self.settings.base_url}/", {"rest_route": f"/{API}/{route}", **(params or {})}
        return f"{self.settings.base_url}/wp-json/{API}/{route}", dict(params or {})

    def _call(self, method: str, route: str, params: dict | None = None, **kwargs: Any) -> httpx.Response:
        url, query = self._url(route, params)
        try:
            response = self._client.request(
                method, url, params=query, auth=self._auth, timeout=self.settings.timeout_seconds, **kwargs
            )
        except httpx.HTTPError as error:
            # A write that went out with no answer: the next attempt looks it up (post by slug, term by slug).
            raise network_failure(CHANNEL, f"{method} {route}", url, error, write=method != "GET",
                                  reconcilable=True) from None
        if self._pretty is None and method == "GET":
            # Without rewrites WordPress answers /wp-json/... with an HTML page (or a 404), never its JSON.
            self._pretty = _is_json(response)
            if not self._pretty:
                return self._call(method, route, params, **kwargs)
        return response

    def _request(self, method: str, route: str, params: dict | None = None, **kwargs: Any) -> Any:
        """Call the API and return its JSON; errors become TransientError or TransportError."""
        response = self._call(method, route, params, **kwargs)
        if not response.is_success:
            self._raise(response, method, route)
        if not _is_json(response):
            raise TransportError(f"{CHANNEL}: {self.settings.base_url} does not answer like the WordPress REST API")
        return response.json()

    def _raise(self, response: httpx.Response, method: str, route: str) -> NoReturn:
        code, message, _ = _error(response)
        raise http_failure(CHANNEL, f"{method} {route}", response.status_code, f"{code}: {message}",
                           write=method != "GET", reconcilable=True, retry_after=_retry_after(response))

    def preflight(self, draft: DiffDraft) -> None:
        """Check the credentials and the user's capabilities with `users/me`, and that the image is there."""
        if draft.image_file is not None and not draft.image_file.is_file():
            raise PreflightError(f"{CHANNEL}: the featured image {draft.image_file} does not exist")
        for path in draft.body_image_files:
            if not path.is_file():
                raise PreflightError(f"{CHANNEL}: the body image {path} does not exist")
        try:
            response = self._call("GET", "users/me", {"context": "edit"})
        except TransientError as error:
            raise PreflightError(str(error)) from None
        user = self.settings.username
        if response.status_code in (401, 403):
            code = _error(response)[0]
            raise PreflightError(f"{CHANNEL}: WordPress rejected the credentials for user {user!r} ({code})")
        if not response.is_success or not _is_json(response):
            code, message, _ = _error(response)
            raise PreflightError(
                f"{CHANNEL}: WordPress at {self.settings.base_url} answered {response.status_code}: {code}: {message}"
            )
        capabilities = response.json().get("capabilities") or {}
        needed = ["publish_posts"] if draft.status in ("publish", "future", "private") else ["edit_posts"]
        if draft.image_file is not None or draft.body_image_files:
            needed.append("upload_files")
        missing = [name for name in needed if capabilities and not capabilities.get(name)]
        if missing:
            raise PreflightError(f"{CHANNEL}: WordPress user {user!r} lacks {', '.join(missing)}")

    def look_up(self, draft: DiffDraft) -> None:
        """The read-only lookups `send` starts with (the post by slug, the terms), done ahead so that they overlap
        the other channels' pre-flights; the next `send` of this draft uses them once (a retry looks up again).
        A failure here is left for `send`, which then looks up itself."""
        self._looked_up = None
        if any(part.status == "done" for part in self.ledger.parts(self.slug, CHANNEL, "post")):
            return  # already posted: send is not expected to run
        names = _term_names(draft)
        try:
            existing = self._request("GET", "posts", {"slug": draft.slug, "status": "any", "context": "edit"})
            known = {} if existing else self._known_terms(names)
        except TransportError:
            return
        self._looked_up = ((draft.slug, tuple(names)), existing, known)

    def send(self, draft: DiffDraft) -> Receipt:
        """Create the post unless one with this slug exists; return where it lives."""
        names = _term_names(draft)
        looked_up, self._looked_up = self._looked_up, None
        if looked_up is not None and looked_up[0] == (draft.slug, tuple(names)):
            _, existing, known = looked_up
        else:
            existing = self._request("GET", "posts", {"slug": draft.slug, "status": "any", "context": "edit"})
            known = None
        if existing:
            post = existing[0]
            if post.get("status") == "draft" and draft.status in ("future", "publish") and self._ours(post):
                body = {"status": draft.status, **({"date_gmt": draft.date} if draft.date else {})}
                post = self._request("POST", f"posts/{post['id']}", json=body)  # scheduled again after unschedule
            self.ledger.mark_part_done(self.slug, CHANNEL, "post", 0, str(post["id"]), post.get("link"))
            return Receipt(CHANNEL, "published", post.get("link"), str(post["id"]), "already on the site")
        ids: dict[str, list[int]] = {"tags": [], "categories": []}
        known = self._known_terms(names) if known is None else known
        for position, (taxonomy, name) in enumerate(names):
            ids[taxonomy].append(self._term(taxonomy, name, position, known))
        body: dict[str, Any] = {
            "title": draft.title, "content": draft.content, "excerpt": draft.excerpt, "slug": draft.slug,
            "status": draft.status, **ids,
        }  # fmt: skip
        if draft.date:
            body["date_gmt"] = draft.date
        if draft.image_file is not None:
            body["featured_media"] = self._media(draft)
        with tracked_write(self.ledger, self.slug, CHANNEL, "post", 0, _digest(json.dumps(body, sort_keys=True))):
            post = self._request("POST", "posts", json=body)
        self.ledger.mark_part_done(self.slug, CHANNEL, "post", 0, str(post["id"]), post.get("link"))
        created = f"; {', '.join(self.created_terms)}" if self.created_terms else ""
        return Receipt(CHANNEL, "published", post.get("link"), str(post["id"]),
                       f"post {post['id']} {post['status']}{created}")

    def site_terms(self, taxonomy: str) -> list[dict]:
        """Every term of a taxonomy on the site (all pages)."""
        terms: list[dict] = []
        for page in range(1, 100):
            batch = self._request("GET", taxonomy, {"per_page": 100, "page": page, "context": "view"})
            terms += batch
            if len(batch) < 100:
                break
        return terms

    def check_site(self, draft: DiffDraft) -> None:
        """Refuse categories the site does not have (they are curated), with the closest one it has."""
        if not draft.categories:
            return
        try:
            terms = self.site_terms("categories")
        except TransportError as error:
            raise PreflightError(f"{CHANNEL}: could not read the site's categories: {error}") from None
        slugs = {term.get("slug") for term in terms}
        names = [html.unescape(str(term.get("name", ""))) for term in terms]
        for name in draft.categories:
            if term_slug(name) in slugs or name.casefold() in {known.casefold() for known in names}:
                continue
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else f" (the site has: {', '.join(sorted(names))})"
            raise PreflightError(f"{CHANNEL}: diff.categories: {name!r} is not a category on "
                                 f"{self.settings.base_url}{hint} Categories are curated: add it in WordPress first")

    def new_tags(self, draft: DiffDraft) -> list[str]:
        """The draft's tags the site does not have yet (publishing creates them)."""
        names = [("tags", name) for name in draft.tags]
        known = self._known_terms(names) if names else {}
        return [name for _, name in names if ("tags", term_slug(name)) not in known]

    def _ours(self, post: dict) -> bool:
        """Whether the ledger records this post as the one herald created for this update."""
        part = self.ledger.part(self.slug, CHANNEL, "post", 0)
        return part is not None and part.status == "done" and part.remote_id == str(post.get("id"))

    def _known_terms(self, names: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The IDs of the terms already on the site, by (taxonomy, slug): one lookup per taxonomy (`slug=a,b`)."""
        known: dict[tuple[str, str], int] = {}
        for taxonomy in dict.fromkeys(taxonomy for taxonomy, _ in names):
            slugs = list(dict.fromkeys(term_slug(name) for tax, name in names if tax == taxonomy))
            for term in self._request("GET", taxonomy, {"slug": ",".join(slugs), "per_page": 100}):
                if term.get("slug") in slugs:
                    known[(taxonomy, term["slug"])] = int(term["id"])
        return known

    def _term(self, taxonomy: str, name: str, position: int, known: dict[tuple[str, str], int]) -> int:
        """The ID of a tag or category by name: found by slug (in `known`), created when missing."""
        slug = term_slug(name)
        if (taxonomy, slug) in known:
            term_id = known[(taxonomy, slug)]
        else:
            with tracked_write(self.ledger, self.slug, CHANNEL, "term", position, _digest(f"{taxonomy}\0{name}")):
                response = self._call("POST", taxonomy, json={"name": name, "slug": slug})
                if response.is_success:
                    term_id = int(response.json()["id"])
                    self.created_terms.append(f"new {'tag' if taxonomy == 'tags' else 'category'} {name!r}")
                else:
                    code, _, data = _error(response)
                    if code != "term_exists" or "term_id" not in data:
                        self._raise(response, "POST", taxonomy)
                    term_id = int(data["term_id"])  # the same name already there under another slug
            known[(taxonomy, slug)] = term_id
        self.ledger.mark_part_done(self.slug, CHANNEL, "term", position, str(term_id))
        return term_id

    def _media(self, draft: DiffDraft) -> int:
        """Upload the featured image once (the ledger remembers it across reruns) and set its alt text."""
        assert draft.image_file is not None
        data = draft.image_file.read_bytes()
        media = self._upload_once("media", 0, data, draft.image_file.suffix, draft.image_alt or "")
        return int(media["id"])

    def upload_images(self, images: Sequence[InlineImage]) -> dict[str, str]:
        """Upload each body image once, with its alt text; their WordPress URLs by content digest."""
        urls: dict[str, str] = {}
        for image in unique_images(images):
            done = self.ledger.parts(self.slug, CHANNEL, IMAGE_PART)
            mine = next((part for part in done if part.payload_hash == image.digest), None)
            position = mine.position if mine else max((part.position for part in done), default=-1) + 1
            media = self._upload_once(IMAGE_PART, position, image.path.read_bytes(), image.path.suffix, image.alt)
            urls[image.digest] = str(media["source_url"])
        return urls

    def _upload_once(self, kind: str, position: int, data: bytes, suffix: str, alt: str) -> dict:
        """The attachment for these bytes, uploaded at most once, with `alt` set.

        Its file name comes from the content hash, so WordPress gives it a predictable slug: an upload whose
        reply was lost is found by that slug instead of being uploaded again."""
        digest = _digest(data)
        part = self.ledger.part(self.slug, CHANNEL, kind, position)
        if part is not None and part.status == "done" and part.remote_id and part.payload_hash == digest:
            # Setting the alt text again also proves the upload is still there; a 404 means it was deleted.
            response = self._call("POST", f"media/{part.remote_id}", json={"alt_text": alt})
            if response.is_success and _is_json(response):
                return response.json()
            if response.status_code != 404:
                self._raise(response, "POST", "media")
        filename = media_filename(digest, suffix)
        found = self._request("GET", "media", {"slug": filename.rsplit(".", 1)[0], "context": "edit"})
        if found:
            media = found[0]
        else:
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            headers = {"Content-Type": content_type, "Content-Disposition": f'attachment; filename="{filename}"'}
            with tracked_write(self.ledger, self.slug, CHANNEL, kind, position, digest):
                media = self._request("POST", "media", content=data, headers=headers)
        self.ledger.mark_part_done(self.slug, CHANNEL, kind, position, str(media["id"]), media.get("source_url"))
        if media.get("alt_text") != alt:
            media = self._request("POST", f"media/{media['id']}", json={"alt_text": alt})
        return media

    def post_by_id(self, post_id: int) -> dict | None:
        """The post with this ID as an editor sees it (any status but deleted), or None."""
        response = self._call("GET", f"posts/{post_id}", {"context": "edit"})
        if response.status_code == 404 or (response.status_code == 410):
            return None
        if not response.is_success:
            self._raise(response, "GET", "posts")
        return response.json()

    def ensure_published(self, post_id: int) -> str | None:
        """Publish a `future` post whose time has come (WordPress's cron may not have run); return its link."""
        post = self.post_by_id(post_id)
        if post is None:
            return None
        if post.get("status") == "future" and str(post.get("date_gmt") or "") <= _utc_now():
            post = self._request("POST", f"posts/{post_id}", json={"status": "publish"})
        return post.get("link")

    def set_status(self, post_id: int, status: str) -> dict:
        """Set a post's status (`draft` takes a scheduled post back); idempotent."""
        return self._request("POST", f"posts/{post_id}", json={"status": status})

    def update_post(self, post_id: int, draft: DiffDraft, revision: int, kind: str = "revision",
                    digest: str | None = None) -> Receipt:
        """Correct the post in place (same ID, slug and URL; WordPress keeps the old text as a revision); the ledger
        part is `kind` (a correction's "revision", or "links" for its language links) with `digest` if given."""
        names = _term_names(draft)
        known = self._known_terms(names)
        ids: dict[str, list[int]] = {"tags": [], "categories": []}
        for position, (taxonomy, name) in enumerate(names):
            ids[taxonomy].append(self._term(taxonomy, name, position, known))
        body = {"title": draft.title, "content": draft.content, "excerpt": draft.excerpt, **ids}
        digest = digest or _digest(json.dumps(body, sort_keys=True))
        with tracked_write(self.ledger, self.slug, CHANNEL, kind, revision, digest):
            post = self._request("POST", f"posts/{post_id}", json=body)
        self.ledger.mark_part_done(self.slug, CHANNEL, kind, revision, str(post["id"]), post.get("link"))
        return Receipt(CHANNEL, "published", post.get("link"), str(post["id"]),
                       f"post {post['id']} corrected in place (revision {revision})")

    def trash_post(self, post_id: int) -> str:
        """Move the post to the trash (restorable from WordPress); a post already gone counts as done."""
        with tracked_write(self.ledger, self.slug, CHANNEL, "trash", 0, _digest(str(post_id))):
            response = self._call("DELETE", f"posts/{post_id}")
            if response.status_code in (404, 410) or (not response.is_success
                                                      and _error(response)[0] == "rest_already_trashed"):
                status = "already gone"
            elif not response.is_success:
                self._raise(response, "DELETE", "posts")
            else:
                status = str(response.json().get("status", "trash"))
        self.ledger.mark_part_done(self.slug, CHANNEL, "trash", 0, str(post_id))
        return status

    def close(self) -> None:
        """Release the HTTP connections of a client this transport made."""
        if self._owns_client:
            self._client.close()
