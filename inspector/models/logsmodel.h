// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef LOGSMODEL_H
#define LOGSMODEL_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qjsonobject.h>

#include <deque>

// The workers' output lines (output events), capped: past capacity() lines
// the oldest are removed.
class LogsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Worker, Channel, Line, ColumnCount };
    Q_ENUM(Column)
    enum Role { WorkerRole = Qt::UserRole + 1 };

    explicit LogsModel(QObject *parent = nullptr);

    // Default 20000 lines.
    void setCapacity(int rows);
    void clear();
    void addEvents(const QList<QGbInspect::Message> &batch);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        qint64 t = 0;
        int worker = -1;
        bool stderrChannel = false;
        QString line;
    };
    std::deque<Entry> m_lines;
    int m_capacity = 20000;
};

#endif // LOGSMODEL_H
