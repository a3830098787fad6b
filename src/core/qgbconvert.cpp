// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbconvert.h"
#include "qgbconvert_p.h"
#include "qgbjson_p.h"

#include <QtCore/qassociativeiterable.h>
#include <QtCore/qmetacontainer.h>
#include <QtCore/qmetaobject.h>
#include <QtCore/qsequentialiterable.h>
#include <QtCore/qvarlengtharray.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_map>

/*!
    \class QGbStreamMarker
    \inmodule QGobridge
    \inheaderfile QGbConvert
    \brief The QGbStreamMarker class stands for the client-stream argument of a call.

    In a canonical wire value (see QGb::toWire()), a QVariant holding a
    QGbStreamMarker marks the position of the client-stream argument in a
    call's arguments. It is written on the wire as \c{{"$stream":0}} and read
    back as a QGbStreamMarker.

    QGbPool::invoke() takes one in its argument list where the QGbChannel
    passed as its input goes:
    \c{pool.invoke("sum", {1, QVariant::fromValue(QGbStreamMarker())}, &channel)}.
*/

/*!
    \fn bool QGbStreamMarker::operator==(QGbStreamMarker, QGbStreamMarker)
    Returns \c true: all markers are equal.
*/

/*!
    \fn bool QGbStreamMarker::operator!=(QGbStreamMarker, QGbStreamMarker)
    Returns \c false: all markers are equal.
*/

/*!
    \namespace QGb
    \inmodule QGobridge
    \inheaderfile QGbConvert
    \brief Conversions between C++ values and wire values.

    A \e{wire value} is a QVariant in canonical form, the value model of the
    wire protocol:

    \table
    \header \li Wire type \li QVariant holds
    \row \li null \li \c std::nullptr_t (\c{QVariant::fromValue(nullptr)})
    \row \li bool \li \c bool
    \row \li integer \li \c qint64 (QMetaType::LongLong), for every integer
    \row \li double \li \c double, never NaN or infinite
    \row \li string \li QString
    \row \li list \li QVariantList of wire values
    \row \li map \li QVariantMap of wire values
    \row \li bytes \li QByteArray (sent as an attachment frame)
    \row \li stream \li QGbStreamMarker (the client-stream argument)
    \endtable

    toWire() and fromWire() convert between C++ types and wire values,
    strictly and without loss:

    \list
    \li Integers of every width are range-checked both ways: a wire integer
        that does not fit the C++ type is a \l{QGbError::}{TypeMismatch},
        never a truncation. Unsigned values above 2^63-1 cannot be sent.
    \li \c double and \c float: NaN and infinities cannot be sent. A wire
        integer is accepted as a floating-point value only if it is exactly
        representable (|v| <= 2^53). Reading into \c float rounds to the
        nearest \c float; values beyond its range are refused.
    \li \c bool is never converted from or to an integer; QString is never
        converted from a number; QByteArray and QString are distinct.
    \li \c std::nullptr_t, QString (also \c{const char *} (UTF-8),
        QLatin1String and QStringView when sending), QByteArray, QVariant,
        QVariantList, QVariantMap, QVariantHash, QStringList, QJsonValue,
        QJsonObject, QJsonArray, QJsonDocument, enumerations (as integers).
        An enumeration declared with \c Q_ENUM takes only the values of its
        enumerators, one declared with \c Q_FLAG only combinations of them;
        others take any value of their underlying type (give them a fixed
        underlying type: a value outside an enumeration's range is undefined
        behaviour in C++).
    \li QList<T>, \c{std::vector<T>}, QMap<QString, T>, QHash<QString, T> and
        \c{std::optional<T>} (\c std::nullopt is null) of supported types.
    \li \c Q_GADGET structs: a gadget is a map keyed by its \c Q_PROPERTY
        names, recursively. When reading, keys that are missing leave the
        property unchanged (at its default for a default-constructed
        target), unknown keys are ignored, and read-only properties are
        skipped.
    \endlist

    Gadget properties are converted at run time through QMetaType, so a
    property's type must be one the run-time conversion knows: the scalar
    and Qt types above, nested gadgets, enumerations, and containers
    registered with QMetaType (QList<T>, \c{std::vector<T>}, QMap<QString, T>,
    QHash<QString, T> of those). Qt registers the container types of
    properties declared with \c Q_PROPERTY automatically; a container type
    used only inside a QVariant must be registered with
    \c{qRegisterMetaType<QList<MyGadget>>()}. Declare gadgets used in
    containers with \c{Q_DECLARE_METATYPE(MyGadget)} so that the container's
    metatype can be registered by name. \c{std::optional} properties are not
    supported (use QVariant). \c MEMBER properties need \c operator!= for the
    property's type, as for any Qt property.

    Every error is a \l{QGbError::}{TypeMismatch} whose message names the
    path of the value (see QGbPath), the expected C++ type and the wire type,
    for example \c{result.users[2].score: expected double, got string}.

    QGbPool::call() and QGbPool::stream() take a shortcut for gadgets and
    containers, whose wire values are trees of maps and lists: an argument
    of such a type is written as JSON text in the calling thread, and the
    result of a QGbPool::call() of a gadget or list type, or the items of a
    QGbPool::stream() of such a type, are read from the answer's text
    straight into the C++ values. The shortcut follows these rules exactly (the same
    bytes are sent, the same values and the same errors come back) and
    leaves what it does not handle to the general conversion: bytes, map
    keys with escapes or a leading \c{$}, repeated keys, anything that
    fails. One difference can be seen: a gadget read this way has its
    properties set in the order their keys arrive, not sorted by name; it
    matters only to a \c WRITE function that depends on another property.
*/

/*!
    \variable QGb::MaxNesting
    \brief The deepest a value may nest: 200 levels of containers (lists,
    maps, gadgets) within containers, counted from the value itself.

    Both sides of the wire refuse to send a deeper value: toWire() fails with
    a \l{QGbError::}{TypeMismatch} naming the path where the limit is crossed.
*/

/*!
    \fn template <typename T> bool QGb::toWire(const T &value, QVariant *out, QGbError *error, const QGbPath &path)

    Converts \a value to a canonical wire value in \a out. Returns \c true on
    success; otherwise sets \a error to a \l{QGbError::}{TypeMismatch} naming
    \a path and returns \c false (\a out is then unspecified). Unsupported
    types are rejected at compile time.
*/

/*!
    \fn template <typename T> bool QGb::fromWire(const QVariant &wire, T *out, QGbError *error, const QGbPath &path)

    Converts the canonical wire value \a wire to \a out. Returns \c true on
    success; otherwise sets \a error to a \l{QGbError::}{TypeMismatch} naming
    \a path, the expected type and the wire type, and returns \c false
    (\a out may then be partially written).
*/

// The scalar types both run-time conversions handle by their static
// conversion, one QMetaType id each.
#define QGB_FOR_EACH_SCALAR(F) \
    F(Bool, bool) \
    F(Char, char) \
    F(SChar, signed char) \
    F(UChar, uchar) \
    F(Short, short) \
    F(UShort, ushort) \
    F(Int, int) \
    F(UInt, uint) \
    F(Long, long) \
    F(ULong, ulong) \
    F(LongLong, qlonglong) \
    F(ULongLong, qulonglong) \
    F(Char16, char16_t) \
    F(Char32, char32_t) \
    F(Float, float) \
    F(Double, double) \
    F(QString, QString) \
    F(QByteArray, QByteArray)

namespace QGbConvertPrivate {

const char *wireTypeName(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::UnknownType:
        return "invalid";
    case QMetaType::Nullptr:
        return "null";
    case QMetaType::Bool:
        return "bool";
    case QMetaType::LongLong:
        return "integer";
    case QMetaType::Double:
        return "double";
    case QMetaType::QString:
        return "string";
    case QMetaType::QVariantList:
        return "list";
    case QMetaType::QVariantMap:
        return "map";
    case QMetaType::QByteArray:
        return "bytes";
    default:
        if (v.metaType() == QMetaType::fromType<QGbStreamMarker>())
            return "stream";
        return nullptr;
    }
}

QString describeWire(const QVariant &v)
{
    const char *name = wireTypeName(v);
    if (!name)
        return QStringLiteral("non-wire value of type %1").arg(QLatin1String(v.metaType().name()));
    QString text = QLatin1String(name);
    if (v.typeId() == QMetaType::LongLong) {
        text += QLatin1Char(' ') + QString::number(*static_cast<const qint64 *>(v.constData()));
    } else if (v.typeId() == QMetaType::Double) {
        text += QLatin1Char(' ')
                + QString::number(*static_cast<const double *>(v.constData()), 'g',
                                  QLocale::FloatingPointShortest);
    }
    return text;
}

bool fail(QGbError *error, const QGbPath &path, const QString &message)
{
    if (error)
        *error = QGbError(QGbError::TypeMismatch, path.toString() + QLatin1String(": ") + message);
    return false;
}

bool unsupported(QGbError *error, const QGbPath &path, QMetaType type, const char *direction)
{
    return fail(error, path,
                QStringLiteral("cannot %1 a value of type %2 (not supported by the conversion)")
                        .arg(QLatin1String(direction),
                             QLatin1String(type.isValid() ? type.name() : "<invalid>")));
}

const QMetaType &streamMarkerType()
{
    static const QMetaType type = [] {
        const QMetaType t = QMetaType::fromType<QGbStreamMarker>();
        (void)t.id(); // registers the type, so QVariant::typeId() sees a stable id
        return t;
    }();
    return type;
}

} // namespace QGbConvertPrivate

using namespace QGbConvertPrivate;

namespace {

// A container's const iterator pair, destroyed on scope exit.
template<typename Container>
class ConstRange
{
    Q_DISABLE_COPY_MOVE(ConstRange)
public:
    ConstRange(const Container &c, const void *container)
        : m_c(c)
        , it(c.constBegin(container))
        , end(c.constEnd(container))
    {
    }
    ~ConstRange()
    {
        m_c.destroyConstIterator(it);
        m_c.destroyConstIterator(end);
    }
    bool atEnd() const { return m_c.compareConstIterator(it, end); }
    void advance() { m_c.advanceConstIterator(it, 1); }

private:
    const Container &m_c;

public:
    void *it;
    void *end;
};

// ---- gadgets ---------------------------------------------------------------

} // namespace

namespace QGbConvertPrivate {

const GadgetInfo &gadgetInfo(const QMetaObject *mo)
{
    // Per thread, so that lookups need no lock. The map is node-based: the
    // references handed out stay valid while nested gadgets are added.
    thread_local std::unordered_map<const QMetaObject *, GadgetInfo> cache;
    auto it = cache.find(mo);
    if (it != cache.end())
        return it->second;

    GadgetInfo info;
    // From the most derived class down, so that a redeclared property hides
    // the base class's one of the same name.
    for (int i = mo->propertyCount() - 1; i >= 0; --i) {
        const QMetaProperty p = mo->property(i);
        GadgetProperty gp;
        gp.name = QString::fromUtf8(p.name());
        const bool hidden = std::any_of(info.properties.cbegin(), info.properties.cend(),
                                        [&](const GadgetProperty &o) { return o.name == gp.name; });
        if (hidden)
            continue;
        gp.type = p.metaType();
        (void)gp.type.id(); // registers it, with its container converters
        gp.property = p;
        gp.utf8Name = QByteArray(p.name());
        (void)QGbWire::writeString(&gp.jsonKey, gp.name);
        gp.jsonKey.append(':');
        gp.enclosing = p.enclosingMetaObject();
        gp.relativeIndex = p.relativePropertyIndex();
        gp.readable = p.isReadable();
        gp.writable = p.isWritable();
        info.properties.append(std::move(gp));
    }
    std::sort(info.properties.begin(), info.properties.end(),
              [](const GadgetProperty &a, const GadgetProperty &b) { return a.name < b.name; });
    const auto readable = std::count_if(info.properties.cbegin(), info.properties.cend(),
                                        [](const GadgetProperty &p) { return p.readable; });
    info.oneDollarKey = readable == 1
            && std::any_of(info.properties.cbegin(), info.properties.cend(),
                           [](const GadgetProperty &p) {
                               return p.readable && p.name.startsWith(QLatin1Char('$'));
                           });
    return cache.emplace(mo, std::move(info)).first->second;
}

// Reads a property into *slot (a constructed value of the property's type),
// like QMetaProperty::readOnGadget() but without boxing it in a QVariant.
void readProperty(const GadgetProperty &p, const void *gadget, void *slot)
{
    auto call = p.enclosing->d.static_metacall;
    if (!call) {
        const QVariant v = p.property.readOnGadget(gadget);
        p.type.destruct(slot);
        p.type.construct(slot, v.constData());
        return;
    }
    int status = -1;
    void *argv[] = { slot, nullptr, &status };
    call(reinterpret_cast<QObject *>(const_cast<void *>(gadget)), QMetaObject::ReadProperty,
         p.relativeIndex, argv);
    if (argv[0] != slot) { // the property handed out a pointer to its value
        p.type.destruct(slot);
        p.type.construct(slot, argv[0]);
    }
}

void writeProperty(const GadgetProperty &p, void *gadget, void *slot)
{
    auto call = p.enclosing->d.static_metacall;
    if (!call) {
        p.property.writeOnGadget(gadget, QVariant(p.type, slot));
        return;
    }
    int status = -1;
    int flags = 0;
    void *argv[] = { slot, nullptr, &status, &flags };
    call(reinterpret_cast<QObject *>(gadget), QMetaObject::WriteProperty, p.relativeIndex, argv);
}

} // namespace QGbConvertPrivate

namespace {

bool gadgetToWire(QMetaType type, const void *gadget, QVariant *out, QGbError *error,
                  const QGbPath &path)
{
    if (tooDeepFor(path))
        return QGb::Private::tooDeep(error, path);
    const GadgetInfo &info = gadgetInfo(type.metaObject());
    QVariantMap *map = QGb::Private::emplace<QVariantMap>(out);
    for (const GadgetProperty &p : info.properties) {
        if (!p.readable)
            continue;
        TempValue slot(p.type);
        if (!slot.data())
            return unsupported(error, path.key(p.name), p.type, "send");
        readProperty(p, gadget, slot.data());
        // Properties are sorted by name: the hinted insert at the end is O(1).
        QVariant &item = map->insert(map->cend(), p.name, QVariant()).value();
        if (!QGb::Private::toWireRuntime(p.type, slot.data(), &item, error, path.key(p.name)))
            return false;
    }
    return true;
}

bool gadgetFromWire(const QVariant &wire, QMetaType type, void *gadget, QGbError *error,
                    const QGbPath &path)
{
    if (wire.typeId() != QMetaType::QVariantMap)
        return QGb::Private::mismatch(error, path, type, wire);
    const QVariantMap &map = *static_cast<const QVariantMap *>(wire.constData());
    const GadgetInfo &info = gadgetInfo(type.metaObject());
    auto it = map.cbegin();
    const auto end = map.cend();
    for (const GadgetProperty &p : info.properties) {
        while (it != end && it.key() < p.name)
            ++it;
        if (it == end)
            break;
        if (!p.writable || it.key() != p.name)
            continue;
        TempValue slot(p.type);
        if (!slot.data())
            return unsupported(error, path.key(p.name), p.type, "receive");
        if (!QGb::fromWire(it.value(), p.type, slot.data(), error, path.key(p.name)))
            return false;
        writeProperty(p, gadget, slot.data());
    }
    return true;
}

// ---- enumerations ----------------------------------------------------------

bool enumToWire(QMetaType type, const void *value, QVariant *out, QGbError *error,
                const QGbPath &path)
{
    const bool isUnsigned = type.flags() & QMetaType::IsUnsignedEnumeration;
    qint64 v = 0;
    switch (type.sizeOf()) {
    case 1:
        v = isUnsigned ? qint64(*static_cast<const quint8 *>(value))
                       : qint64(*static_cast<const qint8 *>(value));
        break;
    case 2:
        v = isUnsigned ? qint64(*static_cast<const quint16 *>(value))
                       : qint64(*static_cast<const qint16 *>(value));
        break;
    case 4:
        v = isUnsigned ? qint64(*static_cast<const quint32 *>(value))
                       : qint64(*static_cast<const qint32 *>(value));
        break;
    case 8: {
        const quint64 u = *static_cast<const quint64 *>(value);
        if (isUnsigned && u > quint64(std::numeric_limits<qint64>::max()))
            return QGb::Private::unsignedTooLarge(error, path, type, u);
        v = qint64(u);
        break;
    }
    default:
        return unsupported(error, path, type, "send");
    }
    *out = QVariant(v);
    return true;
}

template<typename T>
bool storeEnum(const QVariant &wire, qint64 v, QMetaType type, void *out, QGbError *error,
               const QGbPath &path)
{
    if (v < qint64(std::numeric_limits<T>::min())
        || (std::is_unsigned_v<T> ? (v < 0 || quint64(v) > quint64(std::numeric_limits<T>::max()))
                                  : v > qint64(std::numeric_limits<T>::max())))
        return QGb::Private::mismatch(error, path, type, wire, "out of range");
    const T t = T(v);
    std::memcpy(out, &t, sizeof(T));
    return true;
}

// The enumeration's QMetaEnum, for one declared with Q_ENUM or Q_FLAG.
QMetaEnum metaEnum(QMetaType type)
{
    const QMetaObject *mo = type.metaObject();
    if (!mo)
        return QMetaEnum();
    // "Scope::Enum", or "QFlags<Scope::Enum>" for a Q_FLAG (whose QMetaEnum
    // is named after the flags type, with the enumeration's name as enumName()).
    QByteArrayView name(type.name());
    const bool flags = name.startsWith("QFlags<") && name.endsWith(">");
    if (flags)
        name = name.sliced(7, name.size() - 8);
    const qsizetype scope = name.lastIndexOf("::");
    if (scope >= 0)
        name = name.sliced(scope + 2);
    for (int i = mo->enumeratorOffset(); i < mo->enumeratorCount(); ++i) {
        const QMetaEnum e = mo->enumerator(i);
        if (flags ? (e.isFlag() && name == QByteArrayView(e.enumName()))
                  : name == QByteArrayView(e.name()))
            return e;
    }
    return QMetaEnum();
}

// A Q_ENUM takes only its enumerators' values and a Q_FLAG only their
// combinations: any other value in an enumeration is undefined behaviour
// in C++ once it is read, so it is refused like an integer out of range.
bool isEnumValue(const QMetaEnum &e, qint64 v)
{
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
        return false;
    if (!e.isFlag())
        return e.valueToKey(int(v)) != nullptr;
    quint64 all = 0;
    for (int i = 0; i < e.keyCount(); ++i)
        all |= quint64(quint32(e.value(i)));
    return (quint64(quint32(int(v))) & ~all) == 0;
}

bool enumFromWire(const QVariant &wire, QMetaType type, void *out, QGbError *error,
                  const QGbPath &path)
{
    qint64 v;
    if (!QGb::Private::wireInteger(wire, &v))
        return QGb::Private::mismatch(error, path, type, wire);
    if (const QMetaEnum e = metaEnum(type); e.isValid() && !isEnumValue(e, v))
        return QGb::Private::mismatch(error, path, type, wire,
                                      e.isFlag() ? "not a combination of its flags"
                                                 : "not one of its values");
    const bool isUnsigned = type.flags() & QMetaType::IsUnsignedEnumeration;
    switch (type.sizeOf()) {
    case 1:
        return isUnsigned ? storeEnum<quint8>(wire, v, type, out, error, path)
                          : storeEnum<qint8>(wire, v, type, out, error, path);
    case 2:
        return isUnsigned ? storeEnum<quint16>(wire, v, type, out, error, path)
                          : storeEnum<qint16>(wire, v, type, out, error, path);
    case 4:
        return isUnsigned ? storeEnum<quint32>(wire, v, type, out, error, path)
                          : storeEnum<qint32>(wire, v, type, out, error, path);
    case 8:
        if (isUnsigned && v < 0)
            return QGb::Private::mismatch(error, path, type, wire, "out of range");
        std::memcpy(out, &v, sizeof(v));
        return true;
    default:
        return unsupported(error, path, type, "receive");
    }
}

// ---- registered containers -------------------------------------------------

bool sequenceToWire(const QSequentialIterable &iterable, QVariant *out, QGbError *error,
                    const QGbPath &path)
{
    if (tooDeepFor(path))
        return QGb::Private::tooDeep(error, path);
    const QMetaSequence seq = iterable.metaContainer();
    const void *container = iterable.constIterable();
    const QMetaType elementType = seq.valueMetaType();
    if (!seq.hasConstIterator() || !seq.canGetValueAtConstIterator())
        return unsupported(error, path, elementType, "send a container of");
    TempValue slot(elementType);
    if (!slot.data())
        return unsupported(error, path, elementType, "send");
    QVariantList *list = QGb::Private::emplace<QVariantList>(out);
    if (seq.hasSize())
        list->reserve(seq.size(container));
    qsizetype i = 0;
    for (ConstRange<QMetaSequence> r(seq, container); !r.atEnd(); r.advance(), ++i) {
        seq.valueAtConstIterator(r.it, slot.data());
        list->emplace_back();
        if (!QGb::Private::toWireRuntime(elementType, slot.data(), &list->last(), error,
                                         path.index(i)))
            return false;
    }
    return true;
}

bool associationToWire(const QAssociativeIterable &iterable, QMetaType type, QVariant *out,
                       QGbError *error, const QGbPath &path)
{
    if (tooDeepFor(path))
        return QGb::Private::tooDeep(error, path);
    const QMetaAssociation assoc = iterable.metaContainer();
    const void *container = iterable.constIterable();
    if (assoc.keyMetaType() != QMetaType::fromType<QString>())
        return fail(error, path,
                    QStringLiteral("cannot send %1: map keys must be QString")
                            .arg(QLatin1String(type.name())));
    const QMetaType mappedType = assoc.mappedMetaType();
    if (!assoc.hasConstIterator() || !assoc.canGetKeyAtConstIterator()
        || !assoc.canGetMappedAtConstIterator())
        return unsupported(error, path, type, "send");
    TempValue slot(mappedType);
    if (!slot.data())
        return unsupported(error, path, mappedType, "send");
    QVariantMap *map = QGb::Private::emplace<QVariantMap>(out);
    QString key;
    for (ConstRange<QMetaAssociation> r(assoc, container); !r.atEnd(); r.advance()) {
        assoc.keyAtConstIterator(r.it, &key);
        assoc.mappedAtConstIterator(r.it, slot.data());
        if (!QGb::Private::toWireRuntime(mappedType, slot.data(), &(*map)[key], error,
                                         path.key(key)))
            return false;
    }
    return true;
}

bool sequenceFromWire(const QVariant &wire, QMetaType type, QSequentialIterable &iterable,
                      QGbError *error, const QGbPath &path)
{
    if (wire.typeId() != QMetaType::QVariantList)
        return QGb::Private::mismatch(error, path, type, wire);
    const QMetaSequence seq = iterable.metaContainer();
    void *container = iterable.mutableIterable();
    const QMetaType elementType = seq.valueMetaType();
    if (!seq.canClear() || !(seq.canAddValueAtEnd() || seq.canAddValue()))
        return unsupported(error, path, type, "receive");
    seq.clear(container);
    const QVariantList &list = *static_cast<const QVariantList *>(wire.constData());
    for (qsizetype i = 0, n = list.size(); i < n; ++i) {
        TempValue slot(elementType);
        if (!slot.data())
            return unsupported(error, path, elementType, "receive");
        if (!QGb::fromWire(list.at(i), elementType, slot.data(), error, path.index(i)))
            return false;
        if (seq.canAddValueAtEnd())
            seq.addValueAtEnd(container, slot.data());
        else
            seq.addValue(container, slot.data());
    }
    return true;
}

bool associationFromWire(const QVariant &wire, QMetaType type, QAssociativeIterable &iterable,
                         QGbError *error, const QGbPath &path)
{
    const QMetaAssociation assoc = iterable.metaContainer();
    void *container = iterable.mutableIterable();
    if (assoc.keyMetaType() != QMetaType::fromType<QString>())
        return fail(error, path,
                    QStringLiteral("cannot receive %1: map keys must be QString")
                            .arg(QLatin1String(type.name())));
    if (wire.typeId() != QMetaType::QVariantMap)
        return QGb::Private::mismatch(error, path, type, wire);
    if (!assoc.canClear() || !assoc.canSetMappedAtKey())
        return unsupported(error, path, type, "receive");
    const QMetaType mappedType = assoc.mappedMetaType();
    assoc.clear(container);
    const QVariantMap &map = *static_cast<const QVariantMap *>(wire.constData());
    for (auto it = map.cbegin(), end = map.cend(); it != end; ++it) {
        TempValue slot(mappedType);
        if (!slot.data())
            return unsupported(error, path, mappedType, "receive");
        if (!QGb::fromWire(it.value(), mappedType, slot.data(), error, path.key(it.key())))
            return false;
        assoc.setMappedAtKey(container, &it.key(), slot.data());
    }
    return true;
}

} // namespace

namespace QGb {
namespace Private {

    /*!
        \internal
        Sets \a error to a TypeMismatch "path: expected T, got W (detail)".
        Returns \c false.
    */
    bool mismatch(QGbError *error, const QGbPath &path, QMetaType expected, const QVariant &wire,
                  const char *detail)
    {
        QString message = QStringLiteral("expected %1, got %2")
                                  .arg(QLatin1String(expected.isValid() ? expected.name() : "?"),
                                       describeWire(wire));
        if (detail)
            message += QLatin1String(" (") + QLatin1String(detail) + QLatin1Char(')');
        return fail(error, path, message);
    }

    /*!
        \internal
    */
    bool notFinite(QGbError *error, const QGbPath &path, QMetaType type, double value)
    {
        const char *what = std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
        return fail(error, path,
                    QStringLiteral("cannot send %1 %2: JSON has no NaN or infinite numbers")
                            .arg(QLatin1String(type.name()), QLatin1String(what)));
    }

    /*!
        \internal
    */
    bool unsignedTooLarge(QGbError *error, const QGbPath &path, QMetaType type, quint64 value)
    {
        return fail(error, path,
                    QStringLiteral("cannot send %1 %2: integers on the wire are signed 64-bit")
                            .arg(QLatin1String(type.name()), QString::number(value)));
    }

    /*!
        \internal
        Accepts the non-canonical integer QVariants (int, uint, ...) that callers
        may build by hand.
    */
    bool wireIntegerSlow(const QVariant &wire, qint64 *out)
    {
        const void *d = wire.constData();
        switch (wire.typeId()) {
        case QMetaType::Int:
            *out = *static_cast<const int *>(d);
            return true;
        case QMetaType::UInt:
            *out = *static_cast<const uint *>(d);
            return true;
        case QMetaType::Long:
            *out = *static_cast<const long *>(d);
            return true;
        case QMetaType::Short:
            *out = *static_cast<const short *>(d);
            return true;
        case QMetaType::UShort:
            *out = *static_cast<const ushort *>(d);
            return true;
        case QMetaType::SChar:
            *out = *static_cast<const signed char *>(d);
            return true;
        case QMetaType::UChar:
            *out = *static_cast<const uchar *>(d);
            return true;
        case QMetaType::ULong:
            if (*static_cast<const ulong *>(d) > ulong(std::numeric_limits<qint64>::max()))
                return false;
            *out = qint64(*static_cast<const ulong *>(d));
            return true;
        case QMetaType::ULongLong:
            if (*static_cast<const qulonglong *>(d) > quint64(std::numeric_limits<qint64>::max()))
                return false;
            *out = qint64(*static_cast<const qulonglong *>(d));
            return true;
        default:
            return false;
        }
    }

    /*!
        \internal
        Fails with a TypeMismatch naming \a path: a container there would
        nest values deeper than MaxNesting. The path is as long as the value
        is deep: its start and its end are named.
    */
    bool tooDeep(QGbError *error, const QGbPath &path)
    {
        if (!error)
            return false;
        QString where = path.toString();
        if (where.size() > 120)
            where = where.left(60) + QLatin1String("...") + where.right(40);
        *error = QGbError(
                QGbError::TypeMismatch,
                QStringLiteral("%1: nested deeper than %2 levels").arg(where).arg(QGb::MaxNesting));
        return false;
    }

    /*!
        \internal
        Converts the value of run-time type \a type at \a value to a wire value.
    */
    bool toWireRuntime(QMetaType type, const void *value, QVariant *out, QGbError *error,
                       const QGbPath &path)
    {
        switch (type.id()) {
        case QMetaType::UnknownType:
        case QMetaType::Nullptr:
            *out = QVariant::fromValue(nullptr);
            return true;
        case QMetaType::QVariant:
            return QGb::toWire(*static_cast<const QVariant *>(value), out, error, path);
#define QGB_SCALAR(Id, Type) \
    case QMetaType::Id: \
        return QGb::toWire(*static_cast<const Type *>(value), out, error, path);
            QGB_FOR_EACH_SCALAR(QGB_SCALAR)
            QGB_SCALAR(QVariantHash, QVariantHash)
            QGB_SCALAR(QStringList, QStringList)
            QGB_SCALAR(QByteArrayList, QByteArrayList)
#undef QGB_SCALAR
        case QMetaType::QVariantList: {
            if (tooDeepFor(path))
                return tooDeep(error, path);
            // Not canonical as a whole (callers check first): convert element-wise,
            // sharing the elements that are.
            const QVariantList &in = *static_cast<const QVariantList *>(value);
            const qsizetype n = in.size();
            QVariantList *list = emplace<QVariantList>(out);
            list->resize(n);
            QVariant *dst = list->data();
            for (qsizetype i = 0; i < n; ++i) {
                if (!QGb::toWire(in.at(i), dst + i, error, path.index(i)))
                    return false;
            }
            return true;
        }
        case QMetaType::QVariantMap: {
            if (tooDeepFor(path))
                return tooDeep(error, path);
            const QVariantMap &in = *static_cast<const QVariantMap *>(value);
            QVariantMap *map = emplace<QVariantMap>(out);
            for (auto it = in.cbegin(), end = in.cend(); it != end; ++it) {
                QVariant &item = map->insert(map->cend(), it.key(), QVariant()).value();
                if (!QGb::toWire(it.value(), &item, error, path.key(it.key())))
                    return false;
            }
            return true;
        }
        case QMetaType::QJsonValue:
            return jsonToWire(*static_cast<const QJsonValue *>(value), out, error, path);
        case QMetaType::QJsonObject:
            return jsonObjectToWire(*static_cast<const QJsonObject *>(value), out, error, path);
        case QMetaType::QJsonArray:
            return jsonArrayToWire(*static_cast<const QJsonArray *>(value), out, error, path);
        case QMetaType::QJsonDocument: {
            const QJsonDocument &doc = *static_cast<const QJsonDocument *>(value);
            if (doc.isObject())
                return jsonObjectToWire(doc.object(), out, error, path);
            if (doc.isArray())
                return jsonArrayToWire(doc.array(), out, error, path);
            *out = QVariant::fromValue(nullptr);
            return true;
        }
        default:
            break;
        }

        if (type == streamMarkerType()) {
            *out = QVariant(type, value);
            return true;
        }
        const QMetaType::TypeFlags flags = type.flags();
        if (flags & QMetaType::IsEnumeration)
            return enumToWire(type, value, out, error, path);
        if ((flags & QMetaType::IsGadget) && type.metaObject())
            return gadgetToWire(type, value, out, error, path);
        {
            QSequentialIterable iterable;
            if (QMetaType::convert(type, value, QMetaType::fromType<QSequentialIterable>(),
                                   &iterable))
                return sequenceToWire(iterable, out, error, path);
        }
        {
            QAssociativeIterable iterable;
            if (QMetaType::convert(type, value, QMetaType::fromType<QAssociativeIterable>(),
                                   &iterable))
                return associationToWire(iterable, type, out, error, path);
        }
        return unsupported(error, path, type, "send");
    }

} // namespace Private

/*!
    Returns \c true if \a value is a canonical wire value: null, bool,
    \c qint64, a finite \c double, QString, QByteArray, QGbStreamMarker, or a
    QVariantList / QVariantMap of canonical values, nested at most
    \l{QGb::MaxNesting}{MaxNesting} levels deep.
*/
bool isCanonical(const QVariant &value)
{
    return Private::isCanonicalWithin(value, MaxNesting);
}

namespace Private {

    /*!
        \internal
        Returns \c true if \a value is canonical with containers nested at most
        \a levels deep. Never recurses deeper than that.
    */
    bool isCanonicalWithin(const QVariant &value, int levels)
    {
        switch (value.typeId()) {
        case QMetaType::Nullptr:
        case QMetaType::Bool:
        case QMetaType::LongLong:
        case QMetaType::QString:
        case QMetaType::QByteArray:
            return true;
        case QMetaType::Double:
            return std::isfinite(*static_cast<const double *>(value.constData()));
        case QMetaType::QVariantList:
            if (levels <= 0)
                return false;
            for (const QVariant &v : *static_cast<const QVariantList *>(value.constData())) {
                if (!isCanonicalWithin(v, levels - 1))
                    return false;
            }
            return true;
        case QMetaType::QVariantMap:
            if (levels <= 0)
                return false;
            for (const QVariant &v : *static_cast<const QVariantMap *>(value.constData())) {
                if (!isCanonicalWithin(v, levels - 1))
                    return false;
            }
            return true;
        case QMetaType::UnknownType:
            return false;
        default:
            return value.metaType() == streamMarkerType();
        }
    }

} // namespace Private

/*!
    \overload

    Converts \a value, of any type the run-time conversion supports (see the
    \l QGb namespace), to a canonical wire value in \a out. A value that is
    already canonical is shared, not copied. An invalid QVariant becomes null.
    Returns \c false and sets \a error to a TypeMismatch naming \a path if the
    value cannot be carried.
*/
bool toWire(const QVariant &value, QVariant *out, QGbError *error, const QGbPath &path)
{
    if (Private::isCanonicalWithin(value, MaxNesting - path.depth())) {
        *out = value;
        return true;
    }
    if (out == &value) {
        QVariant converted;
        if (!Private::toWireRuntime(value.metaType(), value.constData(), &converted, error, path))
            return false;
        *out = std::move(converted);
        return true;
    }
    return Private::toWireRuntime(value.metaType(), value.constData(), out, error, path);
}

/*!
    \overload

    Converts the canonical wire value \a wire to a value of run-time type
    \a target, written to \a out, which must point to a constructed object of
    that type. Returns \c false and sets \a error to a TypeMismatch naming
    \a path, \a target and the wire type if that is not possible.
*/
bool fromWire(const QVariant &wire, QMetaType target, void *out, QGbError *error,
              const QGbPath &path)
{
    switch (target.id()) {
    case QMetaType::UnknownType:
        return unsupported(error, path, target, "receive");
#define QGB_SCALAR(Id, Type) \
    case QMetaType::Id: \
        return QGb::fromWire(wire, static_cast<Type *>(out), error, path);
        QGB_SCALAR(QVariant, QVariant)
        QGB_SCALAR(Nullptr, std::nullptr_t)
        QGB_FOR_EACH_SCALAR(QGB_SCALAR)
        QGB_SCALAR(QVariantList, QVariantList)
        QGB_SCALAR(QVariantMap, QVariantMap)
        QGB_SCALAR(QVariantHash, QVariantHash)
        QGB_SCALAR(QStringList, QStringList)
        QGB_SCALAR(QByteArrayList, QByteArrayList)
#undef QGB_SCALAR
    case QMetaType::QJsonValue:
        return wireToJson(wire, static_cast<QJsonValue *>(out), error, path);
    case QMetaType::QJsonObject:
        return wireToJsonObject(wire, static_cast<QJsonObject *>(out), target, error, path);
    case QMetaType::QJsonArray:
        return wireToJsonArray(wire, static_cast<QJsonArray *>(out), target, error, path);
    case QMetaType::QJsonDocument: {
        QJsonDocument *doc = static_cast<QJsonDocument *>(out);
        if (wire.typeId() == QMetaType::QVariantMap) {
            QJsonObject object;
            if (!wireToJsonObject(wire, &object, target, error, path))
                return false;
            *doc = QJsonDocument(object);
            return true;
        }
        if (wire.typeId() == QMetaType::QVariantList) {
            QJsonArray array;
            if (!wireToJsonArray(wire, &array, target, error, path))
                return false;
            *doc = QJsonDocument(array);
            return true;
        }
        if (wire.typeId() == QMetaType::Nullptr) {
            *doc = QJsonDocument();
            return true;
        }
        return Private::mismatch(error, path, target, wire);
    }
    default:
        break;
    }

    if (target == streamMarkerType())
        return QGb::fromWire(wire, static_cast<QGbStreamMarker *>(out), error, path);
    const QMetaType::TypeFlags flags = target.flags();
    if (flags & QMetaType::IsEnumeration)
        return enumFromWire(wire, target, out, error, path);
    if ((flags & QMetaType::IsGadget) && target.metaObject())
        return gadgetFromWire(wire, target, out, error, path);
    {
        QSequentialIterable iterable;
        if (QMetaType::view(target, out, QMetaType::fromType<QSequentialIterable>(), &iterable))
            return sequenceFromWire(wire, target, iterable, error, path);
    }
    {
        QAssociativeIterable iterable;
        if (QMetaType::view(target, out, QMetaType::fromType<QAssociativeIterable>(), &iterable))
            return associationFromWire(wire, target, iterable, error, path);
    }
    return unsupported(error, path, target, "receive");
}

} // namespace QGb
