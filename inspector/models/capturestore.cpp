// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "capturestore.h"

#include <QtCore/qjsondocument.h>

using namespace Qt::StringLiterals;

CaptureStore::CaptureStore(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    // One batch per tick: the views update at most ~30 times a second
    // however fast events come.
    m_timer.setInterval(30);
    connect(&m_timer, &QTimer::timeout, this, &CaptureStore::flush);
}

CaptureStore::~CaptureStore() = default;

void CaptureStore::setCapacity(qsizetype lines)
{
    m_capacity = qMax<qsizetype>(1, lines);
    while (qsizetype(m_lines.size()) > m_capacity)
        m_lines.pop_front();
}

qsizetype CaptureStore::capacity() const
{
    return m_capacity;
}

void CaptureStore::start(const QJsonObject &hello)
{
    m_timer.stop();
    m_pending.clear();
    m_lines.clear();
    m_hello = hello;
    m_messages = 0;
    m_dropped = 0;
    m_lastTime = 0;
    emit started(hello);
    emit countsChanged();
}

void CaptureStore::append(const QGbInspect::Message &message)
{
    ++m_messages;
    m_lines.push_back(message.line());
    if (qsizetype(m_lines.size()) > m_capacity)
        m_lines.pop_front();
    if (message.type() == "dropped"_L1)
        m_dropped += message.value(u"count").toInteger();
    const qint64 t = message.value(u"t").toInteger();
    if (t > m_lastTime)
        m_lastTime = t;
    m_pending.append(message);
    // A full batch goes at once: the timer alone would wait while the GUI
    // thread is kept busy by arrivals, and then flush one long batch (a
    // stall of the event loop); this bounds the work of one flush.
    if (m_pending.size() >= MaxBatch)
        flush();
    else if (!m_timer.isActive())
        m_timer.start();
}

void CaptureStore::flush()
{
    m_timer.stop();
    if (m_pending.isEmpty())
        return;
    const QList<QGbInspect::Message> batch = std::exchange(m_pending, {});
    emit eventsArrived(batch);
    emit countsChanged();
}

QJsonObject CaptureStore::hello() const
{
    return m_hello;
}

qint64 CaptureStore::messageCount() const
{
    return m_messages;
}

qint64 CaptureStore::droppedCount() const
{
    return m_dropped;
}

qint64 CaptureStore::lastEventTime() const
{
    return m_lastTime;
}

qsizetype CaptureStore::keptLines() const
{
    return qsizetype(m_lines.size());
}

QList<QByteArray> CaptureStore::toJsonLines(const QString &endReason) const
{
    QList<QByteArray> out;
    out.reserve(qsizetype(m_lines.size()) + 2);
    out.append(QJsonDocument(m_hello).toJson(QJsonDocument::Compact));
    for (const QByteArray &line : m_lines)
        out.append(line);
    QJsonObject end;
    end.insert(u"type", u"end"_s);
    end.insert(u"reason", endReason);
    end.insert(u"messages", qint64(m_lines.size()));
    end.insert(u"dropped", m_dropped);
    out.append(QJsonDocument(end).toJson(QJsonDocument::Compact));
    return out;
}

bool CaptureStore::readJsonLines(const QByteArray &data, QJsonObject *hello,
                                 QList<QGbInspect::Message> *messages, QString *error)
{
    qsizetype from = 0;
    int number = 0;
    bool haveHello = false;
    while (from < data.size()) {
        qsizetype to = data.indexOf('\n', from);
        if (to < 0)
            to = data.size();
        const QByteArray line = data.mid(from, to - from).trimmed();
        from = to + 1;
        ++number;
        if (line.isEmpty())
            continue;
        QGbInspect::Message message;
        QString why;
        if (!QGbInspect::Message::parse(line, &message, &why)) {
            // A recording cut short (the recorder was killed) may end mid-line.
            if (to >= data.size() && haveHello)
                break;
            *error = u"line %1 is not a JSON object: %2"_s.arg(number).arg(why);
            return false;
        }
        const QString type = message.type();
        if (!haveHello) {
            if (type != "hello"_L1) {
                *error = u"the first line is \"%1\", not the pool's hello"_s.arg(type);
                return false;
            }
            *hello = message.toObject();
            haveHello = true;
            continue;
        }
        if (type == "end"_L1)
            continue;
        messages->append(message);
    }
    if (!haveHello) {
        *error = u"the file is empty"_s;
        return false;
    }
    return true;
}
