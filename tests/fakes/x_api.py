"""A contract fake of the X API v2 endpoints herald uses: `GET /2/users/me` and `POST /2/tweets`.

Written from the documented wire format: OAuth 1.0a user-context requests (the HMAC-SHA1 signature is
checked against the public `https://api.twitter.com` URL the client signed), JSON bodies
`{"text", "reply": {"in_reply_to_tweet_id"}}`, 201 `{"data": {"id", "text", "edit_history_tweet_ids"}}`,
errors as `{"title", "detail", "type", "status"}`, and X's refusal of duplicate content.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import time
from dataclasses import dataclass

from oauthlib.oauth1.rfc5849 import signature, utils
from recording_server import Recorded, RecordingServer, Reply

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


@dataclass(frozen=True)
class Tweet:
    """A tweet the fake accepted."""

    id: str
    text: str
    in_reply_to: str | None


class FakeX(RecordingServer):
    """Accepts tweets from one user with known OAuth 1.0a credentials."""

    def __init__(self, consumer_key: str, consumer_secret: str, access_token: str, access_token_secret: str) -> None:
        super().__init__()
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.access_token = access_token
        self.access_token_secret = access_token_secret
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
            return 200, {}, {"data": USER}
        if (request.method, request.path) == ("POST", "/2/tweets"):
            return self._create(request.json or {})
        return problem(404, "Not Found Error", f"no route {request.method} {request.path}")

    def _create(self, body: dict) -> Reply:
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return 400, {}, {"errors": [{"message": "text is required"}], "title": "Invalid Request",
                             "detail": "One or more parameters to your request was invalid.", "type": "about:blank"}
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and reply_to not in {tweet.id for tweet in self.tweets}:
            return problem(400, "Invalid Request", f"in_reply_to_tweet_id {reply_to} does not exist")
        if any(tweet.text == text for tweet in self.tweets):
            return problem(403, "Forbidden", DUPLICATE)
        tweet = Tweet(str(next(self._ids)), text, reply_to)
        self.tweets.append(tweet)
        return 201, {}, {"data": {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}}
