"""An update's life against the real WordPress, a real SMTP server and the contract fakes of Medium and X."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import FaultPlan
from typer.testing import CliRunner
from world import LiveServices as Services
from world import live_services

from herald.cli import app

pytestmark = [pytest.mark.flow, pytest.mark.live]
BODY = ("We met the committee on Tuesday and explained how volunteers write Wikipedia.\n\n"
        "The hearing closes on 30 November; we will publish our written answer then.\n")


@pytest.fixture
def services(workdir, wordpress, smtp_pki, prefect_engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Live settings for every channel, pointing at the local servers; secrets only in the environment."""
    with live_services(workdir, wordpress, smtp_pki, monkeypatch, x_faults=FaultPlan.scripted()) as live:
        yield live


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _update(workdir: Path, slug: str, front: str = "", body: str = BODY) -> Path:
    path = workdir / "content" / "updates" / f"{slug}.md"
    path.write_text(f"---\ntitle: \"Update {slug}\"\nslug: {slug}\ndate: 2026-11-20\n"
                    f"summary: What we told the committee.\ntags: [hearings]\n{front}---\n{body}", encoding="utf-8")
    return path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _posts(services: Services, slug: str) -> list[dict]:
    return services.wordpress.get("posts", slug=slug, status="any", context="edit").json()


def test_an_unknown_category_is_refused_with_a_suggestion_and_new_tags_are_named(services, workdir):
    path = _update(workdir, "lc-terms", "diff: {categories: [Advocasy]}\n")
    refused = _run("publish", str(path))
    assert refused.exit_code == 1, refused.output
    line = " ".join(refused.output.split())
    assert "pre-flight failed:" in line and "nothing was sent" in line and "'Advocasy' is not a category" in line
    assert "did you mean 'Advocacy'?" in line
    assert _posts(services, "lc-terms") == [] and not services.x.tweets and not services.smtp.mailbox.envelopes

    dry = _run("publish", str(path), "--dry-run")
    assert dry.exit_code == 1 and "did you mean 'Advocacy'?" in " ".join(dry.output.split())

    _edit(path, "Advocasy", "Advocacy")
    _edit(path, "tags: [hearings]", "tags: [hearings, brand-new-tag-lc]")
    dry = _run("publish", str(path), "--dry-run")
    assert dry.exit_code == 0 and "new tag 'brand-new-tag-lc'" in dry.output, dry.output
    preview = _run("preview", str(path), "--out", "preview")
    assert "new tag 'brand-new-tag-lc'" in preview.output, preview.output
    published = _run("publish", str(path))
    assert published.exit_code == 0, published.output
    assert "new tag 'brand-new-tag-lc'" in published.output


def test_a_scheduled_update_goes_to_wordpress_as_future_and_the_rest_only_after_publish_at(services, workdir):
    # WordPress publishes at once a `future` post less than a minute ahead: this one is just over a minute ahead.
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=70)).replace(microsecond=0)
    path = _update(workdir, "lc-scheduled", f"publish_at: {at.isoformat()}\n")
    first = _run("publish", str(path))
    assert first.exit_code == 0, first.output
    assert first.output.count("scheduled") >= 4
    [post] = _posts(services, "lc-scheduled")
    assert post["status"] == "future" and post["date_gmt"] == at.strftime("%Y-%m-%dT%H:%M:%S")
    assert not services.x.tweets and not services.medium.posts and not services.smtp.mailbox.envelopes

    early = _run("publish", str(path))
    assert early.exit_code == 0 and not services.x.tweets and not services.smtp.mailbox.envelopes, early.output
    time.sleep(max(0.0, (at - dt.datetime.now(dt.UTC)).total_seconds()) + 1)

    due = _run("publish", str(path))
    assert due.exit_code == 0, due.output
    [post] = _posts(services, "lc-scheduled")
    assert post["status"] == "publish"
    assert len(services.medium.posts) == 1 and services.medium.posts[0]["canonicalUrl"] == post["link"]
    assert any(post["link"] in tweet.text for tweet in services.x.tweets)
    assert len(services.smtp.mailbox.envelopes) == 1


def test_a_correction_edits_the_post_in_place_and_replies_and_mails_only_with_correction_text(services, workdir):
    path = _update(workdir, "lc-correct")
    assert _run("publish", str(path)).exit_code == 0
    [before] = _posts(services, "lc-correct")
    tweets, mails = len(services.x.tweets), len(services.smtp.mailbox.envelopes)

    _edit(path, "30 November", "30 December")
    refused = _run("publish", str(path))
    assert refused.exit_code == 1
    assert "[-November;-]{+December;+}" in refused.output or "[-November-]{+December+}" in refused.output
    quiet = _run("publish", str(path), "--correct")
    assert quiet.exit_code == 1, quiet.output  # Medium: a person pastes the corrected article
    [after] = _posts(services, "lc-correct")
    assert (after["id"], after["slug"], after["link"]) == (before["id"], before["slug"], before["link"])
    assert "30 December" in after["content"]["raw"]
    assert services.wordpress.get(f"posts/{after['id']}/revisions").json()
    assert (len(services.x.tweets), len(services.smtp.mailbox.envelopes)) == (tweets, mails)
    assert len(services.medium.posts) == 1 and "medium-correction-1.html" in quiet.output

    _edit(path, "30 December", "31 December")
    _edit(path, "tags:", 'correction: "The hearing closes on 31 December, not 30 November."\ntags:')
    services.x_faults.on("POST", "/2/tweets", "after:drop", nth=1)  # the reply goes out, its answer is lost
    lost = _run("publish", str(path), "--correct", "--channels", "diff,twitter,email")
    assert lost.exit_code == 1, lost.output
    resumed = _run("publish", str(path), "--correct", "--channels", "diff,twitter,email")
    assert resumed.exit_code == 0, resumed.output

    replies = services.x.tweets[tweets:]
    assert len(replies) == 1 and replies[0].in_reply_to == services.x.tweets[tweets - 1].id
    assert replies[0].text.startswith("Correction: The hearing closes on 31 December")
    notices = services.messages()[mails:]
    assert len(notices) == 1 and notices[0]["Subject"].startswith("Correction: ")
    assert "31 December" in notices[0].get_content() and after["link"] in notices[0].get_content()
    status = _run("status", str(path))
    assert "correction 2" in status.output and "edited in place on WordPress 2 times" in status.output


def test_a_retraction_trashes_the_post_and_deletes_every_tweet_resuming_after_a_lost_answer(services, workdir):
    path = _update(workdir, "lc-retract")
    assert _run("publish", str(path)).exit_code == 0
    [post] = _posts(services, "lc-retract")
    thread = [tweet.id for tweet in services.x.tweets]
    assert len(thread) >= 1

    services.x_faults.on("DELETE", None, "after:drop", nth=1)
    first = _run("retract", str(path), "--yes", "--reason", "Published before the hearing closed.")
    assert first.exit_code == 1, first.output
    again = _run("retract", str(path), "--yes", "--reason", "Published before the hearing closed.",
                 "--channels", "twitter,email")
    assert again.exit_code == 0, again.output

    assert services.wordpress.get(f"posts/{post['id']}", context="edit").json()["status"] == "trash"
    assert services.x.tweets == [] and sorted(tweet.id for tweet in services.x.deleted) == sorted(thread)
    notices = [message for message in services.messages() if message["Subject"].startswith("Retracted: ")]
    assert len(notices) == 1 and "Published before the hearing closed." in notices[0].get_content()
    assert "medium" in first.output and "--by-hand" in first.output


def test_unschedule_takes_the_future_post_back_to_draft_and_a_publish_schedules_it_again(services, workdir):
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).replace(microsecond=0)
    path = _update(workdir, "lc-unschedule", f"publish_at: {at.isoformat()}\n")
    assert _run("publish", str(path)).exit_code == 0
    [post] = _posts(services, "lc-unschedule")
    assert post["status"] == "future"

    taken_back = _run("unschedule", str(path))
    assert taken_back.exit_code == 0, taken_back.output
    assert _posts(services, "lc-unschedule")[0]["status"] == "draft"
    assert "nothing was sent" in taken_back.output
    assert _run("unschedule", str(path)).exit_code == 1  # nothing is scheduled any more

    again = _run("publish", str(path))
    assert again.exit_code == 0, again.output
    [post_again] = _posts(services, "lc-unschedule")
    assert (post_again["id"], post_again["status"]) == (post["id"], "future")
    assert not services.x.tweets and not services.smtp.mailbox.envelopes


def test_a_killed_correction_and_a_killed_retraction_finish_on_the_next_run_without_duplicates(services, workdir):
    thread = 'twitter: {thread: ["One: the hearing.", "Two: our answer.", "Three: what comes next.", "Four."]}\n'
    path = _update(workdir, "lc-killed", thread)
    assert _run("publish", str(path)).exit_code == 0
    assert len(services.x.tweets) == 4
    last = services.x.tweets[-1].id

    _edit(path, '"Four."', '"Four: we answer in December."')
    _edit(path, "tags:", 'correction: "We answer in December, not November."\ntags:')
    posts = sum(request.method == "POST" for request in services.x.requests)
    services.killed_after(workdir, ["publish", str(path), "--correct", "--channels", "twitter"], "POST", posts + 1)
    resumed = _run("publish", str(path), "--correct", "--channels", "twitter")
    assert resumed.exit_code == 0, resumed.output
    replies = [tweet for tweet in services.x.tweets if tweet.in_reply_to == last]
    assert len(replies) == 1 and replies[0].text.startswith("Correction: We answer in December")
    assert len(services.x.tweets) == 5

    services.killed_after(workdir, ["retract", str(path), "--yes", "--channels", "twitter"], "DELETE", 2)
    assert services.x.tweets, "the kill came before the retraction finished"
    finished = _run("retract", str(path), "--yes", "--channels", "twitter")
    assert finished.exit_code == 0, finished.output
    assert services.x.tweets == [] and len(services.x.deleted) == 5


def test_an_update_with_images_is_not_taken_as_changed_and_its_correction_keeps_the_uploaded_images(
    services, workdir
):
    body = BODY + "\n![The plenary hall](../images/eu-parliament-plenary.png)\n"
    front = "image: ../images/eu-parliament-plenary.png\nimage_alt: The plenary hall.\n"
    path = _update(workdir, "lc-images", front, body)
    assert _run("publish", str(path)).exit_code == 0
    [before] = _posts(services, "lc-images")
    again = _run("publish", str(path))
    assert again.exit_code == 0 and again.output.count("already_published") == 4, again.output

    _edit(path, "30 November", "30 December")
    assert _run("publish", str(path), "--correct", "--channels", "diff").exit_code == 0
    [after] = _posts(services, "lc-images")
    sources = [word for word in after["content"]["raw"].split('"') if "/wp-content/uploads/" in word]
    assert sources and sources == [word for word in before["content"]["raw"].split('"')
                                   if "/wp-content/uploads/" in word]
    assert after["featured_media"] == before["featured_media"] and "30 December" in after["content"]["raw"]
