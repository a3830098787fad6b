// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbqmlpool.h"
#include "qgbqmlchannel_p.h"
#include "qgbqmlconvert_p.h"
#include "qgbqmlpool_p.h"
#include "qgbqmlreply_p.h"

#include <qgbcall.h>
#include <qgbcalloptions.h>
#include <qgbpool.h>

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qpointer.h>
#include <QtNetwork/qsslcertificate.h>
#include <QtNetwork/qsslkey.h>
#include <QtQml/qqmlcontext.h>
#include <QtQml/qqmlengine.h>
#include <QtQml/qqmlinfo.h>

#include <chrono>

/*!
    \class QGbQmlPool
    \inmodule QGobridge
    \brief The QGbQmlPool class is the QML type GbPool: a QGbPool of Python
    workers, configured with properties, that QML calls with call().

    \qml
    import GoBridge

    GbPool {
        id: py
        script: "worker.py"     // resolved against this QML file's URL
        workers: 2
    }
    // ...
    py.call("add", [3, 4]).then(sum => console.log(sum))   // 7
    \endqml

    The QGbPool is created when the component is complete (QQmlParserStatus),
    with the option properties as they are then. Changing script or an option
    property (workers, maxConnections, pythonExecutable, scriptArguments,
    workingDirectory, environment, and the remote ones below) afterwards
    re-creates it, once per event-loop
    turn however many properties changed: the old workers are stopped, the calls
    still running on them fail with \c PoolClosed, functions is fetched again,
    and state goes through \l Closed to \l Starting. callTimeout applies to the
    calls made after it changes and re-creates nothing.

    \section1 The script

    A relative script is resolved against the URL of the QML file that sets it
    (QQmlContext::resolvedUrl()), as an Image's source is: \c{script: "worker.py"}
    next to \c Main.qml. A script in Qt's resource system (\c qrc:) is copied
    into a private temporary directory for the pool's lifetime, since Python
    reads files; that copy is the script alone, so such a worker imports nothing
    from beside it but the standard library and the gobridge package.

    \section1 Remote workers

    remoteWorkers adds workers served by \c{python3 -m gobridge serve} on
    other machines (or on this one), as QGbPoolOptions::setRemoteWorkers()
    does; remoteToken is their token, and caCertificates, clientCertificate
    and clientKey configure TLS. Without a script the pool has only its remote
    workers:

    \qml
    GbPool {
        remoteWorkers: ["gobridges://workers.example:8443"]
        caCertificates: ["ca.pem"]   // the CA that signed the workers' certificate
        // remoteToken: empty, so the pool reads QGOBRIDGE_REMOTE_TOKEN
    }
    \endqml

    A certificate or key file that cannot be read or holds no PEM certificate
    or key leaves the pool closed and emits errorOccurred() naming the file.

    From C++, pool() returns the QGbPool (or \nullptr while there is none).
*/

/*!
    \enum QGbQmlPool::State
    \value Closed No pool runs: before the component is complete, without a
           script, when the script cannot be found, or while the pool is re-created.
    \value Starting Workers are starting; calls made now wait for them.
    \value Running Every worker was ready at least once.
*/

/*!
    \property QGbQmlPool::script
    \brief The Python script the workers run: a local path or URL, relative to
    the QML file, or a \c qrc: URL.
*/

/*!
    \property QGbQmlPool::workers
    \brief The number of Python worker processes (default 2). 0 with
    remoteWorkers makes a purely remote pool; without remote workers a pool
    still starts one.
    \sa QGbPoolOptions::setWorkers()
*/

/*!
    \property QGbQmlPool::maxConnections
    \brief The connections per worker, each running one call at a time (default 4).
    \sa QGbPoolOptions::setMaxConnections()
*/

/*!
    \property QGbQmlPool::pythonExecutable
    \brief The Python interpreter: a path, or a name looked up in \c PATH
    (default \c python3).
*/

/*!
    \property QGbQmlPool::scriptArguments
    \brief Arguments passed to the script after its path.
*/

/*!
    \property QGbQmlPool::workingDirectory
    \brief The workers' working directory; empty (the default) for the
    application's.
*/

/*!
    \property QGbQmlPool::environment
    \brief Variables added to the workers' environment: an object
    (\c{{ LANG: "C" }}) or a list of \c{"NAME=value"} strings.
*/

/*!
    \property QGbQmlPool::callTimeout
    \brief The default deadline of every call, in milliseconds; 0 (the
    default) for none. A call that has not finished in time fails with
    \c DeadlineExceeded and is interrupted in the worker. The \c timeout option
    of call() overrides it.
*/

/*!
    \property QGbQmlPool::remoteWorkers
    \brief The URLs of served workers, as strings (\c{gobridges://host:port},
    or \c{gobridge://} for plain TCP on a loopback address), in addition to
    the local workers (set workers to 0 for none). Empty by default. A URL
    the pool refuses (another scheme, no port) fails the calls with
    \c WorkerStartFailed naming it.
    \sa QGbPoolOptions::setRemoteWorkers()
*/

/*!
    \property QGbQmlPool::remoteToken
    \brief The token of the remote workers' handshake. Empty (the default):
    the environment variable \c QGOBRIDGE_REMOTE_TOKEN, read when the pool
    starts, which keeps the token out of the QML source.
    \sa QGbPoolOptions::setRemoteToken()
*/

/*!
    \property QGbQmlPool::remoteResolveInterval
    \brief How often, in milliseconds, the host names of remoteWorkers are
    resolved again, each new address becoming a worker (default 30000); 0
    resolves them only when a worker connects. A negative value is taken as 0.
    \sa QGbPoolOptions::setRemoteResolveInterval()
*/

/*!
    \property QGbQmlPool::caCertificates
    \brief PEM files (paths or URLs: local, relative to the QML file, or
    \c qrc:) of the certificate authorities that verify the remote workers, instead of the
    system's. Empty (the default): the system's.
    \sa QGbPoolOptions::setSslConfiguration()
*/

/*!
    \property QGbQmlPool::clientCertificate
    \brief The PEM file of the certificate this pool shows the remote workers,
    for mutual TLS (\c{serve --tls-client-ca}); set clientKey with it. Empty
    by default.
*/

/*!
    \property QGbQmlPool::clientKey
    \brief The PEM file of clientCertificate's private key (EC or RSA,
    unencrypted). Empty by default.
*/

/*!
    \property QGbQmlPool::state
    \brief Whether the pool is closed, starting or running.
*/

/*!
    \property QGbQmlPool::readyWorkers
    \brief The number of workers ready to take calls.
*/

/*!
    \property QGbQmlPool::functions
    \brief The functions the workers expose (QGbPool::functions()), known
    once the first worker is ready: a list of objects with \c name,
    \c signature, \c doc, \c mode (\c "call", \c "server_stream",
    \c "client_stream" or \c "bidi"), \c minimumArguments,
    \c maximumArguments (-1 for no limit), \c signatureKnown and \c params,
    sorted by name. Each of \c params is an object with \c name, \c kind
    (\c "positional_only", \c "positional_or_keyword", \c "var_positional",
    \c "keyword_only" or \c "var_keyword"), \c annotation (\c "" if none),
    \c default (Python's text of the default value; \c undefined if none)
    and \c stream (annotated as an iterator). Empty until known.
*/

/*!
    \fn void QGbQmlPool::workerStarted(int worker, qint64 pid)
    This signal is emitted when worker number \a worker (from 0) has started
    as process \a pid, the first time and after every restart.
*/

/*!
    \fn void QGbQmlPool::workerExited(int worker, qint64 pid, int exitCode, bool crashed)
    This signal is emitted when worker \a worker, process \a pid, has exited
    with \a exitCode; \a crashed is \c true if it was killed by a signal. The
    pool restarts it (with backoff) unless it is closing.
*/

/*!
    \fn void QGbQmlPool::workerFailed(int worker, var error)
    This signal is emitted when the pool stops restarting worker \a worker,
    which died too often; \a error (a GbError object, see GbReply::error) says
    why. restartFailedWorkers() tries again.
*/

/*!
    \fn void QGbQmlPool::logRecord(var record)
    This signal is emitted for each Python \c logging \a record a worker
    sends (see QGbPool::logRecord()): an object with \c level (the Python
    level number), \c levelName, \c logger, \c message, \c exception (the
    traceback, or ""), \c worker, \c callId and \c method (0 and "" when no
    call logged it), \c file, \c line, \c function, \c thread and \c time
    (a Date).

    \qml
    GbPool {
        onLogRecord: record => console.log(record.levelName, record.logger, record.message)
    }
    \endqml
*/

/*!
    \fn void QGbQmlPool::errorOccurred(var error)
    This signal is emitted with \a error (a GbError object) when a worker
    cannot be started, when the script cannot be resolved, or when a
    certificate or key file cannot be loaded.
*/

/*!
    \fn void QGbQmlPool::scriptChanged()
    This signal is emitted when script changes.
*/
/*!
    \fn void QGbQmlPool::workersChanged()
    This signal is emitted when workers changes.
*/
/*!
    \fn void QGbQmlPool::maxConnectionsChanged()
    This signal is emitted when maxConnections changes.
*/
/*!
    \fn void QGbQmlPool::pythonExecutableChanged()
    This signal is emitted when pythonExecutable changes.
*/
/*!
    \fn void QGbQmlPool::scriptArgumentsChanged()
    This signal is emitted when scriptArguments changes.
*/
/*!
    \fn void QGbQmlPool::workingDirectoryChanged()
    This signal is emitted when workingDirectory changes.
*/
/*!
    \fn void QGbQmlPool::environmentChanged()
    This signal is emitted when environment changes.
*/
/*!
    \fn void QGbQmlPool::callTimeoutChanged()
    This signal is emitted when callTimeout changes.
*/
/*!
    \fn void QGbQmlPool::remoteWorkersChanged()
    This signal is emitted when remoteWorkers changes.
*/
/*!
    \fn void QGbQmlPool::remoteTokenChanged()
    This signal is emitted when remoteToken changes.
*/

/*!
    \fn void QGbQmlPool::remoteResolveIntervalChanged()
    This signal is emitted when remoteResolveInterval changes.
*/
/*!
    \fn void QGbQmlPool::caCertificatesChanged()
    This signal is emitted when caCertificates changes.
*/
/*!
    \fn void QGbQmlPool::clientCertificateChanged()
    This signal is emitted when clientCertificate changes.
*/
/*!
    \fn void QGbQmlPool::clientKeyChanged()
    This signal is emitted when clientKey changes.
*/
/*!
    \fn void QGbQmlPool::stateChanged()
    This signal is emitted when state changes.
*/
/*!
    \fn void QGbQmlPool::readyWorkersChanged()
    This signal is emitted when readyWorkers changes.
*/
/*!
    \fn void QGbQmlPool::functionsChanged()
    This signal is emitted when functions changes.
*/

void QGbQmlPoolPrivate::optionChanged()
{
    Q_Q(QGbQmlPool);
    if (!complete || recreatePending)
        return;
    recreatePending = true;
    QMetaObject::invokeMethod(
            q,
            [this] {
                if (recreatePending)
                    recreate();
            },
            Qt::QueuedConnection);
}

void QGbQmlPoolPrivate::recreate()
{
    Q_Q(QGbQmlPool);
    recreatePending = false;
    destroyPool();
    if (!complete || (script.isEmpty() && remoteWorkers.isEmpty()))
        return;

    QGbError error;
    QGbPoolOptions options;
    if (!makeOptions(&options, &error)) {
        emit q->errorOccurred(jsError(error));
        return;
    }
    QString path;
    if (script.isEmpty()) {
        options.setWorkers(0); // remote workers only
    } else if ((path = resolveScript(&error)).isEmpty()) {
        emit q->errorOccurred(jsError(error));
        return;
    }
    scriptPath = path;
    pool = new QGbPool(path, options, q);
    QObject::connect(pool, &QGbPool::functionsChanged, q, [this] { updateFunctions(); });

    QObject::connect(pool, &QGbPool::stateChanged, q, [this](QGbPool::State s) {
        switch (s) {
        case QGbPool::Starting:
            setState(QGbQmlPool::Starting);
            break;
        case QGbPool::Running:
            // Every worker is ready (QGbPool reports the count right after):
            // readyWorkers is right when state says Running.
            setReadyWorkers(pool->readyWorkers());
            setState(QGbQmlPool::Running);
            break;
        case QGbPool::Closed:
            setState(QGbQmlPool::Closed);
            break;
        }
    });
    QObject::connect(pool, &QGbPool::readyWorkersChanged, q,
                     [this](int ready) { setReadyWorkers(ready); });
    QObject::connect(pool, &QGbPool::workerStarted, q, &QGbQmlPool::workerStarted);
    QObject::connect(pool, &QGbPool::workerExited, q,
                     [q](int worker, qint64 pid, int exitCode, QProcess::ExitStatus status) {
                         emit q->workerExited(worker, pid, exitCode, status == QProcess::CrashExit);
                     });
    QObject::connect(pool, &QGbPool::workerFailed, q, [this, q](int worker, const QGbError &e) {
        emit q->workerFailed(worker, jsError(e));
    });
    QObject::connect(pool, &QGbPool::errorOccurred, q,
                     [this, q](const QGbError &e) { emit q->errorOccurred(jsError(e)); });
    QObject::connect(pool, &QGbPool::logRecord, q, [q](const QGbLogRecord &r) {
        emit q->logRecord(QVariantMap {
                { QStringLiteral("level"), r.level() },
                { QStringLiteral("levelName"), r.levelName() },
                { QStringLiteral("logger"), r.loggerName() },
                { QStringLiteral("message"), r.message() },
                { QStringLiteral("exception"), r.exceptionText() },
                { QStringLiteral("worker"), r.worker() },
                { QStringLiteral("callId"), r.callId() },
                { QStringLiteral("method"), r.method() },
                { QStringLiteral("file"), r.fileName() },
                { QStringLiteral("line"), r.line() },
                { QStringLiteral("function"), r.function() },
                { QStringLiteral("thread"), r.threadName() },
                { QStringLiteral("time"), r.time() },
        });
    });
    setState(QGbQmlPool::Starting);
    setReadyWorkers(pool->readyWorkers());
}

void QGbQmlPoolPrivate::destroyPool()
{
    Q_Q(QGbQmlPool);
    if (QGbPool *old = std::exchange(pool, nullptr)) {
        QObject::disconnect(old, nullptr, q, nullptr);
        delete old; // stops the workers; the calls still running fail with PoolClosed
    }
    extracted.reset();
    scriptPath.clear();
    if (!functions.isEmpty()) {
        functions.clear();
        emit q->functionsChanged();
    }
    setReadyWorkers(0);
    setState(QGbQmlPool::Closed);
}

void QGbQmlPoolPrivate::setState(QGbQmlPool::State s)
{
    Q_Q(QGbQmlPool);
    if (state == s)
        return;
    state = s;
    emit q->stateChanged();
}

void QGbQmlPoolPrivate::setReadyWorkers(int ready)
{
    Q_Q(QGbQmlPool);
    if (readyWorkers == ready)
        return;
    readyWorkers = ready;
    emit q->readyWorkersChanged();
}

namespace {

QString modeName(QGbFunction::Mode mode)
{
    switch (mode) {
    case QGbFunction::Call:
        break;
    case QGbFunction::ServerStream:
        return QStringLiteral("server_stream");
    case QGbFunction::ClientStream:
        return QStringLiteral("client_stream");
    case QGbFunction::Bidirectional:
        return QStringLiteral("bidi");
    }
    return QStringLiteral("call");
}

QString kindName(QGbParameter::Kind kind)
{
    switch (kind) {
    case QGbParameter::PositionalOnly:
        return QStringLiteral("positional_only");
    case QGbParameter::PositionalOrKeyword:
        break;
    case QGbParameter::VarPositional:
        return QStringLiteral("var_positional");
    case QGbParameter::KeywordOnly:
        return QStringLiteral("keyword_only");
    case QGbParameter::VarKeyword:
        return QStringLiteral("var_keyword");
    }
    return QStringLiteral("positional_or_keyword");
}

} // namespace

void QGbQmlPoolPrivate::updateFunctions()
{
    Q_Q(QGbQmlPool);
    if (!pool)
        return;
    QVariantList list;
    const QList<QGbFunction> known = pool->functions();
    for (const QGbFunction &f : known) {
        QVariantList params;
        const QList<QGbParameter> parameters = f.parameters();
        for (const QGbParameter &p : parameters) {
            QVariantMap param { { QStringLiteral("name"), p.name() },
                                { QStringLiteral("kind"), kindName(p.kind()) },
                                { QStringLiteral("annotation"), p.annotation() },
                                { QStringLiteral("stream"), p.isStream() } };
            if (p.hasDefault())
                param.insert(QStringLiteral("default"), p.defaultValue());
            params.append(param);
        }
        list.append(QVariantMap { { QStringLiteral("name"), f.name() },
                                  { QStringLiteral("mode"), modeName(f.mode()) },
                                  { QStringLiteral("doc"), f.doc() },
                                  { QStringLiteral("signature"), f.signature() },
                                  { QStringLiteral("signatureKnown"), f.isSignatureKnown() },
                                  { QStringLiteral("minimumArguments"), f.minimumArguments() },
                                  { QStringLiteral("maximumArguments"), f.maximumArguments() },
                                  { QStringLiteral("params"), params } });
    }
    if (list != functions) {
        functions = list;
        emit q->functionsChanged();
    }
}

QString QGbQmlPoolPrivate::resolveScript(QGbError *error)
{
    const QUrl url = resolve(script);
    if (url.isLocalFile())
        return url.toLocalFile();
    if (url.scheme().isEmpty())
        return url.path(); // no QML context: relative to the working directory
    if (url.scheme() == QLatin1String("qrc")) {
        const QString resource = QLatin1Char(':') + url.path();
        const QFileInfo info(resource);
        if (!info.isFile()) {
            *error = QGbError(QGbError::WorkerStartFailed,
                              QStringLiteral("GbPool: no script %1").arg(url.toString()));
            return QString();
        }
        extracted = std::make_unique<QTemporaryDir>(QDir::tempPath()
                                                    + QStringLiteral("/gbpool-XXXXXX"));
        const QString path = extracted->filePath(info.fileName());
        if (!extracted->isValid() || !QFile::copy(resource, path)
            || !QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner)) {
            *error = QGbError(QGbError::WorkerStartFailed,
                              QStringLiteral("GbPool: cannot copy %1 to a temporary directory")
                                      .arg(url.toString()));
            extracted.reset();
            return QString();
        }
        return path;
    }
    *error = QGbError(QGbError::WorkerStartFailed,
                      QStringLiteral("GbPool: a script must be a local file or a qrc: URL, not %1")
                              .arg(url.toString()));
    return QString();
}

QUrl QGbQmlPoolPrivate::resolve(const QUrl &url) const
{
    Q_Q(const QGbQmlPool);
    if (const QQmlContext *context = qmlContext(q))
        return context->resolvedUrl(url);
    return url;
}

bool QGbQmlPoolPrivate::readFile(const QUrl &property, const char *what, QByteArray *data,
                                 QGbError *error) const
{
    const QUrl url = resolve(property);
    QString path;
    if (url.isLocalFile())
        path = url.toLocalFile();
    else if (url.scheme().isEmpty())
        path = url.path();
    else if (url.scheme() == QLatin1String("qrc"))
        path = QLatin1Char(':') + url.path();
    QFile file(path);
    if (!path.isEmpty() && file.open(QIODevice::ReadOnly)) {
        *data = file.readAll();
        return true;
    }
    *error =
            QGbError(QGbError::WorkerStartFailed,
                     QStringLiteral("GbPool: cannot read the %1 %2%3")
                             .arg(QLatin1String(what), url.toString(),
                                  path.isEmpty() ? QStringLiteral(" (not a local file or qrc: URL)")
                                                 : QStringLiteral(": ") + file.errorString()));
    return false;
}

bool QGbQmlPoolPrivate::makeSslConfiguration(QSslConfiguration *config, QGbError *error) const
{
    auto fail = [error](const QString &message) {
        *error = QGbError(QGbError::WorkerStartFailed, QStringLiteral("GbPool: ") + message);
        return false;
    };
    if (!caCertificates.isEmpty()) {
        QList<QSslCertificate> cas;
        for (const QString &file : caCertificates) {
            QByteArray pem;
            if (!readFile(QUrl(file), "CA certificates", &pem, error))
                return false;
            const QList<QSslCertificate> found = QSslCertificate::fromData(pem, QSsl::Pem);
            if (found.isEmpty())
                return fail(QStringLiteral("no PEM certificate in %1").arg(file));
            cas += found;
        }
        config->setCaCertificates(cas);
    }
    if (clientCertificate.isEmpty() != clientKey.isEmpty())
        return fail(QStringLiteral("clientCertificate and clientKey go together: set both or "
                                   "neither"));
    if (!clientCertificate.isEmpty()) {
        QByteArray pem;
        if (!readFile(clientCertificate, "client certificate", &pem, error))
            return false;
        const QList<QSslCertificate> found = QSslCertificate::fromData(pem, QSsl::Pem);
        if (found.isEmpty())
            return fail(
                    QStringLiteral("no PEM certificate in %1").arg(clientCertificate.toString()));
        if (!readFile(clientKey, "client key", &pem, error))
            return false;
        QSslKey key(pem, QSsl::Ec, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(pem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            return fail(QStringLiteral("no unencrypted EC or RSA private key in %1")
                                .arg(clientKey.toString()));
        config->setLocalCertificate(found.first());
        config->setPrivateKey(key);
    }
    return true;
}

bool QGbQmlPoolPrivate::makeOptions(QGbPoolOptions *out, QGbError *error) const
{
    QGbPoolOptions options;
    options.setWorkers(workers)
            .setMaxConnections(maxConnections)
            .setPythonExecutable(pythonExecutable)
            .setScriptArguments(scriptArguments)
            .setWorkingDirectory(workingDirectory);
    QVariant env = environment;
    if (env.metaType() == QMetaType::fromType<QJSValue>())
        env = env.value<QJSValue>().toVariant();
    QStringList list;
    if (env.metaType().id() == QMetaType::QVariantMap) {
        const QVariantMap map = env.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            list.append(it.key() + QLatin1Char('=') + it.value().toString());
    } else if (env.canConvert<QStringList>()) {
        list = env.toStringList();
    }
    options.setEnvironment(list);
    QList<QUrl> urls;
    for (const QString &url : remoteWorkers)
        urls.append(QUrl(url));
    options.setRemoteWorkers(urls)
            .setRemoteToken(remoteToken.toUtf8())
            .setRemoteResolveInterval(std::chrono::milliseconds(remoteResolveInterval));
    // Only when the TLS settings are used: the default configuration loads the
    // TLS backend, which a pool of local workers does not need.
    if (!caCertificates.isEmpty() || !clientCertificate.isEmpty() || !clientKey.isEmpty()) {
        QSslConfiguration ssl = options.sslConfiguration();
        if (!makeSslConfiguration(&ssl, error))
            return false;
        options.setSslConfiguration(ssl);
    }
    *out = options;
    return true;
}

QJSValue QGbQmlPoolPrivate::jsError(const QGbError &error) const
{
    Q_Q(const QGbQmlPool);
    QJSEngine *engine = QGbQml::engineOf(q);
    if (!QGbQml::engineUsable(engine))
        return QJSValue(QJSValue::NullValue);
    return QGbQml::toJsError(engine, error);
}

/*!
    Constructs a GbPool with \a parent. Nothing starts before
    componentComplete().
*/
QGbQmlPool::QGbQmlPool(QObject *parent)
    : QObject(parent)
    , d_ptr(new QGbQmlPoolPrivate(this))
{
}

/*!
    Destroys the pool: its running replies reject with \c PoolClosed, then the
    workers are stopped.
*/
QGbQmlPool::~QGbQmlPool()
{
    Q_D(QGbQmlPool);
    d->complete = false;
    QList<QPointer<QGbQmlReply>> replies;
    for (QGbQmlReply *reply : std::as_const(d->running))
        replies.append(reply);
    for (QGbQmlReply *reply : findChildren<QGbQmlReply *>(Qt::FindDirectChildrenOnly))
        replies.append(reply); // made from C++
    for (const QPointer<QGbQmlReply> &reply : std::as_const(replies)) {
        if (!reply)
            continue;
        QGbQmlReplyPrivate::get(reply)->settle(
                QGbQmlReply::Failed, QVariant(),
                QGbError(QGbError::PoolClosed, QStringLiteral("The GbPool was destroyed")));
    }
    if (QGbPool *pool = std::exchange(d->pool, nullptr)) {
        QObject::disconnect(pool, nullptr, this, nullptr);
        delete pool;
    }
}

QUrl QGbQmlPool::script() const
{
    Q_D(const QGbQmlPool);
    return d->script;
}

void QGbQmlPool::setScript(const QUrl &script)
{
    Q_D(QGbQmlPool);
    if (d->script == script)
        return;
    d->script = script;
    emit scriptChanged();
    d->optionChanged();
}

int QGbQmlPool::workers() const
{
    Q_D(const QGbQmlPool);
    return d->workers;
}

void QGbQmlPool::setWorkers(int workers)
{
    Q_D(QGbQmlPool);
    if (workers < 0) {
        qmlWarning(this) << "GbPool.workers must not be negative";
        workers = 0;
    }
    if (d->workers == workers)
        return;
    d->workers = workers;
    emit workersChanged();
    d->optionChanged();
}

int QGbQmlPool::maxConnections() const
{
    Q_D(const QGbQmlPool);
    return d->maxConnections;
}

void QGbQmlPool::setMaxConnections(int connections)
{
    Q_D(QGbQmlPool);
    if (connections < 1) {
        qmlWarning(this) << "GbPool.maxConnections must be at least 1";
        connections = 1;
    }
    if (d->maxConnections == connections)
        return;
    d->maxConnections = connections;
    emit maxConnectionsChanged();
    d->optionChanged();
}

QString QGbQmlPool::pythonExecutable() const
{
    Q_D(const QGbQmlPool);
    return d->pythonExecutable;
}

void QGbQmlPool::setPythonExecutable(const QString &executable)
{
    Q_D(QGbQmlPool);
    if (d->pythonExecutable == executable)
        return;
    d->pythonExecutable = executable;
    emit pythonExecutableChanged();
    d->optionChanged();
}

QStringList QGbQmlPool::scriptArguments() const
{
    Q_D(const QGbQmlPool);
    return d->scriptArguments;
}

void QGbQmlPool::setScriptArguments(const QStringList &arguments)
{
    Q_D(QGbQmlPool);
    if (d->scriptArguments == arguments)
        return;
    d->scriptArguments = arguments;
    emit scriptArgumentsChanged();
    d->optionChanged();
}

QString QGbQmlPool::workingDirectory() const
{
    Q_D(const QGbQmlPool);
    return d->workingDirectory;
}

void QGbQmlPool::setWorkingDirectory(const QString &directory)
{
    Q_D(QGbQmlPool);
    if (d->workingDirectory == directory)
        return;
    d->workingDirectory = directory;
    emit workingDirectoryChanged();
    d->optionChanged();
}

QVariant QGbQmlPool::environment() const
{
    Q_D(const QGbQmlPool);
    return d->environment;
}

void QGbQmlPool::setEnvironment(const QVariant &environment)
{
    Q_D(QGbQmlPool);
    if (d->environment == environment)
        return;
    d->environment = environment;
    emit environmentChanged();
    d->optionChanged();
}

int QGbQmlPool::callTimeout() const
{
    Q_D(const QGbQmlPool);
    return d->callTimeout;
}

void QGbQmlPool::setCallTimeout(int msecs)
{
    Q_D(QGbQmlPool);
    msecs = qMax(0, msecs);
    if (d->callTimeout == msecs)
        return;
    d->callTimeout = msecs;
    emit callTimeoutChanged();
}

QStringList QGbQmlPool::remoteWorkers() const
{
    Q_D(const QGbQmlPool);
    return d->remoteWorkers;
}

void QGbQmlPool::setRemoteWorkers(const QStringList &urls)
{
    Q_D(QGbQmlPool);
    if (d->remoteWorkers == urls)
        return;
    d->remoteWorkers = urls;
    emit remoteWorkersChanged();
    d->optionChanged();
}

QString QGbQmlPool::remoteToken() const
{
    Q_D(const QGbQmlPool);
    return d->remoteToken;
}

void QGbQmlPool::setRemoteToken(const QString &token)
{
    Q_D(QGbQmlPool);
    if (d->remoteToken == token)
        return;
    d->remoteToken = token;
    emit remoteTokenChanged();
    d->optionChanged();
}

int QGbQmlPool::remoteResolveInterval() const
{
    Q_D(const QGbQmlPool);
    return d->remoteResolveInterval;
}

void QGbQmlPool::setRemoteResolveInterval(int msecs)
{
    Q_D(QGbQmlPool);
    msecs = std::max(msecs, 0);
    if (d->remoteResolveInterval == msecs)
        return;
    d->remoteResolveInterval = msecs;
    emit remoteResolveIntervalChanged();
    d->optionChanged();
}

QStringList QGbQmlPool::caCertificates() const
{
    Q_D(const QGbQmlPool);
    return d->caCertificates;
}

void QGbQmlPool::setCaCertificates(const QStringList &files)
{
    Q_D(QGbQmlPool);
    if (d->caCertificates == files)
        return;
    d->caCertificates = files;
    emit caCertificatesChanged();
    d->optionChanged();
}

QUrl QGbQmlPool::clientCertificate() const
{
    Q_D(const QGbQmlPool);
    return d->clientCertificate;
}

void QGbQmlPool::setClientCertificate(const QUrl &file)
{
    Q_D(QGbQmlPool);
    if (d->clientCertificate == file)
        return;
    d->clientCertificate = file;
    emit clientCertificateChanged();
    d->optionChanged();
}

QUrl QGbQmlPool::clientKey() const
{
    Q_D(const QGbQmlPool);
    return d->clientKey;
}

void QGbQmlPool::setClientKey(const QUrl &file)
{
    Q_D(QGbQmlPool);
    if (d->clientKey == file)
        return;
    d->clientKey = file;
    emit clientKeyChanged();
    d->optionChanged();
}

QGbQmlPool::State QGbQmlPool::state() const
{
    Q_D(const QGbQmlPool);
    return d->state;
}

int QGbQmlPool::readyWorkers() const
{
    Q_D(const QGbQmlPool);
    return d->readyWorkers;
}

QVariantList QGbQmlPool::functions() const
{
    Q_D(const QGbQmlPool);
    return d->functions;
}

/*!
    Returns the QGbPool the workers run in, or \nullptr while there is none
    (see \l State). It changes when the pool is re-created.
*/
QGbPool *QGbQmlPool::pool() const
{
    Q_D(const QGbQmlPool);
    return d->pool;
}

/*!
    Returns the local path of the script the current pool runs (script
    resolved, or its temporary copy), or an empty string while there is no pool.
*/
QString QGbQmlPool::scriptPath() const
{
    Q_D(const QGbQmlPool);
    return d->scriptPath;
}

/*!
    Calls the Python function \a method with the arguments \a args (a list) and
    returns a GbReply. \a options, optional, is an object with:

    \list
    \li \c owner: an object; when it is destroyed, the call is cancelled (the
        reply rejects with \c Cancelled). Give the component that makes the call
        (\c{{ owner: root }}), so that a page closed mid-call cancels it. A bare
        object is taken as the owner: \c{py.call("f", [], root)}.
    \li \c timeout: a deadline in milliseconds (overrides callTimeout); past it
        the call fails with \c DeadlineExceeded.
    \li \c kwargs: keyword arguments, an object (\c{{ kwargs: { width: 640 } }}):
        the function runs as \c{method(*args, **kwargs)}; see
        QGbCallOptions::setKeywordArguments().
    \endlist

    Without an owner the call runs until it ends or is cancelled with
    GbReply::cancel(), whatever happens to the code that started it.

    JavaScript values convert to Python ones: a whole number (|n| <= 2^53)
    becomes an \c int, any other number a \c float; strings, booleans, \c null
    (and \c undefined) as such; arrays become lists, objects dicts, an
    ArrayBuffer \c bytes, a Date an ISO 8601 string in UTC. A GbChannel in \a args
    becomes the function's \c Iterator argument at its place. A value that
    cannot be sent (a function, another object) fails the reply with
    \c TypeMismatch, naming it (\c{args[1].when}).

    A function that yields (a generator) is called too: the reply collects its
    items and resolves with their list.

    The reply fails with \c PoolClosed when there is no pool (state \l Closed).
    Errors are reported through the reply, never thrown, and never before
    call() has returned.
*/
QGbQmlReply *QGbQmlPool::call(const QString &method, const QVariantList &args,
                              const QJSValue &options)
{
    Q_D(QGbQmlPool);
    QJSEngine *engine = QGbQml::engineOf(this);
    auto *reply = new QGbQmlReply(method, QGbQml::engineUsable(engine) ? engine : nullptr, this);
    QGbQmlReplyPrivate *rd = QGbQmlReplyPrivate::get(reply);

    QGbError error;
    QGbCallOptions callOptions;
    if (d->callTimeout > 0)
        callOptions.setTimeout(std::chrono::milliseconds(d->callTimeout));
    QObject *owner = nullptr;
    if (options.isQObject()) {
        owner = options.toQObject();
    } else if (options.isObject() && !options.isArray() && !options.isCallable()) {
        const QJSValue o = options.property(QStringLiteral("owner"));
        if (o.isQObject())
            owner = o.toQObject();
        else if (!o.isUndefined() && !o.isNull())
            error = QGbError(QGbError::BadArguments,
                             QStringLiteral("GbPool.call(): options.owner must be an object"));
        const QJSValue t = options.property(QStringLiteral("timeout"));
        if (t.isNumber() && t.toNumber() >= 1)
            callOptions.setTimeout(std::chrono::milliseconds(qint64(t.toNumber())));
        else if (!t.isUndefined() && !(t.isNumber() && t.toNumber() == 0))
            error = QGbError(QGbError::BadArguments,
                             QStringLiteral("GbPool.call(): options.timeout must be a number "
                                            "of milliseconds"));
        const QJSValue k = options.property(QStringLiteral("kwargs"));
        if (k.isObject() && !k.isArray() && !k.isCallable() && !k.isQObject()) {
            QVariantMap kwargs;
            if (!error.isError()
                && QGbQml::keywordArgumentsFromJs(k.toVariant().toMap(), &kwargs, &error))
                callOptions.setKeywordArguments(kwargs);
        } else if (!k.isUndefined() && !k.isNull() && !error.isError()) {
            error = QGbError(QGbError::BadArguments,
                             QStringLiteral("GbPool.call(): options.kwargs must be an object "
                                            "{ name: value }"));
        }
    } else if (!options.isUndefined() && !options.isNull()) {
        error = QGbError(QGbError::BadArguments,
                         QStringLiteral("GbPool.call(): options must be an object "
                                        "{ owner, timeout, kwargs }"));
    }

    QVariantList wireArgs;
    QGbQmlChannel *channel = nullptr;
    if (!error.isError())
        QGbQml::argumentsFromJs(args, &wireArgs, &channel, &error);
    if (!error.isError() && !d->pool) {
        error = QGbError(QGbError::PoolClosed,
                         QStringLiteral("GbPool has no pool running (no script, or the "
                                        "component is not complete)"));
    }
    QGbChannel *input = nullptr;
    if (!error.isError() && channel)
        input = QGbQmlChannelPrivate::get(channel)->takeForCall(&error);

    if (error.isError()) {
        rd->failLater(error);
    } else {
        QGbCall *call = d->pool->invoke(callOptions, method, wireArgs, input);
        if (channel)
            QGbQmlChannelPrivate::get(channel)->attach(call);
        rd->start(call);
    }
    if (owner)
        rd->setOwner(owner);
    return reply;
}

/*!
    Restarts the workers the pool stopped restarting (see workerFailed()).
*/
void QGbQmlPool::restartFailedWorkers()
{
    Q_D(QGbQmlPool);
    if (d->pool)
        d->pool->restartFailedWorkers();
}

/*!
    \reimp
*/
void QGbQmlPool::classBegin() { }

/*!
    \reimp
    Creates the pool, if script is set.
*/
void QGbQmlPool::componentComplete()
{
    Q_D(QGbQmlPool);
    d->complete = true;
    d->recreate();
}
