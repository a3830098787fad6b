// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbconvert.h"
#include "qgbtesthelpers.h"
#include "qgbwire_p.h"

#include <QtCore/qelapsedtimer.h>
#include <QtCore/qendian.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qpoint.h>
#include <QtCore/qrandom.h>
#include <QtTest/qtest.h>

#include <cstring>
#include <functional>
#include <limits>

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
        return a.name == b.name && a.score == b.score && a.age == b.age;
    }
    friend bool operator!=(const Person &a, const Person &b) { return !(a == b); }
};
Q_DECLARE_METATYPE(Person)

struct Team
{
    Q_GADGET
    Q_PROPERTY(QString title MEMBER title)
    Q_PROPERTY(Person lead MEMBER lead)
    Q_PROPERTY(QList<Person> users MEMBER users)
    Q_PROPERTY(QMap<QString, int> counts MEMBER counts)
    Q_PROPERTY(std::vector<double> weights MEMBER weights)
    Q_PROPERTY(QVariant extra MEMBER extra)
    Q_PROPERTY(QByteArray blob MEMBER blob)
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
    QByteArray blob;
    QStringList tags;
    Level level = Low;
    qint64 big = 0;

    bool isActive() const { return m_active; }
    void setActive(bool a) { m_active = a; }
    int computed() const { return int(users.size()); }

    friend bool operator==(const Team &a, const Team &b)
    {
        return a.title == b.title && a.lead == b.lead && a.users == b.users && a.counts == b.counts
                && a.weights == b.weights && a.extra == b.extra && a.blob == b.blob
                && a.tags == b.tags && a.level == b.level && a.big == b.big
                && a.m_active == b.m_active;
    }
    friend bool operator!=(const Team &a, const Team &b) { return !(a == b); }

private:
    bool m_active = false;
};
Q_DECLARE_METATYPE(Team)

enum class Color : quint8 { Red = 1, Blue = 200 };

struct Holder
{
    Q_GADGET
public:
    enum Mode { Read = 1, Write = 2, Exec = 4 };
    Q_DECLARE_FLAGS(Modes, Mode)
    Q_FLAG(Modes)
};

using Check = std::function<void()>;
using Refusal = std::function<QGbError()>;
Q_DECLARE_METATYPE(Check)
Q_DECLARE_METATYPE(Refusal)

namespace {

QVariant null()
{
    return QVariant::fromValue(nullptr);
}

QVariant i64(qint64 v)
{
    return QVariant(v);
}

// Writes a canonical value and parses it back with its attachments.
bool wireRoundTrip(const QVariant &wire, QVariant *parsed, QByteArray *json, QGbError *error)
{
    QList<QByteArray> attachments;
    if (!QGbWire::writeValue(json, wire, &attachments, error, QGbPath("args")))
        return false;
    QGbWire::ParseContext ctx;
    ctx.attachments = &attachments;
    return QGbWire::parseValue(json->constData(), json->constData() + json->size(), parsed, ctx,
                               error);
}

template<typename T>
void checkRoundTrip(const T &value)
{
    QGbError error;
    QVariant wire;
    QVERIFY2(QGb::toWire(value, &wire, &error, QGbPath("args")), qPrintable(error.errorString()));
    QVERIFY(QGb::isCanonical(wire));
    QVariant parsed;
    QByteArray json;
    QVERIFY2(wireRoundTrip(wire, &parsed, &json, &error), qPrintable(error.errorString()));
    QCOMPARE(parsed, wire);
    T back {};
    QVERIFY2(QGb::fromWire(parsed, &back, &error, QGbPath("result")),
             qPrintable(error.errorString()));
    QVERIFY2(back == value, json.constData());
}

// Also through the run-time (QMetaType) conversion, as for gadget properties.
template<typename T>
void checkRoundTripRuntime(const T &value)
{
    checkRoundTrip(value);
    if (QTest::currentTestFailed())
        return;
    QGbError error;
    QVariant wire;
    QVERIFY2(QGb::toWire(QVariant::fromValue(value), &wire, &error, QGbPath("args")),
             qPrintable(error.errorString()));
    QVariant parsed;
    QByteArray json;
    QVERIFY2(wireRoundTrip(wire, &parsed, &json, &error), qPrintable(error.errorString()));
    T back {};
    QVERIFY2(QGb::fromWire(parsed, QMetaType::fromType<T>(), &back, &error, QGbPath("result")),
             qPrintable(error.errorString()));
    QVERIFY2(back == value, json.constData());
}

template<typename T>
QGbError toWireError(const T &value, const QGbPath &path)
{
    QGbError error;
    QVariant wire;
    if (QGb::toWire(value, &wire, &error, path))
        return QGbError();
    return error;
}

template<typename T>
QGbError fromWireError(const QVariant &wire, const QGbPath &path)
{
    QGbError error;
    T out {};
    if (QGb::fromWire(wire, &out, &error, path))
        return QGbError();
    return error;
}

QGbError parseError(const QByteArray &json)
{
    QGbError error;
    QVariant out;
    QGbWire::ParseContext ctx;
    if (QGbWire::parseValue(json.constData(), json.constData() + json.size(), &out, ctx, &error))
        return QGbError();
    return error;
}

// The same, with attachments deferred and resolved (against none) afterwards,
// as the engine parses messages that arrive before their attachments.
QGbError deferredParseError(const QByteArray &json)
{
    QGbError error;
    QVariant out;
    QGbWire::ParseContext ctx;
    ctx.deferAttachments = true;
    if (!QGbWire::parseValue(json.constData(), json.constData() + json.size(), &out, ctx, &error))
        return error;
    if (!QGbWire::resolveAttachments(&out, QList<QByteArray>(), &error))
        return error;
    return QGbError();
}

QByteArray writeJson(const QVariant &wire)
{
    QByteArray json;
    QList<QByteArray> attachments;
    QGbError error;
    if (!QGbWire::writeValue(&json, wire, &attachments, &error, QGbPath("args")))
        return "ERROR: " + error.errorString().toUtf8();
    return json;
}

QByteArray frame(const QByteArray &payload)
{
    QByteArray out;
    QGbWire::appendFrame(&out, payload.constData(), payload.size());
    return out;
}

Person person(const QString &name, double score, int age)
{
    Person p;
    p.name = name;
    p.score = score;
    p.age = age;
    return p;
}

Team sampleTeam()
{
    Team t;
    t.title = QStringLiteral("Ünïcode team 🚀");
    t.lead = person(QStringLiteral("Ada"), 99.5, 36);
    t.users = { person(QStringLiteral("Bob"), 1.25, 20), person(QStringLiteral("Eve"), -3, 41) };
    t.counts = { { QStringLiteral("a"), 1 }, { QStringLiteral("$weird key"), -7 } };
    t.weights = { 0.1, 2.0, 1e-9 };
    t.extra = QVariantMap { { QStringLiteral("nested"),
                              QVariantList { i64(1), QStringLiteral("x") } } };
    t.blob = QByteArray("\x00\x01\xff binary", 10);
    t.tags = { QStringLiteral("x"), QStringLiteral("y") };
    t.level = Team::High;
    t.big = std::numeric_limits<qint64>::min();
    t.setActive(true);
    return t;
}

} // namespace

class tst_QGbCodec : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void gadget();
    void gadgetPartialAndUnknownKeys();
    void refused_data();
    void refused();
    void doubles_data();
    void doubles();
    void integers_data();
    void integers();
    void strings_data();
    void strings();
    void validJson_data();
    void validJson();
    void invalidJson_data();
    void invalidJson();
    void mapEscaping_data();
    void mapEscaping();
    void nestingLimit_data();
    void nestingLimit();
    void writeValueFailureLeavesOutput();
    void path_data();
    void path();
    void frameReaderByteByByte();
    void frameReaderRandomSplits();
    void frameReaderAttachments();
    void frameReaderLargeAttachment();
    void frameReaderErrors_data();
    void frameReaderErrors();
    void appendMessageTooLarge();
    void largePayload();
};

void tst_QGbCodec::roundTrip_data()
{
    QTest::addColumn<Check>("check");
    const auto row = [](const char *name, Check check) { QTest::newRow(name) << check; };

    row("int 0", [] { checkRoundTripRuntime(0); });
    row("int -42", [] { checkRoundTripRuntime(-42); });
    row("int max", [] { checkRoundTripRuntime(std::numeric_limits<int>::max()); });
    row("int min", [] { checkRoundTripRuntime(std::numeric_limits<int>::min()); });
    row("qint64 max", [] { checkRoundTripRuntime(std::numeric_limits<qint64>::max()); });
    row("qint64 min", [] { checkRoundTripRuntime(std::numeric_limits<qint64>::min()); });
    row("quint64 2^63-1",
        [] { checkRoundTripRuntime(quint64(std::numeric_limits<qint64>::max())); });
    row("uint max", [] { checkRoundTripRuntime(std::numeric_limits<uint>::max()); });
    row("short", [] { checkRoundTripRuntime(short(-1234)); });
    row("qint8", [] { checkRoundTripRuntime(qint8(-128)); });
    row("uchar", [] { checkRoundTripRuntime(uchar(255)); });
    row("long", [] { checkRoundTripRuntime(long(-5000000000)); });
    row("enum class", [] { checkRoundTrip(Color::Blue); });
    row("Q_ENUM", [] { checkRoundTrip(Team::High); });
    // QFlags convert at run time only (as gadget properties).
    for (const int bits : { 0, 1 | 4, 1 | 2 | 4 }) {
        QTest::addRow("Q_FLAG %d, at run time", bits) << Check([bits] {
            const Holder::Modes modes = Holder::Modes::fromInt(bits);
            QVariant wire;
            QGbError error;
            QVERIFY(QGb::toWire(QVariant::fromValue(modes), &wire, &error, QGbPath("args")));
            QCOMPARE(wire, i64(bits));
            Holder::Modes back;
            QVERIFY2(QGb::fromWire(wire, QMetaType::fromType<Holder::Modes>(), &back, &error,
                                   QGbPath("result")),
                     qPrintable(error.errorString()));
            QCOMPARE(back, modes);
        });
    }
    row("Q_ENUM", [] { checkRoundTripRuntime(Team::High); });
    row("bool true", [] { checkRoundTripRuntime(true); });
    row("bool false", [] { checkRoundTripRuntime(false); });
    row("double 0.1", [] { checkRoundTripRuntime(0.1); });
    row("double 1e300", [] { checkRoundTripRuntime(1e300); });
    row("double 5e-324", [] { checkRoundTripRuntime(5e-324); });
    row("double 1.0", [] { checkRoundTripRuntime(1.0); });
    row("double max", [] { checkRoundTripRuntime(std::numeric_limits<double>::max()); });
    row("float", [] { checkRoundTripRuntime(1.5f); });
    row("QString empty", [] { checkRoundTripRuntime(QString()); });
    row("QString unicode", [] { checkRoundTripRuntime(QStringLiteral("héllo wörld ✓ 😀")); });
    row("QString NUL", [] { checkRoundTripRuntime(QString::fromUtf16(u"a\0b", 3)); });
    row("QByteArray", [] {
        QByteArray all;
        for (int i = 0; i < 256; ++i)
            all.append(char(i));
        checkRoundTripRuntime(all);
    });
    row("QByteArray empty", [] { checkRoundTripRuntime(QByteArray("")); });
    row("nullptr", [] { checkRoundTripRuntime(nullptr); });
    row("QVariant null", [] { checkRoundTrip(null()); });
    row("QVariant int", [] {
        // A non-canonical QVariant(int) becomes qint64.
        QVariant wire;
        QGbError error;
        QVERIFY(QGb::toWire(QVariant(5), &wire, &error, QGbPath("args")));
        QCOMPARE(wire, i64(5));
        QCOMPARE(wire.typeId(), int(QMetaType::LongLong));
    });
    row("QVariant invalid", [] {
        QVariant wire;
        QGbError error;
        QVERIFY(QGb::toWire(QVariant(), &wire, &error, QGbPath("args")));
        QCOMPARE(wire.typeId(), int(QMetaType::Nullptr));
    });
    row("QVariant gadget", [] {
        QVariant wire;
        QGbError error;
        QVERIFY(QGb::toWire(QVariant::fromValue(person("A", 1, 2)), &wire, &error,
                            QGbPath("args")));
        QCOMPARE(wire.toMap().value("name"), QVariant(QStringLiteral("A")));
        QCOMPARE(wire.toMap().value("age"), i64(2));
    });
    row("QVariantList", [] {
        checkRoundTripRuntime(QVariantList {
                null(), QVariant(true), i64(1), QVariant(2.5), QVariant(QStringLiteral("s")),
                QVariant(QByteArray("b")), QVariant(QVariantList { i64(7) }) });
    });
    row("QVariantMap", [] {
        checkRoundTripRuntime(
                QVariantMap { { "a", i64(1) }, { "b", QVariantMap { { "c", null() } } } });
    });
    row("QVariantHash", [] {
        checkRoundTripRuntime(QVariantHash { { "a", i64(1) }, { "b", QStringLiteral("x") } });
    });
    row("QStringList", [] { checkRoundTripRuntime(QStringList { "a", "", "ü" }); });
    row("QJsonValue int", [] { checkRoundTripRuntime(QJsonValue(qint64(1) << 60)); });
    row("QJsonValue double", [] { checkRoundTripRuntime(QJsonValue(0.5)); });
    row("QJsonValue null", [] { checkRoundTripRuntime(QJsonValue(QJsonValue::Null)); });
    row("QJsonObject", [] {
        checkRoundTripRuntime(QJsonObject { { "a", 1 }, { "b", QJsonArray { true, "x", 1.5 } } });
    });
    row("QJsonArray", [] {
        checkRoundTripRuntime(QJsonArray { 1, QJsonObject { { "k", "v" } } });
    });
    row("QJsonDocument", [] {
        checkRoundTripRuntime(QJsonDocument(QJsonObject { { "a", QJsonValue::Null } }));
    });
    row("QList<int>", [] { checkRoundTripRuntime(QList<int> { 1, -2, 3 }); });
    row("QList<int> empty", [] { checkRoundTripRuntime(QList<int>()); });
    row("std::vector<double>", [] { checkRoundTripRuntime(std::vector<double> { 0.5, -1e-7 }); });
    row("std::vector<bool>", [] { checkRoundTrip(std::vector<bool> { true, false, true }); });
    row("QList<QList<int>>", [] { checkRoundTrip(QList<QList<int>> { { 1 }, {}, { 2, 3 } }); });
    row("QMap<QString,int>", [] {
        checkRoundTripRuntime(QMap<QString, int> { { "x", 1 }, { "y", 2 } });
    });
    row("QHash<QString,QString>", [] {
        checkRoundTripRuntime(QHash<QString, QString> { { "x", "1" }, { "y", "2" } });
    });
    row("QMap<QString,QList<double>>", [] {
        checkRoundTrip(QMap<QString, QList<double>> { { "x", { 1.5 } }, { "y", {} } });
    });
    row("optional set", [] { checkRoundTrip(std::optional<int>(7)); });
    row("optional empty", [] { checkRoundTrip(std::optional<int>()); });
    row("optional QString", [] { checkRoundTrip(std::optional<QString>(QStringLiteral("s"))); });
    row("QList<optional>", [] { checkRoundTrip(QList<std::optional<int>> { 1, std::nullopt }); });
    row("gadget", [] { checkRoundTripRuntime(person("Zoë", 0.1, 30)); });
    row("nested gadget", [] { checkRoundTripRuntime(sampleTeam()); });
    row("QList<gadget>", [] {
        checkRoundTripRuntime(QList<Person> { person("a", 1, 1), person("b", 2, 2) });
    });
    row("std::vector<gadget>", [] {
        checkRoundTrip(std::vector<Person> { person("a", 1, 1), person("b", 2, 2) });
    });
    row("QMap<QString,gadget>", [] {
        checkRoundTrip(QMap<QString, Person> { { "k", person("a", 1, 1) } });
    });
    row("QList<Team>", [] {
        Team empty;
        empty.extra = null(); // an invalid QVariant is sent as null and comes back as null
        checkRoundTrip(QList<Team> { sampleTeam(), empty });
    });
    row("stream marker", [] { checkRoundTripRuntime(QGbStreamMarker()); });
}

void tst_QGbCodec::roundTrip()
{
    QFETCH(Check, check);
    check();
}

void tst_QGbCodec::gadget()
{
    const Team team = sampleTeam();
    QVariant wire;
    QGbError error;
    QVERIFY2(QGb::toWire(team, &wire, &error, QGbPath("args")), qPrintable(error.errorString()));
    const QVariantMap map = wire.toMap();
    QCOMPARE(map.value("title"), QVariant(team.title));
    QCOMPARE(map.value("lead").toMap().value("score"), QVariant(99.5));
    QCOMPARE(map.value("users").toList().size(), 2);
    QCOMPARE(map.value("users").toList().at(1).toMap().value("name"), QVariant("Eve"));
    QCOMPARE(map.value("counts").toMap().value("$weird key"), i64(-7));
    QCOMPARE(map.value("level"), i64(5));
    QCOMPARE(map.value("active"), QVariant(true));
    QCOMPARE(map.value("computed"), i64(2)); // read-only properties are sent
    QCOMPARE(map.value("blob").typeId(), int(QMetaType::QByteArray));
    QCOMPARE(map.value("big"), i64(std::numeric_limits<qint64>::min()));

    // The bytes travel as an attachment.
    QByteArray json;
    QList<QByteArray> attachments;
    QVERIFY(QGbWire::writeValue(&json, wire, &attachments, &error, QGbPath("args")));
    QCOMPARE(attachments.size(), 1);
    QCOMPARE(attachments.at(0), team.blob);
    QVERIFY(json.contains("\"blob\":{\"$bytes\":0}"));
}

void tst_QGbCodec::gadgetPartialAndUnknownKeys()
{
    Person p;
    QGbError error;
    const QVariantMap wire { { "name", QStringLiteral("x") },
                             { "unknown", i64(1) },
                             { "zzz", QVariantList {} } };
    QVERIFY(QGb::fromWire(QVariant(wire), &p, &error, QGbPath("result")));
    QCOMPARE(p.name, QStringLiteral("x"));
    QCOMPARE(p.score, 0.0);
    QCOMPARE(p.age, 0);

    Team t;
    QVERIFY(QGb::fromWire(QVariant(QVariantMap { { "computed", i64(99) } }), &t, &error,
                          QGbPath("result")));
    QCOMPARE(t.computed(), 0); // read-only: ignored

    // An integer is accepted into a double property when exact.
    QVERIFY(QGb::fromWire(QVariant(QVariantMap { { "score", i64(3) } }), &p, &error,
                          QGbPath("result")));
    QCOMPARE(p.score, 3.0);
}

void tst_QGbCodec::refused_data()
{
    QTest::addColumn<Refusal>("refusal");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("mentions");
    const QGbPath args("args");
    const QGbPath result("result");

    QTest::newRow("NaN") << Refusal([] { return toWireError(qQNaN(), QGbPath("args").index(0)); })
                         << "args[0]"
                         << "NaN";
    QTest::newRow("Inf") << Refusal([] { return toWireError(qInf(), QGbPath("args").index(1)); })
                         << "args[1]"
                         << "Infinity";
    QTest::newRow("-Inf in list") << Refusal([] {
        return toWireError(QList<double> { 1, -qInf() }, QGbPath("args"));
    }) << "args[1]"
                                  << "-Infinity";
    QTest::newRow("float NaN") << Refusal([] {
        return toWireError(std::numeric_limits<float>::quiet_NaN(), QGbPath("args"));
    }) << "args"
                               << "float";
    QTest::newRow("NaN in QVariantMap") << Refusal([] {
        return toWireError(QVariantMap { { "x", QVariant(qQNaN()) } }, QGbPath("args"));
    }) << "args.x"
                                        << "NaN";
    QTest::newRow("NaN in gadget") << Refusal([] {
        return toWireError(person("a", qQNaN(), 1), QGbPath("args").index(2));
    }) << "args[2].score"
                                   << "NaN";
    QTest::newRow("quint64 beyond int64") << Refusal([] {
        return toWireError(std::numeric_limits<quint64>::max(), QGbPath("args"));
    }) << "args"
                                          << "18446744073709551615";
    QTest::newRow("int32 out of range")
            << Refusal([] { return fromWireError<int>(i64(5000000000), QGbPath("result")); })
            << "result"
            << "expected int, got integer 5000000000 (out of range)";
    QTest::newRow("int32 below range")
            << Refusal([] { return fromWireError<int>(i64(-2147483649LL), QGbPath("result")); })
            << "result"
            << "out of range";
    QTest::newRow("uint negative")
            << Refusal([] { return fromWireError<uint>(i64(-1), QGbPath("result")); }) << "result"
            << "uint";
    QTest::newRow("qint8 out of range")
            << Refusal([] { return fromWireError<qint8>(i64(200), QGbPath("result")); }) << "result"
            << "out of range";
    QTest::newRow("enum out of range")
            << Refusal([] { return fromWireError<Color>(i64(300), QGbPath("result")); }) << "result"
            << "out of range";
    // A Q_ENUM takes its enumerators' values only (anything else would be
    // undefined behaviour once read), directly or as a gadget's property.
    QTest::newRow("Q_ENUM, not a value")
            << Refusal([] { return fromWireError<Team::Level>(i64(3), QGbPath("result")); })
            << "result"
            << "expected Team::Level, got integer 3 (not one of its values)";
    QTest::newRow("Q_ENUM property, not a value") << Refusal([] {
        return fromWireError<Team>(QVariantMap { { "level", i64(31) } }, QGbPath("result"));
    }) << "result.level"
                                                  << "not one of its values";
    QTest::newRow("Q_FLAG, not a combination") << Refusal([] {
        QGbError error;
        Holder::Modes out;
        QGb::fromWire(i64(8), QMetaType::fromType<Holder::Modes>(), &out, &error,
                      QGbPath("result"));
        return error;
    }) << "result"
                                               << "not a combination of its flags";
    QTest::newRow("2^70 literal") << Refusal([] {
        return parseError("[1, 1180591620717411303424]");
    }) << "value[1]"
                                  << "integer beyond 64 bits";
    QTest::newRow("2^70 literal in message") << Refusal([] {
        QGbWire::Message msg;
        QGbWire::ParseContext ctx;
        QGbError error;
        const QByteArray json =
                R"({"type":"result","id":1,"value":{"a":[-1180591620717411303424]}})";
        QGbWire::parseMessage(json.constData(), json.constData() + json.size(), &msg, ctx, &error);
        return error;
    }) << "value.a[0]"
                                             << "integer beyond 64 bits";
    QTest::newRow("1e400 literal") << Refusal([] { return parseError("{\"x\": 1e400}"); }) << "x"
                                   << "double range";
    QTest::newRow("bool <- int") << Refusal([] {
        return fromWireError<bool>(i64(1), QGbPath("result"));
    }) << "result"
                                 << "expected bool, got integer 1";
    QTest::newRow("int <- bool") << Refusal([] {
        return fromWireError<int>(QVariant(true), QGbPath("result"));
    }) << "result"
                                 << "expected int, got bool";
    QTest::newRow("string <- int")
            << Refusal([] { return fromWireError<QString>(i64(3), QGbPath("result").index(0)); })
            << "result[0]"
            << "expected QString, got integer";
    QTest::newRow("int <- double")
            << Refusal([] { return fromWireError<int>(QVariant(3.0), QGbPath("result")); })
            << "result"
            << "got double 3";
    QTest::newRow("double <- string") << Refusal([] {
        return fromWireError<double>(QVariant(QStringLiteral("1")), QGbPath("result"));
    }) << "result"
                                      << "expected double, got string";
    QTest::newRow("double <- 2^53+1") << Refusal([] {
        return fromWireError<double>(i64((qint64(1) << 53) + 1), QGbPath("result"));
    }) << "result"
                                      << "not exactly representable";
    QTest::newRow("float <- 1e300")
            << Refusal([] { return fromWireError<float>(QVariant(1e300), QGbPath("result")); })
            << "result"
            << "float";
    QTest::newRow("QByteArray <- string") << Refusal([] {
        return fromWireError<QByteArray>(QVariant(QStringLiteral("x")), QGbPath("result"));
    }) << "result"
                                          << "got string";
    QTest::newRow("QString <- bytes") << Refusal([] {
        return fromWireError<QString>(QVariant(QByteArray("x")), QGbPath("result"));
    }) << "result"
                                      << "got bytes";
    QTest::newRow("null <- int") << Refusal([] {
        return fromWireError<std::nullptr_t>(i64(0), QGbPath("result"));
    }) << "result"
                                 << "nullptr";
    QTest::newRow("list element") << Refusal([] {
        return fromWireError<QList<int>>(QVariantList { i64(1), QStringLiteral("2") },
                                         QGbPath("result"));
    }) << "result[1]"
                                  << "expected int, got string";
    QTest::newRow("list <- map") << Refusal([] {
        return fromWireError<QList<int>>(QVariantMap {}, QGbPath("result"));
    }) << "result"
                                 << "got map";
    QTest::newRow("map value, quoted key") << Refusal([] {
        return fromWireError<QMap<QString, int>>(QVariantMap { { "a b", QStringLiteral("x") } },
                                                 QGbPath("result"));
    }) << "result[\"a b\"]"
                                           << "expected int";
    QTest::newRow("optional <- string") << Refusal([] {
        return fromWireError<std::optional<int>>(QVariant(QStringLiteral("x")), QGbPath("result"));
    }) << "result"
                                        << "expected int, got string";
    QTest::newRow("gadget property") << Refusal([] {
        QVariantList users;
        for (int i = 0; i < 3; ++i)
            users.append(QVariantMap { { "name", QStringLiteral("u") }, { "score", i64(i) } });
        users[2] = QVariantMap { { "name", QStringLiteral("u") },
                                 { "score", QStringLiteral("high") } };
        return fromWireError<Team>(QVariantMap { { "users", users } }, QGbPath("result"));
    }) << "result.users[2].score"
                                     << "result.users[2].score: expected double, got string";
    QTest::newRow("gadget <- list")
            << Refusal([] { return fromWireError<Person>(QVariantList {}, QGbPath("result")); })
            << "result"
            << "expected Person, got list";
    QTest::newRow("nested gadget property") << Refusal([] {
        return fromWireError<Team>(
                QVariantMap { { "lead", QVariantMap { { "age", i64(1LL << 40) } } } },
                QGbPath("result"));
    }) << "result.lead.age"
                                            << "out of range";
    QTest::newRow("QJsonValue <- bytes") << Refusal([] {
        return fromWireError<QJsonValue>(QVariantList { QVariant(QByteArray("x")) },
                                         QGbPath("result"));
    }) << "result[0]"
                                         << "got bytes";
    QTest::newRow("unsupported QVariant type")
            << Refusal([] { return toWireError(QVariant(QPoint(1, 2)), QGbPath("args").index(3)); })
            << "args[3]"
            << "QPoint";
    QTest::newRow("unsupported runtime target") << Refusal([] {
        QGbError error;
        QPoint p;
        QGb::fromWire(QVariant(QVariantMap {}), QMetaType::fromType<QPoint>(), &p, &error,
                      QGbPath("result"));
        return error;
    }) << "result"
                                                << "QPoint";
    QTest::newRow("unsupported in QVariantList") << Refusal([] {
        return toWireError(QVariantList { i64(1), QVariant(QPoint()) }, QGbPath("args"));
    }) << "args[1]"
                                                 << "QPoint";
    QTest::newRow("writeValue non-canonical") << Refusal([] {
        QByteArray json;
        QList<QByteArray> attachments;
        QGbError error;
        QGbWire::writeValue(&json, QVariantList { QVariant(1) }, &attachments, &error,
                            QGbPath("args"));
        return error;
    }) << "args[0]"
                                              << "int";
    QTest::newRow("writeValue NaN") << Refusal([] {
        QByteArray json;
        QGbError error;
        QGbWire::writeValue(&json, QVariantMap { { "n", QVariant(qQNaN()) } }, nullptr, &error,
                            QGbPath("result"));
        return error;
    }) << "result.n"
                                    << "NaN";

    // UTF-8 cannot carry an unpaired surrogate; nothing replaces it silently.
    const auto writeError = [](const QVariant &value) {
        QByteArray json;
        QGbError error;
        QGbWire::writeValue(&json, value, nullptr, &error, QGbPath("args", QGbPath::ListRoot));
        return error;
    };
    QTest::newRow("lone high surrogate")
            << Refusal([writeError] { return writeError(QVariantList { QString(QChar(0xD800)) }); })
            << "args[0]"
            << "surrogate";
    QTest::newRow("lone low surrogate, after text") << Refusal([writeError] {
        return writeError(QVariantList { QStringLiteral("ab") + QChar(0xDC00) });
    }) << "args[0]"
                                                    << "surrogate";
    QTest::newRow("high surrogate at the end") << Refusal([writeError] {
        return writeError(QVariantList { QString::fromUcs4(U"\U0001F600", 1) + QChar(0xD83D) });
    }) << "args[0]"
                                               << "surrogate";
    QTest::newRow("swapped pair") << Refusal([writeError] {
        return writeError(QVariantList { QString(QChar(0xDE00)) + QChar(0xD83D) });
    }) << "args[0]"
                                  << "surrogate";
    QTest::newRow("surrogate in a map key") << Refusal([writeError] {
        return writeError(
                QVariantList { QVariantMap { { QString(QChar(0xDBFF)), QVariant(i64(1)) } } });
    }) << "args[0]"
                                            << "map key";
}

void tst_QGbCodec::refused()
{
    QFETCH(Refusal, refusal);
    QFETCH(QString, path);
    QFETCH(QString, mentions);
    const QGbError error = refusal();
    QCOMPARE(error.code(), QGbError::TypeMismatch);
    const QString text = error.errorString();
    QVERIFY2(text.startsWith(path + QLatin1String(": ")), qPrintable(text));
    QVERIFY2(text.contains(mentions), qPrintable(text));
}

void tst_QGbCodec::doubles_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("0.1") << 0.1 << QByteArray("0.1");
    QTest::newRow("1e300") << 1e300 << QByteArray("1e+300");
    QTest::newRow("-0.0") << -0.0 << QByteArray("-0.0");
    QTest::newRow("0.0") << 0.0 << QByteArray("0.0");
    QTest::newRow("5e-324") << 5e-324 << QByteArray("5e-324");
    QTest::newRow("1.0") << 1.0 << QByteArray("1.0");
    QTest::newRow("100") << 100.0 << QByteArray("100.0");
    QTest::newRow("2^53") << 9007199254740992.0 << QByteArray("9007199254740992.0");
    QTest::newRow("max") << std::numeric_limits<double>::max()
                         << QByteArray("1.7976931348623157e+308");
    QTest::newRow("min normal") << std::numeric_limits<double>::min()
                                << QByteArray("2.2250738585072014e-308");
    QTest::newRow("1/3") << 1.0 / 3 << QByteArray("0.3333333333333333");
    QTest::newRow("-1.5e-10") << -1.5e-10 << QByteArray("-1.5e-10");
}

void tst_QGbCodec::doubles()
{
    QFETCH(double, value);
    QFETCH(QByteArray, json);
    QCOMPARE(writeJson(QVariant(value)), json);
    QVariant parsed;
    QGbWire::ParseContext ctx;
    QGbError error;
    QVERIFY(QGbWire::parseValue(json.constData(), json.constData() + json.size(), &parsed, ctx,
                                &error));
    QCOMPARE(parsed.typeId(), int(QMetaType::Double));
    const double back = parsed.toDouble();
    QVERIFY(std::memcmp(&back, &value, sizeof(double)) == 0); // bit for bit, sign of zero too
}

void tst_QGbCodec::integers_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("0") << qint64(0) << QByteArray("0");
    QTest::newRow("-1") << qint64(-1) << QByteArray("-1");
    QTest::newRow("max") << std::numeric_limits<qint64>::max() << QByteArray("9223372036854775807");
    QTest::newRow("min") << std::numeric_limits<qint64>::min()
                         << QByteArray("-9223372036854775808");
    QTest::newRow("2^53+1") << (qint64(1) << 53) + 1 << QByteArray("9007199254740993");
}

void tst_QGbCodec::integers()
{
    QFETCH(qint64, value);
    QFETCH(QByteArray, json);
    QCOMPARE(writeJson(i64(value)), json);
    QVariant parsed;
    QGbWire::ParseContext ctx;
    QGbError error;
    QVERIFY(QGbWire::parseValue(json.constData(), json.constData() + json.size(), &parsed, ctx,
                                &error));
    QCOMPARE(parsed.typeId(), int(QMetaType::LongLong));
    QCOMPARE(parsed.toLongLong(), value);
    qint64 out = 0;
    QVERIFY(QGb::fromWire(parsed, &out, &error, QGbPath("result")));
    QCOMPARE(out, value);
}

void tst_QGbCodec::strings_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("json"); // empty: only the round trip is checked
    QTest::newRow("empty") << QString() << QByteArray("\"\"");
    QTest::newRow("ascii") << QStringLiteral("hello") << QByteArray("\"hello\"");
    QTest::newRow("quote backslash slash")
            << QStringLiteral("a\"b\\c/d") << QByteArray("\"a\\\"b\\\\c/d\"");
    QTest::newRow("controls") << QString::fromUtf16(u"\b\f\n\r\t\x01\x1f\x7f", 8)
                              << QByteArray("\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
    QTest::newRow("embedded NUL") << QString::fromUtf16(u"a\0b", 3) << QByteArray("\"a\\u0000b\"");
    QTest::newRow("latin1") << QStringLiteral("é") << QByteArray("\"\xc3\xa9\"");
    QTest::newRow("bmp") << QStringLiteral("€✓中")
                         << QByteArray("\"\xe2\x82\xac\xe2\x9c\x93\xe4\xb8\xad\"");
    QTest::newRow("emoji") << QStringLiteral("😀") << QByteArray("\"\xf0\x9f\x98\x80\"");
    QTest::newRow("U+10FFFF") << QString::fromUcs4(U"\U0010FFFF", 1)
                              << QByteArray("\"\xf4\x8f\xbf\xbf\"");
    QTest::newRow("U+FFFF") << QString(QChar(0xFFFF)) << QByteArray("\"\xef\xbf\xbf\"");
    QString longMixed;
    for (int i = 0; i < 5000; ++i)
        longMixed += (i % 7 == 0) ? QStringLiteral("😀") : QString(QChar(u'a' + i % 26));
    QTest::newRow("long, pairs across blocks") << longMixed << QByteArray();
    QString allBmp;
    for (char16_t c = 1; c < 0xD800; c += 7)
        allBmp += QChar(c);
    QTest::newRow("bmp sweep") << allBmp << QByteArray();
    QTest::newRow("long controls") << QString(3000, QChar(1)) << QByteArray();
}

void tst_QGbCodec::strings()
{
    QFETCH(QString, value);
    QFETCH(QByteArray, json);
    QByteArray written;
    QVERIFY(QGbWire::writeString(&written, value));
    if (!json.isEmpty())
        QCOMPARE(written, json);
    QVERIFY(QString::fromUtf8(written).toUtf8() == written); // valid UTF-8
    QVariant parsed;
    QGbWire::ParseContext ctx;
    QGbError error;
    QVERIFY2(QGbWire::parseValue(written.constData(), written.constData() + written.size(), &parsed,
                                 ctx, &error),
             qPrintable(error.errorString()));
    QCOMPARE(parsed.typeId(), int(QMetaType::QString));
    QCOMPARE(parsed.toString(), value);

    // The same string as a map key.
    const QVariantMap map { { value, i64(1) }, { "other", i64(2) } };
    if (!value.isEmpty()) {
        QVariant back;
        QByteArray text;
        QVERIFY(wireRoundTrip(QVariant(map), &back, &text, &error));
        QCOMPARE(back, QVariant(map));
    }
}

void tst_QGbCodec::validJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QVariant>("expected");
    QTest::newRow("spaces") << QByteArray(" \t\r\n 1 \n") << i64(1);
    QTest::newRow("-0 int") << QByteArray("-0") << i64(0);
    QTest::newRow("exponent is double") << QByteArray("1E2") << QVariant(100.0);
    QTest::newRow("exponent sign") << QByteArray("25e-1") << QVariant(2.5);
    QTest::newRow("underflow") << QByteArray("1e-400") << QVariant(0.0);
    QTest::newRow("empty list") << QByteArray("[ ]") << QVariant(QVariantList());
    QTest::newRow("empty map") << QByteArray("{ }") << QVariant(QVariantMap());
    QTest::newRow("literals") << QByteArray("[true,false,null]")
                              << QVariant(QVariantList { QVariant(true), QVariant(false), null() });
    QTest::newRow("escapes") << QByteArray(R"("\u00e9\ud83d\ude00\/\"")")
                             << QVariant(QStringLiteral("é😀/\""));
    QTest::newRow("raw utf8") << QByteArray("\"\xc3\xa9\xf0\x9f\x98\x80\"")
                              << QVariant(QStringLiteral("é😀"));
    QTest::newRow("DEL is fine") << QByteArray("\"\x7f\"") << QVariant(QStringLiteral("\x7f"));
    QTest::newRow("escaped key") << QByteArray(R"({"\u00e9":1})")
                                 << QVariant(QVariantMap { { QStringLiteral("é"), i64(1) } });
    QTest::newRow("stream marker")
            << QByteArray(R"({"$stream":0})") << QVariant::fromValue(QGbStreamMarker());
    QTest::newRow("stream marker, spaces")
            << QByteArray(R"({ "$stream" : 0 })") << QVariant::fromValue(QGbStreamMarker());
    QTest::newRow("$map") << QByteArray(R"({"$map":{"$bytes":1}})")
                          << QVariant(QVariantMap { { "$bytes", i64(1) } });
    QTest::newRow("$ keys, two of them")
            << QByteArray(R"({"$bytes":0,"$x":1})")
            << QVariant(QVariantMap { { "$bytes", i64(0) }, { "$x", i64(1) } });
    QTest::newRow("$map key among others")
            << QByteArray(R"({"$map":{"$stream":0},"b":2})")
            << QVariant(QVariantMap { { "$map", QVariant::fromValue(QGbStreamMarker()) },
                                      { "b", i64(2) } });
    QTest::newRow("$ key, value with braces")
            << QByteArray(R"({"$a":"}","b":[{"c":"]"}]})")
            << QVariant(QVariantMap {
                       { "$a", QStringLiteral("}") },
                       { "b", QVariantList { QVariantMap { { "c", QStringLiteral("]") } } } } });
    QTest::newRow("int64 max") << QByteArray("9223372036854775807")
                               << i64(std::numeric_limits<qint64>::max());
    QTest::newRow("int64 min") << QByteArray("-9223372036854775808")
                               << i64(std::numeric_limits<qint64>::min());
    QTest::newRow("many digits double")
            << QByteArray("12345678901234567890.5") << QVariant(12345678901234567890.5);
    QByteArray deep = QByteArray(512, '[') + QByteArray(512, ']');
    QVariant deepValue = QVariantList();
    for (int i = 1; i < 512; ++i)
        deepValue = QVariantList { deepValue };
    QTest::newRow("depth 512") << deep << deepValue;
}

void tst_QGbCodec::validJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QVariant, expected);
    QVariant parsed;
    QGbWire::ParseContext ctx;
    QGbError error;
    QVERIFY2(QGbWire::parseValue(json.constData(), json.constData() + json.size(), &parsed, ctx,
                                 &error),
             qPrintable(error.errorString()));
    QCOMPARE(parsed, expected);
    QCOMPARE(parsed.typeId(), expected.typeId());
}

void tst_QGbCodec::invalidJson_data()
{
    QTest::addColumn<QByteArray>("json");
    const char *rows[][2] = {
        { "empty", "" },
        { "spaces only", "   " },
        { "open brace", "{" },
        { "open bracket", "[" },
        { "trailing comma list", "[1,]" },
        { "trailing comma object", R"({"a":1,})" },
        { "leading zero", "01" },
        { "dot without digits", "1." },
        { "leading dot", ".5" },
        { "plus sign", "+1" },
        { "minus alone", "-" },
        { "exponent without digits", "1e" },
        { "hex", "0x10" },
        { "NaN", "NaN" },
        { "Infinity", "Infinity" },
        { "tru", "tru" },
        { "nul", "nul" },
        { "True", "True" },
        { "single quotes", "'a'" },
        { "unterminated string", "\"abc" },
        { "backslash at end", "\"abc\\" },
        { "invalid escape", R"("\x")" },
        { "short \\u", R"("\u12")" },
        { "bad hex \\u", R"("\u12g4")" },
        { "lone high surrogate", R"("\ud800")" },
        { "lone low surrogate", R"("\udc00")" },
        { "high then non-low", R"("\ud800\u0041")" },
        { "high then high", R"("\ud800\ud800")" },
        { "raw control char", "\"a\x01\"" },
        { "raw newline", "\"a\nb\"" },
        { "invalid byte", "\"\xff\"" },
        { "continuation byte alone", "\"\x80\"" },
        { "overlong 2-byte", "\"\xc0\xaf\"" },
        { "overlong 3-byte", "\"\xe0\x80\xaf\"" },
        { "utf8 surrogate", "\"\xed\xa0\x80\"" },
        { "above U+10FFFF", "\"\xf4\x90\x80\x80\"" },
        { "truncated sequence", "\"\xe2\x82\"" },
        { "truncated at end", "\"\xe2" },
        { "utf8 outside string", "\xc3\xa9" },
        { "BOM",
          "\xef\xbb\xbf"
          "1" },
        { "two values", "1 2" },
        { "garbage after list", "[1] x" },
        { "missing colon", R"({"a" 1})" },
        { "number key", "{1:2}" },
        { "missing comma", "[1 2]" },
        { "unclosed object", R"({"a":1)" },
        { "unknown marker", R"({"$foo":1})" },
        { "bytes marker, no attachments", R"({"$bytes":0})" },
        { "bytes marker, string index", R"({"$bytes":"0"})" },
        { "bytes marker, negative", R"({"$bytes":-1})" },
        { "stream marker, index 1", R"({"$stream":1})" },
        { "map marker, not an object", R"({"$map":1})" },
        { "map marker, list", R"({"$map":[]})" },
        { "comment", "[1] // x" },
        { "duplicate key", R"({"a":1,"a":2})" },
        { "duplicate key, escaped", R"({"a":1,"\u0061":2})" },
        { "duplicate key, nested", R"([{"x":{"b":[],"c":0,"b":null}}])" },
        { "duplicate key in a $map", R"({"$map":{"$a":1,"$a":2}})" },
        // Found by fuzz_wire: a bad attachment index in a value a later
        // duplicate would have replaced was an error only when parsing
        // resolved attachments at once.
        { "duplicate key hides a bad attachment", R"({"v":{"$bytes":2},"v":1})" },
    };
    for (const auto &row : rows)
        QTest::newRow(row[0]) << QByteArray(row[1]);
    QTest::newRow("NUL byte") << QByteArray("[1,\0 2]", 7);
    QTest::newRow("depth 513 lists") << QByteArray(513, '[') + QByteArray(513, ']');
    QByteArray deepObject;
    for (int i = 0; i < 513; ++i)
        deepObject += "{\"a\":";
    deepObject += "1" + QByteArray(513, '}');
    QTest::newRow("depth 513 objects") << deepObject;
    QTest::newRow("depth 100000") << QByteArray(100000, '[');
}

void tst_QGbCodec::invalidJson()
{
    QFETCH(QByteArray, json);
    const QGbError error = parseError(json);
    QCOMPARE(error.code(), QGbError::ProtocolError);
    QVERIFY2(error.errorString().contains(QLatin1String("byte")), qPrintable(error.errorString()));
    const QGbError deferred = deferredParseError(json);
    QCOMPARE(deferred.code(), QGbError::ProtocolError);
}

void tst_QGbCodec::mapEscaping_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QByteArray>("json");
    const QVariant marker = QVariant::fromValue(QGbStreamMarker());
    QTest::newRow("$bytes key") << QVariant(QVariantMap { { "$bytes", i64(0) } })
                                << QByteArray(R"({"$map":{"$bytes":0}})");
    QTest::newRow("$stream key") << QVariant(QVariantMap { { "$stream", i64(0) } })
                                 << QByteArray(R"({"$map":{"$stream":0}})");
    QTest::newRow("$map key") << QVariant(
            QVariantMap { { "$map", QVariantMap { { "a", i64(1) } } } })
                              << QByteArray(R"({"$map":{"$map":{"a":1}}})");
    QTest::newRow("$map of $map") << QVariant(
            QVariantMap { { "$map", QVariantMap { { "$map", i64(1) } } } })
                                  << QByteArray(R"({"$map":{"$map":{"$map":{"$map":1}}}})");
    QTest::newRow("$x holding a marker") << QVariant(QVariantMap { { "$x", marker } })
                                         << QByteArray(R"({"$map":{"$x":{"$stream":0}}})");
    QTest::newRow("two $ keys") << QVariant(QVariantMap { { "$a", i64(1) }, { "$b", i64(2) } })
                                << QByteArray(R"({"$a":1,"$b":2})");
    QTest::newRow("plain one key")
            << QVariant(QVariantMap { { "a", i64(1) } }) << QByteArray(R"({"a":1})");
    QTest::newRow("$ key holding bytes") << QVariant(QVariantMap { { "$k", QByteArray("raw") } })
                                         << QByteArray(R"({"$map":{"$k":{"$bytes":0}}})");
    QTest::newRow("bytes and stream")
            << QVariant(QVariantList { QByteArray("a"), marker, QByteArray("b") })
            << QByteArray(R"([{"$bytes":0},{"$stream":0},{"$bytes":1}])");
}

void tst_QGbCodec::mapEscaping()
{
    QFETCH(QVariant, value);
    QFETCH(QByteArray, json);
    QVariant parsed;
    QByteArray written;
    QGbError error;
    QVERIFY2(wireRoundTrip(value, &parsed, &written, &error), qPrintable(error.errorString()));
    QCOMPARE(written, json);
    QCOMPARE(parsed, value);
}

void tst_QGbCodec::nestingLimit_data()
{
    QTest::addColumn<Refusal>("refusal");
    QTest::addColumn<QString>("path"); // how the abbreviated path starts
    QTest::newRow("nested 201 levels") << Refusal([] {
        return toWireError(nestedLists(QGb::MaxNesting + 1),
                           QGbPath("args", QGbPath::ListRoot).index(0));
    }) << "args[0][0][0]";
    // Refused without recursing 50000 levels deep; the value is taken apart
    // afterwards (dismantleNested()).
    QTest::newRow("nested 50000 levels") << Refusal([] {
        QVariant deep = nestedLists(50000);
        const QGbError refused = toWireError(deep, QGbPath("result"));
        dismantleNested(&deep);
        return refused;
    }) << "result[0][0]";
    QTest::newRow("maps nested 201 levels") << Refusal([] {
        QVariant v = i64(1);
        for (int i = 0; i <= QGb::MaxNesting; ++i)
            v = QVariantMap { { QStringLiteral("k"), v } };
        return toWireError(v, QGbPath("result"));
    }) << "result.k.k";
    QTest::newRow("201 lists, the innermost empty") << Refusal([] {
        QVariant v = QVariantList();
        for (int i = 0; i < QGb::MaxNesting; ++i)
            v = QVariantList { v };
        return toWireError(v, QGbPath("result"));
    }) << "result[0][0]";
    QTest::newRow("JSON nested 201 levels") << Refusal([] {
        QJsonArray a { 1 };
        for (int i = 0; i < QGb::MaxNesting; ++i)
            a = QJsonArray { a };
        return toWireError(a, QGbPath("result"));
    }) << "result[0]";
}

void tst_QGbCodec::nestingLimit()
{
    // Deeper than MaxNesting: refused before anything is sent, naming the path.
    QFETCH(Refusal, refusal);
    QFETCH(QString, path);
    const QGbError refused = refusal();
    QCOMPARE(refused.code(), QGbError::TypeMismatch);
    QVERIFY2(refused.errorString().startsWith(path), qPrintable(refused.errorString()));
    QVERIFY2(refused.errorString().endsWith(QLatin1String(": nested deeper than 200 levels")),
             qPrintable(refused.errorString()));

    // Exactly MaxNesting levels is fine; one more through a typed container is not.
    QVariant v = i64(7);
    for (int i = 0; i < QGb::MaxNesting; ++i)
        v = QVariantList { v };
    QVariant wire;
    QGbError error;
    QVERIFY2(QGb::toWire(v, &wire, &error, QGbPath("args", QGbPath::ListRoot).index(0)),
             qPrintable(error.errorString()));
    QVERIFY(QGb::isCanonical(wire));
    QVERIFY(!QGb::isCanonical(QVariantList { wire }));
    QVERIFY(QGb::toWire(v, &wire, &error, QGbPath("result")));
    QVERIFY(!QGb::toWire(QList<QVariant> { v }, &wire, &error, QGbPath("result")));
    QCOMPARE(error.code(), QGbError::TypeMismatch);
}

void tst_QGbCodec::writeValueFailureLeavesOutput()
{
    QByteArray json("prefix");
    QList<QByteArray> attachments { QByteArray("existing") };
    QGbError error;
    const QVariantList value { QByteArray("a"), QVariant(qQNaN()) };
    QVERIFY(!QGbWire::writeValue(&json, value, &attachments, &error, QGbPath("args")));
    QCOMPARE(json, QByteArray("prefix"));
    QCOMPARE(attachments.size(), 1);

    // Bytes where no attachments can follow.
    QVERIFY(!QGbWire::writeValue(&json, QVariant(QByteArray("x")), nullptr, &error,
                                 QGbPath("args")));
    QCOMPARE(error.code(), QGbError::TypeMismatch);
}

void tst_QGbCodec::path_data()
{
    QTest::addColumn<QString>("rendered");
    QTest::addColumn<QString>("expected");
    const QGbPath args("args");
    const QString users = QStringLiteral("users");
    QTest::newRow("root") << args.toString() << "args";
    QTest::newRow("deep") << args.index(1).key(users).index(3).key(u"score").toString()
                          << "args[1].users[3].score";
    QTest::newRow("empty root") << QGbPath().toString() << "value";
    QTest::newRow("empty root key") << QGbPath().key(u"items").index(0).toString() << "items[0]";
    QTest::newRow("empty root index") << QGbPath().index(2).key(u"a").toString() << "value[2].a";
    QTest::newRow("latin1 key") << QGbPath("result").key(QLatin1String("x_1")).toString()
                                << "result.x_1";
    QTest::newRow("quoted key") << QGbPath("r").key(u"a.b \"c\"").toString()
                                << "r[\"a.b \\\"c\\\"\"]";
    QTest::newRow("empty key") << QGbPath("r").key(u"").toString() << "r[\"\"]";
    QTest::newRow("digit key") << QGbPath("r").key(u"1").toString() << "r[\"1\"]";
    QTest::newRow("digit key, latin1")
            << QGbPath("r").key(QLatin1String("2x")).toString() << "r[\"2x\"]";
    QTest::newRow("minus key") << QGbPath("r").key(u"-a").toString() << "r[\"-a\"]";
    QTest::newRow("key with digits") << QGbPath("r").key(u"a-1").toString() << "r.a-1";
    QTest::newRow("unicode key") << QGbPath("r").key(u"größe").toString() << "r.größe";
}

void tst_QGbCodec::path()
{
    QFETCH(QString, rendered);
    QFETCH(QString, expected);
    QCOMPARE(rendered, expected);
}

namespace {

// A stream of messages covering attachments, markers and $map escapes.
struct Stream
{
    QByteArray bytes;
    QList<QVariantMap> expected;
};

Stream makeStream()
{
    Stream s;
    for (int i = 0; i < 20; ++i) {
        QVariantMap fields { { "type", QStringLiteral("chunk") }, { "id", i64(i + 1) } };
        QVariantList items { i64(i), QStringLiteral("é%1😀").arg(i), QVariant(i * 0.5),
                             QVariantMap { { "$k", i64(i) } } };
        QList<QByteArray> attachments;
        if (i % 3 == 0) {
            items.append(QByteArray(i * 10, char('a' + i)));
            items.append(QByteArray()); // an empty attachment frame
        }
        QByteArray json("{\"type\":\"chunk\",\"id\":");
        json += QByteArray::number(i + 1) + ",\"items\":";
        QGbError error;
        QGbWire::writeValue(&json, items, &attachments, &error, QGbPath("items"));
        if (!attachments.isEmpty()) {
            json += ",\"att\":" + QByteArray::number(attachments.size());
            fields.insert("att", i64(attachments.size()));
        }
        json += '}';
        fields.insert("items", items);
        QGbWire::appendMessage(&s.bytes, json, attachments, QGbWire::DefaultMaxFrame, &error);
        s.expected.append(fields);
    }
    return s;
}

bool drain(QGbWire::FrameReader *reader, QList<QVariantMap> *got)
{
    for (;;) {
        QGbWire::Message msg;
        QGbError error;
        switch (reader->next(&msg, &error)) {
        case QGbWire::FrameReader::NeedMore:
            return true;
        case QGbWire::FrameReader::Error:
            qWarning() << error;
            return false;
        case QGbWire::FrameReader::Ready:
            if (msg.type != "chunk" || msg.id != msg.fields.value("id").toLongLong())
                return false;
            got->append(msg.fields);
            break;
        }
    }
}

} // namespace

void tst_QGbCodec::frameReaderByteByByte()
{
    const Stream s = makeStream();
    QGbWire::FrameReader reader;
    QList<QVariantMap> got;
    for (qsizetype i = 0; i < s.bytes.size(); ++i) {
        reader.append(s.bytes.constData() + i, 1);
        QVERIFY(drain(&reader, &got));
    }
    QCOMPARE(got.size(), s.expected.size());
    for (qsizetype i = 0; i < got.size(); ++i)
        QCOMPARE(got.at(i), s.expected.at(i));
    QCOMPARE(reader.bufferedBytes(), 0);
}

void tst_QGbCodec::frameReaderRandomSplits()
{
    const Stream s = makeStream();
    QRandomGenerator random(12345);
    for (int round = 0; round < 200; ++round) {
        QGbWire::FrameReader reader;
        QList<QVariantMap> got;
        qsizetype pos = 0;
        while (pos < s.bytes.size()) {
            const qsizetype n = qMin<qsizetype>(s.bytes.size() - pos, random.bounded(1, 300));
            reader.append(s.bytes.constData() + pos, n);
            pos += n;
            QVERIFY(drain(&reader, &got));
        }
        QCOMPARE(got, s.expected);
        QCOMPARE(reader.bufferedBytes(), 0);
    }
}

void tst_QGbCodec::frameReaderAttachments()
{
    QGbWire::FrameReader reader;
    const QByteArray json =
            R"({"type":"result","id":7,"value":{"a":{"$bytes":1},"b":[{"$bytes":0}]},"att":2})";
    QByteArray bytes = frame(json) + frame("first") + frame(QByteArray("sec\0nd", 6));
    // The message frame alone: not ready until both attachments are in.
    reader.append(bytes.constData(), 4 + json.size() + 3);
    QGbWire::Message msg;
    QGbError error;
    QCOMPARE(reader.next(&msg, &error), QGbWire::FrameReader::NeedMore);
    QVERIFY(reader.bufferedBytes() > 0);
    reader.append(bytes.constData() + 4 + json.size() + 3, bytes.size() - 4 - json.size() - 3);
    QCOMPARE(reader.next(&msg, &error), QGbWire::FrameReader::Ready);
    QCOMPARE(msg.type, QByteArray("result"));
    QCOMPARE(msg.id, 7);
    const QVariantMap value = msg.fields.value("value").toMap();
    QCOMPARE(value.value("a"), QVariant(QByteArray("sec\0nd", 6)));
    QCOMPARE(value.value("b"), QVariant(QVariantList { QByteArray("first") }));
    QCOMPARE(reader.next(&msg, &error), QGbWire::FrameReader::NeedMore);
    QCOMPARE(reader.bufferedBytes(), 0);

    // A message without id and type-only envelope.
    reader.append(frame(R"({"type":"pong","seq":3})"));
    QCOMPARE(reader.next(&msg, &error), QGbWire::FrameReader::Ready);
    QCOMPARE(msg.type, QByteArray("pong"));
    QCOMPARE(msg.id, 0);
    QCOMPARE(msg.fields.value("seq"), i64(3));

    // An unknown type is kept as is (the caller decides).
    reader.append(frame(R"({"type":"zzz"})"));
    QCOMPARE(reader.next(&msg, &error), QGbWire::FrameReader::Ready);
    QCOMPARE(msg.type, QByteArray("zzz"));
}

void tst_QGbCodec::frameReaderLargeAttachment()
{
    QByteArray big(8 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char(i * 31 + (i >> 12));
    QByteArray json;
    QList<QByteArray> attachments;
    QGbError error;
    QByteArray envelope("{\"type\":\"result\",\"id\":1,\"value\":");
    QVERIFY(QGbWire::writeValue(&envelope, QVariant(big), &attachments, &error, QGbPath("result")));
    envelope += ",\"att\":1}";
    QByteArray stream;
    QVERIFY(QGbWire::appendMessage(&stream, envelope, attachments, QGbWire::DefaultMaxFrame,
                                   &error));
    QGbWire::FrameReader reader;
    QGbWire::Message msg;
    for (qsizetype pos = 0; pos < stream.size(); pos += 65536) {
        reader.append(stream.constData() + pos, qMin<qsizetype>(65536, stream.size() - pos));
        const auto status = reader.next(&msg, &error);
        QVERIFY(status != QGbWire::FrameReader::Error);
        if (status == QGbWire::FrameReader::Ready)
            QCOMPARE(pos + 65536 >= stream.size(), true);
    }
    QCOMPARE(msg.fields.value("value").toByteArray(), big);
}

void tst_QGbCodec::frameReaderErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<quint32>("maxFrame");
    QTest::addColumn<QGbError::Code>("code");
    QTest::addColumn<QString>("mentions");
    const auto len = [](quint32 n) {
        QByteArray b(4, '\0');
        qToBigEndian(n, b.data());
        return b;
    };
    QTest::newRow("length above max")
            << len(1025) + QByteArray(10, 'x') << 1024u << QGbError::FrameTooLarge << "1025";
    QTest::newRow("length 4 GiB") << len(0xffffffffu) << QGbWire::DefaultMaxFrame
                                  << QGbError::FrameTooLarge << "4294967295";
    QTest::newRow("attachment above max")
            << frame(R"({"type":"result","id":1,"value":{"$bytes":0},"att":1})") + len(5000)
            << 4096u << QGbError::FrameTooLarge << "attachment";
    QTest::newRow("garbage") << frame("\x01\x02garbage") << QGbWire::DefaultMaxFrame
                             << QGbError::ProtocolError << "byte 0";
    QTest::newRow("not an object")
            << frame("[1,2]") << QGbWire::DefaultMaxFrame << QGbError::ProtocolError << "object";
    QTest::newRow("no type") << frame(R"({"id":1})") << QGbWire::DefaultMaxFrame
                             << QGbError::ProtocolError << "type";
    QTest::newRow("type not a string") << frame(R"({"type":1})") << QGbWire::DefaultMaxFrame
                                       << QGbError::ProtocolError << "type";
    QTest::newRow("id not an integer")
            << frame(R"({"type":"call","id":"1"})") << QGbWire::DefaultMaxFrame
            << QGbError::ProtocolError << "id";
    QTest::newRow("att negative") << frame(R"({"type":"call","att":-1})")
                                  << QGbWire::DefaultMaxFrame << QGbError::ProtocolError << "att";
    QTest::newRow("att not an integer")
            << frame(R"({"type":"call","att":"x"})") << QGbWire::DefaultMaxFrame
            << QGbError::ProtocolError << "att";
    QTest::newRow("$bytes beyond att")
            << frame(R"({"type":"result","value":{"$bytes":1},"att":1})") + frame("a")
            << QGbWire::DefaultMaxFrame << QGbError::ProtocolError << "attachment 1";
    QTest::newRow("$bytes without att")
            << frame(R"({"type":"result","value":{"$bytes":0}})") << QGbWire::DefaultMaxFrame
            << QGbError::ProtocolError << "attachment 0";
    QTest::newRow("invalid UTF-8") << frame("{\"type\":\"x\xff\"}") << QGbWire::DefaultMaxFrame
                                   << QGbError::ProtocolError << "UTF-8";
    QTest::newRow("trailing garbage") << frame(R"({"type":"x"}x)") << QGbWire::DefaultMaxFrame
                                      << QGbError::ProtocolError << "byte 12";
    QTest::newRow("2^70") << frame(R"({"type":"result","value":[1180591620717411303424]})")
                          << QGbWire::DefaultMaxFrame << QGbError::TypeMismatch << "value[0]";
}

void tst_QGbCodec::frameReaderErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(quint32, maxFrame);
    QFETCH(QGbError::Code, code);
    QFETCH(QString, mentions);
    QGbWire::FrameReader reader(maxFrame);
    QGbWire::Message msg;
    QGbError error;
    // Any split reaches the same verdict.
    reader.append(bytes.constData(), 3);
    QGbWire::FrameReader::Status status = reader.next(&msg, &error);
    if (status == QGbWire::FrameReader::NeedMore) {
        reader.append(bytes.constData() + 3, bytes.size() - 3);
        status = reader.next(&msg, &error);
    }
    QCOMPARE(status, QGbWire::FrameReader::Error);
    QCOMPARE(error.code(), code);
    QVERIFY2(error.errorString().contains(mentions), qPrintable(error.errorString()));
    // The reader stays in error, even when good data follows.
    reader.append(frame(R"({"type":"ping","seq":1})"));
    QGbError again;
    QCOMPARE(reader.next(&msg, &again), QGbWire::FrameReader::Error);
    QCOMPARE(again, error);
    QVERIFY(reader.hasError());
}

void tst_QGbCodec::appendMessageTooLarge()
{
    QByteArray out("keep");
    QGbError error;
    QVERIFY(!QGbWire::appendMessage(&out, QByteArray(100, 'x'), {}, 99, &error));
    QCOMPARE(error.code(), QGbError::FrameTooLarge);
    QCOMPARE(out, QByteArray("keep"));
    QVERIFY(!QGbWire::appendMessage(&out, R"({"type":"x","att":2})",
                                    { QByteArray(10, 'a'), QByteArray(200, 'b') }, 100, &error));
    QCOMPARE(error.code(), QGbError::FrameTooLarge);
    QVERIFY2(error.errorString().contains(QLatin1String("attachment 1")),
             qPrintable(error.errorString()));
    QCOMPARE(out, QByteArray("keep"));
    // Exactly at the limit is fine.
    QVERIFY(QGbWire::appendMessage(&out, QByteArray(99, 'x'), { QByteArray(99, 'y') }, 99, &error));
    QCOMPARE(out.size(), 4 + 4 + 99 + 4 + 99);
    QCOMPARE(qFromBigEndian<quint32>(out.constData() + 4), 99u);
}

void tst_QGbCodec::largePayload()
{
    QList<Person> people;
    people.reserve(10000);
    for (int i = 0; i < 10000; ++i)
        people.append(person(QStringLiteral("user %1").arg(i), i * 0.25, i % 100));

    QElapsedTimer timer;
    timer.start();
    QVariant wire;
    QGbError error;
    QVERIFY(QGb::toWire(people, &wire, &error, QGbPath("args")));
    const qint64 toWireNs = timer.nsecsElapsed();
    timer.restart();
    QByteArray json;
    QVERIFY(QGbWire::writeValue(&json, wire, nullptr, &error, QGbPath("args")));
    const qint64 writeNs = timer.nsecsElapsed();

    QByteArray envelope = "{\"type\":\"result\",\"id\":1,\"value\":" + json + "}";
    QByteArray stream = frame(envelope);
    QGbWire::FrameReader reader;
    timer.restart();
    reader.append(stream);
    QGbWire::Message msg;
    QCOMPARE(reader.next(&msg, &error), QGbWire::FrameReader::Ready);
    const qint64 parseNs = timer.nsecsElapsed();
    timer.restart();
    QList<Person> back;
    QVERIFY(QGb::fromWire(msg.fields.value("value"), &back, &error, QGbPath("result")));
    const qint64 fromWireNs = timer.nsecsElapsed();
    QCOMPARE(back.size(), 10000);
    QCOMPARE(back, people);
    qInfo("10k dicts, %lld bytes: toWire %.2f ms, write %.2f ms, parse %.2f ms, fromWire %.2f ms",
          qint64(json.size()), toWireNs / 1e6, writeNs / 1e6, parseNs / 1e6, fromWireNs / 1e6);
}

QTEST_GUILESS_MAIN(tst_QGbCodec)
#include "tst_qgbcodec.moc"
