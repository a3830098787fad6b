// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBENGINE_P_H
#define QGBENGINE_P_H

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

#include "qgbcallrecord_p.h"
#include "qgbengineevents_p.h"

#include <QtCore/qmutex.h>
#include <QtCore/qobject.h>
#include <QtCore/qprocess.h>

#include <memory>
#include <vector>

class QGbEngine;
class QGbInspectServer;
class QGbScheduler;
class QGbSessions;
class QGbSupervisor;

// Lets other threads post work to the engine while it exists. The engine
// clears it under the mutex before it goes away.
class QGbEngineHandle
{
public:
    template<typename F>
    bool post(F &&function);
    // Hands a call to the engine; false if the engine is gone. Calls made
    // while earlier ones still wait go with them, in one posted event.
    bool submit(const std::shared_ptr<QGbCallRecord> &call);

    QMutex mutex;
    QGbEngine *engine = nullptr;
    // The engine until it is destroyed, closing or not: a wait in its thread
    // is refused while it fails its calls as well (refuseWaitInIoThread()).
    QGbEngine *ioEngine = nullptr;
    std::vector<std::shared_ptr<QGbCallRecord>> submissions; // under mutex
};

// A pool's engine, in its I/O thread: the three parts that do its jobs
// (QGbSupervisor, QGbSessions, QGbScheduler) over what they share
// (QGbEngineContext), and the doors other threads use.
class QGB_EXPORT QGbEngine : public QObject
{
    Q_OBJECT
public:
    QGbEngine(const QString &script, const QGbPoolOptions &options);
    ~QGbEngine() override;

    // All of these run in the I/O thread.
    void startPool();
    void takeSubmissions();
    void pumpInput(const QGbCallPtr &call);
    void onConsumed(const QGbCallPtr &call, qint64 items);
    void restartFailedWorkers();
    void shutdown();
    // The listener of the engine's events (none by default); not owned.
    void setListener(QGbEngineListener *listener) { m_context.listener = listener; }

    // Thread-safe.
    int readyWorkers() const;
    QList<qint64> workerProcessIds() const;
    QList<QGbPool::WorkerState> workerStates() const;
    bool waitForAllReady(int msecs);

    // In the I/O thread, where a thread blocks on a call's future: fails the
    // call with WouldDeadlock (the engine cannot run while its thread waits)
    // and returns true. Elsewhere returns false.
    static bool refuseWaitInIoThread(const std::weak_ptr<QGbEngineHandle> &handle,
                                     const std::weak_ptr<QGbCallRecord> &call);

    static QString packageDirectory(const QGbPoolOptions &options);
    std::shared_ptr<QGbEngineHandle> handle() const { return m_handle; }
    // Its signals report the workers (from the I/O thread).
    QGbSupervisor *supervisor() const { return m_supervisor; }

private:
    std::shared_ptr<QGbEngineHandle> m_handle;
    QGbEngineContext m_context;
    QGbSupervisor *m_supervisor;
    QGbSessions *m_sessions;
    QGbScheduler *m_scheduler;
    QGbInspectServer *m_inspectServer = nullptr; // when the pool is inspectable
};

template<typename F>
bool QGbEngineHandle::post(F &&function)
{
    QMutexLocker locker(&mutex);
    if (!engine)
        return false;
    QMetaObject::invokeMethod(engine, std::forward<F>(function), Qt::QueuedConnection);
    return true;
}

#endif // QGBENGINE_P_H
