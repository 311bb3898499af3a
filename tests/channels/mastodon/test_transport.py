"""channels.mastodon.transport: a thread through the real Mastodon.py client against the contract fake, every fault."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from faults import FaultPlan
from mastodon import Mastodon
from mastodon_api import FakeMastodon
from pydantic import SecretStr

from channels.mastodon.draft import MastodonDraft
from channels.mastodon.settings import MastodonSettings
from channels.mastodon.transport import (
    MastodonTransport,
    comparable,
    content_hash,
    idempotency_key,
    plain_text,
    status_id,
)
from herald.core.ledger import Ledger
from herald.core.transport import Ambiguous, NeedsAttention, PreflightError, TransientError, TransportError
from herald.pipeline.resolve import resolve

pytestmark = pytest.mark.live

SLUG = "eu-copyright-consultation"
TOKEN = "mastodon-transport-token-41c9"
IMAGE = Path(__file__).resolve().parents[2] / "fixtures" / "images" / "consultation-cover.png"
ALT = "The cover of our response to the European Commission's consultation."
DIFF_URL = "https://diff.wikimedia.org/2026/10/08/what-we-told-the-european-commission-about-copyright-and-ai/"
THREAD = (
    f"What we told the European Commission about copyright and AI training. 1/3\n\n{DIFF_URL}",
    "Text and data mining exceptions should cover research & public-interest archives. 2/3",
    "Read the full response, with our recommendations, on #Diff. 3/3",
)
HOLD = 4.0  # a timeout fault holds the connection this long; the transport gives up after TIMEOUT
TIMEOUT = 2.0  # long enough for a loaded machine to answer, short enough for the timeout faults


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = Ledger.at(tmp_path / "herald.db")
    ledger.record_update(SLUG, "update.md", "What we told the European Commission", date(2026, 10, 8))
    yield ledger
    ledger.close()


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon(TOKEN) as server:
        yield server


def draft(statuses: tuple[str, ...] = THREAD, *, image: bool = True, **fields) -> MastodonDraft:
    values = {"statuses": statuses, "lengths": tuple(len(s) for s in statuses), "visibility": "unlisted",
              "spoiler_text": "EU policy", "language": "en"}
    if image:
        values.update(image="../images/consultation-cover.png", image_alt=ALT, image_file=IMAGE)
    return MastodonDraft(**{**values, **fields})


def settings(api_base: str, **overrides) -> MastodonSettings:
    return MastodonSettings(**{"api_base": api_base, "access_token": SecretStr(TOKEN), "timeout_seconds": TIMEOUT,
                               **overrides})


def transport(fake: FakeMastodon | str, ledger: Ledger, **overrides) -> MastodonTransport:
    made = MastodonTransport(settings(fake if isinstance(fake, str) else fake.url, **overrides), ledger, SLUG)
    made.media_poll_seconds = 0.01
    return made


def states(ledger: Ledger, kind: str = "post") -> list[str]:
    return [part.status for part in ledger.parts(SLUG, "mastodon", kind)]


def posts(fake: FakeMastodon) -> list:
    return fake.calls("POST", "/api/v1/statuses")


def assert_one_thread(fake: FakeMastodon, statuses: tuple[str, ...] = THREAD) -> None:
    """Exactly one status per part, each replying to the one before, the image on status 1 with its alt text."""
    assert [status.text for status in fake.statuses] == list(statuses)
    assert [status.in_reply_to_id for status in fake.statuses] == [None, *(s.id for s in fake.statuses[:-1])]
    assert [m.description for m in fake.media_of(fake.statuses[0])] == [ALT]
    assert all(not status.media_ids for status in fake.statuses[1:])


def test_a_thread_is_posted_as_a_reply_chain_with_its_image_settings_and_one_key_per_status(
        fake: FakeMastodon, ledger: Ledger) -> None:
    receipt = transport(fake, ledger).send(draft())

    assert_one_thread(fake)
    first = fake.statuses[0]
    assert (receipt.status, receipt.remote_id, receipt.url) == ("published", first.id, f"{fake.url}/@"
                                                                f"wikimediapolicy/{first.id}")
    assert [(p["position"], p["status"], p["id"]) for p in receipt.parts] == [
        (n, "posted", status.id) for n, status in enumerate(fake.statuses, 1)]
    assert all((s.visibility, s.spoiler_text, s.language) == ("unlisted", "EU policy", "en") for s in fake.statuses)
    (upload,) = fake.calls("POST", "/api/v2/media")
    assert upload.headers["authorization"] == f"Bearer {TOKEN}" and ALT.encode() in upload.body
    assert fake.media_of(first)[0].data == IMAGE.read_bytes()
    keys = [request.headers["idempotency-key"] for request in posts(fake)]
    previous = [None, first.id, fake.statuses[1].id]
    assert keys == [idempotency_key(SLUG, n, content_hash({
        "status": text, "in_reply_to_id": parent, "visibility": "unlisted", "spoiler_text": "EU policy",
        "language": "en"})) for n, (text, parent) in enumerate(zip(THREAD, previous, strict=True), 1)]
    assert len(set(keys)) == 3
    recorded = ledger.parts(SLUG, "mastodon", "post")
    assert [(p.status, p.remote_id, p.url) for p in recorded] == [
        ("done", s.id, f"{fake.url}/@wikimediapolicy/{s.id}") for s in fake.statuses]
    assert [(p.status, p.remote_id) for p in ledger.parts(SLUG, "mastodon", "media")] == [
        ("done", first.media_ids[0])]

    again = transport(fake, ledger).send(draft())
    assert len(fake.statuses) == 3 and len(posts(fake)) == 3 and again.url == receipt.url
    assert [p["status"] for p in again.parts] == ["already_posted"] * 3 and "0 posted in this publish" in again.detail


def test_the_key_changes_with_the_text_and_is_stable_for_the_same_request() -> None:
    params = {"status": "a", "in_reply_to_id": None, "visibility": "public", "spoiler_text": "", "language": "en"}
    same = idempotency_key(SLUG, 1, content_hash(dict(params)))
    assert same == idempotency_key(SLUG, 1, content_hash(params))
    assert same != idempotency_key(SLUG, 1, content_hash({**params, "status": "b"}))
    assert same != idempotency_key(SLUG, 2, content_hash(params)) != idempotency_key("other", 1, content_hash(params))


def test_content_html_reads_back_as_the_posted_text(fake: FakeMastodon, ledger: Ledger) -> None:
    transport(fake, ledger).send(draft())
    assert [plain_text(status.content) for status in fake.statuses] == list(THREAD)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused_before_sending_is_transient_and_leaves_nothing_unsettled(
        fake: FakeMastodon, ledger: Ledger) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TransientError, match=r"mastodon: cannot reach 127\.0\.0\.1:\d+ \(connection refused\)"):
        transport(closed, ledger).send(draft())
    assert states(ledger, "media") == ["not_sent"] and states(ledger) == []
    with pytest.raises(TransientError, match="connection refused"):
        transport(closed, ledger).send(draft(image=False))
    assert states(ledger) == ["not_sent"]
    with pytest.raises(PreflightError, match="cannot reach"):
        transport(closed, ledger).preflight(draft())

    transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    assert states(ledger) == ["done"] * 3


def test_a_rejected_token_is_refused_at_preflight_and_at_send_with_the_setting_to_fix(ledger: Ledger) -> None:
    with FakeMastodon("another-token") as fake:
        with pytest.raises(PreflightError) as caught:
            transport(fake, ledger).preflight(draft())
        assert str(caught.value) == (f"mastodon: 127.0.0.1:{fake.url.rsplit(':', 1)[1]} rejected the access token "
                                     "(401 on accounts/verify_credentials); check [mastodon] access_token")
        with pytest.raises(TransportError, match=r"rejected the access token at status 1 \(401\)") as sent:
            transport(fake, ledger).send(draft(image=False))
        assert not sent.value.transient and states(ledger) == ["not_sent"] and not fake.statuses
        with pytest.raises(TransportError, match=r"rejected the access token at the image upload \(401\)"):
            transport(fake, ledger).send(draft())


def test_a_422_is_mastodon_s_refusal_in_one_line_and_nothing_is_left_unsettled(ledger: Ledger) -> None:
    with FakeMastodon(TOKEN, max_characters=120) as fake:
        with pytest.raises(TransportError) as caught:
            transport(fake, ledger).send(draft((THREAD[0], "x" * 112, THREAD[2])))  # 112 + "EU policy" is 121
        assert str(caught.value) == ("mastodon: status 2 answered 422: Validation failed: Text character limit of "
                                     "120 exceeded")
        assert not caught.value.transient and "\n" not in str(caught.value)
        assert states(ledger) == ["done", "not_sent"] and len(fake.statuses) == 1


def test_preflight_reads_the_instance_and_names_the_setting_that_is_too_lax(ledger: Ledger) -> None:
    with FakeMastodon(TOKEN) as fake:
        transport(fake, ledger).preflight(draft())
        assert [(r.method, r.path) for r in fake.requests] == [
            ("GET", "/api/v1/accounts/verify_credentials"), ("GET", "/api/v2/instance/")]
    with FakeMastodon(TOKEN, max_characters=400) as fake:
        with pytest.raises(PreflightError) as caught:
            transport(fake, ledger).preflight(draft())
        assert str(caught.value).endswith("allows 400 characters per status but the thread was counted for 500; "
                                          "set [mastodon] max_characters = 400 and publish again")
        transport(fake, ledger, max_characters=400).preflight(draft(limit=400))
        with pytest.raises(PreflightError, match="counted for 450"):
            transport(fake, ledger, max_characters=400).preflight(draft(limit=450))
    with FakeMastodon(TOKEN, url_weight=30) as fake:
        with pytest.raises(PreflightError, match=r"counts each link as 30 characters but the thread was counted "
                                                 r"with 23; set \[mastodon\] url_weight = 30"):
            transport(fake, ledger).preflight(draft())
        transport(fake, ledger, url_weight=30).preflight(draft())
        with pytest.raises(PreflightError, match="alt text of at most 1500 characters"):
            transport(fake, ledger, url_weight=30).preflight(draft(image_alt="a" * 1501))
        with pytest.raises(PreflightError, match=r"3 statuses but \[mastodon\] max_posts is 2"):
            transport(fake, ledger, url_weight=30, max_posts=2).preflight(draft())
        assert not fake.statuses and not fake.media


def test_a_429_is_transient_with_x_ratelimit_reset_and_the_next_attempt_goes_on(
        fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted(retry_after=30).on("POST", "/api/v1/statuses", "before:429", nth=2)
    with pytest.raises(TransientError, match=r"is rate limiting \(status 2 answered 429\)") as caught:
        transport(fake, ledger).send(draft())
    assert 25 <= caught.value.retry_after <= 31
    assert states(ledger) == ["done", "not_sent"] and len(fake.statuses) == 1
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    assert states(ledger) == ["done"] * 3


def test_503_before_applying_is_ambiguous_then_sent_again_with_the_same_key(
        fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "before:503", nth=2)
    with pytest.raises(Ambiguous, match="status 2 answered 503, which does not say whether it was applied") as caught:
        transport(fake, ledger).send(draft())
    assert caught.value.transient and states(ledger) == ["done", "ambiguous"] and len(fake.statuses) == 1
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    second = [r for r in posts(fake) if r.body.find(b"2%2F3") >= 0]
    assert len(second) == 2 and second[0].headers["idempotency-key"] == second[1].headers["idempotency-key"]
    assert len(fake.calls("GET", f"/api/v1/accounts/{fake.account['id']}/statuses")) == 1  # looked up first
    assert states(ledger) == ["done"] * 3


@pytest.mark.parametrize("fault", ["after:503", "after:timeout", "after:reset", "after:drop"])
def test_an_applied_status_whose_answer_was_lost_is_found_and_never_posted_again(
        fault: str, fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted(hold=HOLD).on("POST", "/api/v1/statuses", fault, nth=2)
    with pytest.raises(Ambiguous, match="outcome unknown") as caught:
        transport(fake, ledger).send(draft())
    assert caught.value.transient and "\n" not in str(caught.value)
    assert states(ledger) == ["done", "ambiguous"] and len(fake.statuses) == 2  # applied
    receipt = transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    assert len(posts(fake)) == 3  # status 2 was found by the look-up, not sent again
    assert [p["status"] for p in receipt.parts] == ["already_posted", "already_posted", "posted"]
    assert receipt.parts[1]["id"] == fake.statuses[1].id and states(ledger) == ["done"] * 3


def test_a_reset_before_applying_is_ambiguous_and_the_rerun_posts_it_once(fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "before:reset", nth=1)
    with pytest.raises(Ambiguous, match="connection reset after status 1 was sent"):
        transport(fake, ledger).send(draft())
    assert states(ledger) == ["ambiguous"] and not fake.statuses
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)


def test_a_duplicate_request_with_the_same_key_gets_the_first_status_back(fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "after:503", nth=3)
    with pytest.raises(Ambiguous):
        transport(fake, ledger).send(draft())
    assert len(fake.statuses) == 3
    # The look-up misses it (say the account posted 40 statuses since): the same key brings the same status back.
    fake.fail_once("GET", f"/api/v1/accounts/{fake.account['id']}/statuses", 200, [])
    receipt = transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    last = posts(fake)[-2:]
    assert last[0].body == last[1].body and last[0].headers["idempotency-key"] == last[1].headers["idempotency-key"]
    assert receipt.parts[2] == {"position": 3, "status": "posted", "id": fake.statuses[2].id,
                                "url": f"{fake.url}/@wikimediapolicy/{fake.statuses[2].id}", "changed": False}


def test_past_the_key_s_hour_the_look_up_alone_keeps_a_status_single(fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "after:drop", nth=1)
    with pytest.raises(Ambiguous):
        transport(fake, ledger).send(draft())
    fake.advance(2 * 3600)
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    assert len(posts(fake)) == 3


def test_a_process_killed_mid_write_leaves_an_intended_part_that_is_looked_up(
        fake: FakeMastodon, ledger: Ledger) -> None:
    transport(fake, ledger).send(draft(THREAD[:2]))
    ledger.mark_part_intended(SLUG, "mastodon", "post", 3, "whatever was being sent")
    fake.advance(2 * 3600)
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    ledger.mark_part_intended(SLUG, "mastodon", "post", 4, "killed before the request left")
    transport(fake, ledger).send(draft((*THREAD, "A fourth status.")))
    assert_one_thread(fake, (*THREAD, "A fourth status."))


@pytest.mark.parametrize(("fault", "raised", "left"), [
    ("before:refuse", Ambiguous, "ambiguous"), ("before:429", TransientError, "not_sent"),
    ("before:400", TransportError, "not_sent"), ("before:401", TransportError, "not_sent"),
    ("before:403", TransportError, "not_sent"), ("before:404", TransportError, "not_sent"),
    ("before:500", Ambiguous, "ambiguous"), ("before:502", Ambiguous, "ambiguous"),
    ("before:504", Ambiguous, "ambiguous"), ("before:drop", Ambiguous, "ambiguous"),
    ("before:timeout", Ambiguous, "ambiguous"), ("after:500", Ambiguous, "ambiguous"),
    ("after:502", Ambiguous, "ambiguous"), ("after:504", Ambiguous, "ambiguous"),
])
@pytest.mark.parametrize("position", [1, 3])
def test_every_fault_shape_at_a_status_ends_in_exactly_one_thread(
        fault: str, raised: type, left: str, position: int, fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted(hold=HOLD, retry_after=5).on("POST", "/api/v1/statuses", fault, nth=position)
    with pytest.raises(TransportError) as caught:
        transport(fake, ledger).send(draft())
    assert type(caught.value) is raised and str(caught.value).startswith("mastodon: ")
    assert states(ledger) == ["done"] * (position - 1) + [left]
    receipt = transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    assert receipt.remote_id == fake.statuses[0].id and states(ledger) == ["done"] * 3


@pytest.mark.parametrize("fault", ["before:refuse", "before:429", "before:timeout", "after:503", "after:drop",
                                   "after:reset", "after:timeout"])
def test_an_image_upload_that_may_have_failed_is_simply_uploaded_again(
        fault: str, fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted(hold=HOLD, retry_after=5).on("POST", "/api/v2/media", fault, nth=1)
    with pytest.raises(TransientError, match="the image upload|cannot reach") as caught:
        transport(fake, ledger).send(draft())
    if fault.split(":")[1] in ("drop", "reset", "timeout"):
        assert str(caught.value).endswith("the next attempt uploads it again")
    assert states(ledger, "media") == ["not_sent"] and states(ledger) == [] and not fake.statuses
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    assert len(fake.media) == (2 if fault.startswith("after") else 1)  # an unattached upload is never shown
    assert states(ledger, "media") == ["done"]


def test_an_image_mastodon_is_still_processing_is_waited_for(ledger: Ledger) -> None:
    with FakeMastodon(TOKEN, processing_polls=3) as fake:
        transport(fake, ledger).send(draft())
        assert_one_thread(fake)
        (media_id,) = fake.statuses[0].media_ids
        assert len(fake.calls("GET", f"/api/v1/media/{media_id}")) == 4  # 206, 206, 206, then 200


def test_an_image_still_processing_after_the_wait_is_retried_later(ledger: Ledger) -> None:
    with FakeMastodon(TOKEN, processing_polls=1000) as fake:
        slow = transport(fake, ledger)
        slow.media_wait_seconds = 0.05
        with pytest.raises(TransientError, match="is still processing the image after 0 s; publish again"):
            slow.send(draft())
        assert states(ledger, "media") == ["not_sent"] and states(ledger) == [] and not fake.statuses


def test_an_upload_mastodon_no_longer_has_is_made_again_once(fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "before:429", nth=1)
    with pytest.raises(TransientError):
        transport(fake, ledger).send(draft())
    fake.media.clear()  # Mastodon removed the unattached upload
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)
    assert [(p.position, p.status) for p in ledger.parts(SLUG, "mastodon", "media")] == [(1, "done"), (2, "done")]


def test_an_unsettled_status_1_whose_image_is_taken_needs_a_person(fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "after:drop", nth=1)
    with pytest.raises(Ambiguous):
        transport(fake, ledger).send(draft())
    fake.advance(2 * 3600)  # the key is forgotten, and the look-up cannot see the status
    fake.fail_once("GET", f"/api/v1/accounts/{fake.account['id']}/statuses", 200, [])
    with pytest.raises(NeedsAttention) as caught:
        transport(fake, ledger).send(draft())
    assert "status 1 may already be on the account" in str(caught.value)
    assert f"herald resolve {SLUG} mastodon --sent URL" in str(caught.value)
    assert len(fake.statuses) == 1 and states(ledger) == ["ambiguous"]  # still for a person to settle

    pasted = f"{fake.url}/@wikimediapolicy/{fake.statuses[0].id}?ref=copied"  # a person found it, copied its URL
    resolve(ledger, SLUG, "mastodon", pasted)
    transport(fake, ledger).send(draft())
    assert_one_thread(fake)  # statuses 2 and 3 reply to the id in that URL


def test_a_changed_text_is_a_new_key_and_posted_statuses_are_reported_changed(
        fake: FakeMastodon, ledger: Ledger) -> None:
    transport(fake, ledger).send(draft(THREAD[:2]))
    edited = (THREAD[0], THREAD[1] + " (corrected)", THREAD[2])
    receipt = transport(fake, ledger).send(draft(edited))
    assert [s.text for s in fake.statuses] == list(THREAD)  # status 2 stays as posted; 3 replies to it
    assert "statuses 2 were posted earlier with different text" in receipt.detail
    assert fake.statuses[2].in_reply_to_id == fake.statuses[1].id


def test_delete_status_deletes_once_and_a_status_already_gone_is_fine(fake: FakeMastodon, ledger: Ledger) -> None:
    receipt = transport(fake, ledger).send(draft())
    ids = [part["id"] for part in receipt.parts]
    retract = transport(fake, ledger)
    assert [retract.delete_status(status_id, n) for n, status_id in enumerate(reversed(ids), 1)] == [True] * 3
    assert not fake.statuses and [s.id for s in fake.deleted] == list(reversed(ids))
    assert retract.delete_status(ids[0], 3) is False  # the ledger part is done: not asked again
    assert retract.delete_status(ids[0]) is False  # 404: gone already
    assert states(ledger, "delete") == ["done"] * 3


def test_a_delete_whose_answer_was_lost_is_ambiguous_and_the_rerun_settles_it(
        fake: FakeMastodon, ledger: Ledger) -> None:
    receipt = transport(fake, ledger).send(draft(image=False))
    fake.faults = FaultPlan(0.0, seed=0, methods=("POST", "DELETE")).on("DELETE", "/api/v1/statuses/*", "after:503")
    with pytest.raises(Ambiguous, match="running the retraction again deletes it"):
        transport(fake, ledger).delete_status(receipt.remote_id, 1)
    assert states(ledger, "delete") == ["ambiguous"]
    fake.faults = None
    assert transport(fake, ledger).delete_status(receipt.remote_id, 1) is False
    assert states(ledger, "delete") == ["done"] and len(fake.statuses) == 2


def test_an_empty_thread_and_a_missing_token_are_one_line_errors(fake: FakeMastodon, ledger: Ledger) -> None:
    with pytest.raises(TransportError, match="the thread has no statuses"):
        transport(fake, ledger).send(draft(()))
    bare = MastodonTransport(MastodonSettings(api_base=fake.url), ledger, SLUG)
    with pytest.raises(PreflightError, match=r"no access token; set \[mastodon\] access_token"):
        bare.preflight(draft())
    assert TOKEN not in repr(settings(fake.url)) and not fake.requests


def test_matching_reads_mastodon_s_html_as_the_draft_s_text() -> None:
    content = ('<p>Hi <span class="h-card" translate="no"><a href="https://m.example/@bob" class="u-url mention">'
               '@<span>bob</span></a></span> &amp; all:<br />see <a href="https://x.org/a"><span class="invisible">'
               'https://</span><span class="">x.org/a</span><span class="invisible"></span></a></p><p>Bye</p>')
    assert plain_text(content) == "Hi @bob & all:\nsee https://x.org/a\n\nBye"
    assert comparable(plain_text(content)) == comparable("Hi @bob@m.example & all:\nsee https://x.org/a\n\nBye")


def test_under_a_seeded_share_of_every_fault_each_publish_ends_in_exactly_one_thread(tmp_path: Path) -> None:
    plan = FaultPlan(0.35, seed=15, methods=("POST",), hold=0.5, retry_after=1,
                     before=("refuse", "drop", "reset", "timeout", "400", "429", "500", "502", "503", "504"),
                     after=("drop", "reset", "timeout", "500", "502", "503", "504"))
    ledger = Ledger.at(tmp_path / "random.db")
    with FakeMastodon(TOKEN, faults=plan) as fake:
        threads = {}
        for number in range(5):
            slug = f"update-{number}"
            ledger.record_update(slug, f"{slug}.md", slug, date(2026, 10, 8))
            statuses = tuple(f"{text} ({slug})" for text in THREAD)
            for _ in range(30):
                sender = MastodonTransport(settings(fake.url), ledger, slug)
                try:
                    threads[slug] = sender.send(draft(statuses))
                    break
                except (TransientError, Ambiguous, TransportError) as error:
                    assert not isinstance(error, NeedsAttention), error
            assert slug in threads, f"{slug} never finished"
            chain = fake.thread(threads[slug].remote_id)
            assert [status.text for status in chain] == list(statuses)
            assert [m.description for m in fake.media_of(chain[0])] == [ALT]
        assert plan.counts["before"] >= 3 and plan.counts["after"] >= 3, plan.summary()
        assert set(fake.texts().values()) == {1} and len(fake.statuses) == 5 * len(THREAD)
        assert sum(bool(status.media_ids) for status in fake.statuses) == 5
    ledger.close()


def test_a_status_buried_under_a_page_of_newer_ones_is_found_from_when_it_was_sent(
        fake: FakeMastodon, ledger: Ledger) -> None:
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "after:drop", nth=2)
    with pytest.raises(Ambiguous):
        transport(fake, ledger).send(draft())
    fake.faults = None
    fake.advance(2 * 3600)  # the key is forgotten; then the account posts 45 other statuses
    other = Mastodon(access_token=TOKEN, api_base_url=fake.url, ratelimit_method="throw")
    for number in range(45):
        other.status_post(f"Something else, {number}.")
    transport(fake, ledger).send(draft())
    ours = [status for status in fake.statuses if status.text in THREAD]
    assert [status.text for status in ours] == list(THREAD) and len(posts(fake)) == 2 + 45 + 1
    assert [s.in_reply_to_id for s in ours] == [None, ours[0].id, ours[1].id]
    lookups = fake.calls("GET", f"/api/v1/accounts/{fake.account['id']}/statuses")
    assert [("min_id" in r.query, r.query["limit"]) for r in lookups] == [(False, "40"), (True, "40")]
    assert int(lookups[1].query["min_id"]) < int(ours[1].id)


# A correction: one status under the thread, exactly once.
CORRECTION = "Correction: the consultation closes on 31 December, not 30 November. https://diff.wikimedia.org/p/1/"


def test_a_correction_replies_to_the_last_status_with_the_thread_s_visibility_and_warning_once(
    fake: FakeMastodon, ledger: Ledger
) -> None:
    thread = draft()
    transport(fake, ledger).send(thread)
    last = fake.statuses[-1].id
    sent = transport(fake, ledger).reply(CORRECTION, last, "correction", 1, thread)
    reply = fake.statuses[-1]
    assert len(fake.statuses) == 4 and reply.in_reply_to_id == last and sent.remote_id == reply.id
    assert (reply.visibility, reply.spoiler_text) == ("unlisted", "EU policy")
    again = transport(fake, ledger).reply(CORRECTION, last, "correction", 1, thread)
    assert len(fake.statuses) == 4 and "not again" in again.detail
    second = transport(fake, ledger).reply(CORRECTION.replace("31", "15"), last, "correction", 2, thread)
    assert len(fake.statuses) == 5 and second.remote_id == fake.statuses[-1].id


def test_a_correction_stored_but_answered_503_is_found_and_not_posted_again(
    fake: FakeMastodon, ledger: Ledger
) -> None:
    thread = draft(image=False)
    transport(fake, ledger).send(thread)
    last = fake.statuses[-1].id
    fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "after:503", nth=1)
    with pytest.raises(Ambiguous):
        transport(fake, ledger).reply(CORRECTION, last, "correction", 1, thread)
    assert len(fake.statuses) == 4
    fake.faults = None
    sent = transport(fake, ledger).reply(CORRECTION, last, "correction", 1, thread)
    assert len(fake.statuses) == 4 and sent.remote_id == fake.statuses[-1].id
    part = ledger.part("eu-copyright-consultation", "mastodon", "correction", 1)
    assert part is not None and part.status == "done" and status_id(part) == fake.statuses[-1].id


def test_a_status_deleted_by_hand_mid_thread_needs_a_person_whose_resolve_posts_it_again(
    fake: FakeMastodon, ledger: Ledger
) -> None:
    thread = draft(image=False)
    with pytest.raises(TransportError):  # status 3 refused: the thread stops after status 2
        fake.faults = FaultPlan.scripted().on("POST", "/api/v1/statuses", "before:400", nth=3)
        transport(fake, ledger).send(thread)
    fake.faults = None
    second = fake.statuses[1]
    fake.statuses.remove(second)  # a person deleted status 2 on the instance
    with pytest.raises(NeedsAttention, match="status 2 was posted .* no longer on") as raised:
        transport(fake, ledger).send(thread)
    assert "--part 2 --not-sent" in str(raised.value) and len(fake.statuses) == 1
    ledger.record_receipt(SLUG, "mastodon", "needs_attention", detail=str(raised.value), transport="live")
    resolve(ledger, SLUG, "mastodon", None, 2)  # what the printed command does
    transport(fake, ledger).send(thread)
    assert [status.text for status in fake.statuses] == list(thread.statuses)
    assert fake.statuses[1].in_reply_to_id == fake.statuses[0].id
    assert fake.statuses[2].in_reply_to_id == fake.statuses[1].id
