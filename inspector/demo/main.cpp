// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// gobridge-inspector-demo: an inspectable application to look at with
// gobridge-inspector (scripts/screenshot-inspector.sh uses it). Two workers
// get calls, streams, attachments, output lines and errors, a few times a
// second; with --kill-after MSECS a worker is killed (SIGKILL) once, in the
// middle of a slow call. With --load, it keeps 256 small calls in flight
// instead, as fast as the workers answer (tst_inspectorgui's load).
//
//   gobridge-inspector-demo [--kill-after MSECS] [--duration MSECS] [--load]

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qdir.h>
#include <QtCore/qtimer.h>

#include <QGbPool>

#include <signal.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("inspector-demo"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("kill-after"), QStringLiteral("Kill worker 0 after MSECS."),
                       QStringLiteral("MSECS") });
    parser.addOption({ QStringLiteral("duration"), QStringLiteral("Exit after MSECS."),
                       QStringLiteral("MSECS") });
    parser.addOption({ QStringLiteral("load"), QStringLiteral("Many small calls.") });
    parser.process(app);

    QGbPoolOptions options;
    options.setWorkers(2).setMaxConnections(2).setInspectable(true);
    options.setPackageDirectory(QStringLiteral(QGB_PYTHON_DIR));
    options.setStdout(nullptr).setStderr(nullptr);
    QGbPool pool(QDir(app.applicationDirPath()).filePath(QStringLiteral("worker.py")), options);

    QList<QFuture<int>> inFlight;
    int started = 0;
    QTimer load;
    QObject::connect(&load, &QTimer::timeout, [&] {
        inFlight.removeIf([](const QFuture<int> &f) { return f.isFinished(); });
        while (inFlight.size() < 256)
            inFlight.append(pool.call<int>("add", ++started, 1));
    });

    int tick = 0;
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&] {
        ++tick;
        pool.call<QVariantMap>("get_user", tick);
        pool.call<int>("validate", tick);
        if (tick % 3 == 0)
            pool.stream<QVariantMap>("search", QStringLiteral("qt"), 5);
        if (tick % 4 == 0)
            pool.call<QByteArray>("thumbnail", QByteArray(4096, char(tick)));
        if (tick % 5 == 0)
            pool.call<QVariant>("log", QStringLiteral("tick %1").arg(tick));
    });
    if (parser.isSet(QStringLiteral("load")))
        load.start(1);
    else
        timer.start(150);

    if (parser.isSet(QStringLiteral("kill-after"))) {
        QTimer::singleShot(parser.value(QStringLiteral("kill-after")).toInt(), &app, [&] {
            pool.call<double>("slow", 5.0);
            pool.call<double>("slow", 5.0);
            QTimer::singleShot(300, &app, [&] {
                const qint64 pid = pool.workerProcessIds().value(0);
                if (pid > 0)
                    ::kill(pid_t(pid), SIGKILL);
            });
        });
    }
    if (parser.isSet(QStringLiteral("duration")))
        QTimer::singleShot(parser.value(QStringLiteral("duration")).toInt(), &app,
                           &QCoreApplication::quit);
    return app.exec();
}
