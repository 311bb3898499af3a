"""FaultPlan's scripted rules and new variants, and how each HTTP fault shape looks to httpx (through FakeMedium)."""

from __future__ import annotations

import re
import threading

import httpx
import pytest
from faults import AFTER_VARIANTS, BEFORE_VARIANTS, HTTP_VARIANTS, SMTP_VARIANTS, Decision, Fault, FaultPlan
from medium_api import USER, FakeMedium

pytestmark = pytest.mark.live

TOKEN = "medium-token-plan"
POSTS = f"/v1/users/{USER['id']}/posts"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def post(fake: FakeMedium, client: httpx.Client, title: str, canonical: str = "") -> httpx.Response:
    body = {"title": title, "contentFormat": "html", "content": f"<h1>{title}</h1>", "publishStatus": "draft"}
    if canonical:
        body["canonicalUrl"] = canonical
    return client.post(fake.url + POSTS, json=body, headers=AUTH)


# --- the plan ----------------------------------------------------------------------------------------------------


def test_fault_keys_parse_and_are_checked() -> None:
    assert Fault.parse("after:503") == Fault("after", "503") and Fault.parse("before:refuse").status == 503
    assert Fault.parse("before:timeout").status is None and Fault.parse("before:429").status == 429
    for bad in ("after:400", "sideways:drop", "before:", "after:refuse"):
        with pytest.raises(ValueError, match="unknown fault"):
            Fault.parse(bad)
    assert set(HTTP_VARIANTS["before"]) | set(SMTP_VARIANTS["before"]) == set(BEFORE_VARIANTS)
    assert set(HTTP_VARIANTS["after"]) | set(SMTP_VARIANTS["after"]) == set(AFTER_VARIANTS)


def test_rule_nth_times_and_every() -> None:
    plan = FaultPlan.scripted().on("POST", "/2/tweets", "after:503", nth=2)
    plan.on("POST", "/v1/users/*/posts", "after:502")
    plan.on("DELETE", "/2/tweets/*", "before:429", nth=1, times=2)
    tweets = [plan.decide("POST", "/2/tweets") for _ in range(4)]
    assert tweets == [None, Fault("after", "503"), None, None]
    assert [plan.decide("POST", f"/v1/users/{n}/posts") for n in range(3)] == [Fault("after", "502")] * 3
    assert plan.decide("POST", "/v1/users/a/b/posts") is None  # `*` is one path segment
    deletes = [plan.decide("delete", f"/2/tweets/{n}") for n in range(3)]
    assert deletes == [Fault("before", "429"), Fault("before", "429"), None]
    assert plan.decide("GET", "/2/tweets") is None  # reads never
    assert plan.counts == {"none": 4, "after": 4, "before": 2} and plan.injected == 6  # DELETE #3: not eligible
    assert [rule.fired for rule in plan.rules] == [1, 3, 2] and [rule.seen for rule in plan.rules] == [4, 3, 3]
    assert all(d.scripted == (d.fault is not None) for d in plan.history)
    assert plan.history[1] == Decision(2, "POST", "/2/tweets", Fault("after", "503"), scripted=True)
    assert plan.summary()["rules"][0] == {"method": "POST", "path": r"^/2/tweets\Z", "fault": "after:503",
                                          "seen": 4, "fired": 1}


def test_rules_take_precedence_over_the_seeded_draw_and_do_not_consume_it() -> None:
    alone = FaultPlan(0.5, seed=3)
    seeded = [alone.decide("POST", f"/w/{n}") for n in range(20)]
    plan = FaultPlan(0.5, seed=3).on("POST", re.compile(r"^/pinned$"), "after:timeout")
    mixed = []
    for n in range(20):
        mixed.append(plan.decide("POST", f"/w/{n}"))
        assert plan.decide("POST", "/pinned") == Fault("after", "timeout")
    assert mixed == seeded
    # a rule also faults writes the draw would not look at (methods / paths)
    narrow = FaultPlan(1.0, seed=1, paths=[r"^/only$"]).on("PUT", "/elsewhere", "before:400")
    assert narrow.decide("PUT", "/elsewhere") == Fault("before", "400") and narrow.decide("POST", "/x") is None


def test_rule_arguments_are_checked() -> None:
    plan = FaultPlan.scripted()
    with pytest.raises(ValueError, match="only writes"):
        plan.on("GET", "/x", "after:503")
    with pytest.raises(ValueError):
        plan.on("POST", "/x", "after:503", nth=0)
    with pytest.raises(ValueError, match="unknown fault"):
        plan.on("POST", "/x", "during:503")


def test_servers_refuse_variants_they_cannot_inject() -> None:
    with pytest.raises(ValueError, match="after:451"):
        FakeMedium(TOKEN, faults=FaultPlan.scripted().on("POST", None, "after:451"))
    with pytest.raises(ValueError, match="before:550"):
        FakeMedium(TOKEN, faults=FaultPlan(0.5, seed=1, modes=("before",), before=("550",)))
    fake = FakeMedium(TOKEN)
    with pytest.raises(ValueError):
        fake.faults = FaultPlan(0.5, seed=1, modes=("before",), before=("421",))


def test_suspended_plans_decide_nothing_even_for_rules() -> None:
    plan = FaultPlan.scripted().on("POST", None, "after:drop")
    with plan.suspended():
        assert plan.decide("POST", "/x") is None
    assert plan.decide("POST", "/x") == Fault("after", "drop") and plan.rules[0].seen == 1


# --- how each HTTP shape looks to httpx ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_after_status_stores_the_post_and_answers_the_error(status: int) -> None:
    plan = FaultPlan.scripted().on("POST", "/v1/users/*/posts", f"after:{status}")
    with FakeMedium(TOKEN, faults=plan) as fake, httpx.Client(timeout=5) as client:
        response = post(fake, client, "Stored anyway", "https://diff.example.org/a/")
        assert response.status_code == status and response.json()["errors"][0]["code"] == -1
        assert fake.by_canonical_url() == {"https://diff.example.org/a/": 1}
        assert fake.injected[0].reply[0] == 201 and fake.injected[0].reply[2]["data"] == fake.posts[0]
        plan.enabled = False
        assert post(fake, client, "Stored anyway", "https://diff.example.org/a/").status_code == 201
        assert fake.duplicates() == {"https://diff.example.org/a/": 2} and fake.by_title()["Stored anyway"] == 2


def test_after_timeout_stores_the_post_and_the_client_times_out() -> None:
    plan = FaultPlan.scripted(hold=3.0).on("POST", POSTS, "after:timeout")
    with FakeMedium(TOKEN, faults=plan) as fake, httpx.Client(timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):
            post(fake, client, "Held")
        assert [p["title"] for p in fake.posts] == ["Held"]
        assert client.get(fake.url + "/v1/me", headers=AUTH).status_code == 200  # other requests still served


def test_a_held_connection_is_closed_after_hold_without_an_answer() -> None:
    plan = FaultPlan.scripted(hold=0.2).on("POST", POSTS, "before:timeout")
    with FakeMedium(TOKEN, faults=plan) as fake, httpx.Client(timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            post(fake, client, "Never stored")
        assert fake.posts == [] and fake.injected[0].reply is None


def test_stop_ends_held_connections() -> None:
    plan = FaultPlan.scripted(hold=60).on("POST", POSTS, "before:timeout")
    fake = FakeMedium(TOKEN, faults=plan).start()
    outcome: list[object] = []

    def call() -> None:
        with httpx.Client(timeout=30) as client:
            try:
                outcome.append(post(fake, client, "x"))
            except httpx.HTTPError as error:
                outcome.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    while not fake.requests:
        thread.join(0.01)
    fake.stop()
    thread.join(10)
    assert not thread.is_alive() and isinstance(outcome[0], httpx.RemoteProtocolError)


@pytest.mark.parametrize(("status", "code"), [(400, 6000), (401, 6003), (403, 6027), (429, -1), (503, -1)])
def test_before_status_answers_medium_s_error_and_stores_nothing(status: int, code: int) -> None:
    plan = FaultPlan.scripted(retry_after=7).on("POST", POSTS, f"before:{status}")
    with FakeMedium(TOKEN, faults=plan) as fake, httpx.Client(timeout=5) as client:
        response = post(fake, client, "Refused")
        assert response.status_code == status and response.json()["errors"][0]["code"] == code
        assert response.headers.get("retry-after") == ("7" if status in (429, 503) else None)
        assert fake.posts == []
