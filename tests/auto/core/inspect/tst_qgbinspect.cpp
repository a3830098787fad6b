// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The inspector's side channel (docs/inspector.md): an inspectable pool's
// registry entry, handshake, events and flight recorder; inspectors that read
// too slowly, of another user, or that send or receive garbage.

#include "qgbtesthelpers.h"

#include "qgbflightrecorder_p.h"
#include "qgbinspectorclient.h"
#include "qgbinspectorregistry.h"
#include "qgbinspectwire_p.h"

#include <QGbChannel>
#include <QGbPool>

#include <QtCore/qdir.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qlocalserver.h>
#include <QtNetwork/qlocalsocket.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>
#include <algorithm>
#include <numeric>

#include <memory>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QGbPoolOptions inspectable(int workers = 1, int connections = 2)
{
    return testOptions(workers, connections).setInspectable(true);
}

// This process's registry entry (one pool at a time in these tests).
QString socketOf()
{
    for (const QGbInspectorPoolEntry &entry : QGbInspectorRegistry::pools())
        if (entry.pid == QCoreApplication::applicationPid())
            return entry.socketPath;
    return QString();
}

int ownEntries()
{
    int n = 0;
    for (const QGbInspectorPoolEntry &entry : QGbInspectorRegistry::pools())
        n += entry.pid == QCoreApplication::applicationPid();
    return n;
}

// An attached inspector and everything it received.
class Inspector : public QObject
{
public:
    Inspector()
    {
        connect(&client, &QGbInspectorClient::messageReceived, this,
                [this](const QGbInspect::Message &message) {
                    messages.append(message.toObject());
                    if (message.value(u"type").toString() == u"live"_s)
                        liveAt = int(messages.size());
                });
    }
    bool attach(const QString &path)
    {
        client.connectToPool(path);
        QElapsedTimer timer;
        timer.start();
        while (client.state() == QGbInspectorClient::Connecting && timer.elapsed() < 10000)
            QTest::qWait(5);
        return client.state() == QGbInspectorClient::Attached;
    }
    // The messages of this type (and, if given, with field == value).
    QList<QJsonObject> find(const QString &type, const QString &field = QString(),
                            const QJsonValue &value = QJsonValue(), bool historyOnly = false) const
    {
        QList<QJsonObject> found;
        const qsizetype end = historyOnly && liveAt > 0 ? liveAt : messages.size();
        for (qsizetype i = 0; i < end; ++i) {
            const QJsonObject &m = messages.at(i);
            // The pool's own describe (it fetches the function list when a
            // worker is ready) is a call too: asked for only by its mode.
            if (m.value(u"mode").toString() == u"describe" && field != u"mode")
                continue;
            if (m.value(u"type").toString() == type && (field.isEmpty() || m.value(field) == value))
                found.append(m);
        }
        return found;
    }
    // The frames of the call a call event is about: ids are per connection.
    QList<QJsonObject> framesOf(const QJsonObject &call, bool historyOnly = false) const
    {
        QList<QJsonObject> found;
        for (const QJsonObject &frame :
             find(u"frame"_s, u"call"_s, call.value(u"call"_s), historyOnly)) {
            if (!call.contains(u"connection")
                || frame.value(u"connection") == call.value(u"connection"))
                found.append(frame);
        }
        return found;
    }
    QString dump() const
    {
        QStringList lines;
        for (const QJsonObject &m : messages)
            lines.append(QString::fromUtf8(QJsonDocument(m).toJson(QJsonDocument::Compact)));
        return lines.join(u'\n');
    }

    QGbInspectorClient client;
    QList<QJsonObject> messages;
    int liveAt = 0; // the index after "live"
};

// A Unix domain socket connected with the system calls: it reads nothing
// unless asked, like an inspector that hangs.
int connectRaw(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const QByteArray name = QFile::encodeName(path);
    memcpy(address.sun_path, name.constData(), size_t(name.size()));
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads lines from fd until one satisfies done or msecs pass.
bool readRawUntil(int fd, const std::function<bool(const QJsonObject &)> &done, int msecs,
                  QByteArray *all)
{
    QElapsedTimer timer;
    timer.start();
    QByteArray buffer;
    while (timer.elapsed() < msecs) {
        pollfd p { fd, POLLIN, 0 };
        if (::poll(&p, 1, 100) <= 0)
            continue;
        char chunk[65536];
        const ssize_t n = ::read(fd, chunk, sizeof(chunk));
        if (n <= 0)
            return false;
        buffer.append(chunk, n);
        qsizetype nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
            const QByteArray line = buffer.left(nl);
            buffer.remove(0, nl + 1);
            if (all)
                all->append(line).append('\n');
            if (done(QJsonDocument::fromJson(line).object()))
                return true;
        }
    }
    return false;
}

} // namespace

class tst_QGbInspect : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void notInspectableByDefault();
    void environmentMakesInspectable();
    void registryEntry();
    void deadEntriesRemoved();
    void attachSeesCallsFramesAndWorkers();
    void flightRecorderShowsWhatPrecededAKill();
    void lastEventsReachInspectorsAsThePoolCloses();
    void flightRecorderOff();
    void inputStreamStallsAndCounts();
    void severalInspectors();
    void stalledInspectorDoesNotBlockThePool();
    void otherUserRefused();
    void garbageFromInspector_data();
    void garbageFromInspector();
    void garbageFromPool_data();
    void garbageFromPool();
    void inspectorHelloOfAnotherVersion();
    void linksNameCallsAcrossConnectionsAndRestarts();
    void failedDescribeIsNotOk();
    void encodedEvents_data();
    void encodedEvents();
    void messageReader_data();
    void messageReader();

private:
    QTemporaryDir m_runtime;
};

void tst_QGbInspect::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    qunsetenv("QGOBRIDGE_INSPECT");
    QCOMPARE(QGbInspectorRegistry::directory(), m_runtime.path() + u"/qgobridge"_s);
}

void tst_QGbInspect::cleanup()
{
    qunsetenv("QGOBRIDGE_INSPECT");
    QTRY_COMPARE(ownEntries(), 0);
}

void tst_QGbInspect::notInspectableByDefault()
{
    QGbPool pool(poolWorker(), testOptions());
    QVERIFY(!pool.options().isInspectable());
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
    QCOMPARE(ownEntries(), 0);
}

void tst_QGbInspect::environmentMakesInspectable()
{
    qputenv("QGOBRIDGE_INSPECT", "1");
    QGbPool pool(poolWorker(), testOptions());
    QTRY_COMPARE(ownEntries(), 1);
    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
    QTRY_COMPARE(inspector.find(u"call"_s, u"event"_s, u"end"_s).size(), 1);
}

void tst_QGbInspect::registryEntry()
{
    QCoreApplication::setApplicationName(u"inspect-test"_s);
    {
        QGbPool pool(poolWorker(), inspectable(2));
        QTRY_COMPARE(ownEntries(), 1);
        const QList<QGbInspectorPoolEntry> pools = QGbInspectorRegistry::pools();
        QCOMPARE(pools.size(), 1);
        const QGbInspectorPoolEntry entry = pools.first();
        QCOMPARE(entry.app, u"inspect-test"_s);
        QCOMPARE(entry.script, poolWorker());
        QCOMPARE(entry.workers, 2);
        QCOMPARE(entry.protocol, QGbInspect::ProtocolVersion);
        QCOMPARE(entry.library, QStringLiteral(QGOBRIDGE_VERSION_STR));
        QVERIFY(entry.startedAt.isValid());

        struct stat info;
        QCOMPARE(::stat(QFile::encodeName(QGbInspectorRegistry::directory()).constData(), &info),
                 0);
        QCOMPARE(info.st_mode & 0777, mode_t(0700));
        QCOMPARE(::stat(QFile::encodeName(entry.socketPath).constData(), &info), 0);
        QVERIFY(S_ISSOCK(info.st_mode));
        QCOMPARE(info.st_mode & 0777, mode_t(0600));

        QGbInspectorPoolEntry byName;
        QString error;
        QVERIFY(QGbInspectorRegistry::find(QString::number(entry.pid), &byName, &error));
        QCOMPARE(byName.socketPath, entry.socketPath);
        QVERIFY2(QGbInspectorRegistry::find(u"inspect-test"_s, &byName, &error), qPrintable(error));
        QCOMPARE(byName.socketPath, entry.socketPath);
        QVERIFY(QGbInspectorRegistry::find(u"poolworker.py"_s, &byName, &error));
        QVERIFY(!QGbInspectorRegistry::find(u"nothing-of-that-name"_s, &byName, &error));
        QVERIFY(error.contains(u"nothing-of-that-name"_s));

        pool.close();
        // The pool removed its entry and its socket.
        QVERIFY(!QFile::exists(entry.entryPath));
        QVERIFY(!QFile::exists(entry.socketPath));
    }
    QCoreApplication::setApplicationName(u"tst_qgbinspect"_s);
}

// An entry whose process is gone is removed by the inspector that finds it.
void tst_QGbInspect::deadEntriesRemoved()
{
    QProcess done;
    done.start(u"true"_s);
    QVERIFY(done.waitForStarted());
    const qint64 deadPid = done.processId();
    QVERIFY(done.waitForFinished());

    QString error;
    const QString dir = QGbInspect::ensureRegistryDirectory(&error);
    QVERIFY2(!dir.isEmpty(), qPrintable(error));
    const QString json = dir + u"/%1-1.json"_s.arg(deadPid);
    const QString sock = dir + u"/%1-1.sock"_s.arg(deadPid);
    QFile file(json);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(QJsonObject { { u"pid"_s, deadPid },
                                           { u"socket"_s, QFileInfo(sock).fileName() },
                                           { u"protocol"_s, 1 } })
                       .toJson());
    file.close();
    QFile sockFile(sock);
    QVERIFY(sockFile.open(QIODevice::WriteOnly));
    sockFile.close();
    QVERIFY(QFile::exists(json));

    for (const QGbInspectorPoolEntry &entry : QGbInspectorRegistry::pools())
        QVERIFY(entry.pid != deadPid);
    QVERIFY(!QFile::exists(json));
    QVERIFY(!QFile::exists(sock));
}

void tst_QGbInspect::attachSeesCallsFramesAndWorkers()
{
    QGbPool pool(poolWorker(), inspectable(1, 2));
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));

    const QJsonObject hello = inspector.client.hello();
    QCOMPARE(hello.value(u"protocol"_s).toInt(), QGbInspect::ProtocolVersion);
    QCOMPARE(hello.value(u"library"_s).toString(), QStringLiteral(QGOBRIDGE_VERSION_STR));
    QCOMPARE(hello.value(u"pid"_s).toInteger(), QCoreApplication::applicationPid());
    QCOMPARE(hello.value(u"script"_s).toString(), poolWorker());
    QCOMPARE(hello.value(u"workers"_s).toInt(), 1);
    QVERIFY(hello.value(u"capabilities"_s).toArray().contains(u"frame"_s));
    QVERIFY(!hello.value(u"startedAt"_s).toString().isEmpty());

    // The flight recorder: the worker started and got ready before we attached.
    QTRY_VERIFY(inspector.liveAt > 0);
    const QList<QJsonObject> starting =
            inspector.find(u"worker"_s, u"state"_s, u"starting"_s, true);
    QCOMPARE(starting.size(), 1);
    QCOMPARE(starting.first().value(u"pid"_s).toInteger(), pool.workerProcessIds().value(0));
    QCOMPARE(inspector.find(u"worker"_s, u"state"_s, u"ready"_s, true).size(), 1);
    QVERIFY(!inspector.find(u"connection"_s, u"control"_s, true, true).isEmpty());

    QCOMPARE(pool.call<QString>("echo", u"inspect me"_s).result(), u"inspect me"_s);
    QCOMPARE(pool.stream<int>("range_gen", 0, 5).results().size(), 5);
    QCOMPARE(pool.call<int>("print_lines", 2).result(), 2);
    QTRY_COMPARE(inspector.find(u"call"_s, u"event"_s, u"end"_s).size(), 3);

    const QJsonObject start = inspector.find(u"call"_s, u"method"_s, u"echo"_s).first();
    QCOMPARE(start.value(u"event"_s).toString(), u"start"_s);
    QCOMPARE(start.value(u"mode"_s).toString(), u"call"_s);
    QCOMPARE(start.value(u"worker"_s).toInt(), 0);
    const qint64 id = start.value(u"call"_s).toInteger();
    QVERIFY(id > 0);
    const QJsonObject end = inspector.find(u"call"_s, u"method"_s, u"echo"_s).last();
    QCOMPARE(end.value(u"event"_s).toString(), u"end"_s);
    QCOMPARE(end.value(u"outcome"_s).toString(), u"Ok"_s);
    QCOMPARE(end.value(u"itemsOut"_s).toInteger(), 1);
    QVERIFY(end.value(u"durationUs"_s).toInteger() > 0);
    QVERIFY(end.value(u"t"_s).toInteger() >= start.value(u"t"_s).toInteger());

    // Its frames, both ways, on the same connection.
    QList<QJsonObject> frames = inspector.framesOf(start);
    QVERIFY2(frames.size() >= 2, qPrintable(inspector.dump()));
    const QJsonObject out = frames.first();
    QCOMPARE(out.value(u"dir"_s).toString(), u"out"_s);
    QCOMPARE(out.value(u"msg"_s).toString(), u"call"_s);
    QVERIFY(out.value(u"size"_s).toInteger() > 0);
    QVERIFY(out.value(u"preview"_s).toString().contains(u"echo"_s));
    QVERIFY(out.value(u"preview"_s).toString().size() <= 64);
    const QJsonObject in = frames.last();
    QCOMPARE(in.value(u"dir"_s).toString(), u"in"_s);
    QCOMPARE(in.value(u"msg"_s).toString(), u"result"_s);
    QCOMPARE(in.value(u"connection"_s), out.value(u"connection"_s));

    const QJsonObject streamEnd = inspector.find(u"call"_s, u"method"_s, u"range_gen"_s).last();
    QCOMPARE(streamEnd.value(u"mode"_s).toString(), u"stream"_s);
    QCOMPARE(streamEnd.value(u"itemsOut"_s).toInteger(), 5);

    QTRY_COMPARE(inspector.find(u"output"_s).size(), 4);
    const QList<QJsonObject> errLine = inspector.find(u"output"_s, u"line"_s, u"err line 1"_s);
    QVERIFY2(errLine.size() == 1, qPrintable(inspector.dump()));
    QCOMPARE(errLine.first().value(u"channel"_s).toString(), u"stderr"_s);

    // Sequence numbers increase by one: nothing was lost.
    qint64 last = -1;
    for (const QJsonObject &m : std::as_const(inspector.messages)) {
        if (!m.contains(u"seq"_s) || m.value(u"type"_s).toString() == u"live"_s)
            continue;
        const qint64 seq = m.value(u"seq"_s).toInteger();
        if (last >= 0)
            QCOMPARE(seq, last + 1);
        last = seq;
    }
    QCOMPARE(inspector.client.droppedEvents(), 0);
    QVERIFY(inspector.find(u"dropped"_s).isEmpty());
}

// What happened in the last flush interval before the pool closed (a call
// that ended, the calls failed by the close, the connections closing) reaches
// the inspectors before their connections close, not nothing after the last
// batch.
void tst_QGbInspect::lastEventsReachInspectorsAsThePoolCloses()
{
    Inspector inspector;
    {
        QGbPool pool(poolWorker(), inspectable(1, 2));
        QVERIFY(pool.waitForStarted(20000));
        QTRY_COMPARE(ownEntries(), 1);
        QVERIFY(inspector.attach(socketOf()));
        QTRY_VERIFY(inspector.liveAt > 0);
        QFuture<int> running = pool.call<int>("slow_add", 1, 2, 60);
        QTRY_COMPARE(inspector.find(u"call"_s, u"method"_s, u"slow_add"_s).size(), 1);
        // No event loop turn from here to the pool's end: well within one
        // flush interval (QGbInspectServer::FlushInterval, 10 ms).
        QCOMPARE(pool.call<int>("add", 3, 4).result(), 7);
        QVERIFY(!running.isFinished());
    }
    QTRY_COMPARE(inspector.client.state(), QGbInspectorClient::Closed);

    const QList<QJsonObject> add = inspector.find(u"call"_s, u"method"_s, u"add"_s);
    QCOMPARE(add.size(), 2);
    QCOMPARE(add.last().value(u"event"_s).toString(), u"end"_s);
    QCOMPARE(add.last().value(u"outcome"_s).toString(), u"Ok"_s);
    const QList<QJsonObject> addFrames = inspector.framesOf(add.first());
    QVERIFY2(addFrames.size() >= 2, qPrintable(inspector.dump()));
    QCOMPARE(addFrames.last().value(u"msg"_s).toString(), u"result"_s);

    const QList<QJsonObject> slow = inspector.find(u"call"_s, u"method"_s, u"slow_add"_s);
    QCOMPARE(slow.size(), 2);
    QCOMPARE(slow.last().value(u"event"_s).toString(), u"end"_s);
    QCOMPARE(slow.last().value(u"outcome"_s).toString(), u"PoolClosed"_s);
    // Every connection it saw open, it saw close (the control connection's too).
    QCOMPARE(inspector.find(u"connection"_s, u"event"_s, u"close"_s).size(),
             inspector.find(u"connection"_s, u"event"_s, u"open"_s).size());
}

// Attach after a worker was SIGKILLed: the flight recorder holds the frames
// of the call before, the exit with its signal and the restart.
void tst_QGbInspect::flightRecorderShowsWhatPrecededAKill()
{
    QGbPool pool(poolWorker(), inspectable(1, 1));
    QVERIFY(pool.waitForStarted(20000));
    QCOMPARE(pool.call<int>("add", 20, 22).result(), 42);
    const qint64 pid = pool.workerProcessIds().value(0);
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    // Replaced: a new process, ready.
    QTRY_VERIFY(pool.workerProcessIds().value(0) > 0 && pool.workerProcessIds().value(0) != pid
                && pool.readyWorkers() == 1);

    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));
    QTRY_VERIFY(inspector.liveAt > 0);

    const QList<QJsonObject> adds = inspector.find(u"call"_s, u"method"_s, u"add"_s, true);
    QCOMPARE(adds.size(), 2);
    const qint64 id = adds.first().value(u"call"_s).toInteger();
    const QList<QJsonObject> frames = inspector.framesOf(adds.first(), true);
    QVERIFY2(frames.size() >= 2, qPrintable(inspector.dump()));
    QVERIFY(frames.first().value(u"preview"_s).toString().contains(u"add"_s));

    const QList<QJsonObject> exited = inspector.find(u"worker"_s, u"state"_s, u"exited"_s, true);
    QVERIFY2(exited.size() == 1, qPrintable(inspector.dump()));
    QCOMPARE(exited.first().value(u"pid"_s).toInteger(), pid);
    QCOMPARE(exited.first().value(u"signal"_s).toInt(), SIGKILL);
    // The call's frames both ways came before the exit. (Connection numbers
    // and call ids start again in the new worker: later frames may share them.)
    const qint64 exitSeq = exited.first().value(u"seq"_s).toInteger();
    const auto before =
            std::count_if(frames.cbegin(), frames.cend(), [exitSeq](const QJsonObject &f) {
                return f.value(u"seq"_s).toInteger() < exitSeq;
            });
    QVERIFY2(before >= 2, qPrintable(inspector.dump()));
    const QList<QJsonObject> restart =
            inspector.find(u"worker"_s, u"state"_s, u"restartScheduled"_s, true);
    QCOMPARE(restart.size(), 1);
    QVERIFY(restart.first().value(u"delayMs"_s).toInteger() > 0);
    QCOMPARE(inspector.find(u"worker"_s, u"state"_s, u"ready"_s, true).size(), 2);
    // The control connection of the killed worker was closed, with its reason.
    QVERIFY(!inspector.find(u"connection"_s, u"event"_s, u"close"_s, true).isEmpty());
}

void tst_QGbInspect::flightRecorderOff()
{
    QGbPool pool(poolWorker(), inspectable().setFlightRecorderSize(0));
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));
    QTRY_VERIFY(inspector.liveAt > 0);
    QCOMPARE(inspector.liveAt, 1); // nothing before "live"
    QCOMPARE(inspector.client.hello().value(u"flightRecorder"_s).toInt(), 0);
    QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
    QTRY_COMPARE(inspector.find(u"call"_s, u"event"_s, u"end"_s).size(), 1);
}

// A client stream far larger than the worker's input credit: the host waits
// for credit (a "stall" event) and the call's end counts the items sent.
void tst_QGbInspect::inputStreamStallsAndCounts()
{
    QGbPool pool(poolWorker(), inspectable());
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));

    const int count = 20000;
    QGbChannel numbers;
    QFuture<qint64> total = pool.call<qint64>("sum_stream", numbers);
    int next = 0;
    auto fill = [&] {
        while (next < count && numbers.write(qint64(1)))
            ++next;
        if (next == count && !numbers.isClosed())
            numbers.close();
    };
    connect(&numbers, &QGbChannel::writable, this, fill);
    fill();
    QVERIFY(waitFor(total, 60000));
    QCOMPARE(total.result(), qint64(count));

    QTRY_COMPARE(inspector.find(u"call"_s, u"method"_s, u"sum_stream"_s).size(), 2);
    const QJsonObject end = inspector.find(u"call"_s, u"method"_s, u"sum_stream"_s).last();
    QCOMPARE(end.value(u"mode"_s).toString(), u"clientStream"_s);
    QCOMPARE(end.value(u"itemsIn"_s).toInteger(), count);
    QCOMPARE(end.value(u"itemsOut"_s).toInteger(), 1);
    const QList<QJsonObject> stalls = inspector.find(u"stall"_s, u"call"_s, end.value(u"call"_s));
    QVERIFY2(!stalls.isEmpty(), "no input credit stall in 20000 items");
    QCOMPARE(stalls.first().value(u"credit"_s).toString(), u"input"_s);
    // Its chunks went out as frames of the call, with their sizes.
    bool chunk = false;
    for (const QJsonObject &frame : inspector.framesOf(end))
        chunk = chunk
                || (frame.value(u"msg"_s).toString() == u"chunk"_s
                    && frame.value(u"dir"_s).toString() == u"out"_s
                    && frame.value(u"size"_s).toInteger() > 0);
    QVERIFY(chunk);
}

void tst_QGbInspect::severalInspectors()
{
    QGbPool pool(poolWorker(), inspectable());
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    Inspector a;
    Inspector b;
    QVERIFY(a.attach(socketOf()));
    QVERIFY(b.attach(socketOf()));
    QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
    QTRY_COMPARE(a.find(u"call"_s, u"event"_s, u"end"_s).size(), 1);
    QTRY_COMPARE(b.find(u"call"_s, u"event"_s, u"end"_s).size(), 1);
    a.client.close();
    QCOMPARE(pool.call<int>("add", 2, 2).result(), 4);
    QTRY_COMPARE(b.find(u"call"_s, u"event"_s, u"end"_s).size(), 2);
}

// An inspector that never reads neither blocks nor slows the pool: the calls
// go on, another inspector keeps receiving, and the hung one is told how many
// events it lost once it reads again.
void tst_QGbInspect::stalledInspectorDoesNotBlockThePool()
{
    QGbPool pool(poolWorker(), inspectable(1, 4).setFlightRecorderSize(200));
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    const int fd = connectRaw(socketOf());
    QVERIFY(fd >= 0);
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    Inspector healthy;
    QVERIFY(healthy.attach(socketOf()));

    // Far more than the ring, the pool's per-inspector bound and the
    // kernel's socket buffers hold.
    const int calls = 3000;
    const QString big(200, u'x');
    QList<QFuture<QString>> futures;
    for (int i = 0; i < calls; ++i)
        futures.append(pool.call<QString>("echo", big));
    for (const QFuture<QString> &f : std::as_const(futures))
        QVERIFY(waitFor(f, 60000));
    QCOMPARE(futures.last().result(), big);
    // The other inspector still receives what happens now (under this load
    // it may have lost older events itself: the ring is its queue too).
    QCOMPARE(pool.call<int>("add", 40, 2).result(), 42);
    QTRY_COMPARE_WITH_TIMEOUT(healthy.find(u"call"_s, u"method"_s, u"add"_s).size(), 2, 20000);

    // Now the hung inspector reads: it gets a "dropped" report.
    QByteArray all;
    qint64 dropped = 0;
    QVERIFY(readRawUntil(
            fd,
            [&](const QJsonObject &m) {
                if (m.value(u"type"_s).toString() != u"dropped"_s)
                    return false;
                dropped = m.value(u"count"_s).toInteger();
                return true;
            },
            20000, &all));
    QVERIFY(dropped > 0);
    QVERIFY(all.startsWith("{\"type\":\"hello\""));
    QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
}

// A peer running as another user is refused by the side channel's
// SO_PEERCRED check, even with the directory and the socket opened up for it.
void tst_QGbInspect::otherUserRefused()
{
    if (::geteuid() != 0)
        QSKIP("needs root to connect as another user");
    QGbPool pool(poolWorker(), inspectable());
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    const QString path = socketOf();
    const QByteArray dir = QFile::encodeName(QGbInspectorRegistry::directory());
    const QByteArray runtime = QFile::encodeName(m_runtime.path());
    QVERIFY(::chmod(dir.constData(), 0711) == 0);
    QVERIFY(::chmod(runtime.constData(), 0711) == 0);
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0666) == 0);
    const auto restore = qScopeGuard([&] {
        ::chmod(QFile::encodeName(path).constData(), 0600);
        ::chmod(dir.constData(), 0700);
        ::chmod(runtime.constData(), 0700);
    });

    const char *client = R"(
import os, socket, sys
os.setgid(65534)
os.setuid(65534)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"type":"hello","protocol":1}\n')
except OSError:
    pass
data = b""
s.settimeout(10)
while True:
    try:
        chunk = s.recv(65536)
    except ConnectionResetError:
        break
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
)";
    QProcess process;
    process.start(u"python3"_s, { u"-c"_s, QString::fromUtf8(client), path });
    QVERIFY(process.waitForFinished(20000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    const QByteArray out = process.readAllStandardOutput();
    // One line, the refusal: no hello, no event.
    QCOMPARE(out.count('\n'), 1);
    const QJsonObject reply = QJsonDocument::fromJson(out).object();
    QCOMPARE(reply.value(u"type"_s).toString(), u"error"_s);
    QCOMPARE(reply.value(u"code"_s).toString(), u"Unauthorized"_s);
    QVERIFY2(reply.value(u"message"_s).toString().contains(u"user"_s), out.constData());
    QCOMPARE(pool.call<int>("add", 1, 1).result(), 2);
}

void tst_QGbInspect::garbageFromInspector_data()
{
    QTest::addColumn<QByteArray>("garbage");
    QTest::newRow("not JSON") << QByteArray("hello there\n");
    QTest::newRow("not an object") << QByteArray("[1,2,3]\n");
    QTest::newRow("no type") << QByteArray("{\"protocol\":1}\n");
    QTest::newRow("unknown type") << QByteArray("{\"type\":\"call\",\"method\":\"add\"}\n");
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe\x01\n", 5);
    QTest::newRow("endless line") << QByteArray(QGbInspect::MaxInspectorLine + 10, 'x');
}

// Whatever an inspector writes that is not its hello closes its connection,
// and nothing else: the pool goes on and others still attach.
void tst_QGbInspect::garbageFromInspector()
{
    QFETCH(QByteArray, garbage);
    QGbPool pool(poolWorker(), inspectable());
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    QLocalSocket socket;
    socket.connectToServer(socketOf());
    QVERIFY(socket.waitForConnected(5000));
    QTRY_VERIFY(socket.canReadLine());
    QVERIFY(socket.readLine().startsWith("{\"type\":\"hello\""));
    socket.write(garbage);
    QTRY_COMPARE(socket.state(), QLocalSocket::UnconnectedState);

    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));
    QCOMPARE(pool.call<int>("add", 2, 2).result(), 4);
    QTRY_COMPARE(inspector.find(u"call"_s, u"event"_s, u"end"_s).size(), 2);
}

void tst_QGbInspect::garbageFromPool_data()
{
    QTest::addColumn<QByteArray>("garbage");
    QTest::addColumn<QString>("says");
    const QByteArray hello = "{\"type\":\"hello\",\"protocol\":1,\"library\":\"0\",\"pid\":1}\n";
    QTest::newRow("not JSON") << QByteArray("garbage\n") << u"not JSON"_s;
    QTest::newRow("not an object") << QByteArray("[42]\n") << u"not a JSON object"_s;
    QTest::newRow("type not a string") << QByteArray("{\"type\":7}\n") << u"type"_s;
    QTest::newRow("event before hello")
            << QByteArray("{\"type\":\"call\",\"seq\":0}\n") << u"instead of its hello"_s;
    QTest::newRow("garbage after hello") << hello + "\x01\x02\x03\n" << u"not JSON"_s;
    QTest::newRow("endless line") << hello + QByteArray(QGbInspect::MaxPoolLine + 10, '{')
                                  << u"longer than"_s;
    QTest::newRow("other protocol")
            << QByteArray("{\"type\":\"hello\",\"protocol\":99,\"library\":\"9.9.9\",\"pid\":7}\n")
            << u"protocol 99; this inspector reads protocol 1"_s;
}

// Whatever a "pool" sends that the client cannot read closes the connection
// with an error that says why (naming both versions when they differ).
void tst_QGbInspect::garbageFromPool()
{
    QFETCH(QByteArray, garbage);
    QFETCH(QString, says);
    QLocalServer server;
    const QString path = m_runtime.path() + u"/fake.sock"_s;
    QVERIFY(server.listen(path));
    Inspector inspector;
    QSignalSpy errors(&inspector.client, &QGbInspectorClient::errorOccurred);
    inspector.client.connectToPool(path);
    QVERIFY(server.waitForNewConnection(5000));
    QLocalSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);
    peer->write(garbage);
    QTRY_COMPARE(errors.size(), 1);
    QVERIFY2(errors.first().first().toString().contains(says),
             qPrintable(errors.first().first().toString()));
    QCOMPARE(inspector.client.state(), QGbInspectorClient::Closed);
    QTRY_COMPARE(peer->state(), QLocalSocket::UnconnectedState);
    QVERIFY(inspector.messages.isEmpty());
}

// A pool answers an inspector of another protocol version with an error
// naming both versions, then closes.
void tst_QGbInspect::inspectorHelloOfAnotherVersion()
{
    QGbPool pool(poolWorker(), inspectable());
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    QLocalSocket socket;
    socket.connectToServer(socketOf());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("{\"type\":\"hello\",\"protocol\":42}\n");
    QByteArray all;
    QTRY_VERIFY((all += socket.readAll()).contains("\"error\""));
    const QList<QByteArray> lines = all.trimmed().split('\n');
    const QJsonObject error = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(error.value(u"code"_s).toString(), u"VersionMismatch"_s);
    const QString message = error.value(u"message"_s).toString();
    QVERIFY2(message.contains(u"protocol 1"_s) && message.contains(u"protocol 42"_s),
             qPrintable(message));
    QTRY_COMPARE(socket.state(), QLocalSocket::UnconnectedState);
    QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
}

QTEST_GUILESS_MAIN(tst_QGbInspect)
#include "tst_qgbinspect.moc"

// Call ids are per connection, and a restarted worker numbers its
// connections from 1 again: the pool's link number is what tells two calls
// with the same id apart, on every event about them.
void tst_QGbInspect::linksNameCallsAcrossConnectionsAndRestarts()
{
    // One worker, one call connection: the 20 calls before the kill and the
    // 10 after it have ids from 1 on two connections, so ids repeat.
    QGbPool pool(poolWorker(), inspectable(1, 1));
    QVERIFY(pool.waitForStarted(20000));
    QTRY_COMPARE(ownEntries(), 1);
    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));
    QList<QFuture<int>> adds;
    for (int i = 0; i < 20; ++i)
        adds.append(pool.call<int>("add", i, 1));
    for (int i = 0; i < adds.size(); ++i)
        QCOMPARE(adds.at(i).result(), i + 1);
    // A worker killed: its replacement's connections get new links.
    const qint64 pid = pool.workerProcessIds().value(0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QTRY_VERIFY(pool.workerProcessIds().value(0) != pid && pool.readyWorkers() == 1);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(pool.call<int>("add", i, 2).result(), i + 2);
    QTRY_COMPARE(inspector.find(u"call"_s, u"event"_s, u"end"_s).size(), 30);

    QSet<QPair<qint64, qint64>> keys;
    QSet<qint64> ids;
    for (const QJsonObject &start : inspector.find(u"call"_s, u"event"_s, u"start"_s)) {
        const qint64 link = start.value(u"link"_s).toInteger();
        const qint64 id = start.value(u"call"_s).toInteger();
        QVERIFY2(link > 0, qPrintable(inspector.dump()));
        keys.insert({ link, id });
        ids.insert(id);
        // Its end and its frames carry the same link.
        int ends = 0;
        for (const QJsonObject &end : inspector.find(u"call"_s, u"event"_s, u"end"_s)) {
            ends += end.value(u"link"_s).toInteger() == link
                    && end.value(u"call"_s).toInteger() == id;
        }
        QCOMPARE(ends, 1);
        int frames = 0;
        for (const QJsonObject &frame : inspector.find(u"frame"_s, u"call"_s, id))
            frames += frame.value(u"link"_s).toInteger() == link;
        QVERIFY2(frames >= 2, qPrintable(inspector.dump()));
    }
    QCOMPARE(keys.size(), 30); // every call its own (link, id)
    QVERIFY(ids.size() < 30);  // while ids alone repeat
    // Links are known from the first frame, before the worker's hello gives
    // a connection its number; each connection's open and frames share one.
    QSet<qint64> opened;
    for (const QJsonObject &open : inspector.find(u"connection"_s, u"event"_s, u"open"_s))
        opened.insert(open.value(u"link"_s).toInteger());
    QVERIFY(!opened.contains(0));
    for (const QJsonObject &frame : inspector.find(u"frame"_s)) {
        QVERIFY2(opened.contains(frame.value(u"link"_s).toInteger()),
                 qPrintable(QJsonDocument(frame).toJson()));
    }
}

// The pool's own describe reports its failure like any call: it once ended
// "Ok" on the side channel when its worker broke its connection.
void tst_QGbInspect::failedDescribeIsNotOk()
{
    QGbPool pool(poolWorker(), inspectable(1, 1).setEnvironment({ u"GB_BROKEN_DESCRIBE=1"_s }));
    QTRY_COMPARE(ownEntries(), 1);
    Inspector inspector;
    QVERIFY(inspector.attach(socketOf()));
    QVERIFY(pool.waitForStarted(20000));
    QTRY_VERIFY(!inspector.find(u"call"_s, u"mode"_s, u"describe"_s).isEmpty()
                && inspector.find(u"call"_s, u"mode"_s, u"describe"_s).last().value(u"event"_s)
                        == u"end"_s);
    const QJsonObject end = inspector.find(u"call"_s, u"mode"_s, u"describe"_s).last();
    QVERIFY2(end.value(u"outcome"_s).toString() != u"Ok"_s, qPrintable(inspector.dump()));
    QVERIFY(pool.functions().isEmpty());
}

// The encoder, alone: every event a line of JSON with the fields the
// protocol names, whatever the strings hold (a method name with a lone
// surrogate once gave a line that was not JSON, and the inspector closed).
void tst_QGbInspect::encodedEvents_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("preview");
    QTest::addColumn<qint64>("outcome");
    QTest::addColumn<QJsonObject>("expected");
    QTest::addColumn<QList<int>>("attachments"); // of a frame: their sizes

    const QByteArray callFrame(R"({"type":"call","id":4711,"method":"add","args":[3,4]})");
    QTest::newRow("frame out") << int(QGbInspectEvent::FrameSent) << QString() << callFrame
                               << qint64(0)
                               << QJsonObject { { u"type"_s, u"frame"_s },
                                                { u"dir"_s, u"out"_s },
                                                { u"call"_s, 4711 },
                                                { u"msg"_s, u"call"_s },
                                                { u"link"_s, 5 },
                                                { u"size"_s, callFrame.size() },
                                                { u"preview"_s, QString::fromLatin1(callFrame) } }
                               << QList<int>();
    QTest::newRow("frame out, type escaped")
            << int(QGbInspectEvent::FrameSent) << QString()
            << QByteArray(R"({"type":"a\\b\u00e9","id":12})") << qint64(0)
            << QJsonObject { { u"msg"_s, uR"(a\\b\u00e9)"_s }, { u"call"_s, 12 } } << QList<int>();
    QTest::newRow("frame out, UTF-8 and control bytes")
            << int(QGbInspectEvent::FrameSent) << QString()
            << QByteArray("{\"type\":\"\xc3\xa9\",\"id\":1,\"x\":\"\x01\xff\"}") << qint64(0)
            << QJsonObject { { u"msg"_s, u"\u00e9"_s },
                             { u"preview"_s,
                               u"{\"type\":\"\u00c3\u00a9\",\"id\":1,\"x\":\"\u0001\u00ff\"}"_s } }
            << QList<int>();
    QTest::newRow("frame out, cut before its id")
            << int(QGbInspectEvent::FrameSent) << QString() << QByteArray(R"({"type":"ca)")
            << qint64(0) << QJsonObject { { u"msg"_s, QString() }, { u"call"_s, 0 } }
            << QList<int>();
    QTest::newRow("frame in") << int(QGbInspectEvent::FrameReceived) << u"result"_s
                              << QByteArray(R"({"type":"result","id":7,"value":7})") << qint64(0)
                              << QJsonObject { { u"dir"_s, u"in"_s },
                                               { u"msg"_s, u"result"_s },
                                               { u"call"_s, 99 } }
                              << QList<int>();
    QTest::newRow("frame in, one attachment")
            << int(QGbInspectEvent::FrameReceived) << u"result"_s
            << QByteArray(R"({"type":"result","id":7,"att":1,"value":{"$bytes":0}})") << qint64(0)
            << QJsonObject { { u"msg"_s, u"result"_s } } << QList<int> { 1048576 };
    // The sizes of the first four only; the count and the bytes of all.
    QTest::newRow("frame out, five attachments")
            << int(QGbInspectEvent::FrameSent) << QString()
            << QByteArray(R"({"type":"call","id":8,"att":5,"args":[]})") << qint64(0)
            << QJsonObject { { u"msg"_s, u"call"_s } } << QList<int> { 1, 2, 3, 4, 5 };
    QTest::newRow("call end, ok") << int(QGbInspectEvent::CallEnded) << u"add"_s << QByteArray()
                                  << qint64(-1)
                                  << QJsonObject { { u"type"_s, u"call"_s },
                                                   { u"event"_s, u"end"_s },
                                                   { u"method"_s, u"add"_s },
                                                   { u"outcome"_s, u"Ok"_s },
                                                   { u"call"_s, 99 } }
                                  << QList<int>();
    QTest::newRow("call end, a code")
            << int(QGbInspectEvent::CallEnded) << u"add"_s << QByteArray()
            << qint64(QGbError::WorkerCrashed)
            << QJsonObject { { u"outcome"_s, u"WorkerCrashed"_s } } << QList<int>();
    QTest::newRow("call end, no such code")
            << int(QGbInspectEvent::CallEnded) << u"add"_s << QByteArray() << qint64(4000)
            << QJsonObject { { u"outcome"_s, u"Unknown"_s } } << QList<int>();
    QTest::newRow("method with quotes and a newline")
            << int(QGbInspectEvent::CallStarted) << u"a\"b\n\u00e9\U0001F600"_s << QByteArray()
            << qint64(0) << QJsonObject { { u"method"_s, u"a\"b\n\u00e9\U0001F600"_s } }
            << QList<int>();
    const QString lone = u"ab"_s + QChar(0xd800) + u"c"_s;
    QTest::newRow("method with a lone surrogate")
            << int(QGbInspectEvent::CallStarted) << lone << QByteArray() << qint64(0)
            << QJsonObject { { u"method"_s, QString::fromUtf8(lone.toUtf8()) } } << QList<int>();
}

void tst_QGbInspect::encodedEvents()
{
    QFETCH(int, kind);
    QFETCH(QString, text);
    QFETCH(QByteArray, preview);
    QFETCH(qint64, outcome);
    QFETCH(QJsonObject, expected);
    QFETCH(QList<int>, attachments);

    QGbFlightRecorder recorder(4);
    QGbInspectEvent &event = recorder.append();
    event.kind = QGbInspectEvent::Kind(kind);
    event.time = 123456789;
    event.worker = 1;
    event.connection = 3;
    event.link = 5;
    event.callId = 99;
    event.text = text;
    event.a = preview.size();
    event.d = outcome;
    event.previewSize = quint8(std::min<qsizetype>(preview.size(), QGbInspectEvent::PreviewBytes));
    memcpy(event.preview, preview.constData(), event.previewSize);
    if (!attachments.isEmpty()) {
        event.b = attachments.size();
        for (qsizetype i = 0; i < attachments.size(); ++i) {
            event.c += attachments.at(i);
            if (i < QGbInspectEvent::MaxAttachmentSizes)
                event.attachmentSizes[i] = attachments.at(i);
        }
    }
    const QByteArray before("what the output held: kept\n");
    QByteArray line = before;
    event.encode(&line, 17);
    QVERIFY(line.startsWith(before));
    line.remove(0, before.size());
    QVERIFY(line.endsWith('\n'));
    QCOMPARE(line.count('\n'), 1);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line, &error);
    QVERIFY2(error.error == QJsonParseError::NoError,
             qPrintable(error.errorString() + u": "_s + QString::fromUtf8(line)));
    const QJsonObject object = document.object();
    QCOMPARE(object.value(u"seq").toInteger(), 17);
    QCOMPARE(object.value(u"t").toInteger(), 123456789);
    QCOMPARE(object.value(u"worker").toInteger(), 1);
    QCOMPARE(object.value(u"connection").toInteger(), 3);
    for (auto it = expected.begin(); it != expected.end(); ++it)
        QCOMPARE(object.value(it.key()), it.value());
    // A frame without attachments has no attachment fields.
    QCOMPARE(object.contains(u"attachments"), !attachments.isEmpty());
    QCOMPARE(object.contains(u"attachmentCount"), !attachments.isEmpty());
    QCOMPARE(object.contains(u"attachmentBytes"), !attachments.isEmpty());
    if (!attachments.isEmpty()) {
        QCOMPARE(object.value(u"attachmentCount").toInteger(), attachments.size());
        QCOMPARE(object.value(u"attachmentBytes").toInteger(),
                 std::accumulate(attachments.cbegin(), attachments.cend(), qint64(0)));
        QJsonArray sizes;
        for (qsizetype i = 0;
             i < std::min<qsizetype>(attachments.size(), QGbInspectEvent::MaxAttachmentSizes); ++i)
            sizes.append(attachments.at(i));
        QCOMPARE(object.value(u"attachments").toArray(), sizes);
    }
}

// The inspector's reader of a line (QGbInspect::Message): what it takes, it
// reads as QJsonDocument does; what is not one JSON object, it refuses, and
// says why. (fuzz_inspect compares the two on any bytes.)
void tst_QGbInspect::messageReader_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("error"); // empty: read

    QTest::newRow("event") << QByteArray(R"({"type":"call","seq":3,"t":12,"worker":0})")
                           << QString();
    QTest::newRow("type escaped, last")
            << QByteArray(R"({"type":1,"t\u0079pe":"a\nb"})") << QString();
    QTest::newRow("type not a string") << QByteArray(R"({"type":["x"]})") << QString();
    QTest::newRow("spaces") << QByteArray(" { \"type\" : \"x\" , \"a\" : [ 1 , 2 ] } \r")
                            << QString();
    QTest::newRow("empty object") << QByteArray("{}") << QString();
    QTest::newRow("escapes") << QByteArray(R"({"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"})")
                             << QString();
    QTest::newRow("UTF-8") << QByteArray("{\"s\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}")
                           << QString();
    QTest::newRow("escaped key") << QByteArray(R"({"k\u0065y":1,"\u00e9":2})") << QString();
    QTest::newRow("numbers") << QByteArray(
            R"({"a":0,"b":-12,"c":1.5,"d":-2e3,"e":9223372036854775807,"f":9223372036854775808,"g":1E-2,"h":1e300})")
                             << QString();
    QTest::newRow("literals and nesting")
            << QByteArray(R"({"t":true,"f":false,"n":null,"o":{"x":[{"y":[]}]},"a":[1,"2",null]})")
            << QString();
    QTest::newRow("duplicate key: the last") << QByteArray(R"({"a":1,"a":2})") << QString();
    // The type of most events is a shared constant; escaped, it is decoded.
    QTest::newRow("known type") << QByteArray(R"({"type":"frame","seq":1})") << QString();
    QTest::newRow("known type, escaped")
            << QByteArray(R"({"type":"fr\u0061me","seq":1})") << QString();
    QTest::newRow("known type, longer") << QByteArray(R"({"type":"frames"})") << QString();
    QTest::newRow("empty type") << QByteArray(R"({"type":""})") << QString();
    // Integers shorter than 300 digits are taken without a conversion; the
    // largest double has 309 digits.
    QTest::newRow("integer of 299 digits")
            << (QByteArray(R"({"a":)") + QByteArray(299, '9') + '}') << QString();
    QTest::newRow("integer of 308 digits")
            << (QByteArray(R"({"a":-)") + QByteArray(308, '9') + '}') << QString();
    QTest::newRow("not JSON") << QByteArray("garbage") << u"not JSON"_s;
    QTest::newRow("an array") << QByteArray("[42]") << u"not a JSON object"_s;
    QTest::newRow("a string") << QByteArray(R"("x")") << u"not a JSON object"_s;
    QTest::newRow("cut") << QByteArray(R"({"type":"call","seq":)") << u"not JSON"_s;
    QTest::newRow("two objects") << QByteArray("{}{}") << u"text after the object"_s;
    QTest::newRow("trailing comma") << QByteArray(R"({"a":1,})") << u"not JSON"_s;
    QTest::newRow("unknown escape") << QByteArray(R"({"a":"\x"})") << u"a bad escape"_s;
    QTest::newRow("raw tab") << QByteArray("{\"a\":\"\t\"}") << u"a control character"_s;
    QTest::newRow("bad UTF-8") << QByteArray("{\"a\":\"\xc3\"}") << u"not UTF-8"_s;
    QTest::newRow("overlong UTF-8") << QByteArray("{\"a\":\"\xc0\xaf\"}") << u"not UTF-8"_s;
    QTest::newRow("encoded surrogate") << QByteArray("{\"a\":\"\xed\xa0\x80\"}") << u"not UTF-8"_s;
    QTest::newRow("number out of range") << QByteArray(R"({"a":320e615})") << u"out of range"_s;
    QTest::newRow("integer of 310 digits")
            << (QByteArray(R"({"a":)") + QByteArray(310, '9') + '}') << u"out of range"_s;
    QTest::newRow("leading zero") << QByteArray(R"({"a":01})") << u"not JSON"_s;
    QTest::newRow("bare word") << QByteArray(R"({"a":nul})") << u"unknown word"_s;
    QByteArray deep = QByteArray(R"({"a":)") + QByteArray(100, '[') + QByteArray(100, ']') + '}';
    QTest::newRow("too deep") << deep << u"too deeply nested"_s;
}

void tst_QGbInspect::messageReader()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);

    QGbInspect::Message message(QJsonObject { { u"before"_s, 1 } });
    QString why;
    const bool read = QGbInspect::Message::parse(line, &message, &why);
    if (!error.isEmpty()) {
        QVERIFY(!read);
        QVERIFY2(why.contains(error), qPrintable(why));
        QCOMPARE(message.value(u"before"), QJsonValue(1)); // unchanged
        return;
    }
    QVERIFY2(read, qPrintable(why));
    QCOMPARE(message.line(), line);
    QJsonParseError parseError;
    const QJsonObject object = QJsonDocument::fromJson(line, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError); // what it takes, Qt takes
    QCOMPARE(message.toObject(), object);
    QCOMPARE(message.keys().size() >= object.size(), true);
    for (auto it = object.begin(); it != object.end(); ++it) {
        QVERIFY(message.contains(it.key()));
        QCOMPARE(message.value(it.key()), it.value());
        QCOMPARE(message.value(QLatin1StringView(it.key().toLatin1())), it.value());
    }
    QCOMPARE(message.type(), object.value(u"type").toString());
    QVERIFY(message.value(u"absent").isUndefined());
    QVERIFY(!message.contains(u"absent"));
}
