// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCHANNEL_H
#define QGBCHANNEL_H

#include "qgbconvert.h"
#include "qgberror.h"
#include "qgbglobal.h"

#include <QtCore/qobject.h>
#include <QtCore/qvariant.h>

#include <memory>

class QGbChannelPrivate;

class QGB_EXPORT QGbChannel : public QObject
{
    Q_OBJECT
    Q_PROPERTY(qsizetype capacity READ capacity CONSTANT)
    Q_PROPERTY(bool closed READ isClosed)
public:
    static constexpr qsizetype DefaultCapacity = 4096;

    explicit QGbChannel(QObject *parent = nullptr);
    explicit QGbChannel(qsizetype capacity, QObject *parent = nullptr);
    ~QGbChannel() override;

    template<typename T>
    [[nodiscard]] bool write(const T &value)
    {
        QVariant wire;
        QGbError error;
        if (!QGb::toWire(value, &wire, &error, QGbPath("item"))) {
            setConversionError(error);
            return false;
        }
        return writeWire(std::move(wire));
    }

    void close();
    bool waitForWritable(int msecs = 30000);

    bool isClosed() const;
    bool isWritable() const;
    qsizetype capacity() const;
    qsizetype pendingCount() const;
    QGbError error() const;

Q_SIGNALS:
    void writable(QPrivateSignal);

private:
    bool writeWire(QVariant &&wire);
    void setConversionError(const QGbError &error);

    Q_DISABLE_COPY_MOVE(QGbChannel)
    Q_DECLARE_PRIVATE(QGbChannel)
    std::unique_ptr<QGbChannelPrivate> d_ptr;
    friend class QGbPool;
    friend class QGbPoolPrivate;
    friend class QGbEngine;
};

#endif // QGBCHANNEL_H
