// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// QGbSocket, each implementation on its own, against a real Unix domain socket
// server (QLocalServer): the promises of qgbsocket_p.h the engine relies on,
// and the factory's choice. The pool suites run on both transports too
// (the *_qlocalsocket tests); this one pins down what a pool rarely reaches.

#include "qgbsocket_p.h"

#include <QGbPoolOptions>

#include <QtCore/qrandom.h>
#include <QtCore/qtemporarydir.h>
#include <QtNetwork/qlocalserver.h>
#include <QtNetwork/qlocalsocket.h>
#include <QtTest/qsignalspy.h>
#include <QtTest/qtest.h>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using Transport = QGbPoolOptions::Transport;

Q_DECLARE_METATYPE(QGbPoolOptions::Transport)

namespace {

constexpr int Timeout = 20000;

#ifdef Q_OS_LINUX
constexpr auto PlatformDefault = "QGbRawSocket";
constexpr auto RawOrFallback = "QGbRawSocket";
#else
constexpr auto PlatformDefault = "QGbLocalSocket";
constexpr auto RawOrFallback = "QGbLocalSocket";
#endif

QByteArray randomBytes(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(data.data()),
                                          size / qsizetype(sizeof(quint32)));
    for (qsizetype i = size - size % qsizetype(sizeof(quint32)); i < size; ++i)
        data[i] = char(i);
    return data;
}

// A QGbSocket and what it reported, read as the engine reads: readAll() in
// the readyRead() slot.
struct Client
{
    explicit Client(Transport transport)
        : socket(QGbSocket::create(transport))
    {
        QObject::connect(socket.get(), &QGbSocket::connected, [this] { events << u"connected"_s; });
        QObject::connect(socket.get(), &QGbSocket::readyRead, [this] {
            events << u"readyRead"_s;
            if (!socket->isOpen())
                readWhileClosed = true;
            received += socket->readAll();
        });
        QObject::connect(socket.get(), &QGbSocket::disconnected, [this] {
            events << u"disconnected"_s;
            leftAfterEnd += socket->readAll().size();
        });
        QObject::connect(socket.get(), &QGbSocket::errorOccurred, [this] {
            events << u"errorOccurred"_s;
            leftAfterEnd += socket->readAll().size();
        });
    }

    int count(const QString &event) const { return int(events.count(event)); }
    bool ended() const { return count(u"disconnected"_s) + count(u"errorOccurred"_s) > 0; }

    std::unique_ptr<QGbSocket> socket;
    QStringList events;
    QByteArray received;
    qsizetype leftAfterEnd = 0;
    bool readWhileClosed = false;
};

} // namespace

class tst_QGbTransport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void options();
    void factory_data();
    void factory();

    void roundTrip_data() { transports(); }
    void roundTrip();
    void bothWaysAtOnce_data() { transports(); }
    void bothWaysAtOnce();
    void writeGoesOutAtOnce_data() { transports(); }
    void writeGoesOutAtOnce();
    void peerCloseAfterData_data() { transports(); }
    void peerCloseAfterData();
    void writeAfterPeerClosed_data() { transports(); }
    void writeAfterPeerClosed();
    void missingPath_data() { transports(); }
    void missingPath();
    void fullBacklog_data() { transports(); }
    void fullBacklog();
    void abortIsSilent_data();
    void abortIsSilent();

private:
    static void transports();
    // Connects client to m_server and returns the server's end.
    QLocalSocket *connectClient(Client &client);

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<QLocalServer> m_server;
    QByteArray m_savedTransport;
    bool m_hadTransport = false;
};

void tst_QGbTransport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(u"s.sock"_s);
    m_hadTransport = qEnvironmentVariableIsSet("QGB_TRANSPORT");
    m_savedTransport = qgetenv("QGB_TRANSPORT");
}

void tst_QGbTransport::init()
{
    m_server = std::make_unique<QLocalServer>();
    QVERIFY2(m_server->listen(m_path), qPrintable(m_server->errorString()));
}

void tst_QGbTransport::cleanup()
{
    m_server.reset();
    QFile::remove(m_path);
    if (m_hadTransport)
        qputenv("QGB_TRANSPORT", m_savedTransport);
    else
        qunsetenv("QGB_TRANSPORT");
}

void tst_QGbTransport::transports()
{
    QTest::addColumn<Transport>("transport");
    QTest::addColumn<QByteArray>("className");
#ifdef Q_OS_LINUX
    QTest::newRow("raw") << Transport::RawSocket << QByteArray("QGbRawSocket");
#endif
    QTest::newRow("qlocalsocket") << Transport::LocalSocket << QByteArray("QGbLocalSocket");
}

QLocalSocket *tst_QGbTransport::connectClient(Client &client)
{
    client.socket->connectToServer(m_path);
    [&] { QTRY_COMPARE_WITH_TIMEOUT(client.events, QStringList { u"connected"_s }, Timeout); }();
    [&] { QTRY_VERIFY_WITH_TIMEOUT(m_server->hasPendingConnections(), Timeout); }();
    if (QTest::currentTestFailed())
        return nullptr;
    QLocalSocket *peer = m_server->nextPendingConnection();
    client.events.clear();
    return peer;
}

void tst_QGbTransport::options()
{
    QGbPoolOptions options;
    QCOMPARE(options.transport(), Transport::Automatic);
    QGbPoolOptions &same = options.setTransport(Transport::LocalSocket);
    QCOMPARE(&same, &options);
    QCOMPARE(options.transport(), Transport::LocalSocket);
    const QGbPoolOptions copy = options;
    options.setTransport(Transport::RawSocket);
    QCOMPARE(copy.transport(), Transport::LocalSocket);
    QCOMPARE(options.transport(), Transport::RawSocket);
}

void tst_QGbTransport::factory_data()
{
    QTest::addColumn<Transport>("transport");
    QTest::addColumn<QByteArray>("environment"); // "-": unset
    QTest::addColumn<QByteArray>("className");

    QTest::newRow("automatic") << Transport::Automatic << "-"_ba << QByteArray(PlatformDefault);
    QTest::newRow("automatic, QGB_TRANSPORT=qt") << Transport::Automatic << "qt"_ba
                                                 << "QGbLocalSocket"_ba;
    QTest::newRow("automatic, QGB_TRANSPORT=raw")
            << Transport::Automatic << "raw"_ba << QByteArray(RawOrFallback);
    QTest::newRow("automatic, QGB_TRANSPORT=nonsense")
            << Transport::Automatic << "nonsense"_ba << QByteArray(PlatformDefault);
    QTest::newRow("automatic, QGB_TRANSPORT empty")
            << Transport::Automatic << ""_ba << QByteArray(PlatformDefault);
    QTest::newRow("local") << Transport::LocalSocket << "-"_ba
                           << "QGbLocalSocket"_ba;
    QTest::newRow("local, QGB_TRANSPORT=raw") << Transport::LocalSocket << "raw"_ba
                                              << "QGbLocalSocket"_ba;
    QTest::newRow("raw") << Transport::RawSocket << "-"_ba << QByteArray(RawOrFallback);
    QTest::newRow("raw, QGB_TRANSPORT=qt")
            << Transport::RawSocket << "qt"_ba << QByteArray(RawOrFallback);
}

// The option decides; QGB_TRANSPORT only replaces Automatic. The instance
// made works: a connection through it carries bytes.
void tst_QGbTransport::factory()
{
    QFETCH(Transport, transport);
    QFETCH(QByteArray, environment);
    QFETCH(QByteArray, className);
    if (environment == "-")
        qunsetenv("QGB_TRANSPORT");
    else
        qputenv("QGB_TRANSPORT", environment);

    QObject parent;
    QGbSocket *socket = QGbSocket::create(transport, &parent);
    QVERIFY(socket);
    QCOMPARE(socket->parent(), &parent);
    QCOMPARE(QByteArray(socket->metaObject()->className()), className);
    QVERIFY(!socket->isOpen());
    QVERIFY(!socket->write("x"_ba));

    QSignalSpy connected(socket, &QGbSocket::connected);
    socket->connectToServer(m_path);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(m_server->hasPendingConnections(), Timeout);
    QLocalSocket *peer = m_server->nextPendingConnection();
    QVERIFY(socket->write("hello"_ba));
    QTRY_COMPARE_WITH_TIMEOUT(peer->bytesAvailable(), 5, Timeout);
    QCOMPARE(peer->readAll(), "hello"_ba);
}

// Several MiB each way, in one write() and in many of varied sizes: all of
// it, in order, nothing else.
void tst_QGbTransport::roundTrip()
{
    QFETCH(Transport, transport);
    QFETCH(QByteArray, className);
    Client client(transport);
    QCOMPARE(QByteArray(client.socket->metaObject()->className()), className);
    QLocalSocket *peer = connectClient(client);
    QVERIFY(peer);
    QByteArray atPeer;
    connect(peer, &QLocalSocket::readyRead, this, [&] { atPeer += peer->readAll(); });

    // Client to server, one write.
    const QByteArray up = randomBytes(6 * 1024 * 1024 + 7);
    QVERIFY(client.socket->write(up));
    QTRY_COMPARE_WITH_TIMEOUT(atPeer.size(), up.size(), Timeout);
    QVERIFY(atPeer == up);

    // Client to server, many writes of varied sizes queued behind each other.
    atPeer.clear();
    const QByteArray pieces = randomBytes(3 * 1024 * 1024 + 3);
    for (qsizetype offset = 0, size = 1; offset < pieces.size();
         offset += size, size = size * 3 + 1)
        QVERIFY(client.socket->write(pieces.mid(offset, size)));
    QTRY_COMPARE_WITH_TIMEOUT(atPeer.size(), pieces.size(), Timeout);
    QVERIFY(atPeer == pieces);

    // Server to client.
    const QByteArray down = randomBytes(6 * 1024 * 1024 + 5);
    QCOMPARE(peer->write(down), down.size());
    QTRY_COMPARE_WITH_TIMEOUT(client.received.size(), down.size(), Timeout);
    QVERIFY(client.received == down);
    QVERIFY(!client.events.isEmpty());
    QCOMPARE(client.count(u"readyRead"_s), client.events.size()); // no other signal
    QVERIFY(client.socket->isOpen());
    QVERIFY(client.socket->readAll().isEmpty());
}

// Both sides write several MiB before either reads: neither side's buffer
// holds it all, so each write waits for room while the other reads.
void tst_QGbTransport::bothWaysAtOnce()
{
    QFETCH(Transport, transport);
    Client client(transport);
    QLocalSocket *peer = connectClient(client);
    QVERIFY(peer);
    QByteArray atPeer;
    connect(peer, &QLocalSocket::readyRead, this, [&] { atPeer += peer->readAll(); });

    const QByteArray up = randomBytes(5 * 1024 * 1024 + 1);
    const QByteArray down = randomBytes(5 * 1024 * 1024 + 2);
    QCOMPARE(peer->write(down), down.size());
    QVERIFY(client.socket->write(up));
    QTRY_VERIFY_WITH_TIMEOUT(atPeer.size() == up.size() && client.received.size() == down.size(),
                             Timeout);
    QVERIFY(atPeer == up);
    QVERIFY(client.received == down);
    QCOMPARE(client.count(u"readyRead"_s), client.events.size());
}

// write() hands the data to the system before it returns: the peer can read
// it while this thread's event loop does not run.
void tst_QGbTransport::writeGoesOutAtOnce()
{
    QFETCH(Transport, transport);
    Client client(transport);
    QLocalSocket *peer = connectClient(client);
    QVERIFY(peer);
    for (int i = 0; i < 3; ++i) {
        const QByteArray message = "message "_ba + QByteArray::number(i);
        QVERIFY(client.socket->write(message));
        // waitForReadyRead() polls the peer's descriptor; no event loop runs.
        QByteArray got;
        while (got.size() < message.size() && peer->waitForReadyRead(2000))
            got += peer->readAll();
        QCOMPARE(got, message);
    }
    QVERIFY(client.events.isEmpty());
}

// The peer sends and closes: every byte arrives in readyRead() while the
// socket is open, then disconnected() once, with nothing left to read.
void tst_QGbTransport::peerCloseAfterData()
{
    QFETCH(Transport, transport);
    Client client(transport);
    QLocalSocket *peer = connectClient(client);
    QVERIFY(peer);

    const QByteArray data = randomBytes(3 * 1024 * 1024 + 11);
    QCOMPARE(peer->write(data), data.size());
    peer->disconnectFromServer(); // closes once everything is written

    QTRY_VERIFY_WITH_TIMEOUT(client.ended(), Timeout);
    QTest::qWait(50); // nothing may follow
    QCOMPARE(client.received.size(), data.size());
    QVERIFY(client.received == data);
    QCOMPARE(client.events.last(), u"disconnected"_s);
    QCOMPARE(client.count(u"disconnected"_s), 1);
    QCOMPARE(client.count(u"errorOccurred"_s), 0);
    QCOMPARE(client.count(u"readyRead"_s), client.events.size() - 1);
    QVERIFY(!client.readWhileClosed);
    QCOMPARE(client.leftAfterEnd, 0);
    QVERIFY(!client.socket->isOpen());
    QVERIFY(!client.socket->write("late"_ba));
}

// The peer sends and closes, and this side writes before it has read: the
// write fails (EPIPE), inside write() nothing is emitted, and what the peer
// sent still arrives before the connection ends. (QLocalSocket closes its
// descriptor when the write fails; QGbLocalSocket reads the rest from its
// own duplicate.)
void tst_QGbTransport::writeAfterPeerClosed()
{
    QFETCH(Transport, transport);
    Client client(transport);
    QLocalSocket *peer = connectClient(client);
    QVERIFY(peer);

    const QByteArray data = randomBytes(100 * 1000);
    QCOMPARE(peer->write(data), data.size());
    while (peer->bytesToWrite() > 0)
        QVERIFY(peer->waitForBytesWritten(Timeout));
    peer->abort(); // closed now, while the client's event loop has not run

    QVERIFY(!client.socket->write("too late"_ba));
    QVERIFY(client.events.isEmpty()); // nothing from inside write()
    QTRY_VERIFY_WITH_TIMEOUT(client.ended(), Timeout);
    QTest::qWait(50);
    QCOMPARE(client.received.size(), data.size());
    QVERIFY(client.received == data);
    // disconnected() if the read that ended the data also saw the end of the
    // stream, else errorOccurred() for the failed write: once, and last.
    QCOMPARE(client.count(u"disconnected"_s) + client.count(u"errorOccurred"_s), 1);
    QCOMPARE(client.count(u"readyRead"_s), client.events.size() - 1);
    QVERIFY(!client.readWhileClosed);
    QCOMPARE(client.leftAfterEnd, 0);
    QVERIFY(!client.socket->isOpen());
}

// Nothing listens there: errorOccurred() from the event loop, with a reason
// that names the path; never connected().
void tst_QGbTransport::missingPath()
{
    QFETCH(Transport, transport);
    Client client(transport);
    const QString missing = m_dir.filePath(u"missing.sock"_s);
    client.socket->connectToServer(missing);
    QVERIFY(client.events.isEmpty()); // nothing from inside connectToServer()
    QVERIFY(!client.socket->isOpen());
    QVERIFY(!client.socket->write("x"_ba));
    QTRY_COMPARE_WITH_TIMEOUT(client.events, QStringList { u"errorOccurred"_s }, Timeout);
    QVERIFY2(client.socket->errorString().contains(missing),
             qPrintable(client.socket->errorString()));
    QTest::qWait(50);
    QCOMPARE(client.events, QStringList { u"errorOccurred"_s });

    // The same socket can connect again, to a server that is there.
    client.events.clear();
    client.socket->connectToServer(m_path);
    QTRY_COMPARE_WITH_TIMEOUT(client.events, QStringList { u"connected"_s }, Timeout);
    QVERIFY(client.socket->errorString().isEmpty());
}

// The server does not accept and its backlog is full: connecting fails at
// once (errorOccurred() from the event loop), as a raw connect() does, and the
// caller retries. Every socket ends in connected() or errorOccurred().
void tst_QGbTransport::fullBacklog()
{
    QFETCH(Transport, transport);
    m_server.reset();
    QFile::remove(m_path);
    m_server = std::make_unique<QLocalServer>();
    m_server->setListenBacklogSize(0);
    QVERIFY(m_server->listen(m_path));

    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::make_unique<Client>(transport));
        clients.back()->socket->connectToServer(m_path); // no event loop in between
        QVERIFY(clients.back()->events.isEmpty());
    }
    const auto allEnded = [&] {
        for (const auto &client : clients) {
            if (client->events.isEmpty())
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allEnded(), 5000);
    int refused = 0;
    for (const auto &client : clients) {
        QCOMPARE(client->events.size(), 1);
        if (client->events.first() == u"errorOccurred"_s) {
            ++refused;
            QVERIFY(!client->socket->errorString().isEmpty());
        } else {
            QCOMPARE(client->events.first(), u"connected"_s);
        }
    }
    QVERIFY2(refused > 0, "a backlog of 0 took 8 connections");
    QVERIFY(refused < 8);
}

void tst_QGbTransport::abortIsSilent_data()
{
    QTest::addColumn<Transport>("transport");
    QTest::addColumn<QString>("when");
    const QStringList cases { u"connecting"_s, u"connect failed"_s, u"data and close pending"_s,
                              u"write failed"_s, u"in readyRead slot"_s };
    for (const QString &when : cases) {
#ifdef Q_OS_LINUX
        QTest::addRow("raw, %s", qPrintable(when)) << Transport::RawSocket << when;
#endif
        QTest::addRow("qlocalsocket, %s", qPrintable(when)) << Transport::LocalSocket << when;
    }
}

// After abort(), nothing: whatever was pending (a connection made, a failed
// connect, data and a close from the peer, a failed write) is dropped.
void tst_QGbTransport::abortIsSilent()
{
    QFETCH(Transport, transport);
    QFETCH(QString, when);
    Client client(transport);
    QStringList expected;
    if (when == u"connecting") {
        client.socket->connectToServer(m_path);
        client.socket->abort();
    } else if (when == u"connect failed") {
        client.socket->connectToServer(m_dir.filePath(u"missing.sock"_s));
        client.socket->abort();
    } else {
        QLocalSocket *peer = connectClient(client);
        QVERIFY(peer);
        QCOMPARE(peer->write(randomBytes(4096)), 4096);
        QVERIFY(peer->waitForBytesWritten(Timeout));
        peer->abort();
        if (when == u"write failed") {
            QVERIFY(!client.socket->write("x"_ba));
        } else if (when == u"in readyRead slot") {
            connect(client.socket.get(), &QGbSocket::readyRead, this,
                    [&] { client.socket->abort(); });
            expected << u"readyRead"_s;
            QTRY_VERIFY_WITH_TIMEOUT(!client.events.isEmpty(), Timeout);
        }
        if (when != u"in readyRead slot")
            client.socket->abort();
    }
    QVERIFY(!client.socket->isOpen());
    QVERIFY(!client.socket->write("x"_ba));
    QTest::qWait(200);
    QCOMPARE(client.events, expected);
}

QTEST_GUILESS_MAIN(tst_QGbTransport)
#include "tst_qgbtransport.moc"
