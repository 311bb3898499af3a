"""X (Twitter): post a thread through tweepy, one ledger part per tweet, resumable."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import time
from pathlib import Path
from typing import Any, Protocol

import requests
import tweepy
from requests.adapters import HTTPAdapter
from tweepy.errors import (
    Forbidden,
    HTTPException,
    NotFound,
    TooManyRequests,
    TwitterServerError,
    Unauthorized,
)
from twitter_text import extract_urls

from channels.twitter.media import MediaClient, seconds_until, too_large
from channels.twitter.settings import TwitterSettings
from herald.core.draft import Receipt
from herald.core.ledger import Ledger, PartRow
from herald.core.outcomes import network_failure
from herald.core.parts import is_unsettled, reused_upload, thread_receipt, tracked_write
from herald.core.transport import Ambiguous, NeedsAttention, PreflightError, TransientError, Transport, TransportError

CHANNEL = "twitter"
PART_KIND = "tweet"
TWEEPY_HOST = "https://api.twitter.com"
MEDIA_KIND = "media"
ALT_KIND = "alt_text"  # the alt text of the upload at the same position: its own write, idempotent
MEDIA_REFUSED = "media ids are invalid"  # X's 400 for a media id it no longer knows (expired)
MEDIA_REUSE = dt.timedelta(hours=23)  # X media ids expire after expires_after_secs (86,400 s): reuse well before
STATUS_URL = "https://x.com/i/status/{id}"
DUPLICATE_MARKER = "duplicate content"
RECONCILE_WINDOW = 100
QUOTA_WINDOW = dt.timedelta(hours=24)
LINK = "\u2063link\u2063"
_TCO = re.compile(r"https://t\.co/\w+")


class DuplicateRefused(Ambiguous):
    """X refused a tweet as duplicate content: the tweet may be ours already, so it is looked up."""

    def __init__(self, number: int) -> None:
        super().__init__(f"twitter: X refused tweet {number} as duplicate content", reconcilable=True)
        self.number = number


class ThreadLike(Protocol):
    """What the transport needs from a thread draft."""

    channel: str
    tweets: tuple[str, ...]


class ApiBaseAdapter(HTTPAdapter):
    """Sends requests for X's host (tweepy's hard-coded one, also the media calls') to `api_base` when it is not X's
    own, with a timeout on each."""

    def __init__(self, api_base: str, timeout: float, host: str = TWEEPY_HOST) -> None:
        super().__init__(max_retries=0)
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self.host = host

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # The OAuth 1.0a signature was computed for X's URL; the rewrite only moves the socket.
        if self.api_base != TWEEPY_HOST and request.url and request.url.startswith(self.host):
            request.url = self.api_base + request.url[len(self.host):]
            kwargs["proxies"] = requests.utils.get_environ_proxies(request.url)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def tweet_hash(text: str) -> str:
    """The ledger's payload hash of one tweet."""
    return hashlib.sha256(text.encode()).hexdigest()


def tweet_url(tweet_id: str) -> str:
    """The public address of a tweet."""
    return STATUS_URL.format(id=tweet_id)


def retry_after(error: TooManyRequests, now: float | None = None) -> float | None:
    """Seconds until `x-rate-limit-reset` (epoch seconds), never negative."""
    if error.reset_time is not None:
        return max(0.0, error.reset_time - (time.time() if now is None else now))
    return seconds_until(error.response.headers.get("x-rate-limit-reset") if error.response is not None else None, now)


def _api_detail(error: HTTPException) -> str:
    return "; ".join(str(message) for message in error.api_messages) or str(error).split("\n")[0]


def make_client(settings: TwitterSettings) -> tweepy.Client:
    """A tweepy client with OAuth 1.0a user credentials, its session routed to `api_base` with timeouts."""
    secrets = (settings.consumer_key, settings.consumer_secret, settings.access_token, settings.access_token_secret)
    if not all(secrets):
        raise PreflightError("twitter: the consumer key and secret and the access token and secret are all required")
    consumer_key, consumer_secret, access_token, access_token_secret = (
        secret.get_secret_value() for secret in secrets  # type: ignore[union-attr]
    )
    client = tweepy.Client(
        consumer_key=consumer_key, consumer_secret=consumer_secret,
        access_token=access_token, access_token_secret=access_token_secret,
    )
    adapter = ApiBaseAdapter(settings.api_base, settings.timeout_seconds)
    client.session.mount(TWEEPY_HOST, adapter)
    if settings.api_base.rstrip("/") != TWEEPY_HOST:
        client.session.mount(settings.api_base.rstrip("/"), adapter)
    return client


def media_hash(data: bytes, alt_text: str) -> str:
    """The ledger's payload hash of an image upload: its bytes and its alt text."""
    return hashlib.sha256(hashlib.sha256(data).digest() + alt_text.encode()).hexdigest()


class XTransport(Transport):
    """Posts each tweet as a reply to the previous one; tweets already in the ledger are skipped."""

    kind = "live"

    def __init__(
        self, settings: TwitterSettings, ledger: Ledger, slug: str, client: tweepy.Client | None = None
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.slug = slug
        self._client = client
        self._media: MediaClient | None = None

    @property
    def client(self) -> tweepy.Client:
        """The tweepy client, made on first use so a missing credential surfaces as a clear error."""
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    def _done(self) -> dict[int, PartRow]:
        return {part.position: part for part in self.ledger.parts(self.slug, CHANNEL, PART_KIND)
                if part.status == "done"}

    def preflight(self, draft: ThreadLike) -> None:
        """Check the credentials with `users/me`, and the tweets still to post against the quotas."""
        count = len(draft.tweets)
        if count > self.settings.max_tweets:
            raise PreflightError(
                f"twitter: the thread has {count} tweets but at most {self.settings.max_tweets} are allowed"
            )
        image: Path | None = getattr(draft, "image_file", None)
        if image is not None and 1 not in self._done():
            refused = too_large(_read(image), image.name)
            if refused:
                raise PreflightError(f"twitter: {refused}")
        remaining = count - len(set(self._done()) & set(range(1, count + 1)))
        recent = self.ledger.posts_since(CHANNEL, dt.datetime.now(dt.UTC) - QUOTA_WINDOW)
        if remaining + recent > self.settings.daily_post_quota:
            already = f" ({count - remaining} already posted)" if remaining != count else ""
            raise PreflightError(
                f"twitter: the thread has {remaining} tweets still to post{already} and {recent} posts went out in "
                f"the last 24 hours, over the daily post quota of {self.settings.daily_post_quota}; publish the "
                "rest later (`--channels` without twitter sends the others now)"
            )
        try:
            self.client.get_me(user_auth=True)
        except Unauthorized:
            raise PreflightError("twitter: X rejected the OAuth credentials (401 on users/me)") from None
        except Forbidden as error:
            raise PreflightError(f"twitter: X refused users/me (403): {_api_detail(error)}") from None
        except TooManyRequests:
            raise PreflightError("twitter: X is rate limiting users/me (429); try again later") from None
        except TwitterServerError as error:
            raise PreflightError(f"twitter: X answered {error.response.status_code} on users/me") from None
        except HTTPException as error:
            raise PreflightError(f"twitter: users/me failed: {_api_detail(error)}") from None
        except requests.RequestException as error:
            problem = network_failure(CHANNEL, "users/me", self.settings.api_base, error, write=False,
                                      reconcilable=False)
            raise PreflightError(str(problem)) from None

    def send(self, draft: ThreadLike) -> Receipt:
        """Post the thread; each tweet is recorded in the ledger before and after it goes out."""
        if not draft.tweets:
            raise TransportError("twitter: the thread has no tweets")
        recorded = {part.position: part for part in self.ledger.parts(self.slug, CHANNEL, PART_KIND)}
        parts: list[dict] = []
        previous: str | None = None
        for number, text in enumerate(draft.tweets, 1):
            digest = tweet_hash(text)
            part = recorded.get(number)
            if is_unsettled(part):
                found = self._find_posted(text, previous)
                if found is not None:
                    self.ledger.mark_part_done(self.slug, CHANNEL, PART_KIND, number, found, tweet_url(found))
                    part = self.ledger.part(self.slug, CHANNEL, PART_KIND, number)
            if part is not None and part.status == "done":
                previous = part.remote_id
                parts.append({"position": number, "status": "already_posted", "id": part.remote_id,
                              "url": part.url or tweet_url(part.remote_id),
                              "changed": part.payload_hash != digest})
                continue
            try:
                with tracked_write(self.ledger, self.slug, CHANNEL, PART_KIND, number, digest):
                    tweet_id = self._post_tweet(number, text, previous, draft if number == 1 else None)
            except DuplicateRefused:
                tweet_id = self._settle_duplicate(number, text, previous)
            url = tweet_url(tweet_id)
            self.ledger.mark_part_done(self.slug, CHANNEL, PART_KIND, number, remote_id=tweet_id, url=url)
            parts.append({"position": number, "status": "posted", "id": tweet_id, "url": url, "changed": False})
            self.progress(f"tweet {number} of {len(draft.tweets)} posted")
            previous = tweet_id
        return thread_receipt(CHANNEL, parts, "tweets")

    def reply(self, text: str, to_id: str, kind: str, position: int) -> Receipt:
        """Post one tweet replying to `to_id` as the ledger part (kind, position): once, resumable like a thread."""
        part = self.ledger.part(self.slug, CHANNEL, kind, position)
        if is_unsettled(part):
            found = self._find_posted(text, to_id)
            if found is not None:
                self.ledger.mark_part_done(self.slug, CHANNEL, kind, position, found, tweet_url(found))
                part = self.ledger.part(self.slug, CHANNEL, kind, position)
        if part is not None and part.status == "done" and part.remote_id:
            return Receipt(CHANNEL, "published", part.url or tweet_url(part.remote_id), part.remote_id,
                           "reply posted earlier; not posted again")
        with tracked_write(self.ledger, self.slug, CHANNEL, kind, position, tweet_hash(text)):
            tweet_id = self._post(position, text, to_id)
        self.ledger.mark_part_done(self.slug, CHANNEL, kind, position, remote_id=tweet_id, url=tweet_url(tweet_id))
        return Receipt(CHANNEL, "published", tweet_url(tweet_id), tweet_id, f"reply to tweet {to_id} posted")

    def delete_tweet(self, tweet_id: str, position: int) -> bool:
        """Delete one tweet (`DELETE /2/tweets/:id`) as the ledger part ("delete", position); gone already is done."""
        part = self.ledger.part(self.slug, CHANNEL, "delete", position)
        if part is not None and part.status == "done":
            return False
        with tracked_write(self.ledger, self.slug, CHANNEL, "delete", position, tweet_hash(tweet_id)):
            try:
                self.client.delete_tweet(tweet_id, user_auth=True)
            except NotFound:
                pass  # deleted before (by a run that lost its answer, or by hand)
            except TooManyRequests as error:
                raise TransientError(f"twitter: rate limited deleting tweet {tweet_id} (429)",
                                     retry_after(error)) from None
            except TwitterServerError as error:
                raise Ambiguous(f"twitter: X answered {error.response.status_code} deleting tweet {tweet_id}; "
                                "running the retraction again deletes it if it is still there", True) from None
            except HTTPException as error:
                status = error.response.status_code if error.response is not None else "?"
                raise TransportError(f"twitter: X refused to delete tweet {tweet_id} ({status}): "
                                     f"{_api_detail(error)}") from None
            except requests.RequestException as error:
                raise Ambiguous(f"twitter: no answer deleting tweet {tweet_id} ({type(error).__name__}); running "
                                "the retraction again deletes it if it is still there", True) from None
        self.ledger.mark_part_done(self.slug, CHANNEL, "delete", position, remote_id=tweet_id)
        return True

    def _settle_duplicate(self, number: int, text: str, previous: str | None) -> str:
        """X says the tweet exists: find it in this thread and go on from it, or leave it to a person."""
        found = self._find_posted(text, previous)
        if found is not None:
            self.ledger.mark_part_done(self.slug, CHANNEL, PART_KIND, number, found, tweet_url(found))
            return found
        elsewhere = self._find_posted(text, previous, any_parent=True)
        where = f" ({tweet_url(elsewhere)}, which is not part of this thread)" if elsewhere else ""
        raise NeedsAttention(
            f"twitter: X refused tweet {number} as a duplicate of an earlier tweet{where}; if tweet {number} of this "
            f"thread is on the account, run `herald resolve {self.slug} {CHANNEL} --part {number} --sent URL`; "
            f"otherwise change its text in the update and publish again"
        )

    def _find_posted(self, text: str, previous: str | None, any_parent: bool = False) -> str | None:
        """The id of a tweet of ours with this text replying to `previous`, among the account's recent tweets."""
        try:
            me = self.client.get_me(user_auth=True).data.id
            timeline = self.client.get_users_tweets(
                me, max_results=RECONCILE_WINDOW, tweet_fields=["referenced_tweets", "entities"], user_auth=True
            )
        except (HTTPException, requests.RequestException) as error:
            raise TransientError(f"twitter: could not read the account's recent tweets to check: {error}") from None
        wanted = comparable(text)
        for tweet in timeline.data or []:
            parent = next((str(ref.id) for ref in tweet.referenced_tweets or [] if ref.type == "replied_to"), None)
            same_place = any_parent or parent == (str(previous) if previous else None)
            if same_place and comparable(tweet.text) == wanted:
                return str(tweet.id)
        return None

    def _post(self, number: int, text: str, previous: str | None, media_ids: list[str] | None = None) -> str:
        try:
            response = self.client.create_tweet(
                text=text, in_reply_to_tweet_id=previous, media_ids=media_ids, user_auth=True
            )
        except TooManyRequests as error:
            raise TransientError(f"twitter: rate limited at tweet {number} (429)", retry_after(error)) from None
        except TwitterServerError as error:
            status = error.response.status_code
            raise self._ambiguous(number, f"X answered {status}, which does not say whether it was posted") from None
        except Forbidden as error:
            if any(DUPLICATE_MARKER in str(message).lower() for message in error.api_messages):
                raise DuplicateRefused(number) from None
            raise TransportError(f"twitter: X refused tweet {number} (403): {_api_detail(error)}") from None
        except Unauthorized:
            raise TransportError(f"twitter: X rejected the OAuth credentials at tweet {number} (401)") from None
        except HTTPException as error:
            status = error.response.status_code if error.response is not None else "?"
            raise TransportError(f"twitter: X refused tweet {number} ({status}): {_api_detail(error)}") from None
        except requests.RequestException as error:
            problem = network_failure(CHANNEL, f"tweet {number}", self.settings.api_base, error, write=True,
                                      reconcilable=True)
            if isinstance(problem, Ambiguous):
                raise self._ambiguous(number) from None
            raise problem from None
        data = response.data if isinstance(response, tweepy.Response) else None
        tweet_id = str(data.get("id")) if isinstance(data, dict) and data.get("id") else None
        if tweet_id is None:
            raise self._ambiguous(number, "X accepted it but returned no tweet id")
        return tweet_id

    @property
    def media(self) -> MediaClient:
        """X's v2 media endpoints on the tweepy client's session, made on first use."""
        if self._media is None:
            self._media = MediaClient.for_client(self.client)
        return self._media

    def _post_tweet(self, number: int, text: str, previous: str | None, draft: ThreadLike | None) -> str:
        """A tweet; tweet 1 with the draft's image, uploaded again once if X refuses the upload as expired."""
        media_ids = self._media_ids(draft) if draft is not None else None
        try:
            return self._post(number, text, previous, media_ids)
        except TransportError as error:
            if draft is None or not media_ids or MEDIA_REFUSED not in str(error).lower():
                raise
        return self._post(number, text, previous, self._media_ids(draft, again=True))

    def _media_ids(self, draft: ThreadLike, again: bool = False) -> list[str] | None:
        """Tweet 1's image as a media id: uploaded once, described once, the upload reused while X keeps it.

        A new upload is a new ledger part (an image changed, or an upload X has let expire, or `again`); an
        upload that may or may not have happened is simply made again, since media that no tweet uses is never
        shown. Its alt text is a ledger part of its own (kind `alt_text`, the upload's position), sent again until
        it is done: setting the same alt text twice changes nothing.
        """
        image: Path | None = getattr(draft, "image_file", None)
        if image is None:
            return None
        alt_text = getattr(draft, "image_alt", None) or ""
        data = _read(image)
        refused = too_large(data, image.name)
        if refused:
            raise TransportError(f"twitter: {refused}")
        digest = media_hash(data, alt_text)
        media_id = reused_upload(self.ledger, self.slug, CHANNEL, MEDIA_KIND, digest,
                                 lambda: self.media.upload(image.name, data), MEDIA_REUSE, again, _now())
        if alt_text:
            self._describe(media_id, alt_text)
        return [media_id]

    def _describe(self, media_id: str, alt_text: str) -> None:
        """Set the upload's alt text unless the ledger says it was set."""
        uploads = self.ledger.parts(self.slug, CHANNEL, MEDIA_KIND)
        position = max(part.position for part in uploads if part.remote_id == media_id)
        digest = hashlib.sha256(f"{media_id}\0{alt_text}".encode()).hexdigest()
        part = self.ledger.part(self.slug, CHANNEL, ALT_KIND, position)
        if part is not None and part.status == "done" and part.payload_hash == digest:
            return
        with tracked_write(self.ledger, self.slug, CHANNEL, ALT_KIND, position, digest):
            self.media.set_alt_text(media_id, alt_text)
        self.ledger.mark_part_done(self.slug, CHANNEL, ALT_KIND, position, media_id)

    def _ambiguous(self, number: int, why: str = "the request was sent but no answer came") -> Ambiguous:
        return Ambiguous(f"twitter: outcome unknown for tweet {number}: {why}; the next attempt looks it up "
                         "among the account's recent tweets", reconcilable=True)


def comparable(text: str) -> str:
    """Tweet text as X stores it, for matching: links shortened to t.co, entities escaped, line ends normalised."""
    text = html.unescape(text).replace("\r\n", "\n")
    for url in sorted(set(extract_urls(text)), key=len, reverse=True):
        text = text.replace(url, LINK)
    return " ".join(_TCO.sub(LINK, text).split())


def _read(image: Path) -> bytes:
    try:
        return image.read_bytes()
    except OSError as error:
        raise TransportError(f"twitter: cannot read the image {image}: {error.strerror}") from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
