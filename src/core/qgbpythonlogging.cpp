// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Python logging records, from a worker's log message to a Qt logging category.

#include "qgblogrecord_p.h"
#include "qgbmessages_p.h"

#include <QtCore/qhash.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qmutex.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

namespace QGbPrivate {

namespace {

    // A QLoggingCategory needs its name for as long as it lives: the
    // categories are created on demand, kept for the life of the process,
    // and their number is capped so that a worker logging under ever new
    // logger names cannot grow memory without bound.
    class Categories
    {
    public:
        static constexpr int MaxCategories = 512;

        QLoggingCategory &forLogger(const QString &logger)
        {
            QMutexLocker locker(&m_mutex);
            auto it = m_categories.constFind(logger);
            if (it != m_categories.cend())
                return *it.value();
            if (m_categories.size() >= MaxCategories)
                return m_overflow;
            auto entry = std::make_unique<Entry>(logger);
            QLoggingCategory &category = entry->category;
            m_categories.insert(logger, &entry->category);
            m_entries.push_back(std::move(entry));
            return category;
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
        QHash<QString, QLoggingCategory *> m_categories;
        std::vector<std::unique_ptr<Entry>> m_entries;
        QLoggingCategory m_overflow { "qgobridge.python" };
    };

    Categories &categories()
    {
        static Categories instance;
        return instance;
    }

    QString text(const QGbWire::Message &message, const char *field)
    {
        return message.fields.value(QLatin1String(field)).toString();
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
    record->setExceptionText(text(message, "exc"));
    record->setLocation(
            text(message, "file"),
            int(std::clamp<qint64>(message.fields.value(QStringLiteral("line")).toLongLong(), 0,
                                   std::numeric_limits<int>::max())),
            text(message, "func"));
    record->setThreadName(text(message, "thread"));
    const QVariant time = message.fields.value(QStringLiteral("time"));
    if (time.canConvert<double>()) {
        const double seconds = time.toDouble();
        if (seconds > 0 && seconds < 1e11)
            record->setTime(QDateTime::fromMSecsSinceEpoch(qint64(seconds * 1000)));
    }
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
