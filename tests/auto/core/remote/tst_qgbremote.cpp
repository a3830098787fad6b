// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// A pool whose workers are remote (QGbPoolOptions::setRemoteWorkers(),
// docs/remote.md): real `python3 -m gobridge serve` processes on 127.0.0.1,
// started (and restarted when they exit) by the test, with certificates made
// for this run by the openssl command.

#include "qgbremoteaddresses_p.h"
#include "qgbtestcerts.h"
#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qmutex.h>
#include <QtCore/qrandom.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qset.h>
#include <QtCore/qstandardpaths.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qtimer.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslkey.h>
#include <QtNetwork/qtcpserver.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <algorithm>
#include <memory>

#include <signal.h>

#ifdef QGB_HAVE_INSPECTOR_CLIENT
#    include "qgbinspectorclient.h"
#    include "qgbinspectorregistry.h"
#    include <QtCore/qjsonobject.h>
#endif

using namespace std::chrono_literals;

namespace {

QString testWorker()
{
    return QStringLiteral(QGB_SOURCE_DIR "/tests/python/workers/testworker.py");
}

// A port nothing listens on right now (serve binds it with SO_REUSEADDR).
quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

// The error a QGbCall ended with, once it finished.
QGbError callError(QGbCall *call)
{
    QSignalSpy finished(call, &QGbCall::finished);
    if (!call->isFinished() && !finished.wait(30000))
        return QGbError(QGbError::NoError, QStringLiteral("timed out waiting"));
    return call->error();
}

// The WHERE variable of the workers that ran calls: 8 calls at once, in up
// to 20 rounds, until two workers were seen. A failed call is an empty name.
QSet<QString> whereCallsRun(QGbPool &pool)
{
    QSet<QString> where;
    for (int round = 0; round < 20 && where.size() < 2; ++round) {
        QList<QFuture<QString>> futures;
        for (int i = 0; i < 8; ++i)
            futures.append(pool.call<QString>("env_get", u"WHERE"_qs));
        for (auto &f : futures) {
            const QGbError error = errorOf(f);
            if (error.isError())
                qWarning("%s", qPrintable(describe(error)));
            where.insert(error.isError() ? QString() : f.result());
        }
    }
    return where;
}

#ifdef QGB_HAVE_INSPECTOR_CLIENT
// The worker events of this process's inspectable pool, as an attached
// inspector receives them.
class WorkerEventLog
{
public:
    bool attach()
    {
        QString path;
        for (const QGbInspectorPoolEntry &entry : QGbInspectorRegistry::pools())
            if (entry.pid == QCoreApplication::applicationPid())
                path = entry.socketPath;
        if (path.isEmpty())
            return false;
        QObject::connect(&m_client, &QGbInspectorClient::messageReceived, &m_client,
                         [this](const QGbInspect::Message &message) {
                             if (message.value(u"type").toString() == u"worker"_qs)
                                 m_events.append(message.toObject());
                         });
        m_client.connectToPool(path);
        return true;
    }
    // The first event of this state in this slot, or an empty object.
    QJsonObject find(int worker, const QString &state) const
    {
        for (const QJsonObject &e : m_events)
            if (e.value(u"worker").toInt() == worker && e.value(u"state").toString() == state)
                return e;
        return QJsonObject();
    }

private:
    QGbInspectorClient m_client;
    QList<QJsonObject> m_events;
};
#endif

} // namespace

// One served worker, and the test's small supervisor for it: it is started
// again (on the same port) whenever it exits, until stop().
class Served : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        bool tls = true;
        bool clientCa = false;
        double grace = 0; // --cancel-grace; 0: serve's default
        QString where = QStringLiteral("remote");
        QString host = QStringLiteral("127.0.0.1"); // where it listens
        quint16 port = 0;                           // 0: a free port
    };

    Served(const QString &certs, const Config &config, const QByteArray &token = QByteArray())
        : m_certs(certs)
        , m_config(config)
        , m_port(config.port ? config.port : freePort())
    {
        m_tokenFile = m_dir.filePath(QStringLiteral("token"));
        m_token = token;
        if (m_token.isEmpty())
            m_token = QByteArray::number(QRandomGenerator::global()->generate64(), 16)
                    + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
        QFile file(m_tokenFile);
        if (file.open(QIODevice::WriteOnly))
            file.write(m_token + '\n'); // as `echo` leaves it
        start();
    }
    ~Served() override { stop(); }

    quint16 port() const { return m_port; }
    QByteArray token() const { return m_token; }
    QUrl url(bool tls) const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2")
                            .arg(tls ? QStringLiteral("gobridges") : QStringLiteral("gobridge"))
                            .arg(m_port));
    }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    bool isListening() const { return m_listening; }
    QList<int> exitCodes() const { return m_exitCodes; }
    int starts() const { return m_starts; }
    QString output() const { return m_output; }
    // The standard error of every run so far.
    QString log() const { return m_log; }

    // Whether it is started again when it exits.
    void setRestart(bool restart)
    {
        m_restart = restart;
        if (restart && !m_process)
            start();
    }
    void signal(int number)
    {
        if (m_process)
            ::kill(pid_t(m_process->processId()), number);
    }
    void kill()
    {
        if (m_process)
            m_process->kill(); // SIGKILL
    }
    void stop()
    {
        m_restart = false;
        if (m_process) {
            m_process->disconnect(this);
            m_process->terminate();
            if (!m_process->waitForFinished(5000))
                m_process->kill();
            m_process->waitForFinished(5000);
            delete m_process;
            m_process = nullptr;
        }
    }

private:
    void start()
    {
        m_listening = false;
        ++m_starts;
        m_process = new QProcess(this);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(QGB_PYTHON_DIR));
        env.insert(QStringLiteral("WHERE"), m_config.where);
        m_process->setProcessEnvironment(env);
        QStringList args {
            QStringLiteral("-m"),           QStringLiteral("gobridge"),
            QStringLiteral("serve"),        testWorker(),
            QStringLiteral("--listen"),     QStringLiteral("%1:%2").arg(m_config.host).arg(m_port),
            QStringLiteral("--token-file"), m_tokenFile
        };
        if (m_config.tls) {
            args << QStringLiteral("--tls-cert") << m_certs + QStringLiteral("/server.pem")
                 << QStringLiteral("--tls-key") << m_certs + QStringLiteral("/server.key");
        } else {
            args << QStringLiteral("--insecure");
        }
        if (m_config.clientCa)
            args << QStringLiteral("--tls-client-ca") << m_certs + QStringLiteral("/ca.pem");
        if (m_config.grace > 0)
            args << QStringLiteral("--cancel-grace") << QString::number(m_config.grace);
        QProcess *process = m_process;
        connect(process, &QProcess::readyReadStandardError, this, [this, process] {
            const QString text = QString::fromUtf8(process->readAllStandardError());
            m_output += text;
            m_log += text;
            if (m_output.contains(QStringLiteral("gobridge: serving")))
                m_listening = true;
        });
        connect(process, &QProcess::finished, this, [this, process](int code) {
            const QString text = QString::fromUtf8(process->readAllStandardError());
            m_output += text;
            m_log += text;
            m_exitCodes.append(process->exitStatus() == QProcess::CrashExit ? -1 : code);
            process->deleteLater();
            if (m_process == process)
                m_process = nullptr;
            if (m_restart)
                QTimer::singleShot(100ms, this, [this] {
                    if (m_restart && !m_process)
                        start();
                });
        });
        m_output.clear();
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
        m_process->start(QStringLiteral("python3"), args);
    }

    QTemporaryDir m_dir;
    QString m_certs;
    Config m_config;
    quint16 m_port = 0;
    QString m_tokenFile;
    QByteArray m_token;
    QProcess *m_process = nullptr;
    bool m_restart = true;
    bool m_listening = false;
    int m_starts = 0;
    QList<int> m_exitCodes;
    QString m_output;
    QString m_log;
};

class tst_QGbRemote : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void callModes_data();
    void callModes();
    void refusals_data();
    void refusals();
    void oneEndpointDown();
    void workerAddresses_data();
    void workerAddresses();
    void localhostOnBothFamilies_data();
    void localhostOnBothFamilies();
    void nameResolvedAgain();
    void nameNotResolvedAgain();
    void addressesInAnotherOrder();
    void resolveTimerBeforeFirstLookup();
    void slotWithoutAnAddressWaits();
    void nonLoopbackPlainRefused();
    void noTokenRefused();
    void tokenFromEnvironment();
    void killedMidCall();
    void cancelIgnored();
    void missedHeartbeat();
    void mixedPool();
    void inspectorEvents();
    void chaos();

private:
    QSslConfiguration sslConfiguration(bool clientCertificate) const;
    QGbPoolOptions remoteOptions(const QList<Served *> &served, bool tls = true,
                                 bool clientCertificate = false) const;
    bool waitListening(const QList<Served *> &served);
    // A served worker on another loopback address, on first's port and with
    // its token: the name localhost may resolve to both.
    std::unique_ptr<Served> servedBeside(const Served &first, const QString &host,
                                         const QString &where) const;
    // Options of a pool whose one remote URL is gobridges://localhost on
    // first's port, resolved again every interval.
    QGbPoolOptions localhostOptions(Served &first, std::chrono::milliseconds interval) const;

    QTemporaryDir m_certs;
};

void tst_QGbRemote::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
        QSKIP("the openssl command is not installed (it makes the test certificates)");
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    QVERIFY(m_certs.isValid());
    QString why;
    QVERIFY2(makeTestCertificates(m_certs.path(), &why), qPrintable(why));
}

std::unique_ptr<Served> tst_QGbRemote::servedBeside(const Served &first, const QString &host,
                                                    const QString &where) const
{
    Served::Config config;
    config.host = host;
    config.port = first.port();
    config.where = where;
    return std::make_unique<Served>(m_certs.path(), config, first.token());
}

QGbPoolOptions tst_QGbRemote::localhostOptions(Served &first,
                                               std::chrono::milliseconds interval) const
{
    QGbPoolOptions options = remoteOptions({ &first });
    options.setRemoteWorkers({ QUrl(u"gobridges://localhost:%1"_qs.arg(first.port())) })
            .setRemoteResolveInterval(interval);
    return options;
}

QSslConfiguration tst_QGbRemote::sslConfiguration(bool clientCertificate) const
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(m_certs.filePath(QStringLiteral("ca.pem"))));
    if (clientCertificate) {
        const auto certs =
                QSslCertificate::fromPath(m_certs.filePath(QStringLiteral("client.pem")));
        if (!certs.isEmpty())
            config.setLocalCertificate(certs.first());
        QFile key(m_certs.filePath(QStringLiteral("client.key")));
        if (key.open(QIODevice::ReadOnly))
            config.setPrivateKey(QSslKey(&key, QSsl::Ec));
    }
    return config;
}

QGbPoolOptions tst_QGbRemote::remoteOptions(const QList<Served *> &served, bool tls,
                                            bool clientCertificate) const
{
    QList<QUrl> urls;
    for (Served *s : served)
        urls.append(s->url(tls));
    QGbPoolOptions options = testOptions(0, 2);
    options.setRemoteWorkers(urls)
            .setRemoteToken(served.isEmpty() ? QByteArray() : served.first()->token())
            .setSslConfiguration(sslConfiguration(clientCertificate))
            .setRestartBackoff(50ms, 500ms);
    return options;
}

bool tst_QGbRemote::waitListening(const QList<Served *> &served)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        bool all = true;
        for (Served *s : served)
            all = all && s->isListening();
        if (all)
            return true;
        if (timer.elapsed() > 30000) {
            for (Served *s : served)
                qWarning("serve on port %d: %s", s->port(), qPrintable(s->output()));
            return false;
        }
        QTest::qWait(20);
    }
}

void tst_QGbRemote::callModes_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("mutual");
    QTest::newRow("TLS") << true << false;
    QTest::newRow("mutual TLS") << true << true;
    QTest::newRow("plain TCP on loopback") << false << false;
}

void tst_QGbRemote::callModes()
{
    QFETCH(bool, tls);
    QFETCH(bool, mutual);
    Served::Config config;
    config.tls = tls;
    config.clientCa = mutual;
    Served served(m_certs.path(), config);
    QVERIFY(waitListening({ &served }));
    QGbPool pool(testWorker(), remoteOptions({ &served }, tls, mutual));
    QVERIFY(pool.waitForStarted(30000));
    QCOMPARE(pool.workerStates(), QList<QGbPool::WorkerState> { QGbPool::WorkerState::Ready });
    QCOMPARE(pool.workerEndpoint(0), QStringLiteral("127.0.0.1:%1").arg(served.port()));
    QVERIFY(pool.workerProcessIds().isEmpty()); // its process is not ours

    // Plain call.
    QFuture<int> sum = pool.call<int>("add", 2, 3);
    QVERIFY2(!errorOf(sum).isError(), describe(errorOf(sum)));
    QCOMPARE(sum.result(), 5);
    QFuture<qint64> pid = pool.call<qint64>("pid");
    QVERIFY(waitFor(pid));
    QCOMPARE(pid.result(), served.pid());

    // Server stream, past the output credit window.
    QFuture<int> range = pool.stream<int>("range_gen", 0, 3000);
    QVERIFY2(!errorOf(range).isError(), describe(errorOf(range)));
    const QList<int> values = range.results();
    QCOMPARE(values.size(), 3000);
    QCOMPARE(values.last(), 2999);

    // Client stream.
    QGbChannel numbers(5000);
    QFuture<qint64> total = pool.call<qint64>("sum_stream", numbers);
    qint64 expected = 0;
    for (int i = 1; i <= 2000; ++i) {
        QVERIFY(numbers.write(i));
        expected += i;
    }
    numbers.close();
    QVERIFY2(!errorOf(total).isError(), describe(errorOf(total)));
    QCOMPARE(total.result(), expected);

    // Bidirectional.
    QGbChannel users(10);
    QFuture<QVariantMap> out = pool.stream<QVariantMap>("process_users", users);
    QVERIFY(users.write(
            QVariantMap { { u"id"_qs, 1 }, { u"name"_qs, u"a"_qs }, { u"score"_qs, 5 } }));
    QVERIFY(users.write(
            QVariantMap { { u"id"_qs, 2 }, { u"name"_qs, u"b"_qs }, { u"score"_qs, 6 } }));
    users.close();
    QVERIFY2(!errorOf(out).isError(), describe(errorOf(out)));
    QCOMPARE(out.results().size(), 2);
    QCOMPARE(out.results().at(1).value(u"name"_qs).toString(), u"B"_qs);
    QCOMPARE(out.results().at(1).value(u"score"_qs).toInt(), 12);

    // A Python exception travels as for a local worker.
    std::unique_ptr<QGbCall> failing(pool.invoke("raise_value_error", { u"boom"_qs }));
    const QGbError error = callError(failing.get());
    QCOMPARE(error.code(), QGbError::RemoteException);
    QVERIFY(error.errorString().contains(u"boom"_qs));

    // The functions were described by the remote worker.
    QTRY_VERIFY_WITH_TIMEOUT(!pool.function(u"add"_qs).name().isEmpty(), 20000);
}

void tst_QGbRemote::refusals_data()
{
    QTest::addColumn<bool>("serveTls");
    QTest::addColumn<bool>("clientCa");
    QTest::addColumn<bool>("urlTls");
    QTest::addColumn<bool>("clientCertificate");
    QTest::addColumn<bool>("rightToken");
    QTest::addColumn<QString>("expected");

    QTest::newRow("wrong token") << true << false << true << false << false << u"token"_qs;
    QTest::newRow("no client certificate under mutual TLS")
            << true << true << true << false << true << u"certificate"_qs;
    QTest::newRow("TLS client to a plain port")
            << false << false << true << false << true << u"TLS handshake"_qs;
    QTest::newRow("plain client to a TLS port")
            << true << false << false << false << true << u"TLS worker reached with gobridge://"_qs;
}

void tst_QGbRemote::refusals()
{
    QFETCH(bool, serveTls);
    QFETCH(bool, clientCa);
    QFETCH(bool, urlTls);
    QFETCH(bool, clientCertificate);
    QFETCH(bool, rightToken);
    QFETCH(QString, expected);

    Served::Config config;
    config.tls = serveTls;
    config.clientCa = clientCa;
    Served served(m_certs.path(), config);
    QVERIFY(waitListening({ &served }));
    QGbPoolOptions options = remoteOptions({ &served }, urlTls, clientCertificate);
    if (!rightToken)
        options.setRemoteToken("not-the-token");
    QGbPool pool(testWorker(), options);
    QSignalSpy poolErrors(&pool, &QGbPool::errorOccurred);

    std::unique_ptr<QGbCall> call(pool.invoke("add", { 1, 2 }));
    const QGbError error = callError(call.get());
    QCOMPARE(error.code(), QGbError::WorkerStartFailed);
    QVERIFY2(error.errorString().contains(expected, Qt::CaseInsensitive),
             qPrintable(error.errorString()));
    QVERIFY2(error.errorString().contains(QString::number(served.port())),
             qPrintable(error.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(!poolErrors.isEmpty(), 20000);
    QCOMPARE(poolErrors.first().first().value<QGbError>().code(), QGbError::WorkerStartFailed);
    QCOMPARE(pool.readyWorkers(), 0);
    // The served worker is still there: a refusal is no crash.
    QCOMPARE(served.starts(), 1);
}

void tst_QGbRemote::oneEndpointDown()
{
    // Nothing listens on the first URL's port: the pool says so, keeps
    // trying, and the calls made meanwhile wait for the other worker
    // instead of failing.
    Served served(m_certs.path(), Served::Config());
    QVERIFY(waitListening({ &served }));
    const quint16 nothing = freePort();
    QGbPoolOptions options = remoteOptions({ &served });
    options.setRemoteWorkers(
            { QUrl(QStringLiteral("gobridges://127.0.0.1:%1").arg(nothing)), served.url(true) });
    QGbPool pool(testWorker(), options);
    QSignalSpy poolErrors(&pool, &QGbPool::errorOccurred);
    QFuture<int> sum = pool.call<int>("add", 1, 2);
    QVERIFY2(!errorOf(sum).isError(), describe(errorOf(sum)));
    QCOMPARE(sum.result(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(!poolErrors.isEmpty(), 20000);
    const QGbError error = poolErrors.first().first().value<QGbError>();
    QCOMPARE(error.code(), QGbError::WorkerStartFailed);
    QVERIFY2(error.errorString().contains(QString::number(nothing)),
             qPrintable(error.errorString()));
    QCOMPARE(pool.workerStates().size(), 2);
    QVERIFY(pool.workerStates().at(0) != QGbPool::WorkerState::Ready);
    QCOMPARE(pool.workerStates().at(1), QGbPool::WorkerState::Ready);
    QCOMPARE(pool.readyWorkers(), 1);
    QVERIFY(!pool.waitForStarted(200)); // one worker is still missing
}

using AddressLists = QList<QList<QHostAddress>>;

void tst_QGbRemote::workerAddresses_data()
{
    QTest::addColumn<QList<QHostAddress>>("addresses");
    QTest::addColumn<AddressLists>("workers");
    const QHostAddress v6(QHostAddress::LocalHostIPv6);
    const QHostAddress v4(QHostAddress::LocalHost);
    const QHostAddress alias(u"127.0.0.2"_qs);
    const QHostAddress mapped(u"::ffff:127.0.0.1"_qs);
    const QHostAddress pod1(u"10.0.3.7"_qs), pod2(u"10.0.3.8"_qs), pod3(u"10.0.3.9"_qs);
    const QHostAddress public6(u"2001:db8::1"_qs), public4(u"192.0.2.1"_qs);
    QTest::newRow("none") << QList<QHostAddress>() << AddressLists();
    QTest::newRow("one") << QList { pod1 } << AddressLists { { pod1 } };
    QTest::newRow("pods") << QList { pod1, pod2, pod3 }
                          << AddressLists { { pod1 }, { pod2 }, { pod3 } };
    // "localhost" in /etc/hosts on most systems, in the resolver's order.
    QTest::newRow("localhost, IPv6 first") << QList { v6, v4 } << AddressLists { { v6, v4 } };
    QTest::newRow("localhost, IPv4 first") << QList { v4, v6 } << AddressLists { { v4, v6 } };
    QTest::newRow("v4-mapped loopback") << QList { v6, mapped } << AddressLists { { v6, mapped } };
    // Loopback aliases are distinct on purpose (a test of several workers on
    // one machine): only ::1 joins one of them, the first.
    QTest::newRow("loopback aliases") << QList { v4, alias } << AddressLists { { v4 }, { alias } };
    QTest::newRow("aliases and ::1")
            << QList { alias, v4, v6 } << AddressLists { { alias, v6 }, { v4 } };
    QTest::newRow("pods and localhost")
            << QList { v6, pod1, v4, pod2 } << AddressLists { { v6, v4 }, { pod1 }, { pod2 } };
    QTest::newRow("repeated") << QList { pod1, pod1, v6, v6, v4, pod1 }
                              << AddressLists { { pod1 }, { v6, v4 } };
    // A public IPv6 and IPv4 address may well be one machine, or not: two.
    QTest::newRow("public, both families")
            << QList { public6, public4 } << AddressLists { { public6 }, { public4 } };
}

void tst_QGbRemote::workerAddresses()
{
    QFETCH(QList<QHostAddress>, addresses);
    QFETCH(AddressLists, workers);
    QCOMPARE(QGbPrivate::remoteWorkerAddresses(addresses), workers);
}

namespace {

// What "localhost" resolves to for the pool (its I/O thread asks).
QMutex localhostMutex;
QList<QHostAddress> localhostLookup;

void setLocalhost(const QList<QHostAddress> &addresses)
{
    QMutexLocker locker(&localhostMutex);
    localhostLookup = addresses;
}

QList<QHostAddress> lookupLocalhost(const QString &host)
{
    QMutexLocker locker(&localhostMutex);
    return host == u"localhost"_qs ? localhostLookup : QList<QHostAddress>();
}

// localhost's addresses, rotated by one at each lookup (as a DNS server that
// answers in round-robin order).
QList<QHostAddress> lookupLocalhostRotating(const QString &host)
{
    static int lookups = 0;
    QMutexLocker locker(&localhostMutex);
    if (host != u"localhost"_qs || localhostLookup.isEmpty())
        return {};
    QList<QHostAddress> addresses = localhostLookup;
    std::rotate(addresses.begin(), addresses.begin() + (lookups++ % addresses.size()),
                addresses.end());
    return addresses;
}

} // namespace

void tst_QGbRemote::localhostOnBothFamilies_data()
{
    QTest::addColumn<QList<QHostAddress>>("addresses");
    QTest::addColumn<bool>("listening");
    const QHostAddress v6(QHostAddress::LocalHostIPv6);
    const QHostAddress v4(QHostAddress::LocalHost);
    QTest::newRow("IPv6 first") << QList { v6, v4 } << true;
    QTest::newRow("IPv4 first") << QList { v4, v6 } << true;
    QTest::newRow("nothing listens") << QList { v6, v4 } << false;
}

// "localhost" resolves to ::1 and 127.0.0.1 on most systems (not on this
// test's machines: the lookup is the test's), and the worker listens on
// 127.0.0.1 only: that is one worker, reached on 127.0.0.1, and nothing is
// said about ::1 refusing.
void tst_QGbRemote::localhostOnBothFamilies()
{
    QFETCH(QList<QHostAddress>, addresses);
    QFETCH(bool, listening);
    setLocalhost(addresses);
    QGbPrivate::setHostLookupForTesting(lookupLocalhost);
    const auto restore = qScopeGuard([] { QGbPrivate::setHostLookupForTesting(nullptr); });

    Served served(m_certs.path(), Served::Config());
    QVERIFY(waitListening({ &served }));
    const quint16 port = listening ? served.port() : freePort();
    QGbPoolOptions options = remoteOptions({ &served });
    options.setRemoteWorkers({ QUrl(u"gobridges://localhost:%1"_qs.arg(port)) });
    QGbPool pool(testWorker(), options);
    QSignalSpy poolErrors(&pool, &QGbPool::errorOccurred);
    QFuture<int> sum = pool.call<int>("add", 1, 2);
    if (!listening) {
        // Both addresses tried, then the worker is refused as before.
        const QGbError error = errorOf(sum);
        QCOMPARE(error.code(), QGbError::WorkerStartFailed);
        QVERIFY2(error.errorString().contains(u"localhost:%1"_qs.arg(port)), describe(error));
        QTRY_COMPARE(poolErrors.count(), 1);
        QVERIFY2(poolErrors.first().first().value<QGbError>().errorString().contains(
                         u"127.0.0.1:%1"_qs.arg(port)),
                 "the error names the address tried last");
        QCOMPARE(pool.workerStates().size(), 1);
        return;
    }
    QVERIFY2(!errorOf(sum).isError(), describe(errorOf(sum)));
    QCOMPARE(sum.result(), 3);
    QVERIFY(pool.waitForStarted(20000));
    QCOMPARE(pool.workerStates(), QList { QGbPool::WorkerState::Ready });
    QCOMPARE(pool.workerEndpoint(0), u"localhost:%1 (127.0.0.1:%1)"_qs.arg(port));
    // Its call connections go where the control connection went.
    QList<QFuture<int>> calls;
    for (int i = 0; i < 6; ++i)
        calls.append(pool.call<int>("add", i, 1));
    for (int i = 0; i < 6; ++i)
        QCOMPARE(calls[i].result(), i + 1);
    QCOMPARE(poolErrors.count(), 0);
}

// A name that resolves to one address, later to two (a Deployment scaled up
// behind a headless Service): the new address becomes a worker within the
// resolve interval, and calls reach both.
void tst_QGbRemote::nameResolvedAgain()
{
    Served first(m_certs.path(), Served::Config());
    // The whole of 127/8 is this machine.
    const auto second = servedBeside(first, u"127.0.0.2"_qs, u"second"_qs);
    QVERIFY(waitListening({ &first, second.get() }));
    setLocalhost({ QHostAddress(QHostAddress::LocalHost) });
    QGbPrivate::setHostLookupForTesting(lookupLocalhost);
    const auto restore = qScopeGuard([] { QGbPrivate::setHostLookupForTesting(nullptr); });

    const QGbPoolOptions options = localhostOptions(first, 100ms);
    QCOMPARE(options.remoteResolveInterval(), 100ms);
    QGbPool pool(testWorker(), options);
    QSignalSpy started(&pool, &QGbPool::workerStarted);
    QVERIFY(pool.waitForStarted(20000));
    QTest::qWait(400); // resolved again, to the same address
    QCOMPARE(pool.workerStates().size(), 1);
    QCOMPARE(started.count(), 1);

    setLocalhost({ QHostAddress(QHostAddress::LocalHost), QHostAddress(u"127.0.0.2"_qs) });
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 2, 20000);
    QCOMPARE(pool.workerStates().size(), 2);
    QCOMPARE(pool.workerEndpoint(1), u"localhost:%1 (127.0.0.2:%1)"_qs.arg(first.port()));
    QTRY_COMPARE(started.count(), 2); // queued from the I/O thread
    QCOMPARE(whereCallsRun(pool), (QSet<QString> { u"remote"_qs, u"second"_qs }));

    // An address that goes is not removed: its worker is lost and retried.
    setLocalhost({ QHostAddress(QHostAddress::LocalHost) });
    QTest::qWait(400);
    QCOMPARE(pool.workerStates().size(), 2);
}

// With the interval 0 a name is resolved only when a worker connects.
void tst_QGbRemote::nameNotResolvedAgain()
{
    Served first(m_certs.path(), Served::Config());
    QVERIFY(waitListening({ &first }));
    setLocalhost({ QHostAddress(QHostAddress::LocalHost) });
    QGbPrivate::setHostLookupForTesting(lookupLocalhost);
    const auto restore = qScopeGuard([] { QGbPrivate::setHostLookupForTesting(nullptr); });
    QGbPool pool(testWorker(), localhostOptions(first, 0ms));
    QVERIFY(pool.waitForStarted(20000));
    setLocalhost({ QHostAddress(QHostAddress::LocalHost), QHostAddress(u"127.0.0.2"_qs) });
    QTest::qWait(500);
    QCOMPARE(pool.workerStates().size(), 1);
    QCOMPARE(QGbPoolOptions().remoteResolveInterval(), 30000ms);
}

// A name whose addresses come in another order at each lookup (round-robin
// DNS): each slot keeps the address it has, so that every address has a
// worker, and not two workers one address.
void tst_QGbRemote::addressesInAnotherOrder()
{
    Served first(m_certs.path(), Served::Config());
    const auto second = servedBeside(first, u"127.0.0.2"_qs, u"second"_qs);
    QVERIFY(waitListening({ &first, second.get() }));
    setLocalhost({ QHostAddress(QHostAddress::LocalHost), QHostAddress(u"127.0.0.2"_qs) });
    QGbPrivate::setHostLookupForTesting(lookupLocalhostRotating);
    const auto restore = qScopeGuard([] { QGbPrivate::setHostLookupForTesting(nullptr); });

    QGbPool pool(testWorker(), localhostOptions(first, 50ms));
    QSignalSpy poolErrors(&pool, &QGbPool::errorOccurred);
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 2, 20000);
    QCOMPARE(whereCallsRun(pool), (QSet<QString> { u"remote"_qs, u"second"_qs }));
    const QSet<QString> endpoints { pool.workerEndpoint(0), pool.workerEndpoint(1) };
    QCOMPARE(endpoints,
             (QSet<QString> { u"localhost:%1 (127.0.0.1:%1)"_qs.arg(first.port()),
                              u"localhost:%1 (127.0.0.2:%1)"_qs.arg(first.port()) }));
    // Resolved again, in other orders: nothing changes.
    QTest::qWait(300);
    QCOMPARE(pool.workerStates(),
             (QList { QGbPool::WorkerState::Ready, QGbPool::WorkerState::Ready }));
    QCOMPARE((QSet<QString> { pool.workerEndpoint(0), pool.workerEndpoint(1) }), endpoints);
    QCOMPARE(poolErrors.count(), 0);
}

// A name that loses an address (scaled down): the slot of the worker that
// went waits, Stopped and quiet, and takes the next new address (scaled up
// again, elsewhere) instead of adding a slot.
void tst_QGbRemote::resolveTimerBeforeFirstLookup()
{
    // The first slot's own lookup is slow; the resolve timer's lookup comes
    // first and finds two addresses: the waiting first slot takes one of
    // them (no third slot beside it), and keeps it when its lookup comes.
    Served first(m_certs.path(), Served::Config());
    const auto second = servedBeside(first, u"127.0.0.2"_qs, u"second"_qs);
    QVERIFY(waitListening({ &first, second.get() }));
    setLocalhost({ QHostAddress(QHostAddress::LocalHost), QHostAddress(u"127.0.0.2"_qs) });
    QGbPrivate::setHostLookupForTesting(lookupLocalhost);
    QGbPrivate::delayNextHostLookupForTesting(500);
    const auto restore = qScopeGuard([] {
        QGbPrivate::setHostLookupForTesting(nullptr);
        QGbPrivate::delayNextHostLookupForTesting(0);
    });

    QGbPool pool(testWorker(), localhostOptions(first, 50ms));
    QSignalSpy poolErrors(&pool, &QGbPool::errorOccurred);
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 2, 20000);
    QTest::qWait(300); // several more lookups of the timer
    QCOMPARE(pool.workerStates().size(), 2);
    QCOMPARE(pool.readyWorkers(), 2);
    QCOMPARE(whereCallsRun(pool), (QSet<QString> { u"remote"_qs, u"second"_qs }));
    QCOMPARE(poolErrors.count(), 0);
}

void tst_QGbRemote::slotWithoutAnAddressWaits()
{
    Served first(m_certs.path(), Served::Config());
    auto second = servedBeside(first, u"127.0.0.2"_qs, u"second"_qs);
    const auto third = servedBeside(first, u"127.0.0.3"_qs, u"third"_qs);
    QVERIFY(waitListening({ &first, second.get(), third.get() }));
    setLocalhost({ QHostAddress(QHostAddress::LocalHost), QHostAddress(u"127.0.0.2"_qs) });
    QGbPrivate::setHostLookupForTesting(lookupLocalhost);
    const auto restore = qScopeGuard([] { QGbPrivate::setHostLookupForTesting(nullptr); });

    QGbPool pool(testWorker(), localhostOptions(first, 100ms).setInspectable(true));
    QSignalSpy poolErrors(&pool, &QGbPool::errorOccurred);
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 2, 20000);
#ifdef QGB_HAVE_INSPECTOR_CLIENT
    WorkerEventLog log;
    QVERIFY(log.attach());
#endif
    QCOMPARE(whereCallsRun(pool), (QSet<QString> { u"remote"_qs, u"second"_qs }));
    const int secondSlot = pool.workerEndpoint(0).contains(u"127.0.0.2"_qs) ? 0 : 1;

    // 127.0.0.2 goes from the name, then its worker stops.
    setLocalhost({ QHostAddress(QHostAddress::LocalHost) });
    second.reset();
    QTRY_COMPARE_WITH_TIMEOUT(pool.workerStates().value(secondSlot), QGbPool::WorkerState::Stopped,
                              20000);
    QTest::qWait(500); // several resolve intervals and restart delays
    QCOMPARE(pool.workerStates().value(secondSlot), QGbPool::WorkerState::Stopped);
    QCOMPARE(pool.workerEndpoint(secondSlot), u"localhost:%1"_qs.arg(first.port())); // no address
    QCOMPARE(pool.workerStates().size(), 2);
    QCOMPARE(pool.readyWorkers(), 1);
    QVERIFY(pool.waitForStarted(1000)); // not waited for: it has no address
    QCOMPARE(whereCallsRun(pool), QSet<QString> { u"remote"_qs });
    QCOMPARE(poolErrors.count(), 0); // the worker was not lost: it has no address
#ifdef QGB_HAVE_INSPECTOR_CLIENT
    // An inspector sees the lost connection, then the slot idle, not exited.
    QTRY_VERIFY_WITH_TIMEOUT(!log.find(secondSlot, u"idle"_qs).isEmpty(), 20000);
    const QJsonObject idle = log.find(secondSlot, u"idle"_qs);
    QCOMPARE(idle.value(u"endpoint").toString(), u"localhost:%1"_qs.arg(first.port()));
    QCOMPARE(idle.value(u"reason").toString(),
             u"localhost resolves to one address now, which has a worker"_qs);
    QVERIFY(!idle.contains(u"exitCode"));
    QVERIFY(!log.find(secondSlot, u"exited"_qs).isEmpty());
    QVERIFY(idle.value(u"seq").toInteger()
            > log.find(secondSlot, u"exited"_qs).value(u"seq").toInteger());
#endif

    // A new address: the waiting slot takes it.
    setLocalhost({ QHostAddress(u"127.0.0.3"_qs), QHostAddress(QHostAddress::LocalHost) });
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 2, 20000);
    QCOMPARE(pool.workerStates().size(), 2);
    QCOMPARE(pool.workerEndpoint(secondSlot), u"localhost:%1 (127.0.0.3:%1)"_qs.arg(first.port()));
    QCOMPARE(whereCallsRun(pool), (QSet<QString> { u"remote"_qs, u"third"_qs }));
    QCOMPARE(poolErrors.count(), 0);
}

void tst_QGbRemote::nonLoopbackPlainRefused()
{
    QGbPoolOptions options = testOptions(0, 1);
    // 192.0.2.0/24 is TEST-NET-1: never reached, and never tried.
    options.setRemoteWorkers({ QUrl(u"gobridge://192.0.2.1:8443"_qs) }).setRemoteToken("token");
    QGbPool pool(testWorker(), options);
    QFuture<int> sum = pool.call<int>("add", 1, 2);
    const QGbError error = errorOf(sum);
    QCOMPARE(error.code(), QGbError::WorkerStartFailed);
    QVERIFY2(error.errorString().contains(u"loopback"_qs), qPrintable(error.errorString()));
    QVERIFY2(error.errorString().contains(u"192.0.2.1"_qs), qPrintable(error.errorString()));
    QVERIFY(pool.workerStates().isEmpty());

    // Neither a URL of another scheme nor one without a port.
    for (const QString &url : { u"https://127.0.0.1:8443"_qs, u"gobridges://127.0.0.1"_qs }) {
        QGbPool other(testWorker(),
                      testOptions(0, 1).setRemoteWorkers({ QUrl(url) }).setRemoteToken("t"));
        const QGbError e = errorOf(other.call<int>("add", 1, 2));
        QCOMPARE(e.code(), QGbError::WorkerStartFailed);
        QVERIFY2(e.errorString().contains(url), qPrintable(e.errorString()));
    }
}

void tst_QGbRemote::noTokenRefused()
{
    if (!qEnvironmentVariableIsEmpty("QGOBRIDGE_REMOTE_TOKEN"))
        QSKIP("QGOBRIDGE_REMOTE_TOKEN is set in this environment");
    QGbPoolOptions options = testOptions(0, 1);
    options.setRemoteWorkers({ QUrl(u"gobridges://127.0.0.1:8443"_qs) });
    QGbPool pool(testWorker(), options);
    const QGbError error = errorOf(pool.call<int>("add", 1, 2));
    QCOMPARE(error.code(), QGbError::WorkerStartFailed);
    QVERIFY2(error.errorString().contains(u"QGOBRIDGE_REMOTE_TOKEN"_qs),
             qPrintable(error.errorString()));
}

void tst_QGbRemote::tokenFromEnvironment()
{
    Served served(m_certs.path(), Served::Config());
    QVERIFY(waitListening({ &served }));
    QGbPoolOptions options = remoteOptions({ &served });
    options.setRemoteToken(QByteArray());
    const QByteArray old = qgetenv("QGOBRIDGE_REMOTE_TOKEN");
    qputenv("QGOBRIDGE_REMOTE_TOKEN", served.token());
    QGbPool pool(testWorker(), options);
    QFuture<int> sum = pool.call<int>("add", 20, 22);
    const QGbError error = errorOf(sum);
    if (old.isNull())
        qunsetenv("QGOBRIDGE_REMOTE_TOKEN");
    else
        qputenv("QGOBRIDGE_REMOTE_TOKEN", old);
    QVERIFY2(!error.isError(), describe(error));
    QCOMPARE(sum.result(), 42);
}

void tst_QGbRemote::killedMidCall()
{
    Served a(m_certs.path(), Served::Config());
    Served b(m_certs.path(), Served::Config(), a.token());
    QVERIFY(waitListening({ &a, &b }));
    // One connection per worker: the two long calls run one on each.
    QGbPoolOptions options = remoteOptions({ &a, &b });
    options.setMaxConnections(1);
    QGbPool pool(testWorker(), options);
    QVERIFY(pool.waitForStarted(30000));
    QSignalSpy exited(&pool, &QGbPool::workerExited);

    std::unique_ptr<QGbCall> first(pool.invoke("sleep", { 60.0 }));
    std::unique_ptr<QGbCall> second(pool.invoke("sleep", { 60.0 }));
    QTest::qWait(500);
    QVERIFY(!first->isFinished());
    QVERIFY(!second->isFinished());
    const qint64 survivorPid = b.pid();
    a.setRestart(false); // it stays away until the test brings it back
    a.kill();

    QTRY_VERIFY_WITH_TIMEOUT(first->isFinished() || second->isFinished(), 20000);
    QGbCall *killed = first->isFinished() ? first.get() : second.get();
    QGbCall *alive = killed == first.get() ? second.get() : first.get();
    QCOMPARE(killed->error().code(), QGbError::WorkerCrashed);
    QVERIFY(killed->error().isRetriable());
    QVERIFY(!alive->isFinished());
    QTRY_VERIFY_WITH_TIMEOUT(!exited.isEmpty(), 20000);
    QCOMPARE(exited.first().at(1).toLongLong(), 0); // no local pid
    QCOMPARE(pool.readyWorkers(), 1);

    // The next call is served by the other endpoint, once its connection is
    // free.
    QFuture<qint64> pid = pool.call<qint64>("pid");
    QTest::qWait(200);
    QVERIFY(!pid.isFinished()); // queued, not failed
    alive->cancel();
    QVERIFY2(!errorOf(pid).isError(), describe(errorOf(pid)));
    QCOMPARE(pid.result(), survivorPid);

    // The test's supervisor starts a again; the pool connects to it again.
    a.setRestart(true);
    QTRY_VERIFY_WITH_TIMEOUT(a.starts() == 2 && a.isListening(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 2, 30000);
    QCOMPARE(pool.workerStates(),
             (QList<QGbPool::WorkerState> { QGbPool::WorkerState::Ready,
                                            QGbPool::WorkerState::Ready }));
    // Both endpoints serve calls again: pids of both show up.
    QSet<qint64> pids;
    for (int round = 0; round < 20 && pids.size() < 2; ++round) {
        QList<QFuture<qint64>> futures;
        for (int i = 0; i < 8; ++i)
            futures.append(pool.call<qint64>("pid"));
        for (auto &f : futures) {
            QVERIFY(waitFor(f));
            pids.insert(f.result());
        }
    }
    QCOMPARE(pids, (QSet<qint64> { a.pid(), b.pid() }));
}

void tst_QGbRemote::cancelIgnored()
{
    // The worker's grace (2 s) is longer than the pool's (300 ms): the pool
    // gives up first and closes the call's connection; the worker exits with
    // status 124 by itself and the test's supervisor starts it again.
    Served::Config config;
    config.grace = 2;
    Served served(m_certs.path(), config);
    QVERIFY(waitListening({ &served }));
    QGbPoolOptions options = remoteOptions({ &served });
    options.setCancelGracePeriod(300ms);
    QGbPool pool(testWorker(), options);
    QVERIFY(pool.waitForStarted(30000));
    QTemporaryDir markers;
    const QString marker = markers.filePath(u"started"_qs);

    std::unique_ptr<QGbCall> call(pool.invoke("ignore_cancel", { marker }));
    QSignalSpy errors(call.get(), &QGbCall::errorOccurred);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(marker), 20000);
    call->cancel();
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().first().value<QGbError>().code(), QGbError::Cancelled);
    QVERIFY(call->isFinished());

    QTRY_VERIFY_WITH_TIMEOUT(served.exitCodes().contains(124), 30000);
    QVERIFY2(served.log().contains(u"(ignore_cancel)"_qs), qPrintable(served.log()));
    QTRY_VERIFY_WITH_TIMEOUT(served.starts() == 2 && served.isListening(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 1, 30000);
    QFuture<int> sum = pool.call<int>("add", 1, 2);
    QVERIFY2(!errorOf(sum).isError(), describe(errorOf(sum)));
    QCOMPARE(sum.result(), 3);
}

void tst_QGbRemote::missedHeartbeat()
{
    // A stopped worker (SIGSTOP) keeps its connections open but answers no
    // ping: the pool closes them, its call fails WorkerCrashed, and the pool
    // connects again once the worker runs again.
    Served served(m_certs.path(), Served::Config());
    QVERIFY(waitListening({ &served }));
    QGbPoolOptions options = remoteOptions({ &served });
    options.setHeartbeat(100ms, 1500ms);
    QGbPool pool(testWorker(), options);
    QVERIFY(pool.waitForStarted(30000));
    QSignalSpy exited(&pool, &QGbPool::workerExited);

    std::unique_ptr<QGbCall> call(pool.invoke("sleep", { 60.0 }));
    QTest::qWait(300);
    served.signal(SIGSTOP);
    const QGbError error = callError(call.get());
    served.signal(SIGCONT);
    QCOMPARE(error.code(), QGbError::WorkerCrashed);
    QVERIFY2(error.errorString().contains(u"stopped answering"_qs),
             qPrintable(error.errorString()));
    QVERIFY(error.isRetriable());
    QTRY_COMPARE_WITH_TIMEOUT(exited.size(), 1, 20000);
    QCOMPARE(served.starts(), 1); // the same process: only its connections closed
    QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 1, 30000);
    QFuture<qint64> pid = pool.call<qint64>("pid");
    QVERIFY2(!errorOf(pid).isError(), describe(errorOf(pid)));
    QCOMPARE(pid.result(), served.pid());
}

void tst_QGbRemote::mixedPool()
{
    Served served(m_certs.path(), Served::Config());
    QVERIFY(waitListening({ &served }));
    QGbPoolOptions options = remoteOptions({ &served });
    options.setWorkers(1).setEnvironment({ u"WHERE=local"_qs });
    QGbPool pool(testWorker(), options);
    QVERIFY(pool.waitForStarted(30000));
    QCOMPARE(pool.workerStates().size(), 2);
    QVERIFY(pool.workerEndpoint(0).isEmpty());
    QCOMPARE(pool.workerEndpoint(1), QStringLiteral("127.0.0.1:%1").arg(served.port()));
    QCOMPARE(pool.workerProcessIds().size(), 1);

    QCOMPARE(whereCallsRun(pool), (QSet<QString> { u"local"_qs, u"remote"_qs }));
}

void tst_QGbRemote::inspectorEvents()
{
#ifndef QGB_HAVE_INSPECTOR_CLIENT
    QSKIP("built without the inspector");
#else
    // The worker events of an inspectable mixed pool: the local worker's
    // with its pid, the remote one's with its endpoint instead.
    Served served(m_certs.path(), Served::Config());
    QVERIFY(waitListening({ &served }));
    QGbPoolOptions options = remoteOptions({ &served });
    options.setWorkers(1).setInspectable(true);
    QGbPool pool(testWorker(), options);
    QVERIFY(pool.waitForStarted(30000));
    WorkerEventLog log;
    QVERIFY(log.attach());
    const QString endpoint = QStringLiteral("127.0.0.1:%1").arg(served.port());
    const auto find = [&log](int worker, const QString &state) { return log.find(worker, state); };
    QTRY_VERIFY_WITH_TIMEOUT(!find(1, u"ready"_qs).isEmpty(), 20000);
    const QJsonObject localReady = find(0, u"ready"_qs);
    QVERIFY(localReady.value(u"pid").toInteger() > 0);
    QVERIFY(!localReady.contains(u"endpoint"));
    for (const QString &state : { u"starting"_qs, u"ready"_qs }) {
        const QJsonObject remote = find(1, state);
        QCOMPARE(remote.value(u"endpoint").toString(), endpoint);
        QVERIFY(!remote.contains(u"pid"));
    }

    served.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!find(1, u"exited"_qs).isEmpty(), 20000);
    const QJsonObject exited = find(1, u"exited"_qs);
    QCOMPARE(exited.value(u"endpoint").toString(), endpoint);
    QVERIFY(!exited.contains(u"exitCode"));
    QVERIFY(!exited.value(u"reason").toString().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!find(1, u"restartScheduled"_qs).isEmpty(), 20000);
#endif
}

void tst_QGbRemote::chaos()
{
    // N calls, each with its own value, while the served workers are
    // SIGKILLed at random (never both at once). Each call ends exactly once,
    // with its own value or WorkerCrashed; one that crashed is retried once,
    // and the retry too ends exactly once.
    Served a(m_certs.path(), Served::Config());
    Served b(m_certs.path(), Served::Config(), a.token());
    QVERIFY(waitListening({ &a, &b }));
    QGbPoolOptions options = remoteOptions({ &a, &b });
    options.setMaxConnections(4);
    QGbPool pool(testWorker(), options);
    QVERIFY(pool.waitForStarted(30000));

    // Calls go on until the workers were killed a few times (and at least
    // MinCalls were made).
    constexpr int MinCalls = 300;
    constexpr int MinKills = 4;
    constexpr int MaxCalls = 20000;
    struct Attempt
    {
        std::unique_ptr<QGbCall> call;
        int finished = 0;
    };
    std::vector<Attempt> attempts(size_t(2 * MaxCalls));
    int crashed = 0;
    int retried = 0;
    int succeeded = 0;
    auto value = [](int id) { return 0.01 + id * 1e-5; }; // sleep(x) returns x
    std::function<void(int, int)> start = [&](int id, int attempt) {
        Attempt &slot = attempts[size_t(2 * id + attempt)];
        slot.call.reset(pool.invoke("sleep", { value(id) }));
        QGbCall *call = slot.call.get();
        connect(call, &QGbCall::finished, this, [&, id, attempt, call] {
            Attempt &s = attempts[size_t(2 * id + attempt)];
            ++s.finished;
            if (s.finished > 1)
                return;
            if (call->error().isError()) {
                QCOMPARE(call->error().code(), QGbError::WorkerCrashed);
                ++crashed;
                if (attempt == 0) {
                    ++retried;
                    start(id, 1);
                }
            } else {
                QCOMPARE(call->result().toDouble(), value(id));
                ++succeeded;
            }
        });
    };

    QElapsedTimer clock;
    clock.start();
    int next = 0;
    int kills = 0;
    auto *rng = QRandomGenerator::global();
    while ((next < MinCalls || kills < MinKills) && next + 10 <= MaxCalls
           && clock.elapsed() < 90000) {
        for (int i = 0; i < 10; ++i)
            start(next++, 0);
        QTest::qWait(int(rng->bounded(10, 60)));
        // Kill one at random while the other is up.
        if (rng->bounded(3) == 0 && pool.readyWorkers() == 2) {
            (rng->bounded(2) ? a : b).kill();
            ++kills;
        }
    }
    const int N = next;
    auto allDone = [&] {
        for (int id = 0; id < N; ++id) {
            if (attempts[size_t(2 * id)].finished == 0)
                return false;
            const Attempt &retry = attempts[size_t(2 * id + 1)];
            if (retry.call && retry.finished == 0)
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allDone(), 120000);
    QTest::qWait(200); // a second end would show now
    for (int id = 0; id < N; ++id) {
        QCOMPARE(attempts[size_t(2 * id)].finished, 1);
        const Attempt &retry = attempts[size_t(2 * id + 1)];
        QCOMPARE(retry.finished, retry.call ? 1 : 0);
    }
    QCOMPARE(succeeded + crashed, N + retried);
    qDebug("chaos: %d calls, %d kills, %d crashed, %d retried, %d succeeded", N, kills, crashed,
           retried, succeeded);
    QVERIFY(kills >= MinKills);
    QVERIFY(crashed > 0);
}

QTEST_MAIN(tst_QGbRemote)
#include "tst_qgbremote.moc"
