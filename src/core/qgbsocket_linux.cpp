// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbsocket_linux_p.h"

#ifdef QGB_HAVE_RAW_SOCKET

#    include <QtCore/qfile.h>
#    include <QtCore/qsocketnotifier.h>

#    include <errno.h>
#    include <string.h>
#    include <sys/socket.h>
#    include <sys/un.h>
#    include <unistd.h>

#    include <algorithm>

namespace {

constexpr qsizetype ReadChunk = 64 * 1024;
// Most bytes one activation reads before it lets the event loop go round:
// one busy connection does not starve the others.
constexpr qsizetype ReadPerActivation = 4 * 1024 * 1024;

} // namespace

QGbRawSocket::QGbRawSocket(QObject *parent)
    : QGbSocket(parent)
{
}

QGbRawSocket::~QGbRawSocket()
{
    abort();
}

void QGbRawSocket::connectToServer(const QString &path)
{
    abort();
    m_errorString.clear();
    const QByteArray encoded = QFile::encodeName(path);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (encoded.size() >= qsizetype(sizeof address.sun_path)) {
        failLater(QStringLiteral("The socket path %1 is too long").arg(path), 0);
        return;
    }
    memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        failLater(QStringLiteral("Cannot create a socket"), errno);
        return;
    }
    int rc;
    do {
        rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        // A Unix socket connects at once or not at all (EAGAIN: the worker's
        // backlog is full); the engine retries.
        const int error = errno;
        ::close(fd);
        failLater(QStringLiteral("Cannot connect to %1").arg(path), error);
        return;
    }
    m_fd = fd;
    m_readNotifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &QGbRawSocket::onReadable);
    m_writeNotifier = new QSocketNotifier(fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &QGbRawSocket::onWritable);
    later([this] { emit connected(); });
}

bool QGbRawSocket::write(const QByteArray &data)
{
    if (m_fd < 0 || !m_errorString.isEmpty())
        return false;
    if (data.isEmpty())
        return true;
    m_pending.push_back(data);
    if (m_pending.size() == 1 && !flushPending())
        return false;
    return true;
}

// Writes what the kernel takes; the write notifier waits for room for the rest.
bool QGbRawSocket::flushPending()
{
    while (!m_pending.empty()) {
        const QByteArray &front = m_pending.front();
        const qsizetype left = front.size() - m_pendingOffset;
        const ssize_t n = ::send(m_fd, front.constData() + m_pendingOffset, size_t(left),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            failLater(QStringLiteral("Cannot write to the worker"), errno);
            return false;
        }
        if (n < left) {
            m_pendingOffset += n;
            continue; // the next send() most likely says EAGAIN
        }
        m_pending.pop_front();
        m_pendingOffset = 0;
    }
    m_writeNotifier->setEnabled(!m_pending.empty());
    return true;
}

void QGbRawSocket::onWritable()
{
    if (m_fd >= 0)
        flushPending();
}

void QGbRawSocket::onReadable()
{
    bool closed = false;
    int error = 0;
    qsizetype total = 0;
    while (total < ReadPerActivation) {
        const qsizetype used = m_readBuffer.size();
        m_readBuffer.resize(used + ReadChunk);
        const ssize_t n = ::read(m_fd, m_readBuffer.data() + used, size_t(ReadChunk));
        m_readBuffer.resize(used + std::max<qsizetype>(n, 0));
        if (n > 0) {
            total += n;
            if (n < ReadChunk)
                break; // most likely all there is; the notifier says if not
            continue;
        }
        if (n == 0) {
            closed = true;
        } else if (errno == EINTR) {
            continue;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            error = errno;
        }
        break;
    }
    if (total > 0) {
        emit readyRead();
        if (m_fd < 0)
            return; // closed by a slot
    }
    if (closed) {
        abort();
        emit disconnected();
    } else if (error) {
        fail(QStringLiteral("Cannot read from the worker"), error);
    }
}

void QGbRawSocket::fail(const QString &what, int errnoValue)
{
    if (m_errorString.isEmpty()) {
        m_errorString = errnoValue
                ? QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(strerror(errnoValue)))
                : what;
    }
    abort();
    emit errorOccurred();
}

// For errors found inside a call from the engine: the signal comes from the
// event loop, after whatever the peer sent before it broke was read.
void QGbRawSocket::failLater(const QString &what, int errnoValue)
{
    if (!m_errorString.isEmpty())
        return;
    m_errorString = errnoValue
            ? QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(strerror(errnoValue)))
            : what;
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    later([this] { // unless aborted, or closed by the peer meanwhile
        if (m_fd >= 0) {
            onReadable(); // what arrived before the error still counts
            if (m_fd < 0)
                return;
        }
        abort();
        emit errorOccurred();
    });
}

void QGbRawSocket::abort()
{
    voidLater();
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_pending.clear();
    m_pendingOffset = 0;
}

#endif // QGB_HAVE_RAW_SOCKET
