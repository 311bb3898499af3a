"""WordPressFaultProxy in front of the real WordPress, through httpx: pass-through, every fault shape, the census."""

from __future__ import annotations

import base64
import hashlib
import secrets

import httpx
import pytest
from faults import FaultPlan
from wordpress_fault_proxy import Census, WordPressFaultProxy, census, fold_slugs, wp_route
from wordpress_server import WordPressSite

pytestmark = pytest.mark.live

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def client(site: WordPressSite, password: str | None = None) -> httpx.Client:
    return httpx.Client(auth=(site.username, password or site.app_password), timeout=30)


def create(http: httpx.Client, base: str, slug: str) -> httpx.Response:
    return http.post(f"{base}/", params={"rest_route": "/wp/v2/posts"},
                     json={"title": f"Proxy {slug}", "slug": slug, "status": "publish", "content": "<p>x</p>"})


def upload(http: httpx.Client, base: str, name: str, data: bytes = PNG) -> httpx.Response:
    return http.post(f"{base}/", params={"rest_route": "/wp/v2/media"}, content=data,
                     headers={"Content-Type": "image/png", "Content-Disposition": f'attachment; filename="{name}"'})


def test_routes_and_slug_folding() -> None:
    assert wp_route("/wp-json/wp/v2/posts", {}) == "/wp/v2/posts"
    assert wp_route("/", {"rest_route": "/wp/v2/media/5"}) == "/wp/v2/media/5" and wp_route("/x", {}) == "/x"
    assert fold_slugs(["a", "a-2", "a-3", "covid-19", "b-2"]) == {"a": 3, "covid-19": 1, "b-2": 1}
    assert Census(posts_by_slug=fold_slugs(["a", "a-2", "b"])).duplicates() == {"posts_by_slug": {"a": 2}}


def test_transparent_proxy_passes_everything_through(wordpress: WordPressSite,
                                                     wordpress_proxy: WordPressFaultProxy) -> None:
    slug = f"through-{secrets.token_hex(3)}"
    with client(wordpress) as http:
        made = create(http, wordpress_proxy.url, slug)
        assert made.status_code == 201 and made.json()["slug"] == slug
        listed = http.get(f"{wordpress_proxy.url}/", params={"rest_route": "/wp/v2/posts", "slug": slug,
                                                             "status": "any", "context": "edit"})
        direct = http.get(f"{wordpress.base_url}/", params={"rest_route": "/wp/v2/posts", "slug": slug,
                                                            "status": "any", "context": "edit"})
        assert listed.json() == direct.json() and listed.headers["x-wp-total"] == "1" == direct.headers["x-wp-total"]
        assert listed.headers["x-wp-totalpages"] == "1"
        media = upload(http, wordpress_proxy.url, f"{slug}.png")
        assert media.status_code == 201 and media.json()["media_details"]["file"].endswith(f"{slug}.png")
        chunked = http.post(f"{wordpress_proxy.url}/", params={"rest_route": f"/wp/v2/media/{media.json()['id']}"},
                            content=iter([b'{"alt_text": ', b'"A map"}']), headers={"Content-Type": "application/json"})
        assert chunked.json()["alt_text"] == "A map"
        assert wordpress_proxy.requests[-1].headers["transfer-encoding"] == "chunked"
        # the /wp-json/ form reaches WordPress as sent: the proxy answers exactly what WordPress answers
        pretty, plain = (http.get(f"{base}/wp-json/wp/v2/users/me") for base in (wordpress_proxy.url,
                                                                                  wordpress.base_url))
        assert (pretty.status_code, pretty.content) == (plain.status_code, plain.content)
    with client(wordpress, "wrong pass word") as wrong:  # Authorization reaches WordPress as sent
        refused, direct_refusal = (create(wrong, base, slug) for base in (wordpress_proxy.url, wordpress.base_url))
        assert refused.status_code == 401 and refused.json() == direct_refusal.json()
    assert wordpress_proxy.injected == [] and wordpress_proxy.forwarded == len(wordpress_proxy.requests) == 6
    assert [r.route for r in wordpress_proxy.calls("POST", "/wp/v2/posts")] == ["/wp/v2/posts"] * 2
    body = wordpress_proxy.calls("POST", "/wp/v2/media")[0]
    assert body.body == PNG and body.headers["content-disposition"] == f'attachment; filename="{slug}.png"'


def test_after_drop_applies_the_post_and_a_retry_duplicates_it(wordpress: WordPressSite,
                                                               wordpress_proxy: WordPressFaultProxy) -> None:
    slug = f"lost-{secrets.token_hex(3)}"
    wordpress_proxy.faults = FaultPlan.scripted().on("POST", "/wp/v2/posts", "after:drop", nth=1)
    with client(wordpress) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            create(http, wordpress_proxy.url, slug)
        (fault,) = wordpress_proxy.injected
        assert fault.reply[0] == 201 and census(wordpress).posts_by_slug[slug] == 1
        assert create(http, wordpress_proxy.url, slug).json()["slug"] == f"{slug}-2"  # the naive retry
    assert census(wordpress).duplicates()["posts_by_slug"][slug] == 2


@pytest.mark.parametrize("variant", ["502", "503", "504"])
def test_after_gateway_error_applies_the_upload(variant: str, wordpress: WordPressSite,
                                                wordpress_proxy: WordPressFaultProxy) -> None:
    name = f"gw-{variant}-{secrets.token_hex(3)}.png"
    data = PNG + secrets.token_bytes(8)  # a file of its own, so its hash is this test's
    wordpress_proxy.faults = FaultPlan.scripted().on("POST", "/wp/v2/media", f"after:{variant}")
    with client(wordpress) as http:
        response = upload(http, wordpress_proxy.url, name, data)
        assert response.status_code == int(variant) and response.headers["content-type"] == "text/html"
        assert f"<title>{variant} " in response.text
        assert wordpress_proxy.injected[0].reply[0] == 201
    assert census(wordpress).attachments_by_hash[hashlib.sha256(data).hexdigest()] == 1


def test_after_500_is_wordpress_s_critical_error(wordpress: WordPressSite,
                                                 wordpress_proxy: WordPressFaultProxy) -> None:
    slug = f"crit-{secrets.token_hex(3)}"
    wordpress_proxy.faults = FaultPlan.scripted().on("POST", "/wp/v2/posts", "after:500")
    with client(wordpress) as http:
        response = create(http, wordpress_proxy.url, slug)
    assert response.status_code == 500 and response.json()["code"] == "internal_server_error"
    assert census(wordpress).posts_by_slug[slug] == 1


def test_after_timeout_applies_and_the_client_times_out(wordpress: WordPressSite,
                                                        wordpress_proxy: WordPressFaultProxy) -> None:
    slug = f"held-{secrets.token_hex(3)}"
    wordpress_proxy.faults = FaultPlan.scripted(hold=60).on("POST", "/wp/v2/posts", "after:timeout")
    with httpx.Client(auth=(wordpress.username, wordpress.app_password), timeout=0.5) as http, \
            pytest.raises(httpx.ReadTimeout):
        create(http, wordpress_proxy.url, slug)
    (fault,) = wordpress_proxy.wait_for_faults(1)  # WordPress may still be applying it when the client gives up
    assert fault.reply[0] == 201 and census(wordpress).posts_by_slug[slug] == 1


def test_after_timeout_closes_after_hold(wordpress: WordPressSite, wordpress_proxy: WordPressFaultProxy) -> None:
    slug = f"hold-{secrets.token_hex(3)}"
    wordpress_proxy.faults = FaultPlan.scripted(hold=0.1).on("POST", "/wp/v2/posts", "after:timeout")
    with client(wordpress) as http, pytest.raises(httpx.RemoteProtocolError):
        create(http, wordpress_proxy.url, slug)
    assert census(wordpress).posts_by_slug[slug] == 1


@pytest.mark.parametrize("variant", ["drop", "reset", "timeout", "refuse", "429", "401"])
def test_before_faults_never_reach_wordpress(variant: str, wordpress: WordPressSite,
                                             wordpress_proxy: WordPressFaultProxy) -> None:
    slug = f"before-{variant}-{secrets.token_hex(3)}"
    wordpress_proxy.faults = FaultPlan.scripted(retry_after=3, hold=0.1).on("POST", "/wp/v2/posts",
                                                                           f"before:{variant}")
    with client(wordpress) as http:
        try:
            response = create(http, wordpress_proxy.url, slug)
        except httpx.TransportError as error:
            assert variant in ("drop", "reset", "timeout"), error
        else:
            assert response.status_code == {"refuse": 503, "429": 429, "401": 401}[variant]
            assert (response.headers.get("retry-after") == "3") == (variant != "401")
    assert wordpress_proxy.forwarded == 0 and wordpress_proxy.injected[0].reply is None
    assert census(wordpress).posts_by_slug[slug] == 0
