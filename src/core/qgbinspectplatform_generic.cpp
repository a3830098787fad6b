// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The inspector side channel's platform code where there is no Unix: a
// registry in the temporary directory, and no peer check (refused).

#include "qgbinspectwire_p.h"

#include <QtCore/qdir.h>

namespace QGbInspect {

QString registryDirectory()
{
    return QDir::tempPath() + QLatin1String("/qgobridge");
}

QString ensureRegistryDirectory(QString *error)
{
    const QString dir = registryDirectory();
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("Cannot create %1").arg(dir);
        return QString();
    }
    return dir;
}

bool peerIsSameUser(qintptr, qint64 *)
{
    return false; // not implemented: nobody is let in
}

bool processExists(qint64 pid)
{
    return pid > 0;
}

} // namespace QGbInspect
