// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBJSON_IMPL_H
#define QGBJSON_IMPL_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It holds the machinery that
// QGbPool's call templates instantiate in the application, and is installed
// only because those templates need it. It may change from version to version
// without notice. Include <QGbPool> instead.
//

#include "qgbconvert.h"
#include "qgbglobal.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qvariant.h>

#include <type_traits>
#include <vector>

// Typed JSON: C++ values written as the wire's JSON text and read from it
// without the wire values (trees of QVariantMap and QVariantList) in between.
// A large argument or result (a list of gadgets) costs most of its time in
// those trees.
//
// Both directions are shortcuts with the general conversion behind them.
// Each gives up on anything it does not take directly, and the caller then
// takes the general way (QGb::toWire() and the codec; the codec and
// QGb::fromWire()), which also produces the errors. So a shortcut that
// succeeds gives exactly what the general way gives: the same bytes, the
// same value.
namespace QGbConvertPrivate {
struct GadgetProperty;
}

namespace QGbPrivate {

// Writes values as JSON text into text: the bytes the codec writes for the
// wire value QGb::toWire() makes of them.
class QGB_EXPORT JsonWriter
{
public:
    QByteArray text;

    // Appends the value of run-time type type at value. False: gave up
    // (bytes, which travel as attachments; a value QGb::toWire() refuses;
    // nesting deeper than the shortcut goes), text is then unspecified.
    bool write(QMetaType type, const void *value);
    // Appends a map key and its ':'. False if the key cannot be written.
    bool writeKey(QStringView key);
    // A list or map begins (false: too deep for the shortcut) and ends.
    bool enter() { return ++m_depth <= MaxDepth; }
    void leave() { --m_depth; }

private:
    bool writeProperty(const QGbConvertPrivate::GadgetProperty &p, const void *gadget);

    static constexpr int MaxDepth = 64; // QGb::toWire() goes to QGb::MaxNesting
    int m_depth = 0;
};

template<typename T>
inline constexpr bool IsTypedList = QGb::Private::ListTraits<T>::Value
        && !std::is_same_v<T, QVariantList> && !std::is_same_v<T, std::vector<bool>>;

template<typename T, bool = QGb::Private::MapTraits<T>::Value>
struct IsSortedMap : std::false_type
{
};
template<typename T>
struct IsSortedMap<T, true> : std::bool_constant<QGb::Private::MapTraits<T>::Sorted>
{
};

template<typename T>
inline constexpr bool IsTypedMap = IsSortedMap<T>::value && !std::is_same_v<T, QVariantMap>;

// The arguments written with JsonWriter: gadgets and containers, whose wire
// values are trees. A scalar's wire value costs less than its text would.
template<typename T>
inline constexpr bool WritesTypedJson =
        QGb::Private::IsGadget<T> || IsTypedList<T> || IsTypedMap<T>;

template<typename T>
bool writeTypedJson(JsonWriter &w, const T &value)
{
    if constexpr (IsTypedList<T>) {
        if (!w.enter())
            return false;
        w.text.append('[');
        bool first = true;
        for (const auto &item : value) {
            if (!first)
                w.text.append(',');
            first = false;
            if (!writeTypedJson(w, item))
                return false;
        }
        w.text.append(']');
        w.leave();
        return true;
    } else if constexpr (IsTypedMap<T>) {
        // A single key with a leading '$' is written inside a {"$map": ...}
        // marker: left to the general way.
        if (value.size() == 1 && value.firstKey().startsWith(QLatin1Char('$')))
            return false;
        if (!w.enter())
            return false;
        w.text.append('{');
        bool first = true;
        for (auto it = value.cbegin(), end = value.cend(); it != end; ++it) {
            if (!first)
                w.text.append(',');
            first = false;
            if (!w.writeKey(it.key()) || !writeTypedJson(w, it.value()))
                return false;
        }
        w.text.append('}');
        w.leave();
        return true;
    } else {
        return w.write(QMetaType::fromType<T>(), &value);
    }
}

// Appends value to a call's arguments as JSON text, written in this
// (the caller's) thread. False: gave up; convert it with QGb::toWire().
QGB_EXPORT bool appendJsonArgument(QVariantList *out, const void *value,
                                   bool (*write)(JsonWriter &, const void *));

// Reads a value as the wire sends it straight into a C++ value, from the text
// of a result. Used through readTypedJson().
class QGB_EXPORT JsonReader
{
public:
    // One value of run-time type type into *out, a constructed value of it.
    bool read(QMetaType type, void *out);
    // One wire value, for the types read through QGb::fromWire().
    bool readWire(QVariant *out);
    // A list begins: false if the next value is not a list.
    bool beginList();
    // After beginList() (first) or after an item: 1 if an item follows, 0 if
    // the list ended, -1 on anything else.
    int nextItem(bool first);

private:
    friend struct JsonReaderAccess;
    explicit JsonReader(void *parser)
        : m_parser(parser)
    {
    }
    void *m_parser;
};

// Reads all of [begin, end), the text of a result's value, with read into
// out. False: gave up (the text is not valid, not all of it was read, or a
// value did not convert); *out is then unspecified.
QGB_EXPORT bool readJson(const char *begin, const char *end, void *out,
                         bool (*read)(JsonReader &, void *));

template<typename T>
inline constexpr bool ReadsTypedJson = QGb::Private::IsGadget<T> || IsTypedList<T>;

template<typename T>
bool readTypedJson(JsonReader &r, T *out)
{
    if constexpr (IsTypedList<T>) {
        using E = typename QGb::Private::ListTraits<T>::Element;
        if (!r.beginList())
            return false;
        out->clear();
        for (bool first = true;; first = false) {
            const int next = r.nextItem(first);
            if (next <= 0)
                return next == 0;
            E item {};
            if (!readTypedJson(r, &item))
                return false;
            out->push_back(std::move(item));
        }
    } else if constexpr (QGb::Private::IsGadget<T>) {
        return r.read(QMetaType::fromType<T>(), out);
    } else {
        QVariant wire;
        static const QGbPath root;
        return r.readWire(&wire) && QGb::fromWire(wire, out, nullptr, root);
    }
}

} // namespace QGbPrivate

#endif // QGBJSON_IMPL_H
