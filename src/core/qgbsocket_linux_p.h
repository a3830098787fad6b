// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSOCKET_LINUX_P_H
#define QGBSOCKET_LINUX_P_H

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

#include <QtCore/qglobal.h>

#if defined(Q_OS_LINUX)
#    define QGB_HAVE_RAW_SOCKET 1

#    include <deque>
#    include <utility>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

// The Linux fast path of QGbSocket: a non-blocking Unix stream socket with
// its own QSocketNotifiers. It does what the engine needs of QLocalSocket and
// no more, with fewer system calls per message: write() goes to the kernel at
// once and only what the kernel did not take waits for a write notifier; a
// readable socket is read until it has nothing more, in one activation, with
// no FIONREAD.
class QGbRawSocket final : public QGbSocket
{
    Q_OBJECT
public:
    explicit QGbRawSocket(QObject *parent = nullptr);
    ~QGbRawSocket() override;

    void connectToServer(const QString &path) override;
    bool write(const QByteArray &data) override;
    QByteArray readAll() override { return std::exchange(m_readBuffer, QByteArray()); }
    bool isOpen() const override { return m_fd >= 0; }
    void abort() override;
    QString errorString() const override { return m_errorString; }

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
    QString m_errorString;
};

#endif // Q_OS_LINUX

#endif // QGBSOCKET_LINUX_P_H
