// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// examples/qml: Main.qml calls Python through the QML module GoBridge.
// --screenshot <file> grabs the window once it shows a result, an error and
// streamed rows, saves it to <file> and exits (scripts/screenshot-qml.sh).

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qtimer.h>
#include <QtGui/qguiapplication.h>
#include <QtGui/qimage.h>
#include <QtQml/qqmlapplicationengine.h>
#include <QtQuick/qquickwindow.h>

#include <cstdio>

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption screenshot(
            QStringLiteral("screenshot"),
            QStringLiteral("Save the window to <file> once rows have streamed, then exit."),
            QStringLiteral("file"));
    parser.addOption(screenshot);
    parser.process(app);

    QQmlApplicationEngine engine;
    // Qt 6.4 does not look in qrc:/qt/qml by itself (6.5 does).
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
#ifdef QGB_QML_IMPORT_DIR
    engine.addImportPath(QStringLiteral(QGB_QML_IMPORT_DIR));
#endif
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/GoBridgeExample/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return 1;

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        // Main.qml's showcase turns true once everything is on screen; a few
        // frames later the last rows are painted too.
        auto *poll = new QTimer(&app);
        QObject::connect(poll, &QTimer::timeout, &app, [poll, window, file, ready = 0]() mutable {
            ready = window->property("showcase").toBool() ? ready + 1 : 0;
            if (ready < 3)
                return;
            poll->stop();
            const QImage image = window->grabWindow();
            if (image.isNull() || !image.save(file)) {
                std::fprintf(stderr, "qmlexample: could not save %s\n", qPrintable(file));
                QCoreApplication::exit(1);
                return;
            }
            std::printf("qmlexample: saved %s (%dx%d)\n", qPrintable(file), image.width(),
                        image.height());
            QCoreApplication::exit(0);
        });
        poll->start(100);
        QTimer::singleShot(60000, &app, [&app] {
            std::fprintf(stderr, "qmlexample: the window did not show its rows within 60 s\n");
            app.exit(2);
        });
    }
    return app.exec();
}
