// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBPOOL_H
#define QGBPOOL_H

#include "impl/qgbpool_impl.h"
#include "qgbcall.h"
#include "qgbcalloptions.h"
#include "qgbchannel.h"
#include "qgbconvert.h"
#include "qgberror.h"
#include "qgbfunction.h"
#include "qgbglobal.h"
#include "qgblogrecord.h"
#include "qgbpooloptions.h"

#include <QtCore/qfuture.h>
#include <QtCore/qobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qvariant.h>

#include <memory>

class QGbCallRecord;
class QGbPoolPrivate;

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
    QString workerEndpoint(int worker) const;

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
    QList<QGbFunction> functions() const;
    QGbFunction function(const QString &name) const;

public Q_SLOTS:
    void close();
    void restartFailedWorkers();

Q_SIGNALS:
    void stateChanged(QGbPool::State state, QPrivateSignal);
    void readyWorkersChanged(int readyWorkers, QPrivateSignal);
    void workerStarted(int worker, qint64 pid, QPrivateSignal);
    void workerExited(int worker, qint64 pid, int exitCode, QProcess::ExitStatus exitStatus,
                      QPrivateSignal);
    void workerOutput(int worker, QProcess::ProcessChannel channel, const QByteArray &line,
                      QPrivateSignal);
    void workerFailed(int worker, const QGbError &error, QPrivateSignal);
    void errorOccurred(const QGbError &error, QPrivateSignal);
    void functionsChanged(QPrivateSignal);
    void logRecord(const QGbLogRecord &record, QPrivateSignal);

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
        const bool ok = (QGbPrivate::appendArgument(&wireArgs, args, &input, &error) && ...);
        submit(options, method, std::move(wireArgs), input, streamOut ? 1 : 0, std::move(sink),
               ok ? QGbError() : error);
        return future;
    }

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
