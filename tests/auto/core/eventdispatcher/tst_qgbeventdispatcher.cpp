// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The epoll event dispatcher of a pool's I/O thread (QGbEventDispatcher), on
// its own thread, with real descriptors, timers and a real child process.
// Every pool test runs on it too; this suite pins down the parts a pool rarely
// reaches: wake-ups from many threads, timer corner cases, a notifier removed
// before its turn, hang-ups.

#include "qgbeventdispatcher_p.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qeventloop.h>
#include <QtCore/qprocess.h>
#include <QtCore/qsocketnotifier.h>
#include <QtCore/qthread.h>
#include <QtCore/qtimer.h>
#include <QtTest/qtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

class tst_QGbEventDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void isInstalled();
    void postedEventsFromManyThreads();
    void timers_data();
    void timers();
    void zeroTimerDoesNotBlock();
    void timerStoppedInItsSlot();
    void remainingTime();
    void readNotifier();
    void hangUpActivatesReadNotifier();
    void writeNotifierFollowsEnable();
    void notifierRemovedBeforeItsTurn();
    void nestedLoopInSlot();
    void process();
    void quitWakesBlockedLoop();

private:
    // Runs fn on the dispatcher's thread and waits for it.
    void onThread(const std::function<void()> &fn)
    {
        QMetaObject::invokeMethod(m_context, fn, Qt::BlockingQueuedConnection);
    }
    // The last statement of a test whose slots capture its locals: whatever
    // the thread did with them happens before they go out of scope (without
    // it ThreadSanitizer rightly reports the next test's use of the stack).
    void sync()
    {
        onThread([] {});
    }

    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr; // lives on m_thread
};

void tst_QGbEventDispatcher::init()
{
    m_thread = std::make_unique<QThread>();
    auto *dispatcher = new QGbEventDispatcher;
    QVERIFY(dispatcher->isValid());
    m_thread->setEventDispatcher(dispatcher);
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    m_thread->start();
}

void tst_QGbEventDispatcher::cleanup()
{
    if (m_thread->isRunning())
        onThread([this] { delete m_context; }); // with its timers and notifiers
    else
        delete m_context; // the thread has ended: nothing of it runs any more
    m_context = nullptr;
    m_thread->quit();
    QVERIFY(m_thread->wait(5000));
    m_thread.reset();
}

void tst_QGbEventDispatcher::isInstalled()
{
    QAbstractEventDispatcher *seen = nullptr;
    onThread([&] { seen = QAbstractEventDispatcher::instance(); });
    QVERIFY(dynamic_cast<QGbEventDispatcher *>(seen));
}

// Every queued call from 4 threads runs exactly once, whatever the
// interleaving of their wake-ups with the loop going to sleep.
void tst_QGbEventDispatcher::postedEventsFromManyThreads()
{
    constexpr int Threads = 4;
    constexpr int PerThread = 20000;
    std::atomic<int> ran { 0 };
    std::vector<std::thread> posters;
    for (int t = 0; t < Threads; ++t) {
        posters.emplace_back([&] {
            for (int i = 0; i < PerThread; ++i) {
                QMetaObject::invokeMethod(
                        m_context, [&ran] { ran.fetch_add(1, std::memory_order_relaxed); },
                        Qt::QueuedConnection);
                if (i % 1000 == 0)
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
        });
    }
    for (std::thread &poster : posters)
        poster.join();
    QTRY_COMPARE_WITH_TIMEOUT(ran.load(), Threads * PerThread, 10000);
    // The loop sleeps again and still wakes for one more.
    QTest::qWait(50);
    QMetaObject::invokeMethod(
            m_context, [&ran] { ran.fetch_add(1); }, Qt::QueuedConnection);
    QTRY_COMPARE(ran.load(), Threads * PerThread + 1);
    sync();
}

void tst_QGbEventDispatcher::timers_data()
{
    QTest::addColumn<int>("interval");
    QTest::addColumn<bool>("singleShot");
    QTest::addColumn<Qt::TimerType>("type");
    QTest::newRow("single shot, 30 ms, precise") << 30 << true << Qt::PreciseTimer;
    QTest::newRow("single shot, 30 ms, coarse") << 30 << true << Qt::CoarseTimer;
    QTest::newRow("repeating, 20 ms, precise") << 20 << false << Qt::PreciseTimer;
    QTest::newRow("repeating, 20 ms, coarse") << 20 << false << Qt::CoarseTimer;
}

void tst_QGbEventDispatcher::timers()
{
    QFETCH(int, interval);
    QFETCH(bool, singleShot);
    QFETCH(Qt::TimerType, type);

    std::atomic<int> fired { 0 };
    std::atomic<qint64> firstAfterMs { -1 };
    QTimer *timer = nullptr;
    QElapsedTimer clock;
    onThread([&] {
        timer = new QTimer(m_context);
        timer->setInterval(interval);
        timer->setSingleShot(singleShot);
        timer->setTimerType(type);
        connect(timer, &QTimer::timeout, timer, [&] {
            if (fired.fetch_add(1) == 0)
                firstAfterMs = clock.elapsed();
        });
        clock.start();
        timer->start();
    });
    QTRY_VERIFY(fired.load() >= 1);
    QVERIFY2(firstAfterMs.load() >= interval - 1, qPrintable(QString::number(firstAfterMs.load())));
    if (singleShot) {
        QTest::qWait(4 * interval);
        QCOMPARE(fired.load(), 1);
    } else {
        QTRY_VERIFY(fired.load() >= 5);
        const qint64 elapsed = clock.elapsed();
        // Five firings take at least four more intervals.
        QVERIFY2(elapsed >= 5 * interval - 1, qPrintable(QString::number(elapsed)));
    }
    onThread([&] { delete timer; });
    const int after = fired.load();
    QTest::qWait(3 * interval);
    QCOMPARE(fired.load(), after); // a deleted timer is gone
    sync();
}

// A 0 ms timer fires on every turn, and the loop does not sleep while it runs:
// a long timer registered beside it does not hold it back.
void tst_QGbEventDispatcher::zeroTimerDoesNotBlock()
{
    std::atomic<int> fired { 0 };
    onThread([&] {
        auto *slow = new QTimer(m_context);
        slow->start(60000);
        auto *zero = new QTimer(m_context);
        connect(zero, &QTimer::timeout, zero, [&fired, zero] {
            if (fired.fetch_add(1) + 1 == 1000)
                zero->stop();
        });
        zero->start(0);
    });
    QTRY_COMPARE_WITH_TIMEOUT(fired.load(), 1000, 5000);
    QTest::qWait(20);
    QCOMPARE(fired.load(), 1000);
    sync();
}

void tst_QGbEventDispatcher::timerStoppedInItsSlot()
{
    std::atomic<int> fired { 0 };
    onThread([&] {
        auto *timer = new QTimer(m_context);
        connect(timer, &QTimer::timeout, timer, [&fired, timer] {
            ++fired;
            timer->stop();
            timer->start(5); // restarted: fires once more, then stopped for good
            if (fired.load() == 2)
                timer->stop();
        });
        timer->start(5);
    });
    QTRY_COMPARE(fired.load(), 2);
    QTest::qWait(50);
    QCOMPARE(fired.load(), 2);
    sync();
}

void tst_QGbEventDispatcher::remainingTime()
{
    int before = -2;
    int unknown = -2;
    onThread([&] {
        auto *timer = new QTimer(m_context);
        timer->start(1000);
        before = timer->remainingTime();
        unknown = QAbstractEventDispatcher::instance()->remainingTime(987654);
    });
    QVERIFY2(before > 900 && before <= 1000, qPrintable(QString::number(before)));
    QCOMPARE(unknown, -1);
}

namespace {

struct SocketPair
{
    int fd[2] = { -1, -1 };
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd); }
    ~SocketPair()
    {
        closeEnd(0);
        closeEnd(1);
    }
    void closeEnd(int i)
    {
        if (fd[i] >= 0)
            ::close(fd[i]);
        fd[i] = -1;
    }
};

// Reads whatever is there.
void drain(int fd)
{
    char buffer[64];
    while (::read(fd, buffer, sizeof buffer) > 0) { }
}

} // namespace

void tst_QGbEventDispatcher::readNotifier()
{
    SocketPair pair;
    QVERIFY(pair.fd[0] >= 0);
    std::atomic<int> activations { 0 };
    QByteArray received;
    QSocketNotifier *notifier = nullptr;
    onThread([&] {
        notifier = new QSocketNotifier(pair.fd[0], QSocketNotifier::Read, m_context);
        connect(notifier, &QSocketNotifier::activated, notifier, [&] {
            char buffer[64];
            const ssize_t n = ::read(pair.fd[0], buffer, sizeof buffer);
            if (n > 0)
                received.append(buffer, n);
            ++activations;
        });
    });
    QTest::qWait(30);
    QCOMPARE(activations.load(), 0); // nothing to read: never activated
    QCOMPARE(::write(pair.fd[1], "ping", 4), 4);
    QTRY_COMPARE(activations.load(), 1);
    QTest::qWait(30);
    QCOMPARE(activations.load(), 1); // all read: level-triggered, quiet again
    onThread([&] { QCOMPARE(received, QByteArray("ping")); });

    onThread([&] { notifier->setEnabled(false); });
    QCOMPARE(::write(pair.fd[1], "pong", 4), 4);
    QTest::qWait(30);
    QCOMPARE(activations.load(), 1); // disabled: not watched
    onThread([&] { notifier->setEnabled(true); });
    QTRY_COMPARE(activations.load(), 2); // enabled again: the data was waiting
    onThread([&] {
        QCOMPARE(received, QByteArray("pingpong"));
        delete notifier;
    });
    sync();
}

void tst_QGbEventDispatcher::hangUpActivatesReadNotifier()
{
    SocketPair pair;
    std::atomic<int> eof { 0 };
    onThread([&] {
        auto *notifier = new QSocketNotifier(pair.fd[0], QSocketNotifier::Read, m_context);
        connect(notifier, &QSocketNotifier::activated, notifier, [&, notifier] {
            char buffer[16];
            if (::read(pair.fd[0], buffer, sizeof buffer) == 0) {
                ++eof;
                delete notifier; // then the descriptor may close
            }
        });
    });
    pair.closeEnd(1);
    QTRY_COMPARE(eof.load(), 1);
    sync();
}

void tst_QGbEventDispatcher::writeNotifierFollowsEnable()
{
    SocketPair pair;
    std::atomic<int> activations { 0 };
    QSocketNotifier *notifier = nullptr;
    onThread([&] {
        // Read and write notifiers on one descriptor share one epoll entry.
        auto *reader = new QSocketNotifier(pair.fd[0], QSocketNotifier::Read, m_context);
        Q_UNUSED(reader);
        notifier = new QSocketNotifier(pair.fd[0], QSocketNotifier::Write, m_context);
        notifier->setEnabled(false);
        connect(notifier, &QSocketNotifier::activated, notifier, [&] {
            ++activations;
            notifier->setEnabled(false); // written: stop watching
        });
    });
    QTest::qWait(30);
    QCOMPARE(activations.load(), 0);
    onThread([&] { notifier->setEnabled(true); });
    QTRY_COMPARE(activations.load(), 1);
    QTest::qWait(30);
    QCOMPARE(activations.load(), 1);
    onThread([&] { notifier->setEnabled(true); });
    QTRY_COMPARE(activations.load(), 2);
    sync();
}

// Two descriptors ready in one turn; the first one's handler deletes the
// second one's notifier (as a slot closing another connection does). The
// second must not be activated, and nothing may touch the deleted object.
void tst_QGbEventDispatcher::notifierRemovedBeforeItsTurn()
{
    SocketPair a;
    SocketPair b;
    std::atomic<int> activations { 0 };
    onThread([&] {
        auto *first = new QSocketNotifier(a.fd[0], QSocketNotifier::Read, m_context);
        auto *second = new QSocketNotifier(b.fd[0], QSocketNotifier::Read, m_context);
        auto deleteOther = [&](QSocketNotifier *self, QSocketNotifier *other, int fd) {
            return [&activations, self, other, fd] {
                ++activations;
                drain(fd);
                delete other;
                delete self;
            };
        };
        connect(first, &QSocketNotifier::activated, first, deleteOther(first, second, a.fd[0]));
        connect(second, &QSocketNotifier::activated, second, deleteOther(second, first, b.fd[0]));
        // Both readable before the loop looks again: one epoll_wait sees both.
        QCOMPARE(::write(a.fd[1], "x", 1), 1);
        QCOMPARE(::write(b.fd[1], "y", 1), 1);
    });
    QTRY_VERIFY(activations.load() >= 1);
    QTest::qWait(50);
    QCOMPARE(activations.load(), 1);
    sync();
}

// A slot that runs an event loop of its own (a nested turn) while the outer
// turn still has activations to make: a notifier the nested turn deletes is
// not activated by the outer one.
void tst_QGbEventDispatcher::nestedLoopInSlot()
{
    SocketPair a;
    SocketPair b;
    std::atomic<int> aRuns { 0 };
    std::atomic<int> bRuns { 0 };
    onThread([&] {
        auto *first = new QSocketNotifier(a.fd[0], QSocketNotifier::Read, m_context);
        auto *second = new QSocketNotifier(b.fd[0], QSocketNotifier::Read, m_context);
        connect(first, &QSocketNotifier::activated, first, [&, first] {
            ++aRuns;
            drain(a.fd[0]);
            first->setEnabled(false);
            QEventLoop nested;
            nested.processEvents(QEventLoop::AllEvents); // b is ready there
        });
        connect(second, &QSocketNotifier::activated, second, [&, second] {
            ++bRuns;
            drain(b.fd[0]);
            delete second;
        });
        QCOMPARE(::write(a.fd[1], "x", 1), 1);
        QCOMPARE(::write(b.fd[1], "y", 1), 1);
    });
    QTRY_VERIFY(aRuns.load() == 1 && bRuns.load() == 1);
    QTest::qWait(50);
    QCOMPARE(aRuns.load(), 1);
    QCOMPARE(bRuns.load(), 1);
    sync();
}

// QProcess drives pipes and a pidfd (or SIGCHLD pipe) through notifiers.
void tst_QGbEventDispatcher::process()
{
    std::atomic<bool> finished { false };
    QByteArray output;
    int exitCode = -1;
    onThread([&] {
        auto *process = new QProcess(m_context);
        connect(process, &QProcess::finished, process, [&, process](int code) {
            output = process->readAllStandardOutput();
            exitCode = code;
            finished = true;
        });
        process->start(QStringLiteral("/bin/sh"),
                       { QStringLiteral("-c"), QStringLiteral("read x; echo got $x; exit 3") });
        process->write("hello\n");
    });
    QTRY_VERIFY_WITH_TIMEOUT(finished.load(), 10000);
    QCOMPARE(exitCode, 3);
    QCOMPARE(output, QByteArray("got hello\n"));
    sync();
}

// quit() from another thread ends a loop that sleeps with no timer at all.
void tst_QGbEventDispatcher::quitWakesBlockedLoop()
{
    QTest::qWait(20);
    QElapsedTimer clock;
    clock.start();
    m_thread->quit();
    QVERIFY(m_thread->wait(2000));
    QVERIFY(clock.elapsed() < 1000);
}

QTEST_GUILESS_MAIN(tst_QGbEventDispatcher)
#include "tst_qgbeventdispatcher.moc"
