// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "inspectorconnection.h"

#include "qgbinspectorclient.h"

using namespace Qt::StringLiterals;

InspectorConnection::InspectorConnection(QObject *parent)
    : QObject(parent)
    , m_client(new QGbInspectorClient)
{
    m_thread.setObjectName(u"inspector connection"_s);
    m_client->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_client, &QObject::deleteLater);
    // These run in m_thread (the client's), and only queue.
    connect(
            m_client, &QGbInspectorClient::attached, m_client,
            [this](const QJsonObject &hello) { enqueue(Hello, hello); }, Qt::DirectConnection);
    connect(
            m_client, &QGbInspectorClient::messageReceived, m_client,
            [this](const Message &message) { enqueue(Event, message); }, Qt::DirectConnection);
    connect(
            m_client, &QGbInspectorClient::closed, m_client,
            [this] {
                enqueue(Close, QJsonObject { { u"error"_s, m_client->errorString() } });
            },
            Qt::DirectConnection);
    m_thread.start();
}

InspectorConnection::~InspectorConnection()
{
    QMetaObject::invokeMethod(m_client, [client = m_client] {
        client->disconnect();
        client->close();
    });
    m_thread.quit();
    m_thread.wait();
}

void InspectorConnection::connectToPool(const QString &socketPath)
{
    QMetaObject::invokeMethod(
            m_client, [client = m_client, socketPath] { client->connectToPool(socketPath); });
}

void InspectorConnection::enqueue(Kind kind, const Message &message)
{
    QMutexLocker lock(&m_mutex);
    if (kind == Event && m_queue.size() >= m_maxQueued) {
        if (m_overflow++ == 0)
            m_overflowAt = m_queue.size();
        return;
    }
    m_queue.append({ kind, message });
    if (!m_notified) {
        m_notified = true;
        QMetaObject::invokeMethod(this, &InspectorConnection::deliver, Qt::QueuedConnection);
    }
}

void InspectorConnection::deliver()
{
    if (m_closed)
        return;
    // The backlog and the queue hold at most maxQueued() messages each.
    {
        QMutexLocker lock(&m_mutex);
        m_notified = false;
        const bool take = m_backlog.isEmpty();
        if (take)
            m_backlog = std::exchange(m_queue, {});
        if (take && m_overflow) {
            // Reported where the loss happened: after what was queued before
            // it, and before a close (or hello) queued after it.
            m_overflowTotal += m_overflow;
            QJsonObject dropped { { u"type"_s, u"dropped"_s },
                                  { u"count"_s, m_overflow },
                                  { u"total"_s, m_overflowTotal },
                                  { u"inspector"_s, true } };
            m_backlog.insert(m_overflowAt, { Event, Message(dropped) });
            m_overflow = 0;
        }
    }
    QList<Message> batch;
    qsizetype taken = 0;
    auto flush = [&] {
        if (!batch.isEmpty())
            emit messagesReceived(std::exchange(batch, {}));
    };
    while (taken < m_backlog.size() && taken < maxBatch()) {
        auto &[kind, message] = m_backlog[taken++];
        if (kind == Event) {
            batch.append(std::move(message));
            continue;
        }
        flush();
        // Copied out first: what the signals run may change the backlog.
        const QJsonObject object = message.toObject();
        if (kind == Hello) {
            emit attached(object);
        } else {
            m_closed = true;
            m_backlog.clear();
            emit closed(object.value(u"error").toString());
            return;
        }
    }
    flush();
    m_backlog.remove(0, taken);
    QMutexLocker lock(&m_mutex);
    if (!m_backlog.isEmpty() || !m_queue.isEmpty()) {
        if (!m_notified) {
            m_notified = true;
            QMetaObject::invokeMethod(this, &InspectorConnection::deliver, Qt::QueuedConnection);
        }
    }
}
