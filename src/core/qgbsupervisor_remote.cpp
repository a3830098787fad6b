// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Supervision of remote workers (QGbPoolOptions::setRemoteWorkers(),
// docs/remote.md): a slot the pool does not start. Starting it is resolving
// its host and connecting its control connection (TCP, TLS, the handshake
// with the remote token); it is ready after the hello; a lost connection, a
// refused handshake or a missed heartbeat closes its connections (their calls
// fail WorkerCrashed) and it connects again after the restart backoff. It is
// never given up. The slots of a URL whose host is a name share its
// addresses, one worker each (assignRemoteAddresses()): a slot the name has
// no address for waits, Stopped, for one.

#include "qgbremoteaddresses_p.h"
#include "qgbscheduler_p.h"
#include "qgbsession_p.h"
#include "qgbsupervisor_p.h"

#include <QtCore/qloggingcategory.h>
#include <QtNetwork/qhostinfo.h>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcQGbSupervisor)

namespace {

const QString TlsScheme = QStringLiteral("gobridges");
const QString PlainScheme = QStringLiteral("gobridge");

bool isLoopbackName(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString authority(const QString &host, int port)
{
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                           : QStringLiteral("%1:%2").arg(host).arg(port);
}

std::atomic<QGbPrivate::HostLookup> hostLookupForTesting { nullptr };
std::atomic<int> nextHostLookupDelayForTesting { 0 };

} // namespace

QList<QList<QHostAddress>> QGbPrivate::remoteWorkerAddresses(const QList<QHostAddress> &addresses)
{
    QList<QList<QHostAddress>> workers;
    // The worker that ::1 and the first IPv4 loopback address share, once
    // one of them came; -1 before.
    qsizetype loopback = -1;
    bool paired = false;
    for (const QHostAddress &address : addresses) {
        const bool seen = std::any_of(workers.cbegin(), workers.cend(),
                                      [&](const auto &worker) { return worker.contains(address); });
        if (seen)
            continue;
        const bool v6 = address == QHostAddress(QHostAddress::LocalHostIPv6);
        const bool v4 = !v6 && address.isLoopback();
        if ((v6 || v4) && loopback >= 0 && !paired
            && (workers.at(loopback).first() == QHostAddress(QHostAddress::LocalHostIPv6)) != v6) {
            workers[loopback].append(address);
            paired = true;
            continue;
        }
        if ((v6 || v4) && loopback < 0)
            loopback = workers.size();
        workers.append({ address });
    }
    return workers;
}

void QGbPrivate::setHostLookupForTesting(HostLookup lookup)
{
    hostLookupForTesting.store(lookup);
}

void QGbPrivate::delayNextHostLookupForTesting(int delayMs)
{
    nextHostLookupDelayForTesting.store(delayMs);
}

// Checks the remote workers' URLs and takes the token: a pool whose remote
// workers cannot be reached as configured does not start.
bool QGbSupervisor::checkRemoteWorkers(QGbError *error)
{
    const QList<QUrl> urls = m_options.remoteWorkers();
    if (urls.isEmpty())
        return true;
    for (const QUrl &url : urls) {
        const QString scheme = url.scheme().toLower();
        QString why;
        if (!url.isValid())
            why = QStringLiteral("it is not a valid URL: %1").arg(url.errorString());
        else if (scheme != TlsScheme && scheme != PlainScheme)
            why = QStringLiteral("its scheme must be gobridges:// (TLS) or gobridge:// "
                                 "(plain TCP, loopback only)");
        else if (url.host().isEmpty())
            why = QStringLiteral("it has no host");
        else if (url.port() <= 0)
            why = QStringLiteral("it has no port");
        else if (scheme == PlainScheme && !isLoopbackName(url.host()))
            why = QStringLiteral("plain TCP (gobridge://) is accepted only for a loopback host "
                                 "(localhost, 127.0.0.1, [::1]); use gobridges:// (TLS)");
        if (!why.isEmpty()) {
            *error = QGbError(
                    QGbError::WorkerStartFailed,
                    QStringLiteral("Remote worker %1 refused: %2").arg(url.toDisplayString(), why));
            return false;
        }
    }
    m_context.remoteToken = m_options.remoteToken();
    if (m_context.remoteToken.isEmpty())
        m_context.remoteToken = qgetenv("QGOBRIDGE_REMOTE_TOKEN").trimmed();
    if (m_context.remoteToken.isEmpty()) {
        *error = QGbError(QGbError::WorkerStartFailed,
                          QStringLiteral("The pool has remote workers but no token for them: "
                                         "set QGbPoolOptions::setRemoteToken() or the "
                                         "environment variable QGOBRIDGE_REMOTE_TOKEN"));
        return false;
    }
    return true;
}

QGbWorker *QGbSupervisor::addRemoteSlot(const QUrl &url, const QList<QHostAddress> &assigned)
{
    bool first = true;
    for (const auto &w : m_workers)
        first = first && !(w->remote && w->url == url);
    QGbWorker *w = addSlot();
    w->remote = true;
    w->url = url;
    w->tls = url.scheme().toLower() == TlsScheme;
    w->host = url.host();
    w->port = quint16(url.port());
    w->assigned = assigned;
    w->endpoint = authority(w->host, w->port);
    m_context.endpoints[w->index] = w->endpoint;
    if (first && QHostAddress(w->host).isNull() && m_options.remoteResolveInterval().count() > 0) {
        w->resolveTimer = new QTimer(this);
        connect(w->resolveTimer, &QTimer::timeout, this, [this, w] {
            lookupHost(w, [this, w](const QHostInfo &info) {
                if (info.error() == QHostInfo::NoError && !info.addresses().isEmpty())
                    assignRemoteAddresses(
                            w->url, QGbPrivate::remoteWorkerAddresses(info.addresses()), nullptr);
            });
        });
        w->resolveTimer->start(m_options.remoteResolveInterval());
    }
    // For a remote slot the connect timer is the start deadline.
    w->connectTimer->setSingleShot(true);
    connect(w->connectTimer, &QTimer::timeout, this, [this, w] {
        if (w->state == QGbWorker::State::Starting)
            remoteLost(w,
                       QStringLiteral("it did not answer within %1 ms")
                               .arg(m_options.startTimeout().count()));
    });
    return w;
}

bool QGbSupervisor::ownsWorker(const QGbWorker *worker) const
{
    for (const auto &w : m_workers) {
        if (w.get() == worker)
            return true;
    }
    return false;
}

void QGbSupervisor::startRemote(QGbWorker *worker)
{
    ++worker->generation;
    worker->state = QGbWorker::State::Starting;
    updateReadyCount();
    report(worker, QGbEngineListener::WorkerEvent::Starting, 0);
    worker->connectTimer->start(m_options.startTimeout());
    worker->alternatives.clear();
    const QHostAddress literal(worker->host);
    if (!literal.isNull()) {
        worker->address = literal;
        connectRemote(worker);
        return;
    }
    // Resolved again at each start: the name may point elsewhere by now.
    const int generation = worker->generation;
    lookupHost(worker, [this, worker, generation](const QHostInfo &info) {
        remoteResolved(worker, generation, info);
    });
}

void QGbSupervisor::lookupHost(QGbWorker *worker, std::function<void(const QHostInfo &)> done)
{
    auto deliver = [this, worker, done = std::move(done)](const QHostInfo &info) {
        if (!m_context.shuttingDown && ownsWorker(worker))
            done(info);
    };
    if (const QGbPrivate::HostLookup lookup = hostLookupForTesting.load()) {
        QHostInfo info;
        info.setAddresses(lookup(worker->host));
        if (info.addresses().isEmpty()) {
            info.setError(QHostInfo::HostNotFound);
            info.setErrorString(QStringLiteral("Host not found (test lookup)"));
        }
        // Asynchronous, as the real lookup.
        QTimer::singleShot(nextHostLookupDelayForTesting.exchange(0), this,
                           [deliver, info] { deliver(info); });
        return;
    }
    QHostInfo::lookupHost(worker->host, this, deliver);
}

void QGbSupervisor::assignRemoteAddresses(const QUrl &url,
                                          const QList<QList<QHostAddress>> &workers,
                                          QGbWorker *resolving)
{
    const auto same = [](const QList<QHostAddress> &a, const QList<QHostAddress> &b) {
        return a.size() == b.size()
                && std::all_of(a.cbegin(), a.cend(),
                               [&b](const QHostAddress &x) { return b.contains(x); });
    };
    QList<bool> taken(workers.size(), false);
    QList<QGbWorker *> waiting; // slots that may take another worker
    for (const auto &slot : m_workers) {
        QGbWorker *w = slot.get();
        if (!w->remote || w->url != url)
            continue;
        // The order of a worker's addresses is the resolver's latest.
        qsizetype found = -1;
        for (qsizetype i = 0; i < workers.size() && found < 0; ++i) {
            if (!taken[i] && same(w->assigned, workers[i]))
                found = i;
        }
        if (found >= 0) {
            taken[found] = true;
            w->assigned = workers[found];
            continue;
        }
        // Connected, or connecting, to addresses the name does not have
        // now: it keeps them until that connection is lost. (A slot that
        // waits for its first lookup has none yet: it takes one here.)
        if (w != resolving && !w->assigned.isEmpty()
            && (w->state == QGbWorker::State::Ready || w->state == QGbWorker::State::Starting))
            continue;
        w->assigned.clear();
        waiting.append(w);
    }
    QList<QGbWorker *> added;
    for (qsizetype i = 0; i < workers.size(); ++i) {
        if (taken[i])
            continue;
        if (waiting.isEmpty()) {
            added.append(addRemoteSlot(url, workers[i]));
            continue;
        }
        QGbWorker *w = waiting.takeFirst();
        w->assigned = workers[i];
        // A slot that was left without a worker starts; one in its backoff
        // takes this worker when it starts again.
        if (w != resolving && w->state == QGbWorker::State::Stopped && !m_context.shuttingDown)
            startWorker(w);
    }
    if (added.isEmpty())
        return;
    updateReadyCount();
    for (QGbWorker *w : added)
        startWorker(w);
}

void QGbSupervisor::remoteIdle(QGbWorker *worker, const QString &reason)
{
    worker->connectTimer->stop();
    worker->heartbeatTimer->stop();
    worker->state = QGbWorker::State::Stopped;
    worker->consecutiveFailures = 0;
    // It has no address now: its endpoint is the URL's alone.
    worker->endpoint = authority(worker->host, worker->port);
    m_context.endpoints[worker->index] = worker->endpoint;
    updateReadyCount();
    report(worker, QGbEngineListener::WorkerEvent::Idle, 0, 0, reason);
    qCDebug(lcQGbSupervisor) << "remote worker" << worker->index << worker->endpoint
                             << "idle:" << reason;
}

void QGbSupervisor::remoteResolved(QGbWorker *worker, int generation, const QHostInfo &info)
{
    if (worker->generation != generation || worker->state != QGbWorker::State::Starting)
        return;
    const QList<QHostAddress> addresses = info.addresses();
    if (info.error() != QHostInfo::NoError || addresses.isEmpty()) {
        remoteLost(worker,
                   QStringLiteral("cannot resolve %1: %2").arg(worker->host, info.errorString()));
        return;
    }
    if (!worker->tls) {
        for (const QHostAddress &address : addresses) {
            if (!address.isLoopback()) {
                remoteLost(worker,
                           QStringLiteral("%1 resolves to %2, which is not a loopback address: "
                                          "plain TCP (gobridge://) is refused")
                                   .arg(worker->host, address.toString()));
                return;
            }
        }
    }
    // Each address is a worker (::1 and an IPv4 loopback address together
    // are one), each with a slot of its own: this one keeps its worker if
    // the name still has it, else takes one that has no slot yet.
    const QList<QList<QHostAddress>> workers = QGbPrivate::remoteWorkerAddresses(addresses);
    assignRemoteAddresses(worker->url, workers, worker);
    if (worker->assigned.isEmpty()) {
        const QString why = addresses.size() == 1
                ? QStringLiteral("%1 resolves to one address now, which has a worker")
                          .arg(worker->host)
                : QStringLiteral("%1 resolves to %2 addresses now, each with a worker")
                          .arg(worker->host)
                          .arg(addresses.size());
        // Resolved again on a timer: it waits for a new address. Without
        // the timer, it tries again after its backoff, as a lost worker.
        if (m_options.remoteResolveInterval().count() > 0)
            remoteIdle(worker, why);
        else
            remoteLost(worker, why);
        return;
    }
    worker->alternatives = worker->assigned;
    worker->address = worker->alternatives.takeFirst();
    connectRemote(worker);
}

// The control connection of a starting remote worker failed before it
// connected: true if the worker has another address to try (it then tries it).
bool QGbSupervisor::connectRemoteAlternative(QGbWorker *worker, const QString &reason)
{
    if (worker->state != QGbWorker::State::Starting || worker->alternatives.isEmpty())
        return false;
    qCDebug(lcQGbSupervisor) << "remote worker" << worker->index << worker->endpoint << reason
                             << "- trying" << worker->alternatives.first().toString();
    worker->address = worker->alternatives.takeFirst();
    // From the event loop, as every other reconnection: this runs inside the
    // session's close() of the connection that failed.
    const int generation = worker->generation;
    QMetaObject::invokeMethod(
            this,
            [this, worker, generation] {
                if (!m_context.shuttingDown && ownsWorker(worker)
                    && worker->generation == generation
                    && worker->state == QGbWorker::State::Starting)
                    connectRemote(worker);
            },
            Qt::QueuedConnection);
    return true;
}

void QGbSupervisor::connectRemote(QGbWorker *worker)
{
    const QString where = authority(worker->address.toString(), worker->port);
    worker->endpoint = where == authority(worker->host, worker->port)
            ? where
            : QStringLiteral("%1 (%2)").arg(authority(worker->host, worker->port), where);
    m_context.endpoints[worker->index] = worker->endpoint;
    updateReadyCount();
    worker->control = m_sessions->open(worker, true);
}

void QGbSupervisor::remoteLost(QGbWorker *worker, const QString &reason)
{
    if (worker->state != QGbWorker::State::Starting && worker->state != QGbWorker::State::Ready)
        return;
    const bool wasReady = worker->state == QGbWorker::State::Ready;
    worker->connectTimer->stop();
    worker->heartbeatTimer->stop();
    worker->state = QGbWorker::State::Backoff;
    // Published before the calls fail, as for a local worker's exit.
    updateReadyCount();
    const QGbError lost(QGbError::WorkerCrashed,
                        QStringLiteral("Remote worker %1 (%2) lost the call's connection: %3")
                                .arg(worker->index)
                                .arg(worker->endpoint, reason));
    m_sessions->closeWorker(worker, lost);
    m_scheduler->failOrphans(worker, &lost);
    report(worker, QGbEngineListener::WorkerEvent::Exited, 0, 0, reason);
    if (wasReady) {
        qCWarning(lcQGbSupervisor)
                << "remote worker" << worker->index << worker->endpoint << "lost:" << reason;
        emit workerExited(worker->index, 0, -1, QProcess::CrashExit);
    }
    if (wasReady && worker->readySince.elapsed() >= 10000)
        worker->consecutiveFailures = 0;
    ++worker->consecutiveFailures;
    if (m_context.shuttingDown)
        return;
    if (!wasReady) {
        const QGbError error(QGbError::WorkerStartFailed,
                             QStringLiteral("Remote worker %1 (%2) cannot be reached: %3")
                                     .arg(worker->index)
                                     .arg(worker->endpoint, reason));
        // Said once per run of failures: the pool keeps trying.
        if (worker->consecutiveFailures == 1) {
            qCWarning(lcQGbSupervisor) << error.errorString();
            emit errorOccurred(error);
        }
        // Calls wait for a worker that was ready once, or that may still
        // answer (another address of the same name, a local worker that
        // starts); a pool none of whose workers ever answered fails them, as
        // when local workers cannot start.
        bool hope = false;
        for (const auto &w : m_workers)
            hope = hope || w->everReady || w->state == QGbWorker::State::Ready
                    || w->state == QGbWorker::State::Starting;
        if (!hope)
            m_scheduler->failQueued(error);
    }
    scheduleRestart(worker);
}
