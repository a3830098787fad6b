// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// gobridge-inspector --list and --attach PID --record FILE --duration SECS
// (docs/inspector.md), against a real inspectable pool in this process.

#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qset.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qtest.h>

#include <signal.h>

using namespace Qt::StringLiterals;

namespace {

QString pidText()
{
    return QString::number(QCoreApplication::applicationPid());
}

QList<QJsonObject> readLines(const QString &path)
{
    QList<QJsonObject> lines;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return lines;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty())
            lines.append(QJsonDocument::fromJson(line).object());
    }
    return lines;
}

int count(const QList<QJsonObject> &lines, const QString &type, const QString &field = QString(),
          const QString &value = QString())
{
    // The pool's own describe (the function list) is not counted as a call.
    int n = 0;
    for (const QJsonObject &line : lines)
        n += line.value(u"type").toString() == type
                && (field.isEmpty() || line.value(field).toString() == value)
                && line.value(u"mode").toString() != u"describe";
    return n;
}

// Waits until the recorder's file holds a line of this type.
bool waitForLine(const QString &path, const QString &type, int msecs = 10000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < msecs) {
        if (count(readLines(path), type) > 0)
            return true;
        QTest::qWait(20);
    }
    return false;
}

} // namespace

class tst_InspectorCli : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void listShowsThePool();
    void listWithoutPools();
    void recordWritesJsonLines();
    void stoppedRecorderDoesNotBlockThePool();
    void attachToNothing();
    void usage();
    void recordsTheTour();

private:
    QProcess *inspector(const QStringList &arguments)
    {
        auto *process = new QProcess(this);
        process->setProgram(QStringLiteral(QGB_INSPECTOR_EXE));
        process->setArguments(arguments);
        process->start();
        return process;
    }
    QTemporaryDir m_runtime;
};

void tst_InspectorCli::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    QCoreApplication::setApplicationName(u"cli-test-app"_s);
}

void tst_InspectorCli::listShowsThePool()
{
    QGbPool pool(poolWorker(), testOptions(2).setInspectable(true));
    QVERIFY(pool.waitForStarted(20000));
    QString out;
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QProcess *list = inspector({ u"--list"_s });
                list->waitForFinished(10000);
                out = QString::fromUtf8(list->readAllStandardOutput());
                return list->exitCode() == 0 && out.contains(pidText());
            }(),
            10000);
    QVERIFY2(out.contains(u"cli-test-app"_s), qPrintable(out));
    QVERIFY2(out.contains(poolWorker()), qPrintable(out));
}

void tst_InspectorCli::listWithoutPools()
{
    QProcess *list = inspector({ u"--list"_s });
    QVERIFY(list->waitForFinished(10000));
    QCOMPARE(list->exitCode(), 0);
    QVERIFY(QString::fromUtf8(list->readAllStandardOutput()).contains(u"No inspectable pool"_s));
}

void tst_InspectorCli::recordWritesJsonLines()
{
    QGbPool pool(poolWorker(), testOptions(1).setInspectable(true));
    QVERIFY(pool.waitForStarted(20000));
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3); // before: the flight recorder has it
    const QString file = m_runtime.filePath(u"record.jsonl"_s);
    QProcess *recorder =
            inspector({ u"--attach"_s, pidText(), u"--record"_s, file, u"--duration"_s, u"2"_s });
    QVERIFY(waitForLine(file, u"live"_s));
    QCOMPARE(pool.call<int>("add", 3, 4).result(), 7); // after: live
    QVERIFY(recorder->waitForFinished(20000));
    QVERIFY2(recorder->exitCode() == 0, recorder->readAllStandardError().constData());

    const QList<QJsonObject> lines = readLines(file);
    QVERIFY(lines.size() > 4);
    QCOMPARE(lines.first().value(u"type").toString(), u"hello"_s);
    QCOMPARE(lines.first().value(u"pid").toInteger(), QCoreApplication::applicationPid());
    QCOMPARE(lines.last().value(u"type").toString(), u"end"_s);
    QCOMPARE(lines.last().value(u"reason").toString(), u"duration"_s);
    QCOMPARE(lines.last().value(u"dropped").toInteger(), 0);
    QCOMPARE(lines.last().value(u"messages").toInteger(), lines.size() - 2);
    QCOMPARE(count(lines, u"call"_s, u"event"_s, u"end"_s), 2);
    QCOMPARE(count(lines, u"live"_s), 1);
    QVERIFY(count(lines, u"frame"_s) >= 4);
    QCOMPARE(count(lines, u"worker"_s, u"state"_s, u"ready"_s), 1);
}

// A recorder stopped with SIGSTOP: the pool's calls go on; once it runs again
// it records how many events it lost.
void tst_InspectorCli::stoppedRecorderDoesNotBlockThePool()
{
    QGbPool pool(poolWorker(), testOptions(1, 4).setInspectable(true).setFlightRecorderSize(100));
    QVERIFY(pool.waitForStarted(20000));
    const QString file = m_runtime.filePath(u"stopped.jsonl"_s);
    QProcess *recorder = inspector({ u"--attach"_s, pidText(), u"--record"_s, file });
    QVERIFY(waitForLine(file, u"live"_s));
    const qint64 recorderPid = recorder->processId();
    QVERIFY2(recorderPid > 0, recorder->readAllStandardError().constData());
    QCOMPARE(::kill(pid_t(recorderPid), SIGSTOP), 0);
    auto resume = qScopeGuard([&] { ::kill(pid_t(recorderPid), SIGCONT); });

    const QString payload(200, u'y');
    QList<QFuture<QString>> calls;
    for (int i = 0; i < 3000; ++i)
        calls.append(pool.call<QString>("echo", payload));
    for (const QFuture<QString> &call : std::as_const(calls))
        QVERIFY(waitFor(call, 60000));
    QCOMPARE(calls.last().result(), payload);

    resume.dismiss();
    QCOMPARE(::kill(pid_t(recorderPid), SIGCONT), 0);
    QVERIFY(waitForLine(file, u"dropped"_s, 20000));
    QCOMPARE(::kill(pid_t(recorderPid), SIGTERM), 0); // ends the recording normally
    QVERIFY(recorder->waitForFinished(30000));
    QVERIFY2(recorder->exitCode() == 0, recorder->readAllStandardError().constData());
    const QList<QJsonObject> lines = readLines(file);
    QVERIFY(count(lines, u"dropped"_s) >= 1);
    QCOMPARE(lines.last().value(u"type").toString(), u"end"_s);
    QCOMPARE(lines.last().value(u"reason").toString(), u"interrupted"_s);
    QVERIFY(lines.last().value(u"dropped").toInteger() > 0);
}

void tst_InspectorCli::attachToNothing()
{
    const QString file = m_runtime.filePath(u"none.jsonl"_s);
    QProcess *recorder = inspector({ u"--attach"_s, u"no-such-app"_s, u"--record"_s, file });
    QVERIFY(recorder->waitForFinished(10000));
    QCOMPARE(recorder->exitCode(), 1);
    QVERIFY(QString::fromUtf8(recorder->readAllStandardError()).contains(u"no-such-app"_s));
}

void tst_InspectorCli::usage()
{
    // Without --list or --record the inspector opens its window: a usage
    // error of the command line is --record without --attach.
    QProcess *bare = inspector({ u"--record"_s, m_runtime.filePath(u"usage.jsonl"_s) });
    QVERIFY(bare->waitForFinished(10000));
    QCOMPARE(bare->exitCode(), 2);
    QVERIFY(bare->readAllStandardError().contains("--record"));
}

// examples/tour run with QGOBRIDGE_INSPECT=1 (no rebuild), recorded by the
// command line until the tour's pool closes: its workers, and calls in every
// mode, each with its frames both ways, the seconds before attaching included.
void tst_InspectorCli::recordsTheTour()
{
#ifndef QGB_TOUR_EXE
    QSKIP("the examples are not built (QGOBRIDGE_BUILD_EXAMPLES=OFF): there is no tour to run");
#else
    QProcess tour;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QGOBRIDGE_INSPECT"_s, u"1"_s);
    tour.setProcessEnvironment(env);
    tour.setProgram(QStringLiteral(QGB_TOUR_EXE));
    tour.start();
    QVERIFY(tour.waitForStarted());
    const qint64 tourPid = tour.processId();
    const QString pid = QString::number(tourPid);
    // Attached as soon as --list shows it (the tour runs about 3 s).
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QProcess *list = inspector({ u"--list"_s });
                list->waitForFinished(10000);
                return QString::fromUtf8(list->readAllStandardOutput()).contains(pid);
            }(),
            20000);
    const QString file = m_runtime.filePath(u"tour.jsonl"_s);
    QProcess *recorder = inspector({ u"--attach"_s, pid, u"--record"_s, file });
    QVERIFY(tour.waitForFinished(60000));
    QCOMPARE(tour.exitCode(), 0);
    QVERIFY(recorder->waitForFinished(20000));
    QVERIFY2(recorder->exitCode() == 0, recorder->readAllStandardError().constData());

    const QList<QJsonObject> lines = readLines(file);
    QVERIFY(lines.size() > 10);
    QCOMPARE(lines.first().value(u"pid").toInteger(), tourPid);
    QCOMPARE(lines.last().value(u"reason").toString(), u"the pool closed"_s);
    QCOMPARE(lines.last().value(u"dropped").toInteger(), 0);
    QVERIFY(count(lines, u"worker"_s, u"state"_s, u"ready"_s) >= 1);
    // Every call ended, and had frames both ways on its connection; the
    // cancelled one at least its call and its cancel (the tour exits when the
    // cancelled future finishes, which need not wait for the worker's answer).
    QSet<QString> modes;
    int calls = 0;
    for (const QJsonObject &end : lines) {
        if (end.value(u"type").toString() != u"call"_s || end.value(u"event").toString() != u"end"_s
            || !end.contains(u"link") || end.value(u"mode").toString() == u"describe"_s)
            continue;
        ++calls;
        modes.insert(end.value(u"mode").toString());
        int out = 0;
        int in = 0;
        QStringList sent;
        for (const QJsonObject &frame : lines) {
            if (frame.value(u"type").toString() == u"frame"_s
                && frame.value(u"link") == end.value(u"link")
                && frame.value(u"call") == end.value(u"call")) {
                const bool isOut = frame.value(u"dir").toString() == u"out"_s;
                (isOut ? out : in) += 1;
                if (isOut)
                    sent.append(frame.value(u"msg").toString());
            }
        }
        const bool cancelled = end.value(u"outcome").toString() == u"Cancelled"_s;
        QVERIFY2(cancelled ? sent.contains(u"call"_s) && sent.contains(u"cancel"_s)
                           : out >= 1 && in >= 1,
                 qPrintable(QString::fromUtf8(QJsonDocument(end).toJson(QJsonDocument::Compact))));
    }
    // Every call the tour made (the pool's describe aside) started and ended.
    QVERIFY2(calls >= 5, QByteArray::number(calls));
    QCOMPARE(count(lines, u"call"_s, u"event"_s, u"start"_s), calls);
    for (const QString &mode : { u"call"_s, u"stream"_s, u"clientStream"_s, u"bidi"_s })
        QVERIFY2(modes.contains(mode), qPrintable(QStringList(modes.values()).join(u' ')));
    // The tour's last call, cancelled just before it exits.
    QCOMPARE(count(lines, u"call"_s, u"outcome"_s, u"Cancelled"_s), 1);
#endif
}

QTEST_GUILESS_MAIN(tst_InspectorCli)
#include "tst_inspectorcli.moc"
