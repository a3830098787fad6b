// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The platform functions for systems without the Unix ones: portable, and
// without what only Unix offers.

#include "qgbplatform_p.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qrandom.h>

#include <cstdio>

namespace QGbPlatform {

QString makePrivateDirectory(const QString &base, const QString &prefix, QString *error)
{
    for (int attempt = 0; attempt < 16; ++attempt) {
        const QString path = base + QLatin1Char('/') + prefix
                + QString::number(QRandomGenerator::system()->generate64(), 36);
        if (QDir().mkdir(path)) {
            QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            return path;
        }
    }
    *error = QStringLiteral("cannot create a directory");
    return QString();
}

qsizetype maxSocketPathLength()
{
    return 107;
}

void killWithParent(QProcess *) { }

QString libraryDirectory()
{
    return QString();
}

void writeStandardChannel(bool error, const QByteArray &data)
{
    FILE *stream = error ? stderr : stdout;
    std::fwrite(data.constData(), 1, size_t(data.size()), stream);
    std::fflush(stream);
}

} // namespace QGbPlatform
