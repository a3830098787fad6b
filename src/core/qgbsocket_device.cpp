// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbsocket_device_p.h"

#include <QtCore/qiodevice.h>

#include <utility>

QGbDeviceSocket::QGbDeviceSocket(QIODevice *device, QObject *parent)
    : QGbSocket(parent)
    , m_device(device)
{
}

QGbDeviceSocket::~QGbDeviceSocket() = default;

void QGbDeviceSocket::restart()
{
    m_errorString.clear();
    m_ended = false;
}

bool QGbDeviceSocket::write(const QByteArray &data)
{
    if (!m_open || m_ended)
        return false;
    if (data.isEmpty())
        return true;
    qint64 written;
    {
        const InCall guard(this);
        // The Qt sockets only buffer in write(); flushing hands the data to
        // the system now instead of on the next turn of the event loop. What
        // the system does not take waits for the socket's write notifier.
        written = m_device->write(data);
        if (written == data.size())
            flushDevice(); // on failure: errorOccurred(), then disconnected()
    }
    if (written != data.size() && !m_ended) {
        m_errorString = QStringLiteral("%1: %2").arg(writeFailure(), m_device->errorString());
        endLater();
    }
    return !m_ended;
}

QByteArray QGbDeviceSocket::readAll()
{
    if (m_open)
        takeAvailable();
    return std::exchange(m_readBuffer, QByteArray());
}

qint64 QGbDeviceSocket::takeAvailable()
{
    const qint64 available = m_device->bytesAvailable();
    if (available <= 0)
        return 0;
    if (m_readBuffer.isEmpty())
        m_readBuffer = m_device->read(available);
    else
        m_readBuffer += m_device->read(available);
    return available;
}

void QGbDeviceSocket::onDeviceReadyRead()
{
    if (!m_open)
        return;
    takeAvailable();
    if (m_readBuffer.isEmpty())
        return;
    if (m_inCall == 0) {
        emit readyRead();
        return;
    }
    // Not seen from inside a connect or write(), but not ruled out by Qt.
    later([this] {
        if (m_open && !m_readBuffer.isEmpty())
            emit readyRead();
    });
}

void QGbDeviceSocket::onDeviceDisconnected()
{
    if (m_open)
        takeAvailable();
    if (!m_ended)
        endLater();
}

void QGbDeviceSocket::endLater()
{
    m_ended = true;
    later([this] { end(); });
}

// From the event loop, after the peer closed or the connection broke: what the
// peer sent before still counts, then disconnected() or errorOccurred().
void QGbDeviceSocket::end()
{
    const bool wasOpen = m_open;
    if (wasOpen) {
        takeAvailable();
        readRemainder();
        if (!m_readBuffer.isEmpty()) {
            const quint64 token = laterToken();
            emit readyRead();
            if (aborted(token))
                return; // aborted by a slot
        }
    }
    if (!wasOpen && m_errorString.isEmpty())
        m_errorString = connectFailure();
    const bool broke = !m_errorString.isEmpty();
    abort();
    if (broke)
        emit errorOccurred();
    else
        emit disconnected();
}

void QGbDeviceSocket::abort()
{
    voidLater();
    m_open = false;
    {
        const QSignalBlocker blocker(m_device);
        abortDevice();
    }
    m_readBuffer.clear();
}
