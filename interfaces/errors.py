"""User-facing errors: each carries one line that says what is wrong and what to do."""


class SSBIError(Exception):
    """Base class for errors shown to the user as a single line."""


class MaterialNotFoundError(SSBIError):
    """A material name that is not in the library and not a readable file."""


class StructureReadError(SSBIError):
    """A structure file that cannot be read."""


class MillerIndexError(SSBIError):
    """A Miller index that is zero, malformed or impossible for the lattice."""


class NoMatchError(SSBIError):
    """No lattice match under the requested strain, area or atom limits."""


class InputError(SSBIError):
    """Any other invalid argument (negative thickness, unknown option...)."""
