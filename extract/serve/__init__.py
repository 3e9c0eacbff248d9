"""The reviewer's workbench: `msc-extract serve review.duckdb`, the review dataset in the browser (app.py)."""
