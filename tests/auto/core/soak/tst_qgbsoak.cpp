// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Soak: thousands of calls of all four modes, through QFuture and QGbCall, on
// 2 workers x 4 connections, while a chaos thread SIGKILLs a random worker every
// 200-500 ms. Every call must end exactly once, with its own value or with
// WorkerCrashed; afterwards the pool is healthy and leaves nothing behind.
//
// Environment: QGB_SOAK_SECONDS (default 45) how long calls are started,
// QGB_SOAK_SEED (default: random, printed) the seed of call shapes and chaos.

#include "qgbtesthelpers.h"

#include <QGbPool>

#include <QtCore/qdir.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qmutex.h>
#include <QtCore/qprocess.h>
#include <QtCore/qrandom.h>
#include <QtCore/qscopeguard.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qtextstream.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>
#include <QtTest/qtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <signal.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

QString soakWorker()
{
    return QStringLiteral(QGB_SOURCE_DIR "/tests/auto/core/soak/soakworker.py");
}

// The longest a killed worker waits for its restart in this test.
constexpr auto SoakMaxRestartDelay = 200ms;

QByteArray procFile(qint64 pid, const char *name)
{
    QFile file(QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(name)));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool isSoakWorker(qint64 pid)
{
    return procFile(pid, "cmdline").contains("soakworker.py");
}

// True if pid is still one of ours: a live worker, or a child of this process
// (a zombie nobody reaped). A pid reused by an unrelated process does not count.
bool leftBehind(qint64 pid)
{
    if (pid <= 0 || ::kill(pid_t(pid), 0) != 0)
        return false;
    const QByteArray stat = procFile(pid, "stat");
    const qsizetype paren = stat.lastIndexOf(')');
    if (paren >= 0) {
        const QList<QByteArray> fields = stat.mid(paren + 2).split(' ');
        if (fields.size() > 1 && fields.at(1).toLongLong() == qint64(::getpid()))
            return true;
    }
    return isSoakWorker(pid);
}

// The pids of the live soak workers whose socket is under directory.
QList<qint64> workersUnder(const QString &directory)
{
    QList<qint64> pids;
    const QByteArray needle = "GOBRIDGE_SOCKET=" + directory.toUtf8() + '/';
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (ok && isSoakWorker(pid) && procFile(pid, "environ").contains(needle)
            && ::kill(pid_t(pid), 0) == 0 && !procFile(pid, "stat").contains(") Z "))
            pids.append(pid);
    }
    return pids;
}

// Kills a random ready worker every 200-500 ms, from its own thread. The pool
// restarts a dead worker after at most SoakMaxRestartDelay (its restart
// backoff is capped for this test), so the chaos never has to pause.
class Chaos
{
public:
    Chaos(QGbPool *pool, quint32 seed)
        : m_pool(pool)
        , m_random(seed)
    {
    }
    ~Chaos() { stop(); }

    // From QGbPool::workerStarted (the pool's thread): worker is ready as pid.
    void workerReady(int worker, qint64 pid)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_slots[worker] = pid;
    }

    void start()
    {
        m_thread = std::thread([this] { run(); });
    }

    void stop()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }

    int kills() const { return m_kills.load(); }
    // Ticks at which no worker was ready to be killed.
    int idleTicks() const { return m_idleTicks.load(); }

private:
    void run()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            const auto pause = std::chrono::milliseconds(200 + m_random.bounded(301));
            if (m_wake.wait_for(lock, pause, [this] { return m_stop; }))
                return;
            lock.unlock();
            const QList<qint64> ready = m_pool->workerProcessIds(); // thread-safe
            lock.lock();
            std::vector<std::pair<int, qint64>> candidates;
            for (const auto &[worker, pid] : m_slots) {
                if (pid != 0 && ready.contains(pid))
                    candidates.emplace_back(worker, pid);
            }
            if (candidates.empty()) {
                ++m_idleTicks;
                continue;
            }
            const auto [worker, pid] = candidates.at(m_random.bounded(int(candidates.size())));
            if (!isSoakWorker(pid)) // never kill a process that is not ours
                continue;
            m_slots[worker] = 0; // until it is ready again
            if (::kill(pid_t(pid), SIGKILL) == 0)
                ++m_kills;
        }
    }

    QGbPool *m_pool;
    QRandomGenerator m_random;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::map<int, qint64> m_slots; // worker -> pid, 0 once killed until ready again
    std::atomic<int> m_kills { 0 };
    std::atomic<int> m_idleTicks { 0 };
};

enum Mode { Plain, ServerStream, ClientStream, Bidi, ModeCount };
const char *const modeNames[ModeCount] = { "plain", "server_stream", "client_stream", "bidi" };

// One call and everything observed about it.
struct Record
{
    qint64 id = 0;
    Mode mode = Plain;
    bool viaObject = false; // QGbPool::invoke + QGbCall, else the typed QFuture API
    bool clean = false;     // made after the chaos stopped: must succeed
    QString token;
    QString expectedResult;    // Plain, ClientStream
    QStringList expectedItems; // ServerStream, Bidi
    QList<qint64> numbers;     // what the channel carries
    int writeFailures = 0;

    // QFuture API
    QFuture<QString> future;
    std::unique_ptr<QFutureWatcher<QString>> watcher;
    int continuations = 0;
    // QGbCall API
    std::unique_ptr<QGbCall> call;
    std::unique_ptr<QFutureWatcher<QVariant>> callWatcher;
    QStringList chunks;      // from chunksReceived
    QStringList chunkByItem; // from chunkReceived
    int resultSignals = 0;
    int errorSignals = 0;
    QVariant result;
    // both
    std::unique_ptr<QGbChannel> channel;
    int finishedSignals = 0;
    int watcherFinished = 0;
    bool evaluated = false;
    bool succeeded = false;
    QGbError error;
    QStringList problems;
};

struct Stats
{
    int calls[ModeCount] = {};
    int successes[ModeCount] = {};
    int crashed[ModeCount] = {};
    int crashedWithPrefix = 0; // streams that failed after some items arrived
};

// Counts its live instances, to see whether stream items are ever freed.
struct Counted
{
    Q_GADGET
    Q_PROPERTY(QString value MEMBER value)
public:
    Counted() { ++live; }
    Counted(const Counted &other)
        : value(other.value)
    {
        ++live;
    }
    Counted &operator=(const Counted &other) = default;
    ~Counted() { --live; }

    QString value;
    static inline std::atomic<int> live { 0 };
};

} // namespace

Q_DECLARE_METATYPE(Counted)

class tst_QGbSoak : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void soak();
    // Regression tests for what the soak found.
    void failedStreamFreesItsItems_data();
    void failedStreamFreesItsItems();
    void inputToAWorkerThatJustDied();
    void workersDoNotOutliveACrashedApp_data();
    void workersDoNotOutliveACrashedApp();

private:
    void fillUp();
    void submit(bool clean);
    void startTyped(Record *r);
    void startObject(Record *r);
    void feedChannel(Record *r);
    void evaluate(Record *r);
    void verifyOutcome(Record *r);

    QGbPool *m_pool = nullptr;
    QRandomGenerator m_random;
    std::vector<std::unique_ptr<Record>> m_records;
    Stats m_stats;
    qint64 m_nextId = 1;
    int m_inFlight = 0;
    int m_maxInFlight = 32;
    bool m_submitting = false;
};

void tst_QGbSoak::failedStreamFreesItsItems_data()
{
    QTest::addColumn<bool>("fails");
    QTest::newRow("stream ends") << false;
    QTest::newRow("stream fails after 5 items") << true;
}

// The items a stream's QFuture received before the call failed are freed with
// the QFuture (found by LeakSanitizer in the soak: every stream cut by a crash
// leaked its items).
void tst_QGbSoak::failedStreamFreesItsItems()
{
    QFETCH(bool, fails);
    QGbPool pool(soakWorker(), testOptions(1, 1));
    QCOMPARE(Counted::live.load(), 0);
    {
        QFuture<Counted> items = pool.stream<Counted>(u"soak_gen_then_fail"_qs, 5, fails);
        QCOMPARE(errorOf(items).code(), fails ? QGbError::RemoteException : QGbError::NoError);
        if (!fails) {
            QCOMPARE(items.resultCount(), 5);
            QCOMPARE(items.resultAt(4).value, u"item 4"_qs);
        }
    }
    QCOMPARE(pool.call<QString>(u"soak_echo"_qs, u"x"_qs, 0).result(), u"echo:x"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(Counted::live.load(), 0, 5000);
}

// A worker grants input credit when a client stream starts; if it dies right
// after, the pool writes the channel's items and then its end to a peer that
// is gone (found by the soak: the I/O thread crashed with SIGSEGV).
void tst_QGbSoak::inputToAWorkerThatJustDied()
{
    int crashedBusy = 0;
    for (int round = 0; round < 20; ++round) {
        QGbPool pool(soakWorker(), testOptions(1, 2));
        QVERIFY(pool.waitForStarted(20000));
        // Keep the I/O thread busy, so that it reads the credit only after the
        // worker died.
        QFuture<QString> busy =
                pool.stream<QString>(u"soak_gen"_qs, QString(2000, u'b'), 1000000, 0);
        QTRY_VERIFY_WITH_TIMEOUT(busy.resultCount() > 1000, 20000);
        QGbChannel numbers;
        for (int i = 0; i < 3; ++i)
            QVERIFY(numbers.write(i));
        numbers.close();
        const QGbError error = errorOf(pool.call<int>(u"soak_die_on_input"_qs, &numbers));
        QVERIFY2(error.code() == QGbError::WorkerCrashed, describe(error));
        crashedBusy += errorOf(busy).code() == QGbError::WorkerCrashed ? 1 : 0;
        QTRY_COMPARE_WITH_TIMEOUT(pool.readyWorkers(), 1, 20000);
        QCOMPARE(pool.call<QString>(u"soak_echo"_qs, u"x"_qs, 0).result(), u"echo:x"_qs);
    }
    QCOMPARE(crashedBusy, 20);
}

void tst_QGbSoak::workersDoNotOutliveACrashedApp_data()
{
    QTest::addColumn<bool>("connected");
    QTest::newRow("killed before the handshake") << false;
    QTest::newRow("killed after the handshake") << true;
}

// An app that crashes (here: SIGKILL) leaves its workers behind it; they must
// notice and exit. Found by the soak: a worker started just before the test
// process crashed was still waiting for its first connection 20 minutes later.
void tst_QGbSoak::workersDoNotOutliveACrashedApp()
{
    QFETCH(bool, connected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QList<qint64> leftovers;
    auto cleanup = qScopeGuard([&] {
        for (qint64 pid : std::as_const(leftovers))
            ::kill(pid_t(pid), SIGKILL);
    });
    QProcess app;
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(QCoreApplication::applicationFilePath(),
              { u"--crashing-app"_qs, dir.path(), connected ? u"1"_qs : u"0"_qs });
    QVERIFY(app.waitForFinished(30000));
    QCOMPARE(app.exitStatus(), QProcess::CrashExit);
    QVERIFY2(app.readAllStandardOutput().contains("workers started"), "the app did not start");
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 15000 && !workersUnder(dir.path()).isEmpty())
        QTest::qWait(50);
    leftovers = workersUnder(dir.path());
    QVERIFY2(leftovers.isEmpty(),
             qPrintable(QStringLiteral("%1 workers still run 15 s after their app died")
                                .arg(leftovers.size())));
}

// The app of workersDoNotOutliveACrashedApp(): starts a pool of 2 workers in
// socket directory dir and kills itself, before or after they are connected.
static int crashingApp(int argc, char *argv[], const QString &dir, bool connected)
{
    QCoreApplication app(argc, argv);
    QGbPool pool(soakWorker(), testOptions(2, 1).setSocketDirectory(dir));
    if (connected) {
        if (!pool.waitForStarted(30000))
            return 1;
    } else {
        // As soon as both worker processes exist, before they can listen.
        QElapsedTimer clock;
        clock.start();
        while (workersUnder(dir).size() < 2 && clock.elapsed() < 30000)
            QThread::usleep(200);
    }
    QTextStream(stdout) << "workers started" << Qt::endl;
    ::kill(::getpid(), SIGKILL);
    return 2;
}

void tst_QGbSoak::soak()
{
    const int seconds = qEnvironmentVariableIsSet("QGB_SOAK_SECONDS")
            ? qEnvironmentVariableIntValue("QGB_SOAK_SECONDS")
            : 45;
    const quint32 seed = qEnvironmentVariableIsSet("QGB_SOAK_SEED")
            ? quint32(qEnvironmentVariable("QGB_SOAK_SEED").toULong())
            : QRandomGenerator::global()->generate();
    qInfo("soak: %d s, seed %u (QGB_SOAK_SEED=%u reproduces the call shapes and kill timing)",
          seconds, seed, seed);
    m_random.seed(seed);

    QTemporaryDir socketDir;
    QVERIFY(socketDir.isValid());
    QGbPoolOptions options = testOptions(2, 4).setSocketDirectory(socketDir.path());
    options.setStderr(nullptr);
    options.setRestartLimit(0, 60s); // the chaos kills on purpose: no give-up
    options.setRestartBackoff(100ms, SoakMaxRestartDelay);

    auto pool = std::make_unique<QGbPool>(soakWorker(), options);
    m_pool = pool.get();
    Chaos chaos(m_pool, seed ^ 0x5eedu);
    QList<qint64> pids;
    int exits = 0;
    QList<QGbError> poolErrors;
    // Whatever happens below, the calls and the pool go before what their
    // signal handlers use.
    auto cleanup = qScopeGuard([&] {
        m_submitting = false;
        chaos.stop();
        m_records.clear();
        pool.reset();
        m_pool = nullptr;
    });
    connect(m_pool, &QGbPool::workerStarted, this, [&](int worker, qint64 pid) {
        pids.append(pid);
        chaos.workerReady(worker, pid);
    });
    connect(m_pool, &QGbPool::workerExited, this, [&] { ++exits; });
    connect(m_pool, &QGbPool::errorOccurred, this,
            [&](const QGbError &e) { poolErrors.append(e); });
    QVERIFY(m_pool->waitForStarted(30000));
    QTRY_COMPARE_WITH_TIMEOUT(pids.size(), 2, 10000);

    // Chaos and calls.
    QElapsedTimer clock;
    clock.start();
    chaos.start();
    m_submitting = true;
    fillUp();
    {
        QEventLoop loop;
        QTimer::singleShot(std::chrono::seconds(seconds), &loop, &QEventLoop::quit);
        loop.exec();
    }
    m_submitting = false;
    chaos.stop();
    const qint64 soakMs = clock.elapsed();

    // Every call ends, then nothing more arrives for any of them.
    QTRY_VERIFY2_WITH_TIMEOUT(m_inFlight == 0,
                              qPrintable(QStringLiteral("%1 calls still running").arg(m_inFlight)),
                              120000);
    const qint64 drainedMs = clock.elapsed();
    QTest::qWait(1000);

    // The pool is healthy again: both workers, and clean calls all succeed.
    QTRY_COMPARE_WITH_TIMEOUT(m_pool->readyWorkers(), 2, 60000);
    const qint64 healthyMs = clock.elapsed();
    const size_t firstClean = m_records.size();
    m_submitting = true;
    m_maxInFlight = 16;
    for (int i = 0; i < 50; ++i) {
        submit(true);
        if (m_inFlight >= m_maxInFlight)
            QTRY_VERIFY_WITH_TIMEOUT(m_inFlight < m_maxInFlight, 30000);
    }
    m_submitting = false;
    QTRY_VERIFY_WITH_TIMEOUT(m_inFlight == 0, 30000);
    QTest::qWait(200);
    qInfo("soak: calls started until %lld ms, all ended at %lld ms, both workers ready at %lld ms, "
          "clean calls done at %lld ms",
          soakMs, drainedMs, healthyMs, clock.elapsed());

    Stats total = m_stats;
    int succeeded = 0;
    int crashed = 0;
    for (int m = 0; m < ModeCount; ++m) {
        succeeded += total.successes[m];
        crashed += total.crashed[m];
    }
    qInfo("soak: %lld calls in %lld ms (%d clean ones after the chaos), %d kills "
          "(%.2f per second; %d ticks found no ready worker), %d worker exits",
          qint64(m_records.size()), soakMs, int(m_records.size() - firstClean), chaos.kills(),
          chaos.kills() * 1000.0 / double(soakMs), chaos.idleTicks(), exits);
    for (int m = 0; m < ModeCount; ++m) {
        qInfo("soak: %-13s %6d calls, %6d succeeded, %5d WorkerCrashed", modeNames[m],
              total.calls[m], total.successes[m], total.crashed[m]);
    }
    qInfo("soak: total %d succeeded, %d WorkerCrashed (%d of them streams cut after some "
          "items arrived)",
          succeeded, crashed, total.crashedWithPrefix);

    // Exactly once, right value or WorkerCrashed, and clean calls all succeeded.
    QStringList problems;
    int problemCalls = 0;
    for (size_t i = 0; i < m_records.size(); ++i) {
        Record *r = m_records[i].get();
        verifyOutcome(r);
        if (i >= firstClean && !r->succeeded)
            r->problems << QStringLiteral("a call made after the chaos failed");
        if (!r->problems.isEmpty()) {
            ++problemCalls;
            if (problems.size() < 20) {
                problems << QStringLiteral("call %1 (%2, %3, %4): %5")
                                    .arg(r->id)
                                    .arg(QLatin1String(modeNames[r->mode]),
                                         r->viaObject ? u"QGbCall"_qs : u"QFuture"_qs,
                                         QString::fromUtf8(describe(r->error)),
                                         r->problems.join(u"; "));
            }
        }
    }
    QVERIFY2(problems.isEmpty(),
             qPrintable(QStringLiteral("%1 calls went wrong, first ones:\n").arg(problemCalls)
                        + problems.join(u'\n')));
    // A kill every 200-500 ms (2.9 per second at most) while a worker is
    // ready; restarts take their backoff plus a Python start, so fewer land.
    // At least one a second means the chaos was not held back (2.4 here, on
    // a loaded machine; slow sanitizer builds in CI stay above 1).
    QVERIFY2(chaos.kills() * 1000 >= soakMs,
             qPrintable(QStringLiteral("%1 kills in %2 ms").arg(chaos.kills()).arg(soakMs)));
    QVERIFY2(crashed > 0, "no call ever saw WorkerCrashed: the chaos did not bite");
    for (const QGbError &e : poolErrors)
        QVERIFY2(e.code() != QGbError::WorkerStartFailed, describe(e));

    // Nothing left behind: no worker process, no socket file.
    pids += m_pool->workerProcessIds();
    QElapsedTimer closing;
    closing.start();
    m_records.clear(); // QGbCalls, channels and watchers go before the pool
    m_pool->close();
    QCOMPARE(m_pool->state(), QGbPool::Closed);
    qInfo("soak: records freed and pool closed in %lld ms", closing.elapsed());
    pool.reset();
    m_pool = nullptr;
    for (qint64 pid : std::as_const(pids))
        QVERIFY2(!leftBehind(pid), qPrintable(QStringLiteral("worker %1 still exists").arg(pid)));
    QCOMPARE(QDir(socketDir.path())
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System
                                | QDir::Hidden),
             QStringList());
}

// Keeps m_maxInFlight calls running while the soak lasts.
void tst_QGbSoak::fillUp()
{
    while (m_submitting && m_inFlight < m_maxInFlight)
        submit(false);
}

void tst_QGbSoak::submit(bool clean)
{
    auto owned = std::make_unique<Record>();
    Record *r = owned.get();
    m_records.push_back(std::move(owned));
    r->id = m_nextId++;
    r->clean = clean;
    r->mode = Mode(m_random.bounded(int(ModeCount)));
    r->viaObject = m_random.bounded(2) == 1;
    r->token =
            QStringLiteral("t%1-%2").arg(r->id).arg(m_random.generate(), 8, 16, QLatin1Char('0'));
    ++m_stats.calls[r->mode];
    ++m_inFlight;

    switch (r->mode) {
    case Plain:
        r->expectedResult = u"echo:"_qs + r->token;
        break;
    case ServerStream: {
        const int count = int(m_random.bounded(61)); // 0 .. 60, an empty stream too
        for (int i = 0; i < count; ++i)
            r->expectedItems << QStringLiteral("%1:%2").arg(r->token).arg(i);
        break;
    }
    case ClientStream:
    case Bidi: {
        const int count = int(m_random.bounded(41));
        qint64 sum = 0;
        for (int i = 0; i < count; ++i) {
            const qint64 x = r->id * 1000 + i;
            r->numbers << x;
            sum += x;
            r->expectedItems << QStringLiteral("%1:%2").arg(r->token).arg(3 * x + 1);
        }
        if (r->mode == ClientStream) {
            r->expectedItems.clear();
            r->expectedResult = QStringLiteral("%1:%2:%3").arg(r->token).arg(count).arg(sum);
        }
        r->channel = std::make_unique<QGbChannel>();
        break;
    }
    default:
        break;
    }

    if (r->viaObject)
        startObject(r);
    else
        startTyped(r);
    if (r->channel)
        feedChannel(r);
}

void tst_QGbSoak::startTyped(Record *r)
{
    const int pause = int(m_random.bounded(21));
    switch (r->mode) {
    case Plain:
        r->future = m_pool->call<QString>(u"soak_echo"_qs, r->token, pause);
        break;
    case ServerStream:
        r->future = m_pool->stream<QString>(u"soak_gen"_qs, r->token, int(r->expectedItems.size()),
                                            pause / 5);
        break;
    case ClientStream:
        r->future = m_pool->call<QString>(u"soak_sum"_qs, r->token, r->channel.get());
        break;
    case Bidi:
        r->future = m_pool->stream<QString>(u"soak_bidi"_qs, r->token, r->channel.get());
        break;
    default:
        break;
    }
    // A continuation that takes the QFuture runs once whatever the outcome.
    r->future.then(this, [r](QFuture<QString>) { ++r->continuations; });
    r->watcher = std::make_unique<QFutureWatcher<QString>>();
    connect(r->watcher.get(), &QFutureWatcherBase::finished, this, [this, r] {
        ++r->watcherFinished;
        ++r->finishedSignals;
        if (r->watcherFinished == 1)
            evaluate(r);
    });
    r->watcher->setFuture(r->future);
}

void tst_QGbSoak::startObject(Record *r)
{
    const int pause = int(m_random.bounded(21));
    QGbCall *call = nullptr;
    switch (r->mode) {
    case Plain:
        call = m_pool->invoke(u"soak_echo"_qs, { r->token, pause });
        break;
    case ServerStream:
        call = m_pool->invoke(u"soak_gen"_qs,
                              { r->token, int(r->expectedItems.size()), pause / 5 });
        break;
    case ClientStream:
        call = m_pool->invoke(u"soak_sum"_qs, { r->token }, r->channel.get());
        break;
    case Bidi:
        call = m_pool->invoke(u"soak_bidi"_qs, { r->token }, r->channel.get());
        break;
    default:
        break;
    }
    r->call.reset(call);
    connect(call, &QGbCall::chunksReceived, this, [r](const QVariantList &items) {
        for (const QVariant &v : items)
            r->chunks << v.toString();
    });
    connect(call, &QGbCall::chunkReceived, this,
            [r](const QVariant &v) { r->chunkByItem << v.toString(); });
    connect(call, &QGbCall::resultReady, this, [r](const QVariant &v) {
        ++r->resultSignals;
        r->result = v;
    });
    connect(call, &QGbCall::errorOccurred, this, [r](const QGbError &e) {
        ++r->errorSignals;
        r->error = e;
    });
    connect(call, &QGbCall::finished, this, [this, r] {
        ++r->finishedSignals;
        if (r->finishedSignals == 1)
            evaluate(r);
    });
    // The QGbCall's QFuture ends once too.
    r->callWatcher = std::make_unique<QFutureWatcher<QVariant>>();
    connect(r->callWatcher.get(), &QFutureWatcherBase::finished, this,
            [r] { ++r->watcherFinished; });
    r->callWatcher->setFuture(call->future());
}

// Writes part of the numbers at once and the rest a little later, then closes.
void tst_QGbSoak::feedChannel(Record *r)
{
    const qsizetype now = r->numbers.isEmpty() ? 0 : m_random.bounded(int(r->numbers.size()) + 1);
    for (qsizetype i = 0; i < now; ++i)
        r->writeFailures += r->channel->write(r->numbers.at(i)) ? 0 : 1;
    const int delay = int(m_random.bounded(16));
    QTimer::singleShot(delay, r->channel.get(), [r, now] {
        for (qsizetype i = now; i < r->numbers.size(); ++i)
            r->writeFailures += r->channel->write(r->numbers.at(i)) ? 0 : 1;
        r->channel->close();
    });
}

// The first time a call reports that it finished: its outcome, counted once.
void tst_QGbSoak::evaluate(Record *r)
{
    if (r->evaluated) {
        r->problems << u"evaluated twice"_qs;
        return;
    }
    r->evaluated = true;
    --m_inFlight;

    if (r->viaObject) {
        if (r->errorSignals == 0) {
            r->succeeded = true;
        }
    } else {
        r->succeeded = true;
        try {
            QFuture<QString> f = r->future;
            f.waitForFinished();
            if (f.isCanceled())
                r->error = QGbError(QGbError::Cancelled, u"canceled without an exception"_qs);
        } catch (const QGbException &e) {
            r->error = e.error();
        } catch (...) {
            r->error = QGbError(QGbError::ProtocolError, u"an exception not a QGbException"_qs);
        }
        r->succeeded = !r->error.isError();
    }
    if (r->succeeded) {
        ++m_stats.successes[r->mode];
    } else if (r->error.code() == QGbError::WorkerCrashed) {
        ++m_stats.crashed[r->mode];
        if ((r->mode == ServerStream || r->mode == Bidi) && !r->chunks.isEmpty())
            ++m_stats.crashedWithPrefix;
    }

    if (m_submitting && !r->clean)
        QMetaObject::invokeMethod(this, &tst_QGbSoak::fillUp, Qt::QueuedConnection);
}

// Checks, at the end, what one call saw.
void tst_QGbSoak::verifyOutcome(Record *r)
{
    QStringList &p = r->problems;
    if (!r->evaluated) {
        p << u"never finished"_qs;
        return;
    }
    if (r->finishedSignals != 1)
        p << QStringLiteral("finished %1 times").arg(r->finishedSignals);
    if (r->watcherFinished != 1)
        p << QStringLiteral("its QFuture finished %1 times").arg(r->watcherFinished);
    if (!r->succeeded && r->error.code() != QGbError::WorkerCrashed)
        p << u"failed with an error other than WorkerCrashed"_qs;

    const bool streamOut = r->mode == ServerStream || r->mode == Bidi;
    if (!r->viaObject) {
        const QFuture<QString> &f = r->future;
        if (r->continuations != 1)
            p << QStringLiteral("continuation ran %1 times").arg(r->continuations);
        if (!f.isFinished())
            p << u"QFuture not finished"_qs;
        if (r->succeeded) {
            if (f.isCanceled())
                p << u"succeeded but canceled"_qs;
            const QList<QString> got = f.results();
            if (streamOut) {
                if (got != r->expectedItems) {
                    p << QStringLiteral("items %1, expected %2")
                                    .arg(got.join(u','), r->expectedItems.join(u','));
                }
            } else if (got != QStringList { r->expectedResult }) {
                p << QStringLiteral("results %1, expected %2")
                                .arg(got.join(u','), r->expectedResult);
            }
        } else if (!f.isCanceled()) {
            p << u"failed but not canceled"_qs;
        }
        return;
    }

    // QGbCall
    if (!r->call->isFinished())
        p << u"QGbCall::isFinished() is false"_qs;
    if (r->chunks != r->chunkByItem)
        p << u"chunksReceived and chunkReceived disagree"_qs;
    if (r->succeeded) {
        if (r->call->error().isError())
            p << u"error() set on a call that reported no errorOccurred"_qs;
        if (streamOut) {
            if (r->chunks != r->expectedItems) {
                p << QStringLiteral("items %1, expected %2")
                                .arg(r->chunks.join(u','), r->expectedItems.join(u','));
            }
        } else {
            if (r->resultSignals != 1)
                p << QStringLiteral("resultReady %1 times").arg(r->resultSignals);
            if (r->result.toString() != r->expectedResult || r->call->result() != r->result) {
                p << QStringLiteral("result %1, expected %2")
                                .arg(r->result.toString(), r->expectedResult);
            }
            if (!r->chunks.isEmpty())
                p << u"a plain call received chunks"_qs;
        }
    } else {
        if (r->errorSignals != 1)
            p << QStringLiteral("errorOccurred %1 times").arg(r->errorSignals);
        if (r->resultSignals != 0)
            p << u"both a result and an error"_qs;
        if (r->call->error() != r->error)
            p << u"error() differs from errorOccurred"_qs;
        // A stream cut by the crash delivered a prefix of its items, nothing else.
        if (r->chunks != r->expectedItems.mid(0, r->chunks.size()))
            p << QStringLiteral("items %1 are not a prefix of %2")
                            .arg(r->chunks.join(u','), r->expectedItems.join(u','));
        if (!streamOut && !r->chunks.isEmpty())
            p << u"a plain call received chunks"_qs;
    }
    if (r->callWatcher->future().isFinished() == false)
        p << u"QGbCall::future() not finished"_qs;
    else if (r->succeeded == r->callWatcher->future().isCanceled())
        p << u"QGbCall::future() disagrees with the signals"_qs;
}

int main(int argc, char *argv[])
{
    if (argc == 4 && qstrcmp(argv[1], "--crashing-app") == 0)
        return crashingApp(1, argv, QString::fromLocal8Bit(argv[2]), qstrcmp(argv[3], "1") == 0);
    QCoreApplication app(argc, argv);
    tst_QGbSoak test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_qgbsoak.moc"
