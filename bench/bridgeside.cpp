// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The bridge: what a Qt developer writes in an afternoon instead of the
// library. One QProcess per Python process (bridge_worker.py), each in a
// QThread of its own with an event loop; calls go to the process's stdin as
// JSON lines without waiting for the replies, and each caller waits on the
// QFuture of its call, which the thread completes when the reply with the
// call's id comes back on stdout. Nothing is tuned: no batching, no buffer
// management, no supervision beyond failing the open calls if the process dies.

#include "workloads.h"

#include <QtCore/qdir.h>
#include <QtCore/qfuture.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qprocess.h>
#include <QtCore/qpromise.h>
#include <QtCore/qthread.h>

#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

namespace Bench {

namespace {

    // One Python process, driven by a QProcess that lives in its own thread.
    // call() may be used from any thread.
    class BridgeWorker
    {
    public:
        BridgeWorker(const QString &python, const QString &script)
        {
            m_context = new QObject;
            m_context->moveToThread(&m_thread);
            QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
            m_thread.start();
            bool started = false;
            QMetaObject::invokeMethod(
                    m_context,
                    [&] {
                        m_process = new QProcess(m_context);
                        m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
                        QObject::connect(m_process, &QProcess::readyReadStandardOutput, m_context,
                                         [this] { readReplies(); });
                        QObject::connect(m_process, &QProcess::finished, m_context, [this] {
                            failAll(QStringLiteral("bridge: bridge_worker.py exited"));
                        });
                        m_process->start(python, { script });
                        started = m_process->waitForStarted(30000);
                    },
                    Qt::BlockingQueuedConnection);
            if (!started) {
                stop();
                throw Failure(QStringLiteral("bridge: bridge_worker.py did not start"));
            }
        }

        ~BridgeWorker() { stop(); }
        BridgeWorker(const BridgeWorker &) = delete;
        BridgeWorker &operator=(const BridgeWorker &) = delete;

        // Sends {"id", "m", "a"} as one line and returns at once; the future
        // gets the reply's "r", or a Failure if the reply is an error.
        QFuture<QJsonValue> call(const QString &method, const QJsonArray &args = QJsonArray())
        {
            const qint64 id = ++m_nextId;
            QJsonObject request { { QStringLiteral("id"), id }, { QStringLiteral("m"), method } };
            if (!args.isEmpty())
                request.insert(QStringLiteral("a"), args);
            QByteArray line = QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n';
            auto promise = std::make_shared<QPromise<QJsonValue>>();
            promise->start();
            QFuture<QJsonValue> future = promise->future();
            QMetaObject::invokeMethod(
                    m_context,
                    [this, id, promise, line] {
                        if (m_process->state() != QProcess::Running) {
                            fail(*promise,
                                 QStringLiteral("bridge: bridge_worker.py is not running"));
                            return;
                        }
                        m_pending.emplace(id, promise);
                        m_process->write(line);
                    },
                    Qt::QueuedConnection);
            return future;
        }

    private:
        // In the thread: every complete line on stdout is a reply.
        void readReplies()
        {
            while (m_process->canReadLine()) {
                const QByteArray line = m_process->readLine();
                QJsonParseError error;
                const QJsonDocument document = QJsonDocument::fromJson(line, &error);
                if (error.error != QJsonParseError::NoError || !document.isObject()) {
                    failAll(QStringLiteral("bridge: bad JSON from bridge_worker.py"));
                    continue;
                }
                const QJsonObject reply = document.object();
                const auto it = m_pending.find(reply.value(u"id").toInteger());
                if (it == m_pending.end()) {
                    failAll(QStringLiteral("bridge: a reply to no call"));
                    continue;
                }
                const std::shared_ptr<QPromise<QJsonValue>> promise = it->second;
                m_pending.erase(it);
                if (reply.contains(u"error")) {
                    fail(*promise, reply.value(u"error").toString());
                } else {
                    promise->addResult(reply.value(u"r"));
                    promise->finish();
                }
            }
        }

        static void fail(QPromise<QJsonValue> &promise, const QString &why)
        {
            promise.setException(std::make_exception_ptr(Failure(why)));
            promise.finish();
        }

        void failAll(const QString &why)
        {
            for (auto &pending : m_pending)
                fail(*pending.second, why);
            m_pending.clear();
        }

        // Closes stdin (bridge_worker.py's loop ends), fails what is still
        // open, and ends the thread.
        void stop()
        {
            QMetaObject::invokeMethod(
                    m_context,
                    [this] {
                        if (m_process) {
                            m_process->closeWriteChannel();
                            if (!m_process->waitForFinished(3000)) {
                                m_process->kill();
                                m_process->waitForFinished(3000);
                            }
                            delete m_process;
                            m_process = nullptr;
                        }
                        failAll(QStringLiteral("bridge: stopped"));
                    },
                    Qt::BlockingQueuedConnection);
            m_thread.quit();
            m_thread.wait();
        }

        QThread m_thread;
        QObject *m_context = nullptr; // lives in m_thread, as the QProcess does
        QProcess *m_process = nullptr;
        // Calls sent and not answered yet, by id; touched only in m_thread.
        std::unordered_map<qint64, std::shared_ptr<QPromise<QJsonValue>>> m_pending;
        std::atomic<qint64> m_nextId { 0 };
    };

    QJsonValue resultOf(QFuture<QJsonValue> future)
    {
        return future.result(); // rethrows the Failure of a failed call
    }

    void addOnce(BridgeWorker &worker)
    {
        const qint64 sum = resultOf(worker.call(QStringLiteral("add"), { 3, 4 })).toInteger();
        if (sum != 7)
            throw Failure(QStringLiteral("bridge: add(3, 4) returned %1").arg(sum));
    }

} // namespace

struct BridgeSide::Private
{
    Config config;
    // As many processes as the library's pool has workers; W1 and W6 use the first.
    std::vector<std::unique_ptr<BridgeWorker>> workers;

    // W2: `callers` threads each call add() once to warm up, then `calls`
    // times; caller i sends its calls to process i % 2, one call in flight
    // per caller (the calls of different callers queue in the process's pipe).
    double runCallers(int callers, int calls)
    {
        return Bench::runCallers(
                callers, calls, [&](int i) { addOnce(*workers[std::size_t(i) % workers.size()]); });
    }
};

BridgeSide::BridgeSide(const Config &config)
    : d(new Private)
{
    d->config = config;
    const QString script = QDir(config.benchDir).filePath(QStringLiteral("bridge_worker.py"));
    for (int i = 0; i < 2; ++i)
        d->workers.push_back(std::make_unique<BridgeWorker>(config.python, script));
    for (auto &worker : d->workers) {
        for (int i = 0; i < 100; ++i)
            addOnce(*worker);
    }
}

BridgeSide::~BridgeSide() = default;

Values BridgeSide::sequentialAdd()
{
    BridgeWorker &worker = *d->workers.front();
    QList<double> micros;
    micros.reserve(d->config.w1Calls);
    QElapsedTimer timer;
    for (int i = 0; i < d->config.w1Calls; ++i) {
        timer.start();
        addOnce(worker);
        micros.append(double(timer.nsecsElapsed()) / 1000.0);
    }
    return { { QStringLiteral("p50"), percentile(micros, 50) },
             { QStringLiteral("p99"), percentile(micros, 99) } };
}

Values BridgeSide::concurrentAdd()
{
    const int callers = d->config.w2Callers;
    const int calls = d->config.w2CallsPerCaller;
    const double elapsed = d->runCallers(callers, calls);
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

// The same JSON work as the floor's W6: the items to QJsonObjects, the reply's
// QJsonObjects back to items.
Values BridgeSide::listOfDicts()
{
    BridgeWorker &worker = *d->workers.front();
    return jsonListRoundTrips(
            makeItems(d->config.w6Dicts), "bridge", [&worker](const QJsonArray &args) {
                return resultOf(worker.call(QStringLiteral("echo"), args)).toArray();
            });
}

Values BridgeSide::scalingCallers(int callers)
{
    const int calls = d->config.scalingCallerCalls(callers);
    const double elapsed = d->runCallers(callers, calls);
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

} // namespace Bench
