"""Store: writing what a run extracted."""
