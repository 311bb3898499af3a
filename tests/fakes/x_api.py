"""A contract fake of the X API endpoints herald uses, on one loopback server for both of tweepy's hosts.

Implements (from X's documentation and tweepy's wire format):
- OAuth 1.0a user context on every request: the HMAC-SHA1 signature is checked against the public URL the client
  signed (`https://api.twitter.com` for v2, `https://upload.twitter.com` for v1.1 media), including the body
  parameters of `application/x-www-form-urlencoded` requests (never those of multipart bodies), as RFC 5849 says.
- `GET /2/users/me`; `POST /2/tweets` `{"text", "reply": {"in_reply_to_tweet_id"}, "media": {"media_ids"}}` ->
  201 `{"data": {"id", "text", "edit_history_tweet_ids"}}`; unknown reply target or unknown media id -> 400
  (`"Your media IDs are invalid."`); text identical to one of the user's recent tweets (the last
  `duplicate_window`, default all, deleted ones excluded) -> 403 `{"detail": "You are not allowed to create a Tweet
  with duplicate content.", "title": "Forbidden", ...}` (tweepy: `Forbidden`, the detail in `api_messages`).
- `DELETE /2/tweets/:id` -> 200 `{"data": {"deleted": true}}`; `GET /2/tweets/:id` (404 problem once deleted).
- `GET /2/users/:id/tweets`: newest first, `max_results` 5..100 (default 10), `pagination_token` /
  `meta.next_token`; only `id`, `text`, `edit_history_tweet_ids` unless `tweet.fields` asks for more
  (`referenced_tweets`, `created_at`, `conversation_id`, `author_id`, `in_reply_to_user_id`, `entities`,
  `attachments`); `expansions=attachments.media_keys` adds `includes.media` (`media.fields=alt_text`...).
- Media, v1.1 simple upload `POST /1.1/media/upload.json` (multipart `media` raw bytes or `media_data` base64,
  also form-urlencoded `media_data`) -> `{"media_id", "media_id_string", "media_key", "size",
  "expires_after_secs", "image": {"image_type", "w", "h"}}`; `POST /1.1/media/metadata/create.json`
  `{"media_id": "N", "alt_text": {"text"}}` (at most 1000 characters) -> 200 with an empty body.
  v2 `POST /2/media/upload` (multipart `media`, or JSON with base64 `media`; `media_category`) -> `{"data": {"id",
  "media_key", "size", "expires_after_secs", "image"}}` and v2 `POST /2/media/metadata` `{"id", "metadata":
  {"alt_text": {"text"}}}` -> `{"data": {"id", "associated_metadata": {"alt_text": ...}}}`.
- v1.1 errors as `{"errors": [{"code", "message"}]}`, v2 errors as problems `{"title", "detail", "type",
  "status"}`; every write (tweets, deletes, uploads, metadata) is subject to the `FaultPlan` (give it
  `methods=("POST", "DELETE")` to fault deletes); 429 faults carry `x-rate-limit-reset` (epoch seconds).
- With `shorten_urls=True` every URL in a stored tweet becomes `https://t.co/<10 chars>` as on X, with the
  original in `entities.urls[].expanded_url`; with `escape_html=True` `&`, `<`, `>` come back as `&amp;`,
  `&lt;`, `&gt;` as X's `text` does. `Tweet.text` is the stored form, `Tweet.original` what the client sent.

Media expire only when a test says so (`fake.expire_media(id)`): then, as X documents for ids used after
`expires_after_secs`, a tweet or metadata call naming them is a 400.

Does not implement: chunked upload (INIT/APPEND/FINALIZE/STATUS), expiry by the clock, X's exact duplicate
window (a count of recent tweets stands in for it), quotas other than what a scripted 429 gives, image decoding
beyond PNG/GIF/JPEG headers, OAuth 2.0, and the codes of the v1.1 refusals the documentation does not list (the
fake uses 324 for bad media ids and 44 for too long alt text).

Routing: tweepy sends to the hard-coded `https://api.twitter.com` and `https://upload.twitter.com`. Mount
`HostRewrite(fake.url)` on the client's `requests.Session` for both prefixes (`fake.mount(session)` does that):
the request is signed for the public URL first, then sent to the fake, which checks the signature against the
public host.
"""

from __future__ import annotations

import base64
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
from recording_server import Recorded, RecordingServer, Reply
from twitter_text.extract_urls import extract_urls_with_indices

PUBLIC_HOST = "https://api.twitter.com"
UPLOAD_HOST = "https://upload.twitter.com"
PUBLIC_HOSTS = (PUBLIC_HOST, UPLOAD_HOST)
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
USER = {"id": "1467726470533754880", "name": "Global Advocacy", "username": "wikimediapolicy"}


def problem(status: int, title: str, detail: str) -> Reply:
    """An X API v2 problem response."""
    return status, {}, {"title": title, "detail": detail, "type": "about:blank", "status": status}


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


@dataclass
class Media:
    """An uploaded media file: `api` is `1.1` or `2`; `alt_text` set by a metadata call (None until then)."""

    id: str
    data: bytes
    media_type: str
    api: str
    category: str = ""
    alt_text: str | None = None
    alt_text_calls: int = 0  # how many metadata calls set an alt text on it
    expired: bool = False  # set by FakeX.expire_media: the id is refused from then on

    @property
    def key(self) -> str:
        """The media key, `3_<id>` for a photo."""
        return f"3_{self.id}"

    @property
    def size(self) -> tuple[int, int] | None:
        """Width and height read from a PNG, GIF or JPEG header, or None."""
        return image_size(self.data)

    def digest(self) -> str:
        """SHA-256 of the bytes, to spot the same file uploaded twice."""
        return hashlib.sha256(self.data).hexdigest()


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

    `tweets` holds every live tweet in posting order (`deleted` those deleted since); `media` every upload by id;
    `faults` (a `FaultPlan`) fails writes before or after applying them; `injected` lists the faults injected.
    `duplicate_window`: how many of the newest tweets the duplicate-content check looks at (None: all).
    """

    retry_after_header = False  # X signals its limits with x-rate-limit-reset (epoch seconds), not Retry-After

    def __init__(
        self, consumer_key: str, consumer_secret: str, access_token: str, access_token_secret: str, *,
        faults: FaultPlan | None = None, shorten_urls: bool = False, escape_html: bool = False,
        duplicate_window: int | None = None, latency: float = 0.0,
    ) -> None:
        super().__init__(faults, latency=latency)
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.access_token = access_token
        self.access_token_secret = access_token_secret
        self.shorten_urls = shorten_urls
        self.escape_html = escape_html
        self.duplicate_window = duplicate_window
        self.user = dict(USER)
        self.tweets: list[Tweet] = []
        self.deleted: list[Tweet] = []
        self.media: dict[str, Media] = {}
        self._ids = itertools.count(1850000000000000001)
        self._media_ids = itertools.count(1870000000000000001)

    def mount(self, session: requests.Session) -> requests.Session:
        """Mount `HostRewrite` for both X hosts on a client's session (`client.session`, `api.session`)."""
        adapter = HostRewrite(self.url)
        for host in PUBLIC_HOSTS:
            session.mount(host + "/", adapter)
        return session

    def oauth(self, request: Recorded) -> dict[str, str] | None:
        """The OAuth parameters of a correctly signed request from the known user, else None."""
        header = request.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return None
        params = dict(utils.parse_authorization_header(header))
        if params.get("oauth_consumer_key") != self.consumer_key or params.get("oauth_token") != self.access_token:
            return None
        query = "&".join(f"{utils.escape(k)}={utils.escape(v)}" for k, v in request.query.items())
        body = None
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = request.body.decode()
        collected = signature.collect_parameters(uri_query=query, body=body, headers={"Authorization": header},
                                                 exclude_oauth_signature=True)
        host = UPLOAD_HOST if request.path.startswith("/1.1/media/") else PUBLIC_HOST
        base = signature.signature_base_string(
            request.method, signature.base_string_uri(host + request.path),
            signature.normalize_parameters(collected),
        )
        key = f"{utils.escape(self.consumer_secret)}&{utils.escape(self.access_token_secret)}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
        given = utils.unescape(params.get("oauth_signature", ""))
        return params if signature.safe_string_equals(expected, given) else None

    def respond(self, request: Recorded) -> Reply:
        if self.oauth(request) is None:
            if request.path.startswith("/1.1/"):
                return v1_error(401, 32, "Could not authenticate you.")
            return problem(401, "Unauthorized", "Unauthorized")
        method, path = request.method, request.path
        if (method, path) == ("GET", "/2/users/me"):
            return 200, {}, {"data": self.user}
        if (method, path) == ("POST", "/2/tweets"):
            return self._create(request.json or {})
        if (method, path) == ("POST", "/1.1/media/upload.json"):
            return self._upload_v1(request)
        if (method, path) == ("POST", "/1.1/media/metadata/create.json"):
            return self._metadata_v1(request)
        if (method, path) == ("POST", "/2/media/upload"):
            return self._upload_v2(request)
        if (method, path) == ("POST", "/2/media/metadata"):
            return self._metadata_v2(request)
        found = TWEET.match(path)
        if found and method == "DELETE":
            return self._delete(found.group(1))
        if found and method == "GET":
            return self._lookup(found.group(1), request.query)
        found = TIMELINE.match(path)
        if method == "GET" and found:
            return self._timeline(found.group(1), request.query)
        if path.startswith("/1.1/"):
            return v1_error(404, 34, "Sorry, that page does not exist.")
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

    def uploads_by_digest(self) -> Counter[str]:
        """How many uploads carry the same bytes (SHA-256): over 1 means the same image was uploaded twice."""
        return Counter(media.digest() for media in self.media.values())

    def _store_media(self, data: bytes, api: str, category: str = "") -> Media:
        media = Media(str(next(self._media_ids)), data, sniff_type(data), api, category)
        self.media[media.id] = media
        return media

    def _upload_v1(self, request: Recorded) -> Reply:
        fields = form_fields(request)
        if "media" in fields and "media_data" in fields:
            return v1_error(400, 38, "media and media_data cannot both be given.")
        data = fields.get("media")
        if data is None and "media_data" in fields:
            try:
                data = base64.b64decode(fields["media_data"], validate=True)
            except ValueError:
                return v1_error(400, 324, "Invalid media_data.")
        if not data:
            return v1_error(400, 38, "media parameter is missing.")
        media = self._store_media(data, "1.1", fields.get("media_category", b"").decode())
        reply = {"media_id": int(media.id), "media_id_string": media.id, "media_key": media.key,
                 "size": len(data), "expires_after_secs": 86400}
        if media.size:
            reply["image"] = {"image_type": media.media_type, "w": media.size[0], "h": media.size[1]}
        return 200, {}, reply

    def _alt_text(self, media_id: object, text: object, *, v2: bool) -> Reply | None:
        """Set an alt text, or the refusal: unknown media id, missing or too long text."""
        media = self.media.get(str(media_id))
        if media is None or media.expired:
            if v2:
                return problem(400, "Invalid Request", f"media id {media_id} does not exist")
            return v1_error(400, 324, "The validation of media ids failed.")
        if not isinstance(text, str) or len(text) > 1000:
            if v2:
                return problem(400, "Invalid Request", "alt_text.text must be a string of at most 1000 characters")
            return v1_error(400, 44, "alt_text.text must be a string of at most 1000 characters.")
        media.alt_text = text
        media.alt_text_calls += 1
        return None

    def _metadata_v1(self, request: Recorded) -> Reply:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return v1_error(400, 38, "The request body must be JSON.")
        refused = self._alt_text(body.get("media_id"), (body.get("alt_text") or {}).get("text"), v2=False)
        return refused or (200, {}, b"")

    def _upload_v2(self, request: Recorded) -> Reply:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = request.json or {}
            try:
                data = base64.b64decode(body.get("media") or "", validate=True)
            except ValueError:
                data = b""
            category = str(body.get("media_category", ""))
        else:
            fields = form_fields(request)
            data, category = fields.get("media", b""), fields.get("media_category", b"").decode()
        if not data:
            return problem(400, "Invalid Request", "media is required")
        media = self._store_media(data, "2", category)
        reply = {"id": media.id, "media_key": media.key, "size": len(data), "expires_after_secs": 86400}
        if media.size:
            reply["image"] = {"image_type": media.media_type, "w": media.size[0], "h": media.size[1]}
        return 200, {}, {"data": reply}

    def _metadata_v2(self, request: Recorded) -> Reply:
        body = request.json or {}
        metadata = body.get("metadata") or {}
        refused = self._alt_text(body.get("id"), (metadata.get("alt_text") or {}).get("text"), v2=True)
        if refused:
            return refused
        return 200, {}, {"data": {"id": str(body["id"]), "associated_metadata": {"alt_text": metadata["alt_text"]}}}

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
            unknown = [str(i) for i in media_ids if str(i) not in self.media or self.media[str(i)].expired] \
                if isinstance(media_ids, list) else []
            if not isinstance(media_ids, list) or not 1 <= len(media_ids) <= 4 or unknown:
                return 400, {}, {"errors": [{"parameters": {"media.media_ids": unknown or [str(media_ids)]},
                                             "message": "Your media IDs are invalid."}],
                                 "title": "Invalid Request",
                                 "detail": "One or more parameters to your request was invalid.",
                                 "type": "https://api.twitter.com/2/problems/invalid-request"}
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
