// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBTESTHELPERS_H
#define QGBTESTHELPERS_H

#include <QGbPool>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfuture.h>
#include <QtCore/qprocess.h>
#include <QtTest/qtest.h>

// The worker script every pool test runs.
inline QString poolWorker()
{
    return QStringLiteral(QGB_SOURCE_DIR "/tests/auto/shared/poolworker.py");
}

// Options for tests: the package from the source tree, output kept quiet
// unless a test asks for it, and a cancel grace period long enough that an
// interruption is never confused with a kill.
inline QGbPoolOptions testOptions(int workers = 1, int connections = 1)
{
    QGbPoolOptions options;
    options.setWorkers(workers)
            .setMaxConnections(connections)
            .setPackageDirectory(QStringLiteral(QGB_PYTHON_DIR))
            .setCancelGracePeriod(std::chrono::milliseconds(10000))
            .setStdout(nullptr)
            .setStderr(nullptr);
    return options;
}

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
    QString level;

    bool operator==(const User &o) const
    {
        return id == o.id && name == o.name && score == o.score && level == o.level;
    }
};
Q_DECLARE_METATYPE(User)

inline char *toString(const User &u)
{
    return QTest::toString(
            QStringLiteral("User{%1, %2, %3, %4}").arg(u.id).arg(u.name).arg(u.score).arg(u.level));
}

// Waits for a future while the event loop runs, so queued signals keep flowing.
template<typename T>
bool waitFor(const QFuture<T> &future, int msecs = 20000)
{
    QElapsedTimer timer;
    timer.start();
    while (!future.isFinished()) {
        if (timer.elapsed() > msecs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QTest::qSleep(1);
    }
    // isFinished() reads the state without ordering (a relaxed load): what the
    // finishing thread wrote before it finished the future (a continuation's
    // side effects) is only seen after the future's mutex, which this takes.
    (void)future.resultCount();
    return true;
}

// Runs python3 -c code with the source tree's gobridge package on
// PYTHONPATH; returns its standard output, or sets *error (stderr, or why it
// did not run).
inline QByteArray runPython(const QString &code, QString *error)
{
    QProcess python;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(QGB_PYTHON_DIR));
    python.setProcessEnvironment(env);
    python.start(QStringLiteral("python3"), { QStringLiteral("-c"), code });
    if (!python.waitForFinished(30000) || python.exitCode() != 0) {
        *error = QString::fromUtf8(python.readAllStandardError()) + python.errorString();
        return QByteArray();
    }
    return python.readAllStandardOutput();
}

// The integer 1 inside `levels` lists, each the only element of the next.
inline QVariant nestedLists(int levels)
{
    QVariant v = qint64(1);
    for (int i = 0; i < levels; ++i)
        v = QVariantList { v };
    return v;
}

// Takes a value of nested lists apart from the outside in, leaving it
// invalid. Qt destroys a nested QVariant recursively, a frame or more a level:
// a test's own value of 50000 levels overflowed the stack of a
// ThreadSanitizer build (the library refuses such values at 201 levels).
inline void dismantleNested(QVariant *value)
{
    while (value->metaType() == QMetaType::fromType<QVariantList>()) {
        const QVariantList outer = value->toList(); // shares the outer list
        *value = outer.isEmpty() ? QVariant() : outer.first();
    } // each outer list goes with its element still referenced by *value
    *value = QVariant();
}

// The error a finished future failed with, or NoError.
template<typename T>
QGbError errorOf(const QFuture<T> &future)
{
    if (!waitFor(future))
        return QGbError(QGbError::NoError, QStringLiteral("timed out waiting"));
    try {
        QFuture<T> f = future;
        f.waitForFinished();
    } catch (const QGbException &e) {
        return e.error();
    }
    return QGbError();
}

// Returns the error string of a failed future, for QVERIFY2 messages.
inline QByteArray describe(const QGbError &error)
{
    return (QGbError::codeName(error.code()) + QStringLiteral(": ") + error.errorString()).toUtf8();
}

// Collects the "event: ..." lines poolworker.py writes on stderr.
class EventLog : public QObject
{
public:
    explicit EventLog(QGbPool *pool)
    {
        connect(pool, &QGbPool::workerOutput, this,
                [this](int, QProcess::ProcessChannel, const QByteArray &line) {
                    if (line.startsWith("event: "))
                        m_events.append(QString::fromUtf8(line.mid(7).trimmed()));
                });
    }
    int count(const QString &prefix) const
    {
        int n = 0;
        for (const QString &e : m_events)
            n += e.startsWith(prefix) ? 1 : 0;
        return n;
    }
    bool waitFor(const QString &prefix, int times = 1, int msecs = 20000)
    {
        QElapsedTimer timer;
        timer.start();
        while (count(prefix) < times) {
            if (timer.elapsed() > msecs)
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            QTest::qSleep(1);
        }
        return true;
    }
    QStringList events() const { return m_events; }

private:
    QStringList m_events;
};

#endif // QGBTESTHELPERS_H
