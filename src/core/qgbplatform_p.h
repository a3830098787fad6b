// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBPLATFORM_P_H
#define QGBPLATFORM_P_H

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

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

QT_BEGIN_NAMESPACE
class QProcess;
QT_END_NAMESPACE

// What the engine needs from the operating system, one function each; the
// implementations live in qgbplatform_unix.cpp (and _linux for what only
// Linux has) and, elsewhere, in qgbplatform_generic.cpp.
namespace QGbPlatform {

// Creates a new directory only this user may enter (mode 0700) in base, with
// a unique name starting with prefix. Returns its path, or an empty string
// with *error set.
QString makePrivateDirectory(const QString &base, const QString &prefix, QString *error);

// The longest socket path the system accepts, in bytes of the encoded name.
qsizetype maxSocketPathLength();

// Makes the process the QProcess starts die when the thread that started it
// goes away (Linux: PR_SET_PDEATHSIG), so workers do not outlive an
// application that crashed. Elsewhere nothing does this yet.
void killWithParent(QProcess *process);

// The directory of the shared library this code is in, or an empty string.
QString libraryDirectory();

// Writes data to the application's own standard output or error at once.
void writeStandardChannel(bool error, const QByteArray &data);

} // namespace QGbPlatform

#endif // QGBPLATFORM_P_H
