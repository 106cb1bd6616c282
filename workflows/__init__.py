"""Workflows, engines, stores and the ``ssbi`` command line."""
