// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbwaithook_p.h"

#include <QtCore/qglobalstatic.h>
#include <QtCore/qsemaphore.h>
#include <QtCore/qthread.h>
#include <QtCore/qthreadpool.h>

#include <atomic>
#include <chrono>

namespace {

// A thread about to wait for a call spins (yielding the processor) for up to
// SpinTime before it parks on the future's wait condition: most calls end
// within it, and a thread that never parked needs no wake-up (the futex wake
// in the I/O thread and the scheduler's latency of waking a sleeper, the
// larger part of W1's tail on a busy machine: docs/performance.md). At most
// MaxSpinners threads spin at once, so that many waiting callers (W2) do not
// take the processors from the I/O thread and the workers.
constexpr std::chrono::microseconds SpinTime { 100 };
constexpr int MaxSpinners = 1;
std::atomic<int> spinners { 0 };

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
    // Deleted by deref(): a waiting thread that runs it must not free it
    // while its owner still holds its address (release() looks for it in the
    // queue, where a new hook could have taken the same address).
    setAutoDelete(false);
}

void QGbWaitHook::deref()
{
    if (m_refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete this;
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
        hook->deref(); // it will never run
    hook->deref();
}

void QGbWaitHook::spinUntilFinished(const QFutureInterfaceBase &fi)
{
    if (fi.isFinished())
        return;
    if (spinners.fetch_add(1, std::memory_order_relaxed) >= MaxSpinners) {
        spinners.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    const auto until = std::chrono::steady_clock::now() + SpinTime;
    while (!fi.isFinished() && std::chrono::steady_clock::now() < until)
        QThread::yieldCurrentThread();
    spinners.fetch_sub(1, std::memory_order_relaxed);
}

void QGbWaitHook::run()
{
    m_onWait();
    deref(); // last: it may delete this
}
