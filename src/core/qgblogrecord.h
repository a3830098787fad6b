// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBLOGRECORD_H
#define QGBLOGRECORD_H

#include "qgbglobal.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qlogging.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qobjectdefs.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstring.h>

class QDebug;
class QGbLogRecordPrivate;

class QGB_EXPORT QGbLogRecord
{
    Q_GADGET
    Q_PROPERTY(int level READ level)
    Q_PROPERTY(QString levelName READ levelName)
    Q_PROPERTY(QString loggerName READ loggerName)
    Q_PROPERTY(QString message READ message)
    Q_PROPERTY(QString exceptionText READ exceptionText)
    Q_PROPERTY(int worker READ worker)
    Q_PROPERTY(qint64 callId READ callId)
    Q_PROPERTY(QString method READ method)
    Q_PROPERTY(QString fileName READ fileName)
    Q_PROPERTY(int line READ line)
    Q_PROPERTY(QString function READ function)
    Q_PROPERTY(QString threadName READ threadName)
    Q_PROPERTY(QDateTime time READ time)
public:
    enum Level {
        Debug = 10,
        Info = 20,
        Warning = 30,
        Error = 40,
        Critical = 50,
    };
    Q_ENUM(Level)

    QGbLogRecord();
    QGbLogRecord(const QGbLogRecord &other);
    QGbLogRecord(QGbLogRecord &&other) noexcept;
    QGbLogRecord &operator=(const QGbLogRecord &other);
    QGbLogRecord &operator=(QGbLogRecord &&other) noexcept;
    ~QGbLogRecord();

    void swap(QGbLogRecord &other) noexcept { d.swap(other.d); }

    int level() const;
    QString levelName() const;
    QtMsgType messageType() const;
    QString loggerName() const;
    QString categoryName() const;
    QString message() const;
    QString exceptionText() const;
    int worker() const;
    qint64 callId() const;
    QString method() const;
    QString fileName() const;
    int line() const;
    QString function() const;
    QString threadName() const;
    QDateTime time() const;

    void setLevel(int level);
    void setLoggerName(const QString &name);
    void setMessage(const QString &message);
    void setExceptionText(const QString &text);
    void setWorker(int worker);
    void setCall(qint64 id, const QString &method);
    void setLocation(const QString &fileName, int line, const QString &function);
    void setThreadName(const QString &name);
    void setTime(const QDateTime &time);

private:
    QSharedDataPointer<QGbLogRecordPrivate> d;
};

Q_DECLARE_SHARED(QGbLogRecord)

QGB_EXPORT QDebug operator<<(QDebug debug, const QGbLogRecord &record);

Q_DECLARE_METATYPE(QGbLogRecord)

#endif // QGBLOGRECORD_H
