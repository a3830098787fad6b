// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbchannel.h"
#include "qgbchannel_p.h"

#include <QtCore/qmetaobject.h>
#include <QtCore/qthread.h>

bool QGbChannelShared::write(QVariant &&wire)
{
    std::function<void()> wake;
    {
        QMutexLocker locker(&mutex);
        if (end != End::Open)
            return false;
        if (items.size() - head >= capacity) {
            refusedWhileFull = true;
            return false;
        }
        items.append(std::move(wire));
        if (notify && !notifyPending) {
            notifyPending = true;
            wake = notify;
        }
    }
    if (wake)
        wake();
    return true;
}

void QGbChannelShared::close()
{
    std::function<void()> wake;
    {
        QMutexLocker locker(&mutex);
        if (end != End::Open)
            return;
        end = End::Closed;
        roomCondition.wakeAll();
        if (notify && !notifyPending) {
            notifyPending = true;
            wake = notify;
        }
    }
    if (wake)
        wake();
}

void QGbChannelShared::abort()
{
    std::function<void()> wake;
    {
        QMutexLocker locker(&mutex);
        if (end != End::Open)
            return;
        end = End::Aborted;
        roomCondition.wakeAll();
        items.clear();
        head = 0;
        if (notify && !notifyPending) {
            notifyPending = true;
            wake = notify;
        }
    }
    if (wake)
        wake();
}

QList<QVariant> QGbChannelShared::take(qsizetype max, End *endState)
{
    QList<QVariant> out;
    bool signalWritable = false;
    QPointer<QGbChannel> target;
    {
        QMutexLocker locker(&mutex);
        consumerThread = QThread::currentThread();
        notifyPending = false;
        const qsizetype n = std::min(max, items.size() - head);
        if (n > 0) {
            if (head == 0 && n == items.size()) {
                out.swap(items);
            } else {
                out.reserve(n);
                for (qsizetype i = 0; i < n; ++i)
                    out.append(std::move(items[head + i]));
                head += n;
                if (head == items.size()) {
                    items.clear();
                    head = 0;
                } else if (head > 1024 && head * 2 > items.size()) {
                    items.remove(0, head);
                    head = 0;
                }
            }
        }
        *endState = (items.size() == head) ? end : End::Open;
        if (n > 0)
            roomCondition.wakeAll();
        if (refusedWhileFull && items.size() - head < capacity) {
            refusedWhileFull = false;
            signalWritable = true;
            target = channel;
        }
    }
    if (signalWritable && target) {
        QMetaObject::invokeMethod(
                target.data(),
                [target] {
                    if (target)
                        QGbChannelPrivate::emitWritable(target.data());
                },
                Qt::QueuedConnection);
    }
    return out;
}

void QGbChannelShared::endCall()
{
    QMutexLocker locker(&mutex);
    roomCondition.wakeAll();
    notify = nullptr;
    if (end == End::Open)
        end = End::CallEnded;
    items.clear();
    head = 0;
}

bool QGbChannelShared::waitForRoom(QDeadlineTimer deadline)
{
    QMutexLocker locker(&mutex);
    // The consumer's own thread cannot wait for itself to take items.
    const bool canWait = consumerThread != QThread::currentThread();
    while (canWait && end == End::Open && items.size() - head >= capacity) {
        if (!roomCondition.wait(&mutex, deadline))
            break;
    }
    return end == End::Open && items.size() - head < capacity;
}

bool QGbChannelShared::bind(std::function<void()> wake)
{
    bool pending = false;
    {
        QMutexLocker locker(&mutex);
        if (bound)
            return false;
        bound = true;
        notify = wake;
        pending = items.size() > head || end != End::Open;
        notifyPending = pending;
    }
    if (pending)
        wake();
    return true;
}

/*!
    \class QGbChannel
    \inmodule QGobridge
    \brief The QGbChannel class streams values from Qt into a Python function.

    A QGbChannel passed as an argument of QGbPool::call() or QGbPool::stream()
    becomes an \c Iterator in the Python function: a client stream (with
    QGbPool::call()) or a bidirectional stream (with QGbPool::stream()).
    Write values with write() from any thread, then close() the channel: the
    Python iterator ends when it has read every value written before close().

    \code
    QGbChannel numbers;
    QFuture<int> total = pool.call<int>("sum_stream", numbers);
    for (int i = 1; i <= 5; ++i)
        numbers.write(i);
    numbers.close();
    \endcode

    A channel holds at most capacity() values that the worker has not taken
    yet. write() never blocks and never drops a value silently: when the
    channel is full it returns \c false and keeps nothing (it is
    \c{[[nodiscard]]}), and writable() is emitted once there is room again.
    This keeps memory bounded when Qt writes faster than Python reads.

    A producer thread without an event loop waits for room with
    waitForWritable(), as with QIODevice::waitForBytesWritten():

    \code
    for (const Item &item : items) {
        while (!channel.write(item)) {
            if (channel.isClosed() || !channel.waitForWritable())
                return; // the call ended, or no room for 30 s
        }
    }
    channel.close();
    \endcode

    A channel feeds one call. Destroying a channel that was not closed aborts
    its call with QGbError::Cancelled: the Python function does not see a
    truncated stream as if it were complete.
*/

/*!
    \fn void QGbChannel::writable()

    This signal is emitted when the channel has room again after write()
    returned \c false because it was full. It is emitted in the thread the
    channel lives in, and only by the channel.
*/

/*!
    \variable QGbChannel::DefaultCapacity
    \brief The capacity of a channel constructed without one: 4096 values.
*/

/*!
    \property QGbChannel::capacity
    \brief how many written values the channel holds at most before the
    worker takes them.
*/

/*!
    \property QGbChannel::closed
    \brief whether the channel was closed, aborted, or its call has ended.
*/

/*!
    \fn template <typename T> bool QGbChannel::write(const T &value)

    Appends \a value to the stream. Any type QGbPool can pass as an argument can
    be written. Returns \c false, and keeps nothing, if the channel is closed,
    its call has ended, it is full, or \a value cannot be converted (then
    error() says why).
*/

/*!
    Constructs an open channel with the default capacity and \a parent.
*/
QGbChannel::QGbChannel(QObject *parent)
    : QGbChannel(DefaultCapacity, parent)
{
}

/*!
    Constructs an open channel that buffers at most \a capacity values, with \a parent.
*/
QGbChannel::QGbChannel(qsizetype capacity, QObject *parent)
    : QObject(parent)
    , d_ptr(new QGbChannelPrivate)
{
    Q_D(QGbChannel);
    d->shared = std::make_shared<QGbChannelShared>(std::max<qsizetype>(1, capacity));
    d->shared->channel = this;
}

/*!
    Destroys the channel. If it was not closed, its call is aborted.
*/
QGbChannel::~QGbChannel()
{
    Q_D(QGbChannel);
    d->shared->abort();
}

/*!
    Blocks until the channel has room for a value, for at most \a msecs
    milliseconds (-1: no limit). Returns \c true if write() would take a
    value now; \c false if the time ran out or the channel is closed, or its
    call ended. Call it from a producer thread: the GUI thread should react
    to writable() instead. In the pool's I/O thread, which takes the values,
    it returns at once.
*/
bool QGbChannel::waitForWritable(int msecs)
{
    Q_D(QGbChannel);
    return d->shared->waitForRoom(msecs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever)
                                            : QDeadlineTimer(msecs));
}

/*!
    Closes the channel: the Python iterator ends after the values already written.
*/
void QGbChannel::close()
{
    Q_D(QGbChannel);
    d->shared->close();
}

/*!
    Returns \c true if the channel was closed, aborted, or its call has ended.
*/
bool QGbChannel::isClosed() const
{
    Q_D(const QGbChannel);
    QMutexLocker locker(&d->shared->mutex);
    return d->shared->end != QGbChannelShared::End::Open;
}

/*!
    Returns \c true if write() would accept a value now.
*/
bool QGbChannel::isWritable() const
{
    Q_D(const QGbChannel);
    QMutexLocker locker(&d->shared->mutex);
    return d->shared->end == QGbChannelShared::End::Open
            && d->shared->items.size() - d->shared->head < d->shared->capacity;
}

/*!
    Returns how many values the channel buffers at most.
*/
qsizetype QGbChannel::capacity() const
{
    Q_D(const QGbChannel);
    return d->shared->capacity;
}

/*!
    Returns how many written values the worker has not taken yet.
*/
qsizetype QGbChannel::pendingCount() const
{
    Q_D(const QGbChannel);
    QMutexLocker locker(&d->shared->mutex);
    return d->shared->items.size() - d->shared->head;
}

/*!
    Returns the last conversion error of write().
*/
QGbError QGbChannel::error() const
{
    Q_D(const QGbChannel);
    QMutexLocker locker(&d->shared->mutex);
    return d->error;
}

bool QGbChannel::writeWire(QVariant &&wire)
{
    Q_D(QGbChannel);
    return d->shared->write(std::move(wire));
}

void QGbChannel::setConversionError(const QGbError &error)
{
    Q_D(QGbChannel);
    QMutexLocker locker(&d->shared->mutex);
    d->error = error;
}
