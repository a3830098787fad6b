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
#include <string_view>
#include <vector>

namespace {

// Writes one event's line. The fixed parts (keys, numbers, names) gather in a
// buffer on the stack and reach the output in a few appends; nothing is
// allocated but the output's own growth. An attached inspector has every
// event encoded in the I/O thread, four or more a call: this is on its path.
class LineWriter
{
public:
    explicit LineWriter(QByteArray *out)
        : m_out(out)
    {
    }
    ~LineWriter() { flush(); }
    Q_DISABLE_COPY_MOVE(LineWriter)

    template<size_t N>
    void literal(const char (&text)[N])
    {
        put(text, qsizetype(N - 1));
    }
    void put(const char *data, qsizetype size)
    {
        if (size <= 0)
            return; // data may be null
        if (m_used + size > Capacity) {
            flush();
            if (size > Capacity) {
                m_out->append(data, size);
                return;
            }
        }
        memcpy(m_buffer + m_used, data, size_t(size));
        m_used += size;
    }
    void put(const char *text) { put(text, qsizetype(strlen(text))); }
    void number(qint64 value)
    {
        if (m_used + 24 > Capacity)
            flush();
        m_used = std::to_chars(m_buffer + m_used, m_buffer + Capacity, value).ptr - m_buffer;
    }
    // A name known to need no escaping, quoted.
    void name(const char *text)
    {
        literal("\"");
        put(text);
        literal("\"");
    }
    // A string that may hold a lone surrogate (a method name is the
    // caller's) is written as its UTF-8 round trip reads: U+FFFD in its place.
    void string(QStringView value)
    {
        flush();
        if (!QGbWire::writeString(m_out, value)
            && !QGbWire::writeString(m_out, QString::fromUtf8(value.toUtf8())))
            m_out->append("\"\"", 2);
    }
    // Bytes as a JSON string of as many characters, each byte one (Latin-1):
    // printable ASCII as is, quotes and backslashes with a backslash (a
    // preview is mostly JSON: short escapes keep it short), the rest \u00XX.
    void latin1Bytes(const char *data, qsizetype size)
    {
        static const char hex[] = "0123456789abcdef";
        literal("\"");
        for (qsizetype i = 0; i < size; ++i) {
            if (m_used + 6 > Capacity)
                flush();
            const uchar c = uchar(data[i]);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                m_buffer[m_used++] = char(c);
            } else if (c == '"' || c == '\\') {
                m_buffer[m_used++] = '\\';
                m_buffer[m_used++] = char(c);
            } else {
                const char escape[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                memcpy(m_buffer + m_used, escape, sizeof(escape));
                m_used += qsizetype(sizeof(escape));
            }
        }
        literal("\"");
    }
    // UTF-8 bytes as a JSON string (printable ASCII, the common case, copied).
    void utf8(const char *data, qsizetype size)
    {
        for (qsizetype i = 0; i < size; ++i) {
            const uchar c = uchar(data[i]);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                return string(QString::fromUtf8(data, size));
        }
        literal("\"");
        put(data, size);
        literal("\"");
    }
    void flush()
    {
        if (m_used > 0) {
            m_out->append(m_buffer, m_used);
            m_used = 0;
        }
    }

private:
    static constexpr qsizetype Capacity = 512;
    QByteArray *m_out;
    qsizetype m_used = 0;
    char m_buffer[Capacity];
};

// Where the value of a key ("type", "id") starts in a frame's preview: the
// first occurrence of "key": (a frame's first fields are its top-level
// ones); -1 when the preview does not have it.
template<size_t N>
qsizetype findValue(const char *data, qsizetype size, const char (&quotedKey)[N])
{
    const std::string_view view(data, size_t(size));
    const size_t at = view.find(quotedKey, 0, N - 1);
    return at == std::string_view::npos ? -1 : qsizetype(at + N - 1);
}

// The value of a string field, as bytes of the preview (empty if none or cut).
std::string_view findString(const char *data, qsizetype size)
{
    const qsizetype start = findValue(data, size, "\"type\":\"");
    if (start < 0)
        return {};
    const void *end = memchr(data + start, '"', size_t(size - start));
    if (!end)
        return {};
    return std::string_view(data + start, size_t(static_cast<const char *>(end) - data - start));
}

qint64 findId(const char *data, qsizetype size)
{
    const qsizetype start = findValue(data, size, "\"id\":");
    if (start < 0)
        return 0;
    qint64 value = 0;
    for (qsizetype i = start; i < size && data[i] >= '0' && data[i] <= '9'; ++i) {
        if (value > (std::numeric_limits<qint64>::max() - 9) / 10)
            return 0;
        value = value * 10 + (data[i] - '0');
    }
    return value;
}

// The name of an error code; "Unknown" for a number that is none (the
// encoder never trusts what it encodes). Looked up once.
const char *codeName(qint64 code)
{
    static const std::vector<const char *> names = [] {
        std::vector<const char *> list;
        const QMetaEnum codes = QMetaEnum::fromType<QGbError::Code>();
        for (int i = 0; i < codes.keyCount(); ++i) {
            const int value = codes.value(i);
            if (value < 0 || value > 4096)
                continue;
            if (size_t(value) >= list.size())
                list.resize(size_t(value) + 1, nullptr);
            list[size_t(value)] = codes.key(i);
        }
        return list;
    }();
    const char *name = code >= 0 && quint64(code) < names.size() ? names[size_t(code)] : nullptr;
    return name ? name : "Unknown";
}

const char *const workerStates[] = { "starting", "ready",     "exited", "restartScheduled",
                                     "gaveUp",   "recycling", "idle" };
const char *const callModes[] = { "call", "stream", "clientStream", "bidi", "describe" };

} // namespace

void QGbInspectEvent::encode(QByteArray *out, qint64 seq) const
{
    LineWriter w(out);
    switch (kind) {
    case Worker:
        w.literal("{\"type\":\"worker\"");
        break;
    case Output:
        w.literal("{\"type\":\"output\"");
        break;
    case Heartbeat:
        w.literal("{\"type\":\"heartbeat\"");
        break;
    case ConnectionOpened:
    case ConnectionClosed:
        w.literal("{\"type\":\"connection\"");
        break;
    case FrameSent:
    case FrameReceived:
        w.literal("{\"type\":\"frame\"");
        break;
    case CallStarted:
    case CallEnded:
        w.literal("{\"type\":\"call\"");
        break;
    case Stall:
        w.literal("{\"type\":\"stall\"");
        break;
    }
    w.literal(",\"seq\":");
    w.number(seq);
    w.literal(",\"t\":");
    w.number(time);
    if (worker >= 0) {
        w.literal(",\"worker\":");
        w.number(worker);
    }
    switch (kind) {
    case Worker:
        w.literal(",\"state\":");
        w.name(sub < std::size(workerStates) ? workerStates[sub] : "unknown");
        if (a > 0) {
            w.literal(",\"pid\":");
            w.number(a);
        }
        if (sub == 2 && bytes.isEmpty()) { // exited (a remote worker has no exit status)
            if (b < 0) {
                w.literal(",\"signal\":");
                w.number(-b);
            } else {
                w.literal(",\"exitCode\":");
                w.number(b);
            }
        } else if (sub == 3) { // restart scheduled
            w.literal(",\"delayMs\":");
            w.number(b);
        }
        if (!text.isEmpty()) {
            w.literal(",\"reason\":");
            w.string(text);
        }
        if (!bytes.isEmpty()) {
            w.literal(",\"endpoint\":");
            w.string(QString::fromUtf8(bytes));
        }
        break;
    case Output:
        w.literal(",\"channel\":");
        w.name(sub ? "stderr" : "stdout");
        w.literal(",\"line\":");
        w.string(QString::fromUtf8(bytes.endsWith('\n') ? bytes.chopped(1) : bytes));
        break;
    case Heartbeat:
        w.literal(",\"rttUs\":");
        w.number(a);
        break;
    case ConnectionOpened:
    case ConnectionClosed:
        w.literal(",\"event\":");
        w.name(kind == ConnectionOpened ? "open" : "close");
        w.literal(",\"connection\":");
        w.number(connection);
        w.literal(",\"link\":");
        w.number(link);
        if (sub)
            w.literal(",\"control\":true");
        else
            w.literal(",\"control\":false");
        if (kind == ConnectionClosed) {
            w.literal(",\"code\":");
            w.name(codeName(a));
            w.literal(",\"reason\":");
            w.string(text);
        }
        break;
    case FrameSent:
    case FrameReceived: {
        if (kind == FrameSent)
            w.literal(",\"dir\":\"out\",\"connection\":");
        else
            w.literal(",\"dir\":\"in\",\"connection\":");
        w.number(connection);
        w.literal(",\"link\":");
        w.number(link);
        w.literal(",\"call\":");
        // A sent frame's type and id are read from its preview (the I/O
        // thread does not parse what it sends); a received one's were parsed.
        w.number(kind == FrameSent ? findId(preview, previewSize) : callId);
        w.literal(",\"msg\":");
        if (kind == FrameSent) {
            const std::string_view type = findString(preview, previewSize);
            w.utf8(type.data(), qsizetype(type.size()));
        } else {
            w.string(text);
        }
        w.literal(",\"size\":");
        w.number(a);
        // Most frames have none: then no fields (56 bytes of each line).
        if (b > 0) {
            w.literal(",\"attachments\":[");
            for (int i = 0; i < b && i < MaxAttachmentSizes; ++i) {
                if (i)
                    w.literal(",");
                w.number(attachmentSizes[i]);
            }
            w.literal("],\"attachmentCount\":");
            w.number(b);
            w.literal(",\"attachmentBytes\":");
            w.number(c);
        }
        w.literal(",\"preview\":");
        w.latin1Bytes(preview, previewSize);
        break;
    }
    case CallStarted:
    case CallEnded:
        w.literal(",\"event\":");
        w.name(kind == CallStarted ? "start" : "end");
        w.literal(",\"call\":");
        w.number(callId);
        if (connection >= 0) {
            w.literal(",\"connection\":");
            w.number(connection);
        }
        if (link > 0) {
            w.literal(",\"link\":");
            w.number(link);
        }
        w.literal(",\"method\":");
        w.string(text);
        w.literal(",\"mode\":");
        w.name(sub < std::size(callModes) ? callModes[sub] : "unknown");
        if (kind == CallEnded) {
            w.literal(",\"durationUs\":");
            w.number(a);
            w.literal(",\"itemsIn\":");
            w.number(b);
            w.literal(",\"itemsOut\":");
            w.number(c);
            w.literal(",\"outcome\":");
            w.name(d < 0 ? "Ok" : codeName(d));
        }
        break;
    case Stall:
        w.literal(",\"call\":");
        w.number(callId);
        w.literal(",\"connection\":");
        w.number(connection);
        w.literal(",\"link\":");
        w.number(link);
        w.literal(",\"credit\":");
        w.name(sub ? "input" : "output");
        break;
    }
    w.literal("}\n");
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
