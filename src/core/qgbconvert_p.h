// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCONVERT_P_H
#define QGBCONVERT_P_H

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

#include "qgbconvert.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qjsonvalue.h>

// What the conversions (qgbconvert.cpp) and the QJson* conversions
// (qgbconvert_json.cpp) share.
namespace QGbConvertPrivate {

const char *wireTypeName(const QVariant &v);
QString describeWire(const QVariant &v);
bool fail(QGbError *error, const QGbPath &path, const QString &message);
// A container at this depth would hold values deeper than QGb::MaxNesting.
inline bool tooDeepFor(const QGbPath &path)
{
    return path.depth() >= QGb::MaxNesting;
}
bool unsupported(QGbError *error, const QGbPath &path, QMetaType type, const char *direction);
const QMetaType &streamMarkerType();

bool jsonToWire(const QJsonValue &value, QVariant *out, QGbError *error, const QGbPath &path);
bool jsonArrayToWire(const QJsonArray &array, QVariant *out, QGbError *error, const QGbPath &path);
bool jsonObjectToWire(const QJsonObject &object, QVariant *out, QGbError *error,
                      const QGbPath &path);
bool wireToJson(const QVariant &wire, QJsonValue *out, QGbError *error, const QGbPath &path);
bool wireToJsonArray(const QVariant &wire, QJsonArray *out, QMetaType expected, QGbError *error,
                     const QGbPath &path);
bool wireToJsonObject(const QVariant &wire, QJsonObject *out, QMetaType expected, QGbError *error,
                      const QGbPath &path);

} // namespace QGbConvertPrivate

#endif // QGBCONVERT_P_H
