// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbplatform_p.h"

#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

namespace QGbPlatform {

QString makePrivateDirectory(const QString &base, const QString &prefix, QString *error)
{
    QByteArray templ =
            QFile::encodeName(base + QLatin1Char('/') + prefix + QLatin1String("XXXXXX"));
    if (::mkdtemp(templ.data()))
        return QFile::decodeName(templ); // mkdtemp creates it with mode 0700
    *error = QString::fromLocal8Bit(strerror(errno));
    return QString();
}

qsizetype maxSocketPathLength()
{
    return qsizetype(sizeof(sockaddr_un::sun_path)) - 1;
}

QString libraryDirectory()
{
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&libraryDirectory), &info) && info.dli_fname)
        return QFileInfo(QString::fromLocal8Bit(info.dli_fname)).absolutePath();
    return QString();
}

void writeStandardChannel(bool error, const QByteArray &data)
{
    const int fd = error ? STDERR_FILENO : STDOUT_FILENO;
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += n;
        left -= n;
    }
}

#ifndef Q_OS_LINUX
void killWithParent(QProcess *) { }
#endif

} // namespace QGbPlatform
