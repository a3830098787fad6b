// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBEVENTDISPATCHER_P_H
#define QGBEVENTDISPATCHER_P_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It exists purely as an
// implementation detail. This header file may change from version to
// version without notice, or even be removed.
//
// We mean it.
//

#include "qgbglobal.h"

#include <QtCore/qabstracteventdispatcher.h>
#include <QtCore/qglobal.h>

#if defined(Q_OS_LINUX)
#    define QGB_HAVE_EPOLL_DISPATCHER 1

#    include <QtCore/qhash.h>

#    include <atomic>
#    include <deque>
#    include <vector>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

// The event dispatcher of a pool's I/O thread on Linux: epoll, an eventfd for
// wake-ups and a small timer list, with nothing else. Qt's own dispatchers
// (GLib's main loop, or QEventDispatcherUNIX) poll() every socket, pipe and
// pidfd of the pool on each turn of the loop and a call takes several turns;
// with epoll a turn costs one epoll_wait() that returns only the ready
// descriptors. The I/O thread runs only QGobridge's engine, its sockets, its
// QProcesses and their timers, so nothing there needs GLib sources.
//
// Semantics follow QEventDispatcherUNIX: level-triggered notifiers, a hang-up
// or error activates the read and the write notifier, posted events are sent
// at the start of each processEvents(), timers fire after the descriptors and
// never re-enter themselves. All timer types are precise (Qt may let coarse
// timers fire up to 5 % late; firing them on time is allowed).
class QGB_EXPORT QGbEventDispatcher final : public QAbstractEventDispatcher
{
    // No Q_OBJECT: no signals, slots or properties of its own.
public:
    explicit QGbEventDispatcher(QObject *parent = nullptr);
    ~QGbEventDispatcher() override;

    // False when the kernel refused epoll or eventfd: use Qt's dispatcher.
    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    struct Descriptor
    {
        QSocketNotifier *notifiers[3] = {}; // indexed by QSocketNotifier::Type
        quint32 events = 0;                 // what epoll watches for
    };
    struct Timer
    {
        int id;
        qint64 interval; // ms
        Qt::TimerType type;
        QObject *object;
        qint64 due; // ns, steady clock
        bool firing = false;
    };

    void updateEpoll(int fd, Descriptor &descriptor);
    int waitTimeout() const; // ms for epoll_wait, -1 for none
    bool activateNotifier(int fd, int type);
    bool fireTimers();
    qsizetype timerIndex(int timerId) const;

    int m_epoll = -1;
    int m_wake = -1;
    std::atomic<bool> m_wakePending { false };
    std::atomic<bool> m_interrupted { false };
    QHash<int, Descriptor> m_descriptors;
    // The activations of the turn in progress, m_turns[m_depth - 1], and of
    // the turns it interrupted (a notifier's slot that runs an event loop of
    // its own). A deque: a nested turn's list does not move the outer ones.
    std::deque<std::vector<QSocketNotifier *>> m_turns;
    std::size_t m_depth = 0;
    std::vector<Timer> m_timers;
};

#endif // Q_OS_LINUX

#endif // QGBEVENTDISPATCHER_P_H
