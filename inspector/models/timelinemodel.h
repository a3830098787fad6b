// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef TIMELINEMODEL_H
#define TIMELINEMODEL_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qhash.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qobject.h>
#include <QtCore/qstringlist.h>

#include <deque>
#include <set>
#include <vector>

// What the Timeline view draws, indexed by time: one lane per worker slot,
// the lane's worker processes (started, ready, exited; the restart's backoff;
// recycled; given up) and its calls as spans [start, end].
//
// A lane's calls are kept in rows: a call goes into the lowest row that is
// free when it starts, so the calls of a row never overlap and are sorted by
// start and by end alike; the calls visible in [from, to] are found by a
// binary search in each row. Capped: past capacity() calls the oldest go.
//
// A call id is unique per connection only (each connection numbers its
// calls, and a restarted worker's connections start again), and a call's end
// event does not name its connection: an end goes to the running call of
// that id on that worker with that method, the oldest if several. Each call
// gets a key of its own (Call::key); lookups by id find the latest call with
// that id.
class TimelineModel : public QObject
{
    Q_OBJECT
public:
    enum class Outcome : quint8 { Running, Ok, Error, Cancelled, Crashed };
    Q_ENUM(Outcome)

    // One worker process in a lane.
    struct Process
    {
        qint64 pid = 0;
        QString endpoint;  // a remote worker's "host:port" (it has no pid)
        qint64 start = 0;  // "starting" (the capture's first time if that was not seen)
        qint64 ready = -1; // "ready", -1 until then
        qint64 end = -1;   // "exited" (or "idle"), -1 while it runs
        int exitCode = 0;
        int signal = 0;
        bool lost = false;              // a remote worker's connection ended (no exit status)
        bool idle = false;              // a remote slot left without an address: it waits
        QString reason;                 // why it exited
        qint64 recyclingAt = -1;        // "recycling": the pool replaces it on purpose
        qint64 restartScheduledAt = -1; // "restartScheduled" after the exit
        qint64 restartDelayMs = -1;
        qint64 gaveUpAt = -1; // "gaveUp": the pool stopped restarting the slot
        QString gaveUpReason;

        bool exited() const { return end >= 0; }
        bool recycled() const { return recyclingAt >= 0; }
        // Exited by a signal or a non-zero code, or a remote worker's lost
        // connection, and not recycled.
        bool crashed() const
        {
            return exited() && !recycled() && (signal != 0 || exitCode != 0 || lost);
        }
        // "killed by signal 9: <reason>", "exited with code 3: <reason>", a
        // lost connection's reason, or "idle: <reason>".
        QString exitText() const;
        // "pid 123", or a remote worker's "host:port".
        QString name() const;
    };

    // One call in a lane.
    struct Call
    {
        qint64 key = 0;  // unique in the capture
        qint64 id = 0;   // the call id (per connection)
        qint64 link = 0; // the pool's number of its connection (0: not known)
        int connection = -1;
        qint64 start = 0;
        qint64 end = -1; // -1 while it runs
        Outcome outcome = Outcome::Running;
        int method = 0; // an index for methodName()
        int code = 0;   // the outcome's code name, an index for codeName()

        bool running() const { return end < 0; }
    };

    explicit TimelineModel(QObject *parent = nullptr);
    ~TimelineModel() override;

    // The most calls kept; default 200000 (about 10 MB).
    void setCapacity(qsizetype calls);
    qsizetype capacity() const;

    // A new capture with this many worker slots.
    void reset(int workers);
    void addEvents(const QList<QGbInspect::Message> &batch);

    int laneCount() const;
    // The first and last event times (pool clock, ns); 0 when empty.
    qint64 firstTime() const;
    qint64 lastTime() const;
    qsizetype callCount() const;

    const std::vector<Process> &processes(int lane) const;
    // The rows of a lane's calls (how many calls overlapped at most).
    int rowCount(int lane) const;
    // The calls of a lane's row that overlap [from, to] (a running call
    // reaches to the end of time), in order.
    QList<Call> calls(int lane, int row, qint64 from, qint64 to) const;
    // The calls of a lane, all rows, that overlap [from, to].
    QList<Call> calls(int lane, qint64 from, qint64 to) const;
    // The latest call with this id: false if there is none (or no longer).
    bool findCall(qint64 id, Call *call, int *lane = nullptr, int *row = nullptr) const;
    // A call by its key.
    bool findCallByKey(qint64 key, Call *call, int *lane = nullptr, int *row = nullptr) const;
    // The key of the call with this id on the connection link (the pool's
    // number for it), or with link 0 of the latest call with this id; or 0.
    qint64 keyOf(qint64 id, qint64 link = 0) const;
    // The failed calls (any outcome but Ok, Running) of a lane whose end is in [from, to].
    QList<Call> failedCalls(int lane, qint64 from, qint64 to) const;

    QString methodName(int index) const;
    QString codeName(int index) const;

    // Low-level access for painting: a row's calls, and the index of its
    // first call whose end is at or after t (its size if none).
    const std::deque<Call> &rowCalls(int lane, int row) const;
    qsizetype lowerBound(int lane, int row, qint64 t) const;

Q_SIGNALS:
    // New events were added (once per batch), or the capture was reset.
    void changed();

private:
    struct Row
    {
        std::deque<Call> calls;
        qint64 base = 0; // the serial of calls.front()
    };
    struct Failed
    {
        qint64 key;
        qint64 end;
    };
    struct Lane
    {
        std::vector<Process> processes;
        std::vector<Row> rows;
        std::set<int> freeRows;    // rows whose last call ended
        std::deque<Failed> failed; // in the order they ended
    };
    struct Where
    {
        int lane;
        int row;
        qint64 serial;
    };
    Lane *laneFor(int worker);
    Process *openProcess(Lane *lane, qint64 t, bool create);
    // Appends a process to the lane; the oldest go past MaxProcesses.
    Process *addProcess(Lane *lane, Process process);
    void workerEvent(const QGbInspect::Message &event, qint64 t);
    void callStart(const QGbInspect::Message &event, qint64 t);
    void callEnd(const QGbInspect::Message &event, qint64 t);
    int placeCall(Lane *lane, int laneIndex, Call call);
    Call *callAt(const Where &where);
    int intern(QHash<QString, int> *indexes, QStringList *names, const QString &name);
    void evict();

    std::vector<Lane> m_lanes;
    QHash<qint64, Where> m_index;   // call key -> where it is
    QHash<qint64, qint64> m_latest; // call id -> the key of the latest call with it
    QHash<std::pair<qint64, qint64>, qint64> m_linked; // (link, call id) -> key
    QMultiHash<qint64, qint64> m_running; // call id -> keys of the running calls with it
    QHash<QString, int> m_methodIndex;
    QStringList m_methods;
    QHash<QString, int> m_codeIndex;
    QStringList m_codes;
    qsizetype m_capacity = 200000;
    qsizetype m_count = 0;
    qint64 m_first = 0;
    qint64 m_last = 0;
    qint64 m_nextKey = 0;
};

#endif // TIMELINEMODEL_H
