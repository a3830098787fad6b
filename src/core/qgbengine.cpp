// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbengine_p.h"
#include "qgbsocket_p.h"
#include "qgbwaithook_p.h"

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qprocess.h>
#include <QtCore/qrandom.h>
#include <QtCore/qthread.h>

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <unistd.h>

using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcQGbEngine, "qgobridge.engine")

namespace {

constexpr int OutputWindow = 1024; // items the worker may send ahead of our credit
constexpr int InputBatch = 512;    // items per input chunk message at most
constexpr auto ConnectPollInterval = 5ms;
constexpr auto ConnectRetryDelay = 50ms;
constexpr auto OrphanWait = 200ms;        // how long a broken connection waits for the exit status
constexpr qint64 HealthyRunMs = 10000;    // a run this long resets the backoff
constexpr auto TerminateGrace = 1000ms;   // SIGTERM to SIGKILL, when the pool closes
constexpr auto KillGrace = 300ms;         // SIGTERM to SIGKILL, for a worker that ignored a cancel
constexpr auto CancelSweepInterval = 1ms; // a call older than this gets a QFutureWatcher

// Builds the JSON object text of one message, field by field.
class Envelope
{
public:
    Envelope(const char *type, qint64 id = 0)
    {
        m_json.reserve(128);
        m_json += "{\"type\":\"";
        m_json += type;
        m_json += '"';
        if (id > 0)
            field("id", id);
    }
    void field(const char *key, qint64 value)
    {
        key_(key);
        m_json += QByteArray::number(value);
    }
    void field(const char *key, bool value)
    {
        key_(key);
        m_json += value ? "true" : "false";
    }
    void field(const char *key, QStringView value)
    {
        key_(key);
        if (!QGbWire::writeString(&m_json, value) && !m_error.isError()) {
            m_error = QGbError(QGbError::TypeMismatch,
                               QStringLiteral("%1: the string holds an unpaired UTF-16 surrogate, "
                                              "which UTF-8 cannot carry")
                                       .arg(QLatin1String(key)));
        }
    }
    bool value(const char *key, const QVariant &value, QGbError *error, const QGbPath &path)
    {
        key_(key);
        return QGbWire::writeValue(&m_json, value, &m_attachments, error, path);
    }
    bool finish(QByteArray *out, quint32 maxFrame, QGbError *error)
    {
        if (m_error.isError()) {
            *error = m_error;
            return false;
        }
        if (!m_attachments.isEmpty())
            field("att", qint64(m_attachments.size()));
        m_json += '}';
        return QGbWire::appendMessage(out, m_json, m_attachments, maxFrame, error);
    }

private:
    void key_(const char *key)
    {
        m_json += ",\"";
        m_json += key;
        m_json += "\":";
    }
    QByteArray m_json;
    QList<QByteArray> m_attachments;
    QGbError m_error;
};

QGbError errorFromWire(const QVariant &value)
{
    const QVariantMap e = value.toMap();
    const QString code = e.value(QStringLiteral("code")).toString();
    QGbError error(code.isEmpty() ? QGbError::ProtocolError : QGbError::codeFromName(code),
                   e.value(QStringLiteral("message")).toString());
    error.setRemoteType(e.value(QStringLiteral("type")).toString());
    error.setRemoteTraceback(e.value(QStringLiteral("traceback")).toString());
    return error;
}

bool writeAll(int fd, const QByteArray &data)
{
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += n;
        left -= n;
    }
    return true;
}

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

// A call whose record goes away before it ended (for example a submission still
// queued for the I/O thread when the pool closed) still ends exactly once.
QGbCallRecord::~QGbCallRecord()
{
    if (state != State::Done && sink) {
        if (state != State::Cancelling)
            sink->deliverError(
                    QGbError(QGbError::PoolClosed, QStringLiteral("The pool was closed")));
        sink->deliverFinished();
    }
    if (input)
        input->endCall();
    QGbWaitHook::release(waitHook);
}

void QGbCallRecord::finishUnsent()
{
    sink->deliverFinished();
    state = State::Done;
    if (input)
        input->endCall();
}

bool QGbEngine::refuseWaitInIoThread(const std::weak_ptr<QGbEngineHandle> &weakHandle,
                                     const std::weak_ptr<QGbCallRecord> &weakCall)
{
    const std::shared_ptr<QGbEngineHandle> handle = weakHandle.lock();
    if (!handle)
        return false;
    QGbEngine *engine = nullptr;
    {
        // The engine clears the handle under this mutex before it goes.
        QMutexLocker locker(&handle->mutex);
        if (!handle->engine || handle->engine->thread() != QThread::currentThread())
            return false;
        engine = handle->engine;
    }
    // This is the I/O thread, blocked in a wait: the engine is not running
    // and cannot go away meanwhile.
    if (const QGbCallPtr call = weakCall.lock()) {
        engine->failCall(call,
                         QGbError(QGbError::WouldDeadlock,
                                  QStringLiteral("%1: waiting for the call in the pool's I/O "
                                                 "thread would deadlock the pool (a QFuture "
                                                 "continuation without a context object runs "
                                                 "there; give then() a context object or "
                                                 "QtFuture::Launch::Async)")
                                          .arg(call->method)),
                         true);
    }
    return true;
}

QGbEngine::QGbEngine(const QString &script, const QGbPoolOptions &options)
    : m_handle(std::make_shared<QGbEngineHandle>())
    , m_script(script)
    , m_options(options)
{
    m_handle->engine = this;
    // A child: it moves to the I/O thread with the engine.
    m_cancelSweep = new QTimer(this);
    m_cancelSweep->setSingleShot(true);
    m_cancelSweep->setInterval(CancelSweepInterval);
    connect(m_cancelSweep, &QTimer::timeout, this, &QGbEngine::watchForCancel);
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()),
                                          raw.size() / int(sizeof(quint32)));
    m_token = raw.toHex();
}

QGbEngine::~QGbEngine()
{
    shutdown();
    qDeleteAll(m_closedConnections);
    QMutexLocker locker(&m_handle->mutex);
    m_handle->engine = nullptr;
}

/*
    Finds the directory holding the gobridge Python package: the option, the
    QGOBRIDGE_PYTHON_DIR environment variable, the directory installed beside
    the library, or the source tree the library was built from.
*/
QString QGbEngine::packageDirectory(const QGbPoolOptions &options)
{
    if (!options.packageDirectory().isEmpty())
        return options.packageDirectory();
    const QString fromEnv = qEnvironmentVariable("QGOBRIDGE_PYTHON_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&QGbEngine::packageDirectory), &info) && info.dli_fname) {
        const QString libDir = QFileInfo(QString::fromLocal8Bit(info.dli_fname)).absolutePath();
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

void QGbEngine::startPool()
{
    m_clock.start();
    QString base = m_options.socketDirectory();
    if (base.isEmpty())
        base = QDir::tempPath();
    QByteArray templ = QFile::encodeName(base + QLatin1String("/qgobridge-XXXXXX"));
    if (::mkdtemp(templ.data())) {
        m_socketDir = QFile::decodeName(templ); // mkdtemp creates it with mode 0700
    } else {
        const QGbError error(QGbError::WorkerStartFailed,
                             QStringLiteral("Cannot create a socket directory in %1: %2")
                                     .arg(base, QString::fromLocal8Bit(strerror(errno))));
        emit errorOccurred(error);
        m_shuttingDown = true;
        failQueued(error);
        return;
    }

    for (int i = 0; i < m_options.workers(); ++i) {
        auto worker = std::make_unique<QGbWorker>();
        worker->index = i;
        worker->connectTimer = new QTimer(this);
        worker->connectTimer->setInterval(ConnectPollInterval);
        worker->restartTimer = new QTimer(this);
        worker->restartTimer->setSingleShot(true);
        QGbWorker *w = worker.get();
        connect(worker->connectTimer, &QTimer::timeout, this, [this, w] { tryConnectControl(w); });
        connect(worker->restartTimer, &QTimer::timeout, this, [this, w] { startWorker(w); });
        worker->heartbeatTimer = new QTimer(this);
        connect(worker->heartbeatTimer, &QTimer::timeout, this, [this, w] { heartbeat(w); });
        worker->orphanTimer = new QTimer(this);
        worker->orphanTimer->setSingleShot(true);
        connect(worker->orphanTimer, &QTimer::timeout, this,
                [this, w] { failOrphans(w, nullptr); });
        m_workers.push_back(std::move(worker));
    }
    for (auto &worker : m_workers)
        startWorker(worker.get());
}

void QGbEngine::startWorker(QGbWorker *worker)
{
    if (m_shuttingDown)
        return;
    ++worker->generation;
    worker->socketPath = QStringLiteral("%1/w%2-%3.sock")
                                 .arg(m_socketDir)
                                 .arg(worker->index)
                                 .arg(worker->generation);
    if (QFile::encodeName(worker->socketPath).size() >= qsizetype(sizeof(sockaddr_un::sun_path))) {
        const QGbError error(QGbError::WorkerStartFailed,
                             QStringLiteral("The socket path %1 is too long for a Unix socket; "
                                            "choose a shorter socket directory")
                                     .arg(worker->socketPath));
        worker->state = QGbWorker::State::Failed;
        emit errorOccurred(error);
        failQueued(error);
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
                       old.isEmpty() ? dir : dir + QLatin1Char(':') + old);
        }
    }
    if (!env.contains(QStringLiteral("PYTHONUNBUFFERED")))
        env.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
    env.insert(QStringLiteral("GOBRIDGE_SOCKET"), worker->socketPath);
    env.insert(QStringLiteral("GOBRIDGE_TOKEN"), QString::fromLatin1(m_token));
    env.insert(QStringLiteral("GOBRIDGE_MAX_FRAME"), QString::number(m_options.maxFrameSize()));
    process->setProcessEnvironment(env);
    // A worker must not outlive an application that crashes: the kernel kills
    // it when the thread that started it (this I/O thread) goes away.
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
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
    arguments << m_script << m_options.scriptArguments();
    worker->startClock.start();
    process->start(m_options.pythonExecutable(), arguments);
    worker->connectTimer->start();
}

void QGbEngine::tryConnectControl(QGbWorker *worker)
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
    worker->control = openConnection(worker, true);
}

QGbConnection *QGbEngine::openConnection(QGbWorker *worker, bool control)
{
    auto *connection = new QGbConnection;
    connection->worker = worker;
    connection->control = control;
    connection->reader = std::make_unique<QGbWire::FrameReader>(m_options.maxFrameSize());
    connection->socket = QGbSocket::create(m_options.transport(), this);
    QGbSocket *socket = connection->socket;
    if (!control) {
        worker->connections.push_back(connection);
        ++m_opening;
    }

    connect(socket, &QGbSocket::connected, this, [this, connection] {
        connection->state = QGbConnection::State::Handshaking;
        Envelope hello("hello");
        hello.field("version", qint64(QGOBRIDGE_PROTOCOL_VERSION));
        hello.field("token", QString::fromLatin1(m_token));
        hello.field("role", connection->control ? QStringView(u"control") : QStringView(u"call"));
        QByteArray frame;
        QGbError error;
        hello.finish(&frame, m_options.maxFrameSize(), &error);
        send(connection, frame);
    });
    connect(socket, &QGbSocket::readyRead, this, [this, connection] { onReadyRead(connection); });
    connect(socket, &QGbSocket::errorOccurred, this, [this, connection] {
        onConnectionLost(connection,
                         QStringLiteral("Connection to the worker lost: %1")
                                 .arg(connection->socket->errorString()));
    });
    connect(socket, &QGbSocket::disconnected, this, [this, connection] {
        onConnectionLost(connection, QStringLiteral("The worker closed the connection"));
    });
    socket->connectToServer(worker->socketPath);
    return connection;
}

// The peer closed the connection (or it broke). What it sent before still
// counts; a frame it left unfinished is a protocol error, not a crash.
void QGbEngine::onConnectionLost(QGbConnection *connection, const QString &reason)
{
    if (connection->state == QGbConnection::State::Closed)
        return;
    onReadyRead(connection);
    if (connection->state == QGbConnection::State::Closed)
        return;
    connection->lost = true;
    if (connection->reader->bufferedBytes() > 0) {
        closeConnection(connection,
                        QGbError(QGbError::ProtocolError,
                                 QStringLiteral("The worker closed the connection in the middle "
                                                "of a frame (%1 bytes buffered)")
                                         .arg(connection->reader->bufferedBytes())));
        return;
    }
    closeConnection(connection, QGbError(QGbError::WorkerCrashed, reason));
}

bool QGbEngine::send(QGbConnection *connection, const QByteArray &frames)
{
    if (connection->state == QGbConnection::State::Closed)
        return false;
    // Write now rather than on the next turn of the event loop: a call's
    // latency should not wait for the loop to come round.
    return connection->socket->write(frames);
}

void QGbEngine::onReadyRead(QGbConnection *connection)
{
    if (connection->state == QGbConnection::State::Closed)
        return;
    QGbSocket *socket = connection->socket;
    if (!socket->isOpen())
        return;
    const QByteArray data = socket->readAll();
    connection->reader->append(data.constData(), data.size());
    for (;;) {
        QGbWire::Message message;
        QGbError error;
        const auto status = connection->reader->next(&message, &error);
        if (status == QGbWire::FrameReader::NeedMore)
            return;
        if (status == QGbWire::FrameReader::Error) {
            qCWarning(lcQGbEngine) << "worker" << connection->worker->index
                                   << "sent a malformed frame:" << error.errorString();
            closeConnection(connection, error);
            return;
        }
        if (!handleMessage(connection, message))
            return;
    }
}

// Returns false if the connection was closed while handling the message.
bool QGbEngine::handleMessage(QGbConnection *connection, QGbWire::Message &message)
{
    if (connection->state == QGbConnection::State::Handshaking) {
        if (message.type == "hello") {
            connection->connId = message.fields.value(QStringLiteral("conn")).toLongLong();
            if (connection->control) {
                connection->state = QGbConnection::State::Idle;
                onWorkerReady(connection->worker,
                              message.fields.value(QStringLiteral("pid")).toLongLong());
            } else {
                --m_opening;
                connection->state = QGbConnection::State::Idle;
                dispatch();
            }
            return connection->state != QGbConnection::State::Closed;
        }
        QGbError error = message.type == "error"
                ? errorFromWire(message.fields.value(QStringLiteral("error")))
                : QGbError(QGbError::ProtocolError,
                           QStringLiteral("Expected hello, got %1")
                                   .arg(QString::fromLatin1(message.type)));
        closeConnection(connection, error);
        return false;
    }
    if (connection->control) {
        if (message.type == "pong")
            connection->worker->lastPong.restart();
        // Anything else is informational: the control connection carries no calls.
        return true;
    }
    handleCallMessage(connection, message);
    return connection->state != QGbConnection::State::Closed;
}

void QGbEngine::handleCallMessage(QGbConnection *connection, QGbWire::Message &message)
{
    const QGbCallPtr call = connection->call;
    if (!call || message.id != call->id) {
        // Frames for a call that already ended are dropped; anything newer is a protocol error.
        if (message.id > 0 && message.id <= connection->lastCallId)
            return;
        closeConnection(connection,
                        QGbError(QGbError::ProtocolError,
                                 QStringLiteral("The worker sent '%1' for unknown call id %2")
                                         .arg(QString::fromLatin1(message.type))
                                         .arg(message.id)));
        return;
    }

    const bool cancelling = call->state == QGbCallRecord::State::Cancelling;
    QGbError error;
    if (message.type == "chunk") {
        const QVariantList items = message.fields.value(QStringLiteral("items")).toList();
        if (!cancelling && !call->sink->deliverItems(items, &error)) {
            failCall(call, error, true);
            return;
        }
        // A QFuture keeps every result anyway: credit at once. A QGbCall
        // credits what its consumer took (onConsumed), which bounds memory.
        if (!call->sink->consumerGrantsCredit()) {
            call->outputSinceCredit += items.size();
            sendCredit(call);
        }
    } else if (message.type == "result") {
        if (!cancelling
            && !call->sink->deliverResult(message.fields.value(QStringLiteral("value")), &error)) {
            call->sink->deliverError(error);
        }
        finishCall(call);
    } else if (message.type == "end") {
        finishCall(call);
    } else if (message.type == "error") {
        if (!cancelling)
            call->sink->deliverError(errorFromWire(message.fields.value(QStringLiteral("error"))));
        finishCall(call);
    } else if (message.type == "credit") {
        call->inputCredit += message.fields.value(QStringLiteral("n")).toLongLong();
        pumpInput(call);
    } else {
        closeConnection(connection,
                        QGbError(QGbError::ProtocolError,
                                 QStringLiteral("Unexpected message type '%1'")
                                         .arg(QString::fromLatin1(message.type))));
    }
}

void QGbEngine::closeConnection(QGbConnection *connection, const QGbError &error)
{
    if (connection->state == QGbConnection::State::Closed)
        return;
    const QGbConnection::State previous = connection->state;
    connection->state = QGbConnection::State::Closed;
    QGbWorker *worker = connection->worker;
    if (QGbCallPtr call = connection->call) {
        connection->call.reset();
        call->connection = nullptr;
        // A connection that broke (even in the middle of a frame) while the
        // process seems alive waits for the exit status: a dying worker is
        // a crash, not a protocol error.
        if (call->state == QGbCallRecord::State::Running && connection->lost && !m_shuttingDown
            && worker->process && worker->process->state() != QProcess::NotRunning) {
            worker->orphans.emplace_back(call, error);
            if (!worker->orphanTimer->isActive())
                worker->orphanTimer->start(OrphanWait);
        } else {
            if (call->state == QGbCallRecord::State::Running)
                call->sink->deliverError(error);
            finishCall(call);
        }
    }
    if (!connection->control) {
        if (previous == QGbConnection::State::Connecting
            || previous == QGbConnection::State::Handshaking)
            --m_opening;
        // A worker that refuses connections is probably dying: give it a moment
        // (its exit, if it is one, arrives meanwhile) instead of retrying at once.
        if (previous == QGbConnection::State::Connecting)
            worker->noConnectionsUntil = QDeadlineTimer(ConnectRetryDelay);
        auto &list = worker->connections;
        list.erase(std::remove(list.begin(), list.end(), connection), list.end());
    } else if (worker->control == connection) {
        worker->control = nullptr;
        if (previous == QGbConnection::State::Connecting
            && worker->state == QGbWorker::State::Starting) {
            // The socket appeared but the worker is not accepting yet: poll again.
            worker->connectTimer->start();
        } else if (error.code() == QGbError::Unauthorized
                   || error.code() == QGbError::ProtocolError) {
            killWorker(worker, error.errorString());
        }
    }
    connection->socket->disconnect(this);
    connection->socket->abort();
    connection->socket->deleteLater();
    // Deleted from the event loop, not here: a write, a flush or a message
    // handler up the stack may still hold the pointer (it sees state Closed).
    m_closedConnections.push_back(connection);
    if (m_closedConnections.size() == 1) {
        QMetaObject::invokeMethod(
                this,
                [this] {
                    qDeleteAll(m_closedConnections);
                    m_closedConnections.clear();
                },
                Qt::QueuedConnection);
    }
    scheduleDispatch();
}

void QGbEngine::onWorkerReady(QGbWorker *worker, qint64 pid)
{
    worker->state = QGbWorker::State::Ready;
    worker->pid = pid > 0 ? pid : worker->process->processId();
    worker->everReady = true;
    worker->readySince.start();
    worker->callsStarted = 0;
    worker->draining = false;
    worker->recycling = false;
    worker->lastPong.start();
    if (m_options.heartbeatInterval().count() > 0)
        worker->heartbeatTimer->start(m_options.heartbeatInterval());
    updateReadyCount();
    emit workerStarted(worker->index, worker->pid);
    dispatch();
}

void QGbEngine::updateReadyCount()
{
    int ready = 0;
    QList<qint64> pids;
    QList<QGbPool::WorkerState> states;
    for (const auto &w : m_workers) {
        switch (w->state) {
        case QGbWorker::State::Ready:
            ++ready;
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
        m_readyCondition.wakeAll();
    }
    if (changed)
        emit readyWorkersChanged(ready);
}

int QGbEngine::readyWorkers() const
{
    QMutexLocker locker(&m_stateMutex);
    return m_readyCount;
}

QList<qint64> QGbEngine::workerProcessIds() const
{
    QMutexLocker locker(&m_stateMutex);
    return m_pids;
}

QList<QGbPool::WorkerState> QGbEngine::workerStates() const
{
    QMutexLocker locker(&m_stateMutex);
    return m_workerStates;
}

bool QGbEngine::waitForAllReady(int msecs)
{
    QDeadlineTimer deadline(msecs);
    QMutexLocker locker(&m_stateMutex);
    while (m_readyCount < m_options.workers()) {
        if (!m_readyCondition.wait(&m_stateMutex, deadline))
            return m_readyCount >= m_options.workers();
    }
    return true;
}

void QGbEngine::killWorker(QGbWorker *worker, const QString &reason, bool immediately)
{
    if (!worker->process || worker->process->state() == QProcess::NotRunning)
        return;
    qCWarning(lcQGbEngine) << "killing worker" << worker->index << "because" << reason;
    worker->lastErrorLines.append(reason);
    worker->killReason = reason;
    QProcess *process = worker->process;
    if (immediately) {
        process->kill();
        return;
    }
    terminateThenKill(process, KillGrace);
}

void QGbEngine::onProcessGone(QGbWorker *worker, int exitCode, QProcess::ExitStatus status,
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
    const auto connections = worker->connections;
    for (QGbConnection *connection : connections)
        closeConnection(connection, crashed);
    if (worker->control)
        closeConnection(worker->control, crashed);
    failOrphans(worker, &crashed);

    worker->pid = 0;
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
        worker->deaths.push_back(m_clock.elapsed());
        while (!worker->deaths.empty()
               && worker->deaths.front() < m_clock.elapsed() - m_options.restartWindow().count())
            worker->deaths.pop_front();
    }
    emit workerExited(worker->index, pid, exitCode, status);
    if (m_shuttingDown)
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
        qCWarning(lcQGbEngine) << error.errorString();
        updateReadyCount();
        emit workerFailed(worker->index, error);
        if (!anyWorkerUsable())
            failQueued(error);
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
            failQueued(error);
    }
    scheduleRestart(worker);
}

void QGbEngine::scheduleRestart(QGbWorker *worker)
{
    const int shift = std::min(worker->consecutiveFailures - 1, 20);
    const auto delay = std::min<std::chrono::milliseconds>(
            m_options.restartDelay() * (qint64(1) << shift), m_options.maxRestartDelay());
    worker->restartTimer->start(delay);
}

void QGbEngine::readOutput(QGbWorker *worker, QProcess::ProcessChannel channel, bool flushAll)
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

void QGbEngine::deliverLine(QGbWorker *worker, QProcess::ProcessChannel channel,
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
        writeAll(isOut ? STDOUT_FILENO : STDERR_FILENO, line);
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
    emit workerOutput(worker->index, channel, line);
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
        submit(call);
}

void QGbEngine::submit(const QGbCallPtr &call)
{
    if (call->state == QGbCallRecord::State::Done)
        return; // failed while it waited for the I/O thread (refuseWaitInIoThread)
    if (m_shuttingDown) {
        call->sink->deliverError(QGbError(QGbError::PoolClosed));
        call->sink->deliverFinished();
        return;
    }
    if (qsizetype(m_queue.size()) >= m_options.maxQueuedCalls()) {
        call->sink->deliverError(
                QGbError(QGbError::QueueFull,
                         QStringLiteral("%1 calls are already waiting").arg(m_queue.size())));
        call->sink->deliverFinished();
        return;
    }
    QFutureInterfaceBase &fi = call->sink->futureInterface();
    if (fi.isCanceled()) {
        call->sink->deliverFinished();
        return;
    }
    if (!anyWorkerUsable()) {
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
    if (call->timeout.count() > 0) {
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
    m_queue.push_back(call);
    dispatch();
}

void QGbEngine::onConsumed(const QGbCallPtr &call, qint64 items)
{
    if (call->state != QGbCallRecord::State::Running)
        return;
    call->outputSinceCredit += items;
    sendCredit(call);
}

// Grants the worker the output credit collected since the last grant, in steps
// of half a window so that a fast stream costs one credit message per 512 items.
void QGbEngine::sendCredit(const QGbCallPtr &call)
{
    if (call->outputSinceCredit < OutputWindow / 2 || !call->connection)
        return;
    Envelope credit("credit", call->id);
    credit.field("n", call->outputSinceCredit);
    QByteArray frame;
    QGbError error;
    credit.finish(&frame, m_options.maxFrameSize(), &error);
    call->outputSinceCredit = 0;
    send(call->connection, frame);
}

bool QGbEngine::anyWorkerUsable() const
{
    for (const auto &w : m_workers) {
        if (w->state != QGbWorker::State::Failed && w->state != QGbWorker::State::Stopped)
            return true;
    }
    return m_workers.empty() && !m_shuttingDown; // not started yet
}

void QGbEngine::restartFailedWorkers()
{
    for (const auto &w : m_workers) {
        if (w->state != QGbWorker::State::Failed)
            continue;
        w->deaths.clear();
        w->consecutiveFailures = 0;
        startWorker(w.get());
    }
}

void QGbEngine::heartbeat(QGbWorker *worker)
{
    if (worker->state != QGbWorker::State::Ready || !worker->control)
        return;
    if (worker->lastPong.elapsed() > m_options.heartbeatTimeout().count()) {
        killWorker(worker,
                   QStringLiteral("it stopped answering (no pong for %1 ms)")
                           .arg(worker->lastPong.elapsed()),
                   true);
        return;
    }
    Envelope ping("ping");
    ping.field("seq", ++worker->pingSeq);
    QByteArray frame;
    QGbError error;
    ping.finish(&frame, m_options.maxFrameSize(), &error);
    send(worker->control, frame);
}

// A draining worker exits once its last call ended; it is replaced at once.
void QGbEngine::maybeRecycle(QGbWorker *worker)
{
    if (!worker->draining || worker->recycling || !worker->process)
        return;
    for (QGbConnection *c : worker->connections) {
        if (c->call)
            return;
    }
    worker->recycling = true;
    worker->state = QGbWorker::State::Backoff; // no new calls, no longer counted ready
    updateReadyCount();
    QProcess *process = worker->process;
    terminateThenKill(process, TerminateGrace);
}

// Dispatches from the event loop, once however often it is asked: callers may
// be deep in socket signal handlers.
void QGbEngine::scheduleDispatch(std::chrono::milliseconds delay)
{
    if (m_shuttingDown)
        return;
    if (delay.count() > 0) {
        if (!m_dispatchTimer) {
            m_dispatchTimer = new QTimer(this);
            m_dispatchTimer->setSingleShot(true);
            connect(m_dispatchTimer, &QTimer::timeout, this, &QGbEngine::dispatch);
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

void QGbEngine::dispatch()
{
    if (m_shuttingDown)
        return;
    while (!m_queue.empty()) {
        // The least busy ready worker with an idle connection.
        QGbConnection *best = nullptr;
        int bestBusy = INT_MAX;
        for (const auto &w : m_workers) {
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
        QGbCallPtr call = m_queue.front();
        m_queue.pop_front();
        startOnConnection(call, best);
    }
    // Open more connections while calls wait and workers have room.
    bool waitingForRetry = false;
    while (qsizetype(m_queue.size()) > m_opening) {
        QGbWorker *target = nullptr;
        for (const auto &w : m_workers) {
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
        openConnection(target, false);
    }
    if (waitingForRetry && qsizetype(m_queue.size()) > m_opening)
        scheduleDispatch(ConnectRetryDelay);
}

void QGbEngine::startOnConnection(const QGbCallPtr &call, QGbConnection *connection)
{
    call->connection = connection;
    call->worker = connection->worker;
    if (m_options.maxCallsPerWorker() > 0
        && ++connection->worker->callsStarted >= m_options.maxCallsPerWorker())
        connection->worker->draining = true;
    call->id = ++connection->lastCallId;
    call->state = QGbCallRecord::State::Running;
    connection->call = call;
    connection->state = QGbConnection::State::Busy;

    QByteArray frames;
    QGbError error;
    bool ok = true;
    if (call->kind == QGbCallRecord::Kind::Describe) {
        Envelope describe("describe", call->id);
        ok = describe.finish(&frames, m_options.maxFrameSize(), &error);
    } else {
        Envelope message("call", call->id);
        message.field("method", QStringView(call->method));
        ok = message.value("args", call->args, &error, QGbPath("args"));
        if (call->streamOut >= 0)
            message.field("stream_out", call->streamOut == 1);
        message.field("window", qint64(OutputWindow));
        ok = ok && message.finish(&frames, m_options.maxFrameSize(), &error);
    }
    call->args.clear();
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
    send(connection, frames);
}

void QGbEngine::pumpInput(const QGbCallPtr &call)
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
            Envelope chunk("chunk", call->id);
            QGbError error;
            QByteArray frames;
            if (!chunk.value("items", items, &error, QGbPath("input"))
                || !chunk.finish(&frames, m_options.maxFrameSize(), &error)) {
                failCall(call, error, true);
                return;
            }
            call->inputCredit -= items.size();
            send(call->connection, frames);
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
            Envelope endMessage("end", call->id);
            QByteArray frame;
            QGbError error;
            endMessage.finish(&frame, m_options.maxFrameSize(), &error);
            send(call->connection, frame);
            return;
        }
        if (call->inputCredit <= 0 || items.isEmpty())
            break;
    }
}

// Gives every call still running a QFutureWatcher, so that QFuture::cancel()
// reaches it. A call that was canceled before it got one is canceled now
// (the watcher reports the state it finds).
void QGbEngine::watchForCancel()
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

void QGbEngine::onCallCanceled(const QGbCallPtr &call)
{
    switch (call->state) {
    case QGbCallRecord::State::Queued:
        m_queue.erase(std::remove(m_queue.begin(), m_queue.end(), call), m_queue.end());
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

void QGbEngine::sendCancel(const QGbCallPtr &call)
{
    QGbConnection *connection = call->connection;
    if (!connection)
        return;
    QGbError error;
    QByteArray frame;
    Envelope onCall("cancel", call->id);
    onCall.finish(&frame, m_options.maxFrameSize(), &error);
    send(connection, frame);
    if (QGbConnection *control = connection->worker->control) {
        Envelope onControl("cancel", call->id);
        onControl.field("conn", connection->connId);
        frame.clear();
        onControl.finish(&frame, m_options.maxFrameSize(), &error);
        send(control, frame);
    }
    if (!call->graceTimer) {
        call->graceTimer = new QTimer(this);
        call->graceTimer->setSingleShot(true);
        std::weak_ptr<QGbCallRecord> weak = call;
        connect(call->graceTimer, &QTimer::timeout, this, [this, weak] {
            QGbCallPtr c = weak.lock();
            if (!c || c->state != QGbCallRecord::State::Cancelling || !c->connection)
                return;
            killWorker(c->connection->worker,
                       QStringLiteral("call %1 ignored its cancellation for %2 ms")
                               .arg(c->method)
                               .arg(m_options.cancelGracePeriod().count()));
        });
        call->graceTimer->start(m_options.cancelGracePeriod());
    }
}

// Fails a call that has not ended; optionally tells the worker to stop it.
void QGbEngine::failCall(const QGbCallPtr &call, const QGbError &error, bool cancelRemote)
{
    if (call->state == QGbCallRecord::State::Done)
        return;
    if (call->state == QGbCallRecord::State::Queued) {
        m_queue.erase(std::remove(m_queue.begin(), m_queue.end(), call), m_queue.end());
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

void QGbEngine::finishCall(const QGbCallPtr &call)
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
    if (call->worker && !m_shuttingDown)
        maybeRecycle(call->worker);
    if (!m_queue.empty())
        scheduleDispatch();
}

// Fails the calls that lost their connection, with *error or, if null, with
// the error each connection broke with.
void QGbEngine::failOrphans(QGbWorker *worker, const QGbError *error)
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

void QGbEngine::failQueued(const QGbError &error)
{
    std::deque<QGbCallPtr> queued;
    queued.swap(m_queue);
    for (const QGbCallPtr &call : queued) {
        call->sink->deliverError(error);
        finishCall(call);
    }
}

void QGbEngine::shutdown()
{
    if (m_shuttingDown && m_workers.empty())
        return;
    m_shuttingDown = true;
    std::vector<QGbCallPtr> submitted;
    {
        QMutexLocker locker(&m_handle->mutex);
        m_handle->engine = nullptr;
        submitted.swap(m_handle->submissions);
    }
    const QGbError closed(QGbError::PoolClosed, QStringLiteral("The pool was closed"));
    for (const QGbCallPtr &call : submitted)
        submit(call); // fails it with PoolClosed
    failQueued(closed);
    const auto active = m_active;
    for (const QGbCallPtr &call : active) {
        if (call->state == QGbCallRecord::State::Running)
            call->sink->deliverError(closed);
        finishCall(call);
    }

    // Ask every worker to exit, then make sure they did.
    QList<QProcess *> processes;
    for (auto &w : m_workers) {
        w->connectTimer->stop();
        w->restartTimer->stop();
        const auto connections = w->connections;
        for (QGbConnection *c : connections)
            closeConnection(c, closed);
        if (w->control)
            closeConnection(w->control, closed);
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
        QFile::remove(w->socketPath);
        QFile::remove(w->socketPath + QLatin1String(".tmp"));
        w->state = QGbWorker::State::Stopped;
    }
    m_workers.clear();
    if (!m_socketDir.isEmpty()) {
        QDir(m_socketDir).removeRecursively();
        m_socketDir.clear();
    }
    updateReadyCount();
}
