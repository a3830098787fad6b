"""The bridge of the QGobridge benchmark: the Python half of what a Qt
developer writes in an afternoon instead of the library.

Standard library only, one thread. It reads calls from stdin, one JSON object
per line, and answers each on stdout, one JSON object per line, in the order
the calls came, flushing after every reply. The host sends calls without
waiting for the replies; they simply queue in the pipe.

  {"id": n, "m": "add",  "a": [x, y]}   -> {"id": n, "r": x + y}
  {"id": n, "m": "echo", "a": [value]}  -> {"id": n, "r": value}
  a call that raises                    -> {"id": n, "error": "..."}

The JSON work is the floor server's (floor_server.py): json.loads and
json.dumps with the default separators. Exits when stdin closes.
"""

import json
import sys


def add(a, b):
    return a + b


def echo(value):
    """W6: a list of 10k dicts, returned as it came."""
    return value


FUNCTIONS = {"add": add, "echo": echo}


def main():
    for line in sys.stdin:
        call = json.loads(line)
        try:
            reply = {"id": call["id"], "r": FUNCTIONS[call["m"]](*call.get("a", []))}
        except Exception as e:
            reply = {"id": call["id"], "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
