"""The versions of this package and of the wire protocol it speaks.

This file is the one place they are written: the C++ library's build reads it
(CMake) and generates ``qgbversion.h`` from it.
"""

__version__ = "0.1.0"

#: The wire protocol version (docs/protocol.md), sent in the handshake.
PROTOCOL_VERSION = 1
