// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The smallest QGobridge program: call add(3, 4) in a Python worker and print 7.

#include <QCoreApplication>
#include <QDir>
#include <QGbPool>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    // worker.py is copied next to the binary by CMake.
    QGbPool pool(QDir(app.applicationDirPath()).filePath("worker.py"));

    QFuture<int> sum = pool.call<int>("add", 3, 4);
    try {
        out << sum.result() << Qt::endl; // 7
    } catch (const QGbException &e) {
        QTextStream(stderr) << "add failed: " << e.error().errorString() << Qt::endl;
        return 1;
    }
    return 0;
}
