// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Python logging records, from a worker's log message to a Qt logging category.

#include "qgblogrecord_p.h"
#include "qgbmessages_p.h"

#include <QtCore/qloggingcategory.h>
#include <QtCore/qmutex.h>

#include <map>
#include <memory>

namespace QGbPrivate {

namespace {

    // A QLoggingCategory needs its name for as long as it lives: the
    // categories are created on demand, kept for the life of the process,
    // and their number is capped so that a worker logging under ever new
    // logger names cannot grow memory without bound.
    class Categories
    {
    public:
        static constexpr std::size_t MaxCategories = 512;

        QLoggingCategory &forLogger(const QString &logger)
        {
            QMutexLocker locker(&m_mutex);
            const auto it = m_categories.find(logger);
            if (it != m_categories.end())
                return it->second->category;
            if (m_categories.size() >= MaxCategories)
                return m_overflow;
            return m_categories.emplace(logger, std::make_unique<Entry>(logger))
                    .first->second->category;
        }

    private:
        struct Entry
        {
            explicit Entry(const QString &logger)
                : name(QByteArrayLiteral("qgobridge.python.") + logger.toUtf8())
                , category(name.constData())
            {
            }
            QByteArray name;
            QLoggingCategory category;
        };
        QMutex m_mutex;
        // An entry never moves once made: the category refers to its name.
        std::map<QString, std::unique_ptr<Entry>> m_categories;
        QLoggingCategory m_overflow { "qgobridge.python" };
    };

    Categories &categories()
    {
        static Categories instance;
        return instance;
    }

} // namespace

bool readLogRecord(const QGbWire::Message &message, QGbLogRecord *record, QGbError *error)
{
    QGbWire::LogFields fields;
    if (!QGbWire::readLog(message, &fields, error))
        return false;
    record->setLevel(fields.level);
    record->setLoggerName(fields.logger);
    record->setMessage(fields.message);
    record->setExceptionText(fields.exception);
    record->setLocation(fields.file, fields.line, fields.function);
    record->setThreadName(fields.thread);
    if (fields.timeMs >= 0)
        record->setTime(QDateTime::fromMSecsSinceEpoch(fields.timeMs));
    return true;
}

void writeToCategory(const QGbLogRecord &record)
{
    const QLoggingCategory &category = categories().forLogger(record.loggerName());
    const QtMsgType type = record.messageType();
    if (!category.isEnabled(type))
        return;
    QString text =
            record.worker() >= 0 ? QStringLiteral("[worker %1] ").arg(record.worker()) : QString();
    text += record.message();
    if (!record.exceptionText().isEmpty())
        text += QLatin1Char('\n') + record.exceptionText();
    const QByteArray file = record.fileName().toUtf8();
    const QByteArray function = record.function().toUtf8();
    QMessageLogger logger(file.isEmpty() ? nullptr : file.constData(), record.line(),
                          function.isEmpty() ? nullptr : function.constData(),
                          category.categoryName());
    switch (type) {
    case QtDebugMsg:
        logger.debug().noquote() << text;
        break;
    case QtInfoMsg:
        logger.info().noquote() << text;
        break;
    case QtWarningMsg:
        logger.warning().noquote() << text;
        break;
    default:
        logger.critical().noquote() << text;
        break;
    }
}

} // namespace QGbPrivate
