// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef CALLSMODEL_H
#define CALLSMODEL_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qhash.h>
#include <QtCore/qjsonobject.h>

#include <deque>

// The calls of a capture, one row per call id: its start and end events
// paired, and the bytes of its frames. Capped: past capacity() calls the
// oldest rows are removed.
class CallsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        Method,
        Mode,
        Worker,
        Connection,
        Start,
        Duration,
        ItemsIn,
        ItemsOut,
        Bytes,
        Outcome,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        CallIdRole = Qt::UserRole + 1, // qint64, unique on its connection only
        OutcomeRole,                   // the outcome's code name, empty while running
        LinkRole,                      // qint64: the pool's number of its connection, 0 if none
    };

    explicit CallsModel(QObject *parent = nullptr);

    // The most calls kept; default 50000.
    void setCapacity(int rows);
    int capacity() const;

    void clear();
    void addEvents(const QList<QGbInspect::Message> &batch);
    // The row of the call with this id on the connection link (the pool's
    // number for it: call ids are per connection), or -1.
    int rowOf(qint64 call, qint64 link) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Call
    {
        qint64 id = 0;
        qint64 link = 0;
        qint64 start = 0;
        qint64 durationUs = -1;
        qint64 itemsIn = 0;
        qint64 itemsOut = 0;
        qint64 bytes = 0;
        int worker = -1;
        QString method;
        QString mode;
        QString outcome;
    };
    void removeFront(int count);

    using Key = std::pair<qint64, qint64>; // (link, call id)
    void evicted(const Call &call);

    std::deque<Call> m_calls;
    QHash<Key, qint64> m_serialOf; // (link, call id) -> serial (row + m_base)
    qint64 m_base = 0;
    // Per link, the highest call id whose row was removed (ids grow on a link).
    QHash<qint64, qint64> m_evictedUpTo;
    int m_capacity = 50000;
};

#endif // CALLSMODEL_H
