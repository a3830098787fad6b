// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "logsmodel.h"

#include <QtGui/qcolor.h>

using namespace Qt::StringLiterals;

LogsModel::LogsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void LogsModel::setCapacity(int rows)
{
    m_capacity = qMax(1, rows);
    const int excess = int(m_lines.size()) - m_capacity;
    if (excess > 0) {
        beginRemoveRows(QModelIndex(), 0, excess - 1);
        m_lines.erase(m_lines.begin(), m_lines.begin() + excess);
        endRemoveRows();
    }
}

void LogsModel::clear()
{
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

void LogsModel::addEvents(const QList<QGbInspect::Message> &batch)
{
    std::vector<Entry> added;
    for (const QGbInspect::Message &event : batch) {
        if (event.type() != "output"_L1)
            continue;
        Entry e;
        e.t = event.value(u"t").toInteger();
        e.worker = event.value(u"worker").toInt(-1);
        e.stderrChannel = event.value(u"channel").toString() == "stderr"_L1;
        e.line = event.value(u"line").toString();
        added.push_back(std::move(e));
    }
    if (added.empty())
        return;
    if (added.size() > size_t(m_capacity))
        added.erase(added.begin(), added.end() - m_capacity);
    const int excess = int(m_lines.size() + added.size()) - m_capacity;
    if (excess > 0) {
        beginRemoveRows(QModelIndex(), 0, excess - 1);
        m_lines.erase(m_lines.begin(), m_lines.begin() + excess);
        endRemoveRows();
    }
    const int first = int(m_lines.size());
    beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
    for (Entry &e : added)
        m_lines.push_back(std::move(e));
    endInsertRows();
}

int LogsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int LogsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Entry &e = m_lines[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return QString::number(double(e.t) / 1e6, 'f', 3);
        case Worker:
            return e.worker;
        case Channel:
            return e.stderrChannel ? u"stderr"_s : u"stdout"_s;
        case Line:
            return e.line;
        }
        return QVariant();
    case Qt::ForegroundRole:
        return e.stderrChannel && index.column() == Line ? QVariant(QColor(Qt::darkRed))
                                                         : QVariant();
    case WorkerRole:
        return e.worker;
    }
    return QVariant();
}

QVariant LogsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= ColumnCount)
        return QVariant();
    static const char *const names[] = { "Time (ms)", "Worker", "Channel", "Line" };
    return QString::fromLatin1(names[section]);
}
