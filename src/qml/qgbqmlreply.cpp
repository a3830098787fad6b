// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbqmlreply.h"
#include "qgbqmlconvert_p.h"
#include "qgbqmlpool_p.h"
#include "qgbqmlreply_p.h"

#include <algorithm>

#include <qgbcall.h>

#include <QtCore/qmetaobject.h>
#include <QtQml/qqmlengine.h>

/*!
    \class QGbQmlReply
    \inmodule QGobridge
    \brief The QGbQmlReply class is the QML type GbReply: one call made with
    GbPool::call(), with its status, its value or error, and a JavaScript Promise.

    \qml
    py.call("add", [3, 4]).then(sum => label.text = sum,          // 7
                                error => label.text = error.message)
    \endqml

    A reply settles exactly once: status goes from \l Running to \l Finished
    (value holds the result) or to \l Failed or \l Cancelled (error holds the
    error), statusChanged() and finished() are emitted, and the promise is
    resolved with the value or rejected with the error. A cancelled call
    rejects too: cancel(), a destroyed owner and a deadline reject with the
    error codes \c Cancelled, \c Cancelled and \c DeadlineExceeded.

    \section1 Lifetime

    While the call runs, the reply has QJSEngine::CppOwnership and the GbPool
    keeps it in its list of running replies: the garbage collector never takes
    it, even when JavaScript keeps no reference to it, so its promise always
    settles. Once settled, it has JavaScriptOwnership: the collector deletes it
    when JavaScript holds no reference to it any more. (It has no QObject
    parent: QML treats the children of an object it destroys as deleted, and a
    reply must outlive its pool to report \c PoolClosed.)

    A reply made from C++, without a QML engine, is a child of the pool and
    never goes to a collector: delete it when done.

    A reply made with an \c owner (see GbPool::call()) cancels its call when the
    owner is destroyed. Destroying the GbPool rejects its running replies with
    \c PoolClosed.
*/

/*!
    \enum QGbQmlReply::Status
    \value Running The call runs.
    \value Finished The call succeeded; value holds its result.
    \value Failed The call failed; error says why.
    \value Cancelled The call was cancelled: by cancel(), because its owner
           was destroyed, or because its deadline passed (error.code is
           \c Cancelled or \c DeadlineExceeded).
*/

/*!
    \property QGbQmlReply::method
    \brief The name of the Python function called.
*/

/*!
    \property QGbQmlReply::status
    \brief Whether the call runs, succeeded, failed or was cancelled.
*/

/*!
    \property QGbQmlReply::value
    \brief The result, once status is \l Finished; undefined before.

    For a generator function, the list of the items it yielded (use
    GbStreamModel for long or endless streams).
*/

/*!
    \property QGbQmlReply::error
    \brief The error, once status is \l Failed or \l Cancelled; \c null before
    and after success.

    A JavaScript \c Error whose \c name is \c "GbError", with \c message and the
    properties \c code (the QGbError::Code name: \c "RemoteException",
    \c "Cancelled", \c "DeadlineExceeded", \c "WorkerCrashed", ...),
    \c remoteType (the Python exception's type), \c traceback (the Python
    traceback) and \c retriable. It is the same object the promise rejects with.
*/

/*!
    \property QGbQmlReply::progress
    \brief The call's progress from 0 to 1, or -1 when it is not known.

    The Python code reports its progress with \c{gobridge.progress(done,
    total, text)}; progress is \c{done / total}, or -1 while no report with a
    total has arrived (bind a \c ProgressBar's \c indeterminate to
    \c{progress < 0}). It is 1 once the call has finished successfully, and
    keeps its last value when the call fails or is cancelled. The worker
    sends at most 25 reports a second per call, its last one always.
    \sa progressValue, progressMaximum, progressText
*/

/*!
    \property QGbQmlReply::promise
    \brief A JavaScript Promise that settles with the reply: resolved with
    value, or rejected with error.

    \qml
    Promise.all([py.call("add", [1, 2]), py.call("add", [3, 4])])
        .then(sums => console.log(sums))   // [3, 7]
    \endqml
*/

/*!
    \fn void QGbQmlReply::statusChanged()
    This signal is emitted once, when the reply settles (status, value and
    error change together).
*/

/*!
    \fn void QGbQmlReply::progressChanged()
    This signal is emitted when progress changes.
*/

/*!
    \fn void QGbQmlReply::finished()
    This signal is emitted once, when the reply has settled, whatever the outcome.
*/

QGbQmlReplyPrivate::QGbQmlReplyPrivate(QGbQmlReply *q, const QString &m, QJSEngine *e,
                                       QGbQmlPool *p)
    : q_ptr(q)
    , method(m)
    , engine(e)
    , pool(p)
{
}

void QGbQmlReplyPrivate::start(QGbCall *c)
{
    Q_Q(QGbQmlReply);
    call = c;
    call->setParent(q);
    QObject::connect(call, &QGbCall::chunksReceived, q,
                     [this](const QVariantList &chunks) { items.append(chunks); });
    QObject::connect(call, &QGbCall::resultReady, q, [this](const QVariant &v) {
        hasResult = true;
        result = v;
    });
    QObject::connect(call, &QGbCall::errorOccurred, q,
                     [this](const QGbError &e) { callError = e; });
    QObject::connect(call, &QGbCall::progressChanged, q,
                     [this](double value, double maximum, const QString &text) {
                         Q_Q(QGbQmlReply);
                         progressValue = value;
                         progressMaximum = maximum;
                         progressText = text;
                         emit q->progressChanged();
                     });
    QObject::connect(call, &QGbCall::finished, q, [this] { onCallFinished(); });
}

void QGbQmlReplyPrivate::failLater(const QGbError &e)
{
    Q_Q(QGbQmlReply);
    QMetaObject::invokeMethod(
            q, [this, e] { settle(QGbQmlReply::Failed, QVariant(), e); }, Qt::QueuedConnection);
}

void QGbQmlReplyPrivate::setOwner(QObject *owner)
{
    Q_Q(QGbQmlReply);
    QObject::connect(owner, &QObject::destroyed, q, [this] {
        cancelWith(
                QGbError(QGbError::Cancelled, QStringLiteral("The reply's owner was destroyed")));
    });
}

void QGbQmlReplyPrivate::onCallFinished()
{
    if (callError.isError()) {
        const bool cancelled = callError.code() == QGbError::Cancelled
                || callError.code() == QGbError::DeadlineExceeded;
        settle(cancelled ? QGbQmlReply::Cancelled : QGbQmlReply::Failed, QVariant(), callError);
    } else {
        settle(QGbQmlReply::Finished, hasResult ? result : QVariant(items), QGbError());
    }
}

void QGbQmlReplyPrivate::cancelWith(const QGbError &e)
{
    settle(QGbQmlReply::Cancelled, QVariant(), e);
}

void QGbQmlReplyPrivate::settle(QGbQmlReply::Status s, const QVariant &v, const QGbError &e)
{
    Q_Q(QGbQmlReply);
    if (status != QGbQmlReply::Running)
        return;
    status = s;
    value = v;
    error = e;
    items.clear();
    result.clear();
    if (QGbCall *c = std::exchange(call, nullptr)) {
        QObject::disconnect(c, nullptr, q, nullptr);
        c->cancel(); // does nothing if the call has ended
        c->deleteLater();
    }

    const QPointer<QGbQmlReply> alive(q);
    if (status == QGbQmlReply::Finished) {
        emit q->progressChanged();
        if (!alive)
            return;
    }
    emit q->statusChanged();
    if (!alive)
        return;
    emit q->finished();
    if (!alive)
        return;
    deliver();
    release();
}

void QGbQmlReplyPrivate::ensurePromise()
{
    if (!promise.isUndefined() || !engineUsable())
        return;
    promise = QGbQml::newPromise(engine, &resolve, &reject);
    if (status != QGbQmlReply::Running)
        deliver();
}

void QGbQmlReplyPrivate::deliver()
{
    if (delivered || promise.isUndefined() || !engineUsable())
        return;
    delivered = true;
    if (status == QGbQmlReply::Finished)
        resolve.call({ engine->toScriptValue(value) });
    else
        reject.call({ errorValue() });
    resolve = QJSValue();
    reject = QJSValue();
}

void QGbQmlReplyPrivate::release()
{
    Q_Q(QGbQmlReply);
    if (pool)
        QGbQmlPoolPrivate::get(pool)->running.removeOne(q);
    pool = nullptr;
    if (q->parent())
        return; // made from C++: the pool's child, deleted with it
    if (!engineUsable()) {
        // The engine is going away and will collect nothing more.
        q->deleteLater();
        return;
    }
    QJSEngine::setObjectOwnership(q, QJSEngine::JavaScriptOwnership);
    // Makes sure a JavaScript wrapper exists, so that the collector finds the
    // reply even if JavaScript dropped its wrapper while the call ran.
    engine->newQObject(q);
}

QJSValue QGbQmlReplyPrivate::errorValue()
{
    if (!error.isError())
        return QJSValue(QJSValue::NullValue);
    if (jsError.isUndefined() && engineUsable())
        jsError = QGbQml::toJsError(engine, error);
    return jsError;
}

bool QGbQmlReplyPrivate::engineUsable() const
{
    return QGbQml::engineUsable(engine);
}

QGbQmlReply::QGbQmlReply(const QString &method, QJSEngine *engine, QGbQmlPool *pool)
    : QObject(engine ? nullptr : pool)
    , d_ptr(new QGbQmlReplyPrivate(this, method, engine, pool))
{
    if (engine) {
        QJSEngine::setObjectOwnership(this, QJSEngine::CppOwnership);
        QGbQmlPoolPrivate::get(pool)->running.append(this);
    }
}

/*!
    Destroys the reply. A call still running is cancelled (the promise is then
    left pending: GbPool settles its replies before it destroys them).
*/
QGbQmlReply::~QGbQmlReply()
{
    Q_D(QGbQmlReply);
    if (d->pool)
        QGbQmlPoolPrivate::get(d->pool)->running.removeOne(this);
    if (d->call) {
        QObject::disconnect(d->call, nullptr, this, nullptr);
        delete d->call; // cancels it
        d->call = nullptr;
    }
}

QString QGbQmlReply::method() const
{
    Q_D(const QGbQmlReply);
    return d->method;
}

QGbQmlReply::Status QGbQmlReply::status() const
{
    Q_D(const QGbQmlReply);
    return d->status;
}

QVariant QGbQmlReply::value() const
{
    Q_D(const QGbQmlReply);
    return d->value;
}

QJSValue QGbQmlReply::error() const
{
    Q_D(const QGbQmlReply);
    return const_cast<QGbQmlReplyPrivate *>(d)->errorValue();
}

/*!
    Returns the error as a QGbError, for C++: its code is QGbError::NoError
    while the call runs and after success.
*/
QGbError QGbQmlReply::callError() const
{
    Q_D(const QGbQmlReply);
    return d->error;
}

qreal QGbQmlReply::progress() const
{
    Q_D(const QGbQmlReply);
    if (d->status == Finished)
        return 1.0;
    if (d->progressMaximum <= 0)
        return -1.0;
    return std::clamp(d->progressValue / d->progressMaximum, 0.0, 1.0);
}

/*!
    \property QGbQmlReply::progressValue
    \brief How much of the call is done, as the Python code last reported
    it with \c{gobridge.progress(done, total, text)}: \c done, in the
    code's own unit; 0 before any report.
*/
qreal QGbQmlReply::progressValue() const
{
    Q_D(const QGbQmlReply);
    return d->progressValue;
}

/*!
    \property QGbQmlReply::progressMaximum
    \brief How much there is to do, as the Python code last reported it
    (\c total); 0 when it is not known.
*/
qreal QGbQmlReply::progressMaximum() const
{
    Q_D(const QGbQmlReply);
    return d->progressMaximum;
}

/*!
    \property QGbQmlReply::progressText
    \brief The text of the last progress report, such as \c{"3 of 10 files"}.
*/
QString QGbQmlReply::progressText() const
{
    Q_D(const QGbQmlReply);
    return d->progressText;
}

QJSValue QGbQmlReply::promise()
{
    Q_D(QGbQmlReply);
    d->ensurePromise();
    return d->promise;
}

/*!
    Attaches \a onResolved and \a onRejected to promise and returns the new
    promise, as \c{promise.then(onResolved, onRejected)} does: so
    \c{py.call(...).then(...)} chains, and a reply is a thenable that
    \c{Promise.resolve()} and \c{Promise.all()} accept.

    \a onResolved receives the value, \a onRejected the error (see error). Each
    runs at most once, from the event loop, never before then() returns.
*/
QJSValue QGbQmlReply::then(const QJSValue &onResolved, const QJSValue &onRejected)
{
    const QJSValue p = promise();
    if (!p.isObject())
        return QJSValue();
    return p.property(QStringLiteral("then")).callWithInstance(p, { onResolved, onRejected });
}

/*!
    Cancels the call: status becomes \l Cancelled, the promise rejects with
    the error code \c Cancelled, and the Python function is interrupted where it
    runs. Does nothing once the reply has settled.
*/
void QGbQmlReply::cancel()
{
    Q_D(QGbQmlReply);
    d->cancelWith(QGbError(QGbError::Cancelled, QStringLiteral("The call was cancelled")));
}
