from gobridge import gobridge, run


@gobridge
def add(a: int, b: int) -> int:
    return a + b


run()
