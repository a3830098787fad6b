// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbmessages_p.h"
#include "qgbscheduler_p.h"
#include "qgbsession_p.h"
#include "qgbsocket_p.h"
#include "qgbsocket_tls_p.h"
#include "qgbsupervisor_p.h"

#include <QtCore/qloggingcategory.h>

Q_LOGGING_CATEGORY(lcQGbSession, "qgobridge.session")

QGbSessions::QGbSessions(QGbEngineContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
}

QGbSessions::~QGbSessions()
{
    qDeleteAll(m_closed);
}

void QGbSessions::setParts(QGbSupervisor *supervisor, QGbScheduler *scheduler)
{
    m_supervisor = supervisor;
    m_scheduler = scheduler;
}

QGbConnection *QGbSessions::open(QGbWorker *worker, bool control)
{
    auto *connection = new QGbConnection;
    connection->worker = worker;
    connection->control = control;
    connection->link = ++m_lastLink;
    connection->reader = std::make_unique<QGbWire::FrameReader>(m_context.options.maxFrameSize());
    // Results are read from their text by the call's sink (handleMessage(),
    // QGbScheduler::onCallMessage()); so are stream items, while the call on
    // the connection reads them so (QGbScheduler::startOnConnection()).
    connection->reader->setLazyResultValue(true);
    QGbTlsSocket *tcp = nullptr;
    if (worker->remote)
        connection->socket = tcp = new QGbTlsSocket(this);
    else
        connection->socket = QGbSocket::create(m_context.options.transport(), this);
    QGbSocket *socket = connection->socket;
    if (!control) {
        worker->connections.push_back(connection);
        ++m_opening;
    }
    connect(socket, &QGbSocket::connected, this, [this, connection] { onConnected(connection); });
    connect(socket, &QGbSocket::readyRead, this, [this, connection] { onReadyRead(connection); });
    connect(socket, &QGbSocket::errorOccurred, this, [this, connection] {
        onLost(connection,
               QStringLiteral("Connection to the worker lost: %1")
                       .arg(connection->socket->errorString()));
    });
    connect(socket, &QGbSocket::disconnected, this, [this, connection] {
        if (connection->worker->remote && connection->state == QGbConnection::State::Handshaking) {
            // A TLS worker reached with gobridge://, or one that wants a
            // client certificate (TLS 1.3 says so only after the handshake).
            onLost(connection,
                   QStringLiteral("The remote worker at %1 closed the connection before it "
                                  "answered the hello (is it a TLS worker reached with "
                                  "gobridge://, or does it require a client certificate?)")
                           .arg(connection->worker->endpoint));
            return;
        }
        onLost(connection, QStringLiteral("The worker closed the connection"));
    });
    if (tcp)
        tcp->connectToHost(worker->address, worker->port, worker->host, worker->tls,
                           m_context.options.sslConfiguration());
    else
        socket->connectToServer(worker->socketPath);
    return connection;
}

void QGbSessions::onConnected(QGbConnection *connection)
{
    connection->state = QGbConnection::State::Handshaking;
    if (Q_UNLIKELY(m_context.listener))
        m_context.listener->connectionOpened(*connection);
    send(connection,
         QGbWire::helloMessage(connection->worker->remote ? m_context.remoteToken : m_context.token,
                               connection->control));
}

// The peer closed the connection (or it broke). What it sent before still
// counts; a frame it left unfinished is a protocol error, not a crash.
void QGbSessions::onLost(QGbConnection *connection, const QString &reason)
{
    if (connection->state == QGbConnection::State::Closed)
        return;
    onReadyRead(connection);
    if (connection->state == QGbConnection::State::Closed)
        return;
    connection->lost = true;
    // Over the network a connection that ends inside a frame is a crash or a
    // broken network as much as a protocol error, and no exit status tells.
    if (connection->reader->bufferedBytes() > 0 && !connection->worker->remote) {
        close(connection,
              QGbError(QGbError::ProtocolError,
                       QStringLiteral("The worker closed the connection in the middle "
                                      "of a frame (%1 bytes buffered)")
                               .arg(connection->reader->bufferedBytes())));
        return;
    }
    close(connection, QGbError(QGbError::WorkerCrashed, reason));
}

bool QGbSessions::send(QGbConnection *connection, const QByteArray &frames)
{
    if (connection->state == QGbConnection::State::Closed)
        return false;
    if (Q_UNLIKELY(m_context.listener))
        m_context.listener->messageSent(*connection, frames);
    // Write now rather than on the next turn of the event loop: a call's
    // latency should not wait for the loop to come round.
    return connection->socket->write(frames);
}

void QGbSessions::onReadyRead(QGbConnection *connection)
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
            closeMalformed(connection, error);
            return;
        }
        if (Q_UNLIKELY(m_context.listener))
            m_context.listener->messageReceived(*connection, message);
        if (!handleMessage(connection, message))
            return;
    }
}

void QGbSessions::closeMalformed(QGbConnection *connection, const QGbError &error)
{
    qCWarning(lcQGbSession) << "worker" << connection->worker->index
                            << "sent a malformed frame:" << error.errorString();
    close(connection, error);
}

// Returns false if the connection was closed while handling the message.
bool QGbSessions::handleMessage(QGbConnection *connection, QGbWire::Message &message)
{
    const QGbWire::MessageType type = QGbWire::messageType(message);
    if (message.hasRawValue()
        && (connection->state == QGbConnection::State::Handshaking || connection->control)) {
        // No call here reads a result: check it now, as every frame is.
        QGbError error;
        if (!QGbWire::materializeValue(&message, &error)) {
            closeMalformed(connection, error);
            return false;
        }
    }
    if (connection->state == QGbConnection::State::Handshaking) {
        if (type == QGbWire::MessageType::Hello) {
            handshakeDone(connection, message);
        } else {
            close(connection,
                  type == QGbWire::MessageType::Error
                          ? QGbWire::readError(message)
                          : QGbError(QGbError::ProtocolError,
                                     QStringLiteral("Expected hello, got %1")
                                             .arg(QString::fromUtf8(message.type))));
        }
        return connection->state != QGbConnection::State::Closed;
    }
    if (connection->control) {
        if (type == QGbWire::MessageType::Pong) {
            m_supervisor->pong(connection->worker);
        } else if (type == QGbWire::MessageType::Log) {
            QGbError error;
            if (!m_supervisor->pythonLog(connection->worker, message, nullptr, &error)) {
                close(connection, error);
                return false;
            }
        }
        // Anything else is informational: the control connection carries no calls.
        return true;
    }
    m_scheduler->onCallMessage(connection, type, message);
    return connection->state != QGbConnection::State::Closed;
}

void QGbSessions::handshakeDone(QGbConnection *connection, QGbWire::Message &message)
{
    QGbWire::WorkerHello hello;
    QGbError error;
    if (!QGbWire::readHello(message, &hello, &error)) {
        close(connection, error);
        return;
    }
    connection->connId = hello.connection;
    connection->keywordArguments = hello.keywordArguments;
    connection->state = QGbConnection::State::Idle;
    if (connection->control) {
        m_supervisor->controlReady(connection->worker, hello.pid);
    } else {
        --m_opening;
        m_scheduler->dispatch();
    }
}

void QGbSessions::close(QGbConnection *connection, const QGbError &error)
{
    if (connection->state == QGbConnection::State::Closed)
        return;
    const QGbConnection::State previous = connection->state;
    connection->state = QGbConnection::State::Closed;
    QGbWorker *worker = connection->worker;
    if (Q_UNLIKELY(m_context.listener))
        m_context.listener->connectionClosed(*connection, error);
    if (QGbCallPtr call = connection->call) {
        connection->call.reset();
        call->connection = nullptr;
        m_scheduler->connectionClosed(connection, call, error);
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
        m_supervisor->controlClosed(worker, previous == QGbConnection::State::Connecting, error);
    }
    connection->socket->disconnect(this);
    connection->socket->abort();
    connection->socket->deleteLater();
    // Deleted from the event loop, not here: a write, a flush or a message
    // handler up the stack may still hold the pointer (it sees state Closed).
    m_closed.push_back(connection);
    if (m_closed.size() == 1) {
        QMetaObject::invokeMethod(
                this,
                [this] {
                    qDeleteAll(m_closed);
                    m_closed.clear();
                },
                Qt::QueuedConnection);
    }
    m_scheduler->scheduleDispatch();
}

void QGbSessions::closeWorker(QGbWorker *worker, const QGbError &error)
{
    const auto connections = worker->connections;
    for (QGbConnection *c : connections)
        close(c, error);
    if (worker->control)
        close(worker->control, error);
}
