// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBTESTLISTENER_P_H
#define QGBTESTLISTENER_P_H

// For tests that use the private API: an engine listener that keeps what it
// is told as lines of text, and how to give one to a pool.

#include "qgbengine_p.h"
#include "qgbpool_p.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qmutex.h>
#include <QtCore/qstringlist.h>

// Subclasses override the events they want and add() a line for each. The
// engine calls them in its I/O thread; the test reads from its own.
class QGbTestEventLog : public QGbEngineListener
{
public:
    // A list of its own, not a shared copy of the log's: the I/O thread goes
    // on appending to the log, in place once this thread has let go of a
    // shared copy, and Qt tests whether an array is shared with a relaxed
    // load, which orders nothing (ThreadSanitizer reported the realloc).
    QStringList events() const
    {
        QMutexLocker locker(&m_mutex);
        return QStringList(m_events.cbegin(), m_events.cend());
    }
    int count(const QString &event) const
    {
        QMutexLocker locker(&m_mutex);
        return int(m_events.count(event));
    }
    QString all() const
    {
        QMutexLocker locker(&m_mutex);
        return m_events.join(u'|');
    }
    void clear()
    {
        QMutexLocker locker(&m_mutex);
        m_events.clear();
    }

protected:
    void add(const QString &event)
    {
        QMutexLocker locker(&m_mutex);
        m_events.append(event);
    }
    // The message a messageSent() carries: its first frame is a 4-byte
    // length and the message's JSON object.
    static QJsonObject sentMessage(const QByteArray &frames)
    {
        return QJsonDocument::fromJson(frames.mid(4)).object();
    }

private:
    mutable QMutex m_mutex;
    QStringList m_events;
};

// Sets the listener of pool's engine, in its I/O thread, before anything
// posted after this. The listener must outlive the pool.
inline bool qgbListen(QGbPool *pool, QGbEngineListener *listener)
{
    QGbPoolPrivate *d = QGbPoolPrivate::get(pool);
    QGbEngine *engine = d->engine;
    return d->handle->post([engine, listener] { engine->setListener(listener); });
}

#endif // QGBTESTLISTENER_P_H
