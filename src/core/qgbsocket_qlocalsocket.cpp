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
QString connectFailureText(QLocalSocket::LocalSocketError error, const QString &qtText)
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
    : QGbDeviceSocket(new QLocalSocket, parent)
{
    // The base holds the device; this is its owner.
    m_socket = static_cast<QLocalSocket *>(device());
    m_socket->setParent(this);
    connect(m_socket, &QLocalSocket::connected, this, &QGbLocalSocket::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &QGbLocalSocket::onDeviceReadyRead);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &QGbLocalSocket::onErrorOccurred);
    connect(m_socket, &QLocalSocket::disconnected, this, &QGbLocalSocket::onDeviceDisconnected);
}

QGbLocalSocket::~QGbLocalSocket()
{
    abort();
    m_socket->disconnect(this);
    delete m_socket;
}

QString QGbLocalSocket::writeFailure() const
{
    return QStringLiteral("Cannot write to the worker");
}

QString QGbLocalSocket::connectFailure() const
{
    return QStringLiteral("Cannot connect to %1").arg(m_path);
}

void QGbLocalSocket::connectToServer(const QString &path)
{
    abort();
    restart();
    // QLocalSocket takes a name without a slash as relative to the temporary
    // directory; this class, like the raw socket, takes a path.
    m_path = QDir::isAbsolutePath(path) ? path : QDir::current().absoluteFilePath(path);
    m_socket->setServerName(m_path);
    {
        const InCall guard(this);
        m_socket->connectToServer(QIODevice::ReadWrite); // may emit connected() or errorOccurred()
    }
    if (m_socket->state() == QLocalSocket::ConnectingState) {
        // EAGAIN: the server's backlog is full. QLocalSocket would try again
        // when the socket turns writable and close it silently after 30 s; like
        // the raw socket, fail now and let the caller retry.
        {
            const QSignalBlocker blocker(m_socket);
            m_socket->abort();
        }
        setErrorString(
                QStringLiteral("Cannot connect to %1: the server's backlog is full").arg(m_path));
        endLater();
    }
}

void QGbLocalSocket::onConnected()
{
    setOpen();
    openDrain();
    later([this] { emit connected(); });
}

void QGbLocalSocket::onErrorOccurred(QLocalSocket::LocalSocketError error)
{
    if (isOpen())
        takeAvailable();
    if (hasEnded())
        return;
    if (error != QLocalSocket::PeerClosedError) {
        if (!isOpen()) {
            setErrorString(
                    QStringLiteral("Cannot connect to %1: %2")
                            .arg(m_path, connectFailureText(error, m_socket->errorString())));
        } else {
            setErrorString(QStringLiteral("%1: %2").arg(
                    inCall() ? QStringLiteral("Cannot write to the worker")
                             : QStringLiteral("Cannot read from the worker"),
                    m_socket->errorString()));
        }
    }
    endLater();
}

void QGbLocalSocket::abort()
{
    QGbDeviceSocket::abort();
    closeDrain();
}

void QGbLocalSocket::openDrain()
{
#if defined(Q_OS_UNIX)
    closeDrain();
    const qintptr fd = m_socket->socketDescriptor();
    if (fd >= 0)
        m_drainFd = ::fcntl(int(fd), F_DUPFD_CLOEXEC, 0);
#endif
}

void QGbLocalSocket::readRemainder()
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
