// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "mainwindow.h"

#include "attachdialog.h"
#include "framedetailview.h"
#include "inspectorconnection.h"
#include "models/callsmodel.h"
#include "models/capturestore.h"
#include "models/framesfiltermodel.h"
#include "models/framesmodel.h"
#include "models/logsmodel.h"
#include "models/poolsmodel.h"
#include "models/statsmodel.h"
#include "models/timelinemodel.h"
#include "models/workersmodel.h"
#include "statsview.h"
#include "timelineview.h"

#include <QtConcurrent/qtconcurrentrun.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qsavefile.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qcombobox.h>
#include <QtWidgets/qdockwidget.h>
#include <QtWidgets/qfiledialog.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qmenubar.h>
#include <QtWidgets/qmessagebox.h>
#include <QtWidgets/qscrollbar.h>
#include <QtWidgets/qstatusbar.h>
#include <QtWidgets/qtableview.h>
#include <QtWidgets/qtoolbutton.h>

using namespace Qt::StringLiterals;

namespace {
// Loaded files feed the models this many messages per event-loop turn.
constexpr qsizetype LoadChunk = 5000;

QTableView *makeTable(QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setWordWrap(false);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 4);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_store(new CaptureStore(this))
    , m_workers(new WorkersModel(this))
    , m_calls(new CallsModel(this))
    , m_frames(new FramesModel(this))
    , m_framesFilter(new FramesFilterModel(this))
    , m_logs(new LogsModel(this))
    , m_logsFilter(new QSortFilterProxyModel(this))
    , m_timeline(new TimelineModel(this))
    , m_stats(new StatsModel(this))
{
    setWindowTitle(tr("gobridge-inspector"));
    m_framesFilter->setSourceModel(m_frames);
    m_logsFilter->setSourceModel(m_logs);
    m_logsFilter->setFilterKeyColumn(LogsModel::Worker);

    connect(m_store, &CaptureStore::started, this, [this](const QJsonObject &hello) {
        m_workers->reset(hello.value(u"workers").toInt());
        m_calls->clear();
        m_frames->clear();
        m_logs->clear();
        m_timeline->reset(hello.value(u"workers").toInt());
        m_stats->reset();
        m_currentCall = 0;
        m_currentLink = 0;
        m_detail->setFrame(QJsonObject());
        const int workers = hello.value(u"workers").toInt();
        m_workerFilter->clear();
        m_logsWorker->clear();
        m_workerFilter->addItem(tr("all workers"), -1);
        m_logsWorker->addItem(tr("all workers"), -1);
        for (int i = 0; i < workers && i < 256; ++i) {
            m_workerFilter->addItem(tr("worker %1").arg(i), i);
            m_logsWorker->addItem(tr("worker %1").arg(i), i);
        }
    });
    connect(m_store, &CaptureStore::eventsArrived, this,
            [this](const QList<QGbInspect::Message> &batch) {
                m_workers->addEvents(batch);
                m_calls->addEvents(batch);
                m_frames->addEvents(batch);
                m_logs->addEvents(batch);
                m_timeline->addEvents(batch);
                m_stats->addEvents(batch);
            });

    createFramesPane();
    createDocks();
    createMenus();

    m_appLabel = new QLabel(tr("not attached"), this);
    m_modeLabel = new QLabel(this);
    m_eventsLabel = new QLabel(this);
    m_droppedLabel = new QLabel(this);
    m_rowsLabel = new QLabel(this);
    statusBar()->addWidget(m_appLabel);
    statusBar()->addWidget(m_modeLabel);
    statusBar()->addPermanentWidget(m_rowsLabel);
    statusBar()->addPermanentWidget(m_eventsLabel);
    statusBar()->addPermanentWidget(m_droppedLabel);

    m_pollTimer.setInterval(500);
    connect(&m_pollTimer, &QTimer::timeout, this, &MainWindow::pollRegistry);
    connect(&m_registryWatcher, &QFutureWatcher<QList<QGbInspectorPoolEntry>>::finished, this,
            [this] {
                if (m_mode != Waiting && m_mode != Closed)
                    return;
                bool isPid = false;
                const qint64 pid = m_target.toLongLong(&isPid);
                for (const QGbInspectorPoolEntry &pool : m_registryWatcher.result()) {
                    const bool matches = isPid ? pool.pid == pid
                                               : (pool.app == m_target
                                                  || QFileInfo(pool.script).fileName() == m_target);
                    if (matches && pool.entryPath != m_lastEntry
                        && PoolsModel::incompatibility(pool).isEmpty()) {
                        const QString target = m_target;
                        attachToPool(pool);
                        if (!isPid)
                            m_target = target;
                        return;
                    }
                }
            });
    connect(&m_loadWatcher, &QFutureWatcher<Loaded>::finished, this, [this] {
        if (m_load == 0)
            return; // abandoned: the window attached meanwhile
        m_loaded = m_loadWatcher.result();
        if (!m_loaded.error.isEmpty()) {
            m_load = 0;
            setMode(Idle);
            emit captureOpened(m_loaded.error);
            return;
        }
        m_store->start(m_loaded.hello);
        m_loadedAt = 0;
        feedLoaded(m_load);
    });

    // The status bar and the workers' uptime, four times a second.
    connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_statusTimer.start(250);
    resize(1280, 800);
    updateStatus();
}

MainWindow::~MainWindow()
{
    m_registryWatcher.waitForFinished();
    m_loadWatcher.waitForFinished();
    if (m_client)
        m_client->disconnect(this);
}

void MainWindow::createFramesPane()
{
    auto *pane = new QWidget(this);
    m_framesView = makeTable(pane);
    m_framesView->setModel(m_framesFilter);
    m_framesView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    const int widths[] = { 70, 90, 60, 55, 50, 60, 110, 60, 100 };
    for (int i = 0; i < int(std::size(widths)); ++i)
        m_framesView->setColumnWidth(i, widths[i]);

    m_direction = new QComboBox(pane);
    m_direction->addItem(tr("both ways"), QString());
    m_direction->addItem(tr("→ out (to worker)"), u"out"_s);
    m_direction->addItem(tr("← in (from worker)"), u"in"_s);
    m_workerFilter = new QComboBox(pane);
    m_workerFilter->addItem(tr("all workers"), -1);
    m_callFilter = new QLineEdit(pane);
    m_callFilter->setPlaceholderText(tr("call: id or conn:id"));
    m_callFilter->setToolTip(tr("Call ids are per connection: \"7\" shows the calls with id 7 on "
                                "any connection, \"3:7\" the one on connection 3"));
    m_callFilter->setClearButtonEnabled(true);
    m_callFilter->setMaximumWidth(110);
    m_typeFilter = new QLineEdit(pane);
    m_typeFilter->setPlaceholderText(tr("message type"));
    m_typeFilter->setClearButtonEnabled(true);
    m_typeFilter->setMaximumWidth(130);
    m_textFilter = new QLineEdit(pane);
    m_textFilter->setPlaceholderText(tr("regular expression in the preview"));
    m_textFilter->setClearButtonEnabled(true);
    auto *pause = new QToolButton(pane);
    pause->setText(tr("Pause"));
    pause->setCheckable(true);
    pause->setObjectName(u"pause"_s);
    auto *clear = new QToolButton(pane);
    clear->setText(tr("Clear"));
    clear->setObjectName(u"clear"_s);

    connect(m_direction, &QComboBox::currentIndexChanged, this,
            [this] { m_framesFilter->setDirection(m_direction->currentData().toString()); });
    connect(m_workerFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_framesFilter->setWorker(m_workerFilter->currentData().isValid()
                                          ? m_workerFilter->currentData().toInt()
                                          : -1);
    });
    connect(m_callFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        // "id" or "link:id".
        const QStringList parts = text.trimmed().split(u':');
        if (parts.size() == 2)
            m_framesFilter->setCall(parts.at(1).toLongLong(), parts.at(0).toLongLong());
        else
            m_framesFilter->setCall(parts.at(0).toLongLong());
    });
    connect(m_typeFilter, &QLineEdit::textChanged, m_framesFilter,
            &FramesFilterModel::setMessageType);
    connect(m_textFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_framesFilter->setText(text);
        QPalette palette = m_textFilter->palette();
        palette.setColor(QPalette::Text,
                         QRegularExpression(text).isValid() ? QColor(Qt::black) : QColor(Qt::red));
        m_textFilter->setPalette(palette);
    });
    connect(pause, &QToolButton::toggled, m_frames, &FramesModel::setPaused);
    connect(clear, &QToolButton::clicked, m_frames, &FramesModel::clear);

    // Follow the bottom only while the view is at the bottom.
    connect(m_framesFilter, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_framesView->verticalScrollBar();
        m_follow = bar->value() >= bar->maximum();
    });
    connect(m_framesFilter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow)
            m_framesView->scrollToBottom();
    });
    connect(m_framesView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_detail->setFrame(current.isValid()
                                           ? current.data(FramesModel::EventRole).toJsonObject()
                                           : QJsonObject());
            });

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Frames:"), pane));
    filters->addWidget(m_direction);
    filters->addWidget(m_workerFilter);
    filters->addWidget(m_callFilter);
    filters->addWidget(m_typeFilter);
    filters->addWidget(m_textFilter, 1);
    filters->addWidget(pause);
    filters->addWidget(clear);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addLayout(filters);
    layout->addWidget(m_framesView);
    setCentralWidget(pane);
}

void MainWindow::createDocks()
{
    setDockNestingEnabled(true);
    m_workersView = makeTable(this);
    m_workersView->setModel(m_workers);
    m_workersView->setObjectName(u"workers"_s);
    auto *workersDock = new QDockWidget(tr("Workers"), this);
    workersDock->setObjectName(u"workersDock"_s);
    workersDock->setWidget(m_workersView);
    addDockWidget(Qt::TopDockWidgetArea, workersDock);

    m_callsView = makeTable(this);
    m_callsView->setModel(m_calls);
    m_callsView->setObjectName(u"calls"_s);
    auto *callsDock = new QDockWidget(tr("Calls"), this);
    callsDock->setObjectName(u"callsDock"_s);
    callsDock->setWidget(m_callsView);
    addDockWidget(Qt::BottomDockWidgetArea, callsDock);
    // Selecting a call makes it the current call: its frames, its span.
    connect(m_callsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    setCurrentCall(current.data(CallsModel::CallIdRole).toLongLong(),
                                   current.data(CallsModel::LinkRole).toLongLong());
            });
    connect(m_calls, &QAbstractItemModel::rowsInserted, this, [this] {
        const QScrollBar *bar = m_callsView->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 1)
            m_callsView->scrollToBottom();
    });

    auto *logsPane = new QWidget(this);
    m_logsView = makeTable(logsPane);
    m_logsView->setModel(m_logsFilter);
    m_logsWorker = new QComboBox(logsPane);
    m_logsWorker->addItem(tr("all workers"), -1);
    connect(m_logsWorker, &QComboBox::currentIndexChanged, this, [this] {
        const int worker =
                m_logsWorker->currentData().isValid() ? m_logsWorker->currentData().toInt() : -1;
        m_logsFilter->setFilterRegularExpression(worker < 0 ? QString() : u"^%1$"_s.arg(worker));
    });
    auto *logsLayout = new QVBoxLayout(logsPane);
    logsLayout->setContentsMargins(0, 0, 0, 0);
    logsLayout->addWidget(m_logsWorker);
    logsLayout->addWidget(m_logsView);
    auto *logsDock = new QDockWidget(tr("Logs"), this);
    logsDock->setObjectName(u"logsDock"_s);
    logsDock->setWidget(logsPane);
    addDockWidget(Qt::BottomDockWidgetArea, logsDock);
    tabifyDockWidget(callsDock, logsDock);
    callsDock->raise();

    // The Timeline and Stats: tabs beside Workers, the Timeline in front.
    m_timelineView = new TimelineView(m_timeline, this);
    m_timelineView->setObjectName(u"timeline"_s);
    auto *timelineDock = new QDockWidget(tr("Timeline"), this);
    timelineDock->setObjectName(u"timelineDock"_s);
    timelineDock->setWidget(m_timelineView);
    addDockWidget(Qt::TopDockWidgetArea, timelineDock);
    tabifyDockWidget(workersDock, timelineDock);
    connect(m_timelineView, &TimelineView::callClicked, this, &MainWindow::setCurrentCall);

    m_statsView = new StatsView(m_stats, this);
    m_statsView->setObjectName(u"stats"_s);
    auto *statsDock = new QDockWidget(tr("Stats"), this);
    statsDock->setObjectName(u"statsDock"_s);
    statsDock->setWidget(m_statsView);
    addDockWidget(Qt::TopDockWidgetArea, statsDock);
    tabifyDockWidget(timelineDock, statsDock);
    timelineDock->raise();

    m_detail = new FrameDetailView(this);
    auto *detailDock = new QDockWidget(tr("Frame"), this);
    detailDock->setObjectName(u"detailDock"_s);
    detailDock->setWidget(m_detail);
    addDockWidget(Qt::RightDockWidgetArea, detailDock);
    // Once laid out: the top tabs (Workers, Timeline, Stats), the calls, the frame's detail.
    QTimer::singleShot(0, this, [this, workersDock, callsDock, detailDock] {
        resizeDocks({ workersDock, callsDock }, { 230, 200 }, Qt::Vertical);
        resizeDocks({ detailDock }, { 440 }, Qt::Horizontal);
    });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Attach..."), QKeySequence(u"Ctrl+A"_s), this,
                    &MainWindow::showAttachDialog);
    file->addAction(tr("&Detach"), this, &MainWindow::detach);
    file->addSeparator();
    file->addAction(tr("&Open capture..."), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open capture"), QString(),
                                                          tr("Captures (*.jsonl *.json);;All (*)"));
        if (!path.isEmpty())
            openCapture(path);
    });
    file->addAction(tr("&Save capture..."), QKeySequence::Save, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
                this, tr("Save capture"), u"capture.jsonl"_s, tr("Captures (*.jsonl)"));
        QString error;
        if (!path.isEmpty() && !saveCapture(path, &error))
            QMessageBox::warning(this, tr("Save capture"), error);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());
    connect(this, &MainWindow::captureOpened, this, [this](const QString &error) {
        if (!error.isEmpty() && isVisible())
            QMessageBox::warning(this, tr("Open capture"), error);
    });
}

void MainWindow::addLaunchPanel(QWidget *panel)
{
    auto *dock = new QDockWidget(tr("Launch"), this);
    dock->setObjectName(u"launchDock"_s);
    dock->setWidget(panel);
    setCorner(Qt::TopLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    for (QMenu *menu : menuBar()->findChildren<QMenu *>()) {
        if (menu->title() == tr("&View"))
            menu->addAction(dock->toggleViewAction());
    }
    resize(qMax(width(), 1600), qMax(height(), 900));
    QTimer::singleShot(0, this, [this, dock] { resizeDocks({ dock }, { 760 }, Qt::Horizontal); });
}

void MainWindow::showAttachDialog()
{
    AttachDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        attachToPool(dialog.selectedPool());
}

void MainWindow::attachTo(const QString &pidOrName)
{
    detach();
    cancelLoad();
    m_target = pidOrName;
    m_lastEntry.clear();
    m_appName = pidOrName;
    setMode(Waiting);
    m_pollTimer.start();
    pollRegistry();
}

void MainWindow::attachToPool(const QGbInspectorPoolEntry &pool)
{
    cancelLoad();
    if (m_client) {
        m_client->disconnect(this);
        m_client->deleteLater();
        m_client = nullptr;
    }
    m_pollTimer.stop();
    m_lastError.clear();
    m_target = pool.app.isEmpty() ? QString::number(pool.pid) : pool.app;
    m_lastEntry = pool.entryPath;
    m_appName =
            u"%1 (pid %2)"_s.arg(pool.app.isEmpty() ? QFileInfo(pool.script).fileName() : pool.app)
                    .arg(pool.pid);
    m_fileName.clear();
    m_client = new InspectorConnection(this);
    connectClient();
    setMode(Waiting);
    m_client->connectToPool(pool.socketPath);
}

void MainWindow::connectClient()
{
    InspectorConnection *client = m_client;
    connect(client, &InspectorConnection::attached, this, [this](const QJsonObject &hello) {
        m_sinceAttach.start();
        m_clockAtAttach = hello.value(u"clock").toInteger();
        m_store->start(hello);
        m_timelineView->setLive(m_clockAtAttach);
        m_statsView->setLive(m_clockAtAttach);
        setMode(Replaying);
    });
    connect(client, &InspectorConnection::messagesReceived, this,
            [this](const QList<InspectorConnection::Message> &messages) {
                bool live = false;
                for (const InspectorConnection::Message &m : messages) {
                    m_store->append(m);
                    live = live || m.type() == "live"_L1;
                }
                if (live)
                    setMode(Live);
            });
    connect(client, &InspectorConnection::closed, this, [this, client](const QString &error) {
        m_store->flush();
        if (client != m_client)
            return;
        m_timelineView->setStopped(m_store->lastEventTime());
        m_statsView->setStopped(m_store->lastEventTime());
        m_client->deleteLater();
        m_client = nullptr;
        m_lastError = error;
        setMode(Closed);
        // Re-attach when an application of that name comes back.
        if (!m_target.isEmpty())
            m_pollTimer.start();
    });
}

void MainWindow::detach()
{
    m_target.clear();
    m_pollTimer.stop();
    if (m_client) {
        m_client->disconnect(this);
        m_client->deleteLater();
        m_client = nullptr;
        m_store->flush();
        m_timelineView->setStopped(m_store->lastEventTime());
        m_statsView->setStopped(m_store->lastEventTime());
        setMode(Closed);
    }
}

void MainWindow::pollRegistry()
{
    if (m_registryWatcher.isRunning())
        return;
    m_registryWatcher.setFuture(QtConcurrent::run([] { return QGbInspectorRegistry::pools(); }));
}

void MainWindow::openCapture(const QString &path)
{
    detach();
    cancelLoad();
    m_load = ++m_lastLoad;
    m_appName.clear();
    m_fileName = path;
    m_timelineView->setStopped(0);
    m_statsView->setStopped(0);
    setMode(File);
    m_loadWatcher.setFuture(QtConcurrent::run([path] {
        Loaded loaded;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            loaded.error = QObject::tr("Cannot read %1: %2").arg(path, file.errorString());
            return loaded;
        }
        QString error;
        if (!CaptureStore::readJsonLines(file.readAll(), &loaded.hello, &loaded.messages, &error))
            loaded.error = QObject::tr("%1 is not a capture: %2").arg(path, error);
        return loaded;
    }));
}

void MainWindow::cancelLoad()
{
    m_load = 0;
    m_loaded = Loaded();
    m_loadedAt = 0;
}

void MainWindow::feedLoaded(quint64 load)
{
    if (load != m_load)
        return;
    const qsizetype end = qMin(m_loadedAt + LoadChunk, m_loaded.messages.size());
    for (qsizetype i = m_loadedAt; i < end; ++i)
        m_store->append(m_loaded.messages.at(i));
    m_store->flush();
    m_loadedAt = end;
    if (m_loadedAt < m_loaded.messages.size()) {
        QTimer::singleShot(0, this, [this, load] { feedLoaded(load); });
        return;
    }
    m_load = 0;
    m_loaded = Loaded();
    m_workers->setNow(m_store->lastEventTime());
    m_timelineView->setStopped(m_store->lastEventTime());
    m_timelineView->fit();
    m_statsView->setStopped(m_store->lastEventTime());
    m_statsView->refresh();
    emit captureOpened(QString());
}

bool MainWindow::saveCapture(const QString &path, QString *error)
{
    QSaveFile file(path);
    bool ok = file.open(QIODevice::WriteOnly);
    if (ok) {
        const QList<QByteArray> lines = m_store->toJsonLines(u"saved"_s);
        for (const QByteArray &line : lines) {
            file.write(line);
            file.write("\n", 1);
        }
        ok = file.commit();
    }
    if (!ok && error)
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
    return ok;
}

void MainWindow::setMode(Mode mode)
{
    if (m_mode == mode)
        return;
    m_mode = mode;
    updateStatus();
    emit modeChanged(mode);
}

void MainWindow::updateStatus()
{
    if (m_mode == Live && m_sinceAttach.isValid())
        m_workers->setNow(m_clockAtAttach + m_sinceAttach.nsecsElapsed());
    QString app;
    if (!m_fileName.isEmpty())
        app = QFileInfo(m_fileName).fileName();
    else if (!m_appName.isEmpty())
        app = m_appName;
    else
        app = tr("not attached");
    m_appLabel->setText(app);
    static const char *const modes[] = { QT_TR_NOOP("idle"),
                                         QT_TR_NOOP("waiting for the pool"),
                                         QT_TR_NOOP("replaying the flight recorder"),
                                         QT_TR_NOOP("live"),
                                         QT_TR_NOOP("closed: waiting for it to come back"),
                                         QT_TR_NOOP("capture file") };
    QString mode = tr(modes[m_mode]);
    if (m_mode == Closed && m_target.isEmpty())
        mode = tr("closed");
    if (m_mode == Closed && !m_lastError.isEmpty())
        mode += u" ("_s + m_lastError + u')';
    m_modeLabel->setText(mode);
    m_eventsLabel->setText(tr("%1 events").arg(m_store->messageCount()));
    m_droppedLabel->setText(tr("%1 dropped").arg(m_store->droppedCount()));
    m_droppedLabel->setStyleSheet(m_store->droppedCount() ? u"color: red"_s : QString());
    m_rowsLabel->setText(
            tr("%1 of %2 frames shown").arg(m_framesFilter->rowCount()).arg(m_frames->rowCount()));
    setWindowTitle(tr("%1 - gobridge-inspector").arg(app));
}

qint64 MainWindow::currentCall() const
{
    return m_currentCall;
}

void MainWindow::setCurrentCall(qint64 id, qint64 link)
{
    if (id == m_currentCall && link == m_currentLink)
        return;
    m_currentCall = id;
    m_currentLink = id ? link : 0;
    int row = -1;
    if (id && link > 0) {
        row = m_calls->rowOf(id, link);
    } else if (id) {
        // No link (a capture of an older pool, or a call typed by id): the
        // latest row with this id.
        for (int r = m_calls->rowCount() - 1; r >= 0 && row < 0; --r) {
            if (m_calls->index(r, 0).data(CallsModel::CallIdRole).toLongLong() == id)
                row = r;
        }
    }
    if (row < 0) {
        m_callsView->clearSelection();
    } else if (m_callsView->currentIndex().row() != row) {
        m_callsView->selectRow(row); // its currentRowChanged comes back here: id is current
        m_callsView->scrollTo(m_calls->index(row, 0));
    }
    m_callFilter->setText(!id                         ? QString()
                                  : m_currentLink > 0 ? u"%1:%2"_s.arg(m_currentLink).arg(id)
                                                      : QString::number(id));
    m_timelineView->setCurrentCall(id, m_currentLink);
    emit currentCallChanged(id);
}

QString MainWindow::statusText() const
{
    return QStringList { m_appLabel->text(), m_modeLabel->text(), m_rowsLabel->text(),
                         m_eventsLabel->text(), m_droppedLabel->text() }
            .join(u" | "_s);
}

MainWindow::Mode MainWindow::mode() const
{
    return m_mode;
}

CaptureStore *MainWindow::store() const
{
    return m_store;
}

WorkersModel *MainWindow::workersModel() const
{
    return m_workers;
}

CallsModel *MainWindow::callsModel() const
{
    return m_calls;
}

FramesModel *MainWindow::framesModel() const
{
    return m_frames;
}

FramesFilterModel *MainWindow::framesFilter() const
{
    return m_framesFilter;
}

LogsModel *MainWindow::logsModel() const
{
    return m_logs;
}

QTableView *MainWindow::framesView() const
{
    return m_framesView;
}

QTableView *MainWindow::callsView() const
{
    return m_callsView;
}

FrameDetailView *MainWindow::detailView() const
{
    return m_detail;
}

TimelineModel *MainWindow::timelineModel() const
{
    return m_timeline;
}

TimelineView *MainWindow::timelineView() const
{
    return m_timelineView;
}

StatsModel *MainWindow::statsModel() const
{
    return m_stats;
}

StatsView *MainWindow::statsView() const
{
    return m_statsView;
}
