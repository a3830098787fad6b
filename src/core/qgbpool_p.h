// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBPOOL_P_H
#define QGBPOOL_P_H

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

#include "qgbengine_p.h"
#include "qgbpool.h"

#include <QtCore/qhash.h>
#include <QtCore/qmutex.h>
#include <QtCore/qthread.h>

#include <functional>
#include <memory>

// The functions the workers expose, once a describe answered: read from any
// thread, written in the I/O thread.
struct QGbFunctionList
{
    QMutex mutex;
    QList<QGbFunction> list;            // sorted by name
    QHash<QString, QGbFunction> byName; // the same
    bool known = false;
    bool fetching = false; // a describe is on its way
};

class QGbPoolPrivate
{
public:
    static QGbPoolPrivate *get(QGbPool *pool) { return pool->d_func(); }

    // Hands a call to the engine. A call whose arguments failed (error) or
    // that cannot start ends here, exactly once. onWaitElsewhere runs in a
    // thread other than the I/O thread that blocks on the call's future.
    std::shared_ptr<QGbCallRecord> submit(const QGbCallOptions &callOptions, const QString &method,
                                          QVariantList &&args, QGbChannel *input, int streamOut,
                                          std::unique_ptr<QGbPrivate::CallSink> sink,
                                          QGbError error, std::function<void()> onWaitElsewhere,
                                          QGbCallRecord::Kind kind = QGbCallRecord::Kind::Call);

    // In the I/O thread: asks for the functions unless they are known or
    // asked for already.
    void fetchFunctions();
    void emitFunctionsChanged() { emit q_ptr->functionsChanged(QGbPool::QPrivateSignal()); }

    QGbPool *q_ptr = nullptr;
    QString script;
    QGbPoolOptions options;
    QThread thread;
    QGbEngine *engine = nullptr;
    std::shared_ptr<QGbEngineHandle> handle;
    QGbPool::State state = QGbPool::Starting;
    std::shared_ptr<QGbFunctionList> functions = std::make_shared<QGbFunctionList>();
};

#endif // QGBPOOL_P_H
