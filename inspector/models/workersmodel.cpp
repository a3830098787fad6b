// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "workersmodel.h"

#include "workerexit.h"

#include <QtGui/qcolor.h>

using namespace Qt::StringLiterals;

namespace {
// Links whose close never came (lost too) are all forgotten past this.
constexpr qsizetype MaxRunning = 65536;

QString exitText(const QGbInspect::Message &event)
{
    return workerExitText(event.contains(u"signal") || event.contains(u"exitCode"),
                          event.value(u"signal").toInt(), event.value(u"exitCode").toInt(),
                          event.value(u"reason").toString());
}
} // namespace

WorkersModel::WorkersModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void WorkersModel::reset(int workers)
{
    beginResetModel();
    m_workers.assign(size_t(qBound(0, workers, 4096)), Worker());
    m_running.clear();
    m_now = 0;
    endResetModel();
}

void WorkersModel::ensureRows(int count)
{
    count = qMin(count, 4096);
    if (count <= int(m_workers.size()))
        return;
    beginInsertRows(QModelIndex(), int(m_workers.size()), count - 1);
    m_workers.resize(size_t(count));
    endInsertRows();
}

void WorkersModel::setNow(qint64 ns)
{
    if (ns <= m_now)
        return;
    m_now = ns;
    if (!m_workers.empty())
        emit dataChanged(index(0, Uptime), index(int(m_workers.size()) - 1, Uptime));
}

void WorkersModel::forget(qint64 link)
{
    const auto it = m_running.constFind(link);
    if (it == m_running.cend())
        return;
    if (it->worker >= 0 && it->worker < int(m_workers.size()))
        --m_workers[size_t(it->worker)].current;
    m_running.erase(it);
}

void WorkersModel::addEvents(const QList<QGbInspect::Message> &batch)
{
    int maxWorker = -1;
    for (const QGbInspect::Message &event : batch)
        maxWorker = qMax(maxWorker, event.value(u"worker").toInt(-1));
    ensureRows(maxWorker + 1);

    bool changed = false;
    for (const QGbInspect::Message &event : batch) {
        const QString type = event.type();
        const qint64 t = event.value(u"t").toInteger();
        if (t > m_now)
            m_now = t;
        if (type == "worker"_L1) {
            const int slot = event.value(u"worker").toInt(-1);
            if (slot < 0 || slot >= int(m_workers.size()))
                continue;
            Worker &w = m_workers[size_t(slot)];
            const QString state = event.value(u"state").toString();
            w.state = state;
            if (event.contains(u"pid"))
                w.pid = event.value(u"pid").toInteger();
            if (event.contains(u"endpoint"))
                w.endpoint = event.value(u"endpoint").toString();
            w.stateReason.clear();
            if (state == "starting"_L1) {
                ++w.starts;
                w.readyAt = -1;
            } else if (state == "ready"_L1) {
                w.readyAt = t;
            } else if (state == "exited"_L1) {
                w.readyAt = -1;
                w.lastError = exitText(event);
                // Its calls ended with it, whether or not their ends came.
                for (auto it = m_running.begin(); it != m_running.end();)
                    it = it->worker == slot ? m_running.erase(it) : std::next(it);
                w.current = 0;
            } else if (state == "idle"_L1) {
                // A remote slot whose name has no address for it: not an error.
                w.readyAt = -1;
                w.stateReason = event.value(u"reason").toString();
            } else if (state == "gaveUp"_L1) {
                w.lastError = u"gave up: "_s + event.value(u"reason").toString();
            }
            changed = true;
        } else if (type == "connection"_L1) {
            if (event.value(u"event").toString() == "close"_L1) {
                forget(event.value(u"link").toInteger());
                changed = true;
            }
        } else if (type == "call"_L1) {
            const qint64 link = event.value(u"link").toInteger();
            const qint64 call = event.value(u"call").toInteger();
            const bool isStart = event.value(u"event").toString() == "start"_L1;
            int slot = event.value(u"worker").toInt(-1);
            if (isStart) {
                if (slot < 0 || slot >= int(m_workers.size()))
                    continue;
                ++m_workers[size_t(slot)].started;
                forget(link);
                if (m_running.size() >= MaxRunning) {
                    m_running.clear();
                    for (Worker &w : m_workers)
                        w.current = 0;
                }
                m_running.insert(link, { call, slot });
                ++m_workers[size_t(slot)].current;
            } else {
                int known = -1;
                const auto it = m_running.constFind(link);
                if (it != m_running.cend() && it->call == call) {
                    known = it->worker;
                    forget(link);
                }
                if (slot < 0)
                    slot = known;
                if (slot < 0 || slot >= int(m_workers.size()))
                    continue;
                Worker &w = m_workers[size_t(slot)];
                const QString outcome = event.value(u"outcome").toString();
                if (outcome == "Ok"_L1) {
                    ++w.succeeded;
                } else {
                    ++w.failed;
                    w.lastError = u"%1: %2"_s.arg(event.value(u"method").toString(), outcome);
                }
            }
            changed = true;
        }
    }
    if (changed && !m_workers.empty())
        emit dataChanged(index(0, 0), index(int(m_workers.size()) - 1, ColumnCount - 1));
}

int WorkersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_workers.size());
}

int WorkersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Worker &w = m_workers[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Slot:
            return index.row();
        case Pid:
            if (w.pid)
                return w.pid;
            return w.endpoint.isEmpty() ? u"-"_s : w.endpoint;
        case State:
            return w.state;
        case Uptime:
            if (w.readyAt < 0)
                return u"-"_s;
            return QString::number(double(qMax<qint64>(0, m_now - w.readyAt)) / 1e9, 'f', 1)
                    + u" s"_s;
        case Started:
            return w.started;
        case Succeeded:
            return w.succeeded;
        case Failed:
            return w.failed;
        case Restarts:
            return qMax(0, w.starts - 1);
        case Current:
            return w.current;
        case LastError:
            return w.lastError;
        }
        return QVariant();
    case Qt::ToolTipRole:
        if (index.column() == State && !w.stateReason.isEmpty())
            return w.stateReason;
        if (index.column() == Pid && !w.endpoint.isEmpty())
            return tr("remote worker at %1").arg(w.endpoint);
        return QVariant();
    case Qt::ForegroundRole:
        if (index.column() == State && w.state == "idle"_L1)
            return QColor(Qt::darkGray);
        if (index.column() == State && w.state != "ready"_L1)
            return QColor(w.state == "starting"_L1 ? Qt::darkYellow : Qt::red);
        if (index.column() == LastError)
            return QColor(Qt::red);
        return QVariant();
    case PidRole:
        return w.pid;
    case StateRole:
        return w.state;
    case EndpointRole:
        return w.endpoint;
    }
    return QVariant();
}

QVariant WorkersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= ColumnCount)
        return QVariant();
    static const char *const names[] = {
        "Slot",      "Process", "State",    "Uptime",  "Calls",
        "Succeeded", "Failed",  "Restarts", "Current", "Last error"
    };
    return QString::fromLatin1(names[section]);
}
