"""The results store (embedded SQLite, MongoDB or in memory) and the one layer that finds what is stored or shipped:
a calculation by fingerprint, a material's relaxed bulk, the entries of a chemical system."""
