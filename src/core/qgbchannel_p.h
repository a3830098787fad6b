// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCHANNEL_P_H
#define QGBCHANNEL_P_H

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

#include "qgbchannel.h"

#include <QtCore/qdeadlinetimer.h>
#include <QtCore/qlist.h>
#include <QtCore/qmutex.h>
#include <QtCore/qpointer.h>
#include <QtCore/qwaitcondition.h>

#include <functional>
#include <memory>

// The part of a channel that the writer's thread and the pool's I/O thread
// share. Everything is guarded by mutex.
class QGbChannelShared
{
public:
    enum class End { Open, Closed, Aborted, CallEnded };

    explicit QGbChannelShared(qsizetype capacity)
        : capacity(capacity)
    {
    }

    // Writer side (any thread).
    bool write(QVariant &&wire);
    void close();
    void abort();

    // Engine side (I/O thread): takes up to max items. *end tells whether the
    // writer closed or aborted the channel once the returned items are sent.
    QList<QVariant> take(qsizetype max, End *end);
    void endCall();
    // Installs the function the writer calls when items become available. Once per call.
    bool bind(std::function<void()> notify);

    // Writer side: waits until the channel has room, is no longer open, or
    // the deadline passes. Returns true if a write would be taken now.
    bool waitForRoom(QDeadlineTimer deadline);

    mutable QMutex mutex;
    QWaitCondition roomCondition;      // woken when the consumer takes items or the channel ends
    QThread *consumerThread = nullptr; // the I/O thread that takes the items, once it did
    QList<QVariant> items;
    qsizetype head = 0; // items before head were taken
    const qsizetype capacity;
    End end = End::Open;
    bool bound = false;
    bool notifyPending = false;
    bool refusedWhileFull = false;
    std::function<void()> notify;
    QPointer<QGbChannel> channel;
};

class QGbChannelPrivate
{
public:
    // Only the library emits QGbChannel::writable(); the private class may.
    static void emitWritable(QGbChannel *channel)
    {
        emit channel->writable(QGbChannel::QPrivateSignal());
    }

    std::shared_ptr<QGbChannelShared> shared;
    QGbError error;
};

#endif // QGBCHANNEL_P_H
