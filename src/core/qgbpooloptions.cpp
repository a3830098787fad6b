// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbpooloptions.h"

#include <QtCore/qiodevice.h>
#include <QtCore/qpointer.h>

#include <algorithm>
#include <optional>

using namespace std::chrono_literals;

class QGbPoolOptionsPrivate : public QSharedData
{
public:
    int workers = 2;
    int maxConnections = 4;
    QString pythonExecutable = QStringLiteral("python3");
    QStringList scriptArguments;
    QString workingDirectory;
    QStringList environment;
    QString socketDirectory;
    QPointer<QIODevice> stdoutDevice;
    QPointer<QIODevice> stderrDevice;
    bool stdoutSet = false;
    bool stderrSet = false;
    qsizetype maxQueuedCalls = 65536;
    quint32 maxFrameSize = 64u * 1024 * 1024;
    std::chrono::milliseconds cancelGracePeriod = 2000ms;
    std::chrono::milliseconds startTimeout = 30000ms;
    std::chrono::milliseconds callTimeout = 0ms;
    std::chrono::milliseconds heartbeatInterval = 5000ms;
    std::chrono::milliseconds heartbeatTimeout = 30000ms;
    int maxCallsPerWorker = 0;
    int restartLimit = 10;
    std::chrono::milliseconds restartWindow = 60000ms;
    std::chrono::milliseconds restartDelay = 100ms;
    std::chrono::milliseconds maxRestartDelay = 30000ms;
    QString packageDirectory;
    bool addPackageToPythonPath = true;
    QGbPoolOptions::Transport transport = QGbPoolOptions::Transport::Automatic;
    int pythonLogLevel = 0;
    bool categoryLogging = true;
    bool inspectable = false;
    int flightRecorderSize = 20000;
    QList<QUrl> remoteWorkers;
    // Unset: QSslConfiguration::defaultConfiguration(), taken when asked for.
    // Taking it loads the TLS backend (OpenSSL and its configuration, 6-9 ms
    // on the first call), which a pool without remote workers never needs.
    std::optional<QSslConfiguration> sslConfiguration;
    QByteArray remoteToken;
    std::chrono::milliseconds remoteResolveInterval { 30000 };
};

/*!
    \class QGbPoolOptions
    \inmodule QGobridge
    \brief The QGbPoolOptions class configures a QGbPool.

    QGbPoolOptions is a value type with chainable setters; each option of the
    original Go gobridge has a counterpart:

    \table
    \header \li Option \li Go gobridge \li Default
    \row \li setWorkers() \li \c WithWorkers \li 2
    \row \li setMaxConnections() \li \c WithMaxConns \li 4
    \row \li setPythonExecutable() \li \c WithPythonExe \li \c python3
    \row \li setScriptArguments() \li \c WithScriptArgs \li none
    \row \li setWorkingDirectory() \li \c WithWorkDir \li the application's
    \row \li setEnvironment() \li \c WithEnv \li none
    \row \li setSocketDirectory() \li \c WithSocketDir
         \li a private directory in the temporary directory
    \row \li setStdout() \li \c WithStdout \li the application's standard output
    \row \li setStderr() \li \c WithStderr \li the application's standard error
    \endtable

    The other options have no counterpart in the original: limits
    (setMaxQueuedCalls(), setMaxFrameSize()), timing (setCancelGracePeriod(),
    setStartTimeout(), setCallTimeout(), setHeartbeat()), supervision
    (setMaxCallsPerWorker(), setRestartLimit(), setRestartBackoff()), the
    connection to the workers (setTransport()), Python's logging
    (setPythonLogLevel(), setCategoryLoggingEnabled()) and inspection with
    \c gobridge-inspector (setInspectable(), setFlightRecorderSize()), and
    workers on other machines, reached over TCP with TLS (setRemoteWorkers(),
    setSslConfiguration(), setRemoteToken()).

    \code
    QGbPool pool("worker.py", QGbPoolOptions().setWorkers(4).setMaxConnections(8));
    \endcode
*/

QGbPoolOptions::QGbPoolOptions()
    : d(new QGbPoolOptionsPrivate)
{
}
QGbPoolOptions::QGbPoolOptions(const QGbPoolOptions &other) = default;
QGbPoolOptions::QGbPoolOptions(QGbPoolOptions &&other) noexcept = default;
QGbPoolOptions &QGbPoolOptions::operator=(const QGbPoolOptions &other) = default;
QGbPoolOptions &QGbPoolOptions::operator=(QGbPoolOptions &&other) noexcept = default;
QGbPoolOptions::~QGbPoolOptions() = default;

/*!
    \fn QGbPoolOptions::QGbPoolOptions()
    Constructs options with the defaults listed above.
*/
/*!
    \fn QGbPoolOptions::QGbPoolOptions(const QGbPoolOptions &other)
    Constructs a copy of \a other.
*/
/*!
    \fn QGbPoolOptions::QGbPoolOptions(QGbPoolOptions &&other)
    Move-constructs options from \a other.
*/
/*!
    \fn QGbPoolOptions &QGbPoolOptions::operator=(const QGbPoolOptions &other)
    Assigns \a other to these options and returns a reference to them.
*/
/*!
    \fn QGbPoolOptions &QGbPoolOptions::operator=(QGbPoolOptions &&other)
    Move-assigns \a other to these options and returns a reference to them.
*/
/*!
    \fn QGbPoolOptions::~QGbPoolOptions()
    Destroys the options.
*/
/*!
    \fn void QGbPoolOptions::swap(QGbPoolOptions &other)
    Swaps these options with \a other. This operation is very fast and never fails.
*/

/*!
    Returns the number of Python worker processes the pool starts itself (its
    local workers). The default is 2.
    \sa remoteWorkers()
*/
int QGbPoolOptions::workers() const
{
    return d->workers;
}

/*!
    Sets the number of Python worker processes the pool starts itself to
    \a workers. 0 makes a purely remote pool when setRemoteWorkers() names
    workers; without remote workers a pool starts at least one local worker.
*/
QGbPoolOptions &QGbPoolOptions::setWorkers(int workers)
{
    d->workers = std::max(0, workers);
    return *this;
}

/*!
    Returns the maximum number of connections to each worker. One connection
    runs one call at a time. The default is 4.
*/
int QGbPoolOptions::maxConnections() const
{
    return d->maxConnections;
}

/*!
    Sets the maximum number of connections to each worker to \a connections (at least 1).
*/
QGbPoolOptions &QGbPoolOptions::setMaxConnections(int connections)
{
    d->maxConnections = std::max(1, connections);
    return *this;
}

/*!
    Returns the Python executable. The default is \c python3, looked up in \c PATH.
*/
QString QGbPoolOptions::pythonExecutable() const
{
    return d->pythonExecutable;
}

/*!
    Sets the Python executable to \a executable: a path, or a name looked up in \c PATH.
    It can be any program that runs the script, for example \c uv with the
    script arguments \c {run worker.py}.
*/
QGbPoolOptions &QGbPoolOptions::setPythonExecutable(const QString &executable)
{
    d->pythonExecutable = executable;
    return *this;
}

/*!
    Returns the arguments passed after the script path.
*/
QStringList QGbPoolOptions::scriptArguments() const
{
    return d->scriptArguments;
}

/*!
    Sets the arguments passed after the script path to \a arguments.
*/
QGbPoolOptions &QGbPoolOptions::setScriptArguments(const QStringList &arguments)
{
    d->scriptArguments = arguments;
    return *this;
}

/*!
    Returns the workers' working directory; empty means the application's.
*/
QString QGbPoolOptions::workingDirectory() const
{
    return d->workingDirectory;
}

/*!
    Sets the workers' working directory to \a directory.
*/
QGbPoolOptions &QGbPoolOptions::setWorkingDirectory(const QString &directory)
{
    d->workingDirectory = directory;
    return *this;
}

/*!
    Returns the extra environment variables, as \c{"KEY=VALUE"} strings.
*/
QStringList QGbPoolOptions::environment() const
{
    return d->environment;
}

/*!
    Sets extra environment variables for the workers to \a environment, as
    \c{"KEY=VALUE"} strings. They are merged into the application's environment,
    replacing variables of the same name.
*/
QGbPoolOptions &QGbPoolOptions::setEnvironment(const QStringList &environment)
{
    d->environment = environment;
    return *this;
}

/*!
    Returns the directory in which the pool creates its private socket directory;
    empty means the system's temporary directory.
*/
QString QGbPoolOptions::socketDirectory() const
{
    return d->socketDirectory;
}

/*!
    Sets the directory in which the pool creates its private socket directory to
    \a directory. The pool always creates a fresh subdirectory with mode 0700
    there, so other users cannot reach the sockets. Unix socket paths are limited
    to 107 bytes: keep \a directory short.
*/
QGbPoolOptions &QGbPoolOptions::setSocketDirectory(const QString &directory)
{
    d->socketDirectory = directory;
    return *this;
}

/*!
    Returns the device that receives the workers' standard output, or \nullptr.
    \sa isStdoutForwarded()
*/
QIODevice *QGbPoolOptions::stdoutDevice() const
{
    return d->stdoutDevice;
}

/*!
    Returns \c true if no device was set with setStdout(): the workers' standard
    output then goes to the application's standard output.
*/
bool QGbPoolOptions::isStdoutForwarded() const
{
    return !d->stdoutSet;
}

/*!
    Sends the workers' standard output to \a device, one whole line at a time,
    written in the thread \a device lives in. \nullptr discards it. Every line
    is also emitted with QGbPool::workerOutput().
*/
QGbPoolOptions &QGbPoolOptions::setStdout(QIODevice *device)
{
    d->stdoutDevice = device;
    d->stdoutSet = true;
    return *this;
}

/*!
    Returns the device that receives the workers' standard error, or \nullptr.
    \sa isStderrForwarded()
*/
QIODevice *QGbPoolOptions::stderrDevice() const
{
    return d->stderrDevice;
}

/*!
    Returns \c true if no device was set with setStderr(): the workers' standard
    error then goes to the application's standard error.
*/
bool QGbPoolOptions::isStderrForwarded() const
{
    return !d->stderrSet;
}

/*!
    Sends the workers' standard error to \a device, like setStdout(). \nullptr
    discards it.
*/
QGbPoolOptions &QGbPoolOptions::setStderr(QIODevice *device)
{
    d->stderrDevice = device;
    d->stderrSet = true;
    return *this;
}

/*!
    Returns how many calls may wait for a free connection. The default is 65536.
*/
qsizetype QGbPoolOptions::maxQueuedCalls() const
{
    return d->maxQueuedCalls;
}

/*!
    Sets how many calls may wait for a free connection to \a calls. A call made
    while the queue is full fails at once with QGbError::QueueFull.
*/
QGbPoolOptions &QGbPoolOptions::setMaxQueuedCalls(qsizetype calls)
{
    d->maxQueuedCalls = std::max<qsizetype>(1, calls);
    return *this;
}

/*!
    Returns the maximum size of one frame on the wire, in bytes. The default is 64 MiB.
*/
quint32 QGbPoolOptions::maxFrameSize() const
{
    return d->maxFrameSize;
}

/*!
    Sets the maximum size of one frame to \a bytes (at least 4 KiB). A call whose
    arguments, result or chunk would need a larger frame fails with
    QGbError::FrameTooLarge; the connection and the worker stay usable.
*/
QGbPoolOptions &QGbPoolOptions::setMaxFrameSize(quint32 bytes)
{
    d->maxFrameSize = std::max<quint32>(4096, bytes);
    return *this;
}

/*!
    Returns how long a cancelled call may keep running before its worker is
    killed and restarted. The default is 2 seconds.
*/
std::chrono::milliseconds QGbPoolOptions::cancelGracePeriod() const
{
    return d->cancelGracePeriod;
}

/*!
    Sets the cancel grace period to \a period. A Python function that cannot be
    interrupted (a C extension holding the GIL, a blocking call on a thread
    other than the worker's main thread) and is still running this long after
    it was cancelled gets its worker killed (\c SIGTERM, then \c SIGKILL 300 ms
    later) and restarted; the other calls on that worker fail with
    QGbError::WorkerCrashed.
*/
QGbPoolOptions &QGbPoolOptions::setCancelGracePeriod(std::chrono::milliseconds period)
{
    d->cancelGracePeriod = std::max(period, std::chrono::milliseconds(0));
    return *this;
}

/*!
    Returns how long a worker may take to start listening. The default is 30 seconds.
*/
std::chrono::milliseconds QGbPoolOptions::startTimeout() const
{
    return d->startTimeout;
}

/*!
    Sets how long a worker may take from process start until it accepts
    connections to \a timeout. A worker that is slower is killed and restarted.
*/
QGbPoolOptions &QGbPoolOptions::setStartTimeout(std::chrono::milliseconds timeout)
{
    d->startTimeout = std::max(timeout, std::chrono::milliseconds(1));
    return *this;
}

/*!
    Returns the default timeout of every call; zero (the default) means none.
    \sa QGbCallOptions::setTimeout()
*/
std::chrono::milliseconds QGbPoolOptions::callTimeout() const
{
    return d->callTimeout;
}

/*!
    Sets the default timeout of every call to \a timeout; zero means none. A
    call still running after it fails with QGbError::DeadlineExceeded and is
    cancelled in the worker. QGbCallOptions::setTimeout() overrides it per call.
*/
QGbPoolOptions &QGbPoolOptions::setCallTimeout(std::chrono::milliseconds timeout)
{
    d->callTimeout = std::max(timeout, std::chrono::milliseconds(0));
    return *this;
}

/*!
    Returns how often the pool checks that each worker answers. The default is 5 seconds.
*/
std::chrono::milliseconds QGbPoolOptions::heartbeatInterval() const
{
    return d->heartbeatInterval;
}

/*!
    Returns how long a worker may go without answering before it is replaced.
    The default is 30 seconds.
*/
std::chrono::milliseconds QGbPoolOptions::heartbeatTimeout() const
{
    return d->heartbeatTimeout;
}

/*!
    Sets the liveness check: every \a interval the pool pings each worker on its
    control connection; a worker that has not answered for \a timeout is
    considered hung (deadlocked, stopped with \c SIGSTOP, ...), killed and
    restarted, and its calls fail with QGbError::WorkerCrashed. An \a interval
    of zero turns the check off.

    The answer comes from a Python thread, so it needs the GIL: a C extension
    that holds the GIL for longer than \a timeout makes its worker look hung.
    Keep \a timeout above the longest such call.
*/
QGbPoolOptions &QGbPoolOptions::setHeartbeat(std::chrono::milliseconds interval,
                                             std::chrono::milliseconds timeout)
{
    d->heartbeatInterval = std::max(interval, std::chrono::milliseconds(0));
    d->heartbeatTimeout = std::max(timeout, d->heartbeatInterval);
    return *this;
}

/*!
    Returns after how many calls a worker is replaced by a fresh process; zero
    (the default) means never.
*/
int QGbPoolOptions::maxCallsPerWorker() const
{
    return d->maxCallsPerWorker;
}

/*!
    Recycles each worker after \a calls calls (zero: never), to bound the effect
    of leaks in the Python code. The worker gets no new calls once it has
    started that many, finishes those it runs, exits and is replaced at once;
    a recycled worker does not count as a crash.
*/
QGbPoolOptions &QGbPoolOptions::setMaxCallsPerWorker(int calls)
{
    d->maxCallsPerWorker = std::max(0, calls);
    return *this;
}

/*!
    Returns how many times a worker may die within restartWindow() before the
    pool stops restarting it. The default is 10.
*/
int QGbPoolOptions::restartLimit() const
{
    return d->restartLimit;
}

/*!
    Returns the window restartLimit() counts in. The default is 60 seconds.
*/
std::chrono::milliseconds QGbPoolOptions::restartWindow() const
{
    return d->restartWindow;
}

/*!
    Sets the restart intensity: a worker that dies more than \a restarts times
    within \a window is not restarted again (like a supervisor's intensity
    limit); QGbPool::workerFailed() is emitted, and calls that no worker can run
    fail with QGbError::WorkerStartFailed. QGbPool::restartFailedWorkers()
    starts such workers again. A \a restarts of zero means no limit.
*/
QGbPoolOptions &QGbPoolOptions::setRestartLimit(int restarts, std::chrono::milliseconds window)
{
    d->restartLimit = std::max(0, restarts);
    d->restartWindow = std::max(window, std::chrono::milliseconds(1));
    return *this;
}

/*!
    Returns how long the pool waits before it restarts a worker that died for
    the first time in a row. The default is 100 ms.
    \sa setRestartBackoff()
*/
std::chrono::milliseconds QGbPoolOptions::restartDelay() const
{
    return d->restartDelay;
}

/*!
    Returns the longest the pool waits before it restarts a worker. The
    default is 30 seconds.
    \sa setRestartBackoff()
*/
std::chrono::milliseconds QGbPoolOptions::maxRestartDelay() const
{
    return d->maxRestartDelay;
}

/*!
    Sets the restart backoff: a worker that died is restarted after \a initial,
    and each further death in a row doubles the wait, up to \a maximum. A worker
    that ran for 10 seconds before it died starts again from \a initial.
    Negative values count as zero; a \a maximum below \a initial is raised
    to it.

    The defaults (100 ms doubling to 30 s) keep a worker that crashes at once
    from spinning. A shorter \a maximum suits workers that are expected to be
    killed often, such as in chaos tests.
    \sa setRestartLimit()
*/
QGbPoolOptions &QGbPoolOptions::setRestartBackoff(std::chrono::milliseconds initial,
                                                  std::chrono::milliseconds maximum)
{
    d->restartDelay = std::max(initial, std::chrono::milliseconds(0));
    d->maxRestartDelay = std::max(maximum, d->restartDelay);
    return *this;
}

/*!
    Returns the directory that holds the \c gobridge Python package, if set.
    When empty, the pool uses the package installed with the library (or, in
    a build tree, the one in the source tree); the environment variable
    \c QGOBRIDGE_PYTHON_DIR overrides both.
*/
QString QGbPoolOptions::packageDirectory() const
{
    return d->packageDirectory;
}

/*!
    Sets the directory that holds the \c gobridge Python package to \a directory.
*/
QGbPoolOptions &QGbPoolOptions::setPackageDirectory(const QString &directory)
{
    d->packageDirectory = directory;
    return *this;
}

/*!
    Returns \c true if the pool puts the \c gobridge package directory first on
    the workers' \c PYTHONPATH. The default is \c true.
*/
bool QGbPoolOptions::addsPackageToPythonPath() const
{
    return d->addPackageToPythonPath;
}

/*!
    Sets whether the pool puts the \c gobridge package directory on the workers'
    \c PYTHONPATH to \a add. Turn it off when the workers' environment provides
    its own \c gobridge (for example installed in a virtual environment).
*/
QGbPoolOptions &QGbPoolOptions::setAddPackageToPythonPath(bool add)
{
    d->addPackageToPythonPath = add;
    return *this;
}

/*!
    \enum QGbPoolOptions::Transport

    How the pool's I/O thread talks to the workers' Unix domain sockets.

    \value Automatic \c RawSocket on Linux, \c LocalSocket elsewhere. The
           environment variable \c QGB_TRANSPORT overrides it: \c qt means
           \c LocalSocket, \c raw means \c RawSocket. This is the default.
    \value LocalSocket QLocalSocket from Qt Network, on every platform.
    \value RawSocket The socket system calls directly, with fewer of them
           per message than QLocalSocket makes. It exists on Linux only;
           elsewhere it means \c LocalSocket.

    Both carry the same bytes with the same guarantees; they differ only in
    cost.

    \sa setTransport()
*/

/*!
    Returns the transport between the pool and its workers. The default is
    \c Transport::Automatic.
*/
QGbPoolOptions::Transport QGbPoolOptions::transport() const
{
    return d->transport;
}

/*!
    Sets the transport between the pool and its workers to \a transport.
    \c Transport::RawSocket where it does not exist (outside Linux)
    falls back to \c Transport::LocalSocket; \c Transport::Automatic reads
    the environment variable \c QGB_TRANSPORT (\c qt or \c raw) each time a
    connection is opened.
*/
QGbPoolOptions &QGbPoolOptions::setTransport(Transport transport)
{
    d->transport = transport;
    return *this;
}

/*!
    Returns whether the pool can be inspected by \c gobridge-inspector. The
    default is \c false.

    \sa setInspectable()
*/
bool QGbPoolOptions::isInspectable() const
{
    return d->inspectable;
}

/*!
    Makes the pool inspectable when \a inspectable is \c true: it then
    listens on a socket in a directory of the user's
    (\c{$XDG_RUNTIME_DIR/qgobridge/}, else \c{/tmp/qgobridge-<uid>/}) on which
    inspectors of the same user attach, read-only, and receive the pool's
    events: its workers' states, connections, frames, calls, flow-control
    stalls, heartbeats and output. The environment variable
    \c QGOBRIDGE_INSPECT set to \c 1 makes every pool of an application
    inspectable without a rebuild. The side channel is described in
    \c docs/inspector.md.

    An inspectable pool keeps its recent events in a flight recorder (see
    setFlightRecorderSize()); an inspector that reads too slowly loses events,
    and is told how many, but never slows the pool.

    \sa isInspectable()
*/
QGbPoolOptions &QGbPoolOptions::setInspectable(bool inspectable)
{
    d->inspectable = inspectable;
    return *this;
}

/*!
    Returns how many of its most recent events an inspectable pool keeps for an
    inspector that attaches later. The default is 20000.

    \sa setFlightRecorderSize()
*/
int QGbPoolOptions::flightRecorderSize() const
{
    return d->flightRecorderSize;
}

/*!
    Sets to \a events how many of its most recent events an inspectable pool
    keeps (its flight recorder); a newly attached inspector receives them
    first. Zero turns the flight recorder off: an inspector then sees only
    what happens after it attached. Each event takes about 150 bytes, frame
    payloads being cut to a short preview. Has no effect unless the pool is
    inspectable.

    \sa setInspectable()
*/
QGbPoolOptions &QGbPoolOptions::setFlightRecorderSize(int events)
{
    d->flightRecorderSize = std::max(0, events);
    return *this;
}

/*!
    Returns the level the workers' root Python logger is set to, or 0 (the
    default) if the worker script's own logging configuration decides.
    \sa setPythonLogLevel()
*/
int QGbPoolOptions::pythonLogLevel() const
{
    return d->pythonLogLevel;
}

/*!
    Sets the level of the workers' root Python logger to \a level, a Python
    level number such as QGbLogRecord::Debug (10); 0 (the default) leaves it
    to the script, where Python's default passes \c WARNING and above. The
    workers get it as \c GOBRIDGE_LOG_LEVEL when \c{gobridge.run()} starts.

    The records the loggers let through reach QGbPool::logRecord() and, unless
    setCategoryLoggingEnabled() turned that off, the Qt logging categories
    \c{qgobridge.python.}\e{logger}. A level lower than needed costs the
    worker the records nobody reads: filter in Python first, then with
    \c QT_LOGGING_RULES.
    \sa QGbLogRecord
*/
QGbPoolOptions &QGbPoolOptions::setPythonLogLevel(int level)
{
    d->pythonLogLevel = std::max(level, 0);
    return *this;
}

/*!
    Returns \c true (the default) if the pool writes the workers' Python
    logging records to Qt logging categories.
    \sa setCategoryLoggingEnabled()
*/
bool QGbPoolOptions::isCategoryLoggingEnabled() const
{
    return d->categoryLogging;
}

/*!
    Sets whether the pool writes each Python logging record of its workers to
    the Qt logging category \c{qgobridge.python.}\e{logger} (where
    \c QT_LOGGING_RULES filters it and the message handler prints it) to
    \a enabled. QGbPool::logRecord() reports the records either way: turn
    this off when the application shows them itself.
    \sa QGbLogRecord::categoryName()
*/
QGbPoolOptions &QGbPoolOptions::setCategoryLoggingEnabled(bool enabled)
{
    d->categoryLogging = enabled;
    return *this;
}

/*!
    Returns the workers on other machines the pool connects to, besides the
    workers() it starts itself. The default is none.
    \sa setRemoteWorkers()
*/
QList<QUrl> QGbPoolOptions::remoteWorkers() const
{
    return d->remoteWorkers;
}

/*!
    Sets the workers on other machines the pool connects to, to \a urls: each
    a \c{python3 -m gobridge serve} process (docs/remote.md), named
    \c{gobridges://host:port} (TCP with TLS) or \c{gobridge://host:port}
    (plain TCP). Plain TCP is accepted only for a loopback host
    (\c localhost, \c 127.0.0.1, \c{[::1]}), as \c{serve --insecure} is: a
    pool given another one, or a URL with another scheme or without a port,
    does not start (its calls fail with QGbError::WorkerStartFailed and
    QGbPool::errorOccurred() says why).

    Each URL's host is resolved (without blocking) and each address it
    resolves to is a worker of the pool (but \c{::1} and an IPv4 loopback
    address of one name, as \c localhost has, are one worker), numbered after
    the local workers(); addresses that appear later are added as workers
    (setRemoteResolveInterval()). A worker is
    \e starting while the pool connects to it (TCP, TLS, the handshake
    with remoteToken()), \e ready once it answered, and it runs calls as a
    local worker does, the least busy worker first. When its connection is
    lost (the worker exited, the network broke, it missed its heartbeat) its
    running calls fail with QGbError::WorkerCrashed, calls not sent yet wait
    for another worker, and the pool connects again (resolving the name
    again) after the restart backoff (setRestartBackoff()). A remote worker is
    never given up: setRestartLimit() does not apply, the pool keeps trying
    at most every maxRestartDelay().

    A remote worker cannot be killed: a cancelled call that does not end
    within cancelGracePeriod() fails QGbError::Cancelled and its connection
    is closed; the served worker exits by itself after its own
    \c{--cancel-grace}. Options about processes (pythonExecutable(),
    environment(), maxCallsPerWorker(), ...) apply to local workers only.
    \sa setSslConfiguration(), setRemoteToken(), QGbPool::workerEndpoint()
*/
QGbPoolOptions &QGbPoolOptions::setRemoteWorkers(const QList<QUrl> &urls)
{
    d->remoteWorkers = urls;
    return *this;
}

/*!
    Returns the TLS configuration of the connections to remote workers. The
    default is QSslConfiguration::defaultConfiguration(): the system's CA
    certificates, no client certificate.
    \sa setSslConfiguration()
*/
QSslConfiguration QGbPoolOptions::sslConfiguration() const
{
    return d->sslConfiguration ? *d->sslConfiguration : QSslConfiguration::defaultConfiguration();
}

/*!
    Sets the TLS configuration of the connections to \c{gobridges://} remote
    workers to \a configuration: the CA certificates that verify the workers'
    certificates (QSslConfiguration::setCaCertificates()) and, for mutual TLS
    (\c{serve --tls-client-ca}), the client's certificate and private key
    (QSslConfiguration::setLocalCertificate(), setPrivateKey()). The worker's
    certificate must be valid for the URL's host name.
    \sa setRemoteWorkers()
*/
QGbPoolOptions &QGbPoolOptions::setSslConfiguration(const QSslConfiguration &configuration)
{
    d->sslConfiguration = configuration;
    return *this;
}

/*!
    Returns the token the pool presents to remote workers, as set with
    setRemoteToken(). When it is empty the pool uses the environment variable
    \c QGOBRIDGE_REMOTE_TOKEN, read when the pool starts.
*/
QByteArray QGbPoolOptions::remoteToken() const
{
    return d->remoteToken;
}

/*!
    Sets the token the pool presents to remote workers in the handshake of
    each connection to \a token: the content of the served worker's
    \c{--token-file} (without its final newline) or \c{--token-env}
    variable. Left empty, the pool takes the environment variable
    \c QGOBRIDGE_REMOTE_TOKEN when it starts; a pool with remote workers and
    no token from either does not start. Local workers always get a token of
    their own, made for each pool.
*/
QGbPoolOptions &QGbPoolOptions::setRemoteToken(const QByteArray &token)
{
    d->remoteToken = token;
    return *this;
}

/*!
    Returns how often the pool resolves the host names of its remoteWorkers()
    again to find addresses they did not have. The default is 30 seconds.
    \sa setRemoteResolveInterval()
*/
std::chrono::milliseconds QGbPoolOptions::remoteResolveInterval() const
{
    return d->remoteResolveInterval;
}

/*!
    Sets how often the pool resolves the host names of its remoteWorkers()
    again to \a interval. An address a name resolves to that it did not
    before (a Deployment scaled up behind a headless Service) becomes a new
    worker, numbered after the others. Each worker keeps its address from one
    lookup to the next, in whatever order the resolver gives them. A worker
    whose address is gone keeps its connection while it lasts; then it
    waits, QGbPool::WorkerState::Stopped, until the name has an address
    without a worker, which it takes. A worker also resolves its name again
    each time it connects. 0 resolves names only then (and a worker left
    without an address tries again after its backoff). Host names only: a URL whose host is an
    address is never resolved.
    \sa setRemoteWorkers()
*/
QGbPoolOptions &QGbPoolOptions::setRemoteResolveInterval(std::chrono::milliseconds interval)
{
    d->remoteResolveInterval = std::max(interval, std::chrono::milliseconds(0));
    return *this;
}
