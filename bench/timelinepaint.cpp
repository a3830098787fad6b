// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// qgb_bench_timeline: what gobridge-inspector's Timeline costs with a large
// capture. Feeds a TimelineModel N calls on W workers (as call start/end
// events, in batches of 5000 like a loaded file), then paints a 1200x400
// TimelineView offscreen with the whole capture, a tenth of it and 10 ms of
// it. Prints the times; asserts nothing (run by hand).
//
//   qgb_bench_timeline [calls (default 100000)] [workers (default 4)] [in flight per worker (1)]

#include "models/timelinemodel.h"
#include "timelineview.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qjsonobject.h>
#include <QtGui/qpixmap.h>
#include <QtWidgets/qapplication.h>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int calls = argc > 1 ? std::atoi(argv[1]) : 100000;
    const int workers = argc > 2 ? std::atoi(argv[2]) : 4;
    const int inFlight = argc > 3 ? qMax(1, std::atoi(argv[3])) : 1;
    constexpr qint64 Ms = 1000000;

    // Every worker starts a call every 0.5 ms that lasts 0.3 ms (a few last
    // 40 ms), or inFlight × 0.5 ms to keep that many running at once.
    QList<QGbInspect::Message> events;
    events.reserve(qsizetype(calls) * 2);
    for (int i = 0; i < calls; ++i) {
        const int worker = i % workers;
        const qint64 t = qint64(i / workers) * Ms / 2 + worker * 1000;
        const qint64 duration =
                inFlight > 1 ? inFlight * Ms / 2 - 1000 : (i % 101 ? 3 * Ms / 10 : 40 * Ms);
        events.append(QJsonObject { { u"type"_s, u"call"_s },
                                    { u"event"_s, u"start"_s },
                                    { u"t"_s, t },
                                    { u"worker"_s, worker },
                                    { u"call"_s, i + 1 },
                                    { u"connection"_s, 2 },
                                    { u"method"_s, u"add"_s } });
        events.append(QJsonObject { { u"type"_s, u"call"_s },
                                    { u"event"_s, u"end"_s },
                                    { u"t"_s, t + duration },
                                    { u"worker"_s, worker },
                                    { u"call"_s, i + 1 },
                                    { u"method"_s, u"add"_s },
                                    { u"outcome"_s, i % 37 ? u"Ok"_s : u"RemoteException"_s } });
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const QGbInspect::Message &a, const QGbInspect::Message &b) {
                         return a.value(u"t").toInteger() < b.value(u"t").toInteger();
                     });

    TimelineModel model;
    model.setCapacity(qMax(calls, 1));
    model.reset(workers);
    QElapsedTimer timer;
    timer.start();
    for (qsizetype i = 0; i < events.size(); i += 5000)
        model.addEvents(events.mid(i, 5000));
    const double feedMs = double(timer.nsecsElapsed()) / 1e6;
    std::printf("timeline: %d calls on %d workers, %lld rows in lane 0: added in %.1f ms "
                "(%.2f us per event)\n",
                calls, workers, qint64(model.rowCount(0)), feedMs,
                feedMs * 1000 / double(events.size()));

    TimelineView view(&model);
    view.resize(1200, 400);
    view.setStopped(model.lastTime());
    const qint64 first = model.firstTime();
    const qint64 last = model.lastTime();
    const struct
    {
        const char *name;
        qint64 from, to;
    } ranges[] = { { "whole capture", first, last },
                   { "a tenth", first + (last - first) * 45 / 100,
                     first + (last - first) * 55 / 100 },
                   { "10 ms", (first + last) / 2, (first + last) / 2 + 10 * Ms } };
    for (const auto &range : ranges) {
        view.setVisibleRange(range.from, range.to);
        view.grab(); // lays out once
        constexpr int Repeats = 10;
        timer.restart();
        for (int i = 0; i < Repeats; ++i)
            view.canvas()->grab();
        std::printf("timeline: paint %-14s %7.2f ms\n", range.name,
                    double(timer.nsecsElapsed()) / 1e6 / Repeats);
    }
    return 0;
}
