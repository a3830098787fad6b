// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBFRAMING_P_H
#define QGBFRAMING_P_H

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

#include "qgbjson_p.h"

// The wire protocol's framing (docs/protocol.md, section 2): length-prefixed
// frames, a message and its attachment frames.
namespace QGbWire {

constexpr quint32 DefaultMaxFrame = 64u * 1024 * 1024;

// Appends a 4-byte big-endian length and the payload.
QGB_EXPORT void appendFrame(QByteArray *out, const char *payload, qsizetype size);

// Appends a message frame and its attachment frames. jsonObjectText already
// holds "att": K when attachments is not empty. Refuses (FrameTooLarge, *out
// unchanged) any frame above maxFrame.
QGB_EXPORT bool appendMessage(QByteArray *out, const QByteArray &jsonObjectText,
                              const QList<QByteArray> &attachments, quint32 maxFrame,
                              QGbError *error);

// Splits a byte stream into messages. Bytes may arrive in pieces of any size.
class QGB_EXPORT FrameReader
{
public:
    enum Status { NeedMore, Ready, Error };

    explicit FrameReader(quint32 maxFrame = DefaultMaxFrame);

    void append(const char *data, qsizetype size);
    void append(const QByteArray &data) { append(data.constData(), data.size()); }

    // Ready: *msg holds the next message, with its attachment frames resolved.
    // NeedMore: append more bytes. Error: *error says why (FrameTooLarge,
    // ProtocolError, TypeMismatch); the reader stays in that state.
    Status next(Message *msg, QGbError *error);

    // Leave the value of a result (the items of a chunk) without
    // attachments unparsed (see Message::rawValueBegin); it then points into
    // this reader's buffer and stays valid until the next append() or
    // next(). Off by default.
    void setLazyResultValue(bool lazy) { m_ctx.lazyResultValue = lazy; }
    void setLazyChunkItems(bool lazy) { m_ctx.lazyChunkItems = lazy; }

    // Bytes received but not yet returned in a message.
    qsizetype bufferedBytes() const;

    // What the inspector shows of the message next() returned last: its frame
    // sizes and the first bytes of its JSON object.
    struct LastMessage
    {
        static constexpr int HeadBytes = 64;
        static constexpr int MaxAttachmentSizes = 4;
        quint32 frameSize = 0;
        int headSize = 0;
        qint64 attachmentCount = 0;
        qint64 attachmentBytes = 0;
        qint32 attachmentSizes[MaxAttachmentSizes] = {};
        char head[HeadBytes];
    };
    const LastMessage &lastMessage() const { return m_last; }
    bool hasError() const { return m_failed; }

private:
    enum Take { Taken, Incomplete, TooLarge };
    Take takeFrame(const char **payload, quint32 *size);
    Status fail(const QGbError &error, QGbError *out);

    QByteArray m_buffer;
    qsizetype m_pos = 0; // consumed bytes at the start of m_buffer
    quint32 m_maxFrame;
    bool m_failed = false;
    bool m_pending = false; // m_message waits for its attachments
    qint64 m_expected = 0;
    qsizetype m_attachmentBytes = 0;
    qsizetype m_deferred = 0;
    Message m_message;
    QList<QByteArray> m_attachments;
    QGbError m_error;
    ParseContext m_ctx;
    LastMessage m_last;
};

} // namespace QGbWire

#endif // QGBFRAMING_P_H
