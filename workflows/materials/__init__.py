"""The curated materials library's curation (ordered approximants, CHGNet relaxations, checks) and interface
candidates written as files."""
