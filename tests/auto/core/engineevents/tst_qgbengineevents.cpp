// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The engine's event interface (QGbEngineListener): each part of the engine
// reports what happens to it, in the I/O thread, as it happens.

#include "qgbtesthelpers.h"

#include "qgbsession_p.h"
#include "qgbtestlistener_p.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qmutex.h>
#include <QtTest/qtest.h>

#include <atomic>

#include <signal.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

class Recorder : public QGbTestEventLog
{
public:
    void workerEvent(int worker, WorkerEvent event, qint64 pid, qint64 detail,
                     const QString &) override
    {
        static const char *const names[] = { "starting",          "ready",   "exited",
                                             "restart scheduled", "gave up", "recycling" };
        add(u"worker %1 %2"_s.arg(worker).arg(QLatin1String(names[int(event)])));
        if (event == WorkerEvent::Ready || event == WorkerEvent::Exited)
            m_pidOk = m_pidOk && pid > 0;
        if (event == WorkerEvent::RestartScheduled)
            m_delayOk = m_delayOk && detail > 0;
    }
    void workerOutput(int, QProcess::ProcessChannel, const QByteArray &) override
    {
        add(u"output"_s);
    }
    void heartbeat(int, qint64 roundTrip) override
    {
        add(u"heartbeat"_s);
        m_rttOk = m_rttOk && roundTrip >= 0;
    }
    void connectionOpened(const QGbConnection &c) override
    {
        add(c.control ? u"open control"_s : u"open call"_s);
    }
    void connectionClosed(const QGbConnection &c, const QGbError &) override
    {
        add(c.control ? u"close control"_s : u"close call"_s);
    }
    void messageSent(const QGbConnection &, const QByteArray &frames) override
    {
        add(u"sent "_s + sentMessage(frames).value(u"type"_s).toString());
    }
    void messageReceived(const QGbConnection &, const QGbWire::Message &message) override
    {
        add(u"received "_s + QString::fromUtf8(message.type));
    }
    void callStarted(const QGbCallRecord &call) override { add(u"call started "_s + call.method); }
    void callEnded(const QGbCallRecord &call) override { add(u"call ended "_s + call.method); }

    std::atomic<bool> m_pidOk { true };
    std::atomic<bool> m_delayOk { true };
    std::atomic<bool> m_rttOk { true };
};

} // namespace

class tst_QGbEngineEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachPartReports();
};

void tst_QGbEngineEvents::eachPartReports()
{
    Recorder recorder; // outlives the pool
    QGbPoolOptions options = testOptions(1, 1);
    options.setHeartbeat(50ms, 5000ms);
    QGbPool pool(poolWorker(), options);
    QVERIFY(qgbListen(&pool, &recorder));
    QVERIFY(pool.waitForStarted());

    // Scheduling and sessions: a call, its messages both ways.
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
    QTRY_COMPARE(recorder.count(u"call ended add"_s), 1);
    QCOMPARE(recorder.count(u"call started add"_s), 1);
    QVERIFY2(recorder.count(u"open call"_s) >= 1, qPrintable(recorder.all()));
    QVERIFY(recorder.count(u"sent call"_s) >= 1);
    QVERIFY(recorder.count(u"received result"_s) >= 1);

    // A stream past the credit window: chunks in, credit out.
    QFuture<int> numbers = pool.stream<int>("range_gen", 0, 3000);
    QVERIFY(waitFor(numbers));
    QCOMPARE(numbers.resultCount(), 3000);
    QTRY_COMPARE(recorder.count(u"call ended range_gen"_s), 1);
    QVERIFY(recorder.count(u"received chunk"_s) >= 2);
    QVERIFY(recorder.count(u"sent credit"_s) >= 1);

    // Supervision: heartbeats, then a crash and the restart.
    QTRY_VERIFY(recorder.count(u"heartbeat"_s) >= 2);
    // (the listener may or may not have seen the first start)
    const int started = recorder.count(u"worker 0 starting"_s);
    const int ready = recorder.count(u"worker 0 ready"_s);
    const qint64 pid = pool.workerProcessIds().value(0);
    QVERIFY(pid > 0);
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.count(u"worker 0 exited"_s), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.count(u"worker 0 ready"_s), ready + 1, 10000);
    QCOMPARE(recorder.count(u"worker 0 restart scheduled"_s), 1);
    QCOMPARE(recorder.count(u"worker 0 starting"_s), started + 1);
    QCOMPARE(pool.call<int>("add", 2, 2).result(), 4);
    QVERIFY(recorder.count(u"close control"_s) >= 1);
    QVERIFY(recorder.m_pidOk);
    QVERIFY(recorder.m_delayOk);
    QVERIFY(recorder.m_rttOk);
}

QTEST_MAIN(tst_QGbEngineEvents)

#include "tst_qgbengineevents.moc"
