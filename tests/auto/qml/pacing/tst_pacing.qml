import QtQuick
import QtTest
import GoBridge
import "../common/gbtest.js" as GbTest

// An endless generator, as fast as Python yields, into a GbStreamModel bound
// to a ListView for several seconds: the process's memory must stay flat, the
// GUI thread must keep running its timers, and the worker must stay within a
// few credit windows of what the model has inserted.
Item {
    id: root
    width: 400
    height: 600

    GbPool {
        id: py
        script: workerScript
        workers: 1
        maxConnections: 4
    }

    GbStreamModel {
        id: stream
        pool: py
        maxRows: 2000
    }

    ListView {
        id: view
        anchors.fill: parent
        model: stream
        delegate: Text {
            required property int id
            required property string payload
            width: ListView.view.width
            text: id + " " + payload.length
        }
    }

    // Measures how late the GUI thread runs a 10 ms timer.
    Timer {
        id: ticker
        interval: 10
        repeat: true
        property double last: 0
        property double maxGap: 0
        property int ticks: 0
        function reset() {
            last = 0;
            maxGap = 0;
            ticks = 0;
        }
        onTriggered: {
            const now = probe.now();
            if (last > 0)
                maxGap = Math.max(maxGap, now - last);
            last = now;
            ++ticks;
        }
    }

    TestCase {
        name: "Pacing"
        when: windowShown && py.state === GbPool.Running

        function test_endlessStreamIntoAListView() {
            const seconds = 5;
            stream.method = "endless";
            stream.arguments = ["pacing", 200];
            tryVerify(() => stream.count === stream.maxRows, 20000, "the stream flows");

            wait(1500); // warm-up: allocator pools, delegates, the view's caches
            const baseline = probe.rssKiB();
            verify(baseline > 0);
            let maxRss = baseline;
            let maxAhead = -Infinity; // produced, less what the model had after the answer
            let maxAheadBound = 0;    // produced, less what the model had before the question
            const received0 = stream.received;
            ticker.reset();
            ticker.start();
            const t0 = probe.now();
            while (probe.now() - t0 < seconds * 1000) {
                wait(200);
                maxRss = Math.max(maxRss, probe.rssKiB());
                // What the worker has yielded against what the model took in.
                // Read after the answer came back, the model's count can only
                // make the difference too small, by what arrived meanwhile; a
                // worker that is not paced gets further ahead every second,
                // which this still shows. Read before the question, it can
                // only make it too large (reported, not checked).
                const before = stream.received;
                const produced = GbTest.track(py.call("produced"));
                tryVerify(() => produced.resolved + produced.rejected > 0, 20000);
                compare(produced.rejected, 0);
                maxAhead = Math.max(maxAhead, produced.value - stream.received);
                maxAheadBound = Math.max(maxAheadBound, produced.value - before);
            }
            ticker.stop();
            const elapsed = (probe.now() - t0) / 1000;
            const rate = (stream.received - received0) / elapsed;
            const growthMiB = (maxRss - baseline) / 1024;
            console.log("pacing: " + Math.round(rate) + " items/s into the view for "
                        + elapsed.toFixed(1) + " s; RSS " + (baseline / 1024).toFixed(1)
                        + " MiB after warm-up, max growth " + growthMiB.toFixed(1)
                        + " MiB; timer max gap " + ticker.maxGap.toFixed(1) + " ms over "
                        + ticker.ticks + " ticks (10 ms interval); worker ahead of the model by at most "
                        + maxAhead + " items (" + maxAheadBound + " counting the round trip)");

            verify(rate > 1000, "the stream kept flowing: " + rate + " items/s");
            compare(stream.count, stream.maxRows);
            verify(stream.running);
            // One credit window (1024) in flight, plus at most what arrived in
            // one event-loop turn waiting for its insert.
            verify(maxAhead <= 4096, "the worker stayed paced: " + maxAhead + " ahead");

            stream.cancel();
            GbTest.waitForEvent(this, py, "pacing closed");

            if (probe.sanitized)
                skip("built with sanitizers: memory and timing are not checked");
            verify(growthMiB < 30, "memory stayed flat: +" + growthMiB.toFixed(1) + " MiB");
            // 50-70 ms on a quiet machine here (software rendering, 2 cores), up to
            // 200 ms with a load average of 10; the limit leaves room for more.
            verify(ticker.maxGap < 500, "the GUI thread kept its timers: max gap "
                   + ticker.maxGap.toFixed(1) + " ms");
            verify(ticker.ticks > seconds * 1000 / 10 / 4, "the timer ran: " + ticker.ticks);
        }
    }
}
