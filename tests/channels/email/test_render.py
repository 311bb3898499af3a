"""channels.email.render: the list announcement, parsed back from the exact bytes that are sent."""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from update_files import load, solid_png, write

from channels.email.render import MAX_MESSAGE_BYTES, WRAP_WIDTH, Email, EmailDraft, highlights, lead_sentence
from channels.email.settings import EmailSettings
from content.model import Update
from herald.core.draft import Channel, RenderContext, RenderError, draft_digest

DIFF_URL = "https://diff.example.org/2026/10/01/dont-blink-september-2026/"
CONTEXT = RenderContext(diff_url=DIFF_URL)
SETTINGS = EmailSettings(
    from_addr="Global Advocacy <advocacy@example.org>",
    list_addr="advocacy-news@lists.example.org",
    message_id_domain="example.org",
)
ALL_FIXTURES = ["full.md", "cyrillic.md", "cjk.md", "arabic.md", "emoji_urls.md", "unsafe.md"]
_REFERENCE = re.compile(r"^\[\d+\] \S+://\S+$")


def unbreakable(line: str) -> bool:
    """A line allowed past the wrap width: one URL alone (maybe indented), or a `[n] URL` reference."""
    bare = line.strip()
    return (bare.startswith(("http://", "https://")) and " " not in bare) or bool(_REFERENCE.match(line))


def sent(update: Update, context: RenderContext = CONTEXT, settings: EmailSettings = SETTINGS) -> EmailMessage:
    """The message parsed back from the bytes in `files()`."""
    data = Email(settings).render(update, context).files()["email.eml"]
    return email.message_from_bytes(data, policy=email.policy.default)


def parts(update: Update) -> tuple[str, str]:
    """The decoded text/plain and text/html parts."""
    message = sent(update)
    text, html = (message.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))
    return text, html


def test_email_is_a_channel() -> None:
    assert isinstance(Email(), Channel)
    assert Email.name == "email" and MAX_MESSAGE_BYTES == 40 * 1024 and WRAP_WIDTH == 72


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_multipart_alternative_with_plain_text_first(name: str) -> None:
    message = sent(load(name))
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    assert not any(part.get_content_disposition() == "attachment" for part in message.walk())


def test_headers() -> None:
    update = load("full.md")
    message = sent(update)
    assert message["From"] == "Global Advocacy <advocacy@example.org>"
    assert message["To"] == "advocacy-news@lists.example.org"
    assert message["Subject"] == "Don't Blink, September 2026: DSA, Chile, UK Online Safety"
    assert message["Message-ID"] == "<herald.20261001.dont-blink-september-2026@example.org>"
    assert message["Date"] is None  # the transport dates the message when it sends it
    assert Email(SETTINGS).render(update, CONTEXT).planned_at == update.publish_at
    assert message["Content-Language"] == "en"
    assert message["MIME-Version"] == "1.0"


def test_subject_falls_back_to_the_title() -> None:
    update = load("cyrillic.md")
    message = sent(update)
    assert message["Subject"] == "Свобода знаний в Казахстане и Кыргызстане"
    assert message["Content-Language"] == "ru"


def test_the_date_is_the_moment_of_sending_and_the_rest_stays_byte_for_byte() -> None:
    draft = Email(SETTINGS).render(load("cyrillic.md"), CONTEXT)
    moment = datetime(2026, 9, 16, 7, 30, tzinfo=UTC)
    dated = email.message_from_bytes(draft.as_bytes(sent_at=moment), policy=email.policy.default)
    assert parsedate_to_datetime(dated["Date"]) == moment  # not the update's date (2026-09-15) at midnight
    assert dated["Message-ID"].strip() == draft.message_id
    assert draft.as_bytes(sent_at=moment).replace(b"Date: Wed, 16 Sep 2026 07:30:00 +0000\r\n", b"") == draft.as_bytes()
    assert draft.message["Date"] is None and draft.planned_at is None


def test_message_id_uses_the_configured_domain() -> None:
    other = EmailSettings(message_id_domain="lists.wikimedia.example")
    message_id = sent(load("cjk.md"), CONTEXT, other)["Message-ID"]
    assert re.fullmatch(r"<[A-Za-z0-9.\-]+@lists\.wikimedia\.example>", message_id)
    assert Email(other).render(load("cjk.md"), CONTEXT).message_id == message_id


def test_message_id_differs_between_updates() -> None:
    ids = {sent(load(name))["Message-ID"] for name in ALL_FIXTURES}
    assert len(ids) == len(ALL_FIXTURES)


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_no_list_headers(name: str) -> None:
    message = sent(load(name))
    for header in message:
        assert not header.lower().startswith("list-"), header
        assert header.lower() not in {"archived-at", "bcc", "cc"}
    assert not message["Subject"].startswith("[")


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_plain_text_is_wrapped_at_72_except_unbreakable_urls(name: str) -> None:
    text, _ = parts(load(name))
    assert [line for line in text.splitlines() if len(line) > WRAP_WIDTH and not unbreakable(line)] == []


def test_the_wrap_check_is_not_vacuous() -> None:
    assert not unbreakable("word " * 20)
    assert not unbreakable("See https://diff.wikimedia.org/2026/09/12/dsa-transparency-database/ for the details.")
    assert unbreakable("https://diff.wikimedia.org/2026/09/12/dsa-transparency-database/and/a/very/long/tail")
    assert unbreakable("[12] https://diff.wikimedia.org/2026/09/12/dsa-transparency-database/and/a/long/tail")
    text, _ = parts(load("full.md"))
    assert max(len(line) for line in text.splitlines() if "://" not in line) > WRAP_WIDTH - 10  # lines are filled


def test_long_urls_stay_whole_on_their_own_line() -> None:
    update = load("emoji_urls.md")
    text, _ = parts(update)
    url = (
        "https://www.gov.uk/government/consultations/online-safety-act-2023-draft-codes-of-practice-for-protecting-"
        "children-from-harmful-content-online-and-age-assurance-guidance-for-service-providers"
        "?utm_source=herald&utm_medium=email&utm_campaign=dont-blink-2026-06"
    )
    assert url + "\n" in text and "\n" + url in text
    assert any(len(line) > WRAP_WIDTH for line in text.splitlines())


def after_title(text: str) -> str:
    """The plain text after its underlined title and the blank line below it."""
    return re.split(r"\n=+\n\n", text, maxsplit=1)[1]


def test_diff_link_is_at_the_top_below_the_title() -> None:
    text, html = parts(load("full.md"))
    assert after_title(text).startswith(f"Read on Diff:\n{DIFF_URL}\n\n")  # too long for a line: the URL below
    short = RenderContext(diff_url="https://diff.wikimedia.org/?p=4242")
    assert after_title(Email(SETTINGS).render(load("full.md"), short).plain()).startswith(
        "Read on Diff: https://diff.wikimedia.org/?p=4242\n\n"
    )
    body = html.split("<body>", 1)[1].lstrip()
    assert body.startswith(f'<p><a href="{DIFF_URL}">Read on Diff</a></p>')


def test_links_are_numbered_references_listed_at_the_end_after_the_footnotes() -> None:
    text, _ = parts(load("full.md"))  # one footnote: [1]; links start at [2]
    assert "follow us on Diff [2] and join the public policy mailing list [3]." in " ".join(text.split())
    assert "Read more [4]" in text
    assert "\n[1] " in text.split("\nLinks:\n")[0]
    head, links = text.split("\nLinks:\n")
    assert links.splitlines() == [
        "[2] https://diff.wikimedia.org/",
        "[3] https://lists.wikimedia.org/postorius/lists/publicpolicy.lists.wikimedia.org/",
        "[4] https://diff.wikimedia.org/2026/09/12/dsa-transparency-database/",
    ]
    assert "https://diff.wikimedia.org/2026/09/12/dsa-transparency-database/" not in head


def test_a_repeated_link_keeps_one_number(tmp_path: Path) -> None:
    body = (
        "See [Diff](https://diff.wikimedia.org/) and [the blog](https://diff.wikimedia.org/)"
        " and [Meta](https://meta.wikimedia.org/).\n"
    )
    text, _ = parts(write(tmp_path, "title: T\ndate: 2026-03-02", body))
    assert "See Diff [1] and the blog [1] and Meta [2]." in text
    assert text.endswith("Links:\n[1] https://diff.wikimedia.org/\n[2] https://meta.wikimedia.org/\n")


def test_bare_urls_are_shown_not_numbered(tmp_path: Path) -> None:
    text, _ = parts(write(tmp_path, "title: T\ndate: 2026-03-02", "Read https://meta.wikimedia.org/wiki/Policy now.\n"))
    assert "Read https://meta.wikimedia.org/wiki/Policy now." in text
    assert "Links:" not in text


def test_plain_text_structure(tmp_path: Path) -> None:
    text, _ = parts(load("full.md"))
    assert "EU: the Digital Services Act transparency database\n" + "=" * 50 + "\n" in text
    assert "1. We filed comments on the draft codes." in text
    assert "  - Age assurance must not apply to Wikipedia." in text
    assert "> Community-governed projects are not social media platforms." in text
    assert "- Country: Chile\n  Bill: Ley 21.045 reform\n  Status: Passed\n\n- Country: UK\n" in text
    assert "<" not in text.replace("<herald", "")


def test_code_blocks_are_indented_and_not_wrapped() -> None:
    text, _ = parts(load("emoji_urls.md"))
    code = "    def weight(text: str) -> int:\n        return sum(2 if ord(ch) > 0x10FF else 1 for ch in text)\n"
    assert code in text


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("cyrillic.md", "Парламент Кыргызстана принял закон «О средствах массовой информации»."),
        ("cjk.md", "文化庁は、生成AIと著作権に関する新しいガイドラインを公表しました。"),
        ("arabic.md", "ناقش البرلمان مشروع قانون جديد"),
        ("emoji_urls.md", "Our team 👩🏽‍💻👨🏿‍💻 read all 1,200 pages of the consultation 🧑‍🤝‍🧑"),
    ],
)
def test_non_ascii_survives_in_the_smaller_7bit_encoding(name: str, phrase: str) -> None:
    update = load(name)
    data = Email(SETTINGS).render(update, CONTEXT).files()["email.eml"]
    assert data.isascii()  # 7-bit clean on the wire: any relay takes it
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.iter_parts():
        content, chosen = part.get_content(), part["Content-Transfer-Encoding"]
        subtype = part.get_content_subtype()
        sizes = {cte: len(reencoded(content, subtype, cte)) for cte in ("quoted-printable", "base64")}
        assert len(part.get_payload().replace("\r\n", "\n")) == sizes[chosen] == min(sizes.values())
    text, html = parts(update)
    assert phrase in " ".join(text.split())
    assert phrase.split()[0] in html
    assert message["Subject"] == update.title


def reencoded(text: str, subtype: str, cte: str) -> str:
    """A part's body as the email package encodes it in `cte`."""
    part = EmailMessage(policy=email.policy.SMTP)
    part.set_content(text, subtype=subtype, cte=cte)
    return part.get_payload().replace("\r\n", "\n")


def test_html_part_is_a_sanitised_document() -> None:
    _, html = parts(load("unsafe.md"))
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert "<h1>Unsafe HTML must never reach an output</h1>" in html
    lowered = html.lower()
    assert "<script" not in lowered and "onerror" not in lowered and "onclick" not in lowered
    assert 'href="javascript:' not in lowered and 'href="data:' not in lowered and 'src="data:' not in lowered
    assert "<iframe" not in lowered and "<style" not in lowered


def test_html_escapes_the_title(tmp_path: Path) -> None:
    _, html = parts(write(tmp_path, 'title: "Fees <b>& taxes</b>"\ndate: 2026-03-02'))
    assert "<h1>Fees &lt;b&gt;&amp; taxes&lt;/b&gt;</h1>" in html


def test_over_40_kb_becomes_an_announcement_with_highlights_and_a_warning(tmp_path: Path) -> None:
    paragraph = "The Commission opened its transparency database to researchers and volunteers. " * 8
    sections = "\n\n".join(f"## Part {n}\n\nFirst point of part {n}. {paragraph}\n\n{paragraph}" for n in range(20))
    update = write(tmp_path, "title: T\ndate: 2026-03-02\nsummary: The short version.", sections)
    draft = Email(SETTINGS).render(update, CONTEXT)
    assert len(draft.as_bytes()) <= MAX_MESSAGE_BYTES
    assert any(w.startswith("email condensed to highlights") and "40 KB" in w for w in draft.warnings)
    text = draft.message.get_body(("plain",)).get_content()
    assert "The short version." in text
    assert [line for line in text.splitlines() if line.startswith("- ")] == [
        f"- Part {n}: First point of part {n}." for n in range(20)]
    assert text.rstrip().endswith(DIFF_URL)
    assert paragraph.strip() not in text


def test_an_announcement_still_over_40_kb_is_a_render_error_naming_the_file(tmp_path: Path) -> None:
    heading = "A very long heading about the Commission's transparency database and its researchers " * 3
    body = "\n\n".join(f"## {heading}{n}\n\nText." for n in range(200))
    update = write(tmp_path, "title: T\ndate: 2026-03-02", body)
    with pytest.raises(RenderError) as caught:
        Email(SETTINGS).render(update, CONTEXT)
    line = str(caught.value)
    assert line.startswith(f"{update.source}: email: ")
    assert "40 KB" in line and "\n" not in line


def test_a_short_update_is_sent_whole_without_warnings(tmp_path: Path) -> None:
    update = write(tmp_path, "title: T\ndate: 2026-03-02", "## One\n\nAll of it.")
    draft = Email(SETTINGS).render(update, CONTEXT)
    assert draft.warnings == ()
    assert "All of it." in draft.message.get_body(("plain",)).get_content()


def test_just_under_the_limit_renders(tmp_path: Path) -> None:
    paragraph = "The Commission opened its transparency database to researchers and volunteers. " * 8
    update = write(tmp_path, "title: T\ndate: 2026-03-02", "\n\n".join([paragraph] * 10))
    assert len(Email(SETTINGS).render(update, CONTEXT).as_bytes()) < MAX_MESSAGE_BYTES


def test_a_bad_from_address_in_the_settings_is_a_render_error() -> None:
    settings = EmailSettings(from_addr="Advocacy\r\nBcc: everyone@example.org <a@example.org>")
    with pytest.raises(RenderError, match=r": email"):
        Email(settings).render(load("cjk.md"), CONTEXT)


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_rendering_is_pure(name: str) -> None:
    update = load(name)
    first, second = Email(SETTINGS).render(update, CONTEXT), Email(SETTINGS).render(update, CONTEXT)
    assert first.files() == second.files()
    assert first.files() == first.files()
    assert draft_digest(first) == draft_digest(second)


def test_files_is_the_message_as_sent() -> None:
    draft = Email(SETTINGS).render(load("full.md"), CONTEXT)
    assert set(draft.files()) == {"email.eml"}
    assert draft.files()["email.eml"] == draft.as_bytes()
    assert b"\r\n" in draft.as_bytes()  # SMTP line endings


REALISTIC = ["consultation.md", "amicus.md", "announcement.md", "explainer.md", "spanish.md", "arabic_update.md"]


@pytest.mark.parametrize("name", REALISTIC)
def test_realistic_updates_wrap_at_72_everywhere(name: str) -> None:
    text = Email(SETTINGS).render(load(name), CONTEXT).message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert [line for line in text.splitlines() if len(line) > WRAP_WIDTH and not unbreakable(line)] == []


def test_a_table_in_text_is_label_value_lines_per_row() -> None:
    text, _ = parts(load("consultation.md"))
    assert (
        "- Proposal: Machine-readable opt-outs (Article 4)\n"
        "  Our position: Support, with a standard\n"
        "  Why: Opt-outs that only lawyers can read cannot be respected at scale\n"
    ) in text
    assert text.count("- Proposal: ") == 4 and "|" not in text


def test_a_long_table_cell_and_a_long_code_line_wrap(tmp_path: Path) -> None:
    cell = "A levy could fall on non-profits that reuse free knowledge and on every volunteer project alike"
    body = f"| Proposal | Why |\n|---|---|\n| Levy | {cell} |\n\n```\nx = '{'y' * 90}'\n```\n"
    text, _ = parts(write(tmp_path, "title: T\ndate: 2026-03-02", body))
    assert "- Proposal: Levy\n  Why: A levy could fall on non-profits that reuse free knowledge and on\n    every" in (
        text)
    assert max(len(line) for line in text.splitlines()) <= WRAP_WIDTH
    assert "    x = 'yyy" in text and "\n      yyy" in text  # the rest of a long code line, indented below


def test_footnotes_are_listed_under_a_notes_heading() -> None:
    text, _ = parts(load("consultation.md"))
    notes = text.split("\nNotes\n-----\n\n", 1)[1]
    assert notes.startswith("[1] Wikimedia Deutschland, Wikimedia France")
    assert "\n[3] See the Commission's own study on TDM and AI [7]" in notes


def test_byline_from_authors_in_both_parts() -> None:
    text, html = parts(load("consultation.md"))
    assert after_title(text).split("\n\n")[1] == "By Global Advocacy team and Anna Schmidt"
    assert "<p>By Global Advocacy team and Anna Schmidt</p>" in html


def test_no_byline_without_authors(tmp_path: Path) -> None:
    text, html = parts(write(tmp_path, "title: T\ndate: 2026-03-02"))
    assert "By " not in text and "<p>By" not in html


def test_the_condensed_email_is_a_real_announcement() -> None:
    update = load("explainer.md")
    draft = Email(SETTINGS).render(update, CONTEXT)
    assert any(warning.startswith("email condensed to highlights") for warning in draft.warnings)
    text = draft.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert " ".join(update.summary.split()) in " ".join(text.split())
    points = " ".join(text.split("Highlights:\n\n", 1)[1].split())
    assert ("- Brazil: the platform accountability bill: Brazil's Congress has been debating a platform "
            'accountability bill, often called the "fake news bill", since 2020.') in points
    assert ("- Frequently asked questions: Does the Foundation comply with these laws? Yes. The Foundation "
            "complies with the laws that apply to it, and it publishes the requests it receives in its "
            "transparency report.") in points
    assert text.rstrip().endswith(f"Read the full post on Diff:\n{DIFF_URL}")


def test_highlights_lead_with_a_full_sentence_never_a_bare_answer() -> None:
    points = highlights(load("consultation.md"))
    assert points[0] == ("What we asked for: Wikipedia is written by volunteers and reused by everyone, including the "
                         "developers of AI systems.")
    assert points[3] == ("Frequently asked questions: Does Wikimedia oppose AI? No. We supported parts of the AI Act "
                         "and we use machine learning ourselves, for example to help patrollers find vandalism.")
    assert not any(point.endswith(": No.") or point.endswith(" No.") for point in points)
    amicus = highlights(load("amicus.md"))
    assert amicus[0] == ("What the brief says: Our brief makes three arguments: Community moderation depends on "
                         "Section 230.")  # a lead-in sentence brings its first item


@pytest.mark.parametrize(("text", "lead"), [
    ("The U.S. Supreme Court heard the case. It ruled later.", "The U.S. Supreme Court heard the case."),
    ("See e.g. the Commission's study. Then more.", "See e.g. the Commission's study."),
    ("Yes. The Foundation complies with the law. More.", "Yes. The Foundation complies with the law."),
    ("文化庁は新しいガイドラインを公表しました。次に意見を募集します。", "文化庁は新しいガイドラインを公表しました。"),
    ("One sentence without an end", "One sentence without an end"),
])  # fmt: skip
def test_lead_sentence(text: str, lead: str) -> None:
    assert lead_sentence(text) == lead


def test_spanish_boilerplate_in_both_parts() -> None:
    text, html = parts(load("spanish.md"))
    assert after_title(text).startswith(
        f"Leer en Diff:\n{DIFF_URL}\n\nPor Equipo de Incidencia Global y Wikimedia Chile\n")
    assert "\nEnlaces:\n[1] https://cl.wikimedia.org/\n" in text
    assert f'<a href="{DIFF_URL}">Leer en Diff</a>' in html and '<html lang="es">' in html
    assert "Read on" not in text + html and "Links:" not in text


def test_arabic_html_is_right_to_left() -> None:
    text, html = parts(load("arabic_update.md"))
    assert html.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
    assert after_title(text).startswith("اقرأ على Diff:")
    assert sent(load("arabic_update.md"))["Content-Language"] == "ar"


# --- the size the list measures: encoded bytes, the same for every script ---------------------------------------

ENGLISH = ("Parliament debated a new cybercrime bill this week. The draft would make platforms remove content within "
           "twenty-four hours of a government request, without a court order. Volunteer editors who write about "
           "history, health and public life could face fines for articles that officials dislike. We asked the "
           "committee to exempt non-profit, community-governed projects and to require judicial review before any "
           "removal.")
ARABIC = ("ناقش البرلمان هذا الأسبوع مشروع قانون جديد للجرائم الإلكترونية. يلزم المشروع المنصات بإزالة المحتوى خلال "
          "أربع وعشرين ساعة من طلب حكومي، من دون أمر قضائي. وقد يواجه المحررون المتطوعون الذين يكتبون عن التاريخ "
          "والصحة والحياة العامة غرامات بسبب مقالات لا تعجب المسؤولين. طلبنا من اللجنة استثناء المشاريع غير الربحية "
          "التي تديرها المجتمعات، واشتراط مراجعة قضائية قبل أي إزالة.")
TITLES = {"en": "The new cybercrime law and the freedom of knowledge",
          "ar": "قانون الجرائم الإلكترونية الجديد وحرية المعرفة"}


def same_length_update(folder: Path, lang: str, words: int) -> Update:
    """A realistic update of exactly `words` words: the paragraph over and over, a section every five paragraphs."""
    paragraph, heading = (ENGLISH, "Part") if lang == "en" else (ARABIC, "القسم")
    out, count = [], 0
    while count < words:
        if len(out) % 6 == 0:
            out.append(f"## {heading} {len(out) // 6 + 1}")
            count += len(out[-1].split())
        take = paragraph.split()[: words - count]
        out.append(" ".join(take))
        count += len(take)
    folder.mkdir(parents=True)
    update = write(folder, f'title: "{TITLES[lang]}"\ndate: 2026-10-08\nlang: {lang}\nslug: cybercrime-{lang}',
                   "\n\n".join(out) + "\n")
    assert len(update.body.split()) == words
    return update


def pair(tmp_path: Path, words: int, **overrides: str) -> dict[str, EmailDraft]:
    settings = SETTINGS.model_copy(update=overrides)
    return {lang: Email(settings).render(same_length_update(tmp_path / lang, lang, words), CONTEXT)
            for lang in ("en", "ar")}


def condensed(draft: EmailDraft) -> bool:
    return any(warning.startswith("email condensed to highlights") for warning in draft.warnings)


@pytest.mark.parametrize("encoding", ["auto", "8bit"])
def test_arabic_and_english_of_equal_length_both_go_whole(tmp_path: Path, encoding: str) -> None:
    drafts = pair(tmp_path, 1000, transfer_encoding=encoding)
    sizes = {lang: len(draft.as_bytes()) for lang, draft in drafts.items()}
    assert not any(condensed(draft) for draft in drafts.values())
    assert all(size <= MAX_MESSAGE_BYTES for size in sizes.values())
    assert sizes["ar"] < 2.5 * sizes["en"]  # UTF-8 Arabic letters are two bytes; quoted-printable made them six
    for draft in drafts.values():
        assert ARABIC.split()[0] in draft.plain() or ENGLISH.split()[0] in draft.plain()


def test_quoted_printable_would_have_cut_the_arabic_update_to_an_announcement(tmp_path: Path) -> None:
    drafts = pair(tmp_path, 1000, transfer_encoding="quoted-printable")
    assert not condensed(drafts["en"]) and condensed(drafts["ar"])


def test_arabic_and_english_of_equal_length_are_both_condensed_past_the_limit(tmp_path: Path) -> None:
    drafts = pair(tmp_path, 3000)
    assert all(condensed(draft) for draft in drafts.values())
    assert all(len(draft.as_bytes()) <= MAX_MESSAGE_BYTES for draft in drafts.values())


def test_the_limit_is_checked_against_the_encoded_message(tmp_path: Path) -> None:
    draft = pair(tmp_path, 1000)["ar"]
    message = email.message_from_bytes(draft.as_bytes(), policy=email.policy.default)
    assert [part["Content-Transfer-Encoding"] for part in message.iter_parts()] == ["base64", "base64"]
    decoded = sum(len(part.get_content().encode()) for part in message.iter_parts())
    assert len(draft.as_bytes()) > decoded  # what the list counts is the encoded bytes, not the text's
    assert f"{len(draft.as_bytes()) / 1024:.1f} KB" in draft.facts()


def test_8bit_sends_utf8_as_it_is_and_is_the_smallest(tmp_path: Path) -> None:
    seven, eight = pair(tmp_path / "7", 1000)["ar"], pair(tmp_path / "8", 1000, transfer_encoding="8bit")["ar"]
    message = email.message_from_bytes(eight.as_bytes(), policy=email.policy.default)
    assert [part["Content-Transfer-Encoding"] for part in message.iter_parts()] == ["8bit", "8bit"]
    assert not eight.as_bytes().isascii() and ARABIC.encode()[:40] in eight.as_bytes()
    assert len(eight.as_bytes()) < len(seven.as_bytes())
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == eight.plain()


def test_8bit_falls_back_to_7bit_for_a_line_too_long_for_smtp(tmp_path: Path) -> None:
    line = " ".join([ARABIC] * 4)  # one source line of well over 998 bytes: the HTML part keeps it whole
    update = write(tmp_path, "title: قانون\ndate: 2026-10-08\nlang: ar\nslug: long-line", line + "\n")
    draft = Email(SETTINGS.model_copy(update={"transfer_encoding": "8bit"})).render(update, CONTEXT)
    encodings = {part.get_content_subtype(): part["Content-Transfer-Encoding"] for part in draft.message.iter_parts()}
    assert encodings == {"plain": "8bit", "html": "base64"}
    assert all(len(raw) <= 1000 for raw in draft.as_bytes().split(b"\r\n"))


# --- the plain text as a plain-text reader expects it ------------------------------------------------------------


@pytest.mark.parametrize("name", ["full.md", "cyrillic.md", "cjk.md", "arabic_update.md", "spanish.md"])
def test_the_plain_text_opens_with_the_title_underlined(name: str) -> None:
    update = load(name)
    text, _ = parts(update)
    *title_lines, underline = text.split("\n\n", 1)[0].splitlines()
    assert " ".join(title_lines) == update.title and set(underline) == {"="}
    widest = max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in title_lines)
    assert len(underline) == min(widest, WRAP_WIDTH)  # as wide as the title looks, CJK characters two columns


def test_a_condensed_email_opens_with_the_title_too() -> None:
    update = load("explainer.md")
    draft = Email(SETTINGS).render(update, CONTEXT)
    assert condensed(draft)
    assert " ".join(draft.plain().split("\n=")[0].split()) == update.title


@pytest.mark.parametrize(("lang", "alt", "label"), [
    ("en", "A chart of active editors in 2020 and 2026", "[Image: A chart of active editors in 2020 and 2026]"),
    ("fr", "Un graphique des contributeurs actifs", "[Image: Un graphique des contributeurs actifs]"),
    ("ru", "График активных участников", "[Изображение: График активных участников]"),
    ("ar", "رسم بياني للمحررين النشطين", "[صورة: رسم بياني للمحررين النشطين]"),
    ("zh", "活跃编者人数图表", "[图片: 活跃编者人数图表]"),
])  # fmt: skip
def test_an_image_is_a_labelled_line_never_bare_alt_text(tmp_path: Path, lang: str, alt: str, label: str) -> None:
    solid_png(tmp_path / "chart.png", (30, 90, 160))
    body = f"Before the chart.\n\n![{alt}](chart.png)\n\nAfter the chart, with ![{alt}](chart.png) inline.\n"
    update = write(tmp_path, f"title: T\ndate: 2026-10-08\nlang: {lang}", body)
    text = Email(SETTINGS).render(update, CONTEXT).plain()
    lines = text.splitlines()
    assert label in lines  # the lone image: a line of its own
    assert alt not in [line.strip() for line in lines]  # never a bare paragraph of alt text
    assert f"with {label} inline." in " ".join(text.split())


def test_a_realistic_update_shows_its_body_image_labelled() -> None:
    update = load("amicus.md")
    text = " ".join(Email(SETTINGS).render(update, CONTEXT).plain().split())
    alt = update.images[0].alt
    assert f"[Image: {alt}]" in text and text.count(alt) == 1


def test_an_image_without_alt_text_is_still_labelled(tmp_path: Path) -> None:
    solid_png(tmp_path / "chart.png", (200, 90, 10))
    update = write(tmp_path, "title: T\ndate: 2026-10-08", "Text.\n\n![](chart.png)\n")
    assert "\n[Image]\n" in Email(SETTINGS).render(update, CONTEXT).plain()


def test_highlights_never_lead_with_an_image(tmp_path: Path) -> None:
    solid_png(tmp_path / "chart.png", (10, 200, 10))
    update = write(tmp_path, "title: T\ndate: 2026-10-08",
                   "## Findings\n\n![A chart of the findings](chart.png)\n\nThe findings are clear. More follows.\n")
    assert highlights(update) == ["Findings: The findings are clear."]


@pytest.mark.parametrize(("body", "shown", "url"), [
    ('See <a href="https://meta.wikimedia.org/wiki/Policy">the policy page</a> first.\n',
     "See the policy page [1] first.", "https://meta.wikimedia.org/wiki/Policy"),
    ("Voir <a href='https://fr.wikipedia.org/wiki/Droit_d%27auteur'>l'article</a>.\n",
     "Voir l'article [1].", "https://fr.wikipedia.org/wiki/Droit_d%27auteur"),
    ('<p>Прочитайте <a href="https://ru.wikipedia.org/wiki/Авторское_право">статью</a> &amp; комментарии.</p>\n',
     "Прочитайте статью [1] & комментарии.", "https://ru.wikipedia.org/wiki/Авторское_право"),
    ('<div>阅读<a href="https://zh.wikipedia.org/wiki/版权">这篇文章</a>。</div>\n',
     "阅读这篇文章 [1]。", "https://zh.wikipedia.org/wiki/版权"),
])  # fmt: skip
def test_a_raw_html_link_keeps_its_url(tmp_path: Path, body: str, shown: str, url: str) -> None:
    text = Email(SETTINGS).render(write(tmp_path, "title: T\ndate: 2026-10-08", body), CONTEXT).plain()
    assert shown in " ".join(text.split())
    assert text.endswith(f"\n[1] {url}\n")


def test_a_raw_html_link_to_a_script_shows_only_its_text(tmp_path: Path) -> None:
    body = 'Do <a href="javascript:alert(1)">not click</a> and <a href="https://diff.wikimedia.org/">read</a>.\n'
    text = Email(SETTINGS).render(write(tmp_path, "title: T\ndate: 2026-10-08", body), CONTEXT).plain()
    assert "Do not click and read [1]." in text and "javascript" not in text
    assert text.endswith("\n[1] https://diff.wikimedia.org/\n")


@pytest.mark.parametrize("text", [
    "Plain English, one line.\n", "Trailing space \nand tab\t\nand = sign and a very long line " + "x" * 300,
    "Свобода знаний — «кавычки»\n" * 40, "日本語の文です。" * 60, "ناقش البرلمان مشروع قانون جديد\r\n" * 30,
    "mixed é à ü " * 50 + "\n\n\nblank lines", "<p>html &amp; <a href=\"https://x.org/?a=1&b=2\">link</a></p>\n" * 20,
])
@pytest.mark.parametrize("encoding", ["quoted-printable", "base64"])
def test_encoded_size_is_what_the_email_package_encodes(text: str, encoding: str) -> None:
    from email.message import EmailMessage
    from email.policy import SMTP

    from channels.email.render import encoded_size

    for subtype in ("plain", "html"):
        part = EmailMessage(policy=SMTP)
        part.set_content(text, subtype=subtype, cte=encoding)
        assert encoded_size(text, encoding) == len(part.get_payload())
