"""The publish lease: one publisher per update, a dead holder on this host taken over at once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

from herald.core.lease import LeaseHeld, holder_is_gone, lease_owner, publish_lease
from herald.core.ledger import Ledger

SLUG = "an-update"


def test_a_second_publisher_is_refused_while_the_first_holds_the_lease(ledger: Ledger) -> None:
    with publish_lease(ledger, SLUG, 60) as owner:
        assert ledger.lease_holder(SLUG)[0] == owner
        with pytest.raises(LeaseHeld, match=f"another publish of {SLUG} is running"), publish_lease(ledger, SLUG, 60):
            pass
    assert ledger.lease_holder(SLUG) is None
    with publish_lease(ledger, SLUG, 60):
        pass


def test_an_expired_lease_is_free(ledger: Ledger) -> None:
    assert ledger.acquire_lease(SLUG, "elsewhere:1:a", ttl_seconds=-1) is None
    assert ledger.acquire_lease(SLUG, "here:2:b", ttl_seconds=60) is None
    assert ledger.acquire_lease(SLUG, "elsewhere:1:a", ttl_seconds=60) == "here:2:b"


def test_a_lease_left_by_a_killed_process_on_this_host_is_taken_over(ledger: Ledger) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = lease_owner().split(":")[0]
    ghost = f"{host}:{dead.stdout.strip()}:0000"
    assert holder_is_gone(ghost)
    assert ledger.acquire_lease(SLUG, ghost, ttl_seconds=3600) is None
    with publish_lease(ledger, SLUG, 60) as owner:
        assert ledger.lease_holder(SLUG)[0] == owner


def test_a_live_holder_on_another_host_is_never_presumed_dead() -> None:
    assert not holder_is_gone("another-host.example.org:1:abcd")
    assert not holder_is_gone(lease_owner())


RACER = """
import sys, time
from pathlib import Path
from herald.core.lease import LeaseHeld, publish_lease
from herald.core.ledger import Ledger
ledger = Ledger(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
try:
    with publish_lease(ledger, "an-update", 60):
        print("held", flush=True)
        time.sleep(1.0)
except LeaseHeld:
    print("refused", flush=True)
"""


def test_of_four_processes_racing_for_the_lease_exactly_one_wins(ledger_url: str) -> None:
    Ledger(ledger_url).close()
    start = str(time.time() + 2.5)
    racers = [subprocess.Popen([sys.executable, "-c", RACER, ledger_url, start],
                               stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outcomes = sorted(racer.communicate(timeout=60)[0].strip() for racer in racers)
    assert outcomes == ["held", "refused", "refused", "refused"]


def test_lease_times_are_aware_utc(ledger: Ledger) -> None:
    ledger.acquire_lease(SLUG, "h:1:a", ttl_seconds=120)
    owner, until = ledger.lease_holder(SLUG)
    assert owner == "h:1:a" and until.tzinfo is not None
    assert dt.timedelta(seconds=100) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=120)
