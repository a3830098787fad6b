// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "statsmodel.h"

using namespace Qt::StringLiterals;

StatsModel::Bucket &StatsModel::Bucket::operator+=(const Bucket &other)
{
    calls += other.calls;
    errors += other.errors;
    bytesIn += other.bytesIn;
    bytesOut += other.bytesOut;
    return *this;
}

StatsModel::StatsModel(QObject *parent)
    : QObject(parent)
{
}

StatsModel::~StatsModel() = default;

void StatsModel::setCapacity(int seconds)
{
    m_capacity = qMax(1, seconds);
    while (int(m_buckets.size()) > m_capacity) {
        m_buckets.pop_front();
        ++m_base;
    }
}

int StatsModel::capacity() const
{
    return m_capacity;
}

void StatsModel::reset()
{
    m_buckets.clear();
    m_base = -1;
    m_totals = Bucket();
    emit changed();
}

// The bucket of a second, made (with the empty seconds before it) if it is
// newer than the last; null if it is older than those kept.
StatsModel::Bucket *StatsModel::bucketFor(qint64 second)
{
    if (second < 0)
        return nullptr;
    if (m_base < 0) {
        m_base = second;
        m_buckets.emplace_back();
        return &m_buckets.back();
    }
    if (second < m_base) {
        // Earlier than the first (events are in time order, but not quite
        // across a reconnect): kept if there is room.
        if (m_base - second + qint64(m_buckets.size()) > m_capacity)
            return nullptr;
        m_buckets.insert(m_buckets.begin(), size_t(m_base - second), Bucket());
        m_base = second;
        return &m_buckets.front();
    }
    const qint64 index = second - m_base;
    if (index >= qint64(m_buckets.size())) {
        if (index - qint64(m_buckets.size()) >= m_capacity) {
            // A jump past the whole window: start again there.
            m_buckets.clear();
            m_base = second;
        }
        m_buckets.resize(size_t(second - m_base) + 1);
        while (int(m_buckets.size()) > m_capacity) {
            m_buckets.pop_front();
            ++m_base;
        }
    }
    return &m_buckets[size_t(second - m_base)];
}

void StatsModel::addEvents(const QList<QGbInspect::Message> &batch)
{
    bool counted = false;
    for (const QGbInspect::Message &event : batch) {
        const QString type = event.type();
        Bucket delta;
        if (type == "call"_L1) {
            if (event.value(u"event").toString() != "end"_L1)
                continue;
            const QString outcome = event.value(u"outcome").toString();
            delta.calls = 1;
            delta.errors = outcome != "Ok"_L1 && outcome != "Cancelled"_L1;
        } else if (type == "frame"_L1) {
            const qint64 bytes =
                    event.value(u"size").toInteger() + event.value(u"attachmentBytes").toInteger();
            if (event.value(u"dir").toString() == "in"_L1)
                delta.bytesIn = bytes;
            else
                delta.bytesOut = bytes;
        } else {
            continue;
        }
        m_totals += delta;
        if (Bucket *bucket = bucketFor(event.value(u"t").toInteger() / 1000000000))
            *bucket += delta;
        counted = true;
    }
    if (counted)
        emit changed();
}

qint64 StatsModel::firstSecond() const
{
    return m_buckets.empty() ? -1 : m_base;
}

qint64 StatsModel::lastSecond() const
{
    return m_buckets.empty() ? -1 : m_base + qint64(m_buckets.size()) - 1;
}

StatsModel::Bucket StatsModel::bucket(qint64 second) const
{
    if (m_buckets.empty() || second < m_base || second > lastSecond())
        return Bucket();
    return m_buckets[size_t(second - m_base)];
}

StatsModel::Bucket StatsModel::sum(qint64 from, qint64 to) const
{
    Bucket total;
    if (m_buckets.empty())
        return total;
    for (qint64 s = qMax(from, m_base); s <= qMin(to, lastSecond()); ++s)
        total += m_buckets[size_t(s - m_base)];
    return total;
}

StatsModel::Bucket StatsModel::totals() const
{
    return m_totals;
}
