// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCALLRECORD_P_H
#define QGBCALLRECORD_P_H

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

#include "qgbchannel_p.h"
#include "qgbpool.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qtimer.h>

#include <chrono>
#include <memory>

class QGbConnection;
class QGbWaitHook;
class QGbWorker;

// One call, from submission to its end: what the caller asked for and the
// scheduler's state of it. Owned by the engine (I/O thread) once submitted.
class QGbCallRecord
{
public:
    enum class Kind { Call, Describe };
    enum class State { Queued, Running, Cancelling, Done };

    ~QGbCallRecord();
    // Ends a call that never reached the engine (its error delivered already).
    void finishUnsent();

    Kind kind = Kind::Call;
    State state = State::Queued;
    QString method;
    QVariantList args;
    QVariantMap kwargs; // wire values, by name; empty: none
    int streamOut = -1;
    std::unique_ptr<QGbPrivate::CallSink> sink;
    std::shared_ptr<QGbChannelShared> input;

    QGbConnection *connection = nullptr;
    QGbWorker *worker = nullptr; // the worker it was started on
    qint64 id = 0;               // unique on its connection (the wire's call id)
    qint64 link = 0;             // its connection's QGbConnection::link, kept after the call ends
    std::chrono::milliseconds timeout { 0 }; // 0: none
    QElapsedTimer created;                   // started when the call was made
    QTimer *deadlineTimer = nullptr;
    qint64 outputSinceCredit = 0;
    qint64 inputCredit = 0;
    bool inputEndSent = false;
    qint64 itemsIn = 0;  // input stream items sent to the worker
    qint64 itemsOut = 0; // stream items (or the one result) received from it
    QFutureWatcher<void> *watcher = nullptr;
    QTimer *graceTimer = nullptr;
    QGbWaitHook *waitHook = nullptr; // released when the record goes
};

using QGbCallPtr = std::shared_ptr<QGbCallRecord>;

#endif // QGBCALLRECORD_P_H
