"""Mastodon: post a thread through Mastodon.py, one ledger part per status, each status once by Idempotency-Key.

What exactly-once rests on, in order:
1. The ledger: a status recorded done is never posted again.
2. A status whose outcome is unknown (a 5xx, a timeout, a reset, a lost reply, a killed process) is looked up
   first among the account's statuses (`GET /api/v1/accounts/:id/statuses`; the owner sees all of its own,
   replies and every visibility included): the newest 40, and when the account has more, the 40 made just after
   the write was first intended (`min_id` as a time: status ids are snowflakes of their creation time), matched
   by its text as `content` renders it, its content warning and the status it replies to.
3. Not found there, it is sent again with the same `Idempotency-Key`: the key is derived from the slug, the
   part and the SHA-256 of the request (text, reply target, visibility, content warning, language; not the media
   id, which a new upload changes), so a repeat of the same request carries the same key and a changed text a new
   one. Mastodon (`PostStatusService#with_idempotency`) answers a key it has seen with the status it made, whatever
   the body, for an hour from that status's creation; so within the hour even a status the look-up missed is
   not made twice, and past it the look-up is what stands between a retry and a second status.

The image is uploaded once (`POST /api/v2/media` with its alt text as `description`, then `GET /api/v1/media/:id`
until processed) as ledger part `media`. An upload whose outcome is unknown is simply made again: an attachment
no status carries is never shown, and Mastodon removes it after a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from channels.mastodon import status_id_in
from channels.mastodon.draft import MastodonDraft
from channels.mastodon.settings import MastodonSettings
from herald.core.draft import Receipt
from herald.core.ledger import Ledger, PartRow
from herald.core.outcomes import http_failure, network_failure, never_left, where, why_unreachable
from herald.core.parts import (
    gone_hint,
    is_unsettled,
    resolve_hint,
    reused_upload,
    thread_receipt,
    tracked_write,
)
from herald.core.transport import Ambiguous, NeedsAttention, PreflightError, TransientError, Transport, TransportError

CHANNEL = "mastodon"
PART_KIND = "post"
MEDIA_KIND = "media"
DELETE_KIND = "delete"
API_VERSION = "4.0.0"  # the oldest Mastodon with /api/v2/instance; told to Mastodon.py so it asks no version
RECONCILE_LIMIT = 40  # the largest page of /api/v1/accounts/:id/statuses
LOOKUP_MARGIN = dt.timedelta(minutes=15)  # before a write was first intended: room for the instance's clock
MEDIA_REUSE = dt.timedelta(hours=23)  # Mastodon removes attachments no status carries after a day
MEDIA_REFUSED = ("not found or already attached", "finished processing")
FOLLOW_UP = ("the next attempt looks it up among the account's recent statuses and sends it again with the same "
             "Idempotency-Key, which Mastodon answers with the status it already made")
_MENTION = re.compile(r"(?<![\w/@])(@\w+(?:[\w.-]*\w)?)@[\w-]+(?:\.[\w-]+)+", re.ASCII)


class ImageTaken(Ambiguous):
    """Status 1's upload is attached to a status already: perhaps our own, which the look-up did not find."""


def content_hash(params: dict[str, Any]) -> str:
    """SHA-256 of one status request (without media): the ledger's payload hash."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def idempotency_key(slug: str, position: int, digest: str) -> str:
    """The `Idempotency-Key` of status `position` of an update: the same for the same request, never another's."""
    return "herald-" + hashlib.sha256(f"{slug}\0{PART_KIND}\0{position}\0{digest}".encode()).hexdigest()[:48]


def media_hash(data: bytes, alt_text: str) -> str:
    """The ledger's payload hash of an image upload: its bytes and its alt text."""
    return hashlib.sha256(hashlib.sha256(data).digest() + alt_text.encode()).hexdigest()


def status_id(part: PartRow) -> str:
    """A done part's status id; from its URL (`.../@user/<id>`) when a person recorded the URL by hand."""
    remote_id = part.remote_id or ""
    for ref in (remote_id, part.url or ""):
        found = ref if ref.isdigit() else status_id_in(ref)
        if found.isdigit():
            return found
    return remote_id


def plain_text(content: str) -> str:
    """A status's `content` HTML back to text: paragraphs and line breaks kept, tags dropped, entities decoded."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", content)
    text = re.sub(r"(?i)</p>\s*<p>", "\n\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def comparable(text: str) -> str:
    """Text for matching a draft with a posted status: whitespace collapsed, `@user@domain` shown as `@user`."""
    return " ".join(_MENTION.sub(r"\1", text).split())


def _api_error(error: MastodonAPIError) -> tuple[int | None, str]:
    """The HTTP status and Mastodon's `error` text of a Mastodon.py API error (None when there was no answer)."""
    args = error.args
    if len(args) >= 4 and isinstance(args[1], int):
        return args[1], str(args[3] or args[2] or "")
    return None, str(args[0]) if args else type(error).__name__


def make_client(settings: MastodonSettings) -> Mastodon:
    """A Mastodon.py client with the access token, the timeout, and 429s raised instead of slept through."""
    if settings.access_token is None:
        raise PreflightError("mastodon: no access token; set [mastodon] access_token")
    return Mastodon(
        access_token=settings.access_token.get_secret_value(), api_base_url=settings.api_base,
        request_timeout=settings.timeout_seconds, ratelimit_method="throw", mastodon_version=API_VERSION,
        version_check_mode="created", user_agent="herald",
    )


class MastodonTransport(Transport):
    """Posts each status as a reply to the previous one; statuses already in the ledger are skipped."""

    kind = "live"
    media_poll_seconds = 1.0  # between looks at an attachment Mastodon is still processing
    media_wait_seconds = 60.0  # how long an upload may take to process before the send is retried later

    def __init__(self, settings: MastodonSettings, ledger: Ledger, slug: str, client: Mastodon | None = None) -> None:
        self.settings = settings
        self.ledger = ledger
        self.slug = slug
        self._client = client
        self._account_id: str | None = None

    @property
    def client(self) -> Mastodon:
        """The Mastodon.py client, made on first use so a missing token surfaces as a clear error."""
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    @property
    def host(self) -> str:
        """The instance as messages name it."""
        return where(self.settings.api_base)

    def preflight(self, draft: MastodonDraft) -> None:
        """Check the token with verify_credentials, and the instance's limits against those the draft counted."""
        count = len(draft.statuses)
        if count > self.settings.max_posts:
            raise PreflightError(f"mastodon: the thread has {count} statuses but [mastodon] max_posts is "
                                 f"{self.settings.max_posts}")
        account = self._read("accounts/verify_credentials", self.client.account_verify_credentials, preflight=True)
        self._account_id = str(account["id"])
        instance = self._read("/api/v2/instance", self.client.instance_v2, preflight=True)
        configuration = instance.get("configuration") or {}
        statuses = configuration.get("statuses") or {}
        limit = max(draft.limit, self.settings.max_characters)
        allowed = statuses.get("max_characters")
        if isinstance(allowed, int) and allowed < limit:
            raise PreflightError(f"mastodon: {self.host} allows {allowed} characters per status but the thread was "
                                 f"counted for {limit}; set [mastodon] max_characters = {allowed} and publish again")
        weight = statuses.get("characters_reserved_per_url")
        if isinstance(weight, int) and weight > self.settings.url_weight:
            raise PreflightError(f"mastodon: {self.host} counts each link as {weight} characters but the thread "
                                 f"was counted with {self.settings.url_weight}; set [mastodon] url_weight = {weight} "
                                 "and publish again")
        described = (configuration.get("media_attachments") or {}).get("description_limit")
        if draft.image_file is not None and isinstance(described, int) and len(draft.image_alt or "") > described:
            raise PreflightError(f"mastodon: {self.host} takes alt text of at most {described} characters; the "
                                 f"image's alt text has {len(draft.image_alt or '')} (shorten image_alt in the update)")

    def send(self, draft: MastodonDraft) -> Receipt:
        """Post the thread; each status is recorded in the ledger before and after it goes out."""
        if not draft.statuses:
            raise TransportError("mastodon: the thread has no statuses")
        recorded = {part.position: part for part in self.ledger.parts(self.slug, CHANNEL, PART_KIND)}
        parts: list[dict] = []
        previous: str | None = None
        for number, text in enumerate(draft.statuses, 1):
            params = {"status": text, "in_reply_to_id": previous, "visibility": draft.visibility,
                      "spoiler_text": draft.spoiler_text, "language": draft.language}
            digest = content_hash(params)
            part = recorded.get(number)
            unsettled = is_unsettled(part)
            if unsettled:
                found = self._find_posted(number, params, part.created_at)
                if found is not None:
                    self.ledger.mark_part_done(self.slug, CHANNEL, PART_KIND, number, str(found["id"]), found["url"])
                    part = self.ledger.part(self.slug, CHANNEL, PART_KIND, number)
            if part is not None and part.status == "done" and part.remote_id:
                previous = status_id(part)
                parts.append({"position": number, "status": "already_posted", "id": previous,
                              "url": part.url, "changed": part.payload_hash != digest})
                continue
            gone = part.remote_id if part is not None and part.status == "not_sent" and part.remote_id else ""
            # a status a person found deleted and settled as not sent needs a new key: Mastodon answers a key
            # whose status was deleted with 404 for an hour
            key = idempotency_key(self.slug, number, digest + gone)
            media_ids = self._media_ids(draft) if number == 1 else None
            try:
                with tracked_write(self.ledger, self.slug, CHANNEL, PART_KIND, number, digest):
                    status = self._post_status(number, params, key, draft, media_ids, unsettled)
            except MastodonNotFoundError as error:
                if previous is None or self._still_there(previous):  # a 404 of its own, not a deleted parent
                    raise self._failure(error, f"status {number}") from None
                earlier = recorded.get(number - 1) or self.ledger.part(self.slug, CHANNEL, PART_KIND, number - 1)
                raise NeedsAttention(
                    f"mastodon: status {number - 1} was posted ({earlier.url if earlier else previous}) but is no "
                    f"longer on {self.host} (deleted?), so the thread cannot go on from it; herald does not post it "
                    f"again by itself: {gone_hint(self.slug, CHANNEL, number - 1)}") from None
            except ImageTaken:
                raise NeedsAttention(
                    f"mastodon: status {number} may already be on the account (its image is attached to a status "
                    f"herald cannot find among the recent ones); check {self.settings.api_base}, "
                    f"{resolve_hint(self.slug, CHANNEL)}") from None
            previous, url = str(status["id"]), status.get("url")
            self.ledger.mark_part_done(self.slug, CHANNEL, PART_KIND, number, remote_id=previous, url=url)
            parts.append({"position": number, "status": "posted", "id": previous, "url": url, "changed": False})
            self.progress(f"status {number} of {len(draft.statuses)} posted")
        return thread_receipt(CHANNEL, parts, "statuses")

    def reply(self, text: str, parent_id: str, kind: str, revision: int, thread: MastodonDraft) -> Receipt:
        """One status under the thread (a correction) as the ledger part (kind, revision), exactly once like the
        thread's own: looked up after an unclear outcome, sent with its own Idempotency-Key."""
        params = {"status": text, "in_reply_to_id": parent_id, "visibility": thread.visibility,
                  "spoiler_text": thread.spoiler_text, "language": thread.language}
        digest = content_hash(params)
        part = self.ledger.part(self.slug, CHANNEL, kind, revision)
        if is_unsettled(part):
            found = self._find_posted(revision, params, part.created_at)
            if found is not None:
                self.ledger.mark_part_done(self.slug, CHANNEL, kind, revision, str(found["id"]), found["url"])
                part = self.ledger.part(self.slug, CHANNEL, kind, revision)
        if part is not None and part.status == "done":
            return Receipt(channel=CHANNEL, status="published", url=part.url, remote_id=part.remote_id,
                           detail="correction posted earlier; not again")
        try:
            with tracked_write(self.ledger, self.slug, CHANNEL, kind, revision, digest):
                status = self._post(revision, params, idempotency_key(f"{self.slug}/{kind}", revision, digest), None)
        except MastodonNotFoundError:
            raise NeedsAttention(f"mastodon: the thread's last status ({parent_id}) is no longer on {self.host}, so "
                                 "the correction has nothing to reply to; post it by hand if it is still wanted"
                                 ) from None
        self.ledger.mark_part_done(self.slug, CHANNEL, kind, revision, str(status["id"]), status.get("url"))
        return Receipt(channel=CHANNEL, status="published", url=status.get("url"), remote_id=str(status["id"]),
                       detail=f"correction posted under the thread on {self.host}")

    def delete_status(self, remote_id: str, position: int | None = None) -> bool:
        """Delete one status (`DELETE /api/v1/statuses/:id`); False when it was gone already.

        With `position` the delete is the ledger part ("delete", position), done once."""
        if position is not None:
            part = self.ledger.part(self.slug, CHANNEL, DELETE_KIND, position)
            if part is not None and part.status == "done":
                return False
            with tracked_write(self.ledger, self.slug, CHANNEL, DELETE_KIND, position, content_hash({"id": remote_id})):
                deleted = self._delete(remote_id)
            self.ledger.mark_part_done(self.slug, CHANNEL, DELETE_KIND, position, remote_id=remote_id)
            return deleted
        return self._delete(remote_id)

    def _delete(self, remote_id: str) -> bool:
        action = f"deleting status {remote_id}"
        follow_up = "running the retraction again deletes it if it is still there"
        try:
            self.client.status_delete(remote_id)
        except MastodonNotFoundError:
            return False  # deleted before (by a run that lost its answer, or by hand)
        except MastodonError as error:
            raise self._failure(error, action, reconcilable=True, follow_up=follow_up) from None
        return True

    def _read(self, what: str, call: Callable[[], Any], *, preflight: bool = False) -> Any:
        """A read; its failures as PreflightError (before anything is sent) or TransientError."""
        try:
            return call()
        except MastodonUnauthorizedError:
            problem: TransportError = TransportError(
                f"mastodon: {self.host} rejected the access token (401 on {what}); check [mastodon] access_token")
        except MastodonError as error:
            problem = self._failure(error, what, write=False)
        raise (PreflightError(str(problem)) if preflight else problem) from None

    def _still_there(self, status_id: str) -> bool:
        """Whether a status is on the instance (True when the instance cannot say)."""
        try:
            self.client.status(status_id)
        except MastodonNotFoundError:
            return False
        except MastodonError:
            return True
        return True

    def _account(self) -> str:
        if self._account_id is None:
            account = self._read("accounts/verify_credentials", self.client.account_verify_credentials)
            self._account_id = str(account["id"])
        return self._account_id

    def _find_posted(self, number: int, params: dict[str, Any], since: dt.datetime) -> dict | None:
        """Our status with this text, content warning and reply target, or None: among the account's newest
        statuses, and, when a full page has been posted since, among those made just after `since`."""
        wanted = comparable(params["status"])
        parent = str(params["in_reply_to_id"]) if params["in_reply_to_id"] else None
        windows: list[dict[str, Any]] = [{}, {"min_id": since - LOOKUP_MARGIN}]
        for window in windows:
            try:
                page = self.client.account_statuses(self._account(), limit=RECONCILE_LIMIT, **window)
            except MastodonError as error:
                raise TransientError(f"mastodon: could not read the account's recent statuses to check status "
                                     f"{number} ({self._failure(error, 'the look-up', write=False)})") from None
            for status in page:
                replies_to = str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None
                if (replies_to == parent and (status.get("spoiler_text") or "") == params["spoiler_text"]
                        and comparable(plain_text(status.get("content") or "")) == wanted):
                    return status
            if len(page) < RECONCILE_LIMIT:  # that was every status the account has
                return None
        return None

    def _post_status(self, number: int, params: dict[str, Any], key: str, draft: MastodonDraft,
                     media_ids: list[str] | None, unsettled: bool) -> dict:
        """A status; with an image, uploaded again once if Mastodon no longer has the upload."""
        try:
            return self._post(number, params, key, media_ids)
        except TransportError as error:
            if not media_ids or not any(marker in str(error) for marker in MEDIA_REFUSED):
                raise
            if unsettled:  # our own earlier attempt may carry the image
                raise ImageTaken(str(error)) from None
        return self._post(number, params, key, self._media_ids(draft, again=True))

    def _post(self, number: int, params: dict[str, Any], key: str, media_ids: list[str] | None) -> dict:
        try:
            return self.client.status_post(
                params["status"], in_reply_to_id=params["in_reply_to_id"], media_ids=media_ids,
                visibility=params["visibility"], spoiler_text=params["spoiler_text"] or None,
                language=params["language"] or None, idempotency_key=key,
            )
        except MastodonError as error:
            if isinstance(error, MastodonNotFoundError) and params["in_reply_to_id"]:
                raise  # the status it replies to is gone (nothing was applied): send() says what a person can do
            raise self._failure(error, f"status {number}", reconcilable=True, follow_up=FOLLOW_UP) from None

    def _media_ids(self, draft: MastodonDraft, again: bool = False) -> list[str] | None:
        """Status 1's image as an attachment id: uploaded once with its alt text, reused while Mastodon keeps it."""
        image: Path | None = draft.image_file
        if image is None:
            return None
        alt_text = draft.image_alt or ""
        try:
            data = image.read_bytes()
        except OSError as error:
            raise TransportError(f"mastodon: cannot read the image {image}: {error.strerror}") from None
        digest = media_hash(data, alt_text)
        return [reused_upload(self.ledger, self.slug, CHANNEL, MEDIA_KIND, digest,
                              lambda: self._upload(image.name, data, alt_text), MEDIA_REUSE, again)]

    def _upload(self, filename: str, data: bytes, alt_text: str) -> str:
        """`POST /api/v2/media`, then `GET /api/v1/media/:id` until Mastodon has processed it."""
        try:
            media = self.client.media_post(data, mime_type=_mime_type(data), description=alt_text or None,
                                           file_name=filename)
            deadline = time.monotonic() + self.media_wait_seconds
            while media.get("url") is None:
                if time.monotonic() > deadline:
                    raise TransientError(f"mastodon: {self.host} is still processing the image after "
                                         f"{self.media_wait_seconds:.0f} s; publish again in a moment")
                time.sleep(self.media_poll_seconds)
                media = self.client.media(media["id"])
        except MastodonNetworkError as error:
            # An upload no status carries is never shown: whatever became of it, it is safe to upload again.
            cause = error.__context__ or error
            if never_left(cause):
                raise TransientError(f"mastodon: cannot reach {self.host} ({why_unreachable(cause)})") from None
            raise TransientError(f"mastodon: {why_unreachable(cause)} during the image upload; an upload no status "
                                 "carries is never shown, so the next attempt uploads it again") from None
        except MastodonError as error:
            raise self._failure(error, "the image upload", write=False) from None
        return str(media["id"])

    def _failure(self, error: MastodonError, action: str, *, write: bool = True, reconcilable: bool = False,
                 follow_up: str = "") -> TransportError:
        """A Mastodon.py error as herald's outcome, by the rule of herald.core.outcomes."""
        if isinstance(error, MastodonRatelimitError):
            reset = getattr(self.client, "ratelimit_reset", None)
            wait = max(0.0, reset - time.time()) if isinstance(reset, int | float) else None
            return TransientError(f"mastodon: {self.host} is rate limiting ({action} answered 429)", wait)
        if isinstance(error, MastodonNetworkError):
            cause = error.__context__ or error
            return network_failure(CHANNEL, action, self.settings.api_base, cause, write=write,
                                   reconcilable=reconcilable, follow_up=follow_up)
        if isinstance(error, MastodonAPIError):
            status, detail = _api_error(error)
            if status is None:  # an answer that could not be read: as if no answer came
                if not write:
                    return TransientError(f"mastodon: unreadable answer to {action} from {self.host}: {detail}")
                return Ambiguous(f"mastodon: outcome unknown: the answer to {action} could not be read"
                                 + (f"; {follow_up}" if follow_up else ""), reconcilable)
            if status == 401:
                return TransportError(f"mastodon: {self.host} rejected the access token at {action} (401); check "
                                      "[mastodon] access_token")
            return http_failure(CHANNEL, action, status, detail, write=write, reconcilable=reconcilable,
                                follow_up=follow_up)
        return TransportError(f"mastodon: {action} failed: {error}")


def _mime_type(data: bytes) -> str:
    """The image's MIME type from its first bytes (Mastodon.py needs one for bytes)."""
    for magic, kind in ((b"\x89PNG", "image/png"), (b"GIF8", "image/gif"), (b"\xff\xd8", "image/jpeg"),
                        (b"RIFF", "image/webp")):
        if data.startswith(magic):
            return kind
    return "application/octet-stream"
