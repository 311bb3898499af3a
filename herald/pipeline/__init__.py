"""The pipeline above the channels: render, approval, selection, corrections, retraction, schedule, recap."""
