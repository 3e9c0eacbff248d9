"""Fields: turning matched words and table cells into normalised values."""
