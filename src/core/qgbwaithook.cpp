// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbwaithook_p.h"

#include <QtCore/qglobalstatic.h>
#include <QtCore/qsemaphore.h>
#include <QtCore/qthreadpool.h>

namespace {

// A thread pool that never runs what is queued in it: its only thread is
// parked for the life of the process, so the hooks wait in its queue until a
// waiting thread takes one, or release() takes it back.
class HookQueue : public QThreadPool
{
public:
    HookQueue()
    {
        setObjectName(QStringLiteral("QGobridge wait hooks"));
        setMaxThreadCount(1);
        // An empty pool starts a thread for the first runnable whatever the
        // limit: make that the parked one.
        start([this] { m_unpark.acquire(); });
    }
    ~HookQueue() override
    {
        clear();
        m_unpark.release();
        waitForDone();
    }

private:
    QSemaphore m_unpark;
};

Q_GLOBAL_STATIC(HookQueue, hookQueue)

} // namespace

QGbWaitHook::QGbWaitHook(std::function<void()> onWait)
    : m_onWait(std::move(onWait))
{
    setAutoDelete(true);
}

QGbWaitHook *QGbWaitHook::install(QFutureInterfaceBase &fi, std::function<void()> onWait)
{
    HookQueue *queue = hookQueue();
    if (!queue)
        return nullptr; // the process is exiting
    auto *hook = new QGbWaitHook(std::move(onWait));
    fi.setThreadPool(queue);
    fi.setRunnable(hook);
    queue->start(hook);
    return hook;
}

void QGbWaitHook::release(QGbWaitHook *hook)
{
    if (!hook)
        return;
    if (HookQueue *queue = hookQueue(); queue && queue->tryTake(hook))
        delete hook;
}

void QGbWaitHook::run()
{
    m_onWait();
}
