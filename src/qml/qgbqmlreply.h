// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLREPLY_H
#define QGBQMLREPLY_H

#include "qgbqmlglobal.h"

#include <qgberror.h>

#include <QtCore/qobject.h>
#include <QtCore/qvariant.h>
#include <QtQml/qjsvalue.h>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QGbQmlPool;
class QGbQmlReplyPrivate;

class QGBQML_EXPORT QGbQmlReply : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(GbReply)
    QML_UNCREATABLE("A GbReply is returned by GbPool.call()")
    Q_PROPERTY(QString method READ method CONSTANT)
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(QVariant value READ value NOTIFY statusChanged)
    Q_PROPERTY(QJSValue error READ error NOTIFY statusChanged)
    Q_PROPERTY(qreal progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(qreal progressValue READ progressValue NOTIFY progressChanged)
    Q_PROPERTY(qreal progressMaximum READ progressMaximum NOTIFY progressChanged)
    Q_PROPERTY(QString progressText READ progressText NOTIFY progressChanged)
    Q_PROPERTY(QJSValue promise READ promise CONSTANT)
public:
    enum Status {
        Running,
        Finished,
        Failed,
        Cancelled,
    };
    Q_ENUM(Status)

    ~QGbQmlReply() override;

    QString method() const;
    Status status() const;
    QVariant value() const;
    QJSValue error() const;
    QGbError callError() const;
    qreal progress() const;
    qreal progressValue() const;
    qreal progressMaximum() const;
    QString progressText() const;
    QJSValue promise();

    Q_INVOKABLE QJSValue then(const QJSValue &onResolved = QJSValue(),
                              const QJSValue &onRejected = QJSValue());

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void statusChanged();
    void progressChanged();
    void finished();

private:
    QGbQmlReply(const QString &method, QJSEngine *engine, QGbQmlPool *pool);

    Q_DISABLE_COPY_MOVE(QGbQmlReply)
    Q_DECLARE_PRIVATE(QGbQmlReply)
    std::unique_ptr<QGbQmlReplyPrivate> d_ptr;
    friend class QGbQmlPool;
    friend class QGbQmlPoolPrivate;
};

#endif // QGBQMLREPLY_H
