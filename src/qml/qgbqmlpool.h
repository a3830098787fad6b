// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLPOOL_H
#define QGBQMLPOOL_H

#include "qgbqmlglobal.h"
#include "qgbqmlreply.h"

#include <QtCore/qobject.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>
#include <QtCore/qvariant.h>
#include <QtQml/qjsvalue.h>
#include <QtQml/qqmlparserstatus.h>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QGbPool;
class QGbQmlPoolPrivate;

class QGBQML_EXPORT QGbQmlPool : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_NAMED_ELEMENT(GbPool)
    Q_PROPERTY(QUrl script READ script WRITE setScript NOTIFY scriptChanged)
    Q_PROPERTY(int workers READ workers WRITE setWorkers NOTIFY workersChanged)
    Q_PROPERTY(int maxConnections READ maxConnections WRITE setMaxConnections NOTIFY
                       maxConnectionsChanged)
    Q_PROPERTY(QString pythonExecutable READ pythonExecutable WRITE setPythonExecutable NOTIFY
                       pythonExecutableChanged)
    Q_PROPERTY(QStringList scriptArguments READ scriptArguments WRITE setScriptArguments NOTIFY
                       scriptArgumentsChanged)
    Q_PROPERTY(QString workingDirectory READ workingDirectory WRITE setWorkingDirectory NOTIFY
                       workingDirectoryChanged)
    Q_PROPERTY(QVariant environment READ environment WRITE setEnvironment NOTIFY environmentChanged)
    Q_PROPERTY(int callTimeout READ callTimeout WRITE setCallTimeout NOTIFY callTimeoutChanged)
    Q_PROPERTY(QStringList remoteWorkers READ remoteWorkers WRITE setRemoteWorkers NOTIFY
                       remoteWorkersChanged)
    Q_PROPERTY(QString remoteToken READ remoteToken WRITE setRemoteToken NOTIFY remoteTokenChanged)
    Q_PROPERTY(int remoteResolveInterval READ remoteResolveInterval WRITE setRemoteResolveInterval
                       NOTIFY remoteResolveIntervalChanged)
    Q_PROPERTY(QStringList caCertificates READ caCertificates WRITE setCaCertificates NOTIFY
                       caCertificatesChanged)
    Q_PROPERTY(QUrl clientCertificate READ clientCertificate WRITE setClientCertificate NOTIFY
                       clientCertificateChanged)
    Q_PROPERTY(QUrl clientKey READ clientKey WRITE setClientKey NOTIFY clientKeyChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(int readyWorkers READ readyWorkers NOTIFY readyWorkersChanged)
    Q_PROPERTY(QVariantList functions READ functions NOTIFY functionsChanged)
public:
    enum State {
        Closed,
        Starting,
        Running,
    };
    Q_ENUM(State)

    explicit QGbQmlPool(QObject *parent = nullptr);
    ~QGbQmlPool() override;

    QUrl script() const;
    void setScript(const QUrl &script);
    int workers() const;
    void setWorkers(int workers);
    int maxConnections() const;
    void setMaxConnections(int connections);
    QString pythonExecutable() const;
    void setPythonExecutable(const QString &executable);
    QStringList scriptArguments() const;
    void setScriptArguments(const QStringList &arguments);
    QString workingDirectory() const;
    void setWorkingDirectory(const QString &directory);
    QVariant environment() const;
    void setEnvironment(const QVariant &environment);
    int callTimeout() const;
    void setCallTimeout(int msecs);
    QStringList remoteWorkers() const;
    void setRemoteWorkers(const QStringList &urls);
    QString remoteToken() const;
    void setRemoteToken(const QString &token);
    int remoteResolveInterval() const;
    void setRemoteResolveInterval(int msecs);
    QStringList caCertificates() const;
    void setCaCertificates(const QStringList &files);
    QUrl clientCertificate() const;
    void setClientCertificate(const QUrl &file);
    QUrl clientKey() const;
    void setClientKey(const QUrl &file);

    State state() const;
    int readyWorkers() const;
    QVariantList functions() const;

    QGbPool *pool() const;
    QString scriptPath() const;

    Q_INVOKABLE QGbQmlReply *call(const QString &method, const QVariantList &args = QVariantList(),
                                  const QJSValue &options = QJSValue());

    void classBegin() override;
    void componentComplete() override;

public Q_SLOTS:
    void restartFailedWorkers();

Q_SIGNALS:
    void scriptChanged();
    void workersChanged();
    void maxConnectionsChanged();
    void pythonExecutableChanged();
    void scriptArgumentsChanged();
    void workingDirectoryChanged();
    void environmentChanged();
    void callTimeoutChanged();
    void remoteWorkersChanged();
    void remoteTokenChanged();
    void remoteResolveIntervalChanged();
    void caCertificatesChanged();
    void clientCertificateChanged();
    void clientKeyChanged();
    void stateChanged();
    void readyWorkersChanged();
    void functionsChanged();
    void workerStarted(int worker, qint64 pid);
    void workerExited(int worker, qint64 pid, int exitCode, bool crashed);
    void workerFailed(int worker, const QJSValue &error);
    void errorOccurred(const QJSValue &error);
    void logRecord(const QVariantMap &record);

private:
    Q_DISABLE_COPY_MOVE(QGbQmlPool)
    Q_DECLARE_PRIVATE(QGbQmlPool)
    std::unique_ptr<QGbQmlPoolPrivate> d_ptr;
    friend class QGbQmlStreamModel;
};

#endif // QGBQMLPOOL_H
