"""channels.medium.transport: the real httpx client against a contract fake of the Medium API, and manual mode."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import httpx
import pytest
from medium_api import USER, FakeMedium
from pydantic import SecretStr

from channels.medium.render import Medium, MediumDraft
from channels.medium.settings import MediumSettings
from channels.medium.transport import ManualMediumTransport, MediumTransport
from channels.registry import load_update
from herald.core.draft import RenderContext
from herald.core.ledger import Ledger
from herald.core.transport import NeedsAttention, PreflightError, TransientError, TransportError

pytestmark = pytest.mark.live

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SLUG = "dont-blink-september-2026"
DIFF_URL = "https://diff.example.org/2026/10/08/dont-blink-september-2026/"
TOKEN = "2b6f1e7c-TOP-SECRET-medium-token-55aa"


@pytest.fixture
def draft() -> MediumDraft:
    """The full example update rendered for Medium (five tags, `publish_status: unlisted`)."""
    update = load_update(FIXTURES / "updates" / "full.md", FIXTURES)
    return Medium().render(update, RenderContext(diff_url=DIFF_URL, diff_url_known=True))


@pytest.fixture
def fake():
    with FakeMedium(TOKEN) as server:
        yield server


def transport(api_base: str, ledger: Ledger, token: str = TOKEN, timeout: float = 5) -> MediumTransport:
    return MediumTransport(MediumSettings(api_base=api_base, token=SecretStr(token), timeout_seconds=timeout),
                           ledger, SLUG)


def test_post_goes_to_the_token_owner_with_the_canonical_diff_url(
    fake: FakeMedium, ledger: Ledger, draft: MediumDraft
) -> None:
    receipt = transport(fake.api_base, ledger).send(draft)

    me, post = fake.requests
    assert (me.method, me.path) == ("GET", "/v1/me")
    assert (post.method, post.path) == ("POST", f"/v1/users/{USER['id']}/posts")
    for request in (me, post):
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept"] == "application/json"
    assert post.headers["content-type"] == "application/json"
    body = post.json
    assert body == draft.payload()
    assert body["canonicalUrl"] == DIFF_URL
    assert body["tags"] == ["Public Policy", "Wikipedia", "Copyright"] and len(body["tags"]) <= 3
    assert body["publishStatus"] == "unlisted"
    assert body["contentFormat"] == "html" and body["content"].startswith("<h1 lang=\"en\">")
    assert DIFF_URL in body["content"]

    (created,) = fake.posts
    assert receipt.status == "published" and receipt.channel == "medium"
    assert receipt.url == created["url"] and receipt.remote_id == created["id"]
    (part,) = ledger.parts(SLUG, "medium")
    assert (part.kind, part.status, part.remote_id, part.url) == ("post", "done", created["id"], created["url"])


def test_a_rerun_does_not_post_again(fake: FakeMedium, ledger: Ledger, draft: MediumDraft) -> None:
    first = transport(fake.api_base, ledger).send(draft)
    before = len(fake.requests)
    again = transport(fake.api_base, ledger).send(draft)
    assert len(fake.requests) == before and len(fake.posts) == 1
    assert (again.status, again.url, again.remote_id) == ("published", first.url, first.remote_id)


def test_preflight_reads_me_and_a_rejected_token_stops(fake: FakeMedium, ledger: Ledger, draft: MediumDraft) -> None:
    transport(fake.api_base, ledger).preflight(draft)
    assert [(r.method, r.path) for r in fake.requests] == [("GET", "/v1/me")]
    with pytest.raises(PreflightError) as caught:
        transport(fake.api_base, ledger, token="not-the-token").preflight(draft)
    assert str(caught.value) == "medium: the integration token was rejected"
    assert fake.posts == []


def test_429_on_create_is_transient_and_the_retry_posts_once(
    fake: FakeMedium, ledger: Ledger, draft: MediumDraft
) -> None:
    fake.fail_once("POST", f"/v1/users/{USER['id']}/posts", 429, {"errors": [{"message": "slow down", "code": 0}]},
                   {"Retry-After": "7"})
    with pytest.raises(TransientError) as caught:
        transport(fake.api_base, ledger).send(draft)
    assert caught.value.retry_after == 7
    transport(fake.api_base, ledger).send(draft)
    assert len(fake.posts) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_on_create_is_flagged_for_a_person_not_retried(
    fake: FakeMedium, ledger: Ledger, draft: MediumDraft, status: int
) -> None:
    fake.fail_once("POST", f"/v1/users/{USER['id']}/posts", status)
    with pytest.raises(TransportError, match="outcome unknown") as caught:
        transport(fake.api_base, ledger).send(draft)
    assert not caught.value.transient
    assert [p.status for p in ledger.parts(SLUG, "medium")] == ["ambiguous"]
    with pytest.raises(NeedsAttention, match="may have created the post.*herald resolve"):
        transport(fake.api_base, ledger).send(draft)
    assert fake.posts == [] and len(fake.calls("POST", f"/v1/users/{USER['id']}/posts")) == 1


def test_a_post_left_intended_by_a_killed_process_needs_a_person(
    fake: FakeMedium, ledger: Ledger, draft: MediumDraft
) -> None:
    ledger.mark_part_intended(SLUG, "medium", "post", 1, "digest")
    with pytest.raises(NeedsAttention, match="check the account's stories"):
        transport(fake.api_base, ledger).send(draft)
    assert fake.calls("POST", f"/v1/users/{USER['id']}/posts") == []


def test_no_secret_appears_in_errors_receipts_ledger_or_logs(
    fake: FakeMedium, ledger: Ledger, draft: MediumDraft, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-TOP-SECRET-token-0000"
    texts: list[str] = []
    fake.fail_once("POST", f"/v1/users/{USER['id']}/posts", 429)
    rejected = transport(fake.api_base, ledger, token=wrong)
    for call in (rejected.preflight, rejected.send, transport(fake.api_base, ledger).send):
        with pytest.raises(TransportError) as caught:
            call(draft)
        texts += [str(caught.value), repr(caught.value), repr(caught.value.__cause__), repr(caught.value.__context__)]
    receipt = transport(fake.api_base, ledger).send(draft)
    texts += [repr(receipt), repr(ledger.parts(SLUG, "medium")), repr(transport(fake.api_base, ledger).settings),
              caplog.text]
    joined = "\n".join(texts)
    assert "token was rejected" in joined and "answered 429" in joined
    assert TOKEN not in joined and wrong not in joined


def test_connection_refused_is_transient(ledger: Ledger, draft: MediumDraft) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = transport(f"http://127.0.0.1:{port}/v1", ledger)
    with pytest.raises(PreflightError, match=rf"^medium: cannot reach 127.0.0.1:{port} \(connection refused\)$"):
        closed.preflight(draft)
    with pytest.raises(TransientError, match="cannot reach"):
        closed.send(draft)


def test_an_injected_client_is_used(fake: FakeMedium, ledger: Ledger, draft: MediumDraft) -> None:
    seen: list[str] = []
    client = httpx.Client(event_hooks={"request": [lambda request: seen.append(request.url.path)]})
    settings = MediumSettings(api_base=fake.api_base, token=SecretStr(TOKEN))
    MediumTransport(settings, ledger, SLUG, client=client).send(draft)
    assert seen == ["/v1/me", f"/v1/users/{USER['id']}/posts"]


def test_manual_mode_writes_the_article_and_leaves_a_pending_step(tmp_path: Path, draft: MediumDraft) -> None:
    manual = ManualMediumTransport(tmp_path / "outbox", SLUG)
    assert manual.kind == "outbox"
    manual.preflight(draft)
    receipt = manual.send(draft)
    folder = tmp_path / "outbox" / SLUG
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == draft.files()
    article = (folder / "medium.html").resolve()
    assert receipt.status == "pending_manual" and receipt.url is None and receipt.channel == "medium"
    assert receipt.detail == (
        f"import by hand: open https://medium.com/p/import and give it the Diff URL {DIFF_URL}; "
        f"the article is in {article}"
    )
