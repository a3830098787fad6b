// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Bad input and security at the protocol's edges (docs/protocol.md):
//  - a fake worker (badworker.py, stdlib only) that sends malformed, oversized
//    or misaddressed frames: the call fails with ProtocolError or
//    FrameTooLarge, only that connection closes, the worker process and the
//    calls on its other connections go on; stale frames are dropped;
//  - the real worker (poolworker.py): only @gobridge functions are callable,
//    the socket directory and socket are private, a connection without the
//    pool's token or without a hello runs nothing, the token does not leak
//    into the worker's environment, and (as root) a peer of another user is
//    refused even when the file-system guards are lifted.

#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtCore/qdir.h>
#include <QtCore/qendian.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qprocess.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qlocalsocket.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <functional>

#include <sys/stat.h>
#include <unistd.h>

// A gadget that records the order its properties are set in: the typed
// reader sets them in the order of the keys, the general way by name.
struct Ordered
{
    Q_GADGET
    Q_PROPERTY(int a READ a WRITE setA)
    Q_PROPERTY(int b READ b WRITE setB)
public:
    int a() const { return m_a; }
    int b() const { return m_b; }
    void setA(int v)
    {
        m_a = v;
        order += 'a';
    }
    void setB(int v)
    {
        m_b = v;
        order += 'b';
    }
    QByteArray order;

private:
    int m_a = 0;
    int m_b = 0;
};

using namespace std::chrono_literals;

namespace {

QString badWorker()
{
    return QStringLiteral(QGB_SOURCE_DIR "/tests/auto/core/protocol/badworker.py");
}

constexpr quint32 BadWorkerMaxFrame = 4096;

QGbPoolOptions badWorkerOptions(int connections)
{
    return testOptions(1, connections)
            .setPythonExecutable(QStringLiteral("python3"))
            .setMaxFrameSize(BadWorkerMaxFrame);
}

// The result of a call that must succeed, or an invalid QVariant (and a test failure).
QVariant valueOf(const QFuture<QVariant> &future)
{
    const QGbError error = errorOf(future);
    if (error.isError() || !future.isFinished() || future.resultCount() != 1) {
        qWarning() << "call failed:" << describe(error);
        return QVariant();
    }
    return future.result();
}

QByteArray frame(const QByteArray &payload)
{
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(payload.size()), out.data());
    return out + payload;
}

QByteArray jsonFrame(const QJsonObject &object)
{
    return frame(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Reads from a raw connection until the peer closes it (or msecs pass).
// Returns the frames received; *closed says whether the peer closed.
QList<QByteArray> readUntilClosed(QLocalSocket *socket, bool *closed, int msecs = 10000)
{
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (socket->state() == QLocalSocket::ConnectedState && timer.elapsed() < msecs) {
        socket->waitForReadyRead(50);
        data += socket->readAll();
    }
    data += socket->readAll();
    *closed = socket->state() != QLocalSocket::ConnectedState;
    QList<QByteArray> frames;
    qsizetype pos = 0;
    while (data.size() - pos >= 4) {
        const quint32 n = qFromBigEndian<quint32>(data.constData() + pos);
        if (data.size() - pos - 4 < qsizetype(n))
            break;
        frames.append(data.mid(pos + 4, n));
        pos += 4 + qsizetype(n);
    }
    if (pos != data.size())
        frames.append(QByteArray("<incomplete frame>"));
    return frames;
}

// badworker.py's typed_ok and items_ok begin with the same two users: one
// with a key User does not have (skipped), and an empty object.
void checkBadWorkerUsers(const QList<User> &users, qsizetype count)
{
    QCOMPARE(users.size(), count);
    QCOMPARE(users.at(0).id, 1);
    QCOMPARE(users.at(0).name, u"a"_qs);
    QCOMPARE(users.at(0).score, 2.0);
    QCOMPARE(users.at(1), User());
}

// The pool's next call runs on a connection other than `conn` (the bad frame
// closed it) or on `conn` itself (kept), as `closed` says.
void checkConnectionAfter(QGbPool &pool, const QVariant &conn, bool closed)
{
    const QVariant connAfter = valueOf(pool.call<QVariant>("conn"));
    QVERIFY(connAfter.isValid());
    if (closed)
        QVERIFY2(connAfter != conn, "the call's connection was kept");
    else
        QCOMPARE(connAfter, conn);
}

// What typedResults and typedItems check, for a call or a stream: on a pool of
// one bad worker, the typed one started by `typed` ends with the row's `code`,
// its error naming `mention` (or `checkValues` sees what it gave); the same
// method read untyped ends alike, with the same words (a type mismatch is the
// typed reader's alone: untyped, the values are fine); and the connection the
// calls ran on is closed or kept as the row says.
template<typename T>
void checkTypedAgainstUntyped(
        const std::function<QFuture<T>(QGbPool &, const QString &)> &typed,
        const std::function<QFuture<QVariant>(QGbPool &, const QString &)> &untyped,
        const std::function<void(const QFuture<T> &)> &checkValues)
{
    QFETCH(QString, method);
    QFETCH(QGbError::Code, code);
    QFETCH(QString, mention);
    QFETCH(bool, connectionClosed);

    QGbPool pool(badWorker(), badWorkerOptions(1));
    QVERIFY(pool.waitForStarted(20000));
    const QVariant conn = valueOf(pool.call<QVariant>("conn"));
    QVERIFY(conn.isValid());

    const QFuture<T> typedFuture = typed(pool, method);
    const QGbError error = errorOf(typedFuture);
    QVERIFY2(typedFuture.isFinished(), "the call did not end");
    QVERIFY2(error.code() == code, describe(error));
    if (code == QGbError::NoError) {
        checkValues(typedFuture);
        if (QTest::currentTestFailed())
            return;
    } else {
        QVERIFY2(error.errorString().contains(mention), describe(error));
    }
    const QGbError untypedError = errorOf(untyped(pool, method));
    if (code == QGbError::TypeMismatch) {
        QVERIFY2(!untypedError.isError(), describe(untypedError));
    } else {
        QCOMPARE(untypedError.code(), code);
        QCOMPARE(untypedError.errorString(), error.errorString());
    }

    checkConnectionAfter(pool, conn, connectionClosed);
}

} // namespace

class tst_QGbProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    // Against badworker.py.
    void badFrames_data();
    void badFrames();
    void typedResults_data();
    void typedResults();
    void typedItems_data();
    void typedItems();
    void typedItemsReadFromText();
    void keywordArgumentsToAnOldWorker();
    void badFramesSpareOtherConnections_data();
    void badFramesSpareOtherConnections();

    // Against poolworker.py.
    void onlyExposedFunctions_data();
    void onlyExposedFunctions();
    void privateSocket();
    void unauthenticatedConnection_data();
    void unauthenticatedConnection();
    void secretsNotInEnvironment_data();
    void secretsNotInEnvironment();
    void otherUserRefused();

private:
    QString socketFile() const;

    QTemporaryDir m_socketBase;
    QGbPool *m_real = nullptr;
    EventLog *m_events = nullptr;
    qint64 m_realPid = 0;
};

void tst_QGbProtocol::initTestCase()
{
    QVERIFY(m_socketBase.isValid());
    m_real = new QGbPool(poolWorker(), testOptions(1, 2).setSocketDirectory(m_socketBase.path()));
    m_events = new EventLog(m_real);
    QVERIFY(m_real->waitForStarted(20000));
    m_realPid = m_real->call<qint64>("pid").result();
    QVERIFY(m_realPid > 0);
}

void tst_QGbProtocol::cleanupTestCase()
{
    delete m_events;
    delete m_real;
}

// ---- bad frames from the worker --------------------------------------------

void tst_QGbProtocol::badFrames_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QGbError::Code>("code"); // NoError: the call succeeds
    QTest::addColumn<QString>("mention");     // in the error string, or the result
    QTest::addColumn<bool>("connectionClosed");

    const auto error = [](const char *method, QGbError::Code code, const char *mention) {
        QTest::newRow(method) << QString::fromLatin1(method) << code << QString::fromLatin1(mention)
                              << true;
    };
    error("oversized_length", QGbError::FrameTooLarge, "above the maximum frame size");
    error("huge_valid_frame", QGbError::FrameTooLarge, "above the maximum frame size");
    error("truncated", QGbError::ProtocolError, "frame");
    error("invalid_utf8", QGbError::ProtocolError, "UTF-8");
    error("non_object", QGbError::ProtocolError, "object");
    error("no_type", QGbError::ProtocolError, "type");
    error("unknown_type", QGbError::ProtocolError, "bogus");
    error("no_id", QGbError::ProtocolError, "id");
    error("string_id", QGbError::ProtocolError, "id");
    error("wrong_id", QGbError::ProtocolError, "unknown call id");
    error("garbage", QGbError::ProtocolError, "JSON");
    error("bad_marker", QGbError::ProtocolError, "marker");
    error("missing_attachment", QGbError::ProtocolError, "attachment");
    error("duplicate_key", QGbError::ProtocolError, "value[\"1\"] appears twice");
    // Progress reports and log records are checked like any other message.
    error("progress_string", QGbError::ProtocolError, "\"done\" of a \"progress\"");
    error("progress_bad_text", QGbError::ProtocolError, "\"text\" of a \"progress\"");
    error("log_no_level", QGbError::ProtocolError, "\"level\" of a \"log\"");
    error("log_bad_logger", QGbError::ProtocolError, "\"logger\" of a \"log\"");
    // The worker's own error for the connection ends the call, with its message.
    error("refuse", QGbError::ProtocolError, "badworker refuses this connection");
    // A malformed frame for a call that already ended is not dropped unread.
    error("stale_malformed", QGbError::ProtocolError, "invalid JSON");

    // Frames for a call that already ended are dropped (protocol section 5).
    QTest::newRow("duplicate_result")
            << "duplicate_result" << QGbError::NoError << "first" << false;
    QTest::newRow("stale_id") << "stale_id" << QGbError::NoError << "fresh" << false;
    QTest::newRow("progress_stale") << "progress_stale" << QGbError::NoError << "fresh" << false;
    // The control: a correct worker.
    QTest::newRow("ok") << "ok" << QGbError::NoError << "ok" << false;
}

void tst_QGbProtocol::badFrames()
{
    QFETCH(QString, method);
    QFETCH(QGbError::Code, code);
    QFETCH(QString, mention);
    QFETCH(bool, connectionClosed);

    // One connection: every call runs on it, in turn.
    QGbPool pool(badWorker(), badWorkerOptions(1));
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    QVERIFY(pool.waitForStarted(20000));

    const QVariant conn = valueOf(pool.call<QVariant>("conn"));
    const QVariant pid = valueOf(pool.call<QVariant>("pid"));
    QVERIFY(conn.isValid() && pid.isValid());
    QCOMPARE(pool.workerProcessIds(), QList<qint64> { pid.toLongLong() });

    // The third call on the connection (stale_id answers for call 2 first).
    const QFuture<QVariant> bad = pool.call<QVariant>(method);
    const QGbError error = errorOf(bad);
    QVERIFY2(bad.isFinished(), "the call did not end");
    QVERIFY2(error.code() == code, describe(error));
    if (code == QGbError::NoError) {
        QCOMPARE(bad.result(), QVariant(mention));
    } else {
        QVERIFY2(error.errorString().contains(mention, Qt::CaseInsensitive), describe(error));
    }

    // The worker process goes on; only the connection of that call was closed.
    QCOMPARE(valueOf(pool.call<QVariant>("ok")), QVariant(u"ok"_qs));
    QCOMPARE(valueOf(pool.call<QVariant>("pid")), pid);
    checkConnectionAfter(pool, conn, connectionClosed);
    QCOMPARE(exited.count(), 0);
    QCOMPARE(pool.workerProcessIds(), QList<qint64> { pid.toLongLong() });
}

// A worker whose hello lists no features (badworker.py answers as a gobridge
// release older than keyword arguments) would ignore a call's kwargs: the
// pool fails such a call before sending it, and the connection goes on.
void tst_QGbProtocol::keywordArgumentsToAnOldWorker()
{
    QGbPool pool(badWorker(), badWorkerOptions(1));
    QVERIFY(pool.waitForStarted(20000));
    const QVariant conn = valueOf(pool.call<QVariant>("conn"));
    const QGbError error = errorOf(
            pool.call<QVariant>(QGbCallOptions().setKeywordArguments({ { u"x"_qs, 1 } }), "ok"));
    QCOMPARE(error.code(), QGbError::BadArguments);
    QVERIFY2(error.errorString().contains(u"does not take keyword arguments"_qs), describe(error));
    QCOMPARE(valueOf(pool.call<QVariant>("ok")), QVariant(u"ok"_qs));
    QCOMPARE(valueOf(pool.call<QVariant>("conn")), conn);
}

// A typed call reads its result straight from the frame's text; a result it
// cannot read fails as an untyped call's does, with the same errors.
void tst_QGbProtocol::typedResults_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QGbError::Code>("code");
    QTest::addColumn<QString>("mention");
    QTest::addColumn<bool>("connectionClosed");
    QTest::newRow("ok") << "typed_ok" << QGbError::NoError << QString() << false;
    QTest::newRow("bad JSON") << "typed_bad_json" << QGbError::ProtocolError
                              << "invalid JSON at byte" << true;
    QTest::newRow("mismatch") << "typed_mismatch" << QGbError::TypeMismatch
                              << "result[1].id: expected qlonglong, got str" << false;
    QTest::newRow("duplicate key") << "typed_duplicate_key" << QGbError::ProtocolError
                                   << "value[0].id appears twice" << true;
}

void tst_QGbProtocol::typedResults()
{
    checkTypedAgainstUntyped<QList<User>>(
            [](QGbPool &pool, const QString &method) { return pool.call<QList<User>>(method); },
            [](QGbPool &pool, const QString &method) { return pool.call<QVariant>(method); },
            [](const QFuture<QList<User>> &typed) { checkBadWorkerUsers(typed.result(), 2); });
}

// The same for stream items: a typed stream reads a chunk's items from their
// text, and gives the values and the errors the general way gives.
void tst_QGbProtocol::typedItems_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QGbError::Code>("code");
    QTest::addColumn<QString>("mention");
    QTest::addColumn<bool>("connectionClosed");
    QTest::newRow("ok") << "items_ok" << QGbError::NoError << QString() << false;
    QTest::newRow("bad JSON") << "items_bad_json" << QGbError::ProtocolError
                              << "invalid JSON at byte 60: expected ',' or '}'" << true;
    QTest::newRow("mismatch") << "items_mismatch" << QGbError::TypeMismatch
                              << "items[1].id: expected qlonglong, got str" << false;
    QTest::newRow("duplicate key") << "items_duplicate_key" << QGbError::ProtocolError
                                   << "items[0].id appears twice" << true;
    QTest::newRow("not a list") << "items_not_a_list" << QGbError::ProtocolError << "\"items\""
                                << true;
}

void tst_QGbProtocol::typedItems()
{
    checkTypedAgainstUntyped<User>(
            [](QGbPool &pool, const QString &method) { return pool.stream<User>(method); },
            [](QGbPool &pool, const QString &method) { return pool.stream<QVariant>(method); },
            [](const QFuture<User> &typed) {
                const QList<User> users = typed.results();
                checkBadWorkerUsers(users, 3);
                if (!QTest::currentTestFailed())
                    QCOMPARE(users.at(2).id, 3);
            });
}

// A typed stream's items reach it by the typed reader (keys in their order),
// an untyped stream's by the general way.
void tst_QGbProtocol::typedItemsReadFromText()
{
    QGbPool pool(badWorker(), badWorkerOptions(1));
    QVERIFY(pool.waitForStarted(20000));
    const QList<Ordered> typed = pool.stream<Ordered>("items_order").results();
    QCOMPARE(typed.size(), 2);
    QCOMPARE(typed.at(0).order, QByteArray("ba"));
    QCOMPARE(typed.at(0).a(), 2);
    QCOMPARE(typed.at(0).b(), 1);
    QCOMPARE(typed.at(1).order, QByteArray("ba"));
    // The general way, for comparison: the same values, set by name.
    const QList<QVariant> untyped = pool.stream<QVariant>("items_order").results();
    QCOMPARE(untyped.size(), 2);
    Ordered general;
    QGbError error;
    QVERIFY2(QGb::fromWire(untyped.at(0), &general, &error, QGbPath()), describe(error));
    QCOMPARE(general.order, QByteArray("ab"));
    QCOMPARE(general.a(), 2);
    QCOMPARE(general.b(), 1);
}

void tst_QGbProtocol::badFramesSpareOtherConnections_data()
{
    badFrames_data();
}

void tst_QGbProtocol::badFramesSpareOtherConnections()
{
    QFETCH(QString, method);
    QFETCH(QGbError::Code, code);

    QGbPool pool(badWorker(), badWorkerOptions(2));
    EventLog events(&pool);
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    QVERIFY(pool.waitForStarted(20000));
    const QVariant pid = valueOf(pool.call<QVariant>("pid"));
    QVERIFY(pid.isValid());

    // A call that runs on one connection for the whole test...
    const QFuture<QVariant> held = pool.call<QVariant>("hold");
    QVERIFY(events.waitFor(u"hold started"_qs));
    // ...while the other connection runs one call, then the bad one.
    QCOMPARE(valueOf(pool.call<QVariant>("ok")), QVariant(u"ok"_qs));
    const QGbError error = errorOf(pool.call<QVariant>(method));
    QVERIFY2(error.code() == code, describe(error));

    QVERIFY(!held.isFinished());
    QCOMPARE(valueOf(pool.call<QVariant>("release")), QVariant(u"released"_qs));
    QCOMPARE(valueOf(held), QVariant(u"held"_qs));
    QCOMPARE(valueOf(pool.call<QVariant>("pid")), pid);
    QCOMPARE(exited.count(), 0);
}

// ---- the real worker: what can be called -----------------------------------

void tst_QGbProtocol::onlyExposedFunctions_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QStringList>("args"); // %MARKER%: a file that must not appear

    QTest::newRow("__import__") << "__import__" << QStringList { "os" };
    QTest::newRow("os.system") << "os.system" << QStringList { "touch %MARKER%" };
    QTest::newRow("os._exit") << "os._exit" << QStringList {};
    QTest::newRow("__class__") << "__class__" << QStringList {};
    QTest::newRow("__builtins__") << "__builtins__" << QStringList {};
    QTest::newRow("run") << "run" << QStringList {};
    QTest::newRow("gobridge") << "gobridge" << QStringList { "%MARKER%" };
    QTest::newRow("events.__globals__") << "events.__globals__" << QStringList {};
    QTest::newRow("add.__code__") << "add.__code__" << QStringList {};
    QTest::newRow("record (not decorated)") << "record" << QStringList { "pwned" };
    QTest::newRow("on_main_thread (not decorated)") << "on_main_thread" << QStringList {};
    QTest::newRow("_hidden_add (exposed as renamed_add)") << "_hidden_add" << QStringList {};
    QTest::newRow("open") << "open" << QStringList { "%MARKER%", "w" };
    QTest::newRow("eval") << "eval" << QStringList { "open(r'%MARKER%', 'w').close()" };
    QTest::newRow("exec") << "exec" << QStringList { "open(r'%MARKER%', 'w').close()" };
    QTest::newRow("getattr") << "getattr" << QStringList { "os", "system" };
    QTest::newRow("expose") << "expose" << QStringList {};
    QTest::newRow("empty name") << "" << QStringList {};
}

void tst_QGbProtocol::onlyExposedFunctions()
{
    QFETCH(QString, method);
    QFETCH(QStringList, args);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString marker = dir.filePath(u"pwned"_qs);
    QVariantList wireArgs;
    for (QString arg : args)
        wireArgs.append(arg.replace(u"%MARKER%"_qs, marker));
    QVERIFY(m_real->call<QVariantList>("events").result().isEmpty());
    const int eventsBefore = int(m_events->events().size());

    QGbCall *call = m_real->invoke(method, wireArgs);
    QGbError error;
    QObject::connect(call, &QGbCall::errorOccurred, call, [&](const QGbError &e) { error = e; });
    QSignalSpy finished(call, &QGbCall::finished);
    QVERIFY(finished.wait(20000));
    call->deleteLater();
    QVERIFY2(error.code() == QGbError::UnknownMethod, describe(error));
    QVERIFY2(error.errorString().contains(QLatin1Char('\'') + method + QLatin1Char('\'')),
             describe(error));

    // Nothing ran: no file, nothing recorded, the same process.
    QVERIFY(!QFileInfo::exists(marker));
    QCOMPARE(m_real->call<QVariantList>("events").result(), QVariantList());
    QCOMPARE(m_events->events().size(), eventsBefore);
    QCOMPARE(m_real->call<qint64>("pid").result(), m_realPid);
    QCOMPARE(m_real->call<int>("add", 1, 2).result(), 3);
}

// ---- the real worker: sockets and handshake --------------------------------

QString tst_QGbProtocol::socketFile() const
{
    const QStringList dirs =
            QDir(m_socketBase.path()).entryList({ u"qgobridge-*"_qs }, QDir::Dirs | QDir::Hidden);
    if (dirs.size() != 1)
        return QString();
    const QDir dir(m_socketBase.filePath(dirs.first()));
    const QStringList sockets = dir.entryList({ u"*.sock"_qs }, QDir::System | QDir::Hidden);
    return sockets.size() == 1 ? dir.filePath(sockets.first()) : QString();
}

void tst_QGbProtocol::privateSocket()
{
    QCOMPARE(m_real->call<int>("add", 1, 2).result(), 3); // running

    const QStringList dirs = QDir(m_socketBase.path())
                                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot
                                                | QDir::Hidden | QDir::System);
    QCOMPARE(dirs.size(), 1);
    QVERIFY2(dirs.first().startsWith(u"qgobridge-"_qs), qPrintable(dirs.first()));
    const QString dir = m_socketBase.filePath(dirs.first());
    struct stat st;
    QCOMPARE(::lstat(QFile::encodeName(dir).constData(), &st), 0);
    QVERIFY(S_ISDIR(st.st_mode));
    QCOMPARE(st.st_mode & 07777, mode_t(0700));
    QCOMPARE(st.st_uid, ::geteuid());

    const QString socket = socketFile();
    QVERIFY2(!socket.isEmpty(), qPrintable(QDir(dir).entryList().join(u' ')));
    QCOMPARE(::lstat(QFile::encodeName(socket).constData(), &st), 0);
    QVERIFY(S_ISSOCK(st.st_mode));
    QCOMPARE(st.st_mode & 07777, mode_t(0600));
    QCOMPARE(st.st_uid, ::geteuid());
    // Nothing else in there (no .tmp left behind by bind-then-rename).
    QCOMPARE(QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden
                                 | QDir::System),
             QStringList { QFileInfo(socket).fileName() });
}

void tst_QGbProtocol::unauthenticatedConnection_data()
{
    QTest::addColumn<QByteArray>("first"); // what the peer sends first
    QTest::addColumn<QString>("code");

    const QString token64 = QString(64, u'0');
    const auto hello = [](const QJsonValue &token) {
        QJsonObject o { { "type", "hello" }, { "version", 1 }, { "role", "call" } };
        if (!token.isUndefined())
            o.insert(u"token"_qs, token);
        return jsonFrame(o);
    };
    QTest::newRow("wrong token") << hello(token64) << "Unauthorized";
    QTest::newRow("wrong token, control role") << jsonFrame(
            { { "type", "hello" }, { "version", 1 }, { "role", "control" }, { "token", token64 } })
                                               << "Unauthorized";
    QTest::newRow("no token") << hello(QJsonValue::Undefined) << "Unauthorized";
    QTest::newRow("empty token") << hello(u""_qs) << "Unauthorized";
    QTest::newRow("token not a string") << hello(1234) << "Unauthorized";
    QTest::newRow("null token") << hello(QJsonValue::Null) << "Unauthorized";
    QTest::newRow("call first") << jsonFrame({ { "type", "call" },
                                               { "id", 1 },
                                               { "method", "sleep" },
                                               { "args", QJsonArray { 0 } } })
                                << "ProtocolError";
    QTest::newRow("ping first") << jsonFrame({ { "type", "ping" }, { "seq", 1 } })
                                << "ProtocolError";
    QTest::newRow("not JSON") << frame("hello, worker") << "ProtocolError";
    QTest::newRow("JSON array") << frame("[\"hello\"]") << "ProtocolError";
    QTest::newRow("length above the maximum")
            << QByteArray("\xff\xff\xff\xf0{\"type\":\"hello\"}", 20) << "ProtocolError";
}

void tst_QGbProtocol::unauthenticatedConnection()
{
    QFETCH(QByteArray, first);
    QFETCH(QString, code);

    QVERIFY(m_real->call<QVariantList>("events").result().isEmpty());
    const int eventsBefore = int(m_events->events().size());
    const QString path = socketFile();
    QVERIFY(!path.isEmpty());

    QLocalSocket socket;
    socket.connectToServer(path);
    QVERIFY2(socket.waitForConnected(10000), qPrintable(socket.errorString()));
    // The bad opening and, right behind it, a call that records when it runs.
    const QByteArray call = jsonFrame({ { "type", "call" },
                                        { "id", 1 },
                                        { "method", "sleep" },
                                        { "args", QJsonArray { 0 } } });
    socket.write(first + call);
    QVERIFY(socket.waitForBytesWritten(10000));

    bool closed = false;
    const QList<QByteArray> frames = readUntilClosed(&socket, &closed);
    QVERIFY2(closed, "the worker kept the connection open");
    QCOMPARE(frames.size(), 1);
    const QJsonObject reply = QJsonDocument::fromJson(frames.first()).object();
    QCOMPARE(reply.value(u"type"_qs).toString(), u"error"_qs);
    QVERIFY2(!reply.contains(u"id"_qs), frames.first().constData());
    QCOMPARE(reply.value(u"error"_qs).toObject().value(u"code"_qs).toString(), code);

    // No function ran, and the worker serves the pool as before.
    QCOMPARE(m_real->call<QVariantList>("events").result(), QVariantList());
    QCOMPARE(m_events->events().size(), eventsBefore);
    QCOMPARE(m_real->call<qint64>("pid").result(), m_realPid);
    QCOMPARE(m_real->call<int>("add", 2, 3).result(), 5);
}

void tst_QGbProtocol::secretsNotInEnvironment_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("GOBRIDGE_TOKEN") << "GOBRIDGE_TOKEN";
    QTest::newRow("GOBRIDGE_SOCKET") << "GOBRIDGE_SOCKET";
    QTest::newRow("GOBRIDGE_MAX_FRAME") << "GOBRIDGE_MAX_FRAME";
}

void tst_QGbProtocol::secretsNotInEnvironment()
{
    QFETCH(QString, name);
    // env() does see the environment the pool passed on.
    QVERIFY(!m_real->call<QVariant>("env", u"PATH"_qs).result().isNull());
    const QVariant value = m_real->call<QVariant>("env", name).result();
    QVERIFY2(value.isNull(), qPrintable(name + u" = "_qs + value.toString()));
}

// A peer running as another user is refused by the worker's SO_PEERCRED check,
// even with the private directory and the socket's mode opened up for it.
void tst_QGbProtocol::otherUserRefused()
{
    if (::geteuid() != 0)
        QSKIP("needs root to connect as another user");
    const QString path = socketFile();
    QVERIFY(!path.isEmpty());
    const QString dir = QFileInfo(path).absolutePath();
    QVERIFY(QFile::setPermissions(dir,
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                          | QFileDevice::ExeOwner | QFileDevice::ExeGroup
                                          | QFileDevice::ExeOther));
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0666) == 0);
    // The tests's own temporary directory must be reachable too.
    QVERIFY(::chmod(QFile::encodeName(m_socketBase.path()).constData(), 0711) == 0);
    const auto restore = qScopeGuard([&] {
        ::chmod(QFile::encodeName(path).constData(), 0600);
        ::chmod(QFile::encodeName(dir).constData(), 0700);
        ::chmod(QFile::encodeName(m_socketBase.path()).constData(), 0700);
    });

    const char *client = R"(
import json, os, socket, struct, sys
os.setgid(65534)
os.setuid(65534)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
payload = json.dumps({"type": "hello", "version": 1, "role": "call", "token": "0" * 64}).encode()
try:
    s.sendall(struct.pack(">I", len(payload)) + payload)
except OSError:  # refused before the hello was read: the answer waits anyway
    pass
data = b""
s.settimeout(10)
while True:
    try:
        chunk = s.recv(65536)
    except ConnectionResetError:  # closed with our hello unread: the end too
        break
    if not chunk:
        break
    data += chunk
print(data[4:].decode())
)";
    QProcess process;
    process.start(u"python3"_qs, { u"-c"_qs, QString::fromUtf8(client), path });
    QVERIFY(process.waitForFinished(20000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    const QByteArray out = process.readAllStandardOutput();
    const QJsonObject reply = QJsonDocument::fromJson(out).object();
    const QJsonObject error = reply.value(u"error"_qs).toObject();
    QCOMPARE(error.value(u"code"_qs).toString(), u"Unauthorized"_qs);
    // Refused for the user, before the (wrong) token was looked at.
    QVERIFY2(error.value(u"message"_qs).toString().contains(u"user"_qs), out.constData());
    QCOMPARE(m_real->call<qint64>("pid").result(), m_realPid);
}

QTEST_GUILESS_MAIN(tst_QGbProtocol)
#include "tst_qgbprotocol.moc"
