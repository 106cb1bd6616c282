"""ssb-interfaces' configuration and data as package data (installed as ``ssbi.configs``).

The folder is ``configs/`` in the source tree; ``pyproject.toml`` maps it to the
package ``ssbi.configs``, so a wheel carries the materials library, reference
phases, shipped entries, engines, stores, FireWorks templates and studies, and
``CONFIG_DIR`` finds them from any working directory.
"""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
