// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBWAITHOOK_P_H
#define QGBWAITHOOK_P_H

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

#include "qgbglobal.h"

#include <QtCore/qfutureinterface.h>
#include <QtCore/qrunnable.h>

#include <atomic>
#include <functional>

// Runs a function in a thread that is about to block on a QFuture.
//
// QFuture::waitForFinished() and QFuture::result() first try to take the
// future's runnable out of its thread pool's queue and run it in the waiting
// thread (Qt's way of avoiding a deadlock when a pool thread waits for work
// queued behind it). A hook is such a runnable, queued in a pool whose one
// thread is parked, so it is only ever run by a thread that waits: the
// function learns who waits and may do what the wait needs (deliver queued
// signals) or refuse a wait that cannot end (fail the call).
class QGB_EXPORT QGbWaitHook final : public QRunnable
{
public:
    // Installs a hook on fi. Call release() once fi is finished.
    static QGbWaitHook *install(QFutureInterfaceBase &fi, std::function<void()> onWait);
    // Takes the hook back if no thread took it. The hook is deleted once it
    // is released and, if a waiting thread took it, that thread has run it:
    // not before release(), so that its address cannot go to another call's
    // hook while the owner may still look for it in the queue. Null is allowed.
    static void release(QGbWaitHook *hook);

    // Before the waiting thread parks: spins (yielding the processor) for a
    // short while or until fi is finished, whichever comes first.
    static void spinUntilFinished(const QFutureInterfaceBase &fi);

    void run() override;

private:
    explicit QGbWaitHook(std::function<void()> onWait);
    void deref();
    std::function<void()> m_onWait;
    std::atomic<int> m_refs { 2 }; // release()'s and the run's
};

#endif // QGBWAITHOOK_P_H
