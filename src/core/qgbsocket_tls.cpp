// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbsocket_tls_p.h"

#include <utility>

QGbTlsSocket::QGbTlsSocket(QObject *parent)
    : QGbDeviceSocket(new QSslSocket, parent)
{
    // The base holds the device; this is its owner.
    m_socket = static_cast<QSslSocket *>(device());
    m_socket->setParent(this);
    connect(m_socket, &QSslSocket::connected, this, [this] {
        m_tcpConnected = true;
        if (!m_tls)
            onReady();
    });
    connect(m_socket, &QSslSocket::encrypted, this, &QGbTlsSocket::onReady);
    connect(m_socket, &QSslSocket::readyRead, this, &QGbTlsSocket::onDeviceReadyRead);
    connect(m_socket, &QSslSocket::errorOccurred, this, &QGbTlsSocket::onErrorOccurred);
    connect(m_socket, &QSslSocket::sslErrors, this, &QGbTlsSocket::onSslErrors);
    connect(m_socket, &QSslSocket::disconnected, this, &QGbTlsSocket::onDeviceDisconnected);
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

QString QGbTlsSocket::writeFailure() const
{
    return QStringLiteral("Cannot write to the worker at %1").arg(endpoint());
}

QString QGbTlsSocket::connectFailure() const
{
    return QStringLiteral("Cannot connect to %1").arg(endpoint());
}

void QGbTlsSocket::connectToHost(const QHostAddress &address, quint16 port, const QString &peerName,
                                 bool tls, const QSslConfiguration &configuration)
{
    abort();
    restart();
    m_sslErrors.clear();
    m_tcpConnected = false;
    m_address = address;
    m_port = port;
    m_tls = tls;
    const InCall guard(this);
    if (tls) {
        QSslConfiguration config = configuration;
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        m_socket->setSslConfiguration(config);
        m_socket->setPeerVerifyName(peerName);
        m_socket->connectToHostEncrypted(address.toString(), port, peerName);
    } else {
        m_socket->connectToHost(address, port);
    }
}

void QGbTlsSocket::connectToServer(const QString &path)
{
    abort();
    restart();
    setErrorString(
            QStringLiteral("Cannot connect to %1: a remote worker has no socket path").arg(path));
    endLater();
}

void QGbTlsSocket::onReady()
{
    if (isOpen() || hasEnded())
        return;
    setOpen();
    // A call is one small message each way: do not wait to fill a segment.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    later([this] { emit connected(); });
    // Data that arrived with the end of the handshake.
    if (m_socket->bytesAvailable() > 0)
        onDeviceReadyRead();
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
    if (isOpen())
        takeAvailable();
    if (hasEnded())
        return;
    if (error != QAbstractSocket::RemoteHostClosedError || !isOpen()) {
        QString text = m_socket->errorString();
        if (!m_sslErrors.isEmpty())
            text = m_sslErrors;
        if (!m_tcpConnected) {
            setErrorString(QStringLiteral("Cannot connect to %1: %2").arg(endpoint(), text));
        } else if (!isOpen() && error == QAbstractSocket::RemoteHostClosedError) {
            setErrorString(QStringLiteral("TLS handshake with %1 failed: the worker closed the "
                                          "connection (does it serve plain TCP?)")
                                   .arg(endpoint()));
        } else if (!isOpen()) {
            setErrorString(
                    QStringLiteral("TLS handshake with %1 failed: %2").arg(endpoint(), text));
        } else {
            setErrorString(QStringLiteral("Connection to %1 broke: %2").arg(endpoint(), text));
        }
    }
    endLater();
}
