// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef POOLSMODEL_H
#define POOLSMODEL_H

#include "qgbinspectorregistry.h"

#include <QtCore/qabstractitemmodel.h>

// The inspectable pools of this user (the registry), for the attach dialog.
// Pools this inspector cannot read are disabled and say why.
class PoolsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { App, Pid, Script, Workers, Uptime, Status, ColumnCount };
    Q_ENUM(Column)

    explicit PoolsModel(QObject *parent = nullptr);

    // The registry as read now: rows of pools gone are removed, new ones
    // appended, the others updated (the selection stays).
    void setPools(const QList<QGbInspectorPoolEntry> &pools);
    QGbInspectorPoolEntry pool(int row) const;
    // Why the inspector cannot attach to this pool, or empty.
    static QString incompatibility(const QGbInspectorPoolEntry &pool);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    QList<QGbInspectorPoolEntry> m_pools;
};

#endif // POOLSMODEL_H
