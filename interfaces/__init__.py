"""Pure science for solid-state battery interfaces: materials, slabs, matching, interfaces."""

__version__ = "0.1.0"
