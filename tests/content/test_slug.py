"""content.slug: long titles are cut where a phrase ends, else on a word boundary, never inside a word."""

from __future__ import annotations

from pathlib import Path

import pytest
from slugify import slugify
from update_files import FIXTURES, load, write_file

from config.settings import load_settings
from content.slug import MAX_SLUG_LENGTH, MIN_PHRASE_SHARE, is_transliterated, make_slug, shorten, slug_warning
from herald.pipeline.render import load_and_render


def test_the_amicus_title_is_cut_where_its_first_phrase_ends() -> None:
    update = load("amicus.md")  # "Why we asked the Supreme Court to keep Section 230: it protects such ..."
    assert slugify(update.title.split(":")[0]) == update.slug
    assert len(slugify(update.title)) > MAX_SLUG_LENGTH


@pytest.mark.parametrize("title", [
    "Don't Blink: Protecting the Wikimedia model, its people, and its values in September 2026",
    "Knowledge in every language: how platform laws around the world affect multilingual Wikipedia",
    "Notre réponse à la consultation de la Commission européenne sur le droit d'auteur, l'IA et la fouille de textes",
    "Что мы сказали Европейской комиссии об авторском праве, обучении ИИ и открытых знаниях для всех",
    "我们就版权与人工智能训练问题向欧盟委员会提交的意见：维基媒体社区的立场与建议以及更多细节",
    "A" * 30 + " " + "b" * 30 + " " + "c" * 30,
])  # fmt: skip
def test_a_long_slug_is_a_whole_word_prefix_of_the_full_one(title: str) -> None:
    full, slug = slugify(title), make_slug(title)
    assert len(full) > MAX_SLUG_LENGTH >= len(slug)
    assert full.startswith(slug + "-")  # ends where a word ends, no word skipped


@pytest.mark.parametrize(("title", "phrase"), [
    ("Don't Blink: Protecting the Wikimedia model, its people, and its values in September 2026",
     "Don't Blink: Protecting the Wikimedia model, its people"),
    ("Notre réponse à la Commission européenne sur le droit d'auteur, l'IA et la fouille de textes et de données",
     "Notre réponse à la Commission européenne sur le droit d'auteur"),
    ("Почему мы попросили суд сохранить статью 230: она защищает сообщества добровольцев, такие как Википедия",
     "Почему мы попросили суд сохранить статью 230"),
])  # fmt: skip
def test_the_cut_prefers_the_last_phrase_end_that_fits(title: str, phrase: str) -> None:
    assert make_slug(title) == slugify(phrase)


def test_a_word_cut_never_splits_a_word_that_the_slug_spells_in_two() -> None:
    title = "Notre réponse à la consultation de la Commission européenne sur le droit d'auteur, l'IA et la fouille"
    slug = make_slug(title)  # "d'auteur" is one word of the title, "d-auteur" two of the slug: both or neither
    assert slug.endswith("-sur-le-droit") and len(slug) <= MAX_SLUG_LENGTH
    assert make_slug("Don't Blink " + "x" * 70 + " y") == "don-t-blink"


def test_a_phrase_too_short_to_carry_the_title_gives_way_to_the_last_word_that_fits() -> None:
    title = "Knowledge in every language: how platform laws around the world affect multilingual Wikipedia"
    slug = make_slug(title)
    assert len(slugify("Knowledge in every language")) < MAX_SLUG_LENGTH * MIN_PHRASE_SHARE
    assert slug == shorten(slugify(title)) and len(slug) > MAX_SLUG_LENGTH * MIN_PHRASE_SHARE


def test_shorten_cuts_on_the_last_boundary_that_fits() -> None:
    assert shorten("aaa-bbb-ccc", 7) == "aaa-bbb"
    assert shorten("aaa-bbb-ccc", 8) == "aaa-bbb"
    assert shorten("aaa-bbb-ccc", 11) == "aaa-bbb-ccc"
    assert shorten("aaaaaaaaaa-b", 5) == "aaaaa"  # one word longer than the limit: cut inside it
    assert shorten("a-" + "b" * 100, 10) == "a"


@pytest.mark.parametrize(("title", "transliterated"), [
    ("حرية المعرفة في منطقة الشرق الأوسط", True),
    ("Свобода знаний в Казахстане", True),
    ("日本の著作権法改正と生成AI", True),
    ("Chile aprueba nuevas excepciones al derecho de autor para la educación", False),
    ("Families 👨‍👩‍👧‍👦 and flags 🏳️‍🌈: the Online Safety consultation", False),
    ("Łódź and Göteborg: «ça va»", False),
])  # fmt: skip
def test_non_latin_titles_are_recognised(title: str, transliterated: bool) -> None:
    assert is_transliterated(title) is transliterated


def test_a_slug_chosen_by_hand_is_never_questioned() -> None:
    assert slug_warning("Свобода знаний в Казахстане", "knowledge-in-kazakhstan") is None
    assert slug_warning("Chile aprueba nuevas excepciones", make_slug("Chile aprueba nuevas excepciones")) is None
    assert "slug:" in slug_warning("Свобода знаний в Казахстане", make_slug("Свобода знаний в Казахстане"))


@pytest.mark.parametrize(("front", "warned"), [
    ("title: Свобода знаний в Казахстане и Кыргызстане\nlang: ru", True),
    ("title: حرية المعرفة في منطقة الشرق الأوسط\nlang: ar", True),
    ("title: 版权与人工智能训练\nlang: zh", True),
    ("title: Свобода знаний в Казахстане и Кыргызстане\nlang: ru\nslug: knowledge-in-central-asia", False),
    ("title: Notre réponse à la consultation européenne\nlang: fr", False),
])  # fmt: skip
def test_check_warns_about_a_transliterated_slug_unless_one_is_set(tmp_path: Path, front: str, warned: bool) -> None:
    config = tmp_path / "herald.toml"
    config.write_text(f'content_root = "{tmp_path}"\n', encoding="utf-8")
    path = write_file(tmp_path, f"{front}\ndate: 2026-10-08", "Текст. نص. 文本.\n")
    rendered = load_and_render(path, load_settings(config))
    found = [warning for warning in rendered.warnings if warning.startswith("slug: ")]
    assert bool(found) is warned
    if warned:
        assert repr(rendered.update.slug) in found[0] and "`slug:`" in found[0]


def test_the_fixtures_use_the_same_rule() -> None:
    for path in sorted((FIXTURES / "updates").glob("*.md")):
        update = load(path.name)
        assert len(update.slug) <= MAX_SLUG_LENGTH
