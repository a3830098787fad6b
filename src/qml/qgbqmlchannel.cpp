// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbqmlchannel.h"
#include "qgbqmlchannel_p.h"
#include "qgbqmlconvert_p.h"

#include <qgbcall.h>

#include <QtCore/qloggingcategory.h>

/*!
    \class QGbQmlChannel
    \inmodule QGobridge
    \brief The QGbQmlChannel class is the QML type GbChannel: a stream of
    values from QML into a Python \c Iterator argument.

    A GbChannel in the arguments of GbPool::call() (or GbStreamModel::arguments)
    becomes the Python function's \c Iterator argument at that position: a client
    stream, or a bidirectional stream if the function is a generator.

    \qml
    GbChannel { id: numbers }
    // ...
    const total = py.call("sum_stream", [numbers])
    for (let i = 1; i <= 5; ++i)
        numbers.write(i)
    numbers.close()                      // ends the Python iterator
    total.then(sum => console.log(sum))  // 15
    \endqml

    A channel feeds one call at a time. When that call has ended, the channel is
    closed; passing it to a new call starts a fresh stream (closed becomes
    \c false again). It wraps a QGbChannel, so write() never blocks and buffers
    at most capacity values the worker has not read yet.
*/

/*!
    \property QGbQmlChannel::capacity
    \brief How many values the channel buffers before write() returns \c false
    (default 4096). A change applies to the next stream the channel starts.
*/

/*!
    \property QGbQmlChannel::closed
    \brief Whether the channel is closed: after close(), and once the call that
    read it has ended. write() then returns \c false.
*/

/*!
    \fn void QGbQmlChannel::writable()
    This signal is emitted when a channel that was full (write() returned
    \c false) has room again.
*/

/*!
    \fn void QGbQmlChannel::capacityChanged()
    This signal is emitted when capacity changes.
*/

/*!
    \fn void QGbQmlChannel::closedChanged()
    This signal is emitted when closed changes.
*/

QGbChannel *QGbQmlChannelPrivate::ensureChannel()
{
    Q_Q(QGbQmlChannel);
    if (!channel) {
        channel = new QGbChannel(capacity, q);
        QObject::connect(channel, &QGbChannel::writable, q, &QGbQmlChannel::writable);
    }
    return channel;
}

QGbChannel *QGbQmlChannelPrivate::takeForCall(QGbError *error)
{
    if (inUse) {
        *error = QGbError(QGbError::BadArguments,
                          QStringLiteral("This GbChannel already feeds a running call"));
        return nullptr;
    }
    if (spent) {
        // The previous call ended: its QGbChannel is done; start a new stream.
        delete channel;
        channel = nullptr;
        spent = false;
    }
    ensureChannel();
    inUse = true;
    setClosed(channel->isClosed()); // closed before the call: the values written, then the end
    return channel;
}

void QGbQmlChannelPrivate::attach(QGbCall *call)
{
    Q_Q(QGbQmlChannel);
    QObject::connect(call, &QGbCall::finished, q, [this] { callEnded(); });
    QObject::connect(call, &QObject::destroyed, q, [this] { callEnded(); });
}

void QGbQmlChannelPrivate::callEnded()
{
    if (!inUse)
        return;
    inUse = false;
    spent = true;
    setClosed(true);
}

void QGbQmlChannelPrivate::setClosed(bool c)
{
    Q_Q(QGbQmlChannel);
    if (closed == c)
        return;
    closed = c;
    emit q->closedChanged();
}

/*!
    Constructs a channel with \a parent.
*/
QGbQmlChannel::QGbQmlChannel(QObject *parent)
    : QObject(parent)
    , d_ptr(new QGbQmlChannelPrivate(this))
{
}

/*!
    Destroys the channel. A call still reading it is cancelled, so Python never
    mistakes a truncated stream for a complete one.
*/
QGbQmlChannel::~QGbQmlChannel() = default;

int QGbQmlChannel::capacity() const
{
    Q_D(const QGbQmlChannel);
    return d->capacity;
}

void QGbQmlChannel::setCapacity(int capacity)
{
    Q_D(QGbQmlChannel);
    if (capacity < 1)
        capacity = 1;
    if (d->capacity == capacity)
        return;
    d->capacity = capacity;
    emit capacityChanged();
}

bool QGbQmlChannel::isClosed() const
{
    Q_D(const QGbQmlChannel);
    return d->closed;
}

/*!
    Returns the QGbChannel the values currently go to, or \nullptr before the
    first write() or call.
*/
QGbChannel *QGbQmlChannel::channel() const
{
    Q_D(const QGbQmlChannel);
    return d->channel;
}

/*!
    Sends \a value to the Python iterator and returns \c true, or returns
    \c false and keeps nothing: when the channel is closed, when it is full
    (writable() is emitted once there is room), or when \a value cannot be sent
    (a function, an object; a warning says which). Values written before the
    channel is passed to a call wait in it.

    Numbers convert as in GbPool::call(): a whole number becomes a Python
    \c int.
*/
bool QGbQmlChannel::write(const QVariant &value)
{
    Q_D(QGbQmlChannel);
    if (d->closed)
        return false;
    QVariant converted;
    QGbError error;
    if (!QGbQml::fromJs(value, &converted, &error, QStringLiteral("item"))) {
        qWarning().noquote() << "GbChannel.write():" << error.errorString();
        return false;
    }
    return d->ensureChannel()->write(converted);
}

/*!
    Closes the channel: the Python iterator ends after the values already
    written. Does nothing if it is closed already.
*/
void QGbQmlChannel::close()
{
    Q_D(QGbQmlChannel);
    if (d->closed)
        return;
    d->ensureChannel()->close();
    d->setClosed(true);
}
