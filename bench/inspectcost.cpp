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
#include "poolcalls.h"
#include "workloads.h"

#include "qgbflightrecorder_p.h"
#include "qgbinspectorclient.h"
#include "qgbinspectorregistry.h"

#include <QGbPool>

#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qthread.h>

#include <algorithm>
#include <cstdio>

#include <sys/resource.h>
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

    // CPU time (user + system, microseconds) of this process's threads named
    // "QGbPool I/O" (one pool at a time here), from /proc/self/task/*/stat: what
    // the pool's I/O thread spends, which a busy machine does not inflate as it
    // does wall-clock figures.
    double ioThreadCpuMicros()
    {
        double ticks = 0;
        const QDir tasks(QStringLiteral("/proc/self/task"));
        for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile comm(tasks.filePath(tid + QStringLiteral("/comm")));
            if (!comm.open(QIODevice::ReadOnly) || !comm.readAll().startsWith("QGbPool I/O"))
                continue;
            QFile stat(tasks.filePath(tid + QStringLiteral("/stat")));
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray text = stat.readAll();
            // Fields after the command's closing parenthesis: state is field 3,
            // utime 14, stime 15.
            const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
            if (fields.size() > 12)
                ticks += fields.at(11).toDouble() + fields.at(12).toDouble();
        }
        return ticks * 1e6 / double(::sysconf(_SC_CLK_TCK));
    }

    double processCpuMicros()
    {
        rusage usage {};
        ::getrusage(RUSAGE_SELF, &usage);
        return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6
                + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    }

    struct Figures
    {
        double w1p50 = 0;
        double w2 = 0;
        double ioCpuPerCall = 0;      // microseconds of the I/O thread per W2 call
        double processCpuPerCall = 0; // of the whole process (the inspector's thread included)
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
        Figures figures;
        figures.w1p50 = sequentialAddP50(pool, config);
        const double ioBefore = ioThreadCpuMicros();
        const double processBefore = processCpuMicros();
        figures.w2 = concurrentAddRate(pool, config);
        const double calls = double(config.w2Callers) * config.w2CallsPerCaller;
        figures.ioCpuPerCall = (ioThreadCpuMicros() - ioBefore) / calls;
        figures.processCpuPerCall = (processCpuMicros() - processBefore) / calls;
        reader.reset();
        if (stopped >= 0)
            ::close(stopped);
        return figures;
    }

} // namespace

// What recording one event costs the I/O thread, alone, and encoding it (done
// only for an attached inspector): the four events of a call to add() in
// turn (call start, its frame out with a 64-byte preview copied, the result
// frame in, call end) into a ring of the default size. Nanoseconds per
// event, the best of 5 rounds.
static void recordingCost()
{
    QGbFlightRecorder recorder(20000);
    const QString method = QStringLiteral("add");
    const QString result = QStringLiteral("result");
    const QByteArray callFrame(
            R"({"type":"call","id":12345,"method":"add","args":[3,4],"kwargs":{},"stream":false})");
    const QByteArray resultFrame(R"({"type":"result","id":12345,"value":7})");
    const int n = 1000000;
    double best = 1e9;
    QElapsedTimer timer;
    for (int round = 0; round < 5; ++round) {
        timer.start();
        for (int i = 0; i < n; ++i) {
            QGbInspectEvent &event = recorder.append();
            event.time = timer.nsecsElapsed();
            event.worker = 1;
            event.connection = 3;
            event.link = 9;
            event.callId = 12345;
            switch (i & 3) {
            case 0:
            case 3:
                event.kind = (i & 3) ? QGbInspectEvent::CallEnded : QGbInspectEvent::CallStarted;
                event.text = method;
                event.a = 57;
                event.d = -1;
                break;
            default: {
                const QByteArray &frame = (i & 3) == 1 ? callFrame : resultFrame;
                event.kind =
                        (i & 3) == 1 ? QGbInspectEvent::FrameSent : QGbInspectEvent::FrameReceived;
                if ((i & 3) == 2)
                    event.text = result;
                event.a = frame.size();
                event.previewSize =
                        quint8(std::min<qsizetype>(frame.size(), QGbInspectEvent::PreviewBytes));
                memcpy(event.preview, frame.constData(), event.previewSize);
                break;
            }
            }
        }
        best = std::min(best, double(timer.nsecsElapsed()) / n);
    }
    QByteArray out;
    double encode = 1e9;
    for (int round = 0; round < 5; ++round) {
        out.resize(0);
        timer.start();
        for (qint64 seq = recorder.oldest(); seq < recorder.next(); ++seq)
            recorder.at(seq).encode(&out, seq);
        encode = std::min(encode, double(timer.nsecsElapsed()) / double(recorder.capacity()));
    }
    std::printf("Recording: %.1f ns per event (time taken on the clock included); encoding for "
                "an attached inspector: %.0f ns per event (%.0f bytes)\n\n",
                best, encode, double(out.size()) / double(recorder.capacity()));
}

int runInspectCost(const Config &config)
{
    recordingCost();
    const Mode modes[] = { Mode::Off, Mode::Recorder, Mode::Attached, Mode::Stopped };
    QList<double> w1[4];
    QList<double> w2[4];
    QList<double> io[4];
    QList<double> cpu[4];
    for (int r = 0; r < config.repeats; ++r) {
        std::fprintf(stderr, "inspect cost, repetition %d/%d:", r + 1, config.repeats);
        for (Mode mode : modes) {
            const Figures figures = measure(config, mode);
            w1[int(mode)].append(figures.w1p50);
            w2[int(mode)].append(figures.w2);
            io[int(mode)].append(figures.ioCpuPerCall);
            cpu[int(mode)].append(figures.processCpuPerCall);
            std::fprintf(stderr, " %s", modeNames[int(mode)]);
        }
        std::fprintf(stderr, "\n");
    }
    std::printf("Inspection cost (library side; medians of %d; ratios to \"off\" in the same "
                "run)\n\n",
                config.repeats);
    std::printf("| pool | W1 p50 (us) | W1 ratio | W2 (calls/s) | W2 ratio | W2 I/O thread CPU "
                "(us/call) | ratio | W2 process CPU (us/call) | ratio |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    const double w1Off = median(w1[0]);
    const double w2Off = median(w2[0]);
    const double ioOff = median(io[0]);
    const double cpuOff = median(cpu[0]);
    for (Mode mode : modes) {
        const double a = median(w1[int(mode)]);
        const double b = median(w2[int(mode)]);
        const double c = median(io[int(mode)]);
        const double d = median(cpu[int(mode)]);
        // Every ratio reads "how much slower (or costlier)": above 1 is worse.
        std::printf("| %s | %.1f | %.3f | %.0f | %.3f | %.1f | %.3f | %.1f | %.3f |\n",
                    modeNames[int(mode)], a, a / w1Off, b, w2Off / b, c, c / ioOff, d, d / cpuOff);
    }
    // The same ratios taken within each repetition (each mode against the
    // "off" run just before it), then their median and spread: what a slow
    // drift of the machine does not move.
    std::printf("\nPaired ratios (each repetition's mode against its own \"off\"; median, and "
                "the middle half of the %d):\n\n",
                config.repeats);
    std::printf("| pool | W1 ratio | W2 ratio | W2 I/O thread CPU ratio |\n|---|---:|---:|---:|\n");
    auto spread = [](QList<double> values) {
        std::sort(values.begin(), values.end());
        return QStringLiteral("%1 (%2-%3)")
                .arg(median(values), 0, 'f', 3)
                .arg(percentile(values, 25), 0, 'f', 3)
                .arg(percentile(values, 75), 0, 'f', 3)
                .toStdString();
    };
    for (Mode mode : modes) {
        if (mode == Mode::Off)
            continue;
        QList<double> r1, r2, r3;
        for (int r = 0; r < config.repeats; ++r) {
            r1.append(w1[int(mode)].at(r) / w1[0].at(r));
            r2.append(w2[0].at(r) / w2[int(mode)].at(r));
            r3.append(io[int(mode)].at(r) / io[0].at(r));
        }
        std::printf("| %s | %s | %s | %s |\n", modeNames[int(mode)], spread(r1).c_str(),
                    spread(r2).c_str(), spread(r3).c_str());
    }
    return 0;
}

} // namespace Bench
