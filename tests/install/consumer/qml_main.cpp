// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Calls add(3, 4) through an installed QGobridge::Qml, from C++: a GbPool
// without a QML engine reports through GbReply's signals. Prints "GbPool: 7".

#include <QCoreApplication>
#include <QGbQmlPool>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QGbQmlPool pool;
    pool.classBegin();
    pool.setScript(QUrl::fromLocalFile(QStringLiteral(CONSUMER_WORKER)));
    pool.setWorkers(1);
    pool.componentComplete();
    QGbQmlReply *reply = pool.call(QStringLiteral("add"), { 3, 4 });
    QObject::connect(reply, &QGbQmlReply::finished, &app, [reply] {
        QTextStream(stdout) << "GbPool: " << reply->value().toLongLong() << Qt::endl;
        QCoreApplication::exit(reply->status() == QGbQmlReply::Finished ? 0 : 1);
    });
    QTimer::singleShot(60000, &app, [] { QCoreApplication::exit(2); });
    return app.exec();
}
