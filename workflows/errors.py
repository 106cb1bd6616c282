"""Errors of the workflow layer; each is one line telling the user what to do."""

from ssbi.interfaces.errors import SSBIError


class EngineError(SSBIError):
    """An unknown engine, or one whose binary, data or model is missing."""


class StoreError(SSBIError):
    """A store that is unknown, misconfigured or unreachable."""


class LaunchPadError(SSBIError):
    """A FireWorks LaunchPad that cannot be reached or is busy."""
