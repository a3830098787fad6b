// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbinspectwire_p.h"

#include <cstring>

namespace QGbInspect {

LineDecoder::LineDecoder(qsizetype maxLine)
    : m_maxLine(maxLine)
{
}

void LineDecoder::append(const char *data, qsizetype size)
{
    if (m_failed || size <= 0)
        return;
    if (m_pos > 0 && m_pos >= m_buffer.size() / 2) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(data, size);
}

LineDecoder::Status LineDecoder::fail(const QString &why, QString *error)
{
    m_failed = true;
    m_error = why;
    m_buffer.clear();
    m_pos = 0;
    m_scanned = 0;
    if (error)
        *error = why;
    return Error;
}

LineDecoder::Status LineDecoder::nextLine(QByteArray *line, QString *error)
{
    if (m_failed) {
        if (error)
            *error = m_error;
        return Error;
    }
    const char *begin = m_buffer.constData() + m_pos;
    const qsizetype available = m_buffer.size() - m_pos;
    const char *newline = static_cast<const char *>(
            memchr(begin + m_scanned, '\n', size_t(available - m_scanned)));
    if (!newline) {
        m_scanned = available;
        if (available > m_maxLine)
            return fail(QStringLiteral("A line is longer than %1 bytes").arg(m_maxLine), error);
        return NeedMore;
    }
    const qsizetype length = newline - begin;
    if (length > m_maxLine)
        return fail(QStringLiteral("A line is longer than %1 bytes").arg(m_maxLine), error);
    *line = QByteArray(begin, length);
    m_pos += length + 1;
    m_scanned = 0;
    if (m_pos == m_buffer.size()) {
        m_buffer.clear();
        m_pos = 0;
    }
    return Ready;
}

LineDecoder::Status LineDecoder::next(Message *out, QString *error)
{
    QByteArray text;
    const Status status = nextLine(&text, error);
    if (status != Ready)
        return status;
    Message message;
    QString why;
    if (!Message::parse(text, &message, &why))
        return fail(why, error);
    if (message.type().isEmpty())
        return fail(QStringLiteral("A message has no \"type\" string"), error);
    *out = std::move(message);
    return Ready;
}

} // namespace QGbInspect
