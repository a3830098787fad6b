// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// gobridge-inspector's window (inspector/mainwindow.cpp and its models),
// offscreen, against real inspectable pools in this process: the models
// pass QAbstractItemModelTester while events stream in, calls, streams and
// a SIGKILLed worker show, the flight recorder replays what preceded an
// attach, captures save and load, the window re-attaches to an application
// that comes back, and the GUI thread stays responsive under load.

#include "qgbtesthelpers.h"

#include "attachdialog.h"
#include "framedetailview.h"
#include "inspectorconnection.h"
#include "mainwindow.h"
#include "models/callsmodel.h"
#include "models/capturestore.h"
#include "models/framesfiltermodel.h"
#include "models/framesmodel.h"
#include "models/logsmodel.h"
#include "models/poolsmodel.h"
#include "models/workersmodel.h"
#include "qgbinspectorclient.h"
#include "qgbinspectorregistry.h"

#include <QGbPool>

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qabstractitemmodeltester.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qtableview.h>
#include <QtWidgets/qtreewidget.h>

#include <algorithm>
#include <memory>

#include <signal.h>

using namespace Qt::StringLiterals;

namespace {

QGbPoolOptions inspectable(int workers = 1)
{
    return testOptions(workers).setInspectable(true);
}

QString pidText()
{
    return QString::number(QCoreApplication::applicationPid());
}

// The rows of a model whose column holds this text.
QList<int> rowsWith(const QAbstractItemModel *model, int column, const QString &text)
{
    QList<int> rows;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, column).data().toString() == text)
            rows.append(row);
    }
    return rows;
}

QString cell(const QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

} // namespace

class tst_InspectorGui : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void modelsPassTheTesterWhileEventsStream();
    void poolsModelPassesTheTester();
    void callsOfTwoConnectionsWithOneId();
    void workersCountRunningCallsWhoseEndsWereLost();
    void connectionReportsLossesBeforeItCloses();
    void callsStreamsAndAKilledWorker();
    void attachAfterACrash();
    void saveAndOpenCapture();
    void openRejectsWhatIsNotACapture();
    void attachWhileACaptureLoads();
    void reattachesWhenTheAppComesBack();
    void framesFilters();
    void frameDetail();
    void guiStaysResponsiveUnderLoad();

private:
    // Attaches the window to this process's pool and waits until it is live.
    bool attachLive(MainWindow *window)
    {
        window->attachTo(pidText());
        QElapsedTimer timer;
        timer.start();
        while (window->mode() != MainWindow::Live && timer.elapsed() < 15000)
            QTest::qWait(10);
        return window->mode() == MainWindow::Live;
    }
    QTemporaryDir m_runtime;
};

void tst_InspectorGui::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    QCoreApplication::setApplicationName(u"gui-test-app"_s);
}

void tst_InspectorGui::modelsPassTheTesterWhileEventsStream()
{
    QGbPool pool(poolWorker(), inspectable(2));
    QVERIFY(pool.waitForStarted(20000));
    MainWindow window;
    // Small caps, so that rows are removed as well as inserted.
    window.framesModel()->setCapacity(50);
    window.callsModel()->setCapacity(15);
    window.logsModel()->setCapacity(10);
    QAbstractItemModelTester workers(window.workersModel(),
                                     QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester calls(window.callsModel(),
                                   QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester frames(window.framesModel(),
                                    QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester filtered(window.framesFilter(),
                                      QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester logs(window.logsModel(),
                                  QAbstractItemModelTester::FailureReportingMode::Fatal);
    window.show();
    QVERIFY(attachLive(&window));

    // 40 calls in flight at once on two workers, beside a stream: call ids
    // repeat across connections (each numbers its own), which the Calls
    // model once merged into one row.
    QList<QFuture<int>> adds;
    for (int i = 0; i < 40; ++i)
        adds.append(pool.call<int>("add", i, 1));
    QFuture<int> stream = pool.stream<int>("range_gen", 0, 300);
    QFuture<int> lines = pool.call<int>("print_lines", 30);
    window.framesFilter()->setDirection(u"in"_s); // filtering while rows come
    QVERIFY(waitFor(stream));
    QVERIFY(waitFor(lines));
    for (const auto &f : adds)
        QVERIFY(waitFor(f));
    // Last, so that its row is among the 15 kept (calls start in the order
    // the workers take them, not always the order they were made in).
    QFuture<QVariant> failing = pool.call<QVariant>("raise_value_error", u"boom"_s);
    QVERIFY(waitFor(failing));
    window.framesFilter()->setDirection(QString());
    window.framesFilter()->setText(u"add"_s);
    window.framesFilter()->setText(QString());

    QTRY_VERIFY(window.callsModel()->rowCount() == 15);
    auto methods = [&] {
        QStringList list;
        for (int row = 0; row < window.callsModel()->rowCount(); ++row)
            list.append(cell(window.callsModel(), row, CallsModel::Id) + u':'
                        + cell(window.callsModel(), row, CallsModel::Method));
        return window.statusText() + u' ' + list.join(u' ');
    };
    QTRY_VERIFY2(
            !rowsWith(window.callsModel(), CallsModel::Method, u"raise_value_error"_s).isEmpty(),
            qPrintable(methods()));
    QTRY_COMPARE(window.logsModel()->rowCount(), 10);
    QCOMPARE(window.framesModel()->rowCount(), 50);
    QVERIFY(window.framesModel()->evictedRows() > 0);
    QCOMPARE(window.workersModel()->rowCount(), 2);
    window.framesModel()->clear();
    QCOMPARE(window.framesModel()->rowCount(), 0);
    QVERIFY(window.store()->messageCount() > 50); // the capture keeps its data
}

// Call ids are per connection: the same id on two links is two calls, in
// the Calls model, in the Workers model's running count and in the filter.
void tst_InspectorGui::callsOfTwoConnectionsWithOneId()
{
    CallsModel calls;
    WorkersModel workers;
    QAbstractItemModelTester tester(&calls, QAbstractItemModelTester::FailureReportingMode::Fatal);
    auto event = [](const char *json) { return QJsonDocument::fromJson(json).object(); };
    const QList<QGbInspect::Message> batch = {
        event(R"({"type":"worker","seq":1,"t":1,"worker":0,"state":"starting","pid":10})"),
        event(R"({"type":"worker","seq":2,"t":2,"worker":1,"state":"starting","pid":11})"),
        event(R"({"type":"call","seq":3,"t":3,"worker":0,"event":"start","call":1,"link":2,"method":"a","mode":"call"})"),
        event(R"({"type":"call","seq":4,"t":4,"worker":1,"event":"start","call":1,"link":4,"method":"b","mode":"call"})"),
        event(R"({"type":"frame","seq":5,"t":5,"worker":0,"dir":"out","call":1,"link":2,"msg":"call","size":100})"),
        event(R"({"type":"call","seq":6,"t":6,"worker":1,"event":"end","call":1,"link":4,"method":"b","mode":"call","durationUs":5,"outcome":"Ok"})"),
    };
    calls.addEvents(batch);
    workers.addEvents(batch);
    QCOMPARE(calls.rowCount(), 2);
    const int a = calls.rowOf(1, 2);
    const int b = calls.rowOf(1, 4);
    QVERIFY(a >= 0 && b >= 0 && a != b);
    QCOMPARE(cell(&calls, a, CallsModel::Method), u"a"_s);
    QCOMPARE(cell(&calls, a, CallsModel::Outcome), u"running"_s);
    QCOMPARE(cell(&calls, a, CallsModel::Bytes), u"100"_s);
    QCOMPARE(cell(&calls, b, CallsModel::Method), u"b"_s);
    QCOMPARE(cell(&calls, b, CallsModel::Outcome), u"Ok"_s);
    QCOMPARE(cell(&calls, b, CallsModel::Bytes), u"0"_s);
    // b's end does not end a's: worker 0 still runs one.
    QCOMPARE(cell(&workers, 0, WorkersModel::Current), u"1"_s);
    QCOMPARE(cell(&workers, 1, WorkersModel::Current), u"0"_s);
}

// An inspector that fell behind loses call ends: a connection runs one call
// at a time, so the next start on it, its close or its worker's exit ends the
// count of the call whose end was lost, instead of "Current" growing for ever.
void tst_InspectorGui::workersCountRunningCallsWhoseEndsWereLost()
{
    WorkersModel workers;
    QAbstractItemModelTester tester(&workers,
                                    QAbstractItemModelTester::FailureReportingMode::Fatal);
    auto event = [](const char *json) { return QJsonDocument::fromJson(json).object(); };
    workers.addEvents({
            event(R"({"type":"worker","seq":1,"t":1,"worker":0,"state":"starting","pid":10})"),
            event(R"({"type":"call","seq":2,"t":2,"worker":0,"event":"start","call":1,"link":2,"method":"a","mode":"call"})"),
            event(R"({"type":"call","seq":3,"t":3,"worker":0,"event":"start","call":1,"link":3,"method":"a","mode":"call"})"),
            event(R"({"type":"call","seq":4,"t":4,"worker":0,"event":"start","call":1,"link":4,"method":"a","mode":"call"})"),
    });
    QCOMPARE(cell(&workers, 0, WorkersModel::Current), u"3"_s);
    // Lost: the end of call 1 on link 2; the next call on link 2 replaces it.
    workers.addEvents({
            event(R"({"type":"dropped","count":3,"total":3})"),
            event(R"({"type":"call","seq":8,"t":8,"worker":0,"event":"start","call":3,"link":2,"method":"a","mode":"call"})"),
    });
    QCOMPARE(cell(&workers, 0, WorkersModel::Current), u"3"_s); // links 2, 3 and 4
    workers.addEvents({
            event(R"({"type":"call","seq":9,"t":9,"worker":0,"event":"end","call":3,"link":2,"method":"a","mode":"call","durationUs":5,"outcome":"Ok"})"),
            // An end of a call that another start already replaced: no count.
            event(R"({"type":"call","seq":10,"t":10,"worker":0,"event":"end","call":1,"link":2,"method":"a","mode":"call","durationUs":5,"outcome":"Ok"})"),
    });
    QCOMPARE(cell(&workers, 0, WorkersModel::Current), u"2"_s); // links 3 and 4
    workers.addEvents({ event(
            R"({"type":"connection","seq":11,"t":11,"worker":0,"event":"close","link":3,"connection":2,"control":false,"code":"WorkerCrashed","reason":"x"})") });
    QCOMPARE(cell(&workers, 0, WorkersModel::Current), u"1"_s); // link 4
    workers.addEvents({ event(
            R"({"type":"worker","seq":12,"t":12,"worker":0,"state":"exited","pid":10,"signal":9,"reason":"killed"})") });
    QCOMPARE(cell(&workers, 0, WorkersModel::Current), u"0"_s);
    QCOMPARE(cell(&workers, 0, WorkersModel::Started), u"4"_s);
    QCOMPARE(cell(&workers, 0, WorkersModel::Succeeded), u"2"_s);
}

// The window's connection queues at most maxQueued() messages for the GUI
// thread and reports what it lost; the report comes before the close that
// followed the loss, not dropped with what follows the close.
void tst_InspectorGui::connectionReportsLossesBeforeItCloses()
{
    auto pool = std::make_unique<QGbPool>(poolWorker(), inspectable());
    QVERIFY(pool->waitForStarted(20000));
    QString socket;
    for (const QGbInspectorPoolEntry &entry : QGbInspectorRegistry::pools())
        if (entry.pid == QCoreApplication::applicationPid())
            socket = entry.socketPath;
    QVERIFY(!socket.isEmpty());

    InspectorConnection connection;
    connection.setMaxQueued(20);
    QList<QJsonObject> received;
    bool closed = false;
    connect(&connection, &InspectorConnection::messagesReceived, this,
            [&](const QList<InspectorConnection::Message> &messages) {
                QVERIFY(!closed);
                for (const auto &message : messages)
                    received.append(message.toObject());
            });
    connect(&connection, &InspectorConnection::closed, this, [&] { closed = true; });
    connection.connectToPool(socket);
    const auto has = [&](const QString &type) {
        return std::any_of(received.cbegin(), received.cend(), [&](const QJsonObject &m) {
            return m.value(u"type"_s).toString() == type;
        });
    };
    QTRY_VERIFY(has(u"live"_s));
    received.clear();

    // The GUI thread turns no event loop from here until the pool is gone:
    // 30 calls make 120 events, more than the 20 the connection keeps.
    for (int i = 0; i < 30; ++i)
        QCOMPARE(pool->call<int>("add", i, 1).result(), i + 1);
    pool.reset();
    // Still without an event loop turn: time for the connection's thread to
    // read the end of the connection and queue the close behind the loss.
    QThread::msleep(500);
    QTRY_VERIFY(closed);

    QCOMPARE(received.size(), 21);
    const QJsonObject dropped = received.last();
    QCOMPARE(dropped.value(u"type"_s).toString(), u"dropped"_s);
    QCOMPARE(dropped.value(u"inspector"_s).toBool(), true);
    QVERIFY2(dropped.value(u"count"_s).toInteger() >= 100,
             QByteArray::number(dropped.value(u"count"_s).toInteger()));
    QCOMPARE(dropped.value(u"total"_s), dropped.value(u"count"_s));
}

void tst_InspectorGui::poolsModelPassesTheTester()
{
    PoolsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QGbInspectorPoolEntry a;
    a.pid = 10;
    a.app = u"a"_s;
    a.protocol = 1;
    a.entryPath = u"/x/10-1.json"_s;
    a.startedAt = QDateTime::currentDateTimeUtc().addSecs(-3725);
    QGbInspectorPoolEntry b = a;
    b.pid = 11;
    b.app = u"b"_s;
    b.protocol = 99;
    b.library = u"9.9.9"_s;
    b.entryPath = u"/x/11-1.json"_s;
    model.setPools({ a, b });
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(&model, 0, PoolsModel::Uptime), u"1:02:05"_s);
    QVERIFY(model.flags(model.index(0, 0)) & Qt::ItemIsEnabled);
    // The one this inspector cannot read is disabled and says why.
    QVERIFY(!(model.flags(model.index(1, 0)) & Qt::ItemIsEnabled));
    QVERIFY2(cell(&model, 1, PoolsModel::Status).contains(u"protocol 99"_s),
             qPrintable(cell(&model, 1, PoolsModel::Status)));
    model.setPools({ b });
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(&model, 0, PoolsModel::App), u"b"_s);
    model.setPools({});
    QCOMPARE(model.rowCount(), 0);
}

void tst_InspectorGui::callsStreamsAndAKilledWorker()
{
    QGbPool pool(poolWorker(), inspectable(1));
    QVERIFY(pool.waitForStarted(20000));
    MainWindow window;
    window.show();
    QVERIFY(attachLive(&window));
    const qint64 oldPid = pool.workerProcessIds().value(0);
    QTRY_COMPARE(window.workersModel()
                         ->index(0, WorkersModel::Pid)
                         .data(WorkersModel::PidRole)
                         .toLongLong(),
                 oldPid);

    QCOMPARE(pool.call<int>("add", 2, 3).result(), 5);
    QCOMPARE(pool.stream<int>("range_gen", 0, 50).results().size(), 50);
    const CallsModel *calls = window.callsModel();
    QTRY_VERIFY(rowsWith(calls, CallsModel::Method, u"range_gen"_s).size() == 1
                && cell(calls, rowsWith(calls, CallsModel::Method, u"range_gen"_s).first(),
                        CallsModel::Outcome)
                        == u"Ok"_s);
    const int addRow = rowsWith(calls, CallsModel::Method, u"add"_s).value(0, -1);
    QVERIFY(addRow >= 0);
    QCOMPARE(cell(calls, addRow, CallsModel::Mode), u"call"_s);
    QCOMPARE(cell(calls, addRow, CallsModel::Outcome), u"Ok"_s);
    QCOMPARE(cell(calls, addRow, CallsModel::Worker), u"0"_s);
    QVERIFY(cell(calls, addRow, CallsModel::Bytes).toLongLong() > 0);
    const int streamRow = rowsWith(calls, CallsModel::Method, u"range_gen"_s).first();
    QCOMPARE(cell(calls, streamRow, CallsModel::Mode), u"stream"_s);
    QCOMPARE(cell(calls, streamRow, CallsModel::ItemsOut), u"50"_s);

    // Selecting the call shows its frames only: the call going out, the result coming in.
    window.callsView()->selectRow(addRow);
    const qint64 addId = calls->index(addRow, 0).data(CallsModel::CallIdRole).toLongLong();
    const qint64 addLink = calls->index(addRow, 0).data(CallsModel::LinkRole).toLongLong();
    QVERIFY(addLink > 0);
    QCOMPARE(window.framesFilter()->call(), addId);
    QCOMPARE(window.framesFilter()->link(), addLink);
    const FramesFilterModel *frames = window.framesFilter();
    QVERIFY(frames->rowCount() >= 2);
    for (int row = 0; row < frames->rowCount(); ++row) {
        QCOMPARE(frames->index(row, 0).data(FramesModel::CallRole).toLongLong(), addId);
        QCOMPARE(frames->index(row, 0).data(FramesModel::LinkRole).toLongLong(), addLink);
    }
    QCOMPARE(frames->index(0, 0).data(FramesModel::DirectionRole).toString(), u"out"_s);
    QVERIFY(frames->index(0, 0).data(FramesModel::PreviewRole).toString().contains(u"add"_s));

    // A worker killed in the middle of a call.
    QFuture<QVariant> sleeping = pool.call<QVariant>("sleep", 30.0);
    QTRY_VERIFY(!rowsWith(calls, CallsModel::Method, u"sleep"_s).isEmpty());
    QTRY_COMPARE(cell(window.workersModel(), 0, WorkersModel::Current), u"1"_s);
    QCOMPARE(::kill(pid_t(oldPid), SIGKILL), 0);
    QCOMPARE(errorOf(sleeping).code(), QGbError::WorkerCrashed);
    QTRY_VERIFY(pool.workerProcessIds().value(0) > 0 && pool.workerProcessIds().value(0) != oldPid
                && pool.readyWorkers() == 1);
    const qint64 newPid = pool.workerProcessIds().value(0);
    const WorkersModel *workers = window.workersModel();
    QTRY_COMPARE(workers->index(0, 0).data(WorkersModel::PidRole).toLongLong(), newPid);
    QTRY_COMPARE(cell(workers, 0, WorkersModel::State), u"ready"_s);
    QCOMPARE(cell(workers, 0, WorkersModel::Restarts), u"1"_s);
    QCOMPARE(cell(workers, 0, WorkersModel::Current), u"0"_s);
    QVERIFY2(cell(workers, 0, WorkersModel::LastError).contains(u"sleep: WorkerCrashed"_s)
                     || cell(workers, 0, WorkersModel::LastError).contains(u"signal 9"_s),
             qPrintable(cell(workers, 0, WorkersModel::LastError)));
    const int sleepRow = rowsWith(calls, CallsModel::Method, u"sleep"_s).first();
    QTRY_COMPARE(cell(calls, sleepRow, CallsModel::Outcome), u"WorkerCrashed"_s);
    QCOMPARE(cell(workers, 0, WorkersModel::Failed), u"1"_s);
    QVERIFY2(window.statusText().contains(u"live"_s), qPrintable(window.statusText()));
}

void tst_InspectorGui::attachAfterACrash()
{
    QGbPool pool(poolWorker(), inspectable(1));
    QVERIFY(pool.waitForStarted(20000));
    QCOMPARE(pool.call<int>("add", 20, 22).result(), 42);
    const qint64 pid = pool.workerProcessIds().value(0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QTRY_VERIFY(pool.workerProcessIds().value(0) > 0 && pool.workerProcessIds().value(0) != pid
                && pool.readyWorkers() == 1);

    MainWindow window;
    window.show();
    QVERIFY(attachLive(&window));
    // The flight recorder's frames of the call before, and the exit.
    const CallsModel *calls = window.callsModel();
    QTRY_VERIFY(!rowsWith(calls, CallsModel::Method, u"add"_s).isEmpty());
    const int addRow = rowsWith(calls, CallsModel::Method, u"add"_s).first();
    QCOMPARE(cell(calls, addRow, CallsModel::Outcome), u"Ok"_s);
    // Its frames: call ids are per connection (and the restarted worker's
    // describe has the add's id, 1): the connection's link tells them apart.
    const qint64 addId = calls->index(addRow, 0).data(CallsModel::CallIdRole).toLongLong();
    const qint64 addLink = calls->index(addRow, 0).data(CallsModel::LinkRole).toLongLong();
    int addFrames = 0;
    for (int row : rowsWith(window.framesModel(), FramesModel::Call, QString::number(addId))) {
        addFrames += window.framesModel()->index(row, 0).data(FramesModel::LinkRole).toLongLong()
                == addLink;
    }
    QCOMPARE(addFrames, 2); // the call and its result
    const WorkersModel *workers = window.workersModel();
    QVERIFY2(cell(workers, 0, WorkersModel::LastError).contains(u"signal 9"_s),
             qPrintable(cell(workers, 0, WorkersModel::LastError)));
    QCOMPARE(cell(workers, 0, WorkersModel::Restarts), u"1"_s);
    QCOMPARE(workers->index(0, 0).data(WorkersModel::PidRole).toLongLong(),
             pool.workerProcessIds().value(0));
    // The pool's own describe (it fetches the function list from the first
    // worker that is ready) went out after the add: answered before the
    // kill, or ended by it (WorkerCrashed) and asked again of the new process.
    auto answeredDescribes = [&] {
        int answered = 0;
        for (int row : rowsWith(calls, CallsModel::Method, u"describe"_s))
            answered += cell(calls, row, CallsModel::Outcome) == u"Ok"_s;
        return answered;
    };
    QTRY_COMPARE(answeredDescribes(), 1);
    const QList<int> describes = rowsWith(calls, CallsModel::Method, u"describe"_s);
    QVERIFY(describes.size() == 1 || describes.size() == 2);
    if (describes.size() == 2)
        QCOMPARE(cell(calls, describes.first(), CallsModel::Outcome), u"WorkerCrashed"_s);
    // Every call that succeeded is counted by the worker slot.
    QTRY_COMPARE(cell(workers, 0, WorkersModel::Succeeded),
                 QString::number(rowsWith(calls, CallsModel::Outcome, u"Ok"_s).size()));
}

void tst_InspectorGui::saveAndOpenCapture()
{
    const QString path = m_runtime.filePath(u"capture.jsonl"_s);
    int calls = 0;
    int frames = 0;
    {
        QGbPool pool(poolWorker(), inspectable(1));
        QVERIFY(pool.waitForStarted(20000));
        MainWindow window;
        QVERIFY(attachLive(&window));
        QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
        QCOMPARE(pool.stream<int>("range_gen", 0, 10).results().size(), 10);
        // add, range_gen and the pool's own describe.
        QTRY_VERIFY(rowsWith(window.callsModel(), CallsModel::Outcome, u"Ok"_s).size() == 3);
        calls = window.callsModel()->rowCount();
        frames = window.framesModel()->rowCount();
        QString error;
        QVERIFY2(window.saveCapture(path, &error), qPrintable(error));
    }
    // The documented format: the hello first, the "end" last.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object().value(u"type").toString(), u"hello"_s);
    const QJsonObject end = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(end.value(u"type").toString(), u"end"_s);
    QCOMPARE(end.value(u"messages").toInteger(), lines.size() - 2);

    MainWindow replay;
    QSignalSpy opened(&replay, &MainWindow::captureOpened);
    replay.openCapture(path);
    QTRY_COMPARE(opened.size(), 1);
    QCOMPARE(opened.first().first().toString(), QString());
    QCOMPARE(replay.mode(), MainWindow::File);
    QCOMPARE(replay.callsModel()->rowCount(), calls);
    QCOMPARE(replay.framesModel()->rowCount(), frames);
    QCOMPARE(replay.workersModel()->rowCount(), 1);
    QVERIFY(replay.statusText().contains(u"capture.jsonl"_s));
}

void tst_InspectorGui::openRejectsWhatIsNotACapture()
{
    const QString path = m_runtime.filePath(u"not-a-capture.jsonl"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"type\":\"frame\"}\n");
    file.close();
    MainWindow window;
    QSignalSpy opened(&window, &MainWindow::captureOpened);
    window.openCapture(path);
    QTRY_COMPARE(opened.size(), 1);
    QVERIFY(opened.first().first().toString().contains(u"hello"_s));
    window.openCapture(m_runtime.filePath(u"missing.jsonl"_s));
    QTRY_COMPARE(opened.size(), 2);
    QVERIFY(!opened.last().first().toString().isEmpty());
}

// Attaching while a capture is still being read or fed to the models
// abandons the capture: its events do not go into the live session.
void tst_InspectorGui::attachWhileACaptureLoads()
{
    const QString path = m_runtime.filePath(u"big-capture.jsonl"_s);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray data = R"({"type":"hello","protocol":)"
                + QByteArray::number(QGbInspectorClient::protocolVersion())
                + R"(,"pid":1,"app":"file-app","workers":1,"clock":0})" + '\n';
        for (int i = 1; i <= 60000; ++i) {
            const QByteArray n = QByteArray::number(i);
            data += R"({"type":"call","seq":)" + n + R"(,"t":)" + n
                    + R"(,"worker":0,"event":"start","call":)" + n
                    + R"(,"link":1,"method":"from_file","mode":"call"})" + '\n';
        }
        file.write(data);
    }
    QGbPool pool(poolWorker(), inspectable(1));
    QVERIFY(pool.waitForStarted(20000));
    MainWindow window;
    QSignalSpy opened(&window, &MainWindow::captureOpened);
    window.openCapture(path);
    QVERIFY(attachLive(&window));
    QCOMPARE(pool.call<int>("add", 2, 2).result(), 4);
    QTRY_VERIFY(!rowsWith(window.callsModel(), CallsModel::Method, u"add"_s).isEmpty());
    // Long enough for the file to be read and fed, had it not been abandoned.
    QTest::qWait(2000);
    QCOMPARE(window.mode(), MainWindow::Live);
    QVERIFY(rowsWith(window.callsModel(), CallsModel::Method, u"from_file"_s).isEmpty());
    QVERIFY(!rowsWith(window.callsModel(), CallsModel::Method, u"add"_s).isEmpty());
    QCOMPARE(opened.size(), 0);
}

void tst_InspectorGui::reattachesWhenTheAppComesBack()
{
    MainWindow window;
    window.attachTo(u"gui-test-app"_s); // by name, before the app's pool exists
    QCOMPARE(window.mode(), MainWindow::Waiting);
    qint64 firstClock = 0;
    {
        QGbPool pool(poolWorker(), inspectable(1));
        QVERIFY(pool.waitForStarted(20000));
        QTRY_COMPARE_WITH_TIMEOUT(window.mode(), MainWindow::Live, 15000);
        firstClock = window.store()->hello().value(u"startedAt").toString().size();
        QVERIFY(firstClock > 0);
    }
    // The pool closed: the window waits for the application to come back.
    QTRY_COMPARE(window.mode(), MainWindow::Closed);
    QVERIFY(window.statusText().contains(u"waiting"_s));
    const QString firstHello = QString::fromUtf8(QJsonDocument(window.store()->hello()).toJson());
    QGbPool again(poolWorker(), inspectable(2));
    QVERIFY(again.waitForStarted(20000));
    QTRY_COMPARE_WITH_TIMEOUT(window.mode(), MainWindow::Live, 15000);
    QCOMPARE(window.store()->hello().value(u"workers").toInt(), 2);
    QCOMPARE(window.workersModel()->rowCount(), 2);
    QVERIFY(QString::fromUtf8(QJsonDocument(window.store()->hello()).toJson()) != firstHello);
}

void tst_InspectorGui::framesFilters()
{
    FramesModel frames;
    FramesFilterModel filter;
    filter.setSourceModel(&frames);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::Fatal);
    auto frame = [](qint64 seq, const char *dir, int worker, qint64 call, const char *msg,
                    const char *preview) {
        return QJsonObject { { u"type"_s, u"frame"_s },
                             { u"seq"_s, seq },
                             { u"dir"_s, QString::fromLatin1(dir) },
                             { u"worker"_s, worker },
                             { u"call"_s, call },
                             { u"msg"_s, QString::fromLatin1(msg) },
                             { u"preview"_s, QString::fromLatin1(preview) } };
    };
    frames.addEvents({ frame(1, "out", 0, 7, "call", "{\"type\":\"call\",\"method\":\"add\"}"),
                       frame(2, "in", 0, 7, "result", "{\"type\":\"result\",\"value\":3}"),
                       frame(3, "out", 1, 8, "call", "{\"type\":\"call\",\"method\":\"echo\"}"),
                       frame(4, "in", 1, 0, "pong", "{\"type\":\"pong\"}"),
                       QJsonObject { { u"type"_s, u"heartbeat"_s } } });
    QCOMPARE(frames.rowCount(), 4);
    QCOMPARE(filter.rowCount(), 4);
    filter.setDirection(u"in"_s);
    QCOMPARE(filter.rowCount(), 2);
    filter.setWorker(1);
    QCOMPARE(filter.rowCount(), 1);
    filter.setDirection(QString());
    filter.setWorker(-1);
    filter.setCall(7);
    QCOMPARE(filter.rowCount(), 2);
    filter.setCall(0);
    filter.setMessageType(u"call"_s);
    QCOMPARE(filter.rowCount(), 2);
    filter.setMessageType(QString());
    filter.setText(u"method\":\"e.ho"_s);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, 0).data(FramesModel::CallRole).toLongLong(), 8);
    filter.setText(u"(unbalanced"_s); // invalid: no filter
    QCOMPARE(filter.rowCount(), 4);
    filter.setText(QString());
    // Paused: nothing new shows.
    frames.setPaused(true);
    frames.addEvents({ frame(5, "out", 0, 9, "call", "{}") });
    QCOMPARE(frames.rowCount(), 4);
    frames.setPaused(false);
    // The ring: past the capacity the oldest go.
    frames.setCapacity(3);
    QCOMPARE(frames.rowCount(), 3);
    QCOMPARE(frames.index(0, FramesModel::Seq).data().toLongLong(), 2);
    frames.addEvents({ frame(6, "out", 0, 9, "call", "{}"), frame(7, "in", 0, 9, "result", "{}") });
    QCOMPARE(frames.rowCount(), 3);
    QCOMPARE(frames.index(0, FramesModel::Seq).data().toLongLong(), 4);
    QCOMPARE(frames.evictedRows(), 3);
}

void tst_InspectorGui::frameDetail()
{
    FrameDetailView view;
    const QJsonObject whole { { u"type"_s, u"frame"_s },
                              { u"msg"_s, u"result"_s },
                              { u"size"_s, 28 },
                              { u"preview"_s, u"{\"type\":\"result\",\"value\":3}"_s } };
    view.setFrame(whole);
    QTreeWidget *tree = view.tree();
    QCOMPARE(tree->topLevelItemCount(), 2);
    QTreeWidgetItem *payload = tree->topLevelItem(1);
    QCOMPARE(payload->text(0), u"payload"_s);
    QCOMPARE(payload->childCount(), 2);
    QCOMPARE(payload->child(1)->text(0), u"value"_s);
    QCOMPARE(payload->child(1)->text(1), u"3"_s);
    // Cut at 64 bytes: shown as text, not parsed.
    QJsonObject cut = whole;
    cut.insert(u"size"_s, 500);
    cut.insert(u"preview"_s, u"{\"type\":\"chunk\",\"items\":[1,2,3"_s);
    cut.insert(u"attachments"_s, QJsonArray { 10, 20 });
    cut.insert(u"attachmentCount"_s, 2);
    view.setFrame(cut);
    QVERIFY(tree->topLevelItem(1)->text(1).contains(u"cut"_s));
    QCOMPARE(FrameDetailView::hexDump("AB\x01"),
             u"0000  41 42 01                                         AB.\n"_s);
    view.setFrame(QJsonObject());
    QCOMPARE(tree->topLevelItemCount(), 0);
}

// Under a flood of frame events the GUI thread's loop stays responsive and
// the Frames ring stays within its cap. The flood comes from another process
// (gobridge-inspector-demo --load: 256 small calls in flight, each two frames
// and two call events), as it would from an application.
void tst_InspectorGui::guiStaysResponsiveUnderLoad()
{
    QProcess demo;
    // At the lowest priority: on a machine with few cores the load would
    // otherwise take the CPU the window needs, and the figures would measure
    // the scheduler rather than the window.
    demo.setProgram(u"nice"_s);
    demo.setArguments({ u"-n"_s, u"19"_s, QStringLiteral(QGB_DEMO_EXE), u"--load"_s,
                        u"--duration"_s, u"60000"_s });
    demo.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    demo.start();
    QVERIFY(demo.waitForStarted());
    auto stop = qScopeGuard([&] {
        demo.kill();
        demo.waitForFinished();
    });
    MainWindow window;
    constexpr int Cap = 20000;
    window.framesModel()->setCapacity(Cap);
    window.show();
    window.attachTo(u"inspector-demo"_s);
    QTRY_COMPARE_WITH_TIMEOUT(window.mode(), MainWindow::Live, 20000);
    QTest::qWait(500); // the workers are up, the calls flowing

    int maxRows = 0;
    connect(window.framesModel(), &QAbstractItemModel::rowsInserted, this,
            [&] { maxRows = qMax(maxRows, window.framesModel()->rowCount()); });
    qint64 frameEvents = 0;
    qint64 received = 0;
    qint64 firstSeq = -1;
    qint64 lastSeq = 0;
    connect(window.store(), &CaptureStore::eventsArrived, this,
            [&](const QList<QGbInspect::Message> &batch) {
                for (const QGbInspect::Message &e : batch) {
                    frameEvents += e.value(u"type").toString() == "frame"_L1;
                    if (e.contains(u"seq")) {
                        ++received;
                        lastSeq = e.value(u"seq").toInteger();
                        if (firstSeq < 0)
                            firstSeq = lastSeq;
                    }
                }
            });
    const qint64 droppedBefore = window.store()->droppedCount();

    // A 5 ms timer's lateness, for the whole run.
    QList<qint64> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 expected = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    connect(&probe, &QTimer::timeout, this, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (expected)
            lateness.append(qMax<qint64>(0, now - expected));
        expected = now + 5'000'000;
    });
    probe.start();
    QTest::qWait(10000); // the issue's 10 s at 20 000 frames/s
    probe.stop();
    const double seconds = double(clock.elapsed()) / 1000;

    QVERIFY(lateness.size() > 10);
    std::sort(lateness.begin(), lateness.end());
    const double p50 = double(lateness.at(lateness.size() / 2)) / 1e6;
    const double p99 = double(lateness.at(lateness.size() * 99 / 100)) / 1e6;
    const double worst = double(lateness.last()) / 1e6;
    const double rate = double(frameEvents) / seconds;
    const double events = double(lastSeq - firstSeq) / seconds;
    const qint64 dropped = window.store()->droppedCount() - droppedBefore;
    // Frames the pool sent, those dropped included (in the proportion of the
    // events received).
    const double offered = received ? rate * events * seconds / double(received) : 0;
    qInfo("load: the pool sent %.0f events/s (about %.0f frames/s); the window received %.0f "
          "frames/s (%lld events dropped by the pool for it); a 5 ms timer fired %lld times, "
          "late by p50 %.2f ms, p99 %.2f ms, max %.2f ms; Frames rows max %d (cap %d)",
          events, offered, rate, dropped, qint64(lateness.size()), p50, p99, worst, maxRows, Cap);
    QVERIFY(maxRows <= Cap);
    if (frameEvents >= Cap)
        QCOMPARE(window.framesModel()->rowCount(), Cap);
    // The latency is only meaningful under the load it is specified for.
    if (offered < 20000)
        QSKIP(qPrintable(u"the load was %1 frames/s, not 20000: the machine is too busy to "
                         "measure the latency (p99 %2 ms)"_s.arg(offered)
                                 .arg(p99)));
    QVERIFY2(p99 < 50, qPrintable(u"p99 lateness %1 ms"_s.arg(p99)));
}

QTEST_MAIN(tst_InspectorGui)
#include "tst_inspectorgui.moc"
