"""The real WordPress behind a proxy that loses or replaces replies after WordPress applied the write."""

from __future__ import annotations

import hashlib
import random

import pytest
from faults import FaultPlan
from operator_steps import run
from update_files import solid_png
from wordpress_fault_proxy import census

from channels.registry import load_update

pytestmark = [pytest.mark.flow, pytest.mark.live]
CASES = [
    ("/wp/v2/posts", "after:drop"), ("/wp/v2/posts", "after:503"), ("/wp/v2/posts", "after:timeout"),
    ("/wp/v2/posts", "before:reset"), ("/wp/v2/media", "after:drop"), ("/wp/v2/media", "after:504"),
    ("/wp/v2/tags", "after:502"),
]


@pytest.mark.parametrize(("route", "shape"), CASES, ids=[f"{r.rsplit('/', 1)[1]}-{s}" for r, s in CASES])
def test_a_lost_or_replaced_reply_leaves_one_post_and_one_attachment(
    workdir, wordpress, wordpress_proxy, monkeypatch, route: str, shape: str
) -> None:
    (workdir / "herald.toml").write_text(
        f'content_root = "{workdir / "content"}"\noutbox = "{workdir / "outbox"}"\n'
        f'ledger_url = "sqlite:///{workdir / "herald.db"}"\n[publish]\nretries = 3\nretry_delays = [0]\n'
        f'[diff]\nbase_url = "{wordpress_proxy.url}"\nusername = "{wordpress.username}"\ntimeout_seconds = 2\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", wordpress.app_password)
    token = f"{route.rsplit('/', 1)[1]} {shape.replace(':', ' ')} {random.randrange(10**9)}"
    image = solid_png(workdir / "content" / "images" / f"drill-{random.randrange(10**9)}.png",
                      (random.randrange(256), random.randrange(256), random.randrange(256)))
    path = workdir / "content" / "updates" / "drill.md"
    path.write_text(
        f'---\ntitle: "Proxy drill {token}"\ndate: 2026-11-02\nsummary: A drill.\ntags: [drill {token}]\n'
        f"image: ../images/{image.name}\nimage_alt: One colour.\nchannels: [diff]\n---\nA paragraph.\n",
        encoding="utf-8",
    )
    wordpress_proxy.faults = FaultPlan.scripted(hold=4).on("POST", route, shape, times=1)
    code, output = run("publish", str(path))
    wordpress_proxy.wait_for_faults(1)
    assert wordpress_proxy.faults.injected == 1
    assert code == 0, output
    slug = load_update(path, workdir / "content").slug
    site = census(wordpress)
    assert site.posts_by_slug[slug] == 1
    assert site.attachments_by_hash[hashlib.sha256(image.read_bytes()).hexdigest()] == 1
    post = wordpress.get("posts", slug=slug, status="any", context="edit").json()[0]
    assert post["featured_media"] and post["status"] == "publish"
