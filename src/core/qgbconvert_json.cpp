// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// QJsonValue, QJsonArray, QJsonObject and QJsonDocument to and from wire values.

#include "qgbconvert_p.h"

namespace QGbConvertPrivate {

bool jsonArrayToWire(const QJsonArray &array, QVariant *out, QGbError *error, const QGbPath &path)
{
    if (tooDeepFor(path))
        return QGb::Private::tooDeep(error, path);
    QVariantList *list = QGb::Private::emplace<QVariantList>(out);
    const qsizetype n = array.size();
    list->resize(n);
    for (qsizetype i = 0; i < n; ++i) {
        if (!jsonToWire(array.at(i), &(*list)[i], error, path.index(i)))
            return false;
    }
    return true;
}

bool jsonObjectToWire(const QJsonObject &object, QVariant *out, QGbError *error,
                      const QGbPath &path)
{
    if (tooDeepFor(path))
        return QGb::Private::tooDeep(error, path);
    QVariantMap *map = QGb::Private::emplace<QVariantMap>(out);
    for (auto it = object.begin(), end = object.end(); it != end; ++it) {
        const QString key = it.key();
        if (!jsonToWire(it.value(), &(*map)[key], error, path.key(key)))
            return false;
    }
    return true;
}

bool jsonToWire(const QJsonValue &value, QVariant *out, QGbError *error, const QGbPath &path)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        *out = QVariant::fromValue(nullptr);
        return true;
    case QJsonValue::Bool:
        *out = QVariant(value.toBool());
        return true;
    case QJsonValue::Double: {
        // toVariant() tells integers (kept as qint64 by QJsonValue) from doubles.
        QVariant v = value.toVariant();
        if (v.typeId() == QMetaType::LongLong) {
            *out = std::move(v);
            return true;
        }
        const double d = value.toDouble();
        if (!std::isfinite(d))
            return QGb::Private::notFinite(error, path, QMetaType::fromType<QJsonValue>(), d);
        *out = QVariant(d);
        return true;
    }
    case QJsonValue::String:
        *out = QVariant(value.toString());
        return true;
    case QJsonValue::Array:
        return jsonArrayToWire(value.toArray(), out, error, path);
    case QJsonValue::Object:
        return jsonObjectToWire(value.toObject(), out, error, path);
    }
    return unsupported(error, path, QMetaType::fromType<QJsonValue>(), "send");
}

bool wireToJsonArray(const QVariant &wire, QJsonArray *out, QMetaType expected, QGbError *error,
                     const QGbPath &path)
{
    if (wire.typeId() != QMetaType::QVariantList)
        return QGb::Private::mismatch(error, path, expected, wire);
    const QVariantList &list = *static_cast<const QVariantList *>(wire.constData());
    QJsonArray array;
    QJsonValue item;
    for (qsizetype i = 0, n = list.size(); i < n; ++i) {
        if (!wireToJson(list.at(i), &item, error, path.index(i)))
            return false;
        array.append(item);
    }
    *out = std::move(array);
    return true;
}

bool wireToJsonObject(const QVariant &wire, QJsonObject *out, QMetaType expected, QGbError *error,
                      const QGbPath &path)
{
    if (wire.typeId() != QMetaType::QVariantMap)
        return QGb::Private::mismatch(error, path, expected, wire);
    const QVariantMap &map = *static_cast<const QVariantMap *>(wire.constData());
    QJsonObject object;
    QJsonValue item;
    for (auto it = map.cbegin(), end = map.cend(); it != end; ++it) {
        if (!wireToJson(it.value(), &item, error, path.key(it.key())))
            return false;
        object.insert(it.key(), item);
    }
    *out = std::move(object);
    return true;
}

bool wireToJson(const QVariant &wire, QJsonValue *out, QGbError *error, const QGbPath &path)
{
    switch (wire.typeId()) {
    case QMetaType::Nullptr:
        *out = QJsonValue(QJsonValue::Null);
        return true;
    case QMetaType::Bool:
        *out = QJsonValue(*static_cast<const bool *>(wire.constData()));
        return true;
    case QMetaType::LongLong:
        *out = QJsonValue(*static_cast<const qint64 *>(wire.constData()));
        return true;
    case QMetaType::Double:
        *out = QJsonValue(*static_cast<const double *>(wire.constData()));
        return true;
    case QMetaType::QString:
        *out = QJsonValue(*static_cast<const QString *>(wire.constData()));
        return true;
    case QMetaType::QVariantList: {
        QJsonArray array;
        if (!wireToJsonArray(wire, &array, QMetaType::fromType<QJsonValue>(), error, path))
            return false;
        *out = QJsonValue(std::move(array));
        return true;
    }
    case QMetaType::QVariantMap: {
        QJsonObject object;
        if (!wireToJsonObject(wire, &object, QMetaType::fromType<QJsonValue>(), error, path))
            return false;
        *out = QJsonValue(std::move(object));
        return true;
    }
    default:
        return QGb::Private::mismatch(error, path, QMetaType::fromType<QJsonValue>(), wire);
    }
}

} // namespace QGbConvertPrivate
