// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbflightrecorder_p.h"

#include "qgberror.h"
#include "qgbjson_p.h"

#include <QtCore/qmetaobject.h>

#include <charconv>
#include <cstring>
#include <iterator>
#include <limits>

namespace {

void appendNumber(QByteArray *out, const char *key, qint64 value)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
    out->append(",\"").append(key).append("\":").append(digits, end - digits);
}

void appendString(QByteArray *out, const char *key, QStringView value)
{
    out->append(",\"").append(key).append("\":");
    if (!QGbWire::writeString(out, value))
        out->append("\"\"");
}

void appendLatin1(QByteArray *out, const char *key, const char *value)
{
    out->append(",\"").append(key).append("\":\"").append(value).append('"');
}

// Bytes as a JSON string of as many characters, each byte one (Latin-1):
// printable ASCII as is, the rest escaped.
void appendBytes(QByteArray *out, const char *key, const char *data, qsizetype size)
{
    static const char hex[] = "0123456789abcdef";
    out->append(",\"").append(key).append("\":\"");
    for (qsizetype i = 0; i < size; ++i) {
        const uchar c = uchar(data[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out->append(char(c));
        } else {
            const char escape[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            out->append(escape, sizeof(escape));
        }
    }
    out->append('"');
}

// The value of a top-level string field ("type") or integer field ("id") at
// the start of a JSON object, found in the preview of its frame.
QByteArray findString(const char *data, qsizetype size, const char *key)
{
    const QByteArrayView view(data, size);
    const QByteArray needle = QByteArray("\"") + key + "\":\"";
    const qsizetype at = view.indexOf(needle);
    if (at < 0)
        return QByteArray();
    const qsizetype start = at + needle.size();
    const qsizetype end = view.indexOf('"', start);
    if (end < 0)
        return QByteArray();
    return view.sliced(start, end - start).toByteArray();
}

qint64 findInteger(const char *data, qsizetype size, const char *key)
{
    const QByteArrayView view(data, size);
    const QByteArray needle = QByteArray("\"") + key + "\":";
    const qsizetype at = view.indexOf(needle);
    if (at < 0)
        return 0;
    qint64 value = 0;
    for (qsizetype i = at + needle.size(); i < size && data[i] >= '0' && data[i] <= '9'; ++i) {
        if (value > (std::numeric_limits<qint64>::max() - 9) / 10)
            return 0;
        value = value * 10 + (data[i] - '0');
    }
    return value;
}

// The name of an error code; "Unknown" for a number that is none (the
// encoder never trusts what it encodes).
const char *codeName(qint64 code)
{
    const char *name = code >= 0 && code <= std::numeric_limits<int>::max()
            ? QMetaEnum::fromType<QGbError::Code>().valueToKey(int(code))
            : nullptr;
    return name ? name : "Unknown";
}

const char *const workerStates[] = { "starting",         "ready",  "exited",
                                     "restartScheduled", "gaveUp", "recycling" };
const char *const callModes[] = { "call", "stream", "clientStream", "bidi", "describe" };

} // namespace

void QGbInspectEvent::encode(QByteArray *out, qint64 seq) const
{
    out->append("{\"type\":\"");
    switch (kind) {
    case Worker:
        out->append("worker\"");
        break;
    case Output:
        out->append("output\"");
        break;
    case Heartbeat:
        out->append("heartbeat\"");
        break;
    case ConnectionOpened:
    case ConnectionClosed:
        out->append("connection\"");
        break;
    case FrameSent:
    case FrameReceived:
        out->append("frame\"");
        break;
    case CallStarted:
    case CallEnded:
        out->append("call\"");
        break;
    case Stall:
        out->append("stall\"");
        break;
    }
    appendNumber(out, "seq", seq);
    appendNumber(out, "t", time);
    if (worker >= 0)
        appendNumber(out, "worker", worker);
    switch (kind) {
    case Worker:
        appendLatin1(out, "state", sub < std::size(workerStates) ? workerStates[sub] : "unknown");
        if (a > 0)
            appendNumber(out, "pid", a);
        if (sub == 2 && bytes.isEmpty()) { // exited (a remote worker has no exit status)
            if (b < 0)
                appendNumber(out, "signal", -b);
            else
                appendNumber(out, "exitCode", b);
        } else if (sub == 3) { // restart scheduled
            appendNumber(out, "delayMs", b);
        }
        if (!text.isEmpty())
            appendString(out, "reason", text);
        if (!bytes.isEmpty())
            appendString(out, "endpoint", QString::fromUtf8(bytes));
        break;
    case Output:
        appendLatin1(out, "channel", sub ? "stderr" : "stdout");
        appendString(out, "line",
                     QString::fromUtf8(bytes.endsWith('\n') ? bytes.chopped(1) : bytes));
        break;
    case Heartbeat:
        appendNumber(out, "rttUs", a);
        break;
    case ConnectionOpened:
    case ConnectionClosed:
        appendLatin1(out, "event", kind == ConnectionOpened ? "open" : "close");
        appendNumber(out, "connection", connection);
        appendNumber(out, "link", link);
        out->append(sub ? ",\"control\":true" : ",\"control\":false");
        if (kind == ConnectionClosed) {
            appendLatin1(out, "code", codeName(a));
            appendString(out, "reason", text);
        }
        break;
    case FrameSent:
    case FrameReceived: {
        appendLatin1(out, "dir", kind == FrameSent ? "out" : "in");
        appendNumber(out, "connection", connection);
        appendNumber(out, "link", link);
        qint64 id = callId;
        QByteArray type;
        if (kind == FrameSent) {
            type = findString(preview, previewSize, "type");
            id = findInteger(preview, previewSize, "id");
        } else {
            type = text.toUtf8();
        }
        appendNumber(out, "call", id);
        appendString(out, "msg", QString::fromUtf8(type));
        appendNumber(out, "size", a);
        out->append(",\"attachments\":[");
        for (int i = 0; i < b && i < MaxAttachmentSizes; ++i) {
            if (i)
                out->append(',');
            char digits[16];
            const auto end = std::to_chars(digits, digits + sizeof(digits), attachmentSizes[i]).ptr;
            out->append(digits, end - digits);
        }
        out->append(']');
        appendNumber(out, "attachmentCount", b);
        appendNumber(out, "attachmentBytes", c);
        appendBytes(out, "preview", preview, previewSize);
        break;
    }
    case CallStarted:
    case CallEnded:
        appendLatin1(out, "event", kind == CallStarted ? "start" : "end");
        appendNumber(out, "call", callId);
        if (connection >= 0)
            appendNumber(out, "connection", connection);
        if (link > 0)
            appendNumber(out, "link", link);
        appendString(out, "method", text);
        appendLatin1(out, "mode", sub < std::size(callModes) ? callModes[sub] : "unknown");
        if (kind == CallEnded) {
            appendNumber(out, "durationUs", a);
            appendNumber(out, "itemsIn", b);
            appendNumber(out, "itemsOut", c);
            if (d < 0)
                appendLatin1(out, "outcome", "Ok");
            else
                appendLatin1(out, "outcome", codeName(d));
        }
        break;
    case Stall:
        appendNumber(out, "call", callId);
        appendNumber(out, "connection", connection);
        appendNumber(out, "link", link);
        appendLatin1(out, "credit", sub ? "input" : "output");
        break;
    }
    out->append("}\n");
}

QGbFlightRecorder::QGbFlightRecorder(qsizetype capacity)
    : m_events(size_t(std::max<qsizetype>(capacity, 1)))
    , m_capacity(std::max<qsizetype>(capacity, 1))
{
}

QGbInspectEvent &QGbFlightRecorder::append()
{
    QGbInspectEvent &event = m_events[size_t(m_next % m_capacity)];
    ++m_next;
    event.sub = 0;
    event.previewSize = 0;
    event.worker = -1;
    event.connection = -1;
    event.link = 0;
    event.callId = 0;
    event.a = event.b = event.c = event.d = 0;
    if (!event.text.isNull())
        event.text = QString();
    if (!event.bytes.isNull())
        event.bytes = QByteArray();
    return event;
}
