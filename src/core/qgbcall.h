// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCALL_H
#define QGBCALL_H

#include "qgberror.h"
#include "qgbglobal.h"

#include <QtCore/qfuture.h>
#include <QtCore/qobject.h>
#include <QtCore/qvariant.h>

#include <memory>

class QGbCallPrivate;
class QGbPool;

class QGB_EXPORT QGbCall : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString method READ method CONSTANT)
    Q_PROPERTY(QVariant result READ result NOTIFY resultReady)
    Q_PROPERTY(QGbError error READ error NOTIFY errorOccurred)
    Q_PROPERTY(double progressValue READ progressValue NOTIFY progressChanged)
    Q_PROPERTY(double progressMaximum READ progressMaximum NOTIFY progressChanged)
    Q_PROPERTY(QString progressText READ progressText NOTIFY progressChanged)
public:
    ~QGbCall() override;

    QString method() const;
    bool isFinished() const;
    QVariant result() const;
    QGbError error() const;
    QFuture<QVariant> future() const;
    double progressValue() const;
    double progressMaximum() const;
    QString progressText() const;

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void chunkReceived(const QVariant &chunk, QPrivateSignal);
    void chunksReceived(const QVariantList &chunks, QPrivateSignal);
    void resultReady(const QVariant &result, QPrivateSignal);
    void errorOccurred(const QGbError &error, QPrivateSignal);
    void progressChanged(double value, double maximum, const QString &text, QPrivateSignal);
    void finished(QPrivateSignal);

private:
    explicit QGbCall(const QString &method, QObject *parent = nullptr);

    Q_DISABLE_COPY_MOVE(QGbCall)
    Q_DECLARE_PRIVATE(QGbCall)
    std::unique_ptr<QGbCallPrivate> d_ptr;
    friend class QGbPool;
    friend class QGbCallObjectSink;
};

#endif // QGBCALL_H
