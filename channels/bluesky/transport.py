"""Bluesky: post a thread to the account's PDS with the atproto SDK, one ledger part per record, exactly once."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
from pathlib import Path
from typing import Any

import httpx
from atproto import Client, models
from atproto_client.exceptions import RateLimitExceededError, RequestErrorBase
from atproto_client.models.common import XrpcError
from atproto_client.request import Request

from channels.bluesky.draft import BlueskyDraft, BlueskyPost
from channels.bluesky.richtext import post as rich_post
from channels.bluesky.settings import BlueskySettings
from herald.core.draft import Receipt
from herald.core.ledger import Ledger, PartRow
from herald.core.outcomes import http_failure, network_failure
from herald.core.parts import gone_hint, is_unsettled, thread_receipt, tracked_write
from herald.core.transport import Ambiguous, NeedsAttention, PreflightError, TransientError, Transport, TransportError

CHANNEL = "bluesky"
POST_KIND = "post"
MEDIA_KIND = "media"
DELETE_KIND = "delete"
COLLECTION = "app.bsky.feed.post"
WEB_URL = "https://bsky.app/profile/{handle}/post/{rkey}"
MAX_IMAGE_BYTES = 1_000_000  # app.bsky.embed.images#image: maxSize
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
TID_SYNTAX = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
TID_EPOCH = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)  # derived record keys fall in [2023, 2025): past, never future
TID_SPAN_US = 2 * 365 * 24 * 3600 * 1_000_000
FOLLOW_UP = "the next attempt reads it back by its record key"
StrongRef = dict[str, str]


def post_rkey(slug: str, position: int) -> str:
    """Post `position`'s record key: a valid TID derived from the update's slug, the same on every run.

    Posts are `key: tid` records, so the key must be a TID: 53 bits of microseconds (here a point in 2023-2024
    picked by the slug, plus the position, so a thread sorts in order) and a 10-bit clock id from the slug.
    """
    digest = int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big")
    micros = int(TID_EPOCH.timestamp()) * 1_000_000 + digest % TID_SPAN_US + position
    value = (micros << 10) | (digest >> 54)
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def recorded_rkey(part: PartRow | None) -> str | None:
    """The record key of a post the ledger has as done: the end of its at:// URI, or of the bsky.app URL a person
    gave `herald resolve --sent` for a post made by hand."""
    if part is None or part.status != "done":
        return None
    for ref in (part.remote_id, part.url):
        tail = (ref or "").rstrip("/").rsplit("/", 1)[-1]
        if TID_SYNTAX.match(tail):
            return tail
    return None


def post_url(handle: str, rkey: str) -> str:
    """The post's address on bsky.app."""
    return WEB_URL.format(handle=handle, rkey=rkey)


def post_hash(post: BlueskyPost) -> str:
    """The ledger's payload hash of one post: its text and facets."""
    facets = "".join(f"|{f.byte_start}:{f.byte_end}:{f.uri or '#' + f.tag}" for f in post.facets)
    return hashlib.sha256((post.text + facets).encode()).hexdigest()


def media_hash(data: bytes, alt_text: str) -> str:
    """The ledger's payload hash of the image upload: its bytes and its alt text."""
    return hashlib.sha256(hashlib.sha256(data).digest() + alt_text.encode()).hexdigest()


def post_record(post: BlueskyPost, language: str, created_at: str, reply: dict | None, embed: dict | None) -> dict:
    """The `app.bsky.feed.post` record of one post."""
    record: dict[str, Any] = {"$type": COLLECTION, "text": post.text, "createdAt": created_at, "langs": [language]}
    if post.facets:
        record["facets"] = [{"index": {"byteStart": f.byte_start, "byteEnd": f.byte_end}, "features": [f.feature()]}
                            for f in post.facets]
    if reply is not None:
        record["reply"] = reply
    if embed is not None:
        record["embed"] = embed
    return record


def _detail(error: RequestErrorBase) -> str:
    content = error.response.content if error.response is not None else None
    if isinstance(content, XrpcError):
        return f"{content.error}: {content.message}" if content.message else str(content.error)
    return ""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _PinnedClient(Client):
    """The SDK client, kept on the configured PDS URL."""

    def _update_pds_endpoint(self, pds_endpoint: str) -> None:
        # The SDK moves to the endpoint in the session's DID document; an entryway (bsky.social) serves every repo
        # call itself, and tests put a fault proxy in front of the PDS, so herald stays where it was told.
        pass


def make_client(settings: BlueskySettings, **http_options: Any) -> Client:
    """An SDK client for the configured PDS with its timeout (`http_options` go to httpx), not yet logged in."""
    return _PinnedClient(settings.pds_url, request=Request(timeout=settings.timeout_seconds, **http_options))


class BlueskyTransport(Transport):
    """Creates each post under a record key derived from the update; a rerun reads unsettled posts back by key."""

    kind = "live"

    def __init__(self, settings: BlueskySettings, ledger: Ledger, slug: str, client: Client | None = None) -> None:
        self.settings = settings
        self.ledger = ledger
        self.slug = slug
        self._client = client
        self._did: str | None = None

    # --- session ---------------------------------------------------------------------------------------------

    @property
    def client(self) -> Client:
        """The SDK client with a session (createSession), made on first use."""
        if self._client is None:
            self._client = make_client(self.settings)
        if self._did is None:
            self._login(self._client)
        return self._client

    def _login(self, client: Client) -> None:
        if not self.settings.has_credentials():
            raise PreflightError("bluesky: the handle and app password are both required ([bluesky] handle, "
                                 "app_password)")
        password = self.settings.app_password.get_secret_value()  # type: ignore[union-attr]
        client.on_session_change(lambda _event, session: setattr(self, "_did", session.did))
        try:
            client.login(self.settings.handle, password, fetch_bsky_profile=False)
        except RequestErrorBase as error:
            raise PreflightError(self._preflight_message(error)) from None
        except httpx.HTTPError as error:
            raise PreflightError(str(network_failure(CHANNEL, "createSession", self.settings.pds_url, error,
                                                     write=False, reconcilable=False))) from None

    def _preflight_message(self, error: RequestErrorBase) -> str:
        if error.response is None:
            cause = error.__cause__ or error
            return str(network_failure(CHANNEL, "createSession", self.settings.pds_url, cause, write=False,
                                       reconcilable=False))
        status = error.response.status_code
        if status == 401:
            return (f"bluesky: {self.settings.pds_url} rejected the handle {self.settings.handle!r} or its app "
                    f"password (401 on createSession)")
        if status == 429:
            return "bluesky: the PDS is rate limiting createSession (429); try again later"
        detail = _detail(error)
        return f"bluesky: createSession answered {status}" + (f": {detail}" if detail else "")

    @property
    def did(self) -> str:
        """The account's DID, from its session."""
        _ = self.client
        assert self._did is not None
        return self._did

    # --- the protocol ----------------------------------------------------------------------------------------

    def preflight(self, draft: BlueskyDraft) -> None:
        """Check the thread's length and image size, then log in (createSession) with the handle and app password."""
        if len(draft.posts) > self.settings.max_posts:
            raise PreflightError(f"bluesky: the thread has {len(draft.posts)} posts but at most "
                                 f"{self.settings.max_posts} are allowed ([bluesky] max_posts)")
        if draft.image_file is not None:
            try:
                size = draft.image_file.stat().st_size
            except OSError as error:
                raise PreflightError(f"bluesky: cannot read the image {draft.image_file}: {error.strerror}") from None
            if size > MAX_IMAGE_BYTES:
                raise PreflightError(f"bluesky: the image {draft.image_file.name} is {size:,} bytes; Bluesky takes "
                                     f"at most {MAX_IMAGE_BYTES:,}")
        _ = self.client

    def send(self, draft: BlueskyDraft) -> Receipt:
        """Post the thread: post 1 with the image (or the link card), each later post replying to the one before."""
        if not draft.posts:
            raise TransportError("bluesky: the thread has no posts")
        recorded = {part.position: part for part in self.ledger.parts(self.slug, CHANNEL, POST_KIND)}
        parts: list[dict] = []
        root: StrongRef | None = None
        parent: StrongRef | None = None
        for number, post in enumerate(draft.posts, 1):
            part = recorded.get(number)
            rkey = recorded_rkey(part) or post_rkey(self.slug, number)
            found = None
            if is_unsettled(part) or (part is not None and part.status == "done"):
                found = self._read(rkey)
            if part is not None and part.status == "done" and found is None:
                raise NeedsAttention(f"bluesky: post {number} was posted ({part.url}) but is no longer on the PDS "
                                     "(deleted?), so the thread cannot go on from it; herald does not post it again "
                                     f"by itself: {gone_hint(self.slug, CHANNEL, number)}")
            if found is not None:
                ref, value = found
                self.ledger.mark_part_done(self.slug, CHANNEL, POST_KIND, number, ref["uri"],
                                           post_url(self.settings.handle, rkey))
                parts.append({"position": number, "status": "already_posted", "id": ref["uri"],
                              "url": post_url(self.settings.handle, rkey), "changed": value.get("text") != post.text})
            else:
                reply = None if root is None or parent is None else {"root": root, "parent": parent}
                ref = self._create_post(draft, number, post, rkey, reply)
                parts.append({"position": number, "status": "posted", "id": ref["uri"],
                              "url": post_url(self.settings.handle, rkey), "changed": False})
                self.progress(f"post {number} of {len(draft.posts)} posted")
            root = root or ref
            parent = ref
        return thread_receipt(CHANNEL, parts, "posts")

    def reply(self, text: str, kind: str, revision: int, language: str) -> Receipt:
        """One post under the thread (a correction), replying to its last post, under a record key derived from the
        update and the correction's number: a repeat is refused by the PDS and read back."""
        posts = sorted((part for part in self.ledger.parts(self.slug, CHANNEL, POST_KIND) if part.status == "done"),
                       key=lambda part: part.position)
        keys = [recorded_rkey(part) for part in (posts[0], posts[-1])] if posts else []
        found = [self._read(key) for key in keys if key]
        if len(found) != 2 or None in found:
            raise NeedsAttention("bluesky: the thread's posts are not on the PDS any more, so a correction has "
                                 "nothing to reply to; post it by hand if it is still wanted")
        root, parent = found[0][0], found[1][0]  # type: ignore[index]
        rkey = post_rkey(f"{self.slug}/{kind}", revision)
        made = rich_post(text)
        part = self.ledger.part(self.slug, CHANNEL, kind, revision)
        if part is not None and (part.status == "done" or is_unsettled(part)) and self._read(rkey) is not None:
            self.ledger.mark_part_done(self.slug, CHANNEL, kind, revision, f"at://{self.did}/{COLLECTION}/{rkey}",
                                       post_url(self.settings.handle, rkey))
            return Receipt(channel=CHANNEL, status="published", url=post_url(self.settings.handle, rkey),
                           remote_id=rkey, detail="correction posted earlier; not again")
        record = post_record(made, language, _now(), {"root": root, "parent": parent}, None)
        with tracked_write(self.ledger, self.slug, CHANNEL, kind, revision, post_hash(made)):
            ref = self._create_or_find(revision, rkey, record)
        self.ledger.mark_part_done(self.slug, CHANNEL, kind, revision, ref["uri"], post_url(self.settings.handle, rkey))
        return Receipt(channel=CHANNEL, status="published", url=post_url(self.settings.handle, rkey),
                       remote_id=ref["uri"], detail="correction posted under the thread")

    def delete_post(self, rkey: str, position: int | None = None) -> bool:
        """Delete one of this update's posts (deleteRecord) as the ledger part ("delete", its position); a post a
        person made by hand and settled with `resolve --sent`, or a correction's reply, has its own key, so its
        position is given."""
        if position is None:
            position = next((n for n in range(1, self.settings.max_posts + 1) if post_rkey(self.slug, n) == rkey),
                            None)
        if position is None:
            raise TransportError(f"bluesky: {rkey} is not the record key of a post of {self.slug}")
        part = self.ledger.part(self.slug, CHANNEL, DELETE_KIND, position)
        if part is not None and part.status == "done":
            return False
        with tracked_write(self.ledger, self.slug, CHANNEL, DELETE_KIND, position, rkey):
            try:
                self.client.com.atproto.repo.delete_record(models.ComAtprotoRepoDeleteRecord.Data(
                    repo=self.did, collection=COLLECTION, rkey=rkey))
            except (RequestErrorBase, httpx.HTTPError) as error:
                # deleteRecord of a record already gone succeeds, so running the retraction again is safe
                raise self._failure(f"deleting post {position}", error, write=True) from None
        self.ledger.mark_part_done(self.slug, CHANNEL, DELETE_KIND, position, rkey)
        return True

    # --- writes ----------------------------------------------------------------------------------------------

    def _create_post(self, draft: BlueskyDraft, number: int, post: BlueskyPost, rkey: str,
                     reply: dict | None) -> StrongRef:
        """Create one post under its record key, recorded in the ledger before and after."""
        embed = self._embed(draft) if number == 1 else None
        record = post_record(post, draft.language, _now(), reply, embed)
        with tracked_write(self.ledger, self.slug, CHANNEL, POST_KIND, number, post_hash(post)):
            try:
                ref = self._create_or_find(number, rkey, record)
            except TransportError as error:
                if embed is None or "images" not in embed or error.transient or "blob" not in str(error).lower():
                    raise
                record["embed"] = self._embed(draft, again=True)  # the PDS deleted the upload no post used in time
                ref = self._create_or_find(number, rkey, record)
        self.ledger.mark_part_done(self.slug, CHANNEL, POST_KIND, number, ref["uri"],
                                   post_url(self.settings.handle, rkey))
        return ref

    def _create_or_find(self, number: int, rkey: str, record: dict) -> StrongRef:
        """createRecord; when its outcome is unknown, the record at `rkey` if it is there after all."""
        try:
            return self._create(number, rkey, record)
        except Ambiguous:
            # A create under a key that exists also answers 500 (the PDS's unique constraint), so read it back.
            try:
                found = self._read(rkey)
            except TransportError:
                found = None
            if found is None:
                raise
            return found[0]

    def _create(self, number: int, rkey: str, record: dict) -> StrongRef:
        try:
            response = self.client.com.atproto.repo.create_record(models.ComAtprotoRepoCreateRecord.Data(
                repo=self.did, collection=COLLECTION, rkey=rkey, record=record))
        except (RequestErrorBase, httpx.HTTPError) as error:
            raise self._failure(f"post {number}", error, write=True) from None
        return {"uri": response.uri, "cid": response.cid}

    def _embed(self, draft: BlueskyDraft, again: bool = False) -> dict | None:
        """Post 1's embed: the image with its alt text when the draft has one, else the Diff post's link card."""
        if draft.image_file is not None:
            return {"$type": "app.bsky.embed.images",
                    "images": [{"alt": draft.image_alt or "", "image": self._blob(draft.image_file,
                                                                                  draft.image_alt or "", again)}]}
        if draft.card is not None:
            return {"$type": "app.bsky.embed.external", "external": {
                "uri": draft.card.uri, "title": draft.card.title, "description": draft.card.description}}
        return None

    def _blob(self, image: Path, alt_text: str, again: bool) -> dict:
        """The image as a blob ref: uploaded once (ledger part "media"), again only when the PDS no longer has it."""
        try:
            data = image.read_bytes()
        except OSError as error:
            raise TransportError(f"bluesky: cannot read the image {image}: {error.strerror}") from None
        mime = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
        digest = media_hash(data, alt_text)
        uploads = sorted(self.ledger.parts(self.slug, CHANNEL, MEDIA_KIND), key=lambda part: part.position)
        latest: PartRow | None = uploads[-1] if uploads else None
        if latest is not None and latest.status == "done":
            if latest.payload_hash == digest and latest.remote_id and not again:
                return _blob_ref(latest.remote_id, mime, len(data))
            position = latest.position + 1
        else:
            position = latest.position if latest is not None else 1
        # An upload is never public until a post carries it, and a blob is named by its content: uploading
        # again after a lost answer stores the same blob, so an unsettled upload is simply made again.
        with tracked_write(self.ledger, self.slug, CHANNEL, MEDIA_KIND, position, digest):
            try:
                response = self.client.com.atproto.repo.upload_blob(data, headers={"Content-Type": mime})
            except (RequestErrorBase, httpx.HTTPError) as error:
                problem = self._failure("the image upload", error, write=True)
                if isinstance(problem, Ambiguous):
                    problem = TransientError(str(problem))
                raise problem from None
        blob = response.blob
        cid = str(blob.cid)
        self.ledger.mark_part_done(self.slug, CHANNEL, MEDIA_KIND, position, cid)
        return _blob_ref(cid, blob.mime_type, blob.size)

    # --- reads -----------------------------------------------------------------------------------------------

    def _read(self, rkey: str) -> tuple[StrongRef, dict] | None:
        """The post at `rkey` in the account's repo (getRecord): its strong ref and its value, or None."""
        try:
            response = self.client.com.atproto.repo.get_record(models.ComAtprotoRepoGetRecord.Params(
                repo=self.did, collection=COLLECTION, rkey=rkey))
        except RequestErrorBase as error:
            if error.response is not None and error.response.status_code == 400 and "RecordNotFound" in _detail(error):
                return None
            raise TransientError(f"bluesky: could not read post {rkey} back to check it: "
                                 f"{self._failure('getRecord', error, write=False)}") from None
        except httpx.HTTPError as error:
            raise TransientError(str(self._failure("getRecord", error, write=False))) from None
        value = response.value if isinstance(response.value, dict) else response.value.model_dump(by_alias=True)
        return {"uri": response.uri, "cid": str(response.cid)}, value

    def _failure(self, action: str, error: RequestErrorBase | httpx.HTTPError, *, write: bool) -> TransportError:
        """An SDK or HTTP error as the outcome the rule of outcomes.py gives it."""
        if isinstance(error, httpx.HTTPError) or error.response is None:
            cause = error if isinstance(error, httpx.HTTPError) else (error.__cause__ or error)
            return network_failure(CHANNEL, action, self.settings.pds_url, cause, write=write, reconcilable=True,
                                   follow_up=FOLLOW_UP)
        retry_after = error.retry_after if isinstance(error, RateLimitExceededError) else None
        return http_failure(CHANNEL, action, error.response.status_code, _detail(error), write=write,
                            reconcilable=True, retry_after=retry_after, follow_up=FOLLOW_UP)


def _blob_ref(cid: str, mime: str, size: int) -> dict:
    return {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": size}
