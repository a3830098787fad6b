// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbqmlchannel.h"
#include "qgbqmlconvert_p.h"

#include <qgbconvert.h>

#include <QtCore/qdatetime.h>
#include <QtCore/qhash.h>
#include <QtCore/qmutex.h>
#include <QtCore/qurl.h>
#include <QtQml/qjsengine.h>
#include <QtQml/qqml.h>
#include <QtQml/qqmlengine.h>

#include <cmath>

namespace QGbQml {

namespace {

    constexpr double MaxExactInteger = 9007199254740992.0; // 2^53

    QGbError mismatch(const QString &path, const QString &what)
    {
        return QGbError(QGbError::TypeMismatch,
                        QStringLiteral("%1: cannot send %2 to Python").arg(path, what));
    }

    // The JavaScript functions the module needs in each engine, compiled once an
    // engine (and forgotten with it).
    QJSValue helper(QJSEngine *engine, const QString &name)
    {
        static QMutex mutex;
        static QHash<QJSEngine *, QJSValue> helpers;
        QJSValue functions;
        {
            QMutexLocker locker(&mutex);
            functions = helpers.value(engine);
        }
        if (functions.isUndefined()) {
            functions = engine->evaluate(QStringLiteral(
                    "({\n"
                    // new Promise() hands its resolve and reject functions to holder
                    "    promise: function (holder) {\n"
                    "        return new Promise(function (resolve, reject) {\n"
                    "            holder.resolve = resolve;\n"
                    "            holder.reject = reject;\n"
                    "        });\n"
                    "    },\n"
                    "    error: function (message, code, remoteType, traceback, retriable) {\n"
                    "        var e = new Error(message);\n"
                    // V4's Error.prototype.name is read-only: assigning to an
                    // instance's name does nothing.
                    "        Object.defineProperty(e, 'name', { value: 'GbError', writable: true,\n"
                    "                                           configurable: true });\n"
                    "        e.code = code;\n"
                    "        e.remoteType = remoteType;\n"
                    "        e.traceback = traceback;\n"
                    "        e.retriable = retriable;\n"
                    "        return e;\n"
                    "    }\n"
                    "})"));
            QMutexLocker locker(&mutex);
            if (!helpers.contains(engine)) {
                helpers.insert(engine, functions);
                QObject::connect(engine, &QObject::destroyed, [engine] {
                    QMutexLocker locker(&mutex);
                    helpers.remove(engine);
                });
            }
        }
        return functions.property(name);
    }

} // namespace

bool fromJs(const QVariant &value, QVariant *out, QGbError *error, const QString &path, int depth)
{
    if (depth > QGb::MaxNesting) {
        *error = QGbError(
                QGbError::TypeMismatch,
                QStringLiteral("%1: nested deeper than %2 levels").arg(path).arg(QGb::MaxNesting));
        return false;
    }
    const QMetaType type = value.metaType();
    switch (type.id()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        *out = QVariant::fromValue(nullptr);
        return true;
    case QMetaType::Double:
    case QMetaType::Float: {
        const double d = value.toDouble();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= MaxExactInteger)
            *out = QVariant::fromValue(qint64(d));
        else
            *out = value; // NaN and infinities fail in QGb::toWire(), with the path
        return true;
    }
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Bool:
    case QMetaType::QString:
    case QMetaType::QByteArray:
        *out = value;
        return true;
    case QMetaType::QStringList:
        *out = value;
        return true;
    case QMetaType::QUrl:
        *out = value.toUrl().toString();
        return true;
    case QMetaType::QDateTime:
        *out = value.toDateTime().toUTC().toString(Qt::ISODateWithMs); // ...Z
        return true;
    case QMetaType::QDate:
        *out = value.toDate().toString(Qt::ISODate);
        return true;
    case QMetaType::QVariantList: {
        const QVariantList list = value.toList();
        QVariantList converted;
        converted.reserve(list.size());
        for (qsizetype i = 0; i < list.size(); ++i) {
            QVariant item;
            if (!fromJs(list.at(i), &item, error, QStringLiteral("%1[%2]").arg(path).arg(i),
                        depth + 1)) {
                return false;
            }
            converted.append(std::move(item));
        }
        *out = converted;
        return true;
    }
    case QMetaType::QVariantMap:
    case QMetaType::QVariantHash: {
        const QVariantMap map = type.id() == QMetaType::QVariantMap ? value.toMap() : [&value] {
            QVariantMap m;
            const QVariantHash h = value.toHash();
            for (auto it = h.cbegin(); it != h.cend(); ++it)
                m.insert(it.key(), it.value());
            return m;
        }();
        QVariantMap converted;
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            QVariant item;
            if (!fromJs(it.value(), &item, error, path + QLatin1Char('.') + it.key(), depth + 1))
                return false;
            converted.insert(it.key(), std::move(item));
        }
        *out = converted;
        return true;
    }
    default:
        break;
    }
    if (type == QMetaType::fromType<QJSValue>()) {
        const QJSValue js = value.value<QJSValue>();
        if (js.isCallable()) {
            *error = mismatch(path, QStringLiteral("a function"));
            return false;
        }
        return fromJs(js.toVariant(), out, error, path, depth);
    }
    if (type.flags() & QMetaType::PointerToQObject) {
        const QObject *object = value.value<QObject *>();
        *error = mismatch(
                path,
                object ? QStringLiteral("an object of type %1")
                                 .arg(QString::fromLatin1(object->metaObject()->className()))
                       : QStringLiteral("an object"));
        return false;
    }
    // Anything else QGb::toWire() accepts or refuses with the path.
    *out = value;
    return true;
}

bool argumentsFromJs(const QVariantList &args, QVariantList *out, QGbQmlChannel **channel,
                     QGbError *error)
{
    out->clear();
    out->reserve(args.size());
    *channel = nullptr;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QVariant &arg = args.at(i);
        if (arg.metaType().flags() & QMetaType::PointerToQObject) {
            if (auto *ch = qobject_cast<QGbQmlChannel *>(arg.value<QObject *>())) {
                if (*channel) {
                    *error = QGbError(QGbError::BadArguments,
                                      QStringLiteral("A call takes at most one GbChannel"));
                    return false;
                }
                *channel = ch;
                out->append(QVariant::fromValue(QGbStreamMarker()));
                continue;
            }
        }
        QVariant converted;
        if (!fromJs(arg, &converted, error, QStringLiteral("args[%1]").arg(i)))
            return false;
        out->append(std::move(converted));
    }
    return true;
}

bool keywordArgumentsFromJs(const QVariantMap &kwargs, QVariantMap *out, QGbError *error)
{
    out->clear();
    for (auto it = kwargs.cbegin(); it != kwargs.cend(); ++it) {
        if ((it->metaType().flags() & QMetaType::PointerToQObject)
            && qobject_cast<QGbQmlChannel *>(it->value<QObject *>())) {
            *error = QGbError(QGbError::BadArguments,
                              QStringLiteral("A GbChannel must be one of the arguments, not the "
                                             "keyword argument %1")
                                      .arg(it.key()));
            return false;
        }
        QVariant converted;
        if (!fromJs(*it, &converted, error, QStringLiteral("kwargs.%1").arg(it.key())))
            return false;
        out->insert(it.key(), std::move(converted));
    }
    return true;
}

QJSValue toJsError(QJSEngine *engine, const QGbError &error)
{
    if (!engine || !error.isError())
        return QJSValue(QJSValue::NullValue);
    const QString code = QGbError::codeName(error.code());
    const QString message = error.errorString().isEmpty() ? code : error.errorString();
    return helper(engine, QStringLiteral("error"))
            .call({ message, code, error.remoteType(), error.remoteTraceback(),
                    error.isRetriable() });
}

QJSEngine *engineOf(const QObject *object)
{
    return object ? qjsEngine(object) : nullptr;
}

QJSValue newPromise(QJSEngine *engine, QJSValue *resolve, QJSValue *reject)
{
    QJSValue holder = engine->newObject();
    QJSValue promise = helper(engine, QStringLiteral("promise")).call({ holder });
    *resolve = holder.property(QStringLiteral("resolve"));
    *reject = holder.property(QStringLiteral("reject"));
    return promise;
}

bool engineUsable(QJSEngine *engine)
{
    if (!engine)
        return false;
    // A QQmlEngine being destroyed has deleted its root context first; in
    // ~QJSEngine it is no longer a QQmlEngine at all. GbPool and its replies
    // only ever live in QQmlEngines.
    auto *qml = qobject_cast<QQmlEngine *>(engine);
    return qml && qml->rootContext();
}

} // namespace QGbQml
