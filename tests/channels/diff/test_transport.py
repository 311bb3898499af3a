"""channels.diff.transport: real posts on a real WordPress, and error paths through httpx.MockTransport."""

from __future__ import annotations

import datetime as dt
import json
import struct
import zlib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from channels.diff.render import Diff, DiffDraft
from channels.diff.settings import DiffSettings
from channels.diff.transport import WordPressTransport, term_slug
from channels.registry import load_update
from herald.core.draft import RenderContext
from herald.core.ledger import Ledger
from herald.core.transport import PreflightError, TransientError, TransportError

PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"
ALT = "A map of the countries where the team worked on policy this month"


def png(width: int = 6, height: int = 4) -> bytes:
    """A small real RGB PNG."""
    rows = b"".join(b"\0" + b"".join(bytes((x * 40, y * 60, 200)) for x in range(width)) for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def write_update(folder: Path, slug: str, *, image: bool = True, publish_at: str | None = None) -> DiffDraft:
    """Render a DiffDraft from an update file written under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    front = [
        f'title: "Don\'t Blink: {slug}"', "date: 2026-10-01",
        "summary: A copyright win in Chile and the UK Online Safety codes.",
        "tags: [policy, copyright, Online Safety]", f"slug: {slug}", "diff:",
        "  categories: [Advocacy, Don't Blink]", "  status: publish",
    ]  # fmt: skip
    if image:
        (folder / "map.png").write_bytes(png())
        front += ["image: map.png", f"image_alt: {ALT}"]
    if publish_at:
        front.append(f"publish_at: {publish_at}")
    body = "Chile **widened** its copyright exceptions.\n\n## UK\n\n1. We filed comments.\n\n> Not social media.\n"
    path = folder / f"{slug}.md"
    path.write_text("---\n" + "\n".join(front) + "\n---\n" + body, encoding="utf-8")
    update = load_update(path, folder)
    return Diff().render(update, RenderContext(diff_url=f"https://diff.example.org/{slug}/"))


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Callable[[str], Ledger]]:
    """A ledger that knows the slugs it is asked for."""
    made = Ledger.at(tmp_path / "herald.db")

    def knowing(slug: str) -> Ledger:
        made.record_update(slug, f"{slug}.md", slug, dt.date(2026, 10, 1))
        return made

    yield knowing
    made.close()


def settings(base_url: str, password: str = PASSWORD) -> DiffSettings:
    return DiffSettings(transport="live", base_url=base_url, username="admin", app_password=SecretStr(password),
                        timeout_seconds=20)  # fmt: skip


# --- against the real WordPress ---------------------------------------------------------------------------------


def live(site, ledger: Ledger, slug: str, password: str | None = None, **kwargs) -> WordPressTransport:  # noqa: ANN001
    return WordPressTransport(settings(site.base_url, password or site.app_password), ledger, slug, **kwargs)


@pytest.mark.live
def test_publish_and_read_back(wordpress, ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "live-read-back"
    draft = write_update(tmp_path, slug)
    transport = live(wordpress, ledger(slug), slug)
    transport.preflight(draft)
    receipt = transport.send(draft)

    post = wordpress.get(f"posts/{receipt.remote_id}", context="edit").json()
    assert (receipt.channel, receipt.status, receipt.url) == ("diff", "published", post["link"])
    assert post["title"]["raw"] == draft.title
    assert post["content"]["raw"] == draft.content
    assert post["excerpt"]["raw"] == draft.excerpt
    assert (post["status"], post["slug"]) == ("publish", slug)
    tags = wordpress.get("tags", include=",".join(map(str, post["tags"]))).json()
    assert sorted(tag["name"] for tag in tags) == sorted(draft.tags)
    categories = wordpress.get("categories", include=",".join(map(str, post["categories"]))).json()
    assert sorted(category["name"] for category in categories) == ["Advocacy", "Don't Blink"]
    assert {category["slug"] for category in categories} == {"advocacy", "dont-blink"}

    media = wordpress.get(f"media/{post['featured_media']}", context="edit").json()
    assert (media["alt_text"], media["mime_type"], media["post"]) == (ALT, "image/png", None)
    stored = wordpress.content_dir / "uploads" / media["media_details"]["file"]
    assert stored.read_bytes() == draft.image_file.read_bytes()
    parts = {(part.kind, part.status) for part in ledger(slug).parts(slug, "diff")}
    assert parts == {("term", "done"), ("media", "done"), ("post", "done")}


@pytest.mark.live
def test_second_send_creates_nothing(wordpress, ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "live-rerun"
    draft = write_update(tmp_path, slug)
    first = live(wordpress, ledger(slug), slug).send(draft)
    posts, media, tags = wordpress.total("posts", status="any"), wordpress.total("media"), wordpress.total("tags")

    again = live(wordpress, ledger(slug), slug).send(draft)
    assert (again.remote_id, again.url, again.status) == (first.remote_id, first.url, "published")
    assert again.detail == "already on the site"
    assert (wordpress.total("posts", status="any"), wordpress.total("media"), wordpress.total("tags")) == (
        posts, media, tags,
    )  # fmt: skip
    assert len(wordpress.get("posts", slug=slug, status="any").json()) == 1


@pytest.mark.live
def test_rerun_after_a_crash_reuses_the_uploaded_image(wordpress, ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "live-crash"
    draft = write_update(tmp_path, slug)
    real = httpx.HTTPTransport()

    def crash_on_post(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "posts" in str(request.url):
            raise httpx.ConnectError("connection reset", request=request)
        return real.handle_request(request)

    with httpx.Client(transport=httpx.MockTransport(crash_on_post)) as crashing, pytest.raises(TransientError):
        live(wordpress, ledger(slug), slug, client=crashing).send(draft)
    media = wordpress.total("media")
    [part] = ledger(slug).parts(slug, "diff", "media")

    receipt = live(wordpress, ledger(slug), slug).send(draft)
    post = wordpress.get(f"posts/{receipt.remote_id}").json()
    assert wordpress.total("media") == media
    assert str(post["featured_media"]) == part.remote_id


@pytest.mark.live
def test_future_post(wordpress, ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "live-future"
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0)
    draft = write_update(tmp_path, slug, image=False, publish_at=ahead.isoformat())
    receipt = live(wordpress, ledger(slug), slug).send(draft)
    post = wordpress.get(f"posts/{receipt.remote_id}", context="edit").json()
    assert (draft.status, post["status"]) == ("future", "future")
    assert post["date_gmt"] == draft.date == ahead.strftime("%Y-%m-%dT%H:%M:%S")
    assert post["featured_media"] == 0


@pytest.mark.live
def test_bad_password_fails_preflight_and_creates_nothing(wordpress, ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "live-bad-password"
    draft = write_update(tmp_path, slug)
    counts = (wordpress.total("posts", status="any"), wordpress.total("media"), wordpress.total("tags"))
    transport = live(wordpress, ledger(slug), slug, password=PASSWORD)
    # WordPress 6.1 reports `incorrect_password` only when something resolved the user before its REST
    # authentication check; on a bare site the route's permission check answers `rest_not_logged_in`.
    reason = r"\((incorrect_password|rest_not_logged_in)\)"
    with pytest.raises(PreflightError, match=r"^diff: WordPress rejected the credentials for user 'admin' " + reason):
        transport.preflight(draft)
    with pytest.raises(TransportError) as raised:
        transport.send(draft)
    assert not raised.value.transient and PASSWORD not in str(raised.value)
    assert (wordpress.total("posts", status="any"), wordpress.total("media"), wordpress.total("tags")) == counts


@pytest.mark.live
def test_site_without_pretty_permalinks(wordpress, ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "live-plain-permalinks"
    draft = write_update(tmp_path, slug, image=False)
    wordpress.set_permalinks("")
    try:
        transport = live(wordpress, ledger(slug), slug)
        transport.preflight(draft)
        receipt = transport.send(draft)
    finally:
        wordpress.set_permalinks("/%year%/%monthnum%/%day%/%postname%/")
    assert "?p=" in receipt.url
    assert wordpress.get(f"posts/{receipt.remote_id}").json()["slug"] == slug


@pytest.mark.live
def test_unreachable_site_fails_preflight(ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "unreachable"
    draft = write_update(tmp_path, slug, image=False)
    transport = WordPressTransport(settings("http://127.0.0.1:9"), ledger(slug), slug)
    with pytest.raises(PreflightError, match=r"^diff: cannot reach 127\.0\.0\.1:9 \(connection refused\)$"):
        transport.preflight(draft)


def author(site, name: str) -> str:  # noqa: ANN001
    """An author (no `unfiltered_html`: WordPress runs kses on what they post) with an application password."""
    return site.php(
        f"$id = wp_insert_user(['user_login' => '{name}', 'user_pass' => wp_generate_password(), "
        f"'user_email' => '{name}@example.org', 'role' => 'author']);"
        "if (is_wp_error($id) || user_can($id, 'unfiltered_html')) { fwrite(STDERR, 'no author'); exit(1); }"
        "$created = WP_Application_Passwords::create_new_application_password($id, ['name' => 'herald']);"
        "echo $created[0];"
    ).strip()


class _Divs(HTMLParser):
    """Every `div` of a page with its attributes and the text inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.divs: list[tuple[dict[str, str | None], list[str]]] = []
        self.open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div":
            self.open.append(len(self.divs))
            self.divs.append((dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for index in self.open:
            self.divs[index][1].append(data)


def divs(html: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Divs()
    parser.feed(html)
    return [(attrs, " ".join("".join(text).split())) for attrs, text in parser.divs]


@pytest.mark.live
def test_an_rtl_post_keeps_dir_and_lang_through_kses_for_an_author(wordpress, ledger, tmp_path: Path) -> None:  # noqa: ANN001
    slug = "live-rtl-author"
    name = "rtl-author"
    password = author(wordpress, name)
    source = (Path(__file__).resolve().parents[2] / "fixtures" / "updates" / "arabic_update.md").read_text("utf-8")
    path = tmp_path / "arabic.md"
    path.write_text(source.replace("tags: [سياسة, حرية المعرفة]", f"slug: {slug}\ndiff: {{categories: [Advocacy]}}"),
                    encoding="utf-8")
    draft = Diff().render(load_update(path, tmp_path), RenderContext(diff_url="https://diff.example.org/rtl/"))
    sender = WordPressTransport(DiffSettings(transport="live", base_url=wordpress.base_url, username=name,
                                             app_password=SecretStr(password), timeout_seconds=20),
                                ledger(slug), slug)
    sender.preflight(draft)
    receipt = sender.send(draft)

    edit = httpx.get(f"{wordpress.base_url}/", params={"rest_route": f"/wp/v2/posts/{receipt.remote_id}",
                                                       "context": "edit"}, auth=(name, password), timeout=30).json()
    assert edit["content"]["raw"] == draft.content  # kses kept every attribute: the raw post is what was sent
    view = wordpress.get(f"posts/{receipt.remote_id}", context="view").json()["content"]["rendered"]
    (outer, text), *_ = divs(view)
    assert (outer.get("lang"), outer.get("dir")) == ("ar", "rtl")
    assert "ناقش البرلمان هذا الشهر مشروع قانون جديد" in text and "الخطوات التالية" in text  # the whole post inside

    # The control: the same author's markup with an event handler loses it, keeping dir and lang (kses did run).
    control = httpx.post(f"{wordpress.base_url}/", params={"rest_route": "/wp/v2/posts"}, auth=(name, password),
                         json={"title": "kses control", "status": "draft",
                               "content": '<div lang="fa" dir="rtl" onclick="alert(1)">متن</div>'}, timeout=30)
    raw = wordpress.get(f"posts/{control.json()['id']}", context="edit").json()["content"]["raw"]
    assert "onclick" not in raw and '<div lang="fa" dir="rtl">' in raw


# --- error paths through httpx.MockTransport -------------------------------------------------------------------


def mocked(handler: Callable[[httpx.Request], httpx.Response], ledger: Ledger, slug: str) -> WordPressTransport:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return WordPressTransport(settings("https://diff.example.org"), ledger, slug, client=client)


def route(request: httpx.Request) -> str:
    return request.url.path.removeprefix("/wp-json/wp/v2/")


def test_term_exists_reuses_the_existing_term(ledger, tmp_path: Path) -> None:  # noqa: ANN001
    draft = write_update(tmp_path, "mock-terms", image=False)
    sent: dict = {}

    def handler(request: httpx.Request) -> httpx.Response:
        match request.method, route(request):
            case "GET", "posts":
                return httpx.Response(200, json=[])
            case "GET", "categories":  # every asked slug (one lookup: `slug=a,b`) is there, as term 7
                return httpx.Response(200, json=[{"id": 7, "slug": slug}
                                                 for slug in request.url.params["slug"].split(",")])
            case "GET", "tags":
                return httpx.Response(200, json=[])
            case "POST", "tags":
                name = json.loads(request.content)["name"]
                return httpx.Response(
                    400,
                    json={
                        "code": "term_exists",
                        "message": "A term with the name provided already exists.",
                        "data": {"status": 400, "term_id": len(name)},
                    },
                )
            case "POST", "posts":
                sent.update(json.loads(request.content))
                return httpx.Response(201, json={"id": 99, "link": "https://diff.example.org/p/", "status": "publish"})
        raise AssertionError(f"unexpected {request.method} {request.url}")

    receipt = mocked(handler, ledger("mock-terms"), "mock-terms").send(draft)
    assert sent["tags"] == [len(name) for name in draft.tags]
    assert sent["categories"] == [7, 7]
    assert (receipt.remote_id, receipt.url) == ("99", "https://diff.example.org/p/")


def test_5xx_and_429_on_a_read_are_transient(ledger, tmp_path: Path) -> None:  # noqa: ANN001
    draft = write_update(tmp_path, "mock-5xx", image=False)
    for status, headers in ((503, {"Retry-After": "7"}), (429, {"Retry-After": "30"}), (500, {})):

        def handler(request: httpx.Request, status: int = status, headers: dict = headers) -> httpx.Response:
            return httpx.Response(status, json={"code": "busy", "message": "Try later"}, headers=headers)

        with pytest.raises(TransientError) as raised:
            mocked(handler, ledger("mock-5xx"), "mock-5xx").send(draft)
        assert raised.value.retry_after == (float(headers["Retry-After"]) if headers else None)
        assert f"GET posts answered {status}: busy: Try later" in str(raised.value)


def test_401_names_the_code_never_the_password(ledger, tmp_path: Path) -> None:  # noqa: ANN001
    draft = write_update(tmp_path, "mock-401", image=False)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            401,
            json={
                "code": "incorrect_password",
                "message": "The provided password is an invalid application password.",
                "data": {"status": 401},
            },
        )

    transport = mocked(handler, ledger("mock-401"), "mock-401")
    with pytest.raises(PreflightError) as preflight:
        transport.preflight(draft)
    with pytest.raises(TransportError) as send:
        transport.send(draft)
    assert str(preflight.value) == "diff: WordPress rejected the credentials for user 'admin' (incorrect_password)"
    assert not send.value.transient and "incorrect_password" in str(send.value)
    for error in (preflight.value, send.value):
        assert PASSWORD not in str(error) and PASSWORD not in repr(error.__cause__) and "Basic " not in str(error)
    assert seen[0].headers["Authorization"].startswith("Basic ")  # it was sent, only never echoed


def test_without_pretty_permalinks_routes_go_through_rest_route(ledger, tmp_path: Path) -> None:  # noqa: ANN001
    draft = write_update(tmp_path, "mock-plain", image=False)
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(f"{request.method} {request.url.path} {request.url.params.get('rest_route', '')}")
        if request.url.path.startswith("/wp-json/"):
            return httpx.Response(200, html="<html>home</html>")
        return httpx.Response(200, json={"id": 1})

    mocked(handler, ledger("mock-plain"), "mock-plain").preflight(draft)
    assert paths == ["GET /wp-json/wp/v2/users/me ", "GET / /wp/v2/users/me"]


def test_preflight_checks_capabilities(ledger, tmp_path: Path) -> None:  # noqa: ANN001
    draft = write_update(tmp_path, "mock-caps")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": 3, "capabilities": {"edit_posts": True, "upload_files": True}})

    with pytest.raises(PreflightError, match=r"^diff: WordPress user 'admin' lacks publish_posts$"):
        mocked(handler, ledger("mock-caps"), "mock-caps").preflight(draft)


def test_term_slugs_match_wordpress() -> None:
    assert [term_slug(name) for name in ("Don't Blink", "Online Safety", "Don’t Blink")] == [
        "dont-blink", "online-safety", "dont-blink",
    ]  # fmt: skip
