// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBJSON_P_H
#define QGBJSON_P_H

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

#include "qgbconvert.h"
#include "qgberror.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qstring.h>
#include <QtCore/qvariant.h>

#include <memory>

// The wire protocol's JSON codec (docs/protocol.md, section 3): canonical wire
// QVariants (see QGb::toWire()) to and from JSON text.
namespace QGbWire {

constexpr int MaxDepth = 512;

// Stands for {"$bytes": index} while the message's attachment frames have
// not arrived yet (ParseContext::deferAttachments); resolveAttachments()
// replaces it by the attachment's QByteArray.
struct AttachmentRef
{
    qint64 index = 0;
    friend bool operator==(AttachmentRef a, AttachmentRef b) { return a.index == b.index; }
    friend bool operator!=(AttachmentRef a, AttachmentRef b) { return a.index != b.index; }
};

// A value already written as the wire's JSON text (a call argument the
// caller's thread wrote, see QGbPrivate::JsonWriter): writeValue() copies
// the text as it is. It never holds a {"$bytes": i} marker.
struct EncodedJson
{
    QByteArray text;
    friend bool operator==(const EncodedJson &a, const EncodedJson &b) { return a.text == b.text; }
    friend bool operator!=(const EncodedJson &a, const EncodedJson &b) { return a.text != b.text; }
};

// Map keys repeat from one object to the next (a list of records): short ASCII
// keys are turned into QStrings once and shared afterwards. The table is
// allocated by the first key it keeps: a context that parses no object (an
// integer result) costs no more than a pointer.
class QGB_EXPORT KeyCache
{
public:
    QString intern(const char *key, qsizetype size);

private:
    static constexpr int Size = 64; // a power of two
    static constexpr int MaxKeySize = 32;
    struct Entry
    {
        QString string;
        qsizetype size = -1;
        char bytes[MaxKeySize];
    };
    std::unique_ptr<Entry[]> m_entries;
};

struct ParseContext
{
    // {"$bytes": i} resolves against these; none when null.
    const QList<QByteArray> *attachments = nullptr;
    // Leave AttachmentRef placeholders instead, counted in deferredAttachments.
    bool deferAttachments = false;
    // Start of the frame: error positions are byte offsets from it (default: begin).
    const char *origin = nullptr;
    // Path of the parsed value, for TypeMismatch errors (default: empty).
    const QGbPath *root = nullptr;
    // Out: the number of placeholders left by deferAttachments.
    qsizetype deferredAttachments = 0;
    // parseMessage(): leave the "value" of a "result" message, and the
    // "items" of a "chunk" message, without attachments, unparsed (see
    // Message::rawValueBegin).
    bool lazyResultValue = false;
    bool lazyChunkItems = false;
    // Out: the text left unparsed by them, null when none, and the field it
    // is the value of.
    const char *rawValueBegin = nullptr;
    const char *rawValueEnd = nullptr;
    QLatin1String rawKey;
    KeyCache keys;
    // Intern keys here instead of in keys: the parse of a raw value
    // borrows the cache of the reader that left it (Message::rawKeys).
    KeyCache *sharedKeys = nullptr;
    KeyCache &keyCache() { return sharedKeys ? *sharedKeys : keys; }
};

// Parses exactly one JSON value in [begin, end) (surrounded by optional
// whitespace) into a canonical wire value. Invalid JSON or UTF-8, trailing
// garbage, nesting deeper than MaxDepth, bad markers: ProtocolError with a
// position. Integers beyond 64 bits and numbers beyond the double range:
// TypeMismatch naming the path.
QGB_EXPORT bool parseValue(const char *begin, const char *end, QVariant *out, ParseContext &ctx,
                           QGbError *error);

// Replaces AttachmentRef placeholders in *value by attachments[index];
// an index out of range is a ProtocolError.
QGB_EXPORT bool resolveAttachments(QVariant *value, const QList<QByteArray> &attachments,
                                   QGbError *error);

struct Message
{
    QByteArray type;    // the "type" field
    qint64 id = 0;      // the "id" field, 0 when absent
    QVariantMap fields; // every field of the envelope (type and id too), attachments resolved
    // With ParseContext::lazyResultValue or lazyChunkItems, the JSON text of
    // a result's "value" or a chunk's "items" (rawKey says which), not yet parsed nor checked
    // (fields holds an invalid QVariant under that key meanwhile). It points
    // into the frame: valid until the FrameReader reads on.
    // materializeValue() parses it into fields.
    const char *rawValueBegin = nullptr;
    const char *rawValueEnd = nullptr;
    QLatin1String rawKey;
    const char *rawOrigin = nullptr; // the frame's start, for error positions
    KeyCache *rawKeys = nullptr;     // the parsing context's key cache, as long-lived

    bool hasRawValue() const { return rawValueBegin != nullptr; }
};

// Parses a message's JSON object. The "type" field must be a string and
// "id", when present, an integer. $bytes markers follow ctx.
QGB_EXPORT bool parseMessage(const char *begin, const char *end, Message *out, ParseContext &ctx,
                             QGbError *error);

// Parses message's raw "value" (or "items") as parseMessage() would have
// parsed it in place: the same checks, the same errors. The message must
// have one.
QGB_EXPORT bool parseRawValue(const Message &message, QVariant *out, QGbError *error);
// Parses message's raw "value" or "items" (if it has one) into its fields.
QGB_EXPORT bool materializeValue(Message *message, QGbError *error);

// Appends compact JSON for a canonical value. QByteArray values are appended
// to *attachments and written as {"$bytes": i}; null attachments refuse them.
// On failure (TypeMismatch naming the path) *out and *attachments are left
// as they were.
QGB_EXPORT bool writeValue(QByteArray *out, const QVariant &canonical,
                           QList<QByteArray> *attachments, QGbError *error, const QGbPath &path);

// Appends a number as the codec writes it: a double always with a '.' or
// an exponent (Python reads "1" as an int), the shortest form that reads back.
void writeDouble(QByteArray *out, double d);
void writeInteger(QByteArray *out, qint64 v);

// Appends s as a JSON string literal (quotes included), UTF-8 encoded.
// Returns false, with out as it was, if s holds an unpaired surrogate,
// which UTF-8 cannot carry; *badIndex (if given) is its position in s.
[[nodiscard]] QGB_EXPORT bool writeString(QByteArray *out, QStringView s,
                                          qsizetype *badIndex = nullptr);

// Replaces the first count AttachmentRef placeholders found in the values of
// *map by their attachments (a message's fields, once its frames arrived).
QGB_EXPORT bool resolveAttachmentsInMap(QVariantMap *map, const QList<QByteArray> &attachments,
                                        qsizetype count, QGbError *error);

// A ProtocolError with message.
QGbError protocolError(const QString &message);

} // namespace QGbWire

Q_DECLARE_METATYPE(QGbWire::AttachmentRef)
Q_DECLARE_METATYPE(QGbWire::EncodedJson)

#endif // QGBJSON_P_H
