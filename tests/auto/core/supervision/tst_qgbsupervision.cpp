// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Supervision: crashes, restarts with backoff, shutdown with calls in flight.

#include "qgbtesthelpers.h"
#include "qgbtestlistener_p.h"

#include <QGbPool>

#include <QtCore/qdir.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <signal.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
bool processAlive(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}
} // namespace

class tst_QGbSupervision : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void crashMidCall();
    void crashMidStream();
    void crashFailsEveryCallOnThatWorker();
    void killedFromOutside_data();
    void killedFromOutside();
    void queuedCallsGoToALiveWorker();
    void backoffTiming_data();
    void backoffTiming();
    void destroyWithCallsInFlight();
    void callsAfterClose();
    void nothingLeftBehind();
};

void tst_QGbSupervision::crashMidCall()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    const qint64 pid = pool.call<qint64>("pid").result();
    const QGbError error = errorOf(pool.call<int>("crash"));
    QCOMPARE(error.code(), QGbError::WorkerCrashed);
    QVERIFY(error.isRetriable());
    QVERIFY2(error.errorString().contains(u"exited with code 3"_qs), describe(error));
    QTRY_COMPARE(exited.size(), 1);
    QCOMPARE(exited.at(0).at(1).toLongLong(), pid);
    QCOMPARE(exited.at(0).at(2).toInt(), 3);
    // The next call succeeds, on the restarted worker.
    QCOMPARE(pool.call<int>("add", 2, 3).result(), 5);
    const qint64 newPid = pool.call<qint64>("pid").result();
    QVERIFY(newPid != pid);
    QVERIFY(!processAlive(pid));
}

void tst_QGbSupervision::crashMidStream()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    std::unique_ptr<QGbCall> call(pool.invoke("crash_mid_stream", { 3 }));
    QVariantList order;
    connect(call.get(), &QGbCall::chunkReceived, this, [&](const QVariant &v) { order << v; });
    connect(call.get(), &QGbCall::errorOccurred, this,
            [&](const QGbError &e) { order << QGbError::codeName(e.code()); });
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(finished.wait(20000));
    QCOMPARE(order, (QVariantList { qint64(0), qint64(1), qint64(2), u"WorkerCrashed"_qs }));
    QCOMPARE(errorOf(pool.stream<int>("crash_mid_stream", 3)).code(), QGbError::WorkerCrashed);
    QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
}

void tst_QGbSupervision::crashFailsEveryCallOnThatWorker()
{
    QGbPool pool(poolWorker(), testOptions(1, 3));
    EventLog log(&pool);
    QFuture<double> a = pool.call<double>("sleep", 30.0);
    QFuture<double> b = pool.call<double>("sleep", 30.0);
    QVERIFY(log.waitFor(u"sleep started"_qs, 2));
    QFuture<int> crash = pool.call<int>("crash");
    QCOMPARE(errorOf(crash).code(), QGbError::WorkerCrashed);
    QCOMPARE(errorOf(a).code(), QGbError::WorkerCrashed); // at once, not after 30 s
    QCOMPARE(errorOf(b).code(), QGbError::WorkerCrashed);
}

void tst_QGbSupervision::killedFromOutside_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGKILL") << int(SIGKILL);
    QTest::newRow("SIGSEGV") << int(SIGSEGV);
    QTest::newRow("SIGTERM") << int(SIGTERM);
}

void tst_QGbSupervision::killedFromOutside()
{
    QFETCH(int, signal);
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    const qint64 pid = pool.call<qint64>("pid").result();
    QFuture<double> sleeping = pool.call<double>("sleep", 30.0);
    QVERIFY(log.waitFor(u"sleep started"_qs));
    QCOMPARE(::kill(pid_t(pid), signal), 0);
    QCOMPARE(errorOf(sleeping).code(), QGbError::WorkerCrashed);
    QVERIFY(pool.call<qint64>("pid").result() != pid);
}

void tst_QGbSupervision::queuedCallsGoToALiveWorker()
{
    QGbPool pool(poolWorker(), testOptions(2, 1));
    QVERIFY(pool.waitForStarted(20000));
    // Both connections busy; then one worker crashes while calls wait in the queue.
    QFuture<int> slow = pool.call<int>("slow_add", 1, 1, 0.5);
    QFuture<int> crash = pool.call<int>("crash");
    QList<QFuture<int>> queued;
    for (int i = 0; i < 10; ++i)
        queued.append(pool.call<int>("add", i, i));
    QCOMPARE(errorOf(crash).code(), QGbError::WorkerCrashed);
    QCOMPARE(slow.result(), 2);
    for (int i = 0; i < queued.size(); ++i) {
        QVERIFY2(!errorOf(queued.at(i)).isError(), describe(errorOf(queued.at(i))));
        QCOMPARE(queued.at(i).result(), 2 * i);
    }
}

void tst_QGbSupervision::backoffTiming_data()
{
    QTest::addColumn<int>("initial"); // 0: the default backoff
    QTest::addColumn<int>("maximum");
    QTest::addColumn<QList<int>>("expected"); // the delays between deaths, ms

    QTest::newRow("default: 100 ms doubling") << 0 << 0 << QList<int> { 100, 200, 400, 800 };
    // Seven restarts: the default backoff would reach 6.4 s, far above what
    // these allow, so an ignored option cannot pass.
    QTest::newRow("300 ms doubling to 700")
            << 300 << 700 << QList<int> { 300, 600, 700, 700, 700, 700, 700 };
    QTest::newRow("50 ms flat") << 50 << 50 << QList<int> { 50, 50, 50, 50, 50, 50, 50 };
}

void tst_QGbSupervision::backoffTiming()
{
    QFETCH(int, initial);
    QFETCH(int, maximum);
    QFETCH(QList<int>, expected);

    // A worker that dies at every start is restarted after each delay.
    QGbPoolOptions options = testOptions(1, 1).setEnvironment({ u"GB_CRASH_ON_START=1"_qs });
    if (initial > 0) {
        options.setRestartBackoff(std::chrono::milliseconds(initial),
                                  std::chrono::milliseconds(maximum));
    }
    QCOMPARE(options.restartDelay().count(), initial > 0 ? initial : 100);
    QCOMPARE(options.maxRestartDelay().count(), maximum > 0 ? maximum : 30000);
    // The engine's own events, timed in its I/O thread: the delay each
    // restart was scheduled with, and the time from an exit to the next
    // process start (the time Python takes to start and crash is not in it).
    class Restarts : public QGbTestEventLog
    {
    public:
        Restarts() { clock.start(); }
        void workerEvent(int, WorkerEvent event, qint64, qint64 detail, const QString &) override
        {
            if (event == WorkerEvent::Exited)
                add(u"exit %1"_s.arg(clock.elapsed()));
            else if (event == WorkerEvent::RestartScheduled)
                add(u"delay %1"_s.arg(detail));
            else if (event == WorkerEvent::Starting)
                add(u"start %1"_s.arg(clock.elapsed()));
        }
        QList<qint64> values(const QString &kind) const
        {
            QList<qint64> out;
            for (const QString &event : events()) {
                if (event.startsWith(kind + u' '))
                    out.append(event.mid(kind.size() + 1).toLongLong());
            }
            return out;
        }
        QElapsedTimer clock;
    } restarts; // outlives the pool
    QGbPool pool(poolWorker(), options);
    QVERIFY(qgbListen(&pool, &restarts));
    QTRY_VERIFY_WITH_TIMEOUT(restarts.values(u"start"_s).size() > expected.size() + 1, 30000);
    // The delays, exactly; the first start came before the listener.
    const QList<qint64> delays = restarts.values(u"delay"_s);
    QVERIFY2(delays.size() >= expected.size(), qPrintable(restarts.all()));
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(delays.at(i), qint64(expected.at(i)));
    // Each exit is followed by the next start after its delay: exact from
    // below, at most 1.5 s late from above (the I/O thread's timer on a
    // loaded machine).
    const QList<qint64> exits = restarts.values(u"exit"_s);
    const QList<qint64> starts = restarts.values(u"start"_s);
    for (int i = 0; i < expected.size(); ++i) {
        const auto next = std::find_if(starts.begin(), starts.end(),
                                       [&](qint64 t) { return t >= exits.at(i); });
        QVERIFY2(next != starts.end(), qPrintable(restarts.all()));
        const qint64 gap = *next - exits.at(i);
        const QString why = QStringLiteral("restart %1: started %2 ms after the exit (delay %3 ms)")
                                    .arg(i)
                                    .arg(gap)
                                    .arg(expected.at(i));
        QVERIFY2(gap >= expected.at(i) - 5, qPrintable(why));
        QVERIFY2(gap < expected.at(i) + 1500, qPrintable(why));
    }
}

void tst_QGbSupervision::destroyWithCallsInFlight()
{
    auto *pool = new QGbPool(poolWorker(), testOptions(2, 2));
    EventLog log(pool);
    QVERIFY(pool->waitForStarted(20000));
    const QList<qint64> pids = pool->workerProcessIds();
    QCOMPARE(pids.size(), 2);
    QFuture<double> sleeping = pool->call<double>("sleep", 30.0);
    QFuture<int> stream = pool->stream<int>("slow_gen");
    QGbChannel in;
    QFuture<int> reading = pool->call<int>("read_forever", in);
    QList<QFuture<int>> queued;
    for (int i = 0; i < 20; ++i)
        queued.append(pool->call<int>("slow_add", i, i, 1.0));
    std::unique_ptr<QGbCall> call(pool->invoke("busy_loop"));
    QSignalSpy callFinished(call.get(), &QGbCall::finished);
    QVERIFY(log.waitFor(u"sleep started"_qs));

    QElapsedTimer timer;
    timer.start();
    delete pool;
    QVERIFY2(timer.elapsed() < 5000, QByteArray::number(timer.elapsed()));

    QCOMPARE(errorOf(sleeping).code(), QGbError::PoolClosed);
    QCOMPARE(errorOf(stream).code(), QGbError::PoolClosed);
    QCOMPARE(errorOf(reading).code(), QGbError::PoolClosed);
    for (const QFuture<int> &f : queued)
        QCOMPARE(errorOf(f).code(), QGbError::PoolClosed);
    QTRY_COMPARE(callFinished.size(), 1);
    QCOMPARE(call->error().code(), QGbError::PoolClosed);
    for (qint64 pid : pids)
        QVERIFY(!processAlive(pid));
    QVERIFY(!in.write(1));
}

void tst_QGbSupervision::callsAfterClose()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
    QSignalSpy state(&pool, &QGbPool::stateChanged);
    pool.close();
    QCOMPARE(pool.state(), QGbPool::Closed);
    QCOMPARE(state.size(), 1);
    QCOMPARE(errorOf(pool.call<int>("add", 1, 1)).code(), QGbError::PoolClosed);
    std::unique_ptr<QGbCall> call(pool.invoke("add", { 1, 1 }));
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(call->error().code(), QGbError::PoolClosed);
    pool.close(); // twice is fine
    QCOMPARE(pool.readyWorkers(), 0);
}

void tst_QGbSupervision::nothingLeftBehind()
{
    QTemporaryDir dir;
    QList<qint64> pids;
    {
        QGbPool pool(poolWorker(), testOptions(2, 2).setSocketDirectory(dir.path()));
        QVERIFY(pool.waitForStarted(20000));
        pids = pool.workerProcessIds();
        QCOMPARE(errorOf(pool.call<int>("crash")).code(), QGbError::WorkerCrashed);
        QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 2, 20000);
        QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
        pids += pool.workerProcessIds();
    }
    for (qint64 pid : pids)
        QVERIFY(!processAlive(pid));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
}

QTEST_GUILESS_MAIN(tst_QGbSupervision)
#include "tst_qgbsupervision.moc"
