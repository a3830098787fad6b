// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef FRAMESMODEL_H
#define FRAMESMODEL_H

#include "qgbinspectmessage_p.h"

#include <QtCore/qabstractitemmodel.h>
#include <QtCore/qjsonobject.h>

#include <deque>

// Every frame event of a capture, one row each, in a capped ring: past
// capacity() rows the oldest are removed. Rows are inserted once per batch
// (CaptureStore::eventsArrived), not once per event.
class FramesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Seq,
        Time,
        Direction,
        Worker,
        Connection,
        Call,
        Message,
        Size,
        Attachments,
        Preview,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        DirectionRole = Qt::UserRole + 1, // "in" or "out"
        WorkerRole,                       // int, -1 for none
        CallRole,                         // qint64, 0 for none
        LinkRole,    // qint64: the pool's number of the connection, 0 if not known
        MessageRole, // the message type
        PreviewRole, // the first 64 bytes of the JSON frame
        EventRole,   // the whole event, a QJsonObject
    };

    explicit FramesModel(QObject *parent = nullptr);

    // The most rows kept; default 100000.
    void setCapacity(int rows);
    int capacity() const;

    // While paused new frames are not shown (the capture still keeps them).
    void setPaused(bool paused);
    bool isPaused() const;

    // Removes every row (not the capture's data).
    void clear();
    // Adds the frame events of a batch (other events are ignored).
    void addEvents(const QList<QGbInspect::Message> &batch);
    // Frames that were in the ring and were removed to make room.
    qint64 evictedRows() const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Frame
    {
        qint64 seq = 0;
        qint64 t = 0;
        qint64 call = 0;
        qint64 size = 0;
        qint64 attachmentBytes = 0;
        int worker = -1;
        int connection = -1;
        qint64 link = 0;
        int attachmentCount = 0;
        bool out = false;
        QString message;
        QString preview;
        QList<qint64> attachments;
    };
    QJsonObject toJson(const Frame &frame) const;

    std::deque<Frame> m_frames;
    int m_capacity = 100000;
    qint64 m_evicted = 0;
    bool m_paused = false;
};

#endif // FRAMESMODEL_H
