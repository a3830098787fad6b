// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// W12: a GbStreamModel (QML module) fed by a fast generator and read by a
// slow view. Built only with the QML module.

#include "benchsupport.h"
#include "workloads.h"

#ifdef QGB_BENCH_HAVE_QML
#    include <qgbqmlpool.h>
#    include <qgbqmlstreammodel.h>

#    include <QtCore/qcoreapplication.h>
#    include <QtCore/qdir.h>
#    include <QtCore/qelapsedtimer.h>
#    include <QtCore/qthread.h>
#    include <QtCore/qurl.h>

#    include <algorithm>
#    include <atomic>
#    include <thread>

#    include <malloc.h>
#endif

namespace Bench {

#ifdef QGB_BENCH_HAVE_QML

bool haveStreamModel()
{
    return true;
}

// The view is a loop of 10 ms frames: each frame runs one turn of the event
// loop (where the model inserts what arrived, in one beginInsertRows()),
// reads every row inserted meanwhile, as a delegate would, then sleeps for
// the rest of the frame. The model keeps maxRows rows; the worker gets credit
// only as rows are inserted. A sampler thread reads this process's VmRSS
// every 5 ms (VmHWM catches peaks between samples).
Values streamModelSlowView(const Config &config)
{
    qputenv("QGOBRIDGE_PYTHON_DIR", config.packageDir.toUtf8());
    QGbQmlPool pool;
    pool.classBegin();
    pool.setScript(QUrl::fromLocalFile(QDir(config.benchDir).filePath(u"bench_worker.py"_qs)));
    pool.setWorkers(1);
    pool.setPythonExecutable(config.python);
    pool.componentComplete();
    QElapsedTimer startTimer;
    startTimer.start();
    while (pool.state() != QGbQmlPool::Running) {
        if (startTimer.elapsed() > 30000)
            throw Failure(QStringLiteral("the GbPool did not start"));
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }

    QGbQmlStreamModel model;
    model.setPool(&pool);
    model.setMethod(u"big_stream"_qs);
    model.setArguments({ config.w12Bytes, config.w10ItemSize });
    model.setMaxRows(config.w12MaxRows);

    QCoreApplication::processEvents();
    malloc_trim(0);
    resetPeakRss(0);
    const qint64 base = procStatusKiB(0, "VmRSS");
    std::atomic<qint64> peak { base };
    std::atomic<bool> sampling { true };
    std::thread sampler([&] {
        while (sampling.load()) {
            peak = std::max(peak.load(), procStatusKiB(0, "VmRSS"));
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });

    const qint64 expected = config.w12Bytes / config.w10ItemSize;
    qint64 read = 0;
    qint64 seen = 0;
    int frames = 0;
    QElapsedTimer timer;
    timer.start();
    model.restart();
    while ((model.isRunning() || model.received() < expected) && timer.elapsed() < 600000) {
        QElapsedTimer frame;
        frame.start();
        QCoreApplication::processEvents();
        // The rows inserted since the last frame, read as delegates would.
        const qint64 fresh = model.received() - seen;
        seen = model.received();
        const int rows = model.rowCount();
        for (int row = std::max<qint64>(0, rows - fresh); row < rows; ++row)
            read += model.data(model.index(row, 0), QGbQmlStreamModel::ModelDataRole)
                            .toByteArray()
                            .size()
                    > 0;
        ++frames;
        const qint64 left = 10 - frame.elapsed();
        if (left > 0)
            QThread::msleep(left);
        if (!model.isRunning() && model.received() < expected)
            break; // it failed: reported below
    }
    const double elapsed = double(timer.nsecsElapsed()) / 1e9;
    sampling = false;
    sampler.join();
    if (model.received() != expected)
        throw Failure(QStringLiteral("the model received %1 of %2 rows")
                              .arg(model.received())
                              .arg(expected));
    const qint64 growth = std::max(peak.load(), procStatusKiB(0, "VmHWM")) - base;
    return { { QStringLiteral("app"), double(growth) / 1024.0 },
             { QStringLiteral("rows/s"), double(model.received()) / elapsed },
             { QStringLiteral("frames"), double(frames) } };
}

#else

bool haveStreamModel()
{
    return false;
}

Values streamModelSlowView(const Config &)
{
    throw Failure(QStringLiteral("built without the QML module"));
}

#endif

} // namespace Bench
