// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgberror.h"
#include "qgberror_p.h"

#include <QtCore/qdebug.h>
#include <QtCore/qmetaobject.h>

/*!
    \class QGbError
    \inmodule QGobridge
    \brief The QGbError class describes why a call to a Python worker failed.

    Every call made through QGbPool ends exactly once: with a result, or with a
    QGbError. The error carries a code(), a human-readable errorString() and,
    for exceptions raised by the Python function (\l RemoteException), the
    Python type name in remoteType() and the formatted traceback in
    remoteTraceback().

    A QFuture returned by QGbPool fails with a QGbException that carries the
    QGbError; QGbCall emits it with QGbCall::errorOccurred().

    QGbError is implicitly shared, and a Q_GADGET: its properties can be read
    through QMetaType, for example from QML.
*/

/*!
    \property QGbError::code
    \brief the error code.
*/

/*!
    \property QGbError::errorString
    \brief a human-readable description of the error.
*/

/*!
    \property QGbError::remoteType
    \brief the Python type name of the exception, for \l RemoteException.
*/

/*!
    \property QGbError::remoteTraceback
    \brief the formatted Python traceback, for \l RemoteException.
*/

/*!
    \property QGbError::retriable
    \brief whether the same call may succeed when made again.
    \sa isRetriable()
*/

/*!
    \enum QGbError::Code

    \value NoError No error occurred.
    \value RemoteException The Python function raised an exception.
    \value Cancelled The call was cancelled by the caller.
    \value DeadlineExceeded The call did not finish before its deadline.
    \value WorkerCrashed The worker process running the call died, or was
           killed because it stopped answering. The call may be retried.
    \value UnknownMethod No function of that name is exposed with \c @gobridge.
    \value BadArguments The arguments do not match the function's signature,
           or the call mode does not match the function (for example calling a
           generator function with QGbPool::call()).
    \value TypeMismatch A value cannot be carried across: not representable in
           JSON (NaN, Infinity, integers beyond 64 bits, unsupported types), or
           not convertible to the requested C++ type. The error string names
           the path of the value and its type.
    \value ProtocolError The peer broke the wire protocol; the connection was closed.
    \value FrameTooLarge A message exceeded the maximum frame size.
    \value PoolClosed The pool was closed or destroyed before the call finished.
    \value QueueFull Too many calls are waiting for a free connection.
    \value Unauthorized The worker refused the connection's handshake.
    \value WorkerStartFailed The Python worker could not be started.
    \value WouldDeadlock The caller blocked on the call in the pool's own
           I/O thread, which the call needs to finish: for example a
           continuation attached with QFuture::then() without a context object
           (it runs in the I/O thread) that waits for another call. The call
           fails at once instead of hanging the pool.
*/

/*!
    Constructs an error with the code \l NoError: isError() returns \c false.
*/
QGbError::QGbError()
    : d(new QGbErrorPrivate)
{
}

/*!
    Constructs an error with \a code and \a errorString. If \a errorString is
    empty, a generic description of \a code is used.
*/
QGbError::QGbError(Code code, const QString &errorString)
    : d(new QGbErrorPrivate)
{
    d->code = code;
    d->errorString = errorString;
}

/*!
    Constructs a copy of \a other.
*/
QGbError::QGbError(const QGbError &other) = default;

/*!
    Move-constructs an error from \a other.
*/
QGbError::QGbError(QGbError &&other) noexcept = default;

/*!
    Assigns \a other to this error and returns a reference to it.
*/
QGbError &QGbError::operator=(const QGbError &other) = default;

/*!
    Move-assigns \a other to this error and returns a reference to it.
*/
QGbError &QGbError::operator=(QGbError &&other) noexcept = default;

/*!
    Destroys the error.
*/
QGbError::~QGbError() = default;

/*!
    \fn void QGbError::swap(QGbError &other)
    Swaps this error with \a other. This operation is very fast and never fails.
*/

/*!
    \fn bool QGbError::isError() const
    Returns \c true if code() is not \l NoError.
*/

/*!
    Returns the error code.
*/
QGbError::Code QGbError::code() const
{
    return d->code;
}

/*!
    Returns a human-readable description of the error. For \l RemoteException
    it is the Python exception's message.
*/
QString QGbError::errorString() const
{
    if (!d->errorString.isEmpty())
        return d->errorString;
    switch (d->code) {
    case NoError:
        return QString();
    case RemoteException:
        return QStringLiteral("The Python function raised an exception");
    case Cancelled:
        return QStringLiteral("The call was cancelled");
    case DeadlineExceeded:
        return QStringLiteral("The call did not finish before its deadline");
    case WorkerCrashed:
        return QStringLiteral("The worker process running the call died");
    case UnknownMethod:
        return QStringLiteral("No such function is exposed by the worker");
    case BadArguments:
        return QStringLiteral("The arguments do not match the function");
    case TypeMismatch:
        return QStringLiteral("A value cannot be converted");
    case ProtocolError:
        return QStringLiteral("The peer broke the wire protocol");
    case FrameTooLarge:
        return QStringLiteral("A message exceeded the maximum frame size");
    case PoolClosed:
        return QStringLiteral("The pool is closed");
    case QueueFull:
        return QStringLiteral("Too many calls are waiting for a connection");
    case Unauthorized:
        return QStringLiteral("The worker refused the handshake");
    case WorkerStartFailed:
        return QStringLiteral("The Python worker could not be started");
    case WouldDeadlock:
        return QStringLiteral("Waiting for the call in the pool's I/O thread would deadlock");
    }
    return QString();
}

/*!
    Returns the Python type name of the exception for \l RemoteException
    (for example \c ValueError or \c mymodule.MyError), otherwise an empty string.
*/
QString QGbError::remoteType() const
{
    return d->remoteType;
}

/*!
    Returns the formatted Python traceback for \l RemoteException, otherwise an
    empty string.
*/
QString QGbError::remoteTraceback() const
{
    return d->remoteTraceback;
}

/*!
    Returns \c true if the same call may succeed when made again: the error was
    caused by the worker or the pool's state (\l WorkerCrashed, \l QueueFull),
    not by the call itself.
*/
bool QGbError::isRetriable() const
{
    return d->code == WorkerCrashed || d->code == QueueFull;
}

/*!
    Sets the Python exception type name to \a type.
*/
void QGbError::setRemoteType(const QString &type)
{
    d->remoteType = type;
}

/*!
    Sets the Python traceback to \a traceback.
*/
void QGbError::setRemoteTraceback(const QString &traceback)
{
    d->remoteTraceback = traceback;
}

/*!
    Returns the name of \a code as used on the wire, for example \c "WorkerCrashed".
*/
QString QGbError::codeName(Code code)
{
    const QMetaEnum e = QMetaEnum::fromType<Code>();
    return QString::fromLatin1(e.valueToKey(code));
}

/*!
    Returns the code named \a name on the wire. An unknown name maps to
    \l ProtocolError.
*/
QGbError::Code QGbError::codeFromName(QStringView name)
{
    const QMetaEnum e = QMetaEnum::fromType<Code>();
    bool ok = false;
    const int value = e.keyToValue(name.toLatin1().constData(), &ok);
    return ok ? Code(value) : ProtocolError;
}

/*!
    Returns \c true if this error and \a other have the same code, error string,
    remote type and traceback.
*/
bool QGbError::operator==(const QGbError &other) const
{
    return d == other.d
            || (d->code == other.d->code && d->errorString == other.d->errorString
                && d->remoteType == other.d->remoteType
                && d->remoteTraceback == other.d->remoteTraceback);
}

/*!
    \fn bool QGbError::operator!=(const QGbError &other) const
    Returns \c true if this error and \a other differ in code, error string,
    remote type or traceback.
*/

/*!
    \relates QGbError
    Writes \a error to \a debug: its code name, its error string and, for
    \l{QGbError::}{RemoteException}, the Python type. Returns \a debug.
*/
QDebug operator<<(QDebug debug, const QGbError &error)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "QGbError(" << QGbError::codeName(error.code());
    if (error.isError())
        debug << ", " << error.errorString();
    if (!error.remoteType().isEmpty())
        debug << ", " << error.remoteType();
    debug << ')';
    return debug;
}

/*!
    \class QGbException
    \inmodule QGobridge
    \brief The QGbException class carries a QGbError through a QFuture.

    A QFuture returned by QGbPool that fails throws a QGbException from
    QFuture::result() and passes it to QFuture::onFailed() handlers:

    \code
    pool.call<int>("divide", 1, 0).onFailed([](const QGbException &e) {
        qWarning() << e.error().remoteType() << e.error().errorString();
        return -1;
    });
    \endcode
*/

/*!
    Constructs an exception carrying \a error.
*/
QGbException::QGbException(const QGbError &error)
    : m_error(error)
    , m_what(QStringLiteral("%1: %2")
                     .arg(QGbError::codeName(error.code()), error.errorString())
                     .toUtf8())
{
}

/*!
    Destroys the exception.
*/
QGbException::~QGbException() = default;

/*!
    \fn QGbError QGbException::error() const
    Returns the error this exception carries.
*/

/*!
    Returns the code name and error string of error(), as UTF-8, for example
    \c{"RemoteException: division by zero"}.
*/
const char *QGbException::what() const noexcept
{
    return m_what.constData();
}

/*!
    Throws a copy of this exception. QFuture uses it to rethrow the
    exception in the thread that reads the result.
*/
void QGbException::raise() const
{
    throw *this;
}

/*!
    Returns a new copy of this exception; the caller owns it. QFuture uses it
    to store the exception.
*/
QGbException *QGbException::clone() const
{
    return new QGbException(*this);
}
