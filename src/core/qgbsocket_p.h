// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSOCKET_P_H
#define QGBSOCKET_P_H

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

#include "qgbglobal.h"
#include "qgbpooloptions.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qobject.h>
#include <QtCore/qstring.h>

// A stream connection to a local (Unix domain) socket, driven by the thread it
// lives in: the engine's connection to a worker. create() makes one of two
// implementations:
//
//   - QGbRawSocket (qgbsocket_linux.cpp, Linux only): a non-blocking socket
//     with its own notifiers and the fewest system calls per message;
//   - QGbLocalSocket (qgbsocket_qlocalsocket.cpp, every platform): QLocalSocket.
//
// A remote worker's connection is a QGbTlsSocket (qgbsocket_tls.cpp,
// QSslSocket). The two built on Qt sockets share QGbDeviceSocket
// (qgbsocket_device.cpp): the read buffer, write() and the end of a connection.
//
// Both keep the same promises, which the engine relies on:
//
//   - Signals are emitted from the event loop, never from inside
//     connectToServer() or write(), so a slot may close or delete (later) the
//     socket and the caller of write() never re-enters itself.
//   - write() hands the data to the system at once; only what the system does
//     not take waits for the event loop.
//   - When the peer closes the connection, everything it sent before is
//     delivered (readyRead(), while isOpen() is still true) before
//     disconnected(); the same holds before errorOccurred().
//   - After abort(), no signal follows.
class QGB_EXPORT QGbSocket : public QObject
{
    Q_OBJECT
public:
    // The implementation \a transport asks for. Automatic follows the
    // environment variable QGB_TRANSPORT ("qt" or "raw"), read at each call,
    // and else the platform: the raw socket on Linux, QLocalSocket elsewhere.
    // RawSocket where it does not exist gives QLocalSocket.
    static QGbSocket *create(QGbPoolOptions::Transport transport, QObject *parent = nullptr);

    ~QGbSocket() override;

    // Starts connecting to the socket at the file system path \a path;
    // connected() or errorOccurred() follows.
    virtual void connectToServer(const QString &path) = 0;
    // Queues data behind what is still unsent and sends what it can at once;
    // false if the socket is closed or broke.
    virtual bool write(const QByteArray &data) = 0;
    // What arrived and was not taken yet.
    virtual QByteArray readAll() = 0;
    virtual bool isOpen() const = 0;
    // Closes at once; no signal follows.
    virtual void abort() = 0;
    virtual QString errorString() const = 0;

Q_SIGNALS:
    void connected();
    void readyRead();
    void disconnected();  // the peer closed the connection (after its last readyRead)
    void errorOccurred(); // the connection broke, or could not be made; see errorString()

protected:
    explicit QGbSocket(QObject *parent = nullptr);

    // Runs function from the event loop, unless voidLater() (abort()) comes
    // first: how an implementation keeps "no signal from inside a call" and
    // "no signal after abort()".
    template<typename F>
    void later(F &&function)
    {
        QMetaObject::invokeMethod(
                this,
                [this, generation = m_generation, function = std::forward<F>(function)]() mutable {
                    if (generation == m_generation)
                        function();
                },
                Qt::QueuedConnection);
    }
    // Drops what later() queued so far (abort() calls it).
    void voidLater() { ++m_generation; }
    // A token, and whether voidLater() was called since it was taken: a slot
    // may abort the socket while it emits.
    quint64 laterToken() const { return m_generation; }
    bool aborted(quint64 token) const { return token != m_generation; }

private:
    quint64 m_generation = 0; // counts abort()s: what later() queued before is void
};

#endif // QGBSOCKET_P_H
