"""What went out, as text: word diffs, changed passages, and change detection against the ledger."""

from __future__ import annotations

from channels.twitter.render import ThreadDraft
from herald.core.draft import html_text
from herald.core.ledger import Ledger
from herald.core.sent import changed_passage, has_changed, record_sent, word_diff


def test_word_diff_shows_each_change_with_a_few_words_around_it():
    before = "The hearing closes on 30 November and we will publish our answer then."
    after = "The hearing closes on 30 December and we will publish our full answer then."
    assert word_diff(before, after) == (
        "…hearing closes on 30 [-November-]{+December+} and we will publish… | "
        "…we will publish our {+full+} answer then.")
    assert word_diff("a b", "a  b") == "(only spacing or markup changed)"
    many = word_diff(" ".join(f"w{i}" for i in range(40)), " ".join(f"w{i}x" if i % 8 == 0 else f"w{i}"
                                                                    for i in range(40)))
    assert many.endswith("(and 1 more change)")


def test_changed_passage_keeps_only_the_new_lines_and_html_text_keeps_paragraphs():
    assert changed_passage("one\ntwo\nthree", "one\n2\nthree\nfour") == "2\nfour"
    assert html_text("<p>A &amp; B</p><p>C<br>D</p>") == "A & B\nC\nD"


def test_a_changed_thread_is_detected_from_the_kept_text(tmp_path):
    ledger = Ledger.at(tmp_path / "herald.db")
    ledger.record_update("s", "s.md", "T", __import__("datetime").date(2026, 11, 1))
    ledger.record_receipt("s", "twitter", "published", payload_hash="x")
    sent = ThreadDraft(tweets=("one", "two"))
    record_sent(ledger, "s", sent)
    receipt = ledger.receipt("s", "twitter")
    assert not has_changed(ledger, "s", receipt, sent)
    assert has_changed(ledger, "s", receipt, ThreadDraft(tweets=("one", "three")))
    record_sent(ledger, "s", ThreadDraft(tweets=("one", "three")), revision=1)
    assert not has_changed(ledger, "s", receipt, ThreadDraft(tweets=("one", "three")))
    assert [revision for revision, *_ in ledger.snapshots("s", "twitter")] == [0, 1]
    ledger.close()
