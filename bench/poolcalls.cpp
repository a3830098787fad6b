// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "poolcalls.h"

#include "benchsupport.h"
#include "workloads.h"

#include <QGbPool>

#include <QtCore/qelapsedtimer.h>

namespace Bench {

void addOnPool(QGbPool &pool)
{
    QFuture<int> sum = pool.call<int>(QStringLiteral("add"), 3, 4);
    sum.waitForFinished();
    if (sum.isCanceled() || sum.result() != 7)
        throw Failure(QStringLiteral("add(3, 4) failed"));
}

double sequentialAddP50(QGbPool &pool, const Config &config)
{
    for (int i = 0; i < 100; ++i)
        addOnPool(pool);
    QList<double> micros;
    micros.reserve(config.w1Calls);
    QElapsedTimer timer;
    for (int i = 0; i < config.w1Calls; ++i) {
        timer.start();
        addOnPool(pool);
        micros.append(double(timer.nsecsElapsed()) / 1000.0);
    }
    return percentile(micros, 50);
}

double concurrentAddRate(QGbPool &pool, const Config &config)
{
    const double elapsed =
            runCallers(config.w2Callers, config.w2CallsPerCaller, [&](int) { addOnPool(pool); });
    return double(config.w2Callers) * config.w2CallsPerCaller / elapsed;
}

} // namespace Bench
