"""X media through API v2: one-shot or chunked upload, processing, alt text, signed with OAuth 1.0a."""

from __future__ import annotations

import mimetypes
import time
from typing import Any

import requests
import tweepy
from requests_oauthlib import OAuth1

from herald.core.outcomes import never_left, why_unreachable
from herald.core.transport import TransientError, TransportError

API_HOST = "https://api.twitter.com"  # tweepy's host: one routing rule (ApiBaseAdapter) serves tweets and media
UPLOAD = "/2/media/upload"
INITIALIZE = "/2/media/upload/initialize"
METADATA = "/2/media/metadata"
ONE_SHOT_MAX = 1024 * 1024  # a typical featured image is one request; above, or any GIF, X's chunked upload
SEGMENT = 1024 * 1024  # so a lost reply costs one segment sent again, not the whole file
APPEND_TRIES = 3  # X lets a failed segment be sent again under the same segment_index
LIMITS = {"tweet_image": 5 * 1024 * 1024, "tweet_gif": 15 * 1024 * 1024}  # X's upload limits: image 5 MB, GIF 15 MB
MAX_PROCESSING_WAIT = 120.0
MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
         (b"GIF89a", "image/gif"))


def media_type(data: bytes, filename: str) -> str:
    """The image's MIME type, from its first bytes (or its name)."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def category(kind: str) -> str:
    """X's media category for a tweet's image: GIFs are processed as `tweet_gif`."""
    return "tweet_gif" if kind == "image/gif" else "tweet_image"


def too_large(data: bytes, filename: str) -> str | None:
    """Why X would refuse the file for a tweet, or None."""
    kind = media_type(data, filename)
    limit = LIMITS[category(kind)]
    if len(data) <= limit:
        return None
    what = "GIF" if kind == "image/gif" else "image"
    return f"{filename} is {len(data) / 2**20:.1f} MB; X takes at most {limit // 2**20} MB for an {what}"


def seconds_until(reset: str | None, now: float | None = None) -> float | None:
    """Seconds until an `x-rate-limit-reset` (epoch seconds), never negative; None without one."""
    if not reset or not reset.strip().isdigit():
        return None
    return max(0.0, int(reset) - (time.time() if now is None else now))


def detail(response: requests.Response) -> str:
    """X's words for a refusal, on one line: the `errors` messages of a v2 problem, else its detail or title."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if not isinstance(body, dict):
        return response.reason or ""
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    messages = [str(error.get("message") or error.get("detail")) for error in errors
                if isinstance(error, dict) and (error.get("message") or error.get("detail"))]
    found = "; ".join(messages) or str(body.get("detail") or body.get("title") or response.reason or "")
    return " ".join(found.split())


class MediaClient:
    """X's v2 media endpoints on a tweepy client's session (its routing and timeouts), signed like its requests."""

    def __init__(self, session: requests.Session, auth: OAuth1) -> None:
        self.session = session
        self.auth = auth

    @classmethod
    def for_client(cls, client: tweepy.Client) -> MediaClient:
        """Media calls with the client's OAuth 1.0a user credentials, through its session."""
        handler = tweepy.OAuth1UserHandler(client.consumer_key, client.consumer_secret, client.access_token,
                                           client.access_token_secret)
        return cls(client.session, handler.apply_auth())

    def upload(self, filename: str, data: bytes) -> str:
        """Upload an image for a tweet and wait until X has processed it; its media id."""
        kind = media_type(data, filename)
        if kind == "image/gif" or len(data) > ONE_SHOT_MAX:
            return self._chunked(data, kind)
        reply = self._call("POST", UPLOAD, "media/upload", files={"media": (filename, data, kind)},
                           data={"media_category": category(kind), "media_type": kind})
        return self._processed(self._media_id(reply, "media/upload"), reply)

    def set_alt_text(self, media_id: str, text: str) -> None:
        """Describe an upload (`POST /2/media/metadata`); sending the same text again changes nothing."""
        self._call("POST", METADATA, "media/metadata", json={"id": media_id, "metadata": {"alt_text": {"text": text}}})

    def _chunked(self, data: bytes, kind: str) -> str:
        step = "media/upload/initialize"
        reply = self._call("POST", INITIALIZE, step,
                           json={"media_type": kind, "total_bytes": len(data), "media_category": category(kind)})
        media_id = self._media_id(reply, step)
        for index, start in enumerate(range(0, len(data), SEGMENT)):
            self._append(media_id, index, data[start:start + SEGMENT])
        reply = self._call("POST", f"{UPLOAD}/{media_id}/finalize", "media/upload/finalize")
        return self._processed(media_id, reply)

    def _append(self, media_id: str, index: int, chunk: bytes) -> None:
        for attempt in range(1, APPEND_TRIES + 1):
            try:
                self._call("POST", f"{UPLOAD}/{media_id}/append", f"media/upload/append (segment {index})",
                           files={"media": ("segment", chunk, "application/octet-stream")},
                           data={"segment_index": str(index)}, answer=False)
                return
            except TransientError as error:
                if error.retry_after is not None or attempt == APPEND_TRIES:
                    raise

    def _processed(self, media_id: str, reply: dict) -> str:
        """Poll STATUS while `processing_info` says pending or in progress; X refuses a tweet with it until then."""
        waited = 0.0
        info = reply.get("processing_info") or {}
        while info.get("state") in ("pending", "in_progress"):
            delay = min(max(float(info.get("check_after_secs") or 1), 1.0), MAX_PROCESSING_WAIT)
            if waited + delay > MAX_PROCESSING_WAIT:
                raise TransientError(f"twitter: X was still processing the image after {waited:.0f} s; it is uploaded "
                                     "again on the next attempt")
            _sleep(delay)
            waited += delay
            reply = self._call("GET", UPLOAD, "media/upload STATUS", params={"command": "STATUS", "media_id": media_id})
            info = reply.get("processing_info") or {}
        if info.get("state") == "failed":
            error = info.get("error") if isinstance(info.get("error"), dict) else {}
            why = error.get("message") or error.get("name") or "processing failed"
            raise TransportError(f"twitter: X could not process the image: {why}")
        return media_id

    def _media_id(self, reply: dict, step: str) -> str:
        media_id = str(reply.get("id") or "")
        if not media_id.isdigit():
            raise TransientError(f"twitter: X answered {step} without a media id; the image is uploaded again")
        return media_id

    def _call(self, method: str, path: str, step: str, answer: bool = True, **kwargs: Any) -> dict:
        """One signed request; its `data`, or the error by the rule for uploads (made again when in doubt)."""
        again = "the alt text is sent again" if path == METADATA else "the image is uploaded again"
        try:
            response = self.session.request(method, API_HOST + path, auth=self.auth, **kwargs)
        except requests.RequestException as error:
            if never_left(error):
                raise TransientError(f"twitter: could not reach X on {step} ({why_unreachable(error)})") from None
            raise TransientError(f"twitter: no answer from X on {step} ({_why(error)}); {again}") from None
        status = response.status_code
        if status == 429:
            raise TransientError(f"twitter: X is rate limiting {step} (429)",
                                 seconds_until(response.headers.get("x-rate-limit-reset")))
        if status >= 500:
            raise TransientError(f"twitter: X answered {status} on {step}; {again}")
        if status == 401:
            raise TransportError(f"twitter: X rejected the OAuth credentials on {step} (401)")
        if status >= 400:
            what = "the alt text" if path == METADATA else "the image"
            raise TransportError(f"twitter: X refused {what} on {step} ({status}): {detail(response)}")
        if not answer:
            return {}
        try:
            data = response.json().get("data")
        except (ValueError, AttributeError):
            data = None
        if not isinstance(data, dict):
            raise TransientError(f"twitter: X's answer to {step} could not be read; {again}")
        return data


def _why(error: requests.RequestException) -> str:
    """Why no answer came, in a few words."""
    if "without response" in str(error) or "RemoteDisconnected" in repr(error):
        return "connection closed without an answer"
    return why_unreachable(error)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)
