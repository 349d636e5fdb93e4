"""The one exception type users see.

Every problem with user input (a Hamiltonian, a parameter, a Fermi level) is raised as
:class:`SemiclassicalError` with a single line saying what is wrong and how to fix it; the
command line prints that line and exits non-zero, never a traceback (docs/design.md section 4).
"""

__all__ = ["SemiclassicalError"]


class SemiclassicalError(ValueError):
    """Bad input or a request the theory cannot answer; the message is one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
