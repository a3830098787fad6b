// Helpers shared by the QML test suites (import "../common/gbtest.js" as GbTest).
.pragma library

// Counts how the promise of reply settles: both callbacks are counted, so a
// test can check that exactly one of them ran exactly once.
function track(reply) {
    const outcome = { resolved: 0, rejected: 0, value: undefined, error: undefined };
    reply.then(function (value) {
        outcome.resolved++;
        outcome.value = value;
    }, function (error) {
        outcome.rejected++;
        outcome.error = error;
    });
    return outcome;
}

// Waits until outcome (from track()) has settled, then a little longer, and
// checks that exactly one callback ran, once.
function settled(testCase, outcome, timeout) {
    testCase.tryVerify(function () { return outcome.resolved + outcome.rejected > 0; },
                       timeout || 20000, "the promise settled");
    testCase.wait(50);
    testCase.compare(outcome.resolved + outcome.rejected, 1, "exactly one callback, once");
    return outcome;
}

// Waits until the worker of pool has recorded event (qmlworker.py's events()).
function waitForEvent(testCase, pool, event, timeout) {
    const deadline = Date.now() + (timeout || 20000);
    while (Date.now() < deadline) {
        const o = track(pool.call("events"));
        testCase.tryVerify(function () { return o.resolved + o.rejected > 0; }, 10000);
        if (o.resolved && o.value.indexOf(event) >= 0)
            return;
        testCase.wait(20);
    }
    testCase.fail("the worker did not record '" + event + "'");
}
