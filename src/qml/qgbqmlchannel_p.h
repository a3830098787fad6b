// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLCHANNEL_P_H
#define QGBQMLCHANNEL_P_H

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

#include "qgbqmlchannel.h"

#include <qgbchannel.h>

class QGbCall;

class QGbQmlChannelPrivate
{
    Q_DECLARE_PUBLIC(QGbQmlChannel)
public:
    explicit QGbQmlChannelPrivate(QGbQmlChannel *q)
        : q_ptr(q)
    {
    }

    static QGbQmlChannelPrivate *get(QGbQmlChannel *channel) { return channel->d_func(); }

    // The QGbChannel writes go to, created on first use.
    QGbChannel *ensureChannel();
    // The QGbChannel for a new call: a fresh one if the previous call ended;
    // nullptr (BadArguments in *error) while a call still reads this one.
    QGbChannel *takeForCall(QGbError *error);
    // The call that reads the channel; when it ends, the channel is spent.
    void attach(QGbCall *call);
    void callEnded();
    void setClosed(bool closed);

    QGbQmlChannel *q_ptr;
    QGbChannel *channel = nullptr; // a child of q_ptr
    int capacity = int(QGbChannel::DefaultCapacity);
    bool inUse = false; // a call reads it
    bool spent = false; // the call that read it ended
    bool closed = false;
};

#endif // QGBQMLCHANNEL_P_H
