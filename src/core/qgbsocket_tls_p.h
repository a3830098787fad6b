// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSOCKET_TLS_P_H
#define QGBSOCKET_TLS_P_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It exists purely as an
// implementation detail. This header file may change from version to
// version without notice, or even be removed.
//
// We mean it.
//

#include "qgbsocket_device_p.h"

#include <QtNetwork/qhostaddress.h>
#include <QtNetwork/qsslconfiguration.h>
#include <QtNetwork/qsslsocket.h>

// The QGbSocket to a remote worker (python3 -m gobridge serve, docs/remote.md):
// a TCP connection, with TLS around it unless the pool's URL says plain TCP
// (gobridge://, loopback only). It keeps the promises of qgbsocket_p.h on top
// of QSslSocket: connected() once the TLS handshake is done (the peer's
// certificate verified for the URL's host name), signals only from the event
// loop, write() handed to the system at once (Nagle's algorithm off: a call is
// one small message), and what the peer sent before it closed delivered
// before disconnected() or errorOccurred().
class QGbTlsSocket final : public QGbDeviceSocket
{
    Q_OBJECT
public:
    explicit QGbTlsSocket(QObject *parent = nullptr);
    ~QGbTlsSocket() override;

    // Connects to address:port; with tls, verifies the peer's certificate for
    // peerName against configuration's CA certificates and presents its
    // client certificate, if it has one.
    void connectToHost(const QHostAddress &address, quint16 port, const QString &peerName, bool tls,
                       const QSslConfiguration &configuration);

    // A remote worker has no socket path: this fails (errorOccurred()).
    void connectToServer(const QString &path) override;

private:
    void flushDevice() override { m_socket->flush(); }
    void abortDevice() override { m_socket->abort(); }
    QString writeFailure() const override;
    QString connectFailure() const override;
    void onReady();
    void onErrorOccurred(QAbstractSocket::SocketError error);
    void onSslErrors(const QList<QSslError> &errors);
    QString endpoint() const;

    QSslSocket *m_socket = nullptr;
    QHostAddress m_address;
    quint16 m_port = 0;
    bool m_tls = true;
    QString m_sslErrors; // why the peer's certificate was refused
    bool m_tcpConnected = false;
};

#endif // QGBSOCKET_TLS_P_H
