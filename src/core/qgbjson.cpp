// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbjson_p.h"
#include "qgbjsonparser_p.h"

#include <QtCore/qendian.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace QGbWire {

namespace {

    using namespace Detail;

    bool resolveIn(QVariant *value, const QList<QByteArray> &attachments, qsizetype *remaining,
                   QGbError *error);

    bool resolveInMap(QVariantMap *map, const QList<QByteArray> &attachments, qsizetype *remaining,
                      QGbError *error)
    {
        for (auto it = map->begin(), end = map->end(); it != end && *remaining > 0; ++it) {
            if (!resolveIn(&it.value(), attachments, remaining, error))
                return false;
        }
        return true;
    }

    bool resolveIn(QVariant *value, const QList<QByteArray> &attachments, qsizetype *remaining,
                   QGbError *error)
    {
        switch (value->typeId()) {
        case QMetaType::QVariantList: {
            QVariantList *list = static_cast<QVariantList *>(value->data());
            for (auto it = list->begin(), end = list->end(); it != end && *remaining > 0; ++it) {
                if (!resolveIn(&*it, attachments, remaining, error))
                    return false;
            }
            return true;
        }
        case QMetaType::QVariantMap:
            return resolveInMap(static_cast<QVariantMap *>(value->data()), attachments, remaining,
                                error);
        case QMetaType::Nullptr:
        case QMetaType::Bool:
        case QMetaType::LongLong:
        case QMetaType::Double:
        case QMetaType::QString:
        case QMetaType::QByteArray:
            return true;
        default:
            break;
        }
        if (value->metaType() != attachmentRefType())
            return true;
        const qint64 index = static_cast<const AttachmentRef *>(value->constData())->index;
        if (index >= attachments.size()) {
            if (error) {
                *error = protocolError(
                        QStringLiteral("attachment %1 does not exist (the message has %2)")
                                .arg(index)
                                .arg(attachments.size()));
            }
            return false;
        }
        *value = QVariant(attachments.at(index));
        --*remaining;
        return true;
    }

    // ---- writer ----------------------------------------------------------------

    bool writeFailed(QGbError *error, const QGbPath &path, const QString &message)
    {
        if (error)
            *error = QGbError(QGbError::TypeMismatch,
                              path.toString() + QLatin1String(": ") + message);
        return false;
    }

} // namespace

void writeDouble(QByteArray *out, double d)
{
    char buffer[32];
    const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof(buffer), d);
    qsizetype n = r.ptr - buffer;
    // Python reads "1" as an int: keep the value a float.
    if (!std::memchr(buffer, '.', size_t(n)) && !std::memchr(buffer, 'e', size_t(n))) {
        buffer[n++] = '.';
        buffer[n++] = '0';
    }
    out->append(buffer, n);
}

void writeInteger(QByteArray *out, qint64 v)
{
    char buffer[24];
    const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof(buffer), v);
    out->append(buffer, r.ptr - buffer);
}

namespace {

    bool write(QByteArray *out, const QVariant &v, QList<QByteArray> *attachments, QGbError *error,
               const QGbPath &path);

    // UTF-8 cannot carry an unpaired UTF-16 surrogate, and replacing it would
    // change the text silently.
    bool loneSurrogate(QGbError *error, const QGbPath &path, bool inKey)
    {
        return writeFailed(error, path,
                           inKey ? QStringLiteral("the map key holds an unpaired UTF-16 surrogate, "
                                                  "which UTF-8 cannot carry")
                                 : QStringLiteral("the string holds an unpaired UTF-16 surrogate, "
                                                  "which UTF-8 cannot carry"));
    }

    bool writeMap(QByteArray *out, const QVariantMap &map, QList<QByteArray> *attachments,
                  QGbError *error, const QGbPath &path)
    {
        const bool escape = map.size() == 1 && map.firstKey().startsWith(QLatin1Char('$'));
        if (escape)
            out->append("{\"$map\":", 8);
        out->append('{');
        bool first = true;
        for (auto it = map.cbegin(), end = map.cend(); it != end; ++it) {
            if (!first)
                out->append(',');
            first = false;
            if (!writeString(out, it.key()))
                return loneSurrogate(error, path, true);
            out->append(':');
            if (!write(out, it.value(), attachments, error, path.key(it.key())))
                return false;
        }
        out->append('}');
        if (escape)
            out->append('}');
        return true;
    }

    bool write(QByteArray *out, const QVariant &v, QList<QByteArray> *attachments, QGbError *error,
               const QGbPath &path)
    {
        switch (v.typeId()) {
        case QMetaType::Nullptr:
            out->append("null", 4);
            return true;
        case QMetaType::Bool:
            if (*static_cast<const bool *>(v.constData()))
                out->append("true", 4);
            else
                out->append("false", 5);
            return true;
        case QMetaType::LongLong:
            writeInteger(out, *static_cast<const qint64 *>(v.constData()));
            return true;
        case QMetaType::Double: {
            const double d = *static_cast<const double *>(v.constData());
            if (!std::isfinite(d))
                return QGb::Private::notFinite(error, path, QMetaType::fromType<double>(), d);
            writeDouble(out, d);
            return true;
        }
        case QMetaType::QString:
            if (!writeString(out, *static_cast<const QString *>(v.constData())))
                return loneSurrogate(error, path, false);
            return true;
        case QMetaType::QByteArray:
            if (!attachments)
                return writeFailed(error, path, QStringLiteral("bytes cannot be sent here"));
            out->append("{\"$bytes\":", 10);
            writeInteger(out, attachments->size());
            out->append('}');
            attachments->append(*static_cast<const QByteArray *>(v.constData()));
            return true;
        case QMetaType::QVariantList: {
            const QVariantList &list = *static_cast<const QVariantList *>(v.constData());
            out->append('[');
            for (qsizetype i = 0, n = list.size(); i < n; ++i) {
                if (i)
                    out->append(',');
                if (!write(out, list.at(i), attachments, error, path.index(i)))
                    return false;
            }
            out->append(']');
            return true;
        }
        case QMetaType::QVariantMap:
            return writeMap(out, *static_cast<const QVariantMap *>(v.constData()), attachments,
                            error, path);
        default:
            break;
        }
        if (v.metaType() == streamMarkerType()) {
            out->append("{\"$stream\":0}", 13);
            return true;
        }
        if (v.metaType() == encodedJsonType()) {
            out->append(static_cast<const EncodedJson *>(v.constData())->text);
            return true;
        }
        return writeFailed(error, path,
                           QStringLiteral("cannot send a value of type %1 (not a canonical wire "
                                          "value; convert it with QGb::toWire() first)")
                                   .arg(QLatin1String(v.isValid() ? v.metaType().name()
                                                                  : "<invalid QVariant>")));
    }

    const QByteArray &internType(const QString &type)
    {
        static const QByteArray known[] = {
            QByteArrayLiteral("hello"),  QByteArrayLiteral("call"),   QByteArrayLiteral("chunk"),
            QByteArrayLiteral("end"),    QByteArrayLiteral("credit"), QByteArrayLiteral("cancel"),
            QByteArrayLiteral("result"), QByteArrayLiteral("error"),  QByteArrayLiteral("describe"),
            QByteArrayLiteral("ping"),   QByteArrayLiteral("pong"),
        };
        for (const QByteArray &k : known) {
            if (type == QLatin1String(k))
                return k;
        }
        static const QByteArray none;
        return none;
    }

} // namespace

QString KeyCache::intern(const char *key, qsizetype size)
{
    if (size > MaxKeySize)
        return QString::fromLatin1(key, size);
    quint32 h = 2166136261u;
    for (qsizetype i = 0; i < size; ++i)
        h = (h ^ uchar(key[i])) * 16777619u;
    if (!m_entries)
        m_entries = std::make_unique<Entry[]>(Size);
    Entry &e = m_entries[h & (Size - 1)];
    if (e.size == size && std::memcmp(e.bytes, key, size_t(size)) == 0)
        return e.string;
    e.string = QString::fromLatin1(key, size);
    e.size = size;
    std::memcpy(e.bytes, key, size_t(size));
    return e.string;
}

bool parseValue(const char *begin, const char *end, QVariant *out, ParseContext &ctx,
                QGbError *error)
{
    Parser parser(begin, end, ctx, error);
    return parser.parseDocument(out, false);
}

bool resolveAttachments(QVariant *value, const QList<QByteArray> &attachments, QGbError *error)
{
    qsizetype remaining = std::numeric_limits<qsizetype>::max();
    return resolveIn(value, attachments, &remaining, error);
}

namespace {

    bool parseEnvelope(const char *begin, const char *end, Message *out, ParseContext &ctx,
                       QGbError *error)
    {
        Parser parser(begin, end, ctx, error);
        QVariant value;
        if (!parser.parseDocument(&value, true))
            return false;
        QVariantMap &fields = *static_cast<QVariantMap *>(value.data());
        const auto type = fields.constFind(QStringLiteral("type"));
        if (type == fields.cend() || type->typeId() != QMetaType::QString) {
            if (error)
                *error = protocolError(QStringLiteral("the message has no string field \"type\""));
            return false;
        }
        const QString &typeName = *static_cast<const QString *>(type->constData());
        const QByteArray &known = internType(typeName);
        out->type = known.isNull() ? typeName.toUtf8() : known;
        out->id = 0;
        const auto id = fields.constFind(QStringLiteral("id"));
        if (id != fields.cend()) {
            if (id->typeId() != QMetaType::LongLong) {
                if (error)
                    *error = protocolError(QStringLiteral("the field \"id\" of a \"%1\" message is "
                                                          "not an integer")
                                                   .arg(typeName));
                return false;
            }
            out->id = *static_cast<const qint64 *>(id->constData());
        }
        out->fields = std::move(fields);
        return true;
    }

} // namespace

bool parseMessage(const char *begin, const char *end, Message *out, ParseContext &ctx,
                  QGbError *error)
{
    ctx.rawValueBegin = ctx.rawValueEnd = nullptr;
    const qsizetype deferredBefore = ctx.deferredAttachments;
    const bool ok = parseEnvelope(begin, end, out, ctx, error);
    out->rawValueBegin = out->rawValueEnd = out->rawOrigin = nullptr;
    out->rawKeys = nullptr;
    if (!ctx.rawValueBegin)
        return ok;
    if (ok && ctx.deferredAttachments == deferredBefore
        && !out->fields.contains(QStringLiteral("att"))) {
        out->rawValueBegin = ctx.rawValueBegin;
        out->rawValueEnd = ctx.rawValueEnd;
        out->rawKey = ctx.rawKey;
        out->rawOrigin = ctx.origin ? ctx.origin : begin;
        out->rawKeys = &ctx.keyCache();
        return true;
    }
    // The message fails, has attachments after all ("att" after the value),
    // or markers of attachments it does not have: parse it as a whole, so
    // that the errors are those of the whole and come in its order.
    ctx.rawValueBegin = ctx.rawValueEnd = nullptr;
    ctx.deferredAttachments = deferredBefore;
    const bool lazyValue = std::exchange(ctx.lazyResultValue, false);
    const bool lazyItems = std::exchange(ctx.lazyChunkItems, false);
    *out = Message();
    const bool again = parseEnvelope(begin, end, out, ctx, error);
    ctx.lazyResultValue = lazyValue;
    ctx.lazyChunkItems = lazyItems;
    return again;
}

// The field a message's raw text is the value of, without an allocation.
static const QString &rawKeyOf(const Message &message)
{
    static const QString value = QStringLiteral("value");
    static const QString items = QStringLiteral("items");
    return message.rawKey == QLatin1String("items") ? items : value;
}

bool parseRawValue(const Message &message, QVariant *out, QGbError *error)
{
    Q_ASSERT(message.hasRawValue());
    ParseContext ctx;
    ctx.origin = message.rawOrigin;
    ctx.sharedKeys = message.rawKeys;
    ctx.deferAttachments = true;
    Parser parser(message.rawValueBegin, message.rawValueEnd, ctx, error);
    static const QGbPath root;
    QVariant value;
    if (!parser.parseFieldValue(&value, root.key(rawKeyOf(message))))
        return false;
    // Markers of attachments the message does not have ("att" absent).
    if (ctx.deferredAttachments > 0 && !resolveAttachments(&value, {}, error))
        return false;
    *out = std::move(value);
    return true;
}

bool materializeValue(Message *message, QGbError *error)
{
    if (!message->hasRawValue())
        return true;
    QVariant value;
    if (!parseRawValue(*message, &value, error))
        return false;
    message->fields.insert(rawKeyOf(*message), std::move(value));
    message->rawValueBegin = message->rawValueEnd = message->rawOrigin = nullptr;
    message->rawKeys = nullptr;
    return true;
}

bool writeValue(QByteArray *out, const QVariant &canonical, QList<QByteArray> *attachments,
                QGbError *error, const QGbPath &path)
{
    const qsizetype outSize = out->size();
    const qsizetype attachmentCount = attachments ? attachments->size() : 0;
    if (write(out, canonical, attachments, error, path))
        return true;
    out->truncate(outSize);
    if (attachments)
        attachments->resize(attachmentCount);
    return false;
}

bool writeString(QByteArray *out, QStringView s, qsizetype *badIndex)
{
    static const char hexDigits[] = "0123456789abcdef";
    const char16_t *src = s.utf16();
    const char16_t *const srcEnd = src + s.size();
    // Encode in blocks, each with room for its worst case (6 bytes per unit
    // for \u00XX), so a large string does not reserve 6 times its size.
    // Each block also has room for a surrogate pair straddling its end and
    // for the closing quote.
    constexpr qsizetype Block = 1024;
    constexpr qsizetype Spare = 8;
    const qsizetype original = out->size();
    qsizetype pos = original;
    out->resize(pos + 1 + qMin<qsizetype>(s.size(), Block) * 6 + Spare);
    char *dst = out->data() + pos;
    *dst++ = '"';
    while (src != srcEnd) {
        const qsizetype blockSize = qMin<qsizetype>(srcEnd - src, Block);
        const qsizetype need = blockSize * 6 + Spare;
        if (out->size() - (dst - out->constData()) < need) {
            pos = dst - out->constData();
            out->resize(pos + need);
            dst = out->data() + pos;
        }
        const char16_t *blockEnd = src + blockSize;
        while (src != blockEnd) {
            const char16_t c = *src++;
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\') {
                    *dst++ = char(c);
                    continue;
                }
                *dst++ = '\\';
                switch (c) {
                case '"':
                    *dst++ = '"';
                    break;
                case '\\':
                    *dst++ = '\\';
                    break;
                case '\b':
                    *dst++ = 'b';
                    break;
                case '\f':
                    *dst++ = 'f';
                    break;
                case '\n':
                    *dst++ = 'n';
                    break;
                case '\r':
                    *dst++ = 'r';
                    break;
                case '\t':
                    *dst++ = 't';
                    break;
                default:
                    *dst++ = 'u';
                    *dst++ = '0';
                    *dst++ = '0';
                    *dst++ = hexDigits[c >> 4];
                    *dst++ = hexDigits[c & 0xF];
                    break;
                }
            } else if (c < 0x800) {
                *dst++ = char(0xC0 | (c >> 6));
                *dst++ = char(0x80 | (c & 0x3F));
            } else if (QChar::isHighSurrogate(c) && src != srcEnd && QChar::isLowSurrogate(*src)) {
                const char32_t cp = QChar::surrogateToUcs4(c, *src++);
                if (src == blockEnd + 1)
                    blockEnd = src; // the pair straddled the block end (room has 8 spare bytes)
                *dst++ = char(0xF0 | (cp >> 18));
                *dst++ = char(0x80 | ((cp >> 12) & 0x3F));
                *dst++ = char(0x80 | ((cp >> 6) & 0x3F));
                *dst++ = char(0x80 | (cp & 0x3F));
            } else if (QChar::isSurrogate(c)) {
                if (badIndex)
                    *badIndex = src - 1 - s.utf16();
                out->truncate(original);
                return false;
            } else {
                *dst++ = char(0xE0 | (c >> 12));
                *dst++ = char(0x80 | ((c >> 6) & 0x3F));
                *dst++ = char(0x80 | (c & 0x3F));
            }
        }
    }
    *dst++ = '"';
    out->truncate(dst - out->constData());
    return true;
}

bool resolveAttachmentsInMap(QVariantMap *map, const QList<QByteArray> &attachments,
                             qsizetype count, QGbError *error)
{
    return resolveInMap(map, attachments, &count, error);
}

QGbError protocolError(const QString &message)
{
    return QGbError(QGbError::ProtocolError, message);
}

} // namespace QGbWire
