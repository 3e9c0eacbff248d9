"""The review dataset: one DuckDB file kept for the life of a review (papers, values, reviewer judgements, trials, analyses)."""
