import QtQuick
import QtTest
import GoBridge
import "../common/gbtest.js" as GbTest

Item {
    id: root

    GbPool {
        id: py
        script: workerScript
        workers: 1
        maxConnections: 4
    }

    Component {
        id: callerComponent
        // Makes a call it owns, and handles its outcome itself.
        Item {
            id: caller
            property int settledHere: 0
            function start(tag) {
                const reply = py.call("wait", [tag, 30], { owner: caller });
                reply.then(function () { caller.settledHere++; },
                           function () { caller.settledHere++; });
                return reply;
            }
        }
    }

    Component {
        id: spyComponent
        SignalSpy {}
    }

    TestCase {
        name: "GbReply"
        when: py.state === GbPool.Running

        function cleanup() {
            py.callTimeout = 0;
        }

        function test_resolvesOnce() {
            const reply = py.call("add", [3, 4]);
            compare(reply.status, GbReply.Running);
            compare(reply.progress, -1);
            compare(reply.method, "add");
            const statusSpy = createTemporaryObject(spyComponent, root,
                                                    { target: reply, signalName: "statusChanged" });
            const finishedSpy = createTemporaryObject(spyComponent, root,
                                                      { target: reply, signalName: "finished" });
            const outcome = GbTest.track(reply);
            GbTest.settled(this, outcome);
            compare(outcome.resolved, 1);
            compare(outcome.value, 7);
            compare(reply.status, GbReply.Finished);
            compare(reply.value, 7);
            compare(reply.error, null);
            compare(reply.progress, 1);
            compare(statusSpy.count, 1);
            compare(finishedSpy.count, 1);

            // Cancelling a settled reply changes nothing.
            reply.cancel();
            compare(reply.status, GbReply.Finished);

            // A then() after settling gets the value too, once.
            const late = GbTest.settled(this, GbTest.track(reply));
            compare(late.resolved, 1);
            compare(late.value, 7);
            wait(100);
            compare(outcome.resolved + outcome.rejected, 1);
            compare(statusSpy.count, 1);
        }

        function test_thenChains() {
            let doubled;
            const chained = py.call("add", [1, 2]).then(v => v * 2);
            verify(chained instanceof Promise);
            chained.then(v => doubled = v);
            compare(doubled, undefined, "callbacks run from the event loop");
            tryVerify(() => doubled === 6);

            let all;
            Promise.all([py.call("add", [1, 2]), py.call("add", [3, 4])]).then(v => all = v);
            tryVerify(() => all !== undefined);
            compare(all, [3, 7]);

            let viaResolve;
            Promise.resolve(py.call("add", [5, 5])).then(v => viaResolve = v);
            tryVerify(() => viaResolve === 10);

            // A reply returned from a callback is awaited, as any thenable.
            let total, caught;
            py.call("add", [1, 2]).then(sum => py.call("add", [sum, 10]))
                                  .then(v => total = v);
            tryVerify(() => total === 13);
            py.call("add", [1, 2]).then(sum => py.call("fail", ["inner " + sum]))
                                  .then(v => caught = "resolved", e => caught = e.message);
            tryVerify(() => caught !== undefined);
            verify(caught.indexOf("inner 3") >= 0, caught);

            let fromPromise;
            const reply = py.call("add", [2, 2]);
            verify(reply.promise instanceof Promise);
            compare(reply.promise, reply.promise, "one promise a reply");
            reply.promise.then(v => fromPromise = v);
            tryVerify(() => fromPromise === 4);
        }

        function test_rejectsOnce() {
            const reply = py.call("fail", ["bad input"]);
            const outcome = GbTest.settled(this, GbTest.track(reply));
            compare(outcome.rejected, 1);
            const e = outcome.error;
            verify(e instanceof Error);
            compare(e.name, "GbError");
            compare(e.code, "RemoteException");
            compare(e.remoteType, "ValueError");
            verify(e.message.indexOf("bad input") >= 0, e.message);
            verify(e.traceback.indexOf("ValueError") >= 0, e.traceback);
            compare(e.retriable, false);
            compare(reply.status, GbReply.Failed);
            verify(reply.error === e, "error is the object the promise rejected with");
            compare(reply.value, undefined);
            compare(reply.progress, -1);
        }

        function test_progress() {
            const reply = py.call("steps", [[[1, 4, "one"], [3, 4, "three"], [7, null, "busy"]],
                                            0.3]);
            const seen = [];
            reply.progressChanged.connect(function () {
                seen.push([reply.progress, reply.progressValue, reply.progressMaximum,
                           reply.progressText]);
            });
            tryVerify(function () { return seen.length >= 1; }, 10000);
            compare(seen[0], [0.25, 1, 4, "one"]);
            tryVerify(function () { return seen.length >= 3; }, 10000);
            compare(seen[1], [0.75, 3, 4, "three"]);
            // Without a total, progress is unknown: -1.
            compare(seen[2], [-1, 7, 0, "busy"]);
            const outcome = GbTest.settled(this, GbTest.track(reply));
            compare(outcome.value, 3);
            compare(reply.progress, 1);
            compare(reply.progressText, "busy");
        }

        function test_logRecord() {
            const spy = createTemporaryObject(spyComponent, root,
                                              { target: py, signalName: "logRecord" });
            GbTest.settled(this, GbTest.track(py.call("log", [40, "disk full"])));
            tryCompare(spy, "count", 1);
            const record = spy.signalArguments[0][0];
            compare(record.levelName, "ERROR");
            compare(record.level, 40);
            compare(record.logger, "qmlworker");
            compare(record.message, "disk full");
            compare(record.method, "log");
            verify(record.callId > 0);
            compare(record.worker, 0);
            verify(record.time instanceof Date);
        }

        function test_generatorResolvesWithItems() {
            const outcome = GbTest.settled(this, GbTest.track(py.call("range_gen", [1, 6])));
            compare(outcome.value, [1, 2, 3, 4, 5]);
            const users = GbTest.settled(this, GbTest.track(py.call("gen_users", [2])));
            compare(users.value.length, 2);
            compare(users.value[1].name, "user_2");
        }

        function test_unknownMethod() {
            const outcome = GbTest.settled(this, GbTest.track(py.call("no_such_function")));
            compare(outcome.error.code, "UnknownMethod");
        }

        function test_cancelRejects() {
            const reply = py.call("wait", ["cancel1", 30]);
            const outcome = GbTest.track(reply);
            GbTest.waitForEvent(this, py, "cancel1 started");
            reply.cancel();
            compare(reply.status, GbReply.Cancelled, "at once");
            compare(reply.error.code, "Cancelled");
            GbTest.settled(this, outcome);
            compare(outcome.rejected, 1);
            compare(outcome.error.code, "Cancelled");
            reply.cancel(); // again: nothing
            wait(50);
            compare(outcome.rejected, 1);
            // The Python function was interrupted.
            GbTest.waitForEvent(this, py, "cancel1 cancelled");
        }

        function test_deadlineRejects() {
            const reply = py.call("wait", ["deadline1", 30], { timeout: 300 });
            const outcome = GbTest.settled(this, GbTest.track(reply));
            compare(outcome.rejected, 1);
            compare(outcome.error.code, "DeadlineExceeded");
            compare(reply.status, GbReply.Cancelled);
            GbTest.waitForEvent(this, py, "deadline1 cancelled");

            // The pool's default deadline, and the per-call option over it.
            py.callTimeout = 300;
            const byPool = GbTest.settled(this, GbTest.track(py.call("wait", ["deadline2", 30])));
            compare(byPool.error.code, "DeadlineExceeded");
            const longer = GbTest.settled(this,
                    GbTest.track(py.call("wait", ["deadline3", 0.6], { timeout: 10000 })));
            compare(longer.value, "deadline3");
        }

        function test_ownerDestroyedCancels() {
            const caller = createTemporaryObject(callerComponent, root);
            const reply = caller.start("owner1");
            const outcome = GbTest.track(reply);
            GbTest.waitForEvent(this, py, "owner1 started");
            caller.destroy();
            GbTest.settled(this, outcome);
            compare(outcome.rejected, 1);
            compare(outcome.error.code, "Cancelled");
            compare(reply.status, GbReply.Cancelled);
            GbTest.waitForEvent(this, py, "owner1 cancelled");
            // The pool still works.
            compare(GbTest.settled(this, GbTest.track(py.call("add", [1, 1]))).value, 2);
        }

        function test_ownerAsOptionsObject() {
            const owner = createTemporaryObject(spyComponent, root);
            const reply = py.call("wait", ["owner2", 30], owner);
            const outcome = GbTest.track(reply);
            GbTest.waitForEvent(this, py, "owner2 started");
            owner.destroy();
            GbTest.settled(this, outcome);
            compare(outcome.error.code, "Cancelled");
            GbTest.waitForEvent(this, py, "owner2 cancelled");
        }

        function test_ownerOutlivedChangesNothing() {
            const owner = createTemporaryObject(spyComponent, root);
            const outcome = GbTest.settled(this,
                    GbTest.track(py.call("add", [20, 22], { owner: owner })));
            compare(outcome.value, 42);
            owner.destroy();
            wait(50);
            compare(outcome.resolved, 1);
            compare(outcome.rejected, 0);
        }

        function test_runningReplySurvivesGc() {
            const seen = { results: [], watch: -1 };
            (function () {
                const reply = py.call("wait", ["gc1", 0.5]);
                seen.watch = probe.watch(reply);
                reply.then(function (v) { seen.results.push(v); });
            })();
            // Nothing in JavaScript refers to the reply now.
            gc();
            wait(0);
            gc();
            tryVerify(() => seen.results.length === 1, 20000, "the reply settled");
            compare(seen.results, ["gc1"]);
            // Settled, and still unreferenced: the collector takes it now
            // (which shows that gc() above could have taken it too).
            tryVerify(function () { gc(); return !probe.alive(seen.watch); }, 10000,
                      "the settled reply was collected");
        }

        function test_manyDroppedRepliesAllSettle() {
            const seen = { count: 0, sum: 0 };
            for (let i = 0; i < 50; ++i) {
                py.call("add", [i, 0]).then(function (v) { seen.count++; seen.sum += v; });
                if (i % 10 === 0)
                    gc();
            }
            gc();
            tryVerify(() => seen.count === 50);
            compare(seen.sum, 49 * 50 / 2);
        }

        function test_conversions() {
            const types = [[3, "int"], [-7, "int"], [2.5, "float"], [1e300, "float"],
                           ["s", "str"], [true, "bool"], [null, "NoneType"],
                           [[1, 2], "list"], [{ a: 1 }, "dict"]];
            for (const [value, type] of types) {
                const o = GbTest.settled(this, GbTest.track(py.call("type_name", [value])));
                compare(o.value, type, JSON.stringify(value));
            }
            const buffer = new Uint8Array([1, 2, 250]).buffer;
            compare(GbTest.settled(this, GbTest.track(py.call("type_name", [buffer]))).value,
                    "bytes");
            const back = GbTest.settled(this, GbTest.track(py.call("echo", [buffer]))).value;
            verify(back instanceof ArrayBuffer, "bytes come back as an ArrayBuffer");
            compare(Array.from(new Uint8Array(back)), [1, 2, 250]);
            const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
            const iso = GbTest.settled(this, GbTest.track(py.call("echo", [date]))).value;
            compare(iso, "2026-01-02T03:04:05.006Z", "in UTC");
            compare(GbTest.settled(this, GbTest.track(py.call("type_name", [undefined]))).value,
                    "NoneType");

            const nested = { a: [1, "x", null, { b: false }], n: 4.25 };
            compare(GbTest.settled(this, GbTest.track(py.call("echo", [nested]))).value, nested);
            compare(GbTest.settled(this, GbTest.track(py.call("echo", ["é€😀"]))).value, "é€😀");
        }

        function test_unsendableArgumentsReject() {
            const fn = GbTest.settled(this, GbTest.track(py.call("echo", [function () {}])));
            compare(fn.error.code, "TypeMismatch");
            verify(fn.error.message.indexOf("args[0]") >= 0, fn.error.message);
            const obj = GbTest.settled(this, GbTest.track(py.call("echo", [{ item: root }])));
            compare(obj.error.code, "TypeMismatch");
            verify(obj.error.message.indexOf("args[0].item") >= 0, obj.error.message);
            const options = GbTest.settled(this,
                    GbTest.track(py.call("add", [1, 2], { timeout: "soon" })));
            compare(options.error.code, "BadArguments");
            // Rejected from the event loop, after call() returned: the status
            // was Running when call() returned.
            const reply = py.call("echo", [function () {}]);
            compare(reply.status, GbReply.Running);
            tryCompare(reply, "status", GbReply.Failed);
        }
    }
}
