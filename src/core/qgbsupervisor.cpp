// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgblogrecord_p.h"
#include "qgbmessages_p.h"
#include "qgbplatform_p.h"
#include "qgbscheduler_p.h"
#include "qgbsession_p.h"
#include "qgbsupervisor_p.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qpointer.h>

using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcQGbSupervisor, "qgobridge.supervisor")

namespace {

constexpr auto ConnectPollInterval = 5ms;
constexpr qint64 HealthyRunMs = 10000;  // a run this long resets the backoff
constexpr auto TerminateGrace = 1000ms; // SIGTERM to SIGKILL, when the pool closes
constexpr auto KillGrace = 300ms;       // SIGTERM to SIGKILL, for a worker that ignored a cancel

// SIGTERM now, SIGKILL after grace if the process is still running.
void terminateThenKill(QProcess *process, std::chrono::milliseconds grace)
{
    process->terminate();
    QTimer::singleShot(grace, process, [process] {
        if (process->state() != QProcess::NotRunning)
            process->kill();
    });
}

bool hasPackage(const QString &dir)
{
    return !dir.isEmpty() && QFileInfo::exists(dir + QLatin1String("/gobridge/__init__.py"));
}

} // namespace

QGbSupervisor::QGbSupervisor(QGbEngineContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_options(context.options)
    , m_workerCount(initialWorkerCount(context.options))
{
}

int QGbSupervisor::initialWorkerCount(const QGbPoolOptions &options)
{
    // Without remote workers a pool has at least one local worker.
    const int local =
            options.remoteWorkers().isEmpty() ? std::max(1, options.workers()) : options.workers();
    return local + int(options.remoteWorkers().size());
}

void QGbSupervisor::setParts(QGbSessions *sessions, QGbScheduler *scheduler)
{
    m_sessions = sessions;
    m_scheduler = scheduler;
}

/*
    Finds the directory holding the gobridge Python package: the option, the
    QGOBRIDGE_PYTHON_DIR environment variable, the directory installed beside
    the library, or the source tree the library was built from.
*/
QString QGbSupervisor::packageDirectory(const QGbPoolOptions &options)
{
    if (!options.packageDirectory().isEmpty())
        return options.packageDirectory();
    const QString fromEnv = qEnvironmentVariable("QGOBRIDGE_PYTHON_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString libDir = QGbPlatform::libraryDirectory();
    if (!libDir.isEmpty()) {
        const QString installed =
                QDir::cleanPath(libDir + QLatin1Char('/') + QLatin1String(QGOBRIDGE_REL_PYTHONDIR));
        if (hasPackage(installed))
            return installed;
    }
    const QString source = QStringLiteral(QGOBRIDGE_SOURCE_PYTHONDIR);
    if (hasPackage(source))
        return source;
    return QString();
}

void QGbSupervisor::report(const QGbWorker *worker, QGbEngineListener::WorkerEvent event,
                           qint64 pid, qint64 detail, const QString &text)
{
    if (Q_UNLIKELY(m_context.listener))
        m_context.listener->workerEvent(worker->index, event, pid, detail, text);
}

bool QGbSupervisor::start(QGbError *error)
{
    if (!checkRemoteWorkers(error)) {
        emit errorOccurred(*error);
        return false;
    }
    QString base = m_options.socketDirectory();
    if (base.isEmpty())
        base = QDir::tempPath();
    QString why;
    m_socketDir = QGbPlatform::makePrivateDirectory(base, QStringLiteral("qgobridge-"), &why);
    if (m_socketDir.isEmpty()) {
        *error = QGbError(
                QGbError::WorkerStartFailed,
                QStringLiteral("Cannot create a socket directory in %1: %2").arg(base, why));
        emit errorOccurred(*error);
        return false;
    }

    const int local = m_options.remoteWorkers().isEmpty() ? std::max(1, m_options.workers())
                                                          : m_options.workers();
    for (int i = 0; i < local; ++i) {
        QGbWorker *w = addSlot();
        w->connectTimer->setInterval(ConnectPollInterval);
        connect(w->connectTimer, &QTimer::timeout, this, [this, w] { tryConnectControl(w); });
    }
    for (const QUrl &url : m_options.remoteWorkers())
        addRemoteSlot(url);
    for (auto &worker : m_workers)
        startWorker(worker.get());
    return true;
}

// A new worker slot, numbered after the others, with its timers.
QGbWorker *QGbSupervisor::addSlot()
{
    auto worker = std::make_unique<QGbWorker>();
    worker->index = int(m_workers.size());
    worker->connectTimer = new QTimer(this);
    worker->restartTimer = new QTimer(this);
    worker->restartTimer->setSingleShot(true);
    QGbWorker *w = worker.get();
    connect(worker->restartTimer, &QTimer::timeout, this, [this, w] { startWorker(w); });
    worker->heartbeatTimer = new QTimer(this);
    connect(worker->heartbeatTimer, &QTimer::timeout, this, [this, w] { heartbeat(w); });
    worker->orphanTimer = new QTimer(this);
    worker->orphanTimer->setSingleShot(true);
    connect(worker->orphanTimer, &QTimer::timeout, m_scheduler,
            [this, w] { m_scheduler->failOrphans(w, nullptr); });
    m_workers.push_back(std::move(worker));
    m_context.endpoints.append(QString());
    return w;
}

void QGbSupervisor::startWorker(QGbWorker *worker)
{
    if (m_context.shuttingDown)
        return;
    if (worker->remote) {
        startRemote(worker);
        return;
    }
    ++worker->generation;
    worker->socketPath = QStringLiteral("%1/w%2-%3.sock")
                                 .arg(m_socketDir)
                                 .arg(worker->index)
                                 .arg(worker->generation);
    if (QFile::encodeName(worker->socketPath).size() > QGbPlatform::maxSocketPathLength()) {
        const QGbError error(QGbError::WorkerStartFailed,
                             QStringLiteral("The socket path %1 is too long for a Unix socket; "
                                            "choose a shorter socket directory")
                                     .arg(worker->socketPath));
        worker->state = QGbWorker::State::Failed;
        emit errorOccurred(error);
        m_scheduler->failQueued(error);
        return;
    }

    auto *process = new QProcess(this);
    worker->process = process;
    worker->state = QGbWorker::State::Starting;
    updateReadyCount();
    worker->lastErrorLines.clear();
    worker->lineBuffer[0].clear();
    worker->lineBuffer[1].clear();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &kv : m_options.environment()) {
        const qsizetype eq = kv.indexOf(QLatin1Char('='));
        if (eq > 0)
            env.insert(kv.left(eq), kv.mid(eq + 1));
    }
    if (m_options.addsPackageToPythonPath()) {
        const QString dir = packageDirectory(m_options);
        if (!dir.isEmpty()) {
            const QString old = env.value(QStringLiteral("PYTHONPATH"));
            env.insert(QStringLiteral("PYTHONPATH"),
                       old.isEmpty() ? dir : dir + QDir::listSeparator() + old);
        }
    }
    if (!env.contains(QStringLiteral("PYTHONUNBUFFERED")))
        env.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
    env.insert(QStringLiteral("GOBRIDGE_SOCKET"), worker->socketPath);
    env.insert(QStringLiteral("GOBRIDGE_TOKEN"), QString::fromLatin1(m_context.token));
    env.insert(QStringLiteral("GOBRIDGE_MAX_FRAME"), QString::number(m_options.maxFrameSize()));
    if (m_options.pythonLogLevel() > 0)
        env.insert(QStringLiteral("GOBRIDGE_LOG_LEVEL"),
                   QString::number(m_options.pythonLogLevel()));
    process->setProcessEnvironment(env);
    // A worker must not outlive an application that crashes.
    QGbPlatform::killWithParent(process);
    if (!m_options.workingDirectory().isEmpty())
        process->setWorkingDirectory(m_options.workingDirectory());

    connect(process, &QProcess::readyReadStandardOutput, this,
            [this, worker] { readOutput(worker, QProcess::StandardOutput, false); });
    connect(process, &QProcess::readyReadStandardError, this,
            [this, worker] { readOutput(worker, QProcess::StandardError, false); });
    connect(process, &QProcess::finished, this,
            [this, worker, process](int exitCode, QProcess::ExitStatus status) {
                if (worker->process != process)
                    return;
                onProcessGone(worker, exitCode, status, QString());
            });
    connect(process, &QProcess::errorOccurred, this,
            [this, worker, process](QProcess::ProcessError error) {
                if (worker->process != process || error != QProcess::FailedToStart)
                    return;
                onProcessGone(worker, -1, QProcess::CrashExit,
                              QStringLiteral("cannot run %1: %2")
                                      .arg(m_options.pythonExecutable(), process->errorString()));
            });

    QStringList arguments;
    arguments << m_context.script << m_options.scriptArguments();
    worker->startClock.start();
    process->start(m_options.pythonExecutable(), arguments);
    report(worker, QGbEngineListener::WorkerEvent::Starting, process->processId());
    worker->connectTimer->start();
}

void QGbSupervisor::tryConnectControl(QGbWorker *worker)
{
    if (worker->state != QGbWorker::State::Starting) {
        worker->connectTimer->stop();
        return;
    }
    if (worker->control)
        return;
    if (worker->startClock.elapsed() > m_options.startTimeout().count()) {
        killWorker(worker,
                   QStringLiteral("it did not accept connections within %1 ms")
                           .arg(m_options.startTimeout().count()));
        return;
    }
    if (!QFileInfo::exists(worker->socketPath))
        return;
    worker->connectTimer->stop();
    worker->control = m_sessions->open(worker, true);
}

void QGbSupervisor::controlReady(QGbWorker *worker, qint64 pid)
{
    worker->state = QGbWorker::State::Ready;
    // A remote worker's pid is on another machine: its endpoint names it.
    worker->pid = worker->remote ? 0 : pid > 0 ? pid : worker->process->processId();
    worker->everReady = true;
    worker->connectTimer->stop();
    worker->readySince.start();
    worker->callsStarted = 0;
    worker->draining = false;
    worker->recycling = false;
    worker->lastPong.start();
    if (m_options.heartbeatInterval().count() > 0)
        worker->heartbeatTimer->start(m_options.heartbeatInterval());
    updateReadyCount();
    report(worker, QGbEngineListener::WorkerEvent::Ready, worker->pid);
    emit workerStarted(worker->index, worker->pid);
    m_scheduler->dispatch();
}

void QGbSupervisor::controlClosed(QGbWorker *worker, bool wasConnecting, const QGbError &error)
{
    if (worker->remote) {
        if (m_context.shuttingDown)
            return;
        if (!wasConnecting || !connectRemoteAlternative(worker, error.errorString()))
            remoteLost(worker, error.errorString());
        return;
    }
    if (wasConnecting && worker->state == QGbWorker::State::Starting) {
        // The socket appeared but the worker is not accepting yet: poll again.
        worker->connectTimer->start();
    } else if (error.code() == QGbError::Unauthorized || error.code() == QGbError::ProtocolError) {
        killWorker(worker, error.errorString());
    }
}

void QGbSupervisor::pong(QGbWorker *worker)
{
    worker->lastPong.restart();
    if (Q_UNLIKELY(m_context.listener) && worker->lastPing.isValid())
        m_context.listener->heartbeat(worker->index, worker->lastPing.nsecsElapsed() / 1000);
}

void QGbSupervisor::updateReadyCount()
{
    int ready = 0;
    int idle = 0; // remote slots without an address: not waited for
    QList<qint64> pids;
    QList<QGbPool::WorkerState> states;
    for (const auto &w : m_workers) {
        if (w->remote && w->state == QGbWorker::State::Stopped && !m_context.shuttingDown)
            ++idle;
        switch (w->state) {
        case QGbWorker::State::Ready:
            ++ready;
            if (!w->remote)
                pids.append(w->pid);
            states.append(QGbPool::WorkerState::Ready);
            break;
        case QGbWorker::State::Starting:
            states.append(QGbPool::WorkerState::Starting);
            break;
        case QGbWorker::State::Backoff:
            states.append(QGbPool::WorkerState::Restarting);
            break;
        case QGbWorker::State::Failed:
            states.append(QGbPool::WorkerState::Failed);
            break;
        case QGbWorker::State::Stopped:
            states.append(QGbPool::WorkerState::Stopped);
            break;
        }
    }
    bool changed = false;
    {
        QMutexLocker locker(&m_stateMutex);
        changed = ready != m_readyCount;
        m_readyCount = ready;
        m_pids = pids;
        m_workerStates = states;
        m_endpoints = m_context.endpoints;
        if (!m_workers.empty())
            m_workerCount = int(m_workers.size()) - idle;
        m_readyCondition.wakeAll();
    }
    if (changed)
        emit readyWorkersChanged(ready);
}

int QGbSupervisor::readyWorkers() const
{
    QMutexLocker locker(&m_stateMutex);
    return m_readyCount;
}

QList<qint64> QGbSupervisor::workerProcessIds() const
{
    QMutexLocker locker(&m_stateMutex);
    return m_pids;
}

QList<QGbPool::WorkerState> QGbSupervisor::workerStates() const
{
    QMutexLocker locker(&m_stateMutex);
    return m_workerStates;
}

QString QGbSupervisor::workerEndpoint(int worker) const
{
    QMutexLocker locker(&m_stateMutex);
    return m_endpoints.value(worker);
}

bool QGbSupervisor::waitForAllReady(int msecs)
{
    QDeadlineTimer deadline(msecs);
    QMutexLocker locker(&m_stateMutex);
    while (m_readyCount < m_workerCount) {
        if (!m_readyCondition.wait(&m_stateMutex, deadline))
            return m_readyCount >= m_workerCount;
    }
    return true;
}

void QGbSupervisor::killWorker(QGbWorker *worker, const QString &reason, bool immediately)
{
    if (!worker->isAlive())
        return;
    qCWarning(lcQGbSupervisor) << "killing worker" << worker->index << "because" << reason;
    worker->lastErrorLines.append(reason);
    worker->killReason = reason;
    if (immediately) {
        worker->process->kill();
        return;
    }
    terminateThenKill(worker->process, KillGrace);
}

void QGbSupervisor::heartbeat(QGbWorker *worker)
{
    if (worker->state != QGbWorker::State::Ready || !worker->control)
        return;
    if (worker->lastPong.elapsed() > m_options.heartbeatTimeout().count()) {
        if (worker->remote) {
            remoteLost(worker,
                       QStringLiteral("it stopped answering (no pong for %1 ms)")
                               .arg(worker->lastPong.elapsed()));
            return;
        }
        killWorker(worker,
                   QStringLiteral("it stopped answering (no pong for %1 ms)")
                           .arg(worker->lastPong.elapsed()),
                   true);
        return;
    }
    worker->lastPing.start();
    m_sessions->send(worker->control, QGbWire::pingMessage(++worker->pingSeq));
}

// A draining worker exits once its last call ended; it is replaced at once.
void QGbSupervisor::maybeRecycle(QGbWorker *worker)
{
    if (m_context.shuttingDown || !worker->draining || worker->recycling || !worker->process)
        return;
    for (QGbConnection *c : worker->connections) {
        if (c->call)
            return;
    }
    worker->recycling = true;
    worker->state = QGbWorker::State::Backoff; // no new calls, no longer counted ready
    updateReadyCount();
    report(worker, QGbEngineListener::WorkerEvent::Recycling, worker->pid);
    terminateThenKill(worker->process, TerminateGrace);
}

bool QGbSupervisor::anyWorkerUsable() const
{
    for (const auto &w : m_workers) {
        if (w->state != QGbWorker::State::Failed && w->state != QGbWorker::State::Stopped)
            return true;
    }
    return m_workers.empty() && !m_context.shuttingDown; // not started yet
}

void QGbSupervisor::restartFailed()
{
    for (const auto &w : m_workers) {
        if (w->state != QGbWorker::State::Failed)
            continue;
        w->deaths.clear();
        w->consecutiveFailures = 0;
        startWorker(w.get());
    }
}

void QGbSupervisor::onProcessGone(QGbWorker *worker, int exitCode, QProcess::ExitStatus status,
                                  const QString &reason)
{
    QProcess *process = worker->process;
    if (!process)
        return;
    readOutput(worker, QProcess::StandardOutput, true);
    readOutput(worker, QProcess::StandardError, true);
    worker->connectTimer->stop();
    const bool wasReady = worker->state == QGbWorker::State::Ready;
    const qint64 pid = worker->pid ? worker->pid : process->processId();

    QString why = reason;
    if (why.isEmpty() && !worker->killReason.isEmpty())
        why = QStringLiteral("it was killed because %1").arg(worker->killReason);
    worker->killReason.clear();
    worker->heartbeatTimer->stop();
    if (why.isEmpty()) {
        why = status == QProcess::CrashExit
                ? QStringLiteral("it crashed")
                : QStringLiteral("it exited with code %1").arg(exitCode);
    }
    const QGbError crashed(QGbError::WorkerCrashed,
                           QStringLiteral("Worker %1 (pid %2) died while running the call: %3")
                                   .arg(worker->index)
                                   .arg(pid)
                                   .arg(why));
    worker->process = nullptr; // from here on, broken connections fail their calls at once
    worker->state = QGbWorker::State::Backoff;
    // Published before the calls fail: a caller that sees WorkerCrashed finds
    // the worker already counted out of readyWorkers() and workerStates().
    updateReadyCount();
    m_sessions->closeWorker(worker, crashed);
    m_scheduler->failOrphans(worker, &crashed);

    worker->pid = 0;
    report(worker, QGbEngineListener::WorkerEvent::Exited, pid,
           status == QProcess::CrashExit ? -qint64(exitCode) : qint64(exitCode), why);
    process->disconnect(this);
    process->deleteLater();
    QFile::remove(worker->socketPath);
    QFile::remove(worker->socketPath + QLatin1String(".tmp"));

    const bool recycled = worker->recycling;
    worker->recycling = false;
    worker->draining = false;
    if (wasReady && worker->readySince.elapsed() >= HealthyRunMs)
        worker->consecutiveFailures = 0;
    if (!recycled) {
        ++worker->consecutiveFailures;
        worker->deaths.push_back(m_context.clock.elapsed());
        while (!worker->deaths.empty()
               && worker->deaths.front()
                       < m_context.clock.elapsed() - m_options.restartWindow().count())
            worker->deaths.pop_front();
    }
    emit workerExited(worker->index, pid, exitCode, status);
    if (m_context.shuttingDown)
        return;
    if (recycled) {
        startWorker(worker);
        return;
    }
    if (m_options.restartLimit() > 0 && int(worker->deaths.size()) > m_options.restartLimit()) {
        worker->state = QGbWorker::State::Failed;
        const QGbError error(QGbError::WorkerStartFailed,
                             QStringLiteral("Worker %1 died %2 times within %3 ms (last: %4); "
                                            "the pool stopped restarting it")
                                     .arg(worker->index)
                                     .arg(worker->deaths.size())
                                     .arg(m_options.restartWindow().count())
                                     .arg(why));
        qCWarning(lcQGbSupervisor) << error.errorString();
        updateReadyCount();
        report(worker, QGbEngineListener::WorkerEvent::GaveUp, pid, 0, error.errorString());
        emit workerFailed(worker->index, error);
        if (!anyWorkerUsable())
            m_scheduler->failQueued(error);
        return;
    }

    if (!wasReady) {
        QString detail = why;
        if (!worker->lastErrorLines.isEmpty())
            detail += QStringLiteral(": ") + worker->lastErrorLines.join(QLatin1Char('\n'));
        const QGbError error(QGbError::WorkerStartFailed,
                             QStringLiteral("Worker %1 stopped before it was ready (%2)")
                                     .arg(worker->index)
                                     .arg(detail));
        emit errorOccurred(error);
        bool anyReady = false;
        for (const auto &w : m_workers)
            anyReady = anyReady || w->state == QGbWorker::State::Ready;
        if (!anyReady)
            m_scheduler->failQueued(error);
    }
    scheduleRestart(worker);
}

void QGbSupervisor::scheduleRestart(QGbWorker *worker)
{
    const int shift = std::min(worker->consecutiveFailures - 1, 20);
    const auto delay = std::min<std::chrono::milliseconds>(
            m_options.restartDelay() * (qint64(1) << shift), m_options.maxRestartDelay());
    report(worker, QGbEngineListener::WorkerEvent::RestartScheduled, 0, delay.count());
    worker->restartTimer->start(delay);
}

void QGbSupervisor::readOutput(QGbWorker *worker, QProcess::ProcessChannel channel, bool flushAll)
{
    if (!worker->process)
        return;
    QByteArray &buffer = worker->lineBuffer[channel];
    worker->process->setReadChannel(channel);
    buffer += worker->process->readAll();
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = buffer.indexOf('\n', start);
        if (nl < 0)
            break;
        deliverLine(worker, channel, buffer.mid(start, nl + 1 - start));
        start = nl + 1;
    }
    buffer.remove(0, start);
    if (flushAll && !buffer.isEmpty()) {
        deliverLine(worker, channel, buffer + '\n');
        buffer.clear();
    }
}

void QGbSupervisor::deliverLine(QGbWorker *worker, QProcess::ProcessChannel channel,
                                const QByteArray &line)
{
    const bool isOut = channel == QProcess::StandardOutput;
    if (!isOut) {
        worker->lastErrorLines.append(QString::fromUtf8(line).trimmed());
        while (worker->lastErrorLines.size() > 8)
            worker->lastErrorLines.removeFirst();
    }
    const bool forwarded = isOut ? m_options.isStdoutForwarded() : m_options.isStderrForwarded();
    if (forwarded) {
        QGbPlatform::writeStandardChannel(!isOut, line);
    } else if (QIODevice *device = isOut ? m_options.stdoutDevice() : m_options.stderrDevice()) {
        QPointer<QIODevice> target(device);
        QMetaObject::invokeMethod(
                device,
                [target, line] {
                    if (target)
                        target->write(line);
                },
                Qt::QueuedConnection);
    }
    if (Q_UNLIKELY(m_context.listener))
        m_context.listener->workerOutput(worker->index, channel, line);
    emit workerOutput(worker->index, channel, line);
}

bool QGbSupervisor::pythonLog(QGbWorker *worker, const QGbWire::Message &message,
                              const QGbCallRecord *call, QGbError *error)
{
    QGbLogRecord record;
    if (!QGbPrivate::readLogRecord(message, &record, error))
        return false;
    if (call)
        record.setCall(call->id, call->method);
    record.setWorker(worker->index);
    if (m_options.isCategoryLoggingEnabled())
        QGbPrivate::writeToCategory(record);
    if (m_pendingLogRecords.load(std::memory_order_relaxed) >= MaxPendingLogRecords) {
        m_droppedLogRecords.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    m_pendingLogRecords.fetch_add(1, std::memory_order_relaxed);
    emit logRecord(record);
    return true;
}

qint64 QGbSupervisor::logRecordTaken()
{
    // Taken first: a record dropped after this sees at least
    // MaxPendingLogRecords records still waiting, whose logRecordTaken()
    // reports it.
    m_pendingLogRecords.fetch_sub(1);
    return m_droppedLogRecords.exchange(0);
}

void QGbSupervisor::shutdown(const QGbError &closed)
{
    // Ask every worker to exit, then make sure they did.
    QList<QProcess *> processes;
    for (auto &w : m_workers) {
        w->connectTimer->stop();
        w->restartTimer->stop();
        if (w->resolveTimer)
            w->resolveTimer->stop();
        m_sessions->closeWorker(w.get(), closed);
        if (w->process) {
            w->process->disconnect(this);
            if (w->process->state() != QProcess::NotRunning) {
                w->process->terminate();
                processes.append(w->process);
            }
        }
    }
    QDeadlineTimer deadline(TerminateGrace);
    for (QProcess *p : processes) {
        if (!p->waitForFinished(int(std::max<qint64>(1, deadline.remainingTime())))) {
            p->kill();
            p->waitForFinished(1000);
        }
    }
    for (auto &w : m_workers) {
        if (w->process) {
            w->process->setReadChannel(QProcess::StandardOutput);
            readOutput(w.get(), QProcess::StandardOutput, true);
            readOutput(w.get(), QProcess::StandardError, true);
            delete w->process;
            w->process = nullptr;
        }
        if (!w->socketPath.isEmpty()) {
            QFile::remove(w->socketPath);
            QFile::remove(w->socketPath + QLatin1String(".tmp"));
        }
        w->state = QGbWorker::State::Stopped;
    }
    m_workers.clear();
    m_context.endpoints.clear();
    if (!m_socketDir.isEmpty()) {
        QDir(m_socketDir).removeRecursively();
        m_socketDir.clear();
    }
    updateReadyCount();
}
