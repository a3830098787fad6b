// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbpool.h"
#include "qgbcall_p.h"
#include "qgbchannel_p.h"
#include "qgbeventdispatcher_p.h"
#include "qgbfunction_p.h"
#include "qgbpool_p.h"
#include "qgbsupervisor_p.h"
#include "qgbwaithook_p.h"

#include <QtCore/qmetaobject.h>
#include <QtCore/qmutex.h>
#include <QtCore/qpointer.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace QGbPrivate {

CallSink::~CallSink() = default;

void CallSink::deliverError(const QGbError &error)
{
    futureInterface().reportException(QGbException(error));
}

bool CallSink::deliverItemsJson(const char *, const char *, qsizetype *)
{
    return false;
}

bool CallSink::deliverResultJson(const char *, const char *)
{
    return false;
}

void CallSink::deliverProgress(double value, double maximum, const QString &text)
{
    // QFuture's progress is an int and only goes up (Qt drops a smaller
    // value): a whole-number maximum that fits an int is the range itself,
    // any other maximum becomes a range of 0 to 10000.
    QFutureInterfaceBase &future = futureInterface();
    int range = 0;
    int position = 0;
    if (maximum > 0) {
        const bool whole = maximum <= double(std::numeric_limits<int>::max())
                && maximum == std::floor(maximum) && value == std::floor(value);
        range = whole ? int(maximum) : 10000;
        const double scaled = whole ? value : value / maximum * 10000.0;
        position = int(std::clamp(scaled, 0.0, double(range)));
    } else {
        position = int(std::clamp(value, 0.0, double(std::numeric_limits<int>::max())));
    }
    if (future.progressMaximum() != range || future.progressMinimum() != 0)
        future.setProgressRange(0, range);
    future.setProgressValueAndText(position, text);
}

void clearResultsBeforeException(QFutureInterfaceBase &future,
                                 void (*clear)(QtPrivate::ResultStoreBase &store))
{
    // Qt 6.4 swaps the result store for the exception without freeing the
    // typed results (~QFutureInterface<T> frees them only when there is no
    // exception): free a failing stream's items first.
    QMutexLocker locker(&future.mutex());
    if (!future.isCanceled() && !future.isFinished())
        clear(future.resultStoreBase());
}

bool appendChannel(QVariantList *out, QGbChannel *channel, QGbChannel **input, QGbError *error)
{
    if (*input) {
        *error = QGbError(QGbError::BadArguments,
                          QStringLiteral("A call takes at most one QGbChannel"));
        return false;
    }
    *input = channel;
    out->append(QVariant::fromValue(QGbStreamMarker()));
    return true;
}

} // namespace QGbPrivate

namespace {

// Receives the describe the pool sends by itself and stores its answer.
class FunctionListSink final : public QGbPrivate::CallSink
{
public:
    FunctionListSink(std::shared_ptr<QGbFunctionList> store, QGbPool *pool,
                     std::weak_ptr<QGbEngineHandle> handle)
        : m_store(std::move(store))
        , m_pool(pool)
        , m_handle(std::move(handle))
    {
        m_interface.reportStarted();
    }
    QFutureInterfaceBase &futureInterface() override { return m_interface; }

    bool deliverItems(const QVariantList &, QGbError *error) override
    {
        *error = QGbError(QGbError::ProtocolError,
                          QStringLiteral("describe answered with a stream"));
        return false;
    }

    bool deliverResult(const QVariant &wire, QGbError *error) override
    {
        QVariantList entries;
        if (!QGb::fromWire(wire, &entries, error, QGbPath("result")))
            return false;
        QList<QGbFunction> list;
        QHash<QString, QGbFunction> byName;
        for (const QVariant &entry : std::as_const(entries)) {
            QGbFunction function = QGbFunction::fromDescription(entry.toMap());
            if (!function.isValid() || byName.contains(function.name()))
                continue;
            byName.insert(function.name(), function);
            list.append(function);
        }
        std::sort(list.begin(), list.end(),
                  [](const QGbFunction &a, const QGbFunction &b) { return a.name() < b.name(); });
        {
            QMutexLocker locker(&m_store->mutex);
            m_store->fetching = false;
            if (m_store->known)
                return true;
            m_store->list = std::move(list);
            m_store->byName = std::move(byName);
            m_store->known = true;
        }
        // The pool outlives its engine, which owns this sink.
        QGbPool *pool = m_pool;
        QMetaObject::invokeMethod(
                pool, [pool] { QGbPoolPrivate::get(pool)->emitFunctionsChanged(); },
                Qt::QueuedConnection);
        return true;
    }

    void deliverError(const QGbError &error) override
    {
        // Kept in the future, as by every sink: the call's outcome (the
        // inspector reads it there) is this error.
        CallSink::deliverError(error);
        {
            QMutexLocker locker(&m_store->mutex);
            m_store->fetching = false;
        }
        // Asked again when the next worker is ready; at once if the worker
        // died (the restarted one may be ready already, and the describe
        // waits for a worker otherwise).
        if (error.code() != QGbError::WorkerCrashed)
            return;
        if (const std::shared_ptr<QGbEngineHandle> handle = m_handle.lock()) {
            QGbPool *pool = m_pool;
            handle->post([pool] { QGbPoolPrivate::get(pool)->fetchFunctions(); });
        }
    }

    void deliverFinished() override
    {
        if (!m_interface.isFinished())
            m_interface.reportFinished();
    }

private:
    std::shared_ptr<QGbFunctionList> m_store;
    QGbPool *m_pool;
    std::weak_ptr<QGbEngineHandle> m_handle;
    QFutureInterface<void> m_interface;
};

} // namespace

/*!
    \class QGbPool
    \inmodule QGobridge
    \brief The QGbPool class runs Python functions in a supervised pool of worker processes.

    A QGbPool starts \l{QGbPoolOptions::workers()}{workers} Python processes that
    run \a script, a Python file that exposes functions with \c @gobridge and
    calls \c run():

    \code
    # worker.py
    from gobridge import gobridge, run

    @gobridge
    def add(a: int, b: int) -> int:
        return a + b

    run()
    \endcode

    \code
    QGbPool pool("worker.py");
    QFuture<int> sum = pool.call<int>("add", 3, 4);
    qDebug() << sum.result(); // 7
    \endcode

    It can also connect to workers on other machines, served by
    \c{python3 -m gobridge serve} and reached over TCP with TLS, beside or
    instead of the processes it starts: see
    QGbPoolOptions::setRemoteWorkers().

    \section1 Four call modes, one entry point

    \list
    \li call() runs a plain function and its QFuture holds the one result.
    \li stream() runs a generator function; its QFuture receives every
        \c yield as a result, as it comes.
    \li Passing a QGbChannel as an argument makes it a client stream: the
        Python function receives an \c Iterator. With call() it returns one
        value; with stream() it is a bidirectional stream.
    \li invoke() starts any of them untyped and returns a QGbCall with signals.
    \endlist

    Arguments and results convert between C++ and Python values: integers,
    double, bool, QString, null, QByteArray (Python \c bytes, sent as raw bytes),
    lists, maps, QJsonValue, QVariant and \c Q_GADGET structs (Python dicts keyed
    by property name), recursively. A value that cannot be carried fails the call
    with QGbError::TypeMismatch naming the value's path; nothing is ever
    truncated or rounded silently.

    \section1 Threads

    Every pool has one I/O thread that owns its processes and sockets; nothing
    the caller does blocks it, so QFuture::result() and
    QFuture::waitForFinished() may be called from the thread that owns the pool.
    call(), stream(), invoke() and describe() are thread-safe.

    \section1 Failures and cancellation

    Every call ends exactly once, with a result or a QGbError. QFuture::cancel()
    (or QGbCall::cancel()) cancels a call at once for the caller and interrupts
    the Python function where it runs: a generator is closed, an input iterator
    raises, running code gets \c gobridge.Cancelled. A function that cannot be
    interrupted within QGbPoolOptions::cancelGracePeriod() gets its worker
    killed and restarted.

    A worker that dies is restarted with exponential backoff (100 ms doubling up
    to 30 s, reset after 10 s of healthy running); calls running on it fail with
    QGbError::WorkerCrashed, calls that had not started go to a live worker.

    \section1 Signals

    The pool reports its state and its workers with signals, emitted in the
    thread the pool lives in: stateChanged(), readyWorkersChanged(),
    workerStarted(), workerExited(), workerOutput(), workerFailed() and
    errorOccurred(). Only the pool emits them: they are private signals, which
    can be connected to but not emitted from outside the class.
*/

/*!
    \property QGbPool::script
    \brief the Python script the workers run.
*/

/*!
    \property QGbPool::state
    \brief the pool's state.
*/

/*!
    \property QGbPool::readyWorkers
    \brief how many workers are ready to run calls now.
*/

/*!
    \fn void QGbPool::stateChanged(QGbPool::State state)
    This signal is emitted when the pool's state changes to \a state: to
    \l Running once every worker was ready, to \l Closed when the pool is
    closed.
*/

/*!
    \fn void QGbPool::readyWorkersChanged(int readyWorkers)
    This signal is emitted when the number of workers ready to run calls
    changes to \a readyWorkers.
*/

/*!
    \enum QGbPool::State
    \value Starting Workers are starting; calls made now wait for them.
    \value Running Every worker was ready at least once.
    \value Closed The pool was closed; calls fail with QGbError::PoolClosed.
*/

/*!
    Constructs a pool that runs \a script in Python workers configured by
    \a options, with \a parent. The workers start at once; calls made before they
    are ready wait for them.
*/
QGbPool::QGbPool(const QString &script, const QGbPoolOptions &options, QObject *parent)
    : QObject(parent)
    , d_ptr(new QGbPoolPrivate)
{
    Q_D(QGbPool);
    d->q_ptr = this;
    d->script = script;
    d->options = options;
    d->thread.setObjectName(QStringLiteral("QGbPool I/O"));
    d->engine = new QGbEngine(script, options);
    d->handle = d->engine->handle();
    d->engine->moveToThread(&d->thread);
#ifdef QGB_HAVE_EPOLL_DISPATCHER
    // QGB_EVENT_DISPATCHER=qt keeps Qt's own dispatcher (to compare, or to
    // rule this one out when looking for a bug).
    if (qgetenv("QGB_EVENT_DISPATCHER") != "qt") {
        auto dispatcher = std::make_unique<QGbEventDispatcher>();
        if (dispatcher->isValid())
            d->thread.setEventDispatcher(dispatcher.release());
    }
#endif

    // The supervisor's signals come from the I/O thread: queued to the pool's
    // thread, where the pool emits its own (only the pool may emit them).
    QGbSupervisor *supervisor = d->engine->supervisor();
    connect(supervisor, &QGbSupervisor::workerStarted, this,
            [this](int worker, qint64 pid) { emit workerStarted(worker, pid, QPrivateSignal()); });
    // In the I/O thread: the first worker that is ready is asked for the
    // functions, and the next one if that fails.
    connect(
            supervisor, &QGbSupervisor::workerStarted, supervisor, [d] { d->fetchFunctions(); },
            Qt::DirectConnection);
    connect(supervisor, &QGbSupervisor::workerExited, this,
            [this](int worker, qint64 pid, int exitCode, QProcess::ExitStatus exitStatus) {
                emit workerExited(worker, pid, exitCode, exitStatus, QPrivateSignal());
            });
    connect(supervisor, &QGbSupervisor::workerOutput, this,
            [this](int worker, QProcess::ProcessChannel channel, const QByteArray &line) {
                emit workerOutput(worker, channel, line, QPrivateSignal());
            });
    connect(supervisor, &QGbSupervisor::logRecord, this,
            [this, supervisor](const QGbLogRecord &record) {
                const QPointer<QGbPool> alive(this);
                const qint64 dropped = supervisor->logRecordTaken();
                emit logRecord(record, QPrivateSignal());
                if (dropped > 0 && alive) {
                    QGbLogRecord note;
                    note.setLevel(QGbLogRecord::Warning);
                    note.setLoggerName(QStringLiteral("qgobridge"));
                    note.setMessage(QStringLiteral("%1 Python log records were dropped: the "
                                                   "workers logged faster than the application "
                                                   "took them")
                                            .arg(dropped));
                    note.setTime(QDateTime::currentDateTime());
                    emit logRecord(note, QPrivateSignal());
                }
            });
    connect(supervisor, &QGbSupervisor::errorOccurred, this,
            [this](const QGbError &error) { emit errorOccurred(error, QPrivateSignal()); });
    connect(supervisor, &QGbSupervisor::workerFailed, this,
            [this](int worker, const QGbError &error) {
                emit workerFailed(worker, error, QPrivateSignal());
            });
    connect(supervisor, &QGbSupervisor::readyWorkersChanged, this, [this](int ready) {
        Q_D(QGbPool);
        if (d->state == Starting && ready >= QGbSupervisor::initialWorkerCount(d->options)) {
            d->state = Running;
            emit stateChanged(d->state, QPrivateSignal());
        }
        emit readyWorkersChanged(ready, QPrivateSignal());
    });

    d->thread.start();
    QGbEngine *engine = d->engine;
    d->handle->post([engine] { engine->startPool(); });
}

/*!
    Destroys the pool: calls that have not finished fail with
    QGbError::PoolClosed and the workers are stopped.
    \sa close()
*/
QGbPool::~QGbPool()
{
    close();
}

/*!
    Closes the pool: calls that have not finished fail with QGbError::PoolClosed,
    the workers get SIGTERM (SIGKILL one second later if they are still running),
    and the socket directory is removed. Returns once all of this is done.
*/
void QGbPool::close()
{
    Q_D(QGbPool);
    if (d->state == Closed)
        return;
    QGbEngine *engine = d->engine;
    d->engine = nullptr;
    QMetaObject::invokeMethod(
            engine,
            [engine] {
                engine->shutdown();
                delete engine;
            },
            Qt::BlockingQueuedConnection);
    d->thread.quit();
    d->thread.wait();
    d->state = Closed;
    emit stateChanged(d->state, QPrivateSignal());
}

/*!
    Returns the script the workers run.
*/
QString QGbPool::script() const
{
    Q_D(const QGbPool);
    return d->script;
}

/*!
    Returns the options the pool was created with.
*/
QGbPoolOptions QGbPool::options() const
{
    Q_D(const QGbPool);
    return d->options;
}

/*!
    Returns the pool's state.
*/
QGbPool::State QGbPool::state() const
{
    Q_D(const QGbPool);
    return d->state;
}

/*!
    Returns how many workers are ready to run calls now. Thread-safe.
*/
int QGbPool::readyWorkers() const
{
    Q_D(const QGbPool);
    QMutexLocker locker(&d->handle->mutex);
    return d->handle->engine ? d->handle->engine->readyWorkers() : 0;
}

/*!
    Returns the process ids of the local workers that are ready now (remote
    workers are left out: see workerEndpoint()). Thread-safe.
*/
QList<qint64> QGbPool::workerProcessIds() const
{
    Q_D(const QGbPool);
    QMutexLocker locker(&d->handle->mutex);
    return d->handle->engine ? d->handle->engine->workerProcessIds() : QList<qint64>();
}

/*!
    Returns where the worker numbered \a worker runs when it is a remote
    worker (QGbPoolOptions::setRemoteWorkers()): its URL's \c{host:port},
    followed by the address it connects to in parentheses when the host is a
    name, such as \c{"workers.example:8443 (10.0.3.7:8443)"} (without the
    address while the name has none for it: see WorkerState::Stopped). Returns
    an empty string for a local worker, and for a number that is no worker.
    Thread-safe.

    Remote workers are numbered after the local ones, in the order of their
    URLs (a host name that resolves to several addresses gives a worker for
    each, numbered when it is resolved). Their signals workerStarted() and
    workerExited() carry the pid 0, and workerProcessIds() leaves them out:
    their processes run on other machines.
*/
QString QGbPool::workerEndpoint(int worker) const
{
    Q_D(const QGbPool);
    QMutexLocker locker(&d->handle->mutex);
    return d->handle->engine ? d->handle->engine->supervisor()->workerEndpoint(worker) : QString();
}

/*!
    \enum QGbPool::WorkerState
    \value Starting The worker process starts and does not accept calls yet
           (a remote worker: the pool connects to it).
    \value Ready The worker runs calls.
    \value Restarting The worker died, or is being recycled, and waits for its
           restart (a remote worker: its connection was lost or refused, and
           the pool waits to connect again).
    \value Failed The worker died too often; the pool no longer restarts it
           (see QGbPoolOptions::setRestartLimit() and restartFailedWorkers()).
    \value Stopped The pool is closed; or, for a remote worker, its host name
           resolves to no address that has no worker (see
           QGbPoolOptions::setRemoteResolveInterval()): it waits for one.
*/

/*!
    Returns the state of each worker, by worker number. Thread-safe.
*/
QList<QGbPool::WorkerState> QGbPool::workerStates() const
{
    Q_D(const QGbPool);
    QMutexLocker locker(&d->handle->mutex);
    return d->handle->engine ? d->handle->engine->workerStates() : QList<WorkerState>();
}

/*!
    Blocks until every worker is ready or \a msecs milliseconds have passed.
    Returns \c true if every worker is ready. A remote worker that waits for
    an address (WorkerState::Stopped while the pool runs) is not waited for.
    Calls need not wait for this: calls made before the workers are ready
    wait for them.
*/
bool QGbPool::waitForStarted(int msecs)
{
    Q_D(QGbPool);
    QGbEngine *engine = d->engine;
    return engine && engine->waitForAllReady(msecs);
}

/*!
    \fn template <typename R, typename... Args> QFuture<R> QGbPool::call(const QString &method, const Args &...args)

    Calls the Python function \a method with \a args and returns a QFuture of its
    result converted to \c R (\c void discards it). If one of \a args is a
    QGbChannel, the function receives an \c Iterator over what is written to
    the channel (a client stream). Calling a generator function with call()
    fails with QGbError::BadArguments before it runs: use stream().
*/

/*!
    \fn template <typename R, typename... Args> QFuture<R> QGbPool::call(const QGbCallOptions &options, const QString &method, const Args &...args)
    \overload

    Calls \a method with \a args, configured by \a options (for example a timeout).
*/

/*!
    \fn template <typename R, typename... Args> QFuture<R> QGbPool::stream(const QGbCallOptions &options, const QString &method, const Args &...args)
    \overload

    Streams from \a method with \a args, configured by \a options.
*/

/*!
    \fn void QGbPool::workerStarted(int worker, qint64 pid)
    This signal is emitted when worker number \a worker, process \a pid, is
    ready to run calls: at start and after each restart.
*/

/*!
    \fn void QGbPool::workerExited(int worker, qint64 pid, int exitCode, QProcess::ExitStatus exitStatus)
    This signal is emitted when the process \a pid of worker \a worker ended
    with \a exitCode and \a exitStatus: it crashed, was killed by the pool
    (cancel grace period, heartbeat), or was recycled.
*/

/*!
    \fn void QGbPool::workerOutput(int worker, QProcess::ProcessChannel channel, const QByteArray &line)
    This signal is emitted for each whole \a line (with its newline) that
    worker \a worker writes on \a channel, whether or not it is also forwarded.
*/

/*!
    \fn void QGbPool::logRecord(const QGbLogRecord &record)
    This signal is emitted for each Python \c logging \a record a worker
    sends: the records its loggers let through (see
    QGbPoolOptions::setPythonLogLevel()). A record a call logged arrives
    before the call's result. By default the pool also writes each record
    to the Qt logging category \c{qgobridge.python.}\e{logger}
    (QGbPoolOptions::setCategoryLoggingEnabled()).

    At most 10000 records wait for this thread: a worker that logs faster
    than the thread takes them (a thread blocked for seconds) loses the
    records beyond that, and a record of the logger \c qgobridge at level
    Warning, with a worker() of -1, then says how many were dropped. The
    Qt logging categories get every record.
*/

/*!
    \fn void QGbPool::workerFailed(int worker, const QGbError &error)
    This signal is emitted when the pool stops restarting worker \a worker
    because it died too often; \a error says why.
    \sa QGbPoolOptions::setRestartLimit(), restartFailedWorkers()
*/

/*!
    \fn void QGbPool::errorOccurred(const QGbError &error)
    This signal is emitted when a worker cannot be started, with \a error.
*/

/*!
    \fn template <typename R, typename... Args> QFuture<R> QGbPool::stream(const QString &method, const Args &...args)

    Calls the Python generator function \a method with \a args and returns a
    QFuture that receives each value it yields, converted to \c R. With a
    QGbChannel among \a args, the stream is bidirectional.
*/

/*!
    Calls \a method with \a args, untyped, and returns a QGbCall that reports
    the call with signals. The caller owns the QGbCall. \a input, if not
    \nullptr, is the client stream; it is passed where \a args holds
    \c{QVariant::fromValue(QGbStreamMarker())}, or last if no argument is a marker.
*/
QGbCall *QGbPool::invoke(const QString &method, const QVariantList &args, QGbChannel *input)
{
    return invoke(QGbCallOptions(), method, args, input);
}

/*!
    \overload
    Calls \a method with \a args and the client stream \a input, configured by \a options.
*/
QGbCall *QGbPool::invoke(const QGbCallOptions &options, const QString &method,
                         const QVariantList &args, QGbChannel *input)
{
    Q_D(QGbPool);
    auto *call = new QGbCall(method);
    auto *relay = new QGbCallRelay;
    relay->moveToThread(&d->thread);
    QGbCallPrivate *cd = call->d_func();
    connect(
            relay, &QGbCallRelay::chunks, call,
            [cd](const QVariantList &items) { cd->deliverChunks(items); }, Qt::QueuedConnection);
    connect(
            relay, &QGbCallRelay::result, call,
            [cd](const QVariant &value) { cd->deliverResult(value); }, Qt::QueuedConnection);
    connect(
            relay, &QGbCallRelay::error, call, [cd](const QGbError &e) { cd->deliverError(e); },
            Qt::QueuedConnection);
    connect(
            relay, &QGbCallRelay::done, call, [cd] { cd->deliverDone(); }, Qt::QueuedConnection);
    QObject::connect(
            relay, &QGbCallRelay::progress, call,
            [cd](double value, double maximum, const QString &text) {
                cd->deliverProgress(value, maximum, text);
            },
            Qt::QueuedConnection);

    auto sink = std::make_unique<QGbCallObjectSink>(relay, cd->shared);
    cd->future = sink->future();

    QVariantList wireArgs;
    wireArgs.reserve(args.size() + 1);
    QGbError error;
    bool markerSeen = false;
    const QGbPath root("args", QGbPath::ListRoot);
    for (qsizetype i = 0; i < args.size() && !error.isError(); ++i) {
        if (args.at(i).metaType() == QMetaType::fromType<QGbStreamMarker>()) {
            markerSeen = true;
            wireArgs.append(args.at(i));
            continue;
        }
        if (auto *channel = args.at(i).value<QGbChannel *>()) {
            if (input && input != channel) {
                error = QGbError(QGbError::BadArguments,
                                 QStringLiteral("A call takes at most one QGbChannel"));
            }
            input = channel;
            markerSeen = true;
            wireArgs.append(QVariant::fromValue(QGbStreamMarker()));
            continue;
        }
        QVariant wire;
        QGbError conversion;
        if (!QGb::toWire(args.at(i), &wire, &conversion, root.index(i)))
            error = conversion;
        wireArgs.append(std::move(wire));
    }
    if (input && !markerSeen)
        wireArgs.append(QVariant::fromValue(QGbStreamMarker()));
    // A thread that blocks on call->future() where the call lives runs its signals meanwhile.
    const QPointer<QGbCall> alive(call);
    QThread *const owner = QThread::currentThread();
    const std::shared_ptr<QGbCallRecord> record =
            d->submit(options, method, std::move(wireArgs), input, -1, std::move(sink), error,
                      [alive, owner, shared = cd->shared] {
                          if (QThread::currentThread() == owner)
                              shared->deliverUntilEnded(alive);
                      });
    if (record) {
        std::weak_ptr<QGbEngineHandle> handle = d->handle;
        std::weak_ptr<QGbCallRecord> weak = record;
        cd->consumed = [handle, weak](qsizetype items) {
            if (auto h = handle.lock()) {
                h->post([h, weak, items] {
                    if (QGbCallPtr c = weak.lock(); c && h->engine)
                        h->engine->onConsumed(c, items);
                });
            }
        };
    }
    return call;
}

/*!
    Returns a QFuture of the list of functions the workers expose: for each, a
    map with \c name, \c signature, \c doc, \c mode (\c call,
    \c server_stream, \c client_stream or \c bidi) and, if Python can tell
    the signature, \c params. QGbFunction::fromDescription() reads one.

    The pool asks for this list by itself once (see functions()); describe()
    asks a worker again, and sees functions registered since.
*/
QFuture<QVariantList> QGbPool::describe()
{
    Q_D(QGbPool);
    auto sink = std::make_unique<QGbPrivate::TypedSink<QVariantList>>();
    QFuture<QVariantList> future = sink->future();
    d->submit(QGbCallOptions(), QStringLiteral("describe"), QVariantList(), nullptr, -1,
              std::move(sink), QGbError(), {}, QGbCallRecord::Kind::Describe);
    return future;
}

/*!
    Returns the functions the workers expose, sorted by name; empty until
    the pool knows them. Thread-safe.

    The pool asks the first worker that becomes ready for them (and the next
    one if that worker dies first), and emits functionsChanged() once it
    knows them. From then on a call to a function in the list that cannot
    work fails with QGbError::BadArguments, naming the function, before
    anything is sent to a worker:

    \list
    \li call() of a generator function (QGbFunction::ServerStream or
        QGbFunction::Bidirectional);
    \li stream() of a function that is not a generator;
    \li a call without a QGbChannel of a function with a stream parameter
        (QGbFunction::ClientStream or QGbFunction::Bidirectional);
    \li more arguments than QGbFunction::maximumArguments(), or, without
        keyword arguments, fewer than QGbFunction::minimumArguments() (a
        QGbChannel counts as one);
    \li keyword arguments (QGbCallOptions::setKeywordArguments()) that
        Python would not bind: a name the function does not take (unless it
        takes \c{**kwargs}), a positional-only parameter by name, a
        parameter given both by position and by name; and a required
        parameter given neither way (a keyword-only one included). The
        error says it in Python's words ("add() got multiple values for
        argument 'a'").
    \endlist

    invoke() checks the arguments and the channel, not the output mode. Calls
    made before the list is known, and calls of functions that are not in it
    (a worker may expose more functions later), go to a worker, which refuses
    them if they cannot work.

    \sa function(), describe()
*/
QList<QGbFunction> QGbPool::functions() const
{
    Q_D(const QGbPool);
    QMutexLocker locker(&d->functions->mutex);
    return d->functions->list;
}

/*!
    Returns the function the workers expose as \a name, or an invalid
    QGbFunction if the pool does not know it (yet). Thread-safe.
    \sa functions()
*/
QGbFunction QGbPool::function(const QString &name) const
{
    Q_D(const QGbPool);
    QMutexLocker locker(&d->functions->mutex);
    return d->functions->byName.value(name);
}

/*!
    \fn void QGbPool::functionsChanged()
    This signal is emitted once the pool knows the functions the workers
    expose: functions() lists them from then on.
*/

void QGbPoolPrivate::fetchFunctions()
{
    {
        QMutexLocker locker(&functions->mutex);
        if (functions->known || functions->fetching)
            return;
        functions->fetching = true;
    }
    submit(QGbCallOptions(), QStringLiteral("describe"), QVariantList(), nullptr, -1,
           std::make_unique<FunctionListSink>(functions, q_ptr, handle), QGbError(), {},
           QGbCallRecord::Kind::Describe);
}

std::shared_ptr<QGbCallRecord> QGbPool::submit(const QGbCallOptions &options, const QString &method,
                                               QVariantList &&args, QGbChannel *input,
                                               int streamOut,
                                               std::unique_ptr<QGbPrivate::CallSink> sink,
                                               const QGbError &argumentError)
{
    Q_D(QGbPool);
    return d->submit(options, method, std::move(args), input, streamOut, std::move(sink),
                     argumentError, {});
}

// The wire values of a call's keyword arguments (QGbCallOptions), or the
// error of the first that cannot be one.
static QGbError keywordArgumentsToWire(const QVariantMap &arguments, QVariantMap *wire)
{
    const QGbPath root("kwargs");
    for (auto it = arguments.cbegin(); it != arguments.cend(); ++it) {
        if (it->metaType() == QMetaType::fromType<QGbChannel *>()
            || it->metaType() == QMetaType::fromType<QGbStreamMarker>()) {
            return QGbError(QGbError::BadArguments,
                            QStringLiteral("A QGbChannel must be a positional argument, not the "
                                           "keyword argument %1")
                                    .arg(it.key()));
        }
        QVariant value;
        QGbError error;
        if (!QGb::toWire(*it, &value, &error, root.key(it.key())))
            return error;
        wire->insert(it.key(), std::move(value));
    }
    return QGbError();
}

std::shared_ptr<QGbCallRecord> QGbPoolPrivate::submit(
        const QGbCallOptions &callOptions, const QString &method, QVariantList &&args,
        QGbChannel *input, int streamOut, std::unique_ptr<QGbPrivate::CallSink> sink,
        QGbError error, std::function<void()> onWaitElsewhere, QGbCallRecord::Kind kind)
{
    auto call = std::make_shared<QGbCallRecord>();
    call->kind = kind;
    call->created.start();
    call->timeout = callOptions.hasTimeout() ? callOptions.timeout() : options.callTimeout();
    call->method = method;
    call->args = std::move(args);
    call->streamOut = streamOut;
    call->sink = std::move(sink);
    if (!error.isError())
        error = keywordArgumentsToWire(callOptions.keywordArguments(), &call->kwargs);
    const std::weak_ptr<QGbCallRecord> weak = call;
    const std::weak_ptr<QGbEngineHandle> weakHandle = handle;

    // A call the known function cannot take fails here, before it is sent.
    if (!error.isError() && kind == QGbCallRecord::Kind::Call) {
        QGbFunction function;
        {
            QMutexLocker locker(&functions->mutex);
            if (functions->known)
                function = functions->byName.value(method);
        }
        if (function.isValid())
            error = QGbFunctionPrivate::checkCall(function, call->args.size(), input != nullptr,
                                                  streamOut, call->kwargs);
    }

    // A channel feeds one call: the first to bind it. A call that cannot
    // leaves it alone, so the call it feeds goes on unharmed.
    if (input) {
        const std::shared_ptr<QGbChannelShared> channel = input->d_func()->shared;
        const bool bound = channel->bind([weakHandle, weak] {
            if (auto h = weakHandle.lock()) {
                h->post([h, weak] {
                    if (QGbCallPtr c = weak.lock(); c && h->engine)
                        h->engine->pumpInput(c);
                });
            }
        });
        if (bound)
            call->input = channel;
        else if (!error.isError())
            error = QGbError(QGbError::BadArguments,
                             QStringLiteral("The channel already feeds another call"));
    }
    if (error.isError()) {
        call->sink->deliverError(error);
        call->finishUnsent();
        return nullptr;
    }

    // A thread that blocks on the call's future runs the hook first. In the
    // I/O thread (a continuation without a context object runs there) the
    // call could never finish: it fails instead. Installed before the call is
    // handed over, so that it is released once the call has ended.
    call->waitHook =
            QGbWaitHook::install(call->sink->futureInterface(),
                                 [weakHandle, weak, onWaitElsewhere,
                                  fi = QFutureInterfaceBase(call->sink->futureInterface())] {
                                     if (QGbEngine::refuseWaitInIoThread(weakHandle, weak))
                                         return;
                                     if (onWaitElsewhere)
                                         onWaitElsewhere();
                                     QGbWaitHook::spinUntilFinished(fi);
                                 });
    if (!handle->submit(call)) {
        call->sink->deliverError(QGbError(QGbError::PoolClosed));
        call->finishUnsent();
        return nullptr;
    }
    return call;
}

/*!
    Starts again the workers the pool stopped restarting because they died too
    often (see QGbPoolOptions::setRestartLimit()).
*/
void QGbPool::restartFailedWorkers()
{
    Q_D(QGbPool);
    d->handle->post([handle = d->handle] {
        if (handle->engine)
            handle->engine->restartFailedWorkers();
    });
}
