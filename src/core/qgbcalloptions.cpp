// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbcalloptions.h"

class QGbCallOptionsPrivate : public QSharedData
{
public:
    std::chrono::milliseconds timeout { -1 };
    QVariantMap keywordArguments;
};

/*!
    \class QGbCallOptions
    \inmodule QGobridge
    \brief The QGbCallOptions class configures one call.

    Pass it as the first argument of QGbPool::call(), QGbPool::stream() or
    QGbPool::invoke():

    \code
    QFuture<int> f = pool.call<int>(QGbCallOptions().setTimeout(2s), "slow_compute", 1000000000);
    \endcode
*/

/*!
    Constructs options with no timeout of their own: the pool's
    QGbPoolOptions::callTimeout() applies.
*/
QGbCallOptions::QGbCallOptions()
    : d(new QGbCallOptionsPrivate)
{
}

/*!
    Constructs a copy of \a other.
*/
QGbCallOptions::QGbCallOptions(const QGbCallOptions &other) = default;

/*!
    Move-constructs options from \a other.
*/
QGbCallOptions::QGbCallOptions(QGbCallOptions &&other) noexcept = default;

/*!
    Assigns \a other to these options and returns a reference to them.
*/
QGbCallOptions &QGbCallOptions::operator=(const QGbCallOptions &other) = default;

/*!
    Move-assigns \a other to these options and returns a reference to them.
*/
QGbCallOptions &QGbCallOptions::operator=(QGbCallOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
QGbCallOptions::~QGbCallOptions() = default;

/*!
    \fn void QGbCallOptions::swap(QGbCallOptions &other)
    Swaps these options with \a other. This operation is very fast and never fails.
*/

/*!
    Returns the call's timeout; negative if none was set, in which case the
    pool's QGbPoolOptions::callTimeout() applies.
*/
std::chrono::milliseconds QGbCallOptions::timeout() const
{
    return d->timeout;
}

/*!
    Returns \c true if setTimeout() was called.
*/
bool QGbCallOptions::hasTimeout() const
{
    return d->timeout.count() >= 0;
}

/*!
    Sets the call's timeout to \a timeout, counted from the moment the call is
    made (time waiting for a free connection counts). A call that has not
    finished by then fails with QGbError::DeadlineExceeded and is cancelled in
    the worker, as QFuture::cancel() would. Zero means no timeout, even if the
    pool has a default.
*/
QGbCallOptions &QGbCallOptions::setTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = std::max(timeout, std::chrono::milliseconds(0));
    return *this;
}

/*!
    Returns the keyword arguments of the call; empty (the default) for none.
    \sa setKeywordArguments()
*/
QVariantMap QGbCallOptions::keywordArguments() const
{
    return d->keywordArguments;
}

/*!
    Sets the call's keyword arguments to \a arguments: the Python function
    runs as \c{function(*args, **arguments)}, so a keyword-only parameter or
    one after parameters left to their defaults can be given:

    \code
    // def resize(image: bytes, *, width: int, height: int = 0) -> bytes
    QFuture<QByteArray> f = pool.call<QByteArray>(
            QGbCallOptions().setKeywordArguments({ { "width", 640 } }), "resize", png);
    \endcode

    The values convert as positional arguments do (QGb::toWire()); one that
    cannot fails the call with QGbError::TypeMismatch naming
    \c{kwargs.<name>}. A name the function does not take fails it with
    QGbError::BadArguments, as in Python. A QGbChannel cannot be a keyword
    argument (QGbError::BadArguments). A worker whose \c gobridge package
    predates keyword arguments (a served worker of an older release) would
    ignore them: the pool fails such a call with QGbError::BadArguments
    instead of sending it there.
*/
QGbCallOptions &QGbCallOptions::setKeywordArguments(const QVariantMap &arguments)
{
    d->keywordArguments = arguments;
    return *this;
}
