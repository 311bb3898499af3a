"""Below the channels: drafts, receipts, status, the Transport contract, outcomes, parts, outbox, ledger, lease."""
