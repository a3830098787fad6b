// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBINSPECTSERVER_P_H
#define QGBINSPECTSERVER_P_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It exists purely as an
// implementation detail. This header file may change from version to
// version without notice, or even be removed.
//
// We mean it.
//

#include "qgbengineevents_p.h"
#include "qgbflightrecorder_p.h"
#include "qgbinspectwire_p.h"

#include <QtCore/qdatetime.h>
#include <QtCore/qobject.h>
#include <QtCore/qtimer.h>

#include <chrono>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QLocalServer;
class QLocalSocket;
QT_END_NAMESPACE

// The side channel of an inspectable pool (docs/inspector.md), in its I/O
// thread. As the engine's listener it records every event into the flight
// recorder, a fixed ring, and does nothing else on the critical path. It
// listens on <registry>/<pid>-<n>.sock (with <pid>-<n>.json beside it) and
// serves any number of read-only inspectors of the same user: each reads the
// ring from its own cursor, encoded when its socket has room. An inspector
// that falls a whole ring behind loses the events overwritten, and is told how
// many; its socket's buffer is bounded. Nothing here ever waits.
class QGB_EXPORT QGbInspectServer : public QObject, public QGbEngineListener
{
    Q_OBJECT
public:
    // The ring holds at least this many events, for inspectors attached
    // while the flight recorder is off.
    static constexpr int MinRing = 4096;
    // The bytes queued on an inspector's socket beyond which nothing more is
    // encoded for it until it reads.
    static constexpr qint64 MaxQueuedBytes = 256 * 1024;
    // How long after an event the inspectors get it (with those that follow).
    static constexpr std::chrono::milliseconds FlushInterval { 10 };

    QGbInspectServer(const QGbEngineContext &context, QObject *parent);
    ~QGbInspectServer() override;

    // Whether the pool is to be inspectable (the option or QGOBRIDGE_INSPECT=1).
    static bool wanted(const QGbPoolOptions &options);

    // Listens and writes the registry entry; false with *error set if not.
    bool listen(QString *error);
    // Stops listening, closes the inspectors' connections, removes the entry.
    void close();
    QString socketPath() const { return m_socketPath; }

    void workerEvent(int worker, WorkerEvent event, qint64 pid, qint64 detail,
                     const QString &text) override;
    void workerOutput(int worker, QProcess::ProcessChannel channel,
                      const QByteArray &line) override;
    void heartbeat(int worker, qint64 roundTripMicroseconds) override;
    void connectionOpened(const QGbConnection &connection) override;
    void connectionClosed(const QGbConnection &connection, const QGbError &reason) override;
    void messageSent(const QGbConnection &connection, const QByteArray &frames) override;
    void messageReceived(const QGbConnection &connection, const QGbWire::Message &message) override;
    void callStarted(const QGbCallRecord &call) override;
    void callEnded(const QGbCallRecord &call) override;
    void creditStalled(const QGbCallRecord &call, bool input) override;

private:
    struct Inspector
    {
        QLocalSocket *socket = nullptr;
        QGbInspect::LineDecoder decoder { QGbInspect::MaxInspectorLine };
        qint64 cursor = 0;  // the next event to send
        qint64 liveAt = 0;  // the first event that happened after it attached
        bool live = false;  // "live" was sent
        qint64 dropped = 0; // events lost and not yet reported
        qint64 droppedTotal = 0;
        bool behind = false; // the last flush stopped for want of room
        bool closing = false;
    };

    QGbInspectEvent *record(QGbInspectEvent::Kind kind);
    void onNewConnection();
    void onReadyRead(Inspector *inspector);
    void drop(Inspector *inspector, const QString &why);
    void flush(Inspector *inspector);
    void flushAll();
    QByteArray helloLine() const;

    const QGbEngineContext &m_context;
    std::unique_ptr<QGbFlightRecorder> m_recorder;
    qint64 m_keep = 0; // events a new inspector gets from before it attached
    QLocalServer *m_server = nullptr;
    std::vector<std::unique_ptr<Inspector>> m_inspectors;
    QTimer m_flushTimer;
    QString m_socketPath;
    QString m_entryPath;
    QDateTime m_startedAt;
};

#endif // QGBINSPECTSERVER_P_H
