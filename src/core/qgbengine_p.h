// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBENGINE_P_H
#define QGBENGINE_P_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It exists purely as an
// implementation detail. This header file may change from version to
// version without notice, or even be removed.
//
// We mean it.
//

#include "qgbchannel_p.h"
#include "qgbpool.h"
#include "qgbpooloptions.h"
#include "qgbwire_p.h"

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qhash.h>
#include <QtCore/qmutex.h>
#include <QtCore/qobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qqueue.h>
#include <QtCore/qtimer.h>
#include <QtCore/qwaitcondition.h>

#include <deque>
#include <memory>
#include <vector>

class QGbConnection;
class QGbSocket;
class QGbEngine;
class QGbWaitHook;
class QGbWorker;

// Lets other threads post work to the engine while it exists. The engine
// clears it under the mutex before it goes away.
class QGbEngineHandle
{
public:
    template<typename F>
    bool post(F &&function);
    // Hands a call to the engine; false if the engine is gone. Calls made
    // while earlier ones still wait go with them, in one posted event.
    bool submit(const std::shared_ptr<QGbCallRecord> &call);

    QMutex mutex;
    QGbEngine *engine = nullptr;
    std::vector<std::shared_ptr<QGbCallRecord>> submissions; // under mutex
};

// One call, from submission to its end. Owned by the engine (I/O thread).
class QGbCallRecord
{
public:
    enum class Kind { Call, Describe };
    enum class State { Queued, Running, Cancelling, Done };

    ~QGbCallRecord();
    // Ends a call that never reached the engine (its error delivered already).
    void finishUnsent();

    Kind kind = Kind::Call;
    State state = State::Queued;
    QString method;
    QVariantList args;
    int streamOut = -1;
    std::unique_ptr<QGbPrivate::CallSink> sink;
    std::shared_ptr<QGbChannelShared> input;

    QGbConnection *connection = nullptr;
    QGbWorker *worker = nullptr; // the worker it was started on
    qint64 id = 0;
    std::chrono::milliseconds timeout { 0 }; // 0: none
    QElapsedTimer created;                   // started when the call was made
    QTimer *deadlineTimer = nullptr;
    qint64 outputSinceCredit = 0;
    qint64 inputCredit = 0;
    bool inputEndSent = false;
    QFutureWatcher<void> *watcher = nullptr;
    QTimer *graceTimer = nullptr;
    QGbWaitHook *waitHook = nullptr; // released when the record goes
};

using QGbCallPtr = std::shared_ptr<QGbCallRecord>;

class QGbConnection
{
public:
    enum class State { Connecting, Handshaking, Idle, Busy, Closed };

    QGbWorker *worker = nullptr;
    QGbSocket *socket = nullptr;
    std::unique_ptr<QGbWire::FrameReader> reader;
    bool control = false;
    bool lost = false; // the peer closed it or it broke (as opposed to closed by us)
    State state = State::Connecting;
    qint64 connId = -1;
    qint64 lastCallId = 0;
    QGbCallPtr call;
};

class QGbWorker
{
public:
    enum class State { Stopped, Starting, Ready, Backoff, Failed };

    int index = 0;
    int generation = 0;
    State state = State::Stopped;
    QProcess *process = nullptr;
    qint64 pid = 0;
    QString socketPath;
    QGbConnection *control = nullptr;
    std::vector<QGbConnection *> connections; // call connections, any state
    int consecutiveFailures = 0;
    std::deque<qint64> deaths; // engine clock times of recent deaths (restart intensity)
    int callsStarted = 0;      // on this process, for recycling
    bool draining = false;     // takes no new calls: it is being recycled
    bool recycling = false;    // asked to exit after draining; not a crash
    QTimer *heartbeatTimer = nullptr;
    QString killReason; // why the pool killed it, for the calls' errors
    QElapsedTimer lastPong;
    qint64 pingSeq = 0;
    bool everReady = false;
    QElapsedTimer readySince;
    QTimer *connectTimer = nullptr;
    QTimer *restartTimer = nullptr;
    QElapsedTimer startClock;
    QDeadlineTimer noConnectionsUntil; // after a failed connect, wait before opening more
    QByteArray lineBuffer[2];
    // Calls whose connection broke while the process still seemed alive: they
    // wait (briefly) for the exit status so their error can name the cause.
    std::vector<std::pair<QGbCallPtr, QGbError>> orphans;
    QTimer *orphanTimer = nullptr;
    QStringList lastErrorLines;
};

class QGbEngine : public QObject
{
    Q_OBJECT
public:
    QGbEngine(const QString &script, const QGbPoolOptions &options);
    ~QGbEngine() override;

    // All of these run in the I/O thread.
    void startPool();
    void takeSubmissions();
    void submit(const QGbCallPtr &call);
    void pumpInput(const QGbCallPtr &call);
    void onConsumed(const QGbCallPtr &call, qint64 items);
    void restartFailedWorkers();
    void shutdown();

    // Thread-safe.
    int readyWorkers() const;
    QList<qint64> workerProcessIds() const;
    QList<QGbPool::WorkerState> workerStates() const;
    bool waitForAllReady(int msecs);

    // In the I/O thread, where a thread blocks on a call's future: fails the
    // call with WouldDeadlock (the engine cannot run while its thread waits)
    // and returns true. Elsewhere returns false.
    static bool refuseWaitInIoThread(const std::weak_ptr<QGbEngineHandle> &handle,
                                     const std::weak_ptr<QGbCallRecord> &call);

    static QString packageDirectory(const QGbPoolOptions &options);
    std::shared_ptr<QGbEngineHandle> handle() const { return m_handle; }

Q_SIGNALS:
    void workerStarted(int worker, qint64 pid);
    void workerExited(int worker, qint64 pid, int exitCode, QProcess::ExitStatus exitStatus);
    void workerOutput(int worker, QProcess::ProcessChannel channel, const QByteArray &line);
    void readyWorkersChanged(int readyWorkers);
    void errorOccurred(const QGbError &error);
    void workerFailed(int worker, const QGbError &error);

private:
    // supervision
    void startWorker(QGbWorker *worker);
    void tryConnectControl(QGbWorker *worker);
    void onWorkerReady(QGbWorker *worker, qint64 pid);
    void onProcessGone(QGbWorker *worker, int exitCode, QProcess::ExitStatus status,
                       const QString &reason);
    void killWorker(QGbWorker *worker, const QString &reason, bool immediately = false);
    void heartbeat(QGbWorker *worker);
    void maybeRecycle(QGbWorker *worker);
    bool anyWorkerUsable() const;
    void scheduleRestart(QGbWorker *worker);
    void readOutput(QGbWorker *worker, QProcess::ProcessChannel channel, bool flushAll);
    void deliverLine(QGbWorker *worker, QProcess::ProcessChannel channel, const QByteArray &line);
    void updateReadyCount();

    // connections
    QGbConnection *openConnection(QGbWorker *worker, bool control);
    void closeConnection(QGbConnection *connection, const QGbError &error);
    void onConnectionLost(QGbConnection *connection, const QString &reason);
    void onReadyRead(QGbConnection *connection);
    bool handleMessage(QGbConnection *connection, QGbWire::Message &message);
    void handleCallMessage(QGbConnection *connection, QGbWire::Message &message);
    bool send(QGbConnection *connection, const QByteArray &frames);

    // calls
    void dispatch();
    void scheduleDispatch(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    void startOnConnection(const QGbCallPtr &call, QGbConnection *connection);
    void watchForCancel();
    void onCallCanceled(const QGbCallPtr &call);
    void failCall(const QGbCallPtr &call, const QGbError &error, bool cancelRemote);
    void finishCall(const QGbCallPtr &call);
    void releaseConnection(QGbConnection *connection);
    void sendCancel(const QGbCallPtr &call);
    void sendCredit(const QGbCallPtr &call);
    void failQueued(const QGbError &error);
    void failOrphans(QGbWorker *worker, const QGbError *error);

    std::shared_ptr<QGbEngineHandle> m_handle;
    const QString m_script;
    const QGbPoolOptions m_options;
    QByteArray m_token;
    QString m_socketDir;
    bool m_shuttingDown = false;
    std::vector<std::unique_ptr<QGbWorker>> m_workers;
    std::deque<QGbCallPtr> m_queue;
    QHash<QGbCallRecord *, QGbCallPtr> m_active; // queued or running calls
    int m_opening = 0;
    std::vector<QGbConnection *> m_closedConnections;      // deleted on the next loop turn
    std::vector<std::weak_ptr<QGbCallRecord>> m_unwatched; // no QFutureWatcher yet
    QTimer *m_cancelSweep = nullptr;
    bool m_dispatchScheduled = false;
    QTimer *m_dispatchTimer = nullptr;

    QElapsedTimer m_clock;

    mutable QMutex m_stateMutex;
    QWaitCondition m_readyCondition;
    int m_readyCount = 0;
    QList<qint64> m_pids;
    QList<QGbPool::WorkerState> m_workerStates;
};

template<typename F>
bool QGbEngineHandle::post(F &&function)
{
    QMutexLocker locker(&mutex);
    if (!engine)
        return false;
    QMetaObject::invokeMethod(engine, std::forward<F>(function), Qt::QueuedConnection);
    return true;
}

#endif // QGBENGINE_P_H
