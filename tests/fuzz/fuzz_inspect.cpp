// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// libFuzzer target for the inspector side channel's codec (QGbInspect,
// docs/inspector.md): the JSON Lines decoder both ends use, and the pool's
// event encoder. Built by tests/fuzz/CMakeLists.txt; run by scripts/fuzz.sh.
//
// The first input byte chooses:
//  - even: the rest is a byte stream as a pool or an inspector could send it.
//    Nothing crashes, leaks or trips a sanitizer; the decoder gives the same
//    messages and the same final status whatever pieces the bytes arrive in
//    (the split sizes come from the input); a Ready message is a JSON object
//    with a non-empty string "type"; after an Error it stays failed; it never
//    buffers more than its line limit plus what one append added. Each line
//    is also read as a QGbInspect::Message (the inspector's reader): it takes
//    only lines QJsonDocument reads as an object (QJsonDocument also takes
//    some that are not JSON: unknown escapes, raw tabs), and gives the same
//    value for each key; the encoder's lines it takes all.
//  - odd: the rest fills the fields of a recorder event (QGbInspectEvent):
//    its encoding is one line that the decoder reads back as an object with
//    the expected "type" and "seq" — whatever the preview, text and bytes hold.

#include "qgbflightrecorder_p.h"
#include "qgbinspectmessage_p.h"
#include "qgbinspectwire_p.h"

#include <QtCore/qbytearray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qlist.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr qsizetype MaxLine = 256;

[[noreturn]] void failure(const char *what, const QByteArray &detail = QByteArray())
{
    std::fprintf(stderr, "fuzz_inspect: invariant violated: %s\n", what);
    if (!detail.isEmpty())
        std::fprintf(stderr, "  %s\n", detail.constData());
    std::abort();
}

#define FUZZ_CHECK(cond, detail) \
    do { \
        if (!(cond)) \
            failure(#cond, detail); \
    } while (false)

struct Outcome
{
    QList<QByteArray> lines;
    bool failed = false;
};

Outcome decode(const QByteArray &data, const QList<qsizetype> &splits)
{
    QGbInspect::LineDecoder decoder(MaxLine);
    Outcome outcome;
    qsizetype pos = 0;
    qsizetype split = 0;
    while (pos < data.size() && !outcome.failed) {
        qsizetype size = splits.isEmpty() ? data.size() : splits.at(split++ % splits.size());
        size = std::min(std::max<qsizetype>(size, 1), data.size() - pos);
        decoder.append(data.constData() + pos, size);
        pos += size;
        for (;;) {
            QGbInspect::Message message;
            QString error;
            const auto status = decoder.next(&message, &error);
            if (status == QGbInspect::LineDecoder::NeedMore)
                break;
            if (status == QGbInspect::LineDecoder::Error) {
                FUZZ_CHECK(!error.isEmpty(), QByteArray());
                FUZZ_CHECK(decoder.hasError(), QByteArray());
                QGbInspect::Message again;
                FUZZ_CHECK(decoder.next(&again, &error) == QGbInspect::LineDecoder::Error,
                           QByteArray());
                outcome.failed = true;
                break;
            }
            const QByteArray line = message.line();
            const QJsonValue type = message.value(QLatin1String("type"));
            FUZZ_CHECK(type.isString() && !type.toString().isEmpty(), line);
            FUZZ_CHECK(message.type() == type.toString(), line);
            FUZZ_CHECK(!line.contains('\n'), line);
            FUZZ_CHECK(line.size() <= MaxLine, line);
            outcome.lines.append(line);
        }
        FUZZ_CHECK(outcome.failed || decoder.bufferedBytes() <= MaxLine + size, QByteArray());
    }
    return outcome;
}

// The Message reader against QJsonDocument, line by line.
void compareReaders(const QByteArray &bytes)
{
    for (const QByteArray &line : bytes.split('\n')) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        const bool isObject = parseError.error == QJsonParseError::NoError && document.isObject();
        QGbInspect::Message message;
        QString error;
        const bool read = QGbInspect::Message::parse(line, &message, &error);
        // Stricter than QJsonDocument (RFC 8259: no unknown escape, no raw
        // control character), never more lenient.
        FUZZ_CHECK(!read || isObject, line + " / " + parseError.errorString().toUtf8());
        if (!read) {
            FUZZ_CHECK(!error.isEmpty(), line);
            continue;
        }
        FUZZ_CHECK(message.line() == line, line);
        const QJsonObject object = document.object();
        for (const QString &key : message.keys()) {
            FUZZ_CHECK(object.contains(key), line);
            FUZZ_CHECK(message.value(key) == object.value(key), line + " / " + key.toUtf8());
        }
        FUZZ_CHECK(message.toObject() == object, line);
        FUZZ_CHECK(message.type() == object.value(QLatin1String("type")).toString(), line);
        for (auto it = object.begin(); it != object.end(); ++it)
            FUZZ_CHECK(message.contains(it.key()), line);
    }
}

void fuzzDecoder(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    compareReaders(bytes);
    const Outcome whole = decode(bytes, {});
    QList<qsizetype> splits;
    for (size_t i = 0; i < std::min<size_t>(size, 8); ++i)
        splits.append(qsizetype(data[i] % 17) + 1);
    const Outcome pieces = decode(bytes, splits);
    FUZZ_CHECK(whole.failed == pieces.failed, bytes.left(200));
    FUZZ_CHECK(whole.lines == pieces.lines, bytes.left(200));
}

// Takes bytes from the input as it goes; zeros once it is used up.
struct Reader
{
    const uint8_t *data;
    size_t size;
    size_t pos = 0;
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    qint64 integer()
    {
        quint64 v = 0;
        for (int i = 0; i < 8; ++i)
            v = (v << 8) | byte();
        return qint64(v);
    }
    QByteArray bytes(qsizetype max)
    {
        const qsizetype n =
                std::min<qsizetype>(byte() % (max + 1), qsizetype(size - std::min(pos, size)));
        QByteArray out(reinterpret_cast<const char *>(data + pos), n);
        pos += size_t(n);
        return out;
    }
};

void fuzzEncoder(const uint8_t *data, size_t size)
{
    Reader in { data, size };
    QGbInspectEvent event;
    event.kind = QGbInspectEvent::Kind(in.byte() % (QGbInspectEvent::Stall + 1));
    event.sub = in.byte();
    event.time = in.integer();
    event.worker = qint32(in.integer());
    event.connection = in.integer();
    event.callId = in.integer();
    event.a = in.integer();
    event.b = in.integer() % 64;
    event.c = in.integer();
    event.d = qint64(in.byte()) - 1;
    for (qint32 &s : event.attachmentSizes)
        s = qint32(in.integer());
    const QByteArray preview = in.bytes(QGbInspectEvent::PreviewBytes);
    event.previewSize = quint8(preview.size());
    memcpy(event.preview, preview.constData(), size_t(preview.size()));
    event.text = QString::fromUtf8(in.bytes(100));
    event.bytes = in.bytes(200);
    const qint64 seq = in.integer() & 0x7fffffffffff;

    QByteArray line;
    event.encode(&line, seq);
    FUZZ_CHECK(line.endsWith('\n'), line);
    FUZZ_CHECK(line.count('\n') == 1, line);
    FUZZ_CHECK(line.startsWith("{\"type\":\""), line);
    QGbInspect::LineDecoder decoder(QGbInspect::MaxPoolLine);
    decoder.append(line);
    QGbInspect::Message message;
    QString error;
    FUZZ_CHECK(decoder.next(&message, &error) == QGbInspect::LineDecoder::Ready,
               line + error.toUtf8());
    compareReaders(line.chopped(1));
    FUZZ_CHECK(message.value(QLatin1String("seq")).toInteger() == seq, line);
    static const char *const types[] = { "worker",     "output", "heartbeat", "connection",
                                         "connection", "frame",  "frame",     "call",
                                         "call",       "stall" };
    FUZZ_CHECK(message.value(QLatin1String("type")).toString() == QLatin1String(types[event.kind]),
               line);
    if (event.kind == QGbInspectEvent::FrameSent || event.kind == QGbInspectEvent::FrameReceived)
        FUZZ_CHECK(message.value(QLatin1String("preview")).toString().size() == preview.size(),
                   line);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        fuzzDecoder(data + 1, size - 1);
    else
        fuzzEncoder(data + 1, size - 1);
    return 0;
}
