// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef MAINWINDOW_H
#define MAINWINDOW_H

#include "qgbinspectorregistry.h"

#include "qgbinspectmessage_p.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfuturewatcher.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qtimer.h>
#include <QtWidgets/qmainwindow.h>

class CaptureStore;
class CallsModel;
class FrameDetailView;
class FramesFilterModel;
class FramesModel;
class LogsModel;
class StatsModel;
class StatsView;
class TimelineModel;
class TimelineView;
class WorkersModel;
class InspectorConnection;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QToolButton;

// gobridge-inspector's main window: the Frames view in the middle, Workers,
// Timeline, Stats, Calls, Logs and the selected frame's detail in docks, over
// one capture (a CaptureStore) that comes live from a pool or from a file.
// One "current call" links the views: clicking a call in the Timeline or
// selecting it in Calls selects it in both and filters Frames to it.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // What the window shows.
    enum Mode { Idle, Waiting, Replaying, Live, Closed, File };
    Q_ENUM(Mode)

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Attaches to the pool a pid, application name or script's file name
    // designates, as soon as the registry lists it, and again whenever a
    // new pool of that name appears after this one closed.
    void attachTo(const QString &pidOrName);
    // Attaches to this pool (and follows its application name, as above).
    void attachToPool(const QGbInspectorPoolEntry &pool);
    // Stops following and closes the connection; the capture stays.
    void detach();
    // Loads a JSON Lines capture (--record or Save) in the background.
    void openCapture(const QString &path);
    // Writes the capture as JSON Lines; false and *error on failure.
    bool saveCapture(const QString &path, QString *error = nullptr);
    // Shows panel (the Launch panel of a pool this process started) in a
    // dock on the left, the window's full height.
    void addLaunchPanel(QWidget *panel);

    Mode mode() const;
    CaptureStore *store() const;
    WorkersModel *workersModel() const;
    CallsModel *callsModel() const;
    FramesModel *framesModel() const;
    FramesFilterModel *framesFilter() const;
    LogsModel *logsModel() const;
    QTableView *framesView() const;
    QTableView *callsView() const;
    FrameDetailView *detailView() const;
    TimelineModel *timelineModel() const;
    TimelineView *timelineView() const;
    StatsModel *statsModel() const;
    StatsView *statsView() const;
    QString statusText() const;

    // The call selected in Calls and Timeline, whose frames Frames shows; 0 for none.
    qint64 currentCall() const;
    // The call with this id on the connection link (the pool's number for
    // it; 0: the latest with this id).
    void setCurrentCall(qint64 id, qint64 link = 0);

Q_SIGNALS:
    void modeChanged(MainWindow::Mode mode);
    void currentCallChanged(qint64 id);
    // A capture file was read into the models, or could not be (error).
    void captureOpened(const QString &error);

private:
    void setMode(Mode mode);
    void pollRegistry();
    void connectClient();
    void updateStatus();
    void showAttachDialog();
    void feedLoaded(quint64 load);
    void cancelLoad();
    void createFramesPane();
    void createDocks();
    void createMenus();

    CaptureStore *m_store;
    WorkersModel *m_workers;
    CallsModel *m_calls;
    FramesModel *m_frames;
    FramesFilterModel *m_framesFilter;
    LogsModel *m_logs;
    QSortFilterProxyModel *m_logsFilter;
    TimelineModel *m_timeline;
    StatsModel *m_stats;
    InspectorConnection *m_client = nullptr;

    QTableView *m_framesView = nullptr;
    QTableView *m_callsView = nullptr;
    QTableView *m_workersView = nullptr;
    QTableView *m_logsView = nullptr;
    FrameDetailView *m_detail = nullptr;
    TimelineView *m_timelineView = nullptr;
    StatsView *m_statsView = nullptr;
    QComboBox *m_direction = nullptr;
    QComboBox *m_workerFilter = nullptr;
    QLineEdit *m_callFilter = nullptr;
    QLineEdit *m_typeFilter = nullptr;
    QLineEdit *m_textFilter = nullptr;
    QComboBox *m_logsWorker = nullptr;
    QLabel *m_appLabel = nullptr;
    QLabel *m_modeLabel = nullptr;
    QLabel *m_eventsLabel = nullptr;
    QLabel *m_droppedLabel = nullptr;
    QLabel *m_rowsLabel = nullptr;

    Mode m_mode = Idle;
    qint64 m_currentCall = 0;
    qint64 m_currentLink = 0;
    bool m_follow = true;
    QString m_target;    // what attachTo() follows
    QString m_lastEntry; // the registry entry of the pool attached last
    QString m_appName;
    QString m_fileName;
    QString m_lastError; // why the connection closed
    QTimer m_pollTimer;
    QTimer m_statusTimer;
    QElapsedTimer m_sinceAttach;
    qint64 m_clockAtAttach = 0;
    QFutureWatcher<QList<QGbInspectorPoolEntry>> m_registryWatcher;
    struct Loaded
    {
        QJsonObject hello;
        QList<QGbInspect::Message> messages;
        QString error;
    };
    QFutureWatcher<Loaded> m_loadWatcher;
    Loaded m_loaded;
    qsizetype m_loadedAt = 0;
    // The capture being read or fed to the models (0: none). Attaching
    // abandons it: a file that was still loading must not go into a live
    // session's models.
    quint64 m_load = 0;
    quint64 m_lastLoad = 0;
};

#endif // MAINWINDOW_H
