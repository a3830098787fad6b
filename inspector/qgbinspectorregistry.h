// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBINSPECTORREGISTRY_H
#define QGBINSPECTORREGISTRY_H

#include <QtCore/qdatetime.h>
#include <QtCore/qlist.h>
#include <QtCore/qstring.h>

// One inspectable pool, as its registry entry (<pid>-<n>.json) describes it.
struct QGbInspectorPoolEntry
{
    qint64 pid = 0;
    QString app;
    QString script;
    int workers = 0;
    int protocol = 0;
    QString library;
    QDateTime startedAt;
    QString socketPath;
    QString entryPath;
};

// The per-user registry of inspectable pools.
namespace QGbInspectorRegistry {

// The directory the pools register in.
QString directory();

// The pools registered, oldest first. Entries of processes that no longer
// exist are removed (their .json and .sock) when removeDead is true.
QList<QGbInspectorPoolEntry> pools(bool removeDead = true);

// The pool that pid or name (a pid, an application name or a script's file
// name) designates; *error says why there is none, or that several match.
bool find(const QString &pidOrName, QGbInspectorPoolEntry *entry, QString *error);

} // namespace QGbInspectorRegistry

#endif // QGBINSPECTORREGISTRY_H
