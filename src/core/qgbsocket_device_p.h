// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSOCKET_DEVICE_P_H
#define QGBSOCKET_DEVICE_P_H

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

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

// What the QGbSockets built on a Qt socket (QLocalSocket, QSslSocket) share:
// what arrived read into a buffer, write() handed to the system at once, and
// the end of a connection kept in order. When the peer closes or the
// connection breaks, endLater() queues end(), which delivers what the peer
// sent before (readyRead()), then emits disconnected() or errorOccurred() —
// from the event loop, never from inside a call. A subclass connects its
// socket's signals, says what its errors are, and implements the hooks.
class QGB_EXPORT QGbDeviceSocket : public QGbSocket
{
    Q_OBJECT
public:
    ~QGbDeviceSocket() override;

    bool write(const QByteArray &data) override;
    QByteArray readAll() override;
    bool isOpen() const override { return m_open; }
    void abort() override;
    QString errorString() const override { return m_errorString; }

protected:
    QGbDeviceSocket(QIODevice *device, QObject *parent);

    // Hands what write() buffered to the system now (QLocalSocket::flush(),
    // QAbstractSocket::flush()).
    virtual void flushDevice() = 0;
    // Closes the socket at once; its signals are blocked meanwhile.
    virtual void abortDevice() = 0;
    // "Cannot write to ..." and "Cannot connect to ...", naming the peer.
    virtual QString writeFailure() const = 0;
    virtual QString connectFailure() const = 0;
    // In end(), before the last readyRead(): what the socket cannot give any
    // more (QGbLocalSocket reads it from a duplicate of the descriptor).
    virtual void readRemainder() { }

    // The socket's readyRead(): takes what arrived and emits readyRead()
    // (from the event loop, when inside connect or write).
    void onDeviceReadyRead();
    // The socket's disconnected(): the peer closed.
    void onDeviceDisconnected();
    // Takes what the socket holds into the read buffer; the bytes taken.
    qint64 takeAvailable();
    // The connection ended (the error string says whether it broke): end()
    // runs from the event loop.
    void endLater();
    QIODevice *device() const { return m_device; }
    void setOpen() { m_open = true; }
    bool hasEnded() const { return m_ended; }
    void restart(); // before a new connection
    void setErrorString(const QString &text) { m_errorString = text; }

    // Counts nested connect and write calls: signals wait while it is non-zero.
    struct InCall
    {
        explicit InCall(QGbDeviceSocket *socket)
            : m_socket(socket)
        {
            ++m_socket->m_inCall;
        }
        ~InCall() { --m_socket->m_inCall; }
        Q_DISABLE_COPY_MOVE(InCall)

    private:
        QGbDeviceSocket *m_socket;
    };
    bool inCall() const { return m_inCall > 0; }

    QByteArray m_readBuffer;

private:
    void end();

    QIODevice *m_device;
    QString m_errorString;
    int m_inCall = 0;     // inside a connect or write()
    bool m_open = false;  // connected, and end() has not run
    bool m_ended = false; // the peer closed or the connection broke: end() is queued
};

#endif // QGBSOCKET_DEVICE_P_H
