"""msc-extract: read MSC therapy papers into study records with evidence."""

__version__ = "0.1.0"
