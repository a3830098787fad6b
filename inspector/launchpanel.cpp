// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "launchpanel.h"

#include "chunklog.h"
#include "launcharguments.h"
#include "models/functionsmodel.h"

#include <QGbCall>
#include <QGbChannel>
#include <QGbPool>

#include <QtCore/qfileinfo.h>
#include <QtGui/qfontdatabase.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qsplitter.h>
#include <QtWidgets/qtableview.h>

using namespace Qt::StringLiterals;

namespace {
// The workers' stderr lines kept for a start failure.
constexpr qsizetype MaxStderrLines = 200;

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QPlainTextEdit *monospaceBox(QWidget *parent)
{
    auto *box = new QPlainTextEdit(parent);
    box->setReadOnly(true);
    box->setLineWrapMode(QPlainTextEdit::NoWrap);
    box->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    box->setUndoRedoEnabled(false);
    return box;
}

// A message's first line, for a one-line headline (the box shows the rest).
QString firstLine(const QString &text)
{
    const qsizetype end = text.indexOf(u'\n');
    return end < 0 ? text : text.left(end).trimmed() + u" ..."_s;
}

bool takesInput(const QGbFunction &function)
{
    return function.mode() == QGbFunction::ClientStream
            || function.mode() == QGbFunction::Bidirectional;
}

bool yields(const QGbFunction &function)
{
    return function.mode() == QGbFunction::ServerStream
            || function.mode() == QGbFunction::Bidirectional;
}
} // namespace

LaunchPanel::LaunchPanel(QWidget *parent)
    : QWidget(parent)
    , m_functions(new FunctionsModel(this))
{
    createWidgets();
    updateStatus();
    selectionChanged();
}

LaunchPanel::~LaunchPanel()
{
    // A call still running is cancelled (deleting a QGbCall cancels it).
    delete m_running;
    delete m_channel;
}

void LaunchPanel::createWidgets()
{
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    m_status = new QLabel(this);
    m_status->setObjectName(u"launchStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // The functions, and the selected one's signature and docstring.
    m_functionsView = new QTableView(this);
    m_functionsView->setObjectName(u"functions"_s);
    m_functionsView->setModel(m_functions);
    m_functionsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_functionsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_functionsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_functionsView->setWordWrap(false);
    m_functionsView->setAlternatingRowColors(true);
    m_functionsView->verticalHeader()->hide();
    m_functionsView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_functionsView->verticalHeader()->setDefaultSectionSize(m_functionsView->fontMetrics().height()
                                                             + 4);
    m_functionsView->horizontalHeader()->setStretchLastSection(true);
    m_functionsView->horizontalHeader()->setHighlightSections(false);
    m_functionsView->setColumnWidth(FunctionsModel::Name, 110);
    m_functionsView->setColumnWidth(FunctionsModel::Mode, 100);
    connect(m_functionsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LaunchPanel::selectionChanged);
    m_doc = new QPlainTextEdit(this);
    m_doc->setObjectName(u"doc"_s);
    m_doc->setReadOnly(true);
    m_doc->setPlaceholderText(tr("The selected function's signature and docstring."));
    auto *functionsSplitter = new QSplitter(Qt::Horizontal, this);
    functionsSplitter->addWidget(m_functionsView);
    functionsSplitter->addWidget(m_doc);
    functionsSplitter->setStretchFactor(0, 3);
    functionsSplitter->setStretchFactor(1, 2);

    // The request: arguments, input stream, buttons.
    auto *request = new QWidget(this);
    m_hint = new QLabel(request);
    m_hint->setObjectName(u"hint"_s);
    m_hint->setWordWrap(true);
    m_arguments = new QPlainTextEdit(request);
    m_arguments->setObjectName(u"arguments"_s);
    m_arguments->setFont(fixed);
    m_arguments->setTabChangesFocus(true);
    m_arguments->setPlaceholderText(tr("[1, \"text\", {\"key\": true}]"));
    m_arguments->setFixedHeight(m_arguments->fontMetrics().lineSpacing() * 3 + 12);
    connect(m_arguments, &QPlainTextEdit::textChanged, this, &LaunchPanel::validate);
    m_keywords = new QLineEdit(request);
    m_keywords->setObjectName(u"keywordArguments"_s);
    m_keywords->setFont(fixed);
    m_keywords->setPlaceholderText(tr("{\"sep\": \",\", \"strict\": true}"));
    m_keywords->setClearButtonEnabled(true);
    connect(m_keywords, &QLineEdit::textChanged, this, &LaunchPanel::validate);
    connect(m_keywords, &QLineEdit::returnPressed, this, &LaunchPanel::call);
    auto *keywordsLayout = new QHBoxLayout;
    keywordsLayout->setContentsMargins(0, 0, 0, 0);
    keywordsLayout->addWidget(heading(tr("Keyword arguments: a JSON object"), request));
    keywordsLayout->addWidget(m_keywords, 1);
    m_inputBox = new QWidget(request);
    m_input = new QPlainTextEdit(m_inputBox);
    m_input->setObjectName(u"input"_s);
    m_input->setFont(fixed);
    m_input->setTabChangesFocus(true);
    m_input->setPlaceholderText(tr("1\n2\n3"));
    m_input->setFixedHeight(m_input->fontMetrics().lineSpacing() * 5 + 12);
    connect(m_input, &QPlainTextEdit::textChanged, this, &LaunchPanel::validate);
    auto *inputLayout = new QVBoxLayout(m_inputBox);
    inputLayout->setContentsMargins(0, 0, 0, 0);
    inputLayout->setSpacing(2);
    inputLayout->addWidget(heading(tr("Input stream: one JSON value per line, closed after the "
                                      "last"),
                                   m_inputBox));
    inputLayout->addWidget(m_input);
    m_validation = new QLabel(request);
    m_validation->setObjectName(u"validation"_s);
    m_validation->setWordWrap(true);
    m_call = new QPushButton(tr("&Call"), request);
    m_call->setObjectName(u"call"_s);
    m_call->setDefault(true);
    connect(m_call, &QPushButton::clicked, this, &LaunchPanel::call);
    m_cancel = new QPushButton(tr("Ca&ncel"), request);
    m_cancel->setObjectName(u"cancel"_s);
    connect(m_cancel, &QPushButton::clicked, this, &LaunchPanel::cancel);
    m_restart = new QPushButton(tr("&Restart workers"), request);
    m_restart->setObjectName(u"restart"_s);
    m_restart->setToolTip(tr("Start the workers that failed again (after fixing the script)."));
    m_restart->hide();
    connect(m_restart, &QPushButton::clicked, this, [this] {
        if (!m_pool)
            return;
        m_restart->hide();
        if (m_poolStatus == StartFailed) {
            m_stderr.clear();
            m_startFailure.clear();
            m_newAttempt = false;
            clearOutcome();
            setPoolStatus(m_pool->readyWorkers() > 0 ? Ready : Starting);
        }
        m_pool->restartFailedWorkers();
    });
    m_callStatus = new QLabel(request);
    m_callStatus->setObjectName(u"callStatus"_s);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_call);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_restart);
    buttons->addWidget(m_callStatus, 1);
    auto *requestLayout = new QVBoxLayout(request);
    requestLayout->setContentsMargins(0, 0, 0, 0);
    requestLayout->setSpacing(2);
    requestLayout->addWidget(heading(tr("Arguments: a JSON array"), request));
    requestLayout->addWidget(m_hint);
    requestLayout->addWidget(m_arguments);
    requestLayout->addLayout(keywordsLayout);
    requestLayout->addWidget(m_inputBox);
    requestLayout->addWidget(m_validation);
    requestLayout->addLayout(buttons);

    // The stream's items as they arrive (shown for functions that yield).
    auto *output = new QWidget(this);
    m_outputPane = output;
    m_chunks = new ChunkLog(output);
    m_chunks->setObjectName(u"chunks"_s);
    auto *outputLayout = new QVBoxLayout(output);
    outputLayout->setContentsMargins(0, 0, 0, 0);
    outputLayout->setSpacing(2);
    outputLayout->addWidget(heading(tr("Stream items"), output));
    outputLayout->addWidget(m_chunks);

    // The result, or the error and its traceback.
    auto *result = new QWidget(this);
    m_resultHeadline = new QLabel(tr("Result"), result);
    m_resultHeadline->setObjectName(u"resultHeadline"_s);
    m_resultHeadline->setWordWrap(true);
    m_resultHeadline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_resultHeadline->font();
    bold.setBold(true);
    m_resultHeadline->setFont(bold);
    m_resultBox = monospaceBox(result);
    m_resultBox->setObjectName(u"resultBox"_s);
    m_resultBox->setPlaceholderText(
            tr("The result, or the error with its Python traceback, appears here."));
    auto *resultLayout = new QVBoxLayout(result);
    resultLayout->setContentsMargins(0, 0, 0, 0);
    resultLayout->setSpacing(2);
    resultLayout->addWidget(m_resultHeadline);
    resultLayout->addWidget(m_resultBox);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(functionsSplitter);
    splitter->addWidget(request);
    splitter->addWidget(output);
    splitter->addWidget(result);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 0);
    splitter->setStretchFactor(2, 2);
    splitter->setStretchFactor(3, 4);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);
}

void LaunchPanel::setPool(QGbPool *pool)
{
    if (m_pool)
        m_pool->disconnect(this);
    delete m_running;
    m_running = nullptr;
    delete m_channel;
    m_channel = nullptr;
    m_pool = pool;
    m_everReady = false;
    m_newAttempt = false;
    m_shownFunction.clear();
    m_startFailure.clear();
    m_stderr.clear();
    clearOutcome();
    m_outcome = NoCall;
    m_callStatus->clear();
    m_restart->hide();
    if (!pool) {
        m_functions->setFunctions({});
        setPoolStatus(NoPool);
        selectionChanged();
        return;
    }
    connect(pool, &QGbPool::functionsChanged, this, &LaunchPanel::functionsChanged);
    connect(pool, &QGbPool::readyWorkersChanged, this, [this](int ready) {
        if (ready > 0) {
            m_everReady = true;
            m_startFailure.clear();
            m_restart->hide();
            if (m_poolStatus == StartFailed)
                clearOutcome();
            setPoolStatus(Ready);
        }
        updateStatus();
    });
    connect(pool, &QGbPool::stateChanged, this, &LaunchPanel::updateStatus);
    connect(pool, &QGbPool::workerOutput, this,
            [this](int, QProcess::ProcessChannel channel, const QByteArray &line) {
                if (channel != QProcess::StandardError)
                    return;
                // A failed start's box shows its own lines, not the previous attempt's.
                if (m_newAttempt) {
                    m_stderr.clear();
                    m_newAttempt = false;
                }
                m_stderr.append(QString::fromUtf8(line).chopped(line.endsWith('\n') ? 1 : 0));
                if (m_stderr.size() > MaxStderrLines)
                    m_stderr.remove(0, m_stderr.size() - MaxStderrLines);
                if (m_poolStatus == StartFailed)
                    showStartFailure(m_startFailure);
            });
    connect(pool, &QGbPool::workerExited, this,
            [this](int worker, qint64 pid, int exitCode, QProcess::ExitStatus status) {
                if (m_everReady)
                    return;
                m_newAttempt = true;
                // Until the pool says why (errorOccurred(), which follows).
                if (!m_startFailure.isEmpty())
                    return;
                const QString process = pid > 0 ? tr("worker %1 (pid %2)").arg(worker).arg(pid)
                                                : tr("worker %1").arg(worker);
                showStartFailure(status == QProcess::CrashExit
                                         ? tr("%1 crashed before it was ready").arg(process)
                                         : tr("%1 exited with code %2 before it was ready")
                                                   .arg(process)
                                                   .arg(exitCode));
            });
    connect(pool, &QGbPool::workerFailed, this, [this](int worker, const QGbError &error) {
        if (!m_everReady || m_pool->readyWorkers() == 0)
            showStartFailure(
                    tr("worker %1 gave up: %2").arg(worker).arg(firstLine(error.errorString())));
        m_restart->show();
    });
    connect(pool, &QGbPool::errorOccurred, this, [this](const QGbError &error) {
        // The pool's own words; their first line only, as they repeat the
        // stderr lines the box shows.
        if (!m_everReady)
            showStartFailure(firstLine(error.errorString()));
    });
    m_everReady = pool->readyWorkers() > 0;
    setPoolStatus(m_everReady ? Ready : Starting);
    functionsChanged();
}

QGbPool *LaunchPanel::pool() const
{
    return m_pool;
}

LaunchPanel::PoolStatus LaunchPanel::poolStatus() const
{
    return m_poolStatus;
}

void LaunchPanel::setPoolStatus(PoolStatus status)
{
    if (m_poolStatus != status) {
        m_poolStatus = status;
        emit poolStatusChanged(status);
    }
    updateStatus();
    updateButtons();
}

void LaunchPanel::showStartFailure(const QString &why)
{
    m_startFailure = why;
    m_errorHeadline = tr("The script did not start: %1").arg(why);
    m_errorDetails =
            m_stderr.isEmpty() ? tr("(the workers wrote nothing on stderr)") : m_stderr.join(u'\n');
    m_resultHeadline->setText(m_errorHeadline);
    m_resultHeadline->setStyleSheet(u"color: #b00020"_s);
    m_resultBox->setPlainText(m_errorDetails);
    setPoolStatus(StartFailed);
}

void LaunchPanel::functionsChanged()
{
    const QString current = currentFunction();
    m_functions->setFunctions(m_pool ? m_pool->functions() : QList<QGbFunction>());
    m_functionsView->resizeColumnToContents(FunctionsModel::Name);
    m_functionsView->resizeColumnToContents(FunctionsModel::Mode);
    const int row = m_functions->rowOf(current);
    if (m_functions->rowCount() > 0)
        m_functionsView->selectRow(row >= 0 ? row : 0);
    selectionChanged();
    updateStatus();
}

bool LaunchPanel::selectFunction(const QString &name)
{
    const int row = m_functions->rowOf(name);
    if (row < 0)
        return false;
    m_functionsView->selectRow(row);
    return true;
}

QString LaunchPanel::currentFunction() const
{
    const QModelIndex current = m_functionsView->selectionModel()->currentIndex();
    return current.isValid() ? m_functions->function(current.row()).name() : QString();
}

void LaunchPanel::selectionChanged()
{
    const QModelIndex current = m_functionsView->selectionModel()->currentIndex();
    const QGbFunction function =
            current.isValid() ? m_functions->function(current.row()) : QGbFunction();
    if (!function.isValid()) {
        m_shownFunction.clear();
        m_doc->clear();
        m_hint->setText(m_functions->rowCount() == 0 ? tr("No function to call yet.")
                                                     : tr("Select a function."));
        m_inputBox->hide();
        m_outputPane->hide();
        m_arguments->setPlainText(QString());
        m_keywords->clear();
        validate();
        return;
    }
    QString doc = function.name() + function.signature() + u"\n"_s
            + tr("mode: %1").arg(FunctionsModel::modeName(function.mode())) + u"\n\n"_s;
    doc += function.doc().isEmpty() ? tr("(no docstring)") : function.doc();
    m_doc->setPlainText(doc);
    m_hint->setText(tr("Parameters: %1").arg(LaunchArguments::parametersHint(function)));
    m_inputBox->setVisible(takesInput(function));
    m_outputPane->setVisible(yields(function));
    m_resultBox->setPlaceholderText(
            yields(function) ? tr("A stream has no result: its items appear above. An error "
                                  "appears here, with its Python traceback.")
                             : tr("The result, or the error with its Python traceback, "
                                  "appears here."));
    // What was typed for this function stays (describe answered again).
    if (function.name() != m_shownFunction) {
        m_shownFunction = function.name();
        m_input->blockSignals(true);
        m_input->clear();
        m_input->blockSignals(false);
        m_arguments->setPlainText(LaunchArguments::argumentsTemplate(function));
        m_keywords->setText(LaunchArguments::keywordArgumentsTemplate(function));
    }
    validate();
}

bool LaunchPanel::readRequest(const QGbFunction &function, Request *request, QString *error) const
{
    return LaunchArguments::parseArguments(m_arguments->toPlainText(), &request->arguments, error)
            && LaunchArguments::parseKeywordArguments(m_keywords->text(), &request->keywords, error)
            && (!takesInput(function)
                || LaunchArguments::parseInputLines(m_input->toPlainText(), &request->items,
                                                    error));
}

void LaunchPanel::validate()
{
    const QModelIndex current = m_functionsView->selectionModel()->currentIndex();
    const QGbFunction function =
            current.isValid() ? m_functions->function(current.row()) : QGbFunction();
    Request request;
    QString error;
    m_valid = readRequest(function, &request, &error);
    const QVariantList &arguments = request.arguments;
    const QVariantMap &keywords = request.keywords;
    const QVariantList &items = request.items;
    m_validationMessage = m_valid ? QString() : error;
    if (!m_valid) {
        m_validation->setStyleSheet(u"color: #b00020"_s);
        m_validation->setText(error);
    } else {
        m_validation->setStyleSheet(u"color: palette(mid)"_s);
        QString text =
                arguments.size() == 1 ? tr("1 argument") : tr("%1 arguments").arg(arguments.size());
        if (!keywords.isEmpty())
            text += keywords.size() == 1 ? tr(", 1 keyword argument")
                                         : tr(", %1 keyword arguments").arg(keywords.size());
        if (takesInput(function))
            text += items.size() == 1 ? tr(", 1 input item")
                                      : tr(", %1 input items").arg(items.size());
        m_validation->setText(function.isValid() ? text : QString());
    }
    updateButtons();
}

void LaunchPanel::updateButtons()
{
    m_call->setEnabled(m_pool && m_valid && !m_running && !currentFunction().isEmpty());
    m_cancel->setEnabled(m_running != nullptr);
}

void LaunchPanel::updateStatus()
{
    if (!m_pool) {
        m_status->setText(tr("No script launched."));
        return;
    }
    const QString script = QFileInfo(m_pool->script()).fileName();
    QString text;
    switch (m_poolStatus) {
    case NoPool:
    case Starting:
        text = tr("<b>%1</b>: starting the workers...").arg(script.toHtmlEscaped());
        break;
    case Ready:
        text = tr("<b>%1</b>: %2 of %3 workers ready, %4 functions")
                       .arg(script.toHtmlEscaped())
                       .arg(m_pool->readyWorkers())
                       .arg(m_pool->options().workers())
                       .arg(m_functions->rowCount());
        break;
    case StartFailed:
        text = tr("<b>%1</b> did not start: %2")
                       .arg(script.toHtmlEscaped(), m_startFailure.toHtmlEscaped());
        break;
    }
    m_status->setText(text);
    m_status->setToolTip(m_pool->script());
}

void LaunchPanel::call()
{
    if (m_running || !m_pool)
        return;
    const QModelIndex current = m_functionsView->selectionModel()->currentIndex();
    const QGbFunction function =
            current.isValid() ? m_functions->function(current.row()) : QGbFunction();
    if (!function.isValid())
        return;
    validate();
    Request request;
    QString error;
    if (!readRequest(function, &request, &error)) {
        m_callStatus->setText(tr("Not called: %1").arg(error));
        return;
    }
    QVariantList &arguments = request.arguments;
    const QVariantMap &keywords = request.keywords;
    const QVariantList &items = request.items;
    clearOutcome();
    m_chunks->clear();
    if (takesInput(function)) {
        const int at = LaunchArguments::streamParameterIndex(function);
        if (at >= 0 && at < arguments.size())
            arguments.insert(at, QVariant::fromValue(QGbStreamMarker()));
        m_channel = new QGbChannel(this);
        m_inputItems = items;
        m_inputWritten = 0;
    }
    m_runningName = function.name();
    m_running = m_pool->invoke(QGbCallOptions().setKeywordArguments(keywords), function.name(),
                               arguments, m_channel);
    connect(m_running, &QGbCall::chunksReceived, m_chunks, &ChunkLog::addItems);
    // describe said it does not yield, but it does: show what it yields.
    if (!yields(function))
        connect(m_running, &QGbCall::chunksReceived, m_outputPane, &QWidget::show);
    connect(m_running, &QGbCall::resultReady, this, &LaunchPanel::showResult);
    connect(m_running, &QGbCall::errorOccurred, this, &LaunchPanel::showError);
    connect(m_running, &QGbCall::finished, this, &LaunchPanel::callEnded);
    m_outcome = Running;
    m_callTimer.start();
    m_callStatus->setText(tr("Running %1...").arg(m_runningName));
    if (m_channel) {
        connect(m_channel, &QGbChannel::writable, this, &LaunchPanel::writeInput);
        writeInput();
    }
    updateButtons();
}

void LaunchPanel::writeInput()
{
    if (!m_channel || m_channel->isClosed())
        return;
    // As much as the channel takes now; the rest when it says it has room.
    while (m_inputWritten < m_inputItems.size()) {
        if (!m_channel->write(m_inputItems.at(m_inputWritten)))
            return;
        ++m_inputWritten;
    }
    m_inputItems.clear();
    m_channel->close();
}

void LaunchPanel::cancel()
{
    if (m_running)
        m_running->cancel();
}

void LaunchPanel::callEnded()
{
    m_chunks->flush();
    const qint64 msecs = m_callTimer.elapsed();
    if (m_outcome == Running) {
        // A stream ends without a result.
        m_outcome = Succeeded;
        m_resultHeadline->setStyleSheet(QString());
        m_errorHeadline.clear();
        m_resultHeadline->setText(tr("The stream ended after %1 items").arg(m_chunks->itemCount()));
    }
    static const char *const outcomes[] = { "", "", QT_TR_NOOP("%1 finished after %2 ms"),
                                            QT_TR_NOOP("%1 failed after %2 ms"),
                                            QT_TR_NOOP("%1 cancelled after %2 ms") };
    m_callStatus->setText(tr(outcomes[m_outcome]).arg(m_runningName).arg(msecs));
    if (m_running) {
        m_running->disconnect(this);
        m_running->deleteLater();
        m_running = nullptr;
    }
    if (m_channel) {
        m_channel->disconnect(this);
        m_channel->deleteLater();
        m_channel = nullptr;
    }
    m_inputItems.clear();
    updateButtons();
    emit callFinished(m_outcome);
}

void LaunchPanel::showResult(const QVariant &result)
{
    m_outcome = Succeeded;
    m_resultText = LaunchArguments::toJson(result, true);
    m_errorHeadline.clear();
    m_errorDetails.clear();
    m_resultHeadline->setStyleSheet(QString());
    m_resultHeadline->setText(tr("Result"));
    m_resultBox->setPlainText(m_resultText);
}

void LaunchPanel::showError(const QGbError &error)
{
    m_error = error;
    m_outcome = error.code() == QGbError::Cancelled ? Cancelled : Failed;
    QString headline = QGbError::codeName(error.code());
    if (!error.remoteType().isEmpty())
        headline += u" ("_s + error.remoteType() + u')';
    if (!error.errorString().isEmpty())
        headline += u": "_s + error.errorString();
    m_errorHeadline = headline;
    m_errorDetails = error.remoteTraceback().isEmpty() ? error.errorString()
                                                       : error.remoteTraceback().trimmed();
    m_resultHeadline->setStyleSheet(m_outcome == Cancelled ? u"color: #8a6d00"_s
                                                           : u"color: #b00020"_s);
    m_resultHeadline->setText(headline);
    m_resultBox->setPlainText(m_errorDetails);
}

void LaunchPanel::clearOutcome()
{
    m_resultText.clear();
    m_errorHeadline.clear();
    m_errorDetails.clear();
    m_error = QGbError();
    m_resultHeadline->setStyleSheet(QString());
    m_resultHeadline->setText(tr("Result"));
    m_resultBox->clear();
}

FunctionsModel *LaunchPanel::functionsModel() const
{
    return m_functions;
}

QTableView *LaunchPanel::functionsView() const
{
    return m_functionsView;
}

QPlainTextEdit *LaunchPanel::argumentsEditor() const
{
    return m_arguments;
}

QLineEdit *LaunchPanel::keywordArgumentsEditor() const
{
    return m_keywords;
}

QPlainTextEdit *LaunchPanel::inputEditor() const
{
    return m_input;
}

bool LaunchPanel::isInputShown() const
{
    return !m_inputBox->isHidden();
}

bool LaunchPanel::isOutputShown() const
{
    return !m_outputPane->isHidden();
}

QPushButton *LaunchPanel::callButton() const
{
    return m_call;
}

QPushButton *LaunchPanel::cancelButton() const
{
    return m_cancel;
}

ChunkLog *LaunchPanel::chunkLog() const
{
    return m_chunks;
}

QString LaunchPanel::validationMessage() const
{
    return m_validationMessage;
}

QString LaunchPanel::docText() const
{
    return m_doc->toPlainText();
}

QString LaunchPanel::statusText() const
{
    return m_status->text();
}

LaunchPanel::Outcome LaunchPanel::outcome() const
{
    return m_outcome;
}

QString LaunchPanel::resultText() const
{
    return m_resultText;
}

QString LaunchPanel::errorHeadline() const
{
    return m_errorHeadline;
}

QString LaunchPanel::errorDetails() const
{
    return m_errorDetails;
}

QGbError LaunchPanel::lastError() const
{
    return m_error;
}
