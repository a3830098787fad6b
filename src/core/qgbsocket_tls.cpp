// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbsocket_tls_p.h"

#include <utility>

QGbTlsSocket::QGbTlsSocket(QObject *parent)
    : QGbSocket(parent)
    , m_socket(new QSslSocket(this))
{
    connect(m_socket, &QSslSocket::connected, this, [this] {
        m_tcpConnected = true;
        if (!m_tls)
            onReady();
    });
    connect(m_socket, &QSslSocket::encrypted, this, &QGbTlsSocket::onReady);
    connect(m_socket, &QSslSocket::readyRead, this, &QGbTlsSocket::onReadyRead);
    connect(m_socket, &QSslSocket::errorOccurred, this, &QGbTlsSocket::onErrorOccurred);
    connect(m_socket, &QSslSocket::sslErrors, this, &QGbTlsSocket::onSslErrors);
    connect(m_socket, &QSslSocket::disconnected, this, &QGbTlsSocket::onDisconnected);
}

QGbTlsSocket::~QGbTlsSocket()
{
    abort();
    m_socket->disconnect(this);
    delete m_socket;
}

QString QGbTlsSocket::endpoint() const
{
    if (m_address.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(m_address.toString()).arg(m_port);
    return QStringLiteral("%1:%2").arg(m_address.toString()).arg(m_port);
}

void QGbTlsSocket::connectToHost(const QHostAddress &address, quint16 port, const QString &peerName,
                                 bool tls, const QSslConfiguration &configuration)
{
    abort();
    m_errorString.clear();
    m_sslErrors.clear();
    m_ended = false;
    m_tcpConnected = false;
    m_address = address;
    m_port = port;
    m_tls = tls;
    ++m_inCall;
    if (tls) {
        QSslConfiguration config = configuration;
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        m_socket->setSslConfiguration(config);
        m_socket->setPeerVerifyName(peerName);
        m_socket->connectToHostEncrypted(address.toString(), port, peerName);
    } else {
        m_socket->connectToHost(address, port);
    }
    --m_inCall;
}

void QGbTlsSocket::connectToServer(const QString &path)
{
    abort();
    m_ended = false;
    m_errorString =
            QStringLiteral("Cannot connect to %1: a remote worker has no socket path").arg(path);
    endLater();
}

void QGbTlsSocket::onReady()
{
    if (m_open || m_ended)
        return;
    m_open = true;
    // A call is one small message each way: do not wait to fill a segment.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    later([this] { emit connected(); });
    // Data that arrived with the end of the handshake.
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

bool QGbTlsSocket::write(const QByteArray &data)
{
    if (!m_open || m_ended)
        return false;
    if (data.isEmpty())
        return true;
    ++m_inCall;
    const qint64 written = m_socket->write(data);
    if (written == data.size())
        m_socket->flush(); // hands it to the system now, not on the next loop turn
    --m_inCall;
    if (written != data.size() && !m_ended) {
        m_errorString = QStringLiteral("Cannot write to the worker at %1: %2")
                                .arg(endpoint(), m_socket->errorString());
        endLater();
    }
    return !m_ended;
}

QByteArray QGbTlsSocket::readAll()
{
    if (m_open)
        takeAvailable();
    return std::exchange(m_readBuffer, QByteArray());
}

void QGbTlsSocket::takeAvailable()
{
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    if (m_readBuffer.isEmpty())
        m_readBuffer = m_socket->read(available);
    else
        m_readBuffer += m_socket->read(available);
}

void QGbTlsSocket::onReadyRead()
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
    later([this] {
        if (m_open && !m_readBuffer.isEmpty())
            emit readyRead();
    });
}

void QGbTlsSocket::onSslErrors(const QList<QSslError> &errors)
{
    QStringList texts;
    for (const QSslError &error : errors)
        texts.append(error.errorString());
    m_sslErrors = texts.join(QStringLiteral("; "));
}

void QGbTlsSocket::onErrorOccurred(QAbstractSocket::SocketError error)
{
    if (m_open)
        takeAvailable();
    if (m_ended)
        return;
    if (error != QAbstractSocket::RemoteHostClosedError || !m_open) {
        QString text = m_socket->errorString();
        if (!m_sslErrors.isEmpty())
            text = m_sslErrors;
        if (!m_tcpConnected) {
            m_errorString = QStringLiteral("Cannot connect to %1: %2").arg(endpoint(), text);
        } else if (!m_open && error == QAbstractSocket::RemoteHostClosedError) {
            m_errorString = QStringLiteral("TLS handshake with %1 failed: the worker closed the "
                                           "connection (does it serve plain TCP?)")
                                    .arg(endpoint());
        } else if (!m_open) {
            m_errorString =
                    QStringLiteral("TLS handshake with %1 failed: %2").arg(endpoint(), text);
        } else {
            m_errorString = QStringLiteral("Connection to %1 broke: %2").arg(endpoint(), text);
        }
    }
    endLater();
}

void QGbTlsSocket::onDisconnected()
{
    if (m_open)
        takeAvailable();
    if (!m_ended)
        endLater();
}

void QGbTlsSocket::endLater()
{
    m_ended = true;
    later([this] { end(); });
}

// From the event loop, after the peer closed or the connection broke: what the
// peer sent before still counts, then disconnected() or errorOccurred().
void QGbTlsSocket::end()
{
    const bool wasOpen = m_open;
    if (wasOpen) {
        takeAvailable();
        if (!m_readBuffer.isEmpty()) {
            const quint64 token = laterToken();
            emit readyRead();
            if (aborted(token))
                return; // aborted by a slot
        }
    }
    if (!wasOpen && m_errorString.isEmpty())
        m_errorString = QStringLiteral("Cannot connect to %1").arg(endpoint());
    const bool broke = !m_errorString.isEmpty();
    abort();
    if (broke)
        emit errorOccurred();
    else
        emit disconnected();
}

void QGbTlsSocket::abort()
{
    voidLater();
    m_open = false;
    {
        const QSignalBlocker blocker(m_socket);
        m_socket->abort();
    }
    m_readBuffer.clear();
}
