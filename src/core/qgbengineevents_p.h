// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBENGINEEVENTS_P_H
#define QGBENGINEEVENTS_P_H

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

#include "qgberror.h"
#include "qgbpooloptions.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qprocess.h>

class QGbCallRecord;
class QGbConnection;
namespace QGbWire {
struct Message;
}

// What happens inside a pool's engine, as each of its parts sees it:
// supervision (workers), sessions (connections and frames) and scheduling
// (calls). Everything is reported in the I/O thread, as it happens. A
// listener must not call back into the engine and should return quickly: it
// runs on the pool's critical path. With no listener (the default) a report
// costs one pointer test.
class QGB_EXPORT QGbEngineListener
{
public:
    enum class WorkerEvent {
        Starting,         // a process was started (pid)
        Ready,            // its control connection finished the handshake (pid)
        Exited,           // it ended (pid; detail: the exit code, or minus the
                          // signal that killed it; text says why)
        RestartScheduled, // detail: the backoff delay in milliseconds
        GaveUp,           // it died too often; no more restarts (text says why)
        Recycling,        // it served its calls and is asked to exit
        Idle,             // a remote slot whose name has no address for it
                          // now: it waits, not retried (text says why)
    };

    virtual ~QGbEngineListener();

    virtual void workerEvent(int worker, WorkerEvent event, qint64 pid, qint64 detail,
                             const QString &text);
    virtual void workerOutput(int worker, QProcess::ProcessChannel channel, const QByteArray &line);
    virtual void heartbeat(int worker, qint64 roundTripMicroseconds);

    virtual void connectionOpened(const QGbConnection &connection);
    virtual void connectionClosed(const QGbConnection &connection, const QGbError &reason);
    // frames: one message's frames as written (its attachments included).
    virtual void messageSent(const QGbConnection &connection, const QByteArray &frames);
    virtual void messageReceived(const QGbConnection &connection, const QGbWire::Message &message);

    virtual void callStarted(const QGbCallRecord &call);
    virtual void callEnded(const QGbCallRecord &call);
    // The worker has used its output credit (output) or the host its input
    // credit (input) and waits for more.
    virtual void creditStalled(const QGbCallRecord &call, bool input);
};

// What the three parts of an engine share: the options, the pool's tokens,
// its clock, whether it is shutting down, and the listener.
struct QGbEngineContext
{
    QGbPoolOptions options;
    QString script;
    QByteArray token;       // the local workers'
    QByteArray remoteToken; // the remote workers' (QGbPoolOptions::remoteToken())
    QStringList endpoints;  // by worker: "host:port" of a remote worker, empty for a local one
    QElapsedTimer clock;
    bool shuttingDown = false;
    QGbError startError; // why the pool could not start, if it could not
    QGbEngineListener *listener = nullptr;
};

#endif // QGBENGINEEVENTS_P_H
