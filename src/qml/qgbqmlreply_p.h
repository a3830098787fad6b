// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLREPLY_P_H
#define QGBQMLREPLY_P_H

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

#include "qgbqmlreply.h"

#include <QtCore/qpointer.h>
#include <QtQml/qjsengine.h>

class QGbCall;
class QGbQmlPool;

class QGbQmlReplyPrivate
{
    Q_DECLARE_PUBLIC(QGbQmlReply)
public:
    QGbQmlReplyPrivate(QGbQmlReply *q, const QString &method, QJSEngine *engine, QGbQmlPool *pool);

    static QGbQmlReplyPrivate *get(QGbQmlReply *reply) { return reply->d_func(); }

    // Follows call (which becomes a child of the reply) until it ends.
    void start(QGbCall *call);
    // Fails the reply with error from the event loop, after call() returned.
    void failLater(const QGbError &error);
    // Cancels the call when owner is destroyed.
    void setOwner(QObject *owner);
    void onCallFinished();
    // Cancels a running call and settles with error (Cancelled status).
    void cancelWith(const QGbError &error);
    // The one place the reply ends: sets the outcome, emits, settles the promise.
    void settle(QGbQmlReply::Status status, const QVariant &value, const QGbError &error);
    // Creates the promise on first use.
    void ensurePromise();
    // Resolves or rejects the promise with the outcome.
    void deliver();
    // A settled reply leaves its pool's running list and goes to JavaScript's
    // garbage collector.
    void release();
    QJSValue errorValue();
    bool engineUsable() const;

    QGbQmlReply *q_ptr;
    QString method;
    QGbQmlReply::Status status = QGbQmlReply::Running;
    QVariant value;
    QGbError error;
    QJSValue jsError;
    QPointer<QJSEngine> engine;
    QPointer<QGbQmlPool> pool; // keeps the reply in its running list until it settles
    QJSValue promise;
    QJSValue resolve;
    QJSValue reject;
    bool delivered = false;

    QGbCall *call = nullptr;
    QVariantList items; // a generator's items, collected
    QVariant result;    // a plain call's result
    bool hasResult = false;
    qreal progressValue = 0;   // the last progress report from Python
    qreal progressMaximum = 0; // 0: not known
    QString progressText;
    QGbError callError;
};

#endif // QGBQMLREPLY_P_H
