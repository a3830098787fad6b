// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSOCKET_QLOCALSOCKET_P_H
#define QGBSOCKET_QLOCALSOCKET_P_H

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

#include <QtNetwork/qlocalsocket.h>

// The portable QGbSocket: a QLocalSocket, with the promises of qgbsocket_p.h
// kept on top of it. QLocalSocket emits connected() and errorOccurred() from
// inside connectToServer(), and errorOccurred() and disconnected() from inside
// write() and flush(); those wait here for the event loop. write() flushes at
// once. A connection that would have to wait for room in the server's backlog
// fails at once, as the raw socket's does (QLocalSocket would retry for 30
// seconds, then give up without a signal).
class QGbLocalSocket final : public QGbDeviceSocket
{
    Q_OBJECT
public:
    explicit QGbLocalSocket(QObject *parent = nullptr);
    ~QGbLocalSocket() override;

    void connectToServer(const QString &path) override;
    void abort() override;

private:
    void flushDevice() override { m_socket->flush(); }
    void abortDevice() override { m_socket->abort(); }
    QString writeFailure() const override;
    QString connectFailure() const override;
    void readRemainder() override;
    void onConnected();
    void onErrorOccurred(QLocalSocket::LocalSocketError error);
    void openDrain();
    void closeDrain();

    QLocalSocket *m_socket = nullptr;
    QString m_path;
    int m_drainFd = -1; // Unix: a duplicate of the socket, to read what the peer sent
                        // before the connection broke in QLocalSocket's write
};

#endif // QGBSOCKET_QLOCALSOCKET_P_H
