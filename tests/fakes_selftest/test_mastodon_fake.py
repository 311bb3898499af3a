"""FakeMastodon through the real Mastodon.py client: idempotency keys, limits, media, look-ups, and fault shapes."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest
import requests
from faults import FaultPlan
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServiceUnavailableError,
    MastodonUnauthorizedError,
)
from mastodon_api import REPLY_NOT_FOUND, FakeMastodon, countable_length

pytestmark = pytest.mark.live

TOKEN = "mastodon-fake-token-7f3a"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
LINK = "https://diff.wikimedia.org/2026/10/08/what-we-told-the-european-commission-about-copyright/"


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon(TOKEN) as server:
        yield server


def client(fake: FakeMastodon, token: str = TOKEN, timeout: float = 5) -> Mastodon:
    return Mastodon(access_token=token, api_base_url=fake.url, ratelimit_method="throw", request_timeout=timeout)


def test_the_same_idempotency_key_returns_the_first_status_and_makes_no_second(fake: FakeMastodon) -> None:
    api = client(fake)
    first = api.status_post("Exactly once, please.", idempotency_key="key-1")
    again = api.status_post("A different body under the same key.", idempotency_key="key-1")
    assert again.id == first.id and again.content == first.content  # the key wins over the body, as in Mastodon
    assert [status.text for status in fake.statuses] == ["Exactly once, please."]
    assert fake.calls("POST", "/api/v1/statuses")[0].headers["idempotency-key"] == "key-1"
    other = api.status_post("Exactly once, please.", idempotency_key="key-2")
    assert other.id != first.id and fake.texts()["Exactly once, please."] == 2  # the same text is no duplicate


def test_an_idempotency_key_lasts_an_hour_and_a_deleted_status_answers_404(fake: FakeMastodon) -> None:
    api = client(fake)
    first = api.status_post("Within the hour.", idempotency_key="hourly")
    fake.advance(3599)
    assert api.status_post("Within the hour.", idempotency_key="hourly").id == first.id
    fake.advance(2)
    assert api.status_post("Within the hour.", idempotency_key="hourly").id != first.id
    gone = api.status_post("Deleted later.", idempotency_key="deleted")
    api.status_delete(gone)
    with pytest.raises(MastodonNotFoundError):
        api.status_post("Deleted later.", idempotency_key="deleted")


def test_statuses_carry_every_parameter_and_reply_chains_need_a_live_parent(fake: FakeMastodon) -> None:
    api = client(fake)
    root = api.status_post(f"Root with a link {LINK} #Copyright\n\nSecond paragraph\nand a line.",
                           visibility="unlisted", spoiler_text="EU policy", language="fr")
    reply = api.status_post("The reply.", in_reply_to_id=root.id, visibility="unlisted")
    assert (root.visibility, root.spoiler_text, root.language, root.sensitive) == ("unlisted", "EU policy", "fr", True)
    assert str(reply.in_reply_to_id) == str(root.id) and reply.in_reply_to_account_id == fake.account["id"]
    assert root.url == f"{fake.url}/@wikimediapolicy/{root.id}"
    assert root.content.startswith("<p>Root with a link <a href=\"" + LINK + "\"")
    assert '<span class="invisible">https://</span><span class="ellipsis">diff.wikimedia.org/2026/10/08/</span>' \
        in root.content
    assert root.content.endswith("<p>Second paragraph<br />and a line.</p>") and 'rel="tag">#<span>' in root.content
    assert [status.id for status in fake.thread(str(root.id))] == [str(root.id), str(reply.id)]
    body = fake.calls("POST", "/api/v1/statuses")[1].body.decode()
    assert f"in_reply_to_id={root.id}" in body and "visibility=unlisted" in body
    with pytest.raises(MastodonNotFoundError) as raised:
        api.status_post("An orphan.", in_reply_to_id="1")
    assert raised.value.args[3] == REPLY_NOT_FOUND and len(fake.statuses) == 2


def test_length_counts_graphemes_with_each_link_at_the_reserved_weight_and_the_warning_included(
        fake: FakeMastodon) -> None:
    assert countable_length("a" * 10 + " " + LINK) == 10 + 1 + 23
    assert countable_length("\U0001F468\u200D\U0001F469\u200D\U0001F467 e\u0301") == 3  # family, space, e + accent
    assert countable_length("hi @bob@mastodon.social") == len("hi @bob")
    assert countable_length("abc", spoiler_text="cw") == 5 and countable_length("example.org") == 11
    api = client(fake)
    api.status_post("x" * (500 - 24) + " " + LINK)  # a 95-character link counts 23
    with pytest.raises(MastodonAPIError) as raised:
        api.status_post("x" * 499, spoiler_text="cw")
    assert raised.value.args[1] == 422
    assert raised.value.args[3] == "Validation failed: Text character limit of 500 exceeded"
    with FakeMastodon(TOKEN, max_characters=11, url_weight=5) as small:
        client(small).status_post("a " + LINK + " bcd")
        with pytest.raises(MastodonAPIError, match="limit of 11"):
            client(small).status_post("ab " + LINK + " bcd")


def test_v2_media_is_processed_asynchronously_and_a_status_waits_for_it() -> None:
    with FakeMastodon(TOKEN, processing_polls=2) as fake:
        api = client(fake)
        media = api.media_post(PNG, mime_type="image/png", description="A chart of the consultation.",
                               file_name="chart.png")
        assert media.url is None and fake.calls("POST", "/api/v2/media")
        with pytest.raises(MastodonAPIError, match="finished processing"):
            api.status_post("Too soon.", media_ids=[media])
        assert api.media(media).url is None and api.media(media).url is None
        ready = api.media(media)
        assert ready.url.endswith(f"/original/{media.id}.png") and ready.meta.original.width == 1
        status = api.status_post("With the chart.", media_ids=[media])
        attached = status.media_attachments[0]
        assert (str(attached.id), attached.description) == (str(media.id), "A chart of the consultation.")
        assert [m.description for m in fake.media_of(fake.statuses[0])] == ["A chart of the consultation."]
        with pytest.raises(MastodonAPIError, match="already attached"):
            api.status_post("The same image again.", media_ids=[media])
        with pytest.raises(MastodonNotFoundError):
            api.media(media)  # only unattached media can be read back
        with pytest.raises(MastodonAPIError, match="Description is too long"):
            api.media_post(PNG, mime_type="image/png", description="d" * 1501)
        assert len(fake.statuses) == 1


def test_verify_credentials_instance_and_the_account_s_statuses_with_pagination(fake: FakeMastodon) -> None:
    api = client(fake)
    me = api.account_verify_credentials()
    assert (str(me.id), me.username, me.source.privacy) == (fake.account["id"], "wikimediapolicy", "public")
    statuses = api.instance_v2().configuration.statuses
    assert (statuses.max_characters, statuses.characters_reserved_per_url) == (500, 23)
    assert api.instance_v2().configuration.media_attachments.description_limit == 1500
    posted = [api.status_post(f"status {n}") for n in range(5)]
    api.status_post("a reply", in_reply_to_id=posted[-1])
    page = api.account_statuses(me, limit=2, exclude_replies=True)
    assert [s.content for s in page] == ["<p>status 4</p>", "<p>status 3</p>"]
    following = api.fetch_next(page)
    assert [s.content for s in following] == ["<p>status 2</p>", "<p>status 1</p>"]
    everything = api.account_statuses(me, limit=40)
    assert [s.content for s in everything][:2] == ["<p>a reply</p>", "<p>status 4</p>"] and len(everything) == 6
    with pytest.raises(MastodonNotFoundError):
        api.account_statuses("1")


def test_a_bearer_token_is_required_except_for_the_instance(fake: FakeMastodon) -> None:
    with pytest.raises(MastodonUnauthorizedError):
        client(fake, token="wrong").status_post("Nope.")
    with pytest.raises(MastodonUnauthorizedError):
        client(fake, token="wrong").account_verify_credentials()
    assert client(fake, token="wrong").instance_v2().version == fake.version and not fake.statuses
    assert fake.requests[0].headers["authorization"] == "Bearer wrong"


def test_rate_limit_headers_and_a_429_past_the_limit() -> None:
    with FakeMastodon(TOKEN, rate_limit=3) as fake:
        api = client(fake)
        api.account_verify_credentials()
        assert (api.ratelimit_limit, api.ratelimit_remaining) == (3, 2)
        assert 0 < api.ratelimit_reset - time.time() <= 300
        api.account_verify_credentials()
        api.status_post("the last one allowed")
        with pytest.raises(MastodonRatelimitError):
            api.status_post("one too many")
        assert [s.text for s in fake.statuses] == ["the last one allowed"]
        fake.advance(300)
        api.status_post("a new window")
        assert len(fake.statuses) == 2


def test_delete_returns_the_source_and_a_second_delete_is_404(fake: FakeMastodon) -> None:
    api = client(fake)
    status = api.status_post("To be retracted.")
    deleted = api.status_delete(status)
    assert deleted.text == "To be retracted." and not fake.statuses and fake.deleted[0].deleted
    with pytest.raises(MastodonNotFoundError):
        api.status_delete(status)


@pytest.mark.parametrize(("fault", "raised", "stored"), [
    ("before:refuse", MastodonServiceUnavailableError, 0),
    ("before:400", MastodonAPIError, 0),
    ("before:reset", MastodonNetworkError, 0),
    ("after:503", MastodonServiceUnavailableError, 1),
    ("after:drop", MastodonNetworkError, 1),
    ("after:reset", MastodonNetworkError, 1),
    ("after:timeout", MastodonNetworkError, 1),
])
def test_fault_shapes_on_a_status_and_the_key_settles_an_applied_one(fault: str, raised: type, stored: int) -> None:
    plan = FaultPlan.scripted(hold=1.0).on("POST", "/api/v1/statuses", fault, nth=1)
    with FakeMastodon(TOKEN, faults=plan) as fake:
        api = client(fake, timeout=0.5)
        with pytest.raises(raised):
            api.status_post("Under a fault.", idempotency_key="fault-key")
        assert len(fake.statuses) == stored and fake.injected[0].fault.key == fault
        again = api.status_post("Under a fault.", idempotency_key="fault-key")
        assert [status.id for status in fake.statuses] == [str(again.id)]  # one status, whatever happened before


def test_a_429_fault_tells_when_to_come_back() -> None:
    plan = FaultPlan.scripted(retry_after=42).on("POST", "/api/v1/statuses", "before:429", nth=1)
    with FakeMastodon(TOKEN, faults=plan) as fake:
        api = client(fake)
        with pytest.raises(MastodonRatelimitError):
            api.status_post("Later.")
        assert 40 <= api.ratelimit_reset - time.time() <= 43 and not fake.statuses
        assert "retry-after" not in {name.lower() for name in fake.fault_reply(429)[1]}


def test_a_plan_with_variants_http_cannot_inject_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot inject"):
        FakeMastodon(TOKEN, faults=FaultPlan.scripted().on("POST", "/api/v1/statuses", "before:550"))


def test_a_json_body_with_media_ids_is_read_as_rails_reads_it(fake: FakeMastodon) -> None:
    api = client(fake)
    media = api.media_post(PNG, mime_type="image/png", description="alt")
    answer = requests.post(f"{fake.url}/api/v1/statuses", timeout=5, headers={"Authorization": f"Bearer {TOKEN}"},
                           json={"status": "JSON body", "media_ids": [str(media.id)], "visibility": "private"})
    assert answer.status_code == 200 and answer.json()["media_attachments"][0]["description"] == "alt"
    assert (fake.statuses[0].visibility, fake.statuses[0].media_ids) == ("private", (str(media.id),))
    assert answer.headers["X-RateLimit-Limit"] == "300" and answer.headers["X-RateLimit-Reset"].endswith("Z")
