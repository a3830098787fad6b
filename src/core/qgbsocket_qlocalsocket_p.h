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

#include "qgbsocket_p.h"

#include <QtNetwork/qlocalsocket.h>

// The portable QGbSocket: a QLocalSocket, with the promises of qgbsocket_p.h
// kept on top of it. QLocalSocket emits connected() and errorOccurred() from
// inside connectToServer(), and errorOccurred() and disconnected() from inside
// write() and flush(); those wait here for the event loop. write() flushes at
// once. A connection that would have to wait for room in the server's backlog
// fails at once, as the raw socket's does (QLocalSocket would retry for 30
// seconds, then give up without a signal).
class QGbLocalSocket final : public QGbSocket
{
    Q_OBJECT
public:
    explicit QGbLocalSocket(QObject *parent = nullptr);
    ~QGbLocalSocket() override;

    void connectToServer(const QString &path) override;
    bool write(const QByteArray &data) override;
    QByteArray readAll() override;
    bool isOpen() const override { return m_open; }
    void abort() override;
    QString errorString() const override { return m_errorString; }

private:
    void onConnected();
    void onReadyRead();
    void onErrorOccurred(QLocalSocket::LocalSocketError error);
    void onDisconnected();
    qint64 takeAvailable();
    void endLater();
    void end();
    void openDrain();
    void drain();
    void closeDrain();

    QLocalSocket *m_socket = nullptr;
    QByteArray m_readBuffer;
    QString m_path;
    QString m_errorString;
    int m_inCall = 0;     // inside connectToServer() or write()
    int m_drainFd = -1;   // Unix: a duplicate of the socket, to read what the peer sent
                          // before the connection broke in QLocalSocket's write
    bool m_open = false;  // connected, and end() has not run
    bool m_ended = false; // the peer closed or the connection broke: end() is queued
};

#endif // QGBSOCKET_QLOCALSOCKET_P_H
