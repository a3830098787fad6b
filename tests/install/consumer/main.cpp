// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// Calls add(3, 4) through an installed QGobridge; prints the result and where the
// worker found the gobridge package. Exit code 0 if the result is 7.

#include <QCoreApplication>
#include <QGbPool>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    QGbPool pool(QStringLiteral(CONSUMER_WORKER));
    try {
        const int sum = pool.call<int>("add", 3, 4).result();
        out << sum << Qt::endl;
        out << "gobridge: " << pool.call<QString>("package_location").result() << Qt::endl;
        return sum == 7 ? 0 : 1;
    } catch (const QGbException &e) {
        QTextStream(stderr) << "call failed: " << e.error().errorString() << Qt::endl;
        return 1;
    }
}
