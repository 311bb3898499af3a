"""FakeX through the real tweepy.Client and tweepy.API: duplicates, media, alt text, deletes, and fault shapes."""

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
from x_api import DUPLICATE, FakeX

pytestmark = pytest.mark.live

SECRETS = {"consumer_key": "ck-xfake", "consumer_secret": "cs-xfake-secret",
           "access_token": "1467726470533754880-at-xfake", "access_token_secret": "ats-xfake-secret"}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX(**SECRETS) as server:
        yield server


def client(fake: FakeX) -> tweepy.Client:
    made = tweepy.Client(**SECRETS)
    fake.mount(made.session)
    return made


def api(fake: FakeX) -> tweepy.API:
    made = tweepy.API(tweepy.OAuth1UserHandler(*SECRETS.values()), timeout=5)
    fake.mount(made.session)
    return made


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


def test_v1_simple_upload_metadata_and_a_tweet_with_media(fake: FakeX) -> None:
    v1, x = api(fake), client(fake)
    media = v1.media_upload("map.png", file=io.BytesIO(PNG))
    upload = fake.requests[-1]
    assert upload.path == "/1.1/media/upload.json" and upload.headers["content-type"].startswith("multipart/")
    assert media.media_id_string == str(media.media_id) and media.size == len(PNG)
    assert media.image == {"image_type": "image/png", "w": 1, "h": 1} and media.expires_after_secs == 86400
    assert v1.create_media_metadata(media.media_id, "A map of Chile") is None  # 200, empty body
    stored = fake.media[media.media_id_string]
    assert (stored.alt_text, stored.data, stored.api) == ("A map of Chile", PNG, "1.1")

    tweet = x.create_tweet(text="With a map", media_ids=[media.media_id])
    assert fake.calls("POST", "/2/tweets")[-1].json["media"] == {"media_ids": [media.media_id_string]}
    (posted,) = fake.tweets
    assert posted.id == tweet.data["id"] and [m.alt_text for m in fake.media_of(posted)] == ["A map of Chile"]
    found = x.get_tweet(tweet.data["id"], expansions="attachments.media_keys", media_fields=["alt_text"],
                        tweet_fields=["attachments"], user_auth=True)
    assert found.data.attachments == {"media_keys": [stored.key]}
    assert [(m.media_key, m.alt_text) for m in found.includes["media"]] == [(stored.key, "A map of Chile")]
    timeline = x.get_users_tweets(fake.user["id"], expansions="attachments.media_keys", media_fields="alt_text",
                                  user_auth=True)
    assert timeline.includes["media"][0].alt_text == "A map of Chile"


def test_media_data_base64_upload_and_refusals(fake: FakeX) -> None:
    v1, x = api(fake), client(fake)
    raw = v1.request("POST", "media/upload", post_data={"media_data": base64.b64encode(PNG).decode()},
                     upload_api=True)  # form-urlencoded: its body is part of the OAuth signature
    (media_id,) = fake.media
    assert raw is None and fake.media[media_id].data == PNG
    with pytest.raises(tweepy.BadRequest) as raised:
        v1.create_media_metadata(media_id, "x" * 1001)
    assert fake.media[media_id].alt_text is None and raised.value.api_codes == [44]
    with pytest.raises(tweepy.BadRequest) as raised:
        v1.create_media_metadata("123", "alt")
    assert raised.value.api_codes == [324]
    v1.create_media_metadata(media_id, "x" * 1000)
    with pytest.raises(tweepy.BadRequest) as raised:
        x.create_tweet(text="unknown media", media_ids=["999"])
    assert raised.value.api_messages[0] == "Your media IDs are invalid." and fake.tweets == []


def test_v1_upload_signed_for_the_wrong_host_is_refused(fake: FakeX) -> None:
    v1 = api(fake)
    v1.upload_host = "api.twitter.com"  # signs https://api.twitter.com/1.1/media/upload.json
    with pytest.raises(tweepy.Unauthorized):
        v1.media_upload("map.png", file=io.BytesIO(PNG))
    assert fake.media == {}


def test_v2_media_upload_and_metadata(fake: FakeX) -> None:
    session = fake.mount(requests.Session())
    auth = tweepy.OAuth1UserHandler(*SECRETS.values()).apply_auth()
    up = session.post("https://api.twitter.com/2/media/upload", auth=auth,
                      files={"media": ("map.png", PNG, "image/png")}, data={"media_category": "tweet_image"})
    data = up.json()["data"]
    assert up.status_code == 200 and data["size"] == len(PNG) and data["media_key"] == f"3_{data['id']}"
    meta = session.post("https://api.twitter.com/2/media/metadata", auth=auth,
                        json={"id": data["id"], "metadata": {"alt_text": {"text": "A map"}}})
    assert meta.json()["data"] == {"id": data["id"], "associated_metadata": {"alt_text": {"text": "A map"}}}
    as_json = session.post("https://api.twitter.com/2/media/upload", auth=auth,
                           json={"media": base64.b64encode(PNG).decode(), "media_category": "tweet_image"})
    assert as_json.json()["data"]["id"] != data["id"] and fake.uploads_by_digest().most_common(1)[0][1] == 2
    assert (fake.media[data["id"]].alt_text, fake.media[data["id"]].category) == ("A map", "tweet_image")


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


def test_media_writes_and_deletes_are_subject_to_faults(fake: FakeX) -> None:
    plan = FaultPlan(1.0, seed=1, modes=("after",), after=("drop",), methods=("POST", "DELETE"))
    v1, x = api(fake), client(fake)
    with plan.suspended():
        fake.faults = plan
        tweet_id = x.create_tweet(text="will be deleted").data["id"]
    with pytest.raises(tweepy.TweepyException, match="Failed to send request"):
        v1.media_upload("map.png", file=io.BytesIO(PNG))
    (media,) = fake.media.values()
    with pytest.raises(tweepy.TweepyException):
        v1.create_media_metadata(media.id, "alt")
    assert media.alt_text == "alt"
    with pytest.raises(requests.ConnectionError):
        x.delete_tweet(tweet_id)
    assert fake.tweets == [] and [d.path for d in plan.history] == [
        "/1.1/media/upload.json", "/1.1/media/metadata/create.json", f"/2/tweets/{tweet_id}"]


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


def test_before_403_and_400_faults_use_x_s_problem_format(fake: FakeX) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/2/tweets", "before:403").on(
        "POST", "/1.1/media/upload.json", "before:400")
    with pytest.raises(tweepy.Forbidden) as raised:
        client(fake).create_tweet(text="refused")
    assert raised.value.response.json()["title"] == "Forbidden" and fake.tweets == []
    with pytest.raises(tweepy.BadRequest):
        api(fake).media_upload("map.png", file=io.BytesIO(PNG))
    assert fake.media == {}


def test_expired_media_ids_are_refused(fake: FakeX) -> None:
    v1, x = api(fake), client(fake)
    media = v1.media_upload("map.png", file=io.BytesIO(PNG))
    fake.expire_media(media.media_id_string)
    with pytest.raises(tweepy.BadRequest) as raised:
        x.create_tweet(text="too late", media_ids=[media.media_id])
    assert raised.value.api_messages == ["Your media IDs are invalid."] and fake.tweets == []
    with pytest.raises(tweepy.BadRequest):
        v1.create_media_metadata(media.media_id, "alt")
