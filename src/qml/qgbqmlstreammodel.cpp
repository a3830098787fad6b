// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbqmlstreammodel.h"
#include "qgbqmlchannel_p.h"
#include "qgbqmlconvert_p.h"
#include "qgbqmlpool.h"
#include "qgbqmlstreammodel_p.h"

#include <qgbcall.h>
#include <qgbcalloptions.h>
#include <qgbpool.h>

#include <QtQml/qqmlengine.h>

#include <chrono>

/*!
    \class QGbQmlStreamModel
    \inmodule QGobridge
    \brief The QGbQmlStreamModel class is the QML type GbStreamModel: a list
    model filled with the items a Python generator yields, as it yields them.

    \qml
    GbStreamModel {
        id: users
        pool: py
        method: "gen_users"
        arguments: [1000]
        maxRows: 500          // keep the newest 500
    }
    ListView {
        model: users
        delegate: Text { text: id + " " + name }   // roles from the dict keys
    }
    \endqml

    The stream starts when the component is complete (and the pool has a
    running QGbPool), and starts again, from an empty model, when pool, method
    or (keyword) arguments change, when the pool is re-created, or on restart().
    A stream that the re-creation of its pool ends starts again without an
    error: running stays true. cancel() stops it and keeps the rows.

    \section1 Roles

    If the items are dicts, each key of the first item is a role; later items
    with other keys keep those roles (unknown keys are ignored, missing ones
    read as \c undefined). The role \c modelData is always there and holds the
    whole item, so a stream of scalars (or anything else) reads
    \c modelData. Roles are fixed for a stream before its first row is
    inserted; rows are only ever inserted and removed, the model is never reset.

    A view reads a model's role names once, when it creates its first delegate
    (Qt's delegate model does; a model reset does not make it read them
    again). A view that showed a stream keeps that stream's roles when a
    stream with other keys follows (another method, say): its delegates read
    the new keys from \c modelData (\c{modelData.price}), or the view is given
    the model again (\c{view.model = null; view.model = stream}).

    \section1 Batching and pacing

    Items are taken from the QGbCall as they arrive (QGbCall::chunksReceived())
    and inserted once per event-loop turn, with one beginInsertRows() for all
    that arrived since the last turn. A QGbCall grants the worker more output
    credit only as its items are taken, and items arrive only as the event loop
    delivers them, so a generator faster than the GUI runs at most one
    credit window (1024 items) ahead of it: an endless generator bound to a
    ListView uses bounded memory and leaves the GUI thread responsive. With
    maxRows set, memory stays bounded however long the stream runs; without it
    (the default, 0), every row is kept.
*/

/*!
    \enum QGbQmlStreamModel::Role
    \value ModelDataRole The role \c modelData: the whole item.
    \value FirstKeyRole The role of the first dict key; the others follow.
*/

/*!
    \property QGbQmlStreamModel::pool
    \brief The GbPool the generator runs in.
*/

/*!
    \property QGbQmlStreamModel::method
    \brief The name of the Python generator function.
*/

/*!
    \property QGbQmlStreamModel::arguments
    \brief The arguments of method, converted as GbPool::call() converts them;
    a GbChannel among them makes a bidirectional stream.
*/

/*!
    \property QGbQmlStreamModel::keywordArguments
    \brief The keyword arguments of method, an object (\c{{ sep: "," }}),
    converted as the \c kwargs option of GbPool::call() converts them: the
    generator runs as \c{method(*arguments, **keywordArguments)}. Empty by
    default. A GbChannel cannot be one (the stream fails with \c BadArguments).
*/

/*!
    \property QGbQmlStreamModel::maxRows
    \brief The most rows the model keeps; 0 (the default) for no limit.

    When a batch would exceed it, the oldest rows are removed first (one
    beginRemoveRows() from row 0), then the batch is inserted at the end.
*/

/*!
    \property QGbQmlStreamModel::running
    \brief Whether a stream runs.
*/

/*!
    \property QGbQmlStreamModel::count
    \brief The number of rows.
*/

/*!
    \property QGbQmlStreamModel::received
    \brief The number of items this stream has delivered into the model,
    including those maxRows has since dropped.
*/

/*!
    \property QGbQmlStreamModel::roles
    \brief The dict keys that are roles (besides \c modelData), from the
    stream's first item.
*/

/*!
    \property QGbQmlStreamModel::error
    \brief The error the stream ended with, as a GbError object (see
    GbReply::error), or \c null. cancel() is not an error: it leaves error \c null.
*/

/*!
    \fn void QGbQmlStreamModel::poolChanged()
    This signal is emitted when pool changes.
*/
/*!
    \fn void QGbQmlStreamModel::methodChanged()
    This signal is emitted when method changes.
*/
/*!
    \fn void QGbQmlStreamModel::argumentsChanged()
    This signal is emitted when arguments changes.
*/
/*!
    \fn void QGbQmlStreamModel::keywordArgumentsChanged()
    This signal is emitted when keywordArguments changes.
*/
/*!
    \fn void QGbQmlStreamModel::maxRowsChanged()
    This signal is emitted when maxRows changes.
*/
/*!
    \fn void QGbQmlStreamModel::runningChanged()
    This signal is emitted when running changes.
*/
/*!
    \fn void QGbQmlStreamModel::countChanged()
    This signal is emitted when count changes.
*/
/*!
    \fn void QGbQmlStreamModel::receivedChanged()
    This signal is emitted when received changes, once per inserted batch.
*/
/*!
    \fn void QGbQmlStreamModel::rolesChanged()
    This signal is emitted when roles changes.
*/
/*!
    \fn void QGbQmlStreamModel::errorChanged()
    This signal is emitted when error changes.
*/

void QGbQmlStreamModelPrivate::scheduleStart()
{
    Q_Q(QGbQmlStreamModel);
    if (!complete || startPending)
        return;
    startPending = true;
    QMetaObject::invokeMethod(
            q,
            [this] {
                if (startPending)
                    start();
            },
            Qt::QueuedConnection);
}

void QGbQmlStreamModelPrivate::start()
{
    Q_Q(QGbQmlStreamModel);
    startPending = false;
    stopCall();
    pending.clear();
    const int oldCount = int(rows.size());
    if (!rows.empty()) {
        q->beginRemoveRows(QModelIndex(), 0, int(rows.size()) - 1);
        rows.clear();
        q->endRemoveRows();
    }
    rolesTaken = false;
    if (oldCount != 0)
        emit q->countChanged();
    if (received != 0) {
        received = 0;
        emit q->receivedChanged();
    }
    setError(QGbError());

    QGbPool *p = pool ? pool->pool() : nullptr;
    if (!complete || !wanted || !p || method.isEmpty()) {
        // Without a pool yet, the stream starts when the GbPool creates one.
        setRunning(false);
        return;
    }

    QVariantList wireArgs;
    QGbQmlChannel *channel = nullptr;
    QGbError e;
    QGbChannel *input = nullptr;
    QVariantMap wireKeywords;
    if (QGbQml::argumentsFromJs(arguments, &wireArgs, &channel, &e)
        && QGbQml::keywordArgumentsFromJs(keywordArguments, &wireKeywords, &e) && channel)
        input = QGbQmlChannelPrivate::get(channel)->takeForCall(&e);
    if (e.isError()) {
        setError(e);
        setRunning(false);
        return;
    }
    QGbCallOptions options;
    if (pool->callTimeout() > 0)
        options.setTimeout(std::chrono::milliseconds(pool->callTimeout()));
    options.setKeywordArguments(wireKeywords);
    call = p->invoke(options, method, wireArgs, input);
    call->setParent(q);
    callPool = p;
    if (channel)
        QGbQmlChannelPrivate::get(channel)->attach(call);
    QObject::connect(call, &QGbCall::chunksReceived, q,
                     [this](const QVariantList &items) { onChunks(items); });
    QObject::connect(call, &QGbCall::finished, q, [this] { onFinished(); });
    setRunning(true);
}

void QGbQmlStreamModelPrivate::stopCall()
{
    Q_Q(QGbQmlStreamModel);
    callPool = nullptr;
    if (QGbCall *c = std::exchange(call, nullptr)) {
        QObject::disconnect(c, nullptr, q, nullptr);
        c->cancel(); // does nothing if it has ended
        c->deleteLater();
    }
}

void QGbQmlStreamModelPrivate::onChunks(const QVariantList &items)
{
    // Taking the items is what grants the worker more credit; they wait here
    // for this turn's insert, and at most one window arrives per turn.
    pending.append(items);
    scheduleFlush();
}

void QGbQmlStreamModelPrivate::scheduleFlush()
{
    Q_Q(QGbQmlStreamModel);
    if (flushPending)
        return;
    flushPending = true;
    QMetaObject::invokeMethod(
            q, [this] { flush(); }, Qt::QueuedConnection);
}

void QGbQmlStreamModelPrivate::flush()
{
    Q_Q(QGbQmlStreamModel);
    flushPending = false;
    if (pending.isEmpty())
        return;
    QVariantList batch;
    batch.swap(pending);
    if (!rolesTaken)
        takeRoles(batch.constFirst());

    const int oldCount = int(rows.size());
    received += batch.size();
    qsizetype skip = 0;
    qsizetype n = batch.size();
    if (maxRows > 0) {
        if (n > maxRows) {
            skip = n - maxRows;
            n = maxRows;
        }
        const qsizetype overflow = qsizetype(rows.size()) + n - maxRows;
        if (overflow > 0) {
            q->beginRemoveRows(QModelIndex(), 0, int(overflow) - 1);
            rows.erase(rows.begin(), rows.begin() + overflow);
            q->endRemoveRows();
        }
    }
    const int first = int(rows.size());
    q->beginInsertRows(QModelIndex(), first, first + int(n) - 1);
    for (qsizetype i = skip; i < batch.size(); ++i)
        rows.push_back(std::move(batch[i]));
    q->endInsertRows();

    if (int(rows.size()) != oldCount)
        emit q->countChanged();
    emit q->receivedChanged();
}

void QGbQmlStreamModelPrivate::takeRoles(const QVariant &first)
{
    Q_Q(QGbQmlStreamModel);
    rolesTaken = true;
    QStringList keys;
    if (first.metaType().id() == QMetaType::QVariantMap)
        keys = first.toMap().keys();
    keys.removeAll(QStringLiteral("modelData"));
    if (keys == roleKeys)
        return;
    // Still empty: the roles change before the stream's first row, without a
    // reset. A view reads a model's roles when it creates its first delegate.
    Q_ASSERT(rows.empty());
    roleKeys = keys;
    emit q->rolesChanged();
}

void QGbQmlStreamModelPrivate::onFinished()
{
    QGbError e;
    if (QGbCall *c = call) {
        e = c->error();
        stopCall();
    }
    flush();
    // The GbPool was re-created and the stream starts over in the new pool
    // (onPoolStateChanged() scheduled it): the old pool's PoolClosed is no
    // error of the model's, and it keeps running.
    if (e.code() == QGbError::PoolClosed && startPending && wanted)
        return;
    setError(e);
    setRunning(false);
}

void QGbQmlStreamModelPrivate::onPoolStateChanged()
{
    // A re-created pool (state Starting again): the stream starts over in it.
    if (pool && pool->state() == QGbQmlPool::Starting && wanted && pool->pool() != callPool)
        scheduleStart();
}

void QGbQmlStreamModelPrivate::setRunning(bool r)
{
    Q_Q(QGbQmlStreamModel);
    if (running == r)
        return;
    running = r;
    emit q->runningChanged();
}

void QGbQmlStreamModelPrivate::setError(const QGbError &e)
{
    Q_Q(QGbQmlStreamModel);
    if (error == e)
        return;
    error = e;
    jsError = QJSValue();
    emit q->errorChanged();
}

/*!
    Constructs an empty model with \a parent. From C++ (without QML), call
    restart() to start the stream.
*/
QGbQmlStreamModel::QGbQmlStreamModel(QObject *parent)
    : QAbstractListModel(parent)
    , d_ptr(new QGbQmlStreamModelPrivate(this))
{
}

/*!
    Destroys the model, cancelling its stream.
*/
QGbQmlStreamModel::~QGbQmlStreamModel()
{
    Q_D(QGbQmlStreamModel);
    d->stopCall();
}

QGbQmlPool *QGbQmlStreamModel::pool() const
{
    Q_D(const QGbQmlStreamModel);
    return d->pool;
}

void QGbQmlStreamModel::setPool(QGbQmlPool *pool)
{
    Q_D(QGbQmlStreamModel);
    if (d->pool == pool)
        return;
    if (d->pool)
        disconnect(d->pool, nullptr, this, nullptr);
    d->pool = pool;
    if (pool) {
        connect(pool, &QGbQmlPool::stateChanged, this, [d] { d->onPoolStateChanged(); });
        connect(pool, &QObject::destroyed, this, [d] {
            d->stopCall();
            d->flush();
            d->setRunning(false);
        });
    }
    emit poolChanged();
    d->wanted = true;
    d->scheduleStart();
}

QString QGbQmlStreamModel::method() const
{
    Q_D(const QGbQmlStreamModel);
    return d->method;
}

void QGbQmlStreamModel::setMethod(const QString &method)
{
    Q_D(QGbQmlStreamModel);
    if (d->method == method)
        return;
    d->method = method;
    emit methodChanged();
    d->wanted = true;
    d->scheduleStart();
}

QVariantList QGbQmlStreamModel::arguments() const
{
    Q_D(const QGbQmlStreamModel);
    return d->arguments;
}

void QGbQmlStreamModel::setArguments(const QVariantList &arguments)
{
    Q_D(QGbQmlStreamModel);
    if (d->arguments == arguments)
        return;
    d->arguments = arguments;
    emit argumentsChanged();
    d->wanted = true;
    d->scheduleStart();
}

QVariantMap QGbQmlStreamModel::keywordArguments() const
{
    Q_D(const QGbQmlStreamModel);
    return d->keywordArguments;
}

void QGbQmlStreamModel::setKeywordArguments(const QVariantMap &arguments)
{
    Q_D(QGbQmlStreamModel);
    if (d->keywordArguments == arguments)
        return;
    d->keywordArguments = arguments;
    emit keywordArgumentsChanged();
    d->wanted = true;
    d->scheduleStart();
}

int QGbQmlStreamModel::maxRows() const
{
    Q_D(const QGbQmlStreamModel);
    return d->maxRows;
}

void QGbQmlStreamModel::setMaxRows(int rows)
{
    Q_D(QGbQmlStreamModel);
    rows = qMax(0, rows);
    if (d->maxRows == rows)
        return;
    d->maxRows = rows;
    if (rows > 0 && int(d->rows.size()) > rows) {
        const int overflow = int(d->rows.size()) - rows;
        beginRemoveRows(QModelIndex(), 0, overflow - 1);
        d->rows.erase(d->rows.begin(), d->rows.begin() + overflow);
        endRemoveRows();
        emit countChanged();
    }
    emit maxRowsChanged();
}

bool QGbQmlStreamModel::isRunning() const
{
    Q_D(const QGbQmlStreamModel);
    return d->running;
}

int QGbQmlStreamModel::count() const
{
    Q_D(const QGbQmlStreamModel);
    return int(d->rows.size());
}

qint64 QGbQmlStreamModel::received() const
{
    Q_D(const QGbQmlStreamModel);
    return d->received;
}

QStringList QGbQmlStreamModel::roles() const
{
    Q_D(const QGbQmlStreamModel);
    return d->roleKeys;
}

QJSValue QGbQmlStreamModel::error() const
{
    Q_D(const QGbQmlStreamModel);
    if (!d->error.isError())
        return QJSValue(QJSValue::NullValue);
    auto *md = const_cast<QGbQmlStreamModelPrivate *>(d);
    if (md->jsError.isUndefined()) {
        QJSEngine *engine = QGbQml::engineOf(this);
        if (!QGbQml::engineUsable(engine))
            return QJSValue(QJSValue::NullValue);
        md->jsError = QGbQml::toJsError(engine, d->error);
    }
    return d->jsError;
}

/*!
    Returns the error the stream ended with as a QGbError, for C++ (code
    QGbError::NoError if none).
*/
QGbError QGbQmlStreamModel::callError() const
{
    Q_D(const QGbQmlStreamModel);
    return d->error;
}

/*!
    Returns the item at \a row (the value of its \c modelData role), or
    \c undefined if there is no such row.
*/
QVariant QGbQmlStreamModel::get(int row) const
{
    Q_D(const QGbQmlStreamModel);
    if (row < 0 || row >= int(d->rows.size()))
        return QVariant();
    return d->rows[size_t(row)];
}

/*!
    \reimp
*/
int QGbQmlStreamModel::rowCount(const QModelIndex &parent) const
{
    Q_D(const QGbQmlStreamModel);
    return parent.isValid() ? 0 : int(d->rows.size());
}

/*!
    \reimp
    ModelDataRole returns the whole item; a key role returns that key's value,
    or an invalid QVariant if the item has no such key. Other roles (the Qt::ItemDataRole
    ones included) return an invalid QVariant.
*/
QVariant QGbQmlStreamModel::data(const QModelIndex &index, int role) const
{
    Q_D(const QGbQmlStreamModel);
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const QVariant &item = d->rows[size_t(index.row())];
    if (role == ModelDataRole)
        return item;
    const int key = role - FirstKeyRole;
    if (key < 0 || key >= d->roleKeys.size() || item.metaType().id() != QMetaType::QVariantMap)
        return QVariant();
    return static_cast<const QVariantMap *>(item.constData())->value(d->roleKeys.at(key));
}

/*!
    \reimp
*/
QHash<int, QByteArray> QGbQmlStreamModel::roleNames() const
{
    Q_D(const QGbQmlStreamModel);
    QHash<int, QByteArray> names;
    names.insert(ModelDataRole, QByteArrayLiteral("modelData"));
    for (int i = 0; i < d->roleKeys.size(); ++i)
        names.insert(FirstKeyRole + i, d->roleKeys.at(i).toUtf8());
    return names;
}

/*!
    \reimp
*/
void QGbQmlStreamModel::classBegin() { }

/*!
    \reimp
    Starts the stream, from the event loop (by then the GbPool has its pool).
*/
void QGbQmlStreamModel::componentComplete()
{
    Q_D(QGbQmlStreamModel);
    d->complete = true;
    d->scheduleStart();
}

/*!
    Cancels the stream: the Python generator is closed, the rows received so
    far stay, running becomes \c false and error stays \c null. The stream does
    not start again by itself (not even when the pool is re-created) until
    restart() or a change of pool, method or (keyword) arguments.
*/
void QGbQmlStreamModel::cancel()
{
    Q_D(QGbQmlStreamModel);
    d->wanted = false;
    d->startPending = false;
    d->stopCall();
    d->flush();
    d->setRunning(false);
}

/*!
    Starts the stream again from an empty model: the current one, if any, is
    cancelled and its rows are removed.
*/
void QGbQmlStreamModel::restart()
{
    Q_D(QGbQmlStreamModel);
    d->wanted = true;
    d->complete = true;
    d->start();
}
