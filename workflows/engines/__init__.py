"""How energies are computed: an engine's name and settings (EngineSpec), resolved once per spec and process into
the Engine whose atomate2 Makers every flow uses (CHGNet, SevenNet, CP2K, VASP)."""
