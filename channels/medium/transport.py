"""Medium: the article through the (unsupported but working) API, or an import-ready file for a person."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from channels.medium.render import MediumDraft
from channels.medium.settings import MediumSettings
from herald.core.draft import Receipt, json_bytes
from herald.core.ledger import Ledger
from herald.core.outbox import OutboxTransport
from herald.core.outcomes import http_failure, network_failure
from herald.core.parts import earlier_single_write, resolve_hint, tracked_write
from herald.core.transport import Ambiguous, PreflightError, Transport, TransportError

CHANNEL = "medium"
PART_KIND = "post"
PART_POSITION = 1
IMPORT_URL = "https://medium.com/p/import"
STORIES_URL = "https://medium.com/me/stories/public"
ARTICLE_FILE = "medium.html"


def _errors(response: httpx.Response) -> str:
    """Medium's `{"errors": [{"message", "code"}]}`, as one line."""
    try:
        errors = response.json().get("errors") or []
        text = "; ".join(str(error.get("message", "")) for error in errors if isinstance(error, dict))
    except (ValueError, AttributeError):
        text = ""
    return text or response.reason_phrase or "no detail"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


class MediumTransport(Transport):
    """`GET /me`, then `POST /users/{id}/posts` with the draft's payload; the post is a ledger part."""

    kind = "live"

    def __init__(self, settings: MediumSettings, ledger: Ledger, slug: str, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.ledger = ledger
        self.slug = slug
        self.api_base = settings.api_base.rstrip("/")
        self.client = client or httpx.Client(timeout=settings.timeout_seconds)
        self._author: str | None = None  # the user id `GET /me` returned in pre-flight, reused by send

    def _headers(self) -> dict[str, str]:
        if self.settings.token is None:
            raise PreflightError("medium: no integration token is configured")
        return {
            "Authorization": f"Bearer {self.settings.token.get_secret_value()}",
            "Accept": "application/json",
            "Accept-Charset": "utf-8",
        }

    def _me(self, preflight: bool = False) -> str:
        failure = PreflightError if preflight else TransportError
        try:
            response = self.client.get(f"{self.api_base}/me", headers=self._headers(),
                                       timeout=self.settings.timeout_seconds)
        except httpx.HTTPError as error:
            problem = network_failure(CHANNEL, "reading /me", self.api_base, error, write=False, reconcilable=False)
            raise (PreflightError(str(problem)) if preflight else problem) from None
        if response.status_code == 401:
            raise failure("medium: the integration token was rejected") from None
        if response.status_code != 200:
            problem = http_failure(CHANNEL, "/me", response.status_code, _errors(response), write=False,
                                   reconcilable=False, retry_after=_retry_after(response))
            raise (PreflightError(str(problem)) if preflight else problem) from None
        try:
            return str(response.json()["data"]["id"])
        except (ValueError, KeyError, TypeError):
            raise failure("medium: /me answered without a user id") from None

    def preflight(self, draft: MediumDraft) -> None:
        """Check the token with `GET /me`, and remember the user id: send posts as that user without asking again."""
        self._author = self._me(preflight=True)

    def send(self, draft: MediumDraft) -> Receipt:
        """Create the post once; a post the ledger already holds is not created again."""
        earlier = earlier_single_write(
            self.ledger, self.slug, CHANNEL, PART_KIND, "medium: an earlier attempt may have created the post (no "
            f"answer came) and Medium cannot list posts; check the account's stories at {STORIES_URL}",
        )
        if earlier is not None:
            return earlier
        author = self._author or self._me()
        payload = draft.payload()
        digest = hashlib.sha256(json_bytes(payload)).hexdigest()
        with tracked_write(self.ledger, self.slug, CHANNEL, PART_KIND, PART_POSITION, digest):
            post_id, post_url, data = self._create(author, payload)
        self.ledger.mark_part_done(self.slug, CHANNEL, PART_KIND, PART_POSITION, remote_id=post_id, url=post_url)
        return Receipt(channel=CHANNEL, status="published", url=post_url, remote_id=post_id,
                       detail=f"{data.get('publishStatus', draft.publish_status)} on Medium; "
                              f"canonical {data.get('canonicalUrl', draft.canonical_url)}")

    def _create(self, author: str, payload: dict) -> tuple[str, str, dict]:
        url = f"{self.api_base}/users/{author}/posts"
        follow_up = self._check_by_hand()
        try:
            response = self.client.post(url, json=payload, headers=self._headers(),
                                        timeout=self.settings.timeout_seconds)
        except httpx.HTTPError as error:
            raise network_failure(CHANNEL, "creating the post", url, error, write=True, reconcilable=False,
                                  follow_up=follow_up) from None
        status = response.status_code
        if status == 401:
            raise TransportError("medium: the integration token was rejected")
        if status == 403:
            raise TransportError(f"medium: the token may not post as user {author} (403): {_errors(response)}")
        if status >= 400:
            raise http_failure(CHANNEL, "creating the post", status, _errors(response), write=True,
                               reconcilable=False, retry_after=_retry_after(response), follow_up=follow_up)
        try:
            data = response.json()["data"]
            return str(data["id"]), str(data["url"]), data
        except (ValueError, KeyError, TypeError):
            raise Ambiguous(f"medium: outcome unknown: creating the post answered {status} without an id and url; "
                            f"{follow_up}") from None

    def _check_by_hand(self) -> str:
        return f"Medium cannot list posts, so check the account's stories at {STORIES_URL}, " + resolve_hint(
            self.slug, CHANNEL)


class ManualMediumTransport(Transport):
    """Without a token: write the import-ready article and leave a pending manual step."""

    kind = "outbox"

    def __init__(self, outbox_root: Path, slug: str) -> None:
        self.outbox = OutboxTransport(outbox_root, slug)

    def preflight(self, draft: MediumDraft) -> None:
        """Nothing to check: no credentials are used."""

    def send(self, draft: MediumDraft) -> Receipt:
        """Write the draft's files and say how to import the article."""
        self.outbox.send(draft)
        article = (self.outbox.folder / ARTICLE_FILE).resolve()
        return Receipt(
            channel=CHANNEL,
            status="pending_manual",
            url=None,
            remote_id=None,
            detail=f"import by hand: open {IMPORT_URL} and give it the Diff URL {draft.canonical_url}; "
                   f"the article is in {article}",
        )


def offline_transport(settings: MediumSettings, outbox: Path, slug: str) -> ManualMediumTransport | OutboxTransport:
    """Without a token (Medium issues none now), a manual import a person finishes; `outbox` asks for files only."""
    return ManualMediumTransport(outbox, slug) if settings.transport == "auto" else OutboxTransport(outbox, slug)
