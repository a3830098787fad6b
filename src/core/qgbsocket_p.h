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

#include <QtCore/qbytearray.h>
#include <QtCore/qobject.h>
#include <QtCore/qstring.h>

#include <deque>
#include <utility>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

// A non-blocking Unix stream socket driven by the thread it lives in: the
// engine's connection to a worker. It does what the engine needs of
// QLocalSocket and no more, with fewer system calls per message: write() goes
// to the kernel at once and only what the kernel did not take waits for a
// write notifier; a readable socket is read until it has nothing more, in one
// activation, with no FIONREAD.
//
// Signals are emitted from the event loop (never from inside connectToServer()
// or write()), so a slot may close or delete the socket.
class QGbSocket : public QObject
{
    Q_OBJECT
public:
    explicit QGbSocket(QObject *parent = nullptr);
    ~QGbSocket() override;

    // Starts connecting; connected() or errorOccurred() follows.
    void connectToServer(const QString &path);
    // Queues data behind what is still unsent; false if the socket is closed.
    bool write(const QByteArray &data);
    qint64 bytesToWrite() const { return m_pendingBytes; }
    // What arrived and was not taken yet.
    QByteArray readAll() { return std::exchange(m_readBuffer, QByteArray()); }
    bool isOpen() const { return m_fd >= 0; }
    // Closes at once; no signal follows.
    void abort();
    QString errorString() const { return m_errorString; }

Q_SIGNALS:
    void connected();
    void readyRead();
    void disconnected();  // the peer closed the connection (after its last readyRead)
    void errorOccurred(); // the connection broke; see errorString()

private:
    void onReadable();
    void onWritable();
    bool flushPending();
    void fail(const QString &what, int errnoValue);
    void failLater(const QString &what, int errnoValue);

    int m_fd = -1;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_readBuffer;
    std::deque<QByteArray> m_pending; // unsent data, m_pendingOffset bytes of the first sent
    qsizetype m_pendingOffset = 0;
    qint64 m_pendingBytes = 0;
    QString m_errorString;
};

#endif // QGBSOCKET_P_H
