// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef STATSMODEL_H
#define STATSMODEL_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qobject.h>

#include <deque>

// Per-second counts of a capture for the Stats view: calls that ended,
// calls that failed, and the bytes of the frames each way, in one bucket per
// second of the pool's clock. Keeps the most recent capacity() seconds.
class StatsModel : public QObject
{
    Q_OBJECT
public:
    struct Bucket
    {
        qint64 calls = 0;    // calls that ended
        qint64 errors = 0;   // ended with an error: not Ok, not Cancelled
        qint64 bytesIn = 0;  // frames from the workers (JSON and attachments)
        qint64 bytesOut = 0; // frames to the workers

        Bucket &operator+=(const Bucket &other);
    };

    explicit StatsModel(QObject *parent = nullptr);
    ~StatsModel() override;

    // Seconds kept; default 3600.
    void setCapacity(int seconds);
    int capacity() const;

    void reset();
    void addEvents(const QList<QGbInspect::Message> &batch);

    // The seconds (pool clock) of the first and last bucket kept; -1 when empty.
    qint64 firstSecond() const;
    qint64 lastSecond() const;
    // A second's counts (zero outside the kept ones).
    Bucket bucket(qint64 second) const;
    // The counts of the seconds [from, to].
    Bucket sum(qint64 from, qint64 to) const;
    // Everything counted since reset(), the seconds no longer kept included.
    Bucket totals() const;

Q_SIGNALS:
    // Counts changed (once per batch), or the capture was reset.
    void changed();

private:
    Bucket *bucketFor(qint64 second);

    std::deque<Bucket> m_buckets;
    qint64 m_base = -1; // the second of m_buckets.front()
    Bucket m_totals;
    int m_capacity = 3600;
};

#endif // STATSMODEL_H
