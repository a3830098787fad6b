// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbcall.h"
#include "qgbcall_p.h"

#include <QtCore/qcoreapplication.h>
#include <QtCore/qmetaobject.h>

void QGbCallShared::posted(bool last)
{
    QMutexLocker locker(&m_mutex);
    ++m_posts;
    m_ended = m_ended || last;
    m_postedCondition.wakeAll();
}

void QGbCallShared::deliverUntilEnded(const QPointer<QGbCall> &call)
{
    QMutexLocker locker(&m_mutex);
    for (;;) {
        const quint64 seen = m_posts;
        const bool ended = m_ended;
        locker.unlock();
        if (call)
            QCoreApplication::sendPostedEvents(call.data(), QEvent::MetaCall);
        if (ended)
            return;
        locker.relock();
        while (m_posts == seen)
            m_postedCondition.wait(&m_mutex);
    }
}

QGbCallObjectSink::QGbCallObjectSink(QGbCallRelay *relay, std::shared_ptr<QGbCallShared> shared)
    : m_relay(relay)
    , m_shared(std::move(shared))
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
    if (settleCancelledFuture() || m_shared->isCancelled())
        return true;
    emit m_relay->chunks(items);
    m_shared->posted(false);
    return true;
}

bool QGbCallObjectSink::settleCancelledFuture()
{
    // Once: settle() is also true for an outcome that was settled before.
    if (!m_interface.isCanceled() || m_shared->isCancelled()
        || !m_shared->settle(QGbCallShared::Cancelled))
        return false;
    emit m_relay->error(QGbError(QGbError::Cancelled));
    m_shared->posted(false);
    return true;
}

bool QGbCallObjectSink::deliverResult(const QVariant &value, QGbError *)
{
    // A QGbCall cancelled first reports Cancelled, and nothing else.
    if (settleCancelledFuture() || !m_shared->settle(QGbCallShared::Completed))
        return true;
    m_interface.reportResult(value);
    emit m_relay->result(value);
    m_shared->posted(false);
    return true;
}

void QGbCallObjectSink::deliverError(const QGbError &error)
{
    if (settleCancelledFuture() || !m_shared->settle(QGbCallShared::Completed))
        return;
    CallSink::deliverError(error);
    emit m_relay->error(error);
    m_shared->posted(false);
}

void QGbCallObjectSink::deliverFinished()
{
    settleCancelledFuture();
    m_shared->settle(QGbCallShared::Completed);
    if (!m_interface.isFinished())
        m_interface.reportFinished();
    if (!m_done) {
        m_done = true;
        emit m_relay->done();
        m_shared->posted(true);
    }
}

void QGbCallObjectSink::deliverProgress(double value, double maximum, const QString &text)
{
    if (m_shared->isCancelled())
        return;
    CallSink::deliverProgress(value, maximum, text);
    emit m_relay->progress(value, maximum, text);
    m_shared->posted(false);
}

void QGbCallPrivate::deliverChunks(const QVariantList &items)
{
    Q_Q(QGbCall);
    if (finished)
        return;
    const QPointer<QGbCall> alive(q);
    emit q->chunksReceived(items, QGbCall::QPrivateSignal());
    if (!alive)
        return;
    if (q->isSignalConnected(QMetaMethod::fromSignal(&QGbCall::chunkReceived))) {
        for (const QVariant &item : items) {
            if (finished)
                return;
            emit q->chunkReceived(item, QGbCall::QPrivateSignal());
            if (!alive)
                return;
        }
    }
    // The consumer took these items: the worker may send as many more.
    if (consumed && !finished)
        consumed(items.size());
}

void QGbCallPrivate::deliverResult(const QVariant &value)
{
    Q_Q(QGbCall);
    if (finished)
        return;
    result = value;
    emit q->resultReady(value, QGbCall::QPrivateSignal());
}

void QGbCallPrivate::deliverError(const QGbError &e)
{
    Q_Q(QGbCall);
    if (finished)
        return;
    error = e;
    emit q->errorOccurred(e, QGbCall::QPrivateSignal());
}

void QGbCallPrivate::deliverProgress(double value, double maximum, const QString &text)
{
    Q_Q(QGbCall);
    if (finished)
        return;
    progressValue = value;
    progressMaximum = maximum;
    progressText = text;
    emit q->progressChanged(value, maximum, text, QGbCall::QPrivateSignal());
}

void QGbCallPrivate::deliverDone()
{
    Q_Q(QGbCall);
    if (finished)
        return;
    finished = true;
    emit q->finished(QGbCall::QPrivateSignal());
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

    \section1 Signals

    Only QGbCall emits its signals: they are private signals, which can be
    connected to (with a function pointer, a lambda or QSignalSpy) but not
    emitted from outside the class. finished() is emitted exactly once for
    every call, and last: after resultReady(), after the last
    chunkReceived() of a stream, or after errorOccurred(), including when the
    call is cancelled (a QGbCall deleted before its call ended emits nothing
    more). isFinished() is \c true from then on. Like
    QNetworkReply, QGbCall has no \c finished property: isFinished() and the
    finished() signal report the end of the call.
*/

/*!
    \property QGbCall::method
    \brief the name of the Python function called.
*/

/*!
    \property QGbCall::result
    \brief the result of a plain call or a client stream, once resultReady()
    was emitted; an invalid QVariant until then and for a stream.
*/

/*!
    \property QGbCall::error
    \brief the error the call failed with, once errorOccurred() was emitted.

    Its code is QGbError::NoError while the call runs and when it succeeded.
*/

/*!
    \property QGbCall::progressValue
    \brief how much of the call is done, as last reported; see progressValue().
*/

/*!
    \property QGbCall::progressMaximum
    \brief how much there is to do, 0 when not known; see progressMaximum().
*/

/*!
    \property QGbCall::progressText
    \brief the text of the last progress report; see progressText().
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
    \fn void QGbCall::progressChanged(double value, double maximum, const QString &text)

    This signal is emitted when the Python code running the call reports its
    progress with \c{gobridge.progress(done, total, text)}: \a value is
    \c done, \a maximum is \c total (0 when the code does not know it) and
    \a text its text. The worker sends at most 25 reports a second per call,
    and always its last one, which arrives before resultReady() or the last
    chunk. Every report is emitted, also one whose \a value is smaller than
    the one before (the call's future() keeps only growing values, as
    QFuture does).

    \sa progressValue(), progressMaximum(), progressText()
*/

/*!
    \fn void QGbCall::finished()
    This signal is emitted exactly once, when the call has ended: after
    resultReady(), after the last chunkReceived() of a stream, or after
    errorOccurred(). Only QGbCall emits it.
    \sa isFinished()
*/

QGbCall::QGbCall(const QString &method, QObject *parent)
    : QObject(parent)
    , d_ptr(new QGbCallPrivate(this))
{
    d_ptr->method = method;
}

/*!
    Destroys the call handle, cancelling the call if it has not finished.
*/
QGbCall::~QGbCall()
{
    Q_D(QGbCall);
    if (!d->finished && d->shared->settle(QGbCallShared::Cancelled))
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

    Cancelling the future cancels the call as cancel() does, except that the
    signals come later, once the pool has seen the cancellation:
    errorOccurred() with QGbError::Cancelled, then finished().
*/
QFuture<QVariant> QGbCall::future() const
{
    Q_D(const QGbCall);
    return d->future;
}

/*!
    Returns how much of the call is done, as the Python code last reported it
    with \c{gobridge.progress()}; 0 before any report.
    \sa progressChanged()
*/
double QGbCall::progressValue() const
{
    Q_D(const QGbCall);
    return d->progressValue;
}

/*!
    Returns how much there is to do, as the Python code last reported it; 0
    when it is not known (as QProgressBar shows a busy indicator for a
    maximum of 0).
    \sa progressChanged()
*/
double QGbCall::progressMaximum() const
{
    Q_D(const QGbCall);
    return d->progressMaximum;
}

/*!
    Returns the text of the call's last progress report.
    \sa progressChanged()
*/
QString QGbCall::progressText() const
{
    Q_D(const QGbCall);
    return d->progressText;
}

/*!
    Cancels the call. errorOccurred() with QGbError::Cancelled and finished()
    are emitted at once; the Python function is interrupted where it runs.

    Does nothing if the call has already ended, even if the signals that
    report its end have not all been emitted yet: a call that delivered its
    result has succeeded, and cancel() in a resultReady() slot changes
    nothing.
*/
void QGbCall::cancel()
{
    Q_D(QGbCall);
    if (d->finished || !d->shared->settle(QGbCallShared::Cancelled))
        return;
    d->finished = true;
    d->error = QGbError(QGbError::Cancelled);
    d->future.cancel();
    const QPointer<QGbCall> alive(this);
    emit errorOccurred(d->error, QPrivateSignal());
    if (alive)
        emit finished(QPrivateSignal());
}
