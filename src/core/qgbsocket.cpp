// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbsocket_p.h"

#include "qgbsocket_linux_p.h"
#include "qgbsocket_qlocalsocket_p.h"

QGbSocket::QGbSocket(QObject *parent)
    : QObject(parent)
{
}

QGbSocket::~QGbSocket() = default;

QGbSocket *QGbSocket::create(QGbPoolOptions::Transport transport, QObject *parent)
{
    if (transport == QGbPoolOptions::Transport::Automatic) {
        const QByteArray forced = qgetenv("QGB_TRANSPORT");
        if (forced == "qt")
            transport = QGbPoolOptions::Transport::LocalSocket;
        else if (forced == "raw")
            transport = QGbPoolOptions::Transport::RawSocket;
    }
#ifdef QGB_HAVE_RAW_SOCKET
    if (transport != QGbPoolOptions::Transport::LocalSocket)
        return new QGbRawSocket(parent);
#endif
    return new QGbLocalSocket(parent);
}
