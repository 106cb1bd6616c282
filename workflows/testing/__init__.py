"""Test helpers shipped with the package: recorded engine runs (atomate2's mock pattern)."""
