"""A contract fake of the X API v2 endpoints herald uses: `GET /2/users/me`, `POST /2/tweets` and
`GET /2/users/:id/tweets` (the user's timeline, for reconciling a tweet whose reply was lost).

Written from the documented wire format: OAuth 1.0a user-context requests (the HMAC-SHA1 signature is
checked against the public `https://api.twitter.com` URL the client signed), JSON bodies
`{"text", "reply": {"in_reply_to_tweet_id"}}`, 201 `{"data": {"id", "text", "edit_history_tweet_ids"}}`,
errors as `{"title", "detail", "type", "status"}`, and X's refusal of duplicate content.

The timeline answers newest first, `max_results` 5..100 (default 10), `pagination_token` / `meta.next_token`;
like X it returns only `id`, `text` and `edit_history_tweet_ids` unless `tweet.fields` asks for more
(`referenced_tweets`, `created_at`, `conversation_id`, `author_id`, `in_reply_to_user_id`, `entities`).
With `shorten_urls=True` every URL in a stored tweet becomes `https://t.co/<10 chars>` as on X, with the
original in `entities.urls[].expanded_url`; with `escape_html=True` `&`, `<`, `>` come back as `&amp;`,
`&lt;`, `&gt;` as X's `text` does. `Tweet.text` is the stored form, `Tweet.original` what the client sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import re
import time
from dataclasses import dataclass, field

from faults import FaultPlan
from oauthlib.oauth1.rfc5849 import signature, utils
from recording_server import Recorded, RecordingServer, Reply
from twitter_text.extract_urls import extract_urls_with_indices

PUBLIC_HOST = "https://api.twitter.com"
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


def _page_token(tweet_id: str) -> str:
    return base64.b32encode(f"until:{tweet_id}".encode()).decode().rstrip("=").lower()


def _token_until(token: str) -> str | None:
    try:
        decoded = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.removeprefix("until:") if decoded.startswith("until:") else None


class FakeX(RecordingServer):
    """Accepts tweets from one user with known OAuth 1.0a credentials.

    `tweets` holds every accepted tweet in posting order; `faults` (a `FaultPlan`) fails a share of the
    `POST /2/tweets` requests before or after storing the tweet; `injected` lists the faults injected.
    """

    def __init__(
        self, consumer_key: str, consumer_secret: str, access_token: str, access_token_secret: str, *,
        faults: FaultPlan | None = None, shorten_urls: bool = False, escape_html: bool = False,
    ) -> None:
        super().__init__(faults)
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.access_token = access_token
        self.access_token_secret = access_token_secret
        self.shorten_urls = shorten_urls
        self.escape_html = escape_html
        self.user = dict(USER)
        self.tweets: list[Tweet] = []
        self._ids = itertools.count(1850000000000000001)

    def oauth(self, request: Recorded) -> dict[str, str] | None:
        """The OAuth parameters of a correctly signed request from the known user, else None."""
        header = request.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return None
        params = dict(utils.parse_authorization_header(header))
        if params.get("oauth_consumer_key") != self.consumer_key or params.get("oauth_token") != self.access_token:
            return None
        query = "&".join(f"{utils.escape(k)}={utils.escape(v)}" for k, v in request.query.items())
        collected = signature.collect_parameters(uri_query=query, headers={"Authorization": header},
                                                 exclude_oauth_signature=True)
        base = signature.signature_base_string(
            request.method, signature.base_string_uri(PUBLIC_HOST + request.path),
            signature.normalize_parameters(collected),
        )
        key = f"{utils.escape(self.consumer_secret)}&{utils.escape(self.access_token_secret)}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
        given = utils.unescape(params.get("oauth_signature", ""))
        return params if signature.safe_string_equals(expected, given) else None

    def respond(self, request: Recorded) -> Reply:
        if self.oauth(request) is None:
            return problem(401, "Unauthorized", "Unauthorized")
        if (request.method, request.path) == ("GET", "/2/users/me"):
            return 200, {}, {"data": self.user}
        if (request.method, request.path) == ("POST", "/2/tweets"):
            return self._create(request.json or {})
        found = TIMELINE.match(request.path)
        if request.method == "GET" and found:
            return self._timeline(found.group(1), request.query)
        return problem(404, "Not Found Error", f"no route {request.method} {request.path}")

    def fault_reply(self, status: int) -> Reply:
        titles = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}
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
        return 200, {}, {"data": [self._item(tweet, fields) for tweet in page], "meta": meta}

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
        return item

    def _create(self, body: dict) -> Reply:
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return 400, {}, {"errors": [{"message": "text is required"}], "title": "Invalid Request",
                             "detail": "One or more parameters to your request was invalid.", "type": "about:blank"}
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and reply_to not in {tweet.id for tweet in self.tweets}:
            return problem(400, "Invalid Request", f"in_reply_to_tweet_id {reply_to} does not exist")
        if any(tweet.original == text for tweet in self.tweets):
            return problem(403, "Forbidden", DUPLICATE)
        tweet_id = str(next(self._ids))
        stored, urls = stored_text(text, tweet_id, shorten_urls=self.shorten_urls, escape_html=self.escape_html)
        created = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        tweet = Tweet(tweet_id, stored, reply_to, sent_text=text if stored != text else "", created_at=created,
                      urls=urls)
        self.tweets.append(tweet)
        return 201, {}, {"data": {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}}
