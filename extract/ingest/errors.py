"""The one error ingest raises: a stable code and a message that names the file."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    def __init__(self, path: Path | str, code: str, message: str):
        self.path = str(path)
        self.code = code
        self.message = message
        super().__init__(f"{self.path}: {code}: {message}")
