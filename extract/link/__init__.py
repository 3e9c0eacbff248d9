"""Linking: values to the studies they describe."""
