// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// gobridge-inspector's Launch panel (inspector/launchpanel.cpp), offscreen,
// driven through its widgets against real pools on launchworker.py: the
// function list is what describe said, plain calls, streams both ways,
// errors with their traceback, cancellation, arguments that are not JSON,
// scripts that do not start, and a launched pool seen by its own window.

#include "qgbtesthelpers.h"

#include "chunklog.h"
#include "launcharguments.h"
#include "launchpanel.h"
#include "mainwindow.h"
#include "models/callsmodel.h"
#include "models/functionsmodel.h"

#include <QGbPool>

#include <QtCore/qfileinfo.h>
#include <QtCore/qprocess.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtTest/qabstractitemmodeltester.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>
#include <QtWidgets/qapplication.h>
#include <QtWidgets/qlineedit.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qtableview.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

QString launchWorker()
{
    return QStringLiteral(QGB_SOURCE_DIR "/tests/python/workers/launchworker.py");
}

// Replaces the editor's text as a user would: select all, type.
void typeInto(QPlainTextEdit *editor, const QString &text)
{
    editor->setFocus();
    editor->selectAll();
    QTest::keyClick(editor, Qt::Key_Delete);
    const QStringList lines = text.split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i > 0)
            QTest::keyClick(editor, Qt::Key_Return);
        if (!lines.at(i).isEmpty())
            QTest::keyClicks(editor, lines.at(i));
    }
}

// The same for a one-line editor.
void typeInto(QLineEdit *editor, const QString &text)
{
    editor->setFocus();
    editor->selectAll();
    QTest::keyClick(editor, Qt::Key_Delete);
    QTest::keyClicks(editor, text);
}

// A function as describe gives it, with these parameters (name, kind,
// default: an empty string for none).
QGbFunction functionWith(const QList<QStringList> &parameters)
{
    QVariantList params;
    for (const QStringList &p : parameters) {
        QVariantMap param { { u"name"_s, p.at(0) }, { u"kind"_s, p.at(1) } };
        if (!p.at(2).isEmpty())
            param.insert(u"default"_s, p.at(2));
        params.append(param);
    }
    return QGbFunction::fromDescription(QVariantMap {
            { u"name"_s, u"f"_s }, { u"mode"_s, u"call"_s }, { u"params"_s, params } });
}

} // namespace

class tst_InspectorLaunch : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void argumentsText_data();
    void argumentsText();
    void inputLines_data();
    void inputLines();
    void keywordArgumentsText_data();
    void keywordArgumentsText();
    void keywordArgumentsTemplate_data();
    void keywordArgumentsTemplate();
    void functionListMatchesDescribe();
    void plainCallShowsItsResult();
    void badJsonCallsNothing_data();
    void badJsonCallsNothing();
    void generatorChunksArriveInOrder();
    void fastGeneratorIsCapped();
    void clientStreamInputReachesTheFunction_data();
    void clientStreamInputReachesTheFunction();
    void bidirectionalStream();
    void keywordArgumentsReachTheFunction();
    void raisedExceptionShowsTypeAndTraceback();
    void cancelEndsTheCallAndThePanelIsUsable();
    void scriptThatDoesNotStart_data();
    void scriptThatDoesNotStart();
    void restartAfterTheScriptIsFixed();
    void launchedPoolIsInspected();
    void commandLine_data();
    void commandLine();

private:
    // Runs the selected function with these arguments through the Call
    // button; false if the call did not end.
    // Keywords null: the keyword arguments editor as the function left it.
    bool clickCall(const QString &function, const QString &arguments,
                   const QString &input = QString(), const QString &keywords = QString());
    bool readyPanel();

    QTemporaryDir m_runtime;
    std::unique_ptr<QGbPool> m_pool;
    std::unique_ptr<LaunchPanel> m_panel;
};

void tst_InspectorLaunch::initTestCase()
{
    QVERIFY(m_runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    QCoreApplication::setApplicationName(u"launch-test-app"_s);
}

void tst_InspectorLaunch::init()
{
    m_pool = std::make_unique<QGbPool>(launchWorker(), testOptions(1));
    m_panel = std::make_unique<LaunchPanel>();
    m_panel->resize(700, 800);
    m_panel->show();
}

void tst_InspectorLaunch::cleanup()
{
    m_panel.reset();
    m_pool.reset();
}

bool tst_InspectorLaunch::readyPanel()
{
    m_panel->setPool(m_pool.get());
    QElapsedTimer timer;
    timer.start();
    while (m_panel->functionsModel()->rowCount() < 6 && timer.elapsed() < 20000)
        QTest::qWait(10);
    return m_panel->functionsModel()->rowCount() == 6;
}

bool tst_InspectorLaunch::clickCall(const QString &function, const QString &arguments,
                                    const QString &input, const QString &keywords)
{
    if (!m_panel->selectFunction(function))
        return false;
    typeInto(m_panel->argumentsEditor(), arguments);
    if (!keywords.isNull())
        typeInto(m_panel->keywordArgumentsEditor(), keywords);
    if (!input.isNull())
        typeInto(m_panel->inputEditor(), input);
    if (!m_panel->callButton()->isEnabled()) {
        qWarning() << "Call disabled:" << m_panel->validationMessage();
        return false;
    }
    QSignalSpy finished(m_panel.get(), &LaunchPanel::callFinished);
    QTest::mouseClick(m_panel->callButton(), Qt::LeftButton);
    if (m_panel->callButton()->isEnabled() || !m_panel->cancelButton()->isEnabled())
        return false; // one call at a time: Call is disabled while it runs
    return finished.wait(20000) || finished.size() == 1;
}

void tst_InspectorLaunch::argumentsText_data()
{
    QTest::addColumn<QString>("repr");
    QTest::addColumn<QString>("json");
    QTest::newRow("None") << u"None"_s << u"null"_s;
    QTest::newRow("True") << u"True"_s << u"true"_s;
    QTest::newRow("False") << u"False"_s << u"false"_s;
    QTest::newRow("float") << u"2.0"_s << u"2.0"_s;
    QTest::newRow("negative") << u"-3"_s << u"-3"_s;
    QTest::newRow("string") << u"'Hello'"_s << u"\"Hello\""_s;
    QTest::newRow("list") << u"[1, 2]"_s << u"[1, 2]"_s;
    QTest::newRow("escaped string") << u"'it\\'s'"_s << QString();
    QTest::newRow("tuple") << u"(1, 2)"_s << QString();
    QTest::newRow("object") << u"<object object at 0x7f>"_s << QString();
}

void tst_InspectorLaunch::argumentsText()
{
    QFETCH(QString, repr);
    QFETCH(QString, json);
    QCOMPARE(LaunchArguments::pythonReprToJson(repr), json);
}

void tst_InspectorLaunch::inputLines_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QVariantList>("items");
    QTest::addColumn<QString>("error");
    QTest::newRow("numbers") << u"1\n2\n\n 3 \n"_s << QVariantList { 1, 2, 3 } << QString();
    QTest::newRow("values") << u"\"a\"\nnull\n[1]\n{\"k\": true}"_s
                            << QVariantList { u"a"_s, QVariant::fromValue(nullptr),
                                              QVariantList { 1 }, QVariantMap { { u"k"_s, true } } }
                            << QString();
    QTest::newRow("empty") << QString() << QVariantList() << QString();
    QTest::newRow("bad line") << u"1\n2x\n3"_s << QVariantList() << u"Input line 2"_s;
    QTest::newRow("two values") << u"1, 2"_s << QVariantList() << u"2 values"_s;
}

void tst_InspectorLaunch::inputLines()
{
    QFETCH(QString, text);
    QFETCH(QVariantList, items);
    QFETCH(QString, error);
    QVariantList parsed;
    QString why;
    QCOMPARE(LaunchArguments::parseInputLines(text, &parsed, &why), error.isEmpty());
    QVERIFY2(why.contains(error), qPrintable(why));
    if (error.isEmpty()) {
        QCOMPARE(parsed.size(), items.size());
        for (qsizetype i = 0; i < items.size(); ++i)
            QCOMPARE(LaunchArguments::toJson(parsed.at(i)), LaunchArguments::toJson(items.at(i)));
    }
}

void tst_InspectorLaunch::keywordArgumentsText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QVariantMap>("keywords");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QString() << QVariantMap() << QString();
    QTest::newRow("blank") << u"  "_s << QVariantMap() << QString();
    QTest::newRow("empty object") << u"{}"_s << QVariantMap() << QString();
    QTest::newRow("two") << u"{\"sep\": \",\", \"n\": 2}"_s
                         << QVariantMap { { u"sep"_s, u","_s }, { u"n"_s, 2 } } << QString();
    QTest::newRow("nested")
            << u"{\"o\": {\"k\": [1, null]}}"_s
            << QVariantMap { { u"o"_s,
                               QVariantMap {
                                       { u"k"_s,
                                         QVariantList { 1, QVariant::fromValue(nullptr) } } } } }
            << QString();
    QTest::newRow("an array") << u"[1]"_s << QVariantMap() << u"a JSON object"_s;
    QTest::newRow("a name") << u"{\"sep\": sep}"_s << QVariantMap() << u"at line 1, column 9"_s;
    QTest::newRow("unterminated") << u"{\"sep\": 1"_s << QVariantMap() << u"Not JSON"_s;
}

void tst_InspectorLaunch::keywordArgumentsText()
{
    QFETCH(QString, text);
    QFETCH(QVariantMap, keywords);
    QFETCH(QString, error);
    QVariantMap parsed { { u"stale"_s, 1 } };
    QString why;
    QCOMPARE(LaunchArguments::parseKeywordArguments(text, &parsed, &why), error.isEmpty());
    QVERIFY2(why.contains(error), qPrintable(why));
    if (error.isEmpty())
        QCOMPARE(LaunchArguments::toJson(parsed), LaunchArguments::toJson(keywords));
    else
        QVERIFY(parsed.isEmpty());
}

void tst_InspectorLaunch::keywordArgumentsTemplate_data()
{
    QTest::addColumn<QList<QStringList>>("parameters");
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<QString>("keywords");
    const QString positional = u"positional_or_keyword"_s;
    const QString keyword = u"keyword_only"_s;
    QTest::newRow("none") << QList<QStringList> { { u"a"_s, positional, QString() } } << u"[a]"_s
                          << QString();
    QTest::newRow("with a default") << QList<QStringList> { { u"text"_s, positional, QString() },
                                                            { u"sep"_s, keyword, u"';'"_s } }
                                    << u"[text]"_s << u"{\"sep\": \";\"}"_s;
    QTest::newRow("required and optional")
            << QList<QStringList> { { u"a"_s, positional, u"1"_s },
                                    { u"rest"_s, u"var_positional"_s, QString() },
                                    { u"mode"_s, keyword, QString() },
                                    { u"strict"_s, keyword, u"False"_s },
                                    { u"options"_s, u"var_keyword"_s, QString() } }
            << u"[1]"_s << u"{\"mode\": mode, \"strict\": false}"_s;
    // An optional one whose default JSON cannot say is left out.
    QTest::newRow("default not JSON")
            << QList<QStringList> { { u"key"_s, keyword, u"<function <lambda>>"_s } } << u"[]"_s
            << QString();
}

void tst_InspectorLaunch::keywordArgumentsTemplate()
{
    QFETCH(QList<QStringList>, parameters);
    QFETCH(QString, arguments);
    QFETCH(QString, keywords);
    const QGbFunction function = functionWith(parameters);
    QVERIFY(function.isSignatureKnown());
    QCOMPARE(LaunchArguments::argumentsTemplate(function), arguments);
    QCOMPARE(LaunchArguments::keywordArgumentsTemplate(function), keywords);
    // The hint marks the keyword-only ones.
    const QString hint = LaunchArguments::parametersHint(function);
    qsizetype keywordOnly = 0;
    for (const QStringList &p : parameters)
        keywordOnly += p.at(1) == u"keyword_only"_s ? 1 : 0;
    QCOMPARE(hint.count(u" (keyword-only)"_s), keywordOnly);
}

void tst_InspectorLaunch::functionListMatchesDescribe()
{
    QAbstractItemModelTester tester(m_panel->functionsModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(m_panel->poolStatus(), LaunchPanel::NoPool);
    QVERIFY(readyPanel());
    QCOMPARE(m_panel->poolStatus(), LaunchPanel::Ready);
    const QList<QGbFunction> described = m_pool->functions();
    const FunctionsModel *model = m_panel->functionsModel();
    QCOMPARE(model->rowCount(), described.size());
    QStringList names;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QGbFunction &f = described.at(row);
        names.append(f.name());
        QCOMPARE(model->index(row, FunctionsModel::Name).data().toString(), f.name());
        QCOMPARE(model->index(row, FunctionsModel::Mode).data().toString(),
                 FunctionsModel::modeName(f.mode()));
        QCOMPARE(model->index(row, FunctionsModel::Signature).data().toString(), f.signature());
        QCOMPARE(model->index(row, FunctionsModel::Name).data(Qt::ToolTipRole).toString(), f.doc());
    }
    names.sort();
    QCOMPARE(names,
             (QStringList { u"count"_s, u"doubled"_s, u"greet"_s, u"parse_record"_s, u"slow"_s,
                            u"total"_s }));
    const auto modeOf = [&](const QString &name) {
        return model->function(model->rowOf(name)).mode();
    };
    QCOMPARE(modeOf(u"greet"_s), QGbFunction::Call);
    QCOMPARE(modeOf(u"count"_s), QGbFunction::ServerStream);
    QCOMPARE(modeOf(u"total"_s), QGbFunction::ClientStream);
    QCOMPARE(modeOf(u"doubled"_s), QGbFunction::Bidirectional);

    // The selected function's docstring and signature; its arguments' template.
    QVERIFY(m_panel->selectFunction(u"greet"_s));
    QCOMPARE(m_panel->currentFunction(), u"greet"_s);
    QVERIFY2(m_panel->docText().contains(u"Return a greeting for name."_s),
             qPrintable(m_panel->docText()));
    QVERIFY(m_panel->docText().contains(u"greet(name: str, punctuation: str = '!') -> str"_s));
    QCOMPARE(m_panel->argumentsEditor()->toPlainText(), u"[name, \"!\"]"_s);
    QVERIFY(m_panel->keywordArgumentsEditor()->text().isEmpty());
    QVERIFY(!m_panel->validationMessage().isEmpty()); // "name" is to be replaced
    QVERIFY(!m_panel->callButton()->isEnabled());
    QVERIFY(!m_panel->isInputShown());
    QVERIFY(!m_panel->isOutputShown());
    QVERIFY(m_panel->selectFunction(u"count"_s));
    QVERIFY(!m_panel->isInputShown());
    QVERIFY(m_panel->isOutputShown());
    QVERIFY(m_panel->selectFunction(u"doubled"_s));
    QVERIFY(m_panel->isInputShown());
    QVERIFY(m_panel->isOutputShown());
    QVERIFY(m_panel->selectFunction(u"slow"_s));
    QCOMPARE(m_panel->argumentsEditor()->toPlainText(), u"[60.0]"_s);
    QVERIFY(m_panel->validationMessage().isEmpty());
    QVERIFY(m_panel->callButton()->isEnabled());
    QVERIFY(m_panel->selectFunction(u"total"_s));
    QCOMPARE(m_panel->argumentsEditor()->toPlainText(), u"[]"_s);
    QVERIFY(m_panel->isInputShown());
    QVERIFY(!m_panel->isOutputShown());
    QVERIFY(!m_panel->selectFunction(u"nope"_s));
    QVERIFY(m_panel->statusText().contains(u"6 functions"_s));
}

void tst_InspectorLaunch::plainCallShowsItsResult()
{
    QVERIFY(readyPanel());
    QVERIFY(clickCall(u"greet"_s, u"[\"Ada\"]"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    QCOMPARE(m_panel->resultText(), u"\"Hello, Ada!\""_s);
    QVERIFY(m_panel->errorHeadline().isEmpty());
    QVERIFY(m_panel->callButton()->isEnabled());
    QVERIFY(!m_panel->cancelButton()->isEnabled());
    // A dict comes back as indented JSON.
    QVERIFY(clickCall(u"parse_record"_s, u"[\"id=7; name=Ada\"]"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    QVERIFY2(m_panel->resultText().contains(u"\"id\": 7"_s), qPrintable(m_panel->resultText()));
    QVERIFY(m_panel->resultText().contains(u"\"name\": \"Ada\""_s));
    // Too many arguments: the pool refuses them, and the panel says so.
    QVERIFY(clickCall(u"greet"_s, u"[\"Ada\", \"?\", 3]"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Failed);
    QCOMPARE(m_panel->lastError().code(), QGbError::BadArguments);
    QVERIFY(m_panel->errorHeadline().startsWith(u"BadArguments"_s));
}

void tst_InspectorLaunch::badJsonCallsNothing_data()
{
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("unterminated") << u"[\"Ada\""_s << u"Not JSON"_s;
    QTest::newRow("a name") << u"[name]"_s << u"illegal value at line 1"_s;
    QTest::newRow("second line") << u"[1,\n 2,,]"_s << u"line 2"_s;
    QTest::newRow("an object") << u"{\"name\": \"Ada\"}"_s << u"JSON array"_s;
}

void tst_InspectorLaunch::badJsonCallsNothing()
{
    QFETCH(QString, arguments);
    QFETCH(QString, message);
    QVERIFY(readyPanel());
    QVERIFY(m_panel->selectFunction(u"greet"_s));
    QSignalSpy finished(m_panel.get(), &LaunchPanel::callFinished);
    typeInto(m_panel->argumentsEditor(), arguments);
    QVERIFY2(m_panel->validationMessage().contains(message),
             qPrintable(m_panel->validationMessage()));
    QVERIFY(!m_panel->callButton()->isEnabled());
    m_panel->call(); // the slot itself checks too
    QCOMPARE(m_panel->outcome(), LaunchPanel::NoCall);
    QVERIFY(!m_panel->cancelButton()->isEnabled());
    QCoreApplication::processEvents();
    QCOMPARE(finished.size(), 0);
    // Fixed as one types: valid again, and callable.
    typeInto(m_panel->argumentsEditor(), u"[\"Ada\"]"_s);
    QVERIFY(m_panel->validationMessage().isEmpty());
    QVERIFY(m_panel->callButton()->isEnabled());
}

void tst_InspectorLaunch::generatorChunksArriveInOrder()
{
    QVERIFY(readyPanel());
    constexpr int N = 3000;
    QVERIFY(clickCall(u"count"_s, u"[%1]"_s.arg(N)));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    const QStringList lines = m_panel->chunkLog()->shownLines();
    QCOMPARE(lines.size(), N);
    for (int i = 0; i < N; ++i)
        QCOMPARE(lines.at(i), QString::number(i));
    QCOMPARE(m_panel->chunkLog()->itemCount(), N);
    QCOMPARE(m_panel->chunkLog()->hiddenCount(), 0);
    // A second call starts from an empty log.
    QVERIFY(clickCall(u"count"_s, u"[3]"_s));
    QCOMPARE(m_panel->chunkLog()->shownLines(), (QStringList { u"0"_s, u"1"_s, u"2"_s }));
}

void tst_InspectorLaunch::fastGeneratorIsCapped()
{
    QVERIFY(readyPanel());
    m_panel->chunkLog()->setMaxLines(100);
    QVERIFY(clickCall(u"count"_s, u"[50000]"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    const QStringList lines = m_panel->chunkLog()->shownLines();
    QCOMPARE(lines.size(), 100);
    QCOMPARE(lines.first(), u"0"_s);
    QCOMPARE(lines.last(), u"99"_s);
    QCOMPARE(m_panel->chunkLog()->itemCount(), 50000);
    QCOMPARE(m_panel->chunkLog()->hiddenCount(), 49900);
    QVERIFY2(m_panel->chunkLog()->noteText().contains(u"49900 more"_s),
             qPrintable(m_panel->chunkLog()->noteText()));
}

void tst_InspectorLaunch::clientStreamInputReachesTheFunction_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<qint64>("sum");
    QTest::newRow("a few") << u"1\n2\n3\n\n10"_s << qint64(16);
    QTest::newRow("none") << QString() << qint64(0);
    // More than a channel holds (4096): the rest goes as the worker reads.
    QString many;
    for (int i = 1; i <= 6000; ++i)
        many += QString::number(i) + u'\n';
    QTest::newRow("more than the channel holds") << many << qint64(6000 * 6001 / 2);
}

void tst_InspectorLaunch::clientStreamInputReachesTheFunction()
{
    QFETCH(QString, input);
    QFETCH(qint64, sum);
    QVERIFY(readyPanel());
    QVERIFY(m_panel->selectFunction(u"total"_s));
    // Typing 6000 lines key by key is slow: the editor's text is set.
    m_panel->inputEditor()->setPlainText(input);
    QVERIFY(clickCall(u"total"_s, u"[]"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    QCOMPARE(m_panel->resultText(), QString::number(sum));
}

void tst_InspectorLaunch::bidirectionalStream()
{
    QVERIFY(readyPanel());
    QVERIFY(clickCall(u"doubled"_s, u"[]"_s, u"1\n2\n3\n4\n5"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    QCOMPARE(m_panel->chunkLog()->shownLines(),
             (QStringList { u"2"_s, u"4"_s, u"6"_s, u"8"_s, u"10"_s }));
    // An input line that is not JSON: nothing is called.
    typeInto(m_panel->inputEditor(), u"1\noops"_s);
    QVERIFY(m_panel->validationMessage().contains(u"Input line 2"_s));
    QVERIFY(!m_panel->callButton()->isEnabled());
}

void tst_InspectorLaunch::keywordArgumentsReachTheFunction()
{
    QVERIFY(readyPanel());
    // The editor starts from the keyword-only parameter's default.
    QVERIFY(m_panel->selectFunction(u"parse_record"_s));
    QCOMPARE(m_panel->argumentsEditor()->toPlainText(), u"[text]"_s);
    QCOMPARE(m_panel->keywordArgumentsEditor()->text(), u"{\"sep\": \";\"}"_s);
    QVERIFY(clickCall(u"parse_record"_s, u"[\"id=7, name=Ada\"]"_s, QString(),
                      u"{\"sep\": \",\"}"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    QVERIFY2(m_panel->resultText().contains(u"\"id\": 7"_s), qPrintable(m_panel->resultText()));
    QVERIFY(m_panel->resultText().contains(u"\"name\": \"Ada\""_s));
    QVERIFY2(m_panel->validationMessage().isEmpty(), qPrintable(m_panel->validationMessage()));

    // Without them, the default: "," does not separate the fields.
    QVERIFY(clickCall(u"parse_record"_s, u"[\"id=7, name=Ada\"]"_s, QString(), u""_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Failed);
    QCOMPARE(m_panel->lastError().remoteType(), u"ValueError"_s);

    // A name the function does not take: the worker refuses the call.
    QVERIFY(clickCall(u"parse_record"_s, u"[\"id=7\"]"_s, QString(), u"{\"nope\": 1}"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Failed);
    QCOMPARE(m_panel->lastError().code(), QGbError::BadArguments);
    QVERIFY2(m_panel->errorHeadline().contains(u"nope"_s), qPrintable(m_panel->errorHeadline()));

    // Not an object: nothing is called.
    typeInto(m_panel->keywordArgumentsEditor(), u"[\",\"]"_s);
    QVERIFY2(m_panel->validationMessage().contains(u"JSON object"_s),
             qPrintable(m_panel->validationMessage()));
    QVERIFY(!m_panel->callButton()->isEnabled());
    QSignalSpy finished(m_panel.get(), &LaunchPanel::callFinished);
    m_panel->call();
    QCOMPARE(m_panel->outcome(), LaunchPanel::Failed); // the last call's, unchanged
    QVERIFY(!m_panel->cancelButton()->isEnabled());
    QCOMPARE(finished.count(), 0);

    // Another function gets its own (none), and its call goes through.
    QVERIFY(clickCall(u"greet"_s, u"[\"Ada\"]"_s));
    QVERIFY(m_panel->keywordArgumentsEditor()->text().isEmpty());
    QCOMPARE(m_panel->resultText(), u"\"Hello, Ada!\""_s);
    // Any parameter may be given by its name.
    QVERIFY(clickCall(u"greet"_s, u"[\"Ada\"]"_s, QString(), u"{\"punctuation\": \"?\"}"_s));
    QCOMPARE(m_panel->resultText(), u"\"Hello, Ada?\""_s);
}

void tst_InspectorLaunch::raisedExceptionShowsTypeAndTraceback()
{
    QVERIFY(readyPanel());
    QVERIFY(clickCall(u"parse_record"_s, u"[\"name=Ada\"]"_s));
    QCOMPARE(m_panel->outcome(), LaunchPanel::Failed);
    QCOMPARE(m_panel->lastError().code(), QGbError::RemoteException);
    QCOMPARE(m_panel->lastError().remoteType(), u"ValueError"_s);
    const QString headline = m_panel->errorHeadline();
    QVERIFY2(headline.contains(u"RemoteException"_s) && headline.contains(u"ValueError"_s)
                     && headline.contains(u"has no field 'id'"_s),
             qPrintable(headline));
    const QString traceback = m_panel->errorDetails();
    QVERIFY2(traceback.contains(u"Traceback"_s), qPrintable(traceback));
    QVERIFY(traceback.contains(u"launchworker.py"_s));
    QVERIFY(traceback.contains(u"in parse_record"_s));
    QVERIFY(traceback.contains(u"in _field"_s));
    QVERIFY(m_panel->resultText().isEmpty());
    // The next call clears the error.
    QVERIFY(clickCall(u"greet"_s, u"[\"Bob\", \"?\"]"_s));
    QCOMPARE(m_panel->resultText(), u"\"Hello, Bob?\""_s);
    QVERIFY(m_panel->errorHeadline().isEmpty());
}

void tst_InspectorLaunch::cancelEndsTheCallAndThePanelIsUsable()
{
    QVERIFY(readyPanel());
    QSignalSpy exited(m_pool.get(), &QGbPool::workerExited);
    QSignalSpy finished(m_panel.get(), &LaunchPanel::callFinished);
    QVERIFY(m_panel->selectFunction(u"slow"_s));
    QTest::mouseClick(m_panel->callButton(), Qt::LeftButton);
    QCOMPARE(m_panel->outcome(), LaunchPanel::Running);
    QVERIFY(!m_panel->callButton()->isEnabled());
    QVERIFY(m_panel->cancelButton()->isEnabled());
    QTest::qWait(200); // let it reach the worker (cancelling before works as well)
    QCOMPARE(finished.size(), 0);
    QTest::mouseClick(m_panel->cancelButton(), Qt::LeftButton);
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<LaunchPanel::Outcome>(), LaunchPanel::Cancelled);
    QCOMPARE(m_panel->lastError().code(), QGbError::Cancelled);
    QVERIFY(m_panel->errorHeadline().startsWith(u"Cancelled"_s));
    QVERIFY(m_panel->callButton()->isEnabled());
    QVERIFY(!m_panel->cancelButton()->isEnabled());
    // The worker was interrupted, not killed (the grace period is 10 s in
    // testOptions()): the next call runs on it.
    const auto grace = int(m_pool->options().cancelGracePeriod().count());
    QVERIFY(m_panel->selectFunction(u"greet"_s));
    typeInto(m_panel->argumentsEditor(), u"[\"again\"]"_s);
    QTest::mouseClick(m_panel->callButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, grace);
    QCOMPARE(m_panel->outcome(), LaunchPanel::Succeeded);
    QCOMPARE(m_panel->resultText(), u"\"Hello, again!\""_s);
    QCOMPARE(exited.size(), 0);
}

void tst_InspectorLaunch::scriptThatDoesNotStart_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("python");
    QTest::addColumn<QString>("details");
    QTest::newRow("syntax error") << u"syntax.py"_s << QString() << u"SyntaxError"_s;
    QTest::newRow("missing file") << u"missing.py"_s << QString() << u"No such file"_s;
    QTest::newRow("no python") << u"syntax.py"_s << u"/nonexistent/python3"_s << QString();
}

void tst_InspectorLaunch::scriptThatDoesNotStart()
{
    QFETCH(QString, script);
    QFETCH(QString, python);
    QFETCH(QString, details);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile syntax(dir.filePath(u"syntax.py"_s));
    QVERIFY(syntax.open(QIODevice::WriteOnly));
    syntax.write("from gobridge import gobridge, run\n\n@gobridge\ndef broken(:\n    pass\n");
    syntax.close();

    QGbPoolOptions options = testOptions(1);
    options.setRestartLimit(2, std::chrono::seconds(30));
    if (!python.isEmpty())
        options.setPythonExecutable(python);
    m_panel->setPool(nullptr);
    m_pool = std::make_unique<QGbPool>(dir.filePath(script), options);
    QSignalSpy status(m_panel.get(), &LaunchPanel::poolStatusChanged);
    m_panel->setPool(m_pool.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->poolStatus(), LaunchPanel::StartFailed, 20000);
    QVERIFY2(m_panel->statusText().contains(u"did not start"_s), qPrintable(m_panel->statusText()));
    QVERIFY(m_panel->errorHeadline().startsWith(u"The script did not start"_s));
    if (!details.isEmpty())
        QTRY_VERIFY2(m_panel->errorDetails().contains(details),
                     qPrintable(m_panel->errorDetails()));
    else
        QVERIFY2(m_panel->errorHeadline().contains(u"/nonexistent/python3"_s),
                 qPrintable(m_panel->errorHeadline()));
    QCOMPARE(m_panel->functionsModel()->rowCount(), 0);
    QVERIFY(!m_panel->callButton()->isEnabled());
    // Once the pool gives up, the panel offers to try again.
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->findChild<QPushButton *>(u"restart"_s)->isVisible(), 20000);
    QCOMPARE(m_pool->workerStates(), QList<QGbPool::WorkerState> { QGbPool::WorkerState::Failed });
}

void tst_InspectorLaunch::restartAfterTheScriptIsFixed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"fixme.py"_s);
    QFile script(path);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("from gobridge import gobridge, run\n\n@gobridge\ndef answer(:\n    return 42\n");
    script.close();
    QGbPoolOptions options = testOptions(1);
    options.setRestartLimit(1, std::chrono::seconds(30));
    m_panel->setPool(nullptr);
    m_pool = std::make_unique<QGbPool>(path, options);
    m_panel->setPool(m_pool.get());
    auto *restart = m_panel->findChild<QPushButton *>(u"restart"_s);
    QTRY_VERIFY_WITH_TIMEOUT(restart->isVisible(), 20000);
    QCOMPARE(m_panel->poolStatus(), LaunchPanel::StartFailed);
    QVERIFY(m_panel->errorDetails().contains(u"SyntaxError"_s));

    QVERIFY(script.open(QIODevice::WriteOnly | QIODevice::Truncate));
    script.write("from gobridge import gobridge, run\n\n@gobridge\ndef answer():\n"
                 "    \"\"\"The answer.\"\"\"\n    return 42\n\nrun()\n");
    script.close();
    QTest::mouseClick(restart, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->poolStatus(), LaunchPanel::Ready, 20000);
    QVERIFY(!restart->isVisible());
    QVERIFY(m_panel->errorHeadline().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->functionsModel()->rowCount(), 1, 20000);
    QVERIFY(clickCall(u"answer"_s, u"[]"_s));
    QCOMPARE(m_panel->resultText(), u"42"_s);
}

void tst_InspectorLaunch::launchedPoolIsInspected()
{
    // What gobridge-inspector worker.py does: an inspectable pool of its own,
    // the panel in the window, the window attached to its own process.
    m_panel.reset();
    m_pool = std::make_unique<QGbPool>(launchWorker(), testOptions(1).setInspectable(true));
    MainWindow window;
    auto *panel = new LaunchPanel;
    panel->setPool(m_pool.get());
    window.addLaunchPanel(panel);
    window.show();
    window.attachTo(QString::number(QCoreApplication::applicationPid()));
    QTRY_COMPARE_WITH_TIMEOUT(window.mode(), MainWindow::Live, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(panel->functionsModel()->rowCount(), 6, 20000);
    QVERIFY(panel->isVisible());

    QVERIFY(panel->selectFunction(u"count"_s));
    panel->argumentsEditor()->setPlainText(u"[5]"_s);
    QSignalSpy finished(panel, &LaunchPanel::callFinished);
    QTest::mouseClick(panel->callButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    QCOMPARE(panel->chunkLog()->itemCount(), 5);
    // The call appears in the window's Calls, with its five items.
    const CallsModel *calls = window.callsModel();
    auto countRow = [calls] {
        for (int row = 0; row < calls->rowCount(); ++row) {
            if (calls->index(row, CallsModel::Method).data().toString() == "count"_L1
                && !calls->index(row, CallsModel::Outcome).data().toString().isEmpty())
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(countRow() >= 0, 10000);
    QCOMPARE(calls->index(countRow(), CallsModel::ItemsOut).data().toInt(), 5);
    QCOMPARE(calls->index(countRow(), CallsModel::Outcome).data().toString(), u"Ok"_s);
    // The window goes before the pool, as in gobridge-inspector.
}

void tst_InspectorLaunch::commandLine_data()
{
    // What the inspector says when it saved the picture: the panel's headline.
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("said");
    QTest::newRow("a call that raises")
            << QStringList { launchWorker(), u"--launch-call"_s, u"parse_record"_s,
                             u"--launch-args"_s, u"[\"name=Ada\"]"_s }
            << u"saved: RemoteException \\(ValueError\\): record 'name=Ada' has no field 'id'$"_s;
    QTest::newRow("a call that returns")
            << QStringList { launchWorker(), u"--launch-call"_s, u"greet"_s, u"--launch-args"_s,
                             u"[\"Ada\"]"_s }
            << u"saved: $"_s;
    QTest::newRow("keyword arguments")
            << QStringList { launchWorker(),
                             u"--launch-call"_s,
                             u"parse_record"_s,
                             u"--launch-args"_s,
                             u"[\"name=Ada, born=1815\"]"_s,
                             u"--launch-kwargs"_s,
                             u"{\"sep\": \",\"}"_s }
            << u"saved: RemoteException \\(ValueError\\): record 'name=Ada, born=1815' has no "
               u"field 'id'$"_s;
    QTest::newRow("no such script") << QStringList { m_runtime.filePath(u"missing.py"_s) }
                                    << u"saved: The script did not start: .*code 2"_s;
    QTest::newRow("no such python")
            << QStringList { launchWorker(), u"--python"_s, u"/nonexistent/python3"_s }
            << u"saved: The script did not start: .*cannot run /nonexistent/python3"_s;
}

void tst_InspectorLaunch::commandLine()
{
    // gobridge-inspector worker.py: its own pool, the window with the panel;
    // the hidden options make a call and save a picture of the panel.
    QFETCH(QStringList, arguments);
    QFETCH(QString, said);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString picture = dir.filePath(u"launch.png"_s);
    QProcess inspector;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    environment.insert(u"QGOBRIDGE_PYTHON_DIR"_s, QStringLiteral(QGB_PYTHON_DIR));
    inspector.setProcessEnvironment(environment);
    inspector.start(QStringLiteral(QGB_INSPECTOR_EXE),
                    arguments + QStringList { u"--screenshot-launch"_s, picture });
    QVERIFY(inspector.waitForFinished(60000));
    const QString err = QString::fromUtf8(inspector.readAllStandardError());
    QCOMPARE(inspector.exitStatus(), QProcess::NormalExit);
    QVERIFY2(inspector.exitCode() == 0, qPrintable(err));
    const QRegularExpression line(u"^gobridge-inspector: screenshot "_s + said,
                                  QRegularExpression::MultilineOption);
    QVERIFY2(line.match(err).hasMatch(), qPrintable(err));
    QVERIFY(QFileInfo(picture).size() > 0);
}

QTEST_MAIN(tst_InspectorLaunch)
#include "tst_inspectorlaunch.moc"
