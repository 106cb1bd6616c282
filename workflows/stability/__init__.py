"""Windows, reactions and interphase types from phase-diagram entries: the documents, the builder that is their
only writer, and the comparison with published values."""
