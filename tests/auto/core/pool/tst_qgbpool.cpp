// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Calls in every mode against real Python workers: values, conversions,
// errors, options, output, concurrency.

#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtCore/qbuffer.h>
#include <QtCore/qdir.h>
#include <QtCore/qfutureinterface.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qrandom.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qthread.h>
#include <QtNetwork/qsslconfiguration.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <cmath>
#include <limits>

using namespace std::chrono_literals;

class tst_QGbPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void plainCall_data();
    void plainCall();
    void typedScalars();
    void gadgetResult();
    void gadgetListRoundTrip();
    void serverStream_data();
    void serverStream();
    void serverStreamOfGadgets();
    void clientStream_data();
    void clientStream();
    void bidirectionalGadgets();
    void bidirectionalLarge();
    void bytesRoundTrip();
    void renamedFunction();
    void voidResult();

    void remoteException();
    void generatorRaisesAfterThreeItems();
    void generatorRaisesAfterThreeItemsInvoke();
    void unknownMethod();
    void wrongArgumentCount();
    void keywordArguments();
    void keywordArgumentsRefused_data();
    void keywordArgumentsRefused();
    void resultNotJsonable_data();
    void resultNotJsonable();
    void argumentNotConvertible_data();
    void argumentNotConvertible();
    void resultNotConvertible_data();
    void resultNotConvertible();
    void modeMismatch_data();
    void modeMismatch();
    void frameTooLarge();
    void queueFull();

    void invokeSignals();
    void describeFunctions();
    void concurrentCalls();
    void callsFromManyThreads();
    void gadgetListsFromManyThreads();
    void gadgetArgumentNotConvertible();
    void resultFromAppThread();

    void optionsEnvironmentCwdArguments();
    void outputToDevice();
    void outputDiscarded();
    void startFailureFailsCalls();
    // Last: it loads the TLS backend at its end.
    void localPoolsLoadNoTls();

private:
    QGbPool *m_pool = nullptr;
};

void tst_QGbPool::initTestCase()
{
    m_pool = new QGbPool(poolWorker(), testOptions(2, 4));
    QVERIFY(m_pool->waitForStarted(20000));
    QCOMPARE(m_pool->readyWorkers(), 2);
    QTRY_COMPARE(m_pool->state(), QGbPool::Running);
    QCOMPARE(m_pool->workerStates(),
             (QList<QGbPool::WorkerState> { QGbPool::WorkerState::Ready,
                                            QGbPool::WorkerState::Ready }));
}

void tst_QGbPool::cleanupTestCase()
{
    delete m_pool;
}

void tst_QGbPool::plainCall_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QVariantList>("args");
    QTest::addColumn<QVariant>("expected");

    QTest::newRow("int") << "add" << QVariantList { 3, 4 } << QVariant(qint64(7));
    QTest::newRow("int64 max") << "echo" << QVariantList { std::numeric_limits<qint64>::max() }
                               << QVariant(std::numeric_limits<qint64>::max());
    QTest::newRow("int64 min") << "echo" << QVariantList { std::numeric_limits<qint64>::min() }
                               << QVariant(std::numeric_limits<qint64>::min());
    QTest::newRow("double") << "echo" << QVariantList { 0.1 } << QVariant(0.1);
    QTest::newRow("double integral")
            << "type_name" << QVariantList { 2.0 } << QVariant(u"float"_qs);
    QTest::newRow("bool") << "echo" << QVariantList { true } << QVariant(true);
    QTest::newRow("string") << "echo" << QVariantList { u"héllo \"wörld\" \n 🐍"_qs }
                            << QVariant(u"héllo \"wörld\" \n 🐍"_qs);
    QTest::newRow("null") << "type_name" << QVariantList { QVariant::fromValue(nullptr) }
                          << QVariant(u"NoneType"_qs);
    QTest::newRow("list") << "echo" << QVariantList { QVariantList { 1, u"a"_qs, 2.5, false } }
                          << QVariant(QVariantList { qint64(1), u"a"_qs, 2.5, false });
    const QVariantMap nested { { u"a"_qs, qint64(1) },
                               { u"b"_qs, QVariantList { qint64(2), qint64(3) } } };
    QTest::newRow("dict") << "echo" << QVariantList { nested } << QVariant(nested);
    const QVariantMap dollar { { u"$bytes"_qs, qint64(0) } };
    QTest::newRow("dict with a $ key") << "echo" << QVariantList { dollar } << QVariant(dollar);
    QTest::newRow("get_user") << "get_user" << QVariantList { 42 }
                              << QVariant(QVariantMap { { u"id"_qs, qint64(42) },
                                                        { u"name"_qs, u"user_42"_qs },
                                                        { u"score"_qs, 63.0 } });
}

void tst_QGbPool::plainCall()
{
    QFETCH(QString, method);
    QFETCH(QVariantList, args);
    QFETCH(QVariant, expected);

    QFuture<QVariant> future = m_pool->call<QVariant>(method, args.value(0), args.value(1));
    if (args.size() == 1)
        future = m_pool->call<QVariant>(method, args.at(0));
    QVERIFY(waitFor(future));
    const QGbError error = errorOf(future);
    QVERIFY2(!error.isError(), describe(error));
    QCOMPARE(future.result(), expected);
}

void tst_QGbPool::typedScalars()
{
    QCOMPARE(m_pool->call<int>("add", 3, 4).result(), 7);
    QCOMPARE(m_pool->call<qint64>("add", qint64(1) << 40, 1).result(), (qint64(1) << 40) + 1);
    QCOMPARE(m_pool->call<double>("echo", 2.5).result(), 2.5);
    QCOMPARE(m_pool->call<QString>("echo", QStringLiteral("x")).result(), QStringLiteral("x"));
    QCOMPARE(m_pool->call<bool>("echo", true).result(), true);
    QCOMPARE(m_pool->call<QStringList>("echo", QStringList { "a", "b" }).result(),
             (QStringList { "a", "b" }));
    QCOMPARE(m_pool->call<QList<int>>("echo", QList<int> { 1, 2, 3 }).result(),
             (QList<int> { 1, 2, 3 }));
    QCOMPARE((m_pool->call<QMap<QString, int>>("echo", QMap<QString, int> { { "k", 1 } }).result()),
             (QMap<QString, int> { { "k", 1 } }));
    QCOMPARE(m_pool->call<int>("renamed_add", 1, 2).result(), 3);
}

void tst_QGbPool::gadgetResult()
{
    const User user = m_pool->call<User>("get_user", 42).result();
    QCOMPARE(user.id, 42);
    QCOMPARE(user.name, QStringLiteral("user_42"));
    QCOMPARE(user.score, 63.0);
    QVERIFY(user.level.isEmpty());
}

void tst_QGbPool::gadgetListRoundTrip()
{
    const QList<User> users { { 1, "a", 5, {} }, { 2, "b", 12, {} } };
    const QList<User> enriched = m_pool->call<QList<User>>("enrich_users", users).result();
    QCOMPARE(enriched.size(), 2);
    QCOMPARE(enriched.at(0).level, QStringLiteral("silver"));
    QCOMPARE(enriched.at(1).level, QStringLiteral("gold"));
    QCOMPARE(enriched.at(1).name, QStringLiteral("b"));
    const std::vector<User> asVector =
            m_pool->call<std::vector<User>>("enrich_users", users).result();
    QCOMPARE(asVector.size(), size_t(2));
    QCOMPARE(asVector[1].level, QStringLiteral("gold"));
}

void tst_QGbPool::serverStream_data()
{
    QTest::addColumn<int>("count");
    QTest::newRow("empty") << 0;
    QTest::newRow("one") << 1;
    QTest::newRow("five") << 5;
    QTest::newRow("batched 10000") << 10000;
}

void tst_QGbPool::serverStream()
{
    QFETCH(int, count);
    QFuture<int> numbers = m_pool->stream<int>("range_gen", 0, count);
    QVERIFY(waitFor(numbers));
    QVERIFY2(!errorOf(numbers).isError(), describe(errorOf(numbers)));
    const QList<int> results = numbers.results();
    QCOMPARE(results.size(), count);
    for (int i = 0; i < count; ++i)
        QCOMPARE(results.at(i), i);
}

void tst_QGbPool::serverStreamOfGadgets()
{
    const QList<User> users = m_pool->stream<User>("gen_users", 3).results();
    QCOMPARE(users.size(), 3);
    QCOMPARE(users.at(2), (User { 3, "user_3", 9.0, {} }));
}

void tst_QGbPool::clientStream_data()
{
    QTest::addColumn<int>("count");
    QTest::newRow("empty") << 0;
    QTest::newRow("five") << 5;
    QTest::newRow("more than the credit window") << 20000;
}

void tst_QGbPool::clientStream()
{
    QFETCH(int, count);
    QGbChannel numbers(count + 1);
    QFuture<qint64> total = m_pool->call<qint64>("sum_stream", numbers);
    qint64 expected = 0;
    for (int i = 1; i <= count; ++i) {
        QVERIFY(numbers.write(i));
        expected += i;
    }
    numbers.close();
    QVERIFY(!numbers.write(1)); // closed
    QVERIFY(waitFor(total));
    QVERIFY2(!errorOf(total).isError(), describe(errorOf(total)));
    QCOMPARE(total.result(), expected);
}

void tst_QGbPool::bidirectionalGadgets()
{
    QGbChannel in;
    QFuture<User> out = m_pool->stream<User>("process_users", in);
    QVERIFY(in.write(User { 1, "a", 5, {} }));
    QVERIFY(in.write(User { 2, "b", 12, {} }));
    in.close();
    QVERIFY(waitFor(out));
    const QList<User> users = out.results();
    QCOMPARE(users.size(), 2);
    QCOMPARE(users.at(0), (User { 1, "A", 10, {} }));
    QCOMPARE(users.at(1), (User { 2, "B", 24, {} }));
}

void tst_QGbPool::bidirectionalLarge()
{
    // More items than either side's credit window, written while results flow back.
    constexpr int count = 30000;
    QGbChannel in(512);
    QFuture<int> out = m_pool->stream<int>("echo_stream", in);
    int written = 0;
    QElapsedTimer timer;
    timer.start();
    while (written < count && timer.elapsed() < 30000) {
        if (in.write(written))
            ++written;
        else
            QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
    }
    in.close();
    QVERIFY(waitFor(out, 30000));
    const QList<int> results = out.results();
    QCOMPARE(results.size(), count);
    for (int i = 0; i < count; ++i)
        QCOMPARE(results.at(i), i);
}

void tst_QGbPool::bytesRoundTrip()
{
    QByteArray data(3 * 1024 * 1024 + 7, Qt::Uninitialized);
    for (qsizetype i = 0; i < data.size(); ++i)
        data[i] = char(QRandomGenerator::global()->bounded(256));
    QCOMPARE(m_pool->call<QByteArray>("echo", data).result(), data);
    QCOMPARE(m_pool->call<qint64>("bytes_len", data).result(), data.size());
    QCOMPARE(m_pool->call<QString>("type_name", QByteArray("x")).result(), QStringLiteral("bytes"));
    const QByteArray made = m_pool->call<QByteArray>("make_bytes", 1000).result();
    QCOMPARE(made.size(), 1000);
    QCOMPARE(quint8(made.at(252)), quint8(1));
    // bytes nested in containers
    const QVariantMap nested { { u"blob"_qs, QByteArray("\x00\x01\xff", 3) },
                               { u"list"_qs, QVariantList { QByteArray("a"), QByteArray() } } };
    QCOMPARE(m_pool->call<QVariantMap>("echo", nested).result(), nested);
}

void tst_QGbPool::renamedFunction()
{
    QCOMPARE(errorOf(m_pool->call<int>("_hidden_add", 1, 2)).code(), QGbError::UnknownMethod);
    QCOMPARE(m_pool->call<int>("renamed_add", 2, 2).result(), 4);
}

void tst_QGbPool::voidResult()
{
    QFuture<void> done = m_pool->call<void>("add", 1, 2);
    QVERIFY(waitFor(done));
    QVERIFY(!errorOf(done).isError());
}

void tst_QGbPool::remoteException()
{
    QFuture<int> f = m_pool->call<int>("raise_value_error", QStringLiteral("bad value 42"));
    const QGbError error = errorOf(f);
    QCOMPARE(error.code(), QGbError::RemoteException);
    QCOMPARE(error.remoteType(), QStringLiteral("ValueError"));
    QCOMPARE(error.errorString(), QStringLiteral("bad value 42"));
    QVERIFY2(error.remoteTraceback().contains(QStringLiteral("raise_value_error")),
             qPrintable(error.remoteTraceback()));
    QVERIFY(!error.isRetriable());

    // onFailed receives the QGbException
    QGbError seen;
    auto handled = m_pool->call<int>("raise_value_error", QStringLiteral("x"))
                           .onFailed([&seen](const QGbException &e) {
                               seen = e.error();
                               return -1;
                           });
    QCOMPARE(handled.result(), -1);
    QCOMPARE(seen.code(), QGbError::RemoteException);
}

void tst_QGbPool::generatorRaisesAfterThreeItems()
{
    // A failed QFuture drops its results and its pending result notifications
    // (Qt's rule for QFuture): the error is what a QFuture reports. The items
    // that came before it are observable through QGbCall, tested below.
    QFuture<int> f = m_pool->stream<int>("gen_then_raise", 3);
    const QGbError error = errorOf(f);
    QCOMPARE(error.code(), QGbError::RemoteException);
    QCOMPARE(error.remoteType(), QStringLiteral("RuntimeError"));
    QCOMPARE(error.errorString(), QStringLiteral("boom after 3"));
    QVERIFY2(error.remoteTraceback().contains(u"gen_then_raise"_qs),
             qPrintable(error.remoteTraceback()));
}

void tst_QGbPool::generatorRaisesAfterThreeItemsInvoke()
{
    std::unique_ptr<QGbCall> call(m_pool->invoke("gen_then_raise", { 3 }));
    QVariantList order;
    connect(call.get(), &QGbCall::chunkReceived, this, [&](const QVariant &v) { order << v; });
    connect(call.get(), &QGbCall::errorOccurred, this,
            [&](const QGbError &e) { order << QGbError::codeName(e.code()); });
    QSignalSpy finished(call.get(), &QGbCall::finished);
    QVERIFY(finished.wait(20000));
    QCOMPARE(order,
             (QVariantList { qint64(0), qint64(1), qint64(2), QStringLiteral("RemoteException") }));
    QCOMPARE(finished.size(), 1);
}

void tst_QGbPool::unknownMethod()
{
    const QGbError error = errorOf(m_pool->call<int>("no_such_function", 1));
    QCOMPARE(error.code(), QGbError::UnknownMethod);
    QVERIFY2(error.errorString().contains(QStringLiteral("no_such_function")),
             qPrintable(error.errorString()));
    // Python builtins and module attributes are not reachable by name.
    QCOMPARE(errorOf(m_pool->call<int>("__import__", QStringLiteral("os"))).code(),
             QGbError::UnknownMethod);
    QCOMPARE(errorOf(m_pool->call<int>("record", QStringLiteral("x"))).code(),
             QGbError::UnknownMethod);
}

void tst_QGbPool::wrongArgumentCount()
{
    const QGbError error = errorOf(m_pool->call<int>("add", 1));
    QCOMPARE(error.code(), QGbError::BadArguments);
    QVERIFY2(error.errorString().contains(QStringLiteral("b")), qPrintable(error.errorString()));
    QCOMPARE(errorOf(m_pool->call<int>("add", 1, 2, 3)).code(), QGbError::BadArguments);
    // The worker is fine afterwards.
    QCOMPARE(m_pool->call<int>("add", 1, 2).result(), 3);
}

void tst_QGbPool::resultNotJsonable_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("mustMention");
    QTest::newRow("set") << "unjsonable"
                         << "set";
    QTest::newRow("int beyond int64") << "big_int"
                                      << "64";
    QTest::newRow("NaN") << "nan"
                         << "value";
}

void tst_QGbPool::resultNotJsonable()
{
    QFETCH(QString, method);
    QFETCH(QString, mustMention);
    const QGbError error = errorOf(m_pool->call<QVariant>(method));
    QCOMPARE(error.code(), QGbError::TypeMismatch);
    QVERIFY2(error.errorString().contains(mustMention), qPrintable(error.errorString()));
    QCOMPARE(m_pool->call<int>("add", 1, 1).result(), 2);
}

void tst_QGbPool::argumentNotConvertible_data()
{
    QTest::addColumn<QVariant>("argument");
    QTest::addColumn<QString>("path");
    QTest::newRow("NaN") << QVariant(std::nan("")) << "args[1]";
    QTest::newRow("Infinity") << QVariant(std::numeric_limits<double>::infinity()) << "args[1]";
    QTest::newRow("NaN in a list") << QVariant(QVariantList { 1, std::nan("") }) << "args[1][1]";
    QTest::newRow("NaN in a map") << QVariant(QVariantMap { { u"score"_qs, std::nan("") } })
                                  << "args[1].score";
    QTest::newRow("unsupported type") << QVariant(QPoint(1, 2)) << "args[1]";
}

void tst_QGbPool::argumentNotConvertible()
{
    QFETCH(QVariant, argument);
    QFETCH(QString, path);
    const QGbError error = errorOf(m_pool->call<QVariant>("add", 1, argument));
    QCOMPARE(error.code(), QGbError::TypeMismatch);
    QVERIFY2(error.errorString().contains(path), qPrintable(error.errorString()));
}

void tst_QGbPool::resultNotConvertible_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::newRow("string as int") << QVariant(u"seven"_qs);
    QTest::newRow("int beyond int32") << QVariant(qint64(1) << 40);
    QTest::newRow("fraction as int") << QVariant(1.5);
    QTest::newRow("null as int") << QVariant::fromValue(nullptr);
}

void tst_QGbPool::resultNotConvertible()
{
    QFETCH(QVariant, value);
    const QGbError error = errorOf(m_pool->call<int>("echo", value));
    QCOMPARE(error.code(), QGbError::TypeMismatch);
    QVERIFY2(error.errorString().contains(QStringLiteral("result")),
             qPrintable(error.errorString()));
}

void tst_QGbPool::modeMismatch_data()
{
    QTest::addColumn<bool>("asStream");
    QTest::addColumn<QString>("method");
    QTest::newRow("call a generator") << false << "range_gen";
    QTest::newRow("stream a plain function") << true << "add";
}

void tst_QGbPool::modeMismatch()
{
    QFETCH(bool, asStream);
    QFETCH(QString, method);
    const QGbError error = asStream ? errorOf(m_pool->stream<int>(method, 1, 2))
                                    : errorOf(m_pool->call<int>(method, 1, 2));
    QCOMPARE(error.code(), QGbError::BadArguments);
}

void tst_QGbPool::frameTooLarge()
{
    QGbPool pool(poolWorker(), testOptions(1, 1).setMaxFrameSize(64 * 1024));
    // An argument too large is refused before anything is sent.
    const QGbError sent = errorOf(pool.call<int>("bytes_len", QByteArray(100 * 1024, 'x')));
    QCOMPARE(sent.code(), QGbError::FrameTooLarge);
    // A result too large is refused by the worker, for that call alone.
    const QGbError received = errorOf(pool.call<QString>("big_string", 100 * 1024));
    QCOMPARE(received.code(), QGbError::FrameTooLarge);
    const qint64 pid = pool.call<qint64>("pid").result();
    QCOMPARE(pool.call<int>("add", 2, 3).result(), 5);
    QCOMPARE(pool.call<qint64>("pid").result(), pid);
}

void tst_QGbPool::queueFull()
{
    QGbPool pool(poolWorker(), testOptions(1, 1).setMaxQueuedCalls(2));
    QVERIFY(pool.waitForStarted(20000));
    QList<QFuture<int>> futures;
    for (int i = 0; i < 6; ++i)
        futures.append(pool.call<int>("slow_add", i, i, 0.05));
    int full = 0;
    int ok = 0;
    for (int i = 0; i < futures.size(); ++i) {
        const QGbError error = errorOf(futures.at(i));
        if (error.code() == QGbError::QueueFull) {
            QVERIFY(error.isRetriable());
            ++full;
        } else {
            QVERIFY2(!error.isError(), describe(error));
            QCOMPARE(futures.at(i).result(), 2 * i);
            ++ok;
        }
    }
    QVERIFY2(full >= 3, QByteArray::number(full));
    QVERIFY(ok >= 2);
}

void tst_QGbPool::invokeSignals()
{
    std::unique_ptr<QGbCall> plain(m_pool->invoke("add", { 3, 4 }));
    QSignalSpy result(plain.get(), &QGbCall::resultReady);
    QSignalSpy plainFinished(plain.get(), &QGbCall::finished);
    QVERIFY(plainFinished.wait(20000));
    QCOMPARE(result.size(), 1);
    QCOMPARE(result.at(0).at(0).toLongLong(), 7);
    QCOMPARE(plain->result().toLongLong(), 7);
    QVERIFY(plain->isFinished());
    QVERIFY(!plain->error().isError());
    QCOMPARE(plain->future().result().toLongLong(), 7);

    std::unique_ptr<QGbCall> stream(m_pool->invoke("range_gen", { 1, 6 }));
    QSignalSpy chunks(stream.get(), &QGbCall::chunkReceived);
    QSignalSpy streamFinished(stream.get(), &QGbCall::finished);
    QVERIFY(streamFinished.wait(20000));
    QCOMPARE(chunks.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(chunks.at(i).at(0).toLongLong(), i + 1);
    QCOMPARE(streamFinished.size(), 1);

    // client stream through invoke
    QGbChannel in;
    std::unique_ptr<QGbCall> sum(m_pool->invoke("sum_stream", {}, &in));
    QVERIFY(in.write(20));
    QVERIFY(in.write(22));
    in.close();
    QSignalSpy sumFinished(sum.get(), &QGbCall::finished);
    QVERIFY(sumFinished.wait(20000));
    QCOMPARE(sum->result().toLongLong(), 42);

    std::unique_ptr<QGbCall> failing(m_pool->invoke("no_such_function"));
    QSignalSpy errors(failing.get(), &QGbCall::errorOccurred);
    QSignalSpy failFinished(failing.get(), &QGbCall::finished);
    QVERIFY(failFinished.wait(20000));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<QGbError>().code(), QGbError::UnknownMethod);
    QCOMPARE(failFinished.size(), 1);
}

void tst_QGbPool::describeFunctions()
{
    QFuture<QVariantList> f = m_pool->describe();
    QVERIFY(waitFor(f));
    QVERIFY2(!errorOf(f).isError(), describe(errorOf(f)));
    QHash<QString, QVariantMap> byName;
    for (const QVariant &v : f.result())
        byName.insert(v.toMap().value(u"name"_qs).toString(), v.toMap());
    QVERIFY(byName.contains(u"add"_qs));
    QCOMPARE(byName[u"add"_qs].value(u"mode"_qs).toString(), QStringLiteral("call"));
    QVERIFY(byName[u"add"_qs].value(u"signature"_qs).toString().contains(u"a: int"_qs));
    QCOMPARE(byName[u"range_gen"_qs].value(u"mode"_qs).toString(), QStringLiteral("server_stream"));
    QCOMPARE(byName[u"sum_stream"_qs].value(u"mode"_qs).toString(),
             QStringLiteral("client_stream"));
    QCOMPARE(byName[u"process_users"_qs].value(u"mode"_qs).toString(), QStringLiteral("bidi"));
    QVERIFY(byName.contains(u"renamed_add"_qs));
    QVERIFY(!byName.contains(u"record"_qs));
}

void tst_QGbPool::concurrentCalls()
{
    // 100 calls on 2 workers x 4 connections: each gets its own answer.
    QList<QFuture<int>> futures;
    for (int i = 0; i < 100; ++i)
        futures.append(m_pool->call<int>("slow_add", i, 1000, 0.01));
    QSet<qint64> pids;
    for (int i = 0; i < 100; ++i) {
        QVERIFY(waitFor(futures.at(i)));
        QVERIFY2(!errorOf(futures.at(i)).isError(), describe(errorOf(futures.at(i))));
        QCOMPARE(futures.at(i).result(), i + 1000);
    }
    QCOMPARE(m_pool->workerProcessIds().size(), 2);
}

// Runs call(thread, i) perThread times in each of threads threads at once;
// the number of calls that returned true.
template<typename Call>
int callFromThreads(int threads, int perThread, Call call)
{
    QList<QThread *> workers;
    QAtomicInt good = 0;
    for (int t = 0; t < threads; ++t) {
        workers.append(QThread::create([t, perThread, &good, &call] {
            for (int i = 0; i < perThread; ++i) {
                if (call(t, i))
                    good.fetchAndAddRelaxed(1);
            }
        }));
        workers.last()->start();
    }
    for (QThread *thread : workers) {
        if (!thread->wait(60000))
            qFatal("a calling thread did not finish in 60 s");
        delete thread;
    }
    return good.loadRelaxed();
}

void tst_QGbPool::callsFromManyThreads()
{
    const int good = callFromThreads(4, 50, [this](int t, int i) {
        return m_pool->call<int>("add", t * 1000, i).result() == t * 1000 + i;
    });
    QCOMPARE(good, 4 * 50);
}

// Gadget lists are written as JSON in the calling threads and read from the
// answers' text in the pool's thread: many threads at once, sizes that vary.
void tst_QGbPool::gadgetListsFromManyThreads()
{
    constexpr int perThread = 30;
    const int good = callFromThreads(4, perThread, [this](int t, int i) {
        QList<User> users;
        for (int k = 0; k < (t * perThread + i) % 40; ++k)
            users.append({ t * 100000 + i * 100 + k,
                           QStringLiteral("user \"%1\" \u00e9 %2").arg(t).arg(k),
                           double(k) * 0.75,
                           {} });
        const QList<User> back = m_pool->call<QList<User>>("enrich_users", users).result();
        if (back.size() != users.size())
            return false;
        for (qsizetype k = 0; k < users.size(); ++k) {
            User expected = users.at(k);
            expected.level = expected.score >= 10 ? u"gold"_qs : u"silver"_qs;
            if (!(back.at(k) == expected))
                return false;
        }
        return true;
    });
    QCOMPARE(good, 4 * perThread);
}

// A gadget argument the typed writer gives up on fails as it always did,
// naming the path of the bad value.
void tst_QGbPool::gadgetArgumentNotConvertible()
{
    const QList<User> users { { 1, "a", 1, {} }, { 2, "b", std::nan(""), {} } };
    const QGbError error = errorOf(m_pool->call<QList<User>>("enrich_users", users));
    QCOMPARE(error.code(), QGbError::TypeMismatch);
    QVERIFY2(error.errorString().contains(u"args[0][1].score"_qs), qPrintable(error.errorString()));
    const QList<User> lone { { 1, QString(QChar(0xD800)), 1, {} } };
    const QGbError surrogate = errorOf(m_pool->call<QList<User>>("enrich_users", lone));
    QCOMPARE(surrogate.code(), QGbError::TypeMismatch);
    QVERIFY2(surrogate.errorString().contains(u"unpaired"_qs), qPrintable(surrogate.errorString()));
    // The pool goes on.
    QCOMPARE(m_pool->call<QList<User>>("enrich_users", QList<User> { { 3, "c", 20, {} } })
                     .result()
                     .value(0)
                     .level,
             u"gold"_qs);
}

// QGbCallOptions::setKeywordArguments(): function(*args, **kwargs), in the
// three ways of calling, keyword-only parameters and **kwargs included.
void tst_QGbPool::keywordArguments()
{
    auto named = [](const QVariantMap &kwargs) {
        return QGbCallOptions().setKeywordArguments(kwargs);
    };
    QCOMPARE(m_pool->call<double>(named({ { u"factor"_qs, 3 } }), "scaled", 2.0).result(), 6.0);
    QCOMPARE(m_pool->call<double>(named({ { u"offset"_qs, 1.5 } }), "scaled", 2.0).result(), 3.5);
    // Without them the defaults apply, as in Python.
    QCOMPARE(m_pool->call<double>("scaled", 2.0).result(), 2.0);
    // A keyword for a positional parameter.
    QCOMPARE(m_pool->call<int>(named({ { u"b"_qs, 40 } }), "add", 2).result(), 42);
    QCOMPARE(m_pool->stream<int>(named({ { u"step"_qs, 10 } }), "scaled_range", 3).results(),
             (QList<int> { 0, 10, 20 }));
    // Every kind of value reaches **kwargs as it would as an argument.
    const QVariantMap values { { u"text"_qs, u"é"_qs },
                               { u"list"_qs, QVariantList { 1, u"two"_qs } },
                               { u"map"_qs, QVariantMap { { u"$x"_qs, 1 } } },
                               { u"blob"_qs, QByteArray("\0\1", 2) },
                               { u"none"_qs, QVariant::fromValue(nullptr) } };
    const QVariantList got = m_pool->call<QVariantList>(named(values), "keywords").result();
    QCOMPARE(got.size(), values.size());
    for (const QVariant &pair : got) {
        const QVariantList nameValue = pair.toList();
        const QString name = nameValue.value(0).toString();
        QVERIFY2(values.contains(name), qPrintable(name));
        if (name == u"none"_qs)
            QVERIFY(nameValue.value(1).isNull());
        else
            QCOMPARE(nameValue.value(1), values.value(name));
    }
    // A lone name that starts with '$' (the whole object then travels in a
    // $map marker) is still a keyword argument.
    QCOMPARE(m_pool->call<QVariantList>(named({ { u"$odd"_qs, 1 } }), "keywords").result(),
             (QVariantList { QVariantList { u"$odd"_qs, 1 } }));
    // invoke() takes them too.
    QGbCall *call = m_pool->invoke(named({ { u"factor"_qs, 0.5 } }), u"scaled"_qs, { 8.0 });
    QVERIFY(QTest::qWaitFor([call] { return call->isFinished(); }, 20000));
    QCOMPARE(call->result(), QVariant(4.0));
    delete call;
}

void tst_QGbPool::keywordArgumentsRefused_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QVariantMap>("kwargs");
    QTest::addColumn<QGbError::Code>("code");
    QTest::addColumn<QString>("mention");
    QTest::newRow("unknown name") << u"scaled"_qs << QVariantMap { { u"speed"_qs, 2 } }
                                  << QGbError::BadArguments << u"speed"_qs;
    QTest::newRow("given twice") << u"add"_qs << QVariantMap { { u"a"_qs, 2 } }
                                 << QGbError::BadArguments << u"multiple values"_qs;
    QTest::newRow("not convertible")
            << u"scaled"_qs << QVariantMap { { u"factor"_qs, std::nan("") } }
            << QGbError::TypeMismatch << u"kwargs.factor"_qs;
    QTest::newRow("a channel") << u"scaled"_qs
                               << QVariantMap { { u"factor"_qs,
                                                  QVariant::fromValue(new QGbChannel) } }
                               << QGbError::BadArguments << u"positional"_qs;
}

// Keyword arguments a function cannot take fail the call alone, with the
// error Python gives or the path of the value; the pool goes on.
void tst_QGbPool::keywordArgumentsRefused()
{
    QFETCH(QString, method);
    QFETCH(QVariantMap, kwargs);
    QFETCH(QGbError::Code, code);
    QFETCH(QString, mention);
    std::unique_ptr<QGbChannel> channel;
    if (auto *c = kwargs.first().value<QGbChannel *>())
        channel.reset(c);
    const QGbError error = errorOf(
            m_pool->call<double>(QGbCallOptions().setKeywordArguments(kwargs), method, 2.0));
    QVERIFY2(error.code() == code, describe(error));
    QVERIFY2(error.errorString().contains(mention), describe(error));
    QCOMPARE(m_pool->call<int>("add", 1, 2).result(), 3);
}

void tst_QGbPool::resultFromAppThread()
{
    // Blocking on a result in the thread that owns the pool must not deadlock:
    // the pool's I/O runs in its own thread.
    QGbPool pool(poolWorker(), testOptions(1, 1));
    QFuture<int> f = pool.call<int>("add", 20, 22);
    QCOMPARE(f.result(), 42);
    QCOMPARE(pool.stream<int>("range_gen", 0, 3).results(), (QList<int> { 0, 1, 2 }));
}

void tst_QGbPool::optionsEnvironmentCwdArguments()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QGbPool pool(poolWorker(),
                 testOptions(1, 1)
                         .setEnvironment({ u"GB_TEST_VALUE=hello=world"_qs })
                         .setWorkingDirectory(dir.path())
                         .setScriptArguments({ u"--alpha"_qs, u"beta gamma"_qs })
                         .setSocketDirectory(dir.path()));
    QCOMPARE(pool.call<QString>("env", QStringLiteral("GB_TEST_VALUE")).result(),
             QStringLiteral("hello=world"));
    QCOMPARE(QDir(pool.call<QString>("cwd").result()).canonicalPath(),
             QDir(dir.path()).canonicalPath());
    QCOMPARE(pool.call<QStringList>("argv").result(), (QStringList { "--alpha", "beta gamma" }));
    // The pool's secrets are not passed on to what the worker runs.
    QVERIFY(pool.call<QVariant>("env", QStringLiteral("GOBRIDGE_TOKEN")).result().isNull());
    // The socket directory is private and holds the worker's socket.
    const QStringList dirs = QDir(dir.path()).entryList({ u"qgobridge-*"_qs }, QDir::Dirs);
    QCOMPARE(dirs.size(), 1);
    const QFileInfo info(dir.filePath(dirs.first()));
    QCOMPARE(info.permissions() & 0x0077, QFileDevice::Permissions());
    pool.close();
    QVERIFY(!QFileInfo::exists(info.filePath()));
}

void tst_QGbPool::outputToDevice()
{
    QBuffer out;
    QBuffer err;
    out.open(QIODevice::ReadWrite);
    err.open(QIODevice::ReadWrite);
    QGbPool pool(poolWorker(),
                 testOptions(1, 1).setStdout(&out).setStderr(&err).setEnvironment(
                         { u"GB_PRINT_ON_START=hello from start"_qs }));
    QSignalSpy lines(&pool, &QGbPool::workerOutput);
    QCOMPARE(pool.call<int>("print_lines", 3).result(), 3);
    QTRY_VERIFY(out.data().contains("out line 2\n"));
    QTRY_VERIFY(err.data().contains("err line 2\n"));
    QVERIFY(out.data().startsWith("hello from start\n"));
    QVERIFY(!out.data().contains("err line"));
    QVERIFY(!err.data().contains("out line"));
    QTRY_VERIFY(lines.size() >= 8);
    // a partial line is delivered whole once the worker exits
    pool.call<void>("partial_line").waitForFinished();
    pool.close();
    QTRY_VERIFY(out.data().endsWith("no newline yet\n"));
    bool sawStdoutLine = false;
    for (const auto &args : lines) {
        if (args.at(1).value<QProcess::ProcessChannel>() == QProcess::StandardOutput
            && args.at(2).toByteArray() == "out line 1\n")
            sawStdoutLine = true;
    }
    QVERIFY(sawStdoutLine);
}

void tst_QGbPool::outputDiscarded()
{
    QGbPool pool(poolWorker(), testOptions(1, 1).setStdout(nullptr).setStderr(nullptr));
    QSignalSpy lines(&pool, &QGbPool::workerOutput);
    QCOMPARE(pool.call<int>("print_lines", 2).result(), 2);
    QTRY_VERIFY(lines.size() >= 4); // still observable through the signal
}

void tst_QGbPool::startFailureFailsCalls()
{
    {
        QGbPool pool(poolWorker(),
                     testOptions(1, 1).setPythonExecutable(u"/nonexistent/python"_qs));
        QSignalSpy errors(&pool, &QGbPool::errorOccurred);
        const QGbError error = errorOf(pool.call<int>("add", 1, 2));
        QCOMPARE(error.code(), QGbError::WorkerStartFailed);
        QVERIFY(errors.size() >= 1 || errors.wait(5000));
    }
    {
        QGbPool pool(poolWorker(), testOptions(1, 1).setEnvironment({ u"GB_CRASH_ON_START=1"_qs }));
        const QGbError error = errorOf(pool.call<int>("add", 1, 2));
        QCOMPARE(error.code(), QGbError::WorkerStartFailed);
        QVERIFY2(error.errorString().contains(u"crashing on start"_qs),
                 qPrintable(error.errorString()));
    }
}

// The TLS backends Qt has loaded into this process, from /proc/self/maps.
static QByteArrayList loadedTlsBackends()
{
    QFile maps(u"/proc/self/maps"_qs);
    if (!maps.open(QIODevice::ReadOnly))
        return { "(no /proc/self/maps)" };
    QByteArrayList found;
    for (const QByteArray &line : maps.readAll().split('\n')) {
        const QByteArray name = line.mid(line.lastIndexOf('/') + 1);
        if (line.contains("/tls/libq") && !found.contains(name))
            found.append(name);
    }
    return found;
}

// A pool of local workers needs no TLS: nothing in this test's process (pools
// with default and other options, calls of every mode, all the functions
// above) loaded a TLS backend, whose first use costs 6-9 ms and maps OpenSSL.
// Asking for the TLS configuration does load one (so the check can see it).
void tst_QGbPool::localPoolsLoadNoTls()
{
#ifndef Q_OS_LINUX
    QSKIP("reads /proc/self/maps");
#endif
    {
        QGbPool pool(poolWorker(), QGbPoolOptions().setWorkers(1));
        QCOMPARE(pool.call<int>("add", 1, 2).result(), 3);
    }
    QCOMPARE(loadedTlsBackends(), QByteArrayList());
    const QSslConfiguration defaultTls = QGbPoolOptions().sslConfiguration();
    QVERIFY(!defaultTls.isNull());
    QVERIFY2(!loadedTlsBackends().isEmpty(), "asking for the TLS configuration loaded nothing");
}

QTEST_GUILESS_MAIN(tst_QGbPool)
#include "tst_qgbpool.moc"
