// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbplatform_p.h"

#include <QtCore/qprocess.h>

#include <signal.h>
#include <sys/prctl.h>

namespace QGbPlatform {

void killWithParent(QProcess *process)
{
    // The kernel kills the child when the thread that started it (the pool's
    // I/O thread) goes away.
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

} // namespace QGbPlatform
