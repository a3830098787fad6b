// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSUPERVISOR_P_H
#define QGBSUPERVISOR_P_H

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

#include "qgbcallrecord_p.h"
#include "qgbengineevents_p.h"
#include "qgblogrecord.h"

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qmutex.h>
#include <QtCore/qobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qtimer.h>
#include <QtCore/qurl.h>
#include <QtCore/qwaitcondition.h>
#include <QtNetwork/qhostaddress.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

class QGbConnection;
class QGbScheduler;
class QGbSessions;
class QHostInfo;

// One worker slot of the pool: the process that fills it now, and what the
// supervisor knows of its history. A remote slot (remote is true) has no
// process: it is one address of a served worker's URL, and "starting" is
// connecting to it (qgbsupervisor_remote.cpp).
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
    std::deque<qint64> deaths; // clock times of recent deaths (restart intensity)
    int callsStarted = 0;      // on this process, for recycling
    bool draining = false;     // takes no new calls: it is being recycled
    bool recycling = false;    // asked to exit after draining; not a crash
    QTimer *heartbeatTimer = nullptr;
    QString killReason; // why the pool killed it, for the calls' errors
    QElapsedTimer lastPong;
    QElapsedTimer lastPing;
    qint64 pingSeq = 0;
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

    // Remote slots only.
    bool remote = false;
    QUrl url; // gobridges://host:port or gobridge://host:port
    bool tls = true;
    QString host; // the URL's host: the name the certificate must be valid for
    quint16 port = 0;
    // For a URL whose host is a name: the addresses of the one worker of the
    // host's (remoteWorkerAddresses()) this slot is for, as last resolved;
    // empty while the name has no address without a slot (the slot is then
    // Stopped, or waits to resolve it again).
    QList<QHostAddress> assigned;
    QHostAddress address; // the address it connects to, as last resolved
    // The worker's other address, if it has one (::1 or the IPv4 loopback
    // address paired with it): tried when a connection to the first fails.
    QList<QHostAddress> alternatives;
    QString endpoint; // what QGbPool::workerEndpoint() and the inspector show
    // The first slot of a URL whose host is a name: resolves it again every
    // remoteResolveInterval() to add the addresses it did not have.
    QTimer *resolveTimer = nullptr;
    bool everReady = false;

    bool isAlive() const { return process && process->state() != QProcess::NotRunning; }
};

// Supervision: starts the worker processes, restarts the ones that die (with
// backoff, up to the restart limit), checks they answer (heartbeat), recycles
// them after maxCallsPerWorker calls, and relays their output. Publishes the
// workers' states for other threads.
class QGbSupervisor : public QObject
{
    Q_OBJECT
public:
    QGbSupervisor(QGbEngineContext &context, QObject *parent);
    void setParts(QGbSessions *sessions, QGbScheduler *scheduler);

    // I/O thread.
    bool start(QGbError *error);
    void restartFailed();
    void shutdown(const QGbError &closed);
    const std::vector<std::unique_ptr<QGbWorker>> &workers() const { return m_workers; }
    bool anyWorkerUsable() const;
    void killWorker(QGbWorker *worker, const QString &reason, bool immediately = false);
    void maybeRecycle(QGbWorker *worker);
    // From the worker's control connection.
    void controlReady(QGbWorker *worker, qint64 pid);
    void controlClosed(QGbWorker *worker, bool wasConnecting, const QGbError &error);
    void pong(QGbWorker *worker);
    // A Python logging record from the worker: a log message on its control
    // connection (call null) or on the connection of call. False, with the
    // error, if the message is malformed: the caller closes the connection.
    bool pythonLog(QGbWorker *worker, const QGbWire::Message &message, const QGbCallRecord *call,
                   QGbError *error);
    // The pool's thread took a record logRecord() reported; returns how many
    // were dropped since the last call because too many waited (thread-safe).
    qint64 logRecordTaken();
    // Records logRecord() reported that the pool's thread has not taken yet,
    // at most: beyond that, records are dropped (and counted), so that a
    // worker that logs faster than the application takes the records cannot
    // grow the application's memory without bound.
    static constexpr int MaxPendingLogRecords = 10000;

    // Thread-safe.
    int readyWorkers() const;
    QList<qint64> workerProcessIds() const;
    QList<QGbPool::WorkerState> workerStates() const;
    bool waitForAllReady(int msecs);

    static QString packageDirectory(const QGbPoolOptions &options);
    // The slots a pool with these options starts with: its local workers and
    // one per remote URL (a URL whose host resolves to more addresses gets
    // more slots when it is resolved).
    static int initialWorkerCount(const QGbPoolOptions &options);
    // Thread-safe: "host:port" of each remote slot, empty for a local one.
    QString workerEndpoint(int worker) const;

Q_SIGNALS:
    void workerStarted(int worker, qint64 pid);
    void workerExited(int worker, qint64 pid, int exitCode, QProcess::ExitStatus exitStatus);
    void workerOutput(int worker, QProcess::ProcessChannel channel, const QByteArray &line);
    void readyWorkersChanged(int readyWorkers);
    void errorOccurred(const QGbError &error);
    void workerFailed(int worker, const QGbError &error);
    void logRecord(const QGbLogRecord &record);

private:
    // Remote slots (qgbsupervisor_remote.cpp).
    bool checkRemoteWorkers(QGbError *error);
    QGbWorker *addRemoteSlot(const QUrl &url, const QList<QHostAddress> &assigned = {});
    void startRemote(QGbWorker *worker);
    void remoteResolved(QGbWorker *worker, int generation, const QHostInfo &info);
    void connectRemote(QGbWorker *worker);
    bool connectRemoteAlternative(QGbWorker *worker, const QString &reason);
    // Resolves worker's host (asynchronously, or with the test lookup) and
    // calls done with the answer, unless the pool stopped or lost the worker.
    void lookupHost(QGbWorker *worker, std::function<void(const QHostInfo &)> done);
    // Gives each of the workers of url's host (remoteWorkerAddresses() of what
    // it resolved to) a slot: a slot keeps the worker it has while the name
    // still has it, or while it is connected; slots that wait (resolving
    // included) take the others in turn, and slots are added and started for
    // what is left. A slot that gets none is left without addresses.
    void assignRemoteAddresses(const QUrl &url, const QList<QList<QHostAddress>> &workers,
                               QGbWorker *resolving);
    // A slot the name has no worker for now: Stopped until it gets one.
    void remoteIdle(QGbWorker *worker, const QString &reason);
    void remoteLost(QGbWorker *worker, const QString &reason);
    bool ownsWorker(const QGbWorker *worker) const;

    QGbWorker *addSlot();
    void startWorker(QGbWorker *worker);
    void tryConnectControl(QGbWorker *worker);
    void onProcessGone(QGbWorker *worker, int exitCode, QProcess::ExitStatus status,
                       const QString &reason);
    void heartbeat(QGbWorker *worker);
    void scheduleRestart(QGbWorker *worker);
    void readOutput(QGbWorker *worker, QProcess::ProcessChannel channel, bool flushAll);
    void deliverLine(QGbWorker *worker, QProcess::ProcessChannel channel, const QByteArray &line);
    void updateReadyCount();
    void report(const QGbWorker *worker, QGbEngineListener::WorkerEvent event, qint64 pid,
                qint64 detail = 0, const QString &text = QString());

    QGbEngineContext &m_context;
    const QGbPoolOptions &m_options;
    QGbSessions *m_sessions = nullptr;
    QGbScheduler *m_scheduler = nullptr;
    QString m_socketDir;
    std::vector<std::unique_ptr<QGbWorker>> m_workers;

    mutable QMutex m_stateMutex;
    QWaitCondition m_readyCondition;
    int m_readyCount = 0;
    QList<qint64> m_pids;
    std::atomic<int> m_pendingLogRecords { 0 };
    std::atomic<qint64> m_droppedLogRecords { 0 };
    QList<QGbPool::WorkerState> m_workerStates;
    QStringList m_endpoints;
    int m_workerCount = 0;
};

#endif // QGBSUPERVISOR_P_H
