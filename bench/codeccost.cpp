// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// qgb_bench --codec: the host's share of W6, without processes. W6's list of
// 10k BenchItem gadgets (0.61 MB of JSON) written as a call argument and read
// as a result, three ways, in this one thread:
//   typed     what QGbPool::call() does: the gadgets written as JSON text, the
//             result's text read straight into QList<BenchItem>; the read
//             includes the frame reader finding where the value ends;
//   tree      the general way: QGb::toWire() to a QVariantList of
//             QVariantMaps, the codec's writer; the frame reader's parse and
//             QGb::fromWire();
//   qjson     what the bridge does: QJsonObjects and QJsonDocument.
// And the same gadgets read as a stream's items (QGbPool::stream<BenchItem>()),
// in chunk messages of 256 items, into the stream's sink (typed: from each
// chunk's text; tree: parsed, then converted item by item), or with
// QJsonDocument.
// The figures are the median of the repetitions, each the best of 5 runs
// (the least disturbed by other processes): a time per trip, in ms.

#include "benchsupport.h"
#include "workloads.h"

#include "impl/qgbjson_impl.h"
#include "impl/qgbpool_impl.h"
#include "qgbwire_p.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qendian.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>

#include <cstdio>
#include <stdexcept>

namespace Bench {

namespace {

    template<typename F>
    double bestOf5(F f)
    {
        double best = 1e300;
        for (int i = 0; i < 5; ++i) {
            QElapsedTimer timer;
            timer.start();
            f();
            best = std::min(best, double(timer.nsecsElapsed()) / 1e6);
        }
        return best;
    }

    void check(bool ok, const char *what)
    {
        if (!ok)
            throw std::runtime_error(what);
    }

    QByteArray resultFrame(const QByteArray &valueText)
    {
        const QByteArray json = "{\"type\":\"result\",\"id\":7,\"value\":" + valueText + '}';
        QByteArray frame;
        QGbWire::appendFrame(&frame, json.constData(), json.size());
        return frame;
    }

    constexpr qsizetype ItemsPerChunk = 256;

    // The items as a worker streams them: chunk frames of ItemsPerChunk.
    QByteArray chunkFrames(const QList<BenchItem> &items)
    {
        QByteArray frames;
        for (qsizetype i = 0; i < items.size(); i += ItemsPerChunk) {
            QGbPrivate::JsonWriter writer;
            check(QGbPrivate::writeTypedJson(writer, items.mid(i, ItemsPerChunk)), "chunk");
            const QByteArray json = "{\"type\":\"chunk\",\"id\":7,\"items\":" + writer.text + '}';
            QGbWire::appendFrame(&frames, json.constData(), json.size());
        }
        return frames;
    }

    // Reads every chunk of frames into a stream's sink, as the pool does.
    qsizetype readChunks(const QByteArray &frames, bool lazy)
    {
        QGbWire::FrameReader reader;
        reader.setLazyChunkItems(lazy);
        reader.append(frames);
        QGbPrivate::TypedSink<BenchItem> sink;
        QGbWire::Message message;
        QGbError error;
        while (reader.next(&message, &error) == QGbWire::FrameReader::Ready) {
            check(message.hasRawValue() == lazy, "lazy items");
            qsizetype count = 0;
            if (lazy) {
                check(sink.deliverItemsJson(message.rawValueBegin, message.rawValueEnd, &count),
                      "typed items");
            } else {
                QVariantList items;
                check(QGbWire::readChunk(message, &items, &error)
                              && sink.deliverItems(items, &error),
                      "tree items");
            }
        }
        sink.deliverFinished();
        return sink.future().resultCount();
    }

    // The frame reader a call connection has, on a result frame. A raw value
    // points into the reader's buffer: the reader must outlive the message.
    QGbWire::Message readFrame(QGbWire::FrameReader *reader, const QByteArray &frame, bool lazy)
    {
        reader->setLazyResultValue(lazy);
        reader->append(frame);
        QGbWire::Message message;
        QGbError error;
        check(reader->next(&message, &error) == QGbWire::FrameReader::Ready, "frame");
        check(message.hasRawValue() == lazy, "lazy value");
        return message;
    }

} // namespace

int runCodecCost(const Config &config)
{
    const QList<BenchItem> items = makeItems(config.w6Dicts);
    QByteArray text;
    {
        QGbPrivate::JsonWriter writer;
        check(QGbPrivate::writeTypedJson(writer, items), "typed write");
        text = writer.text;
    }
    const QByteArray frame = resultFrame(text);
    const QByteArray chunks = chunkFrames(items);
    std::printf("W6's argument and result: %lld gadgets, %lld bytes of JSON; ms per trip, "
                "median of %d repetitions of the best of 5\n\n",
                qint64(items.size()), qint64(text.size()), config.repeats);

    QList<double> write[3], read[3], stream[3];
    for (int r = 0; r < config.repeats; ++r) {
        write[0].append(bestOf5([&] {
            QGbPrivate::JsonWriter writer;
            check(QGbPrivate::writeTypedJson(writer, items) && writer.text.size() == text.size(),
                  "typed write");
        }));
        write[1].append(bestOf5([&] {
            QVariant wire;
            QGbError error;
            QByteArray out;
            QList<QByteArray> attachments;
            check(QGb::toWire(items, &wire, &error, QGbPath())
                          && QGbWire::writeValue(&out, wire, &attachments, &error, QGbPath())
                          && out == text,
                  "tree write");
        }));
        write[2].append(bestOf5([&] {
            QJsonArray array;
            for (const BenchItem &item : items)
                array.append(item.toJson());
            check(!QJsonDocument(array).toJson(QJsonDocument::Compact).isEmpty(), "qjson write");
        }));
        read[0].append(bestOf5([&] {
            QGbWire::FrameReader reader;
            const QGbWire::Message message = readFrame(&reader, frame, true);
            QList<BenchItem> back;
            check(QGbPrivate::readJson(message.rawValueBegin, message.rawValueEnd, &back,
                                       [](QGbPrivate::JsonReader &reader, void *out) {
                                           return QGbPrivate::readTypedJson(
                                                   reader, static_cast<QList<BenchItem> *>(out));
                                       })
                          && back.size() == items.size(),
                  "typed read");
        }));
        read[1].append(bestOf5([&] {
            QGbWire::FrameReader reader;
            const QGbWire::Message message = readFrame(&reader, frame, false);
            QList<BenchItem> back;
            QGbError error;
            check(QGb::fromWire(message.fields.value(QStringLiteral("value")), &back, &error,
                                QGbPath())
                          && back.size() == items.size(),
                  "tree read");
        }));
        read[2].append(bestOf5([&] {
            const QJsonObject message = QJsonDocument::fromJson(frame.mid(4)).object();
            QList<BenchItem> back;
            for (const QJsonValue &value : message.value(u"value").toArray())
                back.append(BenchItem::fromJson(value.toObject()));
            check(back.size() == items.size(), "qjson read");
        }));
        stream[0].append(
                bestOf5([&] { check(readChunks(chunks, true) == items.size(), "typed"); }));
        stream[1].append(
                bestOf5([&] { check(readChunks(chunks, false) == items.size(), "tree"); }));
        stream[2].append(bestOf5([&] {
            QList<BenchItem> back;
            for (qsizetype at = 0; at < chunks.size();) {
                const qsizetype size = qFromBigEndian<quint32>(chunks.constData() + at);
                const QJsonObject message =
                        QJsonDocument::fromJson(chunks.mid(at + 4, size)).object();
                for (const QJsonValue &value : message.value(u"items").toArray())
                    back.append(BenchItem::fromJson(value.toObject()));
                at += 4 + size;
            }
            check(back.size() == items.size(), "qjson items");
        }));
    }

    std::printf("%-22s | %9s | %9s | %9s | %s\n", "", "typed", "tree", "qjson",
                "typed / tree; / qjson");
    const auto row = [](const char *name, QList<double> *v) {
        const double typed = median(v[0]), tree = median(v[1]), qjson = median(v[2]);
        std::printf("%-22s | %6.2f ms | %6.2f ms | %6.2f ms | %.2fx; %.2fx\n", name, typed, tree,
                    qjson, typed / tree, typed / qjson);
    };
    row("write the argument", write);
    row("read the result", read);
    QList<double> both[3];
    for (int i = 0; i < 3; ++i) {
        for (int r = 0; r < write[i].size(); ++r)
            both[i].append(write[i].at(r) + read[i].at(r));
    }
    row("both", both);
    row("read as stream items", stream);
    return 0;
}

} // namespace Bench
