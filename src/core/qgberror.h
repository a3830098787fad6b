// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBERROR_H
#define QGBERROR_H

#include "qgbglobal.h"

#include <QtCore/qexception.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qobjectdefs.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstring.h>

class QDebug;
class QGbErrorPrivate;

class QGB_EXPORT QGbError
{
    Q_GADGET
    Q_PROPERTY(Code code READ code)
    Q_PROPERTY(QString errorString READ errorString)
    Q_PROPERTY(QString remoteType READ remoteType)
    Q_PROPERTY(QString remoteTraceback READ remoteTraceback)
    Q_PROPERTY(bool retriable READ isRetriable)
public:
    enum Code {
        NoError = 0,
        RemoteException,
        Cancelled,
        DeadlineExceeded,
        WorkerCrashed,
        UnknownMethod,
        BadArguments,
        TypeMismatch,
        ProtocolError,
        FrameTooLarge,
        PoolClosed,
        QueueFull,
        Unauthorized,
        WorkerStartFailed,
        WouldDeadlock,
    };
    Q_ENUM(Code)

    QGbError();
    explicit QGbError(Code code, const QString &errorString = QString());
    QGbError(const QGbError &other);
    QGbError(QGbError &&other) noexcept;
    QGbError &operator=(const QGbError &other);
    QGbError &operator=(QGbError &&other) noexcept;
    ~QGbError();

    void swap(QGbError &other) noexcept { d.swap(other.d); }

    bool isError() const { return code() != NoError; }
    Code code() const;
    QString errorString() const;
    QString remoteType() const;
    QString remoteTraceback() const;
    bool isRetriable() const;

    void setRemoteType(const QString &type);
    void setRemoteTraceback(const QString &traceback);

    static QString codeName(Code code);
    static Code codeFromName(QStringView name);

    bool operator==(const QGbError &other) const;
    bool operator!=(const QGbError &other) const { return !(*this == other); }

private:
    QSharedDataPointer<QGbErrorPrivate> d;
};

Q_DECLARE_SHARED(QGbError)

QGB_EXPORT QDebug operator<<(QDebug debug, const QGbError &error);

class QGB_EXPORT QGbException : public QException
{
public:
    explicit QGbException(const QGbError &error);
    ~QGbException() override;

    QGbError error() const { return m_error; }
    const char *what() const noexcept override;

    void raise() const override;
    QGbException *clone() const override;

private:
    QGbError m_error;
    QByteArray m_what;
};

Q_DECLARE_METATYPE(QGbError)

#endif // QGBERROR_H
