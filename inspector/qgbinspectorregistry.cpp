// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbinspectorregistry.h"

#include "qgbinspectwire_p.h"

#include <QtCore/qdir.h>
#include <QtCore/qfile.h>
#include <QtCore/qfileinfo.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

#include <algorithm>

namespace QGbInspectorRegistry {

QString directory()
{
    return QGbInspect::registryDirectory();
}

QList<QGbInspectorPoolEntry> pools(bool removeDead)
{
    QList<QGbInspectorPoolEntry> result;
    const QDir dir(directory());
    const QStringList names = dir.entryList({ QStringLiteral("*.json") }, QDir::Files);
    for (const QString &name : names) {
        const QString path = dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject object = QJsonDocument::fromJson(file.readAll()).object();
        QGbInspectorPoolEntry entry;
        entry.pid = object.value(u"pid").toInteger();
        entry.app = object.value(u"app").toString();
        entry.script = object.value(u"script").toString();
        entry.workers = object.value(u"workers").toInt();
        entry.protocol = object.value(u"protocol").toInt();
        entry.library = object.value(u"library").toString();
        entry.startedAt =
                QDateTime::fromString(object.value(u"startedAt").toString(), Qt::ISODateWithMs);
        const QString socket = object.value(u"socket").toString();
        entry.socketPath =
                socket.isEmpty() || socket.contains(u'/') ? QString() : dir.filePath(socket);
        entry.entryPath = path;
        if (entry.pid <= 0 || entry.socketPath.isEmpty())
            continue;
        if (!QGbInspect::processExists(entry.pid)) {
            if (removeDead) {
                QFile::remove(entry.socketPath);
                QFile::remove(path);
            }
            continue;
        }
        result.append(entry);
    }
    std::sort(result.begin(), result.end(),
              [](const auto &a, const auto &b) { return a.startedAt < b.startedAt; });
    return result;
}

bool find(const QString &pidOrName, QGbInspectorPoolEntry *entry, QString *error)
{
    bool isPid = false;
    const qint64 pid = pidOrName.toLongLong(&isPid);
    QList<QGbInspectorPoolEntry> matches;
    for (const QGbInspectorPoolEntry &candidate : pools()) {
        if (isPid ? candidate.pid == pid
                  : (candidate.app == pidOrName
                     || QFileInfo(candidate.script).fileName() == pidOrName))
            matches.append(candidate);
    }
    if (matches.isEmpty()) {
        *error = QStringLiteral("No inspectable pool matches \"%1\" in %2")
                         .arg(pidOrName, directory());
        return false;
    }
    if (matches.size() > 1 && !isPid) {
        QStringList pids;
        for (const auto &m : matches)
            pids.append(QString::number(m.pid));
        *error = QStringLiteral("Several pools match \"%1\" (pids %2): name one by pid")
                         .arg(pidOrName, pids.join(u", "));
        return false;
    }
    // Several pools in one process: the first one started.
    *entry = matches.first();
    return true;
}

} // namespace QGbInspectorRegistry
