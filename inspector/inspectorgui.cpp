// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "inspectorgui.h"

#include "attachdialog.h"
#include "mainwindow.h"
#include "models/framesmodel.h"
#include "timelineview.h"

#include <QtCore/qcommandlineparser.h>
#include <QtCore/qtimer.h>
#include <QtGui/qpixmap.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qdockwidget.h>
#include <QtWidgets/qtableview.h>

#include <cstdio>

using namespace Qt::StringLiterals;

int runInspectorGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"gobridge-inspector"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Attaches to inspectable QGobridge pools (see "
                                     "docs/inspector.md)."_s);
    parser.addHelpOption();
    parser.addOption({ u"attach"_s, u"Open the window attached to this pool."_s, u"PID|NAME"_s });
    parser.addOption({ u"open"_s, u"Open a capture (JSON Lines)."_s, u"FILE"_s });
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

    MainWindow window;
    window.show();
    if (parser.isSet(raise)) {
        if (auto *dock = window.findChild<QDockWidget *>(parser.value(raise) + u"Dock"_s))
            dock->raise();
    }
    if (parser.isSet(u"attach"_s))
        window.attachTo(parser.value(u"attach"_s));
    else if (parser.isSet(u"open"_s))
        window.openCapture(parser.value(u"open"_s));
    else if (!parser.isSet(screenshot))
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
    return QApplication::exec();
}
