// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLCHANNEL_H
#define QGBQMLCHANNEL_H

#include "qgbqmlglobal.h"

#include <QtCore/qobject.h>
#include <QtCore/qvariant.h>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QGbChannel;
class QGbQmlChannelPrivate;

class QGBQML_EXPORT QGbQmlChannel : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(GbChannel)
    Q_PROPERTY(int capacity READ capacity WRITE setCapacity NOTIFY capacityChanged)
    Q_PROPERTY(bool closed READ isClosed NOTIFY closedChanged)
public:
    explicit QGbQmlChannel(QObject *parent = nullptr);
    ~QGbQmlChannel() override;

    int capacity() const;
    void setCapacity(int capacity);
    bool isClosed() const;

    QGbChannel *channel() const;

    Q_INVOKABLE bool write(const QVariant &value);

public Q_SLOTS:
    void close();

Q_SIGNALS:
    void writable();
    void capacityChanged();
    void closedChanged();

private:
    Q_DISABLE_COPY_MOVE(QGbQmlChannel)
    Q_DECLARE_PRIVATE(QGbQmlChannel)
    std::unique_ptr<QGbQmlChannelPrivate> d_ptr;
};

#endif // QGBQMLCHANNEL_H
