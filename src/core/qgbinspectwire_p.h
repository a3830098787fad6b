// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBINSPECTWIRE_P_H
#define QGBINSPECTWIRE_P_H

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

#include "qgbglobal.h"
#include "qgbinspectmessage_p.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qstring.h>

// The inspector's side channel (docs/inspector.md): JSON Lines over a Unix
// domain socket. What both ends share: the protocol version, the limits and
// the line decoder. The pool writes events; the inspector writes only its hello.
namespace QGbInspect {

// The side-channel protocol's version: the first field of both hellos.
constexpr int ProtocolVersion = 1;
// The longest line the pool writes (an inspector refuses longer ones).
constexpr qsizetype MaxPoolLine = 64 * 1024;
// The longest line an inspector may write (the pool closes the connection).
constexpr qsizetype MaxInspectorLine = 4096;

// Splits a byte stream into JSON Lines, each a JSON object with a string
// "type". Bytes may arrive in pieces of any size. After an error the decoder
// stays failed: the connection is to be closed.
class QGB_EXPORT LineDecoder
{
public:
    enum Status { NeedMore, Ready, Error };

    explicit LineDecoder(qsizetype maxLine);

    void append(const char *data, qsizetype size);
    void append(const QByteArray &data) { append(data.constData(), data.size()); }

    // Ready: *out holds the next message (a JSON object with a non-empty
    // string "type"; its values decoded when asked for). NeedMore: append
    // more bytes. Error: *error says why.
    Status next(Message *out, QString *error);

    qsizetype bufferedBytes() const { return m_buffer.size() - m_pos; }
    bool hasError() const { return m_failed; }

private:
    Status fail(const QString &why, QString *error);
    Status nextLine(QByteArray *line, QString *error);

    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qsizetype m_scanned = 0; // bytes after m_pos known to hold no newline
    qsizetype m_maxLine;
    bool m_failed = false;
    QString m_error;
};

// The directory of the per-user registry of inspectable pools:
// $XDG_RUNTIME_DIR/qgobridge, else /tmp/qgobridge-<uid>. Not created.
QGB_EXPORT QString registryDirectory();

// Creates the registry directory if needed (mode 0700) and checks that it is
// a directory of this user's that nobody else may enter. Returns its path, or
// an empty string with *error set.
QGB_EXPORT QString ensureRegistryDirectory(QString *error);

// Whether the peer of the connected Unix domain socket descriptor runs as
// this process's user (SO_PEERCRED, getpeereid). *peerUid is set when known.
QGB_EXPORT bool peerIsSameUser(qintptr descriptor, qint64 *peerUid);

// Whether a process with this pid exists (a registry entry's owner).
QGB_EXPORT bool processExists(qint64 pid);

} // namespace QGbInspect

#endif // QGBINSPECTWIRE_P_H
