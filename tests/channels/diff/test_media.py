"""channels.diff.transport media: each image uploaded exactly once with its alt text, even when a reply is lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import FaultPlan
from pydantic import SecretStr
from update_files import FIXTURES, load
from wordpress_api import FakeWordPress

from channels.diff.render import Diff
from channels.diff.settings import DiffSettings
from channels.diff.transport import WordPressTransport
from content import i18n
from content.body_images import InlineImage
from herald.core.draft import RenderContext
from herald.core.ledger import Ledger
from herald.core.transport import Ambiguous

USER, PASSWORD = "admin", "abcd EFGH ijkl MNOP qrst UVWX"
SLUG = "amicus"
MEDIA_UPLOAD = r"^/wp/v2/media$"  # the upload itself, not the alt-text update on media/<id>


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    made = Ledger.at(tmp_path / "herald.db")
    for slug in (SLUG, "another"):
        made.record_update(slug, f"{slug}.md", slug, dt.date(2026, 11, 12))
    yield made
    made.close()


def transport(fake: FakeWordPress, ledger: Ledger, slug: str = SLUG) -> WordPressTransport:
    settings = DiffSettings(transport="live", base_url=fake.url, username=USER, app_password=SecretStr(PASSWORD),
                            timeout_seconds=5)
    return WordPressTransport(settings, ledger, slug)


def lost_upload_reply() -> FaultPlan:
    """WordPress stores the first upload, then the connection drops before its answer."""
    return FaultPlan(1.0, seed=3, modes=("after",), after=("drop",), paths=[MEDIA_UPLOAD], limit=1)


def body_image() -> InlineImage:
    [image] = load("amicus.md").images
    return image


def test_a_lost_reply_to_a_body_image_upload_leaves_exactly_one_attachment(ledger: Ledger) -> None:
    image = body_image()
    with FakeWordPress(USER, PASSWORD, faults=lost_upload_reply()) as fake:
        with pytest.raises(Ambiguous):
            transport(fake, ledger).upload_images((image,))
        assert len(fake.media) == 1  # stored, but herald never heard back
        [part] = ledger.parts(SLUG, "diff", "image")
        assert part.status == "ambiguous"

        urls = transport(fake, ledger).upload_images((image,))

        [media] = fake.media
        assert len(fake.calls("POST", "/wp-json/wp/v2/media")) == 1  # looked up by slug, not uploaded again
        assert media["slug"] == image.media_name.removesuffix(".png")
        assert media["alt_text"] == image.alt
        assert urls == {image.digest: media["source_url"]}
        [part] = ledger.parts(SLUG, "diff", "image")
        assert (part.status, part.remote_id, part.url) == ("done", str(media["id"]), media["source_url"])


def test_a_lost_reply_to_the_featured_image_upload_leaves_exactly_one_attachment(ledger: Ledger) -> None:
    draft = Diff().render(load("amicus.md"), RenderContext(diff_url="https://diff.example.org/amicus/"))
    with FakeWordPress(USER, PASSWORD, faults=lost_upload_reply()) as fake:
        with pytest.raises(Ambiguous):
            transport(fake, ledger).send(draft)
        receipt = transport(fake, ledger).send(draft)

        [media] = fake.media
        assert media["alt_text"] == draft.image_alt
        assert fake.files[media["media_details"]["file"]] == draft.image_file.read_bytes()
        [post] = fake.posts
        assert (str(post["id"]), post["featured_media"]) == (receipt.remote_id, media["id"])


def test_body_images_upload_once_across_reruns_and_updates(ledger: Ledger, tmp_path: Path) -> None:
    image = body_image()
    twice = InlineImage("again.png", image.path, "The same picture, used again", 30, image.digest)
    with FakeWordPress(USER, PASSWORD) as fake:
        first = transport(fake, ledger).upload_images((image, twice))
        again = transport(fake, ledger).upload_images((image,))
        elsewhere = transport(fake, ledger, "another").upload_images((image,))

        [media] = fake.media
        assert len(fake.calls("POST", "/wp-json/wp/v2/media")) == 1
        assert first == again == elsewhere == {image.digest: media["source_url"]}
        assert media["alt_text"] == image.alt
        assert [part.status for part in ledger.parts(SLUG, "diff", "image")] == ["done"]


def test_a_deleted_attachment_is_uploaded_again(ledger: Ledger) -> None:
    image = body_image()
    with FakeWordPress(USER, PASSWORD) as fake:
        transport(fake, ledger).upload_images((image,))
        fake.media.clear()
        urls = transport(fake, ledger).upload_images((image,))
        [media] = fake.media
        assert urls == {image.digest: media["source_url"]}
        assert media["alt_text"] == image.alt


def test_images_are_named_by_their_content(tmp_path: Path) -> None:
    image = body_image()
    assert image.media_name == f"herald-{image.digest[:16]}.png"
    assert image.path == (FIXTURES / "images" / "courtroom.png").resolve()


def test_preflight_wants_upload_rights_for_body_images(ledger: Ledger) -> None:
    from herald.core.transport import PreflightError

    update = load("amicus.md").model_copy(update={"image": None, "image_alt": None})
    draft = Diff().render(update, RenderContext(diff_url="https://diff.example.org/amicus/"))
    assert draft.image_file is None and draft.body_image_files == (body_image().path,)
    rights = {"edit_posts": True, "publish_posts": True, "upload_files": False}
    with FakeWordPress(USER, PASSWORD, capabilities=rights) as fake, pytest.raises(PreflightError,
                                                                                  match="lacks upload_files"):
        transport(fake, ledger).preflight(draft)


@pytest.mark.live
@pytest.mark.parametrize("name", ["consultation.md", "explainer.md", "spanish.md", "arabic_update.md"])
def test_realistic_updates_read_back_from_the_real_wordpress_without_added_line_breaks(wordpress, ledger, name):
    import html
    import re

    from config.settings import Settings
    from herald.pipeline.render import render_update

    update = load(name)
    ledger.record_update(update.slug, name, update.title, update.date)
    settings = DiffSettings(transport="live", base_url=wordpress.base_url, username=wordpress.username,
                            app_password=SecretStr(wordpress.app_password), timeout_seconds=20)
    live = WordPressTransport(settings, ledger, update.slug)
    urls = live.upload_images(update.images)
    draft = render_update(update, Settings(), ["diff"], image_urls=urls).drafts["diff"]
    receipt = live.send(draft)

    shown = wordpress.get(f"posts/{receipt.remote_id}", context="view").json()["content"]["rendered"]
    paragraphs = re.findall(r"<p[ >].*?</p>", shown, flags=re.S)
    assert len(paragraphs) >= len(re.findall(r"<p[ >]", draft.content))
    assert not any("<br" in paragraph for paragraph in paragraphs)
    assert html.unescape(re.sub(r"<[^>]+>", "", paragraphs[0])) == i18n.byline(update.lang, update.authors)
    for image in update.images:
        [media] = wordpress.get("media", slug=image.media_name.rsplit(".", 1)[0], context="edit").json()
        assert media["alt_text"] == image.alt
        assert f'src="{media["source_url"]}"' in shown
