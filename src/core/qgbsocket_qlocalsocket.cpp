// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbsocket_qlocalsocket_p.h"

#include <QtCore/qdir.h>

#include <algorithm>
#include <utility>

#if defined(Q_OS_UNIX)
#    include <errno.h>
#    include <fcntl.h>
#    include <unistd.h>
#endif

namespace {

// Most bytes end() reads from the duplicate descriptor: what a closed peer
// left in the socket is bounded by its send buffer, far below this.
constexpr qsizetype DrainLimit = 4 * 1024 * 1024;

// Why a connection could not be made, in the raw socket's words where there are some.
QString connectFailure(QLocalSocket::LocalSocketError error, const QString &qtText)
{
    switch (error) {
    case QLocalSocket::ServerNotFoundError:
        return QStringLiteral("No such socket, or its path is too long");
    case QLocalSocket::ConnectionRefusedError:
        return QStringLiteral("Connection refused");
    case QLocalSocket::SocketAccessError:
        return QStringLiteral("Permission denied");
    case QLocalSocket::SocketTimeoutError:
        return QStringLiteral("Connection timed out");
    default:
        return qtText;
    }
}

} // namespace

QGbLocalSocket::QGbLocalSocket(QObject *parent)
    : QGbSocket(parent)
    , m_socket(new QLocalSocket(this))
{
    connect(m_socket, &QLocalSocket::connected, this, &QGbLocalSocket::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &QGbLocalSocket::onReadyRead);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &QGbLocalSocket::onErrorOccurred);
    connect(m_socket, &QLocalSocket::disconnected, this, &QGbLocalSocket::onDisconnected);
}

QGbLocalSocket::~QGbLocalSocket()
{
    abort();
    m_socket->disconnect(this);
    delete m_socket;
}

void QGbLocalSocket::connectToServer(const QString &path)
{
    abort();
    m_errorString.clear();
    m_ended = false;
    // QLocalSocket takes a name without a slash as relative to the temporary
    // directory; this class, like the raw socket, takes a path.
    m_path = QDir::isAbsolutePath(path) ? path : QDir::current().absoluteFilePath(path);
    m_socket->setServerName(m_path);
    ++m_inCall;
    m_socket->connectToServer(QIODevice::ReadWrite); // may emit connected() or errorOccurred()
    --m_inCall;
    if (m_socket->state() == QLocalSocket::ConnectingState) {
        // EAGAIN: the server's backlog is full. QLocalSocket would try again
        // when the socket turns writable and close it silently after 30 s; like
        // the raw socket, fail now and let the caller retry.
        {
            const QSignalBlocker blocker(m_socket);
            m_socket->abort();
        }
        m_errorString =
                QStringLiteral("Cannot connect to %1: the server's backlog is full").arg(m_path);
        endLater();
    }
}

void QGbLocalSocket::onConnected()
{
    m_open = true;
    openDrain();
    later([this] { emit connected(); });
}

bool QGbLocalSocket::write(const QByteArray &data)
{
    if (!m_open || m_ended)
        return false;
    if (data.isEmpty())
        return true;
    ++m_inCall;
    // QLocalSocket only buffers in write(); flush() hands the data to the
    // system now instead of on the next turn of the event loop. What the
    // system does not take waits for QLocalSocket's write notifier.
    const qint64 written = m_socket->write(data);
    if (written == data.size())
        m_socket->flush(); // on failure: errorOccurred(), then disconnected()
    --m_inCall;
    if (written != data.size() && !m_ended) {
        m_errorString =
                QStringLiteral("Cannot write to the worker: %1").arg(m_socket->errorString());
        endLater();
    }
    return !m_ended;
}

QByteArray QGbLocalSocket::readAll()
{
    if (m_open)
        takeAvailable();
    return std::exchange(m_readBuffer, QByteArray());
}

// Moves what QLocalSocket read into m_readBuffer; returns what it moved.
qint64 QGbLocalSocket::takeAvailable()
{
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return 0;
    if (m_readBuffer.isEmpty())
        m_readBuffer = m_socket->read(available);
    else
        m_readBuffer += m_socket->read(available);
    return available;
}

void QGbLocalSocket::onReadyRead()
{
    if (!m_open || takeAvailable() == 0)
        return;
    if (m_inCall == 0) {
        emit readyRead();
        return;
    }
    // Not seen from inside connectToServer() or write(), but not ruled out by
    // QLocalSocket either.
    later([this] {
        if (m_open && !m_readBuffer.isEmpty())
            emit readyRead();
    });
}

// QLocalSocket reports the peer's close as PeerClosedError, then emits
// disconnected(); an error in write() or flush() also aborts it, which drops
// what it had read and not delivered: take that first.
void QGbLocalSocket::onErrorOccurred(QLocalSocket::LocalSocketError error)
{
    if (m_open)
        takeAvailable();
    if (m_ended)
        return;
    if (error != QLocalSocket::PeerClosedError) {
        if (!m_open) {
            m_errorString = QStringLiteral("Cannot connect to %1: %2")
                                    .arg(m_path, connectFailure(error, m_socket->errorString()));
        } else {
            m_errorString = QStringLiteral("%1: %2").arg(
                    m_inCall ? QStringLiteral("Cannot write to the worker")
                             : QStringLiteral("Cannot read from the worker"),
                    m_socket->errorString());
        }
    }
    endLater();
}

void QGbLocalSocket::onDisconnected()
{
    if (m_open)
        takeAvailable();
    if (!m_ended)
        endLater();
}

void QGbLocalSocket::endLater()
{
    m_ended = true;
    later([this] { end(); });
}

// From the event loop, after the peer closed or the connection broke: what the
// peer sent before still counts, then disconnected() or errorOccurred().
void QGbLocalSocket::end()
{
    const bool wasOpen = m_open;
    if (wasOpen) {
        takeAvailable();
        drain();
        if (!m_readBuffer.isEmpty()) {
            const quint64 token = laterToken();
            emit readyRead();
            if (aborted(token))
                return; // aborted by a slot
        }
    }
    if (!wasOpen && m_errorString.isEmpty())
        m_errorString = QStringLiteral("Cannot connect to %1").arg(m_path);
    const bool broke = !m_errorString.isEmpty();
    abort();
    if (broke)
        emit errorOccurred();
    else
        emit disconnected();
}

void QGbLocalSocket::abort()
{
    voidLater();
    m_open = false;
    {
        const QSignalBlocker blocker(m_socket);
        m_socket->abort();
    }
    closeDrain();
    m_readBuffer.clear();
}

// On Unix, QLocalSocket's descriptor is duplicated: when a write fails because
// the peer has gone (EPIPE), QLocalSocket closes its descriptor at once, and
// what the peer sent before it closed would be lost with it. end() reads it
// from the duplicate, as the raw socket reads before it reports the error.
void QGbLocalSocket::openDrain()
{
#if defined(Q_OS_UNIX)
    closeDrain();
    const qintptr fd = m_socket->socketDescriptor();
    if (fd >= 0)
        m_drainFd = ::fcntl(int(fd), F_DUPFD_CLOEXEC, 0);
#endif
}

void QGbLocalSocket::drain()
{
#if defined(Q_OS_UNIX)
    if (m_drainFd < 0)
        return;
    // The duplicate shares the open file description: it is non-blocking too.
    constexpr qsizetype Chunk = 64 * 1024;
    qsizetype total = 0;
    while (total < DrainLimit) {
        const qsizetype used = m_readBuffer.size();
        m_readBuffer.resize(used + Chunk);
        const ssize_t n = ::read(m_drainFd, m_readBuffer.data() + used, size_t(Chunk));
        m_readBuffer.resize(used + std::max<qsizetype>(n, 0));
        if (n > 0)
            total += n;
        else if (n == 0 || errno != EINTR)
            break; // end of stream, EAGAIN, or the error that ended the connection
    }
    closeDrain();
#endif
}

void QGbLocalSocket::closeDrain()
{
#if defined(Q_OS_UNIX)
    if (m_drainFd >= 0) {
        ::close(m_drainFd);
        m_drainFd = -1;
    }
#endif
}
