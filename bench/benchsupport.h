// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef BENCHSUPPORT_H
#define BENCHSUPPORT_H

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qmap.h>
#include <QtCore/qobjectdefs.h>
#include <QtCore/qstring.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace Bench {

// What one repetition of one side of a workload measured, by metric name ("p50").
using Values = QMap<QString, double>;

// A failed workload (wrong answer, error from the library): reported, never hidden.
class Failure : public std::runtime_error
{
public:
    explicit Failure(const QString &what)
        : std::runtime_error(what.toStdString())
    {
    }
};

enum class Goal {
    None,
    RatioAtMost,  // library / floor <= target
    RatioAtLeast, // library / floor >= target
    AtMost,       // library <= target (absolute)
    AtLeast,      // library >= target (absolute)
};

struct Metric
{
    QString name;  // key in Values
    QString label; // table text
    QString unit;
    bool lowerIsBetter = false;
    Goal goal = Goal::None;
    double target = 0;
    // Compared with the baseline by --check. Tail latencies are not: one
    // preemption on a busy 2-core machine moves a p99 by more than 3x.
    bool checked = true;
};

struct Workload
{
    QString id; // "W1"
    QString title;
    std::function<Values()> library;
    std::function<Values()> floor;  // empty: the workload is absolute
    std::function<Values()> bridge; // the second reference (W1, W2, W6); may be empty
    QList<Metric> metrics;
    int repeats = 0; // 0: the run's default
};

// One line of the result table: the medians of one metric over the repeats.
struct Row
{
    QString key; // "W1.p50"
    QString workload;
    Metric metric;
    double library = qQNaN();
    double floor = qQNaN();
    double bridge = qQNaN();
    QString error;       // the workload failed
    QString bridgeError; // the bridge failed (the library's and floor's figures stand)

    bool hasRatio() const { return !qIsNaN(library) && !qIsNaN(floor) && floor != 0; }
    double ratio() const { return hasRatio() ? library / floor : qQNaN(); }
    // Informational only: the targets and --check use ratio(), to the floor.
    bool hasBridgeRatio() const { return !qIsNaN(library) && !qIsNaN(bridge) && bridge != 0; }
    double ratioToBridge() const { return hasBridgeRatio() ? library / bridge : qQNaN(); }
    bool hasBridge() const { return !qIsNaN(bridge) || !bridgeError.isEmpty(); }
    // -1: no target or no figure, 0: not met, 1: met
    int met() const;
    QString targetText() const;
};

// --scaling: each point of a curve is a workload of its own, run like the
// others (repetitions, library, floor and bridge alternately, medians).
struct ScalingPoint
{
    QString label; // "4", "1 KB"
    double x = 0;  // workers, or payload bytes
    QString work;  // what one repetition of each side does: "8 x 2500 calls"
    Workload workload;
    QList<Row> rows; // filled by the run: one per metric of the workload
};

struct ScalingCurve
{
    QString id;       // "W2-workers"
    QString workload; // "W2"
    QString title;
    QString xName; // "workers", "payload"
    QList<ScalingPoint> points;
};

inline double seconds(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e9;
}

// W2 and the scaling curves: `callers` threads each run call(i) once (i is the
// caller's index) to warm up, unless `warmUp` is false, then, all at once,
// `calls` times. Returns the seconds from that start until the last thread is
// done; a Failure in any thread is thrown again here.
template<typename Call>
double runCallers(int callers, int calls, Call call, bool warmUp = true)
{
    std::atomic<int> ready { 0 };
    std::atomic<bool> go { false };
    std::atomic<bool> failed { false };
    QString error;
    std::mutex errorLock;
    std::vector<std::thread> threads;
    for (int i = 0; i < callers; ++i) {
        threads.emplace_back([&, i] {
            bool counted = false;
            try {
                if (warmUp)
                    call(i);
                ++ready;
                counted = true;
                while (!go.load())
                    std::this_thread::yield();
                for (int c = 0; c < calls; ++c)
                    call(i);
            } catch (const Failure &e) {
                if (!counted)
                    ++ready;
                const std::lock_guard<std::mutex> lock(errorLock);
                error = QString::fromUtf8(e.what());
                failed = true;
            }
        });
    }
    while (ready.load() < callers && !failed.load())
        std::this_thread::yield();
    QElapsedTimer timer;
    timer.start();
    go = true;
    for (std::thread &thread : threads)
        thread.join();
    const double elapsed = seconds(timer);
    if (failed)
        throw Failure(error);
    return elapsed;
}

double median(QList<double> values);
double percentile(QList<double> values, double p);

// Resident set size in KiB of a process (0 = this one) from /proc/<pid>/status:
// field "VmRSS" (now) or "VmHWM" (peak). -1 if unavailable.
qint64 procStatusKiB(qint64 pid, const char *field);
// Resets VmHWM to the current RSS (writes 5 to /proc/<pid>/clear_refs).
bool resetPeakRss(qint64 pid);

double loadAverage();
QJsonObject machineInfo(const QString &python);

void printMachine(const QJsonObject &machine);
// The bridge's columns only if some row has a bridge figure (or error).
void printTable(const QList<Row> &rows);
QJsonObject toJson(const QJsonObject &machine, const QJsonObject &run, const QList<Row> &rows);
// One Markdown table per curve: library, floor and ratio per point (and the
// bridge and the ratio to it, for curves that have a bridge).
void printScaling(const QList<ScalingCurve> &curves);
// The "scaling" object of --json: the curves and their points.
QJsonObject scalingToJson(const QList<ScalingCurve> &curves, const QString &payload);
// Compares the ratios with a baseline; prints a verdict. Returns false on a regression.
bool checkAgainst(const QList<Row> &rows, const QString &baselinePath, double tolerance);
// The workloads of the rows that fail that comparison (each once), printing nothing.
QStringList failingWorkloads(const QList<Row> &rows, const QString &baselinePath, double tolerance);

// --inspect (inspectcost.cpp): W1 and W2 with inspection off, on with nobody
// attached, with a reading inspector and with one that never reads.
struct Config;
int runInspectCost(const Config &config);
// --remote (remotecost.cpp): W1 and W2 with local workers, and with served
// workers on loopback over plain TCP and over TLS.
int runRemoteCost(const Config &config);
// --codec: the host's share of W6 (codeccost.cpp).
int runCodecCost(const Config &config);

} // namespace Bench

#endif // BENCHSUPPORT_H
