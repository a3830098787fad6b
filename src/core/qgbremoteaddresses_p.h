// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBREMOTEADDRESSES_P_H
#define QGBREMOTEADDRESSES_P_H

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

#include <QtCore/qlist.h>
#include <QtCore/qstring.h>
#include <QtNetwork/qhostaddress.h>

namespace QGbPrivate {

// The workers a remote URL's host name makes, from the addresses it resolves
// to, in their order: each address is a worker of its own (the pods behind a
// headless Service), except that ::1 and the first IPv4 loopback address are
// one worker ("localhost" is often both, and a worker listens on one of
// them), reached at the first of the two that accepts, in the place of the
// first. An address listed twice counts once.
QGB_EXPORT QList<QList<QHostAddress>> remoteWorkerAddresses(const QList<QHostAddress> &addresses);

// For tests only: answers the remote workers' host name lookups instead of
// the system's resolver (nullptr: the system's again). Set it while no pool runs.
using HostLookup = QList<QHostAddress> (*)(const QString &host);
QGB_EXPORT void setHostLookupForTesting(HostLookup lookup);
// For tests only: the next lookup answered by that function comes after
// delayMs (the others at once, as a cache would answer them).
QGB_EXPORT void delayNextHostLookupForTesting(int delayMs);

} // namespace QGbPrivate

#endif // QGBREMOTEADDRESSES_P_H
