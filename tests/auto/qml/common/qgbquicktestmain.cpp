// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The runner of every Qt Quick Test suite under tests/auto/qml: it adds the
// build tree's QML import path (where GoBridge is), points the pools at the
// source tree's gobridge package, and gives the tests the worker script
// (workerScript) and a probe of the process (probe: its memory, a clock,
// whether an object still exists, whether it runs under sanitizers).

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qurl.h>
#include <QtQml/qqmlcontext.h>
#include <QtQml/qqmlengine.h>
#include <QtQuickTest/quicktest.h>

class Probe : public QObject
{
    Q_OBJECT
    // Built with sanitizers: memory and timing are theirs as much as ours
    // (AddressSanitizer's quarantine alone holds up to 256 MiB of freed memory).
    Q_PROPERTY(bool sanitized READ isSanitized CONSTANT)
public:
    explicit Probe(QObject *parent)
        : QObject(parent)
    {
        m_clock.start();
    }

    bool isSanitized() const { return QGB_SANITIZED; }

    // The resident set size of this process, in KiB (VmRSS in /proc/self/status).
    Q_INVOKABLE double rssKiB() const
    {
        QFile status(QStringLiteral("/proc/self/status"));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        const QList<QByteArray> lines = status.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').value(0).toDouble();
        }
        return -1;
    }

    // Milliseconds on a monotonic clock, with sub-millisecond precision.
    Q_INVOKABLE double now() const { return m_clock.nsecsElapsed() / 1e6; }

    // Watches object without keeping it alive (a QPointer, no JavaScript
    // reference): alive() tells whether it still exists.
    Q_INVOKABLE int watch(QObject *object)
    {
        m_watched.append(object);
        return int(m_watched.size()) - 1;
    }
    Q_INVOKABLE bool alive(int id) const { return !m_watched.value(id).isNull(); }

private:
    QElapsedTimer m_clock;
    QList<QPointer<QObject>> m_watched;
};

class Setup : public QObject
{
    Q_OBJECT
public:
    Setup()
    {
        // The pools import the gobridge package from the source tree.
        qputenv("QGOBRIDGE_PYTHON_DIR", QGB_PYTHON_DIR);
    }

public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral(QGB_QML_IMPORT_DIR));
        QQmlContext *context = engine->rootContext();
        context->setContextProperty(QStringLiteral("workerScript"),
                                    QUrl::fromLocalFile(QStringLiteral(QGB_QML_WORKER)));
        context->setContextProperty(QStringLiteral("probe"), new Probe(engine));
    }
};

int main(int argc, char **argv)
{
    QTEST_SET_MAIN_SOURCE_PATH
    Setup setup;
    return quick_test_main_with_setup(argc, argv, QGB_QUICK_TEST_NAME, QUICK_TEST_SOURCE_DIR,
                                      &setup);
}

#include "qgbquicktestmain.moc"
