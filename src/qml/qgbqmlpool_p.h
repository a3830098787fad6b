// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLPOOL_P_H
#define QGBQMLPOOL_P_H

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

#include "qgbqmlpool.h"

#include <qgbpooloptions.h>

#include <QtCore/qfuturewatcher.h>
#include <QtCore/qtemporarydir.h>

#include <memory>

class QGbQmlPoolPrivate
{
    Q_DECLARE_PUBLIC(QGbQmlPool)
public:
    explicit QGbQmlPoolPrivate(QGbQmlPool *q)
        : q_ptr(q)
    {
    }

    static QGbQmlPoolPrivate *get(QGbQmlPool *pool) { return pool->d_func(); }

    // An option changed: re-create the pool (once, from the event loop) if it
    // was created already.
    void optionChanged();
    void recreate();
    void destroyPool();
    void setState(QGbQmlPool::State state);
    void setReadyWorkers(int ready);
    // The pool's QGbPool::functions() as JS-friendly maps.
    void updateFunctions();
    // The script as a local file: resolved against the QML file's URL; a qrc
    // script is copied into a private temporary directory. Empty on error.
    QString resolveScript(QGbError *error);
    // The pool's options from the properties; false with *error set if a
    // certificate or key file cannot be loaded.
    bool makeOptions(QGbPoolOptions *options, QGbError *error) const;
    // A file property (local, relative to the QML file, or qrc:) as a URL.
    QUrl resolve(const QUrl &url) const;
    // The contents of such a file; false with *error set (naming what) if not.
    bool readFile(const QUrl &url, const char *what, QByteArray *data, QGbError *error) const;
    bool makeSslConfiguration(QSslConfiguration *config, QGbError *error) const;
    QJSValue jsError(const QGbError &error) const;

    QGbQmlPool *q_ptr;
    QUrl script;
    QGbPoolOptions defaults; // what the properties start with
    int workers = defaults.workers();
    int maxConnections = defaults.maxConnections();
    QString pythonExecutable = defaults.pythonExecutable();
    QStringList scriptArguments;
    QString workingDirectory;
    QVariant environment;
    int callTimeout = 0;
    QStringList remoteWorkers;
    QString remoteToken;
    int remoteResolveInterval = int(defaults.remoteResolveInterval().count());
    QStringList caCertificates;
    QUrl clientCertificate;
    QUrl clientKey;

    bool complete = false;
    bool recreatePending = false;
    QGbPool *pool = nullptr;
    QString scriptPath;
    std::unique_ptr<QTemporaryDir> extracted;
    QGbQmlPool::State state = QGbQmlPool::Closed;
    int readyWorkers = 0;
    QVariantList functions;
    // The replies made from QML that have not settled: no QObject parent
    // (QML marks the children of an object it destroys as deleted), kept
    // alive by CppOwnership, settled with PoolClosed when the pool goes.
    QList<QGbQmlReply *> running;
};

#endif // QGBQMLPOOL_P_H
