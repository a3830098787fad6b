// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The runner of every Qt Quick Test suite under tests/auto/qml: it adds the
// build tree's QML import path (where GoBridge is), points the pools at the
// source tree's gobridge package, and gives the tests the worker script
// (workerScript), a probe of the process (probe: its memory, a clock,
// whether an object still exists, whether it runs under sanitizers) and
// served workers for remote pools (served: `python3 -m gobridge serve`).

#include "qgbtestcerts.h"

#include <QGbPool>
#include <QGbQmlPool>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtCore/qprocess.h>
#include <QtCore/qrandom.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
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

    // The remote resolve interval of the QGbPool a GbPool runs now, in
    // milliseconds (what its property made of it), or -1 without one.
    Q_INVOKABLE int resolveIntervalOf(QObject *gbPool) const
    {
        const auto *pool = qobject_cast<QGbQmlPool *>(gbPool);
        if (!pool || !pool->pool())
            return -1;
        return int(pool->pool()->options().remoteResolveInterval().count());
    }

private:
    QElapsedTimer m_clock;
    QList<QPointer<QObject>> m_watched;
};

// Served workers for the remote pool tests: `python3 -m gobridge serve` of the
// tests' worker on 127.0.0.1, on a free port, with this run's token and
// certificates; stopped when the engine goes.
class ServedWorkers : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString token READ token CONSTANT)
    // The directory of the certificates (ca.pem, client.pem, client.key, ...),
    // with a final slash; made by the first TLS start().
    Q_PROPERTY(QUrl certificates READ certificates CONSTANT)
public:
    explicit ServedWorkers(QObject *parent)
        : QObject(parent)
        , m_token(QString::number(QRandomGenerator::global()->generate64(), 16))
    {
        QFile file(m_dir.filePath(QStringLiteral("token")));
        if (file.open(QIODevice::WriteOnly))
            file.write(m_token.toUtf8() + '\n');
    }
    ~ServedWorkers() override
    {
        for (QProcess *process : std::as_const(m_processes)) {
            process->kill();
            process->waitForFinished(10000);
        }
    }

    QString token() const { return m_token; }
    QUrl certificates() const { return QUrl::fromLocalFile(m_dir.path() + QStringLiteral("/")); }

    // Starts a served worker: "plain" (--insecure), "tls", or "mtls" (TLS that
    // wants a client certificate the CA signed). Returns its URL, or "" if it
    // did not start (why is printed).
    Q_INVOKABLE QString start(const QString &mode)
    {
        const bool tls = mode != QLatin1String("plain");
        if (tls && !m_haveCertificates) {
            QString why;
            if (!makeTestCertificates(m_dir.path(), &why)) {
                qWarning("served: %s", qPrintable(why));
                return QString();
            }
            m_haveCertificates = true;
        }
        auto *process = new QProcess(this);
        m_processes.append(process);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(QGB_PYTHON_DIR));
        process->setProcessEnvironment(env);
        QStringList args {
            QStringLiteral("-m"),           QStringLiteral("gobridge"),
            QStringLiteral("serve"),        QStringLiteral(QGB_QML_WORKER),
            QStringLiteral("--listen"),     QStringLiteral("127.0.0.1:0"),
            QStringLiteral("--token-file"), m_dir.filePath(QStringLiteral("token"))
        };
        if (!tls)
            args << QStringLiteral("--insecure");
        else
            args << QStringLiteral("--tls-cert") << m_dir.filePath(QStringLiteral("server.pem"))
                 << QStringLiteral("--tls-key") << m_dir.filePath(QStringLiteral("server.key"));
        if (mode == QLatin1String("mtls"))
            args << QStringLiteral("--tls-client-ca") << m_dir.filePath(QStringLiteral("ca.pem"));
        process->start(QStringLiteral("python3"), args);
        // "gobridge: serving <script> on 127.0.0.1:<port> (...)" on stderr.
        static const QRegularExpression serving(
                QStringLiteral("serving .* on 127\\.0\\.0\\.1:(\\d+)"));
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000 && process->state() != QProcess::NotRunning) {
            process->waitForReadyRead(100);
            err += process->readAllStandardError();
            const QRegularExpressionMatch match = serving.match(QString::fromUtf8(err));
            if (match.hasMatch())
                return QStringLiteral("%1://127.0.0.1:%2")
                        .arg(tls ? QStringLiteral("gobridges") : QStringLiteral("gobridge"),
                             match.captured(1));
        }
        qWarning("served: the worker did not start: %s", err.constData());
        return QString();
    }

private:
    QTemporaryDir m_dir;
    QString m_token;
    bool m_haveCertificates = false;
    QList<QProcess *> m_processes;
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
        context->setContextProperty(QStringLiteral("served"), new ServedWorkers(engine));
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
