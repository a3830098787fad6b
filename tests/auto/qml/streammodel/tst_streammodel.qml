import QtQuick
import QtTest
import GoBridge
import "../common/gbtest.js" as GbTest

Item {
    id: root
    width: 400
    height: 400

    GbPool {
        id: py
        script: workerScript
        workers: 1
        maxConnections: 4
    }

    GbStreamModel {
        id: users
        pool: py
        method: "gen_users"
        arguments: [50]
    }

    ListView {
        id: usersView
        width: 200
        height: 400
        model: users
        delegate: Text {
            required property var id
            required property string name
            required property double score
            text: id + " " + name
        }
    }

    Component {
        id: modelComponent
        GbStreamModel { pool: py }
    }

    Component {
        id: viewComponent
        // A delegate that reads its roles from the model object: a missing one
        // is undefined.
        ListView {
            width: 200
            height: 400
            delegate: Item {
                width: 10
                height: 10
                property var a: model.a
                property var b: model.b
                property var c: model.c
                property var data: model.modelData
            }
        }
    }

    Component {
        id: channelComponent
        GbChannel {}
    }

    Component {
        id: spyComponent
        SignalSpy {}
    }

    Component {
        id: poolComponent
        GbPool { script: workerScript; workers: 1 }
    }

    TestCase {
        name: "GbStreamModel"
        when: windowShown && py.state === GbPool.Running

        function finished(model) {
            tryVerify(() => !model.running && model.received > 0 || model.error !== null, 20000);
            tryCompare(model, "running", false);
        }

        function test_rowsAndRoles() {
            tryCompare(users, "count", 50);
            compare(users.running, false);
            compare(users.received, 50);
            compare(users.error, null);
            compare(users.roles, ["id", "name", "score"]);
            compare(users.get(0).name, "user_1");
            compare(users.get(49).id, 50);
            compare(users.get(50), undefined);
            // The view's delegates read the roles.
            tryVerify(() => usersView.itemAtIndex(0) !== null);
            compare(usersView.itemAtIndex(0).text, "1 user_1");
            compare(usersView.itemAtIndex(2).score, 9);
        }

        function test_scalarsAreModelData() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "range_gen", arguments: [0, 10] });
            const view = createTemporaryObject(viewComponent, root, { model: model });
            tryCompare(model, "count", 10);
            finished(model);
            compare(model.roles, []);
            compare(model.get(3), 3);
            tryVerify(() => view.itemAtIndex(3) !== null);
            compare(view.itemAtIndex(3).data, 3);
        }

        function test_rolesFixedByTheFirstItem() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "changing_keys" });
            const view = createTemporaryObject(viewComponent, root, { model: model });
            tryCompare(model, "count", 3);
            finished(model);
            compare(model.roles, ["a", "b"]);
            tryVerify(() => view.itemAtIndex(2) !== null);
            const rows = [view.itemAtIndex(0), view.itemAtIndex(1), view.itemAtIndex(2)];
            compare(rows[0].a, 1);
            compare(rows[0].b, "one");
            compare(rows[1].a, 2);
            compare(rows[1].b, undefined, "a missing key reads undefined");
            compare(rows[1].c, undefined, "a later key is no role");
            compare(rows[2].a, undefined);
            compare(rows[2].b, "three");
            compare(rows[1].data.c, "ignored", "modelData holds the whole item");
        }

        function test_newRolesOnRestart() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "changing_keys" });
            const view = createTemporaryObject(viewComponent, root, { model: model });
            tryCompare(model, "count", 3);
            finished(model);
            tryVerify(() => view.itemAtIndex(0) !== null && view.itemAtIndex(0).a === 1);
            const rolesSpy = createTemporaryObject(spyComponent, root,
                                                   { target: model, signalName: "rolesChanged" });
            const resetSpy = createTemporaryObject(spyComponent, root,
                                                   { target: model, signalName: "modelReset" });
            // Another stream with other keys.
            model.method = "echo_dicts";
            model.arguments = [[{ c: "x" }, { c: "y" }]];
            tryCompare(model, "count", 2);
            finished(model);
            compare(model.roles, ["c"]);
            compare(rolesSpy.count, 1);
            compare(resetSpy.count, 0, "never a reset");
            // The view kept the roles it read first (Qt's delegate model reads
            // them once); modelData has every key.
            tryVerify(() => view.itemAtIndex(1) !== null && view.itemAtIndex(1).data.c === "y");
            // Given the model again, the view reads the new roles.
            view.model = null;
            view.model = model;
            tryVerify(() => view.itemAtIndex(1) !== null && view.itemAtIndex(1).c === "y");
            compare(view.itemAtIndex(0).a, undefined);
        }

        function test_maxRowsKeepsTheNewest() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "gen_users", arguments: [100],
                                                  maxRows: 10 });
            tryCompare(model, "received", 100);
            finished(model);
            compare(model.count, 10);
            compare(model.get(0).id, 91);
            compare(model.get(9).id, 100);
            model.maxRows = 4;
            compare(model.count, 4);
            compare(model.get(0).id, 97);
            model.maxRows = 0;
            compare(model.count, 4);
        }

        function test_keywordArguments() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "range_gen", arguments: [0, 10],
                                                  keywordArguments: { step: 3 } });
            const changed = createTemporaryObject(spyComponent, root,
                                                  { target: model,
                                                    signalName: "keywordArgumentsChanged" });
            tryCompare(model, "count", 4);
            finished(model);
            compare([model.get(0), model.get(1), model.get(2), model.get(3)], [0, 3, 6, 9]);
            compare(model.keywordArguments, { step: 3 });
            // A change starts the stream again, from an empty model.
            model.keywordArguments = { step: 5 };
            compare(changed.count, 1);
            tryCompare(model, "count", 2);
            finished(model);
            compare([model.get(0), model.get(1)], [0, 5]);
            model.keywordArguments = {};
            tryCompare(model, "count", 10);
            finished(model);
            compare(model.error, null);

            // A name the generator does not take; a value that cannot be sent;
            // a channel, which is no keyword argument.
            model.keywordArguments = { stride: 2 };
            tryVerify(() => model.error !== null, 20000);
            compare(model.error.code, "BadArguments");
            verify(model.error.message.indexOf("stride") >= 0, model.error.message);
            compare(model.count, 0);
            // (Each error differs from the one before: the stream starts again
            // from the event loop, and the old error stays until then.)
            model.keywordArguments = { step: () => 2 };
            tryVerify(() => model.error !== null && model.error.code === "TypeMismatch", 20000);
            verify(model.error.message.indexOf("kwargs.step") >= 0, model.error.message);
            const channel = createTemporaryObject(channelComponent, root);
            model.keywordArguments = { step: channel };
            tryVerify(() => model.error !== null && model.error.code === "BadArguments", 20000);
            verify(model.error.message.indexOf("GbChannel") >= 0, model.error.message);
            compare(model.running, false);
            // And back to a good one.
            model.keywordArguments = { step: 4 };
            tryCompare(model, "count", 3);
            finished(model);
            compare(model.error, null);
        }

        function test_errorEndsTheStream() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "gen_then_raise", arguments: [5] });
            tryVerify(() => model.error !== null, 20000);
            compare(model.running, false);
            compare(model.count, 5, "the items before the error stay");
            compare(model.error.code, "RemoteException");
            compare(model.error.remoteType, "RuntimeError");
            verify(model.error.message.indexOf("boom after 5") >= 0, model.error.message);
            // restart() clears the error and the rows.
            model.method = "range_gen";
            model.arguments = [0, 3];
            tryCompare(model, "count", 3);
            finished(model);
            compare(model.error, null);
        }

        function test_cancelKeepsRowsAndRestartStartsOver() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "slow_users", arguments: [100000, 0.005] });
            tryVerify(() => model.count >= 5, 20000);
            verify(model.running);
            model.cancel();
            compare(model.running, false);
            const kept = model.count;
            wait(200);
            compare(model.count, kept, "no row after cancel()");
            compare(model.error, null, "cancel() is no error");

            model.restart();
            verify(model.running);
            verify(model.count < kept, "restart() starts from an empty model");
            tryVerify(() => model.count >= 5, 20000);
            compare(model.get(0).id, 1);
            model.cancel();
        }

        function test_recreatedPoolRestartsTheStreamWithoutError() {
            const pool = createTemporaryObject(poolComponent, root);
            tryCompare(pool, "state", GbPool.Running, 20000);
            const model = createTemporaryObject(modelComponent, root,
                                                { pool: pool, method: "slow_users",
                                                  arguments: [100000, 0.005] });
            tryVerify(() => model.count >= 5, 20000);
            const errors = createTemporaryObject(spyComponent, root,
                                                 { target: model, signalName: "errorChanged" });
            const runs = createTemporaryObject(spyComponent, root,
                                               { target: model, signalName: "runningChanged" });
            const states = createTemporaryObject(spyComponent, root,
                                                 { target: pool, signalName: "stateChanged" });
            let startedOver = 0; // the model empties itself when it starts again
            model.receivedChanged.connect(() => { if (model.received === 0) ++startedOver; });
            pool.environment = { QGB_QML_TEST: "again" }; // re-creates the pool
            // Running -> Closed -> Starting -> Running, from the event loop.
            tryCompare(states, "count", 3, 20000);
            compare(pool.state, GbPool.Running);
            compare(startedOver, 1);
            tryVerify(() => model.count >= 5, 20000);
            compare(model.get(0).id, 1, "started over in the new pool");
            compare(model.error, null);
            compare(errors.count, 0, "the old pool's PoolClosed is not the model's error");
            compare(runs.count, 0, "running throughout");
            verify(model.running);
            model.cancel();
        }

        function test_destroyedModelCancelsItsStream() {
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "endless", arguments: ["destroyed1", 10],
                                                  maxRows: 100 });
            tryVerify(() => model.received > 1000, 20000);
            model.destroy();
            GbTest.waitForEvent(this, py, "destroyed1 closed");
        }

        function test_bidirectionalStreamFromAChannel() {
            const channel = createTemporaryObject(channelComponent, root);
            const model = createTemporaryObject(modelComponent, root,
                                                { method: "process_users", arguments: [channel] });
            tryVerify(() => model.running);
            verify(channel.write({ id: 1, name: "a", score: 5 }));
            verify(channel.write({ id: 2, name: "b", score: 12 }));
            tryCompare(model, "count", 2);
            verify(model.running, "the stream runs until the channel closes");
            channel.close();
            finished(model);
            compare(model.get(0).name, "A");
            compare(model.get(1).score, 24);
        }
    }
}
