"""content.loader: every front-matter rule, with one-line errors naming the file and the field."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from update_files import write_file

from channels.registry import load_update
from content.errors import UpdateError
from content.slug import make_slug

FIXTURES = Path(__file__).parent.parent / "fixtures"
UPDATES = FIXTURES / "updates"


def rejects(path: Path, field: str | None, *needles: str, content_root: Path | None = None) -> UpdateError:
    """Loading fails with one line that starts with the path, names the field and says each needle."""
    with pytest.raises(UpdateError) as caught:
        load_update(path, content_root)
    error = caught.value
    line = str(error)
    assert "\n" not in line and "\r" not in line
    assert line.startswith(f"{path}: ")
    if field is not None:
        assert error.field == field
        assert line.startswith(f"{path}: {field}: ")
    for needle in needles:
        assert needle in line, line
    return error


# The fixtures


def test_full_fixture_reads_every_field() -> None:
    update = load_update(UPDATES / "full.md", FIXTURES)
    assert update.title.startswith("Don't Blink: Protecting the Wikimedia model")
    assert update.date == dt.date(2026, 10, 1)
    assert update.summary.startswith("Our monthly recap: the EU Digital Services Act")
    assert "\n" not in update.summary
    assert update.tags == ("policy", "copyright", "eu", "online-safety", "intermediary-liability-protections")
    assert update.channels == ("diff", "medium", "twitter", "email")
    assert update.slug == "dont-blink-september-2026"
    assert update.lang == "en"
    assert update.authors == ("Global Advocacy Team", "Jan Kowalski")
    assert update.image == Path("../images/map.png")
    assert update.image_path == (FIXTURES / "images" / "map.png").resolve()
    assert update.image_alt.startswith("A map of the countries")
    assert update.status == "ready"
    assert update.publish_at == dt.datetime(2026, 10, 8, 7, 0, tzinfo=dt.UTC)
    assert update.publish_at.utcoffset() == dt.timedelta(hours=2)
    assert update.diff.categories == ("Advocacy", "Don't Blink")
    assert update.diff.status == "publish"
    assert update.medium.tags == ("Public Policy", "Wikipedia", "Copyright", "Open Knowledge")
    assert update.medium.publish_status == "unlisted"
    assert update.twitter.thread is not None and len(update.twitter.thread) == 2
    assert update.email.subject == "Don't Blink, September 2026: DSA, Chile, UK Online Safety"
    assert update.body.lstrip().startswith("Welcome to *Don't Blink*")
    assert update.source == UPDATES / "full.md"


def test_fixture_image_is_a_real_png() -> None:
    data = (FIXTURES / "images" / "map.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR" and data.endswith(b"IEND\xaeB`\x82")


@pytest.mark.parametrize(
    ("name", "lang", "title"),
    [
        ("cyrillic.md", "ru", "Свобода знаний в Казахстане и Кыргызстане"),
        ("cjk.md", "ja", "日本の著作権法改正と生成AI"),
        ("arabic.md", "ar", "حرية المعرفة في منطقة الشرق الأوسط وشمال أفريقيا"),
        ("emoji_urls.md", "en-GB", "Families 👨‍👩‍👧‍👦 and flags 🏳️‍🌈: the Online Safety consultation"),
        ("unsafe.md", "en", "Unsafe HTML must never reach an output"),
    ],
)
def test_every_fixture_loads(name: str, lang: str, title: str) -> None:
    update = load_update(UPDATES / name, FIXTURES)
    assert update.title == title
    assert update.lang == lang
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", update.slug)


def test_defaults(tmp_path: Path) -> None:
    update = load_update(write_file(tmp_path, "title: Copyright in Chile\ndate: 2026-03-02"))
    assert update.channels is None  # every channel the configuration enables
    assert all(update.wants(name) for name in ("diff", "medium", "twitter", "email", "mastodon"))
    assert update.lang == "en"
    assert update.status == "ready"
    assert update.summary == "" and update.tags == () and update.authors == ()
    assert update.image is None and update.image_alt is None and update.publish_at is None
    assert update.diff.status == "publish" and update.diff.categories == ()
    assert update.medium.publish_status == "draft" and update.medium.tags is None
    assert update.twitter.thread is None and update.email.subject is None
    assert update.slug == "copyright-in-chile"


# Required fields and the title


@pytest.mark.parametrize("missing", ["title", "date"])
def test_title_and_date_are_required(tmp_path: Path, missing: str) -> None:
    fields = {"title": "title: Copyright in Chile", "date": "date: 2026-03-02"}
    del fields[missing]
    rejects(write_file(tmp_path, "\n".join(fields.values())), missing, "required")


@pytest.mark.parametrize(
    "title",
    [
        'title: "Copyright\\nin Chile"',
        'title: "Copyright\\rin Chile"',
        'title: "Copyright\\r\\nin Chile"',
        "title: |\n  Copyright\n  in Chile",
    ],
    ids=["lf", "cr", "crlf", "block-scalar"],
)
def test_title_must_be_one_line(tmp_path: Path, title: str) -> None:
    rejects(write_file(tmp_path, f"{title}\ndate: 2026-03-02"), "title", "one line")


@pytest.mark.parametrize("title", ['title: ""', 'title: "   "', "title: \"\\t\""])
def test_blank_title_is_rejected(tmp_path: Path, title: str) -> None:
    rejects(write_file(tmp_path, f"{title}\ndate: 2026-03-02"), "title", "blank")


def test_null_title_is_rejected(tmp_path: Path) -> None:
    rejects(write_file(tmp_path, "title:\ndate: 2026-03-02"), "title")


def test_title_is_trimmed(tmp_path: Path) -> None:
    update = load_update(write_file(tmp_path, 'title: "  Copyright in Chile  "\ndate: 2026-03-02'))
    assert update.title == "Copyright in Chile"


# Dates


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30", "not-a-date", "01/10/2026"])
def test_invalid_date_names_the_value(tmp_path: Path, value: str) -> None:
    path = write_file(tmp_path, f"title: Copyright in Chile\ndate: {value}")
    error = rejects(path, "date")
    assert str(error) == f"{path}: date: {value} is not a valid date"


def test_date_example_from_the_issue(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: x\ndate: 2026-13-45", name="x.md")
    with pytest.raises(UpdateError, match=r"x\.md: date: 2026-13-45 is not a valid date$"):
        load_update(path)


# Unknown keys


def test_unknown_top_level_key_suggests_the_field(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: Copyright in Chile\ndate: 2026-03-02\nsumary: Chile widened exceptions.")
    rejects(path, "sumary", "unknown field", "did you mean 'summary'?")


@pytest.mark.parametrize(
    ("block", "wrong", "right"),
    [
        ("diff", "categoris", "categories"),
        ("medium", "publish_stats", "publish_status"),
        ("twitter", "thred", "thread"),
        ("email", "subjet", "subject"),
    ],
)
def test_unknown_nested_key_suggests_the_field(tmp_path: Path, block: str, wrong: str, right: str) -> None:
    path = write_file(tmp_path, f"title: Copyright in Chile\ndate: 2026-03-02\n{block}:\n  {wrong}: x")
    rejects(path, f"{block}.{wrong}", "unknown field", f"did you mean '{right}'?")


def test_unknown_key_without_a_near_match_lists_the_fields(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: Copyright in Chile\ndate: 2026-03-02\nwibble: 1")
    error = rejects(path, "wibble", "unknown field", "known fields:", "title", "publish_at")
    assert "did you mean" not in str(error)
    assert not re.search(r"\bsource\b", error.message) and "body" not in error.message  # source_revision is a field


def test_the_internal_fields_cannot_be_set(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: Copyright in Chile\ndate: 2026-03-02\nbody: sneaky")
    rejects(path, "body", "unknown field")
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nsource: /etc/passwd"), "source", "unknown field")


# Channels


def test_channels_subset_keeps_order(tmp_path: Path) -> None:
    update = load_update(write_file(tmp_path, "title: T\ndate: 2026-03-02\nchannels: [email, diff]"))
    assert update.channels == ("email", "diff")
    assert update.wants("diff") and update.wants("email")
    assert not update.wants("medium") and not update.wants("twitter")


def test_unknown_channel_is_rejected(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: T\ndate: 2026-03-02\nchannels: [diff, facebook]")
    error = rejects(path, None, "'facebook'", "'diff'", "'email'")
    assert error.field is not None and error.field.startswith("channels")


def test_no_channel_at_all_is_rejected(tmp_path: Path) -> None:
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nchannels: []"), "channels", "at least one channel")


def test_a_channel_listed_twice_is_rejected(tmp_path: Path) -> None:
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nchannels: [diff, diff]"), "channels", "'diff'", "twice")


def test_channels_must_be_a_list(tmp_path: Path) -> None:
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nchannels: diff"), "channels")


# Slugs


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Don't Blink: September 2026", "don-t-blink-september-2026"),
        ("Свобода знаний", "svoboda-znanii"),
        ("Ελευθερία της γνώσης", "eleutheria-tes-gnoses"),
    ],
)
def test_slug_defaults_from_the_title(tmp_path: Path, title: str, slug: str) -> None:
    assert load_update(write_file(tmp_path, f'title: "{title}"\ndate: 2026-03-02')).slug == slug


@pytest.mark.parametrize(
    "title",
    ["日本の著作権法改正と生成AI", "حرية المعرفة", "👨‍👩‍👧‍👦🏳️‍🌈", "!!!"],
    ids=["cjk", "arabic", "emoji-only", "punctuation-only"],
)
def test_non_latin_titles_still_give_a_usable_slug(tmp_path: Path, title: str) -> None:
    slug = load_update(write_file(tmp_path, f'title: "{title}"\ndate: 2026-03-02')).slug
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)
    assert slug == make_slug(title)
    assert make_slug(title) == make_slug(title)


def test_different_unsluggable_titles_give_different_slugs() -> None:
    assert make_slug("👍") != make_slug("👎")


def test_long_titles_give_bounded_slugs() -> None:
    slug = make_slug("Protecting the Wikimedia model " * 10)
    assert 0 < len(slug) <= 80
    assert not slug.endswith("-")


def test_explicit_slug_wins_and_is_checked(tmp_path: Path) -> None:
    update = load_update(write_file(tmp_path, "title: Свобода знаний\ndate: 2026-03-02\nslug: kz-kg-media-law"))
    assert update.slug == "kz-kg-media-law"
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nslug: Bad Slug"), "slug", "'Bad Slug'", "not a slug")
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nslug: a--b"), "slug", "not a slug")


# Language


@pytest.mark.parametrize("lang", ["en", "fr", "pt-BR", "zh-Hant", "zh-Hant-TW", "es-419", "ar", "sr-Latn-RS"])
def test_bcp47_tags_are_accepted(tmp_path: Path, lang: str) -> None:
    assert load_update(write_file(tmp_path, f"title: T\ndate: 2026-03-02\nlang: {lang}")).lang == lang


@pytest.mark.parametrize("lang", ["english", "en_US", "e", "en-", "fr--CA", "123"])
def test_non_bcp47_tags_are_rejected(tmp_path: Path, lang: str) -> None:
    rejects(write_file(tmp_path, f'title: T\ndate: 2026-03-02\nlang: "{lang}"'), "lang", "BCP 47")


# Images


def test_image_needs_alt_text(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: T\ndate: 2026-03-02\nimage: ../images/map.png", name="updates-alt.md")
    rejects(path, "image_alt", "alt text")


def test_blank_alt_text_counts_as_missing(tmp_path: Path) -> None:
    (tmp_path / "map.png").write_bytes((FIXTURES / "images" / "map.png").read_bytes())
    path = write_file(tmp_path, 'title: T\ndate: 2026-03-02\nimage: map.png\nimage_alt: "  "')
    rejects(path, "image_alt", "alt text")


def test_alt_text_without_an_image_is_rejected(tmp_path: Path) -> None:
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nimage_alt: A map"), "image_alt", "no image")


def test_image_next_to_the_update_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "map.png").write_bytes((FIXTURES / "images" / "map.png").read_bytes())
    update = load_update(write_file(tmp_path, "title: T\ndate: 2026-03-02\nimage: map.png\nimage_alt: A map"))
    assert update.image_path == (tmp_path / "map.png").resolve()


def test_missing_image_is_rejected(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: T\ndate: 2026-03-02\nimage: nowhere.png\nimage_alt: A map")
    rejects(path, "image", "nowhere.png", "does not exist")


def test_image_that_is_a_folder_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "pictures").mkdir()
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nimage: pictures\nimage_alt: A map"), "image", "pictures")


def test_image_outside_the_content_root_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "updates").mkdir(parents=True)
    secret = tmp_path / "secret.png"
    secret.write_bytes((FIXTURES / "images" / "map.png").read_bytes())
    path = write_file(root / "updates", "title: T\ndate: 2026-03-02\nimage: ../../secret.png\nimage_alt: A map")
    rejects(path, "image", "../../secret.png", "outside the content folder", content_root=root)


def test_absolute_image_outside_the_root_is_rejected(tmp_path: Path) -> None:
    secret = tmp_path.parent / f"{tmp_path.name}-outside.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    try:
        front = f"title: T\ndate: 2026-03-02\nimage: {secret}\nimage_alt: A map"
        rejects(write_file(tmp_path, front), "image", "outside")
    finally:
        secret.unlink()


def test_image_in_a_sibling_folder_needs_the_wider_content_root() -> None:
    rejects(UPDATES / "full.md", "image", "outside the content folder")
    assert load_update(UPDATES / "full.md", FIXTURES).image_path is not None


def test_symlink_escaping_the_root_is_rejected(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    root = tmp_path / "content"
    root.mkdir()
    (root / "map.png").symlink_to(outside)
    rejects(write_file(root, "title: T\ndate: 2026-03-02\nimage: map.png\nimage_alt: A map"), "image", "outside")


# Status and scheduling


def test_status_is_draft_or_ready(tmp_path: Path) -> None:
    assert load_update(write_file(tmp_path, "title: T\ndate: 2026-03-02\nstatus: draft")).status == "draft"
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\nstatus: published"), "status", "'published'", "'draft'")


def test_publish_at_with_offset_is_accepted(tmp_path: Path) -> None:
    update = load_update(write_file(tmp_path, "title: T\ndate: 2026-03-02\npublish_at: 2026-10-08T09:00:00Z"))
    assert update.publish_at == dt.datetime(2026, 10, 8, 9, 0, tzinfo=dt.UTC)


def test_naive_publish_at_is_rejected(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: T\ndate: 2026-03-02\npublish_at: 2026-10-08T09:00:00")
    rejects(path, "publish_at", "time zone")


def test_invalid_publish_at_is_rejected(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: T\ndate: 2026-03-02\npublish_at: next tuesday")
    rejects(path, "publish_at", "next tuesday", "not a valid date and time")


@pytest.mark.parametrize(
    ("front", "field", "needle"),
    [
        ("diff:\n  status: future", "diff.status", "'future'"),
        ("medium:\n  publish_status: public-ish", "medium.publish_status", "'public-ish'"),
        ('email:\n  subject: "Hello\\nBcc: everyone@example.org"', "email.subject", "one line"),
        ('email:\n  subject: " "', "email.subject", "blank"),
        ("twitter:\n  thread: []", "twitter.thread", "at least one tweet"),
        ('twitter:\n  thread: ["First", "  "]', "twitter.thread", "tweet 2 is blank"),
        ("tags: [policy, policy]", "tags", "twice"),
        ("tags: policy", "tags", ""),
        ("authors: [Jan, Jan]", "authors", "twice"),
    ],
)
def test_channel_blocks_and_lists_are_validated(tmp_path: Path, front: str, field: str, needle: str) -> None:
    rejects(write_file(tmp_path, f"title: T\ndate: 2026-03-02\n{front}"), field, needle)


# Malformed files


def test_malformed_yaml_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: [unclosed\ndate: 2026-03-02")
    rejects(path, "front matter", "invalid YAML", "at line 3")


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch /tmp/herald-pwned']",
        "!!python/name:os.system",
        "!!python/object/new:dict {}",
    ],
)
def test_yaml_tags_that_construct_objects_are_rejected(tmp_path: Path, tag: str) -> None:
    path = write_file(tmp_path, f"title: {tag}\ndate: 2026-03-02")
    rejects(path, "front matter", "at line 2", "YAML tags that construct objects are not allowed")
    assert not Path("/tmp/herald-pwned").exists()


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: First\ndate: 2026-03-02\ntitle: Second")
    rejects(path, "front matter", "duplicate key 'title'", "at line 4")


def test_duplicate_nested_keys_are_rejected(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: T\ndate: 2026-03-02\ndiff:\n  status: draft\n  status: publish")
    rejects(path, "front matter", "duplicate key 'status'")


def test_error_lines_count_blank_lines_after_the_opening_fence(tmp_path: Path) -> None:
    path = tmp_path / "gap.md"
    path.write_text("---\n\n\ntitle: [unclosed\ndate: 2026-03-02\n---\nBody\n", encoding="utf-8")
    rejects(path, "front matter", "at line 5")


def test_non_text_keys_are_rejected(tmp_path: Path) -> None:
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02\n1: one"), "front matter", "keys must be text")


def test_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    rejects(write_file(tmp_path, "- title\n- date"), "front matter", "mapping")


def test_non_utf8_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: Café\ndate: 2026-03-02\n---\nÉté\n".encode("latin-1"))
    rejects(path, None, "not UTF-8", "line 2")


@pytest.mark.parametrize("body", ["", "\n", "   \n\t\n"])
def test_empty_body_is_rejected(tmp_path: Path, body: str) -> None:
    rejects(write_file(tmp_path, "title: T\ndate: 2026-03-02", body=body), "body", "no text")


def test_missing_front_matter_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("# Copyright in Chile\n\nChile widened its exceptions.\n", encoding="utf-8")
    rejects(path, None, "front matter", "'---'")


def test_unclosed_front_matter_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "open.md"
    path.write_text("---\ntitle: T\ndate: 2026-03-02\nBody\n", encoding="utf-8")
    rejects(path, None, "closing '---'")


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    rejects(tmp_path / "nowhere.md", None, "no such file")


def test_folder_is_rejected(tmp_path: Path) -> None:
    rejects(tmp_path, None, "folder")


def test_utf8_bom_and_crlf_file_works(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    text = "---\r\ntitle: Café culture\r\ndate: 2026-03-02\r\n---\r\nÉté à Genève.\r\n"
    path.write_bytes("\ufeff".encode() + text.encode())
    update = load_update(path)
    assert update.title == "Café culture"
    assert update.body.strip() == "Été à Genève."
    assert "\r" not in update.body and "\ufeff" not in update.body


def test_yaml_dates_stay_text_until_validated(tmp_path: Path) -> None:
    update = load_update(write_file(tmp_path, "title: T\ndate: 2026-03-02\nsummary: 2026-03-02"))
    assert update.summary == "2026-03-02"


def test_update_is_frozen(tmp_path: Path) -> None:
    update = load_update(write_file(tmp_path, "title: T\ndate: 2026-03-02"))
    with pytest.raises(ValueError):
        update.title = "Changed"  # type: ignore[misc]


# Errors that say how to fix them


@pytest.mark.parametrize(
    ("field", "value", "example"),
    [("tags", "copyright, AI", "[copyright, AI]"), ("authors", "Jan Kowalski", "[Jan Kowalski]"),
     ("channels", "diff", "[diff]")],
)
def test_a_list_field_given_as_text_says_how_to_write_a_list(tmp_path: Path, field, value, example) -> None:
    path = write_file(tmp_path, f"title: T\ndate: 2026-03-02\n{field}: {value}")
    error = rejects(path, field, f"must be a list, e.g. {example}")
    assert str(error) == f"{path}: {field}: must be a list, e.g. {example}"


def test_an_unquoted_colon_in_a_title_hints_at_quoting(tmp_path: Path) -> None:
    path = write_file(tmp_path, "title: Our response: what we asked\ndate: 2026-03-02")
    rejects(path, "front matter", "invalid YAML at line 2", "mapping values are not allowed here",
            """a value containing ': ' must be quoted, e.g. title: "Our response: what we asked\"""")


def test_the_quoting_hint_escapes_quotes_in_the_value(tmp_path: Path) -> None:
    path = write_file(tmp_path, 'title: T\ndate: 2026-03-02\nsummary: The "DSA": what changes')
    rejects(path, "front matter", "at line 4", r'e.g. summary: "The \"DSA\": what changes"')


@pytest.mark.parametrize("name", ["consultation.md", "amicus.md", "announcement.md", "explainer.md", "spanish.md",
                                  "arabic_update.md"])
def test_the_realistic_fixtures_are_valid(name: str) -> None:
    update = load_update(UPDATES / name, FIXTURES)
    assert update.status == "ready" and update.authors
