// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// gobridge-inspector, the command line (docs/inspector.md):
//   gobridge-inspector --list
//   gobridge-inspector --attach PID|NAME --record FILE [--duration SECS]
// and, without --list or --record, the window (inspectorgui.cpp):
//   gobridge-inspector [--attach PID|NAME | --open FILE]
//   gobridge-inspector worker.py [--python EXE] [--workers N] [-- ARGS...]  (Launch)

#include "inspectorgui.h"
#include "qgbinspectorclient.h"
#include "qgbinspectorregistry.h"

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qsocketnotifier.h>
#include <QtCore/qtextstream.h>
#include <QtCore/qtimer.h>

#include <csignal>
#include <cstdio>

#include <unistd.h>

namespace {

int listPools()
{
    QTextStream out(stdout);
    const QList<QGbInspectorPoolEntry> pools = QGbInspectorRegistry::pools();
    if (pools.isEmpty()) {
        out << "No inspectable pool in " << QGbInspectorRegistry::directory() << "\n";
        return 0;
    }
    out << qSetFieldWidth(8) << Qt::left << "PID" << qSetFieldWidth(20) << "APP"
        << qSetFieldWidth(8) << "WORKERS" << qSetFieldWidth(26) << "STARTED" << qSetFieldWidth(0)
        << "SCRIPT\n";
    for (const QGbInspectorPoolEntry &pool : pools) {
        out << qSetFieldWidth(8) << pool.pid << qSetFieldWidth(20)
            << (pool.app.isEmpty() ? QStringLiteral("-") : pool.app) << qSetFieldWidth(8)
            << pool.workers << qSetFieldWidth(26) << pool.startedAt.toString(Qt::ISODateWithMs)
            << qSetFieldWidth(0) << pool.script;
        if (pool.protocol != QGbInspectorClient::protocolVersion())
            out << "  (inspector protocol " << pool.protocol << ", this inspector reads "
                << QGbInspectorClient::protocolVersion() << ")";
        out << "\n";
    }
    return 0;
}

int record(const QString &target, const QString &fileName, double seconds)
{
    QTextStream err(stderr);
    QGbInspectorPoolEntry entry;
    QString error;
    if (!QGbInspectorRegistry::find(target, &entry, &error)) {
        err << "gobridge-inspector: " << error << "\n";
        return 1;
    }
    QFile file(fileName);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        err << "gobridge-inspector: cannot write " << fileName << ": " << file.errorString()
            << "\n";
        return 1;
    }
    // What was received reaches the file within 100 ms (a reader may follow it).
    QTimer flusher;
    QObject::connect(&flusher, &QTimer::timeout, [&file] { file.flush(); });
    flusher.start(100);
    QGbInspectorClient client;
    qint64 messages = 0;
    int status = 0;
    QString endReason = QStringLiteral("interrupted");
    auto finish = [&](int code, const QString &reason) {
        status = code;
        endReason = reason;
        QCoreApplication::exit(code);
    };
    QObject::connect(&client, &QGbInspectorClient::attached, [&](const QJsonObject &hello) {
        file.write(QJsonDocument(hello).toJson(QJsonDocument::Compact) + '\n');
        if (seconds > 0)
            QTimer::singleShot(qint64(seconds * 1000),
                               [&] { finish(0, QStringLiteral("duration")); });
    });
    QObject::connect(&client, &QGbInspectorClient::messageReceived,
                     [&](const QGbInspect::Message &message) {
                         ++messages;
                         file.write(message.line());
                         file.write("\n", 1);
                     });
    QObject::connect(&client, &QGbInspectorClient::errorOccurred, [&](const QString &why) {
        err << "gobridge-inspector: " << why << "\n";
        err.flush();
        finish(1, why);
    });
    QObject::connect(&client, &QGbInspectorClient::closed, [&] {
        if (client.errorString().isEmpty())
            finish(0, QStringLiteral("the pool closed"));
    });
    client.connectToPool(entry.socketPath);
    QCoreApplication::exec();

    QJsonObject end;
    end.insert(u"type", QStringLiteral("end"));
    end.insert(u"reason", endReason);
    end.insert(u"messages", messages);
    end.insert(u"dropped", client.droppedEvents());
    file.write(QJsonDocument(end).toJson(QJsonDocument::Compact) + '\n');
    file.close();
    return status;
}

} // namespace

int main(int argc, char **argv)
{
    // The command line runs without a QApplication; anything else opens the window.
    bool headless = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        headless = headless || arg == "--list" || arg.startsWith("--record") || arg == "--help"
                || arg == "-h";
    }
    if (!headless)
        return runInspectorGui(argc, argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("gobridge-inspector"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
            QStringLiteral("Attaches to inspectable QGobridge pools, or launches a worker script "
                           "and calls its functions (see docs/inspector.md)."));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("list"), QStringLiteral("List the inspectable pools.") });
    parser.addOption({ QStringLiteral("attach"),
                       QStringLiteral("The pool to attach to: its pid, application name or "
                                      "script file name."),
                       QStringLiteral("PID|NAME") });
    parser.addOption({ QStringLiteral("record"),
                       QStringLiteral("Write what the pool sends to FILE (JSON Lines)."),
                       QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("duration"),
                       QStringLiteral("Record for SECS seconds (default: until the pool "
                                      "closes or the inspector is interrupted)."),
                       QStringLiteral("SECS") });
    // The window's options, for --help (inspectorgui.cpp reads them).
    parser.addOption({ QStringLiteral("open"),
                       QStringLiteral("The window: open a capture (JSON Lines)."),
                       QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("python"),
                       QStringLiteral("Launch: the Python interpreter of the script's "
                                      "workers (default: python3)."),
                       QStringLiteral("EXE") });
    parser.addOption({ QStringLiteral("workers"),
                       QStringLiteral("Launch: how many workers (default: 1)."),
                       QStringLiteral("N") });
    parser.addPositionalArgument(
            QStringLiteral("script"),
            QStringLiteral("Launch: a Python worker script. The window starts a pool of its "
                           "own on it (inspectable), shows the Launch panel, where its "
                           "functions can be called, and attaches to that pool. Arguments "
                           "after -- go to the script."),
            QStringLiteral("[script.py [-- ARGS...]]"));
    parser.process(app);

    if (parser.isSet(QStringLiteral("list")))
        return listPools();
    if (parser.isSet(QStringLiteral("attach")) && parser.isSet(QStringLiteral("record"))) {
        double seconds = 0;
        if (parser.isSet(QStringLiteral("duration"))) {
            bool ok = false;
            seconds = parser.value(QStringLiteral("duration")).toDouble(&ok);
            if (!ok || seconds <= 0) {
                std::fprintf(stderr, "gobridge-inspector: --duration takes a positive number\n");
                return 2;
            }
        }
        // SIGINT and SIGTERM end a recording normally.
        static int pipeFds[2];
        if (::pipe(pipeFds) == 0) {
            auto *notifier = new QSocketNotifier(pipeFds[0], QSocketNotifier::Read, &app);
            QObject::connect(notifier, &QSocketNotifier::activated,
                             [] { QCoreApplication::exit(0); });
            auto handler = [](int) { [[maybe_unused]] auto n = ::write(pipeFds[1], "x", 1); };
            std::signal(SIGINT, handler);
            std::signal(SIGTERM, handler);
        }
        return record(parser.value(QStringLiteral("attach")),
                      parser.value(QStringLiteral("record")), seconds);
    }
    std::fprintf(stderr,
                 "usage: gobridge-inspector --list\n"
                 "       gobridge-inspector --attach PID|NAME --record FILE "
                 "[--duration SECS]\n"
                 "       gobridge-inspector [--attach PID|NAME | --open FILE]  (the window)\n"
                 "       gobridge-inspector script.py [--python EXE] [--workers N] "
                 "[-- ARGS...]  (Launch)\n");
    return 2;
}
