// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBPOOL_H
#define QGBPOOL_H

#include "qgbcall.h"
#include "qgbcalloptions.h"
#include "qgbchannel.h"
#include "qgbconvert.h"
#include "qgberror.h"
#include "qgbglobal.h"
#include "qgbpooloptions.h"

#include <QtCore/qfuture.h>
#include <QtCore/qfutureinterface.h>
#include <QtCore/qmutex.h>
#include <QtCore/qobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qvariant.h>

#include <memory>
#include <type_traits>

class QGbCallRecord;
class QGbPoolPrivate;

namespace QGbPrivate {

// Receives what the worker sends for one call and reports it to a QFuture.
// Called in the pool's I/O thread only. Not part of the API.
class QGB_EXPORT CallSink
{
public:
    virtual ~CallSink();
    virtual QFutureInterfaceBase &futureInterface() = 0;
    // Converts and reports stream items; false (with *error set) if one cannot be converted.
    virtual bool deliverItems(const QVariantList &items, QGbError *error) = 0;
    // Converts and reports the result of a plain call.
    virtual bool deliverResult(const QVariant &value, QGbError *error) = 0;
    // The call failed (not called after the caller cancelled).
    virtual void deliverError(const QGbError &error);
    // The call ended: a result was delivered, a stream ended, an error or a cancel.
    virtual void deliverFinished() = 0;
    // True if the consumer acknowledges the stream items it took, and the pool
    // grants the worker more output credit only then (bounded memory).
    virtual bool consumerGrantsCredit() const { return false; }
};

template<typename R>
class TypedSink final : public CallSink
{
public:
    TypedSink() { m_interface.reportStarted(); }
    QFuture<R> future() { return m_interface.future(); }
    QFutureInterfaceBase &futureInterface() override { return m_interface; }

    void deliverFinished() override
    {
        // QFutureInterface<R>::reportFinished() also runs continuations (then(), onFailed()).
        if (!m_interface.isFinished())
            m_interface.reportFinished();
    }

    bool deliverItems(const QVariantList &items, QGbError *error) override
    {
        if constexpr (std::is_void_v<R>) {
            Q_UNUSED(items);
            Q_UNUSED(error);
            return true;
        } else {
            QList<R> values;
            values.reserve(items.size());
            const QGbPath root("items", QGbPath::ListRoot);
            for (qsizetype i = 0; i < items.size(); ++i) {
                R value {};
                if (!QGb::fromWire(items.at(i), &value, error, root.index(i)))
                    return false;
                values.append(std::move(value));
            }
            m_interface.reportResults(values);
            return true;
        }
    }

    void deliverError(const QGbError &error) override
    {
        if constexpr (!std::is_void_v<R>) {
            // Qt 6.4 swaps the result store for the exception without freeing
            // the typed results (~QFutureInterface<T> frees them only when
            // there is no exception): free a failing stream's items first.
            QMutexLocker locker(&m_interface.mutex());
            if (!m_interface.isCanceled() && !m_interface.isFinished())
                m_interface.resultStoreBase().template clear<R>();
        }
        CallSink::deliverError(error);
    }

    bool deliverResult(const QVariant &wire, QGbError *error) override
    {
        if constexpr (std::is_void_v<R>) {
            Q_UNUSED(wire);
            Q_UNUSED(error);
            return true;
        } else {
            R value {};
            if (!QGb::fromWire(wire, &value, error, QGbPath("result")))
                return false;
            m_interface.reportResult(std::move(value));
            return true;
        }
    }

private:
    QFutureInterface<R> m_interface;
};

} // namespace QGbPrivate

class QGB_EXPORT QGbPool : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString script READ script CONSTANT)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(int readyWorkers READ readyWorkers NOTIFY readyWorkersChanged)
public:
    enum State {
        Starting,
        Running,
        Closed,
    };
    Q_ENUM(State)

    enum class WorkerState {
        Starting,
        Ready,
        Restarting,
        Failed,
        Stopped,
    };
    Q_ENUM(WorkerState)

    explicit QGbPool(const QString &script, const QGbPoolOptions &options = QGbPoolOptions(),
                     QObject *parent = nullptr);
    ~QGbPool() override;

    QString script() const;
    QGbPoolOptions options() const;
    State state() const;
    int readyWorkers() const;
    QList<qint64> workerProcessIds() const;
    QList<WorkerState> workerStates() const;

    bool waitForStarted(int msecs = 30000);

    template<typename R, typename... Args>
    QFuture<R> call(const QString &method, const Args &...args)
    {
        return start<R>(QGbCallOptions(), method, false, args...);
    }

    template<typename R, typename... Args>
    QFuture<R> call(const QGbCallOptions &options, const QString &method, const Args &...args)
    {
        return start<R>(options, method, false, args...);
    }

    template<typename R, typename... Args>
    QFuture<R> stream(const QString &method, const Args &...args)
    {
        return start<R>(QGbCallOptions(), method, true, args...);
    }

    template<typename R, typename... Args>
    QFuture<R> stream(const QGbCallOptions &options, const QString &method, const Args &...args)
    {
        return start<R>(options, method, true, args...);
    }

    QGbCall *invoke(const QString &method, const QVariantList &args = QVariantList(),
                    QGbChannel *input = nullptr);
    QGbCall *invoke(const QGbCallOptions &options, const QString &method,
                    const QVariantList &args = QVariantList(), QGbChannel *input = nullptr);

    QFuture<QVariantList> describe();

public Q_SLOTS:
    void close();
    void restartFailedWorkers();

Q_SIGNALS:
    void stateChanged(QGbPool::State state);
    void readyWorkersChanged(int readyWorkers);
    void workerStarted(int worker, qint64 pid);
    void workerExited(int worker, qint64 pid, int exitCode, QProcess::ExitStatus exitStatus);
    void workerOutput(int worker, QProcess::ProcessChannel channel, const QByteArray &line);
    void workerFailed(int worker, const QGbError &error);
    void errorOccurred(const QGbError &error);

private:
    template<typename R, typename... Args>
    QFuture<R> start(const QGbCallOptions &options, const QString &method, bool streamOut,
                     const Args &...args)
    {
        auto sink = std::make_unique<QGbPrivate::TypedSink<R>>();
        QFuture<R> future = sink->future();
        QVariantList wireArgs;
        wireArgs.reserve(qsizetype(sizeof...(Args)));
        QGbChannel *input = nullptr;
        QGbError error;
        const bool ok = (appendArgument(&wireArgs, args, &input, &error) && ...);
        submit(options, method, std::move(wireArgs), input, streamOut ? 1 : 0, std::move(sink),
               ok ? QGbError() : error);
        return future;
    }

    template<typename A>
    static bool appendArgument(QVariantList *out, const A &value, QGbChannel **input,
                               QGbError *error)
    {
        if constexpr (std::is_base_of_v<QGbChannel, A>) {
            return appendChannel(out, const_cast<A *>(&value), input, error);
        } else if constexpr (
                std::is_pointer_v<A> && std::is_base_of_v<QGbChannel, std::remove_pointer_t<A>>) {
            return appendChannel(out, const_cast<QGbChannel *>(value), input, error);
        } else {
            QVariant wire;
            const QGbPath root("args", QGbPath::ListRoot);
            if (!QGb::toWire(value, &wire, error, root.index(out->size())))
                return false;
            out->append(std::move(wire));
            return true;
        }
    }

    static bool appendChannel(QVariantList *out, QGbChannel *channel, QGbChannel **input,
                              QGbError *error);
    // streamOut: 0 = a single result expected, 1 = a stream expected, -1 = either
    std::shared_ptr<QGbCallRecord> submit(const QGbCallOptions &options, const QString &method,
                                          QVariantList &&args, QGbChannel *input, int streamOut,
                                          std::unique_ptr<QGbPrivate::CallSink> sink,
                                          const QGbError &argumentError);

    Q_DISABLE_COPY_MOVE(QGbPool)
    Q_DECLARE_PRIVATE(QGbPool)
    std::unique_ptr<QGbPoolPrivate> d_ptr;
};

#endif // QGBPOOL_H
