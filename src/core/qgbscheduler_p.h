// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSCHEDULER_P_H
#define QGBSCHEDULER_P_H

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
#include "qgbmessages_p.h"

#include <QtCore/qhash.h>
#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

class QGbConnection;
class QGbSessions;
class QGbSupervisor;
class QGbWorker;

// The calls waiting for a connection, in order. A describe (the pool sends
// one by itself) waits like any call but takes no room: calls() counts the
// others, in constant time (submit() asks at every call when the queue is full).
class QGbCallQueue
{
public:
    bool empty() const { return m_queue.empty(); }
    qsizetype size() const { return qsizetype(m_queue.size()); }
    qsizetype calls() const { return size() - m_describes; }
    void push(const QGbCallPtr &call)
    {
        m_queue.push_back(call);
        m_describes += isDescribe(call);
    }
    QGbCallPtr takeFirst()
    {
        QGbCallPtr call = std::move(m_queue.front());
        m_queue.pop_front();
        m_describes -= isDescribe(call);
        return call;
    }
    void remove(const QGbCallPtr &call)
    {
        const auto it = std::find(m_queue.begin(), m_queue.end(), call);
        if (it == m_queue.end())
            return;
        m_queue.erase(it);
        m_describes -= isDescribe(call);
    }
    std::deque<QGbCallPtr> takeAll()
    {
        m_describes = 0;
        return std::exchange(m_queue, {});
    }

private:
    static bool isDescribe(const QGbCallPtr &call)
    {
        return call->kind == QGbCallRecord::Kind::Describe;
    }
    std::deque<QGbCallPtr> m_queue;
    qsizetype m_describes = 0;
};

// Call scheduling: queues calls, starts each on an idle connection of the
// least busy ready worker (opening connections while calls wait), moves input
// and output items within their credit, and ends every call exactly once: a
// result, an error, a deadline, or the cancellation ladder (the caller's
// cancel, a cancel to the worker, its kill after the grace period).
class QGbScheduler : public QObject
{
    Q_OBJECT
public:
    QGbScheduler(QGbEngineContext &context, QObject *parent);
    void setParts(QGbSupervisor *supervisor, QGbSessions *sessions);

    void submit(const QGbCallPtr &call);
    void dispatch();
    // Dispatches from the event loop, once however often it is asked.
    void scheduleDispatch(std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    void pumpInput(const QGbCallPtr &call);
    void onConsumed(const QGbCallPtr &call, qint64 items);
    // Fails a call that has not ended; optionally tells the worker to stop it.
    void failCall(const QGbCallPtr &call, const QGbError &error, bool cancelRemote);
    void failQueued(const QGbError &error);
    // Fails every call, queued or running (the pool closes).
    void failAll(const QGbError &error);

    // From the sessions.
    void onCallMessage(QGbConnection *connection, QGbWire::MessageType type,
                       QGbWire::Message &message);
    void connectionClosed(QGbConnection *connection, const QGbCallPtr &call, const QGbError &error);
    // Fails the calls that lost their connection, with *error or, if null,
    // with the error each connection broke with.
    void failOrphans(QGbWorker *worker, const QGbError *error);

private:
    void startOnConnection(const QGbCallPtr &call, QGbConnection *connection);
    void watchForCancel();
    void onCallCanceled(const QGbCallPtr &call);
    void finishCall(const QGbCallPtr &call);
    void sendCancel(const QGbCallPtr &call);
    void sendCredit(const QGbCallPtr &call);
    void creditOutput(const QGbCallPtr &call, qsizetype items);
    void startDeadline(const QGbCallPtr &call);

    QGbEngineContext &m_context;
    const QGbPoolOptions &m_options;
    QGbSupervisor *m_supervisor = nullptr;
    QGbSessions *m_sessions = nullptr;
    QGbCallQueue m_queue;
    QHash<QGbCallRecord *, QGbCallPtr> m_active;           // queued or running calls
    std::vector<std::weak_ptr<QGbCallRecord>> m_unwatched; // no QFutureWatcher yet
    QTimer *m_cancelSweep = nullptr;
    bool m_dispatchScheduled = false;
    QTimer *m_dispatchTimer = nullptr;
};

#endif // QGBSCHEDULER_P_H
