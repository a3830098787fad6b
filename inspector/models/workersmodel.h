// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef WORKERSMODEL_H
#define WORKERSMODEL_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qhash.h>
#include <QtCore/qjsonobject.h>

#include <vector>

// The pool's worker slots, one row each, from the worker and call events:
// process id (a remote worker's host:port), state, uptime, calls, restarts,
// the last error.
class WorkersModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Slot,
        Pid,
        State,
        Uptime,
        Started,
        Succeeded,
        Failed,
        Restarts,
        Current,
        LastError,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        PidRole = Qt::UserRole + 1, // qint64
        StateRole,                  // the last worker state event's state
        EndpointRole,               // a remote worker's "host:port", else empty
    };

    explicit WorkersModel(QObject *parent = nullptr);

    // A new capture with this many slots.
    void reset(int workers);
    void addEvents(const QList<QGbInspect::Message> &batch);
    // The pool clock now, in ns: the Uptime column is measured against it.
    void setNow(qint64 ns);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Worker
    {
        qint64 pid = 0;
        qint64 readyAt = -1;
        qint64 started = 0;
        qint64 succeeded = 0;
        qint64 failed = 0;
        int starts = 0;
        int current = 0;
        QString state = QStringLiteral("unknown");
        QString endpoint;    // a remote worker's
        QString stateReason; // why it is idle
        QString lastError;
    };
    void ensureRows(int count);

    std::vector<Worker> m_workers;
    struct Running
    {
        qint64 call = 0;
        int worker = -1;
    };
    void forget(qint64 link);
    // The call running on each connection (link, the pool's number for it):
    // a connection runs one call at a time, so a start on a link whose last
    // call's end was lost (the inspector fell behind) replaces that call
    // instead of counting it as running for ever.
    QHash<qint64, Running> m_running;
    qint64 m_now = 0;
};

#endif // WORKERSMODEL_H
