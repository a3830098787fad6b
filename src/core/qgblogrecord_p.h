// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBLOGRECORD_P_H
#define QGBLOGRECORD_P_H

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

#include "qgblogrecord.h"

namespace QGbWire {
struct Message;
}
class QGbError;

namespace QGbPrivate {

// Builds a record from a worker's log message (docs/protocol.md, section 6);
// false with a ProtocolError if a field the record needs is malformed.
QGB_EXPORT bool readLogRecord(const QGbWire::Message &message, QGbLogRecord *record,
                              QGbError *error);

// Writes record to its Qt logging category (qgobridge.python.<logger>), if
// that category is enabled for its message type. Thread-safe.
QGB_EXPORT void writeToCategory(const QGbLogRecord &record);

} // namespace QGbPrivate

#endif // QGBLOGRECORD_P_H
