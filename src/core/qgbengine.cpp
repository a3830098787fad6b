// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbengine_p.h"
#include "qgbinspectserver_p.h"
#include "qgbscheduler_p.h"
#include "qgbsession_p.h"
#include "qgbsupervisor_p.h"

#include <QtCore/qrandom.h>
#include <QtCore/qthread.h>

QGbEngineListener::~QGbEngineListener() = default;
void QGbEngineListener::workerEvent(int, WorkerEvent, qint64, qint64, const QString &) { }
void QGbEngineListener::workerOutput(int, QProcess::ProcessChannel, const QByteArray &) { }
void QGbEngineListener::heartbeat(int, qint64) { }
void QGbEngineListener::connectionOpened(const QGbConnection &) { }
void QGbEngineListener::connectionClosed(const QGbConnection &, const QGbError &) { }
void QGbEngineListener::messageSent(const QGbConnection &, const QByteArray &) { }
void QGbEngineListener::messageReceived(const QGbConnection &, const QGbWire::Message &) { }
void QGbEngineListener::callStarted(const QGbCallRecord &) { }
void QGbEngineListener::callEnded(const QGbCallRecord &) { }
void QGbEngineListener::creditStalled(const QGbCallRecord &, bool) { }

QGbEngine::QGbEngine(const QString &script, const QGbPoolOptions &options)
    : m_handle(std::make_shared<QGbEngineHandle>())
{
    m_handle->engine = this;
    m_handle->ioEngine = this;
    m_context.options = options;
    m_context.script = script;
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()),
                                          raw.size() / int(sizeof(quint32)));
    m_context.token = raw.toHex();

    // Children: they move to the I/O thread with the engine.
    m_supervisor = new QGbSupervisor(m_context, this);
    m_sessions = new QGbSessions(m_context, this);
    m_scheduler = new QGbScheduler(m_context, this);
    m_supervisor->setParts(m_sessions, m_scheduler);
    m_sessions->setParts(m_supervisor, m_scheduler);
    m_scheduler->setParts(m_supervisor, m_sessions);
}

QGbEngine::~QGbEngine()
{
    shutdown();
    if (m_inspectServer) {
        // Its entry goes with the pool; the parts' last reports go nowhere.
        if (m_context.listener == m_inspectServer)
            m_context.listener = nullptr;
        delete m_inspectServer;
        m_inspectServer = nullptr;
    }
    QMutexLocker locker(&m_handle->mutex);
    m_handle->engine = nullptr;
    m_handle->ioEngine = nullptr;
}

QString QGbEngine::packageDirectory(const QGbPoolOptions &options)
{
    return QGbSupervisor::packageDirectory(options);
}

bool QGbEngine::refuseWaitInIoThread(const std::weak_ptr<QGbEngineHandle> &weakHandle,
                                     const std::weak_ptr<QGbCallRecord> &weakCall)
{
    const std::shared_ptr<QGbEngineHandle> handle = weakHandle.lock();
    if (!handle)
        return false;
    QGbEngine *engine = nullptr;
    {
        // The engine clears the handle under this mutex before it goes. A
        // closing engine takes no more calls, but the calls it fails run
        // continuations in its thread too: ioEngine, not engine.
        QMutexLocker locker(&handle->mutex);
        if (!handle->ioEngine || handle->ioEngine->thread() != QThread::currentThread())
            return false;
        engine = handle->ioEngine;
    }
    // This is the I/O thread, blocked in a wait: the engine is not running
    // and cannot go away meanwhile.
    if (const QGbCallPtr call = weakCall.lock()) {
        engine->m_scheduler->failCall(
                call,
                QGbError(QGbError::WouldDeadlock,
                         QStringLiteral("%1: waiting for the call in the pool's I/O thread "
                                        "would deadlock the pool (a QFuture continuation "
                                        "without a context object runs there; give then() a "
                                        "context object or QtFuture::Launch::Async)")
                                 .arg(call->method)),
                true);
    }
    return true;
}

void QGbEngine::startPool()
{
    m_context.clock.start();
    // An inspectable pool's side channel listens from the start (its flight
    // recorder sees the workers start), unless someone else listens already.
    if (!m_context.listener && QGbInspectServer::wanted(m_context.options)) {
        auto *server = new QGbInspectServer(m_context, this);
        QString why;
        if (server->listen(&why)) {
            m_inspectServer = server;
            m_context.listener = server;
        } else {
            qWarning("QGbPool: cannot be inspected: %s", qPrintable(why));
            delete server;
        }
    }
    QGbError error;
    if (!m_supervisor->start(&error)) {
        m_context.shuttingDown = true;
        m_context.startError = error;
        m_scheduler->failQueued(error);
    }
}

bool QGbEngineHandle::submit(const std::shared_ptr<QGbCallRecord> &call)
{
    QMutexLocker locker(&mutex);
    if (!engine)
        return false;
    submissions.push_back(call);
    if (submissions.size() == 1) {
        QGbEngine *target = engine;
        QMetaObject::invokeMethod(
                target, [target] { target->takeSubmissions(); }, Qt::QueuedConnection);
    }
    return true;
}

void QGbEngine::takeSubmissions()
{
    std::vector<QGbCallPtr> calls;
    {
        QMutexLocker locker(&m_handle->mutex);
        calls.swap(m_handle->submissions);
    }
    for (const QGbCallPtr &call : calls)
        m_scheduler->submit(call);
}

void QGbEngine::pumpInput(const QGbCallPtr &call)
{
    m_scheduler->pumpInput(call);
}

void QGbEngine::onConsumed(const QGbCallPtr &call, qint64 items)
{
    m_scheduler->onConsumed(call, items);
}

void QGbEngine::restartFailedWorkers()
{
    m_supervisor->restartFailed();
}

int QGbEngine::readyWorkers() const
{
    return m_supervisor->readyWorkers();
}

QList<qint64> QGbEngine::workerProcessIds() const
{
    return m_supervisor->workerProcessIds();
}

QList<QGbPool::WorkerState> QGbEngine::workerStates() const
{
    return m_supervisor->workerStates();
}

bool QGbEngine::waitForAllReady(int msecs)
{
    return m_supervisor->waitForAllReady(msecs);
}

void QGbEngine::shutdown()
{
    if (m_context.shuttingDown && m_supervisor->workers().empty())
        return;
    m_context.shuttingDown = true;
    std::vector<QGbCallPtr> submitted;
    {
        QMutexLocker locker(&m_handle->mutex);
        m_handle->engine = nullptr;
        submitted.swap(m_handle->submissions);
    }
    const QGbError closed(QGbError::PoolClosed, QStringLiteral("The pool was closed"));
    for (const QGbCallPtr &call : submitted)
        m_scheduler->submit(call); // fails it with PoolClosed
    m_scheduler->failAll(closed);
    m_supervisor->shutdown(closed);
}
