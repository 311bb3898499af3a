"""content.body_images: every image of the body exists under the content root, has alt text, and a media name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner
from update_files import FIXTURES, load

from channels.registry import load_update
from config.settings import load_settings
from content.body_images import body_images
from content.errors import UpdateError
from herald.cli import app
from herald.pipeline.render import render_update
from herald.preview.page import preview_page

IMAGE = FIXTURES / "images" / "courtroom.png"


def project(tmp_path: Path, body: str) -> Path:
    """A content root with one image and one update whose body is `body`."""
    (tmp_path / "content" / "images").mkdir(parents=True)
    (tmp_path / "content" / "updates").mkdir()
    shutil.copy(IMAGE, tmp_path / "content" / "images" / "court room.png")
    path = tmp_path / "content" / "updates" / "update.md"
    path.write_text(f"---\ntitle: Images\ndate: 2026-11-12\n---\n{body}", encoding="utf-8")
    return path


def test_the_amicus_fixture_has_its_body_image_checked_and_hashed() -> None:
    [image] = load("amicus.md").images
    assert image.src == "../images/courtroom.png"
    assert image.path == IMAGE.resolve()
    assert image.alt.startswith("Volunteers at an edit-a-thon")
    assert image.line == 26  # in the file
    assert image.media_name.startswith("herald-") and image.media_name.endswith(".png")
    assert len(image.media_name) == len("herald-") + 16 + len(".png")


def test_images_are_found_everywhere_in_reading_order_and_remote_ones_are_left_alone() -> None:
    body = ("![one](a.png)\n\n[![*linked* two](b.png)](https://example.org)\n\n| x |\n|---|\n| ![three](c.png) |\n\n"
            "![remote](https://upload.wikimedia.org/x.png) ![proto](//cdn.example.org/y.png)\n")
    found = body_images(body)
    assert [(image.src, image.alt) for image in found] == [
        ("a.png", "one"), ("b.png", "linked two"), ("c.png", "three"),
        ("https://upload.wikimedia.org/x.png", "remote"), ("//cdn.example.org/y.png", "proto"),
    ]  # fmt: skip
    assert [image.is_local for image in found] == [True, True, True, False, False]


def test_a_file_name_with_spaces_and_one_from_the_content_root_are_found(tmp_path: Path) -> None:
    path = project(tmp_path, "![A court](../images/court%20room.png)\n\n![Again](</images/court room.png>)\n")
    update = load_update(path, tmp_path / "content")
    assert [image.path.name for image in update.images] == ["court room.png", "court room.png"]
    assert update.images[0].digest == update.images[1].digest


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Text.\n\n![A chart](../images/chart.png)\n", "body: image ../images/chart.png (line 7) does not exist"),
        ("![A folder](../images)\n", "body: image ../images (line 5) does not exist"),
        ("![Secret](../../../outside.png)\n", "body: image ../../../outside.png (line 5) is outside the content"),
    ],
)
def test_a_missing_or_outside_image_is_invalid_naming_the_file_and_the_image(tmp_path, body, message) -> None:
    (tmp_path / "outside.png").write_bytes(IMAGE.read_bytes())
    path = project(tmp_path, body)
    with pytest.raises(UpdateError) as raised:
        load_update(path, tmp_path / "content")
    assert str(raised.value).startswith(f"{path}: {message}")


def test_check_exits_2_on_a_missing_body_image(workdir: Path) -> None:
    path = workdir / "content" / "updates" / "2026-11-01-chart.md"
    path.write_text("---\ntitle: A chart\ndate: 2026-11-01\n---\nSee ![the chart](../images/chart.png).\n",
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}: body: image ../images/chart.png (line 5) does not exist" in " ".join(result.output.split())


def test_an_image_without_alt_text_is_a_warning_in_check_and_the_preview(workdir: Path) -> None:
    shutil.copy(IMAGE, workdir / "content" / "images" / "courtroom.png")
    path = workdir / "content" / "updates" / "2026-11-01-no-alt.md"
    path.write_text("---\ntitle: No alt\ndate: 2026-11-01\n---\nText.\n\n![](../images/courtroom.png)\n",
                    encoding="utf-8")
    warning = "body: image ../images/courtroom.png (line 7) has no alt text for readers of screen readers"
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0 and warning in " ".join(result.output.split())
    rendered = render_update(load_update(path, workdir / "content"), load_settings())
    assert rendered.warnings[0] == warning
    page = preview_page(rendered)
    assert warning in page[page.index("id=problems"):page.index("<div class=panes>")]


def test_a_local_image_written_as_raw_html_is_a_warning() -> None:
    from herald.pipeline.render import content_warnings

    warnings = content_warnings(load("unsafe.md"))
    assert warnings == ["body: the HTML image x.png is neither checked nor uploaded; write it as ![alt text](x.png)"]
    assert content_warnings(load("amicus.md")) == []  # Markdown images with alt text, remote images: nothing to say
