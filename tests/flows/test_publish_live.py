"""`herald publish` against a real WordPress, a real SMTP server and contract fakes of Medium and X."""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from smtp_server import free_port
from typer.testing import CliRunner
from world import LiveServices as Services
from world import live_services

from channels.registry import load_update
from herald.cli import app

pytestmark = [pytest.mark.flow, pytest.mark.live]
EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"
OTHER = "content/updates/2026-10-22-global-digital-compact.md"
SLUG = "what-we-told-the-european-commission-about-copyright-and-ai-training"
OTHER_SLUG = "three-things-the-global-digital-compact-review-should-protect"


@pytest.fixture
def services(workdir, wordpress, smtp_pki, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Live settings for every channel, pointing at the local servers; secrets only in the environment."""
    with live_services(workdir, wordpress, smtp_pki, monkeypatch) as live:
        yield live


def _publish(path: str):
    return CliRunner().invoke(app, ["publish", path], catch_exceptions=False)


def _nothing_sent(services: Services, slug: str) -> bool:
    return (services.wordpress.total("posts", slug=slug, status="any") == 0 and not services.medium.posts
            and not services.x.tweets and not services.smtp.mailbox.envelopes)


def test_live_publish_creates_one_of_each_linking_the_real_diff_url_and_a_rerun_creates_nothing(
    services, monkeypatch: pytest.MonkeyPatch
):
    started = datetime.now(UTC).replace(microsecond=0)
    result = _publish(EXAMPLE)
    assert result.exit_code == 0, result.output

    posts = services.wordpress.get("posts", slug=SLUG, status="any", context="edit").json()
    assert len(posts) == 1
    diff_url = posts[0]["link"]
    assert diff_url.startswith(services.wordpress.base_url)

    assert len(services.medium.posts) == 1
    assert services.medium.posts[0]["canonicalUrl"] == diff_url

    tweets = services.x.tweets
    assert len(tweets) >= 2
    assert [t.in_reply_to for t in tweets] == [None, *(t.id for t in tweets[:-1])]
    assert any(diff_url in t.text for t in tweets)

    assert len(services.smtp.mailbox.envelopes) == 1
    envelope = services.smtp.mailbox.envelopes[0]
    assert envelope.rcpt_tos == ["news@lists.example.org"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert diff_url in message.get_body(("plain",)).get_content()
    assert parsedate_to_datetime(message["Date"]) >= started  # dated when sent, not on the update's date

    counts = (len(services.medium.posts), len(tweets), len(services.smtp.mailbox.envelopes))
    again = _publish(EXAMPLE)
    assert again.exit_code == 0, again.output
    assert again.output.count("already_published") == 4
    assert services.wordpress.total("posts", slug=SLUG, status="any") == 1
    assert (len(services.medium.posts), len(services.x.tweets), len(services.smtp.mailbox.envelopes)) == counts

    monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", "revoked since")  # nothing left to send: no pre-flight
    done = _publish(EXAMPLE)
    assert done.exit_code == 0 and done.output.count("already_published") == 4, done.output

    status = CliRunner().invoke(app, ["status", EXAMPLE])
    assert status.output.count("published") == 4 and diff_url in status.output


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("HERALD_DIFF__APP_PASSWORD", "wrong wrong wrong wrong", "diff: WordPress rejected the credentials"),
        ("HERALD_MEDIUM__TOKEN", "not-the-token", "medium: the integration token was rejected"),
        ("HERALD_TWITTER__DAILY_POST_QUOTA", "1", "over the daily post quota of 1"),
        ("HERALD_EMAIL__PASSWORD", "not-the-password", "email: the SMTP server refused the login"),
    ],
)
def test_a_preflight_failure_sends_nothing(services, monkeypatch, variable, value, complaint):
    monkeypatch.setenv(variable, value)
    result = _publish(OTHER)
    assert result.exit_code == 1, result.output
    assert complaint in " ".join(result.output.split())
    assert value not in result.output or variable.endswith("QUOTA")
    assert _nothing_sent(services, OTHER_SLUG)


def test_unreachable_services_fail_preflight_one_line_each_without_a_traceback(services, monkeypatch):
    closed = [free_port(), free_port()]
    monkeypatch.setenv("HERALD_MEDIUM__API_BASE", f"http://127.0.0.1:{closed[0]}/v1")
    monkeypatch.setenv("HERALD_TWITTER__API_BASE", f"http://127.0.0.1:{closed[1]}")
    result = _publish(OTHER)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("pre-flight failed")]
    assert lines == [
        f"pre-flight failed: medium: cannot reach 127.0.0.1:{closed[0]} (connection refused); nothing was sent",
        f"pre-flight failed: twitter: cannot reach 127.0.0.1:{closed[1]} (connection refused); nothing was sent",
    ]
    assert "Traceback" not in result.output
    assert _nothing_sent(services, OTHER_SLUG)


def test_x_receives_exactly_the_previewed_thread_with_the_real_diff_url(services, workdir):
    preview = CliRunner().invoke(app, ["preview", OTHER, "--out", "preview"])
    assert preview.exit_code == 0, preview.output
    assert _publish(OTHER).exit_code == 0
    real_url = services.wordpress.get("posts", slug=OTHER_SLUG, status="any").json()[0]["link"]
    previewed = json.loads((workdir / "preview" / "thread.json").read_text(encoding="utf-8"))
    planned_url = next(word for word in " ".join(previewed).split() if OTHER_SLUG in word)
    assert [t.text for t in services.x.tweets] == [tweet.replace(planned_url, real_url) for tweet in previewed]


def test_x_tweet_1_carries_the_diff_link_and_the_image_with_its_alt_text_uploaded_once(services, workdir):
    assert _publish(EXAMPLE).exit_code == 0
    diff_url = services.wordpress.get("posts", slug=SLUG, status="any").json()[0]["link"]
    first, *rest = services.x.thread(services.x.tweets[0].id)
    assert first.text.split("\n\n")[-1].split()[0] == diff_url  # the hook, then the link, then " 1/n"
    assert all(diff_url not in tweet.text for tweet in rest[:-1])
    assert diff_url not in rest[-1].text or f"Read the full post: {diff_url}" in rest[-1].text  # a condensed close
    (media,) = services.x.media_of(first)
    image = workdir / "content" / "images" / "eu-parliament-plenary.png"
    assert media.data == image.read_bytes()
    assert media.alt_text == "A plenary session of the European Parliament in Strasbourg, seen from the public gallery."
    assert all(tweet.media_ids == () for tweet in rest)

    assert _publish(EXAMPLE).exit_code == 0  # a rerun uploads nothing and posts nothing
    assert list(services.x.media) == [media.id] and len(services.x.tweets) == len(rest) + 1


AMICUS = "content/updates/amicus.md"


def _paragraphs(html: str) -> list[str]:
    return re.findall(r"<p[ >].*?</p>", html, flags=re.S)


def test_a_post_with_a_body_image_reads_back_from_wordpress_as_written(services, workdir):
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    shutil.copy(fixtures / "updates" / "amicus.md", workdir / AMICUS)
    for name in ("courtroom.png", "supreme-court.png"):
        shutil.copy(fixtures / "images" / name, workdir / "content" / "images" / name)
    update = load_update(workdir / AMICUS, workdir / "content")
    [image] = update.images

    result = _publish(AMICUS)
    assert result.exit_code == 0, result.output

    [post] = services.wordpress.get("posts", slug=update.slug, context="view").json()
    [media] = services.wordpress.get("media", slug=image.media_name.removesuffix(".png"), context="edit").json()
    assert media["alt_text"] == image.alt
    featured = services.wordpress.get(f"media/{post['featured_media']}", context="edit").json()
    assert featured["alt_text"] == update.image_alt
    shown = post["content"]["rendered"]
    assert "<br" not in shown  # wpautop found no line break inside a paragraph: the source has none
    assert '<p class="byline">By Jacob Rogers and Global Advocacy team</p>' in shown
    assert f'src="{media["source_url"]}"' in shown and f'alt="{image.alt}"' in shown
    paragraphs = _paragraphs(shown)
    assert any("Wikipedia is not a typical platform." in p and "before it appears." in p for p in paragraphs)

    [sent] = [json.loads(call.body) for call in services.medium.requests if call.method == "POST"]
    assert f'src="{media["source_url"]}"' in sent["content"]
    message = email.message_from_bytes(services.smtp.mailbox.envelopes[0].original_content,
                                       policy=email.policy.default)
    assert f'src="{media["source_url"]}"' in message.get_body(("html",)).get_content()
    assert image.alt in " ".join(message.get_body(("plain",)).get_content().split())

    assert _publish(AMICUS).exit_code == 0
    assert services.wordpress.total("media", slug=image.media_name.removesuffix(".png")) == 1
    assert services.wordpress.total("posts", slug=update.slug, status="any") == 1
