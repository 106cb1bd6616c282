"""jobflow Makers of ssbi workflows; each takes ``engine=`` and nothing engine-specific."""
