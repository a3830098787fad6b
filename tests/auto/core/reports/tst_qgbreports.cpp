// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// What a running call reports besides its result, against real workers:
// gobridge.progress() (QFuture progress, QGbCall::progressChanged()) and
// Python logging records (QGbPool::logRecord(), Qt logging categories).

#include <QGbPool>

#include <QtCore/qfuturewatcher.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qmutex.h>
#include <QtCore/qthread.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include "qgbtesthelpers.h"

using namespace std::chrono_literals;

namespace {

QString testWorker()
{
    return QStringLiteral(QGB_SOURCE_DIR "/tests/python/workers/testworker.py");
}

// Collects the messages written to qgobridge.python.* categories.
struct CapturedMessage
{
    QtMsgType type;
    QString category;
    QString text;
    QString file;
    int line;
};

QMutex capturedMutex;
QList<CapturedMessage> captured;
QtMessageHandler previousHandler = nullptr;

void captureHandler(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    const QString category = QString::fromUtf8(context.category);
    if (category.startsWith(QLatin1String("qgobridge.python"))) {
        QMutexLocker locker(&capturedMutex);
        captured.append({ type, category, text, QString::fromUtf8(context.file), context.line });
        return;
    }
    previousHandler(type, context, text);
}

QList<CapturedMessage> capturedFor(const QString &category)
{
    QMutexLocker locker(&capturedMutex);
    QList<CapturedMessage> out;
    for (const CapturedMessage &m : std::as_const(captured)) {
        if (m.category == category)
            out.append(m);
    }
    return out;
}

} // namespace

class tst_QGbReports : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void progressReachesTheFuture_data();
    void progressReachesTheFuture();
    void tightLoopIsThrottled();
    void progressSignalsComeBeforeTheResult();
    void progressOfAStream();
    void progressFromAnotherPythonThread();
    void badProgressFailsTheCall();

    void recordsOfACall();
    void recordOutsideACall();
    void exceptionText();
    void pythonDefaultLevel();
    void categoriesFollowLoggingRules();
    void categoryLoggingOff();
    void blockedApplicationLosesRecordsNotMemory();

private:
    QGbPool *m_pool = nullptr; // root logger at DEBUG
};

void tst_QGbReports::initTestCase()
{
    previousHandler = qInstallMessageHandler(captureHandler);
    m_pool = new QGbPool(testWorker(), testOptions(1, 2).setPythonLogLevel(QGbLogRecord::Debug));
    QVERIFY(m_pool->waitForStarted(20000));
}

void tst_QGbReports::cleanupTestCase()
{
    delete m_pool;
    qInstallMessageHandler(previousHandler);
}

void tst_QGbReports::init()
{
    QLoggingCategory::setFilterRules(QString());
    QMutexLocker locker(&capturedMutex);
    captured.clear();
}

// ---- progress --------------------------------------------------------------

void tst_QGbReports::progressReachesTheFuture_data()
{
    QTest::addColumn<QVariantList>("step");
    QTest::addColumn<int>("minimum");
    QTest::addColumn<int>("maximum");
    QTest::addColumn<int>("value");
    QTest::addColumn<double>("callValue");
    QTest::addColumn<double>("callMaximum");

    const auto step = [](QVariant done, QVariant total, QVariant text) {
        return QVariantList { done, total, text };
    };
    QTest::newRow("whole numbers") << step(7, 20, u"seven"_qs) << 0 << 20 << 7 << 7.0 << 20.0;
    QTest::newRow("fraction") << step(0.25, 1.0, u"a quarter"_qs) << 0 << 10000 << 2500 << 0.25
                              << 1.0;
    QTest::newRow("total above int")
            << step(3000000000LL, 6000000000LL, u"big"_qs) << 0 << 10000 << 5000 << 3e9 << 6e9;
    QTest::newRow("unknown total")
            << step(42, QVariant(), u"busy"_qs) << 0 << 0 << 42 << 42.0 << 0.0;
}

void tst_QGbReports::progressReachesTheFuture()
{
    QFETCH(QVariantList, step);
    QFETCH(int, minimum);
    QFETCH(int, maximum);
    QFETCH(int, value);
    QFETCH(double, callValue);
    QFETCH(double, callMaximum);

    // Through a typed future and its watcher.
    QFuture<int> future = m_pool->call<int>("progress_steps", QVariantList { step }, 0.0);
    QFutureWatcher<int> watcher;
    QSignalSpy range(&watcher, &QFutureWatcher<int>::progressRangeChanged);
    watcher.setFuture(future);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 20000);
    QCOMPARE(future.result(), 1);
    QCOMPARE(future.progressMinimum(), minimum);
    QCOMPARE(future.progressMaximum(), maximum);
    QCOMPARE(future.progressValue(), value);
    QCOMPARE(future.progressText(), step.at(2).toString());

    // Through a QGbCall.
    std::unique_ptr<QGbCall> call(m_pool->invoke("progress_steps", { QVariantList { step }, 0.0 }));
    QSignalSpy progress(call.get(), &QGbCall::progressChanged);
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(finished.wait(20000));
    QCOMPARE(progress.count(), 1);
    QCOMPARE(progress.at(0).at(0).toDouble(), callValue);
    QCOMPARE(progress.at(0).at(1).toDouble(), callMaximum);
    QCOMPARE(progress.at(0).at(2).toString(), step.at(2).toString());
    QCOMPARE(call->progressValue(), callValue);
    QCOMPARE(call->progressMaximum(), callMaximum);
    QCOMPARE(call->progressText(), step.at(2).toString());
    QCOMPARE(call->future().progressValue(), value);
}

void tst_QGbReports::tightLoopIsThrottled()
{
    // 200k reports in a tight loop: a few dozen reach the application at
    // most, and the last one always does.
    constexpr int n = 200000;
    std::unique_ptr<QGbCall> call(m_pool->invoke("count_progress", { n }));
    QSignalSpy progress(call.get(), &QGbCall::progressChanged);
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(finished.wait(60000));
    const double seconds = clock.elapsed() / 1000.0;
    QVERIFY(progress.count() >= 1);
    QVERIFY2(progress.count() <= seconds / 0.04 + 3,
             qPrintable(QStringLiteral("%1 reports in %2 s").arg(progress.count()).arg(seconds)));
    QCOMPARE(progress.last().at(0).toDouble(), double(n));
    QCOMPARE(call->result().toInt(), n);
    QCOMPARE(call->future().progressValue(), n);
    QCOMPARE(call->future().progressMaximum(), n);
    double previous = 0;
    for (const QList<QVariant> &report : std::as_const(progress)) {
        QVERIFY(report.at(0).toDouble() >= previous);
        previous = report.at(0).toDouble();
    }
}

void tst_QGbReports::progressSignalsComeBeforeTheResult()
{
    // Reports that go back down reach QGbCall (each one), but not QFuture,
    // whose progress only grows.
    const QVariantList steps { QVariantList { 5, 10 }, QVariantList { 3, 10, u"again"_qs },
                               QVariantList { 9, 10, u"nearly"_qs } };
    std::unique_ptr<QGbCall> call(m_pool->invoke("progress_steps", { steps, 0.06 }));
    QStringList order;
    connect(call.get(), &QGbCall::progressChanged, this,
            [&](double value, double, const QString &) { order << QString::number(value); });
    connect(call.get(), &QGbCall::resultReady, this, [&] { order << u"result"_qs; });
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(finished.wait(20000));
    QCOMPARE(order, QStringList({ u"5"_qs, u"3"_qs, u"9"_qs, u"result"_qs }));
    QCOMPARE(call->future().progressValue(), 9);
    QCOMPARE(call->progressText(), u"nearly"_qs);
}

void tst_QGbReports::progressOfAStream()
{
    QFuture<int> future = m_pool->stream<int>("progress_gen", 3000);
    future.waitForFinished();
    QCOMPARE(future.resultCount(), 3000);
    QCOMPARE(future.progressValue(), 3000);
    QCOMPARE(future.progressMaximum(), 3000);
}

void tst_QGbReports::progressFromAnotherPythonThread()
{
    QFuture<int> future = m_pool->call<int>("progress_from_thread", 500);
    QCOMPARE(future.result(), 500);
    QCOMPARE(future.progressValue(), 500);
    QCOMPARE(future.progressText(), u"thread"_qs);
}

void tst_QGbReports::badProgressFailsTheCall()
{
    QFuture<void> future = m_pool->call<void>("progress_bad", u"nan"_qs);
    try {
        future.waitForFinished();
        QFAIL("expected an exception");
    } catch (const QGbException &e) {
        QCOMPARE(e.error().code(), QGbError::RemoteException);
        QCOMPARE(e.error().remoteType(), u"ValueError"_qs);
        QVERIFY(e.error().errorString().contains(u"gobridge.progress()"_qs));
    }
    // The pool still works.
    QCOMPARE(m_pool->call<int>("add", 1, 2).result(), 3);
}

// ---- logging ---------------------------------------------------------------

void tst_QGbReports::recordsOfACall()
{
    QSignalSpy records(m_pool, &QGbPool::logRecord);
    std::unique_ptr<QGbCall> call(m_pool->invoke("log_records", { 3, 10 }));
    // The records a call logged arrive before its result.
    int recordsAtResult = -1;
    connect(call.get(), &QGbCall::resultReady, this,
            [&] { recordsAtResult = int(records.count()); });
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(finished.wait(20000));
    QCOMPARE(recordsAtResult, 3);
    for (int i = 0; i < 3; ++i) {
        const auto record = records.at(i).at(0).value<QGbLogRecord>();
        QCOMPARE(record.message(), QStringLiteral("record %1 of 3").arg(i));
        QCOMPARE(record.level(), int(QGbLogRecord::Debug));
        QCOMPARE(record.levelName(), u"DEBUG"_qs);
        QCOMPARE(record.messageType(), QtDebugMsg);
        QCOMPARE(record.loggerName(), u"tw.calls"_qs);
        QCOMPARE(record.categoryName(), u"qgobridge.python.tw.calls"_qs);
        QCOMPARE(record.worker(), 0);
        QVERIFY(record.callId() > 0);
        QCOMPARE(record.method(), u"log_records"_qs);
        QVERIFY(record.fileName().endsWith(u"testworker.py"_qs));
        QCOMPARE(record.function(), u"log_records"_qs);
        QVERIFY(record.line() > 0);
        QVERIFY(qAbs(record.time().secsTo(QDateTime::currentDateTime())) < 60);
    }
    // Each went to its category too, with the Python source location.
    const QList<CapturedMessage> messages = capturedFor(u"qgobridge.python.tw.calls"_qs);
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages.at(0).type, QtDebugMsg);
    QCOMPARE(messages.at(0).text, u"[worker 0] record 0 of 3"_qs);
    QVERIFY(messages.at(0).file.endsWith(u"testworker.py"_qs));
    QVERIFY(messages.at(0).line > 0);
}

void tst_QGbReports::recordOutsideACall()
{
    QSignalSpy records(m_pool, &QGbPool::logRecord);
    m_pool->call<void>("log_outside", u"from a thread"_qs).waitForFinished();
    QTRY_COMPARE(records.count(), 1);
    const auto record = records.at(0).at(0).value<QGbLogRecord>();
    QCOMPARE(record.message(), u"from a thread"_qs);
    QCOMPARE(record.callId(), 0);
    QCOMPARE(record.method(), QString());
    QCOMPARE(record.threadName(), u"outside"_qs);
    QCOMPARE(record.messageType(), QtWarningMsg);
    QCOMPARE(record.worker(), 0);
}

void tst_QGbReports::exceptionText()
{
    QSignalSpy records(m_pool, &QGbPool::logRecord);
    m_pool->call<void>("log_exception").waitForFinished();
    QTRY_COMPARE(records.count(), 1);
    const auto record = records.at(0).at(0).value<QGbLogRecord>();
    QCOMPARE(record.level(), int(QGbLogRecord::Error));
    QCOMPARE(record.messageType(), QtCriticalMsg);
    QVERIFY(record.exceptionText().contains(u"ZeroDivisionError"_qs));
    const QList<CapturedMessage> messages = capturedFor(u"qgobridge.python.tw.errors"_qs);
    QCOMPARE(messages.size(), 1);
    QVERIFY(messages.at(0).text.contains(u"Traceback"_qs));
}

void tst_QGbReports::pythonDefaultLevel()
{
    // Without setPythonLogLevel(), Python's default decides: WARNING and up.
    QGbPool pool(testWorker(), testOptions(1, 1));
    QSignalSpy records(&pool, &QGbPool::logRecord);
    QCOMPARE(pool.call<int>("log_records", 2, 20).result(), 2);
    QCOMPARE(pool.call<int>("log_records", 1, 30).result(), 1);
    QTRY_COMPARE(records.count(), 1);
    QCOMPARE(records.at(0).at(0).value<QGbLogRecord>().level(), 30);
}

void tst_QGbReports::categoriesFollowLoggingRules()
{
    QLoggingCategory::setFilterRules(u"qgobridge.python.tw.calls.info=false"_qs);
    QSignalSpy records(m_pool, &QGbPool::logRecord);
    QCOMPARE(m_pool->call<int>("log_records", 2, 20).result(), 2);
    QCOMPARE(m_pool->call<int>("log_records", 1, 30).result(), 1);
    QTRY_COMPARE(records.count(), 3);
    // The rule filters the category; the signal reports every record.
    const QList<CapturedMessage> messages = capturedFor(u"qgobridge.python.tw.calls"_qs);
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).type, QtWarningMsg);
}

void tst_QGbReports::categoryLoggingOff()
{
    QGbPool pool(testWorker(), testOptions(1, 1).setCategoryLoggingEnabled(false));
    QSignalSpy records(&pool, &QGbPool::logRecord);
    QCOMPARE(pool.call<int>("log_records", 2, 40, u"tw.quiet"_qs).result(), 2);
    QTRY_COMPARE(records.count(), 2);
    QCOMPARE(capturedFor(u"qgobridge.python.tw.quiet"_qs).size(), 0);
}

void tst_QGbReports::blockedApplicationLosesRecordsNotMemory()
{
    // A worker logs 30000 records while this thread is blocked: at most
    // 10000 wait for it, the rest are dropped and counted in a note.
    constexpr int logged = 30000;
    QGbPool pool(testWorker(), testOptions(1, 1).setCategoryLoggingEnabled(false));
    QVERIFY(pool.waitForStarted(20000));
    QSignalSpy records(&pool, &QGbPool::logRecord);
    QFuture<int> future = pool.call<int>("log_records", logged, 30, u"tw.flood"_qs);
    while (!future.isFinished())
        QThread::msleep(20); // blocked: no event loop runs
    QCOMPARE(future.result(), logged);
    QTRY_VERIFY(records.count() > 0);
    // Let every waiting record in.
    qint64 previous = -1;
    while (previous != records.count()) {
        previous = records.count();
        QTest::qWait(100);
    }
    qint64 fromPython = 0;
    qint64 dropped = 0;
    int notes = 0;
    for (const QList<QVariant> &args : std::as_const(records)) {
        const auto record = args.at(0).value<QGbLogRecord>();
        if (record.loggerName() == u"tw.flood"_qs) {
            ++fromPython;
        } else {
            QCOMPARE(record.loggerName(), u"qgobridge"_qs);
            QCOMPARE(record.worker(), -1);
            ++notes;
            const QString count = record.message().section(QLatin1Char(' '), 0, 0);
            dropped += count.toLongLong();
            QVERIFY2(record.message().contains(u"dropped"_qs), qPrintable(record.message()));
        }
    }
    QVERIFY2(fromPython <= 10000, qPrintable(QString::number(fromPython)));
    QVERIFY(dropped > 0);
    QCOMPARE(notes, 1);
    QCOMPARE(fromPython + dropped, qint64(logged));
    // The records kept are the first ones, in order.
    QCOMPARE(records.at(0).at(0).value<QGbLogRecord>().message(), u"record 0 of 30000"_qs);
}

QTEST_GUILESS_MAIN(tst_QGbReports)
#include "tst_qgbreports.moc"
