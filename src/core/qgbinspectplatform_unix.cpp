// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The inspector side channel's platform code on Unix: the per-user registry
// directory, the peer's user, whether a process exists.

#include "qgbinspectwire_p.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace QGbInspect {

QString registryDirectory()
{
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty() && QDir::isAbsolutePath(runtime))
        return runtime + QLatin1String("/qgobridge");
    return QStringLiteral("/tmp/qgobridge-%1").arg(::getuid());
}

QString ensureRegistryDirectory(QString *error)
{
    const QString dir = registryDirectory();
    const QByteArray path = QFile::encodeName(dir);
    if (::mkdir(path.constData(), 0700) != 0 && errno != EEXIST) {
        *error = QStringLiteral("Cannot create %1: %2")
                         .arg(dir, QString::fromLocal8Bit(strerror(errno)));
        return QString();
    }
    struct stat info;
    if (::lstat(path.constData(), &info) != 0) {
        *error = QStringLiteral("Cannot read %1: %2")
                         .arg(dir, QString::fromLocal8Bit(strerror(errno)));
        return QString();
    }
    if (!S_ISDIR(info.st_mode) || info.st_uid != ::getuid()) {
        *error = QStringLiteral("%1 is not a directory of this user's").arg(dir);
        return QString();
    }
    if ((info.st_mode & 0777) != 0700 && ::chmod(path.constData(), 0700) != 0) {
        *error = QStringLiteral("Cannot make %1 private: %2")
                         .arg(dir, QString::fromLocal8Bit(strerror(errno)));
        return QString();
    }
    return dir;
}

bool peerIsSameUser(qintptr descriptor, qint64 *peerUid)
{
    uid_t uid = uid_t(-1);
#if defined(SO_PEERCRED)
    struct ucred credentials;
    socklen_t size = sizeof(credentials);
    if (::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0)
        return false;
    uid = credentials.uid;
#else
    gid_t gid;
    if (::getpeereid(int(descriptor), &uid, &gid) != 0)
        return false;
#endif
    if (peerUid)
        *peerUid = qint64(uid);
    return uid == ::getuid();
}

bool processExists(qint64 pid)
{
    if (pid <= 0)
        return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

} // namespace QGbInspect
