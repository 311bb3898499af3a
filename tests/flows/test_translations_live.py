"""One update in three languages against the real WordPress: linked posts updated in place, outdated translations,
per-language lists and accounts, a retraction, the recap's one entry, a killed publish resumed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from world import LiveServices as Services
from world import live_services

from herald.cli import app

pytestmark = [pytest.mark.flow, pytest.mark.live]
BODY = "We met the committee on Tuesday.\n\nThe hearing closes on 30 November; we answer then.\n"
FRENCH = ("title: Ce que nous avons dit au comité", "Nous avons rencontré le comité mardi.\n\n"
          "L'audition se termine le 30 novembre ; nous répondrons alors.\n")
ARABIC = ("title: ما قلناه للجنة", "التقينا باللجنة يوم الثلاثاء.\n\nتنتهي جلسة الاستماع في 30 نوفمبر.\n")


@pytest.fixture
def services(workdir, wordpress, smtp_pki, prefect_engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Live settings, plus the team's languages, a French list and a French X account (none for Arabic)."""
    extra = ('[email.lists]\nfr = "fr@lists.example.org"\n[twitter.accounts.fr]\n'
             '[translations]\nlanguages = ["fr", "ar", "es"]\n')
    with live_services(workdir, wordpress, smtp_pki, monkeypatch, extra_config=extra) as live:
        yield live


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _source(workdir: Path, slug: str) -> Path:
    path = workdir / "content" / "updates" / f"{slug}.md"
    path.write_text(f"---\ntitle: \"What we told the committee {slug}\"\nslug: {slug}\ndate: 2026-11-20\n"
                    f"summary: What we told the committee.\ntags: [hearings]\n---\n{BODY}", encoding="utf-8")
    return path


def _translate(source: Path, lang: str, text: tuple[str, str]) -> Path:
    made = _run("translate", str(source), "--lang", lang)
    assert made.exit_code == 0, made.output
    path = source.with_name(f"{source.stem}.{lang}.md")
    front, _, _ = path.read_text(encoding="utf-8").partition("\n---\n")
    front = re.sub(r"^title: .*$", text[0], front, flags=re.M).replace("status: draft", "status: ready")
    path.write_text(f"{front}\n---\n{text[1]}", encoding="utf-8")
    return path


def _post(services: Services, slug: str) -> dict:
    [post] = services.wordpress.get("posts", slug=slug, context="view").json()
    return post


def _links(post: dict) -> list[tuple[str, str]]:
    """(language name, href) of the post's "Also available in" line, as WordPress shows it."""
    line = re.search(r'<p class="herald-versions">(.*?)</p>', post["content"]["rendered"], re.S)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', line.group(1)) if line else []


def test_a_family_published_in_three_steps_links_every_post_and_lives_its_life(services, workdir):
    source = _source(workdir, "tr-family")
    assert _run("publish", str(source)).exit_code == 0
    english = _post(services, "tr-family")
    assert _links(english) == []

    french_path = _translate(source, "fr", FRENCH)
    french_out = _run("publish", str(french_path))
    assert french_out.exit_code == 0, french_out.output
    french = _post(services, "ce-que-nous-avons-dit-au-comite-fr")
    assert _links(french) == [(english["link"], "English")]
    assert _links(_post(services, "tr-family")) == [(french["link"], "Français")]
    assert "Également disponible en :" in french["content"]["rendered"]

    arabic_path = _translate(source, "ar", ARABIC)
    arabic_out = _run("publish", str(arabic_path))
    assert arabic_out.exit_code == 0, arabic_out.output
    skipped = [line for line in arabic_out.output.splitlines() if "skipped" in line]
    assert len(skipped) == 2 and "twitter" in skipped[0] and "no account for 'ar'" in skipped[0]
    assert "email" in skipped[1] and "no list for 'ar'" in skipped[1]
    arabic_slug = next(part for part in re.findall(r"/([a-z0-9-]+-ar)/", arabic_out.output))
    arabic = _post(services, arabic_slug)
    assert 'dir="rtl"' in _post(services, "tr-family")["content"]["rendered"]
    assert _links(arabic) == [(english["link"], "English"), (french["link"], "Français")]  # source, then by tag
    assert _links(_post(services, "tr-family")) == [(arabic["link"], "العربية"), (french["link"], "Français")]
    assert _links(_post(services, french["slug"])) == [(english["link"], "English"), (arabic["link"], "العربية")]
    assert _post(services, "tr-family")["id"] == english["id"]  # updated in place
    assert [message["To"] for message in services.messages()] == ["news@lists.example.org", "fr@lists.example.org"]
    assert len(services.x.thread(services.x.tweets[0].id)) >= 1 and len(services.medium.posts) == 3

    status = _run("status", str(source))
    assert status.exit_code == 0, status.output
    lines = status.output.splitlines()
    assert any(re.match(rf"\s+fr\s+published\s+{re.escape(french['link'])}", line) for line in lines), status.output
    assert any(re.match(rf"\s+ar\s+published\s+{re.escape(arabic['link'])}", line) for line in lines)
    assert any(re.match(r"\s+es\s+not started", line) for line in lines) and "OUTDATED" not in status.output
    print(status.output)

    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("30 November", "15 December"), encoding="utf-8")
    status = _run("status", str(source))
    assert status.output.count("OUTDATED") == 2, status.output
    assert status.output.count("[-30 November; we answer then.-]{+15 December; we answer then.+}") == 2 or \
        status.output.count("{+15 December;") == 2, status.output
    check = _run("check", str(french_path))
    assert check.exit_code == 0 and "OUTDATED" in check.output and "{+15 December;" in check.output
    refused = _run("publish", str(french_path), "--correct")
    assert refused.exit_code == 2 and "--yes" in refused.output and len(refused.output.strip().splitlines()) == 1

    corrected = _run("publish", str(source), "--correct", "--channels", "diff")
    assert corrected.exit_code == 0, corrected.output
    english_now = _post(services, "tr-family")
    assert english_now["id"] == english["id"] and "15 December" in english_now["content"]["rendered"]
    assert _links(english_now) == [(arabic["link"], "العربية"), (french["link"], "Français")]

    retracted = _run("retract", str(arabic_path), "--yes", "--channels", "diff")  # Medium: by hand
    assert retracted.exit_code == 0, retracted.output
    assert services.wordpress.get("posts", slug=arabic_slug, context="view").json() == []
    assert _links(_post(services, "tr-family")) == [(french["link"], "Français")]
    assert _links(_post(services, french["slug"])) == [(english["link"], "English")]

    recap = _run("recap", "2026-11", "--dry-run")
    assert recap.exit_code == 0, recap.output
    assert recap.output.count("## What we told the committee tr-family") == 1
    assert "Ce que nous avons dit" not in recap.output
    assert f"Also available in: [Français]({french['link']})" in recap.output

    asked = _run("retract", str(source), "--yes", "--channels", "diff,twitter")
    assert asked.exit_code == 0 and "--with-translations --yes" in asked.output, asked.output
    both = _run("retract", str(source), "--with-translations", "--yes", "--channels", "diff,twitter")
    assert both.exit_code == 0, both.output
    assert services.wordpress.get("posts", slug=french["slug"], context="view").json() == []


def test_a_killed_publish_of_a_translation_finishes_without_duplicates(services, workdir):
    source = _source(workdir, "tr-killed")
    assert _run("publish", str(source), "--channels", "diff,twitter").exit_code == 0
    french_path = _translate(source, "fr", FRENCH)
    posts = sum(request.method == "POST" for request in services.x.requests)
    services.killed_after(workdir, ["publish", str(french_path), "--channels", "diff,twitter"], "POST", posts + 1)
    english = _post(services, "tr-killed")
    assert _links(english) == []  # killed before the English post was linked

    resumed = _run("publish", str(french_path), "--channels", "diff,twitter")
    assert resumed.exit_code == 0, resumed.output
    french = _post(services, "ce-que-nous-avons-dit-au-comite-fr")
    titles = [post["title"]["rendered"] for post in services.wordpress.get("posts", per_page=100, status="any",
                                                                           context="edit").json()]
    assert titles.count("Ce que nous avons dit au comité") == 1, titles
    assert _links(_post(services, "tr-killed")) == [(french["link"], "Français")]
    assert _post(services, "tr-killed")["id"] == english["id"]
    assert all(count == 1 for count in services.x.texts().values())
    again = _run("publish", str(french_path), "--channels", "diff,twitter")
    assert again.exit_code == 0 and "corrected" not in again.output, again.output
