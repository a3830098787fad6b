// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLSTREAMMODEL_H
#define QGBQMLSTREAMMODEL_H

#include "qgbqmlglobal.h"
#include "qgbqmlpool.h"

#include <qgberror.h>

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qvariant.h>
#include <QtQml/qjsvalue.h>
#include <QtQml/qqmlparserstatus.h>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QGbQmlStreamModelPrivate;

class QGBQML_EXPORT QGbQmlStreamModel : public QAbstractListModel, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_NAMED_ELEMENT(GbStreamModel)
    Q_PROPERTY(QGbQmlPool *pool READ pool WRITE setPool NOTIFY poolChanged)
    Q_PROPERTY(QString method READ method WRITE setMethod NOTIFY methodChanged)
    Q_PROPERTY(QVariantList arguments READ arguments WRITE setArguments NOTIFY argumentsChanged)
    Q_PROPERTY(QVariantMap keywordArguments READ keywordArguments WRITE setKeywordArguments NOTIFY
                       keywordArgumentsChanged)
    Q_PROPERTY(int maxRows READ maxRows WRITE setMaxRows NOTIFY maxRowsChanged)
    Q_PROPERTY(bool running READ isRunning NOTIFY runningChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(qint64 received READ received NOTIFY receivedChanged)
    Q_PROPERTY(QStringList roles READ roles NOTIFY rolesChanged)
    Q_PROPERTY(QJSValue error READ error NOTIFY errorChanged)
public:
    enum Role {
        ModelDataRole = Qt::UserRole,
        FirstKeyRole,
    };

    explicit QGbQmlStreamModel(QObject *parent = nullptr);
    ~QGbQmlStreamModel() override;

    QGbQmlPool *pool() const;
    void setPool(QGbQmlPool *pool);
    QString method() const;
    void setMethod(const QString &method);
    QVariantList arguments() const;
    void setArguments(const QVariantList &arguments);
    QVariantMap keywordArguments() const;
    void setKeywordArguments(const QVariantMap &arguments);
    int maxRows() const;
    void setMaxRows(int rows);

    bool isRunning() const;
    int count() const;
    qint64 received() const;
    QStringList roles() const;
    QJSValue error() const;
    QGbError callError() const;

    Q_INVOKABLE QVariant get(int row) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void classBegin() override;
    void componentComplete() override;

public Q_SLOTS:
    void cancel();
    void restart();

Q_SIGNALS:
    void poolChanged();
    void methodChanged();
    void argumentsChanged();
    void keywordArgumentsChanged();
    void maxRowsChanged();
    void runningChanged();
    void countChanged();
    void receivedChanged();
    void rolesChanged();
    void errorChanged();

private:
    Q_DISABLE_COPY_MOVE(QGbQmlStreamModel)
    Q_DECLARE_PRIVATE(QGbQmlStreamModel)
    std::unique_ptr<QGbQmlStreamModelPrivate> d_ptr;
};

#endif // QGBQMLSTREAMMODEL_H
