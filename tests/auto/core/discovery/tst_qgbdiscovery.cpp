// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Discovery: QGbPool::functions() describes what the workers expose, and a
// call that a known function cannot take fails with BadArguments before
// anything is sent.

#include "qgbtesthelpers.h"

#include "qgbtestlistener_p.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qmutex.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <memory>

#include <signal.h>

using namespace Qt::StringLiterals;

namespace {

QString discoveryWorker()
{
    return QStringLiteral(QGB_SOURCE_DIR "/tests/python/workers/describeworker.py");
}

// Counts the call messages the engine writes and the calls it starts.
class SentCalls : public QGbTestEventLog
{
public:
    void messageSent(const QGbConnection &, const QByteArray &frames) override
    {
        const QJsonObject object = sentMessage(frames);
        if (object.value(u"type"_s).toString() == u"call"_s)
            add(u"sent "_s + object.value(u"method"_s).toString());
    }
    void callStarted(const QGbCallRecord &call) override { add(u"started "_s + call.method); }
};

QStringList names(const QList<QGbParameter> &parameters)
{
    QStringList out;
    for (const QGbParameter &p : parameters)
        out.append(p.name());
    return out;
}

enum class How { Call, Stream, Invoke };

} // namespace

Q_DECLARE_METATYPE(How)

class tst_QGbDiscovery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void functionsListed();
    void functionContents_data();
    void functionContents();
    void parameters();
    void builtinWithoutSignature();
    void describeStillWorks();

    void refusedBeforeSending_data();
    void refusedBeforeSending();
    void rightCallsWork();
    void keywordsBoundBeforeSending_data();
    void keywordsBoundBeforeSending();
    void unknownMethodGoesToTheWorker();
    void callsBeforeTheListIsKnownGoThrough();
    void fetchedAgainAfterACrash();

private:
    std::unique_ptr<QGbPool> m_pool;
    SentCalls m_sent; // outlives m_pool
};

void tst_QGbDiscovery::initTestCase()
{
    m_pool = std::make_unique<QGbPool>(discoveryWorker(), testOptions(1, 2));
    QVERIFY(qgbListen(m_pool.get(), &m_sent));
    QSignalSpy changed(m_pool.get(), &QGbPool::functionsChanged);
    QVERIFY(changed.wait(20000));
    QCOMPARE(changed.size(), 1);
}

void tst_QGbDiscovery::cleanupTestCase()
{
    m_pool.reset();
}

void tst_QGbDiscovery::functionsListed()
{
    const QList<QGbFunction> functions = m_pool->functions();
    QStringList listed;
    for (const QGbFunction &f : functions) {
        QVERIFY(f.isValid());
        listed.append(f.name());
    }
    const QStringList expected = { u"add"_s,      u"biggest"_s, u"count_up"_s, u"doubled"_s,
                                   u"greet"_s,    u"opaque"_s,  u"options"_s,  u"place"_s,
                                   u"plus_one"_s, u"scale"_s,   u"sum_all"_s,  u"total"_s,
                                   u"traced"_s };
    QCOMPARE(listed, expected); // sorted by name
    QCOMPARE(m_pool->function(u"add"_s), functions.first());
    QVERIFY(!m_pool->function(u"no_such_function"_s).isValid());
    QVERIFY(!QGbFunction().isValid());
}

void tst_QGbDiscovery::functionContents_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QGbFunction::Mode>("mode");
    QTest::addColumn<QString>("signature");
    QTest::addColumn<QStringList>("parameters");
    QTest::addColumn<int>("minimum");
    QTest::addColumn<int>("maximum");
    QTest::addColumn<QString>("doc");

    QTest::newRow("plain") << u"add"_s << QGbFunction::Call << u"(a: int, b: int) -> int"_s
                           << QStringList { u"a"_s, u"b"_s } << 2 << 2 << u"Return a + b."_s;
    QTest::newRow("default") << u"scale"_s << QGbFunction::Call
                             << u"(x: float, factor: float = 2.0) -> float"_s
                             << QStringList { u"x"_s, u"factor"_s } << 1 << 2 << QString();
    QTest::newRow("*args") << u"total"_s << QGbFunction::Call
                           << u"(first: int, *rest: int) -> int"_s
                           << QStringList { u"first"_s, u"rest"_s } << 1 << -1
                           << u"Add one or more numbers."_s;
    QTest::newRow("keyword-only")
            << u"greet"_s << QGbFunction::Call
            << u"(name: str, /, *, greeting: Optional[str] = 'Hello') -> str"_s
            << QStringList { u"name"_s, u"greeting"_s } << 1 << 1 << QString();
    QTest::newRow("**kwargs") << u"options"_s << QGbFunction::Call << u"(**kw: int) -> dict"_s
                              << QStringList { u"kw"_s } << 0 << 0 << QString();
    QTest::newRow("server stream")
            << u"count_up"_s << QGbFunction::ServerStream << u"(n: int) -> Iterator[int]"_s
            << QStringList { u"n"_s } << 1 << 1 << QString();
    QTest::newRow("client stream")
            << u"sum_all"_s << QGbFunction::ClientStream << u"(numbers: Iterator[int]) -> int"_s
            << QStringList { u"numbers"_s } << 1 << 1 << QString();
    QTest::newRow("bidirectional") << u"doubled"_s << QGbFunction::Bidirectional
                                   << u"(items: 'Iterable[int]') -> Iterator[int]"_s
                                   << QStringList { u"items"_s } << 1 << 1 << QString();
    QTest::newRow("functools.wraps")
            << u"traced"_s << QGbFunction::Call << u"(a: int, b: int = 1) -> int"_s
            << QStringList { u"a"_s, u"b"_s } << 1 << 2 << u"Traced addition."_s;
    QTest::newRow("plain wrapper")
            << u"opaque"_s << QGbFunction::Call << u"(*args, **kwargs)"_s
            << QStringList { u"args"_s, u"kwargs"_s } << 0 << -1 << QString();
    QTest::newRow("callable object") << u"plus_one"_s << QGbFunction::Call << u"(x: int) -> int"_s
                                     << QStringList { u"x"_s } << 1 << 1 << u"Add one."_s;
}

void tst_QGbDiscovery::functionContents()
{
    QFETCH(QString, name);
    QFETCH(QGbFunction::Mode, mode);
    QFETCH(QString, signature);
    QFETCH(QStringList, parameters);
    QFETCH(int, minimum);
    QFETCH(int, maximum);
    QFETCH(QString, doc);

    const QGbFunction f = m_pool->function(name);
    QVERIFY(f.isValid());
    QCOMPARE(f.name(), name);
    QCOMPARE(f.mode(), mode);
    QCOMPARE(f.signature(), signature);
    QVERIFY(f.isSignatureKnown());
    QCOMPARE(names(f.parameters()), parameters);
    QCOMPARE(f.minimumArguments(), minimum);
    QCOMPARE(f.maximumArguments(), maximum);
    QCOMPARE(f.doc(), doc);
}

void tst_QGbDiscovery::parameters()
{
    const QList<QGbParameter> scale = m_pool->function(u"scale"_s).parameters();
    QCOMPARE(scale.size(), 2);
    QCOMPARE(scale.at(0).kind(), QGbParameter::PositionalOrKeyword);
    QCOMPARE(scale.at(0).annotation(), u"float"_s);
    QVERIFY(!scale.at(0).hasDefault());
    QVERIFY(scale.at(0).defaultValue().isEmpty());
    QVERIFY(scale.at(1).hasDefault());
    QCOMPARE(scale.at(1).defaultValue(), u"2.0"_s);
    QVERIFY(scale.at(0).isPositional());

    const QList<QGbParameter> greet = m_pool->function(u"greet"_s).parameters();
    QCOMPARE(greet.at(0).kind(), QGbParameter::PositionalOnly);
    QCOMPARE(greet.at(1).kind(), QGbParameter::KeywordOnly);
    QCOMPARE(greet.at(1).annotation(), u"Optional[str]"_s);
    QCOMPARE(greet.at(1).defaultValue(), u"'Hello'"_s);
    QVERIFY(!greet.at(1).isPositional());

    const QList<QGbParameter> total = m_pool->function(u"total"_s).parameters();
    QCOMPARE(total.at(1).kind(), QGbParameter::VarPositional);
    QCOMPARE(total.at(1).annotation(), u"int"_s);
    QCOMPARE(m_pool->function(u"options"_s).parameters().at(0).kind(), QGbParameter::VarKeyword);
    QVERIFY(m_pool->function(u"opaque"_s).parameters().at(0).annotation().isEmpty());

    // Stream parameters, with a typing annotation or a string one.
    const QGbParameter numbers = m_pool->function(u"sum_all"_s).parameters().at(0);
    QVERIFY(numbers.isStream());
    QCOMPARE(numbers.annotation(), u"Iterator[int]"_s);
    const QGbParameter items = m_pool->function(u"doubled"_s).parameters().at(0);
    QVERIFY(items.isStream());
    QCOMPARE(items.annotation(), u"Iterable[int]"_s);
    QVERIFY(!m_pool->function(u"count_up"_s).parameters().at(0).isStream());

    // Value semantics.
    QGbParameter copy = numbers;
    QCOMPARE(copy, numbers);
    QVERIFY(copy != items);
    copy.swap(const_cast<QGbParameter &>(items));
    QCOMPARE(copy.name(), u"items"_s);
}

void tst_QGbDiscovery::builtinWithoutSignature()
{
    const QGbFunction biggest = m_pool->function(u"biggest"_s);
    QVERIFY(biggest.isValid());
    QVERIFY(!biggest.isSignatureKnown());
    QCOMPARE(biggest.signature(), u"(...)"_s);
    QVERIFY(biggest.parameters().isEmpty());
    QCOMPARE(biggest.minimumArguments(), 0);
    QCOMPARE(biggest.maximumArguments(), -1);
    QCOMPARE(biggest.mode(), QGbFunction::Call);
    // Any count goes to the worker: max(3, 9, 4) and max([1, 5, 2]).
    QCOMPARE(m_pool->call<int>("biggest", 3, 9, 4).result(), 9);
    QCOMPARE(m_pool->call<int>("biggest", QVariantList { 1, 5, 2 }).result(), 5);
}

void tst_QGbDiscovery::describeStillWorks()
{
    QFuture<QVariantList> described = m_pool->describe();
    QVERIFY(waitFor(described));
    QList<QGbFunction> again;
    for (const QVariant &entry : described.result())
        again.append(QGbFunction::fromDescription(entry.toMap()));
    QCOMPARE(again, m_pool->functions());
    QVERIFY(!QGbFunction::fromDescription(QVariantMap()).isValid());
}

void tst_QGbDiscovery::refusedBeforeSending_data()
{
    QTest::addColumn<How>("how");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QVariantList>("args");
    QTest::addColumn<bool>("channel");
    QTest::addColumn<QString>("message");

    QTest::newRow("call() of a generator")
            << How::Call << u"count_up"_s << QVariantList { 3 } << false
            << u"count_up() is a generator function: it returns a stream, but the call expects "
               "a single result (use stream())"_s;
    QTest::newRow("call() of a bidirectional generator")
            << How::Call << u"doubled"_s << QVariantList {} << true
            << u"doubled() is a generator function"_s;
    QTest::newRow("stream() of a plain function")
            << How::Stream << u"add"_s << QVariantList { 1, 2 } << false
            << u"add() returns a single result, but the call expects a stream (use call())"_s;
    QTest::newRow("stream() of a client stream") << How::Stream << u"sum_all"_s << QVariantList {}
                                                 << true << u"sum_all() returns a single result"_s;
    QTest::newRow("client stream without a channel")
            << How::Call << u"sum_all"_s << QVariantList { 1 } << false
            << u"sum_all() reads a stream (numbers: Iterator[int]), but the call has no input "
               "channel (pass a QGbChannel)"_s;
    QTest::newRow("bidirectional without a channel")
            << How::Stream << u"doubled"_s << QVariantList { 1 } << false
            << u"doubled() reads a stream (items: Iterable[int])"_s;
    QTest::newRow("invoke() without a channel") << How::Invoke << u"sum_all"_s << QVariantList { 1 }
                                                << false << u"sum_all() reads a stream"_s;
    QTest::newRow("too many") << How::Call << u"add"_s << QVariantList { 1, 2, 3 } << false
                              << u"add() takes 2 arguments (a, b), 3 given"_s;
    QTest::newRow("too few") << How::Call << u"add"_s << QVariantList { 1 } << false
                             << u"add() takes 2 arguments (a, b), 1 given"_s;
    QTest::newRow("too many, with a default")
            << How::Call << u"scale"_s << QVariantList { 1, 2, 3 } << false
            << u"scale() takes 1 to 2 arguments (x, factor=2.0), 3 given"_s;
    QTest::newRow("too few, with *args") << How::Call << u"total"_s << QVariantList {} << false
                                         << u"total() takes at least 1 argument (first, *rest), "
                                            "0 given"_s;
    QTest::newRow("keyword-only is not positional")
            << How::Call << u"greet"_s << QVariantList { u"Ann"_s, u"Hi"_s } << false
            << u"greet() takes 1 argument (name), 2 given"_s;
    QTest::newRow("**kwargs only") << How::Call << u"options"_s << QVariantList { 1 } << false
                                   << u"options() takes no arguments, 1 given"_s;
    QTest::newRow("the channel counts") << How::Call << u"sum_all"_s << QVariantList { 1 } << true
                                        << u"sum_all() takes 1 argument (numbers), 2 given"_s;
    QTest::newRow("decorated") << How::Call << u"traced"_s << QVariantList { 1, 2, 3 } << false
                               << u"traced() takes 1 to 2 arguments (a, b=1), 3 given"_s;
    QTest::newRow("invoke() with too many")
            << How::Invoke << u"count_up"_s << QVariantList { 1, 2 } << false
            << u"count_up() takes 1 argument (n), 2 given"_s;
}

void tst_QGbDiscovery::refusedBeforeSending()
{
    QFETCH(How, how);
    QFETCH(QString, method);
    QFETCH(QVariantList, args);
    QFETCH(bool, channel);
    QFETCH(QString, message);

    // A good call first: the engine has taken every earlier submission.
    QCOMPARE(m_pool->call<int>("add", 1, 1).result(), 2);
    m_sent.clear();

    QGbChannel input;
    QGbError error;
    if (how == How::Invoke) {
        std::unique_ptr<QGbCall> call(m_pool->invoke(method, args, channel ? &input : nullptr));
        QVERIFY(call->future().isFinished()); // failed in invoke() itself
        QTRY_VERIFY(call->isFinished());
        error = call->error();
    } else {
        // call<>() and stream<>() take their arguments as C++ values: a
        // QVariantList of them travels as one list, so spell them out.
        QFuture<QVariant> future;
        auto start = [&](auto &&...a) {
            future = how == How::Call ? m_pool->call<QVariant>(method, a...)
                                      : m_pool->stream<QVariant>(method, a...);
        };
        switch (args.size() + (channel ? 1 : 0)) {
        case 0:
            start();
            break;
        case 1:
            if (channel)
                start(input);
            else
                start(args.at(0));
            break;
        case 2:
            if (channel)
                start(args.at(0), input);
            else
                start(args.at(0), args.at(1));
            break;
        case 3:
            start(args.at(0), args.at(1), args.at(2));
            break;
        default:
            QFAIL("no such row");
        }
        QVERIFY(future.isFinished()); // failed in call() or stream() itself
        error = errorOf(future);
    }
    QCOMPARE(error.code(), QGbError::BadArguments);
    QVERIFY2(error.errorString().startsWith(message), describe(error));
    // As with an argument that cannot be converted, the call's channel
    // ended with it: a writer learns that nobody reads.
    if (channel) {
        QVERIFY(input.isClosed());
        QVERIFY(!input.write(4));
    }

    // Nothing of the refused call reached the engine: the next call is the
    // only one it started and sent.
    QCOMPARE(m_pool->call<int>("add", 2, 2).result(), 4);
    QCOMPARE(m_sent.events(), QStringList({ u"started add"_s, u"sent add"_s }));
}

void tst_QGbDiscovery::keywordsBoundBeforeSending_data()
{
    // A call with keyword arguments is bound to the parameters as Python
    // binds it: what Python would refuse is refused before it is sent (with
    // Python's words), and what it takes goes through.
    QTest::addColumn<QString>("method");
    QTest::addColumn<QVariantList>("args");
    QTest::addColumn<QVariantMap>("kwargs");
    QTest::addColumn<QString>("message"); // empty: the call goes through
    QTest::addColumn<QVariant>("result");

    QTest::newRow("by name") << u"add"_s << QVariantList {}
                             << QVariantMap { { u"a"_s, 1 }, { u"b"_s, 2 } } << QString()
                             << QVariant(3);
    QTest::newRow("the rest by name") << u"add"_s << QVariantList { 1 }
                                      << QVariantMap { { u"b"_s, 5 } } << QString() << QVariant(6);
    QTest::newRow("a default by name")
            << u"scale"_s << QVariantList { 3 } << QVariantMap { { u"factor"_s, 3 } } << QString()
            << QVariant(9.0);
    QTest::newRow("keyword-only") << u"greet"_s << QVariantList { u"Ann"_s }
                                  << QVariantMap { { u"greeting"_s, u"Hi"_s } } << QString()
                                  << QVariant(u"Hi, Ann"_s);
    QTest::newRow("required keyword-only")
            << u"place"_s << QVariantList { 1 } << QVariantMap { { u"at"_s, 2 } } << QString()
            << QVariant(QVariantList { 1, 2 });
    QTest::newRow("**kwargs takes any name")
            << u"options"_s << QVariantList {} << QVariantMap { { u"x"_s, 1 } } << QString()
            << QVariant(QVariantMap { { u"x"_s, 1 } });

    QTest::newRow("unexpected") << u"add"_s << QVariantList { 1 }
                                << QVariantMap { { u"b"_s, 2 }, { u"c"_s, 3 } }
                                << u"add() got an unexpected keyword argument 'c'"_s << QVariant();
    QTest::newRow("twice") << u"add"_s << QVariantList { 1, 2 } << QVariantMap { { u"a"_s, 3 } }
                           << u"add() got multiple values for argument 'a'"_s << QVariant();
    QTest::newRow("positional-only by name")
            << u"greet"_s << QVariantList {} << QVariantMap { { u"name"_s, u"Ann"_s } }
            << u"greet() got some positional-only arguments passed as keyword arguments: "
               "'name'"_s
            << QVariant();
    QTest::newRow("a positional one missing")
            << u"add"_s << QVariantList {} << QVariantMap { { u"b"_s, 2 } }
            << u"add() missing 1 required positional argument: 'a'"_s << QVariant();
    QTest::newRow("a keyword-only one missing")
            << u"place"_s << QVariantList { 1 } << QVariantMap()
            << u"place() missing 1 required keyword-only argument: 'at'"_s << QVariant();
    QTest::newRow("too many still counted")
            << u"add"_s << QVariantList { 1, 2, 3 } << QVariantMap { { u"b"_s, 2 } }
            << u"add() takes 2 arguments (a, b), 3 given"_s << QVariant();
}

void tst_QGbDiscovery::keywordsBoundBeforeSending()
{
    QFETCH(QString, method);
    QFETCH(QVariantList, args);
    QFETCH(QVariantMap, kwargs);
    QFETCH(QString, message);
    QFETCH(QVariant, result);

    QCOMPARE(m_pool->call<int>("add", 1, 1).result(), 2);
    m_sent.clear();
    std::unique_ptr<QGbCall> call(
            m_pool->invoke(QGbCallOptions().setKeywordArguments(kwargs), method, args));
    if (message.isEmpty()) {
        QTRY_VERIFY_WITH_TIMEOUT(call->isFinished(), 20000);
        QVERIFY2(!call->error().isError(), describe(call->error()));
        QCOMPARE(call->result(), result);
        QCOMPARE(m_sent.events(), QStringList({ u"started "_s + method, u"sent "_s + method }));
        return;
    }
    QVERIFY(call->future().isFinished()); // failed in invoke() itself
    QTRY_VERIFY(call->isFinished());
    QCOMPARE(call->error().code(), QGbError::BadArguments);
    QCOMPARE(call->error().errorString(), message);
    QVERIFY(m_sent.events().isEmpty());
}

void tst_QGbDiscovery::rightCallsWork()
{
    QCOMPARE(m_pool->call<int>("add", 1, 2).result(), 3);
    QCOMPARE(m_pool->call<double>("scale", 3).result(), 6.0);
    QCOMPARE(m_pool->call<double>("scale", 3, 3).result(), 9.0);
    QCOMPARE(m_pool->call<int>("total", 1).result(), 1);
    QCOMPARE(m_pool->call<int>("total", 1, 2, 3).result(), 6);
    QCOMPARE(m_pool->call<QString>("greet", u"Ann"_s).result(), u"Hello, Ann"_s);
    QCOMPARE(m_pool->call<QVariantMap>("options").result(), QVariantMap());
    QCOMPARE(m_pool->call<int>("traced", 1).result(), 2);
    QCOMPARE(m_pool->call<int>("opaque", 1, 2).result(), 3);
    QCOMPARE(m_pool->call<int>("plus_one", 1).result(), 2);

    QFuture<int> counted = m_pool->stream<int>("count_up", 3);
    QVERIFY(waitFor(counted));
    QCOMPARE(counted.results(), QList<int>({ 0, 1, 2 }));

    QGbChannel numbers;
    QFuture<qint64> sum = m_pool->call<qint64>("sum_all", numbers);
    QVERIFY(numbers.write(1));
    QVERIFY(numbers.write(2));
    numbers.close();
    QCOMPARE(sum.result(), qint64(3));

    QGbChannel items;
    QFuture<int> twice = m_pool->stream<int>("doubled", &items);
    QVERIFY(items.write(5));
    items.close();
    QVERIFY(waitFor(twice));
    QCOMPARE(twice.results(), QList<int>({ 10 }));

    // invoke() expects either output: a generator and a plain function.
    std::unique_ptr<QGbCall> stream(m_pool->invoke(u"count_up"_s, { 2 }));
    QSignalSpy chunks(stream.get(), &QGbCall::chunkReceived);
    QTRY_VERIFY(stream->isFinished());
    QCOMPARE(stream->error().code(), QGbError::NoError);
    QCOMPARE(chunks.size(), 2);
    std::unique_ptr<QGbCall> plain(m_pool->invoke(u"add"_s, { 2, 3 }));
    QTRY_VERIFY(plain->isFinished());
    QCOMPARE(plain->result(), QVariant(qint64(5)));
}

void tst_QGbDiscovery::unknownMethodGoesToTheWorker()
{
    m_sent.clear();
    const QGbError error = errorOf(m_pool->call<int>("not_exposed", 1));
    QCOMPARE(error.code(), QGbError::UnknownMethod);
    QVERIFY(m_sent.events().contains(u"sent not_exposed"_s));
}

void tst_QGbDiscovery::callsBeforeTheListIsKnownGoThrough()
{
    SentCalls sent;
    QGbPool pool(discoveryWorker(), testOptions(1, 2));
    QVERIFY(qgbListen(&pool, &sent));
    QSignalSpy changed(&pool, &QGbPool::functionsChanged);
    // Made at once: the worker has not even started.
    QFuture<int> wrongCount = pool.call<int>("add", 1, 2, 3);
    QFuture<int> wrongMode = pool.call<int>("count_up", 3);
    QFuture<int> right = pool.call<int>("add", 1, 2);
    QVERIFY(pool.functions().isEmpty());
    QVERIFY(!pool.function(u"add"_s).isValid());

    // The worker refuses the wrong ones, with its own words.
    QGbError error = errorOf(wrongCount);
    QCOMPARE(error.code(), QGbError::BadArguments);
    QVERIFY2(!error.errorString().contains(u"3 given"_s), describe(error));
    error = errorOf(wrongMode);
    QCOMPARE(error.code(), QGbError::BadArguments);
    QVERIFY2(!error.errorString().contains(u"use stream()"_s), describe(error));
    QCOMPARE(right.result(), 3);
    const QStringList events = sent.events();
    QCOMPARE(events.count(u"sent add"_s), 2);
    QCOMPARE(events.count(u"sent count_up"_s), 1);

    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 20000);
    QCOMPARE(pool.functions().size(), m_pool->functions().size());
    QCOMPARE(errorOf(pool.call<int>("add", 1, 2, 3)).errorString(),
             u"add() takes 2 arguments (a, b), 3 given"_s);
}

void tst_QGbDiscovery::fetchedAgainAfterACrash()
{
    // The first worker dies while it answers describe; its restart answers.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString marker = dir.filePath(u"crashed"_s);
    QGbPool pool(discoveryWorker(),
                 testOptions(1, 1).setEnvironment({ u"GB_CRASH_ON_DESCRIBE="_s + marker }));
    QSignalSpy changed(&pool, &QGbPool::functionsChanged);
    QSignalSpy exited(&pool, &QGbPool::workerExited);
    QSignalSpy started(&pool, &QGbPool::workerStarted);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 20000);
    QVERIFY(QFile::exists(marker));
    QCOMPARE(exited.size(), 1);
    QCOMPARE(started.size(), 2);
    QCOMPARE(pool.function(u"plus_one"_s).doc(), u"Add one."_s);
    QCOMPARE(pool.functions().size(), m_pool->functions().size());

    // Known once: a later restart asks nothing and changes nothing.
    const qint64 pid = pool.workerProcessIds().value(0);
    QVERIFY(pid > 0);
    QCOMPARE(errorOf(pool.call<int>("plus_one", 1, 2)).code(), QGbError::BadArguments);
    QVERIFY(QFile::remove(marker)); // a describe now would kill the worker again
    QCOMPARE(pool.call<int>("plus_one", 41).result(), 42);
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 3, 20000);
    QCOMPARE(pool.call<int>("plus_one", 1).result(), 2);
    QCOMPARE(exited.size(), 2);
    QCOMPARE(changed.size(), 1);
    QVERIFY(!QFile::exists(marker));
}

QTEST_MAIN(tst_QGbDiscovery)

#include "tst_qgbdiscovery.moc"
