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

#include <QtCore/qobject.h>

#include <functional>

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
};

// Sink of a call made with QGbPool::invoke(): reports to the QFuture and to the QGbCall.
class QGbCallObjectSink final : public QGbPrivate::CallSink
{
public:
    explicit QGbCallObjectSink(QGbCallRelay *relay);
    ~QGbCallObjectSink() override;

    QFuture<QVariant> future() { return m_interface.future(); }
    QFutureInterfaceBase &futureInterface() override { return m_interface; }
    bool deliverItems(const QVariantList &items, QGbError *error) override;
    bool deliverResult(const QVariant &value, QGbError *error) override;
    void deliverError(const QGbError &error) override;
    void deliverFinished() override;
    bool consumerGrantsCredit() const override { return true; }

private:
    QFutureInterface<QVariant> m_interface;
    QGbCallRelay *m_relay;
    bool m_done = false;
};

class QGbCallPrivate
{
public:
    QString method;
    QFuture<QVariant> future;
    QVariant result;
    QGbError error;
    bool finished = false;
    std::function<void(qsizetype)> consumed; // tells the pool the consumer took items
};

#endif // QGBCALL_P_H
