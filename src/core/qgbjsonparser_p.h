// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBJSONPARSER_P_H
#define QGBJSONPARSER_P_H

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

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

// The wire's JSON reader: the codec (qgbjson.cpp) builds wire values with it,
// and the typed reader (qgbjson_typed.cpp) reads values straight into C++
// types with its parts.
namespace QGbWire::Detail {

// The metatype of T, registered (so that QVariant::typeId() sees a stable id).
template<typename T>
inline const QMetaType &registeredType()
{
    static const QMetaType type = [] {
        const QMetaType t = QMetaType::fromType<T>();
        (void)t.id();
        return t;
    }();
    return type;
}

inline const QMetaType &attachmentRefType()
{
    return registeredType<AttachmentRef>();
}

inline const QMetaType &streamMarkerType()
{
    return registeredType<QGbStreamMarker>();
}

inline const QMetaType &encodedJsonType()
{
    return registeredType<EncodedJson>();
}

inline bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

inline bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Reads the four hex digits at s; -1 if they are not hex digits.
inline int hex4(const char *s)
{
    const int a = hexValue(s[0]), b = hexValue(s[1]), c = hexValue(s[2]), d = hexValue(s[3]);
    if ((a | b | c | d) < 0)
        return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
}

// ---- reader ----------------------------------------------------------------

class Parser
{
public:
    Parser(const char *begin, const char *stop, ParseContext &context, QGbError *err)
        : p(begin)
        , end(stop)
        , origin(context.origin ? context.origin : begin)
        , ctx(context)
        , error(err)
    {
    }

    bool parseDocument(QVariant *out, bool envelope)
    {
        static const QGbPath emptyRoot;
        const QGbPath &root = ctx.root ? *ctx.root : emptyRoot;
        skipSpace();
        if (envelope) {
            if (p == end || *p != '{')
                return syntax("a message must be a JSON object");
            m_envelope = true;
            if (!parseObject(out, root, 1, true))
                return false;
        } else if (!parseValue(out, root, 0)) {
            return false;
        }
        skipSpace();
        if (p != end)
            return syntax("unexpected data after the JSON value");
        return true;
    }

    // Parses the field value that makes up all of [begin, end), as the
    // envelope's parse would have parsed it there (ParseContext::lazyResultValue,
    // lazyChunkItems):
    // the same depth, the same errors.
    bool parseFieldValue(QVariant *out, const QGbPath &path)
    {
        if (!parseValue(out, path, 1))
            return false;
        skipSpace();
        if (p != end)
            return syntax("expected ',' or '}'");
        return true;
    }

protected:
    const char *p;
    const char *const end;
    const char *const origin;
    ParseContext &ctx;
    QGbError *const error;
    bool m_envelope = false; // the next object parsed is a message's envelope

    qint64 offset(const char *at) const { return qint64(at - origin); }

    bool syntax(const char *what, const char *at = nullptr)
    {
        if (error) {
            *error = protocolError(QStringLiteral("invalid JSON at byte %1: %2")
                                           .arg(offset(at ? at : p))
                                           .arg(QLatin1String(what)));
        }
        return false;
    }

    bool mismatch(const QGbPath &path, const QString &what)
    {
        if (error)
            *error = QGbError(QGbError::TypeMismatch, path.toString() + QLatin1String(": ") + what);
        return false;
    }

    void skipSpace()
    {
        while (p != end && isSpace(*p))
            ++p;
    }

    bool parseValue(QVariant *out, const QGbPath &path, int depth)
    {
        skipSpace();
        if (p == end)
            return syntax("unexpected end of input");
        switch (*p) {
        case '{':
            if (depth >= MaxDepth)
                return syntax("nesting deeper than 512 levels");
            return parseObject(out, path, depth + 1, false);
        case '[':
            if (depth >= MaxDepth)
                return syntax("nesting deeper than 512 levels");
            return parseArray(out, path, depth + 1);
        case '"':
            return parseString(QGb::Private::emplace<QString>(out));
        case 't':
            if (end - p >= 4 && std::memcmp(p, "true", 4) == 0) {
                p += 4;
                *out = QVariant(true);
                return true;
            }
            break;
        case 'f':
            if (end - p >= 5 && std::memcmp(p, "false", 5) == 0) {
                p += 5;
                *out = QVariant(false);
                return true;
            }
            break;
        case 'n':
            if (end - p >= 4 && std::memcmp(p, "null", 4) == 0) {
                p += 4;
                *out = QVariant::fromValue(nullptr);
                return true;
            }
            break;
        default:
            if (*p == '-' || isDigit(*p))
                return parseNumber(out, path);
            break;
        }
        return syntax("unexpected character");
    }

    bool parseArray(QVariant *out, const QGbPath &path, int depth)
    {
        ++p; // [
        QVariantList *list = QGb::Private::emplace<QVariantList>(out);
        skipSpace();
        if (p != end && *p == ']') {
            ++p;
            return true;
        }
        for (qsizetype i = 0;; ++i) {
            QVariant &slot = list->emplace_back();
            if (!parseValue(&slot, path.index(i), depth))
                return false;
            skipSpace();
            if (p == end)
                return syntax("unexpected end of input in a list");
            if (*p == ',') {
                ++p;
                continue;
            }
            if (*p == ']') {
                ++p;
                return true;
            }
            return syntax("expected ',' or ']'");
        }
    }

    // Finds where the value starting at q ends, without validating it: just
    // far enough to tell whether an object has one key. nullptr on bad input
    // (the real parse then reports the error).
    const char *skipValue(const char *q) const
    {
        int depth = 0;
        while (q != end) {
            const char c = *q;
            if (c == '"') {
                ++q;
                while (q != end && *q != '"') {
                    if (*q == '\\' && ++q == end)
                        return nullptr;
                    ++q;
                }
                if (q == end)
                    return nullptr;
                ++q;
                if (depth == 0)
                    return q;
            } else if (c == '{' || c == '[') {
                ++depth;
                ++q;
            } else if (c == '}' || c == ']') {
                if (depth == 0)
                    return q;
                ++q;
                if (--depth == 0)
                    return q;
            } else if (c == ',' && depth == 0) {
                return q;
            } else {
                ++q;
            }
        }
        return nullptr;
    }

    bool expect(char c, const char *what)
    {
        skipSpace();
        if (p == end || *p != c)
            return syntax(what);
        ++p;
        return true;
    }

    // The object at p has a single key, 'key', starting with '$'; p is at its value.
    bool parseMarker(QVariant *out, const QString &key, const QGbPath &path, int depth)
    {
        skipSpace();
        const char *at = p;
        if (key == QLatin1String("$map")) {
            if (p == end || *p != '{')
                return syntax("the $map marker needs an object", at);
            if (depth >= MaxDepth)
                return syntax("nesting deeper than 512 levels");
            if (!parseObject(out, path, depth + 1, true))
                return false;
            return expect('}', "expected '}'");
        }
        const bool isBytes = key == QLatin1String("$bytes");
        if (!isBytes && key != QLatin1String("$stream"))
            return syntax("unknown marker object (a one-key object whose key starts with '$')", at);
        QVariant index;
        if (p == end || !isDigit(*p) || !parseNumber(&index, path)
            || index.typeId() != QMetaType::LongLong)
            return syntax(isBytes ? "the $bytes marker needs an attachment index"
                                  : "the $stream marker needs the index 0",
                          at);
        const qint64 i = *static_cast<const qint64 *>(index.constData());
        if (!expect('}', "expected '}'"))
            return false;
        if (!isBytes) {
            if (i != 0)
                return syntax("the $stream marker needs the index 0", at);
            *out = QVariant::fromValue(QGbStreamMarker());
            return true;
        }
        if (ctx.deferAttachments) {
            *out = QVariant::fromValue(AttachmentRef { i });
            ++ctx.deferredAttachments;
            return true;
        }
        const qsizetype count = ctx.attachments ? ctx.attachments->size() : 0;
        if (i >= count) {
            if (error) {
                *error = protocolError(
                        QStringLiteral("invalid JSON at byte %1: attachment %2 does not exist "
                                       "(the message has %3)")
                                .arg(offset(at))
                                .arg(i)
                                .arg(count));
            }
            return false;
        }
        *out = QVariant(ctx.attachments->at(i));
        return true;
    }

    // literal: a {"$map": ...} payload, never itself a marker.
    bool parseObject(QVariant *out, const QGbPath &path, int depth, bool literal)
    {
        const bool envelope = std::exchange(m_envelope, false);
        ++p; // {
        skipSpace();
        if (p != end && *p == '}') {
            ++p;
            QGb::Private::emplace<QVariantMap>(out);
            return true;
        }
        QString key;
        if (!parseKey(&key) || !expect(':', "expected ':'"))
            return false;
        if (!literal && key.startsWith(QLatin1Char('$'))) {
            const char *q = p;
            while (q != end && isSpace(*q))
                ++q;
            q = skipValue(q);
            while (q && q != end && isSpace(*q))
                ++q;
            if (q && q != end && *q == '}')
                return parseMarker(out, key, path, depth);
        }
        QVariantMap *map = QGb::Private::emplace<QVariantMap>(out);
        for (;;) {
            const qsizetype before = map->size();
            QVariant &slot = (*map)[key];
            if (map->size() == before) {
                // RFC 8259 leaves repeated names to the parser; here they
                // are an error, so that no value is silently dropped.
                if (error) {
                    *error = protocolError(
                            QStringLiteral("invalid JSON at byte %1: %2 appears twice")
                                    .arg(offset(p))
                                    .arg(path.key(key).toString()));
                }
                return false;
            }
            if (!(Q_UNLIKELY(envelope) && skipLazyValue(key, *map))
                && !parseValue(&slot, path.key(key), depth))
                return false;
            skipSpace();
            if (p == end)
                return syntax("unexpected end of input in an object");
            if (*p == '}') {
                ++p;
                return true;
            }
            if (*p != ',')
                return syntax("expected ',' or '}'");
            ++p;
            if (!parseKey(&key) || !expect(':', "expected ':'"))
                return false;
        }
    }

    // In a message's envelope, at the value of field key: with
    // ParseContext::lazyResultValue (lazyChunkItems), passes over the "value"
    // of a "result" (the "items" of a "chunk") without attachments (so far:
    // "att" comes first), leaving its text in ctx.rawValueBegin/End. False:
    // parse the value now.
    bool skipLazyValue(const QString &key, const QVariantMap &fields)
    {
        const bool value = ctx.lazyResultValue && key == QLatin1String("value");
        if (!value && !(ctx.lazyChunkItems && key == QLatin1String("items")))
            return false;
        const auto type = fields.constFind(QStringLiteral("type"));
        if (type == fields.cend() || type->typeId() != QMetaType::QString
            || *static_cast<const QString *>(type->constData())
                    != QLatin1String(value ? "result" : "chunk")
            || fields.contains(QStringLiteral("att")))
            return false;
        skipSpace();
        const char *q = p != end ? skipValue(p) : nullptr;
        if (!q || q == p) // nothing there, or it stops at once: the parse reports it
            return false;
        ctx.rawValueBegin = p;
        ctx.rawValueEnd = q;
        ctx.rawKey = QLatin1String(value ? "value" : "items");
        p = q;
        return true;
    }

    bool parseKey(QString *out)
    {
        skipSpace();
        if (p == end || *p != '"')
            return syntax("expected a string key");
        const char *start = p + 1;
        if (const char *q = plainAsciiEnd(start); q != end && *q == '"') {
            *out = ctx.keyCache().intern(start, q - start);
            p = q + 1;
            return true;
        }
        return parseString(out);
    }

    // The first byte from q on that is not printable ASCII other than a
    // backslash: a quote ends a string the fast paths take.
    const char *plainAsciiEnd(const char *q) const
    {
        for (; q != end; ++q) {
            const uchar c = uchar(*q);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
                break;
        }
        return q;
    }

    bool parseString(QString *out)
    {
        const char *start = ++p; // after the opening quote
        // Fast path: printable ASCII without escapes.
        const char *q = plainAsciiEnd(start);
        if (q != end && *q == '"') {
            *out = QString::fromLatin1(start, q - start);
            p = q + 1;
            return true;
        }
        // Find the closing quote to size the result: UTF-16 never needs more
        // code units than UTF-8 or an escape sequence has bytes.
        const char *close = q;
        while (close != end && *close != '"') {
            if (*close == '\\' && ++close == end)
                break;
            ++close;
        }
        if (close == end)
            return syntax("unterminated string", start - 1);

        QString result(close - start, Qt::Uninitialized);
        char16_t *const base = reinterpret_cast<char16_t *>(result.data());
        char16_t *dst = base;
        for (const char *s = start; s != q; ++s)
            *dst++ = char16_t(uchar(*s));
        while (q != close) {
            const uchar c = uchar(*q);
            if (c == '\\') {
                const char e = q[1];
                switch (e) {
                case '"':
                case '\\':
                case '/':
                    *dst++ = char16_t(e);
                    q += 2;
                    continue;
                case 'b':
                    *dst++ = u'\b';
                    q += 2;
                    continue;
                case 'f':
                    *dst++ = u'\f';
                    q += 2;
                    continue;
                case 'n':
                    *dst++ = u'\n';
                    q += 2;
                    continue;
                case 'r':
                    *dst++ = u'\r';
                    q += 2;
                    continue;
                case 't':
                    *dst++ = u'\t';
                    q += 2;
                    continue;
                case 'u':
                    break;
                default:
                    return syntax("invalid escape sequence in a string", q);
                }
                const int u = close - q >= 6 ? hex4(q + 2) : -1;
                if (u < 0)
                    return syntax("invalid \\u escape in a string", q);
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return syntax("unpaired surrogate escape in a string", q);
                if (u >= 0xD800 && u <= 0xDBFF) {
                    const int low =
                            (close - q >= 12 && q[6] == '\\' && q[7] == 'u') ? hex4(q + 8) : -1;
                    if (low < 0xDC00 || low > 0xDFFF)
                        return syntax("unpaired surrogate escape in a string", q);
                    *dst++ = char16_t(u);
                    *dst++ = char16_t(low);
                    q += 12;
                    continue;
                }
                *dst++ = char16_t(u);
                q += 6;
                continue;
            }
            if (c < 0x80) {
                if (c < 0x20)
                    return syntax("control character in a string (must be escaped)", q);
                *dst++ = char16_t(c);
                ++q;
                continue;
            }
            // UTF-8 multi-byte sequence, validated as in RFC 3629 (no overlong
            // forms, no surrogates, nothing above U+10FFFF).
            const qsizetype left = close - q;
            const auto cont = [](char b) { return (uchar(b) & 0xC0) == 0x80; };
            if (c >= 0xC2 && c <= 0xDF) {
                if (left < 2 || !cont(q[1]))
                    return syntax("invalid UTF-8 in a string", q);
                *dst++ = char16_t(((c & 0x1F) << 6) | (uchar(q[1]) & 0x3F));
                q += 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (left < 3 || !cont(q[1]) || !cont(q[2]))
                    return syntax("invalid UTF-8 in a string", q);
                const uchar c1 = uchar(q[1]);
                if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F))
                    return syntax("invalid UTF-8 in a string", q);
                *dst++ = char16_t(((c & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (uchar(q[2]) & 0x3F));
                q += 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (left < 4 || !cont(q[1]) || !cont(q[2]) || !cont(q[3]))
                    return syntax("invalid UTF-8 in a string", q);
                const uchar c1 = uchar(q[1]);
                if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
                    return syntax("invalid UTF-8 in a string", q);
                const char32_t cp = (char32_t(c & 0x07) << 18) | (char32_t(c1 & 0x3F) << 12)
                        | (char32_t(uchar(q[2]) & 0x3F) << 6) | char32_t(uchar(q[3]) & 0x3F);
                *dst++ = QChar::highSurrogate(cp);
                *dst++ = QChar::lowSurrogate(cp);
                q += 4;
            } else {
                return syntax("invalid UTF-8 in a string", q);
            }
        }
        result.truncate(dst - base);
        *out = std::move(result);
        p = close + 1;
        return true;
    }

    bool parseNumber(QVariant *out, const QGbPath &path)
    {
        const char *start = p;
        const char *q = p;
        const bool negative = *q == '-';
        if (negative)
            ++q;
        if (q == end || !isDigit(*q))
            return syntax("invalid number", start);
        const char *intStart = q;
        if (*q == '0') {
            ++q;
            if (q != end && isDigit(*q))
                return syntax("invalid number (leading zero)", start);
        } else {
            while (q != end && isDigit(*q))
                ++q;
        }
        const char *intEnd = q;
        const char *fracStart = nullptr;
        const char *fracEnd = nullptr;
        bool isDouble = false;
        qint64 exponent = 0;
        if (q != end && *q == '.') {
            fracStart = ++q;
            while (q != end && isDigit(*q))
                ++q;
            fracEnd = q;
            if (fracStart == fracEnd)
                return syntax("invalid number (no digits after '.')", start);
            isDouble = true;
        }
        if (q != end && (*q == 'e' || *q == 'E')) {
            ++q;
            bool negativeExponent = false;
            if (q != end && (*q == '+' || *q == '-'))
                negativeExponent = *q++ == '-';
            const char *expStart = q;
            while (q != end && isDigit(*q)) {
                if (exponent < 100000000)
                    exponent = exponent * 10 + (*q - '0');
                ++q;
            }
            if (q == expStart)
                return syntax("invalid number (no digits in the exponent)", start);
            if (negativeExponent)
                exponent = -exponent;
            isDouble = true;
        }
        p = q;

        if (!isDouble) {
            const qsizetype digits = intEnd - intStart;
            quint64 v = 0;
            if (digits <= 18) {
                for (const char *d = intStart; d != intEnd; ++d)
                    v = v * 10 + quint64(*d - '0');
            } else {
                const quint64 limit = negative ? quint64(1) << 63 : (quint64(1) << 63) - 1;
                for (const char *d = intStart; d != intEnd; ++d) {
                    const quint64 digit = quint64(*d - '0');
                    if (v > (limit - digit) / 10) {
                        return mismatch(
                                path,
                                QStringLiteral("integer beyond 64 bits (%1)")
                                        .arg(QLatin1String(start, qMin<qsizetype>(q - start, 40))));
                    }
                    v = v * 10 + digit;
                }
            }
            qint64 result;
            if (!negative)
                result = qint64(v);
            else if (v == quint64(1) << 63)
                result = std::numeric_limits<qint64>::min();
            else
                result = -qint64(v);
            *out = QVariant(result);
            return true;
        }

        double d = 0;
        const std::from_chars_result r = std::from_chars(start, q, d);
        if (r.ec == std::errc::result_out_of_range) {
            // Overflow or underflow: find the decimal magnitude of the first
            // significant digit.
            qint64 magnitude;
            if (*intStart != '0') {
                magnitude = qint64(intEnd - intStart) - 1 + exponent;
            } else {
                const char *f = fracStart;
                while (f && f != fracEnd && *f == '0')
                    ++f;
                magnitude = (f && f != fracEnd) ? exponent - qint64(f - fracStart) - 1 : -1;
            }
            if (magnitude > 0) {
                return mismatch(path,
                                QStringLiteral("number beyond the double range (%1)")
                                        .arg(QLatin1String(start, qMin<qsizetype>(q - start, 40))));
            }
            d = negative ? -0.0 : 0.0;
        } else if (r.ec != std::errc() || r.ptr != q) {
            return syntax("invalid number", start);
        }
        *out = QVariant(d);
        return true;
    }
};

} // namespace QGbWire::Detail

#endif // QGBJSONPARSER_P_H
