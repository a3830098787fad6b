// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbinspectmessage_p.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qvarlengtharray.h>

#include <charconv>
#include <cstring>
#include <limits>

namespace QGbInspect {

namespace {

    struct Member
    {
        qint32 keyBegin; // the key's bytes, between its quotes
        qint32 keyEnd;
        qint32 valueBegin; // the value's text
        qint32 valueEnd;
        bool keyPlain; // no escape and ASCII only: comparable byte by byte
    };

    constexpr int MaxDepth = 64;
    // Members kept in the message itself: the pool's longest events (a
    // call's end, a frame with attachments) have 14. An inspector keeps up to
    // 200k messages waiting: 20 inline members were 400 bytes a message.
    constexpr int InlineMembers = 14;
    using Members = QVarLengthArray<Member, InlineMembers>;

    bool isHexDigit(char c)
    {
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    }

    // Checks JSON text (RFC 8259, UTF-8) without building anything; the
    // offset and a reason when it is not.
    class Scanner
    {
    public:
        Scanner(const char *begin, const char *end)
            : m_begin(begin)
            , m_p(begin)
            , m_end(end)
        {
        }

        qint32 offset() const { return qint32(m_p - m_begin); }
        const char *why() const { return m_why; }
        bool atEnd() const { return m_p == m_end; }
        char peek() const { return m_p < m_end ? *m_p : '\0'; }
        bool take(char c)
        {
            if (m_p < m_end && *m_p == c) {
                ++m_p;
                return true;
            }
            return false;
        }
        void skipSpace()
        {
            while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\r' || *m_p == '\n'))
                ++m_p;
        }
        bool fail(const char *why)
        {
            m_why = why;
            return false;
        }

        // A string, the opening quote next; *plain: no escape, ASCII only.
        bool string(bool *plain)
        {
            if (!take('"'))
                return fail("a string was expected");
            *plain = true;
            while (m_p < m_end) {
                const uchar c = uchar(*m_p);
                if (c == '"') {
                    ++m_p;
                    return true;
                }
                if (c < 0x20)
                    return fail("a control character in a string");
                if (c == '\\') {
                    *plain = false;
                    if (++m_p == m_end)
                        break;
                    switch (*m_p++) {
                    case '"':
                    case '\\':
                    case '/':
                    case 'b':
                    case 'f':
                    case 'n':
                    case 'r':
                    case 't':
                        break;
                    case 'u':
                        for (int i = 0; i < 4; ++i, ++m_p) {
                            if (m_p == m_end || !isHexDigit(*m_p))
                                return fail("a bad \\u escape");
                        }
                        break;
                    default:
                        return fail("a bad escape");
                    }
                } else if (c < 0x80) {
                    ++m_p;
                } else {
                    *plain = false;
                    if (!utf8Sequence())
                        return fail("a string that is not UTF-8");
                }
            }
            return fail("an unterminated string");
        }

        bool number()
        {
            const char *start = m_p;
            take('-');
            if (take('0')) {
            } else if (m_p < m_end && *m_p >= '1' && *m_p <= '9') {
                digits();
            } else {
                return fail("a bad number");
            }
            bool integer = true;
            if (take('.')) {
                integer = false;
                if (!digits())
                    return fail("a bad number");
            }
            if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
                integer = false;
                ++m_p;
                if (!take('+'))
                    take('-');
                if (!digits())
                    return fail("a bad number");
            }
            // As QJsonDocument: a number no double can hold is refused. An
            // integer written in fewer than 300 characters always fits (the
            // largest double has 309 digits), so most numbers of an event
            // need no conversion.
            if (integer && m_p - start < 300)
                return true;
            double value = 0;
            if (std::from_chars(start, m_p, value).ec != std::errc())
                return fail("a number out of range");
            return true;
        }

        // An object, its opening brace next; each member's key and value
        // recorded in *members if given.
        bool object(int depth, Members *members)
        {
            ++m_p;
            skipSpace();
            if (take('}'))
                return true;
            for (;;) {
                skipSpace();
                Member member {};
                member.keyBegin = offset() + 1;
                if (!string(&member.keyPlain))
                    return false;
                member.keyEnd = offset() - 1;
                skipSpace();
                if (!take(':'))
                    return fail("a colon was expected");
                skipSpace();
                member.valueBegin = offset();
                if (!value(depth + 1))
                    return false;
                member.valueEnd = offset();
                if (members)
                    members->append(member);
                skipSpace();
                if (take('}'))
                    return true;
                if (!take(','))
                    return fail("a comma or a closing brace was expected");
            }
        }

        bool value(int depth)
        {
            if (depth > MaxDepth)
                return fail("too deeply nested");
            bool plain = false;
            switch (peek()) {
            case '"':
                return string(&plain);
            case '{':
                return object(depth, nullptr);
            case '[':
                ++m_p;
                skipSpace();
                if (take(']'))
                    return true;
                for (;;) {
                    skipSpace();
                    if (!value(depth + 1))
                        return false;
                    skipSpace();
                    if (take(']'))
                        return true;
                    if (!take(','))
                        return fail("a comma or a closing bracket was expected");
                }
            case 't':
                return literal("true", 4);
            case 'f':
                return literal("false", 5);
            case 'n':
                return literal("null", 4);
            default:
                return number();
            }
        }

    private:
        bool digits()
        {
            const char *start = m_p;
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
            return m_p != start;
        }
        bool literal(const char *text, qsizetype size)
        {
            if (m_end - m_p < size || memcmp(m_p, text, size_t(size)) != 0)
                return fail("an unknown word");
            m_p += size;
            return true;
        }
        // One multi-byte UTF-8 sequence: no overlong form, no surrogate,
        // nothing past U+10FFFF.
        bool utf8Sequence()
        {
            const uchar c = uchar(*m_p);
            int more;
            uchar low = 0x80, high = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                more = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                more = 2;
                if (c == 0xe0)
                    low = 0xa0;
                else if (c == 0xed)
                    high = 0x9f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                more = 3;
                if (c == 0xf0)
                    low = 0x90;
                else if (c == 0xf4)
                    high = 0x8f;
            } else {
                return false;
            }
            if (m_end - m_p <= more)
                return false;
            for (int i = 1; i <= more; ++i) {
                const uchar next = uchar(m_p[i]);
                if (next < (i == 1 ? low : 0x80) || next > (i == 1 ? high : 0xbf))
                    return false;
            }
            m_p += more + 1;
            return true;
        }

        const char *m_begin;
        const char *m_p;
        const char *m_end;
        const char *m_why = "";
    };

    // The type of most lines as a shared constant: no allocation, no decoding.
    QString knownType(const QByteArray &line, const Member &member)
    {
        static const QString types[] = {
            QStringLiteral("frame"),      QStringLiteral("call"),    QStringLiteral("worker"),
            QStringLiteral("connection"), QStringLiteral("stall"),   QStringLiteral("heartbeat"),
            QStringLiteral("output"),     QStringLiteral("dropped"), QStringLiteral("live"),
        };
        // The value's text between its quotes; an escape makes it unknown
        // here (the caller decodes it then).
        const QByteArrayView text(line.constData() + member.valueBegin + 1,
                                  member.valueEnd - member.valueBegin - 2);
        for (const QString &type : types) {
            if (text.size() == type.size() && QLatin1StringView(text) == type)
                return type;
        }
        return QString();
    }

    int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        return (c | 0x20) - 'a' + 10;
    }

    // The text of a checked string, between its quotes, decoded.
    QString decodeString(const char *p, const char *end)
    {
        const char *backslash = static_cast<const char *>(memchr(p, '\\', size_t(end - p)));
        if (!backslash)
            return QString::fromUtf8(p, end - p);
        QString out;
        out.reserve(end - p);
        while (p < end) {
            const char *run = p;
            while (p < end && *p != '\\')
                ++p;
            if (p != run)
                out.append(QString::fromUtf8(run, p - run));
            if (p == end)
                break;
            ++p; // the backslash
            const char escaped = *p++;
            if (escaped == 'u') {
                char16_t unit = 0;
                for (int i = 0; i < 4; ++i)
                    unit = char16_t(unit * 16 + hexValue(*p++));
                out.append(QChar(unit));
            } else {
                static constexpr char names[] = "bfnrt";
                static constexpr char controls[] = "\b\f\n\r\t";
                const void *at = memchr(names, escaped, 5);
                // " \ and / stand for themselves.
                out.append(QLatin1Char(at ? controls[static_cast<const char *>(at) - names]
                                          : escaped));
            }
        }
        return out;
    }

    bool keyEquals(const char *key, qsizetype size, QLatin1StringView wanted)
    {
        return size == wanted.size() && memcmp(key, wanted.data(), size_t(size)) == 0;
    }

    bool keyEquals(const char *key, qsizetype size, QStringView wanted)
    {
        if (size != wanted.size())
            return false;
        const char16_t *w = wanted.utf16();
        for (qsizetype i = 0; i < size; ++i) {
            if (char16_t(uchar(key[i])) != w[i])
                return false;
        }
        return true;
    }

} // namespace

struct Message::Data : QSharedData
{
    QByteArray line;
    QString type;
    Members members;
};

Message::Message() = default;
Message::~Message() = default;
Message::Message(const Message &other) = default;
Message &Message::operator=(const Message &other) = default;
Message::Message(Message &&other) noexcept = default;
Message &Message::operator=(Message &&other) noexcept = default;

Message::Message(const QJsonObject &object)
{
    QString error;
    const bool ok = parse(QJsonDocument(object).toJson(QJsonDocument::Compact), this, &error);
    Q_ASSERT_X(ok, "QGbInspect::Message", qPrintable(error));
    Q_UNUSED(ok);
}

bool Message::parse(const QByteArray &line, Message *out, QString *errorString)
{
    QString ignored;
    QString *error = errorString ? errorString : &ignored;
    if (line.size() > std::numeric_limits<qint32>::max() / 2) {
        *error = QStringLiteral("A line is not JSON: too long");
        return false;
    }
    QExplicitlySharedDataPointer<Data> data(new Data);
    data->line = line;
    const char *begin = data->line.constData();
    Scanner scanner(begin, begin + data->line.size());
    auto failed = [&] {
        *error = QStringLiteral("A line is not JSON: %1 at offset %2")
                         .arg(QLatin1StringView(scanner.why()))
                         .arg(scanner.offset());
        return false;
    };
    scanner.skipSpace();
    if (scanner.peek() != '{') {
        if (scanner.value(0) && (scanner.skipSpace(), scanner.atEnd())) {
            *error = QStringLiteral("A line is not a JSON object");
            return false;
        }
        return failed();
    }
    if (!scanner.object(0, &data->members))
        return failed();
    scanner.skipSpace();
    if (!scanner.atEnd())
        return scanner.fail("text after the object"), failed();
    out->d = std::move(data);
    const int type = out->find(QLatin1StringView("type"));
    if (type >= 0 && line.at(out->d->members[type].valueBegin) == '"') {
        out->d->type = knownType(out->d->line, out->d->members[type]);
        if (out->d->type.isNull())
            out->d->type = out->valueAt(type).toString();
    }
    return true;
}

QString Message::type() const
{
    return d ? d->type : QString();
}

bool Message::isEmpty() const
{
    return !d || d->members.isEmpty();
}

QByteArray Message::line() const
{
    return d ? d->line : QByteArray("{}");
}

// The last member of that key (as in QJsonObject, a later one wins).
template<typename Key>
int Message::findKey(Key key) const
{
    if (!d)
        return -1;
    const char *text = d->line.constData();
    for (int i = int(d->members.size()) - 1; i >= 0; --i) {
        const Member &m = d->members[i];
        if (m.keyPlain ? keyEquals(text + m.keyBegin, m.keyEnd - m.keyBegin, key)
                       : decodeString(text + m.keyBegin, text + m.keyEnd) == key)
            return i;
    }
    return -1;
}

int Message::find(QStringView key) const
{
    return findKey(key);
}

int Message::find(QLatin1StringView key) const
{
    return findKey(key);
}

QJsonValue Message::value(QStringView key) const
{
    const int i = find(key);
    return i < 0 ? QJsonValue(QJsonValue::Undefined) : valueAt(i);
}

QJsonValue Message::value(QLatin1StringView key) const
{
    const int i = find(key);
    return i < 0 ? QJsonValue(QJsonValue::Undefined) : valueAt(i);
}

bool Message::contains(QStringView key) const
{
    return find(key) >= 0;
}

QJsonValue Message::valueAt(int member) const
{
    const Member &m = d->members[member];
    const char *p = d->line.constData() + m.valueBegin;
    const char *end = d->line.constData() + m.valueEnd;
    switch (*p) {
    case '"':
        return decodeString(p + 1, end - 1);
    case 't':
        return true;
    case 'f':
        return false;
    case 'n':
        return QJsonValue(QJsonValue::Null);
    case '[':
    case '{': {
        // Nested values are rare in events (attachment sizes): decoded whole.
        QByteArray wrapped;
        wrapped.reserve(end - p + 2);
        wrapped.append('[').append(p, end - p).append(']');
        return QJsonDocument::fromJson(wrapped).array().at(0);
    }
    default: {
        qint64 integer = 0;
        const auto [at, ec] = std::from_chars(p, end, integer);
        if (ec == std::errc() && at == end)
            return integer;
        double number = 0;
        std::from_chars(p, end, number); // checked when read
        return number;
    }
    }
}

QStringList Message::keys() const
{
    QStringList keys;
    if (!d)
        return keys;
    for (const Member &m : d->members)
        keys.append(decodeString(d->line.constData() + m.keyBegin, d->line.constData() + m.keyEnd));
    return keys;
}

QJsonObject Message::toObject() const
{
    return d ? QJsonDocument::fromJson(d->line).object() : QJsonObject();
}

} // namespace QGbInspect
