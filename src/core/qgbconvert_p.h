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
#include <QtCore/qmetaobject.h>

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

// The properties of a Q_GADGET type, as the conversions read and write them.
struct GadgetProperty
{
    QString name;
    QByteArray utf8Name; // as the meta-object has it
    QByteArray jsonKey;  // the name as a JSON string, and the ':' after it
    QMetaType type;
    QMetaProperty property;
    const QMetaObject *enclosing = nullptr;
    int relativeIndex = 0;
    bool readable = false;
    bool writable = false;
};

struct GadgetInfo
{
    QList<GadgetProperty> properties; // sorted by name, like QVariantMap keys
    // One readable property, named with a leading '$': its wire map is
    // written inside a {"$map": ...} marker.
    bool oneDollarKey = false;
};

// The gadget's properties, cached per thread.
const GadgetInfo &gadgetInfo(const QMetaObject *mo);
// Reads property p of gadget into *slot, a constructed value of p.type.
void readProperty(const GadgetProperty &p, const void *gadget, void *slot);
// Writes *slot, a value of p.type, to property p of gadget.
void writeProperty(const GadgetProperty &p, void *gadget, void *slot);

// Storage for one value of a run-time type: on the stack when it fits.
class TempValue
{
    Q_DISABLE_COPY_MOVE(TempValue)
public:
    explicit TempValue(QMetaType type)
        : m_type(type)
    {
        if (type.sizeOf() <= qsizetype(sizeof(m_buffer))
            && type.alignOf() <= qsizetype(alignof(std::max_align_t)))
            m_data = type.construct(m_buffer);
        else
            m_data = type.create();
    }
    ~TempValue()
    {
        if (!m_data)
            return;
        if (m_data == static_cast<void *>(m_buffer))
            m_type.destruct(m_data);
        else
            m_type.destroy(m_data);
    }
    void *data() const { return m_data; }

private:
    QMetaType m_type;
    void *m_data = nullptr;
    alignas(std::max_align_t) char m_buffer[64];
};

} // namespace QGbConvertPrivate

#endif // QGBCONVERT_P_H
