// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBFLIGHTRECORDER_P_H
#define QGBFLIGHTRECORDER_P_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It exists purely as an
// implementation detail. This header file may change from version to
// version without notice, or even be removed.
//
// We mean it.
//

#include "qgbglobal.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

#include <vector>

// One event of an inspectable pool, as recorded in the I/O thread: a compact
// struct, filled on the critical path without encoding anything. Strings are
// implicitly shared (a reference count, no copy); a frame's payload is cut to
// a fixed preview. Encoded to the side channel's JSON only when an inspector
// reads it (encode()).
struct QGB_EXPORT QGbInspectEvent
{
    enum Kind : quint8 {
        Worker,           // sub: QGbEngineListener::WorkerEvent; a: pid; b: detail;
                          //   bytes: a remote worker's host:port
        Output,           // sub: 0 stdout, 1 stderr; bytes: the line (capped)
        Heartbeat,        // a: round trip in microseconds
        ConnectionOpened, // sub: 1 control
        ConnectionClosed, // sub: 1 control; text: reason; a: error code
        FrameSent,        // a: size, b: attachment count, c: attachment bytes
        FrameReceived,    //   text: message type (received only)
        CallStarted,      // sub: mode; text: method
        CallEnded,        // sub: mode; text: method; a: duration us; b: items in;
                          //   c: items out; d: outcome (QGbError::Code, -1: ok)
        Stall,            // sub: 1 input credit, 0 output credit
    };
    static constexpr int PreviewBytes = 64;
    static constexpr int MaxAttachmentSizes = 4;
    static constexpr int MaxOutputLine = 1024;

    qint64 time = 0; // nanoseconds on the pool's clock
    Kind kind = Worker;
    quint8 sub = 0;
    quint8 previewSize = 0;
    qint32 worker = -1;
    qint64 connection = -1;
    qint64 link = 0; // QGbConnection::link; 0: none
    qint64 callId = 0;
    qint64 a = 0;
    qint64 b = 0;
    qint64 c = 0;
    qint64 d = 0;
    QString text;
    QByteArray bytes;
    qint32 attachmentSizes[MaxAttachmentSizes] = {};
    char preview[PreviewBytes];

    // Appends the event as one JSON line (newline included) with its sequence number.
    void encode(QByteArray *out, qint64 seq) const;
};

// A fixed ring of the most recent events. The sequence numbers of the events
// it holds are [oldest(), next()); reading one that was overwritten is the
// reader's loss, counted by it.
class QGB_EXPORT QGbFlightRecorder
{
public:
    explicit QGbFlightRecorder(qsizetype capacity);

    // The slot of the next event, its fields reset; valid until the next append.
    QGbInspectEvent &append();
    qint64 next() const { return m_next; }
    qint64 oldest() const { return m_next > m_capacity ? m_next - m_capacity : 0; }
    qsizetype capacity() const { return m_capacity; }
    // The event with sequence number seq, in [oldest(), next()).
    const QGbInspectEvent &at(qint64 seq) const { return m_events[size_t(seq % m_capacity)]; }

private:
    std::vector<QGbInspectEvent> m_events;
    qsizetype m_capacity;
    qint64 m_next = 0;
};

#endif // QGBFLIGHTRECORDER_P_H
