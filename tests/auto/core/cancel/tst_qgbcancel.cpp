// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Cancellation (docs/reliability.md, "Cancellation and deadlines"): the caller
// sees it at once, and the Python function is interrupted where it runs,
// without killing the worker.

#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

using namespace std::chrono_literals;

class tst_QGbCancel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void busyLoopOnEveryThread_data();
    void busyLoopOnEveryThread();
    void sleepOnSingleConnection();
    void generator();
    void inputReader();
    void queuedCall();
    void callerSeesCancelAtOnce();
    void callObjectCancel();
    void callObjectFutureCancel();
    void deletingCallObjectCancels();
    void destroyedChannelAbortsCall();
    void uninterruptibleCallKillsWorkerAfterGrace();
};

void tst_QGbCancel::busyLoopOnEveryThread_data()
{
    QTest::addColumn<QString>("method");
    QTest::newRow("busy loop") << "busy_loop";
    QTest::newRow("except Exception: pass does not swallow it") << "busy_loop_swallow";
}

void tst_QGbCancel::busyLoopOnEveryThread()
{
    // Three connections: one call runs on the worker's main thread, the others on
    // its connection threads; each is reached by a different mechanism.
    QFETCH(QString, method);
    QGbPool pool(poolWorker(), testOptions(1, 3));
    EventLog log(&pool);
    const qint64 pid = pool.call<qint64>("pid").result();
    QList<QFuture<void>> calls;
    for (int i = 0; i < 3; ++i)
        calls.append(pool.call<void>(method));
    QVERIFY(log.waitFor(method + u" started"_qs, 3));
    QCOMPARE(log.count(method + u" started main=True"_qs), 1);
    QCOMPARE(log.count(method + u" started main=False"_qs), 2);
    for (QFuture<void> &call : calls)
        call.cancel();
    QVERIFY2(log.waitFor(method + u" cancelled"_qs, 3, 5000), qPrintable(log.events().join('|')));
    QCOMPARE(pool.call<qint64>("pid").result(), pid); // interrupted, not killed
    for (const QFuture<void> &call : calls)
        QVERIFY(call.isCanceled());
}

void tst_QGbCancel::sleepOnSingleConnection()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    const qint64 pid = pool.call<qint64>("pid").result();
    QFuture<double> sleeping = pool.call<double>("sleep", 60.0);
    QVERIFY(log.waitFor(u"sleep started main=True"_qs));
    sleeping.cancel();
    QVERIFY(log.waitFor(u"sleep cancelled"_qs, 1, 5000));
    // The only connection is free again, on the same process.
    QCOMPARE(pool.call<qint64>("pid").result(), pid);
}

void tst_QGbCancel::generator()
{
    QGbPool pool(poolWorker(), testOptions(1, 2));
    EventLog log(&pool);
    const qint64 pid = pool.call<qint64>("pid").result();
    QFuture<int> numbers = pool.stream<int>("slow_gen");
    QTRY_VERIFY_WITH_TIMEOUT(numbers.resultCount() >= 3, 20000);
    numbers.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(
            log.count(u"slow_gen closed"_qs) + log.count(u"slow_gen cancelled"_qs) == 1, 5000);
    QCOMPARE(pool.call<qint64>("pid").result(), pid);
    QVERIFY(numbers.isCanceled());
}

void tst_QGbCancel::inputReader()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    QGbChannel in;
    QFuture<int> count = pool.call<int>("read_forever", in);
    QVERIFY(in.write(1));
    QVERIFY(in.write(2));
    QVERIFY(log.waitFor(u"read_forever started"_qs));
    count.cancel();
    QVERIFY2(log.waitFor(u"read_forever cancelled"_qs, 1, 5000),
             qPrintable(log.events().join('|')));
    QVERIFY(!in.write(3)); // the call ended: the channel takes nothing more
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
}

void tst_QGbCancel::queuedCall()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    QFuture<int> running = pool.call<int>("slow_add", 1, 1, 0.3);
    QFuture<int> queued = pool.call<int>("slow_add", 2, 2, 0.0);
    queued.cancel();
    QCOMPARE(running.result(), 2);
    QVERIFY(queued.isCanceled());
    QTRY_VERIFY(queued.isFinished());
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
}

void tst_QGbCancel::callerSeesCancelAtOnce()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    QFuture<void> busy = pool.call<void>("busy_loop");
    QVERIFY(log.waitFor(u"busy_loop started"_qs));
    busy.cancel();
    QVERIFY(busy.isCanceled());
    busy.waitForFinished(); // returns without waiting for the worker
    QVERIFY(busy.isFinished());
    QVERIFY(log.waitFor(u"busy_loop cancelled"_qs, 1, 5000));
}

void tst_QGbCancel::callObjectCancel()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    std::unique_ptr<QGbCall> call(pool.invoke("busy_loop"));
    QSignalSpy errors(call.get(), &QGbCall::errorOccurred);
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(log.waitFor(u"busy_loop started"_qs));
    call->cancel();
    // Emitted at once, synchronously, exactly once.
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<QGbError>().code(), QGbError::Cancelled);
    QCOMPARE(finished.size(), 1);
    QVERIFY(call->isFinished());
    call->cancel();
    QVERIFY(log.waitFor(u"busy_loop cancelled"_qs, 1, 5000));
    QCoreApplication::processEvents();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(errors.size(), 1);
}

// Cancelling the QGbCall's future() (as the class documentation allows) ends
// the call as cancel() does: errorOccurred(Cancelled), then finished(), once
// each; not a finished() that looks like a success without a result.
void tst_QGbCancel::callObjectFutureCancel()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    std::unique_ptr<QGbCall> call(pool.invoke("busy_loop"));
    QSignalSpy errors(call.get(), &QGbCall::errorOccurred);
    QSignalSpy results(call.get(), &QGbCall::resultReady);
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(log.waitFor(u"busy_loop started"_qs));
    call->future().cancel();
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<QGbError>().code(), QGbError::Cancelled);
    QCOMPARE(call->error().code(), QGbError::Cancelled);
    QVERIFY(call->isFinished());
    QVERIFY(log.waitFor(u"busy_loop cancelled"_qs, 1, 5000));
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
    QCoreApplication::processEvents();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(results.size(), 0);
}

void tst_QGbCancel::deletingCallObjectCancels()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    QGbCall *call = pool.invoke("slow_gen");
    QSignalSpy chunks(call, &QGbCall::chunkReceived);
    QVERIFY(chunks.wait(20000));
    delete call; // the caller disappears
    QTRY_VERIFY_WITH_TIMEOUT(
            log.count(u"slow_gen closed"_qs) + log.count(u"slow_gen cancelled"_qs) == 1, 5000);
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
}

void tst_QGbCancel::destroyedChannelAbortsCall()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    auto *in = new QGbChannel;
    QFuture<int> count = pool.call<int>("read_forever", *in);
    QVERIFY(in->write(1));
    QVERIFY(log.waitFor(u"read_forever started"_qs));
    delete in; // destroyed without close(): not a complete stream
    const QGbError error = errorOf(count);
    QCOMPARE(error.code(), QGbError::Cancelled);
    QVERIFY(log.waitFor(u"read_forever cancelled"_qs, 1, 5000));
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
}

void tst_QGbCancel::uninterruptibleCallKillsWorkerAfterGrace()
{
    // time.sleep on a connection thread cannot be interrupted: after the grace
    // period the worker is killed and replaced; nothing hangs.
    QGbPool pool(poolWorker(), testOptions(1, 2).setCancelGracePeriod(300ms));
    EventLog log(&pool);
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    const qint64 pid = pool.call<qint64>("pid").result();
    QFuture<double> a = pool.call<double>("sleep", 60.0);
    QFuture<double> b = pool.call<double>("sleep", 60.0);
    QVERIFY(log.waitFor(u"sleep started main=False"_qs));
    QVERIFY(log.waitFor(u"sleep started"_qs, 2));
    a.cancel();
    b.cancel();
    QVERIFY(exited.wait(10000));
    QVERIFY(pool.call<qint64>("pid").result() != pid);
}

QTEST_GUILESS_MAIN(tst_QGbCancel)
#include "tst_qgbcancel.moc"
