"""The fault-injecting contract fakes themselves: FaultPlan, RecordingServer faults, FakeX's timeline,
FakeMedium, FakeWordPress (through the real WordPressTransport) and the SMTP Mailbox's faults."""

from __future__ import annotations

import base64
import datetime as dt
import email
import re
import smtplib
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import requests
import smtp_server
import tweepy
from faults import Decision, Fault, FaultPlan
from medium_api import USER as MEDIUM_USER
from medium_api import FakeMedium
from pydantic import SecretStr
from wordpress_api import FakeWordPress
from x_api import USER as X_USER
from x_api import FakeX

from channels.diff.render import Diff, DiffDraft
from channels.diff.settings import DiffSettings
from channels.diff.transport import WordPressTransport
from channels.email.render import Email
from channels.email.settings import EmailSettings
from channels.email.transport import SmtpTransport
from channels.registry import load_update
from channels.twitter.settings import TwitterSettings
from channels.twitter.transport import make_client
from herald.core.draft import RenderContext
from herald.core.ledger import Ledger
from herald.core.transport import TransportError

pytestmark = pytest.mark.live

TOKEN = "medium-token-selftest"
POSTS = f"/v1/users/{MEDIUM_USER['id']}/posts"
ARTICLE = {"title": "Don't Blink", "contentFormat": "html", "content": "<h1>Don't Blink</h1>", "publishStatus": "draft"}
X_SECRETS = {"consumer_key": "ck-selftest", "consumer_secret": "cs-selftest-secret",
             "access_token": "1467726470533754880-at-selftest", "access_token_secret": "ats-selftest-secret"}
WP_USER, WP_PASSWORD = "admin", "abcd EFGH ijkl MNOP qrst UVWX"
SMTP_USER, SMTP_PASSWORD = "herald", "smtp-selftest-pw"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def medium(faults: FaultPlan | None = None) -> FakeMedium:
    return FakeMedium(TOKEN, faults=faults)


def post_article(fake: FakeMedium, client: httpx.Client, title: str = "Don't Blink") -> httpx.Response:
    return client.post(fake.url + POSTS, json={**ARTICLE, "title": title},
                       headers={"Authorization": f"Bearer {TOKEN}"})


# --- FaultPlan ---------------------------------------------------------------------------------------------------


def decisions(plan: FaultPlan, writes: int = 200) -> list[Fault | None]:
    return [plan.decide("POST", f"/things/{n}") for n in range(writes)]


def test_same_seed_same_decisions_and_counts() -> None:
    first = decisions(FaultPlan(0.3, seed=7, after=("drop", "reset", "500", "504"), before=("refuse", "drop")))
    second = decisions(FaultPlan(0.3, seed=7, after=("drop", "reset", "500", "504"), before=("refuse", "drop")))
    other = decisions(FaultPlan(0.3, seed=8, after=("drop", "reset", "500", "504"), before=("refuse", "drop")))
    assert first == second and first != other
    plan = FaultPlan(0.3, seed=7)
    made = decisions(plan)
    faults = [fault for fault in made if fault]
    assert 30 <= len(faults) <= 90 and {f.mode for f in faults} == {"before", "after"}
    assert plan.injected == len(faults) == plan.counts["before"] + plan.counts["after"]
    assert plan.counts["none"] == 200 - len(faults) and len(plan.history) == 200
    assert plan.variants == {"before:refuse": plan.counts["before"], "after:drop": plan.counts["after"]}
    assert plan.history[0] == Decision(1, "POST", "/things/0", made[0])
    assert plan.summary()["injected"] == len(faults)


def test_reads_and_unlisted_methods_are_never_faulted_nor_counted() -> None:
    plan = FaultPlan(1.0, seed=1, methods=("POST", "PUT"))
    assert [plan.decide(method, "/x") for method in ("GET", "HEAD", "OPTIONS", "DELETE")] == [None] * 4
    assert plan.history == [] and plan.decide("put", "/x") is not None
    assert FaultPlan(1.0, seed=1, methods=("GET",)).decide("GET", "/x") is None


def test_share_limit_paths_modes_and_suspension() -> None:
    assert not any(decisions(FaultPlan(0.0, seed=3)))
    assert all(fault and fault.mode == "after" for fault in decisions(FaultPlan(1.0, seed=3, modes=("after",))))
    limited = FaultPlan(1.0, seed=3, limit=2)
    assert sum(map(bool, decisions(limited, 10))) == 2 == limited.injected
    only_tweets = FaultPlan(1.0, seed=3, paths=[r"^/2/tweets$"])
    assert only_tweets.decide("POST", "/2/tweets") and only_tweets.decide("POST", "/2/media") is None
    plan = FaultPlan(1.0, seed=3)
    with plan.suspended():
        assert plan.decide("POST", "/x") is None
    assert plan.decide("POST", "/x") is not None and len(plan.history) == 1
    for bad in ({"share": 1.5}, {"modes": ("sideways",)}, {"before": ("999",)}, {"after": ()}):
        with pytest.raises(ValueError):
            FaultPlan(**{"share": 0.5, "seed": 1, **bad})


def test_a_plan_is_thread_safe() -> None:
    plan = FaultPlan(0.5, seed=11)
    threads = [threading.Thread(target=decisions, args=(plan, 500)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(plan.history) == 4000 == plan.counts["none"] + plan.injected
    assert sorted(decision.number for decision in plan.history) == list(range(1, 4001))
    assert [d.fault for d in sorted(plan.history, key=lambda d: d.number)] == decisions(FaultPlan(0.5, seed=11), 4000)


# --- HTTP faults (RecordingServer, through FakeMedium) ------------------------------------------------------------


def test_after_drop_applies_the_write_but_no_answer_comes() -> None:
    with medium(FaultPlan(1.0, seed=1, modes=("after",))) as fake, httpx.Client(timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            post_article(fake, client)
        assert [post["title"] for post in fake.posts] == ["Don't Blink"]
        (injected,) = fake.injected
        assert injected.fault == Fault("after", "drop") and injected.reply[0] == 201
        assert injected.request is fake.requests[-1]
        # the server survived, and reads are never faulted
        me = client.get(fake.url + "/v1/me", headers={"Authorization": f"Bearer {TOKEN}"})
        assert me.status_code == 200 and me.json()["data"]["id"] == MEDIUM_USER["id"]
        with pytest.raises(httpx.RemoteProtocolError):
            post_article(fake, client, "Second")
        assert len(fake.posts) == 2 and fake.faults.counts == {"after": 2}


def test_after_reset_and_after_5xx() -> None:
    with medium(FaultPlan(1.0, seed=1, modes=("after",), after=("reset",))) as fake, httpx.Client(timeout=5) as c:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as raised:
            post_article(fake, c)
        assert isinstance(raised.value, httpx.ReadError)  # an RST: ECONNRESET while reading the reply
        assert len(fake.posts) == 1
    for status in (500, 504):
        plan = FaultPlan(1.0, seed=1, modes=("after",), after=(str(status),))
        with medium(plan) as fake, httpx.Client(timeout=5) as client:
            response = post_article(fake, client)
            assert response.status_code == status and "errors" in response.json()
            assert len(fake.posts) == 1 and plan.variants == {f"after:{status}": 1}


def test_before_refuse_answers_503_and_applies_nothing() -> None:
    plan = FaultPlan(1.0, seed=1, modes=("before",), retry_after=2)
    with medium(plan) as fake, httpx.Client(timeout=5) as client:
        response = post_article(fake, client)
        assert response.status_code == 503 and response.headers["retry-after"] == "2"
        assert response.json()["errors"][0]["message"]
        assert fake.posts == [] and fake.injected[0].reply is None
        assert plan.counts == {"before": 1}


def test_before_drop_and_reset_apply_nothing() -> None:
    plan = FaultPlan(1.0, seed=1, modes=("before",), before=("drop", "reset"))
    with medium(plan) as fake, httpx.Client(timeout=5) as client:
        for _ in range(6):
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                post_article(fake, client)
        assert fake.posts == [] and len(fake.calls("POST", POSTS)) == 6
        assert set(plan.variants) == {"before:drop", "before:reset"}


def test_same_seed_same_outcomes_against_the_server() -> None:
    def run(seed: int) -> list[str]:
        outcomes = []
        with medium(FaultPlan(0.5, seed=seed)) as fake, httpx.Client(timeout=5) as client:
            for n in range(20):
                try:
                    outcomes.append(str(post_article(fake, client, f"Post {n}").status_code))
                except httpx.HTTPError as error:
                    outcomes.append(type(error).__name__)
            outcomes.append(f"stored {len(fake.posts)}")
        return outcomes

    first = run(5)
    assert first == run(5) and first != run(6)
    assert {"201", "503", "RemoteProtocolError"} <= set(first)


def test_scripted_failures_still_win_and_consume_no_decision() -> None:
    plan = FaultPlan(1.0, seed=1)
    with medium(plan) as fake, httpx.Client(timeout=5) as client:
        fake.fail_once("POST", POSTS, 429, {"errors": [{"message": "slow down", "code": -1}]})
        assert post_article(fake, client).status_code == 429
        assert plan.history == [] and fake.posts == []


# --- FakeX: faults and the timeline through tweepy ---------------------------------------------------------------


@pytest.fixture
def x_fake() -> Iterator[FakeX]:
    with FakeX(**X_SECRETS) as fake:
        yield fake


def x_client(fake: FakeX) -> tweepy.Client:
    values = {name: SecretStr(value) for name, value in X_SECRETS.items()}
    return make_client(TwitterSettings(api_base=fake.url, timeout_seconds=5, **values))


def test_x_after_fault_stores_the_tweet_and_tweepy_gets_no_answer() -> None:
    with FakeX(**X_SECRETS, faults=FaultPlan(1.0, seed=2, modes=("after",))) as fake:
        client = x_client(fake)
        with pytest.raises(requests.ConnectionError):
            client.create_tweet(text="lost reply", user_auth=True)
        assert [tweet.text for tweet in fake.tweets] == ["lost reply"]
        assert client.get_me(user_auth=True).data.id == int(X_USER["id"])  # GET never faulted
        timeline = client.get_users_tweets(X_USER["id"], user_auth=True)
        assert [tweet.text for tweet in timeline.data] == ["lost reply"]


def test_x_before_fault_is_a_503_and_stores_nothing() -> None:
    with FakeX(**X_SECRETS, faults=FaultPlan(1.0, seed=2, modes=("before",))) as fake:
        with pytest.raises(tweepy.errors.TwitterServerError) as raised:
            x_client(fake).create_tweet(text="refused", user_auth=True)
        assert raised.value.response.status_code == 503 and fake.tweets == []


def test_x_timeline_through_tweepy_newest_first_with_replies(x_fake: FakeX) -> None:
    client = x_client(x_fake)
    assert client.get_users_tweets(X_USER["id"], user_auth=True).meta == {"result_count": 0}
    ids: list[str] = []
    for number in range(1, 13):
        reply = ids[-1] if ids else None
        ids.append(client.create_tweet(text=f"tweet {number}", in_reply_to_tweet_id=reply, user_auth=True).data["id"])

    page = client.get_users_tweets(X_USER["id"], max_results=5, user_auth=True,
                                   tweet_fields=["referenced_tweets", "created_at", "conversation_id"])
    request = x_fake.requests[-1]
    assert request.path == f"/2/users/{X_USER['id']}/tweets" and x_fake.oauth(request) is not None
    assert request.query["tweet.fields"] == "referenced_tweets,created_at,conversation_id"
    assert [tweet.id for tweet in page.data] == [int(i) for i in reversed(ids[-5:])]
    newest = page.data[0]
    assert newest.text == "tweet 12" and newest.edit_history_tweet_ids == [int(ids[-1])]
    assert [(ref.type, ref.id) for ref in newest.referenced_tweets] == [("replied_to", int(ids[-2]))]
    assert newest.conversation_id == int(ids[0]) and isinstance(newest.created_at, dt.datetime)
    assert page.meta["result_count"] == 5 and page.meta["newest_id"] == ids[-1]
    assert page.meta["oldest_id"] == ids[-5] and page.meta["next_token"]

    seen = [tweet.id for tweet in page.data]
    token = page.meta["next_token"]
    while token:
        more = client.get_users_tweets(X_USER["id"], max_results=5, pagination_token=token, user_auth=True,
                                       tweet_fields="referenced_tweets")
        seen += [tweet.id for tweet in more.data]
        token = more.meta.get("next_token")
    assert seen == [int(i) for i in reversed(ids)]
    first = x_fake.requests[-1]
    assert first.query["pagination_token"]
    oldest = client.get_users_tweets(X_USER["id"], max_results=100, user_auth=True,
                                     tweet_fields=["referenced_tweets"]).data[-1]
    assert oldest.id == int(ids[0]) and oldest.referenced_tweets is None

    plain = client.get_users_tweets(X_USER["id"], user_auth=True).data[0]  # default fields only, as on X
    assert set(plain.data) == {"id", "text", "edit_history_tweet_ids"}
    assert [tweet.text for tweet in x_fake.thread(ids[0])] == [f"tweet {n}" for n in range(1, 13)]


def test_x_timeline_refuses_other_users_bad_parameters_and_bad_signatures(x_fake: FakeX) -> None:
    client = x_client(x_fake)
    with pytest.raises(tweepy.errors.NotFound):
        client.get_users_tweets("12345", user_auth=True)
    with pytest.raises(tweepy.errors.BadRequest):
        client.get_users_tweets(X_USER["id"], max_results=3, user_auth=True)
    with pytest.raises(tweepy.errors.BadRequest):
        client.get_users_tweets(X_USER["id"], pagination_token="garbage!", user_auth=True)
    wrong = {name: SecretStr(value) for name, value in X_SECRETS.items()}
    wrong["consumer_secret"] = SecretStr("wrong")
    with pytest.raises(tweepy.errors.Unauthorized):
        make_client(TwitterSettings(api_base=x_fake.url, **wrong)).get_users_tweets(X_USER["id"], user_auth=True)


def test_x_shortens_urls_like_t_co() -> None:
    text = "Read it: https://diff.example.org/2026/10/08/dont-blink/ & example.org too."
    with FakeX(**X_SECRETS, shorten_urls=True, escape_html=True) as fake:
        client = x_client(fake)
        created = client.create_tweet(text=text, user_auth=True).data
        (stored,) = fake.tweets
        assert created["text"] == stored.text != text and stored.original == text
        assert stored.text.startswith("Read it: https://t.co/") and stored.text.endswith(" too.")
        assert " &amp; " in stored.text
        item = client.get_users_tweets(X_USER["id"], user_auth=True, tweet_fields=["entities"]).data[0]
        urls = item.entities["urls"]
        assert [url["expanded_url"] for url in urls] == ["https://diff.example.org/2026/10/08/dont-blink/",
                                                          "http://example.org"]
        for url in urls:
            assert item.text[url["start"]:url["end"]] == url["url"]
            assert len(url["url"]) == len("https://t.co/") + 10
        with pytest.raises(tweepy.errors.Forbidden):  # the duplicate check sees through the shortening
            client.create_tweet(text=text, user_auth=True)


# --- FakeWordPress -----------------------------------------------------------------------------------------------


def diff_draft(folder: Path, slug: str, *, image: bool = True) -> DiffDraft:
    folder.mkdir(parents=True, exist_ok=True)
    front = [f'title: "Don\'t Blink: {slug}"', "date: 2026-10-01", "summary: A copyright win in Chile.",
             "tags: [policy, copyright, Online Safety]", f"slug: {slug}", "diff:",
             "  categories: [Advocacy, Don't Blink]", "  status: publish"]
    if image:
        (folder / "map.png").write_bytes(PNG)
        front += ["image: map.png", "image_alt: A map"]
    path = folder / f"{slug}.md"
    path.write_text("---\n" + "\n".join(front) + "\n---\nChile **widened** its exceptions.\n", encoding="utf-8")
    return Diff().render(load_update(path, folder), RenderContext(diff_url=f"https://diff.example.org/{slug}/"))


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    made = Ledger.at(tmp_path / "herald.db")
    yield made
    made.close()


def wp_transport(fake: FakeWordPress, ledger: Ledger, slug: str, password: str = WP_PASSWORD) -> WordPressTransport:
    ledger.record_update(slug, f"{slug}.md", slug, dt.date(2026, 10, 1))
    settings = DiffSettings(transport="live", base_url=fake.url, username=WP_USER, app_password=SecretStr(password),
                            timeout_seconds=5)
    return WordPressTransport(settings, ledger, slug)


@pytest.mark.parametrize("pretty", [True, False])
def test_wordpress_transport_end_to_end(pretty: bool, ledger: Ledger, tmp_path: Path) -> None:
    slug = "wp-selftest"
    draft = diff_draft(tmp_path, slug)
    with FakeWordPress(WP_USER, WP_PASSWORD, pretty_permalinks=pretty) as fake:
        transport = wp_transport(fake, ledger, slug)
        transport.preflight(draft)
        receipt = transport.send(draft)
        (post,) = fake.posts
        assert (receipt.status, receipt.remote_id) == ("published", str(post["id"]))
        day = dt.datetime.fromisoformat(post["date"])
        expected = f"{fake.url}/{day:%Y/%m/%d}/{slug}/" if pretty else f"{fake.url}/?p={post['id']}"
        assert receipt.url == expected
        assert (post["slug"], post["status"], post["title"]["raw"]) == (slug, "publish", draft.title)
        assert post["content"]["raw"] == draft.content and post["excerpt"]["raw"] == draft.excerpt
        assert sorted(fake.term("tags", i)["name"] for i in post["tags"]) == sorted(draft.tags)
        assert sorted(fake.term("categories", i)["slug"] for i in post["categories"]) == ["advocacy", "dont-blink"]
        (media,) = fake.media
        assert post["featured_media"] == media["id"] and media["alt_text"] == "A map"
        assert media["mime_type"] == "image/png" and fake.files[media["media_details"]["file"]] == PNG
        paths = {request.path for request in fake.requests}
        assert paths == ({"/wp-json/wp/v2/users/me", "/wp-json/wp/v2/posts", "/wp-json/wp/v2/tags",
                          "/wp-json/wp/v2/categories", "/wp-json/wp/v2/media", f"/wp-json/wp/v2/media/{media['id']}"}
                         if pretty else {"/wp-json/wp/v2/users/me", "/"})

        again = wp_transport(fake, ledger, slug).send(draft)
        assert again.detail == "already on the site" and again.remote_id == receipt.remote_id
        assert len(fake.posts) == 1 and len(fake.media) == 1 and len(fake.terms["tags"]) == 3


def test_wordpress_duplicates_get_numbered_slugs_and_terms_exist(ledger: Ledger, tmp_path: Path) -> None:
    with FakeWordPress(WP_USER, WP_PASSWORD) as fake, httpx.Client(auth=(WP_USER, WP_PASSWORD)) as client:
        api = fake.url + "/wp-json/wp/v2"
        bodies = [{"title": "Same", "slug": "same", "status": "publish"}] * 3 + [
            {"title": "Draft", "slug": "same", "status": "draft"}]
        slugs = [client.post(f"{api}/posts", json=body).json()["slug"] for body in bodies]
        assert slugs == ["same", "same-2", "same-3", "same"]  # drafts keep the slug they were given
        assert len(fake.posts_with_slug("same")) == 4 and fake.posts_with_slug("sam") == []
        found = client.get(f"{api}/posts", params={"slug": "same", "status": "any", "context": "edit"})
        assert len(found.json()) == 2 and found.headers["x-wp-total"] == "2"
        assert client.get(f"{api}/posts", params={"slug": "same"}).headers["x-wp-total"] == "1"  # publish only
        assert client.get(f"{api}/posts", params={"per_page": 2}).headers["x-wp-totalpages"] == "2"

        tag = client.post(f"{api}/tags", json={"name": "Online Safety"})
        assert tag.status_code == 201 and tag.json()["slug"] == "online-safety"
        again = client.post(f"{api}/tags", json={"name": "online safety"})
        assert again.status_code == 400 and again.json()["code"] == "term_exists"
        assert again.json()["data"] == {"status": 400, "term_id": tag.json()["id"]}
        assert client.get(f"{api}/categories", params={"slug": "uncategorized"}).json()[0]["id"] == 1
        rest_route = client.get(fake.url + "/", params={"rest_route": "/wp/v2/tags", "slug": "online-safety"})
        assert [term["id"] for term in rest_route.json()] == [tag.json()["id"]]
        assert client.post(f"{api}/media", content=PNG, headers={"Content-Type": "image/png"}).json()["code"] == \
            "rest_upload_no_content_disposition"
        assert client.post(f"{api}/media/999", json={"alt_text": "x"}).status_code == 404


def test_wordpress_auth_errors(ledger: Ledger, tmp_path: Path) -> None:
    with FakeWordPress(WP_USER, WP_PASSWORD) as fake:
        me = fake.url + "/wp-json/wp/v2/users/me"
        wrong = httpx.get(me, auth=(WP_USER, "nope nope"))
        assert (wrong.status_code, wrong.json()["code"]) == (401, "incorrect_password")
        assert httpx.get(me, auth=("root", WP_PASSWORD)).json()["code"] == "invalid_username"
        assert httpx.get(me).json()["code"] == "rest_not_logged_in"
        assert httpx.get(me, auth=(WP_USER, WP_PASSWORD.replace(" ", ""))).status_code == 200
        assert httpx.post(fake.url + "/wp-json/wp/v2/posts", json={"title": "x"}).status_code == 401
        assert fake.posts == []


def test_wordpress_after_fault_applies_the_post_and_a_slug_lookup_finds_it(tmp_path: Path) -> None:
    plan = FaultPlan(1.0, seed=4, modes=("after",), paths=[r"^/wp/v2/posts$"])
    with FakeWordPress(WP_USER, WP_PASSWORD, faults=plan) as fake, httpx.Client(auth=(WP_USER, WP_PASSWORD)) as c:
        api = fake.url + "/wp-json/wp/v2"
        assert c.post(f"{api}/tags", json={"name": "policy"}).status_code == 201  # not in `paths`
        with pytest.raises(httpx.RemoteProtocolError):
            c.post(f"{api}/posts", json={"title": "Lost", "slug": "lost", "status": "publish"})
        found = c.get(f"{api}/posts", params={"slug": "lost", "status": "any", "context": "edit"}).json()
        assert [post["id"] for post in found] == [fake.posts[0]["id"]]
        assert [d.path for d in plan.history] == ["/wp/v2/posts"]
        with pytest.raises(httpx.RemoteProtocolError):  # the ?rest_route= form is faulted the same way
            c.post(fake.url + "/", params={"rest_route": "/wp/v2/posts"}, json={"title": "Lost", "slug": "lost",
                                                                                  "status": "publish"})
        assert [post["slug"] for post in fake.posts] == ["lost", "lost-2"] and plan.injected == 2


# --- SMTP --------------------------------------------------------------------------------------------------------


def message(subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "advocacy@example.org", "news@lists.example.org", subject
    mail.set_content("Hello list.\n")
    return mail


def send(server: smtp_server.Server, pki: smtp_server.Pki, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
        smtp.starttls(context=pki.client_context())
        smtp.login(SMTP_USER, SMTP_PASSWORD)
        smtp.send_message(message(subject))


def subjects(server: smtp_server.Server) -> list[str]:
    return [email.message_from_bytes(env.original_content)["Subject"] for env in server.mailbox.envelopes]


@pytest.fixture
def smtp_faulty(smtp_pki: smtp_server.Pki, request: pytest.FixtureRequest) -> Iterator[smtp_server.Server]:
    server = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, faults=request.param)
    yield server
    server.controller.stop()


@pytest.mark.parametrize("smtp_faulty", [FaultPlan(1.0, seed=1, modes=("after",))], indirect=True)
def test_smtp_after_fault_stores_the_message_and_the_client_sees_a_disconnect(smtp_faulty, smtp_pki) -> None:
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(smtp_faulty, smtp_pki, "first")
    assert subjects(smtp_faulty) == ["first"]
    (fault, envelope), = smtp_faulty.mailbox.injected
    assert fault == Fault("after", "drop") and envelope is smtp_faulty.mailbox.envelopes[0]
    with smtp_faulty.mailbox.faults.suspended():
        send(smtp_faulty, smtp_pki, "second")  # the server is still up
    assert subjects(smtp_faulty) == ["first", "second"]


@pytest.mark.parametrize("smtp_faulty", [FaultPlan(1.0, seed=1, modes=("after",), after=("reset",))],
                         indirect=True)
def test_smtp_after_reset(smtp_faulty, smtp_pki) -> None:
    with pytest.raises(OSError) as raised:  # SMTPServerDisconnected is an OSError too
        send(smtp_faulty, smtp_pki, "reset")
    assert isinstance(raised.value, smtplib.SMTPServerDisconnected | ConnectionResetError)
    assert subjects(smtp_faulty) == ["reset"]


@pytest.mark.parametrize("smtp_faulty", [FaultPlan(1.0, seed=1, modes=("before",))], indirect=True)
def test_smtp_before_fault_is_a_451_and_stores_nothing(smtp_faulty, smtp_pki) -> None:
    with pytest.raises(smtplib.SMTPDataError) as raised:
        send(smtp_faulty, smtp_pki, "refused")
    assert raised.value.smtp_code == 451 and b"4.3.0" in raised.value.smtp_error
    assert smtp_faulty.mailbox.envelopes == [] and smtp_faulty.mailbox.faults.counts == {"before": 1}


@pytest.mark.parametrize("smtp_faulty", [FaultPlan(1.0, seed=1, modes=("before",), before=("drop",))],
                         indirect=True)
def test_smtp_before_drop_stores_nothing(smtp_faulty, smtp_pki) -> None:
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(smtp_faulty, smtp_pki, "dropped")
    assert smtp_faulty.mailbox.envelopes == []


def test_smtp_same_seed_same_outcomes(smtp_pki) -> None:
    def run() -> list[str]:
        server = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, faults=FaultPlan(0.5, seed=9))
        outcomes = []
        try:
            for number in range(12):
                try:
                    send(server, smtp_pki, f"m{number}")
                    outcomes.append("250")
                except (smtplib.SMTPException, OSError) as error:
                    outcomes.append(type(error).__name__)
            return [*outcomes, *subjects(server)]
        finally:
            server.controller.stop()

    first = run()
    assert first == run() and {"250", "SMTPDataError", "SMTPServerDisconnected"} <= set(first)


def test_smtp_rejects_http_only_variants(smtp_pki) -> None:
    with pytest.raises(ValueError, match="500"):
        smtp_server.Mailbox(faults=FaultPlan(0.5, seed=1, after=("500",)))


@pytest.mark.parametrize("variant", ["drop", "reset"])
def test_smtp_after_fault_with_implicit_tls(smtp_pki, variant: str) -> None:
    plan = FaultPlan(1.0, seed=1, modes=("after",), after=(variant,))
    server = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, implicit_tls=True, faults=plan)
    try:
        with pytest.raises(OSError), smtplib.SMTP_SSL("127.0.0.1", server.port, timeout=5,
                                                      context=smtp_pki.client_context()) as smtp:
            smtp.login(SMTP_USER, SMTP_PASSWORD)
            smtp.send_message(message("implicit"))
        assert subjects(server) == ["implicit"]
    finally:
        server.controller.stop()


def test_smtp_after_fault_through_the_real_transport_is_an_unknown_outcome(smtp_pki, ledger: Ledger) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    update = load_update(fixtures / "updates" / "full.md", fixtures)
    draft = Email(EmailSettings(from_addr="Advocacy <advocacy@example.org>", list_addr="news@lists.example.org",
                                message_id_domain="example.org")).render(update, RenderContext(
        diff_url="https://diff.example.org/x/", diff_url_known=True))
    ledger.record_update(update.slug, "full.md", update.title, dt.date(2026, 10, 1))
    server = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, faults=FaultPlan(1.0, seed=1, modes=("after",)))
    settings = EmailSettings(from_addr="Advocacy <advocacy@example.org>", list_addr="news@lists.example.org",
                             smtp_host="127.0.0.1", smtp_port=server.port, security="starttls", username=SMTP_USER,
                             password=SecretStr(SMTP_PASSWORD), timeout_seconds=5)
    try:
        with pytest.raises(TransportError, match="outcome unknown"):
            SmtpTransport(settings, ledger, update.slug, ssl_context=smtp_pki.client_context()).send(draft)
    finally:
        server.controller.stop()
    (envelope,) = server.mailbox.envelopes
    assert re.sub(rb"^Date: [^\r\n]*\r\n", b"", envelope.original_content, count=1, flags=re.M) == draft.as_bytes()
