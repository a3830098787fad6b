// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBINSPECTORCLIENT_H
#define QGBINSPECTORCLIENT_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qjsonobject.h>
#include <QtCore/qobject.h>

#include <memory>

class QGbInspectorClientPrivate;

// An inspector's connection to an inspectable pool (docs/inspector.md):
// connects, checks the pool's hello, sends its own, and decodes what the pool
// sends. Read-only. Anything it cannot read closes the connection with an
// error that says why.
class QGbInspectorClient : public QObject
{
    Q_OBJECT
public:
    enum State { Unconnected, Connecting, Attached, Closed };
    Q_ENUM(State)

    explicit QGbInspectorClient(QObject *parent = nullptr);
    ~QGbInspectorClient() override;

    void connectToPool(const QString &socketPath);
    void close();

    State state() const;
    // The pool's hello, once attached.
    QJsonObject hello() const;
    // Events lost because this inspector read too slowly, as the pool reported them.
    qint64 droppedEvents() const;
    // Why the connection closed, if it did not close normally.
    QString errorString() const;

    // The protocol this client speaks.
    static int protocolVersion();

Q_SIGNALS:
    void attached(const QJsonObject &hello);
    // Every message after the hello: events, "dropped", "live"; checked to
    // be JSON objects with a "type", values decoded when asked for (its
    // line() is the message as it came, without its newline).
    void messageReceived(const QGbInspect::Message &message);
    // The flight recorder's events are through; what follows happens now.
    void live();
    void eventsDropped(qint64 count, qint64 total);
    void errorOccurred(const QString &error);
    void closed();

private:
    std::unique_ptr<QGbInspectorClientPrivate> d;
};

#endif // QGBINSPECTORCLIENT_H
