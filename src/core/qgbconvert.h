// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCONVERT_H
#define QGBCONVERT_H

#include "qgberror.h"
#include "qgbglobal.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qhash.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qjsonvalue.h>
#include <QtCore/qlist.h>
#include <QtCore/qmap.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qstringview.h>
#include <QtCore/qvariant.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

struct QGbStreamMarker
{
    friend constexpr bool operator==(QGbStreamMarker, QGbStreamMarker) noexcept { return true; }
    friend constexpr bool operator!=(QGbStreamMarker, QGbStreamMarker) noexcept { return false; }
};

Q_DECLARE_METATYPE(QGbStreamMarker)

class QGB_EXPORT QGbPath
{
public:
    constexpr QGbPath() noexcept = default;
    constexpr explicit QGbPath(const char *root) noexcept
        : m_data(root)
    {
    }
    // A root whose children (args[i], items[k]) are values of their own.
    enum ListOfValues { ListRoot };
    constexpr QGbPath(const char *root, ListOfValues) noexcept
        : m_data(root)
        , m_depth(-1)
    {
    }

    QGbPath index(qsizetype i) const noexcept { return QGbPath(this, Index, nullptr, i); }
    QGbPath key(QStringView key) const noexcept
    {
        return QGbPath(this, Key, key.utf16(), key.size());
    }
    QGbPath key(QLatin1String key) const noexcept
    {
        return QGbPath(this, Latin1Key, key.data(), key.size());
    }

    const QGbPath *parent() const noexcept { return m_parent; }
    int depth() const noexcept { return m_depth; }
    QString toString() const;

private:
    enum Kind : quint8 { Root, Index, Key, Latin1Key };

    constexpr QGbPath(const QGbPath *parent, Kind kind, const void *data, qsizetype value) noexcept
        : m_parent(parent)
        , m_data(data)
        , m_value(value)
        , m_kind(kind)
        , m_depth(qint16(parent->m_depth + 1))
    {
    }

    void appendTo(QString *out) const;

    const QGbPath *m_parent = nullptr;
    const void *m_data = nullptr; // Root, Latin1Key: const char *; Key: const char16_t *
    qsizetype m_value = 0;        // Index: the index; Key, Latin1Key: the key's length
    Kind m_kind = Root;
    qint16 m_depth = 0; // containers entered from the value's root
};

namespace QGb {

// The deepest a value may nest: containers (lists, maps, gadgets) within containers.
constexpr int MaxNesting = 200;

QGB_EXPORT bool toWire(const QVariant &value, QVariant *out, QGbError *error, const QGbPath &path);
QGB_EXPORT bool fromWire(const QVariant &wire, QMetaType target, void *out, QGbError *error,
                         const QGbPath &path);
QGB_EXPORT bool isCanonical(const QVariant &value);

namespace Private {

    QGB_EXPORT bool isCanonicalWithin(const QVariant &value, int levels);
    QGB_EXPORT bool tooDeep(QGbError *error, const QGbPath &path);
    QGB_EXPORT bool toWireRuntime(QMetaType type, const void *value, QVariant *out, QGbError *error,
                                  const QGbPath &path);
    QGB_EXPORT bool mismatch(QGbError *error, const QGbPath &path, QMetaType expected,
                             const QVariant &wire, const char *detail = nullptr);
    QGB_EXPORT bool notFinite(QGbError *error, const QGbPath &path, QMetaType type, double value);
    QGB_EXPORT bool unsignedTooLarge(QGbError *error, const QGbPath &path, QMetaType type,
                                     quint64 value);
    QGB_EXPORT bool wireIntegerSlow(const QVariant &wire, qint64 *out);

    template<typename T>
    inline constexpr bool DependentFalse = false;

    template<typename T>
    struct ListTraits
    {
        static constexpr bool Value = false;
    };
    template<typename T>
    struct ListTraits<QList<T>>
    {
        static constexpr bool Value = true;
        using Element = T;
    };
    template<typename T, typename A>
    struct ListTraits<std::vector<T, A>>
    {
        static constexpr bool Value = true;
        using Element = T;
    };

    template<typename T>
    struct MapTraits
    {
        static constexpr bool Value = false;
    };
    template<typename T>
    struct MapTraits<QMap<QString, T>>
    {
        static constexpr bool Value = true;
        static constexpr bool Sorted = true;
        using Element = T;
    };
    template<typename T>
    struct MapTraits<QHash<QString, T>>
    {
        static constexpr bool Value = true;
        static constexpr bool Sorted = false;
        using Element = T;
    };

    template<typename T>
    struct OptionalTraits
    {
        static constexpr bool Value = false;
    };
    template<typename T>
    struct OptionalTraits<std::optional<T>>
    {
        static constexpr bool Value = true;
        using Element = T;
    };

    template<typename T>
    inline constexpr bool IsGadget = QtPrivate::IsGadgetHelper<T>::IsGadgetOrDerivedFrom;

    template<typename T>
    inline constexpr bool IsJson =
            std::is_same_v<
                    T,
                    QJsonValue> || std::is_same_v<T, QJsonObject> || std::is_same_v<T, QJsonArray> || std::is_same_v<T, QJsonDocument>;

    template<typename T>
    inline constexpr bool IsCharArray =
            std::is_array_v<T> &&std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>, char>;

    // Creates a default value of type C inside *out and returns it, so that
    // containers are filled in place rather than copied into the variant.
    template<typename C>
    C *emplace(QVariant *out)
    {
        *out = QVariant(QMetaType::fromType<C>());
        return static_cast<C *>(out->data());
    }

    inline bool wireInteger(const QVariant &wire, qint64 *out)
    {
        if (wire.typeId() == QMetaType::LongLong) {
            *out = *static_cast<const qint64 *>(wire.constData());
            return true;
        }
        return wireIntegerSlow(wire, out);
    }

} // namespace Private

template<typename T>
bool toWire(const T &value, QVariant *out, QGbError *error, const QGbPath &path)
{
    using namespace Private;
    if constexpr (std::is_same_v<T, QVariant>) {
        return QGb::toWire(value, out, error, path);
    } else if constexpr (std::is_same_v<T, std::nullptr_t>) {
        *out = QVariant::fromValue(nullptr);
    } else if constexpr (std::is_same_v<T, bool>) {
        *out = QVariant(value);
    } else if constexpr (std::is_enum_v<T>) {
        return QGb::toWire(static_cast<std::underlying_type_t<T>>(value), out, error, path);
    } else if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(qint64)) {
            if (quint64(value) > quint64(std::numeric_limits<qint64>::max()))
                return unsignedTooLarge(error, path, QMetaType::fromType<T>(), quint64(value));
        }
        *out = QVariant(qint64(value));
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value))
            return notFinite(error, path, QMetaType::fromType<T>(), double(value));
        *out = QVariant(double(value));
    } else if constexpr (std::is_same_v<T, QString>) {
        *out = QVariant(value);
    } else if constexpr (std::is_same_v<T, QLatin1String> || std::is_same_v<T, QStringView>) {
        *out = QVariant(value.toString());
    } else if constexpr (std::is_same_v<T, const char *> || std::is_same_v<T, char *>) {
        *out = QVariant(QString::fromUtf8(value));
    } else if constexpr (IsCharArray<T>) {
        *out = QVariant(QString::fromUtf8(value, qstrnlen(value, std::extent_v<T>)));
    } else if constexpr (std::is_same_v<T, QByteArray>) {
        *out = QVariant(value);
    } else if constexpr (std::is_same_v<T, QGbStreamMarker>) {
        *out = QVariant::fromValue(value);
    } else if constexpr (std::is_same_v<T, QVariantList> || std::is_same_v<T, QVariantMap>) {
        QVariant v(value);
        if (isCanonicalWithin(v, MaxNesting - path.depth())) { // a wire value already: share it
            *out = std::move(v);
            return true;
        }
        return toWireRuntime(v.metaType(), v.constData(), out, error, path);
    } else if constexpr (ListTraits<T>::Value) {
        if (path.depth() >= MaxNesting)
            return tooDeep(error, path);
        const qsizetype n = qsizetype(value.size());
        QVariantList *list = emplace<QVariantList>(out);
        list->resize(n);
        QVariant *dst = list->data();
        qsizetype i = 0;
        for (const auto &item : value) {
            if (!QGb::toWire(item, dst + i, error, path.index(i)))
                return false;
            ++i;
        }
    } else if constexpr (MapTraits<T>::Value) {
        if (path.depth() >= MaxNesting)
            return tooDeep(error, path);
        QVariantMap *map = emplace<QVariantMap>(out);
        for (auto it = value.cbegin(), end = value.cend(); it != end; ++it) {
            QVariant *slot;
            if constexpr (MapTraits<T>::Sorted) // keys arrive in order: O(1) hinted insert
                slot = &map->insert(map->cend(), it.key(), QVariant()).value();
            else
                slot = &(*map)[it.key()];
            if (!QGb::toWire(it.value(), slot, error, path.key(it.key())))
                return false;
        }
    } else if constexpr (OptionalTraits<T>::Value) {
        if (!value.has_value()) {
            *out = QVariant::fromValue(nullptr);
            return true;
        }
        return QGb::toWire(*value, out, error, path);
    } else if constexpr (IsJson<T> || IsGadget<T>) {
        return toWireRuntime(QMetaType::fromType<T>(), &value, out, error, path);
    } else {
        static_assert(DependentFalse<T>,
                      "QGb::toWire: unsupported type. Supported are integers, floating point, "
                      "bool, QString, QByteArray, QVariant, QVariantList/Map/Hash, QJson*, "
                      "QList/std::vector/QMap<QString,T>/QHash<QString,T>/std::optional of "
                      "supported types, and Q_GADGET structs.");
        return false;
    }
    return true;
}

template<typename T>
bool fromWire(const QVariant &wire, T *out, QGbError *error, const QGbPath &path)
{
    using namespace Private;
    static_assert(!std::is_const_v<T>, "QGb::fromWire: cannot write to a const value");
    if constexpr (std::is_same_v<T, QVariant>) {
        *out = wire;
    } else if constexpr (std::is_same_v<T, std::nullptr_t>) {
        if (wire.typeId() != QMetaType::Nullptr && wire.isValid())
            return mismatch(error, path, QMetaType::fromType<T>(), wire);
        *out = nullptr;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (wire.typeId() != QMetaType::Bool)
            return mismatch(error, path, QMetaType::fromType<T>(), wire);
        *out = *static_cast<const bool *>(wire.constData());
    } else if constexpr (std::is_enum_v<T> && QtPrivate::IsQEnumHelper<T>::Value) {
        // Checked against its enumerators (QMetaEnum).
        return QGb::fromWire(wire, QMetaType::fromType<T>(), out, error, path);
    } else if constexpr (std::is_enum_v<T>) {
        std::underlying_type_t<T> v;
        if (!QGb::fromWire(wire, &v, error, path))
            return false;
        *out = static_cast<T>(v);
    } else if constexpr (std::is_integral_v<T>) {
        qint64 v;
        if (!wireInteger(wire, &v))
            return mismatch(error, path, QMetaType::fromType<T>(), wire);
        if constexpr (std::is_signed_v<T>) {
            if (v < qint64(std::numeric_limits<T>::min())
                || v > qint64(std::numeric_limits<T>::max()))
                return mismatch(error, path, QMetaType::fromType<T>(), wire, "out of range");
        } else {
            if (v < 0 || quint64(v) > quint64(std::numeric_limits<T>::max()))
                return mismatch(error, path, QMetaType::fromType<T>(), wire, "out of range");
        }
        *out = T(v);
    } else if constexpr (std::is_floating_point_v<T>) {
        double d;
        qint64 i;
        if (wire.typeId() == QMetaType::Double) {
            d = *static_cast<const double *>(wire.constData());
        } else if (wireInteger(wire, &i)) {
            constexpr qint64 Exact = qint64(1) << 53;
            if (i < -Exact || i > Exact)
                return mismatch(error, path, QMetaType::fromType<T>(), wire,
                                "not exactly representable");
            d = double(i);
        } else {
            return mismatch(error, path, QMetaType::fromType<T>(), wire);
        }
        if constexpr (sizeof(T) < sizeof(double)) {
            if (std::isfinite(d) && std::fabs(d) > double(std::numeric_limits<T>::max()))
                return mismatch(error, path, QMetaType::fromType<T>(), wire, "out of range");
        }
        *out = T(d);
    } else if constexpr (
            std::is_same_v<
                    T,
                    QString> || std::is_same_v<T, QByteArray> || std::is_same_v<T, QGbStreamMarker>) {
        if (wire.metaType() != QMetaType::fromType<T>())
            return mismatch(error, path, QMetaType::fromType<T>(), wire);
        *out = *static_cast<const T *>(wire.constData());
    } else if constexpr (ListTraits<T>::Value) {
        using E = typename ListTraits<T>::Element;
        if (wire.typeId() != QMetaType::QVariantList)
            return mismatch(error, path, QMetaType::fromType<T>(), wire);
        const QVariantList &list = *static_cast<const QVariantList *>(wire.constData());
        if constexpr (std::is_same_v<T, QVariantList>) {
            *out = list;
        } else {
            static_assert(std::is_default_constructible_v<E>,
                          "QGb::fromWire: list elements must be default-constructible");
            const qsizetype n = list.size();
            out->clear();
            out->resize(n);
            if constexpr (std::is_same_v<T, std::vector<bool>>) {
                for (qsizetype i = 0; i < n; ++i) {
                    bool b = false;
                    if (!QGb::fromWire(list.at(i), &b, error, path.index(i)))
                        return false;
                    (*out)[i] = b;
                }
            } else {
                E *dst = out->data();
                for (qsizetype i = 0; i < n; ++i) {
                    if (!QGb::fromWire(list.at(i), dst + i, error, path.index(i)))
                        return false;
                }
            }
        }
    } else if constexpr (MapTraits<T>::Value) {
        using E = typename MapTraits<T>::Element;
        if (wire.typeId() != QMetaType::QVariantMap)
            return mismatch(error, path, QMetaType::fromType<T>(), wire);
        const QVariantMap &map = *static_cast<const QVariantMap *>(wire.constData());
        if constexpr (std::is_same_v<T, QVariantMap>) {
            *out = map;
        } else {
            static_assert(std::is_default_constructible_v<E>,
                          "QGb::fromWire: map values must be default-constructible");
            out->clear();
            if constexpr (!MapTraits<T>::Sorted)
                out->reserve(map.size());
            for (auto it = map.cbegin(), end = map.cend(); it != end; ++it) {
                E *slot;
                if constexpr (MapTraits<T>::Sorted)
                    slot = &out->insert(out->cend(), it.key(), E {}).value();
                else
                    slot = &(*out)[it.key()];
                if (!QGb::fromWire(it.value(), slot, error, path.key(it.key())))
                    return false;
            }
        }
    } else if constexpr (OptionalTraits<T>::Value) {
        using E = typename OptionalTraits<T>::Element;
        if (wire.typeId() == QMetaType::Nullptr || !wire.isValid()) {
            out->reset();
            return true;
        }
        E item {};
        if (!QGb::fromWire(wire, &item, error, path))
            return false;
        *out = std::move(item);
    } else if constexpr (IsJson<T> || IsGadget<T>) {
        return QGb::fromWire(wire, QMetaType::fromType<T>(), out, error, path);
    } else {
        static_assert(DependentFalse<T>,
                      "QGb::fromWire: unsupported type. Supported are integers, floating point, "
                      "bool, QString, QByteArray, QVariant, QVariantList/Map/Hash, QJson*, "
                      "QList/std::vector/QMap<QString,T>/QHash<QString,T>/std::optional of "
                      "supported types, and Q_GADGET structs.");
        return false;
    }
    return true;
}

} // namespace QGb

#endif // QGBCONVERT_H
