// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBPOOL_P_H
#define QGBPOOL_P_H

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

#include "qgbengine_p.h"
#include "qgbpool.h"

#include <QtCore/qthread.h>

#include <atomic>
#include <memory>

class QGbPoolPrivate
{
public:
    QString script;
    QGbPoolOptions options;
    QThread thread;
    QGbEngine *engine = nullptr;
    std::shared_ptr<QGbEngineHandle> handle;
    QGbPool::State state = QGbPool::Starting;
};

#endif // QGBPOOL_P_H
