# The worker of gobridge-inspector-demo: a few calls worth watching.
import sys
import time
from typing import Iterator

from gobridge import gobridge, run


@gobridge
def get_user(uid: int) -> dict:
    return {"id": uid, "name": "user_%d" % uid, "score": uid * 3 % 100}


@gobridge
def search(query: str, count: int) -> Iterator[dict]:
    for i in range(count):
        time.sleep(0.002)
        yield {"rank": i, "title": "%s result %d" % (query, i)}


@gobridge
def thumbnail(image: bytes) -> bytes:
    return bytes(image[: len(image) // 4])


@gobridge
def log(text: str) -> None:
    print(text, flush=True)
    print("warning: " + text, file=sys.stderr, flush=True)


@gobridge
def validate(value: int) -> int:
    if value % 7 == 0:
        raise ValueError("%d is a multiple of 7" % value)
    return value


@gobridge
def add(a: int, b: int) -> int:
    return a + b


@gobridge
def slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


run()
