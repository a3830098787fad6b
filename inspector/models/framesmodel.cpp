// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "framesmodel.h"

#include <QtCore/qjsonarray.h>

using namespace Qt::StringLiterals;

FramesModel::FramesModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void FramesModel::setCapacity(int rows)
{
    m_capacity = qMax(1, rows);
    const int excess = int(m_frames.size()) - m_capacity;
    if (excess > 0) {
        beginRemoveRows(QModelIndex(), 0, excess - 1);
        m_frames.erase(m_frames.begin(), m_frames.begin() + excess);
        m_evicted += excess;
        endRemoveRows();
    }
}

int FramesModel::capacity() const
{
    return m_capacity;
}

void FramesModel::setPaused(bool paused)
{
    m_paused = paused;
}

bool FramesModel::isPaused() const
{
    return m_paused;
}

void FramesModel::clear()
{
    beginResetModel();
    m_frames.clear();
    m_evicted = 0;
    endResetModel();
}

qint64 FramesModel::evictedRows() const
{
    return m_evicted;
}

void FramesModel::addEvents(const QList<QGbInspect::Message> &batch)
{
    if (m_paused)
        return;
    std::vector<Frame> added;
    for (const QGbInspect::Message &event : batch) {
        if (event.type() != "frame"_L1)
            continue;
        Frame f;
        f.seq = event.value(u"seq").toInteger();
        f.t = event.value(u"t").toInteger();
        f.call = event.value(u"call").toInteger();
        f.size = event.value(u"size").toInteger();
        f.attachmentBytes = event.value(u"attachmentBytes").toInteger();
        f.worker = event.value(u"worker").toInt(-1);
        f.connection = event.value(u"connection").toInt(-1);
        f.link = event.value(u"link").toInteger();
        f.attachmentCount = event.value(u"attachmentCount").toInt();
        f.out = event.value(u"dir").toString() == "out"_L1;
        f.message = event.value(u"msg").toString();
        f.preview = event.value(u"preview").toString();
        if (f.attachmentCount > 0) { // a nested value costs a full parse
            const QJsonArray sizes = event.value(u"attachments").toArray();
            for (const QJsonValue &size : sizes)
                f.attachments.append(size.toInteger());
        }
        added.push_back(std::move(f));
    }
    if (added.empty())
        return;
    // More than the ring holds in one batch: only the newest count.
    if (added.size() > size_t(m_capacity)) {
        m_evicted += qint64(added.size()) - m_capacity;
        added.erase(added.begin(), added.end() - m_capacity);
    }
    const int excess = int(m_frames.size() + added.size()) - m_capacity;
    if (excess > 0) {
        beginRemoveRows(QModelIndex(), 0, excess - 1);
        m_frames.erase(m_frames.begin(), m_frames.begin() + excess);
        m_evicted += excess;
        endRemoveRows();
    }
    const int first = int(m_frames.size());
    beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
    for (Frame &f : added)
        m_frames.push_back(std::move(f));
    endInsertRows();
}

int FramesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_frames.size());
}

int FramesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QJsonObject FramesModel::toJson(const Frame &f) const
{
    QJsonObject o;
    o.insert(u"type", u"frame"_s);
    o.insert(u"seq", f.seq);
    o.insert(u"t", f.t);
    if (f.worker >= 0)
        o.insert(u"worker", f.worker);
    o.insert(u"dir", f.out ? u"out"_s : u"in"_s);
    o.insert(u"connection", f.connection);
    if (f.link > 0)
        o.insert(u"link", f.link);
    o.insert(u"call", f.call);
    o.insert(u"msg", f.message);
    o.insert(u"size", f.size);
    if (f.attachmentCount > 0) { // as on the wire: absent when there are none
        QJsonArray sizes;
        for (qint64 s : f.attachments)
            sizes.append(s);
        o.insert(u"attachments", sizes);
        o.insert(u"attachmentCount", f.attachmentCount);
        o.insert(u"attachmentBytes", f.attachmentBytes);
    }
    o.insert(u"preview", f.preview);
    return o;
}

QVariant FramesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Frame &f = m_frames[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Seq:
            return f.seq;
        case Time:
            return QString::number(double(f.t) / 1e6, 'f', 3);
        case Direction:
            return f.out ? u"→ out"_s : u"← in"_s;
        case Worker:
            return f.worker >= 0 ? QVariant(f.worker) : QVariant(u"-"_s);
        case Connection:
            // The pool's number: unique, where the worker's restarts from 1.
            return f.link > 0 ? f.link : qint64(f.connection);
        case Call:
            return f.call ? QVariant(f.call) : QVariant(u"-"_s);
        case Message:
            return f.message;
        case Size:
            return f.size;
        case Attachments:
            return f.attachmentCount
                    ? QVariant(u"%1 (%2 B)"_s.arg(f.attachmentCount).arg(f.attachmentBytes))
                    : QVariant(QString());
        case Preview:
            return f.preview;
        }
        return QVariant();
    case Qt::ToolTipRole:
        if (index.column() == Connection && f.link > 0)
            return tr("Connection %1 of the pool; the worker's number for it: %2")
                    .arg(f.link)
                    .arg(f.connection);
        return index.column() == Preview ? QVariant(f.preview) : QVariant();
    case DirectionRole:
        return f.out ? u"out"_s : u"in"_s;
    case WorkerRole:
        return f.worker;
    case CallRole:
        return f.call;
    case LinkRole:
        return f.link;
    case MessageRole:
        return f.message;
    case PreviewRole:
        return f.preview;
    case EventRole:
        return toJson(f);
    }
    return QVariant();
}

QVariant FramesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= ColumnCount)
        return QVariant();
    static const char *const names[] = { "Seq",  "Time (ms)", "Dir",  "Worker",      "Conn",
                                         "Call", "Message",   "Size", "Attachments", "Preview" };
    return QString::fromLatin1(names[section]);
}
