"""A contract fake of the Mastodon REST API endpoints herald uses, for one account with one bearer token.

Implements (from Mastodon's documentation and its source: `Api::V1::StatusesController`, `PostStatusService`,
`StatusLengthValidator`, `Api::V2::MediaController`, `Api::V1::MediaController`, `REST::InstanceSerializer`,
`Api::V1::Accounts::StatusesController`, rack-attack's throttle responder):
- `Authorization: Bearer <token>` on everything but the instance endpoints; otherwise 401
  `{"error": "The access token is invalid"}`. Errors are `{"error": "..."}`.
- `POST /api/v1/statuses` (form, `media_ids[]`, or JSON): `status`, `in_reply_to_id`, `media_ids`, `visibility`
  (`public|unlisted|private|direct`), `spoiler_text`, `language`, `sensitive` -> 200 the status. In Mastodon's
  order: an unknown (or deleted) `in_reply_to_id` is 404 (`set_thread`, before anything else); then the
  `Idempotency-Key`: a key seen within `idempotency_window` (3,600 s, counted from when its status was made)
  returns that same status whatever the body says, no second status (a key whose status was deleted is 404
  "Record not found", as `@account.statuses.find` answers); then media (more than 4, unknown, already attached,
  or still processing: 422), blank text without media (422), and the length (422 "Validation failed: Text
  character limit of N exceeded"). Length as `StatusLengthValidator` counts: grapheme clusters of
  `spoiler_text + text`, each URL with a protocol (twitter-text's extractor) counting `url_weight`, a mention
  `@user@domain` counting as `@user`.
- `content` is HTML as Mastodon's TextFormatter makes it: paragraphs on blank lines, `<br />` on line ends, links
  as `<a>` with `<span class="invisible">` around the protocol and the tail past 30 characters, hashtags as links;
  `Status.text` keeps the source. `url` is `<fake>/@<username>/<id>`.
- `GET /api/v1/statuses/:id`; `DELETE /api/v1/statuses/:id` -> 200 the status with its source `text` (404 when
  unknown or deleted); `GET /api/v1/accounts/verify_credentials` (the account with `source`);
  `GET /api/v1/accounts/:id/statuses`: newest first, `limit` (20, at most 40), `max_id`, `since_id`, `min_id`,
  `exclude_replies`, `only_media`, `pinned`; a `Link` header with `next` / `prev`.
- `POST /api/v2/media` (multipart `file`, `description` up to 1,500 characters, `focus`): 200 with the
  attachment, or, with `processing_polls=N`, 202 with `url: null`, and `GET /api/v1/media/:id` answers 206 the
  next N times, then 200 with the url; attaching it before that is 422. `POST /api/v1/media` is processed at once.
  Unattached media only: `GET /api/v1/media/:id` of an attached one is 404, as in Mastodon.
- `GET /api/v2/instance` (`configuration.statuses.max_characters`, `characters_reserved_per_url`, media limits,
  `api_versions`) and `GET /api/v1/instance` (with `version`), without a token. A trailing `/` is ignored.
- Every authenticated answer carries `X-RateLimit-Limit` (`rate_limit`, 300), `X-RateLimit-Remaining` and
  `X-RateLimit-Reset` (ISO 8601, the end of the 5-minute window); past the limit, 429 `{"error": "Too many
  requests"}`. Every write is subject to the `FaultPlan` (`methods=("POST", "DELETE")` to fault deletes); a 429
  fault's `X-RateLimit-Reset` is `retry_after` seconds ahead (Mastodon sends no `Retry-After`).

Ids are snowflakes as Mastodon makes them (`ms << 16 | sequence`), so `min_id` / `max_id` may be times as
Mastodon.py sends them. `fake.advance(seconds)` moves the fake's clock (idempotency keys expire, the rate window
resets, later ids are later).

Does not implement: scheduled statuses, polls, quotes, edits, mentions that notify (a mention stays text, as for an
account the instance does not know), media other than images, the redis lock that answers 503 to a concurrent
request with the same key (the fake answers one request at a time), per-family status limits, OAuth flows.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode

import regex
from faults import FaultPlan
from recording_server import Lost, Recorded, RecordingServer, Reply
from twitter_text.extract_urls import extract_urls_with_indices
from x_api import image_size, sniff_type

ACCOUNT = {"id": "109332071983912345", "username": "wikimediapolicy", "acct": "wikimediapolicy",
           "display_name": "Wikimedia Policy", "locked": False, "bot": False}
TOKEN_INVALID = "The access token is invalid"
NOT_FOUND = "Record not found"
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."
TOO_MANY = "Too many requests"
VISIBILITIES = ("public", "unlisted", "private", "direct")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif")
MEDIA_LIMIT = 4
DESCRIPTION_LIMIT = 1500
RATE_PERIOD = 300
LINK_DISPLAY = 30  # TextFormatter shows this much of a link's address, the rest in an invisible span
STATUS = re.compile(r"^/api/v1/statuses/([^/]+)$")
MEDIA = re.compile(r"^/api/v1/media/([^/]+)$")
ACCOUNT_STATUSES = re.compile(r"^/api/v1/accounts/([^/]+)/statuses$")
MENTION = re.compile(r"(?<![\w/@])@(\w+(?:[\w.-]*\w)?)(?:@([\w-]+(?:\.[\w-]+)+))?", re.ASCII)
HASHTAG = re.compile(r"(?<![\w/#])#(\w+)")


def error(status: int, message: str) -> Reply:
    """A Mastodon error answer."""
    return status, {}, {"error": message}


def countable_text(text: str, url_weight: int) -> str:
    """The text as `StatusLengthValidator` counts it: URLs as `url_weight` x's, `@user@domain` as `@user`."""
    spans = [(*found["indices"], "x" * url_weight)
             for found in extract_urls_with_indices(text, extract_urls_without_protocol=False)]
    spans += [(m.start(), m.end(), "@" + m.group(1)) for m in MENTION.finditer(text)
              if not any(start <= m.start() < end for start, end, _ in spans)]
    out, last = [], 0
    for start, end, replacement in sorted(spans):
        out += [text[last:start], replacement]
        last = end
    return "".join([*out, text[last:]])


def countable_length(text: str, spoiler_text: str = "", url_weight: int = 23) -> int:
    """Grapheme clusters of the content warning and the countable text, as the server counts them."""
    return len(regex.findall(r"\X", spoiler_text + countable_text(text, url_weight)))


def link_html(url: str) -> str:
    """A link as Mastodon's TextFormatter writes it."""
    match = re.match(r"(?i)(https?://(?:www\.)?)(.*)", url)
    prefix, rest = (match.group(1), match.group(2)) if match else ("", url)
    shown, hidden = rest[:LINK_DISPLAY], rest[LINK_DISPLAY:]
    shown_class = "ellipsis" if hidden else ""
    return (f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
            f'<span class="invisible">{html.escape(prefix)}</span><span class="{shown_class}">{html.escape(shown)}'
            f'</span><span class="invisible">{html.escape(hidden)}</span></a>')


def inline_html(text: str, base: str) -> str:
    """One line: escaped, links and hashtags as `<a>`."""
    out, last = [], 0
    for found in extract_urls_with_indices(text, extract_urls_without_protocol=False):
        start, end = found["indices"]
        out += [_hashtags(text[last:start], base), link_html(found["url"])]
        last = end
    return "".join([*out, _hashtags(text[last:], base)])


def _hashtags(piece: str, base: str) -> str:
    out, last = [], 0
    for found in HASHTAG.finditer(piece):
        tag = found.group(1)
        out += [html.escape(piece[last:found.start()]),
                f'<a href="{base}/tags/{tag.lower()}" class="mention hashtag" rel="tag">#<span>{html.escape(tag)}'
                f"</span></a>"]
        last = found.end()
    return "".join([*out, html.escape(piece[last:])])


def content_html(text: str, base: str) -> str:
    """A status's `content`: `<p>` per paragraph, `<br />` per line end."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.replace("\r\n", "\n").strip()) if p]
    return "".join("<p>" + "<br />".join(inline_html(line, base) for line in p.split("\n")) + "</p>"
                   for p in paragraphs)


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Media:
    """An uploaded attachment; `status_id` once a status carries it; `polls_left` 206 answers before processed."""

    id: str
    data: bytes
    mime_type: str
    description: str | None
    focus: str | None = None
    polls_left: int = 0
    status_id: str | None = None

    @property
    def processed(self) -> bool:
        """Whether Mastodon has finished processing it (a status may carry it)."""
        return self.polls_left == 0


@dataclass
class Status:
    """A status the fake accepted: `text` is the source as sent, `content` the HTML Mastodon renders."""

    id: str
    text: str
    content: str
    spoiler_text: str
    visibility: str
    language: str
    in_reply_to_id: str | None
    sensitive: bool
    created_at: float
    media_ids: tuple[str, ...] = ()
    idempotency_key: str | None = None
    deleted: bool = field(default=False)


class FakeMastodon(RecordingServer):
    """One Mastodon account behind `access_token`; `statuses` live in posting order, `deleted` those deleted since.

    `faults` (a `FaultPlan`) fails writes before or after applying them; `injected` lists the faults injected.
    """

    retry_after_header = False  # rack-attack's 429 carries X-RateLimit-Reset, not Retry-After

    def __init__(
        self, access_token: str, *, faults: FaultPlan | None = None, max_characters: int = 500,
        url_weight: int = 23, processing_polls: int = 0, idempotency_window: float = 3600.0,
        rate_limit: int = 300, version: str = "4.3.2", latency: float = 0.0,
    ) -> None:
        super().__init__(faults, latency=latency)
        self.access_token = access_token
        self.max_characters = max_characters
        self.url_weight = url_weight
        self.processing_polls = processing_polls
        self.idempotency_window = idempotency_window
        self.rate_limit = rate_limit
        self.version = version
        self.account = dict(ACCOUNT)
        self.statuses: list[Status] = []
        self.deleted: list[Status] = []
        self.media: dict[str, Media] = {}
        self.keys: dict[str, tuple[str, float]] = {}  # Idempotency-Key -> (status id, when it expires)
        self.offset = 0.0  # seconds added to the clock by advance()
        self._sequence = itertools.count(1)
        self._last_id = 0
        self._window_start = 0.0
        self._used = 0

    # clock and rate limit

    def now(self) -> float:
        """The fake's clock: real time plus `advance`d seconds."""
        return time.time() + self.offset

    def snowflake(self) -> str:
        """A new id as Mastodon makes them: milliseconds since the epoch shifted 16 bits, plus a sequence."""
        candidate = (int(self.now() * 1000) << 16) | (next(self._sequence) & 0xFFFF)
        self._last_id = max(candidate, self._last_id + 1)
        return str(self._last_id)

    def advance(self, seconds: float) -> None:
        """Move the clock forward: idempotency keys and the rate-limit window see the time pass."""
        self.offset += seconds

    def _window(self) -> float:
        now = self.now()
        if now >= self._window_start + RATE_PERIOD:
            self._window_start, self._used = now - now % RATE_PERIOD, 0
        return self._window_start + RATE_PERIOD

    def _limit_headers(self, remaining: int | None = None, reset: float | None = None) -> dict[str, str]:
        end = self._window() if reset is None else reset
        left = max(0, self.rate_limit - self._used) if remaining is None else remaining
        stamp = dt.datetime.fromtimestamp(end, dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        return {"X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": str(left),
                "X-RateLimit-Reset": stamp}

    # wiring

    @property
    def api_base(self) -> str:
        """What `MastodonSettings.api_base` should be."""
        return self.url

    def receive(self, request: Recorded) -> Reply | Lost:
        outcome = super().receive(request)
        if isinstance(outcome, Lost):
            return outcome
        status, headers, body = outcome
        if "X-RateLimit-Limit" not in headers and self._authorized(request):
            with self._lock:
                headers = {**self._limit_headers(), **headers}
        return status, headers, body

    def fault_reply(self, status: int) -> Reply:
        if status == 429:
            ahead = self.faults.retry_after if self.faults is not None and self.faults.retry_after else 60
            return 429, self._limit_headers(0, self.now() + ahead), {"error": TOO_MANY}
        messages = {401: TOKEN_INVALID, 404: NOT_FOUND, 422: "Validation failed",
                    503: "There was a temporary problem serving your request, please try again"}
        return error(status, messages.get(status, HTTPStatus(status).phrase))

    def _authorized(self, request: Recorded) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.access_token}"

    def respond(self, request: Recorded) -> Reply:
        method, path = request.method, request.path.rstrip("/") or "/"
        if method == "GET" and path == "/api/v2/instance":
            return 200, {}, self._instance_v2()
        if method == "GET" and path == "/api/v1/instance":
            return 200, {}, self._instance_v1()
        if not self._authorized(request):
            return error(401, TOKEN_INVALID)
        self._window()
        self._used += 1
        if self._used > self.rate_limit:
            return 429, self._limit_headers(0), {"error": TOO_MANY}
        if (method, path) == ("GET", "/api/v1/accounts/verify_credentials"):
            return 200, {}, {**self._account(), "source": {"privacy": "public", "sensitive": False,
                                                            "language": "en", "note": "", "fields": []}}
        if (method, path) == ("POST", "/api/v1/statuses"):
            return self._create(fields(request), request.headers.get("idempotency-key", "").strip())
        if method == "POST" and path in ("/api/v2/media", "/api/v1/media"):
            return self._upload(request, asynchronous=path.startswith("/api/v2/"))
        if found := STATUS.match(path):
            status = self._live(found.group(1))
            if status is None or method not in ("GET", "DELETE"):
                return error(404, NOT_FOUND)
            if method == "DELETE":
                return self._delete(status)
            return 200, {}, self.status_json(status)
        if method == "GET" and (found := MEDIA.match(path)):
            return self._media_status(found.group(1))
        if method == "GET" and (found := ACCOUNT_STATUSES.match(path)):
            return self._account_statuses(found.group(1), request.query)
        return error(404, NOT_FOUND)

    # statuses

    def _live(self, status_id: str) -> Status | None:
        return next((status for status in self.statuses if status.id == status_id), None)

    def _create(self, params: dict[str, list], key: str) -> Reply:
        reply_to = _one(params, "in_reply_to_id")
        if reply_to and self._live(reply_to) is None:
            return error(404, REPLY_NOT_FOUND)
        if key:
            seen = self.keys.get(key)
            if seen is not None and seen[1] > self.now():
                earlier = self._live(seen[0])
                return (200, {}, self.status_json(earlier)) if earlier else error(404, NOT_FOUND)
        text, spoiler = _one(params, "status") or "", _one(params, "spoiler_text") or ""
        media_ids = [str(value) for value in params.get("media_ids", [])]
        if len(media_ids) > MEDIA_LIMIT:
            return error(422, f"Cannot attach more than {MEDIA_LIMIT} files")
        missing = [i for i in media_ids if i not in self.media or self.media[i].status_id is not None]
        if missing:
            return error(422, f"Media {', '.join(missing)} not found or already attached to another post")
        if any(not self.media[i].processed for i in media_ids):
            return error(422, "Cannot attach files that have not finished processing. Try again in a moment!")
        visibility = _one(params, "visibility") or "public"
        if visibility not in VISIBILITIES:
            return error(422, "Validation failed: Visibility is not included in the list")
        if not text.strip() and not media_ids:
            return error(422, "Validation failed: Text can't be blank")
        if countable_length(text, spoiler, self.url_weight) > self.max_characters:
            return error(422, f"Validation failed: Text character limit of {self.max_characters} exceeded")
        language = _one(params, "language") or "en"
        sensitive = (_one(params, "sensitive") or "").lower() in ("1", "true") or bool(spoiler)
        status = Status(self.snowflake(), text, content_html(text, self.url), spoiler, visibility,
                        language if re.fullmatch(r"[a-z]{2,3}", language) else "en", reply_to or None, sensitive,
                        self.now(), tuple(media_ids), key or None)
        for media_id in media_ids:
            self.media[media_id].status_id = status.id
        self.statuses.append(status)
        if key:
            self.keys[key] = (status.id, self.now() + self.idempotency_window)
        return 200, {}, self.status_json(status)

    def _delete(self, status: Status) -> Reply:
        self.statuses.remove(status)
        status.deleted = True
        self.deleted.append(status)
        return 200, {}, {**self.status_json(status), "text": status.text}

    def _account_statuses(self, account_id: str, query: dict[str, str]) -> Reply:
        if account_id != self.account["id"]:
            return error(404, NOT_FOUND)
        try:
            limit = min(max(int(query.get("limit", "20")), 1), 40)
        except ValueError:
            limit = 20
        if _true(query.get("pinned")):
            return 200, {}, []
        found = sorted(self.statuses, key=lambda status: int(status.id), reverse=True)
        if _true(query.get("exclude_replies")):
            found = [status for status in found if status.in_reply_to_id is None]
        if _true(query.get("only_media")):
            found = [status for status in found if status.media_ids]
        for name, keep in (("max_id", lambda s, v: int(s.id) < v), ("since_id", lambda s, v: int(s.id) > v),
                           ("min_id", lambda s, v: int(s.id) > v)):
            if query.get(name, "").isdigit():
                found = [status for status in found if keep(status, int(query[name]))]
        page = found[-limit:] if query.get("min_id", "").isdigit() else found[:limit]
        headers = {}
        if page:
            base = f"{self.url}/api/v1/accounts/{account_id}/statuses"
            headers["Link"] = (f'<{base}?{urlencode({"limit": limit, "max_id": page[-1].id})}>; rel="next", '
                               f'<{base}?{urlencode({"limit": limit, "min_id": page[0].id})}>; rel="prev"')
        return 200, headers, [self.status_json(status) for status in page]

    def status_json(self, status: Status) -> dict:
        """A status as REST::StatusSerializer writes it."""
        url = f"{self.url}/@{self.account['username']}/{status.id}"
        return {
            "id": status.id, "created_at": _iso(status.created_at), "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": self.account["id"] if status.in_reply_to_id else None,
            "sensitive": status.sensitive, "spoiler_text": status.spoiler_text, "visibility": status.visibility,
            "language": status.language, "uri": f"{self.url}/users/{self.account['username']}/statuses/{status.id}",
            "url": url, "replies_count": sum(s.in_reply_to_id == status.id for s in self.statuses),
            "reblogs_count": 0, "favourites_count": 0, "edited_at": None, "content": status.content,
            "reblog": None, "application": {"name": "herald", "website": None}, "account": self._account(),
            "media_attachments": [self.media_json(self.media[i]) for i in status.media_ids],
            "mentions": [], "tags": [{"name": tag.lower(), "url": f"{self.url}/tags/{tag.lower()}"}
                                     for tag in HASHTAG.findall(status.text)],
            "emojis": [], "card": None, "poll": None,
        }

    def _account(self) -> dict:
        return {**self.account, "url": f"{self.url}/@{self.account['username']}", "note": "",
                "created_at": "2022-11-10T00:00:00.000Z", "followers_count": 0, "following_count": 0,
                "statuses_count": len(self.statuses), "avatar": f"{self.url}/avatars/original/missing.png",
                "header": f"{self.url}/headers/original/missing.png", "emojis": [], "fields": []}

    # media

    def _upload(self, request: Recorded, *, asynchronous: bool) -> Reply:
        form = multipart(request)
        data = form.get("file")
        if not data:
            return error(422, "Validation failed: File can't be blank")
        mime_type = sniff_type(data)
        if mime_type not in IMAGE_TYPES:
            return error(422, "Validation failed: File content type is invalid, File is invalid")
        description = form["description"].decode() if "description" in form else None
        if description is not None and len(description) > DESCRIPTION_LIMIT:
            return error(422, f"Validation failed: Description is too long (maximum is {DESCRIPTION_LIMIT} "
                              "characters)")
        focus = form["focus"].decode() if "focus" in form else None
        polls = self.processing_polls if asynchronous else 0
        media = Media(self.snowflake(), data, mime_type, description, focus, polls)
        self.media[media.id] = media
        return (202 if polls else 200), {}, self.media_json(media)

    def _media_status(self, media_id: str) -> Reply:
        media = self.media.get(media_id)
        if media is None or media.status_id is not None:
            return error(404, NOT_FOUND)
        if media.polls_left:
            media.polls_left -= 1
            return 206, {}, self.media_json(media, processed=False)
        return 200, {}, self.media_json(media)

    def media_json(self, media: Media, processed: bool | None = None) -> dict:
        """An attachment as REST::MediaAttachmentSerializer writes it (`url` null while processing)."""
        ready = media.processed if processed is None else processed
        extension = media.mime_type.split("/")[-1]
        path = f"{self.url}/system/media_attachments/files/{media.id}"
        size = image_size(media.data)
        meta = {}
        if size:
            width, height = size
            meta["original"] = {"width": width, "height": height, "size": f"{width}x{height}",
                                "aspect": width / height if height else 1}
        if media.focus:
            x, _, y = media.focus.partition(",")
            meta["focus"] = {"x": float(x or 0), "y": float(y or 0)}
        return {"id": media.id, "type": "image", "url": f"{path}/original/{media.id}.{extension}" if ready else None,
                "preview_url": f"{path}/small/{media.id}.{extension}", "remote_url": None,
                "preview_remote_url": None, "text_url": None, "meta": meta, "description": media.description,
                "blurhash": None}

    # instance

    def _instance_v2(self) -> dict:
        host = self.url.split("//", 1)[-1]
        return {
            "domain": host, "title": "herald test instance", "version": self.version,
            "source_url": "https://github.com/mastodon/mastodon", "description": "A contract fake.",
            "usage": {"users": {"active_month": 1}},
            "thumbnail": {"url": f"{self.url}/packs/media/images/preview.png"}, "languages": ["en"],
            "configuration": {
                "urls": {"streaming": f"ws://{host}"},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {"max_characters": self.max_characters, "max_media_attachments": MEDIA_LIMIT,
                             "characters_reserved_per_url": self.url_weight},
                "media_attachments": {"supported_mime_types": list(IMAGE_TYPES), "description_limit":
                                      DESCRIPTION_LIMIT, "image_size_limit": 16_777_216,
                                      "image_matrix_limit": 33_177_600, "video_size_limit": 103_809_024,
                                      "video_frame_rate_limit": 120, "video_matrix_limit": 8_294_400},
                "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300,
                          "max_expiration": 2_629_746},
                "translation": {"enabled": False},
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "api_versions": {"mastodon": 2},
            "contact": {"email": "admin@example.org", "account": None}, "rules": [],
        }

    def _instance_v1(self) -> dict:
        host = self.url.split("//", 1)[-1]
        v2 = self._instance_v2()
        return {"uri": host, "title": v2["title"], "short_description": "", "description": v2["description"],
                "email": "admin@example.org", "version": self.version, "urls": {"streaming_api": f"ws://{host}"},
                "stats": {"user_count": 1, "status_count": len(self.statuses), "domain_count": 1},
                "languages": ["en"], "registrations": False, "approval_required": False, "invites_enabled": False,
                "configuration": {key: v2["configuration"][key] for key in ("statuses", "media_attachments",
                                                                            "polls")},
                "contact_account": None, "rules": []}

    # for tests

    def thread(self, root_id: str) -> list[Status]:
        """The reply chain from `root_id`, following the first reply to each status, in order."""
        chain = [status for status in self.statuses if status.id == root_id]
        while chain:
            reply = next((status for status in self.statuses if status.in_reply_to_id == chain[-1].id), None)
            if reply is None:
                break
            chain.append(reply)
        return chain

    def texts(self) -> Counter[str]:
        """How many live statuses carry each text: over 1 means a status was posted twice."""
        return Counter(status.text for status in self.statuses)

    def media_of(self, status: Status) -> list[Media]:
        """The attachments of a status, in order."""
        return [self.media[media_id] for media_id in status.media_ids]


def _one(params: dict[str, list], name: str) -> str | None:
    values = params.get(name)
    return str(values[0]) if values else None


def _true(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true")


def fields(request: Recorded) -> dict[str, list]:
    """A write's parameters as Rails reads them: form (`name[]` repeated) or JSON; every value a list."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = json.loads(request.body or b"{}")
        return {name: value if isinstance(value, list) else [value] for name, value in body.items()
                if value is not None}
    if content_type.startswith("multipart/form-data"):
        return {name: [value.decode(errors="replace")] for name, value in multipart(request).items()}
    out: dict[str, list] = {}
    for name, value in parse_qsl(request.body.decode(), keep_blank_values=True):
        out.setdefault(name.removesuffix("[]"), []).append(value)
    return out


def multipart(request: Recorded) -> dict[str, bytes]:
    """The fields of a `multipart/form-data` body (empty for any other)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return {}
    parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request.body)
    out = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            out[name] = part.get_payload(decode=True) or b""
    return out
