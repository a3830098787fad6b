// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbmessages_p.h"

#include <algorithm>
#include <limits>

namespace QGbWire {

namespace {

    constexpr MessageSpec Specs[] = {
        { MessageType::Hello, "hello", true, true },
        { MessageType::Call, "call", true, false },
        { MessageType::Chunk, "chunk", true, true },
        { MessageType::End, "end", true, true },
        { MessageType::Credit, "credit", true, true },
        { MessageType::Cancel, "cancel", true, false },
        { MessageType::Describe, "describe", true, false },
        { MessageType::Ping, "ping", true, false },
        { MessageType::Pong, "pong", false, true },
        { MessageType::Result, "result", false, true },
        { MessageType::Error, "error", false, true },
        { MessageType::Progress, "progress", false, true },
        { MessageType::Log, "log", false, true },
    };

    const char *nameOf(MessageType type)
    {
        for (const MessageSpec &spec : Specs) {
            if (spec.type == type)
                return spec.name;
        }
        Q_UNREACHABLE();
        return "";
    }

    // Builds the JSON object text of one message, field by field.
    class Envelope
    {
    public:
        explicit Envelope(MessageType type, qint64 id = 0)
        {
            m_json.reserve(128);
            m_json += "{\"type\":\"";
            m_json += nameOf(type);
            m_json += '"';
            if (id > 0)
                field("id", id);
        }
        void field(const char *key, qint64 value)
        {
            key_(key);
            m_json += QByteArray::number(value);
        }
        void field(const char *key, bool value)
        {
            key_(key);
            m_json += value ? "true" : "false";
        }
        void field(const char *key, QLatin1String value)
        {
            key_(key);
            m_json += '"';
            m_json += value; // ASCII with nothing to escape, by construction
            m_json += '"';
        }
        bool field(const char *key, QStringView value, QGbError *error)
        {
            key_(key);
            if (writeString(&m_json, value))
                return true;
            *error = QGbError(QGbError::TypeMismatch,
                              QStringLiteral("%1: the string holds an unpaired UTF-16 "
                                             "surrogate, which UTF-8 cannot carry")
                                      .arg(QLatin1String(key)));
            return false;
        }
        bool value(const char *key, const QVariant &value, QGbError *error, const QGbPath &path)
        {
            key_(key);
            return writeValue(&m_json, value, &m_attachments, error, path);
        }
        bool append(QByteArray *out, quint32 maxFrame, QGbError *error)
        {
            if (!m_attachments.isEmpty())
                field("att", qint64(m_attachments.size()));
            m_json += '}';
            return appendMessage(out, m_json, m_attachments, maxFrame, error);
        }
        // A message without values: a few dozen bytes, always below the
        // smallest maximum frame size.
        QByteArray frame()
        {
            Q_ASSERT(m_attachments.isEmpty());
            m_json += '}';
            QByteArray out;
            appendFrame(&out, m_json.constData(), m_json.size());
            return out;
        }

    private:
        void key_(const char *key)
        {
            m_json += ",\"";
            m_json += key;
            m_json += "\":";
        }
        QByteArray m_json;
        QList<QByteArray> m_attachments;
    };

    bool malformed(const Message &message, const char *field, const char *expected, QGbError *error)
    {
        *error = protocolError(QStringLiteral("the field \"%1\" of a \"%2\" message is missing or "
                                              "not %3")
                                       .arg(QLatin1String(field), QString::fromUtf8(message.type),
                                            QLatin1String(expected)));
        return false;
    }

    bool readInteger(const Message &message, const char *field, qint64 *out, QGbError *error)
    {
        const auto it = message.fields.constFind(QLatin1String(field));
        if (it == message.fields.cend() || it->typeId() != QMetaType::LongLong)
            return malformed(message, field, "an integer", error);
        *out = *static_cast<const qint64 *>(it->constData());
        return true;
    }

} // namespace

QList<MessageSpec> messageSpecs()
{
    return QList<MessageSpec>(std::begin(Specs), std::end(Specs));
}

MessageType messageType(const Message &message)
{
    for (const MessageSpec &spec : Specs) {
        if (message.type == spec.name)
            return spec.type;
    }
    return MessageType::Unknown;
}

QByteArray helloMessage(QByteArrayView token, bool control)
{
    Envelope hello(MessageType::Hello);
    hello.field("version", qint64(QGOBRIDGE_PROTOCOL_VERSION));
    hello.field("token", QLatin1String(token.data(), token.size()));
    hello.field("role", control ? QLatin1String("control") : QLatin1String("call"));
    return hello.frame();
}

bool appendCallMessage(QByteArray *out, qint64 id, QStringView method, const QVariantList &args,
                       int streamOut, qint64 window, quint32 maxFrame, QGbError *error,
                       const QVariantMap &kwargs)
{
    Envelope call(MessageType::Call, id);
    if (!call.field("method", method, error)
        || !call.value("args", args, error, QGbPath("args", QGbPath::ListRoot)))
        return false;
    if (!kwargs.isEmpty() && !call.value("kwargs", kwargs, error, QGbPath("kwargs")))
        return false;
    if (streamOut >= 0)
        call.field("stream_out", streamOut == 1);
    call.field("window", window);
    return call.append(out, maxFrame, error);
}

QByteArray describeMessage(qint64 id)
{
    return Envelope(MessageType::Describe, id).frame();
}

bool appendChunkMessage(QByteArray *out, qint64 id, const QVariantList &items, quint32 maxFrame,
                        QGbError *error)
{
    Envelope chunk(MessageType::Chunk, id);
    return chunk.value("items", items, error, QGbPath("input", QGbPath::ListRoot))
            && chunk.append(out, maxFrame, error);
}

QByteArray endMessage(qint64 id)
{
    return Envelope(MessageType::End, id).frame();
}

QByteArray creditMessage(qint64 id, qint64 n)
{
    Envelope credit(MessageType::Credit, id);
    credit.field("n", n);
    return credit.frame();
}

QByteArray cancelMessage(qint64 id, qint64 connection)
{
    Envelope cancel(MessageType::Cancel, id);
    if (connection >= 0)
        cancel.field("conn", connection);
    return cancel.frame();
}

QByteArray pingMessage(qint64 seq)
{
    Envelope ping(MessageType::Ping);
    ping.field("seq", seq);
    return ping.frame();
}

bool readHello(const Message &message, WorkerHello *hello, QGbError *error)
{
    if (!readInteger(message, "conn", &hello->connection, error)
        || !readInteger(message, "pid", &hello->pid, error))
        return false;
    // Absent in a worker older than the field: no feature.
    const auto features = message.fields.constFind(QStringLiteral("features"));
    if (features == message.fields.cend())
        return true;
    if (features->typeId() != QMetaType::QVariantList)
        return malformed(message, "features", "a list of strings", error);
    for (const QVariant &feature : *static_cast<const QVariantList *>(features->constData())) {
        if (feature.typeId() != QMetaType::QString)
            return malformed(message, "features", "a list of strings", error);
        if (*static_cast<const QString *>(feature.constData()) == QLatin1String("kwargs"))
            hello->keywordArguments = true;
    }
    return true;
}

bool readChunk(const Message &message, QVariantList *items, QGbError *error)
{
    const auto it = message.fields.constFind(QStringLiteral("items"));
    if (it == message.fields.cend() || it->typeId() != QMetaType::QVariantList)
        return malformed(message, "items", "a list", error);
    *items = *static_cast<const QVariantList *>(it->constData());
    return true;
}

bool readResult(const Message &message, QVariant *value, QGbError *error)
{
    if (message.hasRawValue())
        return parseRawValue(message, value, error);
    const auto it = message.fields.constFind(QStringLiteral("value"));
    if (it == message.fields.cend())
        return malformed(message, "value", "present", error);
    *value = *it;
    return true;
}

bool readCredit(const Message &message, qint64 *n, QGbError *error)
{
    return readInteger(message, "n", n, error);
}

bool readPong(const Message &message, qint64 *seq, QGbError *error)
{
    return readInteger(message, "seq", seq, error);
}

namespace {

    bool readNumber(const Message &message, const char *field, double *out, QGbError *error)
    {
        const auto it = message.fields.constFind(QLatin1String(field));
        if (it == message.fields.cend())
            return malformed(message, field, "a number", error);
        switch (it->typeId()) {
        case QMetaType::LongLong:
            *out = double(*static_cast<const qint64 *>(it->constData()));
            return true;
        case QMetaType::Double:
            *out = *static_cast<const double *>(it->constData());
            return true;
        default:
            return malformed(message, field, "a number", error);
        }
    }

    bool readString(const Message &message, const char *field, QString *out, QGbError *error)
    {
        const auto it = message.fields.constFind(QLatin1String(field));
        if (it == message.fields.cend() || it->typeId() != QMetaType::QString)
            return malformed(message, field, "a string", error);
        *out = *static_cast<const QString *>(it->constData());
        return true;
    }

    bool has(const Message &message, const char *field)
    {
        return message.fields.contains(QLatin1String(field));
    }

} // namespace

bool readProgress(const Message &message, ProgressFields *progress, QGbError *error)
{
    if (!readNumber(message, "done", &progress->done, error))
        return false;
    progress->total = -1;
    if (has(message, "total") && !readNumber(message, "total", &progress->total, error))
        return false;
    progress->text.clear();
    return !has(message, "text") || readString(message, "text", &progress->text, error);
}

bool readLog(const Message &message, LogFields *log, QGbError *error)
{
    qint64 level = 0;
    if (!readInteger(message, "level", &level, error))
        return false;
    log->level = int(std::clamp<qint64>(level, 0, 1000));
    if (!readString(message, "logger", &log->logger, error)
        || !readString(message, "message", &log->message, error)) {
        return false;
    }
    const auto optional = [&message](const char *field) {
        return message.fields.value(QLatin1String(field)).toString();
    };
    log->exception = optional("exc");
    log->file = optional("file");
    log->line = int(std::clamp<qint64>(message.fields.value(QStringLiteral("line")).toLongLong(), 0,
                                       std::numeric_limits<int>::max()));
    log->function = optional("func");
    log->thread = optional("thread");
    log->timeMs = -1;
    const QVariant time = message.fields.value(QStringLiteral("time"));
    if (time.canConvert<double>()) {
        const double seconds = time.toDouble();
        if (seconds > 0 && seconds < 1e11)
            log->timeMs = qint64(seconds * 1000);
    }
    return true;
}

QGbError readError(const Message &message)
{
    const QVariantMap e = message.fields.value(QStringLiteral("error")).toMap();
    const QString code = e.value(QStringLiteral("code")).toString();
    QGbError error(code.isEmpty() ? QGbError::ProtocolError : QGbError::codeFromName(code),
                   e.value(QStringLiteral("message")).toString());
    error.setRemoteType(e.value(QStringLiteral("type")).toString());
    error.setRemoteTraceback(e.value(QStringLiteral("traceback")).toString());
    return error;
}

} // namespace QGbWire
