// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLCONVERT_P_H
#define QGBQMLCONVERT_P_H

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

#include "qgbqmlglobal.h"

#include <qgberror.h>

#include <QtCore/qvariant.h>
#include <QtQml/qjsvalue.h>

QT_BEGIN_NAMESPACE
class QJSEngine;
QT_END_NAMESPACE

class QGbQmlChannel;

namespace QGbQml {

// A value from JavaScript, as QML hands it to C++ (QVariant of int, double,
// QString, QVariantList, QVariantMap, QJSValue, QObject *, ...), made ready
// for QGb::toWire(): whole numbers (|v| <= 2^53) become qint64 so that
// Python sees an int, undefined becomes null, QUrl and dates become strings.
// path names the value in error messages. False, with *error set
// (TypeMismatch), for a value that cannot be sent (a QObject, a function).
QGBQML_EXPORT bool fromJs(const QVariant &value, QVariant *out, QGbError *error,
                          const QString &path, int depth = 0);

// The arguments of a call: fromJs() on each, except that a GbChannel becomes
// the stream marker at its place and is returned in *channel. At most one
// channel (BadArguments otherwise).
QGBQML_EXPORT bool argumentsFromJs(const QVariantList &args, QVariantList *out,
                                   QGbQmlChannel **channel, QGbError *error);

// The keyword arguments of a call (an object's properties): fromJs() on
// each, named kwargs.NAME in errors. A GbChannel is not one (BadArguments).
QGBQML_EXPORT bool keywordArgumentsFromJs(const QVariantMap &kwargs, QVariantMap *out,
                                          QGbError *error);

// The JavaScript Error for a QGbError: name "GbError", message, and the
// properties code (the QGbError::Code name, such as "Cancelled"),
// remoteType, traceback and retriable. null for NoError or without engine.
QGBQML_EXPORT QJSValue toJsError(QJSEngine *engine, const QGbError &error);

// The engine of a QML object, or null.
QJSEngine *engineOf(const QObject *object);

// A new JavaScript Promise made with engine, and its resolve and reject functions.
QJSValue newPromise(QJSEngine *engine, QJSValue *resolve, QJSValue *reject);

// False once a QQmlEngine has begun its destruction: nothing may run in it then.
bool engineUsable(QJSEngine *engine);

} // namespace QGbQml

#endif // QGBQMLCONVERT_P_H
