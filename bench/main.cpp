// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// qgb_bench: QGobridge against a raw floor and, on W1, W2 and W6, against a
// QProcess bridge (see bench/README.md), in one run.
//
//   qgb_bench [--quick] [--repeats N] [--only W1,W3] [--json out.json]
//             [--check baseline.json [--tolerance 3]]
//   qgb_bench --scaling [--quick] [--only W2,W3-payload] [--json out.json]
//   qgb_bench --side library|floor|bridge ...

#include "workloads.h"

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qdatetime.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qprocess.h>

#include <algorithm>
#include <cstdio>

namespace Bench {

Config Config::quickConfig()
{
    Config config;
    config.quick = true;
    config.w1Calls = 3000;
    config.w2CallsPerCaller = 600;
    config.w3Items = 100000;
    config.w4Items = 100000;
    config.w5Items = 20000;
    config.w9Trips = 5;
    config.w7Cancels = 15;
    config.w8Kills = 1;
    config.startPools = 2;
    config.w10Bytes = 100 * 1000 * 1000;
    config.w11Reports = 300000;
    config.w11Calls = 1000;
    config.w12Bytes = 20 * 1000 * 1000;
    config.scalingAddCalls = 400;
    config.scalingStreamItems = 50000;
    config.scalingEchoMaxCalls = 400;
    config.scalingEchoBytes = 30 * 1000 * 1000;
    config.scalingPayloadMaxItems = 20000;
    config.scalingPayloadBytes = 30 * 1000 * 1000;
    return config;
}

int Config::scalingEchoCalls(int payloadSize) const
{
    const qint64 calls = scalingEchoBytes / (qint64(w2Callers) * payloadSize);
    return int(std::clamp<qint64>(calls, 2, scalingEchoMaxCalls));
}

int Config::scalingPayloadItems(int payloadSize) const
{
    const qint64 items = scalingPayloadBytes / payloadSize;
    return int(std::clamp<qint64>(items, 20, scalingPayloadMaxItems));
}

int Config::scalingCallerCalls(int callers) const
{
    return std::max(1, w2Callers * scalingAddCalls / callers);
}

QString makePayload(int size)
{
    static const QString pattern =
            QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    return pattern.repeated(size / pattern.size() + 1).left(size);
}

BenchItem BenchItem::make(qint64 i)
{
    BenchItem item;
    item.id = i;
    item.name = QStringLiteral("user_%1").arg(i);
    item.score = double(i) * 1.5;
    item.level = i % 3 ? QStringLiteral("silver") : QStringLiteral("gold");
    return item;
}

QJsonObject BenchItem::toJson() const
{
    return { { QStringLiteral("id"), id },
             { QStringLiteral("name"), name },
             { QStringLiteral("score"), score },
             { QStringLiteral("level"), level } };
}

BenchItem BenchItem::fromJson(const QJsonObject &object)
{
    BenchItem item;
    item.id = object.value(u"id").toInteger();
    item.name = object.value(u"name").toString();
    item.score = object.value(u"score").toDouble();
    item.level = object.value(u"level").toString();
    return item;
}

QList<BenchItem> makeItems(int count)
{
    QList<BenchItem> items;
    items.reserve(count);
    for (int i = 0; i < count; ++i)
        items.append(BenchItem::make(i));
    return items;
}

qint64 jsonSize(const QList<BenchItem> &items)
{
    QJsonArray array;
    for (const BenchItem &item : items)
        array.append(item.toJson());
    return QJsonDocument(array).toJson(QJsonDocument::Compact).size();
}

Values jsonListRoundTrips(const QList<BenchItem> &items, const char *side,
                          const std::function<QJsonArray(const QJsonArray &args)> &echo)
{
    const qint64 bytes = jsonSize(items);
    QList<double> rates;
    for (int trip = 0; trip < 5; ++trip) {
        QElapsedTimer timer;
        timer.start();
        QJsonArray array;
        for (const BenchItem &item : items)
            array.append(item.toJson());
        QJsonArray args;
        args.append(array); // not { array }: that would copy the array
        const QJsonArray reply = echo(args);
        QList<BenchItem> back;
        back.reserve(reply.size());
        for (const QJsonValue &value : reply)
            back.append(BenchItem::fromJson(value.toObject()));
        const double elapsed = seconds(timer);
        if (back.size() != items.size() || back.constLast().name != items.constLast().name)
            throw Failure(QStringLiteral("%1: echo returned %2 dicts")
                                  .arg(QLatin1String(side))
                                  .arg(back.size()));
        rates.append(double(bytes) / 1e6 / elapsed);
    }
    return { { QStringLiteral("MB/s"), median(rates) } };
}

static QList<Workload> workloads(const Config &config, LibrarySide *library, FloorSide *floor,
                                 BridgeSide *bridge)
{
    using G = Goal;
    const QString ms = QStringLiteral("ms");
    const QString us = QStringLiteral("us");
    const QString mbps = QStringLiteral("MB/s");
    const QString mb = QStringLiteral("MB");
    const QString ips = QStringLiteral("items/s");
    const auto k = [](int n) { return QStringLiteral("%1k").arg(n / 1000); };
    return {
        { QStringLiteral("W1"),
          QStringLiteral("sequential add(3, 4)"),
          [=] { return library->sequentialAdd(); },
          [=] { return floor->sequentialAdd(); },
          [=] { return bridge->sequentialAdd(); },
          { { QStringLiteral("p50"), QStringLiteral("sequential add p50"), us, true, G::RatioAtMost,
              1.5 },
            { QStringLiteral("p99"), QStringLiteral("sequential add p99"), us, true, G::RatioAtMost,
              2, false } } },
        { QStringLiteral("W2"),
          QStringLiteral("8 callers, 2 workers x 4 connections"),
          [=] { return library->concurrentAdd(); },
          [=] { return floor->concurrentAdd(); },
          [=] { return bridge->concurrentAdd(); },
          { { QStringLiteral("calls/s"), QStringLiteral("8 callers add"), QStringLiteral("calls/s"),
              false, G::RatioAtLeast, 1.5 } } },
        { QStringLiteral("W3"),
          QStringLiteral("server stream of ints"),
          [=] { return library->serverStream(); },
          [=] { return floor->serverStream(); },
          nullptr,
          { { QStringLiteral("items/s"),
              QStringLiteral("server stream %1 ints").arg(k(config.w3Items)), ips, false,
              G::RatioAtLeast, 2 } } },
        { QStringLiteral("W4"),
          QStringLiteral("client stream of ints, summed"),
          [=] { return library->clientStream(); },
          [=] { return floor->clientStream(); },
          nullptr,
          { { QStringLiteral("items/s"),
              QStringLiteral("client stream %1 ints").arg(k(config.w4Items)), ips, false,
              G::RatioAtLeast, 2 } } },
        { QStringLiteral("W5"),
          QStringLiteral("bidirectional stream of dicts"),
          [=] { return library->bidiStream(); },
          [=] { return floor->bidiStream(); },
          nullptr,
          { { QStringLiteral("items/s"), QStringLiteral("bidi %1 dicts").arg(k(config.w5Items)),
              ips, false, G::RatioAtLeast, 1.5 } } },
        { QStringLiteral("W6"),
          QStringLiteral("list of dicts round trip"),
          [=] { return library->listOfDicts(); },
          [=] { return floor->listOfDicts(); },
          [=] { return bridge->listOfDicts(); },
          { { QStringLiteral("MB/s"),
              QStringLiteral("%1k-dict list echo (%2 MB)")
                      .arg(config.w6Dicts / 1000)
                      .arg(double(jsonSize(makeItems(config.w6Dicts))) / 1e6, 0, 'f', 2),
              mbps, false, G::RatioAtLeast, 0.9 } } },
        { QStringLiteral("W7"),
          QStringLiteral("cancel a busy Python loop"),
          [=] { return library->cancel(); },
          nullptr,
          nullptr,
          { { QStringLiteral("caller p50"), QStringLiteral("cancel seen by caller p50"), ms, true,
              G::None, 0 },
            { QStringLiteral("caller p99"), QStringLiteral("cancel seen by caller p99"), ms, true,
              G::AtMost, 1 },
            { QStringLiteral("stopped p50"), QStringLiteral("busy loop stopped p50"), ms, true,
              G::None, 0 },
            { QStringLiteral("stopped p99"), QStringLiteral("busy loop stopped p99"), ms, true,
              G::AtMost, 20 } } },
        { QStringLiteral("W8"),
          QStringLiteral("worker killed, next call succeeds"),
          [=] { return library->killAndRecover(); },
          nullptr,
          nullptr,
          { { QStringLiteral("median"), QStringLiteral("kill -> next success"), ms, true, G::AtMost,
              300 },
            { QStringLiteral("max"), QStringLiteral("kill -> next success, max"), ms, true, G::None,
              0 } } },
        { QStringLiteral("W9"),
          QStringLiteral("bytes round trip"),
          [=] { return library->bytesRoundTrip(); },
          [=] { return floor->bytesRoundTrip(); },
          nullptr,
          { { QStringLiteral("MB/s"), QStringLiteral("%1 MiB bytes echo").arg(config.w9Bytes >> 20),
              mbps, false, G::AtLeast, 500 } } },
        { QStringLiteral("W10"),
          QStringLiteral("fast generator, slow consumer"),
          [=] { return library->slowConsumer(); },
          nullptr,
          nullptr,
          { { QStringLiteral("app"),
              QStringLiteral("app RSS growth, %1 MB stream").arg(config.w10Bytes / 1000000), mb,
              true, G::AtMost, 64 },
            { QStringLiteral("worker"), QStringLiteral("worker RSS growth"), mb, true, G::AtMost,
              64 },
            { QStringLiteral("consumed"), QStringLiteral("slow consumer rate"), mbps, false,
              G::None, 0 },
            { QStringLiteral("stopped"), QStringLiteral("stopped by the RSS guard (1 = yes)"),
              QString(), true, G::None, 0 } },
          1 },
        { QStringLiteral("W11"),
          QStringLiteral("gobridge.progress() cost"),
          [=] { return library->progressCost(); },
          nullptr,
          nullptr,
          { { QStringLiteral("report"), QStringLiteral("progress() in a tight loop, per report"),
              QStringLiteral("ns"), true, G::AtMost, 1000 },
            { QStringLiteral("with"), QStringLiteral("sequential call reporting once, p50"), us,
              true, G::None, 0 },
            { QStringLiteral("without"), QStringLiteral("the same call without a report, p50"), us,
              true, G::None, 0 },
            { QStringLiteral("extra"), QStringLiteral("cost of one report per call, p50"), us, true,
              G::AtMost, 30 } } },
        { QStringLiteral("W12"),
          QStringLiteral("GbStreamModel, fast generator, slow view"),
          haveStreamModel() ? std::function<Values()>([=] { return streamModelSlowView(config); })
                            : std::function<Values()>(),
          nullptr,
          nullptr,
          { { QStringLiteral("app"),
              QStringLiteral("app RSS growth, %1 MB stream, %2 rows kept")
                      .arg(config.w12Bytes / 1000000)
                      .arg(config.w12MaxRows),
              mb, true, G::AtMost, 64 },
            { QStringLiteral("rows/s"), QStringLiteral("rows the slow view took"),
              QStringLiteral("rows/s"), false, G::None, 0 },
            { QStringLiteral("frames"), QStringLiteral("view frames (10 ms each)"), QString(),
              false, G::None, 0 } },
          1 },
        { QStringLiteral("start"),
          QStringLiteral("pool start, 2 workers ready"),
          [=] { return library->poolStart(); },
          nullptr,
          nullptr,
          { { QStringLiteral("median"), QStringLiteral("pool start (2 workers)"), ms, true,
              G::AtMost, 300 },
            { QStringLiteral("max"), QStringLiteral("pool start (2 workers), max"), ms, true,
              G::None, 0 } } },
    };
}

static QString payloadLabel(int bytes)
{
    if (bytes >= 1000000)
        return QStringLiteral("%1 MB").arg(bytes / 1000000);
    if (bytes >= 1000)
        return QStringLiteral("%1 KB").arg(bytes / 1000);
    return QStringLiteral("%1 B").arg(bytes);
}

static const char scalingPayloadKind[] =
        "an ASCII str, a JSON string on the wire on both sides (JSON encoding and decoding "
        "included)";

// --scaling: W2 and W3 against the number of workers and the payload size,
// W2 against the number of calling threads.
static QList<ScalingCurve> scalingCurves(const Config &config, LibrarySide *library,
                                         FloorSide *floor, BridgeSide *bridge)
{
    const QString cps = QStringLiteral("calls/s");
    const QString ips = QStringLiteral("items/s");
    const QString mbps = QStringLiteral("MB/s");
    const Metric callRate { cps, cps, cps, false, Goal::None, 0 };
    const Metric itemRate { ips, ips, ips, false, Goal::None, 0 };
    const Metric byteRate { mbps, mbps, mbps, false, Goal::None, 0 };
    const int callers = config.w2Callers;
    QList<ScalingCurve> curves;
    // One point of a curve: what each side runs at x (the bridge only on W2-callers).
    const auto point = [](const QString &label, double x, const QString &work, const QString &id,
                          const QString &title, std::function<Values()> librarySide,
                          std::function<Values()> floorSide, const QList<Metric> &metrics,
                          std::function<Values()> bridgeSide = nullptr) {
        ScalingPoint p;
        p.label = label;
        p.x = x;
        p.work = work;
        p.workload = {
            id, title, std::move(librarySide), std::move(floorSide), std::move(bridgeSide), metrics
        };
        return p;
    };

    ScalingCurve w2Workers { QStringLiteral("W2-workers"),
                             QStringLiteral("W2"),
                             QStringLiteral("%1 callers calling add(3, 4) back to back; library "
                                            "N workers x 4 connections, floor N processes x 4 "
                                            "connections (at most one per caller)")
                                     .arg(callers),
                             QStringLiteral("workers"),
                             {} };
    for (int workers : config.scalingWorkers) {
        w2Workers.points.append(point(
                QString::number(workers), workers,
                QStringLiteral("%1 x %2 calls").arg(callers).arg(config.scalingAddCalls),
                QStringLiteral("W2-workers %1").arg(workers),
                QStringLiteral("add(), %1 callers").arg(callers),
                [=] { return library->scalingAdd(workers); },
                [=] { return floor->scalingAdd(workers); }, { callRate }));
    }
    curves.append(w2Workers);

    ScalingCurve w2Callers { QStringLiteral("W2-callers"),
                             QStringLiteral("W2"),
                             QStringLiteral("N callers calling add(3, 4) back to back, %1 calls "
                                            "in all; library 2 workers x 4 connections, floor 2 "
                                            "processes x min(N, 8) connections, bridge 2 "
                                            "processes, every caller's call in flight")
                                     .arg(callers * config.scalingAddCalls),
                             QStringLiteral("callers"),
                             {} };
    for (int n : config.scalingCallerCounts) {
        w2Callers.points.append(point(
                QString::number(n), n,
                QStringLiteral("%1 x %2 calls").arg(n).arg(config.scalingCallerCalls(n)),
                QStringLiteral("W2-callers %1").arg(n), QStringLiteral("add(), %1 callers").arg(n),
                [=] { return library->scalingCallers(n); },
                [=] { return floor->scalingCallers(n); }, { callRate },
                [=] { return bridge->scalingCallers(n); }));
    }
    curves.append(w2Callers);

    ScalingCurve w2Payload { QStringLiteral("W2-payload"),
                             QStringLiteral("W2"),
                             QStringLiteral("%1 callers calling echo(payload) back to back, 2 "
                                            "workers (processes) x 4 connections; payload: %2; "
                                            "MB/s = calls/s x payload size")
                                     .arg(callers)
                                     .arg(QLatin1String(scalingPayloadKind)),
                             QStringLiteral("payload"),
                             {} };
    for (int size : config.scalingPayloads) {
        w2Payload.points.append(point(
                payloadLabel(size), size,
                QStringLiteral("%1 x %2 calls").arg(callers).arg(config.scalingEchoCalls(size)),
                QStringLiteral("W2-payload %1").arg(payloadLabel(size)),
                QStringLiteral("echo(str), %1 callers").arg(callers),
                [=] { return library->scalingEcho(size); },
                [=] { return floor->scalingEcho(size); }, { callRate, byteRate }));
    }
    curves.append(w2Payload);

    ScalingCurve w3Workers { QStringLiteral("W3-workers"),
                             QStringLiteral("W3"),
                             QStringLiteral("N server streams of ints (range_gen) at once, one "
                                            "per worker (process), %1 items in all; items/s of "
                                            "all streams together")
                                     .arg(config.scalingStreamItems),
                             QStringLiteral("workers"),
                             {} };
    for (int workers : config.scalingWorkers) {
        w3Workers.points.append(point(
                QString::number(workers), workers,
                QStringLiteral("%1 x %2 items")
                        .arg(workers)
                        .arg(config.scalingStreamItems / workers),
                QStringLiteral("W3-workers %1").arg(workers),
                QStringLiteral("%1 streams of ints").arg(workers),
                [=] { return library->scalingStreams(workers); },
                [=] { return floor->scalingStreams(workers); }, { itemRate }));
    }
    curves.append(w3Workers);

    ScalingCurve w3Payload { QStringLiteral("W3-payload"),
                             QStringLiteral("W3"),
                             QStringLiteral("one server stream (payload_gen) whose items are "
                                            "payloads, 2 workers; payload: %1; MB/s = items/s "
                                            "x payload size")
                                     .arg(QLatin1String(scalingPayloadKind)),
                             QStringLiteral("payload"),
                             {} };
    for (int size : config.scalingPayloads) {
        w3Payload.points.append(point(
                payloadLabel(size), size,
                QStringLiteral("%1 items").arg(config.scalingPayloadItems(size)),
                QStringLiteral("W3-payload %1").arg(payloadLabel(size)),
                QStringLiteral("stream of str items"),
                [=] { return library->scalingPayloadStream(size); },
                [=] { return floor->scalingPayloadStream(size); }, { itemRate, byteRate }));
    }
    curves.append(w3Payload);
    return curves;
}

// Runs each workload `repeats` times, library, floor and bridge in turn, and
// keeps the median of every metric. A failure of the library or the floor
// fails the workload; a failure of the bridge only the bridge's figures.
static QList<Row> run(const QList<Workload> &list, int repeats, const QStringList &only)
{
    QList<Row> rows;
    for (const Workload &workload : list) {
        if (!only.isEmpty() && !only.contains(workload.id, Qt::CaseInsensitive))
            continue;
        const int n = workload.repeats > 0 ? std::min(workload.repeats, repeats) : repeats;
        std::fprintf(stderr, "%s %s: ", qPrintable(workload.id), qPrintable(workload.title));
        QElapsedTimer timer;
        timer.start();
        QMap<QString, QList<double>> library;
        QMap<QString, QList<double>> floor;
        QMap<QString, QList<double>> bridge;
        QString error;
        QString bridgeError;
        for (int r = 0; r < n && error.isEmpty(); ++r) {
            try {
                if (workload.library) {
                    const Values values = workload.library();
                    for (auto it = values.cbegin(); it != values.cend(); ++it)
                        library[it.key()].append(it.value());
                }
                if (workload.floor) {
                    const Values values = workload.floor();
                    for (auto it = values.cbegin(); it != values.cend(); ++it)
                        floor[it.key()].append(it.value());
                }
            } catch (const std::exception &e) {
                error = QString::fromUtf8(e.what());
            }
            if (workload.bridge && error.isEmpty() && bridgeError.isEmpty()) {
                try {
                    const Values values = workload.bridge();
                    for (auto it = values.cbegin(); it != values.cend(); ++it)
                        bridge[it.key()].append(it.value());
                } catch (const std::exception &e) {
                    bridgeError = QString::fromUtf8(e.what());
                }
            }
            std::fprintf(stderr, ".");
        }
        std::fprintf(stderr, " %.1f s%s%s\n", double(timer.elapsed()) / 1000.0,
                     error.isEmpty() ? "" : " FAILED",
                     bridgeError.isEmpty() ? "" : " BRIDGE FAILED");
        for (const Metric &metric : workload.metrics) {
            Row row;
            row.key = workload.id + QLatin1Char('.') + metric.name;
            row.workload = workload.id;
            row.metric = metric;
            row.error = error;
            row.bridgeError = bridgeError;
            if (error.isEmpty()) {
                if (workload.library)
                    row.library = median(library.value(metric.name));
                if (workload.floor)
                    row.floor = median(floor.value(metric.name));
                if (workload.bridge && bridgeError.isEmpty())
                    row.bridge = median(bridge.value(metric.name));
            }
            rows.append(row);
        }
    }
    return rows;
}

static QString resolvePython(const QString &python)
{
    QProcess process;
    process.start(python,
                  { QStringLiteral("-c"), QStringLiteral("import sys; print(sys.executable)") });
    if (!process.waitForFinished(30000) || process.exitCode() != 0)
        return python;
    const QString executable = QString::fromLocal8Bit(process.readAllStandardOutput()).trimmed();
    return executable.isEmpty() ? python : executable;
}

} // namespace Bench

int main(int argc, char *argv[])
{
    using namespace Bench;
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("qgb_bench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
            QStringLiteral("Measures QGobridge against a raw Unix-socket floor (W1-W10) and a "
                           "QProcess bridge (W1, W2, W6)."));
    parser.addHelpOption();
    const QCommandLineOption quick(QStringLiteral("quick"),
                                   QStringLiteral("Smaller workloads; under a minute."));
    const QCommandLineOption repeats(QStringLiteral("repeats"),
                                     QStringLiteral("Repetitions of each workload (default 3)."),
                                     QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption only(QStringLiteral("only"),
                                  QStringLiteral("Run only these workloads, e.g. W1,W3,start."),
                                  QStringLiteral("ids"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Also write the results to this JSON file."),
                                  QStringLiteral("file"));
    const QCommandLineOption check(
            QStringLiteral("check"),
            QStringLiteral("Exit with 1 if a ratio is worse than the baseline's by more than "
                           "the tolerance."),
            QStringLiteral("baseline.json"));
    const QCommandLineOption tolerance(QStringLiteral("tolerance"),
                                       QStringLiteral("Tolerance of --check (default 3)."),
                                       QStringLiteral("factor"), QStringLiteral("3"));
    const QCommandLineOption python(QStringLiteral("python"),
                                    QStringLiteral("Python interpreter (default python3)."),
                                    QStringLiteral("exe"), QStringLiteral("python3"));
    const QCommandLineOption side(
            QStringLiteral("side"),
            QStringLiteral("Run only one side: library, floor or bridge (for profiling; default "
                           "all)."),
            QStringLiteral("side"), QStringLiteral("all"));
    const QCommandLineOption scaling(
            QStringLiteral("scaling"),
            QStringLiteral("Run only the scaling curves: W2 and W3 against workers (1, 2, 4) and "
                           "payload size (100 B to 1 MB), W2 against callers (1 to 32). --only "
                           "W2, W3 or a curve id (W2-workers, W2-callers, W2-payload, W3-workers, "
                           "W3-payload) selects curves."));
    const QCommandLineOption inspect(
            QStringLiteral("inspect"),
            QStringLiteral("Run only the inspection cost: W1 and W2 with the pool not "
                           "inspectable, inspectable with nobody attached, with an inspector "
                           "attached, and with one attached that never reads."));
    const QCommandLineOption remote(
            QStringLiteral("remote"),
            QStringLiteral("Run only the cost of remote workers on loopback: W1 and W2 with "
                           "local workers, and with `gobridge serve` workers over plain TCP "
                           "and over TLS (a certificate made with openssl)."));
    const QCommandLineOption codec(
            QStringLiteral("codec"),
            QStringLiteral("Run only the host's share of W6, in one thread: its argument written "
                           "and its result read as the library does, through wire values, and "
                           "with QJsonDocument as the bridge does."));
    parser.addOptions({ quick, repeats, only, json, check, tolerance, python, side, scaling,
                        inspect, remote, codec });
    parser.process(app);

    const QString onlySide = parser.value(side);
    if (onlySide != QLatin1String("both") && onlySide != QLatin1String("all")
        && onlySide != QLatin1String("library") && onlySide != QLatin1String("floor")
        && onlySide != QLatin1String("bridge")) {
        std::fprintf(stderr, "qgb_bench: --side is library, floor or bridge\n");
        return 2;
    }
    if (parser.isSet(scaling) && parser.isSet(check)) {
        std::fprintf(stderr, "qgb_bench: --check does not apply to --scaling\n");
        return 2;
    }
    Config config = parser.isSet(quick) ? Config::quickConfig() : Config();
    config.repeats = std::max(1, parser.value(repeats).toInt());
    // The interpreter itself, not a wrapper such as a pyenv shim (a shell
    // script that adds ~200 ms to every process start): both sides use it.
    config.python = resolvePython(parser.value(python));
    config.benchDir = QStringLiteral(QGB_BENCH_SOURCE_DIR);
    config.packageDir = QStringLiteral(QGB_BENCH_PYTHON_DIR);

    const QJsonObject machine = machineInfo(config.python);
    printMachine(machine);
    const double loadBefore = loadAverage();
    std::printf("Mode: %s, median of %d repetitions; load average before: %.2f\n\n",
                config.quick ? "quick" : "full", config.repeats, loadBefore);
    std::fflush(stdout);

    if (parser.isSet(codec)) {
        try {
            return runCodecCost(config);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "qgb_bench: %s\n", e.what());
            return 2;
        }
    }
    if (parser.isSet(remote)) {
        try {
            return runRemoteCost(config);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "qgb_bench: %s\n", e.what());
            return 2;
        }
    }
    if (parser.isSet(inspect)) {
#ifndef QGB_BENCH_HAVE_INSPECTOR
        std::fprintf(stderr,
                     "qgb_bench: --inspect needs the inspector (QGOBRIDGE_BUILD_INSPECTOR)\n");
        return 2;
#else
        try {
            return runInspectCost(config);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "qgb_bench: %s\n", e.what());
            return 2;
        }
#endif
    }

    QElapsedTimer total;
    total.start();
    QList<Row> rows;
    QList<ScalingCurve> curves;
    const QStringList onlyIds = parser.value(only).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const auto applySide = [&](Workload &workload) {
        if (onlySide == QLatin1String("library") || onlySide == QLatin1String("floor")
            || onlySide == QLatin1String("bridge")) {
            if (onlySide != QLatin1String("library"))
                workload.library = nullptr;
            if (onlySide != QLatin1String("floor"))
                workload.floor = nullptr;
            if (onlySide != QLatin1String("bridge"))
                workload.bridge = nullptr;
        }
    };
    try {
        LibrarySide library(config);
        FloorSide floor(config);
        BridgeSide bridge(config);
        if (parser.isSet(scaling)) {
            curves = scalingCurves(config, &library, &floor, &bridge);
            curves.removeIf([&](const ScalingCurve &curve) {
                return !onlyIds.isEmpty() && !onlyIds.contains(curve.id, Qt::CaseInsensitive)
                        && !onlyIds.contains(curve.workload, Qt::CaseInsensitive);
            });
            for (ScalingCurve &curve : curves) {
                for (ScalingPoint &point : curve.points)
                    applySide(point.workload);
                // --side bridge: only the curves the bridge has a side in.
                curve.points.removeIf([](const ScalingPoint &point) {
                    return !point.workload.library && !point.workload.floor
                            && !point.workload.bridge;
                });
            }
            curves.removeIf([](const ScalingCurve &curve) { return curve.points.isEmpty(); });
            for (ScalingCurve &curve : curves) {
                for (ScalingPoint &point : curve.points)
                    point.rows = run({ point.workload }, config.repeats, {});
            }
        } else {
            QList<Workload> list = workloads(config, &library, &floor, &bridge);
            for (Workload &workload : list)
                applySide(workload);
            list.removeIf([](const Workload &w) { return !w.library && !w.floor && !w.bridge; });
            rows = run(list, config.repeats, onlyIds);
            // On a shared machine one stretch of preemption can throw a ratio
            // several times off (W1's p50 did 10x in one quick run of ten): a
            // workload that fails the check is measured once more, and that
            // measurement counts. A regression fails both.
            const QStringList again = parser.isSet(check)
                    ? failingWorkloads(rows, parser.value(check),
                                       parser.value(tolerance).toDouble())
                    : QStringList();
            if (!again.isEmpty()) {
                std::printf("check: %s failed; measured again\n", qPrintable(again.join(u", ")));
                std::fflush(stdout);
                const QList<Row> second = run(list, config.repeats, again);
                for (const Row &row : second) {
                    for (Row &first : rows) {
                        if (first.key == row.key)
                            first = row;
                    }
                }
            }
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "qgb_bench: %s\n", e.what());
        return 2;
    }
    const double loadAfter = loadAverage();

    std::printf("\n");
    if (parser.isSet(scaling)) {
        std::printf("Scaling curves; payload: %s\n\n", scalingPayloadKind);
        printScaling(curves);
    } else {
        printTable(rows);
    }
    std::printf("\nTotal %.1f s; load average after: %.2f\n", double(total.elapsed()) / 1000.0,
                loadAfter);

    if (parser.isSet(json)) {
        QJsonObject runInfo { { QStringLiteral("mode"),
                                config.quick ? QStringLiteral("quick") : QStringLiteral("full") },
                              { QStringLiteral("repeats"), config.repeats },
                              { QStringLiteral("date"),
                                QDateTime::currentDateTimeUtc().toString(Qt::ISODate) },
                              { QStringLiteral("seconds"), double(total.elapsed()) / 1000.0 },
                              { QStringLiteral("load_before"), loadBefore },
                              { QStringLiteral("load_after"), loadAfter } };
        QJsonObject root = toJson(machine, runInfo, rows);
        if (parser.isSet(scaling))
            root.insert(QStringLiteral("scaling"),
                        scalingToJson(curves, QLatin1String(scalingPayloadKind)));
        QFile file(parser.value(json));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(QJsonDocument(root).toJson()) < 0) {
            std::fprintf(stderr, "qgb_bench: cannot write %s\n", qPrintable(file.fileName()));
            return 2;
        }
    }
    if (parser.isSet(check)
        && !checkAgainst(rows, parser.value(check), parser.value(tolerance).toDouble()))
        return 1;
    return 0;
}
