// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef INSPECTORCONNECTION_H
#define INSPECTORCONNECTION_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qmutex.h>
#include <QtCore/qobject.h>
#include <QtCore/qthread.h>

class QGbInspectorClient;

// A QGbInspectorClient in a thread of its own: reading the socket and
// decoding the JSON of every event happen there, not in the GUI thread. The
// GUI thread takes what arrived in batches (at most maxBatch() per event-loop
// turn). The queue between them is bounded: past maxQueued() messages the
// newest are dropped and reported as a "dropped" message (with
// "inspector": true) once the GUI has caught up.
class InspectorConnection : public QObject
{
    Q_OBJECT
public:
    using Message = QGbInspect::Message;

    explicit InspectorConnection(QObject *parent = nullptr);
    ~InspectorConnection() override;

    void connectToPool(const QString &socketPath);
    qsizetype maxQueued() const { return m_maxQueued; }
    // Before connectToPool(); tests make it small to see losses.
    void setMaxQueued(qsizetype messages) { m_maxQueued = messages; }
    static constexpr qsizetype maxBatch() { return 1000; }

Q_SIGNALS:
    void attached(const QJsonObject &hello);
    // Messages after the hello, in order ("live" and "dropped" included).
    void messagesReceived(const QList<InspectorConnection::Message> &messages);
    // The connection closed; error is empty when the pool closed it normally.
    void closed(const QString &error);

private:
    enum Kind { Hello, Event, Close };
    void enqueue(Kind kind, const Message &message);
    void deliver();

    QThread m_thread;
    QGbInspectorClient *m_client; // lives in m_thread
    QMutex m_mutex;
    QList<std::pair<Kind, Message>> m_queue; // guarded by m_mutex
    bool m_notified = false;                 // guarded by m_mutex
    qint64 m_overflow = 0;                   // guarded by m_mutex
    qsizetype m_overflowAt = 0;              // where in m_queue they were lost
    qsizetype m_maxQueued = 200000;
    qint64 m_overflowTotal = 0;
    QList<std::pair<Kind, Message>> m_backlog; // GUI thread
    bool m_closed = false;
};

#endif // INSPECTORCONNECTION_H
