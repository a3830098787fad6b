// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The typed JSON shortcuts against the general way they stand for:
// - JsonWriter (call arguments written as text in the caller's thread) must
//   write the very bytes the codec writes for QGb::toWire()'s wire value, or
//   give up;
// - JsonReader (results and stream items read straight into their C++ type)
//   must give the value the codec's parse and QGb::fromWire() give, or give
//   up, and give up whenever they fail;
// - a frame reader that leaves a result's value or a chunk's items unparsed
//   (lazy) must end in the same fields, or the same error, as one that
//   parses them at once.

#include "qgbpool.h"
#include "qgbwire_p.h"

#include <QtCore/qrandom.h>
#include <QtTest/qtest.h>

#include <functional>
#include <limits>
#include <vector>

struct Person
{
    Q_GADGET
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(double score MEMBER score)
    Q_PROPERTY(int age MEMBER age)
public:
    QString name;
    double score = 0;
    int age = 0;

    friend bool operator==(const Person &a, const Person &b)
    {
        // Bitwise for doubles, so that -0.0 and 0.0 differ.
        return a.name == b.name && std::memcmp(&a.score, &b.score, sizeof(double)) == 0
                && a.age == b.age;
    }
    friend bool operator!=(const Person &a, const Person &b) { return !(a == b); }
};
Q_DECLARE_METATYPE(Person)

// Every kind of property the conversion knows, and no bytes.
struct Squad
{
    Q_GADGET
    Q_PROPERTY(QString title MEMBER title)
    Q_PROPERTY(Person lead MEMBER lead)
    Q_PROPERTY(QList<Person> users MEMBER users)
    Q_PROPERTY(QMap<QString, int> counts MEMBER counts)
    Q_PROPERTY(std::vector<double> weights MEMBER weights)
    Q_PROPERTY(QVariant extra MEMBER extra)
    Q_PROPERTY(QStringList tags MEMBER tags)
    Q_PROPERTY(Level level MEMBER level)
    Q_PROPERTY(qint64 big MEMBER big)
    Q_PROPERTY(bool active READ isActive WRITE setActive)
    Q_PROPERTY(int computed READ computed)
public:
    enum Level { Low, High = 5 };
    Q_ENUM(Level)

    QString title;
    Person lead;
    QList<Person> users;
    QMap<QString, int> counts;
    std::vector<double> weights;
    QVariant extra;
    QStringList tags;
    Level level = Low;
    qint64 big = 0;

    bool isActive() const { return m_active; }
    void setActive(bool a) { m_active = a; }
    int computed() const { return int(users.size()); }

    friend bool operator==(const Squad &a, const Squad &b)
    {
        return a.title == b.title && a.lead == b.lead && a.users == b.users && a.counts == b.counts
                && a.weights == b.weights && a.extra == b.extra && a.tags == b.tags
                && a.level == b.level && a.big == b.big && a.m_active == b.m_active;
    }
    friend bool operator!=(const Squad &a, const Squad &b) { return !(a == b); }

private:
    bool m_active = false;
};
Q_DECLARE_METATYPE(Squad)

// Has bytes: its arguments always take the general way.
struct WithBytes
{
    Q_GADGET
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(QByteArray blob MEMBER blob)
public:
    QString name;
    QByteArray blob;
};
Q_DECLARE_METATYPE(WithBytes)

using Check = std::function<void()>;
Q_DECLARE_METATYPE(Check)

namespace {

Squad makeSquad(int i)
{
    Squad s;
    s.title = QStringLiteral("squad \"%1\" \u00e9\u2603 \U0001D11E\n").arg(i);
    s.lead = { QStringLiteral("lead %1").arg(i), 1.5 * i, 30 + i };
    for (int u = 0; u < i % 4; ++u)
        s.users.append({ QStringLiteral("user %1").arg(u), u * 0.25, u });
    s.counts = { { QStringLiteral("a"), i }, { QStringLiteral("\u00fcber"), -i } };
    s.weights = { 1.0, -0.0, 1e300, 5e-324, 0.1 * i };
    s.extra = QVariantMap { { QStringLiteral("k"), QVariantList { qint64(i), true, QString() } } };
    s.tags = { QStringLiteral("t%1").arg(i), QString() };
    s.level = i % 2 ? Squad::High : Squad::Low;
    s.big = std::numeric_limits<qint64>::max() - i;
    s.setActive(i % 3 == 0);
    return s;
}

// The general way: QGb::toWire() and the codec's writer.
template<typename T>
bool treeText(const T &value, QByteArray *text, QGbError *error)
{
    QVariant wire;
    QList<QByteArray> attachments;
    return QGb::toWire(value, &wire, error, QGbPath("args", QGbPath::ListRoot).index(0))
            && QGbWire::writeValue(text, wire, &attachments, error, QGbPath());
}

template<typename T>
bool typedText(const T &value, QByteArray *text)
{
    QGbPrivate::JsonWriter writer;
    if (!QGbPrivate::writeTypedJson(writer, value))
        return false;
    *text = writer.text;
    return true;
}

// Writes value both ways, and as a call argument (what the pool does).
template<typename T>
Check writes(const T &value, bool typed)
{
    return [value, typed] {
        QByteArray tree;
        QGbError treeError;
        const bool treeOk = treeText(value, &tree, &treeError);
        QByteArray text;
        const bool typedOk = typedText(value, &text);
        QCOMPARE(typedOk, typed);
        if (typedOk) {
            QVERIFY2(treeOk, qPrintable(treeError.errorString()));
            QCOMPARE(text, tree);
        }
        // As an argument: the pool writes args[0] with the codec.
        QVariantList args;
        QGbChannel *input = nullptr;
        QGbError argError;
        const bool argOk = QGbPrivate::appendArgument(&args, value, &input, &argError);
        QByteArray written;
        QList<QByteArray> attachments;
        QGbError writeError;
        const bool writtenOk = argOk
                && QGbWire::writeValue(&written, args.value(0), &attachments, &writeError,
                                       QGbPath());
        QCOMPARE(argOk && writtenOk, treeOk);
        if (treeOk) {
            QCOMPARE(written, tree);
        } else {
            const QGbError &error = argOk ? writeError : argError;
            QCOMPARE(error.code(), treeError.code());
            QCOMPARE(error.errorString(), treeError.errorString());
        }
    };
}

// A result message whose value is text, read by a frame reader that leaves
// the value unparsed.
QByteArray resultMessage(const QByteArray &valueText)
{
    QByteArray out;
    const QByteArray json = "{\"type\":\"result\",\"id\":7,\"value\":" + valueText + "}";
    QGbWire::appendFrame(&out, json.constData(), json.size());
    return out;
}

template<typename T>
struct ReadOutcome
{
    bool treeOk = false;
    bool typedOk = false;
    T tree {};
    T typed {};
    QGbError treeError;
    qsizetype typedCount = -1; // the items a typed sink said it reported
};

template<typename T>
ReadOutcome<T> readBothWays(const QByteArray &valueText)
{
    ReadOutcome<T> r;
    QGbWire::FrameReader reader;
    reader.setLazyResultValue(true);
    reader.append(resultMessage(valueText));
    QGbWire::Message message;
    if (reader.next(&message, &r.treeError) != QGbWire::FrameReader::Ready)
        return r; // the envelope itself fails: nothing to read
    if (message.hasRawValue()) {
        r.typedOk = QGbPrivate::readJson(message.rawValueBegin, message.rawValueEnd, &r.typed,
                                         [](QGbPrivate::JsonReader &jr, void *out) {
                                             return QGbPrivate::readTypedJson(
                                                     jr, static_cast<T *>(out));
                                         });
    }
    QVariant wire;
    r.treeOk = QGbWire::readResult(message, &wire, &r.treeError)
            && QGb::fromWire(wire, &r.tree, &r.treeError, QGbPath("result"));
    return r;
}

// The items of a chunk message (the JSON array itemsText) read by a typed
// stream's sink both ways: from their text as the pool hands it
// (deliverItemsJson()), and parsed and converted (deliverItems()).
template<typename E>
ReadOutcome<QList<E>> readItemsBothWays(const QByteArray &itemsText)
{
    ReadOutcome<QList<E>> r;
    QByteArray frame;
    const QByteArray json = "{\"type\":\"chunk\",\"id\":7,\"items\":" + itemsText + "}";
    QGbWire::appendFrame(&frame, json.constData(), json.size());
    QGbWire::FrameReader reader;
    reader.setLazyChunkItems(QGbPrivate::TypedSink<E>().readsItemsJson());
    reader.append(frame);
    QGbWire::Message message;
    if (reader.next(&message, &r.treeError) != QGbWire::FrameReader::Ready)
        return r; // the envelope itself fails: nothing to read
    if (message.hasRawValue()) {
        QGbPrivate::TypedSink<E> sink;
        r.typedOk =
                sink.deliverItemsJson(message.rawValueBegin, message.rawValueEnd, &r.typedCount);
        sink.deliverFinished();
        r.typed = sink.future().results();
    }
    QGbPrivate::TypedSink<E> general;
    QVariantList items;
    r.treeOk = QGbWire::materializeValue(&message, &r.treeError)
            && QGbWire::readChunk(message, &items, &r.treeError)
            && general.deliverItems(items, &r.treeError);
    general.deliverFinished();
    if (r.treeOk)
        r.tree = general.future().results();
    return r;
}

enum Expect { Typed, GivesUp, Fails };

template<typename T>
void checkOutcome(const ReadOutcome<T> &r, Expect expect)
{
    if (r.typedOk) {
        QVERIFY2(r.treeOk, qPrintable(r.treeError.errorString()));
        QVERIFY(r.typed == r.tree);
    }
    switch (expect) {
    case Typed:
        QVERIFY2(r.typedOk, "the typed reader gave up");
        break;
    case GivesUp:
        QVERIFY(!r.typedOk);
        QVERIFY2(r.treeOk, qPrintable(r.treeError.errorString()));
        break;
    case Fails:
        QVERIFY(!r.typedOk);
        QVERIFY(!r.treeOk);
        QVERIFY(r.treeError.isError());
        break;
    }
}

// valueText read as a result of type T; and when T is a list, as the items
// of a stream of its elements, with the same outcome.
template<typename T>
Check reads(const QByteArray &valueText, Expect expect)
{
    return [valueText, expect] {
        checkOutcome(readBothWays<T>(valueText), expect);
        if (QTest::currentTestFailed())
            return;
        if constexpr (QGbPrivate::IsTypedList<T>) {
            using E = typename QGb::Private::ListTraits<T>::Element;
            const ReadOutcome<QList<E>> items = readItemsBothWays<E>(valueText);
            checkOutcome(items, expect);
            if (items.typedOk)
                QCOMPARE(items.typedCount, items.typed.size());
            else
                QVERIFY(items.typed.isEmpty()); // nothing reported when it gives up
        }
    };
}

// Parses a frame with a reader that parses at once and with one that leaves
// results' values unparsed (and then parses them as the pool does); the two
// must agree on the fields or on the error, to the byte.
struct Parsed
{
    int status = -1;
    QGbError error;
    QVariantMap fields;
};

Parsed parseFrame(const QByteArray &frame, bool lazy)
{
    Parsed p;
    QGbWire::FrameReader reader;
    reader.setLazyResultValue(lazy);
    reader.setLazyChunkItems(lazy);
    reader.append(frame);
    QGbWire::Message message;
    p.status = reader.next(&message, &p.error);
    if (p.status == QGbWire::FrameReader::Ready && !QGbWire::materializeValue(&message, &p.error))
        p.status = QGbWire::FrameReader::Error;
    if (p.status == QGbWire::FrameReader::Ready)
        p.fields = message.fields;
    return p;
}

QByteArray frameOf(const QByteArray &json)
{
    QByteArray out;
    QGbWire::appendFrame(&out, json.constData(), json.size());
    return out;
}

void compareLazyAndEager(const QByteArray &json)
{
    const QByteArray frame = frameOf(json);
    const Parsed eager = parseFrame(frame, false);
    const Parsed lazy = parseFrame(frame, true);
    QVERIFY2(lazy.status == eager.status, json.constData());
    QVERIFY2(lazy.error.code() == eager.error.code(), json.constData());
    QCOMPARE(lazy.error.errorString(), eager.error.errorString());
    QCOMPARE(lazy.fields, eager.fields);
}

// One to three random edits of text: bytes removed, inserted (JSON's own
// characters mostly), replaced, or a piece of it copied elsewhere.
QByteArray edited(QByteArray text, QRandomGenerator *rng)
{
    static const char alphabet[] = "{}[],:\" \\0123456789.-eEtrufalsn$\xc3\xa9u";
    const auto letter = [&] { return alphabet[rng->bounded(int(sizeof(alphabet) - 1))]; };
    const int edits = 1 + int(rng->bounded(3));
    for (int e = 0; e < edits; ++e) {
        const int at = int(rng->bounded(text.size() + 1));
        switch (rng->bounded(4)) {
        case 0:
            if (at < text.size())
                text.remove(at, 1 + int(rng->bounded(3)));
            break;
        case 1:
            text.insert(at, letter());
            break;
        case 2:
            if (at < text.size())
                text[at] = letter();
            break;
        default: {
            const int from = int(rng->bounded(text.size()));
            text.insert(at, text.mid(from, 1 + int(rng->bounded(24))));
            break;
        }
        }
    }
    return text;
}

// The values of the invalid-JSON cases the codec's tests use, and more.
const char *const brokenValues[] = {
    "",
    "   ",
    "{",
    "[",
    "]",
    "}",
    "[1,]",
    R"({"a":1,})",
    "01",
    "1.",
    "-",
    "tru",
    "nul",
    "\"abc",
    R"("\x")",
    R"("\ud800")",
    "\"a\x01\"",
    "\"\xff\"",
    "\"\xe0\x80\xaf\"",
    "1 2",
    "[1] x",
    "[1,2}",
    "[1 2]",
    R"({"a" 1})",
    R"({"a":1)",
    R"({"$foo":1})",
    R"({"$bytes":0})",
    R"({"$stream":1})",
    R"({"$map":1})",
    R"({"a":1,"a":2})",
    R"({"a":1,"\u0061":2})",
    R"([{"x":{"b":[],"c":0,"b":null}}])",
    "99999999999999999999",
    "1e999",
    "\"a\" \"b\"",
    "[1],\"value\":2",
};

} // namespace

class tst_QGbTypedJson : public QObject
{
    Q_OBJECT

private slots:
    void writer_data();
    void writer();
    void reader_data();
    void reader();
    void readerNestingLimit_data();
    void readerNestingLimit();
    void readerMutations();
    void lazyValue_data();
    void lazyValue();
    void lazyValueMutations();
    void lazyValueKeptOnlyWhereSafe();
};

void tst_QGbTypedJson::writer_data()
{
    QTest::addColumn<Check>("check");
    const double nan = std::numeric_limits<double>::quiet_NaN();

    QTest::newRow("person") << writes(Person { "Ann", 1.5, 30 }, true);
    QTest::newRow("person, text to escape") << writes(
            Person { QStringLiteral("\"q\" \\ \n\t\x01 \u00e9\u2603\U0001D11E"), 0, -1 }, true);
    QTest::newRow("person, whole double") << writes(Person { "a", 1.0, 0 }, true);
    QTest::newRow("person, -0.0") << writes(Person { "a", -0.0, 0 }, true);
    QTest::newRow("person, extremes")
            << writes(Person { "a", 5e-324, std::numeric_limits<int>::min() }, true);
    QTest::newRow("squad") << writes(makeSquad(3), true);
    QTest::newRow("list of squads") << writes(QList<Squad> { makeSquad(1), makeSquad(2) }, true);
    QTest::newRow("vector of persons")
            << writes(std::vector<Person> { { "a", 1, 2 }, { "b", 3, 4 } }, true);
    QTest::newRow("map of persons")
            << writes(QMap<QString, Person> { { "x", { "a", 1, 2 } }, { "\u00e9", {} } }, true);
    QTest::newRow("list of lists") << writes(QList<QList<int>> { { 1, 2 }, {}, { 3 } }, true);
    QTest::newRow("string list") << writes(QStringList { "a", "", "\u2603" }, true);
    QTest::newRow("empty list") << writes(QList<Person> {}, true);
    QTest::newRow("empty map") << writes(QMap<QString, int> {}, true);
    QTest::newRow("map, two $ keys")
            << writes(QMap<QString, int> { { "$a", 1 }, { "$b", 2 } }, true);

    // Gives up: the general way writes these, or refuses them with its error.
    QTest::newRow("map, one $ key ($map marker)")
            << writes(QMap<QString, int> { { "$a", 1 } }, false);
    QTest::newRow("gadget with bytes") << writes(WithBytes { "a", "raw" }, false);
    QTest::newRow("list of bytes") << writes(QList<QByteArray> { "a" }, false);
    QTest::newRow("NaN in a gadget") << writes(Person { "a", nan, 0 }, false);
    QTest::newRow("NaN in a list") << writes(QList<double> { 1, nan }, false);
    QTest::newRow("lone surrogate in a gadget")
            << writes(Person { QString(QChar(0xD800)), 0, 0 }, false);
    QTest::newRow("lone surrogate map key")
            << writes(QMap<QString, int> { { QString(QChar(0xDC00)), 1 } }, false);
    QTest::newRow("unsigned too large")
            << writes(QList<quint64> { std::numeric_limits<quint64>::max() }, false);
}

void tst_QGbTypedJson::writer()
{
    QFETCH(Check, check);
    check();
}

void tst_QGbTypedJson::reader_data()
{
    QTest::addColumn<Check>("check");
    using L = QList<Person>;

    QTest::newRow("sorted keys") << reads<L>(R"([{"age":3,"name":"a","score":1.5}])", Typed);
    QTest::newRow("other order") << reads<L>(R"([{"score":1.5,"name":"a","age":3}])", Typed);
    QTest::newRow("keys missing") << reads<L>(R"([{"name":"a"},{}])", Typed);
    QTest::newRow("keys unknown") << reads<L>(
            R"([{"x":{"a":[1,2,{"b":null}]},"name":"a","y":"z"}])", Typed);
    QTest::newRow("white space") << reads<L>(" [ { \"age\" : 3 ,\n\"name\"\t: \"a\" } , { } ] ",
                                             Typed);
    QTest::newRow("empty list") << reads<L>("[]", Typed);
    QTest::newRow("empty list, spaced") << reads<L>("[ ]", Typed);
    QTest::newRow("escapes in a value")
            << reads<L>(R"([{"name":"a\u00e9\n\"\ud834\udd1e"}])", Typed);
    QTest::newRow("whole number as double") << reads<L>(R"([{"score":2}])", Typed);
    QTest::newRow("squad") << reads<Squad>(
            R"({"active":true,"big":9223372036854775807,"computed":99,)"
            R"("counts":{"a":1},"extra":{"k":[1,true,null]},"lead":{"name":"l","age":1},)"
            R"("level":5,"tags":["t"],"title":"s","users":[{"name":"u"}],"weights":[1.0,-0.0]})",
            Typed);
    QTest::newRow("vector") << reads<std::vector<Person>>(R"([{"name":"a"}])", Typed);
    QTest::newRow("list of lists") << reads<QList<QList<int>>>("[[1,2],[],[3]]", Typed);

    // Gives up; the general way reads it.
    QTest::newRow("escaped key") << reads<L>(R"([{"n\u0061me":"a"}])", GivesUp);
    QTest::newRow("key beyond ASCII") << reads<L>("[{\"\xc3\xa9\":1,\"name\":\"a\"}]", GivesUp);
    QTest::newRow("$map marker") << reads<L>(R"([{"$map":{"name":"a"}}])", GivesUp);
    QTest::newRow("two $ keys") << reads<L>(R"([{"$a":1,"$b":2}])", GivesUp);
    QTest::newRow("empty key") << reads<L>(R"([{"":1}])", GivesUp);

    // Both fail: the typed reader gives up, the general way says why.
    QTest::newRow("duplicate key") << reads<L>(R"([{"name":"a","name":"b"}])", Fails);
    QTest::newRow("duplicate unknown key") << reads<L>(R"([{"x":1,"x":2}])", Fails);
    QTest::newRow("int out of range") << reads<L>(R"([{"age":2147483648}])", Fails);
    QTest::newRow("beyond 64 bits") << reads<L>(R"([{"age":99999999999999999999}])", Fails);
    QTest::newRow("double, inexact") << reads<L>(R"([{"score":9007199254740993}])", Fails);
    QTest::newRow("null for a string") << reads<L>(R"([{"name":null}])", Fails);
    QTest::newRow("list for a gadget") << reads<L>("[[1]]", Fails);
    QTest::newRow("object for a list") << reads<L>(R"({"name":"a"})", Fails);
    QTest::newRow("bytes marker") << reads<L>(R"([{"name":{"$bytes":0}}])", Fails);
    QTest::newRow("stream marker") << reads<L>(R"([{"$stream":0}])", Fails);
    QTest::newRow("enum out of range") << reads<Squad>(R"({"level":99999999999})", Fails);
    QTest::newRow("trailing comma") << reads<L>(R"([{"name":"a"},])", Fails);
    QTest::newRow("missing comma") << reads<L>(R"([{"name":"a"} {}])", Fails);
    QTest::newRow("missing value") << reads<L>(R"([{"name":}])", Fails);
    QTest::newRow("missing colon") << reads<L>(R"([{"name"}])", Fails);
    QTest::newRow("comma in object") << reads<L>("[{,}]", Fails);
    QTest::newRow("truncated") << reads<L>(R"([{"name":"a"})", Fails);
    QTest::newRow("garbage after") << reads<L>("[] x", Fails);
    QTest::newRow("bad UTF-8 in a value") << reads<L>("[{\"name\":\"\xff\"}]", Fails);
    QTest::newRow("bad UTF-8 in an unknown key's value")
            << reads<L>("[{\"x\":\"\xe0\x80\xaf\"}]", Fails);
    QTest::newRow("control character in a key") << reads<L>("[{\"a\x01\":1}]", Fails);
}

void tst_QGbTypedJson::reader()
{
    QFETCH(Check, check);
    check();
}

// The nesting limit (512 levels, the envelope counting as one) holds on both
// ways: an unknown key's value nested to just below, at and just above it.
void tst_QGbTypedJson::readerNestingLimit_data()
{
    QTest::addColumn<int>("levels");
    QTest::addColumn<bool>("accepted");
    // The value sits in the envelope (1), its list (2) and the gadget (3).
    for (int levels : { 505, 508, 509, 510, 512 })
        QTest::addRow("%d", levels) << levels << (levels <= 509);
}

void tst_QGbTypedJson::readerNestingLimit()
{
    QFETCH(int, levels);
    QFETCH(bool, accepted);
    const QByteArray text =
            "[{\"x\":" + QByteArray(levels, '[') + QByteArray(levels, ']') + ",\"name\":\"a\"}]";
    const ReadOutcome<QList<Person>> r = readBothWays<QList<Person>>(text);
    QCOMPARE(r.treeOk, accepted);
    QCOMPARE(r.typedOk, accepted);
    if (accepted)
        QCOMPARE(r.typed, r.tree);
    // A chunk's items sit where a result's value does.
    const ReadOutcome<QList<Person>> items = readItemsBothWays<Person>(text);
    QCOMPARE(items.treeOk, accepted);
    QCOMPARE(items.typedOk, accepted);
    if (accepted)
        QCOMPARE(items.typed, items.tree);
}

// Random edits of a valid result: whenever the typed reader takes the text,
// the general way takes it too and gives the same value.
void tst_QGbTypedJson::readerMutations()
{
    QByteArray base;
    QVERIFY(typedText(QList<Squad> { makeSquad(0), makeSquad(1), makeSquad(2) }, &base));
    QRandomGenerator rng(20261203);
    int typed = 0, general = 0;
    const int rounds = 6000;
    int itemsTyped = 0;
    for (int round = 0; round < rounds; ++round) {
        const QByteArray text = edited(base, &rng);
        const ReadOutcome<QList<Squad>> r = readBothWays<QList<Squad>>(text);
        if (r.typedOk) {
            QVERIFY2(r.treeOk, text.constData());
            QVERIFY2(r.typed == r.tree, text.constData());
            ++typed;
        }
        general += r.treeOk;
        // The same text as a stream's items: the same outcome.
        const ReadOutcome<QList<Squad>> items = readItemsBothWays<Squad>(text);
        QCOMPARE(items.typedOk, r.typedOk);
        QCOMPARE(items.treeOk, r.treeOk);
        if (items.typedOk) {
            QVERIFY2(items.typed == items.tree, text.constData());
            QVERIFY2(items.typed == r.typed, text.constData());
            ++itemsTyped;
        }
    }
    qDebug("%d edited results: the general way took %d, the typed reader %d (%d as items)", rounds,
           general, typed, itemsTyped);
    // Not vacuous: edits inside strings and numbers keep many texts valid.
    QVERIFY(typed > rounds / 50);
    QVERIFY(general >= typed);
}

void tst_QGbTypedJson::lazyValue_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("result") << QByteArray(R"({"type":"result","id":7,"value":[1,{"a":"b"}]})");
    QTest::newRow("result, spaced")
            << QByteArray(" { \"type\" : \"result\" , \"id\" : 7 , \"value\" : 1 } ");
    QTest::newRow("value before type") << QByteArray(R"({"value":1,"type":"result","id":7})");
    QTest::newRow("with att") << QByteArray(R"({"type":"result","id":7,"att":0,"value":1})");
    QTest::newRow("att after value")
            << QByteArray(R"({"type":"result","id":7,"value":{"$bytes":0},"att":1})");
    QTest::newRow("bytes without att")
            << QByteArray(R"({"type":"result","id":7,"value":{"$bytes":0}})");
    QTest::newRow("bytes without att, twice")
            << QByteArray(R"({"type":"result","id":7,"value":{"$bytes":3},"z":{"$bytes":1}})");
    QTest::newRow("value twice") << QByteArray(R"({"type":"result","id":7,"value":1,"value":2})");
    QTest::newRow("string id, bad value")
            << QByteArray(R"({"type":"result","id":"7","value":[1,}})");
    QTest::newRow("chunk") << QByteArray(R"({"type":"chunk","id":7,"items":[1,2]})");
    QTest::newRow("chunk, spaced")
            << QByteArray(" { \"type\" : \"chunk\" , \"id\" : 7 , \"items\" : [ 1 ] } ");
    QTest::newRow("items before type") << QByteArray(R"({"items":[1],"type":"chunk","id":7})");
    QTest::newRow("items not a list") << QByteArray(R"({"type":"chunk","id":7,"items":{"a":1}})");
    QTest::newRow("chunk with att") << QByteArray(R"({"type":"chunk","id":7,"att":0,"items":[1]})");
    QTest::newRow("chunk, att after items")
            << QByteArray(R"({"type":"chunk","id":7,"items":[{"$bytes":0}],"att":1})");
    QTest::newRow("chunk, bytes without att")
            << QByteArray(R"({"type":"chunk","id":7,"items":[{"$bytes":0}]})");
    QTest::newRow("items twice") << QByteArray(
            R"({"type":"chunk","id":7,"items":[1],"items":[2]})");
    QTest::newRow("value of a chunk") << QByteArray(R"({"type":"chunk","id":7,"value":[1,}})");
    QTest::newRow("items of a result") << QByteArray(R"({"type":"result","id":7,"items":[1,}})");
    QTest::newRow("items at depth 511")
            << QByteArray(R"({"type":"chunk","id":7,"items":)" + QByteArray(511, '[')
                          + QByteArray(511, ']') + "}");
    QTest::newRow("items at depth 512")
            << QByteArray(R"({"type":"chunk","id":7,"items":)" + QByteArray(512, '[')
                          + QByteArray(512, ']') + "}");
    QTest::newRow("value at depth 511")
            << QByteArray(R"({"type":"result","id":7,"value":)" + QByteArray(511, '[')
                          + QByteArray(511, ']') + "}");
    QTest::newRow("value at depth 512")
            << QByteArray(R"({"type":"result","id":7,"value":)" + QByteArray(512, '[')
                          + QByteArray(512, ']') + "}");
    for (const char *value : brokenValues) {
        QTest::addRow("broken: %s", value)
                << QByteArray(R"({"type":"result","id":7,"value":)" + QByteArray(value) + "}");
        QTest::addRow("broken, then more: %s", value) << QByteArray(
                R"({"type":"result","id":7,"value":)" + QByteArray(value) + R"(,"extra":true})");
        QTest::addRow("broken items: %s", value)
                << QByteArray(R"({"type":"chunk","id":7,"items":)" + QByteArray(value) + "}");
        QTest::addRow("broken items in a list: %s", value) << QByteArray(
                R"({"type":"chunk","id":7,"items":[)" + QByteArray(value) + R"(],"more":1})");
    }
}

void tst_QGbTypedJson::lazyValue()
{
    QFETCH(QByteArray, json);
    compareLazyAndEager(json);
}

// Random edits of result and chunk messages: the lazy reader agrees with the
// eager one on every one, errors included.
void tst_QGbTypedJson::lazyValueMutations()
{
    QByteArray value;
    QVERIFY(typedText(QList<Squad> { makeSquad(1), makeSquad(2) }, &value));
    const QByteArray bases[] = {
        R"({"type":"result","id":7,"value":)" + value + "}",
        R"({"type":"result","id":7,"value":"text \u00e9 \"q\""})",
        R"({"type":"result","id":7,"value":12.5e3})",
        R"({"type":"chunk","id":7,"items":)" + value + "}",
        R"({"type":"chunk","id":7,"items":["a",{"b":[1.5,null]},true]})",
    };
    QRandomGenerator rng(3122026);
    int ready = 0;
    const int rounds = 6000;
    for (int round = 0; round < rounds; ++round) {
        const QByteArray json = edited(bases[round % std::size(bases)], &rng);
        compareLazyAndEager(json);
        if (QTest::currentTestFailed())
            return;
        ready += parseFrame(frameOf(json), false).status == QGbWire::FrameReader::Ready;
    }
    qDebug("%d edited messages, %d of them valid", rounds, ready);
    QVERIFY(ready > rounds / 50);
    QVERIFY(ready < rounds);
}

// The value is left unparsed only in a result or a chunk without
// attachments, and only when the reader is asked to (each kind on its own);
// only a typed stream's sink asks for the items.
void tst_QGbTypedJson::lazyValueKeptOnlyWhereSafe()
{
    const auto kept = [](const QByteArray &json, bool lazyValue, bool lazyItems = true) {
        QGbWire::FrameReader reader;
        reader.setLazyResultValue(lazyValue);
        reader.setLazyChunkItems(lazyItems);
        reader.append(frameOf(json));
        QGbWire::Message message;
        QGbError error;
        return reader.next(&message, &error) == QGbWire::FrameReader::Ready
                && message.hasRawValue();
    };
    const QByteArray result = R"({"type":"result","id":7,"value":[1,2]})";
    QVERIFY(kept(result, true));
    QVERIFY(!kept(result, false));
    QVERIFY(kept(result, true, false));
    QVERIFY(!kept(result, false, true));
    QVERIFY(!kept(R"({"type":"chunk","id":7,"value":[1,2]})", true));
    const QByteArray chunk = R"({"type":"chunk","id":7,"items":[1,2]})";
    QVERIFY(kept(chunk, true));
    QVERIFY(kept(chunk, false, true));
    QVERIFY(!kept(chunk, true, false));
    QVERIFY(!kept(chunk, false, false));
    QVERIFY(!kept(R"({"type":"result","id":7,"items":[1,2]})", true));
    QVERIFY(!kept(R"({"type":"chunk","id":7,"att":0,"items":[1,2]})", true));
    QVERIFY(!kept(R"({"type":"chunk","id":7,"items":[1,2],"att":0})", true));
    QVERIFY(!kept(R"({"items":[1,2],"type":"chunk","id":7})", true));
    QVERIFY(!kept(R"({"type":"result","id":7,"att":0,"value":[1,2]})", true));
    QVERIFY(!kept(R"({"type":"result","id":7,"value":[1,2],"att":0})", true));
    QVERIFY(!kept(R"({"value":[1,2],"type":"result","id":7})", true));

    QVERIFY(QGbPrivate::TypedSink<Person>().readsItemsJson());
    QVERIFY(QGbPrivate::TypedSink<QList<int>>().readsItemsJson());
    QVERIFY(!QGbPrivate::TypedSink<int>().readsItemsJson());
    QVERIFY(!QGbPrivate::TypedSink<QVariant>().readsItemsJson());
    QVERIFY(!QGbPrivate::TypedSink<QVariantMap>().readsItemsJson());
    QVERIFY(!QGbPrivate::TypedSink<void>().readsItemsJson());
}

QTEST_GUILESS_MAIN(tst_QGbTypedJson)
#include "tst_qgbtypedjson.moc"
