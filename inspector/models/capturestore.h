// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef CAPTURESTORE_H
#define CAPTURESTORE_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>

#include <deque>

// One capture: the pool's hello and the messages that followed it, live from
// a QGbInspectorClient or loaded from a JSON Lines file (docs/inspector.md).
// It keeps the most recent capacity() lines as they came (for Save), and
// hands the models what arrived in batches: at most one per event-loop turn,
// and one per 30 ms timer tick (flush() delivers at once).
class CaptureStore : public QObject
{
    Q_OBJECT
public:
    explicit CaptureStore(QObject *parent = nullptr);
    ~CaptureStore() override;

    // Lines kept for Save; the oldest go first. Default 200000.
    void setCapacity(qsizetype lines);
    qsizetype capacity() const;

    // Starts a new capture: forgets the previous one, emits started().
    void start(const QJsonObject &hello);
    // A message after the hello.
    void append(const QGbInspect::Message &message);
    // Delivers what is pending now (the timer does it otherwise).
    void flush();

    QJsonObject hello() const;
    qint64 messageCount() const;
    qint64 droppedCount() const;
    // The pool clock (ns) of the most recent event.
    qint64 lastEventTime() const;
    qsizetype keptLines() const;
    // hello, the kept lines and an "end" line, as --record writes them.
    QList<QByteArray> toJsonLines(const QString &endReason) const;

    // Reads a --record (or Save) file; false and *error if it is not one.
    static bool readJsonLines(const QByteArray &data, QJsonObject *hello,
                              QList<QGbInspect::Message> *messages, QString *error);

Q_SIGNALS:
    void started(const QJsonObject &hello);
    void eventsArrived(const QList<QGbInspect::Message> &batch);
    void countsChanged();

private:
    QTimer m_timer;
    QJsonObject m_hello;
    std::deque<QByteArray> m_lines;
    static constexpr qsizetype MaxBatch = 500; // events per flush at most
    QList<QGbInspect::Message> m_pending;
    qsizetype m_capacity = 200000;
    qint64 m_messages = 0;
    qint64 m_dropped = 0;
    qint64 m_lastTime = 0;
};

#endif // CAPTURESTORE_H
