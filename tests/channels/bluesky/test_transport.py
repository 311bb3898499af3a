"""The Bluesky transport against a real PDS on loopback, and through a fault proxy for every failure shape."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from faults import FaultPlan
from pds_server import PdsAccount
from wordpress_fault_proxy import WordPressFaultProxy

from channels.bluesky.draft import BlueskyDraft, BlueskyPost, Facet, LinkCard
from channels.bluesky.richtext import post as rich_post
from channels.bluesky.settings import BlueskySettings
from channels.bluesky.transport import BlueskyTransport, make_client, post_hash, post_record, post_rkey
from herald.core.ledger import Ledger
from herald.core.transport import Ambiguous, NeedsAttention, PreflightError, TransientError, TransportError
from herald.pipeline.resolve import resolve

CREATE = "/xrpc/com.atproto.repo.createRecord"
UPLOAD = "/xrpc/com.atproto.repo.uploadBlob"
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")  # the atproto TID syntax
IMAGE = Path(__file__).resolve().parents[2] / "fixtures" / "images" / "courtroom.png"
DIFF_URL = "https://diff.wikimedia.org/2026/11/30/café-copyright/"


def thread(slug_text: str = "", count: int = 3) -> BlueskyDraft:
    """A thread whose first post has a link after non-ASCII text (so byte and character offsets differ)."""
    first = f"Qu'avons-nous dit à la Commission ? → {DIFF_URL}{slug_text}"
    start = first.encode().index(b"https://")
    posts = [BlueskyPost(first, (Facet(start, len(first.encode()), DIFF_URL + slug_text),))]
    posts += [BlueskyPost(f"Post {n}: the copyright exception for text and data mining.") for n in range(2, count + 1)]
    return BlueskyDraft(posts=tuple(posts), language="fr",
                        card=LinkCard(DIFF_URL, "Ce que nous avons dit", "Notre réponse à la consultation."))


def settings(pds: PdsAccount, url: str | None = None, **overrides: object) -> BlueskySettings:
    values = {"pds_url": url or pds.url, "handle": pds.handle, "app_password": pds.app_password, "enabled": True,
              "timeout_seconds": 5.0, **overrides}
    return BlueskySettings(**values)


def update(ledger: Ledger, slug: str) -> str:
    ledger.record_update(slug, f"{slug}.md", slug, date(2026, 11, 30))
    return slug


def posts_of(pds: PdsAccount, slug: str) -> dict[int, list[dict]]:
    """The PDS's records (listRecords) at each of this update's record keys, by position."""
    records, cursor = [], None
    while True:
        params = {"repo": pds.did, "collection": "app.bsky.feed.post", "limit": 100, **({"cursor": cursor} if cursor
                                                                                          else {})}
        page = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.listRecords", params=params, timeout=30).json()
        records += page["records"]
        cursor = page.get("cursor")
        if not cursor or not page["records"]:
            break
    keys = {post_rkey(slug, n): n for n in range(1, 11)}
    found: dict[int, list[dict]] = {}
    for record in records:
        position = keys.get(record["uri"].rsplit("/", 1)[1])
        if position is not None:
            found.setdefault(position, []).append(record)
    return found


def assert_one_thread(pds: PdsAccount, slug: str, draft: BlueskyDraft) -> list[dict]:
    """Exactly one record per post, each replying to the one before with the root as post 1."""
    found = posts_of(pds, slug)
    assert {n: len(records) for n, records in found.items()} == {n: 1 for n in range(1, len(draft.posts) + 1)}
    records = [found[n][0] for n in range(1, len(draft.posts) + 1)]
    assert [r["value"]["text"] for r in records] == [post.text for post in draft.posts]
    assert "reply" not in records[0]["value"]
    for before, record in zip(records, records[1:], strict=False):
        reply = record["value"]["reply"]
        assert (reply["root"]["uri"], reply["root"]["cid"]) == (records[0]["uri"], records[0]["cid"])
        assert (reply["parent"]["uri"], reply["parent"]["cid"]) == (before["uri"], before["cid"])
    return records


def part_states(ledger: Ledger, slug: str, kind: str = "post") -> dict[int, str]:
    return {part.position: part.status for part in ledger.parts(slug, "bluesky", kind)}


# --- pure ------------------------------------------------------------------------------------------------------


def test_record_keys_are_tids_derived_from_the_update_and_position() -> None:
    keys = [post_rkey("what-we-told-the-commission", n) for n in range(1, 11)]
    assert all(TID.match(key) for key in keys)
    assert keys == [post_rkey("what-we-told-the-commission", n) for n in range(1, 11)]  # the same on every run
    assert keys == sorted(keys) and len(set(keys)) == 10  # a thread sorts in order
    assert not set(keys) & {post_rkey("another-update", n) for n in range(1, 11)}


def test_a_record_carries_facets_in_bytes_the_language_and_the_reply() -> None:
    post = BlueskyPost("é → https://x.org #été", (Facet(6, 21, "https://x.org"), Facet(22, 27, tag="été")))
    reply = {"root": {"uri": "at://a/b/c", "cid": "x"}, "parent": {"uri": "at://a/b/d", "cid": "y"}}
    record = post_record(post, "fr", "2026-11-30T12:00:00.000Z", reply, None)
    assert record["facets"] == [{"index": {"byteStart": 6, "byteEnd": 21},
                                 "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.org"}]},
                                {"index": {"byteStart": 22, "byteEnd": 27},
                                 "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "été"}]}]
    assert post_hash(post) != post_hash(BlueskyPost(post.text, post.facets[:1]))
    assert post_hash(BlueskyPost(post.text, post.facets[:1])) == hashlib.sha256(  # a link's hash as before tags
        f"{post.text}|6:21:https://x.org".encode()).hexdigest()
    assert record["langs"] == ["fr"] and record["reply"] == reply and "embed" not in record


def test_no_credentials_is_a_preflight_error_before_any_request(bluesky_ledger: Ledger) -> None:
    transport = BlueskyTransport(BlueskySettings(enabled=True, pds_url="http://127.0.0.1:9"), bluesky_ledger, "x")
    with pytest.raises(PreflightError, match="handle and app password"):
        transport.preflight(thread())


# --- against the real PDS --------------------------------------------------------------------------------------


@pytest.mark.live
def test_a_thread_is_one_record_per_post_with_reply_refs_facets_and_the_card(
    pds: PdsAccount, bluesky_ledger: Ledger
) -> None:
    slug = update(bluesky_ledger, "thread-with-card")
    draft = thread()
    transport = BlueskyTransport(settings(pds), bluesky_ledger, slug)
    transport.preflight(draft)
    receipt = transport.send(draft)

    records = assert_one_thread(pds, slug, draft)
    first = records[0]["value"]
    start = draft.posts[0].text.encode().index(b"https://")
    index = first["facets"][0]["index"]
    assert (index["byteStart"], index["byteEnd"]) == (start, len(draft.posts[0].text.encode()))
    assert first["facets"][0]["features"][0] == {"$type": "app.bsky.richtext.facet#link", "uri": DIFF_URL}
    assert first["embed"]["$type"] == "app.bsky.embed.external"
    assert {k: first["embed"]["external"][k] for k in ("uri", "title", "description")} == {
        "uri": DIFF_URL, "title": "Ce que nous avons dit", "description": "Notre réponse à la consultation."}
    assert all(r["value"]["langs"] == ["fr"] and r["value"]["createdAt"].endswith("Z") for r in records)
    assert receipt.url == f"https://bsky.app/profile/{pds.handle}/post/{post_rkey(slug, 1)}"
    assert receipt.remote_id == records[0]["uri"]
    assert part_states(bluesky_ledger, slug) == {1: "done", 2: "done", 3: "done"}
    assert [p.remote_id for p in sorted(bluesky_ledger.parts(slug, "bluesky", "post"), key=lambda p: p.position)] \
        == [r["uri"] for r in records]


@pytest.mark.live
def test_tag_and_link_facets_are_posted_and_read_back_at_their_bytes(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    slug = update(bluesky_ledger, "thread-with-tags")
    url = DIFF_URL.replace("é", "%C3%A9")  # as herald writes links
    made = rich_post(f"文化庁 👩‍👩‍👧‍👦 تابعوا #KeepItOn! wikimedia.org/policy {url}")
    draft = BlueskyDraft(posts=(made,), language="fr")
    BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)

    [record] = assert_one_thread(pds, slug, draft)
    facets = record["value"]["facets"]
    assert [(f["index"]["byteStart"], f["index"]["byteEnd"]) for f in facets] == [
        (f.byte_start, f.byte_end) for f in made.facets]
    data = record["value"]["text"].encode()
    assert [(data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"]) for f in facets] == [
        ("#KeepItOn", [{"$type": "app.bsky.richtext.facet#tag", "tag": "KeepItOn"}]),
        ("wikimedia.org/policy", [{"$type": "app.bsky.richtext.facet#link", "uri": "https://wikimedia.org/policy"}]),
        ("diff.wikimedia.org/2026/11/30/…", [{"$type": "app.bsky.richtext.facet#link", "uri": url}]),
    ]


@pytest.mark.live
def test_a_second_send_posts_nothing_again(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    slug = update(bluesky_ledger, "sent-twice")
    draft = thread()
    BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    receipt = BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    assert [part["status"] for part in receipt.parts] == ["already_posted"] * 3
    assert receipt.detail == "thread of 3 posts; 0 posted in this publish"
    assert_one_thread(pds, slug, draft)


@pytest.mark.live
def test_an_image_is_uploaded_once_and_embedded_with_its_alt_text(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    slug = update(bluesky_ledger, "thread-with-image")
    draft = BlueskyDraft(posts=thread().posts, image="courtroom.png", image_alt="The courtroom of the CJEU.",
                         image_file=IMAGE, card=thread().card)
    BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    records = assert_one_thread(pds, slug, draft)
    embed = records[0]["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    [image] = embed["images"]
    assert image["alt"] == "The courtroom of the CJEU."
    assert image["image"]["mimeType"] == "image/png" and image["image"]["size"] == IMAGE.stat().st_size
    [media] = bluesky_ledger.parts(slug, "bluesky", "media")
    assert media.status == "done" and media.remote_id == image["image"]["ref"]["$link"]
    blob = httpx.get(f"{pds.url}/xrpc/com.atproto.sync.getBlob", params={"did": pds.did, "cid": media.remote_id})
    assert blob.content == IMAGE.read_bytes()


@pytest.mark.live
def test_an_upload_the_pds_no_longer_has_is_made_again(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    slug = update(bluesky_ledger, "expired-upload")
    never_uploaded = b"\x01\x55\x12\x20" + hashlib.sha256(b"not an image anyone uploaded").digest()  # CIDv1 raw
    cid = "b" + base64.b32encode(never_uploaded).decode().lower().rstrip("=")
    bluesky_ledger.mark_part_intended(slug, "bluesky", "media", 1, "an earlier upload")
    bluesky_ledger.mark_part_done(slug, "bluesky", "media", 1, cid)
    draft = BlueskyDraft(posts=thread().posts[:1], image_alt="Alt.", image_file=IMAGE)
    BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    [record] = assert_one_thread(pds, slug, draft)
    assert record["value"]["embed"]["images"][0]["image"]["ref"]["$link"] != cid
    assert part_states(bluesky_ledger, slug, "media") == {1: "done", 2: "done"}


@pytest.mark.live
def test_a_create_the_pds_refuses_as_existing_is_read_back_as_done(pds: PdsAccount, tmp_path: Path) -> None:
    draft = thread()
    first = Ledger.at(tmp_path / "first.db")
    BlueskyTransport(settings(pds), first, update(first, "ledger-lost")).send(draft)
    second = Ledger.at(tmp_path / "second.db")  # a ledger that never heard of it: every create is a repeat
    receipt = BlueskyTransport(settings(pds), second, update(second, "ledger-lost")).send(draft)
    assert_one_thread(pds, "ledger-lost", draft)
    assert part_states(second, "ledger-lost") == {1: "done", 2: "done", 3: "done"}
    assert receipt.url == f"https://bsky.app/profile/{pds.handle}/post/{post_rkey('ledger-lost', 1)}"


@pytest.mark.parametrize("fault", ["after:500", "after:502", "after:503", "after:drop", "after:reset",
                                   "after:timeout"])
@pytest.mark.live
def test_a_post_applied_but_unanswered_is_read_back_at_once(
    pds: PdsAccount, pds_proxy: WordPressFaultProxy, bluesky_ledger: Ledger, fault: str
) -> None:
    slug = update(bluesky_ledger, f"applied-{fault.replace(':', '-')}")
    pds_proxy.faults = FaultPlan.scripted(hold=8.0).on("POST", CREATE, fault, nth=2)
    draft = thread()
    receipt = BlueskyTransport(settings(pds, pds_proxy.url, timeout_seconds=3.0), bluesky_ledger, slug).send(draft)
    assert pds_proxy.faults.injected == 1
    assert_one_thread(pds, slug, draft)
    assert part_states(bluesky_ledger, slug) == {1: "done", 2: "done", 3: "done"}
    assert receipt.detail == "thread of 3 posts; 3 posted in this publish"


@pytest.mark.parametrize("fault", ["before:500", "before:drop", "before:reset"])
@pytest.mark.live
def test_a_post_not_applied_and_unanswered_is_ambiguous_then_posted_once_by_the_rerun(
    pds: PdsAccount, pds_proxy: WordPressFaultProxy, bluesky_ledger: Ledger, fault: str
) -> None:
    slug = update(bluesky_ledger, f"unapplied-{fault.replace(':', '-')}")
    pds_proxy.faults = FaultPlan.scripted().on("POST", CREATE, fault, nth=2)
    draft = thread()
    with pytest.raises(Ambiguous) as raised:
        BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug).send(draft)
    assert raised.value.transient and "outcome unknown" in str(raised.value) and "\n" not in str(raised.value)
    assert part_states(bluesky_ledger, slug) == {1: "done", 2: "ambiguous"}
    assert set(posts_of(pds, slug)) == {1}

    pds_proxy.faults = None
    BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug).send(draft)
    assert_one_thread(pds, slug, draft)
    assert part_states(bluesky_ledger, slug) == {1: "done", 2: "done", 3: "done"}
    reads = [r for r in pds_proxy.requests if r.path == "/xrpc/com.atproto.repo.getRecord"]
    assert any(post_rkey(slug, 2) in r.query.get("rkey", "") for r in reads)  # read back before creating


@pytest.mark.live
def test_429_is_transient_with_retry_after_and_nothing_is_applied(
    pds: PdsAccount, pds_proxy: WordPressFaultProxy, bluesky_ledger: Ledger
) -> None:
    slug = update(bluesky_ledger, "rate-limited")
    pds_proxy.faults = FaultPlan.scripted(retry_after=7).on("POST", CREATE, "before:429", nth=1)
    draft = thread()
    with pytest.raises(TransientError) as raised:
        BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug).send(draft)
    assert raised.value.retry_after == 7.0
    assert part_states(bluesky_ledger, slug) == {1: "not_sent"}
    pds_proxy.faults = None
    BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug).send(draft)
    assert_one_thread(pds, slug, draft)


@pytest.mark.live
def test_a_refused_post_is_not_sent_and_says_why(
    pds: PdsAccount, pds_proxy: WordPressFaultProxy, bluesky_ledger: Ledger
) -> None:
    slug = update(bluesky_ledger, "refused-400")
    pds_proxy.faults = FaultPlan.scripted().on("POST", CREATE, "before:400", nth=1)
    with pytest.raises(TransportError) as raised:
        BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug).send(thread())
    assert not isinstance(raised.value, Ambiguous | TransientError)
    assert str(raised.value).startswith("bluesky: post 1 answered 400")
    assert part_states(bluesky_ledger, slug) == {1: "not_sent"}
    assert posts_of(pds, slug) == {}


@pytest.mark.live
def test_connection_refused_mid_thread_is_transient_and_the_rerun_goes_on(
    pds: PdsAccount, bluesky_ledger: Ledger
) -> None:
    slug = update(bluesky_ledger, "refused-connection")
    draft = thread()
    with WordPressFaultProxy(pds.url) as proxy:
        fresh_connections = make_client(settings(pds, proxy.url), limits=httpx.Limits(max_keepalive_connections=0))
        transport = BlueskyTransport(settings(pds, proxy.url), bluesky_ledger, slug, fresh_connections)
        transport.preflight(draft)
        proxy.faults = FaultPlan.scripted().on("POST", CREATE, "before:400", nth=2)  # stop after post 1...
        with pytest.raises(TransportError):
            transport.send(draft)
    bluesky_ledger.mark_part_not_sent(slug, "bluesky", "post", 2)
    with pytest.raises(TransientError, match="cannot reach 127.0.0.1:.*connection refused"):
        transport.send(draft)  # ...then the proxy is gone: connection refused
    assert part_states(bluesky_ledger, slug) == {1: "done", 2: "not_sent"}
    BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    assert_one_thread(pds, slug, draft)


@pytest.mark.live
def test_preflight_rejects_a_wrong_app_password_in_one_line(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    transport = BlueskyTransport(settings(pds, app_password="wrong-password"), bluesky_ledger, "x")
    with pytest.raises(PreflightError) as raised:
        transport.preflight(thread())
    assert str(raised.value) == (f"bluesky: {pds.url} rejected the handle 'herald.test' or its app password "
                                 "(401 on createSession)")


@pytest.mark.live
def test_preflight_refuses_a_thread_over_max_posts_and_an_image_over_a_megabyte(
    pds: PdsAccount, bluesky_ledger: Ledger, tmp_path: Path
) -> None:
    with pytest.raises(PreflightError, match="4 posts but at most 3"):
        BlueskyTransport(settings(pds, max_posts=3), bluesky_ledger, "x").preflight(thread(count=4))
    big = tmp_path / "big.png"
    big.write_bytes(IMAGE.read_bytes() + bytes(1_000_000))
    with pytest.raises(PreflightError, match="big.png is 1,00.* at most 1,000,000"):
        BlueskyTransport(settings(pds), bluesky_ledger, "x").preflight(BlueskyDraft(posts=thread().posts,
                                                                                     image_file=big))


@pytest.mark.live
def test_delete_post_retracts_once(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    slug = update(bluesky_ledger, "retracted")
    draft = thread(count=2)
    transport = BlueskyTransport(settings(pds), bluesky_ledger, slug)
    transport.send(draft)
    assert transport.delete_post(post_rkey(slug, 2)) is True
    assert set(posts_of(pds, slug)) == {1}
    assert transport.delete_post(post_rkey(slug, 2)) is False  # done in the ledger: not sent again
    assert part_states(bluesky_ledger, slug, "delete") == {2: "done"}
    with pytest.raises(TransportError, match="not the record key of a post of retracted"):
        transport.delete_post(post_rkey("another-update", 1))


@pytest.mark.live
def test_a_posted_record_deleted_by_hand_needs_attention(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    slug = update(bluesky_ledger, "deleted-by-hand")
    draft = thread(count=2)
    transport = BlueskyTransport(settings(pds), bluesky_ledger, slug)
    transport.send(draft)
    transport.delete_post(post_rkey(slug, 1))
    with pytest.raises(NeedsAttention, match="post 1 was posted .* no longer on the PDS") as raised:
        transport.send(draft)
    assert f"herald resolve {slug} bluesky --part 1 --not-sent" in str(raised.value)
    bluesky_ledger.record_receipt(slug, "bluesky", "needs_attention", detail=str(raised.value), transport="live")
    resolve(bluesky_ledger, slug, "bluesky", None, 1)  # what the printed command does: post 1 goes out again
    BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    assert set(posts_of(pds, slug)) == {1, 2} and part_states(bluesky_ledger, slug) == {1: "done", 2: "done"}


@pytest.mark.live
def test_an_upload_without_an_answer_is_made_again_and_posted_once(
    pds: PdsAccount, pds_proxy: WordPressFaultProxy, bluesky_ledger: Ledger
) -> None:
    slug = update(bluesky_ledger, "upload-lost")
    pds_proxy.faults = FaultPlan.scripted().on("POST", UPLOAD, "after:500", nth=1)
    draft = BlueskyDraft(posts=thread().posts, image_alt="Alt.", image_file=IMAGE)
    with pytest.raises(TransientError, match="the image upload answered 500"):
        BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug).send(draft)
    assert part_states(bluesky_ledger, slug) == {} and posts_of(pds, slug) == {}
    pds_proxy.faults = None
    BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug).send(draft)
    [record, *_] = assert_one_thread(pds, slug, draft)
    assert record["value"]["embed"]["images"][0]["alt"] == "Alt."
    assert part_states(bluesky_ledger, slug, "media") == {1: "done"}


@pytest.mark.live
def test_a_retraction_without_an_answer_is_ambiguous_and_runs_again_safely(
    pds: PdsAccount, pds_proxy: WordPressFaultProxy, bluesky_ledger: Ledger
) -> None:
    slug = update(bluesky_ledger, "retraction-lost")
    transport = BlueskyTransport(settings(pds, pds_proxy.url), bluesky_ledger, slug)
    transport.send(thread(count=1))
    pds_proxy.faults = FaultPlan.scripted().on("POST", "/xrpc/com.atproto.repo.deleteRecord", "after:reset", nth=1)
    with pytest.raises(Ambiguous, match="outcome unknown: connection reset after deleting post 1 was sent"):
        transport.delete_post(post_rkey(slug, 1))
    assert part_states(bluesky_ledger, slug, "delete") == {1: "ambiguous"}
    assert posts_of(pds, slug) == {}
    assert transport.delete_post(post_rkey(slug, 1)) is True  # deleting a record already gone succeeds
    assert part_states(bluesky_ledger, slug, "delete") == {1: "done"}


@pytest.mark.live
def test_a_post_resolved_by_hand_is_where_the_thread_goes_on(pds: PdsAccount, bluesky_ledger: Ledger) -> None:
    slug = update(bluesky_ledger, "posted-by-hand")
    draft = thread(count=2)
    session = _xrpc(pds, "com.atproto.server.createSession", {"identifier": pds.handle, "password": pds.password})
    by_hand = _xrpc(pds, "com.atproto.repo.createRecord", {"repo": pds.did, "collection": "app.bsky.feed.post",
                    "record": {"$type": "app.bsky.feed.post", "text": draft.posts[0].text,
                               "createdAt": "2026-11-30T12:00:00.000Z"}}, session["accessJwt"])
    hand_url = f"https://bsky.app/profile/{pds.handle}/post/{by_hand['uri'].rsplit('/', 1)[1]}"
    bluesky_ledger.mark_part_intended(slug, "bluesky", "post", 1, "by hand")
    bluesky_ledger.mark_part_done(slug, "bluesky", "post", 1, hand_url, hand_url)  # what `herald resolve --sent` does
    receipt = BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    assert receipt.url == hand_url
    [second] = posts_of(pds, slug)[2]
    assert second["value"]["reply"]["root"] == second["value"]["reply"]["parent"]
    assert (second["value"]["reply"]["root"]["uri"], second["value"]["reply"]["root"]["cid"]) == (
        by_hand["uri"], by_hand["cid"])
    assert 1 not in posts_of(pds, slug)  # nothing posted under herald's own key for post 1


def _xrpc(pds: PdsAccount, method: str, body: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{pds.url}/xrpc/{method}", json=body, headers=headers, timeout=30)
    response.raise_for_status()
    return response.json()


# --- a correction: one post under the thread, exactly once --------------------------------------------------------

CORRECTION = "Correction: the hearing is on 3 December, not 2 December. https://diff.wikimedia.org/2026/11/30/cafe/"


def _record(pds: PdsAccount, rkey: str) -> dict | None:
    answer = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.getRecord", timeout=30,
                       params={"repo": pds.did, "collection": "app.bsky.feed.post", "rkey": rkey})
    return answer.json() if answer.status_code == 200 else None


@pytest.mark.live
def test_a_correction_replies_under_the_last_post_once_even_when_its_answer_is_lost(
    pds: PdsAccount, pds_proxy: WordPressFaultProxy, bluesky_ledger: Ledger
) -> None:
    slug = update(bluesky_ledger, "corrected")
    draft = thread()
    BlueskyTransport(settings(pds), bluesky_ledger, slug).send(draft)
    records = assert_one_thread(pds, slug, draft)
    pds_proxy.faults = FaultPlan.scripted(hold=8.0).on("POST", CREATE, "after:503", nth=1)
    proxied = BlueskyTransport(settings(pds, pds_proxy.url, timeout_seconds=3.0), bluesky_ledger, slug)
    sent = proxied.reply(CORRECTION, "correction", 1, "en")  # the create answered 503: read back by its key
    key = post_rkey(f"{slug}/correction", 1)
    stored = _record(pds, key)
    assert stored is not None and sent.url.endswith(f"/post/{key}") and pds_proxy.faults.injected == 1
    value = stored["value"]
    assert value["reply"]["root"]["uri"] == records[0]["uri"] and value["reply"]["parent"]["uri"] == records[-1]["uri"]
    link = value["facets"][0]
    assert value["text"].encode()[link["index"]["byteStart"]:link["index"]["byteEnd"]].decode().startswith("diff.")
    assert link["features"][0]["uri"] == "https://diff.wikimedia.org/2026/11/30/cafe/"
    again = BlueskyTransport(settings(pds), bluesky_ledger, slug).reply(CORRECTION, "correction", 1, "en")
    assert "not again" in again.detail and part_states(bluesky_ledger, slug, "correction") == {1: "done"}
    assert BlueskyTransport(settings(pds), bluesky_ledger, slug).delete_post(key, 1001) is True
    assert _record(pds, key) is None
