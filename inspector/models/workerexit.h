// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef WORKEREXIT_H
#define WORKEREXIT_H

#include <QtCore/qstring.h>

// How the end of a worker reads, in Workers and on the Timeline: "killed by
// signal 9: <reason>" or "exited with code 3: <reason>"; a remote worker's
// lost connection, which has no exit status, as its reason; a remote slot
// left without an address as "idle: <reason>".
inline QString workerExitText(bool hasStatus, int signal, int exitCode, const QString &reason,
                              bool idle = false)
{
    if (idle)
        return reason.isEmpty() ? QStringLiteral("idle") : QStringLiteral("idle: ") + reason;
    if (!hasStatus)
        return reason.isEmpty() ? QStringLiteral("connection lost") : reason;
    QString text = signal ? QStringLiteral("killed by signal %1").arg(signal)
                          : QStringLiteral("exited with code %1").arg(exitCode);
    if (!reason.isEmpty())
        text += QStringLiteral(": ") + reason;
    return text;
}

#endif // WORKEREXIT_H
