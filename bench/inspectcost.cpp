// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// qgb_bench --inspect: what inspection costs (docs/performance.md). W1
// (sequential add(), p50) and W2 (8 threads, add(), calls/s) on the library
// side only, with the pool
//   off       not inspectable,
//   recorder  inspectable, nobody attached (the flight recorder on),
//   attached  an inspector attached that reads everything,
//   stopped   an inspector attached that never reads (as one stopped with SIGSTOP).
// The four run in turn in each repetition, so that the ratios to "off" come
// from one stretch of time on a shared machine; the figures are medians.

#include "benchsupport.h"
#include "workloads.h"

#include "qgbinspectorclient.h"
#include "qgbinspectorregistry.h"

#include <QGbPool>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qthread.h>

#include <cstdio>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace Bench {

namespace {

    enum class Mode { Off, Recorder, Attached, Stopped };
    const char *const modeNames[] = { "off", "recorder", "attached", "stopped" };

    QString socketOfThisProcess()
    {
        for (const QGbInspectorPoolEntry &entry : QGbInspectorRegistry::pools())
            if (entry.pid == QCoreApplication::applicationPid())
                return entry.socketPath;
        return QString();
    }

    // An inspector that reads and decodes everything, in its own thread.
    class ReadingInspector
    {
    public:
        explicit ReadingInspector(const QString &path)
        {
            m_thread.start();
            m_client = new QGbInspectorClient;
            m_client->moveToThread(&m_thread);
            QGbInspectorClient *client = m_client;
            QMetaObject::invokeMethod(
                    client, [client, path] { client->connectToPool(path); },
                    Qt::BlockingQueuedConnection);
        }
        ~ReadingInspector()
        {
            QGbInspectorClient *client = m_client;
            QMetaObject::invokeMethod(
                    client, [client] { delete client; }, Qt::BlockingQueuedConnection);
            m_thread.quit();
            m_thread.wait();
        }

    private:
        QThread m_thread;
        QGbInspectorClient *m_client = nullptr;
    };

    int connectNeverReading(const QString &path)
    {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray name = QFile::encodeName(path);
        if (size_t(name.size()) >= sizeof(address.sun_path))
            return -1;
        memcpy(address.sun_path, name.constData(), size_t(name.size()));
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
            ::close(fd);
            return -1;
        }
        return fd;
    }

    void add(QGbPool &pool)
    {
        QFuture<int> sum = pool.call<int>(QStringLiteral("add"), 3, 4);
        sum.waitForFinished();
        if (sum.isCanceled() || sum.result() != 7)
            throw Failure(QStringLiteral("add(3, 4) failed"));
    }

    struct Figures
    {
        double w1p50 = 0;
        double w2 = 0;
    };

    Figures measure(const Config &config, Mode mode)
    {
        QGbPoolOptions options;
        options.setWorkers(2)
                .setMaxConnections(4)
                .setPythonExecutable(config.python)
                .setPackageDirectory(config.packageDir)
                .setStdout(nullptr)
                .setInspectable(mode != Mode::Off);
        QGbPool pool(QDir(config.benchDir).filePath(QStringLiteral("bench_worker.py")), options);
        if (!pool.waitForStarted(30000))
            throw Failure(QStringLiteral("the pool did not start"));
        std::unique_ptr<ReadingInspector> reader;
        int stopped = -1;
        if (mode == Mode::Attached || mode == Mode::Stopped) {
            QString path;
            for (int i = 0; i < 200 && path.isEmpty(); ++i) {
                path = socketOfThisProcess();
                if (path.isEmpty())
                    QThread::msleep(10);
            }
            if (path.isEmpty())
                throw Failure(QStringLiteral("the inspectable pool is not in the registry"));
            if (mode == Mode::Attached)
                reader = std::make_unique<ReadingInspector>(path);
            else if ((stopped = connectNeverReading(path)) < 0)
                throw Failure(QStringLiteral("cannot connect to %1").arg(path));
        }
        for (int i = 0; i < 100; ++i)
            add(pool);

        Figures figures;
        QList<double> micros;
        micros.reserve(config.w1Calls);
        QElapsedTimer timer;
        for (int i = 0; i < config.w1Calls; ++i) {
            timer.start();
            add(pool);
            micros.append(double(timer.nsecsElapsed()) / 1000.0);
        }
        figures.w1p50 = percentile(micros, 50);
        const double elapsed =
                runCallers(config.w2Callers, config.w2CallsPerCaller, [&](int) { add(pool); });
        figures.w2 = double(config.w2Callers) * config.w2CallsPerCaller / elapsed;
        reader.reset();
        if (stopped >= 0)
            ::close(stopped);
        return figures;
    }

} // namespace

int runInspectCost(const Config &config)
{
    const Mode modes[] = { Mode::Off, Mode::Recorder, Mode::Attached, Mode::Stopped };
    QList<double> w1[4];
    QList<double> w2[4];
    for (int r = 0; r < config.repeats; ++r) {
        std::fprintf(stderr, "inspect cost, repetition %d/%d:", r + 1, config.repeats);
        for (Mode mode : modes) {
            const Figures figures = measure(config, mode);
            w1[int(mode)].append(figures.w1p50);
            w2[int(mode)].append(figures.w2);
            std::fprintf(stderr, " %s", modeNames[int(mode)]);
        }
        std::fprintf(stderr, "\n");
    }
    std::printf("Inspection cost (library side; medians of %d; ratios to \"off\" in the same "
                "run)\n\n",
                config.repeats);
    std::printf("| pool | W1 p50 (us) | W1 ratio | W2 (calls/s) | W2 ratio |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    const double w1Off = median(w1[0]);
    const double w2Off = median(w2[0]);
    for (Mode mode : modes) {
        const double a = median(w1[int(mode)]);
        const double b = median(w2[int(mode)]);
        // Both ratios read "how much slower": >1 is slower.
        std::printf("| %s | %.1f | %.3f | %.0f | %.3f |\n", modeNames[int(mode)], a, a / w1Off, b,
                    w2Off / b);
    }
    return 0;
}

} // namespace Bench
