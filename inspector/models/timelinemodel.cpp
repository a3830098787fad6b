// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "timelinemodel.h"

#include "workerexit.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace {
// The most worker slots (as WorkersModel) and processes kept per lane.
constexpr int MaxLanes = 4096;
constexpr size_t MaxProcesses = 10000;
constexpr qint64 Forever = std::numeric_limits<qint64>::max();

qint64 endOf(const TimelineModel::Call &call)
{
    return call.end < 0 ? Forever : call.end;
}

TimelineModel::Outcome outcomeOf(const QString &code)
{
    if (code == "Ok"_L1)
        return TimelineModel::Outcome::Ok;
    if (code == "Cancelled"_L1)
        return TimelineModel::Outcome::Cancelled;
    if (code == "WorkerCrashed"_L1)
        return TimelineModel::Outcome::Crashed;
    return TimelineModel::Outcome::Error;
}
} // namespace

QString TimelineModel::Process::exitText() const
{
    return exited() ? workerExitText(!lost, signal, exitCode, reason, idle) : QString();
}

QString TimelineModel::Process::name() const
{
    if (pid || endpoint.isEmpty())
        return u"pid %1"_s.arg(pid);
    return endpoint;
}

TimelineModel::TimelineModel(QObject *parent)
    : QObject(parent)
{
}

TimelineModel::~TimelineModel() = default;

void TimelineModel::setCapacity(qsizetype calls)
{
    m_capacity = qMax<qsizetype>(1, calls);
    evict();
}

qsizetype TimelineModel::capacity() const
{
    return m_capacity;
}

void TimelineModel::reset(int workers)
{
    m_lanes.clear();
    m_lanes.resize(size_t(qBound(0, workers, MaxLanes)));
    m_index.clear();
    m_latest.clear();
    m_linked.clear();
    m_running.clear();
    m_methodIndex.clear();
    m_methods.clear();
    m_codeIndex.clear();
    m_codes.clear();
    m_count = 0;
    m_first = 0;
    m_last = 0;
    emit changed();
}

int TimelineModel::intern(QHash<QString, int> *indexes, QStringList *names, const QString &name)
{
    const auto it = indexes->constFind(name);
    if (it != indexes->cend())
        return *it;
    names->append(name);
    indexes->insert(name, int(names->size() - 1));
    return int(names->size() - 1);
}

TimelineModel::Lane *TimelineModel::laneFor(int worker)
{
    if (worker < 0 || worker >= MaxLanes)
        return nullptr;
    if (worker >= int(m_lanes.size()))
        m_lanes.resize(size_t(worker) + 1);
    return &m_lanes[size_t(worker)];
}

// The lane's process that has not exited; with create, one that began
// before the capture (its start unseen) when the lane has none yet.
TimelineModel::Process *TimelineModel::openProcess(Lane *lane, qint64 t, bool create)
{
    if (!lane->processes.empty() && !lane->processes.back().exited())
        return &lane->processes.back();
    if (!create)
        return nullptr;
    Process process;
    process.start = lane->processes.empty() ? qMin(m_first, t) : t;
    return addProcess(lane, std::move(process));
}

TimelineModel::Process *TimelineModel::addProcess(Lane *lane, Process process)
{
    lane->processes.push_back(std::move(process));
    if (lane->processes.size() > MaxProcesses)
        lane->processes.erase(lane->processes.begin(),
                              lane->processes.begin() + qsizetype(MaxProcesses / 10));
    return &lane->processes.back();
}

void TimelineModel::addEvents(const QList<QGbInspect::Message> &batch)
{
    if (batch.isEmpty())
        return;
    for (const QGbInspect::Message &event : batch) {
        if (!event.contains(u"t"))
            continue;
        const qint64 t = event.value(u"t").toInteger();
        if (m_first == 0 || t < m_first)
            m_first = t;
        m_last = qMax(m_last, t);
        const QString type = event.type();
        if (type == "worker"_L1) {
            workerEvent(event, t);
        } else if (type == "call"_L1) {
            if (event.value(u"event").toString() == "start"_L1)
                callStart(event, t);
            else
                callEnd(event, t);
        }
    }
    evict();
    emit changed();
}

void TimelineModel::workerEvent(const QGbInspect::Message &event, qint64 t)
{
    Lane *lane = laneFor(event.value(u"worker").toInt(-1));
    if (!lane)
        return;
    const QString state = event.value(u"state").toString();
    const qint64 pid = event.value(u"pid").toInteger();
    if (state == "starting"_L1) {
        // An exit that was not seen (lost): the previous process ends here.
        if (Process *previous = openProcess(lane, t, false))
            previous->end = t;
        Process process;
        process.pid = pid;
        process.endpoint = event.value(u"endpoint").toString();
        process.start = t;
        addProcess(lane, std::move(process));
        return;
    }
    if (state == "restartScheduled"_L1 || state == "gaveUp"_L1) {
        if (lane->processes.empty())
            return;
        Process &last = lane->processes.back();
        if (state == "gaveUp"_L1) {
            last.gaveUpAt = t;
            last.gaveUpReason = event.value(u"reason").toString();
        } else {
            last.restartScheduledAt = t;
            last.restartDelayMs = event.value(u"delayMs").toInteger();
        }
        return;
    }
    Process *process = openProcess(lane, t, true);
    if (pid)
        process->pid = pid;
    if (event.contains(u"endpoint"))
        process->endpoint = event.value(u"endpoint").toString();
    if (state == "ready"_L1) {
        process->ready = t;
    } else if (state == "recycling"_L1) {
        process->recyclingAt = t;
    } else if (state == "exited"_L1 || state == "idle"_L1) {
        process->end = t;
        process->exitCode = event.value(u"exitCode").toInt();
        process->signal = event.value(u"signal").toInt();
        process->idle = state == "idle"_L1;
        // A remote worker's exit is its connection's end: it has no status.
        process->lost =
                !process->idle && !event.contains(u"exitCode") && !event.contains(u"signal");
        process->reason = event.value(u"reason").toString();
        if (process->ready < 0 && process->start < m_first)
            process->ready = process->start;
    }
}

TimelineModel::Call *TimelineModel::callAt(const Where &where)
{
    Row &row = m_lanes[size_t(where.lane)].rows[size_t(where.row)];
    return &row.calls[size_t(where.serial - row.base)];
}

int TimelineModel::placeCall(Lane *lane, int laneIndex, Call call)
{
    call.key = ++m_nextKey;
    int row = -1;
    if (call.end < 0) {
        // Starts come in time order: a row free now is free at its start.
        if (!lane->freeRows.empty()) {
            row = *lane->freeRows.begin();
            lane->freeRows.erase(lane->freeRows.begin());
        }
    } else {
        // An end whose start was not seen: a row whose calls ended before it began.
        for (int r = 0; r < int(lane->rows.size()); ++r) {
            const std::deque<Call> &calls = lane->rows[size_t(r)].calls;
            if (calls.empty() || endOf(calls.back()) <= call.start) {
                row = r;
                break;
            }
        }
    }
    if (row < 0) {
        row = int(lane->rows.size());
        lane->rows.emplace_back();
        if (call.end >= 0)
            lane->freeRows.insert(row);
    }
    Row &r = lane->rows[size_t(row)];
    m_index.insert(call.key, Where { laneIndex, row, r.base + qint64(r.calls.size()) });
    m_latest.insert(call.id, call.key);
    if (call.link > 0)
        m_linked.insert({ call.link, call.id }, call.key);
    if (call.end < 0)
        m_running.insert(call.id, call.key);
    r.calls.push_back(call);
    ++m_count;
    return row;
}

void TimelineModel::callStart(const QGbInspect::Message &event, qint64 t)
{
    const qint64 id = event.value(u"call").toInteger();
    const int worker = event.value(u"worker").toInt(-1);
    Lane *lane = laneFor(worker);
    if (!id || !lane)
        return;
    openProcess(lane, t, true); // a lane with calls has a process
    Call call;
    call.id = id;
    call.connection = event.value(u"connection").toInt(-1);
    call.link = event.value(u"link").toInteger();
    call.start = t;
    call.method = intern(&m_methodIndex, &m_methods, event.value(u"method").toString());
    placeCall(lane, worker, call);
}

void TimelineModel::callEnd(const QGbInspect::Message &event, qint64 t)
{
    const qint64 id = event.value(u"call").toInteger();
    if (!id)
        return;
    const QString code = event.value(u"outcome").toString();
    const int worker = event.value(u"worker").toInt(-1);
    const int method = intern(&m_methodIndex, &m_methods, event.value(u"method").toString());
    const qint64 link = event.value(u"link").toInteger();
    // The running call of that id: on that connection (the link names it,
    // where the pool sent one), else on that worker, of that method, the oldest.
    qint64 key = 0;
    int rank = -1;
    qint64 start = 0;
    for (auto it = m_running.constFind(id); it != m_running.cend() && it.key() == id; ++it) {
        const auto where = m_index.constFind(*it);
        if (where == m_index.cend())
            continue;
        const Call &c = *callAt(*where);
        const int r = (link > 0 && c.link == link) * 4 + (worker < 0 || where->lane == worker) * 2
                + (c.method == method);
        if (r > rank || (r == rank && c.start < start)) {
            key = *it;
            rank = r;
            start = c.start;
        }
    }
    Call *call = nullptr;
    int laneIndex = -1;
    if (key && rank >= 2) {
        m_running.remove(id, key);
        const Where where = m_index.value(key);
        call = callAt(where);
        laneIndex = where.lane;
        call->end = qMax(t, call->start);
        // Its row is free again: nothing after it in the row runs.
        m_lanes[size_t(where.lane)].freeRows.insert(where.row);
    } else {
        // The start was lost (the flight recorder had dropped it, or the
        // cap): drawn from its duration. A call that never reached a
        // worker (no lane) is not drawn.
        Lane *lane = laneFor(worker);
        if (!lane)
            return;
        Call ended;
        ended.id = id;
        ended.link = link;
        ended.end = t;
        ended.start = qMax<qint64>(0, t - event.value(u"durationUs").toInteger() * 1000);
        ended.method = method;
        const int row = placeCall(lane, worker, ended);
        call = &lane->rows[size_t(row)].calls.back();
        laneIndex = worker;
    }
    call->outcome = outcomeOf(code);
    call->code = intern(&m_codeIndex, &m_codes, code);
    if (call->outcome != Outcome::Ok) {
        std::deque<Failed> &failed = m_lanes[size_t(laneIndex)].failed;
        failed.push_back(Failed { call->key, call->end });
        if (qsizetype(failed.size()) > m_capacity)
            failed.pop_front();
    }
}

// Past the capacity, removes the calls that started first (a tenth of the
// capacity at once, so that it does not happen for every batch).
void TimelineModel::evict()
{
    if (m_count <= m_capacity)
        return;
    const qsizetype target = m_capacity - m_capacity / 10;
    while (m_count > target) {
        // The row whose first call started first, and the next row's first start.
        Lane *oldestLane = nullptr;
        int oldestRow = -1;
        qint64 oldest = Forever;
        qint64 next = Forever;
        for (Lane &lane : m_lanes) {
            for (int r = 0; r < int(lane.rows.size()); ++r) {
                const std::deque<Call> &calls = lane.rows[size_t(r)].calls;
                if (calls.empty())
                    continue;
                const qint64 start = calls.front().start;
                if (start < oldest) {
                    next = oldest;
                    oldest = start;
                    oldestLane = &lane;
                    oldestRow = r;
                } else if (start < next) {
                    next = start;
                }
            }
        }
        if (!oldestLane)
            break;
        // From that row, the calls that started before the other rows' first.
        Row &row = oldestLane->rows[size_t(oldestRow)];
        do {
            const Call &front = row.calls.front();
            m_index.remove(front.key);
            if (m_latest.value(front.id) == front.key)
                m_latest.remove(front.id);
            if (front.link > 0)
                m_linked.remove({ front.link, front.id });
            if (front.end < 0) { // its end will be drawn from its duration: the row is free
                m_running.remove(front.id, front.key);
                oldestLane->freeRows.insert(oldestRow);
            }
            row.calls.pop_front();
            ++row.base;
            --m_count;
        } while (m_count > target && !row.calls.empty() && row.calls.front().start <= next);
    }
    for (Lane &lane : m_lanes) {
        while (!lane.failed.empty() && !m_index.contains(lane.failed.front().key))
            lane.failed.pop_front();
    }
}

int TimelineModel::laneCount() const
{
    return int(m_lanes.size());
}

qint64 TimelineModel::firstTime() const
{
    return m_first;
}

qint64 TimelineModel::lastTime() const
{
    return m_last;
}

qsizetype TimelineModel::callCount() const
{
    return m_count;
}

const std::vector<TimelineModel::Process> &TimelineModel::processes(int lane) const
{
    static const std::vector<Process> none;
    return lane >= 0 && lane < laneCount() ? m_lanes[size_t(lane)].processes : none;
}

int TimelineModel::rowCount(int lane) const
{
    return lane >= 0 && lane < laneCount() ? int(m_lanes[size_t(lane)].rows.size()) : 0;
}

const std::deque<TimelineModel::Call> &TimelineModel::rowCalls(int lane, int row) const
{
    static const std::deque<Call> none;
    if (row < 0 || row >= rowCount(lane))
        return none;
    return m_lanes[size_t(lane)].rows[size_t(row)].calls;
}

qsizetype TimelineModel::lowerBound(int lane, int row, qint64 t) const
{
    const std::deque<Call> &calls = rowCalls(lane, row);
    const auto it = std::partition_point(calls.begin(), calls.end(),
                                         [t](const Call &c) { return endOf(c) < t; });
    return qsizetype(it - calls.begin());
}

QList<TimelineModel::Call> TimelineModel::calls(int lane, int row, qint64 from, qint64 to) const
{
    QList<Call> out;
    const std::deque<Call> &calls = rowCalls(lane, row);
    for (size_t i = size_t(lowerBound(lane, row, from)); i < calls.size() && calls[i].start <= to;
         ++i)
        out.append(calls[i]);
    return out;
}

QList<TimelineModel::Call> TimelineModel::calls(int lane, qint64 from, qint64 to) const
{
    QList<Call> out;
    for (int row = 0; row < rowCount(lane); ++row)
        out += calls(lane, row, from, to);
    std::sort(out.begin(), out.end(),
              [](const Call &a, const Call &b) { return a.start < b.start; });
    return out;
}

bool TimelineModel::findCall(qint64 id, Call *call, int *lane, int *row) const
{
    return findCallByKey(keyOf(id), call, lane, row);
}

qint64 TimelineModel::keyOf(qint64 id, qint64 link) const
{
    return link > 0 ? m_linked.value({ link, id }) : m_latest.value(id);
}

bool TimelineModel::findCallByKey(qint64 key, Call *call, int *lane, int *row) const
{
    const auto it = m_index.constFind(key);
    if (it == m_index.cend())
        return false;
    const Row &r = m_lanes[size_t(it->lane)].rows[size_t(it->row)];
    if (call)
        *call = r.calls[size_t(it->serial - r.base)];
    if (lane)
        *lane = it->lane;
    if (row)
        *row = it->row;
    return true;
}

QList<TimelineModel::Call> TimelineModel::failedCalls(int lane, qint64 from, qint64 to) const
{
    QList<Call> out;
    if (lane < 0 || lane >= laneCount())
        return out;
    const std::deque<Failed> &failed = m_lanes[size_t(lane)].failed;
    auto it = std::partition_point(failed.begin(), failed.end(),
                                   [from](const Failed &f) { return f.end < from; });
    for (; it != failed.end() && it->end <= to; ++it) {
        Call call;
        if (findCallByKey(it->key, &call))
            out.append(call);
    }
    return out;
}

QString TimelineModel::methodName(int index) const
{
    return m_methods.value(index);
}

QString TimelineModel::codeName(int index) const
{
    return m_codes.value(index);
}
