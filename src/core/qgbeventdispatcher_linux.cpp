// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbeventdispatcher_p.h"

#ifdef QGB_HAVE_EPOLL_DISPATCHER

#    include <QtCore/qcoreapplication.h>
#    include <QtCore/qcoreevent.h>
#    include <QtCore/qloggingcategory.h>
#    include <QtCore/qsocketnotifier.h>

#    include <algorithm>
#    include <chrono>
#    include <limits>

#    include <errno.h>
#    include <string.h>
#    include <sys/epoll.h>
#    include <sys/eventfd.h>
#    include <unistd.h>

namespace {

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
}

constexpr qint64 NsPerMs = 1000 * 1000;
constexpr int MaxEvents = 64;

// epoll interest for each QSocketNotifier::Type (Read, Write, Exception).
constexpr quint32 InterestOf[3] = { EPOLLIN, EPOLLOUT, EPOLLPRI };

} // namespace

QGbEventDispatcher::QGbEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll < 0 || m_wake < 0) {
        qWarning("QGbEventDispatcher: cannot create epoll or eventfd: %s", strerror(errno));
        return;
    }
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.fd = m_wake;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event) < 0) {
        qWarning("QGbEventDispatcher: cannot watch the eventfd: %s", strerror(errno));
        ::close(m_wake);
        m_wake = -1;
    }
}

QGbEventDispatcher::~QGbEventDispatcher()
{
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool QGbEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool canWait = flags.testFlag(QEventLoop::WaitForMoreEvents)
            && !m_interrupted.load(std::memory_order_relaxed);
    int timeout = 0;
    if (canWait)
        timeout = flags.testFlag(QEventLoop::X11ExcludeTimers) ? -1 : waitTimeout();
    if (timeout != 0)
        emit aboutToBlock();

    epoll_event events[MaxEvents];
    int ready;
    do {
        ready = ::epoll_wait(m_epoll, events, MaxEvents, timeout);
    } while (ready < 0 && errno == EINTR);
    if (timeout != 0)
        emit awake();

    bool processed = false;
    // Activations are collected first: a notifier may unregister, delete or
    // re-create other notifiers when it is activated, and one that goes away
    // before its turn must not be activated (unregisterSocketNotifier() clears
    // its entries here, in this list and in those of outer, nested calls).
    // One list per depth, kept: a turn allocates nothing.
    if (m_turns.size() == m_depth)
        m_turns.emplace_back();
    std::vector<QSocketNotifier *> &pending = m_turns[m_depth++];
    pending.clear();
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        const quint32 revents = events[i].events;
        if (fd == m_wake) {
            eventfd_t count;
            while (::read(m_wake, &count, sizeof count) < 0 && errno == EINTR) { }
            // After the read: a wakeUp() that saw the flag still set relies on
            // the events it posted being sent after this, which they are (the
            // next processEvents() starts with them).
            m_wakePending.exchange(false, std::memory_order_acq_rel);
            processed = true;
            continue;
        }
        const auto it = m_descriptors.constFind(fd);
        if (it == m_descriptors.cend()) {
            // Closed without its notifiers being unregistered first.
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
            continue;
        }
        if (flags.testFlag(QEventLoop::ExcludeSocketNotifiers))
            continue;
        QSocketNotifier *const *notifiers = it->notifiers;
        const bool hangUp = revents & (EPOLLHUP | EPOLLERR);
        if (notifiers[QSocketNotifier::Read] && (revents & (EPOLLIN | EPOLLRDHUP) || hangUp))
            pending.push_back(notifiers[QSocketNotifier::Read]);
        if (notifiers[QSocketNotifier::Write] && (revents & EPOLLOUT || hangUp))
            pending.push_back(notifiers[QSocketNotifier::Write]);
        if (notifiers[QSocketNotifier::Exception]
            && (revents & EPOLLPRI
                || (hangUp && !notifiers[QSocketNotifier::Read]
                    && !notifiers[QSocketNotifier::Write]))) {
            pending.push_back(notifiers[QSocketNotifier::Exception]);
        }
    }
    for (std::size_t i = 0; i < pending.size(); ++i) {
        if (QSocketNotifier *notifier = pending[i]) {
            pending[i] = nullptr;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            processed = true;
        }
    }
    --m_depth;

    if (!flags.testFlag(QEventLoop::X11ExcludeTimers) && fireTimers())
        processed = true;
    return processed;
}

void QGbEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = notifier->type();
    if (fd < 0 || type < 0 || type > 2)
        return;
    Descriptor &descriptor = m_descriptors[fd];
    if (descriptor.notifiers[type] && descriptor.notifiers[type] != notifier)
        qWarning("QSocketNotifier: Multiple socket notifiers for same socket %d and type %d", fd,
                 type);
    descriptor.notifiers[type] = notifier;
    updateEpoll(fd, descriptor);
}

void QGbEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    for (std::size_t depth = 0; depth < m_depth; ++depth)
        std::replace(m_turns[depth].begin(), m_turns[depth].end(), notifier,
                     static_cast<QSocketNotifier *>(nullptr));
    const int fd = int(notifier->socket());
    const int type = notifier->type();
    const auto it = m_descriptors.find(fd);
    if (it == m_descriptors.end() || type < 0 || type > 2 || it->notifiers[type] != notifier)
        return;
    it->notifiers[type] = nullptr;
    updateEpoll(fd, *it);
}

void QGbEventDispatcher::updateEpoll(int fd, Descriptor &descriptor)
{
    quint32 wanted = 0;
    for (int type = 0; type < 3; ++type) {
        if (descriptor.notifiers[type])
            wanted |= InterestOf[type];
    }
    if (wanted == descriptor.events)
        return;
    const quint32 before = descriptor.events;
    if (wanted == 0) {
        // EBADF or ENOENT: the descriptor was closed already, which removed it.
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        m_descriptors.remove(fd);
        return;
    }
    epoll_event event {};
    event.events = wanted;
    event.data.fd = fd;
    int rc = ::epoll_ctl(m_epoll, before ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
    // A number that was closed and reused behind our back (ENOENT), or one the
    // kernel still watches after a close we did not see (EEXIST).
    if (rc < 0 && errno == ENOENT)
        rc = ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
    else if (rc < 0 && errno == EEXIST)
        rc = ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
    if (rc < 0) {
        qWarning("QGbEventDispatcher: cannot watch descriptor %d: %s", fd, strerror(errno));
        return;
    }
    descriptor.events = wanted;
}

void QGbEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                       QObject *object)
{
    Q_ASSERT(timerId > 0 && interval >= 0 && object);
    m_timers.push_back(
            { timerId, interval, timerType, object, steadyNowNs() + interval * NsPerMs, false });
}

qsizetype QGbEventDispatcher::timerIndex(int timerId) const
{
    for (std::size_t i = 0; i < m_timers.size(); ++i) {
        if (m_timers[i].id == timerId)
            return qsizetype(i);
    }
    return -1;
}

bool QGbEventDispatcher::unregisterTimer(int timerId)
{
    const qsizetype i = timerIndex(timerId);
    if (i < 0)
        return false;
    m_timers.erase(m_timers.begin() + i);
    return true;
}

bool QGbEventDispatcher::unregisterTimers(QObject *object)
{
    const auto removed = std::remove_if(m_timers.begin(), m_timers.end(),
                                        [object](const Timer &t) { return t.object == object; });
    const bool any = removed != m_timers.end();
    m_timers.erase(removed, m_timers.end());
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> QGbEventDispatcher::registeredTimers(
        QObject *object) const
{
    QList<TimerInfo> list;
    for (const Timer &t : m_timers) {
        if (t.object == object)
            list.append(TimerInfo(t.id, int(t.interval), t.type));
    }
    return list;
}

int QGbEventDispatcher::remainingTime(int timerId)
{
    const qsizetype i = timerIndex(timerId);
    if (i < 0)
        return -1;
    const qint64 left = m_timers[std::size_t(i)].due - steadyNowNs();
    return left <= 0 ? 0 : int((left + NsPerMs - 1) / NsPerMs);
}

int QGbEventDispatcher::waitTimeout() const
{
    qint64 next = -1;
    for (const Timer &t : m_timers) {
        if (!t.firing && (next < 0 || t.due < next))
            next = t.due;
    }
    if (next < 0)
        return -1;
    const qint64 left = next - steadyNowNs();
    if (left <= 0)
        return 0;
    // Rounded up: waking a little early would only turn the loop once more.
    return int(std::min<qint64>((left + NsPerMs - 1) / NsPerMs, std::numeric_limits<int>::max()));
}

bool QGbEventDispatcher::fireTimers()
{
    if (m_timers.empty())
        return false;
    const qint64 now = steadyNowNs();
    std::vector<std::pair<qint64, int>> due; // (due, id), fired earliest first
    for (const Timer &t : m_timers) {
        if (!t.firing && t.due <= now)
            due.emplace_back(t.due, t.id);
    }
    std::sort(due.begin(), due.end());
    for (const auto &[when, id] : due) {
        Q_UNUSED(when);
        qsizetype i = timerIndex(id);
        if (i < 0 || m_timers[std::size_t(i)].firing)
            continue; // unregistered (or re-registered and firing) meanwhile
        Timer &t = m_timers[std::size_t(i)];
        const qint64 interval = t.interval * NsPerMs;
        t.due += interval;
        if (t.due <= now)
            t.due = now + interval;
        t.firing = true;
        QObject *object = t.object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        i = timerIndex(id);
        if (i >= 0)
            m_timers[std::size_t(i)].firing = false;
    }
    return !due.empty();
}

void QGbEventDispatcher::wakeUp()
{
    // One write per sleep, however many threads post: the flag stays set
    // until the I/O thread has drained the eventfd.
    if (m_wakePending.exchange(true, std::memory_order_acq_rel))
        return;
    const eventfd_t one = 1;
    while (::write(m_wake, &one, sizeof one) < 0 && errno == EINTR) { }
}

void QGbEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

#endif // QGB_HAVE_EPOLL_DISPATCHER
