// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef WORKLOADS_H
#define WORKLOADS_H

#include "benchsupport.h"

#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qobjectdefs.h>
#include <QtCore/qstring.h>

#include <functional>
#include <memory>

namespace Bench {

// Sizes of the workloads; --quick shrinks some of them (see Config::quick()).
struct Config
{
    bool quick = false;
    int repeats = 3;
    int w1Calls = 20000; // sequential add() calls
    int w2Callers = 8;
    int w2CallsPerCaller = 5000;
    int w3Items = 200000;             // server stream
    int w4Items = 200000;             // client stream
    int w5Items = 100000;             // bidirectional stream of dicts
    int w6Dicts = 10000;              // list of dicts, ~0.5 MB of JSON
    qint64 w9Bytes = 8 * 1024 * 1024; // bytes round trip
    int w9Trips = 10;
    int w7Cancels = 40;                   // cancels per repetition
    int w8Kills = 3;                      // worker kills per repetition
    int startPools = 5;                   // pool starts per repetition
    qint64 w10Bytes = 1000 * 1000 * 1000; // streamed to a slow consumer
    int w10ItemSize = 1024;
    int w10ItemsPerSleep = 256;          // the consumer sleeps 10 ms per this many items
    qint64 w10GrowthLimitMB = 3072;      // cancel W10 beyond this app RSS growth
    int w11Reports = 2000000;            // progress() calls in one Python loop
    int w11Calls = 5000;                 // sequential calls with and without a report
    qint64 w12Bytes = 200 * 1000 * 1000; // streamed into a GbStreamModel, slow view
    int w12MaxRows = 1000;
    // --scaling (see bench/README.md): W2 and W3 against workers and payload size.
    QList<int> scalingWorkers = { 1, 2, 4 };
    QList<int> scalingPayloads = { 100, 1000, 10000, 100000, 1000000 }; // bytes of ASCII str
    QList<int> scalingCallerCounts = { 1, 2, 4, 8, 32 }; // W2 vs calling threads, 2 workers
    int scalingAddCalls = 2500;                          // W2 vs workers: add() calls per caller
    int scalingStreamItems = 150000;        // W3 vs workers: ints, total over the streams
    int scalingEchoMaxCalls = 2500;         // W2 vs payload: echo() calls per caller, at most
    qint64 scalingEchoBytes = 150000000;    // ... and at most this much payload per cell
    int scalingPayloadMaxItems = 80000;     // W3 vs payload: items, at most
    qint64 scalingPayloadBytes = 120000000; // ... and at most this much payload per cell
    QString python = QStringLiteral("python3");
    QString benchDir;   // holds bench_worker.py, floor_server.py and bridge_worker.py
    QString packageDir; // the gobridge package

    static Config quickConfig();
    // Calls per caller of W2 vs payload, items of W3 vs payload, for a payload size.
    int scalingEchoCalls(int payloadSize) const;
    int scalingPayloadItems(int payloadSize) const;
    // Calls per caller of W2 vs callers: w2Callers x scalingAddCalls in all, split evenly.
    int scalingCallerCalls(int callers) const;
};

// The payload of the scaling curves: `size` ASCII characters (as many UTF-8
// bytes), the same text as bench_worker.py's and floor_server.py's payload().
QString makePayload(int size);

// A dict of W5 and W6: a Q_GADGET on the library side, a QJsonObject on the floor's.
struct BenchItem
{
    Q_GADGET
    Q_PROPERTY(qint64 id MEMBER id)
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(double score MEMBER score)
    Q_PROPERTY(QString level MEMBER level)
public:
    qint64 id = 0;
    QString name;
    double score = 0;
    QString level;

    static BenchItem make(qint64 i);
    QJsonObject toJson() const;
    static BenchItem fromJson(const QJsonObject &object);
};

QList<BenchItem> makeItems(int count);
// Size of the items as compact JSON: the payload size MB/s figures refer to.
qint64 jsonSize(const QList<BenchItem> &items);

// W6 on the sides that use QJsonDocument (floor, bridge): each of 5 trips
// turns the items into QJsonObjects, hands the arguments to echo (returns
// the reply's list) and turns the reply back into items; checked, as MB/s.
Values jsonListRoundTrips(const QList<BenchItem> &items, const char *side,
                          const std::function<QJsonArray(const QJsonArray &args)> &echo);

// The QGobridge side. Owns a pool of 2 workers x 4 connections for W1-W6 and W9;
// W7, W8, W10 and the start time use pools of their own.
// W12: a GbStreamModel (the QML module) bound to a slow view, when the
// benchmark is built with the QML module.
Values streamModelSlowView(const Config &config);
bool haveStreamModel();

class LibrarySide
{
public:
    explicit LibrarySide(const Config &config);
    ~LibrarySide();

    Values sequentialAdd();  // W1
    Values concurrentAdd();  // W2
    Values serverStream();   // W3
    Values clientStream();   // W4
    Values bidiStream();     // W5
    Values listOfDicts();    // W6
    Values cancel();         // W7
    Values killAndRecover(); // W8
    Values bytesRoundTrip(); // W9
    Values slowConsumer();   // W10
    Values progressCost();   // W11
    Values poolStart();

    // --scaling, on a pool of `workers` workers x 4 connections (kept between
    // the repetitions of a point).
    Values scalingAdd(int workers);               // W2: 8 callers, add()
    Values scalingCallers(int callers);           // W2: N callers, add(), 2 workers
    Values scalingEcho(int payloadSize);          // W2: 8 callers, echo(str), 2 workers
    Values scalingStreams(int workers);           // W3: one range_gen stream per worker
    Values scalingPayloadStream(int payloadSize); // W3: one stream of str items, 2 workers

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// The raw floor: a plain Unix-socket client against floor_server.py processes.
class FloorSide
{
public:
    explicit FloorSide(const Config &config);
    ~FloorSide();

    Values sequentialAdd();
    Values concurrentAdd();
    Values serverStream();
    Values clientStream();
    Values bidiStream();
    Values listOfDicts();
    Values bytesRoundTrip();

    // --scaling: `workers` server processes (started as needed).
    Values scalingAdd(int workers);
    Values scalingCallers(int callers); // 2 processes
    Values scalingEcho(int payloadSize);
    Values scalingStreams(int workers);
    Values scalingPayloadStream(int payloadSize);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// The bridge: the afternoon version. One QProcess per bridge_worker.py process,
// each in a QThread of its own, JSON lines on stdin and stdout, calls pipelined
// and matched to their replies by id (see bench/README.md). W1, W2 and W6 only.
class BridgeSide
{
public:
    explicit BridgeSide(const Config &config);
    ~BridgeSide();

    Values sequentialAdd(); // W1
    Values concurrentAdd(); // W2
    Values listOfDicts();   // W6

    // --scaling: `callers` threads calling add() on the 2 processes.
    Values scalingCallers(int callers);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Bench

Q_DECLARE_METATYPE(Bench::BenchItem)

#endif // WORKLOADS_H
