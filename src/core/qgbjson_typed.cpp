// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "impl/qgbjson_impl.h"
#include "qgbconvert_p.h"
#include "qgbjson_p.h"
#include "qgbjsonparser_p.h"

#include <QtCore/qvarlengtharray.h>

#include <cstring>
#include <optional>

// The typed JSON shortcuts (impl/qgbjson_impl.h): gadgets written as JSON text
// from their properties, and read from it into their properties, with the
// codec's own writer and parser doing the strings and numbers.

using namespace QGbConvertPrivate;

namespace QGbPrivate {

namespace {

    bool isGadget(QMetaType type)
    {
        const QMetaType::TypeFlags flags = type.flags();
        return (flags & QMetaType::IsGadget) && !(flags & QMetaType::IsEnumeration)
                && type.metaObject();
    }

    const QGbPath &noPath()
    {
        static const QGbPath root;
        return root;
    }

    // Calls f with a pointer to a local of type's C++ type, for the types
    // most properties have (no QMetaType construction for them); nothing for
    // other types.
    template<typename F>
    std::optional<bool> withCommonLocal(QMetaType type, F &&f)
    {
        switch (type.id()) {
        case QMetaType::QString: {
            QString v;
            return f(&v);
        }
        case QMetaType::LongLong: {
            qint64 v = 0;
            return f(&v);
        }
        case QMetaType::Int: {
            int v = 0;
            return f(&v);
        }
        case QMetaType::Double: {
            double v = 0;
            return f(&v);
        }
        case QMetaType::Bool: {
            bool v = false;
            return f(&v);
        }
        default:
            return std::nullopt;
        }
    }

} // namespace

// ---- writing ---------------------------------------------------------------

bool JsonWriter::write(QMetaType type, const void *value)
{
    switch (type.id()) {
    case QMetaType::Bool:
        if (*static_cast<const bool *>(value))
            text.append("true", 4);
        else
            text.append("false", 5);
        return true;
    case QMetaType::Int:
        QGbWire::writeInteger(&text, *static_cast<const int *>(value));
        return true;
    case QMetaType::LongLong:
        QGbWire::writeInteger(&text, *static_cast<const qint64 *>(value));
        return true;
    case QMetaType::Double: {
        const double d = *static_cast<const double *>(value);
        if (!std::isfinite(d))
            return false;
        QGbWire::writeDouble(&text, d);
        return true;
    }
    case QMetaType::QString:
        return QGbWire::writeString(&text, *static_cast<const QString *>(value));
    default:
        break;
    }

    if (isGadget(type)) {
        // As QGb::toWire() makes the map: the readable properties, sorted by name.
        const GadgetInfo &info = gadgetInfo(type.metaObject());
        if (info.oneDollarKey || !enter())
            return false;
        text.append('{');
        bool first = true;
        for (const GadgetProperty &p : info.properties) {
            if (!p.readable)
                continue;
            if (!first)
                text.append(',');
            first = false;
            text.append(p.jsonKey);
            if (!writeProperty(p, value))
                return false;
        }
        text.append('}');
        leave();
        return true;
    }

    // Anything else through its wire value; bytes (null attachments) give up.
    QVariant wire;
    return QGb::Private::toWireRuntime(type, value, &wire, nullptr, noPath())
            && QGbWire::writeValue(&text, wire, nullptr, nullptr, noPath());
}

// Reads property p (into a local of its type where it can) and writes it.
bool JsonWriter::writeProperty(const GadgetProperty &p, const void *gadget)
{
    if (const auto done = withCommonLocal(p.type, [&](auto *v) {
            readProperty(p, gadget, v);
            return write(p.type, v);
        }))
        return *done;
    TempValue slot(p.type);
    if (!slot.data())
        return false;
    readProperty(p, gadget, slot.data());
    return write(p.type, slot.data());
}

bool JsonWriter::writeKey(QStringView key)
{
    if (!QGbWire::writeString(&text, key))
        return false;
    text.append(':');
    return true;
}

bool appendJsonArgument(QVariantList *out, const void *value,
                        bool (*write)(JsonWriter &, const void *))
{
    JsonWriter writer;
    if (!write(writer, value))
        return false;
    out->append(QVariant::fromValue(QGbWire::EncodedJson { std::move(writer.text) }));
    return true;
}

// ---- reading ---------------------------------------------------------------

// The codec's parser, read from by the typed reader. Every failure gives up:
// the general way then parses the text and reports what is wrong, so no
// error is made here.
class TypedParser : public QGbWire::Detail::Parser
{
public:
    TypedParser(const char *begin, const char *stop, QGbWire::ParseContext &context)
        : Parser(begin, stop, context, nullptr)
    {
    }

    // Where the value of a message's field sits: inside the envelope.
    int depth = 1;

    bool atEnd()
    {
        skipSpace();
        return p == end;
    }

    bool readWire(QVariant *out) { return parseValue(out, noPath(), depth); }

    bool beginList()
    {
        skipSpace();
        if (p == end || *p != '[' || depth >= QGbWire::MaxDepth)
            return false;
        ++p;
        ++depth;
        return true;
    }

    int nextItem(bool first)
    {
        skipSpace();
        if (p == end)
            return -1;
        if (*p == ']') {
            ++p;
            --depth;
            return 0;
        }
        if (first)
            return 1;
        if (*p != ',')
            return -1;
        ++p;
        return 1;
    }

    bool read(QMetaType type, void *out)
    {
        switch (type.id()) {
        case QMetaType::QString:
            skipSpace();
            return p != end && *p == '"' && parseString(static_cast<QString *>(out));
        case QMetaType::LongLong:
            return readScalar(static_cast<qint64 *>(out));
        case QMetaType::Int:
            return readScalar(static_cast<int *>(out));
        case QMetaType::Double:
            return readScalar(static_cast<double *>(out));
        case QMetaType::Bool:
            return readScalar(static_cast<bool *>(out));
        default:
            break;
        }
        if (isGadget(type))
            return readGadget(type, out);
        QVariant wire;
        return readWire(&wire) && QGb::fromWire(wire, type, out, nullptr, noPath());
    }

private:
    template<typename T>
    bool readScalar(T *out)
    {
        QVariant wire;
        return readWire(&wire) && QGb::fromWire(wire, out, nullptr, noPath());
    }

    // Reads a value of property prop's type and sets it on gadget.
    bool readProperty(const GadgetProperty &prop, void *gadget)
    {
        if (const auto done = withCommonLocal(prop.type, [&](auto *v) {
                if (!read(prop.type, v))
                    return false;
                writeProperty(prop, gadget, v);
                return true;
            }))
            return *done;
        TempValue slot(prop.type);
        if (!slot.data() || !read(prop.type, slot.data()))
            return false;
        writeProperty(prop, gadget, slot.data());
        return true;
    }

    // A gadget's object, as the general way reads its map: a key that names
    // a writable property sets it, other keys are passed over; every value
    // must be valid. Gives up on keys with escapes or beyond ASCII, on keys
    // with a leading '$' (markers), on a repeated key and on gadgets of more
    // than 64 properties. Properties are set in the order their keys come.
    bool readGadget(QMetaType type, void *gadget)
    {
        skipSpace();
        if (p == end || *p != '{' || depth >= QGbWire::MaxDepth)
            return false;
        const GadgetInfo &info = gadgetInfo(type.metaObject());
        const qsizetype count = info.properties.size();
        if (count > 64)
            return false;
        ++p;
        ++depth;
        skipSpace();
        if (p != end && *p == '}') {
            ++p;
            --depth;
            return true;
        }
        quint64 seen = 0;
        QVarLengthArray<QByteArrayView, 4> others;
        qsizetype hint = 0; // keys usually come in the properties' (sorted) order
        for (;;) {
            skipSpace();
            if (p == end || *p != '"')
                return false;
            const char *const key = p + 1;
            const char *q = key;
            while (q != end && *q != '"') {
                const uchar c = uchar(*q);
                if (c == '\\' || c < 0x20 || c >= 0x80)
                    return false;
                ++q;
            }
            if (q == end || q == key || *key == '$')
                return false;
            const QByteArrayView name(key, q - key);
            p = q + 1;
            if (!expect(':', ""))
                return false;

            qsizetype index = -1;
            for (qsizetype n = 0; n < count; ++n) {
                const qsizetype i = (hint + n) % count;
                if (info.properties.at(i).utf8Name == name) {
                    index = i;
                    break;
                }
            }
            if (index >= 0) {
                if (seen & (quint64(1) << index))
                    return false;
                seen |= quint64(1) << index;
                hint = index + 1;
                const GadgetProperty &prop = info.properties.at(index);
                if (prop.writable) {
                    if (!readProperty(prop, gadget))
                        return false;
                } else {
                    QVariant ignored;
                    if (!readWire(&ignored))
                        return false;
                }
            } else {
                for (const QByteArrayView other : others) {
                    if (other == name)
                        return false;
                }
                others.append(name);
                QVariant ignored;
                if (!readWire(&ignored))
                    return false;
            }

            skipSpace();
            if (p == end)
                return false;
            if (*p == '}') {
                ++p;
                --depth;
                return true;
            }
            if (*p != ',')
                return false;
            ++p;
        }
    }
};

struct JsonReaderAccess
{
    static JsonReader make(TypedParser *parser) { return JsonReader(parser); }
    static TypedParser *parser(const JsonReader &r)
    {
        return static_cast<TypedParser *>(r.m_parser);
    }
};

bool JsonReader::read(QMetaType type, void *out)
{
    return JsonReaderAccess::parser(*this)->read(type, out);
}

bool JsonReader::readWire(QVariant *out)
{
    return JsonReaderAccess::parser(*this)->readWire(out);
}

bool JsonReader::beginList()
{
    return JsonReaderAccess::parser(*this)->beginList();
}

int JsonReader::nextItem(bool first)
{
    return JsonReaderAccess::parser(*this)->nextItem(first);
}

bool readJson(const char *begin, const char *end, void *out, bool (*read)(JsonReader &, void *))
{
    QGbWire::ParseContext ctx; // no attachments: a {"$bytes": i} marker gives up
    TypedParser parser(begin, end, ctx);
    JsonReader reader = JsonReaderAccess::make(&parser);
    return read(reader, out) && parser.atEnd();
}

} // namespace QGbPrivate
