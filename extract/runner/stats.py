"""What one batch invocation did and how fast (a line of runs.jsonl)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RunStats(BaseModel):
    """One invocation of a batch (a line of runs.jsonl): what it did itself and how fast."""

    engine: str
    workers: int
    documents: int
    """Inputs named, after duplicates were set aside."""
    resumed: int
    """Documents already in the journal, skipped."""
    retried: int = 0
    """Documents the journal held as failed, extracted again (--retry-failed)."""
    processed: int
    failed: int
    seconds: float
    characters: int
    words: int
    pages: int
    peak_rss_mb: dict[str, float] = Field(default_factory=dict)
    """Peak resident memory of each worker process, by worker id."""
    interrupted: bool = False
