// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgblogrecord.h"

#include <QtCore/qdebug.h>

class QGbLogRecordPrivate : public QSharedData
{
public:
    int level = QGbLogRecord::Info;
    QString loggerName = QStringLiteral("root");
    QString message;
    QString exceptionText;
    int worker = -1;
    qint64 callId = 0;
    QString method;
    QString fileName;
    int line = 0;
    QString function;
    QString threadName;
    QDateTime time;
};

/*!
    \class QGbLogRecord
    \inmodule QGobridge
    \brief The QGbLogRecord class is a Python \c logging record from a worker.

    A worker started by QGbPool sends the records its Python loggers let
    through to the application: QGbPool::logRecord() reports each one, and
    by default the pool also writes it to the Qt logging category
    categoryName(), \c{qgobridge.python.}\e{logger}, at the level
    messageType() maps to (see QGbPoolOptions::setCategoryLoggingEnabled()).
    So \c QT_LOGGING_RULES filters them like any Qt category:

    \badcode
    QT_LOGGING_RULES="qgobridge.python.*.debug=false;qgobridge.python.myapp.debug=true"
    \endcode

    A record logged by a thread that runs a call carries the call's id and
    method (callId(), method()) and arrives before the call's result; other
    records have a callId() of 0. Which records exist is decided in Python by
    the loggers' levels; QGbPoolOptions::setPythonLogLevel() sets the root
    logger's. \c print() output is not a record: it stays on the workers'
    standard output (QGbPool::workerOutput()).

    QGbLogRecord is an implicitly shared value type.
*/

/*!
    \property QGbLogRecord::level
    \brief the Python level number; see level().
*/

/*!
    \property QGbLogRecord::levelName
    \brief the name Python gives the level; see levelName().
*/

/*!
    \property QGbLogRecord::loggerName
    \brief the Python logger's name; see loggerName().
*/

/*!
    \property QGbLogRecord::message
    \brief the formatted message; see message().
*/

/*!
    \property QGbLogRecord::exceptionText
    \brief the traceback logged with the record; see exceptionText().
*/

/*!
    \property QGbLogRecord::worker
    \brief the index of the worker that logged the record; see worker().
*/

/*!
    \property QGbLogRecord::callId
    \brief the id of the call that logged the record; see callId().
*/

/*!
    \property QGbLogRecord::method
    \brief the method of the call that logged the record; see method().
*/

/*!
    \property QGbLogRecord::fileName
    \brief the Python source file; see fileName().
*/

/*!
    \property QGbLogRecord::line
    \brief the line in the source file; see line().
*/

/*!
    \property QGbLogRecord::function
    \brief the Python function; see function().
*/

/*!
    \property QGbLogRecord::threadName
    \brief the name of the Python thread; see threadName().
*/

/*!
    \property QGbLogRecord::time
    \brief when the record was logged; see time().
*/

/*!
    \enum QGbLogRecord::Level

    Python's level numbers. A record may carry another number: Python allows
    custom levels.

    \value Debug \c logging.DEBUG (10)
    \value Info \c logging.INFO (20)
    \value Warning \c logging.WARNING (30)
    \value Error \c logging.ERROR (40)
    \value Critical \c logging.CRITICAL (50)
*/

/*!
    Constructs an empty record: level Info, logger \c root, no worker.
*/
QGbLogRecord::QGbLogRecord()
    : d(new QGbLogRecordPrivate)
{
}

/*!
    Constructs a copy of \a other.
*/
QGbLogRecord::QGbLogRecord(const QGbLogRecord &other) = default;

/*!
    Move-constructs a record from \a other.
*/
QGbLogRecord::QGbLogRecord(QGbLogRecord &&other) noexcept = default;

/*!
    Assigns \a other to this record.
*/
QGbLogRecord &QGbLogRecord::operator=(const QGbLogRecord &other) = default;

/*!
    Move-assigns \a other to this record.
*/
QGbLogRecord &QGbLogRecord::operator=(QGbLogRecord &&other) noexcept = default;

/*!
    Destroys the record.
*/
QGbLogRecord::~QGbLogRecord() = default;

/*!
    \fn void QGbLogRecord::swap(QGbLogRecord &other)
    Swaps this record with \a other.
*/

/*!
    Returns the record's Python level number, such as 30 for \c WARNING.
*/
int QGbLogRecord::level() const
{
    return d->level;
}

/*!
    Sets the level to \a level.
*/
void QGbLogRecord::setLevel(int level)
{
    d->level = level;
}

/*!
    Returns the name Python gives the level: \c DEBUG, \c INFO, \c WARNING,
    \c ERROR, \c CRITICAL, or \c{Level }\e{N} for a custom level.
*/
QString QGbLogRecord::levelName() const
{
    switch (d->level) {
    case Debug:
        return QStringLiteral("DEBUG");
    case Info:
        return QStringLiteral("INFO");
    case Warning:
        return QStringLiteral("WARNING");
    case Error:
        return QStringLiteral("ERROR");
    case Critical:
        return QStringLiteral("CRITICAL");
    default:
        return QStringLiteral("Level %1").arg(d->level);
    }
}

/*!
    Returns the Qt message type of the record's level: QtDebugMsg below
    Info, QtInfoMsg below Warning, QtWarningMsg below Error and QtCriticalMsg
    from Error up. Never QtFatalMsg: a Python record does not end the
    application.
*/
QtMsgType QGbLogRecord::messageType() const
{
    if (d->level < Info)
        return QtDebugMsg;
    if (d->level < Warning)
        return QtInfoMsg;
    if (d->level < Error)
        return QtWarningMsg;
    return QtCriticalMsg;
}

/*!
    Returns the name of the Python logger, \c root for the root logger.
*/
QString QGbLogRecord::loggerName() const
{
    return d->loggerName;
}

/*!
    Sets the logger's name to \a name.
*/
void QGbLogRecord::setLoggerName(const QString &name)
{
    d->loggerName = name;
}

/*!
    Returns the Qt logging category the pool writes the record to:
    \c{qgobridge.python.}\e{loggerName}.
*/
QString QGbLogRecord::categoryName() const
{
    return QLatin1String("qgobridge.python.") + d->loggerName;
}

/*!
    Returns the formatted message (Python's \c{record.getMessage()}).
*/
QString QGbLogRecord::message() const
{
    return d->message;
}

/*!
    Sets the message to \a message.
*/
void QGbLogRecord::setMessage(const QString &message)
{
    d->message = message;
}

/*!
    Returns the traceback of the exception logged with the record
    (\c{logger.exception()}, \c{exc_info}) and its stack (\c{stack_info}),
    or an empty string.
*/
QString QGbLogRecord::exceptionText() const
{
    return d->exceptionText;
}

/*!
    Sets the exception text to \a text.
*/
void QGbLogRecord::setExceptionText(const QString &text)
{
    d->exceptionText = text;
}

/*!
    Returns the index of the worker that logged the record, or -1.
*/
int QGbLogRecord::worker() const
{
    return d->worker;
}

/*!
    Sets the worker's index to \a worker.
*/
void QGbLogRecord::setWorker(int worker)
{
    d->worker = worker;
}

/*!
    Returns the id of the call whose thread logged the record, or 0 if no
    call did.

    Ids are unique per connection to a worker, not per pool: use them to
    tell a call's records apart from another's while both run.
*/
qint64 QGbLogRecord::callId() const
{
    return d->callId;
}

/*!
    Returns the method of the call that logged the record, or an empty string.
*/
QString QGbLogRecord::method() const
{
    return d->method;
}

/*!
    Sets the call that logged the record to the call \a id of \a method.
*/
void QGbLogRecord::setCall(qint64 id, const QString &method)
{
    d->callId = id;
    d->method = method;
}

/*!
    Returns the Python source file the record was logged in.
*/
QString QGbLogRecord::fileName() const
{
    return d->fileName;
}

/*!
    Returns the line in fileName() the record was logged at, or 0.
*/
int QGbLogRecord::line() const
{
    return d->line;
}

/*!
    Returns the Python function the record was logged in.
*/
QString QGbLogRecord::function() const
{
    return d->function;
}

/*!
    Sets where the record was logged: \a line of \a fileName, in \a function.
*/
void QGbLogRecord::setLocation(const QString &fileName, int line, const QString &function)
{
    d->fileName = fileName;
    d->line = line;
    d->function = function;
}

/*!
    Returns the name of the Python thread that logged the record.
*/
QString QGbLogRecord::threadName() const
{
    return d->threadName;
}

/*!
    Sets the thread's name to \a name.
*/
void QGbLogRecord::setThreadName(const QString &name)
{
    d->threadName = name;
}

/*!
    Returns when the record was logged, by the worker's clock; invalid if not
    known.
*/
QDateTime QGbLogRecord::time() const
{
    return d->time;
}

/*!
    Sets the time the record was logged to \a time.
*/
void QGbLogRecord::setTime(const QDateTime &time)
{
    d->time = time;
}

/*!
    \relates QGbLogRecord
    Writes \a record to \a debug and returns the stream.
*/
QDebug operator<<(QDebug debug, const QGbLogRecord &record)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "QGbLogRecord(" << record.levelName() << ", " << record.loggerName() << ", "
                    << record.message();
    if (record.worker() >= 0)
        debug << ", worker " << record.worker();
    if (record.callId() > 0)
        debug << ", call " << record.callId() << ' ' << record.method();
    debug << ')';
    return debug;
}
