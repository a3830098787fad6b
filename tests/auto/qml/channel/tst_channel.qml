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
        id: channelComponent
        GbChannel {}
    }

    Component {
        id: spyComponent
        SignalSpy {}
    }

    TestCase {
        name: "GbChannel"
        when: py.state === GbPool.Running

        function test_clientStream() {
            const channel = createTemporaryObject(channelComponent, root);
            compare(channel.closed, false);
            compare(channel.capacity, 4096);
            const total = GbTest.track(py.call("sum_stream", [channel]));
            for (let i = 1; i <= 5; ++i)
                verify(channel.write(i));
            wait(50);
            compare(total.resolved + total.rejected, 0, "the iterator waits for close()");
            channel.close();
            compare(channel.closed, true);
            verify(!channel.write(6), "a closed channel takes nothing");
            GbTest.settled(this, total);
            compare(total.value, 15);
        }

        function test_reusedForANewCall() {
            const channel = createTemporaryObject(channelComponent, root);
            const first = GbTest.track(py.call("collect", [channel]));
            channel.write("a");
            channel.close();
            GbTest.settled(this, first);
            compare(first.value, ["a"]);
            compare(channel.closed, true);
            verify(!channel.write("late"), "the finished stream takes nothing");

            // Passed to a new call, the channel starts a new stream.
            const second = GbTest.track(py.call("collect", [channel]));
            compare(channel.closed, false);
            verify(channel.write("b"));
            verify(channel.write({ k: [1, 2.5, null] }));
            channel.close();
            GbTest.settled(this, second);
            compare(second.value, ["b", { k: [1, 2.5, null] }]);
        }

        function test_oneCallAtATime() {
            const channel = createTemporaryObject(channelComponent, root);
            const first = GbTest.track(py.call("collect", [channel]));
            const second = GbTest.settled(this, GbTest.track(py.call("collect", [channel])));
            compare(second.error.code, "BadArguments");
            channel.write(1);
            channel.close();
            GbTest.settled(this, first);
            compare(first.value, [1]);

            const a = createTemporaryObject(channelComponent, root);
            const b = createTemporaryObject(channelComponent, root);
            const both = GbTest.settled(this, GbTest.track(py.call("collect", [a, b])));
            compare(both.error.code, "BadArguments");
        }

        function test_writtenBeforeTheCall() {
            const channel = createTemporaryObject(channelComponent, root);
            channel.write(1);
            channel.write(2);
            channel.close();
            compare(channel.closed, true);
            const total = GbTest.track(py.call("sum_stream", [channel]));
            compare(channel.closed, true, "still closed: the call reads 1, 2, then the end");
            GbTest.settled(this, total);
            compare(total.value, 3);
        }

        function test_fullChannelThenWritable() {
            const channel = createTemporaryObject(channelComponent, root, { capacity: 3 });
            const writable = createTemporaryObject(spyComponent, root,
                                                   { target: channel, signalName: "writable" });
            verify(channel.write(1));
            verify(channel.write(2));
            verify(channel.write(3));
            verify(!channel.write(4), "full: write() keeps nothing");
            const all = GbTest.track(py.call("collect", [channel]));
            tryVerify(() => writable.count > 0, 20000, "writable() once the worker read");
            verify(channel.write(4));
            channel.close();
            GbTest.settled(this, all);
            compare(all.value, [1, 2, 3, 4]);
        }

        function test_unsendableValue() {
            const channel = createTemporaryObject(channelComponent, root);
            ignoreWarning(/GbChannel.write\(\): item: cannot send a function/);
            verify(!channel.write(function () {}));
            const all = GbTest.track(py.call("collect", [channel]));
            channel.write(1);
            channel.close();
            GbTest.settled(this, all);
            compare(all.value, [1]);
        }

        function test_bidirectional() {
            const channel = createTemporaryObject(channelComponent, root);
            const processed = GbTest.track(py.call("process_users", [channel]));
            channel.write({ id: 1, name: "a", score: 5 });
            channel.write({ id: 2, name: "b", score: 12 });
            channel.close();
            GbTest.settled(this, processed);
            compare(processed.value, [{ id: 1, name: "A", score: 10 },
                                      { id: 2, name: "B", score: 24 }]);
        }

        function test_channelPositionAmongArguments() {
            // The channel is the iterator at its place; the other arguments keep theirs.
            const channel = createTemporaryObject(channelComponent, root);
            const sum = GbTest.track(py.call("scaled_sum", [10, channel, 1]));
            channel.write(1);
            channel.write(2);
            channel.close();
            GbTest.settled(this, sum);
            compare(sum.value, 31);
        }

        function test_destroyedChannelCancelsItsCall() {
            const channel = createTemporaryObject(channelComponent, root);
            const reply = py.call("collect", [channel]);
            const outcome = GbTest.track(reply);
            channel.write(1);
            channel.destroy();
            GbTest.settled(this, outcome);
            compare(outcome.rejected, 1, "a truncated stream is never taken for a complete one");
            compare(outcome.error.code, "Cancelled");
        }
    }
}
