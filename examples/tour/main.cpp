// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// A tour of the four call modes and cancellation: the examples of the original Go
// gobridge README (its main.go), from Qt. worker.py is the original's worker, unchanged.
//
// A console program may simply block on its QFutures, as this one does. In a GUI,
// watch them with QFutureWatcher or chain them with QFuture::then() instead.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QGbPool>
#include <QTextStream>
#include <QTimer>

using namespace std::chrono_literals;

// A Q_GADGET crosses to Python as a dict keyed by property name:
// {"id": 1, "name": "a", "score": 5.0, "level": ""}, and back.
struct User
{
    Q_GADGET
    Q_PROPERTY(qint64 id MEMBER id)
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(double score MEMBER score)
    Q_PROPERTY(QString level MEMBER level)
public:
    qint64 id = 0;
    QString name;
    double score = 0;
    QString level; // set by enrich_users
};

QTextStream &operator<<(QTextStream &s, const User &u)
{
    s << "User{id: " << u.id << ", name: \"" << u.name << "\", score: " << u.score;
    if (!u.level.isEmpty())
        s << ", level: \"" << u.level << '"';
    return s << '}';
}

QTextStream &operator<<(QTextStream &s, const QList<User> &users)
{
    s << '[';
    for (qsizetype i = 0; i < users.size(); ++i)
        s << (i ? ", " : "") << users.at(i);
    return s << ']';
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription("The examples of the original gobridge, from Qt.");
    parser.addHelpOption();
    parser.addOption(
            { "python", "The Python interpreter to run the workers with.", "path", "python3" });
    parser.process(app);
    QTextStream out(stdout);

    // worker.py is copied next to the binary by CMake.
    QGbPool pool(QDir(app.applicationDirPath()).filePath("worker.py"),
                 QGbPoolOptions().setPythonExecutable(parser.value("python")));

    try {
        out << "== 1. plain calls ==" << Qt::endl;
        out << pool.call<int>("add", 3, 4).result() << Qt::endl; // 7
        out << pool.call<User>("get_user", 42).result() << Qt::endl;
        const QList<User> users = { { 1, "a", 5 }, { 2, "b", 12 } };
        out << pool.call<QList<User>>("enrich_users", users).result() << Qt::endl;

        out << "== 2. server stream: Python yield -> QFuture results ==" << Qt::endl;
        // Iterating a QFuture waits for each result as it arrives.
        for (int v : pool.stream<int>("range_gen", 1, 6))
            out << v << Qt::endl; // 1 2 3 4 5
        for (const User &u : pool.stream<User>("gen_users", 3))
            out << u << Qt::endl;

        out << "== 3. client stream: QGbChannel -> Python Iterator ==" << Qt::endl;
        // write() never blocks: the channel buffers what the worker has not read
        // yet, and refuses a value when it is full; waitForWritable() waits for room.
        QGbChannel numbers;
        QFuture<int> total = pool.call<int>("sum_stream", numbers);
        for (int i = 1; i <= 5; ++i) {
            while (!numbers.write(i) && numbers.waitForWritable()) { }
        }
        numbers.close();                   // ends the Python iterator
        out << total.result() << Qt::endl; // 15

        out << "== 4. bidirectional: QGbChannel in, QFuture results out ==" << Qt::endl;
        QGbChannel input;
        QFuture<User> processed = pool.stream<User>("process_users", input);
        for (const User &u : users) {
            while (!input.write(u) && input.waitForWritable()) { }
        }
        input.close();
        for (const User &u : processed)
            out << u << Qt::endl;

        out << "== progress and logging ==" << Qt::endl;
        // gobridge.progress() reaches the QFuture (and QGbCall::progressChanged());
        // Python logging records reach QGbPool::logRecord() and the Qt logging
        // category qgobridge.python.<logger> (here qgobridge.python.tour.images).
        QFuture<int> resized = pool.call<int>("resize_images", 50);
        QFutureWatcher<int> progressWatcher;
        int reports = 0;
        QObject::connect(&progressWatcher, &QFutureWatcherBase::progressTextChanged,
                         [&](const QString &text) {
                             if (++reports % 5 == 1) // a line every few reports
                                 out << "  " << text << Qt::endl;
                         });
        QString logged;
        QObject::connect(&pool, &QGbPool::logRecord,
                         [&](const QGbLogRecord &record) { logged = record.message(); });
        QEventLoop progressLoop;
        QObject::connect(&progressWatcher, &QFutureWatcherBase::finished, &progressLoop,
                         &QEventLoop::quit);
        progressWatcher.setFuture(resized);
        progressLoop.exec();
        QCoreApplication::sendPostedEvents(); // the log record, sent before the result
        out << resized.result() << " images, " << resized.progressValue() << "/"
            << resized.progressMaximum() << ", logged: " << logged << Qt::endl;

        out << "== cancellation: cancelling the QFuture stops the Python loop ==" << Qt::endl;
        QElapsedTimer clock;
        clock.start();
        QFuture<qint64> slow = pool.call<qint64>("slow_compute", 1000000000);
        QFutureWatcher<qint64> watcher;
        QEventLoop loop;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        // A 2-second timeout. (PreciseTimer: a coarse timer may fire up to 5% early.)
        QTimer::singleShot(2s, Qt::PreciseTimer, &watcher, &QFutureWatcherBase::cancel);
        watcher.setFuture(slow);
        loop.exec();
        if (slow.isCanceled())
            out << "slow_compute cancelled after " << clock.elapsed() << " ms" << Qt::endl;
        else
            out << "slow_compute finished: " << slow.result() << Qt::endl;
    } catch (const QGbException &e) {
        QTextStream(stderr) << "call failed: " << e.error().errorString() << Qt::endl;
        return 1;
    }
    return 0;
}

#include "main.moc"
