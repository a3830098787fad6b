// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBMESSAGES_P_H
#define QGBMESSAGES_P_H

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

#include "qgbframing_p.h"
#include "qgbjson_p.h"

#include <QtCore/qlist.h>
#include <QtCore/qstringview.h>

// The messages of the wire protocol (docs/protocol.md, sections 4 to 7), one
// definition each: the host writes the ones it sends and reads the ones it
// receives only through these functions. python/gobridge/_messages.py holds the
// worker's side.
namespace QGbWire {

enum class MessageType {
    Unknown,
    Hello,
    Call,
    Chunk,
    End,
    Credit,
    Cancel,
    Describe,
    Ping,
    Pong,
    Result,
    Error,
    Progress,
    Log,
};

struct MessageSpec
{
    MessageType type;
    const char *name;
    bool hostWrites; // the host has an encoder for it (it sends it)
    bool hostReads;  // the host has a decoder for it (it receives it)
};

// Every message type, as the host knows it.
QGB_EXPORT QList<MessageSpec> messageSpecs();
QGB_EXPORT MessageType messageType(const Message &message);

// Host -> worker. Messages without values always fit a frame (the maximum
// frame size is at least 4096 bytes): they return their frame. Those with
// values return false and set *error (TypeMismatch, FrameTooLarge) when the
// values cannot be sent, leaving *out unchanged.
QGB_EXPORT QByteArray helloMessage(QByteArrayView token, bool control);
// kwargs (wire values by name) is written only when it is not empty.
QGB_EXPORT bool appendCallMessage(QByteArray *out, qint64 id, QStringView method,
                                  const QVariantList &args, int streamOut, qint64 window,
                                  quint32 maxFrame, QGbError *error,
                                  const QVariantMap &kwargs = QVariantMap());
QGB_EXPORT QByteArray describeMessage(qint64 id);
QGB_EXPORT bool appendChunkMessage(QByteArray *out, qint64 id, const QVariantList &items,
                                   quint32 maxFrame, QGbError *error);
QGB_EXPORT QByteArray endMessage(qint64 id);
QGB_EXPORT QByteArray creditMessage(qint64 id, qint64 n);
// On the call's connection (connection < 0) or on the control connection.
QGB_EXPORT QByteArray cancelMessage(qint64 id, qint64 connection = -1);
QGB_EXPORT QByteArray pingMessage(qint64 seq);

// Worker -> host. Each returns false with a ProtocolError when a field the
// host needs is missing or of the wrong type.
struct WorkerHello
{
    qint64 connection = -1;
    qint64 pid = 0;
    bool keywordArguments = false; // "kwargs" in its features
};
QGB_EXPORT bool readHello(const Message &message, WorkerHello *hello, QGbError *error);
QGB_EXPORT bool readChunk(const Message &message, QVariantList *items, QGbError *error);
QGB_EXPORT bool readResult(const Message &message, QVariant *value, QGbError *error);
QGB_EXPORT bool readCredit(const Message &message, qint64 *n, QGbError *error);
QGB_EXPORT bool readPong(const Message &message, qint64 *seq, QGbError *error);
struct ProgressFields
{
    double done = 0;
    double total = -1; // -1: not known
    QString text;
};
QGB_EXPORT bool readProgress(const Message &message, ProgressFields *progress, QGbError *error);
// A log message's fields (docs/protocol.md, section 6). level, logger and
// message are required; the others are optional and read leniently (a
// missing or mistyped one is left empty), as a record is worth keeping
// without its location.
struct LogFields
{
    int level = 0;
    QString logger;
    QString message;
    QString exception;
    QString file;
    int line = 0;
    QString function;
    QString thread;
    qint64 timeMs = -1; // milliseconds since the epoch; -1: not given or out of range
};
QGB_EXPORT bool readLog(const Message &message, LogFields *log, QGbError *error);
// The error an error message carries (a ProtocolError if it carries none).
QGB_EXPORT QGbError readError(const Message &message);

} // namespace QGbWire

#endif // QGBMESSAGES_P_H
