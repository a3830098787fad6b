// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "poolsmodel.h"

#include "qgbinspectorclient.h"

#include <QtCore/qfileinfo.h>
#include <QtGui/qcolor.h>
#include <QtGui/qpalette.h>

using namespace Qt::StringLiterals;

PoolsModel::PoolsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString PoolsModel::incompatibility(const QGbInspectorPoolEntry &pool)
{
    if (pool.protocol != QGbInspectorClient::protocolVersion())
        return u"speaks inspector protocol %1 (QGobridge %2); this inspector reads %3"_s
                .arg(pool.protocol)
                .arg(pool.library)
                .arg(QGbInspectorClient::protocolVersion());
    return QString();
}

void PoolsModel::setPools(const QList<QGbInspectorPoolEntry> &pools)
{
    // Remove the rows of pools that are gone, from the last.
    for (int row = int(m_pools.size()) - 1; row >= 0; --row) {
        const bool present = std::any_of(pools.cbegin(), pools.cend(), [&](const auto &p) {
            return p.entryPath == m_pools.at(row).entryPath;
        });
        if (!present) {
            beginRemoveRows(QModelIndex(), row, row);
            m_pools.removeAt(row);
            endRemoveRows();
        }
    }
    QList<QGbInspectorPoolEntry> added;
    for (const QGbInspectorPoolEntry &pool : pools) {
        const auto it = std::find_if(m_pools.begin(), m_pools.end(),
                                     [&](const auto &p) { return p.entryPath == pool.entryPath; });
        if (it == m_pools.end())
            added.append(pool);
        else
            *it = pool;
    }
    if (!m_pools.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_pools.size()) - 1, ColumnCount - 1));
    if (!added.isEmpty()) {
        beginInsertRows(QModelIndex(), int(m_pools.size()), int(m_pools.size() + added.size()) - 1);
        m_pools.append(added);
        endInsertRows();
    }
}

QGbInspectorPoolEntry PoolsModel::pool(int row) const
{
    return m_pools.value(row);
}

int PoolsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_pools.size());
}

int PoolsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PoolsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const QGbInspectorPoolEntry &p = m_pools.at(index.row());
    const QString problem = incompatibility(p);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case App:
            return p.app.isEmpty() ? u"-"_s : p.app;
        case Pid:
            return p.pid;
        case Script:
            return QFileInfo(p.script).fileName();
        case Workers:
            return p.workers;
        case Uptime: {
            const qint64 secs = p.startedAt.isValid()
                    ? qMax<qint64>(0, p.startedAt.secsTo(QDateTime::currentDateTimeUtc()))
                    : 0;
            return u"%1:%2:%3"_s.arg(secs / 3600)
                    .arg(qlonglong(secs / 60 % 60), 2, 10, QChar(u'0'))
                    .arg(qlonglong(secs % 60), 2, 10, QChar(u'0'));
        }
        case Status:
            return problem.isEmpty() ? u"QGobridge "_s + p.library : problem;
        }
        return QVariant();
    case Qt::ToolTipRole:
        return problem.isEmpty() ? p.script : problem;
    case Qt::ForegroundRole:
        return problem.isEmpty() ? QVariant() : QVariant(QColor(Qt::gray));
    }
    return QVariant();
}

Qt::ItemFlags PoolsModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    if (!incompatibility(m_pools.at(index.row())).isEmpty())
        return Qt::ItemNeverHasChildren;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant PoolsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= ColumnCount)
        return QVariant();
    static const char *const names[] = { "Application", "PID",    "Script",
                                         "Workers",     "Uptime", "Status" };
    return QString::fromLatin1(names[section]);
}
