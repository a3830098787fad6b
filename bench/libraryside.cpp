// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The QGobridge side: the same work as floorside.cpp through the public API,
// written the way the README shows it.

#include "workloads.h"

#include <QGbPool>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qthread.h>

#include <atomic>
#include <ctime>
#include <thread>
#include <vector>

#include <malloc.h>
#include <signal.h>

using namespace std::chrono_literals;

namespace Bench {

namespace {

    // Wall clock in seconds, comparable with Python's time.time().
    double wallSeconds()
    {
        timespec now {};
        clock_gettime(CLOCK_REALTIME, &now);
        return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
    }

    template<typename T>
    T resultOf(QFuture<T> future, const char *what)
    {
        try {
            return future.result();
        } catch (const QGbException &e) {
            throw Failure(
                    QStringLiteral("%1: %2").arg(QLatin1String(what), e.error().errorString()));
        }
    }

    // Waits for a future while this thread's event loop runs (channels emit
    // writable() and watchers report here).
    template<typename T>
    void waitWithEvents(const QFuture<T> &future)
    {
        if (future.isFinished())
            return;
        QEventLoop loop;
        QFutureWatcher<T> watcher;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        if (!future.isFinished())
            loop.exec();
    }

    // Writes `count` values made by `make(i)` into `channel`, waiting for
    // writable() whenever it is full, and closes it; returns once `future` finished.
    template<typename T, typename Make>
    void feed(QGbChannel &channel, const QFuture<T> &future, int count, Make make)
    {
        int next = 0;
        auto fill = [&] {
            while (next < count && channel.write(make(next)))
                ++next;
            if (next == count && !channel.isClosed())
                channel.close();
        };
        QMetaObject::Connection connection =
                QObject::connect(&channel, &QGbChannel::writable, fill);
        fill();
        waitWithEvents(future);
        QObject::disconnect(connection);
        if (next != count && !future.isCanceled()) {
            if (channel.error().isError())
                throw Failure(channel.error().errorString());
        }
    }

} // namespace

struct LibrarySide::Private
{
    Config config;
    std::unique_ptr<QGbPool> pool;    // 2 workers x 4 connections: W1-W6, W9
    std::unique_ptr<QGbPool> scaling; // --scaling: scalingWorkers x 4 connections
    int scalingWorkers = 0;

    QString script() const
    {
        return QDir(config.benchDir).filePath(QStringLiteral("bench_worker.py"));
    }

    QGbPoolOptions options(int workers, int connections) const
    {
        QGbPoolOptions options;
        options.setWorkers(workers)
                .setMaxConnections(connections)
                .setPythonExecutable(config.python)
                .setPackageDirectory(config.packageDir)
                .setStdout(nullptr);
        return options;
    }

    std::unique_ptr<QGbPool> startPool(int workers, int connections,
                                       const QGbPoolOptions *custom = nullptr) const
    {
        auto pool = std::make_unique<QGbPool>(script(),
                                              custom ? *custom : options(workers, connections));
        if (!pool->waitForStarted(30000))
            throw Failure(QStringLiteral("the pool did not start"));
        return pool;
    }

    void add(QGbPool &on) const
    {
        const int sum = resultOf(on.call<int>(QStringLiteral("add"), 3, 4), "add");
        if (sum != 7)
            throw Failure(QStringLiteral("add(3, 4) returned %1").arg(sum));
    }

    // The pool of a scaling point: `workers` x 4 connections, every connection
    // open (the pool opens connections on demand: 4 concurrent naps per worker
    // make it open all of them), kept until a point asks for another size.
    QGbPool &scalingPool(int workers)
    {
        if (!scaling || scalingWorkers != workers) {
            scaling.reset();
            scaling = startPool(workers, 4);
            scalingWorkers = workers;
            QList<QFuture<double>> naps;
            for (int i = 0; i < workers * 4; ++i)
                naps.append(scaling->call<double>(QStringLiteral("nap"), 0.05));
            for (const QFuture<double> &nap : naps)
                resultOf(nap, "nap");
        }
        return *scaling;
    }
};

LibrarySide::LibrarySide(const Config &config)
    : d(new Private)
{
    d->config = config;
    d->pool = d->startPool(2, 4);
    for (int i = 0; i < 100; ++i)
        d->add(*d->pool);
}

LibrarySide::~LibrarySide() = default;

Values LibrarySide::sequentialAdd()
{
    QList<double> micros;
    micros.reserve(d->config.w1Calls);
    QElapsedTimer timer;
    for (int i = 0; i < d->config.w1Calls; ++i) {
        timer.start();
        d->add(*d->pool);
        micros.append(double(timer.nsecsElapsed()) / 1000.0);
    }
    return { { QStringLiteral("p50"), percentile(micros, 50) },
             { QStringLiteral("p99"), percentile(micros, 99) } };
}

// 8 threads call add() back to back on the pool of 2 workers x 4 connections.
Values LibrarySide::concurrentAdd()
{
    const int callers = d->config.w2Callers;
    const int calls = d->config.w2CallsPerCaller;
    // The warm-up call opens every connection.
    const double elapsed = runCallers(callers, calls, [&](int) { d->add(*d->pool); });
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

Values LibrarySide::serverStream()
{
    const int n = d->config.w3Items;
    QElapsedTimer timer;
    timer.start();
    QFuture<qint64> items = d->pool->stream<qint64>(QStringLiteral("range_gen"), n);
    items.waitForFinished();
    const double elapsed = seconds(timer);
    resultOf(items, "range_gen"); // throws on failure
    if (items.resultCount() != n || items.resultAt(n - 1) != n - 1)
        throw Failure(QStringLiteral("range_gen gave %1 items").arg(items.resultCount()));
    return { { QStringLiteral("items/s"), n / elapsed } };
}

Values LibrarySide::clientStream()
{
    const int n = d->config.w4Items;
    QElapsedTimer timer;
    timer.start();
    QGbChannel numbers;
    QFuture<qint64> total = d->pool->call<qint64>(QStringLiteral("sum_stream"), numbers);
    feed(numbers, total, n, [](int i) { return qint64(i); });
    const qint64 sum = resultOf(total, "sum_stream");
    const double elapsed = seconds(timer);
    if (sum != qint64(n) * (n - 1) / 2)
        throw Failure(QStringLiteral("sum_stream returned %1").arg(sum));
    return { { QStringLiteral("items/s"), n / elapsed } };
}

Values LibrarySide::bidiStream()
{
    const int n = d->config.w5Items;
    QElapsedTimer timer;
    timer.start();
    QGbChannel input;
    QFuture<BenchItem> output = d->pool->stream<BenchItem>(QStringLiteral("echo_stream"), input);
    feed(input, output, n, [](int i) { return BenchItem::make(i); });
    const double elapsed = seconds(timer);
    resultOf(output, "echo_stream");
    if (output.resultCount() != n || output.resultAt(n - 1).id != n - 1)
        throw Failure(QStringLiteral("echo_stream gave %1 items").arg(output.resultCount()));
    return { { QStringLiteral("items/s"), n / elapsed } };
}

Values LibrarySide::listOfDicts()
{
    const QList<BenchItem> items = makeItems(d->config.w6Dicts);
    const qint64 bytes = jsonSize(items);
    QList<double> rates;
    for (int trip = 0; trip < 5; ++trip) {
        QElapsedTimer timer;
        timer.start();
        const QList<BenchItem> back =
                resultOf(d->pool->call<QList<BenchItem>>(QStringLiteral("echo"), items), "echo");
        const double elapsed = seconds(timer);
        if (back.size() != items.size() || back.constLast().name != items.constLast().name)
            throw Failure(QStringLiteral("echo returned %1 dicts").arg(back.size()));
        rates.append(double(bytes) / 1e6 / elapsed);
    }
    return { { QStringLiteral("MB/s"), median(rates) } };
}

Values LibrarySide::bytesRoundTrip()
{
    const QByteArray data(d->config.w9Bytes, 'b');
    QList<double> rates;
    for (int trip = 0; trip < d->config.w9Trips; ++trip) {
        QElapsedTimer timer;
        timer.start();
        const QByteArray back =
                resultOf(d->pool->call<QByteArray>(QStringLiteral("echo"), data), "echo");
        const double elapsed = seconds(timer);
        if (back.size() != data.size())
            throw Failure(QStringLiteral("echo returned %1 bytes").arg(back.size()));
        rates.append(double(data.size()) / 1e6 / elapsed);
    }
    return { { QStringLiteral("MB/s"), median(rates) } };
}

// W7: busy_loop() spins in Python; 20 ms after starting it the caller cancels.
// "caller": cancel() until the future is finished (waitForFinished() returns);
// "stopped": cancel() until the Python loop's `finally` ran (wall clocks).
Values LibrarySide::cancel()
{
    QGbPoolOptions options = d->options(1, 1);
    options.setCancelGracePeriod(10s); // measure the interruption, not the kill
    const std::unique_ptr<QGbPool> pool = d->startPool(1, 1, &options);
    d->add(*pool);
    static std::atomic<int> tokens { 0 };
    QList<double> callerMs;
    QList<double> stopMs;
    for (int i = 0; i < d->config.w7Cancels; ++i) {
        const int token = ++tokens;
        QFuture<qint64> loop = pool->call<qint64>(QStringLiteral("busy_loop"), token, 30.0);
        QThread::msleep(20);
        const double cancelledAt = wallSeconds();
        QElapsedTimer timer;
        timer.start();
        loop.cancel();
        try {
            loop.waitForFinished();
        } catch (const QGbException &) {
        }
        callerMs.append(double(timer.nsecsElapsed()) / 1e6);
        const QVariantList times =
                resultOf(pool->call<QVariantList>(QStringLiteral("busy_loop_times"), token),
                         "busy_loop_times");
        if (times.size() == 2) // else the cancel overtook the call: it never ran
            stopMs.append((times.at(1).toDouble() - cancelledAt) * 1000.0);
    }
    if (stopMs.size() < callerMs.size() / 2)
        throw Failure(QStringLiteral("busy_loop ran in only %1 of %2 calls")
                              .arg(stopMs.size())
                              .arg(callerMs.size()));
    return { { QStringLiteral("caller p50"), percentile(callerMs, 50) },
             { QStringLiteral("caller p99"), percentile(callerMs, 99) },
             { QStringLiteral("stopped p50"), percentile(stopMs, 50) },
             { QStringLiteral("stopped p99"), percentile(stopMs, 99) } };
}

// W8: SIGKILL the only worker of a pool, then call add() until it succeeds
// (calls that land on the dying worker fail with the retriable WorkerCrashed).
// A fresh pool per kill, so every kill meets the first restart delay (100 ms).
Values LibrarySide::killAndRecover()
{
    QList<double> ms;
    for (int i = 0; i < d->config.w8Kills; ++i) {
        const std::unique_ptr<QGbPool> pool = d->startPool(1, 1);
        d->add(*pool);
        const QList<qint64> pids = pool->workerProcessIds();
        if (pids.isEmpty())
            throw Failure(QStringLiteral("workerProcessIds() is empty"));
        QElapsedTimer timer;
        timer.start();
        ::kill(pid_t(pids.first()), SIGKILL);
        for (;;) {
            try {
                if (pool->call<int>(QStringLiteral("add"), 3, 4).result() == 7)
                    break;
            } catch (const QGbException &e) {
                if (!e.error().isRetriable())
                    throw Failure(
                            QStringLiteral("after the kill: %1").arg(e.error().errorString()));
            }
            if (timer.elapsed() > 20000)
                throw Failure(QStringLiteral("no successful call 20 s after the kill"));
        }
        ms.append(double(timer.nsecsElapsed()) / 1e6);
    }
    return { { QStringLiteral("median"), median(ms) },
             { QStringLiteral("max"), *std::max_element(ms.cbegin(), ms.cend()) } };
}

// W10: big_stream() yields 1 KB bytes items as fast as it can; the consumer,
// connected to QGbCall::chunksReceived() in this thread, sleeps 10 ms per
// w10ItemsPerSleep items (256: at most ~25 MB/s, far slower than the producer).
// A sampler thread reads VmRSS of this process and of the worker every 5 ms;
// VmHWM (reset first) catches peaks between samples.
Values LibrarySide::slowConsumer()
{
    const std::unique_ptr<QGbPool> pool = d->startPool(1, 1);
    d->add(*pool);
    const qint64 worker = pool->workerProcessIds().value(0);
    QCoreApplication::processEvents();
    // Give the heap that earlier workloads freed back to the system, or new
    // allocations would reuse it without growing the RSS and hide the growth.
    malloc_trim(0);
    resetPeakRss(0);
    resetPeakRss(worker);
    const qint64 appBase = procStatusKiB(0, "VmRSS");
    const qint64 workerBase = procStatusKiB(worker, "VmRSS");

    std::atomic<qint64> appPeak { appBase };
    std::atomic<qint64> workerPeak { workerBase };
    std::atomic<bool> sampling { true };
    std::thread sampler([&] {
        while (sampling.load()) {
            appPeak = std::max(appPeak.load(), procStatusKiB(0, "VmRSS"));
            workerPeak = std::max(workerPeak.load(), procStatusKiB(worker, "VmRSS"));
            std::this_thread::sleep_for(5ms);
        }
    });

    const qint64 limitKiB = d->config.w10GrowthLimitMB * 1024;
    const int perSleep = d->config.w10ItemsPerSleep;
    qint64 items = 0;
    qint64 bytes = 0;
    qint64 sleeps = 0;
    bool stoppedEarly = false;
    QElapsedTimer timer;
    timer.start();
    QGbCall *call = pool->invoke(QStringLiteral("big_stream"),
                                 { d->config.w10Bytes, d->config.w10ItemSize });
    QEventLoop loop;
    QObject::connect(call, &QGbCall::chunksReceived, call, [&](const QVariantList &chunk) {
        for (const QVariant &item : chunk)
            bytes += item.toByteArray().size();
        items += chunk.size();
        while (items / perSleep > sleeps) {
            QThread::msleep(10);
            ++sleeps;
        }
        if (appPeak.load() - appBase > limitKiB && !stoppedEarly) {
            stoppedEarly = true;
            call->cancel();
        }
    });
    QObject::connect(call, &QGbCall::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const double elapsed = seconds(timer);
    sampling = false;
    sampler.join();
    const QGbError error = call->error();
    delete call;

    const qint64 appGrowth = std::max(appPeak.load(), procStatusKiB(0, "VmHWM")) - appBase;
    const qint64 workerGrowth =
            std::max(workerPeak.load(), procStatusKiB(worker, "VmHWM")) - workerBase;
    if (error.isError() && !stoppedEarly)
        throw Failure(QStringLiteral("big_stream: %1").arg(error.errorString()));
    if (!stoppedEarly
        && bytes != d->config.w10Bytes / d->config.w10ItemSize * d->config.w10ItemSize)
        throw Failure(QStringLiteral("big_stream delivered %1 bytes").arg(bytes));
    return { { QStringLiteral("app"), double(appGrowth) / 1024.0 },
             { QStringLiteral("worker"), double(workerGrowth) / 1024.0 },
             { QStringLiteral("consumed"), double(bytes) / 1e6 / elapsed },
             { QStringLiteral("stopped"), stoppedEarly ? 1.0 : 0.0 } };
}

// W11: what gobridge.progress() costs. In a tight Python loop (timed inside
// the worker: the loop with a report per step minus the same loop without),
// and per call: sequential add()s that report once against plain add()s,
// alternating (a call's first report goes out at once: one more message).
Values LibrarySide::progressCost()
{
    QGbPool &pool = *d->pool;
    QList<double> perReport;
    for (int i = 0; i < 3; ++i) {
        const double with = resultOf(
                pool.call<double>(QStringLiteral("progress_loop"), d->config.w11Reports, true),
                "progress_loop");
        const double without = resultOf(
                pool.call<double>(QStringLiteral("progress_loop"), d->config.w11Reports, false),
                "progress_loop");
        perReport.append((with - without) / d->config.w11Reports * 1e9);
    }
    QList<double> withMicros;
    QList<double> withoutMicros;
    QElapsedTimer timer;
    for (int i = 0; i < d->config.w11Calls; ++i) {
        timer.start();
        if (resultOf(pool.call<int>(QStringLiteral("add_reporting"), 3, 4), "add_reporting") != 7)
            throw Failure(QStringLiteral("add_reporting(3, 4) did not return 7"));
        withMicros.append(double(timer.nsecsElapsed()) / 1000.0);
        timer.start();
        d->add(pool);
        withoutMicros.append(double(timer.nsecsElapsed()) / 1000.0);
    }
    const double with = percentile(withMicros, 50);
    const double without = percentile(withoutMicros, 50);
    return { { QStringLiteral("report"), median(perReport) },
             { QStringLiteral("with"), with },
             { QStringLiteral("without"), without },
             { QStringLiteral("extra"), with - without } };
}

// Construction of a pool of 2 workers until both accept calls.
Values LibrarySide::poolStart()
{
    QList<double> ms;
    for (int i = 0; i < d->config.startPools; ++i) {
        QElapsedTimer timer;
        timer.start();
        const std::unique_ptr<QGbPool> pool = d->startPool(2, 4);
        ms.append(double(timer.nsecsElapsed()) / 1e6);
    }
    return { { QStringLiteral("median"), median(ms) },
             { QStringLiteral("max"), *std::max_element(ms.cbegin(), ms.cend()) } };
}

// --- --scaling --------------------------------------------------------------

// W2 against workers: 8 threads call add() back to back on `workers` x 4 connections.
Values LibrarySide::scalingAdd(int workers)
{
    QGbPool &pool = d->scalingPool(workers);
    const int callers = d->config.w2Callers;
    const int calls = d->config.scalingAddCalls;
    const double elapsed = runCallers(callers, calls, [&](int) { d->add(pool); });
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

// W2 against callers: N threads call add() back to back on 2 workers x 4
// connections (beyond 8 callers, calls queue for a free connection).
Values LibrarySide::scalingCallers(int callers)
{
    QGbPool &pool = d->scalingPool(2);
    const int calls = d->config.scalingCallerCalls(callers);
    const double elapsed = runCallers(callers, calls, [&](int) { d->add(pool); });
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

// W2 against payload size: 8 threads call echo(str) back to back, 2 workers x 4 connections.
Values LibrarySide::scalingEcho(int payloadSize)
{
    QGbPool &pool = d->scalingPool(2);
    const QString payload = makePayload(payloadSize);
    const int callers = d->config.w2Callers;
    const int calls = d->config.scalingEchoCalls(payloadSize);
    const double elapsed = runCallers(callers, calls, [&](int) {
        const QString back = resultOf(pool.call<QString>(QStringLiteral("echo"), payload), "echo");
        if (back.size() != payload.size() || back.back() != payload.back())
            throw Failure(QStringLiteral("echo returned %1 characters").arg(back.size()));
    });
    const double rate = double(callers) * calls / elapsed;
    return { { QStringLiteral("calls/s"), rate },
             { QStringLiteral("MB/s"), rate * payloadSize / 1e6 } };
}

// W3 against workers: one range_gen stream per worker, all at once (the pool
// gives each call to the least busy worker); items/s of all of them together.
Values LibrarySide::scalingStreams(int workers)
{
    QGbPool &pool = d->scalingPool(workers);
    const int n = d->config.scalingStreamItems / workers;
    QElapsedTimer timer;
    timer.start();
    QList<QFuture<qint64>> streams;
    for (int i = 0; i < workers; ++i)
        streams.append(pool.stream<qint64>(QStringLiteral("range_gen"), n));
    for (QFuture<qint64> &items : streams)
        items.waitForFinished();
    const double elapsed = seconds(timer);
    for (const QFuture<qint64> &items : streams) {
        resultOf(items, "range_gen"); // throws on failure
        if (items.resultCount() != n || items.resultAt(n - 1) != n - 1)
            throw Failure(QStringLiteral("range_gen gave %1 items").arg(items.resultCount()));
    }
    return { { QStringLiteral("items/s"), double(workers) * n / elapsed } };
}

// W3 against payload size: one stream of str items, 2 workers x 4 connections.
Values LibrarySide::scalingPayloadStream(int payloadSize)
{
    QGbPool &pool = d->scalingPool(2);
    const int n = d->config.scalingPayloadItems(payloadSize);
    QElapsedTimer timer;
    timer.start();
    QFuture<QString> items = pool.stream<QString>(QStringLiteral("payload_gen"), n, payloadSize);
    items.waitForFinished();
    const double elapsed = seconds(timer);
    resultOf(items, "payload_gen");
    if (items.resultCount() != n || items.resultAt(n - 1).size() != payloadSize)
        throw Failure(QStringLiteral("payload_gen gave %1 items").arg(items.resultCount()));
    const double rate = n / elapsed;
    return { { QStringLiteral("items/s"), rate },
             { QStringLiteral("MB/s"), rate * payloadSize / 1e6 } };
}

} // namespace Bench
