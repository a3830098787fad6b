import os

import gobridge
from gobridge import run


@gobridge.gobridge
def add(a: int, b: int) -> int:
    return a + b


@gobridge.gobridge
def package_location() -> str:
    """Where the worker imported gobridge from: the installed tree, not the sources."""
    return os.path.realpath(gobridge.__file__)


run()
