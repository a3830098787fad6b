// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBSESSION_P_H
#define QGBSESSION_P_H

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

#include "qgbcallrecord_p.h"
#include "qgbengineevents_p.h"
#include "qgbframing_p.h"

#include <QtCore/qobject.h>

#include <chrono>
#include <memory>
#include <vector>

class QGbScheduler;
class QGbSocket;
class QGbSupervisor;
class QGbWorker;

// One connection to a worker: a control connection, or a call connection that
// runs one call at a time.
class QGbConnection
{
public:
    enum class State { Connecting, Handshaking, Idle, Busy, Closed };

    QGbWorker *worker = nullptr;
    QGbSocket *socket = nullptr;
    std::unique_ptr<QGbWire::FrameReader> reader;
    bool control = false;
    bool lost = false; // the peer closed it or it broke (as opposed to closed by us)
    State state = State::Connecting;
    qint64 connId = -1;            // the worker's number for it (its hello), unique in that process
    bool keywordArguments = false; // the worker's hello lists "kwargs"
    qint64 link = 0;               // the pool's number for it, unique in the pool: 1, 2, ...
    qint64 lastCallId = 0;
    QGbCallPtr call;
};

// Connection sessions: opens connections to a worker, runs the handshake,
// splits what arrives into messages and hands them on (the control
// connection's to supervision, the calls' to scheduling), writes what the
// other parts send, and closes connections, telling the owner of what ran on
// them.
class QGbSessions : public QObject
{
    Q_OBJECT
public:
    QGbSessions(QGbEngineContext &context, QObject *parent);
    ~QGbSessions() override;
    void setParts(QGbSupervisor *supervisor, QGbScheduler *scheduler);

    QGbConnection *open(QGbWorker *worker, bool control);
    void close(QGbConnection *connection, const QGbError &error);
    // Closes the connection of a worker that sent a malformed frame, and says so in the log.
    void closeMalformed(QGbConnection *connection, const QGbError &error);
    // Closes every connection of the worker, its control connection last.
    void closeWorker(QGbWorker *worker, const QGbError &error);
    // Writes at once; false if the connection is closed.
    bool send(QGbConnection *connection, const QByteArray &frames);
    // Call connections opened and not through their handshake yet.
    int opening() const { return m_opening; }
    // After a refused connect, how long a worker gets before the next one.
    static constexpr std::chrono::milliseconds ConnectRetryDelay { 50 };

private:
    void onConnected(QGbConnection *connection);
    void onLost(QGbConnection *connection, const QString &reason);
    void onReadyRead(QGbConnection *connection);
    bool handleMessage(QGbConnection *connection, QGbWire::Message &message);
    void handshakeDone(QGbConnection *connection, QGbWire::Message &message);

    QGbEngineContext &m_context;
    QGbSupervisor *m_supervisor = nullptr;
    QGbScheduler *m_scheduler = nullptr;
    int m_opening = 0;
    qint64 m_lastLink = 0;
    std::vector<QGbConnection *> m_closed; // deleted on the next loop turn
};

#endif // QGBSESSION_P_H
