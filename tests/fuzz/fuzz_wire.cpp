// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// libFuzzer target for the host's frame decoder and JSON message parser
// (QGbWire, docs/protocol.md sections 2 and 3). Built by tests/fuzz/CMakeLists.txt
// with clang's -fsanitize=fuzzer,address,undefined; run by scripts/fuzz.sh.
//
// The input is a byte stream as a worker could send it. Invariants checked:
//  - nothing crashes, leaks or trips a sanitizer;
//  - FrameReader gives the same messages and the same final status whatever
//    pieces the bytes arrive in (the split sizes are derived from the input);
//  - a Ready message has a string "type" equal to Message::type, an integer
//    "id" equal to Message::id (or none and id 0), and no attachment
//    placeholders left; a failure has an error code and a message, and the
//    reader stays failed;
//  - whatever parseValue accepts is a canonical value that writeValue
//    re-encodes and parseValue parses back to a strictly equal value (same
//    types, not just QVariant's numeric equality); the same for the fields of
//    every message the reader returns;
//  - parsing with deferred attachments and resolving them afterwards gives
//    what parsing with the attachments at hand gives.
//
// Regressions: every file under tests/fuzz/regressions/ is replayed by
// passing it (or the directory) on the command line, see scripts/fuzz.sh.

#include "impl/qgbjson_impl.h"
#include "qgbconvert.h"
#include "qgberror.h"
#include "qgbwire_p.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qvariant.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr quint32 MaxFrame = 4096;

[[noreturn]] void failure(const char *what, const QByteArray &detail = QByteArray())
{
    std::fprintf(stderr, "fuzz_wire: invariant violated: %s\n", what);
    if (!detail.isEmpty())
        std::fprintf(stderr, "  %s\n", detail.constData());
    std::abort();
}

#define FUZZ_CHECK(cond, detail) \
    do { \
        if (!(cond)) \
            failure(#cond, detail); \
    } while (false)

QByteArray describe(const QGbError &error)
{
    return (QGbError::codeName(error.code()) + QStringLiteral(": ") + error.errorString()).toUtf8();
}

// Equal values of equal types, recursively. QVariant's operator== compares
// numbers across types (1 == 1.0), which would hide an int that came back as
// a double.
bool strictEqual(const QVariant &a, const QVariant &b)
{
    if (a.metaType() != b.metaType())
        return false;
    switch (a.typeId()) {
    case QMetaType::Nullptr:
        return true;
    case QMetaType::Bool:
        return a.toBool() == b.toBool();
    case QMetaType::LongLong:
        return a.toLongLong() == b.toLongLong();
    case QMetaType::Double: {
        const double x = a.toDouble();
        const double y = b.toDouble();
        return std::memcmp(&x, &y, sizeof x) == 0 || x == y;
    }
    case QMetaType::QString:
        return a.toString() == b.toString();
    case QMetaType::QByteArray:
        return a.toByteArray() == b.toByteArray();
    case QMetaType::QVariantList: {
        const QVariantList &x = *static_cast<const QVariantList *>(a.constData());
        const QVariantList &y = *static_cast<const QVariantList *>(b.constData());
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!strictEqual(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    case QMetaType::QVariantMap: {
        const QVariantMap &x = *static_cast<const QVariantMap *>(a.constData());
        const QVariantMap &y = *static_cast<const QVariantMap *>(b.constData());
        if (x.size() != y.size())
            return false;
        for (auto i = x.cbegin(), j = y.cbegin(); i != x.cend(); ++i, ++j) {
            if (i.key() != j.key() || !strictEqual(i.value(), j.value()))
                return false;
        }
        return true;
    }
    default:
        if (a.metaType() == QMetaType::fromType<QGbWire::AttachmentRef>())
            return a.value<QGbWire::AttachmentRef>() == b.value<QGbWire::AttachmentRef>();
        return false; // not a wire type at all
    }
}

bool containsPlaceholder(const QVariant &v)
{
    if (v.metaType() == QMetaType::fromType<QGbWire::AttachmentRef>())
        return true;
    if (v.typeId() == QMetaType::QVariantList) {
        for (const QVariant &item : *static_cast<const QVariantList *>(v.constData())) {
            if (containsPlaceholder(item))
                return true;
        }
    } else if (v.typeId() == QMetaType::QVariantMap) {
        for (const QVariant &item : *static_cast<const QVariantMap *>(v.constData())) {
            if (containsPlaceholder(item))
                return true;
        }
    }
    return false;
}

void checkError(const QGbError &error, bool frameTooLargeAllowed)
{
    const QGbError::Code code = error.code();
    FUZZ_CHECK(code == QGbError::ProtocolError || code == QGbError::TypeMismatch
                       || (frameTooLargeAllowed && code == QGbError::FrameTooLarge),
               describe(error));
    FUZZ_CHECK(!error.errorString().isEmpty(), describe(error));
}

// writeValue -> parseValue gives the same value back.
void checkRoundTrip(const QVariant &value)
{
    FUZZ_CHECK(QGb::Private::isCanonicalWithin(value, QGbWire::MaxDepth),
               QByteArray(value.typeName()));
    QByteArray json;
    QList<QByteArray> attachments;
    QGbError error;
    FUZZ_CHECK(QGbWire::writeValue(&json, value, &attachments, &error, QGbPath("value")),
               describe(error));
    QGbWire::ParseContext ctx;
    ctx.attachments = &attachments;
    QVariant again;
    FUZZ_CHECK(QGbWire::parseValue(json.constData(), json.constData() + json.size(), &again, ctx,
                                   &error),
               describe(error) + " in " + json.left(512));
    FUZZ_CHECK(strictEqual(value, again), json.left(512));
    // Writing is deterministic: the re-parsed value writes the same text.
    QByteArray json2;
    QList<QByteArray> attachments2;
    FUZZ_CHECK(QGbWire::writeValue(&json2, again, &attachments2, &error, QGbPath("value")),
               describe(error));
    FUZZ_CHECK(json == json2 && attachments == attachments2, json.left(512));
}

const QList<QByteArray> &sampleAttachments()
{
    static const QList<QByteArray> atts { QByteArray("\x00\x01\xff", 3), QByteArray() };
    return atts;
}

void fuzzParseValue(const char *begin, const char *end)
{
    QGbWire::ParseContext ctx;
    ctx.attachments = &sampleAttachments();
    QVariant value;
    QGbError error;
    const bool ok = QGbWire::parseValue(begin, end, &value, ctx, &error);
    if (!ok) {
        checkError(error, false);
    } else {
        checkRoundTrip(value);
    }

    // Deferred attachments, resolved afterwards, agree with direct parsing.
    QGbWire::ParseContext deferCtx;
    deferCtx.deferAttachments = true;
    QVariant deferred;
    QGbError deferError;
    const bool deferOk = QGbWire::parseValue(begin, end, &deferred, deferCtx, &deferError);
    if (!deferOk) {
        checkError(deferError, false);
        FUZZ_CHECK(!ok, "fails with deferred attachments only: " + describe(deferError));
        return;
    }
    FUZZ_CHECK(deferCtx.deferredAttachments >= 0, QByteArray());
    FUZZ_CHECK(deferCtx.deferredAttachments > 0 || !containsPlaceholder(deferred), QByteArray());
    QGbError resolveError;
    if (QGbWire::resolveAttachments(&deferred, sampleAttachments(), &resolveError)) {
        FUZZ_CHECK(!containsPlaceholder(deferred), QByteArray());
        FUZZ_CHECK(ok, "accepted only with deferred attachments");
        FUZZ_CHECK(strictEqual(value, deferred), QByteArray());
    } else {
        checkError(resolveError, false);
        FUZZ_CHECK(!ok, "resolving fails: " + describe(resolveError));
    }
}

void checkMessage(const QGbWire::Message &msg)
{
    const QVariant type = msg.fields.value(QStringLiteral("type"));
    FUZZ_CHECK(type.typeId() == QMetaType::QString, QByteArray(type.typeName()));
    FUZZ_CHECK(type.toString().toUtf8() == msg.type, msg.type);
    const auto id = msg.fields.constFind(QStringLiteral("id"));
    if (id == msg.fields.cend()) {
        FUZZ_CHECK(msg.id == 0, QByteArray::number(msg.id));
    } else {
        FUZZ_CHECK(id->typeId() == QMetaType::LongLong, QByteArray(id->typeName()));
        FUZZ_CHECK(id->toLongLong() == msg.id, QByteArray::number(msg.id));
    }
}

void fuzzParseMessage(const char *begin, const char *end)
{
    QGbWire::ParseContext ctx;
    ctx.attachments = &sampleAttachments();
    QGbWire::Message msg;
    QGbError error;
    if (QGbWire::parseMessage(begin, end, &msg, ctx, &error)) {
        checkMessage(msg);
        FUZZ_CHECK(!containsPlaceholder(msg.fields), QByteArray());
        checkRoundTrip(msg.fields);
    } else {
        checkError(error, false);
    }
}

// A record read with the typed reader (impl/qgbjson_impl.h).
struct FuzzItem
{
    Q_GADGET
    Q_PROPERTY(qint64 id MEMBER id)
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(double score MEMBER score)
    Q_PROPERTY(bool flag MEMBER flag)
    Q_PROPERTY(QList<int> list MEMBER list)
public:
    qint64 id = 0;
    QString name;
    double score = 0;
    bool flag = false;
    QList<int> list;
    bool operator==(const FuzzItem &o) const
    {
        return id == o.id && name == o.name && std::memcmp(&score, &o.score, sizeof score) == 0
                && flag == o.flag && list == o.list;
    }
};

// The typed reader takes a result's text only if the general way (parse,
// then QGb::fromWire()) takes it too, and then gives the same value.
template<typename T>
void checkTypedRead(const QGbWire::Message &message)
{
    T typed {};
    const bool typedOk =
            QGbPrivate::readJson(message.rawValueBegin, message.rawValueEnd, &typed,
                                 [](QGbPrivate::JsonReader &r, void *out) {
                                     return QGbPrivate::readTypedJson(r, static_cast<T *>(out));
                                 });
    if (!typedOk)
        return;
    QVariant wire;
    QGbError error;
    FUZZ_CHECK(QGbWire::parseRawValue(message, &wire, &error), describe(error));
    T general {};
    FUZZ_CHECK(QGb::fromWire(wire, &general, &error, QGbPath("result")), describe(error));
    FUZZ_CHECK(typed == general,
               QByteArray(message.rawValueBegin, message.rawValueEnd - message.rawValueBegin));
}

// A frame reader that leaves results' values and chunks' items unparsed ends,
// once they are parsed, in the same fields or the same error as one that
// parses them at once; a typed read of them gives what the general way gives.
void fuzzLazyValue(const char *begin, const char *end)
{
    if (end - begin > qsizetype(MaxFrame))
        return;
    QByteArray frame;
    QGbWire::appendFrame(&frame, begin, end - begin);
    QGbWire::Message eager;
    QGbError eagerError;
    QGbWire::FrameReader eagerReader(MaxFrame);
    eagerReader.append(frame);
    const auto eagerStatus = eagerReader.next(&eager, &eagerError);

    QGbWire::Message lazy;
    QGbError lazyError;
    QGbWire::FrameReader lazyReader(MaxFrame);
    lazyReader.setLazyResultValue(true);
    lazyReader.setLazyChunkItems(true);
    lazyReader.append(frame);
    auto lazyStatus = lazyReader.next(&lazy, &lazyError);
    if (lazyStatus == QGbWire::FrameReader::Ready && lazy.hasRawValue()) {
        checkTypedRead<QList<FuzzItem>>(lazy);
        checkTypedRead<QList<QList<qint64>>>(lazy);
        checkTypedRead<QStringList>(lazy);
        checkTypedRead<FuzzItem>(lazy);
        if (!QGbWire::materializeValue(&lazy, &lazyError))
            lazyStatus = QGbWire::FrameReader::Error;
    }
    FUZZ_CHECK(eagerStatus == lazyStatus, describe(eagerError) + " vs " + describe(lazyError));
    FUZZ_CHECK(eagerError.code() == lazyError.code()
                       && eagerError.errorString() == lazyError.errorString(),
               describe(eagerError) + " vs " + describe(lazyError));
    if (eagerStatus == QGbWire::FrameReader::Ready) {
        FUZZ_CHECK(eager.type == lazy.type && eager.id == lazy.id, eager.type + " vs " + lazy.type);
        FUZZ_CHECK(strictEqual(eager.fields, lazy.fields), eager.type);
    }
}

// What a FrameReader made of a byte stream.
struct Outcome
{
    QList<QGbWire::Message> messages;
    QGbWire::FrameReader::Status status = QGbWire::FrameReader::NeedMore;
    QGbError error;
};

void drain(QGbWire::FrameReader *reader, Outcome *outcome)
{
    while (outcome->status != QGbWire::FrameReader::Error) {
        QGbWire::Message msg;
        QGbError error;
        const auto status = reader->next(&msg, &error);
        if (status == QGbWire::FrameReader::NeedMore)
            return;
        if (status == QGbWire::FrameReader::Error) {
            checkError(error, true);
            FUZZ_CHECK(reader->hasError(), QByteArray());
            outcome->status = status;
            outcome->error = error;
            // The reader stays failed, with the same error.
            QGbError again;
            FUZZ_CHECK(reader->next(&msg, &again) == QGbWire::FrameReader::Error, QByteArray());
            FUZZ_CHECK(again == error, describe(again) + " vs " + describe(error));
            return;
        }
        checkMessage(msg);
        FUZZ_CHECK(!containsPlaceholder(msg.fields), msg.type);
        outcome->messages.append(std::move(msg));
    }
}

void fuzzFrameReader(const char *data, size_t size)
{
    // Everything at once.
    Outcome whole;
    {
        QGbWire::FrameReader reader(MaxFrame);
        reader.append(data, qsizetype(size));
        drain(&reader, &whole);
        if (whole.status != QGbWire::FrameReader::Error)
            FUZZ_CHECK(reader.bufferedBytes() >= 0 && reader.bufferedBytes() <= qsizetype(size),
                       QByteArray::number(reader.bufferedBytes()));
    }

    // In pieces whose sizes follow from the input (FNV-1a seeded xorshift).
    quint32 seed = 2166136261u;
    for (size_t i = 0; i < size; ++i)
        seed = (seed ^ uchar(data[i])) * 16777619u;
    seed |= 1;
    Outcome split;
    {
        QGbWire::FrameReader reader(MaxFrame);
        size_t pos = 0;
        while (pos < size && split.status != QGbWire::FrameReader::Error) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            // Mostly tiny pieces, sometimes up to a few KiB.
            const size_t limit = size_t(1) << (seed % 13);
            const size_t piece = std::min(size - pos, 1 + size_t(seed >> 8) % limit);
            reader.append(data + pos, qsizetype(piece));
            pos += piece;
            drain(&reader, &split);
        }
        if (split.status != QGbWire::FrameReader::Error) {
            // Appending nothing changes nothing.
            reader.append(data, 0);
            drain(&reader, &split);
        }
    }

    FUZZ_CHECK(whole.status == split.status, QByteArray::number(int(whole.status)));
    FUZZ_CHECK(whole.error.code() == split.error.code(),
               describe(whole.error) + " vs " + describe(split.error));
    FUZZ_CHECK(whole.messages.size() == split.messages.size(),
               QByteArray::number(whole.messages.size()) + " vs "
                       + QByteArray::number(split.messages.size()));
    for (qsizetype i = 0; i < whole.messages.size(); ++i) {
        const QGbWire::Message &a = whole.messages.at(i);
        const QGbWire::Message &b = split.messages.at(i);
        FUZZ_CHECK(a.type == b.type && a.id == b.id, a.type + " vs " + b.type);
        FUZZ_CHECK(strictEqual(a.fields, b.fields), a.type);
        checkRoundTrip(a.fields);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    const char *data = reinterpret_cast<const char *>(bytes);
    fuzzFrameReader(data, size);
    // The payload of the first frame, and the input as a payload itself.
    fuzzParseValue(data, data + size);
    fuzzParseMessage(data, data + size);
    fuzzLazyValue(data, data + size);
    if (size >= 4) {
        fuzzParseValue(data + 4, data + size);
        fuzzParseMessage(data + 4, data + size);
        fuzzLazyValue(data + 4, data + size);
    }
    return 0;
}

#include "fuzz_wire.moc"
