// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The wire messages: one definition per message and side, and both sides and
// docs/protocol.md agree on which messages exist.

#include "qgbtesthelpers.h"

#include "qgbmessages_p.h"

#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qset.h>
#include <QtTest/qtest.h>

#include <functional>

using namespace Qt::StringLiterals;

namespace {

using Types = QSet<QString>;

// The message types docs/protocol.md lists, by direction.
struct DocumentedTypes
{
    Types hostToWorker;
    Types workerToHost;
};

DocumentedTypes documentedTypes()
{
    DocumentedTypes out;
    QFile file(QStringLiteral(QGB_SOURCE_DIR "/docs/protocol.md"));
    if (!file.open(QIODevice::ReadOnly))
        return out;
    const QString doc = QString::fromUtf8(file.readAll());
    const QStringList lines = doc.split(u'\n');
    const QRegularExpression typeRow(u"^\\| `([a-z_]+)` \\|"_s);
    const QRegularExpression controlRow(
            u"^\\| (host -> worker|worker -> host) \\| `([a-z_]+)` \\|"_s);
    Types *section = nullptr;
    QString chapter;
    int helloBlocks = 0;
    for (const QString &line : lines) {
        if (line.startsWith(u"## "_s)) {
            chapter = line;
            section = nullptr;
        } else if (line == u"### Host -> worker"_s) {
            section = &out.hostToWorker;
        } else if (line == u"### Worker -> host"_s) {
            section = &out.workerToHost;
        } else if (line.startsWith(u"### "_s)) {
            section = nullptr;
        }
        if (chapter.startsWith(u"## 4."_s) && line.startsWith(u"{\"type\": \"hello\""_s))
            ++helloBlocks;
        if (section) {
            const QRegularExpressionMatch m = typeRow.match(line);
            if (m.hasMatch())
                section->insert(m.captured(1));
        }
        if (chapter.startsWith(u"## 6."_s)) {
            const QRegularExpressionMatch m = controlRow.match(line);
            if (m.hasMatch()) {
                (m.captured(1) == u"host -> worker"_s ? out.hostToWorker : out.workerToHost)
                        .insert(m.captured(2));
            }
        }
    }
    // The handshake's hello goes both ways (section 4 shows both).
    if (helloBlocks >= 2) {
        out.hostToWorker.insert(u"hello"_s);
        out.workerToHost.insert(u"hello"_s);
    }
    return out;
}

QByteArray payloadOf(const QByteArray &frame)
{
    return frame.mid(4);
}

QGbWire::Message parse(const QByteArray &frames)
{
    QGbWire::FrameReader reader;
    reader.append(frames);
    QGbWire::Message message;
    QGbError error;
    if (reader.next(&message, &error) != QGbWire::FrameReader::Ready)
        qWarning() << "cannot parse" << frames << error;
    return message;
}

using Reader = std::function<bool(const QGbWire::Message &, QGbError *)>;

} // namespace

Q_DECLARE_METATYPE(Reader)

class tst_QGbMessages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void documentAndHostAgree();
    void documentAndWorkerAgree();
    void hostMessagesParse_data();
    void hostMessagesParse();
    void readersRefuseMalformed_data();
    void readersRefuseMalformed();
};

void tst_QGbMessages::documentAndHostAgree()
{
    const DocumentedTypes doc = documentedTypes();
    QVERIFY(doc.hostToWorker.contains(u"call"_s));
    QVERIFY(doc.workerToHost.contains(u"result"_s));
    Types writes, reads;
    for (const QGbWire::MessageSpec &spec : QGbWire::messageSpecs()) {
        if (spec.hostWrites)
            writes.insert(QString::fromLatin1(spec.name));
        if (spec.hostReads)
            reads.insert(QString::fromLatin1(spec.name));
    }
    QCOMPARE(writes, doc.hostToWorker);
    QCOMPARE(reads, doc.workerToHost);
}

void tst_QGbMessages::documentAndWorkerAgree()
{
    // The worker's side: python/gobridge/_messages.py has encode_<type> for
    // each message it sends and decode_<type> for each it receives.
    QString error;
    const QByteArray output = runPython(u"import json, gobridge._messages as m\n"
                                        "names = dir(m)\n"
                                        "print(json.dumps({'encode': sorted(n[7:] for n in "
                                        "names if n.startswith('encode_')), 'decode': "
                                        "sorted(n[7:] for n in names if "
                                        "n.startswith('decode_'))}))"_s,
                                        &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QJsonObject sides = QJsonDocument::fromJson(output).object();
    Types encodes, decodes;
    for (const QJsonValue &v : sides.value(u"encode"_s).toArray())
        encodes.insert(v.toString());
    for (const QJsonValue &v : sides.value(u"decode"_s).toArray())
        decodes.insert(v.toString());
    const DocumentedTypes doc = documentedTypes();
    QCOMPARE(encodes, doc.workerToHost);
    QCOMPARE(decodes, doc.hostToWorker);
}

void tst_QGbMessages::hostMessagesParse_data()
{
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("json");
    using T = QGbWire::MessageType;
    QTest::newRow("hello") << QGbWire::helloMessage("ab12", true) << int(T::Hello)
                           << u"{\"type\":\"hello\",\"version\":1,\"token\":\"ab12\","
                              "\"role\":\"control\"}"_s;
    QByteArray call;
    QGbError error;
    QVERIFY(QGbWire::appendCallMessage(&call, 7, u"add", { qint64(1), qint64(2) }, 0, 1024,
                                       QGbWire::DefaultMaxFrame, &error));
    QTest::newRow("call") << call << int(T::Call)
                          << u"{\"type\":\"call\",\"id\":7,\"method\":\"add\",\"args\":[1,2],"
                             "\"stream_out\":false,\"window\":1024}"_s;
    QTest::newRow("describe") << QGbWire::describeMessage(3) << int(T::Describe)
                              << u"{\"type\":\"describe\",\"id\":3}"_s;
    QByteArray chunk;
    QVERIFY(QGbWire::appendChunkMessage(&chunk, 2, { u"x"_s }, QGbWire::DefaultMaxFrame, &error));
    QTest::newRow("chunk") << chunk << int(T::Chunk)
                           << u"{\"type\":\"chunk\",\"id\":2,\"items\":[\"x\"]}"_s;
    QTest::newRow("end") << QGbWire::endMessage(2) << int(T::End)
                         << u"{\"type\":\"end\",\"id\":2}"_s;
    QTest::newRow("credit") << QGbWire::creditMessage(2, 512) << int(T::Credit)
                            << u"{\"type\":\"credit\",\"id\":2,\"n\":512}"_s;
    QTest::newRow("cancel") << QGbWire::cancelMessage(4) << int(T::Cancel)
                            << u"{\"type\":\"cancel\",\"id\":4}"_s;
    QTest::newRow("cancel on control") << QGbWire::cancelMessage(4, 9) << int(T::Cancel)
                                       << u"{\"type\":\"cancel\",\"id\":4,\"conn\":9}"_s;
    QTest::newRow("ping") << QGbWire::pingMessage(5) << int(T::Ping)
                          << u"{\"type\":\"ping\",\"seq\":5}"_s;
}

void tst_QGbMessages::hostMessagesParse()
{
    QFETCH(QByteArray, frames);
    QFETCH(int, type);
    QFETCH(QString, json);
    QCOMPARE(QString::fromUtf8(payloadOf(frames)), json);
    QCOMPARE(int(QGbWire::messageType(parse(frames))), type);
}

void tst_QGbMessages::readersRefuseMalformed_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<Reader>("reader");
    QTest::addColumn<bool>("accepted");
    const Reader hello = [](const QGbWire::Message &m, QGbError *e) {
        QGbWire::WorkerHello h;
        return QGbWire::readHello(m, &h, e);
    };
    const Reader chunk = [](const QGbWire::Message &m, QGbError *e) {
        QVariantList items;
        return QGbWire::readChunk(m, &items, e);
    };
    const Reader result = [](const QGbWire::Message &m, QGbError *e) {
        QVariant v;
        return QGbWire::readResult(m, &v, e);
    };
    const Reader credit = [](const QGbWire::Message &m, QGbError *e) {
        qint64 n = 0;
        return QGbWire::readCredit(m, &n, e);
    };
    const Reader pong = [](const QGbWire::Message &m, QGbError *e) {
        qint64 seq = 0;
        return QGbWire::readPong(m, &seq, e);
    };
    QTest::newRow("hello") << QByteArray(R"({"type":"hello","conn":1,"pid":7})") << hello << true;
    QTest::newRow("hello without conn")
            << QByteArray(R"({"type":"hello","pid":7})") << hello << false;
    QTest::newRow("hello, pid a string")
            << QByteArray(R"({"type":"hello","conn":1,"pid":"7"})") << hello << false;
    QTest::newRow("chunk") << QByteArray(R"({"type":"chunk","id":1,"items":[1]})") << chunk << true;
    QTest::newRow("chunk, items not a list")
            << QByteArray(R"({"type":"chunk","id":1,"items":1})") << chunk << false;
    QTest::newRow("result null") << QByteArray(R"({"type":"result","id":1,"value":null})") << result
                                 << true;
    QTest::newRow("result without value")
            << QByteArray(R"({"type":"result","id":1})") << result << false;
    QTest::newRow("credit") << QByteArray(R"({"type":"credit","id":1,"n":3})") << credit << true;
    QTest::newRow("credit, n a double")
            << QByteArray(R"({"type":"credit","id":1,"n":3.5})") << credit << false;
    QTest::newRow("pong") << QByteArray(R"({"type":"pong","seq":3})") << pong << true;
    QTest::newRow("pong without seq") << QByteArray(R"({"type":"pong"})") << pong << false;
}

void tst_QGbMessages::readersRefuseMalformed()
{
    QFETCH(QByteArray, payload);
    QFETCH(Reader, reader);
    QFETCH(bool, accepted);
    QByteArray frame;
    QGbWire::appendFrame(&frame, payload.constData(), payload.size());
    QGbError error;
    QCOMPARE(reader(parse(frame), &error), accepted);
    if (!accepted) {
        QCOMPARE(error.code(), QGbError::ProtocolError);
        QVERIFY2(error.errorString().contains(u"field"_s), qPrintable(error.errorString()));
    }
}

QTEST_MAIN(tst_QGbMessages)

#include "tst_qgbmessages.moc"
