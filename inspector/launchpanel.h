// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef LAUNCHPANEL_H
#define LAUNCHPANEL_H

#include <QGbError>

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qpointer.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qvariant.h>
#include <QtWidgets/qwidget.h>

class ChunkLog;
class FunctionsModel;
class QGbCall;
class QGbChannel;
class QGbFunction;
class QGbPool;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

// The Launch panel (gobridge-inspector worker.py): the functions a pool's
// workers expose (from describe), and a form to call one of them: its
// arguments as a JSON array and its keyword arguments as a JSON object, for a client or
// bidirectional stream its input (one JSON value per line, written to a QGbChannel that is closed
// after the last), Call and Cancel, the stream's items as they arrive (ChunkLog), and the result or
// the error with its Python traceback. A pool whose workers do not start shows why, with the
// workers' last stderr lines.
//
// The GUI thread never waits for the pool: everything comes from QGbPool's
// and QGbCall's signals. One call at a time.
class LaunchPanel : public QWidget
{
    Q_OBJECT
public:
    // What the panel shows about its pool.
    enum PoolStatus { NoPool, Starting, Ready, StartFailed };
    Q_ENUM(PoolStatus)
    // The last call's outcome.
    enum Outcome { NoCall, Running, Succeeded, Failed, Cancelled };
    Q_ENUM(Outcome)

    explicit LaunchPanel(QWidget *parent = nullptr);
    ~LaunchPanel() override;

    // Shows pool (not owned; it must outlive the panel or be destroyed
    // after the panel forgot it with setPool(nullptr)).
    void setPool(QGbPool *pool);
    QGbPool *pool() const;
    PoolStatus poolStatus() const;

    FunctionsModel *functionsModel() const;
    QTableView *functionsView() const;
    // Selects the function called name; false if the workers have none.
    bool selectFunction(const QString &name);
    QString currentFunction() const;

    QPlainTextEdit *argumentsEditor() const;
    QLineEdit *keywordArgumentsEditor() const;
    QPlainTextEdit *inputEditor() const;
    // Whether the input editor is shown (client and bidirectional streams).
    bool isInputShown() const;
    // Whether the stream items are shown (functions that yield).
    bool isOutputShown() const;
    QPushButton *callButton() const;
    QPushButton *cancelButton() const;
    ChunkLog *chunkLog() const;

    // What the panel says about the arguments or input lines ("" if valid).
    QString validationMessage() const;
    QString docText() const;
    // The status line: the script and its workers, or why they did not start.
    QString statusText() const;

    Outcome outcome() const;
    // The result shown (JSON), the error's headline and its box (the Python
    // traceback, or the workers' stderr lines when they did not start).
    QString resultText() const;
    QString errorHeadline() const;
    QString errorDetails() const;
    QGbError lastError() const;

public Q_SLOTS:
    // Calls the selected function with the arguments (and input) typed;
    // does nothing but say why when they are not valid JSON.
    void call();
    // Cancels the running call.
    void cancel();

Q_SIGNALS:
    // A call ended and its outcome is shown.
    void callFinished(LaunchPanel::Outcome outcome);
    void poolStatusChanged(LaunchPanel::PoolStatus status);

private:
    void createWidgets();
    void functionsChanged();
    void selectionChanged();
    // What the editors hold, parsed: false with *error (one sentence) if
    // one of them is not valid JSON of its kind.
    struct Request
    {
        QVariantList arguments;
        QVariantMap keywords;
        QVariantList items; // the input lines, for a function that takes them
    };
    bool readRequest(const QGbFunction &function, Request *request, QString *error) const;
    void validate();
    void updateButtons();
    void updateStatus();
    void setPoolStatus(PoolStatus status);
    void showStartFailure(const QString &why);
    void writeInput();
    void callEnded();
    void showResult(const QVariant &result);
    void showError(const QGbError &error);
    void clearOutcome();

    QPointer<QGbPool> m_pool;
    FunctionsModel *m_functions;
    PoolStatus m_poolStatus = NoPool;
    bool m_everReady = false;
    bool m_newAttempt = false; // a worker exited before it was ready
    QString m_startFailure;
    QStringList m_stderr; // the workers' last stderr lines

    QLabel *m_status = nullptr;
    QTableView *m_functionsView = nullptr;
    QPlainTextEdit *m_doc = nullptr;
    QLabel *m_hint = nullptr;
    QPlainTextEdit *m_arguments = nullptr;
    QLineEdit *m_keywords = nullptr;
    QWidget *m_inputBox = nullptr;
    QPlainTextEdit *m_input = nullptr;
    QLabel *m_validation = nullptr;
    QPushButton *m_call = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_restart = nullptr;
    QLabel *m_callStatus = nullptr;
    QWidget *m_outputPane = nullptr;
    ChunkLog *m_chunks = nullptr;
    QLabel *m_resultHeadline = nullptr;
    QPlainTextEdit *m_resultBox = nullptr;

    QString m_shownFunction; // the function the editors were filled for
    QString m_validationMessage;
    bool m_valid = false;

    QGbCall *m_running = nullptr;
    QGbChannel *m_channel = nullptr;
    QVariantList m_inputItems;
    qsizetype m_inputWritten = 0;
    QString m_runningName;
    QElapsedTimer m_callTimer;
    Outcome m_outcome = NoCall;
    QString m_resultText;
    QString m_errorHeadline;
    QString m_errorDetails;
    QGbError m_error;
};

#endif // LAUNCHPANEL_H
