// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbscheduler_p.h"
#include "qgbsession_p.h"
#include "qgbsupervisor_p.h"

using namespace std::chrono_literals;

namespace {

constexpr int OutputWindow = 1024;        // items the worker may send ahead of our credit
constexpr int InputBatch = 512;           // items per input chunk message at most
constexpr auto OrphanWait = 200ms;        // how long a broken connection waits for the exit status
constexpr auto CancelSweepInterval = 1ms; // a call older than this gets a QFutureWatcher

} // namespace

QGbScheduler::QGbScheduler(QGbEngineContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_options(context.options)
{
    // A child: it moves to the I/O thread with the engine.
    m_cancelSweep = new QTimer(this);
    m_cancelSweep->setSingleShot(true);
    m_cancelSweep->setInterval(CancelSweepInterval);
    connect(m_cancelSweep, &QTimer::timeout, this, &QGbScheduler::watchForCancel);
}

void QGbScheduler::setParts(QGbSupervisor *supervisor, QGbSessions *sessions)
{
    m_supervisor = supervisor;
    m_sessions = sessions;
}

void QGbScheduler::submit(const QGbCallPtr &call)
{
    if (call->state == QGbCallRecord::State::Done)
        return; // failed while it waited for the I/O thread (refuseWaitInIoThread)
    if (m_context.shuttingDown) {
        // A pool that could not start says why to every call.
        call->sink->deliverError(m_context.startError.isError() ? m_context.startError
                                                                : QGbError(QGbError::PoolClosed));
        call->sink->deliverFinished();
        return;
    }
    // A describe (QGbPool::functions() sends one by itself) takes no room.
    if (call->kind == QGbCallRecord::Kind::Call && m_queue.calls() >= m_options.maxQueuedCalls()) {
        call->sink->deliverError(
                QGbError(QGbError::QueueFull,
                         QStringLiteral("%1 calls are already waiting").arg(m_queue.calls())));
        call->sink->deliverFinished();
        return;
    }
    QFutureInterfaceBase &fi = call->sink->futureInterface();
    if (fi.isCanceled()) {
        call->sink->deliverFinished();
        return;
    }
    if (!m_supervisor->anyWorkerUsable()) {
        call->sink->deliverError(QGbError(QGbError::WorkerStartFailed,
                                          QStringLiteral("No worker can run calls: every "
                                                         "worker failed too often")));
        call->sink->deliverFinished();
        return;
    }
    m_active.insert(call.get(), call);
    // Most calls end in well under a millisecond; a QFutureWatcher, which
    // posts an event on every change of the future, would cost them more than
    // the call itself. The watcher comes with the next cancel sweep instead.
    m_unwatched.push_back(call);
    if (!m_cancelSweep->isActive())
        m_cancelSweep->start();
    if (call->timeout.count() > 0)
        startDeadline(call);
    m_queue.push(call);
    dispatch();
}

void QGbScheduler::startDeadline(const QGbCallPtr &call)
{
    const qint64 left = call->timeout.count() - call->created.elapsed();
    call->deadlineTimer = new QTimer(this);
    call->deadlineTimer->setSingleShot(true);
    call->deadlineTimer->setTimerType(Qt::PreciseTimer);
    std::weak_ptr<QGbCallRecord> weak = call;
    connect(call->deadlineTimer, &QTimer::timeout, this, [this, weak] {
        if (QGbCallPtr c = weak.lock()) {
            failCall(c,
                     QGbError(QGbError::DeadlineExceeded,
                              QStringLiteral("%1 did not finish within %2 ms")
                                      .arg(c->method)
                                      .arg(c->timeout.count())),
                     true);
        }
    });
    call->deadlineTimer->start(int(std::max<qint64>(0, left)));
}

void QGbScheduler::scheduleDispatch(std::chrono::milliseconds delay)
{
    if (m_context.shuttingDown)
        return;
    if (delay.count() > 0) {
        if (!m_dispatchTimer) {
            m_dispatchTimer = new QTimer(this);
            m_dispatchTimer->setSingleShot(true);
            connect(m_dispatchTimer, &QTimer::timeout, this, &QGbScheduler::dispatch);
        }
        if (!m_dispatchTimer->isActive())
            m_dispatchTimer->start(delay);
        return;
    }
    if (m_dispatchScheduled)
        return;
    m_dispatchScheduled = true;
    QMetaObject::invokeMethod(
            this,
            [this] {
                m_dispatchScheduled = false;
                dispatch();
            },
            Qt::QueuedConnection);
}

void QGbScheduler::dispatch()
{
    if (m_context.shuttingDown)
        return;
    const auto &workers = m_supervisor->workers();
    while (!m_queue.empty()) {
        // The least busy ready worker with an idle connection.
        QGbConnection *best = nullptr;
        int bestBusy = INT_MAX;
        for (const auto &w : workers) {
            if (w->state != QGbWorker::State::Ready || w->draining)
                continue;
            int busy = 0;
            QGbConnection *idle = nullptr;
            for (QGbConnection *c : w->connections) {
                if (c->state == QGbConnection::State::Busy)
                    ++busy;
                else if (c->state == QGbConnection::State::Idle && !idle)
                    idle = c;
            }
            if (idle && busy < bestBusy) {
                best = idle;
                bestBusy = busy;
            }
        }
        if (!best)
            break;
        startOnConnection(m_queue.takeFirst(), best);
    }
    // Open more connections while calls wait and workers have room.
    bool waitingForRetry = false;
    while (m_queue.size() > m_sessions->opening()) {
        QGbWorker *target = nullptr;
        for (const auto &w : workers) {
            if (w->state != QGbWorker::State::Ready || w->draining
                || int(w->connections.size()) >= m_options.maxConnections())
                continue;
            if (!w->noConnectionsUntil.hasExpired()) {
                waitingForRetry = true;
                continue;
            }
            if (!target || w->connections.size() < target->connections.size())
                target = w.get();
        }
        if (!target)
            break;
        m_sessions->open(target, false);
    }
    if (waitingForRetry && m_queue.size() > m_sessions->opening())
        scheduleDispatch(QGbSessions::ConnectRetryDelay);
}

void QGbScheduler::startOnConnection(const QGbCallPtr &call, QGbConnection *connection)
{
    call->connection = connection;
    call->worker = connection->worker;
    if (m_options.maxCallsPerWorker() > 0 && call->kind == QGbCallRecord::Kind::Call
        && !connection->worker->remote
        && ++connection->worker->callsStarted >= m_options.maxCallsPerWorker())
        connection->worker->draining = true;
    call->id = ++connection->lastCallId;
    call->link = connection->link;
    call->state = QGbCallRecord::State::Running;
    connection->call = call;
    connection->state = QGbConnection::State::Busy;
    // Its sink reads its items from their text, or they are parsed at once
    // (a scan of the text before the parse costs an untyped stream of
    // integers a third more host time).
    connection->reader->setLazyChunkItems(call->sink->readsItemsJson());

    QByteArray frames;
    QGbError error;
    bool ok = true;
    if (call->kind == QGbCallRecord::Kind::Describe) {
        frames = QGbWire::describeMessage(call->id);
    } else if (!call->kwargs.isEmpty() && !connection->keywordArguments) {
        // It would ignore them and run the function with its defaults.
        ok = false;
        error = QGbError(QGbError::BadArguments,
                         QStringLiteral("Worker %1 does not take keyword arguments: its gobridge "
                                        "package is older than this QGobridge (update it)")
                                 .arg(connection->worker->index));
    } else {
        ok = QGbWire::appendCallMessage(&frames, call->id, call->method, call->args,
                                        call->streamOut, OutputWindow, m_options.maxFrameSize(),
                                        &error, call->kwargs);
    }
    call->args.clear();
    call->kwargs.clear();
    if (!ok) {
        // Nothing was sent: the connection stays usable.
        connection->call.reset();
        connection->state = QGbConnection::State::Idle;
        call->connection = nullptr;
        --connection->lastCallId;
        call->sink->deliverError(error);
        finishCall(call);
        return;
    }
    if (Q_UNLIKELY(m_context.listener))
        m_context.listener->callStarted(*call);
    m_sessions->send(connection, frames);
}

void QGbScheduler::pumpInput(const QGbCallPtr &call)
{
    if (!call->input || call->state != QGbCallRecord::State::Running || !call->connection)
        return;
    QGbChannelShared::End end = QGbChannelShared::End::Open;
    for (;;) {
        const qsizetype max = std::min<qint64>(call->inputCredit, InputBatch);
        QList<QVariant> items = call->input->take(max, &end);
        if (items.isEmpty() && max > 0 && end == QGbChannelShared::End::Open)
            break;
        if (!items.isEmpty()) {
            QGbError error;
            QByteArray frames;
            if (!QGbWire::appendChunkMessage(&frames, call->id, items, m_options.maxFrameSize(),
                                             &error)) {
                failCall(call, error, true);
                return;
            }
            call->inputCredit -= items.size();
            call->itemsIn += items.size();
            m_sessions->send(call->connection, frames);
            // Writing may find the worker gone, which ends the call.
            if (call->state != QGbCallRecord::State::Running || !call->connection)
                return;
        }
        if (end == QGbChannelShared::End::Aborted) {
            failCall(call,
                     QGbError(QGbError::Cancelled,
                              QStringLiteral(
                                      "The input channel was destroyed before it was closed")),
                     true);
            return;
        }
        if (end == QGbChannelShared::End::Closed && !call->inputEndSent) {
            call->inputEndSent = true;
            m_sessions->send(call->connection, QGbWire::endMessage(call->id));
            return;
        }
        if (call->inputCredit <= 0 || items.isEmpty()) {
            if (call->inputCredit <= 0 && Q_UNLIKELY(m_context.listener))
                m_context.listener->creditStalled(*call, true);
            break;
        }
    }
}

// Gives every call still running a QFutureWatcher, so that QFuture::cancel()
// reaches it. A call that was canceled before it got one is canceled now
// (the watcher reports the state it finds).
void QGbScheduler::watchForCancel()
{
    std::vector<std::weak_ptr<QGbCallRecord>> calls;
    calls.swap(m_unwatched);
    for (const auto &weak : calls) {
        const QGbCallPtr call = weak.lock();
        if (!call || call->state == QGbCallRecord::State::Done || call->watcher)
            continue;
        call->watcher = new QFutureWatcher<void>(this);
        connect(call->watcher, &QFutureWatcherBase::canceled, this, [this, weak] {
            if (QGbCallPtr c = weak.lock())
                onCallCanceled(c);
        });
        call->watcher->setFuture(QFuture<void>(&call->sink->futureInterface()));
    }
}

void QGbScheduler::onCallCanceled(const QGbCallPtr &call)
{
    switch (call->state) {
    case QGbCallRecord::State::Queued:
        m_queue.remove(call);
        finishCall(call);
        break;
    case QGbCallRecord::State::Running:
        call->state = QGbCallRecord::State::Cancelling;
        call->sink->deliverFinished();
        sendCancel(call);
        break;
    case QGbCallRecord::State::Cancelling:
    case QGbCallRecord::State::Done:
        break;
    }
}

// The cancel goes on the call's connection and on the control connection:
// each reaches the call in states the other does not (docs/protocol.md).
// A call that has not ended when the grace period is over gets its worker
// killed.
void QGbScheduler::sendCancel(const QGbCallPtr &call)
{
    QGbConnection *connection = call->connection;
    if (!connection)
        return;
    m_sessions->send(connection, QGbWire::cancelMessage(call->id));
    if (QGbConnection *control = connection->worker->control)
        m_sessions->send(control, QGbWire::cancelMessage(call->id, connection->connId));
    if (!call->graceTimer) {
        call->graceTimer = new QTimer(this);
        call->graceTimer->setSingleShot(true);
        std::weak_ptr<QGbCallRecord> weak = call;
        connect(call->graceTimer, &QTimer::timeout, this, [this, weak] {
            QGbCallPtr c = weak.lock();
            if (!c || c->state != QGbCallRecord::State::Cancelling || !c->connection)
                return;
            if (c->connection->worker->remote) {
                // A remote worker cannot be killed: the call ends here and its
                // connection closes; the worker exits by itself after its own
                // grace period (docs/remote.md).
                m_sessions->close(c->connection,
                                  QGbError(QGbError::Cancelled,
                                           QStringLiteral("call %1 ignored its cancellation for "
                                                          "%2 ms; its connection was closed")
                                                   .arg(c->method)
                                                   .arg(m_options.cancelGracePeriod().count())));
                return;
            }
            m_supervisor->killWorker(c->connection->worker,
                                     QStringLiteral("call %1 ignored its cancellation for %2 ms")
                                             .arg(c->method)
                                             .arg(m_options.cancelGracePeriod().count()));
        });
        call->graceTimer->start(m_options.cancelGracePeriod());
    }
}

void QGbScheduler::failCall(const QGbCallPtr &call, const QGbError &error, bool cancelRemote)
{
    if (call->state == QGbCallRecord::State::Done)
        return;
    if (call->state == QGbCallRecord::State::Queued) {
        m_queue.remove(call);
        call->sink->deliverError(error);
        finishCall(call);
        return;
    }
    if (call->state == QGbCallRecord::State::Running) {
        call->sink->deliverError(error);
        call->sink->deliverFinished();
        call->state = QGbCallRecord::State::Cancelling;
    }
    if (cancelRemote && call->connection)
        sendCancel(call);
    else
        finishCall(call);
}

void QGbScheduler::finishCall(const QGbCallPtr &call)
{
    if (call->state == QGbCallRecord::State::Done)
        return;
    call->state = QGbCallRecord::State::Done;
    call->sink->deliverFinished();
    if (call->input)
        call->input->endCall();
    if (call->watcher) {
        call->watcher->disconnect(this);
        call->watcher->deleteLater();
        call->watcher = nullptr;
    }
    if (call->graceTimer) {
        call->graceTimer->deleteLater();
        call->graceTimer = nullptr;
    }
    if (call->deadlineTimer) {
        call->deadlineTimer->deleteLater();
        call->deadlineTimer = nullptr;
    }
    if (QGbConnection *connection = call->connection) {
        call->connection = nullptr;
        if (connection->call == call) {
            connection->call.reset();
            if (connection->state == QGbConnection::State::Busy)
                connection->state = QGbConnection::State::Idle;
        }
    }
    m_active.remove(call.get());
    if (Q_UNLIKELY(m_context.listener))
        m_context.listener->callEnded(*call);
    if (call->worker)
        m_supervisor->maybeRecycle(call->worker);
    if (!m_queue.empty())
        scheduleDispatch();
}

void QGbScheduler::failOrphans(QGbWorker *worker, const QGbError *error)
{
    worker->orphanTimer->stop();
    auto orphans = std::move(worker->orphans);
    worker->orphans.clear();
    for (auto &[call, own] : orphans) {
        if (call->state == QGbCallRecord::State::Running)
            call->sink->deliverError(error ? *error : own);
        finishCall(call);
    }
}

void QGbScheduler::failQueued(const QGbError &error)
{
    const std::deque<QGbCallPtr> queued = m_queue.takeAll();
    for (const QGbCallPtr &call : queued) {
        call->sink->deliverError(error);
        finishCall(call);
    }
}

void QGbScheduler::failAll(const QGbError &error)
{
    failQueued(error);
    const auto active = m_active;
    for (const QGbCallPtr &call : active) {
        if (call->state == QGbCallRecord::State::Running)
            call->sink->deliverError(error);
        finishCall(call);
    }
}

void QGbScheduler::connectionClosed(QGbConnection *connection, const QGbCallPtr &call,
                                    const QGbError &error)
{
    // A connection that broke (even in the middle of a frame) while the
    // process seems alive waits for the exit status: a dying worker is a
    // crash, not a protocol error.
    QGbWorker *worker = connection->worker;
    if (call->state == QGbCallRecord::State::Running && connection->lost && !m_context.shuttingDown
        && worker->isAlive()) {
        worker->orphans.emplace_back(call, error);
        if (!worker->orphanTimer->isActive())
            worker->orphanTimer->start(OrphanWait);
        return;
    }
    if (call->state == QGbCallRecord::State::Running)
        call->sink->deliverError(error);
    finishCall(call);
}

void QGbScheduler::onConsumed(const QGbCallPtr &call, qint64 items)
{
    if (call->state != QGbCallRecord::State::Running)
        return;
    call->outputSinceCredit += items;
    sendCredit(call);
}

// Grants the worker the output credit collected since the last grant, in steps
// of half a window so that a fast stream costs one credit message per 512 items.
void QGbScheduler::sendCredit(const QGbCallPtr &call)
{
    if (call->outputSinceCredit < OutputWindow / 2 || !call->connection)
        return;
    const qint64 n = std::exchange(call->outputSinceCredit, 0);
    m_sessions->send(call->connection, QGbWire::creditMessage(call->id, n));
}

// Items of the call's output stream were taken. A QFuture keeps every result
// anyway: credit at once. A QGbCall credits what its consumer took
// (onConsumed), which bounds memory.
void QGbScheduler::creditOutput(const QGbCallPtr &call, qsizetype items)
{
    if (call->sink->consumerGrantsCredit())
        return;
    call->outputSinceCredit += items;
    sendCredit(call);
}

void QGbScheduler::onCallMessage(QGbConnection *connection, QGbWire::MessageType type,
                                 QGbWire::Message &message)
{
    if (type == QGbWire::MessageType::Error && message.id == 0) {
        // The worker refuses the connection (docs/protocol.md, section 8): its
        // error ends the call that runs on it.
        m_sessions->close(connection, QGbWire::readError(message));
        return;
    }
    const QGbCallPtr call = connection->call;
    if (!call || message.id != call->id) {
        // Frames for a call that already ended are dropped (checked all the
        // same); anything newer is a protocol error.
        if (message.id > 0 && message.id <= connection->lastCallId) {
            QGbError error;
            if (!QGbWire::materializeValue(&message, &error))
                m_sessions->closeMalformed(connection, error);
            return;
        }
        m_sessions->close(connection,
                          QGbError(QGbError::ProtocolError,
                                   QStringLiteral("The worker sent '%1' for unknown call id %2")
                                           .arg(QString::fromUtf8(message.type))
                                           .arg(message.id)));
        return;
    }

    const bool cancelling = call->state == QGbCallRecord::State::Cancelling;
    QGbError error;
    switch (type) {
    case QGbWire::MessageType::Chunk: {
        // Items whose text the frame reader left unparsed: the call's sink
        // reads them straight into their type, or they are parsed as any other.
        qsizetype count = 0;
        if (message.hasRawValue() && !cancelling
            && call->sink->deliverItemsJson(message.rawValueBegin, message.rawValueEnd, &count)) {
            call->itemsOut += count;
            creditOutput(call, count);
            return;
        }
        if (!QGbWire::materializeValue(&message, &error)) {
            m_sessions->closeMalformed(connection, error);
            return;
        }
        QVariantList items;
        if (!QGbWire::readChunk(message, &items, &error)) {
            m_sessions->close(connection, error);
            return;
        }
        call->itemsOut += items.size();
        if (!cancelling && !call->sink->deliverItems(items, &error)) {
            failCall(call, error, true);
            return;
        }
        creditOutput(call, items.size());
        return;
    }
    case QGbWire::MessageType::Result: {
        // A result whose text the frame reader left unparsed: the call's sink
        // reads it straight into its type, or it is parsed as any other.
        if (message.hasRawValue() && !cancelling
            && call->sink->deliverResultJson(message.rawValueBegin, message.rawValueEnd)) {
            ++call->itemsOut;
            finishCall(call);
            return;
        }
        QVariant value;
        if (!QGbWire::readResult(message, &value, &error)) {
            // A result left unparsed by the frame reader is checked here.
            if (message.hasRawValue())
                m_sessions->closeMalformed(connection, error);
            else
                m_sessions->close(connection, error);
            return;
        }
        ++call->itemsOut;
        if (!cancelling && !call->sink->deliverResult(value, &error))
            call->sink->deliverError(error);
        finishCall(call);
        return;
    }
    case QGbWire::MessageType::End:
        finishCall(call);
        return;
    case QGbWire::MessageType::Error:
        if (!cancelling)
            call->sink->deliverError(QGbWire::readError(message));
        finishCall(call);
        return;
    case QGbWire::MessageType::Progress: {
        QGbWire::ProgressFields progress;
        if (!QGbWire::readProgress(message, &progress, &error)) {
            m_sessions->close(connection, error);
            return;
        }
        if (!cancelling)
            call->sink->deliverProgress(progress.done, std::max(progress.total, 0.0),
                                        progress.text);
        return;
    }
    case QGbWire::MessageType::Log:
        if (!m_supervisor->pythonLog(connection->worker, message, call.get(), &error))
            m_sessions->close(connection, error);
        return;
    case QGbWire::MessageType::Credit: {
        qint64 n = 0;
        if (!QGbWire::readCredit(message, &n, &error)) {
            m_sessions->close(connection, error);
            return;
        }
        call->inputCredit += n;
        pumpInput(call);
        return;
    }
    default:
        m_sessions->close(connection,
                          QGbError(QGbError::ProtocolError,
                                   QStringLiteral("Unexpected message type '%1'")
                                           .arg(QString::fromUtf8(message.type))));
        return;
    }
}
