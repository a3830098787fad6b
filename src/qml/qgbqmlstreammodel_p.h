// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLSTREAMMODEL_P_H
#define QGBQMLSTREAMMODEL_P_H

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

#include "qgbqmlstreammodel.h"

#include <QtCore/qpointer.h>

#include <deque>

class QGbCall;
class QGbPool;

class QGbQmlStreamModelPrivate
{
    Q_DECLARE_PUBLIC(QGbQmlStreamModel)
public:
    explicit QGbQmlStreamModelPrivate(QGbQmlStreamModel *q)
        : q_ptr(q)
    {
    }

    // A property changed: start again, once, from the event loop.
    void scheduleStart();
    // Ends the current stream, empties the model and starts
    // method(*arguments, **keywordArguments).
    void start();
    // Cancels and forgets the current call.
    void stopCall();
    void onChunks(const QVariantList &items);
    void onFinished();
    // Inserts what arrived since the last flush: one beginInsertRows().
    void flush();
    void scheduleFlush();
    // Roles from the first item of a stream (the model is empty then).
    void takeRoles(const QVariant &first);
    void onPoolStateChanged();
    void setRunning(bool running);
    void setError(const QGbError &error);

    QGbQmlStreamModel *q_ptr;
    QPointer<QGbQmlPool> pool;
    QString method;
    QVariantList arguments;
    QVariantMap keywordArguments;
    int maxRows = 0;

    bool complete = false;
    bool startPending = false;
    bool wanted = true; // false after cancel(): a new pool does not restart the stream
    bool running = false;
    bool rolesTaken = false;

    QGbCall *call = nullptr;
    QPointer<QGbPool> callPool; // the pool the call runs in
    std::deque<QVariant> rows;
    QVariantList pending; // taken from the call, not inserted yet
    bool flushPending = false;
    qint64 received = 0;

    QStringList roleKeys;
    QGbError error;
    QJSValue jsError;
};

#endif // QGBQMLSTREAMMODEL_P_H
