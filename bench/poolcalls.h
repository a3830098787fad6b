// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef POOLCALLS_H
#define POOLCALLS_H

// W1 and W2 on a pool the caller set up: what --inspect and --remote measure
// for each kind of pool they compare.

class QGbPool;

namespace Bench {

struct Config;

// add(3, 4) on `pool`, waited for; a failed or wrong answer throws Failure.
void addOnPool(QGbPool &pool);

// W1: 100 calls to warm up, then the p50 of config.w1Calls sequential
// add(3, 4) calls, in microseconds.
double sequentialAddP50(QGbPool &pool, const Config &config);

// W2: config.w2Callers threads each calling add(3, 4) config.w2CallsPerCaller
// times back to back; calls per second.
double concurrentAddRate(QGbPool &pool, const Config &config);

} // namespace Bench

#endif // POOLCALLS_H
