// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBINSPECTMESSAGE_P_H
#define QGBINSPECTMESSAGE_P_H

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

#include "qgbglobal.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qjsonvalue.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>

namespace QGbInspect {

// One message of the side channel as an inspector reads it: the line, checked
// to be a JSON object and indexed (where each top-level member's key and
// value are), its values decoded only when asked for. An attached inspector
// reads four or more events a call; building a QJsonObject for each cost it
// 3 us, several times what the pool spends sending it. value() reads as
// QJsonObject::value() does. Implicitly shared; copies are cheap.
class QGB_EXPORT Message
{
public:
    Message();
    // The object, encoded as a compact line (for messages made, not read).
    Message(const QJsonObject &object); // NOLINT: implicit, as a QJsonObject stands for one
    ~Message();
    Message(const Message &other);
    Message &operator=(const Message &other);
    Message(Message &&other) noexcept;
    Message &operator=(Message &&other) noexcept;

    // Reads one line (without its newline). False, with *error saying why and
    // *out unchanged, if the line is not one JSON object.
    static bool parse(const QByteArray &line, Message *out, QString *error);

    bool isEmpty() const;
    QByteArray line() const;
    // The "type" member when it is a string (decoded once, when read), else
    // an empty string: what every reader of a message looks at first.
    QString type() const;
    QJsonValue value(QStringView key) const;
    QJsonValue value(QLatin1StringView key) const;
    QJsonValue operator[](QStringView key) const { return value(key); }
    bool contains(QStringView key) const;
    QStringList keys() const;
    // The whole object, decoded (for a view that shows all of it).
    QJsonObject toObject() const;

private:
    struct Data;
    int find(QStringView key) const;
    int find(QLatin1StringView key) const;
    template<typename Key>
    int findKey(Key key) const;
    QJsonValue valueAt(int member) const;
    QExplicitlySharedDataPointer<Data> d;
};

} // namespace QGbInspect

#endif // QGBINSPECTMESSAGE_P_H
