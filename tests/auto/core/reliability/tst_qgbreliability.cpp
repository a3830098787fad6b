// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Reliability (docs/reliability.md: "Cancellation and deadlines", "Bounded
// memory", "Supervision"): escalation of cancels that cannot be delivered,
// deadlines, flow control, hung workers, recycling and the restart limit.

#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtCore/qfile.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <signal.h>

using namespace std::chrono_literals;

namespace {

// Resident set size of a process in KiB, from /proc.
qint64 rssKiB(qint64 pid)
{
    QFile status(pid ? QStringLiteral("/proc/%1/status").arg(pid) : u"/proc/self/status"_qs);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

bool processAlive(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}

} // namespace

class tst_QGbReliability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deadlineInterruptsCall();
    void deadlineOfQueuedCall();
    void poolWideDefaultTimeout();
    void callWithinDeadlineSucceeds();
    void gilHoldingCallIsKilledAfterGrace();
    void hungWorkerIsReplaced();
    void recyclingAfterNCalls();
    void restartLimitGivesUp();
    void slowConsumerBoundsMemory();
    void fastWriterIsToldToWait();
};

void tst_QGbReliability::deadlineInterruptsCall()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    const qint64 pid = pool.call<qint64>("pid").result();
    QElapsedTimer timer;
    timer.start();
    QFuture<double> f = pool.call<double>(QGbCallOptions().setTimeout(300ms), "sleep", 60.0);
    const QGbError error = errorOf(f);
    QCOMPARE(error.code(), QGbError::DeadlineExceeded);
    QVERIFY2(error.errorString().contains(u"300 ms"_qs), describe(error));
    QVERIFY(timer.elapsed() >= 290);
    QVERIFY(!f.isCanceled() || f.isFinished());
    QVERIFY(log.waitFor(u"sleep cancelled"_qs, 1, 5000)); // the same path as cancel
    QCOMPARE(pool.call<qint64>("pid").result(), pid);
}

void tst_QGbReliability::deadlineOfQueuedCall()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    EventLog log(&pool);
    QFuture<int> running = pool.call<int>("slow_add", 1, 1, 1.0);
    QFuture<int> queued = pool.call<int>(QGbCallOptions().setTimeout(200ms), "add", 2, 2);
    QCOMPARE(errorOf(queued).code(), QGbError::DeadlineExceeded);
    QVERIFY(!running.isFinished()); // it failed while waiting, not after
    QCOMPARE(running.result(), 2);
}

void tst_QGbReliability::poolWideDefaultTimeout()
{
    QGbPool pool(poolWorker(), testOptions(1, 1).setCallTimeout(250ms));
    QCOMPARE(errorOf(pool.call<double>("sleep", 30.0)).code(), QGbError::DeadlineExceeded);
    // A call's own timeout overrides it; zero means none.
    QCOMPARE(pool.call<int>(QGbCallOptions().setTimeout(0ms), "slow_add", 1, 2, 0.4).result(), 3);
    std::unique_ptr<QGbCall> call(pool.invoke("sleep", { 30.0 }));
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(call->error().code(), QGbError::DeadlineExceeded);
}

void tst_QGbReliability::callWithinDeadlineSucceeds()
{
    QGbPool pool(poolWorker(), testOptions(1, 2));
    QCOMPARE(pool.call<int>(QGbCallOptions().setTimeout(20s), "add", 1, 2).result(), 3);
    QFuture<int> numbers = pool.stream<int>(QGbCallOptions().setTimeout(20s), "range_gen", 0, 100);
    QVERIFY(waitFor(numbers));
    QCOMPARE(numbers.resultCount(), 100);
}

void tst_QGbReliability::gilHoldingCallIsKilledAfterGrace()
{
    // A regular expression with catastrophic backtracking runs in C and holds
    // the GIL: neither an injected exception nor a signal handler can run.
    QGbPool pool(poolWorker(), testOptions(1, 2).setCancelGracePeriod(500ms));
    EventLog log(&pool);
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    const qint64 pid = pool.call<qint64>("pid").result();
    // The other call runs first: once the bomb holds the GIL, the worker
    // cannot answer the handshake of a new connection, and a call waiting for
    // one would go to the next worker instead.
    QFuture<double> other = pool.call<double>("sleep", 30.0); // on the same worker
    QVERIFY(log.waitFor(u"sleep started"_qs));
    QFuture<bool> bomb = pool.call<bool>("regex_bomb", 64);
    QVERIFY(log.waitFor(u"regex_bomb started"_qs));
    QElapsedTimer timer;
    timer.start();
    bomb.cancel();
    QVERIFY(bomb.isCanceled());
    QVERIFY(exited.wait(10000));
    const qint64 killedAfter = timer.elapsed();
    qInfo("GIL-holding call: worker killed %lld ms after the cancel (grace 500 ms)", killedAfter);
    QVERIFY2(killedAfter >= 450 && killedAfter < 4000, QByteArray::number(killedAfter));
    QCOMPARE(exited.at(0).at(1).toLongLong(), pid);
    QVERIFY(!processAlive(pid));
    const QGbError error = errorOf(other);
    QCOMPARE(error.code(), QGbError::WorkerCrashed);
    QVERIFY2(error.errorString().contains(u"ignored its cancellation"_qs), describe(error));
    QVERIFY(pool.call<qint64>("pid").result() != pid);
}

void tst_QGbReliability::hungWorkerIsReplaced()
{
    QGbPool pool(poolWorker(), testOptions(1, 1).setHeartbeat(100ms, 1000ms));
    EventLog log(&pool);
    const qint64 pid = pool.call<qint64>("pid").result();
    QFuture<double> sleeping = pool.call<double>("sleep", 30.0);
    QVERIFY(log.waitFor(u"sleep started"_qs));
    QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
    QElapsedTimer timer;
    timer.start();
    const QGbError error = errorOf(sleeping);
    QCOMPARE(error.code(), QGbError::WorkerCrashed);
    QVERIFY2(error.errorString().contains(u"stopped answering"_qs), describe(error));
    QVERIFY2(timer.elapsed() < 5000, QByteArray::number(timer.elapsed()));
    qInfo("SIGSTOPped worker: its call failed %lld ms after the stop (timeout 1000 ms)",
          qint64(timer.elapsed()));
    QVERIFY(!processAlive(pid));
    QVERIFY(pool.call<qint64>("pid").result() != pid);
    // A healthy worker answers its pings: it is not replaced while idle.
    const qint64 healthy = pool.call<qint64>("pid").result();
    QTest::qWait(1500);
    QCOMPARE(pool.call<qint64>("pid").result(), healthy);
}

void tst_QGbReliability::recyclingAfterNCalls()
{
    QGbPool pool(poolWorker(), testOptions(1, 1).setMaxCallsPerWorker(3));
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    QList<qint64> pids;
    for (int i = 0; i < 7; ++i) {
        QFuture<qint64> f = pool.call<qint64>("pid");
        QVERIFY2(!errorOf(f).isError(), describe(errorOf(f)));
        pids.append(f.result());
    }
    QCOMPARE(pids.at(0), pids.at(2));
    QVERIFY(pids.at(3) != pids.at(2));
    QCOMPARE(pids.at(3), pids.at(5));
    QVERIFY(pids.at(6) != pids.at(5));
    QTRY_COMPARE(exited.size(), 2);
    for (const auto &args : exited) {
        QCOMPARE(args.at(2).toInt(), 0); // asked to exit, not crashed
        QCOMPARE(args.at(3).value<QProcess::ExitStatus>(), QProcess::NormalExit);
    }
}

void tst_QGbReliability::restartLimitGivesUp()
{
    QGbPool pool(poolWorker(),
                 testOptions(1, 1)
                         .setEnvironment({ u"GB_CRASH_ON_START=1"_qs })
                         .setRestartLimit(3, 60s));
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    QSignalSpy failed(&pool, &QGbPool::workerFailed);
    QVERIFY(failed.wait(20000));
    QCOMPARE(exited.size(), 4); // three restarts, then no more
    QCOMPARE(failed.at(0).at(0).toInt(), 0);
    QCOMPARE(failed.at(0).at(1).value<QGbError>().code(), QGbError::WorkerStartFailed);
    QCOMPARE(pool.workerStates(), QList<QGbPool::WorkerState> { QGbPool::WorkerState::Failed });
    // Calls fail at once instead of waiting for a worker that will not come.
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(errorOf(pool.call<int>("add", 1, 2)).code(), QGbError::WorkerStartFailed);
    QVERIFY(timer.elapsed() < 2000);
    QTest::qWait(1000); // the last backoff delay would have been 800 ms
    QCOMPARE(exited.size(), 4);
    // On request, the pool tries again.
    pool.restartFailedWorkers();
    QTRY_VERIFY_WITH_TIMEOUT(exited.size() >= 5, 10000);
}

void tst_QGbReliability::slowConsumerBoundsMemory()
{
    // 1 GiB of 8 KiB blocks from a generator that yields as fast as it can, into
    // a consumer that pauses 10 ms every 256 blocks: the pool grants the worker
    // credit only for what the consumer took, so neither side buffers much.
    constexpr int blockSize = 8192;
    constexpr int blocks = (1 << 30) / blockSize;
    QGbPool pool(poolWorker(), testOptions(1, 1));
    const qint64 pid = pool.call<qint64>("pid").result();
    const qint64 appBefore = rssKiB(0);
    const qint64 workerBefore = rssKiB(pid);
    qint64 appPeak = appBefore;
    qint64 workerPeak = workerBefore;
    qint64 received = 0;
    qint64 bytes = 0;

    std::unique_ptr<QGbCall> call(pool.invoke("bytes_gen", { blocks, blockSize }));
    connect(call.get(), &QGbCall::chunksReceived, this, [&](const QVariantList &items) {
        for (const QVariant &item : items) {
            bytes += item.toByteArray().size();
            if (++received % 256 == 0) {
                QThread::msleep(10);
                if (received % 4096 == 0) {
                    appPeak = std::max(appPeak, rssKiB(0));
                    workerPeak = std::max(workerPeak, rssKiB(pid));
                }
            }
        }
    });
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(finished.wait(120000));
    QVERIFY2(!call->error().isError(), describe(call->error()));
    QCOMPARE(received, qint64(blocks));
    QCOMPARE(bytes, qint64(1) << 30);
    const qint64 appGrowth = (appPeak - appBefore) / 1024;
    const qint64 workerGrowth = (workerPeak - workerBefore) / 1024;
    qInfo("1 GiB streamed: app RSS growth %lld MiB, worker RSS growth %lld MiB", appGrowth,
          workerGrowth);
    QVERIFY2(workerGrowth < 64, QByteArray::number(workerGrowth));
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed memory in quarantine (256 MiB by default),
    // so the application's RSS says nothing about buffering in that build.
    qInfo("AddressSanitizer build: the application's RSS bound is not checked");
#else
    QVERIFY2(appGrowth < 64, QByteArray::number(appGrowth));
#endif
}

void tst_QGbReliability::fastWriterIsToldToWait()
{
    QGbPool pool(poolWorker(), testOptions(1, 1));
    QGbChannel in(100);
    QFuture<qint64> total = pool.call<qint64>("sum_slow", in, 0.0005);
    QSignalSpy writable(&in, &QGbChannel::writable);
    qint64 expected = 0;
    int refused = 0;
    int next = 1;
    while (next <= 3000) {
        if (in.write(next)) {
            expected += next++;
        } else {
            ++refused;
            QVERIFY(in.pendingCount() <= in.capacity());
            // Told when to go on (the worker may already have made room).
            QVERIFY(in.isWritable() || writable.wait(10000));
        }
    }
    in.close();
    QVERIFY(refused > 0);
    QCOMPARE(total.result(), expected);
}

QTEST_GUILESS_MAIN(tst_QGbReliability)
#include "tst_qgbreliability.moc"
