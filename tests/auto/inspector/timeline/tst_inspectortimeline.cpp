// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// gobridge-inspector's Timeline and Stats (inspector/timelineview.cpp,
// statsview.cpp, models/timelinemodel.cpp, models/statsmodel.cpp): the data
// they are drawn from, built from events, and the views in the real window
// (offscreen) against a real inspectable pool: a SIGKILLed worker shows as a
// crash and a restart, calls as spans with their outcome, clicking a span
// selects the call in Calls and Frames (and selecting it in Calls highlights
// the span), the Stats buckets count the calls; the same from a saved capture.

#include "qgbtesthelpers.h"

#include "mainwindow.h"
#include "models/callsmodel.h"
#include "models/capturestore.h"
#include "models/framesfiltermodel.h"
#include "models/statsmodel.h"
#include "models/timelinemodel.h"
#include "models/workersmodel.h"
#include "statsview.h"
#include "timelineview.h"

#include <QGbPool>

#include <QtCharts/qlineseries.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qthread.h>
#include <QtTest/qabstractitemmodeltester.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>
#include <QtWidgets/qdockwidget.h>
#include <QtWidgets/qscrollbar.h>
#include <QtWidgets/qtableview.h>
#include <QtWidgets/qtoolbutton.h>

#include <signal.h>

using namespace Qt::StringLiterals;

using Outcome = TimelineModel::Outcome;

namespace {

constexpr qint64 Ms = 1000000;

QJsonObject worker(qint64 t, int slot, const char *state, const QJsonObject &fields = {})
{
    QJsonObject event = fields;
    event.insert(u"type"_s, u"worker"_s);
    event.insert(u"t"_s, t);
    event.insert(u"worker"_s, slot);
    event.insert(u"state"_s, QString::fromLatin1(state));
    return event;
}

QJsonObject callStart(qint64 t, int slot, qint64 id, const QString &method = u"add"_s,
                      int connection = 2)
{
    return QJsonObject { { u"type"_s, u"call"_s },
                         { u"event"_s, u"start"_s },
                         { u"t"_s, t },
                         { u"worker"_s, slot },
                         { u"call"_s, id },
                         { u"method"_s, method },
                         { u"mode"_s, u"call"_s },
                         { u"connection"_s, connection } };
}

QJsonObject callEnd(qint64 t, int slot, qint64 id, const QString &outcome = u"Ok"_s,
                    qint64 durationUs = 0, const QString &method = u"add"_s)
{
    return QJsonObject { { u"type"_s, u"call"_s },
                         { u"event"_s, u"end"_s },
                         { u"t"_s, t },
                         { u"worker"_s, slot },
                         { u"call"_s, id },
                         { u"method"_s, method },
                         { u"outcome"_s, outcome },
                         { u"durationUs"_s, durationUs } };
}

QJsonObject frame(qint64 t, const char *dir, qint64 size, qint64 attachmentBytes = 0)
{
    return QJsonObject { { u"type"_s, u"frame"_s },
                         { u"t"_s, t },
                         { u"dir"_s, QString::fromLatin1(dir) },
                         { u"size"_s, size },
                         { u"attachmentBytes"_s, attachmentBytes } };
}

// The id of the first call of this method in the Calls model, or 0.
qint64 callIdOf(const CallsModel *calls, const QString &method)
{
    for (int row = 0; row < calls->rowCount(); ++row) {
        if (calls->index(row, CallsModel::Method).data().toString() == method)
            return calls->index(row, 0).data(CallsModel::CallIdRole).toLongLong();
    }
    return 0;
}

// The row of the first call of this method in the Calls model, or -1.
int callRowOf(const CallsModel *calls, const QString &method)
{
    for (int row = 0; row < calls->rowCount(); ++row) {
        if (calls->index(row, CallsModel::Method).data().toString() == method)
            return row;
    }
    return -1;
}

int endedCalls(const CallsModel *calls)
{
    int n = 0;
    for (int row = 0; row < calls->rowCount(); ++row)
        n += !calls->index(row, 0).data(CallsModel::OutcomeRole).toString().isEmpty();
    return n;
}

Outcome outcomeOf(const TimelineModel *model, qint64 id)
{
    TimelineModel::Call call;
    return model->findCall(id, &call) ? call.outcome : Outcome::Running;
}

double sumOf(const QLineSeries *series)
{
    double sum = 0;
    for (const QPointF &p : series->points())
        sum += p.y();
    return sum;
}

} // namespace

class tst_InspectorTimeline : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void processesFromWorkerEvents();
    void remoteWorkerEvents();
    void callOutcomes_data();
    void callOutcomes();
    void overlappingCallsGoInRows();
    void callIdsRepeat();
    void visibleCallsQuery_data();
    void visibleCallsQuery();
    void statsBuckets();
    void crashAndRestartLive();
    void statsCountTheCalls();
    void zoomPanAndFollow();

private:
    bool attachLive(MainWindow *window)
    {
        window->attachTo(QString::number(QCoreApplication::applicationPid()));
        QElapsedTimer timer;
        timer.start();
        while (window->mode() != MainWindow::Live && timer.elapsed() < 15000)
            QTest::qWait(10);
        return window->mode() == MainWindow::Live;
    }
    QTemporaryDir m_runtime;
};

void tst_InspectorTimeline::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    QCoreApplication::setApplicationName(u"timeline-test-app"_s);
}

// Started, ready, killed by a signal, the backoff, restarted, recycled,
// exited with a code, given up: one process each, the crashes marked.
void tst_InspectorTimeline::processesFromWorkerEvents()
{
    TimelineModel model;
    QSignalSpy changed(&model, &TimelineModel::changed);
    model.reset(2);
    QCOMPARE(model.laneCount(), 2);
    model.addEvents(
            { worker(10 * Ms, 0, "starting", { { u"pid"_s, 100 } }),
              worker(20 * Ms, 0, "ready", { { u"pid"_s, 100 } }),
              worker(50 * Ms, 0, "exited",
                     { { u"pid"_s, 100 }, { u"signal"_s, 9 }, { u"reason"_s, u"it crashed"_s } }),
              worker(50 * Ms, 0, "restartScheduled", { { u"delayMs"_s, 100 } }),
              worker(150 * Ms, 0, "starting", { { u"pid"_s, 101 } }),
              worker(160 * Ms, 0, "ready", { { u"pid"_s, 101 } }),
              worker(200 * Ms, 0, "recycling", { { u"pid"_s, 101 } }),
              worker(210 * Ms, 0, "exited", { { u"pid"_s, 101 }, { u"signal"_s, 15 } }),
              worker(210 * Ms, 0, "starting", { { u"pid"_s, 102 } }),
              worker(300 * Ms, 0, "exited", { { u"pid"_s, 102 }, { u"exitCode"_s, 3 } }),
              worker(300 * Ms, 0, "gaveUp", { { u"reason"_s, u"died 3 times"_s } }) });
    QCOMPARE(changed.size(), 2);
    const std::vector<TimelineModel::Process> &p = model.processes(0);
    QCOMPARE(p.size(), size_t(3));
    QCOMPARE(p[0].pid, 100);
    QCOMPARE(p[0].start, 10 * Ms);
    QCOMPARE(p[0].ready, 20 * Ms);
    QCOMPARE(p[0].end, 50 * Ms);
    QVERIFY(p[0].crashed());
    QCOMPARE(p[0].signal, 9);
    QCOMPARE(p[0].restartDelayMs, 100);
    QCOMPARE(p[0].exitText(), u"killed by signal 9: it crashed"_s);
    // Recycled: killed on purpose (SIGTERM), not a crash.
    QCOMPARE(p[1].pid, 101);
    QVERIFY(p[1].recycled());
    QVERIFY(!p[1].crashed());
    QCOMPARE(p[2].pid, 102);
    QCOMPARE(p[2].ready, -1);
    QVERIFY(p[2].crashed()); // exit code 3
    QCOMPARE(p[2].gaveUpAt, 300 * Ms);
    QCOMPARE(p[2].gaveUpReason, u"died 3 times"_s);
    QCOMPARE(model.firstTime(), 10 * Ms);
    QCOMPARE(model.lastTime(), 300 * Ms);
    // Lane 1 saw nothing; a call in a lane whose start the capture missed
    // makes a process that began with the capture.
    QVERIFY(model.processes(1).empty());
    model.addEvents({ callStart(400 * Ms, 1, 7) });
    QCOMPARE(model.processes(1).size(), size_t(1));
    QCOMPARE(model.processes(1)[0].start, 10 * Ms);
    QVERIFY(!model.processes(1)[0].exited());
    // A slot past the hello's count makes a lane.
    model.addEvents({ worker(500 * Ms, 3, "starting", { { u"pid"_s, 300 } }) });
    QCOMPARE(model.laneCount(), 4);
    model.reset(1);
    QCOMPARE(model.laneCount(), 1);
    QVERIFY(model.processes(0).empty());
    QCOMPARE(model.callCount(), 0);

    // A worker that restarts for ever: its lane keeps the latest processes
    // (at most 10000), not all of them.
    QList<QGbInspect::Message> restarts;
    for (int i = 0; i < 12000; ++i)
        restarts.append(worker(qint64(i + 1) * Ms, 0, "starting", { { u"pid"_s, 1000 + i } }));
    model.addEvents(restarts);
    QVERIFY(model.processes(0).size() <= size_t(10000));
    QVERIFY(model.processes(0).size() >= size_t(9000));
    QCOMPARE(model.processes(0).back().pid, 1000 + 11999);
    QCOMPARE(model.processes(0)[model.processes(0).size() - 2].end, 12000 * Ms);
}

void tst_InspectorTimeline::remoteWorkerEvents()
{
    // A remote worker has an endpoint, not a pid: its exit is a lost
    // connection (a crash, with the reason as its text), and a slot whose
    // name has no address for it is idle (not a crash, not an error).
    const QJsonObject at { { u"endpoint"_s, u"workers.test:8443 (10.0.0.2:8443)"_s } };
    auto with = [&at](std::initializer_list<std::pair<QString, QJsonValue>> more) {
        QJsonObject fields = at;
        for (const auto &[key, value] : more)
            fields.insert(key, value);
        return fields;
    };
    const QList<QGbInspect::Message> events {
        worker(10 * Ms, 0, "starting", at),
        worker(20 * Ms, 0, "ready", at),
        worker(50 * Ms, 0, "exited", with({ { u"reason"_s, u"the connection was reset"_s } })),
        worker(50 * Ms, 0, "restartScheduled", { { u"delayMs"_s, 100 } }),
        worker(150 * Ms, 0, "starting", at),
        worker(151 * Ms, 0, "idle",
               with({ { u"reason"_s, u"workers.test resolves to one address now"_s } })),
    };
    TimelineModel model;
    model.reset(1);
    model.addEvents(events);
    const std::vector<TimelineModel::Process> &p = model.processes(0);
    QCOMPARE(p.size(), size_t(2));
    QCOMPARE(p[0].pid, 0);
    QCOMPARE(p[0].endpoint, at.value(u"endpoint").toString());
    QCOMPARE(p[0].name(), at.value(u"endpoint").toString());
    QVERIFY(p[0].lost);
    QVERIFY(p[0].crashed());
    QCOMPARE(p[0].exitText(), u"the connection was reset"_s);
    QCOMPARE(p[1].start, 150 * Ms);
    QCOMPARE(p[1].end, 151 * Ms);
    QVERIFY(p[1].idle);
    QVERIFY(!p[1].crashed());
    QCOMPARE(p[1].exitText(), u"idle: workers.test resolves to one address now"_s);
    // A local worker's exit keeps its status.
    model.addEvents({ worker(200 * Ms, 0, "starting", { { u"pid"_s, 7 } }),
                      worker(210 * Ms, 0, "exited", { { u"pid"_s, 7 }, { u"exitCode"_s, 0 } }) });
    QVERIFY(!model.processes(0).back().lost);
    QVERIFY(!model.processes(0).back().crashed());
    QCOMPARE(model.processes(0).back().name(), u"pid 7"_s);

    WorkersModel workers;
    QAbstractItemModelTester tester(&workers,
                                    QAbstractItemModelTester::FailureReportingMode::Fatal);
    workers.reset(1);
    workers.addEvents(events.mid(0, 2));
    const QModelIndex process = workers.index(0, WorkersModel::Pid);
    const QModelIndex state = workers.index(0, WorkersModel::State);
    const QModelIndex lastError = workers.index(0, WorkersModel::LastError);
    QCOMPARE(workers.headerData(WorkersModel::Pid, Qt::Horizontal).toString(), u"Process"_s);
    QCOMPARE(process.data().toString(), at.value(u"endpoint").toString());
    QCOMPARE(process.data(WorkersModel::EndpointRole).toString(), at.value(u"endpoint").toString());
    QCOMPARE(process.data(WorkersModel::PidRole).toLongLong(), 0);
    QCOMPARE(state.data().toString(), u"ready"_s);
    workers.addEvents(events.mid(2, 2));
    QCOMPARE(state.data().toString(), u"restartScheduled"_s);
    QCOMPARE(lastError.data().toString(), u"the connection was reset"_s); // no "exit code 0"
    workers.addEvents(events.mid(4));
    QCOMPARE(state.data().toString(), u"idle"_s);
    QCOMPARE(state.data(Qt::ToolTipRole).toString(), u"workers.test resolves to one address now"_s);
    QCOMPARE(state.data(Qt::ForegroundRole).value<QColor>(), QColor(Qt::darkGray));
    QCOMPARE(workers.index(0, WorkersModel::Uptime).data().toString(), u"-"_s);
    QCOMPARE(lastError.data().toString(), u"the connection was reset"_s); // idle is no error
    // A local worker in the slot: its pid again.
    workers.addEvents({ worker(200 * Ms, 0, "starting", { { u"pid"_s, 7 } }) });
    QCOMPARE(process.data().toLongLong(), 7);
    QVERIFY(state.data(Qt::ToolTipRole).isNull());

    // Drawn: the idle gap and the lost connection's mark (looked at in
    // timeline-remote.png when QGB_TEST_SCREENSHOTS names a directory).
    TimelineModel drawn;
    drawn.reset(1);
    drawn.addEvents(events);
    TimelineView view(&drawn);
    view.resize(900, 160);
    view.setStopped(300 * Ms);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.fit();
    const QRect lost = view.crashMarkRect(0, 0);
    QVERIFY(!lost.isNull());
    QVERIFY(view.crashMarkRect(0, 1).isNull()); // idle: no crash
    QVERIFY2(view.toolTipAt(lost.center()).contains(u"connection lost"_s),
             qPrintable(view.toolTipAt(lost.center())));
    const QPoint inIdleGap(view.canvas()->width() * 9 / 10, lost.center().y() + 4);
    QVERIFY2(view.toolTipAt(inIdleGap).contains(u"idle, waiting for an address"_s),
             qPrintable(view.toolTipAt(inIdleGap)));
    const QImage image = view.grab().toImage();
    QVERIFY(!image.isNull());
    if (const QString dir = qEnvironmentVariable("QGB_TEST_SCREENSHOTS"); !dir.isEmpty())
        QVERIFY(image.save(dir + u"/timeline-remote.png"_s));
}

void tst_InspectorTimeline::callOutcomes_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<Outcome>("outcome");
    QTest::newRow("Ok") << u"Ok"_s << Outcome::Ok;
    QTest::newRow("Cancelled") << u"Cancelled"_s << Outcome::Cancelled;
    QTest::newRow("WorkerCrashed") << u"WorkerCrashed"_s << Outcome::Crashed;
    QTest::newRow("RemoteException") << u"RemoteException"_s << Outcome::Error;
    QTest::newRow("Timeout") << u"Timeout"_s << Outcome::Error;
}

void tst_InspectorTimeline::callOutcomes()
{
    QFETCH(QString, code);
    QFETCH(Outcome, outcome);
    TimelineModel model;
    model.reset(1);
    model.addEvents({ callStart(10 * Ms, 0, 5, u"work"_s) });
    TimelineModel::Call call;
    QVERIFY(model.findCall(5, &call));
    QVERIFY(call.running());
    QCOMPARE(call.outcome, Outcome::Running);
    model.addEvents({ callEnd(30 * Ms, 0, 5, code) });
    QVERIFY(model.findCall(5, &call));
    QCOMPARE(call.outcome, outcome);
    QCOMPARE(call.start, 10 * Ms);
    QCOMPARE(call.end, 30 * Ms);
    QCOMPARE(model.methodName(call.method), u"work"_s);
    QCOMPARE(model.codeName(call.code), code);
    QCOMPARE(model.failedCalls(0, 0, 100 * Ms).size(), outcome == Outcome::Ok ? 0 : 1);
    // An end whose start the capture lost: drawn from its duration.
    model.addEvents({ callEnd(80 * Ms, 0, 6, code, 20000) });
    QVERIFY(model.findCall(6, &call));
    QCOMPARE(call.start, 60 * Ms);
    QCOMPARE(call.outcome, outcome);
    // A call that never reached a worker has no lane.
    model.addEvents({ callEnd(90 * Ms, -1, 8, code) });
    QVERIFY(!model.findCall(8, nullptr));
}

// Calls that overlap are in different rows; a row is reused once free.
void tst_InspectorTimeline::overlappingCallsGoInRows()
{
    TimelineModel model;
    model.reset(1);
    model.addEvents({ callStart(10 * Ms, 0, 1), callStart(11 * Ms, 0, 2), callStart(12 * Ms, 0, 3),
                      callEnd(20 * Ms, 0, 2), callStart(21 * Ms, 0, 4), callEnd(22 * Ms, 0, 1),
                      callStart(23 * Ms, 0, 5) });
    QCOMPARE(model.rowCount(0), 3);
    int row = -1;
    QVERIFY(model.findCall(4, nullptr, nullptr, &row));
    QCOMPARE(row, 1); // call 2's row, free at 20 ms
    QVERIFY(model.findCall(5, nullptr, nullptr, &row));
    QCOMPARE(row, 0);
    for (int r = 0; r < model.rowCount(0); ++r) {
        const std::deque<TimelineModel::Call> &calls = model.rowCalls(0, r);
        for (size_t i = 1; i < calls.size(); ++i)
            QVERIFY(calls[i - 1].end >= 0 && calls[i - 1].end <= calls[i].start);
    }
    QCOMPARE(model.calls(0, 0, 100 * Ms).size(), 5);
}

// A call id is unique per connection only, and an end does not name its
// connection: ends are matched by worker and method, the oldest first.
void tst_InspectorTimeline::callIdsRepeat()
{
    TimelineModel model;
    model.reset(2);
    model.addEvents({ callStart(10 * Ms, 0, 14, u"slow"_s, 2),
                      callStart(20 * Ms, 0, 14, u"search"_s, 3),
                      callStart(21 * Ms, 1, 14, u"slow"_s, 2),
                      callEnd(30 * Ms, 0, 14, u"WorkerCrashed"_s, 0, u"search"_s),
                      callEnd(31 * Ms, 0, 14, u"WorkerCrashed"_s, 0, u"slow"_s),
                      callEnd(40 * Ms, 1, 14, u"Ok"_s, 0, u"slow"_s) });
    const QList<TimelineModel::Call> lane0 = model.calls(0, 0, 100 * Ms);
    QCOMPARE(lane0.size(), 2);
    QCOMPARE(model.methodName(lane0[0].method), u"slow"_s);
    QCOMPARE(lane0[0].connection, 2);
    QCOMPARE(lane0[0].start, 10 * Ms);
    QCOMPARE(lane0[0].end, 31 * Ms);
    QCOMPARE(model.methodName(lane0[1].method), u"search"_s);
    QCOMPARE(lane0[1].connection, 3);
    QCOMPARE(lane0[1].end, 30 * Ms);
    QVERIFY(lane0[0].key != lane0[1].key);
    const QList<TimelineModel::Call> lane1 = model.calls(1, 0, 100 * Ms);
    QCOMPARE(lane1.size(), 1);
    QCOMPARE(lane1[0].end, 40 * Ms);
    QCOMPARE(lane1[0].outcome, Outcome::Ok);
    // Two of the same method on one worker: the oldest ends first.
    model.addEvents({ callStart(50 * Ms, 0, 15, u"add"_s, 2),
                      callStart(51 * Ms, 0, 15, u"add"_s, 3), callEnd(60 * Ms, 0, 15) });
    const QList<TimelineModel::Call> both = model.calls(0, 50 * Ms, 100 * Ms);
    QCOMPARE(both.size(), 2);
    QCOMPARE(both[0].end, 60 * Ms);
    QVERIFY(both[1].running());
    // By id: the latest call with it.
    TimelineModel::Call latest;
    QVERIFY(model.findCall(14, &latest));
    QCOMPARE(latest.start, 21 * Ms);
    QCOMPARE(model.keyOf(14), latest.key);
}

void tst_InspectorTimeline::visibleCallsQuery_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::newRow("all") << qint64(0) << qint64(1000000 * Ms);
    QTest::newRow("before") << qint64(0) << qint64(Ms / 2);
    QTest::newRow("narrow") << qint64(5000 * Ms) << qint64(5000 * Ms + 10);
    QTest::newRow("evicted") << qint64(1000 * Ms) << qint64(2000 * Ms);
    QTest::newRow("middle") << qint64(70000 * Ms) << qint64(71234 * Ms);
    QTest::newRow("end") << qint64(99990 * Ms) << qint64(300000 * Ms);
}

// 150 000 calls on 3 lanes, some long: the model keeps its capacity, and the
// calls it finds in a time range are exactly those that overlap it.
void tst_InspectorTimeline::visibleCallsQuery()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    TimelineModel model;
    model.setCapacity(100000);
    model.reset(3);
    // The same events for every row of data.
    static const QList<QGbInspect::Message> batch = [] {
        QList<QGbInspect::Message> events;
        qint64 id = 0;
        for (int i = 0; i < 50000; ++i) {
            for (int lane = 0; lane < 3; ++lane) {
                ++id;
                // Every 97th call lasts 50 ms, others 1.5 ms: rows overlap.
                const qint64 t = qint64(i) * 2 * Ms + lane * 100;
                events.append(callStart(t, lane, id));
                events.append(callEnd(t + (id % 97 ? 3 * Ms / 2 : 50 * Ms), lane, id,
                                      id % 13 ? u"Ok"_s : u"RemoteException"_s));
            }
        }
        // Ends in time order, as a pool sends them.
        std::stable_sort(events.begin(), events.end(),
                         [](const QGbInspect::Message &a, const QGbInspect::Message &b) {
                             return a.value(u"t").toInteger() < b.value(u"t").toInteger();
                         });
        return events;
    }();
    for (qsizetype i = 0; i < batch.size(); i += 5000)
        model.addEvents(batch.mid(i, 5000));
    QVERIFY(model.callCount() <= 100000);
    QVERIFY(model.callCount() >= 90000);
    for (int lane = 0; lane < 3; ++lane) {
        // Brute force over the kept calls.
        QList<qint64> expected;
        for (int row = 0; row < model.rowCount(lane); ++row) {
            for (const TimelineModel::Call &c : model.rowCalls(lane, row)) {
                if (c.start <= to && c.end >= from)
                    expected.append(c.id);
            }
        }
        QList<qint64> found;
        for (const TimelineModel::Call &c : model.calls(lane, from, to))
            found.append(c.id);
        std::sort(expected.begin(), expected.end());
        std::sort(found.begin(), found.end());
        QCOMPARE(found, expected);
    }
    // The view paints it (all of it, then a narrow range) without per-call items.
    TimelineView view(&model);
    view.resize(900, 300);
    view.setStopped(model.lastTime());
    view.fit();
    QVERIFY(!view.grab().isNull());
    view.setVisibleRange(from, to);
    QVERIFY(!view.grab().isNull());
}

void tst_InspectorTimeline::statsBuckets()
{
    StatsModel model;
    QSignalSpy changed(&model, &StatsModel::changed);
    model.addEvents({ callEnd(1200 * Ms, 0, 1), callEnd(1900 * Ms, 0, 2, u"RemoteException"_s),
                      callEnd(1950 * Ms, 0, 3, u"Cancelled"_s), callStart(1950 * Ms, 0, 4),
                      frame(1100 * Ms, "out", 100, 4000), frame(1300 * Ms, "in", 50),
                      callEnd(3500 * Ms, 0, 4, u"WorkerCrashed"_s), frame(3600 * Ms, "in", 7) });
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.firstSecond(), 1);
    QCOMPARE(model.lastSecond(), 3);
    StatsModel::Bucket b = model.bucket(1);
    QCOMPARE(b.calls, 3);
    QCOMPARE(b.errors, 1); // cancelled is not an error
    QCOMPARE(b.bytesOut, 4100);
    QCOMPARE(b.bytesIn, 50);
    QCOMPARE(model.bucket(2).calls, 0);
    QCOMPARE(model.bucket(3).errors, 1);
    QCOMPARE(model.sum(0, 10).calls, 4);
    QCOMPARE(model.sum(0, 10).bytesIn, 57);
    // A rolling window: past the capacity the oldest seconds go, the totals stay.
    model.setCapacity(5);
    model.addEvents({ callEnd(7200 * Ms, 0, 5) });
    QCOMPARE(model.firstSecond(), 3);
    QCOMPARE(model.lastSecond(), 7);
    QCOMPARE(model.sum(0, 10).calls, 2);
    QCOMPARE(model.totals().calls, 5);
    model.addEvents({ callEnd(100000 * Ms, 0, 6) }); // far later: the window moves there
    QCOMPARE(model.firstSecond(), 100);
    QCOMPARE(model.sum(0, 1000).calls, 1);
    model.reset();
    QCOMPARE(model.lastSecond(), -1);
    QCOMPARE(model.totals().calls, 0);
}

// The real window, attached to a pool whose worker is killed in a call.
void tst_InspectorTimeline::crashAndRestartLive()
{
    QGbPool pool(poolWorker(), testOptions(1).setInspectable(true));
    QVERIFY(pool.waitForStarted(20000));
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(attachLive(&window));
    TimelineView *view = window.timelineView();
    const TimelineModel *timeline = window.timelineModel();
    QVERIFY(view->isVisible()); // the Timeline is the dock in front
    QVERIFY(view->isLive());
    const qint64 oldPid = pool.workerProcessIds().value(0);

    QCOMPARE(pool.call<int>("add", 2, 3).result(), 5);
    QVERIFY(errorOf(pool.call<QVariant>("raise_value_error", u"boom"_s)).code()
            == QGbError::RemoteException);
    const CallsModel *calls = window.callsModel();
    QTRY_VERIFY(callIdOf(calls, u"add"_s) && callIdOf(calls, u"raise_value_error"_s));
    const qint64 addId = callIdOf(calls, u"add"_s);
    const qint64 errorId = callIdOf(calls, u"raise_value_error"_s);
    QTRY_COMPARE(outcomeOf(timeline, addId), Outcome::Ok);
    QTRY_COMPARE(outcomeOf(timeline, errorId), Outcome::Error);

    // A call running extends to now while live, then the worker is killed.
    QFuture<QVariant> sleeping = pool.call<QVariant>("sleep", 30.0);
    QTRY_VERIFY(callIdOf(calls, u"sleep"_s));
    const qint64 sleepId = callIdOf(calls, u"sleep"_s);
    TimelineModel::Call running;
    QTRY_VERIFY(timeline->findCall(sleepId, &running));
    QVERIFY(running.running());
    QTRY_VERIFY(view->callRect(sleepId).right() >= view->canvas()->width() * 9 / 10);
    QCOMPARE(::kill(pid_t(oldPid), SIGKILL), 0);
    QCOMPARE(errorOf(sleeping).code(), QGbError::WorkerCrashed);
    QTRY_VERIFY(pool.workerProcessIds().value(0) > 0 && pool.workerProcessIds().value(0) != oldPid
                && pool.readyWorkers() == 1);
    const qint64 newPid = pool.workerProcessIds().value(0);

    // The lane: the old process crashed (signal 9), a backoff, the new one ready.
    auto lastProcessReady = [&] {
        const auto &p = timeline->processes(0);
        return !p.empty() && p.back().pid == newPid && p.back().ready >= 0;
    };
    QTRY_VERIFY(lastProcessReady());
    const std::vector<TimelineModel::Process> processes = timeline->processes(0);
    QVERIFY(processes.size() >= 2);
    const int crashed = int(processes.size()) - 2;
    const TimelineModel::Process &old = processes[size_t(crashed)];
    QCOMPARE(old.pid, oldPid);
    QVERIFY(old.crashed());
    QCOMPARE(old.signal, 9);
    QVERIFY(old.restartScheduledAt >= old.end);
    QVERIFY(old.restartDelayMs >= 0);
    QVERIFY(processes.back().start >= old.end);
    QVERIFY(!processes.back().exited());
    QTRY_COMPARE(outcomeOf(timeline, sleepId), Outcome::Crashed);
    QVERIFY(timeline->findCall(sleepId, &running));
    QVERIFY(running.end <= old.end + 1000 * Ms);
    // In view (following now, the whole capture): the crash mark is drawn.
    view->fit();
    QTRY_VERIFY(!view->crashMarkRect(0, crashed).isNull());
    QVERIFY(view->crashMarkRect(0, crashed).intersects(view->canvas()->rect()));

    // Clicking the add's span selects it in Calls and filters Frames to it.
    TimelineModel::Call add;
    QVERIFY(timeline->findCall(addId, &add));
    const qint64 margin = qMax<qint64>(add.end - add.start, Ms);
    view->setVisibleRange(add.start - margin, add.end + margin);
    QVERIFY(!view->isFollowing());
    const QRect span = view->callRect(addId);
    QVERIFY2(span.width() >= 10, qPrintable(u"%1 px"_s.arg(span.width())));
    QCOMPARE(view->callAt(span.center()), addId);
    QSignalSpy current(&window, &MainWindow::currentCallChanged);
    QTest::mouseClick(view->canvas(), Qt::LeftButton, {}, span.center());
    QCOMPARE(current.size(), 1);
    QCOMPARE(window.currentCall(), addId);
    QCOMPARE(view->currentCall(), addId);
    QCOMPARE(window.callsView()->currentIndex().data(CallsModel::CallIdRole).toLongLong(), addId);
    QCOMPARE(window.framesFilter()->call(), addId);
    QCOMPARE(window.framesFilter()->link(), add.link);
    QVERIFY(add.link > 0);
    QVERIFY(window.framesFilter()->rowCount() >= 2);
    // Clicking where there is no call changes nothing.
    QTest::mouseClick(view->canvas(), Qt::LeftButton, {}, QPoint(5, 5));
    QCOMPARE(window.currentCall(), addId);

    // The reverse: a row selected in Calls is the span highlighted (and
    // brought into view).
    const int errorRow = callRowOf(calls, u"raise_value_error"_s);
    window.callsView()->selectRow(errorRow);
    QCOMPARE(window.currentCall(), errorId);
    QCOMPARE(view->currentCall(), errorId);
    QCOMPARE(window.framesFilter()->call(), errorId);
    // Its connection's link too: call ids repeat across connections.
    const qint64 errorLink = calls->index(errorRow, 0).data(CallsModel::LinkRole).toLongLong();
    QVERIFY(errorLink > 0);
    QCOMPARE(window.framesFilter()->link(), errorLink);
    QVERIFY(!view->callRect(errorId).isNull());

    // The same from a saved capture.
    const QString path = m_runtime.filePath(u"crash.jsonl"_s);
    QString error;
    QVERIFY2(window.saveCapture(path, &error), qPrintable(error));
    MainWindow replay;
    replay.show();
    QSignalSpy opened(&replay, &MainWindow::captureOpened);
    replay.openCapture(path);
    QTRY_COMPARE(opened.size(), 1);
    QCOMPARE(opened.first().first().toString(), QString());
    const TimelineModel *loaded = replay.timelineModel();
    QVERIFY(!replay.timelineView()->isLive());
    QCOMPARE(loaded->callCount(), timeline->callCount());
    QCOMPARE(loaded->processes(0).size(), processes.size());
    QVERIFY(loaded->processes(0)[size_t(crashed)].crashed());
    QCOMPARE(loaded->processes(0).back().pid, newPid);
    QCOMPARE(outcomeOf(loaded, sleepId), Outcome::Crashed);
    QCOMPARE(outcomeOf(loaded, errorId), Outcome::Error);
    // Fitted to the file: the crash mark is in view.
    QVERIFY(!replay.timelineView()->crashMarkRect(0, crashed).isNull());
    QCOMPARE(replay.statsModel()->totals().calls, window.statsModel()->totals().calls);
}

// 20 calls and 5 errors: the buckets (and the chart's points) count them.
void tst_InspectorTimeline::statsCountTheCalls()
{
    // One worker with one connection: its call ids are unique (the Calls
    // view, which counts the pool's describe below, keys calls by id).
    QGbPool pool(poolWorker(), testOptions(1).setInspectable(true));
    QVERIFY(pool.waitForStarted(20000));
    MainWindow window;
    window.show();
    QVERIFY(attachLive(&window));
    window.findChild<QDockWidget *>(u"statsDock"_s)->raise();
    StatsView *view = window.statsView();
    QTRY_VERIFY(view->isVisible());
    for (int i = 0; i < 20; ++i)
        QCOMPARE(pool.call<int>("add", i, 1).result(), i + 1);
    for (int i = 0; i < 5; ++i)
        QVERIFY(errorOf(pool.call<QVariant>("raise_value_error", u"boom"_s)).code()
                == QGbError::RemoteException);
    // Besides these, the pool's own describe (made when it started).
    const CallsModel *calls = window.callsModel();
    auto methodCount = [calls](const QString &method) {
        int n = 0;
        for (int row = 0; row < calls->rowCount(); ++row)
            n += calls->index(row, CallsModel::Method).data().toString() == method;
        return n;
    };
    QTRY_COMPARE(methodCount(u"raise_value_error"_s), 5);
    QTRY_COMPARE(endedCalls(calls), calls->rowCount());
    QCOMPARE(methodCount(u"add"_s), 20);
    const int expected = 25 + methodCount(u"describe"_s);
    const StatsModel *stats = window.statsModel();
    QTRY_COMPARE(stats->sum(0, stats->lastSecond()).calls, expected);
    QCOMPARE(stats->sum(0, stats->lastSecond()).errors, 5);
    QCOMPARE(stats->totals().calls, expected);
    QVERIFY(stats->totals().bytesIn > 0);
    QVERIFY(stats->totals().bytesOut > 0);
    // The charts, redrawn by their timer: a point per second of the window.
    const int refreshes = view->refreshCount();
    QTRY_VERIFY(view->refreshCount() > refreshes);
    QTRY_COMPARE(qRound(sumOf(view->callsSeries())), expected);
    QCOMPARE(qRound(sumOf(view->errorsSeries())), 5);
    QCOMPARE(view->callsSeries()->count(), view->shownSeconds());
    QVERIFY(view->shownSeconds() >= 60 && view->shownSeconds() <= view->window());
    QVERIFY(sumOf(view->bytesInSeries()) > 0);
    QVERIFY(view->summary().contains(u"5 errors"_s));
}

// Zoom, pan and follow, on a capture that stays live.
void tst_InspectorTimeline::zoomPanAndFollow()
{
    QGbPool pool(poolWorker(), testOptions(1).setInspectable(true));
    QVERIFY(pool.waitForStarted(20000));
    MainWindow window;
    window.show();
    QVERIFY(attachLive(&window));
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
    TimelineView *view = window.timelineView();
    QVERIFY(view->isFollowing());
    // Following: the right edge stays at (a little past) now.
    QTRY_VERIFY(view->visibleEnd() >= view->now());
    const qint64 span = view->visibleEnd() - view->visibleStart();
    view->findChild<QToolButton *>(u"zoomIn"_s)->click();
    const qint64 zoomed = view->visibleEnd() - view->visibleStart();
    QVERIFY2(zoomed < span, qPrintable(u"%1 -> %2"_s.arg(span).arg(zoomed)));
    QVERIFY(view->isFollowing());
    QTRY_VERIFY(view->visibleEnd() >= view->now());
    // Ctrl+wheel zooms out.
    QWheelEvent wheel(QPointF(300, 60), view->canvas()->mapToGlobal(QPointF(300, 60)), QPoint(),
                      QPoint(0, -240), Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(view->canvas(), &wheel);
    QVERIFY(view->visibleEnd() - view->visibleStart() > zoomed);
    // Dragging to the right shows earlier time and stops following.
    const qint64 before = view->visibleStart();
    QTest::mousePress(view->canvas(), Qt::LeftButton, {}, QPoint(400, 60));
    QTest::mouseMove(view->canvas(), QPoint(500, 60));
    QTest::mouseRelease(view->canvas(), Qt::LeftButton, {}, QPoint(500, 60));
    QVERIFY(view->visibleStart() < before);
    QVERIFY(!view->isFollowing());
    const qint64 panned = view->visibleStart();
    QTest::qWait(200);
    QCOMPARE(view->visibleStart(), panned); // time runs, the view stays
    // Follow brings now back.
    view->findChild<QToolButton *>(u"follow"_s)->click();
    QVERIFY(view->isFollowing());
    QTRY_VERIFY(view->visibleEnd() >= view->now());
    // The scroll bar (zoomed in, so that there is somewhere to scroll): at
    // its start, the capture's start.
    for (int i = 0; i < 6; ++i)
        view->findChild<QToolButton *>(u"zoomIn"_s)->click();
    QTRY_VERIFY(view->visibleStart() > window.timelineModel()->firstTime());
    QScrollBar *bar = nullptr;
    for (QScrollBar *b : view->findChildren<QScrollBar *>())
        bar = b->orientation() == Qt::Horizontal ? b : bar;
    QVERIFY(bar);
    QVERIFY(bar->maximum() > 0);
    bar->setValue(0);
    QVERIFY(!view->isFollowing());
    QCOMPARE(view->visibleStart(), window.timelineModel()->firstTime());
    // The end: following again, also when time has moved on since the bar
    // last took its range (as it has when a user's drag arrives).
    const int end = bar->maximum();
    QThread::msleep(30);
    bar->setValue(end);
    QVERIFY(view->isFollowing());
    // Fit: the whole capture.
    view->findChild<QToolButton *>(u"fit"_s)->click();
    QVERIFY(view->visibleStart() <= window.timelineModel()->firstTime());
    QVERIFY(view->visibleEnd() >= window.timelineModel()->lastTime());
}

QTEST_MAIN(tst_InspectorTimeline)
#include "tst_inspectortimeline.moc"
