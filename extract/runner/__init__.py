"""Batches that scale: worker processes or a Dask cluster, bounded memory, a journal to resume from."""
