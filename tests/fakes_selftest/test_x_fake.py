"""FakeX: tweets through the real tweepy.Client; v2 media through plain requests signed by requests-oauthlib
(simple and chunked upload, STATUS, alt text, signatures, every fault shape); the removed v1.1 media paths."""

from __future__ import annotations

import base64
import functools
import io
import time
from collections.abc import Iterator

import pytest
import requests
import tweepy
from faults import FaultPlan
from requests_oauthlib import OAuth1
from x_api import BAD_JSON, DUPLICATE, INVALID_MEDIA_IDS, NOT_JSON, FakeX

pytestmark = pytest.mark.live

SECRETS = {"consumer_key": "ck-xfake", "consumer_secret": "cs-xfake-secret",
           "access_token": "1467726470533754880-at-xfake", "access_token_secret": "ats-xfake-secret"}
AUTH = OAuth1(SECRETS["consumer_key"], SECRETS["consumer_secret"], SECRETS["access_token"],
              SECRETS["access_token_secret"])
X, TWITTER = "https://api.x.com", "https://api.twitter.com"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 3


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX(**SECRETS) as server:
        yield server


def client(fake: FakeX) -> tweepy.Client:
    made = tweepy.Client(**SECRETS)
    fake.mount(made.session)
    return made


def call(fake: FakeX, method: str, path: str, *, host: str = X, auth: OAuth1 = AUTH,
         **kwargs: object) -> requests.Response:
    """One signed request to X's public URL, sent to the fake."""
    with fake.mount(requests.Session()) as session:
        return session.request(method, host + path, auth=auth, timeout=kwargs.pop("timeout", 5), **kwargs)


def upload(fake: FakeX, data: bytes = PNG, category: str = "tweet_image", **kwargs: object) -> requests.Response:
    """A simple multipart upload."""
    return call(fake, "POST", "/2/media/upload", files={"media": ("map.png", data, "application/octet-stream")},
                data={"media_category": category}, **kwargs)


def initialize(fake: FakeX, total: int, media_type: str = "image/png", **extra: object) -> str:
    """A chunked session's id."""
    reply = call(fake, "POST", "/2/media/upload/initialize", json={"total_bytes": total, "media_type": media_type,
                                                                    **extra})
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]["id"]


def append(fake: FakeX, media_id: str, index: int, chunk: bytes) -> requests.Response:
    return call(fake, "POST", f"/2/media/upload/{media_id}/append",
                files={"media": ("blob", chunk, "application/octet-stream")}, data={"segment_index": str(index)})


def finalize(fake: FakeX, media_id: str) -> requests.Response:
    return call(fake, "POST", f"/2/media/upload/{media_id}/finalize")


def status(fake: FakeX, media_id: str) -> requests.Response:
    return call(fake, "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})


def alt(fake: FakeX, media_id: str, text: str) -> requests.Response:
    return call(fake, "POST", "/2/media/metadata", json={"id": media_id, "metadata": {"alt_text": {"text": text}}})


def assert_invalid(reply: requests.Response, message: str = "") -> None:
    """X's 400 invalid-request problem, with `message` in one of its errors."""
    body = reply.json()
    assert reply.status_code == 400 and reply.headers["content-type"] == "application/problem+json", reply.text
    assert body["title"] == "Invalid Request" and body["type"].endswith("/2/problems/invalid-request")
    assert any(message in error["message"] for error in body["errors"]), body


# --- tweets ---------------------------------------------------------------------------------------------------


def test_duplicate_text_is_refused_with_x_s_403_as_tweepy_surfaces_it(fake: FakeX) -> None:
    x = client(fake)
    first = x.create_tweet(text="Exactly once, please.")
    with pytest.raises(tweepy.Forbidden) as raised:
        x.create_tweet(text="Exactly once, please.")
    assert raised.value.response.status_code == 403 and raised.value.api_messages == [DUPLICATE]
    assert raised.value.response.json()["title"] == "Forbidden"
    assert [tweet.id for tweet in fake.tweets] == [first.data["id"]] and fake.texts()["Exactly once, please."] == 1
    x.delete_tweet(first.data["id"])  # a deleted tweet is no longer a duplicate
    assert x.create_tweet(text="Exactly once, please.").data["id"] != first.data["id"]


def test_duplicate_window_only_looks_at_recent_tweets() -> None:
    with FakeX(**SECRETS, duplicate_window=2) as fake:
        x = client(fake)
        for text in ("a", "b", "c"):
            x.create_tweet(text=text)
        assert x.create_tweet(text="a").data["text"] == "a"  # "a" is older than the last two
        with pytest.raises(tweepy.Forbidden):
            x.create_tweet(text="c")
        assert fake.texts()["a"] == 2


def test_delete_tweet(fake: FakeX) -> None:
    x = client(fake)
    tweet_id = x.create_tweet(text="to delete").data["id"]
    assert x.delete_tweet(tweet_id).data == {"deleted": True}
    assert fake.tweets == [] and [t.id for t in fake.deleted] == [tweet_id]
    assert x.get_tweet(tweet_id, user_auth=True).errors[0]["title"] == "Not Found Error"
    with pytest.raises(tweepy.NotFound):
        x.delete_tweet(tweet_id)


def test_stored_then_503_then_the_retry_is_a_duplicate(fake: FakeX) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/2/tweets", "after:503")
    x = client(fake)
    with pytest.raises(tweepy.TwitterServerError) as raised:
        x.create_tweet(text="stored, but the reply says 503")
    assert raised.value.response.status_code == 503
    assert [t.text for t in fake.tweets] == ["stored, but the reply says 503"]
    fake.faults.enabled = False
    with pytest.raises(tweepy.Forbidden) as again:
        x.create_tweet(text="stored, but the reply says 503")
    assert again.value.api_messages == [DUPLICATE] and len(fake.tweets) == 1


def test_scripted_429_carries_x_rate_limit_reset_and_stores_nothing(fake: FakeX) -> None:
    fake.faults = FaultPlan.scripted(retry_after=60).on("POST", "/2/tweets", "before:429", nth=2)
    x = client(fake)
    x.create_tweet(text="one")
    started = int(time.time())
    with pytest.raises(tweepy.TooManyRequests) as raised:
        x.create_tweet(text="two")
    response = raised.value.response
    assert started + 59 <= int(response.headers["x-rate-limit-reset"]) <= int(time.time()) + 61
    assert "retry-after" not in response.headers and response.headers["x-rate-limit-remaining"] == "0"
    assert [t.text for t in fake.tweets] == ["one"]
    assert x.create_tweet(text="two").data["text"] == "two"  # only the 2nd POST was scripted


def test_after_timeout_stores_the_tweet_and_tweepy_times_out() -> None:
    plan = FaultPlan.scripted(hold=3.0).on("POST", "/2/tweets", "after:timeout")
    with FakeX(**SECRETS, faults=plan) as fake:
        x = client(fake)
        x.session.request = functools.partial(x.session.request, timeout=0.3)
        with pytest.raises(requests.ReadTimeout):
            x.create_tweet(text="held")
        assert [t.text for t in fake.tweets] == ["held"]


def test_before_403_uses_x_s_problem_format(fake: FakeX) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/2/tweets", "before:403")
    with pytest.raises(tweepy.Forbidden) as raised:
        client(fake).create_tweet(text="refused")
    assert raised.value.response.json()["title"] == "Forbidden" and fake.tweets == []
    assert raised.value.response.headers["content-type"] == "application/problem+json"


# --- v2 media -------------------------------------------------------------------------------------------------


def test_simple_upload_alt_text_and_a_tweet_carrying_the_media(fake: FakeX) -> None:
    reply = upload(fake)
    data = reply.json()["data"]
    assert reply.status_code == 200 and fake.signed_host(fake.requests[-1]) == X
    assert data == {"id": data["id"], "media_key": f"3_{data['id']}", "size": len(PNG), "expires_after_secs": 86400,
                    "image": {"image_type": "image/png", "w": 1, "h": 1}}
    meta = alt(fake, data["id"], "A map of Chile")
    assert meta.json() == {"data": {"id": data["id"], "associated_metadata": {"alt_text": {"text": "A map of Chile"}}}}
    stored = fake.media[data["id"]]
    assert (stored.data, stored.category, stored.alt_text, stored.chunked, stored.state) == (
        PNG, "tweet_image", "A map of Chile", False, "succeeded")

    x = client(fake)
    tweet = x.create_tweet(text="With a map", media_ids=[data["id"]])
    assert fake.calls("POST", "/2/tweets")[-1].json["media"] == {"media_ids": [data["id"]]}
    (posted,) = fake.tweets
    assert posted.id == tweet.data["id"] and fake.media_of(posted) == [stored]
    found = x.get_tweet(tweet.data["id"], expansions="attachments.media_keys", media_fields=["alt_text"],
                        tweet_fields=["attachments"], user_auth=True)
    assert found.data.attachments == {"media_keys": [stored.key]}
    assert [(m.media_key, m.alt_text) for m in found.includes["media"]] == [(stored.key, "A map of Chile")]
    assert fake.upload_count == 1 and fake.v1_media_calls == []


def test_simple_upload_as_base64_json_signed_for_api_twitter_com(fake: FakeX) -> None:
    first = upload(fake).json()["data"]["id"]
    reply = call(fake, "POST", "/2/media/upload", host=TWITTER,
                 json={"media": base64.b64encode(PNG).decode(), "media_category": "dm_image"})
    media_id = reply.json()["data"]["id"]
    assert reply.status_code == 200 and fake.signed_host(fake.requests[-1]) == TWITTER
    assert media_id != first and fake.media[media_id].data == PNG and fake.media[media_id].category == "dm_image"
    assert fake.uploads_by_digest().most_common(1)[0][1] == 2  # the same bytes, uploaded twice


def test_simple_upload_refusals_store_nothing(fake: FakeX) -> None:
    no_category = call(fake, "POST", "/2/media/upload", files={"media": ("map.png", PNG, "image/png")})
    assert_invalid(no_category, "media_category")
    assert_invalid(upload(fake, category="tweet_video"), "media_category")  # one-shot: images and subtitles only
    assert_invalid(call(fake, "POST", "/2/media/upload", json={"media_category": "tweet_image"}), "`media`")
    not_base64 = {"media": "not base64!", "media_category": "tweet_image"}
    assert_invalid(call(fake, "POST", "/2/media/upload", json=not_base64), "base64")
    assert_invalid(call(fake, "POST", "/2/media/upload", data={"media_category": "tweet_image"}), NOT_JSON)
    assert_invalid(call(fake, "POST", "/2/media/upload", data=b"{", headers={"Content-Type": "application/json"}),
                   BAD_JSON)
    assert_invalid(upload(fake, params={"command": "INIT"}), "command")  # X removed the command-style upload
    assert fake.media == {} and fake.upload_count == 0


def test_chunked_upload_in_any_segment_order_with_a_retried_segment(fake: FakeX) -> None:
    media_id = initialize(fake, len(PNG), media_category="tweet_image")
    init = fake.requests[-1]
    assert init.json == {"total_bytes": len(PNG), "media_type": "image/png", "media_category": "tweet_image"}
    parts = [PNG[:20], PNG[20:40], PNG[40:]]
    for index in (0, 2, 1, 1):  # segment 1 sent twice: a retry replaces it
        reply = append(fake, media_id, index, parts[index])
        assert reply.status_code == 200 and reply.json()["data"]["expires_at"] > time.time()
    assert fake.media[media_id].state == "initialized" and fake.media[media_id].data == b""
    done = finalize(fake, media_id)
    assert done.status_code == 200
    assert done.json()["data"] == {"id": media_id, "media_key": f"3_{media_id}", "size": len(PNG),
                                   "expires_after_secs": done.json()["data"]["expires_after_secs"],
                                   "image": {"image_type": "image/png", "w": 1, "h": 1}}
    assert status(fake, media_id).json()["data"]["processing_info"] == {"state": "succeeded", "progress_percent": 100}
    assert finalize(fake, media_id).json()["data"]["id"] == media_id  # a second finalize repeats the first
    stored = fake.media[media_id]
    assert (stored.data, stored.chunked, stored.segments[1], stored.state) == (PNG, True, parts[1], "succeeded")
    assert client(fake).create_tweet(text="chunked", media_ids=[media_id]).data["text"] == "chunked"


def test_finalize_before_all_bytes_is_a_400_and_the_session_stays_open(fake: FakeX) -> None:
    media_id = initialize(fake, len(PNG))
    append(fake, media_id, 0, PNG[:30])
    assert_invalid(finalize(fake, media_id), f"30 of total_bytes {len(PNG)}")
    assert fake.media[media_id].state == "initialized"
    with pytest.raises(tweepy.BadRequest) as raised:
        client(fake).create_tweet(text="too early", media_ids=[media_id])
    assert raised.value.api_messages == [INVALID_MEDIA_IDS] and fake.tweets == []
    assert_invalid(alt(fake, media_id, "alt"), "not finalized")
    assert_invalid(status(fake, media_id), "not finalized")
    append(fake, media_id, 2, PNG[40:])
    assert_invalid(finalize(fake, media_id), "segments [1] missing")  # segment order: none may be skipped
    append(fake, media_id, 1, PNG[30:40])
    assert finalize(fake, media_id).status_code == 200 and fake.media[media_id].data == PNG


def test_chunked_refusals(fake: FakeX) -> None:
    assert_invalid(append(fake, "123", 0, b"x"), "[123]")  # unknown id
    assert_invalid(finalize(fake, "123"), "[123]")
    assert_invalid(status(fake, "123"), "[123]")
    bad_init = call(fake, "POST", "/2/media/upload/initialize", json={"media_type": "image/png"})
    assert_invalid(bad_init, "total_bytes")
    assert_invalid(call(fake, "POST", "/2/media/upload/initialize", json={"total_bytes": 3, "media_type": "x/y"}),
                   "media_type")
    assert_invalid(call(fake, "POST", "/2/media/upload/initialize", data={"total_bytes": "3"}), NOT_JSON)
    media_id = initialize(fake, 4)
    assert_invalid(append(fake, media_id, 1000, b"x"), "segment_index")
    assert_invalid(call(fake, "POST", f"/2/media/upload/{media_id}/append", files={"media": ("b", b"x")}),
                   "segment_index")
    append(fake, media_id, 0, b"12345")
    assert_invalid(finalize(fake, media_id), "5 of total_bytes 4")  # more than announced
    append(fake, media_id, 0, b"1234")
    assert finalize(fake, media_id).status_code == 200
    assert_invalid(append(fake, media_id, 1, b"late"), "already finalized")
    fake.expire_media(media_id)
    assert_invalid(status(fake, media_id), "expired")


def test_a_video_processes_through_status_before_a_tweet_takes_it(fake: FakeX) -> None:
    media_id = initialize(fake, len(MP4), "video/mp4", media_category="tweet_video")
    append(fake, media_id, 0, MP4)
    processing = finalize(fake, media_id).json()["data"]
    assert processing["media_key"] == f"13_{media_id}" and processing["video"] == {"video_type": "video/mp4"}
    assert processing["processing_info"] == {"state": "pending", "check_after_secs": 1, "progress_percent": 0}
    with pytest.raises(tweepy.BadRequest):
        client(fake).create_tweet(text="not yet", media_ids=[media_id])
    states = [status(fake, media_id).json()["data"]["processing_info"]["state"] for _ in range(3)]
    assert states == ["in_progress", "succeeded", "succeeded"] and fake.media[media_id].status_calls == 3
    assert client(fake).create_tweet(text="now", media_ids=[media_id]).data["text"] == "now"


def test_alt_text_limits_and_unknown_or_expired_ids(fake: FakeX) -> None:
    media_id = upload(fake).json()["data"]["id"]
    assert_invalid(alt(fake, media_id, "x" * 1001), "at most 1000")
    assert fake.media[media_id].alt_text is None
    assert alt(fake, media_id, "é" * 1000).status_code == 200  # characters, not bytes
    assert_invalid(alt(fake, "123", "alt"), "[123]")
    assert_invalid(call(fake, "POST", "/2/media/metadata", json={"id": int(media_id),
                                                                  "metadata": {"alt_text": {"text": "a"}}}), "`id`")
    assert_invalid(call(fake, "POST", "/2/media/metadata", json={"id": media_id, "metadata": {}}), "alt_text")
    assert fake.media[media_id].alt_text_calls == 1
    fake.expire_media(media_id)
    assert_invalid(alt(fake, media_id, "too late"), "expired")
    with pytest.raises(tweepy.BadRequest) as raised:
        client(fake).create_tweet(text="too late", media_ids=[media_id])
    assert raised.value.api_messages == [INVALID_MEDIA_IDS] and fake.tweets == []


def test_signature_failures_store_nothing(fake: FakeX) -> None:
    wrong = OAuth1(SECRETS["consumer_key"], "wrong", SECRETS["access_token"], SECRETS["access_token_secret"])
    refused = upload(fake, auth=wrong)
    assert refused.status_code == 401 and refused.json()["title"] == "Unauthorized"
    assert upload(fake, host="https://upload.twitter.com").status_code == 401  # signed for a host v2 is not on
    with fake.mount(requests.Session()) as session:
        assert session.post(X + "/2/media/upload", files={"media": ("m", PNG)}).status_code == 401  # unsigned
    media_id = upload(fake).json()["data"]["id"]
    prepared = requests.Request("GET", X + "/2/media/upload", params={"command": "STATUS", "media_id": media_id},
                                auth=AUTH).prepare()
    prepared.url = prepared.url.replace(media_id, "1")  # a query parameter changed after signing
    with fake.mount(requests.Session()) as session:
        assert session.send(prepared, timeout=5).status_code == 401
    assert list(fake.media) == [media_id]


def test_v1_media_paths_answer_as_removed_and_are_recorded(fake: FakeX) -> None:
    fake.faults = FaultPlan(1.0, seed=3, modes=("after",), after=("drop",))  # a removed path has no write to fault
    v1 = tweepy.API(tweepy.OAuth1UserHandler(*SECRETS.values()), timeout=5)
    fake.mount(v1.session)
    with pytest.raises(tweepy.NotFound) as raised:
        v1.media_upload("map.png", file=io.BytesIO(PNG))
    assert raised.value.api_codes == [34] and raised.value.api_messages == ["Sorry, that page does not exist"]
    with pytest.raises(tweepy.NotFound):
        v1.create_media_metadata("1870000000000000001", "alt")
    wrong = OAuth1("someone", "else", "x", "y")
    unsigned = call(fake, "POST", "/1.1/media/upload.json", host="https://upload.twitter.com", auth=wrong,
                    data={"media_data": base64.b64encode(PNG).decode()})
    assert unsigned.status_code == 404 and unsigned.json() == {
        "errors": [{"code": 34, "message": "Sorry, that page does not exist"}]}
    assert [r.path for r in fake.v1_media_calls] == ["/1.1/media/upload.json", "/1.1/media/metadata/create.json",
                                                     "/1.1/media/upload.json"]
    assert fake.media == {} and fake.faults.history == [] and fake.upload_count == 0


# --- faults on v2 media ---------------------------------------------------------------------------------------

FAULT_SHAPES = [  # fault, what the client sees (a status, or the exception), whether the upload is stored
    ("before:refuse", 503, False), ("before:400", 400, False), ("before:403", 403, False),
    ("before:429", 429, False), ("before:500", 500, False), ("before:502", 502, False), ("before:503", 503, False),
    ("before:504", 504, False), ("after:500", 500, True), ("after:502", 502, True), ("after:503", 503, True),
    ("after:504", 504, True), ("before:timeout", requests.ReadTimeout, False),
    ("after:timeout", requests.ReadTimeout, True), ("before:reset", requests.ConnectionError, False),
    ("after:reset", requests.ConnectionError, True), ("before:drop", requests.ConnectionError, False),
    ("after:drop", requests.ConnectionError, True),
]


@pytest.mark.parametrize(("fault", "seen", "stored"), FAULT_SHAPES, ids=[shape[0] for shape in FAULT_SHAPES])
def test_each_fault_shape_on_the_simple_upload(fault: str, seen: int | type[Exception], stored: bool) -> None:
    plan = FaultPlan.scripted(hold=2.0).on("POST", "/2/media/upload", fault)
    with FakeX(**SECRETS, faults=plan) as fake:
        if isinstance(seen, int):
            reply = upload(fake)
            assert reply.status_code == seen and reply.json()["status"] == seen
            assert (seen == 429) == ("x-rate-limit-reset" in reply.headers)
        else:
            with pytest.raises(seen):
                upload(fake, timeout=0.3)
        assert bool(fake.media) is stored and [i.fault.key for i in fake.injected] == [fault]
        if stored:  # the reply the client never got names the stored upload
            (media_id,) = fake.media
            assert fake.injected[0].reply[2]["data"]["id"] == media_id and fake.media[media_id].data == PNG
        plan.enabled = False
        again = upload(fake)  # the retry makes a second upload when the first was applied
        assert again.status_code == 200 and fake.upload_count == 1 + stored


def test_lost_reply_leaves_the_upload_on_x_and_a_tweet_can_use_it() -> None:
    plan = FaultPlan.scripted().on("POST", "/2/media/upload", "after:drop")
    with FakeX(**SECRETS, faults=plan) as fake:
        with pytest.raises(requests.ConnectionError):
            upload(fake)
        (media,) = fake.media.values()
        assert media.usable and media.data == PNG and fake.injected[0].request.path == "/2/media/upload"
        assert client(fake).create_tweet(text="found again", media_ids=[media.id]).data["text"] == "found again"


def test_every_media_write_is_faulted_like_a_tweet() -> None:
    plan = (FaultPlan.scripted().on("POST", "/2/media/upload/initialize", "before:503", nth=1)
            .on("POST", "/2/media/upload/*/append", "after:drop", nth=1)
            .on("POST", "/2/media/upload/*/finalize", "after:503", nth=1)
            .on("POST", "/2/media/metadata", "after:reset", nth=1))
    with FakeX(**SECRETS, faults=plan) as fake:
        refused = call(fake, "POST", "/2/media/upload/initialize", json={"total_bytes": len(PNG),
                                                                          "media_type": "image/png"})
        assert refused.status_code == 503 and fake.media == {}  # before: not applied
        media_id = initialize(fake, len(PNG))
        with pytest.raises(requests.ConnectionError):
            append(fake, media_id, 0, PNG)
        assert fake.media[media_id].segments == {0: PNG}  # after: applied, reply lost
        assert finalize(fake, media_id).status_code == 503 and fake.media[media_id].finalized
        assert finalize(fake, media_id).status_code == 200  # the retry of an applied finalize
        with pytest.raises(requests.ConnectionError):
            alt(fake, media_id, "A map")
        assert fake.media[media_id].alt_text == "A map"
        assert status(fake, media_id).status_code == 200  # reads are never faulted
        assert [(d.path, d.fault and d.fault.key) for d in plan.history] == [
            ("/2/media/upload/initialize", "before:503"), ("/2/media/upload/initialize", None),
            (f"/2/media/upload/{media_id}/append", "after:drop"), (f"/2/media/upload/{media_id}/finalize", "after:503"),
            (f"/2/media/upload/{media_id}/finalize", None), ("/2/media/metadata", "after:reset")]


def test_media_writes_and_deletes_are_subject_to_a_drawn_plan(fake: FakeX) -> None:
    plan = FaultPlan(1.0, seed=1, modes=("after",), after=("drop",), methods=("POST", "DELETE"))
    x = client(fake)
    with plan.suspended():
        fake.faults = plan
        tweet_id = x.create_tweet(text="will be deleted").data["id"]
    with pytest.raises(requests.ConnectionError):
        upload(fake)
    (media,) = fake.media.values()
    with pytest.raises(requests.ConnectionError):
        alt(fake, media.id, "alt")
    assert media.alt_text == "alt"
    with pytest.raises(requests.ConnectionError):
        x.delete_tweet(tweet_id)
    assert fake.tweets == [] and [d.path for d in plan.history] == [
        "/2/media/upload", "/2/media/metadata", f"/2/tweets/{tweet_id}"]


def test_a_stopped_fake_refuses_connections(fake: FakeX) -> None:
    url = fake.url
    fake.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(url + "/2/media/upload", timeout=2)
