"""``python3 -m gobridge serve|check``: workers on other machines
(docs/remote.md)."""

import sys

from ._remote import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
