// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbframing_p.h"

#include <QtCore/qendian.h>

#include <cstring>
#include <limits>

namespace QGbWire {

void appendFrame(QByteArray *out, const char *payload, qsizetype size)
{
    Q_ASSERT(size >= 0 && quint64(size) <= std::numeric_limits<quint32>::max());
    const qsizetype pos = out->size();
    out->resize(pos + 4);
    qToBigEndian<quint32>(quint32(size), out->data() + pos);
    out->append(payload, size);
}

bool appendMessage(QByteArray *out, const QByteArray &jsonObjectText,
                   const QList<QByteArray> &attachments, quint32 maxFrame, QGbError *error)
{
    if (quint64(jsonObjectText.size()) > maxFrame) {
        if (error) {
            *error = QGbError(QGbError::FrameTooLarge,
                              QStringLiteral("the message is %1 bytes long, above the maximum "
                                             "frame size of %2 bytes")
                                      .arg(jsonObjectText.size())
                                      .arg(maxFrame));
        }
        return false;
    }
    qsizetype total = 4 + jsonObjectText.size();
    for (qsizetype i = 0; i < attachments.size(); ++i) {
        const qsizetype size = attachments.at(i).size();
        if (quint64(size) > maxFrame) {
            if (error) {
                *error = QGbError(QGbError::FrameTooLarge,
                                  QStringLiteral("attachment %1 is %2 bytes long, above the "
                                                 "maximum frame size of %3 bytes")
                                          .arg(i)
                                          .arg(size)
                                          .arg(maxFrame));
            }
            return false;
        }
        total += 4 + size;
    }
    out->reserve(out->size() + total);
    appendFrame(out, jsonObjectText.constData(), jsonObjectText.size());
    for (const QByteArray &a : attachments)
        appendFrame(out, a.constData(), a.size());
    return true;
}

// ---- FrameReader -----------------------------------------------------------

FrameReader::FrameReader(quint32 maxFrame)
    : m_maxFrame(maxFrame)
{
    m_ctx.deferAttachments = true;
}

void FrameReader::append(const char *data, qsizetype size)
{
    if (size <= 0)
        return;
    if (m_pos == m_buffer.size()) {
        // Everything was consumed: start over, keeping a modest allocation.
        if (m_buffer.capacity() > 1024 * 1024)
            m_buffer = QByteArray();
        else
            m_buffer.resize(0);
        m_pos = 0;
    } else if (m_pos >= 4096 && m_pos >= m_buffer.size() / 2) {
        // Dropping the consumed front of an unshared QByteArray moves its
        // begin pointer; the space is reclaimed by the next reallocation.
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(data, size);
}

qsizetype FrameReader::bufferedBytes() const
{
    return (m_buffer.size() - m_pos) + m_attachmentBytes;
}

FrameReader::Take FrameReader::takeFrame(const char **payload, quint32 *size)
{
    const qsizetype available = m_buffer.size() - m_pos;
    if (available < 4)
        return Incomplete;
    const quint32 n = qFromBigEndian<quint32>(m_buffer.constData() + m_pos);
    if (n > m_maxFrame)
        return TooLarge;
    if (quint64(available - 4) < n) {
        // A large frame is on its way: make room for all of it at once.
        const qsizetype needed = 4 + qsizetype(n);
        if (n >= 64 * 1024 && m_buffer.capacity() - m_pos < needed) {
            m_buffer.remove(0, m_pos);
            m_pos = 0;
            m_buffer.reserve(needed);
        }
        return Incomplete;
    }
    *payload = m_buffer.constData() + m_pos + 4;
    *size = n;
    m_pos += 4 + qsizetype(n);
    return Taken;
}

FrameReader::Status FrameReader::fail(const QGbError &error, QGbError *out)
{
    m_failed = true;
    m_error = error;
    m_pending = false;
    m_message = Message();
    m_attachments.clear();
    m_attachmentBytes = 0;
    if (out)
        *out = m_error;
    return Error;
}

FrameReader::Status FrameReader::next(Message *msg, QGbError *error)
{
    if (m_failed) {
        if (error)
            *error = m_error;
        return Error;
    }
    const char *payload = nullptr;
    quint32 size = 0;
    if (!m_pending) {
        switch (takeFrame(&payload, &size)) {
        case Incomplete:
            return NeedMore;
        case TooLarge:
            return fail(QGbError(QGbError::FrameTooLarge,
                                 QStringLiteral("a frame of %1 bytes is above the maximum frame "
                                                "size of %2 bytes")
                                         .arg(qFromBigEndian<quint32>(m_buffer.constData() + m_pos))
                                         .arg(m_maxFrame)),
                        error);
        case Taken:
            break;
        }
        m_last.frameSize = size;
        m_last.headSize = int(qMin<quint32>(size, LastMessage::HeadBytes));
        memcpy(m_last.head, payload, size_t(m_last.headSize));
        m_ctx.origin = payload;
        m_ctx.deferredAttachments = 0;
        QGbError parseError;
        if (!parseMessage(payload, payload + size, &m_message, m_ctx, &parseError))
            return fail(parseError, error);
        m_deferred = m_ctx.deferredAttachments;
        m_expected = 0;
        const auto att = m_message.fields.constFind(QStringLiteral("att"));
        if (att != m_message.fields.cend()) {
            if (att->typeId() != QMetaType::LongLong
                || *static_cast<const qint64 *>(att->constData()) < 0) {
                return fail(protocolError(QStringLiteral("the field \"att\" of a \"%1\" message "
                                                         "is not a non-negative integer")
                                                  .arg(QString::fromUtf8(m_message.type))),
                            error);
            }
            m_expected = *static_cast<const qint64 *>(att->constData());
        }
        m_attachments.clear();
        m_attachments.reserve(qsizetype(qMin<qint64>(m_expected, 64)));
        m_attachmentBytes = 0;
        m_pending = true;
    }
    while (m_attachments.size() < m_expected) {
        switch (takeFrame(&payload, &size)) {
        case Incomplete:
            return NeedMore;
        case TooLarge:
            return fail(QGbError(QGbError::FrameTooLarge,
                                 QStringLiteral("attachment %1 of a \"%2\" message is above the "
                                                "maximum frame size of %3 bytes")
                                         .arg(m_attachments.size())
                                         .arg(QString::fromUtf8(m_message.type))
                                         .arg(m_maxFrame)),
                        error);
        case Taken:
            break;
        }
        if (m_pos == m_buffer.size() && m_buffer.size() - qsizetype(size) <= qsizetype(size)) {
            // The frame ends the buffer and is most of it: hand the buffer
            // over instead of copying. Dropping the front of an unshared
            // QByteArray only moves its begin pointer.
            QByteArray frame = std::move(m_buffer);
            frame.remove(0, frame.size() - qsizetype(size));
            m_buffer = QByteArray();
            m_pos = 0;
            m_attachments.append(std::move(frame));
        } else {
            m_attachments.append(QByteArray(payload, size));
        }
        if (m_attachments.size() <= LastMessage::MaxAttachmentSizes)
            m_last.attachmentSizes[m_attachments.size() - 1] = qint32(size);
        m_attachmentBytes += size;
    }
    if (m_deferred > 0) {
        QGbError resolveError;
        if (!resolveAttachmentsInMap(&m_message.fields, m_attachments, m_deferred, &resolveError))
            return fail(resolveError, error);
    }
    m_last.attachmentCount = m_expected;
    m_last.attachmentBytes = m_attachmentBytes;
    *msg = std::move(m_message);
    m_message = Message();
    m_pending = false;
    m_attachments.clear();
    m_attachmentBytes = 0;
    return Ready;
}

} // namespace QGbWire
