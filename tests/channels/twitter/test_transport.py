"""channels.twitter.transport: a thread through the real tweepy client against a contract fake of the X API."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from faults import FaultPlan
from pydantic import SecretStr
from x_api import DUPLICATE, FakeX, Tweet, form_fields, rate_limited

from channels.registry import load_update
from channels.twitter.settings import TwitterSettings
from channels.twitter.transport import TWEEPY_HOST, ApiBaseAdapter, XTransport, make_client
from herald.core.draft import RenderContext
from herald.core.ledger import Ledger
from herald.core.transport import Ambiguous, NeedsAttention, PreflightError, TransientError, TransportError

pytestmark = pytest.mark.live

SLUG = "dont-blink-september-2026"
DIFF_URL = "https://diff.example.org/2026/10/08/dont-blink-september-2026/"
SECRETS = {"consumer_key": "ck-herald-test", "consumer_secret": "cs-TOP-SECRET-1f2e",
           "access_token": "1467726470533754880-at-herald", "access_token_secret": "ats-TOP-SECRET-9a8b"}
THREAD = (
    "Don't Blink for September 2026: what moved in EU, Chilean and UK policy this month. 1/5",
    "The EU opened its DSA transparency database to researchers; we asked for proportionate rules. 2/5",
    "Chile widened its copyright exceptions for teaching and research. 3/5",
    "In the UK we filed comments on the draft Online Safety codes and met the regulator. 4/5",
    f"Read the full post: {DIFF_URL}",
)


@dataclass(frozen=True)
class StandInThread:
    """The two fields the transport reads, for when the real renderer is unavailable."""

    tweets: tuple[str, ...]
    channel: str = "twitter"


def thread(tmp_path: Path, tweets: tuple[str, ...] = THREAD):
    """A thread draft rendered from a real update file with a hand-written thread."""
    lines = "\n".join(f"    - {json.dumps(tweet)}" for tweet in tweets)
    path = tmp_path / "update.md"
    path.write_text(
        f"---\ntitle: \"Don't Blink: September 2026\"\ndate: 2026-10-01\nslug: {SLUG}\n"
        f"twitter:\n  thread:\n{lines}\n---\nChile widened its copyright exceptions.\n",
        encoding="utf-8",
    )
    update = load_update(path)
    try:
        from channels.twitter.render import Twitter
    except ImportError:
        return StandInThread(tuple(update.twitter.thread or ()))
    return Twitter().render(update, RenderContext(diff_url=DIFF_URL, diff_url_known=True))


@pytest.fixture
def fake():
    with FakeX(**SECRETS) as server:
        yield server


def settings(api_base: str, **overrides) -> TwitterSettings:
    values = {name: SecretStr(value) for name, value in SECRETS.items()}
    return TwitterSettings(**{"api_base": api_base, "timeout_seconds": 5, **values, **overrides})


def transport(fake: FakeX, ledger: Ledger, **overrides) -> XTransport:
    return XTransport(settings(fake.url, **overrides), ledger, SLUG)


def test_x_thread_is_posted_as_a_reply_chain_with_oauth1(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = thread(tmp_path)
    assert draft.tweets == THREAD
    receipt = transport(fake, ledger).send(draft)

    posts = fake.calls("POST", "/2/tweets")
    assert len(posts) == len(THREAD) == len(fake.requests)
    ids = [tweet.id for tweet in fake.tweets]
    assert posts[0].json == {"text": THREAD[0]}
    for number in range(1, len(THREAD)):
        assert posts[number].json == {"text": THREAD[number], "reply": {"in_reply_to_tweet_id": ids[number - 1]}}
    for post in posts:
        auth = post.headers["authorization"]
        assert auth.startswith("OAuth ")
        assert f'oauth_consumer_key="{SECRETS["consumer_key"]}"' in auth
        assert f'oauth_token="{SECRETS["access_token"]}"' in auth
        assert 'oauth_signature_method="HMAC-SHA1"' in auth
        assert post.headers["content-type"] == "application/json"
        assert fake.oauth(post) is not None  # signed for https://api.twitter.com/2/tweets

    assert [tweet.in_reply_to for tweet in fake.tweets] == [None, *ids[:-1]]
    assert receipt.status == "published" and receipt.channel == "twitter"
    assert receipt.url == f"https://x.com/i/status/{ids[0]}" and receipt.remote_id == ids[0]
    assert [(p["position"], p["id"], p["status"]) for p in receipt.parts] == [
        (n, tweet_id, "posted") for n, tweet_id in enumerate(ids, 1)
    ]
    recorded = ledger.parts(SLUG, "twitter", "tweet")
    assert [(p.position, p.status, p.remote_id, p.url) for p in recorded] == [
        (n, "done", tweet_id, f"https://x.com/i/status/{tweet_id}") for n, tweet_id in enumerate(ids, 1)
    ]
    assert [p.payload_hash for p in recorded] == [hashlib.sha256(t.encode()).hexdigest() for t in THREAD]


def test_x_a_failure_at_tweet_3_resumes_from_tweet_3(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = thread(tmp_path)
    fake.fail_once("POST", "/2/tweets", 503, {"title": "Service Unavailable", "status": 503}, nth=3)
    with pytest.raises(Ambiguous, match="outcome unknown for tweet 3: X answered 503") as caught:
        transport(fake, ledger).send(draft)
    assert caught.value.transient  # a 503 may have been applied: the next attempt looks it up, never posts blindly
    assert [t.text for t in fake.tweets] == list(THREAD[:2])
    assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["done", "done", "ambiguous"]

    before = len(fake.requests)
    receipt = transport(fake, ledger).send(draft)
    resumed = [r.json for r in fake.requests[before:]]
    first, second = fake.tweets[0].id, fake.tweets[1].id
    resumed = [body for body in resumed if body is not None]  # the timeline lookup for tweet 3 came first
    assert len(fake.calls("GET", f"/2/users/{fake.user['id']}/tweets")) == 1
    assert [body["text"] for body in resumed] == list(THREAD[2:])
    assert resumed[0]["reply"] == {"in_reply_to_tweet_id": second}
    assert [t.text for t in fake.tweets] == list(THREAD)
    assert [t.in_reply_to for t in fake.tweets] == [None, *(t.id for t in fake.tweets[:-1])]
    assert receipt.url == f"https://x.com/i/status/{first}"
    assert [p["status"] for p in receipt.parts] == ["already_posted"] * 2 + ["posted"] * 3
    assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["done"] * 5

    again = transport(fake, ledger).send(draft)
    assert len(fake.tweets) == 5 and again.url == receipt.url


def test_x_429_is_transient_and_honours_x_rate_limit_reset(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    headers, body = rate_limited(reset_in=120)
    fake.fail_once("POST", "/2/tweets", 429, body, headers, nth=2)
    with pytest.raises(TransientError) as caught:
        transport(fake, ledger).send(thread(tmp_path))
    assert "rate limited at tweet 2 (429)" in str(caught.value)
    assert 110 <= caught.value.retry_after <= 120
    assert len(fake.tweets) == 1


def test_x_a_duplicate_of_a_tweet_outside_the_thread_needs_a_person_with_a_hint_that_works(
    fake: FakeX, ledger: Ledger, tmp_path: Path
) -> None:
    fake.tweets.append(Tweet("1700000000000000000", THREAD[2], None))
    with pytest.raises(NeedsAttention) as caught:
        transport(fake, ledger).send(thread(tmp_path))
    assert str(caught.value).startswith(
        "twitter: X refused tweet 3 as a duplicate of an earlier tweet "
        "(https://x.com/i/status/1700000000000000000, which is not part of this thread)")
    assert f"herald resolve {SLUG} twitter --part 3 --sent URL" in str(caught.value)
    assert fake.calls("POST", "/2/tweets")[-1].json["text"] == THREAD[2]
    assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["done", "done", "ambiguous"]
    assert DUPLICATE.startswith("You are not allowed")


def test_x_a_duplicate_refusal_of_our_own_stored_tweet_continues_the_thread_from_it(
    fake: FakeX, ledger: Ledger, tmp_path: Path
) -> None:
    draft = thread(tmp_path)
    transport(fake, ledger).send(thread(tmp_path, THREAD[:3]))
    ledger.mark_part_not_sent(SLUG, "twitter", "tweet", 3)  # wrongly settled, as a blind retry would have left it
    receipt = transport(fake, ledger).send(draft)
    assert [t.text for t in fake.tweets] == list(THREAD)
    assert [t.in_reply_to for t in fake.tweets] == [None, *(t.id for t in fake.tweets[:-1])]
    assert receipt.parts[2]["id"] == fake.tweets[2].id
    assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["done"] * 5


def test_x_preflight_checks_credentials_with_users_me(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    transport(fake, ledger).preflight(thread(tmp_path))
    (me,) = fake.requests
    assert (me.method, me.path) == ("GET", "/2/users/me")
    assert me.headers["authorization"].startswith("OAuth ") and fake.oauth(me) is not None


def test_x_preflight_refuses_a_thread_over_the_daily_quota(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    with pytest.raises(PreflightError) as caught:
        transport(fake, ledger, daily_post_quota=3).preflight(thread(tmp_path))
    assert str(caught.value).startswith("twitter: the thread has 5 tweets still to post and 0 posts went out in the "
                                        "last 24 hours, over the daily post quota of 3")
    assert fake.requests == []


def test_x_preflight_counts_every_post_of_the_last_24_hours(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    ledger.record_update("an-earlier-update", "earlier.md", "Earlier", dt.date(2026, 11, 29))
    for number in range(1, 4):
        ledger.mark_part_done("an-earlier-update", "twitter", "tweet", number, str(number))
    ledger.mark_part_done("an-earlier-update", "twitter", "media", 0, "m1")  # an upload is not a post
    transport(fake, ledger, daily_post_quota=8).preflight(thread(tmp_path))
    with pytest.raises(PreflightError, match="5 tweets still to post and 3 posts went out in the last 24 hours"):
        transport(fake, ledger, daily_post_quota=7).preflight(thread(tmp_path))


def test_x_preflight_counts_only_tweets_still_to_post(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = thread(tmp_path)
    fake.fail_once("POST", "/2/tweets", 429, nth=3)
    with pytest.raises(TransientError):
        transport(fake, ledger).send(draft)
    transport(fake, ledger, daily_post_quota=5).preflight(draft)
    with pytest.raises(PreflightError, match=r"has 3 tweets still to post \(2 already posted\) and 2 posts went"):
        transport(fake, ledger, daily_post_quota=4).preflight(draft)


def test_x_preflight_401_stops_with_nothing_posted(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    bad = transport(fake, ledger, consumer_secret=SecretStr("cs-WRONG-SECRET-0000"))
    with pytest.raises(PreflightError, match="rejected the OAuth credentials"):
        bad.preflight(thread(tmp_path))
    assert fake.tweets == [] and fake.calls("POST", "/2/tweets") == []


def test_x_no_secret_appears_in_errors_receipts_ledger_or_logs(
    fake: FakeX, ledger: Ledger, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    draft = thread(tmp_path)
    wrong = "cs-WRONG-SECRET-0000"
    texts: list[str] = []
    rejected, good = transport(fake, ledger, consumer_secret=SecretStr(wrong)), transport(fake, ledger)
    for call in (rejected.preflight, rejected.send, good.send):
        if call == good.send:
            fake.fail_once("POST", "/2/tweets", 500, nth=2)
        with pytest.raises(TransportError) as caught:
            call(draft)
        error = caught.value
        texts += [str(error), repr(error), repr(error.__cause__), repr(error.__context__)]
    receipt = transport(fake, ledger).send(draft)
    texts += [repr(receipt), repr(ledger.parts(SLUG, "twitter")), repr(settings(fake.url)), caplog.text]
    joined = "\n".join(texts)
    assert "rejected the OAuth credentials" in joined and "tweet 2: X answered 500" in joined
    for secret in (SECRETS["consumer_secret"], SECRETS["access_token_secret"], wrong):
        assert secret not in joined


def test_x_connection_refused_is_transient(ledger: Ledger, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = XTransport(settings(f"http://127.0.0.1:{port}"), ledger, SLUG)
    with pytest.raises(TransientError, match=rf"^twitter: cannot reach 127.0.0.1:{port} \(connection refused\)$"):
        closed.send(thread(tmp_path))
    assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["not_sent"]
    with pytest.raises(PreflightError, match=rf"^twitter: cannot reach 127.0.0.1:{port} \(connection refused\)$"):
        closed.preflight(thread(tmp_path))


def test_x_a_tweet_without_an_answer_is_marked_ambiguous(ledger: Ledger, tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    try:
        slow = XTransport(settings(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout_seconds=0.5), ledger, SLUG)
        started = time.monotonic()
        with pytest.raises(TransportError, match="outcome unknown for tweet 1") as caught:
            slow.send(thread(tmp_path))
        assert time.monotonic() - started < 5
        assert caught.value.transient  # retrying is safe: the next attempt looks the tweet up first
        assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["ambiguous"]
    finally:
        for sock in (*accepted, silent):
            sock.close()


def test_x_the_session_is_routed_to_api_base_with_a_timeout() -> None:
    routed = make_client(settings("http://127.0.0.1:9"))
    adapter = routed.session.get_adapter(TWEEPY_HOST + "/2/tweets")
    assert isinstance(adapter, ApiBaseAdapter) and adapter.api_base == "http://127.0.0.1:9" and adapter.timeout == 5
    default = make_client(settings(TWEEPY_HOST)).session.get_adapter(TWEEPY_HOST + "/2/tweets")
    assert isinstance(default, ApiBaseAdapter) and default.api_base == TWEEPY_HOST


def test_x_an_unsettled_tweet_found_on_the_timeline_is_not_posted_again(ledger: Ledger, tmp_path: Path) -> None:
    with FakeX(**SECRETS, shorten_urls=True, escape_html=True) as fake:
        draft = thread(tmp_path)
        fake.fail_once("POST", "/2/tweets", 429, nth=3)
        with pytest.raises(TransientError):
            transport(fake, ledger).send(draft)
        # As if the process died while tweet 3 was in flight and X applied it: posted, never recorded.
        tweet3 = fake.tweets[-1].id
        transport(fake, ledger).client.create_tweet(text=THREAD[2], in_reply_to_tweet_id=tweet3, user_auth=True)
        ledger.mark_part_intended(SLUG, "twitter", "tweet", 3, "digest")
        receipt = transport(fake, ledger).send(draft)
        assert [t.original for t in fake.tweets] == list(THREAD)
        assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["done"] * 5
        assert receipt.parts[2]["status"] == "already_posted"
        assert len(fake.calls("GET", f"/2/users/{fake.user['id']}/tweets")) == 1


def test_x_an_unsettled_tweet_missing_from_the_timeline_is_posted(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    ledger.mark_part_intended(SLUG, "twitter", "tweet", 1, "digest")
    transport(fake, ledger).send(thread(tmp_path))
    assert [t.text for t in fake.tweets] == list(THREAD)


def test_x_matching_ignores_t_co_links_and_escaping() -> None:
    from channels.twitter.transport import comparable

    assert comparable("Fish & chips: https://diff.wikimedia.org/2026/x 1/2") == comparable(
        "Fish &amp; chips: https://t.co/AbC123xyZ9 1/2")
    assert comparable("one https://a.org") != comparable("two https://t.co/abc")


def test_x_reports_each_tweet_posted_to_the_progress_callback(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    steps: list[str] = []
    sender = transport(fake, ledger)
    sender.progress = steps.append
    sender.send(thread(tmp_path))
    assert steps == [f"tweet {n} of {len(THREAD)} posted" for n in range(1, len(THREAD) + 1)]


# Tweet 1's image: uploaded once through X API v2 with its alt text, attached to tweet 1 only; never v1.1.

IMAGE = Path(__file__).resolve().parents[2] / "fixtures" / "images" / "map.png"
ALT = "A map of the countries where the team worked on policy this month."
LARGE = IMAGE.read_bytes() + bytes(range(256)) * (10 * 1024)  # 2.5 MiB + the PNG: chunked in three segments
GIF = b"GIF89a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00" \
      b"\x10\x00\x10\x00\x00\x02\x02D\x01\x00;"


def image_thread(tmp_path: Path, alt: str = ALT, body: str = "", image: bytes | None = None,
                 name: str = "map.png") -> object:
    """A rendered thread (tweet 1 with the Diff link and the image) from an update file with an image."""
    (tmp_path / name).write_bytes(IMAGE.read_bytes() if image is None else image)
    sentences = "The committee met again to discuss the bill. " * 5
    body = body or "\n\n".join(f"## Part {n}\n\nParagraph {n}. {sentences}" for n in range(3))  # sections: not short
    path = tmp_path / "image-update.md"
    path.write_text(
        f"---\ntitle: \"Don't Blink: September 2026\"\ndate: 2026-10-01\nslug: {SLUG}\n"
        f"summary: What moved this month.\nimage: {name}\nimage_alt: {json.dumps(alt)}\n---\n{body}\n",
        encoding="utf-8",
    )
    from channels.twitter.render import Twitter

    return Twitter().render(load_update(path), RenderContext(diff_url=DIFF_URL, diff_url_known=True))


def assert_one_thread_with_the_image(fake: FakeX, ledger: Ledger, draft, data: bytes = b"") -> None:  # noqa: ANN001
    """One thread as drafted; tweet 1 carries one upload (these bytes, the alt text), no other tweet any; every other
    upload is an orphan no tweet carries; the ledger's last upload and its alt text are done; nothing went to v1.1."""
    assert [tweet.original for tweet in fake.tweets] == list(draft.tweets)
    first, *rest = fake.thread(fake.tweets[0].id)
    assert len(rest) == len(draft.tweets) - 1 and all(tweet.media_ids == () for tweet in rest)
    (media,) = fake.media_of(first)
    assert media.data == (data or IMAGE.read_bytes()) and media.usable
    assert media.alt_text == draft.image_alt
    attached = {media_id for tweet in fake.tweets for media_id in tweet.media_ids}
    assert attached == {media.id}
    *_, upload = ledger.parts(SLUG, "twitter", "media")
    assert (upload.status, upload.remote_id) == ("done", media.id)
    alt = ledger.part(SLUG, "twitter", "alt_text", upload.position)
    assert (alt.status, alt.remote_id) == ("done", media.id)
    assert fake.v1_media_calls == []


def send_as_the_flow_does(sender: XTransport, draft, tries: int = 4) -> list[TransportError]:  # noqa: ANN001
    """Send, and again after each transient error (the flow's retry, without its waits); the errors seen."""
    errors: list[TransportError] = []
    for _ in range(tries):
        try:
            sender.send(draft)
            return errors
        except TransportError as error:
            errors.append(error)
            if not error.transient:
                raise
    raise AssertionError(f"still failing after {tries} attempts: {errors}")


def test_x_image_goes_through_v2_with_alt_text_and_tweet_1_carries_it(
    fake: FakeX, ledger: Ledger, tmp_path: Path
) -> None:
    draft = image_thread(tmp_path)
    assert len(draft.tweets) > 2 and DIFF_URL in draft.tweets[0]
    transport(fake, ledger).send(draft)

    (upload,) = fake.calls("POST", "/2/media/upload")
    assert fake.signed_host(upload) == TWEEPY_HOST  # signed for X's URL, sent to api_base
    assert upload.headers["content-type"].startswith("multipart/form-data")
    (media,) = fake.media.values()
    assert (media.category, media.chunked, media.media_type) == ("tweet_image", False, "image/png")
    (metadata,) = fake.calls("POST", "/2/media/metadata")
    assert fake.signed_host(metadata) == TWEEPY_HOST
    assert metadata.json == {"id": media.id, "metadata": {"alt_text": {"text": ALT}}}
    assert media.alt_text_calls == 1
    assert_one_thread_with_the_image(fake, ledger, draft)
    assert fake.calls("POST", "/2/tweets")[0].json["media"] == {"media_ids": [media.id]}
    assert [(r.method, r.path) for r in fake.requests[:3]] == [
        ("POST", "/2/media/upload"), ("POST", "/2/media/metadata"), ("POST", "/2/tweets")]

    transport(fake, ledger).send(draft)  # a rerun sends nothing
    assert fake.upload_count == 1 and media.alt_text_calls == 1 and len(fake.tweets) == len(draft.tweets)


def test_x_media_calls_share_the_tweepy_session_a_test_mounts_a_fake_on(
    fake: FakeX, ledger: Ledger, tmp_path: Path
) -> None:
    client = make_client(settings(TWEEPY_HOST))
    fake.mount(client.session)
    draft = image_thread(tmp_path)
    XTransport(settings(TWEEPY_HOST), ledger, SLUG, client=client).send(draft)
    assert fake.upload_count == 1
    assert_one_thread_with_the_image(fake, ledger, draft)


def test_x_a_large_image_is_uploaded_in_segments(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = image_thread(tmp_path, image=LARGE)
    transport(fake, ledger).send(draft)

    assert fake.calls("POST", "/2/media/upload") == []  # no one-shot upload
    (initialize,) = fake.calls("POST", "/2/media/upload/initialize")
    assert initialize.json == {"media_type": "image/png", "total_bytes": len(LARGE), "media_category": "tweet_image"}
    (media,) = fake.media.values()
    appends = fake.calls("POST", f"/2/media/upload/{media.id}/append")
    assert [int(form_fields(a)["segment_index"]) for a in appends] == [0, 1, 2]
    assert [len(form_fields(a)["media"]) for a in appends] == [1024 * 1024, 1024 * 1024, len(LARGE) - 2 * 1024 * 1024]
    assert len(fake.calls("POST", f"/2/media/upload/{media.id}/finalize")) == 1
    assert all(fake.signed_host(r) == TWEEPY_HOST for r in (initialize, *appends))
    assert media.chunked and media.category == "tweet_image"
    assert_one_thread_with_the_image(fake, ledger, draft, LARGE)


def test_x_a_gif_is_chunked_as_tweet_gif_and_waited_for(
    fake: FakeX, ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import channels.twitter.media as media_module

    waits: list[float] = []
    monkeypatch.setattr(media_module, "_sleep", waits.append)
    draft = image_thread(tmp_path, image=GIF, name="chart.gif")
    transport(fake, ledger).send(draft)
    (media,) = fake.media.values()
    assert (media.category, media.media_type, media.chunked) == ("tweet_gif", "image/gif", True)
    statuses = fake.calls("GET", "/2/media/upload")
    assert len(statuses) == fake.processing_steps == len(waits) and waits == [1.0] * len(waits)
    assert statuses[0].query == {"command": "STATUS", "media_id": media.id}
    assert_one_thread_with_the_image(fake, ledger, draft, GIF)


def test_x_an_image_over_x_s_limit_fails_pre_flight(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = image_thread(tmp_path, image=IMAGE.read_bytes() + b"\0" * (6 * 1024 * 1024))
    with pytest.raises(PreflightError, match=r"^twitter: map.png is 6.\d MB; X takes at most 5 MB for an image$"):
        transport(fake, ledger).preflight(draft)
    with pytest.raises(TransportError, match="X takes at most 5 MB"):
        transport(fake, ledger).send(draft)
    assert fake.requests == []


MEDIA_WRITES = {  # a media write: (path to fault, image, nth matching write, X's step in messages)
    "upload": ("/2/media/upload", None, 1, "media/upload"),
    "initialize": ("/2/media/upload/initialize", LARGE, 1, "media/upload/initialize"),
    "append": ("/2/media/upload/*/append", LARGE, 2, "media/upload/append (segment 1)"),
    "finalize": ("/2/media/upload/*/finalize", LARGE, 1, "media/upload/finalize"),
    "metadata": ("/2/media/metadata", None, 1, "media/metadata"),
}
SHAPES = ("before:refuse", "before:400", "before:403", "before:429", "before:500", "before:503", "before:drop",
          "before:reset", "before:timeout", "after:500", "after:503", "after:drop", "after:reset", "after:timeout")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("write", MEDIA_WRITES)
def test_x_every_fault_at_every_media_write_ends_with_one_thread_carrying_one_upload(
    ledger: Ledger, tmp_path: Path, write: str, shape: str
) -> None:
    path, image, nth, step = MEDIA_WRITES[write]
    plan = FaultPlan.scripted(retry_after=30, hold=1.5).on("POST", path, shape, nth=nth, times=1)
    with FakeX(**SECRETS, faults=plan) as fake:
        draft = image_thread(tmp_path, image=image)
        sender = transport(fake, ledger, timeout_seconds=0.5)
        what = "the alt text" if write == "metadata" else "the image"
        if shape in ("before:400", "before:403"):  # a refusal: reported in X's words, not retried
            with pytest.raises(TransportError) as caught:
                sender.send(draft)
            assert not caught.value.transient
            message = str(caught.value)
            assert message.startswith(f"twitter: X refused {what} on {step} ({shape[-3:]}): ") and "\n" not in message
            assert fake.tweets == []
            errors = send_as_the_flow_does(transport(fake, ledger), draft)  # the next publish
        else:
            errors = send_as_the_flow_does(sender, draft)
        assert plan.injected == 1
        if write == "append" and shape not in ("before:429",):
            assert errors == []  # a segment is simply sent again under its segment_index
        elif shape not in ("before:400", "before:403"):
            (error,) = errors
            assert isinstance(error, TransientError) and error.transient and step in str(error)
            again = "the alt text is sent again" if write == "metadata" else "the image is uploaded again"
            status = shape.split(":")[1].replace("refuse", "503")
            if shape == "before:429":
                assert 20 <= error.retry_after <= 30 and str(error) == f"twitter: X is rate limiting {step} (429)"
            elif status.isdigit():
                assert str(error) == f"twitter: X answered {status} on {step}; {again}"
            else:
                assert str(error).startswith(f"twitter: no answer from X on {step} (") and str(error).endswith(again)
                assert "ConnectionError" not in str(error)
        assert_one_thread_with_the_image(fake, ledger, draft, image or b"")
        assert fake.calls("POST", "/2/tweets")[0].json["media"] == {"media_ids": [fake.media_of(fake.tweets[0])[0].id]}
        assert len(fake.calls("POST", "/2/tweets")) == len(draft.tweets)  # tweet 1 posted once
        if write == "metadata":
            assert fake.upload_count == 1  # the upload was kept: only the alt text was sent again


def test_x_a_lost_reply_to_the_upload_uploads_again_and_the_orphan_is_never_attached(
    ledger: Ledger, tmp_path: Path
) -> None:
    plan = FaultPlan.scripted().on("POST", "/2/media/upload", "after:drop", times=1)
    with FakeX(**SECRETS, faults=plan) as fake:
        draft = image_thread(tmp_path)
        sender = transport(fake, ledger)
        with pytest.raises(TransientError, match=r"^twitter: no answer from X on media/upload \(.+\); the image is "
                                                 r"uploaded again$"):
            sender.send(draft)
        (orphan,) = fake.media.values()  # X stored it; herald never learnt its id
        assert fake.tweets == [] and orphan.alt_text is None
        assert [p.status for p in ledger.parts(SLUG, "twitter", "media")] == ["not_sent"]

        sender.send(draft)
        assert fake.upload_count == 2 and fake.uploads_by_digest()[orphan.digest()] == 2
        assert_one_thread_with_the_image(fake, ledger, draft)
        assert fake.media_of(fake.tweets[0])[0].id != orphan.id and orphan.alt_text is None
        assert len(fake.calls("POST", "/2/tweets")) == len(draft.tweets)
        assert [(p.position, p.status) for p in ledger.parts(SLUG, "twitter", "media")] == [(1, "done")]


def test_x_a_lost_reply_to_the_alt_text_sends_it_again_on_the_same_upload(ledger: Ledger, tmp_path: Path) -> None:
    plan = FaultPlan.scripted().on("POST", "/2/media/metadata", "after:reset", times=1)
    with FakeX(**SECRETS, faults=plan) as fake:
        draft = image_thread(tmp_path)
        sender = transport(fake, ledger)
        with pytest.raises(TransientError, match=r"on media/metadata \(.+\); the alt text is sent again$"):
            sender.send(draft)
        (media,) = fake.media.values()
        assert media.alt_text == ALT and fake.tweets == []  # applied, the answer lost
        assert [p.status for p in ledger.parts(SLUG, "twitter", "alt_text")] == ["not_sent"]

        sender.send(draft)
        assert fake.upload_count == 1 and media.alt_text_calls == 2  # harmless: the same text again
        assert_one_thread_with_the_image(fake, ledger, draft)


def test_x_a_rerun_after_a_killed_publish_reuses_the_upload(
    fake: FakeX, ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = image_thread(tmp_path)
    killed = transport(fake, ledger)

    def kill(*args: object, **kwargs: object) -> str:
        raise SystemExit("killed while tweet 1 was being sent")

    monkeypatch.setattr(killed, "_post", kill)
    with pytest.raises(SystemExit):
        killed.send(draft)
    assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["intended"]
    (media,) = fake.media.values()

    import channels.twitter.transport as x

    later = x._now() + dt.timedelta(hours=20)  # within X's 24 hours (herald reuses an upload for 23)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(x, "_now", lambda: later)
        transport(fake, ledger).send(draft)
    assert fake.upload_count == 1 and media.alt_text_calls == 1
    assert len(fake.calls("GET", f"/2/users/{fake.user['id']}/tweets")) == 1  # tweet 1 looked up first: not there
    assert_one_thread_with_the_image(fake, ledger, draft)


def test_x_a_publish_killed_mid_upload_uploads_again(
    fake: FakeX, ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = image_thread(tmp_path)
    killed = transport(fake, ledger)
    real = killed.media.upload

    def upload_then_die(filename: str, data: bytes) -> str:
        real(filename, data)
        raise SystemExit("killed before the upload was recorded")

    monkeypatch.setattr(killed.media, "upload", upload_then_die)
    with pytest.raises(SystemExit):
        killed.send(draft)
    assert [p.status for p in ledger.parts(SLUG, "twitter", "media")] == ["intended"]

    transport(fake, ledger).send(draft)
    assert fake.upload_count == 2
    assert_one_thread_with_the_image(fake, ledger, draft)


def test_x_a_failed_tweet_1_reuses_the_upload_on_the_rerun(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = image_thread(tmp_path)
    fake.fail_once("POST", "/2/tweets", 503, {"title": "Service Unavailable", "status": 503})
    with pytest.raises(Ambiguous, match="outcome unknown for tweet 1"):
        transport(fake, ledger).send(draft)
    assert fake.tweets == [] and fake.upload_count == 1

    transport(fake, ledger).send(draft)
    assert fake.upload_count == 1 and fake.media_of(fake.tweets[0]) == list(fake.media.values())
    assert_one_thread_with_the_image(fake, ledger, draft)


def test_x_a_failure_after_tweet_1_never_uploads_again(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = image_thread(tmp_path)
    headers, body = rate_limited(reset_in=60)
    fake.fail_once("POST", "/2/tweets", 429, body, headers, nth=2)
    with pytest.raises(TransientError, match="rate limited at tweet 2"):
        transport(fake, ledger).send(draft)
    import channels.twitter.transport as x

    later = x._now() + dt.timedelta(days=2)  # the upload has long expired, but tweet 1 already carries it
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(x, "_now", lambda: later)
        transport(fake, ledger).send(draft)
    assert fake.upload_count == 1 and len(fake.calls("POST", "/2/media/metadata")) == 1
    assert_one_thread_with_the_image(fake, ledger, draft)


def test_x_an_expired_upload_is_made_again_while_tweet_1_is_not_posted(
    fake: FakeX, ledger: Ledger, tmp_path: Path
) -> None:
    draft = image_thread(tmp_path)
    fake.fail_once("POST", "/2/tweets", 403, {"title": "Forbidden", "detail": "Not now.", "status": 403})
    with pytest.raises(TransportError):
        transport(fake, ledger).send(draft)
    import channels.twitter.transport as x

    later = x._now() + dt.timedelta(hours=24)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(x, "_now", lambda: later)
        transport(fake, ledger).send(draft)
    old, new = fake.media
    assert fake.tweets[0].media_ids == (new,)
    assert fake.media[new].alt_text == ALT
    assert [(p.position, p.status, p.remote_id) for p in ledger.parts(SLUG, "twitter", "media")] == [
        (1, "done", old), (2, "done", new)
    ]
    assert [(p.position, p.remote_id) for p in ledger.parts(SLUG, "twitter", "alt_text")] == [(1, old), (2, new)]


def test_x_an_unreachable_api_fails_the_upload_as_not_sent(ledger: Ledger, tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    sender = XTransport(settings(f"http://127.0.0.1:{port}"), ledger, SLUG)
    with pytest.raises(TransientError, match=r"^twitter: could not reach X on media/upload \(connection refused\)$"):
        sender.send(image_thread(tmp_path))
    assert [p.status for p in ledger.parts(SLUG, "twitter", "media")] == ["not_sent"]
    assert [p.status for p in ledger.parts(SLUG, "twitter", "tweet")] == ["not_sent"]  # certainly not sent


def test_x_rejected_credentials_on_the_upload_are_one_line(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    bad = transport(fake, ledger, consumer_secret=SecretStr("cs-WRONG-SECRET-0000"))
    with pytest.raises(TransportError, match=r"^twitter: X rejected the OAuth credentials on media/upload \(401\)$"):
        bad.send(image_thread(tmp_path))
    assert fake.upload_count == 0 and fake.tweets == []


def test_x_a_changed_alt_text_is_uploaded_again_before_tweet_1(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    fake.fail_once("POST", "/2/tweets", 403, {"title": "Forbidden", "detail": "Not now.", "status": 403})
    with pytest.raises(TransportError):
        transport(fake, ledger).send(image_thread(tmp_path))
    transport(fake, ledger).send(image_thread(tmp_path, alt="The same map, described better."))
    old, new = fake.media
    assert fake.tweets[0].media_ids == (new,) and fake.media[new].alt_text == "The same map, described better."


def test_x_an_upload_x_has_already_expired_is_made_again_once(fake: FakeX, ledger: Ledger, tmp_path: Path) -> None:
    draft = image_thread(tmp_path)
    fake.fail_once("POST", "/2/tweets", 403, {"title": "Forbidden", "detail": "Not now.", "status": 403})
    with pytest.raises(TransportError):
        transport(fake, ledger).send(draft)
    (old,) = fake.media
    fake.expire_media(old)  # earlier than the 24 hours X documents: the reused id is refused with a 400

    transport(fake, ledger).send(draft)
    old_again, new = fake.media
    assert old_again == old and fake.tweets[0].media_ids == (new,) and fake.media[new].alt_text == ALT
    assert len(fake.calls("POST", "/2/tweets")) == 2 + len(draft.tweets)  # the 403, the 400, then the thread
    assert [(p.position, p.remote_id) for p in ledger.parts(SLUG, "twitter", "media")] == [(1, old), (2, new)]
