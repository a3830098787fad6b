// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbtesthelpers.h"

#include <QGbQmlPool>
#include <QGbQmlReply>
#include <QGbQmlStreamModel>

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qpointer.h>
#include <QtCore/qthread.h>
#include <QtQml/qqmlcomponent.h>
#include <QtQml/qqmlengine.h>
#include <QtTest/qabstractitemmodeltester.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <memory>

using namespace std::chrono_literals;

class tst_QGbQmlStreamModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void modelTesterWhileStreaming();
    void oneInsertPerTurn();
    void replyFromCpp();
    void engineDestroyedMidCall();

private:
    // Runs the event loop until condition holds (false after msecs).
    template<typename F>
    static bool spin(F condition, int msecs = 20000)
    {
        QElapsedTimer timer;
        timer.start();
        while (!condition()) {
            if (timer.elapsed() > msecs)
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            QThread::msleep(1);
        }
        return true;
    }

    std::unique_ptr<QGbQmlPool> m_pool;
};

void tst_QGbQmlStreamModel::initTestCase()
{
    qputenv("QGOBRIDGE_PYTHON_DIR", QGB_PYTHON_DIR);
}

void tst_QGbQmlStreamModel::init()
{
    // A GbPool made from C++: the parser-status calls QML would make.
    m_pool = std::make_unique<QGbQmlPool>();
    m_pool->classBegin();
    m_pool->setScript(QUrl::fromLocalFile(QStringLiteral(QGB_QML_WORKER)));
    m_pool->setWorkers(1);
    m_pool->componentComplete();
    QVERIFY(m_pool->pool());
    QVERIFY(spin([this] { return m_pool->state() == QGbQmlPool::Running; }));
}

void tst_QGbQmlStreamModel::cleanup()
{
    m_pool.reset();
}

void tst_QGbQmlStreamModel::modelTesterWhileStreaming()
{
    QGbQmlStreamModel model;
    // Any broken model invariant (rows, signals, indexes) aborts the test.
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // An endless stream through maxRows: inserts at the end, removals at the front.
    model.setPool(m_pool.get());
    model.setMethod(QStringLiteral("endless"));
    model.setArguments({ QStringLiteral("tester"), 20 });
    model.setMaxRows(300);
    model.restart();
    QVERIFY(model.isRunning());
    QVERIFY(spin([&] { return model.received() > 20000; }));
    QCOMPARE(model.count(), 300);
    QCOMPARE(model.rowCount(), 300);
    QVERIFY(removed.count() > 0);
    QCOMPARE(model.roles(), QStringList({ QStringLiteral("id"), QStringLiteral("payload") }));
    const QHash<int, QByteArray> roles = model.roleNames();
    QCOMPARE(roles.value(QGbQmlStreamModel::ModelDataRole), QByteArray("modelData"));
    QCOMPARE(roles.value(QGbQmlStreamModel::FirstKeyRole), QByteArray("id"));
    // The newest rows, in order.
    const qint64 first = model.data(model.index(0), QGbQmlStreamModel::FirstKeyRole).toLongLong();
    for (int row = 1; row < model.count(); ++row) {
        QCOMPARE(model.data(model.index(row), QGbQmlStreamModel::FirstKeyRole).toLongLong(),
                 first + row);
    }

    // Shrinking maxRows removes the oldest rows at once.
    model.setMaxRows(100);
    QCOMPARE(model.count(), 100);

    // Another stream: the old rows are removed, the new ones inserted.
    model.setMaxRows(0);
    model.setMethod(QStringLiteral("gen_users"));
    model.setArguments({ 500 });
    QVERIFY(spin([&] { return !model.isRunning() && model.count() == 500; }));
    QCOMPARE(model.received(), 500);
    QCOMPARE(model.callError().code(), QGbError::NoError);
    QCOMPARE(model.get(499).toMap().value(QStringLiteral("name")).toString(),
             QStringLiteral("user_500"));
    QVERIFY(!model.data(model.index(0), QGbQmlStreamModel::FirstKeyRole + 10).isValid());

    // Cancelled mid-stream: the rows stay, nothing more comes.
    model.setMethod(QStringLiteral("slow_users"));
    model.setArguments({ 100000, 0.002 });
    QVERIFY(spin([&] { return model.isRunning() && model.count() > 20; }));
    model.cancel();
    QVERIFY(!model.isRunning());
    const int kept = model.count();
    QTest::qWait(100);
    QCOMPARE(model.count(), kept);
    QCOMPARE(reset.count(), 0);
    QVERIFY(inserted.count() > 0);
}

void tst_QGbQmlStreamModel::oneInsertPerTurn()
{
    QGbQmlStreamModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    int inserts = 0;
    connect(&model, &QAbstractItemModel::rowsInserted, this, [&inserts] { ++inserts; });
    model.setPool(m_pool.get());
    model.setMethod(QStringLiteral("endless"));
    model.setArguments({ QStringLiteral("turns"), 20 });
    model.setMaxRows(1000);
    model.restart();

    // One processEvents() is one turn of the event loop. Between turns the
    // pool's I/O thread posts several batches of items; however many a turn
    // delivers, the model inserts them with one beginInsertRows(), in the
    // next turn.
    int turns = 0;
    int maxPerTurn = 0;
    QElapsedTimer timer;
    timer.start();
    while (model.received() < 50000 && timer.elapsed() < 30000) {
        const int before = inserts;
        QCoreApplication::processEvents();
        maxPerTurn = qMax(maxPerTurn, inserts - before);
        ++turns;
        QThread::msleep(3);
    }
    model.cancel();
    QVERIFY2(model.received() >= 50000, qPrintable(QString::number(model.received())));
    QCOMPARE(maxPerTurn, 1);
    QVERIFY(inserts > 10);
    const double itemsPerInsert = double(model.received()) / inserts;
    qInfo("%lld items in %d inserts over %d turns: %.0f items an insert", model.received(), inserts,
          turns, itemsPerInsert);
    QVERIFY2(itemsPerInsert > 50, "the inserts are batched");
}

void tst_QGbQmlStreamModel::replyFromCpp()
{
    // Without a QML engine: a child of the pool, signals and values, no promise.
    QGbQmlReply *reply = m_pool->call(QStringLiteral("add"), { 3, 4 });
    QVERIFY(reply);
    QCOMPARE(reply->parent(), m_pool.get());
    QSignalSpy finished(reply, &QGbQmlReply::finished);
    QCOMPARE(reply->status(), QGbQmlReply::Running);
    QVERIFY(finished.wait(20000));
    QCOMPARE(reply->status(), QGbQmlReply::Finished);
    QCOMPARE(reply->value().toLongLong(), 7);
    QVERIFY(reply->promise().isUndefined());
    QVERIFY(reply->then().isUndefined());
    delete reply;

    QGbQmlReply *failing = m_pool->call(QStringLiteral("fail"), { QStringLiteral("x") });
    QSignalSpy failed(failing, &QGbQmlReply::finished);
    QVERIFY(failed.wait(20000));
    QCOMPARE(failing->status(), QGbQmlReply::Failed);
    QCOMPARE(failing->callError().code(), QGbError::RemoteException);
    QCOMPARE(failing->callError().remoteType(), QStringLiteral("ValueError"));

    // Destroying the pool settles what still runs.
    QPointer<QGbQmlReply> running =
            m_pool->call(QStringLiteral("wait"), { QStringLiteral("cpp"), 30 });
    QSignalSpy ended(running.data(), &QGbQmlReply::finished);
    m_pool.reset();
    QCOMPARE(ended.count(), 1);
    QVERIFY(!running); // the pool's child
}

void tst_QGbQmlStreamModel::engineDestroyedMidCall()
{
    // A pool the engine owns (JavaScript ownership, no parent) with a call
    // running and a promise pending: destroying the engine destroys the pool
    // while the engine itself is half gone. Nothing may run JavaScript then.
    auto *engine = new QQmlEngine;
    engine->addImportPath(QStringLiteral(QGB_QML_IMPORT_DIR));
    QQmlComponent component(engine);
    component.setData(QByteArrayLiteral(R"(
        import QtQml
        import GoBridge
        QtObject {
            property var pool
            property int settled: 0
            property Component poolComponent: Component {
                GbPool { workers: 1 }
            }
            function start(script) {
                pool = poolComponent.createObject(null, { script: script });
            }
            function call() {
                pool.call("wait", ["engine", 30]).then(() => settled++, () => settled++);
                pool.call("add", [1, 2]).then(v => settled += v);
            }
        }
    )"),
                      QUrl());
    std::unique_ptr<QObject> root(component.create());
    QVERIFY2(root, qPrintable(component.errorString()));
    QMetaObject::invokeMethod(root.get(), "start",
                              Q_ARG(QVariant, QUrl::fromLocalFile(QStringLiteral(QGB_QML_WORKER))));
    auto *pool = qvariant_cast<QGbQmlPool *>(root->property("pool"));
    QVERIFY(pool);
    QPointer<QGbQmlPool> alive(pool);
    QVERIFY(spin([&] { return pool->state() == QGbQmlPool::Running; }));
    QMetaObject::invokeMethod(root.get(), "call");
    QVERIFY(spin([&] { return root->property("settled").toInt() == 3; }));

    root.reset();
    delete engine; // collects the pool, which settles its running reply
    QVERIFY(!alive);
}

QTEST_GUILESS_MAIN(tst_QGbQmlStreamModel)

#include "tst_qgbqmlstreammodel.moc"
