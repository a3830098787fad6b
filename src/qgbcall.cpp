// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbcall.h"
#include "qgbcall_p.h"

QGbCallObjectSink::QGbCallObjectSink(QGbCallRelay *relay)
    : m_relay(relay)
{
    m_interface.reportStarted();
}

QGbCallObjectSink::~QGbCallObjectSink()
{
    // The relay lives in the pool's I/O thread, where the sink is destroyed.
    delete m_relay;
}

bool QGbCallObjectSink::deliverItems(const QVariantList &items, QGbError *)
{
    // Stream items go to the signals only: a QFuture would keep every item of
    // an endless stream. The pool credits the worker as the QGbCall's
    // receivers take them, which bounds memory.
    emit m_relay->chunks(items);
    return true;
}

bool QGbCallObjectSink::deliverResult(const QVariant &value, QGbError *)
{
    m_interface.reportResult(value);
    emit m_relay->result(value);
    return true;
}

void QGbCallObjectSink::deliverError(const QGbError &error)
{
    CallSink::deliverError(error);
    emit m_relay->error(error);
}

void QGbCallObjectSink::deliverFinished()
{
    if (!m_interface.isFinished())
        m_interface.reportFinished();
    if (!m_done) {
        m_done = true;
        emit m_relay->done();
    }
}

/*!
    \class QGbCall
    \inmodule QGobridge
    \brief The QGbCall class is a handle on one call started with QGbPool::invoke().

    QGbCall reports a call with signals, in the thread it lives in (the thread
    that called QGbPool::invoke()): chunkReceived() for each item of a stream,
    resultReady() for the result of a plain call, errorOccurred() if the call
    failed, and finished() exactly once at the end, whatever the outcome.

    \code
    QGbCall *call = pool.invoke("range_gen", {1, 6});
    connect(call, &QGbCall::chunkReceived, [](const QVariant &v) { qDebug() << v; });
    connect(call, &QGbCall::finished, call, &QObject::deleteLater);
    \endcode

    The caller owns the QGbCall. Deleting it before it finished cancels the
    call, as cancel() does. Values are the untyped wire values: qint64, double,
    bool, QString, QByteArray, QVariantList, QVariantMap and null.
*/

/*!
    \fn void QGbCall::chunkReceived(const QVariant &chunk)
    This signal is emitted for each item \a chunk a Python generator yields.
*/

/*!
    \fn void QGbCall::chunksReceived(const QVariantList &chunks)
    This signal is emitted with each batch of items \a chunks, before the
    chunkReceived() signals for the same items. Connect to it rather than to
    chunkReceived() when a stream carries many small items.
*/

/*!
    \fn void QGbCall::resultReady(const QVariant &result)
    This signal is emitted with the \a result of a plain call or a client stream.
*/

/*!
    \fn void QGbCall::errorOccurred(const QGbError &error)
    This signal is emitted when the call fails with \a error, or at once when it is cancelled.
*/

/*!
    \fn void QGbCall::finished()
    This signal is emitted exactly once, when the call has ended: after
    resultReady(), after the last chunkReceived() of a stream, or after errorOccurred().
*/

QGbCall::QGbCall(const QString &method, QObject *parent)
    : QObject(parent)
    , d_ptr(new QGbCallPrivate)
{
    d_ptr->method = method;
}

/*!
    Destroys the call handle, cancelling the call if it has not finished.
*/
QGbCall::~QGbCall()
{
    Q_D(QGbCall);
    if (!d->finished)
        d->future.cancel();
}

/*!
    Returns the name of the Python function called.
*/
QString QGbCall::method() const
{
    Q_D(const QGbCall);
    return d->method;
}

/*!
    Returns \c true once finished() was emitted.
*/
bool QGbCall::isFinished() const
{
    Q_D(const QGbCall);
    return d->finished;
}

/*!
    Returns the result of a plain call once resultReady() was emitted, otherwise
    an invalid QVariant.
*/
QVariant QGbCall::result() const
{
    Q_D(const QGbCall);
    return d->result;
}

/*!
    Returns the error the call failed with; its code is QGbError::NoError while
    the call runs and when it succeeded.
*/
QGbError QGbCall::error() const
{
    Q_D(const QGbCall);
    return d->error;
}

/*!
    Returns a QFuture that finishes when the call ends and holds the result of a
    plain call. Stream items are delivered by chunkReceived() only, so that a
    long stream does not accumulate in memory.
*/
QFuture<QVariant> QGbCall::future() const
{
    Q_D(const QGbCall);
    return d->future;
}

/*!
    Cancels the call. errorOccurred() with QGbError::Cancelled and finished()
    are emitted at once; the Python function is interrupted where it runs.
    Does nothing if the call has finished.
*/
void QGbCall::cancel()
{
    Q_D(QGbCall);
    if (d->finished)
        return;
    d->finished = true;
    d->error = QGbError(QGbError::Cancelled);
    d->future.cancel();
    emit errorOccurred(d->error);
    emit finished();
}
