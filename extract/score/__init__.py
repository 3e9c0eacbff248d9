"""Scoring extracted values against hand-made gold tables."""
