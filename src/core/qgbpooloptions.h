// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBPOOLOPTIONS_H
#define QGBPOOLOPTIONS_H

#include "qgbglobal.h"

#include <QtCore/qlist.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>
#include <QtNetwork/qsslconfiguration.h>

#include <chrono>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

class QGbPoolOptionsPrivate;

class QGB_EXPORT QGbPoolOptions
{
public:
    enum class Transport { Automatic, LocalSocket, RawSocket };

    QGbPoolOptions();
    QGbPoolOptions(const QGbPoolOptions &other);
    QGbPoolOptions(QGbPoolOptions &&other) noexcept;
    QGbPoolOptions &operator=(const QGbPoolOptions &other);
    QGbPoolOptions &operator=(QGbPoolOptions &&other) noexcept;
    ~QGbPoolOptions();

    void swap(QGbPoolOptions &other) noexcept { d.swap(other.d); }

    int workers() const;
    QGbPoolOptions &setWorkers(int workers);

    int maxConnections() const;
    QGbPoolOptions &setMaxConnections(int connections);

    QString pythonExecutable() const;
    QGbPoolOptions &setPythonExecutable(const QString &executable);

    QStringList scriptArguments() const;
    QGbPoolOptions &setScriptArguments(const QStringList &arguments);

    QString workingDirectory() const;
    QGbPoolOptions &setWorkingDirectory(const QString &directory);

    QStringList environment() const;
    QGbPoolOptions &setEnvironment(const QStringList &environment);

    QString socketDirectory() const;
    QGbPoolOptions &setSocketDirectory(const QString &directory);

    QIODevice *stdoutDevice() const;
    bool isStdoutForwarded() const;
    QGbPoolOptions &setStdout(QIODevice *device);

    QIODevice *stderrDevice() const;
    bool isStderrForwarded() const;
    QGbPoolOptions &setStderr(QIODevice *device);

    qsizetype maxQueuedCalls() const;
    QGbPoolOptions &setMaxQueuedCalls(qsizetype calls);

    quint32 maxFrameSize() const;
    QGbPoolOptions &setMaxFrameSize(quint32 bytes);

    std::chrono::milliseconds cancelGracePeriod() const;
    QGbPoolOptions &setCancelGracePeriod(std::chrono::milliseconds period);

    std::chrono::milliseconds startTimeout() const;
    QGbPoolOptions &setStartTimeout(std::chrono::milliseconds timeout);

    std::chrono::milliseconds callTimeout() const;
    QGbPoolOptions &setCallTimeout(std::chrono::milliseconds timeout);

    std::chrono::milliseconds heartbeatInterval() const;
    std::chrono::milliseconds heartbeatTimeout() const;
    QGbPoolOptions &setHeartbeat(std::chrono::milliseconds interval,
                                 std::chrono::milliseconds timeout);

    int maxCallsPerWorker() const;
    QGbPoolOptions &setMaxCallsPerWorker(int calls);

    int restartLimit() const;
    std::chrono::milliseconds restartWindow() const;
    QGbPoolOptions &setRestartLimit(int restarts, std::chrono::milliseconds window);

    std::chrono::milliseconds restartDelay() const;
    std::chrono::milliseconds maxRestartDelay() const;
    QGbPoolOptions &setRestartBackoff(std::chrono::milliseconds initial,
                                      std::chrono::milliseconds maximum);

    QString packageDirectory() const;
    QGbPoolOptions &setPackageDirectory(const QString &directory);

    bool addsPackageToPythonPath() const;
    QGbPoolOptions &setAddPackageToPythonPath(bool add);

    Transport transport() const;
    QGbPoolOptions &setTransport(Transport transport);

    int pythonLogLevel() const;
    QGbPoolOptions &setPythonLogLevel(int level);

    bool isCategoryLoggingEnabled() const;
    QGbPoolOptions &setCategoryLoggingEnabled(bool enabled);

    bool isInspectable() const;
    QGbPoolOptions &setInspectable(bool inspectable);

    int flightRecorderSize() const;
    QGbPoolOptions &setFlightRecorderSize(int events);

    QList<QUrl> remoteWorkers() const;
    QGbPoolOptions &setRemoteWorkers(const QList<QUrl> &urls);

    QSslConfiguration sslConfiguration() const;
    QGbPoolOptions &setSslConfiguration(const QSslConfiguration &configuration);

    QByteArray remoteToken() const;
    QGbPoolOptions &setRemoteToken(const QByteArray &token);

    std::chrono::milliseconds remoteResolveInterval() const;
    QGbPoolOptions &setRemoteResolveInterval(std::chrono::milliseconds interval);

private:
    QSharedDataPointer<QGbPoolOptionsPrivate> d;
};

Q_DECLARE_SHARED(QGbPoolOptions)

#endif // QGBPOOLOPTIONS_H
