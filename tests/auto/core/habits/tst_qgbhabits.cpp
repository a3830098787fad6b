// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// What ordinary code does with the library: handles deleted in their own
// slots, continuations with and without a context, waiting on a future in
// the thread that owns the call, channels passed twice, values at the edge
// of what the wire carries.

#include "qgbtesthelpers.h"
#include "qgbwaithook_p.h"

#include <QtCore/qpointer.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qthread.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;

class tst_QGbHabits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void deleteCallInChunkSlot_data();
    void deleteCallInChunkSlot();
    void deleteCallInErrorSlotOfCancel();
    void cancelAfterResult_data();
    void cancelAfterResult();
    void busyChannelKeepsItsCall_data();
    void busyChannelKeepsItsCall();
    void continuationWithoutContextBlocking();
    void continuationWithoutContextBlockingAsThePoolCloses();
    void waitHookOfAnEndedCallIsNotAnothers();
    void continuationWithContext_data();
    void continuationWithContext();
    void waitOnStreamInOwnerThread_data();
    void waitOnStreamInOwnerThread();
    void producerThreadWaitsForRoom();
    void waitForWritableEnds_data();
    void waitForWritableEnds();
    void nestingLimit_data();
    void nestingLimit();
    void loneSurrogate_data();
    void loneSurrogate();
    void cancelBusyLoopOnEveryConnection();

private:
    std::unique_ptr<QGbPool> m_pool;
};

void tst_QGbHabits::initTestCase()
{
    m_pool = std::make_unique<QGbPool>(poolWorker(), testOptions(1, 4));
    QVERIFY(m_pool->waitForStarted());
}

void tst_QGbHabits::cleanupTestCase()
{
    m_pool.reset();
}

void tst_QGbHabits::deleteCallInChunkSlot_data()
{
    QTest::addColumn<bool>("batch");
    QTest::newRow("chunkReceived") << false;
    QTest::newRow("chunksReceived") << true;
}

// Stopping a stream after its first items by deleting the handle.
void tst_QGbHabits::deleteCallInChunkSlot()
{
    QFETCH(bool, batch);
    QGbCall *call = m_pool->invoke(u"range_gen"_s, { 0, 2000 });
    const QPointer<QGbCall> alive(call);
    int ran = 0;
    if (batch) {
        connect(call, &QGbCall::chunksReceived, this, [&](const QVariantList &) {
            ++ran;
            delete call;
        });
    } else {
        connect(call, &QGbCall::chunkReceived, this, [&](const QVariant &) {
            ++ran;
            delete call;
        });
    }
    QTRY_VERIFY(!alive);
    QTest::qWait(50); // signals the deleted handle still had queued
    QCOMPARE(ran, 1);
    QCOMPARE(m_pool->call<int>("add", 1, 2).result(), 3);
}

void tst_QGbHabits::deleteCallInErrorSlotOfCancel()
{
    QGbCall *call = m_pool->invoke(u"busy_loop"_s);
    const QPointer<QGbCall> alive(call);
    QGbError::Code code = QGbError::NoError;
    int finished = 0;
    connect(call, &QGbCall::errorOccurred, this, [&](const QGbError &error) {
        code = error.code();
        delete call;
    });
    connect(call, &QGbCall::finished, this, [&] { ++finished; });
    call->cancel();
    QVERIFY(!alive);
    QCOMPARE(code, QGbError::Cancelled);
    QCOMPARE(finished, 0);
    QCOMPARE(m_pool->call<int>("add", 2, 2).result(), 4);
}

void tst_QGbHabits::cancelAfterResult_data()
{
    QTest::addColumn<int>("when");
    QTest::newRow("in resultReady") << 0;
    QTest::newRow("in finished") << 1;
    QTest::newRow("result arrived, signals still queued") << 2;
}

// A call that delivered its result has succeeded: a later cancel() is a no-op.
void tst_QGbHabits::cancelAfterResult()
{
    QFETCH(int, when);
    std::unique_ptr<QGbCall> call(m_pool->invoke(u"add"_s, { 2, 3 }));
    QSignalSpy errors(call.get(), &QGbCall::errorOccurred);
    QSignalSpy results(call.get(), &QGbCall::resultReady);
    QSignalSpy finished(call.get(), &QGbCall::finished);
    if (when == 0)
        connect(call.get(), &QGbCall::resultReady, call.get(), &QGbCall::cancel);
    if (when == 1)
        connect(call.get(), &QGbCall::finished, call.get(), &QGbCall::cancel);
    if (when == 2) {
        // The I/O thread reports to the future at once; the signals wait for
        // this thread's event loop.
        QElapsedTimer timer;
        timer.start();
        while (!call->future().isFinished() && timer.elapsed() < 20000)
            QThread::msleep(1);
        QVERIFY(call->future().isFinished());
        QCOMPARE(results.count(), 0);
        call->cancel();
    }
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(results.count(), 1);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(call->error().code(), QGbError::NoError);
    QCOMPARE(call->result(), QVariant(qint64(5)));
    QVERIFY(!call->future().isCanceled());
    QCOMPARE(call->future().result(), QVariant(qint64(5)));
}

void tst_QGbHabits::busyChannelKeepsItsCall_data()
{
    QTest::addColumn<int>("second");
    QTest::addColumn<QGbError::Code>("code");
    QTest::newRow("typed call") << 0 << QGbError::BadArguments;
    QTest::newRow("typed call, bad argument too") << 1 << QGbError::TypeMismatch;
    QTest::newRow("invoke") << 2 << QGbError::BadArguments;
}

// A second call that names a channel still feeding a call fails, and leaves
// the channel and its call alone.
void tst_QGbHabits::busyChannelKeepsItsCall()
{
    QFETCH(int, second);
    QFETCH(QGbError::Code, code);
    QGbChannel numbers;
    QFuture<qint64> first = m_pool->call<qint64>("sum_stream", numbers);
    QVERIFY(numbers.write(1));
    QVERIFY(numbers.write(2));
    QGbError error;
    if (second == 0) {
        error = errorOf(m_pool->call<qint64>("sum_stream", numbers));
    } else if (second == 1) {
        error = errorOf(m_pool->call<qint64>("sum_stream", numbers, qQNaN()));
    } else {
        std::unique_ptr<QGbCall> call(m_pool->invoke(u"sum_stream"_s, {}, &numbers));
        QTRY_VERIFY(call->isFinished());
        error = call->error();
    }
    QCOMPARE(error.code(), code);
    QVERIFY(numbers.write(3));
    numbers.close();
    QVERIFY(waitFor(first));
    QCOMPARE(first.result(), qint64(6));
}

// A continuation without a context object runs in the pool's I/O thread
// (Qt's rule); blocking there on another call fails that call at once
// instead of hanging the pool.
void tst_QGbHabits::continuationWithoutContextBlocking()
{
    auto pool = std::make_unique<QGbPool>(poolWorker(), testOptions(1, 2));
    QGbPool *p = pool.get();
    // slow_add: the continuation is attached before the result arrives, so
    // it runs where the result arrives.
    QThread *ranIn = nullptr;
    QFuture<int> chained = p->call<int>("slow_add", 1, 2, 0.2).then([p, &ranIn](int x) {
        ranIn = QThread::currentThread();
        return p->call<int>("add", x, 10).result();
    });
    QVERIFY(waitFor(chained, 20000));
    QVERIFY(ranIn && ranIn != QThread::currentThread());
    const QGbError error = errorOf(chained);
    QCOMPARE(error.code(), QGbError::WouldDeadlock);
    QVERIFY2(error.errorString().contains(u"context"_s), describe(error));

    // The same for a call started in another thread and waited for in the
    // continuation.
    QFuture<int> other = p->call<int>("slow_add", 5, 5, 0.5);
    QFuture<int> waitsForOther =
            p->call<int>("slow_add", 1, 2, 0.1).then([other](int) { return other.result(); });
    QVERIFY(waitFor(waitsForOther, 20000));
    QCOMPARE(errorOf(waitsForOther).code(), QGbError::WouldDeadlock);
    QCOMPARE(errorOf(other).code(), QGbError::WouldDeadlock);

    // The pool goes on, from any thread, and closes.
    QCOMPARE(p->call<int>("add", 5, 5).result(), 10);
    int fromThread = 0;
    std::unique_ptr<QThread> thread(
            QThread::create([p, &fromThread] { fromThread = p->call<int>("add", 4, 5).result(); }));
    thread->start();
    QVERIFY(thread->wait(20000));
    QCOMPARE(fromThread, 9);
    QElapsedTimer timer;
    timer.start();
    pool.reset();
    QVERIFY(timer.elapsed() < 10000);
}

// The same habit while the pool closes: a queued call that the close fails
// runs its continuation in the I/O thread, which waits for a call still
// running. Only that thread could end it: the wait is refused there too,
// instead of hanging the close for ever.
void tst_QGbHabits::continuationWithoutContextBlockingAsThePoolCloses()
{
    auto pool = std::make_unique<QGbPool>(poolWorker(), testOptions(1, 1));
    QCOMPARE(pool->call<int>("add", 0, 0).result(), 0); // its one call connection open
    QFuture<int> running = pool->call<int>("slow_add", 1, 2, 60);
    QTest::qWait(300); // running on the one connection; the next call waits
    QFuture<int> queued = pool->call<int>("add", 3, 4).onFailed([running](const QGbException &) {
        return running.result();
    });
    QElapsedTimer timer;
    timer.start();
    pool.reset();
    QVERIFY(timer.elapsed() < 10000);
    QVERIFY(waitFor(queued));
    QCOMPARE(errorOf(queued).code(), QGbError::WouldDeadlock);
    QCOMPARE(errorOf(running).code(), QGbError::WouldDeadlock);
}

// A wait hook that a waiting thread ran stays allocated until its call lets
// it go: freed at once, its address went to the next call's hook, which the
// first call's release then took out of the queue and deleted, so that a
// wait for the second call found no hook (in the I/O thread: a wait that
// was not refused, and hung).
void tst_QGbHabits::waitHookOfAnEndedCallIsNotAnothers()
{
    int ranFirst = 0;
    QFutureInterface<int> first;
    first.reportStarted();
    QGbWaitHook *firstHook = QGbWaitHook::install(first, [&] {
        ++ranFirst;
        first.reportFinished();
    });
    first.future().waitForFinished(); // runs the hook in this thread
    QCOMPARE(ranFirst, 1);

    std::atomic<int> ranSecond = 0;
    QFutureInterface<int> second;
    second.reportStarted();
    QGbWaitHook *secondHook = QGbWaitHook::install(second, [&] {
        ++ranSecond;
        second.reportFinished();
    });
    QGbWaitHook::release(firstHook); // the first call ends: its record goes
    // If the second hook went with the first, nothing would end the wait
    // below: a thread does it after a while, so that the test fails, not hangs.
    std::unique_ptr<QThread> rescue(QThread::create([&] {
        for (int i = 0; i < 300 && !second.isFinished(); ++i)
            QThread::msleep(10);
        if (!second.isFinished())
            second.reportFinished();
    }));
    rescue->start();
    second.future().waitForFinished();
    QCOMPARE(ranSecond.load(), 1);
    QVERIFY(rescue->wait(10000));
    QGbWaitHook::release(secondHook);
}

void tst_QGbHabits::continuationWithContext_data()
{
    QTest::addColumn<bool>("async");
    QTest::newRow("then(this, ...)") << false;
    QTest::newRow("then(QtFuture::Launch::Async, ...)") << true;
}

void tst_QGbHabits::continuationWithContext()
{
    QFETCH(bool, async);
    QGbPool *p = m_pool.get();
    QFuture<int> slow = p->call<int>("slow_add", 1, 2, 0.1);
    const auto next = [p](int x) { return p->call<int>("add", x, 10).result(); };
    QFuture<int> chained = async ? slow.then(QtFuture::Launch::Async, next) : slow.then(this, next);
    QVERIFY(waitFor(chained));
    QCOMPARE(chained.result(), 13);
}

void tst_QGbHabits::waitOnStreamInOwnerThread_data()
{
    QTest::addColumn<bool>("eventLoop");
    QTest::newRow("thread with an event loop") << true;
    QTest::newRow("thread without an event loop") << false;
}

// A stream longer than the credit window, waited on with future() in the
// thread that owns the QGbCall: its signals run while the thread waits.
void tst_QGbHabits::waitOnStreamInOwnerThread()
{
    QFETCH(bool, eventLoop);
    constexpr int Items = 5000;
    std::atomic<int> count { 0 };
    std::atomic<qint64> sum { 0 };
    std::atomic<bool> finished { false };
    const auto run = [&] {
        std::unique_ptr<QGbCall> call(m_pool->invoke(u"range_gen"_s, { 0, Items }));
        QObject::connect(call.get(), &QGbCall::chunkReceived, call.get(), [&](const QVariant &v) {
            ++count;
            sum += v.toLongLong();
        });
        call->future().waitForFinished();
        finished = call->isFinished() && !call->error().isError();
    };
    if (eventLoop) {
        run();
    } else {
        std::unique_ptr<QThread> thread(QThread::create(run));
        thread->start();
        QVERIFY(thread->wait(60000));
    }
    QCOMPARE(count.load(), Items);
    QCOMPARE(sum.load(), qint64(Items) * (Items - 1) / 2);
    QVERIFY(finished);
}

// A producer thread without an event loop writes far more than the channel
// holds: it waits for room instead of losing values (the Go original's
// channel send blocks).
void tst_QGbHabits::producerThreadWaitsForRoom()
{
    constexpr int Items = 20000;
    QGbChannel numbers(16);
    QFuture<qint64> total = m_pool->call<qint64>("sum_stream", numbers);
    std::atomic<int> refused { 0 };
    std::unique_ptr<QThread> producer(QThread::create([&] {
        for (int i = 1; i <= Items; ++i) {
            while (!numbers.write(i)) {
                ++refused;
                if (!numbers.waitForWritable(10000))
                    return;
            }
        }
        numbers.close();
    }));
    producer->start();
    QVERIFY(producer->wait(60000));
    QVERIFY(waitFor(total));
    QCOMPARE(total.result(), qint64(Items) * (Items + 1) / 2);
    QVERIFY(refused > 0); // the channel really was full at times
}

void tst_QGbHabits::waitForWritableEnds_data()
{
    QTest::addColumn<int>("how");
    QTest::newRow("no room in time") << 0;
    QTest::newRow("the call is cancelled") << 1;
    QTest::newRow("the channel is closed by another thread") << 2;
}

// A full channel whose room never comes: the wait ends, with false.
void tst_QGbHabits::waitForWritableEnds()
{
    QFETCH(int, how);
    QGbChannel numbers(2);
    QFuture<qint64> call;
    if (how == 1) {
        // Fill the channel: the worker stops granting input credit.
        call = m_pool->call<qint64>("take_one_then_spin", numbers);
        int i = 0;
        for (;;) {
            if (numbers.write(i))
                ++i;
            else if (!numbers.waitForWritable(1000))
                break;
        }
        QVERIFY(i > 2);
    } else {
        QVERIFY(numbers.write(1));
        QVERIFY(numbers.write(2));
    }
    QElapsedTimer timer;
    timer.start();
    std::unique_ptr<QThread> ender;
    if (how == 1) {
        ender.reset(QThread::create([call]() mutable {
            QThread::msleep(300);
            call.cancel();
        }));
    } else if (how == 2) {
        ender.reset(QThread::create([&numbers] {
            QThread::msleep(300);
            numbers.close();
        }));
    }
    if (ender)
        ender->start();
    const bool writable = numbers.waitForWritable(how == 0 ? 300 : 20000);
    const qint64 waited = timer.elapsed();
    if (ender)
        QVERIFY(ender->wait(20000));
    QVERIFY(!writable);
    QVERIFY2(waited >= 250 && waited < 10000, QByteArray::number(waited));
    QVERIFY(!numbers.write(3));
}

void tst_QGbHabits::nestingLimit_data()
{
    // echo: an argument of that many nested lists; nest: the worker returns them.
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("levels");
    QTest::addColumn<QGbError::Code>("code");
    QTest::addColumn<QString>("path");
    QTest::newRow("argument, 200 levels") << u"echo"_s << 200 << QGbError::NoError << QString();
    QTest::newRow("argument, 201 levels")
            << u"echo"_s << 201 << QGbError::TypeMismatch << u"args[0][0][0]"_s;
    QTest::newRow("argument, 50000 levels")
            << u"echo"_s << 50000 << QGbError::TypeMismatch << u"args[0][0][0]"_s;
    QTest::newRow("result, 200 levels") << u"nest"_s << 200 << QGbError::NoError << QString();
    QTest::newRow("result, 201 levels")
            << u"nest"_s << 201 << QGbError::TypeMismatch << u"result[0][0]"_s;
    QTest::newRow("result, 900 levels")
            << u"nest"_s << 900 << QGbError::TypeMismatch << u"result[0][0]"_s;
}

// One limit on both sides, checked before sending: a TypeMismatch naming the
// path, never a crash, a dropped connection or a retriable error.
void tst_QGbHabits::nestingLimit()
{
    QFETCH(QString, method);
    QFETCH(int, levels);
    QFETCH(QGbError::Code, code);
    QFETCH(QString, path);
    const qint64 pid = m_pool->call<qint64>("pid").result();
    QVariant argument = method == u"echo"_s ? nestedLists(levels) : QVariant(qint64(levels));
    const auto dismantle = qScopeGuard([&argument] { dismantleNested(&argument); });
    QFuture<QVariant> result = m_pool->call<QVariant>(method, argument);
    const QGbError error = errorOf(result);
    QCOMPARE(error.code(), code);
    if (code == QGbError::NoError) {
        QCOMPARE(result.result(), nestedLists(levels));
    } else {
        QVERIFY2(error.errorString().startsWith(path), describe(error));
        QVERIFY2(error.errorString().contains(u"nested deeper than 200 levels"_s), describe(error));
        QVERIFY(!error.isRetriable());
    }
    QCOMPARE(m_pool->call<qint64>("pid").result(), pid);
}

void tst_QGbHabits::loneSurrogate_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QVariantList>("args");
    QTest::addColumn<QString>("path");
    QTest::newRow("sent") << u"echo"_s << QVariantList { u"a"_s + QChar(0xD800) } << u"args[0]"_s;
    QTest::newRow("sent as a map key")
            << u"echo"_s << QVariantList { QVariantMap { { QString(QChar(0xDC00)), 1 } } }
            << u"args[0]"_s;
    QTest::newRow("in the method name")
            << u"add"_s + QChar(0xDC00) << QVariantList { 1, 2 } << u"method"_s;
    QTest::newRow("received") << u"lone_surrogate"_s << QVariantList() << u"result"_s;
}

// UTF-8 cannot carry an unpaired surrogate: both sides refuse it alike.
void tst_QGbHabits::loneSurrogate()
{
    QFETCH(QString, method);
    QFETCH(QVariantList, args);
    QFETCH(QString, path);
    std::unique_ptr<QGbCall> call(m_pool->invoke(method, args));
    QTRY_VERIFY(call->isFinished());
    const QGbError error = call->error();
    QCOMPARE(error.code(), QGbError::TypeMismatch);
    QVERIFY2(error.errorString().startsWith(path), describe(error));
    QVERIFY2(error.errorString().contains(u"surrogate"_s), describe(error));
}

// Busy loops on every connection of one worker, all cancelled: each is
// interrupted where it runs, so every connection is free again well before
// the grace period (10 s here) and the worker is not killed.
void tst_QGbHabits::cancelBusyLoopOnEveryConnection()
{
    constexpr int Connections = 4;
    QGbPool pool(poolWorker(), testOptions(1, Connections));
    EventLog log(&pool);
    const qint64 pid = pool.call<qint64>("pid").result();
    QList<QFuture<void>> loops;
    for (int i = 0; i < Connections; ++i)
        loops.append(pool.call<void>("busy_loop"));
    QVERIFY(log.waitFor(u"busy_loop started"_s, Connections));
    for (QFuture<void> &loop : loops)
        loop.cancel();
    // Calls that can only succeed if they run on every connection at once.
    QList<QFuture<bool>> next;
    for (int i = 0; i < Connections; ++i)
        next.append(pool.call<bool>("meet", u"all connections"_s, Connections, 5.0));
    for (const QFuture<bool> &n : next) {
        const QGbError error = errorOf(n);
        QVERIFY2(!error.isError(), describe(error) + ' ' + log.events().join(u'|').toUtf8());
    }
    // (stderr may arrive after the socket's answers)
    QVERIFY(log.waitFor(u"busy_loop cancelled"_s, Connections, 5000));
    QCOMPARE(pool.call<qint64>("pid").result(), pid);
}

QTEST_MAIN(tst_QGbHabits)

#include "tst_qgbhabits.moc"
