"""A contract fake of the X API endpoints herald uses, on one loopback server for all of X's hosts.

Implements (from X's documentation: the v2 OpenAPI document, version 2.167 as xdevplatform/xdk `specs/openapi.json`
carries it, docs.x.com's media pages, and tweepy's wire format):
- OAuth 1.0a user context on every request: the HMAC-SHA1 signature is checked against the public URL the client
  signed, `https://api.x.com` or `https://api.twitter.com` (X serves v2 on both; its documentation names api.x.com,
  its curl examples and client libraries still use api.twitter.com), including the body parameters of
  `application/x-www-form-urlencoded` requests, never those of multipart or JSON bodies, as RFC 5849 says;
  `fake.signed_host(request)` tells which host a request was signed for.
- `GET /2/users/me`; `POST /2/tweets` `{"text", "reply": {"in_reply_to_tweet_id"}, "media": {"media_ids"}}` ->
  201 `{"data": {"id", "text", "edit_history_tweet_ids"}}`; unknown reply target -> 400; unknown, unfinished,
  still processing or expired media id -> 400 (`"Your media IDs are invalid."`); text identical to one of the
  user's recent tweets (the last `duplicate_window`, default all, deleted ones excluded) -> 403 `{"detail": "You
  are not allowed to create a Tweet with duplicate content.", "title": "Forbidden", ...}` (tweepy: `Forbidden`).
- `DELETE /2/tweets/:id` -> 200 `{"data": {"deleted": true}}`; `GET /2/tweets/:id` (404 problem once deleted).
- `GET /2/users/:id/tweets`: newest first, `max_results` 5..100 (default 10), `pagination_token` /
  `meta.next_token`; only `id`, `text`, `edit_history_tweet_ids` unless `tweet.fields` asks for more
  (`referenced_tweets`, `created_at`, `conversation_id`, `author_id`, `in_reply_to_user_id`, `entities`,
  `attachments`); `expansions=attachments.media_keys` adds `includes.media` (`media.fields=alt_text`...).
- Media, v2:
  - simple upload `POST /2/media/upload`: multipart `media` (raw bytes) or JSON `media` (base64), `media_category`
    required, one of `tweet_image`, `dm_image`, `subtitles` (X keeps one-shot uploads for images and subtitles)
    -> 200 `{"data": {"id", "media_key", "size", "expires_after_secs", "image": {"image_type", "w", "h"}}}`;
  - chunked: `POST /2/media/upload/initialize` JSON `{"media_type", "total_bytes", "media_category"}` -> `{"data":
    {"id", "media_key", "expires_after_secs"}}`; `POST /2/media/upload/{id}/append` multipart (or JSON, base64)
    `media` + `segment_index` (0..999, any order; a segment sent again replaces it, as X lets a failed chunk be
    retried) -> `{"data": {"expires_at"}}`; `POST /2/media/upload/{id}/finalize` -> the upload's `data`, with
    `processing_info` `{"state": "pending", "check_after_secs"}` for video and GIF categories; a finalize with a
    segment missing or other than `total_bytes` bytes is a 400 and leaves the session open for more appends;
  - `GET /2/media/upload?command=STATUS&media_id=` -> `data` with `processing_info`, pending -> in_progress ->
    succeeded, one step per STATUS call (`processing_steps`); until it succeeds a tweet refuses the id, as X says;
  - `POST /2/media/metadata` `{"id", "metadata": {"alt_text": {"text"}}}` (at most 1000 characters) -> `{"data":
    {"id", "associated_metadata": {"alt_text": {"text"}}}}`.
  Media refusals (unknown or expired ids included) are 400 invalid-request problems `{"errors": [{"message"}],
  "title": "Invalid Request", "detail", "type"}`; a JSON endpoint sent another content type answers X's "Requests
  with bodies must have content-type of application/json.", malformed JSON X's "Request body is not valid JSON."
  (both as X sent them: PLhery/node-twitter-api-v2#591, sferik/x-ruby#71).
- The v1.1 media endpoints (`/1.1/media/upload.json`, `/1.1/media/metadata/create.json`, on any host, any method)
  answer as a removed route: 404 `{"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}`
  (tweepy: `NotFound`, `api_codes == [34]`), before authentication and outside the fault plan, storing nothing;
  `fake.v1_media_calls` keeps every attempt. X retired them in 2025 (devcommunity.x.com "Deprecating the v1.1
  media upload endpoints"; tweepy/tweepy#2217 "Deadline passed"; sns-sdks/python-twitter#175 "this has remove").
  No public report quotes what they answer since, so the fake answers what X documents for a path that does not
  exist (v1.1 error code 34 with HTTP 404, as clients saw for `media/upload` on a wrong host: ttezel/twit#169,
  #175). X's response-code table also has 410 Gone "used to indicate that an API endpoint has been turned off":
  a client must take any 4xx from these paths as final.
- Errors: v2 as problems `{"title", "detail", "type", "status"}` with `Content-Type: application/problem+json`
  (as X sends them: PLhery/node-twitter-api-v2#588), v1.1 as `{"errors": [{"code", "message"}]}`. Every write
  (tweets, deletes, uploads, initialize, append, finalize, metadata) is subject to the `FaultPlan` (give it
  `methods=("POST", "DELETE")` to fault deletes; rule paths like `/2/media/upload/*/append`); 429 faults carry
  `x-rate-limit-reset` (epoch seconds); `after` faults apply the write, then lose or replace the reply.
- With `shorten_urls=True` every URL in a stored tweet becomes `https://t.co/<10 chars>` as on X, with the
  original in `entities.urls[].expanded_url`; with `escape_html=True` `&`, `<`, `>` come back as `&amp;`,
  `&lt;`, `&gt;` as X's `text` does. `Tweet.text` is the stored form, `Tweet.original` what the client sent.

Media expire only when a test says so (`fake.expire_media(id)`): then, as X documents for ids used after
`expires_after_secs`, every call naming them is a 400.

Does not implement: expiry by the clock, X's exact duplicate window (a count of recent tweets stands in for it),
quotas other than what a scripted 429 gives, file and segment size limits, processing failures, subtitles,
`additional_owners` and `shared`, the command-style chunked upload on `/2/media/upload` (`?command=INIT|APPEND|
FINALIZE`, which X removed in 2025: answered 400), image decoding beyond PNG/GIF/JPEG headers, OAuth 2.0. Where
X's documentation is silent the fake chooses, and says so here: a second finalize repeats the first one's answer;
STATUS or metadata before finalize, and any unknown id, are 400s.

Routing: clients send to `https://api.x.com`, `https://api.twitter.com` (tweepy hard-codes it) and
`https://upload.twitter.com`. Mount `HostRewrite(fake.url)` on the client's `requests.Session` for each
(`fake.mount(session)` does that): the request is signed for the public URL first, then sent to the fake, which
checks the signature against the public hosts.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
import struct
import time
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
from faults import FaultPlan
from oauthlib.oauth1.rfc5849 import signature, utils
from recording_server import Lost, Recorded, RecordingServer, Reply
from twitter_text.extract_urls import extract_urls_with_indices

PUBLIC_HOST = "https://api.twitter.com"
X_HOST = "https://api.x.com"
UPLOAD_HOST = "https://upload.twitter.com"
V2_HOSTS = (X_HOST, PUBLIC_HOST)
PUBLIC_HOSTS = (X_HOST, PUBLIC_HOST, UPLOAD_HOST)
V1_MEDIA_PATHS = frozenset({"/1.1/media/upload.json", "/1.1/media/metadata/create.json"})
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
INVALID_MEDIA_IDS = "Your media IDs are invalid."
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
NOT_JSON = "Requests with bodies must have content-type of application/json."
BAD_JSON = "Request body is not valid JSON."
USER = {"id": "1467726470533754880", "name": "Global Advocacy", "username": "wikimediapolicy"}
PROBLEM_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str) -> Reply:
    """An X API v2 problem response."""
    return status, {"Content-Type": PROBLEM_TYPE}, {"title": title, "detail": detail, "type": "about:blank",
                                                    "status": status}


def invalid_request(*errors: str | dict) -> Reply:
    """X's 400 for a malformed request: one `errors` entry per fault found (a string is its `message`)."""
    return 400, {"Content-Type": PROBLEM_TYPE}, {
        "errors": [{"message": error} if isinstance(error, str) else error for error in errors],
        "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
        "type": INVALID_REQUEST}


def removed_v1() -> Reply:
    """What a retired v1.1 path answers: X's "no such page" (code 34, HTTP 404)."""
    return v1_error(404, 34, "Sorry, that page does not exist")


class Refused(Exception):
    """A request the fake refuses; `reply` is the answer."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply[0])
        self.reply = reply


def rate_limited(reset_in: int = 900) -> tuple[dict[str, str], dict]:
    """Headers and body of a 429, with `x-rate-limit-reset` `reset_in` seconds from now."""
    headers = {"x-rate-limit-limit": "17", "x-rate-limit-remaining": "0",
               "x-rate-limit-reset": str(int(time.time()) + reset_in)}
    return headers, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                     "status": 429}


TIMELINE = re.compile(r"^/2/users/([^/]+)/tweets$")
TWEET = re.compile(r"^/2/tweets/([^/]+)$")
TWEET_FIELDS = frozenset({"attachments", "author_id", "context_annotations", "conversation_id", "created_at",
                          "edit_controls", "entities", "geo", "id", "in_reply_to_user_id", "lang", "public_metrics",
                          "possibly_sensitive", "referenced_tweets", "reply_settings", "text", "withheld",
                          "edit_history_tweet_ids", "note_tweet"})
SHORT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Tweet:
    """A tweet the fake accepted: `text` as X stores it (URLs shortened when the fake shortens them)."""

    id: str
    text: str
    in_reply_to: str | None
    sent_text: str = ""  # the text the client sent, when it differs from `text`
    created_at: str = ""  # ISO 8601 with milliseconds, as X writes it
    urls: tuple[dict, ...] = field(default=())  # entities.urls: {start, end, url, expanded_url, display_url}
    media_ids: tuple[str, ...] = field(default=())  # media.media_ids the tweet was created with

    @property
    def original(self) -> str:
        """The text as the client sent it."""
        return self.sent_text or self.text


def escape(text: str) -> str:
    """`&`, `<` and `>` as X's API returns them in `text`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stored_text(text: str, seed: str, *, shorten_urls: bool, escape_html: bool) -> tuple[str, tuple[dict, ...]]:
    """The text as X stores and returns it, and its url entities (offsets into the returned text)."""
    if not shorten_urls:
        return (escape(text) if escape_html else text), ()
    return shorten(text, seed, escape if escape_html else (lambda piece: piece))


def shorten(text: str, seed: str, keep=lambda piece: piece) -> tuple[str, tuple[dict, ...]]:  # noqa: ANN001
    """`text` with every URL (as twitter-text finds them) replaced by a t.co link, and the url entities;
    `keep` transforms the text between the links."""
    out, urls, last = [], [], 0
    for number, found in enumerate(extract_urls_with_indices(text)):
        start, end = found["indices"]
        digest = hashlib.sha256(f"{seed}\0{number}\0{found['url']}".encode()).digest()
        short = "https://t.co/" + "".join(SHORT_CHARS[byte % len(SHORT_CHARS)] for byte in digest[:10])
        out.append(keep(text[last:start]))
        begin = sum(map(len, out))
        out.append(short)
        expanded = found["url"] if re.match(r"(?i)https?://", found["url"]) else "http://" + found["url"]
        display = re.sub(r"(?i)^https?://(www\.)?", "", expanded)
        urls.append({"start": begin, "end": begin + len(short), "url": short, "expanded_url": expanded,
                     "display_url": display if len(display) <= 27 else display[:26] + "\u2026"})
        last = end
    out.append(keep(text[last:]))
    return "".join(out), tuple(urls)


ONE_SHOT_CATEGORIES = frozenset({"tweet_image", "dm_image", "subtitles"})
CHUNKED_CATEGORIES = frozenset({"amplify_video", "tweet_gif", "tweet_image", "tweet_video", "dm_gif", "dm_image",
                                "dm_video", "subtitles"})
PROCESSED_CATEGORIES = frozenset({"amplify_video", "tweet_gif", "tweet_video", "dm_gif", "dm_video"})
MEDIA_TYPES = frozenset({"video/mp4", "video/webm", "video/mp2t", "video/quicktime", "text/srt", "text/vtt",
                         "image/jpeg", "image/gif", "image/bmp", "image/png", "image/webp", "image/pjpeg",
                         "image/tiff", "model/gltf-binary", "model/vnd.usdz+zip"})
INITIALIZE_FIELDS = frozenset({"additional_owners", "media_category", "media_type", "shared", "total_bytes"})
MAX_TOTAL_BYTES = 17179869184
MAX_SEGMENT_INDEX = 999
MAX_ALT_TEXT = 1000
EXPIRES_AFTER = 86400
MEDIA_ID = re.compile(r"^[0-9]{1,19}$")
SESSION = re.compile(r"^/2/media/upload/([^/]+)/(append|finalize)$")


@dataclass
class Media:
    """An upload: a simple one, or a chunked session (`chunked`) whose `data` is set at finalize."""

    id: str
    media_type: str
    category: str
    data: bytes = b""
    chunked: bool = False
    total_bytes: int | None = None
    segments: dict[int, bytes] = field(default_factory=dict)  # segment_index -> bytes, as appended
    state: str = "succeeded"  # initialized (chunked, not finalized) -> pending -> in_progress (STATUS) -> succeeded
    alt_text: str | None = None  # set by a metadata call
    alt_text_calls: int = 0  # how many metadata calls set an alt text on it
    status_calls: int = 0  # how many STATUS reads asked about it
    expires_at: int = 0  # epoch seconds
    expired: bool = False  # set by FakeX.expire_media: the id is refused from then on

    @property
    def key(self) -> str:
        """The media key: `3_<id>` for a photo, `13_` for a video, `16_` for an animated GIF."""
        if self.category in ("tweet_gif", "dm_gif"):
            return f"16_{self.id}"
        return f"13_{self.id}" if self.media_type.startswith("video/") else f"3_{self.id}"

    @property
    def finalized(self) -> bool:
        """Whether the bytes are all there (a simple upload always is)."""
        return self.state != "initialized"

    @property
    def usable(self) -> bool:
        """Whether a tweet may carry it: finalized, processed and not expired."""
        return self.state == "succeeded" and not self.expired

    @property
    def size(self) -> tuple[int, int] | None:
        """Width and height read from a PNG, GIF or JPEG header, or None."""
        return image_size(self.data)

    def digest(self) -> str:
        """SHA-256 of the bytes, to spot the same file uploaded twice."""
        return hashlib.sha256(self.data).hexdigest()


def default_category(media_type: str) -> str:
    """The category X assumes when an upload names none: tweet media of the file's kind."""
    if media_type.startswith("video/"):
        return "tweet_video"
    if media_type == "image/gif":
        return "tweet_gif"
    return "subtitles" if media_type.startswith("text/") else "tweet_image"


def json_body(request: Recorded) -> dict:
    """The request's JSON object, or X's refusal of another content type or of malformed JSON."""
    if request.body and not request.headers.get("content-type", "").startswith("application/json"):
        raise Refused(invalid_request(NOT_JSON))
    try:
        body = json.loads(request.body) if request.body else {}
    except ValueError:
        raise Refused(invalid_request(BAD_JSON)) from None
    if not isinstance(body, dict):
        raise Refused(invalid_request(BAD_JSON))
    return body


def media_fields(request: Recorded) -> dict[str, object]:
    """A media-carrying body's fields, multipart (raw `media`) or JSON (base64 `media`)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        raw = form_fields(request)
        fields: dict[str, object] = {name: value.decode(errors="replace") for name, value in raw.items()}
        fields["media"] = raw.get("media")
        return fields
    body = json_body(request)
    if "media" in body:
        body["media"] = decode_base64(body["media"])
    return body


def decode_base64(value: object) -> bytes:
    """The bytes of a base64 `media` value, or the refusal."""
    try:
        return base64.b64decode(value if isinstance(value, str) else "", validate=True)
    except (binascii.Error, ValueError):
        raise Refused(invalid_request("The `media` value is not valid base64.")) from None


def segment_index(value: object) -> int:
    """A valid `segment_index`, or the refusal."""
    try:
        index = int(value) if isinstance(value, int | str) and not isinstance(value, bool) else -1
    except ValueError:
        index = -1
    if not 0 <= index <= MAX_SEGMENT_INDEX:
        raise Refused(invalid_request(f"The `segment_index` value [{value}] is not valid: an integer from 0 to "
                                      f"{MAX_SEGMENT_INDEX} is required."))
    return index


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG, from its header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        at = 2
        while at + 9 < len(data) and data[at] == 0xFF:
            marker, length = data[at + 1], struct.unpack(">H", data[at + 2:at + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[at + 5:at + 9])
                return width, height
            at += 2 + length
    return None


def sniff_type(data: bytes) -> str:
    """The image MIME type from the file's magic bytes (`application/octet-stream` if unknown)."""
    for magic, kind in ((b"\x89PNG", "image/png"), (b"GIF8", "image/gif"), (b"\xff\xd8", "image/jpeg"),
                        (b"RIFF", "image/webp")):
        if data.startswith(magic):
            return kind
    return "application/octet-stream"


def form_fields(request: Recorded) -> dict[str, bytes]:
    """The fields of a `multipart/form-data` or `application/x-www-form-urlencoded` body."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {name: value.encode() for name, value in parse_qsl(request.body.decode(), keep_blank_values=True)}
    if not content_type.startswith("multipart/form-data"):
        return {}
    parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request.body)
    fields = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = part.get_payload(decode=True) or b""
    return fields


class HostRewrite(requests.adapters.HTTPAdapter):
    """A requests adapter that sends whatever URL it is mounted for to `base` instead, keeping path and query."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = urlsplit(base)

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:  # noqa: ANN003
        parts = urlsplit(request.url)
        request.url = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().send(request, **kwargs)


def v1_error(status: int, code: int, message: str) -> Reply:
    """A v1.1 error response."""
    return status, {}, {"errors": [{"code": code, "message": message}]}


def _page_token(tweet_id: str) -> str:
    return base64.b32encode(f"until:{tweet_id}".encode()).decode().rstrip("=").lower()


def _token_until(token: str) -> str | None:
    try:
        decoded = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.removeprefix("until:") if decoded.startswith("until:") else None


class FakeX(RecordingServer):
    """Accepts tweets and media from one user with known OAuth 1.0a credentials.

    `tweets` holds every live tweet in posting order (`deleted` those deleted since); `media` every upload and
    upload session by id, in creation order; `v1_media_calls` every request to a removed v1.1 media path; `faults`
    (a `FaultPlan`) fails writes before or after applying them; `injected` lists the faults injected.
    `duplicate_window`: how many of the newest tweets the duplicate-content check looks at (None: all);
    `processing_steps`: how many STATUS reads a video or GIF takes to finish processing.
    """

    retry_after_header = False  # X signals its limits with x-rate-limit-reset (epoch seconds), not Retry-After

    def __init__(
        self, consumer_key: str, consumer_secret: str, access_token: str, access_token_secret: str, *,
        faults: FaultPlan | None = None, shorten_urls: bool = False, escape_html: bool = False,
        duplicate_window: int | None = None, processing_steps: int = 2, latency: float = 0.0,
    ) -> None:
        super().__init__(faults, latency=latency)
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.access_token = access_token
        self.access_token_secret = access_token_secret
        self.shorten_urls = shorten_urls
        self.escape_html = escape_html
        self.duplicate_window = duplicate_window
        self.processing_steps = processing_steps
        self.user = dict(USER)
        self.tweets: list[Tweet] = []
        self.deleted: list[Tweet] = []
        self.media: dict[str, Media] = {}
        self.v1_media_calls: list[Recorded] = []
        self._ids = itertools.count(1850000000000000001)
        self._media_ids = itertools.count(1870000000000000001)

    def mount(self, session: requests.Session) -> requests.Session:
        """Mount `HostRewrite` for X's hosts on a client's session (`client.session`, `api.session`)."""
        adapter = HostRewrite(self.url)
        for host in PUBLIC_HOSTS:
            session.mount(host + "/", adapter)
        return session

    def signed_host(self, request: Recorded) -> str | None:
        """The public host a request from the known user was correctly signed for, or None."""
        header = request.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return None
        params = dict(utils.parse_authorization_header(header))
        if params.get("oauth_consumer_key") != self.consumer_key or params.get("oauth_token") != self.access_token:
            return None
        given = utils.unescape(params.get("oauth_signature", ""))
        return next((host for host in V2_HOSTS
                     if signature.safe_string_equals(self._signature(request, host, header), given)), None)

    def oauth(self, request: Recorded) -> dict[str, str] | None:
        """The OAuth parameters of a correctly signed request from the known user, else None."""
        if self.signed_host(request) is None:
            return None
        return dict(utils.parse_authorization_header(request.headers["authorization"]))

    def _signature(self, request: Recorded, host: str, header: str) -> str:
        """The HMAC-SHA1 signature of `request` as sent to `host` (form-urlencoded body parameters included)."""
        query = "&".join(f"{utils.escape(k)}={utils.escape(v)}" for k, v in request.query.items())
        body = None
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = request.body.decode()
        collected = signature.collect_parameters(uri_query=query, body=body, headers={"Authorization": header},
                                                 exclude_oauth_signature=True)
        base = signature.signature_base_string(
            request.method, signature.base_string_uri(host + request.path),
            signature.normalize_parameters(collected),
        )
        key = f"{utils.escape(self.consumer_secret)}&{utils.escape(self.access_token_secret)}"
        return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()

    def receive(self, request: Recorded) -> Reply | Lost:
        """A removed v1.1 media path answers 404 before authentication, faults and scripts: it is not there."""
        if request.path not in V1_MEDIA_PATHS:
            return super().receive(request)
        with self._lock:
            self.requests.append(request)
            self.v1_media_calls.append(request)
        return removed_v1()

    def respond(self, request: Recorded) -> Reply:
        try:
            return self._route(request)
        except Refused as refused:
            return refused.reply

    def _route(self, request: Recorded) -> Reply:
        if self.oauth(request) is None:
            if request.path.startswith("/1.1/"):
                return v1_error(401, 32, "Could not authenticate you.")
            return problem(401, "Unauthorized", "Unauthorized")
        method, path = request.method, request.path
        if path.startswith("/2/media/"):
            return self._media_route(request)
        if (method, path) == ("GET", "/2/users/me"):
            return 200, {}, {"data": self.user}
        if (method, path) == ("POST", "/2/tweets"):
            return self._create(request.json or {})
        found = TWEET.match(path)
        if found and method == "DELETE":
            return self._delete(found.group(1))
        if found and method == "GET":
            return self._lookup(found.group(1), request.query)
        found = TIMELINE.match(path)
        if method == "GET" and found:
            return self._timeline(found.group(1), request.query)
        if path.startswith("/1.1/"):
            return v1_error(404, 34, "Sorry, that page does not exist")
        return problem(404, "Not Found Error", f"no route {method} {path}")

    def _media_route(self, request: Recorded) -> Reply:
        method, path = request.method, request.path
        if (method, path) == ("POST", "/2/media/upload"):
            return self._upload(request)
        if (method, path) == ("GET", "/2/media/upload"):
            return self._status(request.query)
        if (method, path) == ("POST", "/2/media/upload/initialize"):
            return self._initialize(json_body(request))
        if (method, path) == ("POST", "/2/media/metadata"):
            return self._metadata(json_body(request))
        found = SESSION.match(path)
        if method == "POST" and found and found.group(2) == "append":
            return self._append(self._session(found.group(1)), request)
        if method == "POST" and found:
            return self._finalize(self._session(found.group(1)))
        return problem(404, "Not Found Error", f"no route {method} {path}")

    def fault_reply(self, status: int) -> Reply:
        if status == 429:
            reset_in = self.faults.retry_after if self.faults is not None and self.faults.retry_after else 900
            headers, body = rate_limited(reset_in)
            return 429, headers, body
        titles = {400: "Invalid Request", 401: "Unauthorized", 403: "Forbidden", 500: "Internal Server Error",
                  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
        title = titles.get(status, "Server Error")
        return problem(status, title, title)

    def thread(self, root_id: str) -> list[Tweet]:
        """The reply chain starting at `root_id`, following the first reply to each tweet, in order."""
        by_id = {tweet.id: tweet for tweet in self.tweets}
        chain = [by_id[root_id]] if root_id in by_id else []
        while chain:
            reply = next((tweet for tweet in self.tweets if tweet.in_reply_to == chain[-1].id), None)
            if reply is None:
                break
            chain.append(reply)
        return chain

    def texts(self) -> Counter[str]:
        """How many live tweets carry each text (as sent): any count over 1 is a duplicate X would have refused."""
        return Counter(tweet.original for tweet in self.tweets)

    def expire_media(self, media_id: str) -> None:
        """Let an upload's `expires_after_secs` run out: its id is refused from now on."""
        self.media[str(media_id)].expired = True

    def media_of(self, tweet: Tweet) -> list[Media]:
        """The media attached to a tweet, in order."""
        return [self.media[media_id] for media_id in tweet.media_ids]

    @property
    def upload_count(self) -> int:
        """How many media ids X handed out: simple uploads and chunked sessions, finished or not."""
        return len(self.media)

    def uploads_by_digest(self) -> Counter[str]:
        """How many finished uploads carry the same bytes (SHA-256): over 1 means a file was uploaded twice."""
        return Counter(media.digest() for media in self.media.values() if media.finalized)

    def _new_media(self, media_type: str, category: str, **fields: object) -> Media:
        media = Media(str(next(self._media_ids)), media_type, category, expires_at=int(time.time()) + EXPIRES_AFTER,
                      **fields)
        self.media[media.id] = media
        return media

    def _session(self, media_id: object) -> Media:
        """The upload an id names, or X's 400 for an unknown or expired one."""
        media = self.media.get(media_id) if isinstance(media_id, str) else None
        if media is None or media.expired:
            raise Refused(invalid_request({"parameters": {"id": [str(media_id)]},
                                           "message": f"The media id [{media_id}] is not valid or has expired."}))
        return media

    def _describe(self, media: Media, *, status: bool = False) -> dict:
        """An upload's `data`: `processing_info` while it processes, and always for STATUS."""
        data: dict = {"id": media.id, "media_key": media.key, "size": len(media.data),
                      "expires_after_secs": max(0, media.expires_at - int(time.time()))}
        if media.size:
            data["image"] = {"image_type": media.media_type, "w": media.size[0], "h": media.size[1]}
        if media.media_type.startswith("video/"):
            data["video"] = {"video_type": media.media_type}
        if status or media.state != "succeeded":
            data["processing_info"] = self._processing(media)
        return data

    def _processing(self, media: Media) -> dict:
        if media.state == "succeeded":
            return {"state": "succeeded", "progress_percent": 100}
        done = 100 * media.status_calls // max(self.processing_steps, 1)
        return {"state": media.state, "check_after_secs": 1, "progress_percent": done}

    def _upload(self, request: Recorded) -> Reply:
        if "command" in request.query:  # X removed the command-style chunked upload in 2025
            raise Refused(invalid_request("The `command` parameter is no longer supported: use "
                                          "/2/media/upload/initialize, /append and /finalize."))
        fields = media_fields(request)
        data, category = fields.get("media"), fields.get("media_category")
        errors = [] if isinstance(data, bytes) and data else ["The `media` field is required."]
        if category not in ONE_SHOT_CATEGORIES:
            errors.append(f"The `media_category` value [{category}] is not valid for a one-shot upload: one of "
                          f"{', '.join(sorted(ONE_SHOT_CATEGORIES))} is required.")
        if errors:
            raise Refused(invalid_request(*errors))
        media_type = fields.get("media_type") or sniff_type(data)
        media = self._new_media(str(media_type), str(category), data=data)
        return 200, {}, {"data": self._describe(media)}

    def _initialize(self, body: dict) -> Reply:
        total, media_type = body.get("total_bytes"), body.get("media_type")
        category = body.get("media_category") or default_category(str(media_type))
        errors = [f"The `{name}` field is not allowed." for name in sorted(set(body) - INITIALIZE_FIELDS)]
        if not isinstance(total, int) or isinstance(total, bool) or not 0 <= total <= MAX_TOTAL_BYTES:
            errors.append(f"The `total_bytes` value [{total}] is not valid: an integer from 0 to {MAX_TOTAL_BYTES} "
                          "is required.")
        if media_type not in MEDIA_TYPES:
            errors.append(f"The `media_type` value [{media_type}] is not valid.")
        if category not in CHUNKED_CATEGORIES:
            errors.append(f"The `media_category` value [{category}] is not valid.")
        if errors:
            raise Refused(invalid_request(*errors))
        media = self._new_media(media_type, category, chunked=True, total_bytes=total, state="initialized")
        return 200, {}, {"data": {"id": media.id, "media_key": media.key, "expires_after_secs": EXPIRES_AFTER}}

    def _append(self, media: Media, request: Recorded) -> Reply:
        if media.finalized:
            raise Refused(invalid_request(f"The media id [{media.id}] is already finalized."))
        fields = media_fields(request)
        index, chunk = segment_index(fields.get("segment_index")), fields.get("media")
        if not isinstance(chunk, bytes) or not chunk:
            raise Refused(invalid_request("The `media` field is required."))
        media.segments[index] = chunk
        return 200, {}, {"data": {"expires_at": media.expires_at}}

    def _finalize(self, media: Media) -> Reply:
        if not media.finalized:
            self._assemble(media)
        return 200, {}, {"data": self._describe(media)}

    def _assemble(self, media: Media) -> None:
        """Join the segments, or refuse: one missing, or not `total_bytes` bytes in all."""
        missing = sorted(set(range(max(media.segments, default=-1) + 1)) - set(media.segments))
        received = sum(map(len, media.segments.values()))
        if missing or received != media.total_bytes:
            raise Refused(invalid_request(
                f"The media id [{media.id}] cannot be finalized: {received} of total_bytes {media.total_bytes} "
                f"received" + (f", segments {missing} missing." if missing else ".")))
        media.data = b"".join(media.segments[index] for index in sorted(media.segments))
        media.state = "pending" if media.category in PROCESSED_CATEGORIES else "succeeded"

    def _status(self, query: dict[str, str]) -> Reply:
        if query.get("command", "STATUS") != "STATUS":
            raise Refused(invalid_request(f"The `command` query parameter value [{query['command']}] is not valid."))
        media = self._session(query.get("media_id"))
        if not media.finalized:
            raise Refused(invalid_request(f"The media id [{media.id}] is not finalized."))
        media.status_calls += 1
        if media.state in ("pending", "in_progress"):
            media.state = "succeeded" if media.status_calls >= self.processing_steps else "in_progress"
        return 200, {}, {"data": self._describe(media, status=True)}

    def _metadata(self, body: dict) -> Reply:
        media_id = body.get("id")
        if not isinstance(media_id, str) or not MEDIA_ID.match(media_id):
            raise Refused(invalid_request(f"The `id` value [{media_id}] is not valid: a string of 1 to 19 digits "
                                          "is required."))
        media = self._session(media_id)
        if not media.finalized:
            raise Refused(invalid_request(f"The media id [{media.id}] is not finalized."))
        metadata = body.get("metadata")
        alt_text = metadata.get("alt_text") if isinstance(metadata, dict) else None
        text = alt_text.get("text") if isinstance(alt_text, dict) else None
        if not isinstance(text, str) or len(text) > MAX_ALT_TEXT:
            raise Refused(invalid_request(f"`metadata.alt_text.text` must be a string of at most {MAX_ALT_TEXT} "
                                          "characters."))
        media.alt_text = text
        media.alt_text_calls += 1
        return 200, {}, {"data": {"id": media.id, "associated_metadata": {"alt_text": {"text": text}}}}

    def _delete(self, tweet_id: str) -> Reply:
        tweet = next((tweet for tweet in self.tweets if tweet.id == tweet_id), None)
        if tweet is None:
            return problem(404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].")
        self.tweets.remove(tweet)
        self.deleted.append(tweet)
        return 200, {}, {"data": {"deleted": True}}

    def _lookup(self, tweet_id: str, query: dict[str, str]) -> Reply:
        tweet = next((tweet for tweet in self.tweets if tweet.id == tweet_id), None)
        if tweet is None:
            return 200, {}, {"errors": [{"value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].",
                                         "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
                                         "resource_id": tweet_id,
                                         "type": "https://api.twitter.com/2/problems/resource-not-found"}]}
        fields = {name for name in query.get("tweet.fields", "").split(",") if name}
        reply: dict = {"data": self._item(tweet, fields)}
        media = self._includes([tweet], query)
        if media:
            reply["includes"] = {"media": media}
        return 200, {}, reply

    def _includes(self, tweets: list[Tweet], query: dict[str, str]) -> list[dict]:
        """`includes.media` for `expansions=attachments.media_keys`, with the `media.fields` asked for."""
        if "attachments.media_keys" not in query.get("expansions", "").split(","):
            return []
        fields = {name for name in query.get("media.fields", "").split(",") if name}
        out = []
        for tweet in tweets:
            for media in self.media_of(tweet):
                item = {"media_key": media.key, "type": "photo"}
                if "alt_text" in fields and media.alt_text is not None:
                    item["alt_text"] = media.alt_text
                if "media_id" in fields:
                    item["media_id"] = media.id
                if {"width", "height"} & fields and media.size:
                    item["width"], item["height"] = media.size
                out.append(item)
        return out

    def _timeline(self, user_id: str, query: dict[str, str]) -> Reply:
        if not user_id.isdigit():
            return 400, {}, {"errors": [{"parameters": {"id": [user_id]},
                                         "message": f"The `id` query parameter value [{user_id}] is not valid"}],
                             "title": "Invalid Request", "detail": "One or more parameters to your request was "
                             "invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"}
        if user_id != self.user["id"]:
            return problem(404, "Not Found Error", f"Could not find user with id: [{user_id}].")
        try:
            limit = int(query.get("max_results", "10"))
        except ValueError:
            limit = 0
        fields = {name for name in query.get("tweet.fields", "").split(",") if name}
        token = query.get("pagination_token")
        until = _token_until(token) if token else None
        bad = [] if 5 <= limit <= 100 else [("max_results", query.get("max_results", ""))]
        bad += [("tweet.fields", name) for name in sorted(fields - TWEET_FIELDS)]
        if token and until is None:
            bad.append(("pagination_token", token))
        if bad:
            return 400, {}, {"errors": [{"parameters": {name: [value]}, "message": f"The `{name}` query parameter "
                                         f"value [{value}] is not valid"} for name, value in bad],
                             "title": "Invalid Request",
                             "detail": "One or more parameters to your request was invalid.",
                             "type": "https://api.twitter.com/2/problems/invalid-request"}
        newest_first = sorted(self.tweets, key=lambda tweet: int(tweet.id), reverse=True)
        if until is not None:
            newest_first = [tweet for tweet in newest_first if int(tweet.id) < int(until)]
        page, rest = newest_first[:limit], newest_first[limit:]
        if not page:
            return 200, {}, {"meta": {"result_count": 0}}
        meta = {"result_count": len(page), "newest_id": page[0].id, "oldest_id": page[-1].id}
        if rest:
            meta["next_token"] = _page_token(page[-1].id)
        reply: dict = {"data": [self._item(tweet, fields) for tweet in page], "meta": meta}
        media = self._includes(page, query)
        if media:
            reply["includes"] = {"media": media}
        return 200, {}, reply

    def _item(self, tweet: Tweet, fields: set[str]) -> dict:
        """One timeline entry: the default fields plus those `tweet.fields` asked for."""
        item: dict = {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}
        if "referenced_tweets" in fields and tweet.in_reply_to:
            item["referenced_tweets"] = [{"type": "replied_to", "id": tweet.in_reply_to}]
        if "created_at" in fields:
            item["created_at"] = tweet.created_at or "2026-10-01T12:00:00.000Z"
        if "conversation_id" in fields:
            root = tweet
            while root.in_reply_to and (up := next((t for t in self.tweets if t.id == root.in_reply_to), None)):
                root = up
            item["conversation_id"] = root.in_reply_to or root.id
        if "author_id" in fields:
            item["author_id"] = self.user["id"]
        if "in_reply_to_user_id" in fields and tweet.in_reply_to:
            item["in_reply_to_user_id"] = self.user["id"]
        if "entities" in fields and tweet.urls:
            item["entities"] = {"urls": [dict(url) for url in tweet.urls]}
        if "attachments" in fields and tweet.media_ids:
            item["attachments"] = {"media_keys": [media.key for media in self.media_of(tweet)]}
        return item

    def _create(self, body: dict) -> Reply:
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return 400, {}, {"errors": [{"message": "text is required"}], "title": "Invalid Request",
                             "detail": "One or more parameters to your request was invalid.", "type": "about:blank"}
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and reply_to not in {tweet.id for tweet in self.tweets}:
            return problem(400, "Invalid Request", f"in_reply_to_tweet_id {reply_to} does not exist")
        media_ids = (body.get("media") or {}).get("media_ids")
        if media_ids is not None:
            unusable = [str(i) for i in media_ids if str(i) not in self.media or not self.media[str(i)].usable] \
                if isinstance(media_ids, list) else []
            if not isinstance(media_ids, list) or not 1 <= len(media_ids) <= 4 or unusable:
                return invalid_request({"parameters": {"media.media_ids": unusable or [str(media_ids)]},
                                        "message": INVALID_MEDIA_IDS})
        recent = self.tweets if self.duplicate_window is None else self.tweets[-self.duplicate_window:]
        if self.duplicate_window != 0 and any(tweet.original == text for tweet in recent):
            return problem(403, "Forbidden", DUPLICATE)
        tweet_id = str(next(self._ids))
        stored, urls = stored_text(text, tweet_id, shorten_urls=self.shorten_urls, escape_html=self.escape_html)
        created = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        tweet = Tweet(tweet_id, stored, reply_to, sent_text=text if stored != text else "", created_at=created,
                      urls=urls, media_ids=tuple(str(i) for i in media_ids or ()))
        self.tweets.append(tweet)
        return 201, {}, {"data": {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}}
