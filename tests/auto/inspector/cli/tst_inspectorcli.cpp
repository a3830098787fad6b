// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// gobridge-inspector --list and --attach PID --record FILE --duration SECS
// (docs/inspector.md), against a real inspectable pool in this process.

#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtCore/qfile.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qscopeguard.h>
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

QTEST_GUILESS_MAIN(tst_InspectorCli)
#include "tst_inspectorcli.moc"
