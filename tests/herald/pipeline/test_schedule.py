"""Scheduling's pure parts: warnings about dates, the planned URL in the site's time zone, notices."""

from __future__ import annotations

import datetime as dt

from update_files import write

from channels.email.notices import correction_email, retraction_email
from config.settings import load_settings
from herald.core.ledger import Ledger
from herald.pipeline import schedule
from herald.pipeline.render import context_for
from herald.pipeline.schedule import date_warnings, is_scheduled, wait_for_own_time


def test_a_future_date_without_publish_at_is_a_warning(tmp_path):
    ahead = write(tmp_path, "title: Ahead\ndate: 2026-12-02")
    assert date_warnings(ahead, dt.date(2026, 11, 30))[0].startswith("date: 2026-12-02 is in the future")
    assert date_warnings(ahead, dt.date(2026, 12, 2)) == []
    scheduled = write(tmp_path, "title: Ahead\ndate: 2026-12-02\npublish_at: 2026-12-02T09:00:00+01:00")
    assert date_warnings(scheduled, dt.date(2026, 11, 30)) == []
    assert is_scheduled(scheduled, dt.datetime(2026, 12, 2, 7, 59, tzinfo=dt.UTC))
    assert not is_scheduled(scheduled, dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC))


def test_the_planned_diff_url_uses_publish_at_in_the_site_time_zone(workdir, tmp_path, monkeypatch):
    late = write(tmp_path, "title: Late\ndate: 2026-11-29\npublish_at: 2026-12-01T23:30:00-05:00")
    monkeypatch.setenv("HERALD_DIFF__BASE_URL", "https://diff.example.org")
    monkeypatch.setenv("HERALD_DIFF__TIMEZONE", "Europe/Berlin")
    assert context_for(late, load_settings()).diff_url == "https://diff.example.org/2026/12/02/late/"
    monkeypatch.setenv("HERALD_DIFF__TIMEZONE", "America/New_York")
    assert context_for(late, load_settings()).diff_url == "https://diff.example.org/2026/12/01/late/"


def test_notices_are_short_plain_messages_dated_when_sent_and_threaded_under_the_announcement(workdir, tmp_path):
    update = write(tmp_path, 'title: Hearing\ndate: 2026-11-20\ncorrection: "The date was wrong."')
    context = context_for(update, load_settings(), "https://diff.example.org/p/1/")
    sent_at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    notice = correction_email(update, load_settings().email, context.diff_url, 2, "It closes on 31 December.",
                              sent_at).message
    assert notice["Subject"] == "Correction: Hearing" and notice["Date"] == "Mon, 30 Nov 2026 12:00:00 +0000"
    assert notice["In-Reply-To"] == "<herald.20261120.hearing@example.org>"
    assert notice["Message-ID"] == "<herald.correction-2.hearing@example.org>"
    body = notice.get_content()
    assert "Correction: The date was wrong." in body and "> It closes on 31 December." in body
    assert "https://diff.example.org/p/1/" in body
    retraction = retraction_email("hearing", "Hearing", dt.date(2026, 11, 20), load_settings().email, "By mistake.",
                                 sent_at)
    assert retraction.message["Subject"] == "Retracted: Hearing" and "By mistake." in retraction.message.get_content()


def test_the_scheduled_run_let_in_a_moment_early_waits_for_publish_at_and_no_other_run_does(tmp_path, monkeypatch):
    update = write(tmp_path, "title: Timed\ndate: 2026-12-02\npublish_at: 2026-12-02T09:00:00+00:00")
    clock = [dt.datetime(2026, 12, 2, 8, 59, 59, 600000, tzinfo=dt.UTC)]  # Prefect let the run start 0.4 s early
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += dt.timedelta(seconds=seconds)

    monkeypatch.setattr(schedule, "now", lambda: clock[0])
    ledger = Ledger(f"sqlite:///{tmp_path / 'herald.db'}")
    ledger.record_update(update.slug, update.source, update.title, update.date)
    ledger.record_receipt(update.slug, "twitter", "scheduled", remote_id="run-1", detail="", transport="live")
    wait_for_own_time(ledger, update, "run-2", sleep)  # another run (a person's publish) does not wait
    wait_for_own_time(ledger, update, None, sleep)
    assert slept == []
    wait_for_own_time(ledger, update, "run-1", sleep)
    assert slept and clock[0] >= update.publish_at and not is_scheduled(update, clock[0])
    clock[0], slept[:] = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), []
    wait_for_own_time(ledger, update, "run-1", sleep)  # a day ahead (publish_at moved): it schedules, not sleeps
    assert slept == []
    ledger.close()
