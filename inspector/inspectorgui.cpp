// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "inspectorgui.h"

#include "attachdialog.h"
#include "launchpanel.h"
#include "mainwindow.h"
#include "models/framesmodel.h"
#include "models/functionsmodel.h"
#include "timelineview.h"

#include <QGbPool>

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qtimer.h>
#include <QtGui/qpixmap.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qdockwidget.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qtableview.h>

#include <chrono>
#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;

int runInspectorGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"gobridge-inspector"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Attaches to inspectable QGobridge pools, or launches a "
                                     "worker script and calls its functions (see "
                                     "docs/inspector.md)."_s);
    parser.addHelpOption();
    parser.addOption({ u"attach"_s, u"Open the window attached to this pool."_s, u"PID|NAME"_s });
    parser.addOption({ u"open"_s, u"Open a capture (JSON Lines)."_s, u"FILE"_s });
    parser.addOption({ u"python"_s,
                       u"With a script: the Python interpreter its workers run "
                       "(default: python3)."_s,
                       u"EXE"_s });
    parser.addOption(
            { u"workers"_s, u"With a script: how many workers (default: 1)."_s, u"N"_s, u"1"_s });
    parser.addPositionalArgument(u"script"_s,
                                 u"A Python worker script (worker.py) to launch: the window "
                                 "starts a pool of its own on it, shows the Launch panel "
                                 "(call its functions) and attaches to that pool."_s,
                                 u"[script.py [-- arguments...]]"_s);
    // The Launch panel's picture: call a function, then grab the panel.
    QCommandLineOption launchShot(u"screenshot-launch"_s,
                                  u"Save a picture of the Launch panel after --launch-call."_s,
                                  u"FILE"_s);
    launchShot.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption launchCall(u"launch-call"_s, u"Call this function once it is known."_s,
                                  u"NAME"_s);
    launchCall.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption launchArgs(u"launch-args"_s, u"The arguments of --launch-call."_s,
                                  u"JSON"_s);
    launchArgs.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption launchKeywords(u"launch-kwargs"_s,
                                      u"The keyword arguments of --launch-call."_s, u"JSON"_s);
    launchKeywords.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(launchShot);
    parser.addOption(launchCall);
    parser.addOption(launchArgs);
    parser.addOption(launchKeywords);
    QCommandLineOption screenshot(u"screenshot"_s, u"Save a picture of the window."_s, u"FILE"_s);
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption after(u"after"_s, u"Take the screenshot after MSECS."_s, u"MSECS"_s,
                             u"3000"_s);
    after.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption select(u"select-frame"_s, u"Select the frame of this row."_s, u"ROW"_s);
    select.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption raise(
            u"raise"_s, u"Bring this dock to the front (workers, timeline, stats)."_s, u"NAME"_s);
    raise.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption range(u"timeline-range"_s,
                             u"Show this time range (pool clock seconds) in the Timeline."_s,
                             u"FROM:TO"_s);
    range.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption dialogShot(u"screenshot-attach"_s, u"Save a picture of the attach dialog."_s,
                                  u"FILE"_s);
    dialogShot.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshot);
    parser.addOption(after);
    parser.addOption(select);
    parser.addOption(raise);
    parser.addOption(range);
    parser.addOption(dialogShot);
    parser.process(app);

    if (parser.isSet(dialogShot)) {
        auto *dialog = new AttachDialog;
        dialog->show();
        QTimer::singleShot(parser.value(after).toInt(), dialog, [dialog, &parser, &dialogShot] {
            const bool ok = dialog->grab().save(parser.value(dialogShot));
            std::fprintf(stderr, "gobridge-inspector: screenshot %s\n", ok ? "saved" : "failed");
            QApplication::exit(ok ? 0 : 1);
        });
        const int status = QApplication::exec();
        delete dialog;
        return status;
    }

    // Launch mode: a pool of this process, inspectable, and the window
    // attached to it through the side channel like to any other.
    std::unique_ptr<QGbPool> pool;
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty()) {
        QGbPoolOptions options;
        options.setInspectable(true);
        options.setWorkers(qMax(1, parser.value(u"workers"_s).toInt()));
        // A script that cannot start is reported at its first exit; the pool
        // gives up soon after, rather than retrying for a minute.
        options.setRestartLimit(3, std::chrono::seconds(30));
        if (parser.isSet(u"python"_s))
            options.setPythonExecutable(parser.value(u"python"_s));
        options.setScriptArguments(positional.mid(1));
        pool = std::make_unique<QGbPool>(positional.first(), options);
    }

    MainWindow window;
    LaunchPanel *panel = nullptr;
    if (pool) {
        panel = new LaunchPanel;
        panel->setPool(pool.get());
        window.addLaunchPanel(panel);
    }
    window.show();
    if (parser.isSet(raise)) {
        if (auto *dock = window.findChild<QDockWidget *>(parser.value(raise) + u"Dock"_s))
            dock->raise();
    }
    if (pool)
        window.attachTo(QString::number(QCoreApplication::applicationPid()));
    else if (parser.isSet(u"attach"_s))
        window.attachTo(parser.value(u"attach"_s));
    else if (parser.isSet(u"open"_s))
        window.openCapture(parser.value(u"open"_s));
    else if (!parser.isSet(screenshot) && !parser.isSet(launchShot))
        QTimer::singleShot(0, &window, [&window] {
            AttachDialog dialog(&window);
            if (dialog.exec() == QDialog::Accepted)
                window.attachToPool(dialog.selectedPool());
        });

    if (parser.isSet(screenshot)) {
        const int msecs = parser.value(after).toInt();
        if (parser.isSet(select)) {
            const int row = parser.value(select).toInt();
            QTimer::singleShot(qMax(0, msecs - 500), &window, [&window, row] {
                window.framesModel()->setPaused(true);
                window.framesView()->selectRow(row);
                window.framesView()->scrollTo(window.framesView()->currentIndex());
            });
        }
        if (parser.isSet(range)) {
            const QStringList fromTo = parser.value(range).split(u':');
            QTimer::singleShot(qMax(0, msecs - 300), &window, [&window, fromTo] {
                window.timelineView()->setVisibleRange(qint64(fromTo.value(0).toDouble() * 1e9),
                                                       qint64(fromTo.value(1).toDouble() * 1e9));
            });
        }
        QTimer::singleShot(msecs, &window, [&window, &parser, &screenshot] {
            const bool ok = window.grab().save(parser.value(screenshot));
            std::fprintf(stderr, "gobridge-inspector: screenshot %s: %s\n", ok ? "saved" : "failed",
                         qPrintable(window.statusText()));
            QApplication::exit(ok ? 0 : 1);
        });
    }
    if (panel && parser.isSet(launchCall)) {
        const QString name = parser.value(launchCall);
        const QString arguments = parser.value(launchArgs);
        const QString keywords = parser.value(launchKeywords);
        auto callOnce = [panel, name, arguments, keywords] {
            if (panel->outcome() != LaunchPanel::NoCall || !panel->selectFunction(name))
                return;
            if (!arguments.isEmpty())
                panel->argumentsEditor()->setPlainText(arguments);
            if (!keywords.isEmpty())
                panel->keywordArgumentsEditor()->setText(keywords);
            panel->call();
        };
        QObject::connect(panel->functionsModel(), &QAbstractItemModel::modelReset, panel, callOnce,
                         Qt::QueuedConnection);
        QTimer::singleShot(0, panel, callOnce);
    }
    if (panel && parser.isSet(launchShot)) {
        const QString file = parser.value(launchShot);
        auto save = [panel, file] {
            const bool ok = panel->grab().save(file);
            std::fprintf(stderr, "gobridge-inspector: screenshot %s: %s\n", ok ? "saved" : "failed",
                         qPrintable(panel->errorHeadline()));
            QApplication::exit(ok ? 0 : 1);
        };
        // After the call (and a moment for the other docks), or at --after.
        QObject::connect(panel, &LaunchPanel::callFinished, panel,
                         [panel, save] { QTimer::singleShot(1000, panel, save); });
        QObject::connect(panel, &LaunchPanel::poolStatusChanged, panel,
                         [panel, save](LaunchPanel::PoolStatus status) {
                             if (status == LaunchPanel::StartFailed)
                                 QTimer::singleShot(1500, panel, save);
                         });
        QTimer::singleShot(parser.value(after).toInt() + 10000, panel, save);
    }
    // The window (and the panel, which may hold a call) goes before the pool:
    // it was declared after it.
    return QApplication::exec();
}
