// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCALL_P_H
#define QGBCALL_P_H

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

#include "qgbcall.h"
#include "qgbpool.h"

#include <QtCore/qmutex.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qwaitcondition.h>

#include <atomic>
#include <functional>
#include <memory>

// Carries what the I/O thread learns about a call to the QGbCall, through
// queued connections: a QGbCall may be destroyed at any time in its thread.
class QGbCallRelay : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void chunks(const QVariantList &items);
    void result(const QVariant &value);
    void error(const QGbError &error);
    void done();
    void progress(double value, double maximum, const QString &text);
};

// What a QGbCall, its sink in the I/O thread and a thread waiting on the
// call's future share.
class QGbCallShared
{
public:
    enum Outcome { Running, Completed, Cancelled };

    // The first of the I/O thread (Completed: a result, an error or the end
    // of a stream) and QGbCall::cancel() (Cancelled) decides how the call
    // ended. Returns true if it ended (or now ends) with outcome.
    bool settle(Outcome outcome)
    {
        int expected = Running;
        return m_outcome.compare_exchange_strong(expected, outcome) || expected == outcome;
    }
    bool isCancelled() const { return m_outcome.load() == Cancelled; }

    // The sink posted a signal to the QGbCall; last: the call's final one.
    void posted(bool last);
    // Delivers the QGbCall's posted signals in this, its thread, until the
    // call ended: a thread that blocks on QGbCall::future() cannot run its
    // event loop, and a stream gets more items only as its signals run.
    void deliverUntilEnded(const QPointer<QGbCall> &call);

private:
    std::atomic<int> m_outcome { Running };
    QMutex m_mutex;
    QWaitCondition m_postedCondition;
    quint64 m_posts = 0;
    bool m_ended = false;
};

// Sink of a call made with QGbPool::invoke(): reports to the QFuture and to the QGbCall.
class QGbCallObjectSink final : public QGbPrivate::CallSink
{
public:
    QGbCallObjectSink(QGbCallRelay *relay, std::shared_ptr<QGbCallShared> shared);
    ~QGbCallObjectSink() override;

    QFuture<QVariant> future() { return m_interface.future(); }
    QFutureInterfaceBase &futureInterface() override { return m_interface; }
    bool deliverItems(const QVariantList &items, QGbError *error) override;
    bool deliverResult(const QVariant &value, QGbError *error) override;
    void deliverError(const QGbError &error) override;
    void deliverFinished() override;
    void deliverProgress(double value, double maximum, const QString &text) override;
    bool consumerGrantsCredit() const override { return true; }

private:
    // A call whose future() was cancelled (not with QGbCall::cancel()) ends
    // Cancelled as well: true if that settled it now (errorOccurred() posted).
    bool settleCancelledFuture();

    QFutureInterface<QVariant> m_interface;
    QGbCallRelay *m_relay;
    std::shared_ptr<QGbCallShared> m_shared;
    bool m_done = false;
};

class QGbCallPrivate
{
    Q_DECLARE_PUBLIC(QGbCall)
public:
    explicit QGbCallPrivate(QGbCall *q)
        : q_ptr(q)
    {
    }

    // What the relay reports, in the QGbCall's thread. Each may find the
    // QGbCall deleted by a slot it ran.
    void deliverChunks(const QVariantList &items);
    void deliverResult(const QVariant &value);
    void deliverError(const QGbError &error);
    void deliverDone();
    void deliverProgress(double value, double maximum, const QString &text);

    QGbCall *q_ptr;
    QString method;
    QFuture<QVariant> future;
    QVariant result;
    QGbError error;
    double progressValue = 0;
    double progressMaximum = 0;
    QString progressText;
    bool finished = false;
    std::shared_ptr<QGbCallShared> shared = std::make_shared<QGbCallShared>();
    std::function<void(qsizetype)> consumed; // tells the pool the consumer took items
};

#endif // QGBCALL_P_H
