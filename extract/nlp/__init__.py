"""NLP: the spaCy pipeline and its registered components."""
