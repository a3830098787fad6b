// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "callsmodel.h"

#include <QtGui/qcolor.h>

using namespace Qt::StringLiterals;

CallsModel::CallsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void CallsModel::setCapacity(int rows)
{
    m_capacity = qMax(1, rows);
    const int excess = int(m_calls.size()) - m_capacity;
    if (excess > 0)
        removeFront(excess);
}

int CallsModel::capacity() const
{
    return m_capacity;
}

void CallsModel::clear()
{
    beginResetModel();
    m_calls.clear();
    m_serialOf.clear();
    m_base = 0;
    m_evictedUpTo.clear();
    endResetModel();
}

int CallsModel::rowOf(qint64 call, qint64 link) const
{
    const auto it = m_serialOf.constFind(Key(link, call));
    return it == m_serialOf.cend() ? -1 : int(*it - m_base);
}

void CallsModel::evicted(const Call &call)
{
    qint64 &upTo = m_evictedUpTo[call.link];
    upTo = qMax(upTo, call.id);
    m_serialOf.remove(Key(call.link, call.id));
}

void CallsModel::removeFront(int count)
{
    beginRemoveRows(QModelIndex(), 0, count - 1);
    for (int i = 0; i < count; ++i) {
        evicted(m_calls.front());
        m_calls.pop_front();
    }
    m_base += count;
    endRemoveRows();
}

void CallsModel::addEvents(const QList<QGbInspect::Message> &batch)
{
    std::vector<Call> added;
    int firstChanged = INT_MAX;
    int lastChanged = -1;
    const qint64 end = m_base + qint64(m_calls.size());
    auto find = [&](const Key &key) -> Call * {
        const auto it = m_serialOf.constFind(key);
        if (it == m_serialOf.cend())
            return nullptr;
        if (*it < end) {
            const int row = int(*it - m_base);
            firstChanged = qMin(firstChanged, row);
            lastChanged = qMax(lastChanged, row);
            return &m_calls[size_t(row)];
        }
        return &added[size_t(*it - end)];
    };
    for (const QGbInspect::Message &event : batch) {
        const QString type = event.type();
        const qint64 id = event.value(u"call").toInteger();
        if (id == 0)
            continue;
        // Call ids are per connection; link is the pool's number for it
        // (absent from captures of older pools: 0, as one connection).
        const Key key(event.value(u"link").toInteger(), id);
        if (type == "call"_L1) {
            const bool isStart = event.value(u"event").toString() == "start"_L1;
            Call *call = find(key);
            // The end of a call whose row was removed (the cap) makes no new
            // row; an end without a start (the flight recorder lost it) does.
            if (!call && !isStart && id <= m_evictedUpTo.value(key.first))
                continue;
            if (!call) {
                m_serialOf.insert(key, end + qint64(added.size()));
                added.push_back(Call());
                call = &added.back();
                call->id = id;
                call->link = key.first;
            }
            if (event.contains(u"method"))
                call->method = event.value(u"method").toString();
            if (event.contains(u"mode"))
                call->mode = event.value(u"mode").toString();
            if (event.contains(u"worker"))
                call->worker = event.value(u"worker").toInt(-1);
            if (isStart) {
                call->start = event.value(u"t").toInteger();
            } else {
                call->durationUs = event.value(u"durationUs").toInteger();
                call->itemsIn = event.value(u"itemsIn").toInteger();
                call->itemsOut = event.value(u"itemsOut").toInteger();
                call->outcome = event.value(u"outcome").toString();
                if (!call->start)
                    call->start = event.value(u"t").toInteger() - call->durationUs * 1000;
            }
        } else if (type == "frame"_L1) {
            if (Call *call = find(key)) {
                call->bytes += event.value(u"size").toInteger()
                        + event.value(u"attachmentBytes").toInteger();
                if (call->worker < 0 && event.contains(u"worker"))
                    call->worker = event.value(u"worker").toInt(-1);
            }
        }
    }
    if (lastChanged >= 0)
        emit dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
    if (added.empty())
        return;
    if (added.size() > size_t(m_capacity)) {
        const size_t drop = added.size() - size_t(m_capacity);
        for (size_t i = 0; i < drop; ++i)
            evicted(added[i]);
        // Serials of what remains shift: renumber below.
        added.erase(added.begin(), added.begin() + qsizetype(drop));
    }
    const int excess = int(m_calls.size() + added.size()) - m_capacity;
    if (excess > 0)
        removeFront(qMin(excess, int(m_calls.size())));
    const int first = int(m_calls.size());
    beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
    for (Call &call : added) {
        m_serialOf.insert(Key(call.link, call.id), m_base + qint64(m_calls.size()));
        m_calls.push_back(std::move(call));
    }
    endInsertRows();
}

int CallsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_calls.size());
}

int CallsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CallsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Call &c = m_calls[size_t(index.row())];
    const bool running = c.outcome.isEmpty();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Id:
            return c.id;
        case Method:
            return c.method;
        case Mode:
            return c.mode;
        case Worker:
            return c.worker >= 0 ? QVariant(c.worker) : QVariant(u"-"_s);
        case Connection:
            return c.link > 0 ? QVariant(c.link) : QVariant(u"-"_s);
        case Start:
            return QString::number(double(c.start) / 1e6, 'f', 3);
        case Duration:
            return running ? QString() : QString::number(double(c.durationUs) / 1e3, 'f', 3);
        case ItemsIn:
            return c.itemsIn;
        case ItemsOut:
            return c.itemsOut;
        case Bytes:
            return c.bytes;
        case Outcome:
            return running ? u"running"_s : c.outcome;
        }
        return QVariant();
    case Qt::ForegroundRole:
        if (index.column() == Outcome && !running && c.outcome != "Ok"_L1)
            return QColor(Qt::red);
        return QVariant();
    case CallIdRole:
        return c.id;
    case LinkRole:
        return c.link;
    case OutcomeRole:
        return c.outcome;
    }
    return QVariant();
}

QVariant CallsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= ColumnCount)
        return QVariant();
    static const char *const names[] = { "Call",       "Method",     "Mode",          "Worker",
                                         "Connection", "Start (ms)", "Duration (ms)", "Items in",
                                         "Items out",  "Bytes",      "Outcome" };
    return QString::fromLatin1(names[section]);
}
