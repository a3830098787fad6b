// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The raw floor: what a Qt programmer writes without a library. A blocking
// client on a plain Unix socket, one frame (4-byte big-endian length + compact
// JSON from QJsonDocument) per message and one writev() per frame, against
// floor_server.py. No batching, no pipelining, no flow control beyond the
// kernel's socket buffers.

#include "workloads.h"

#include <QtCore/qdir.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qprocess.h>
#include <QtCore/qtemporarydir.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace Bench {

namespace {

    class FloorConnection
    {
    public:
        explicit FloorConnection(const QString &path)
        {
            m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un address {};
            address.sun_family = AF_UNIX;
            const QByteArray native = QFile::encodeName(path);
            std::strncpy(address.sun_path, native.constData(), sizeof(address.sun_path) - 1);
            if (m_fd < 0
                || ::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0)
                throw Failure(QStringLiteral("floor: cannot connect to %1: %2")
                                      .arg(path, QString::fromLocal8Bit(std::strerror(errno))));
        }
        ~FloorConnection() { ::close(m_fd); }
        FloorConnection(const FloorConnection &) = delete;
        FloorConnection &operator=(const FloorConnection &) = delete;

        // One frame, one system call (unless the kernel takes it in parts).
        void sendFrame(const QByteArray &payload)
        {
            const quint32 size = quint32(payload.size());
            const unsigned char header[4] = { uchar(size >> 24), uchar(size >> 16),
                                              uchar(size >> 8), uchar(size) };
            iovec parts[2] = { { const_cast<unsigned char *>(header), 4 },
                               { const_cast<char *>(payload.constData()),
                                 size_t(payload.size()) } };
            iovec *part = parts;
            int count = 2;
            while (count > 0) {
                const ssize_t n = ::writev(m_fd, part, count);
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    throw Failure(QStringLiteral("floor: write failed"));
                }
                size_t left = size_t(n);
                while (count > 0 && left >= part->iov_len) {
                    left -= part->iov_len;
                    ++part;
                    --count;
                }
                if (count > 0) {
                    part->iov_base = static_cast<char *>(part->iov_base) + left;
                    part->iov_len -= left;
                }
            }
        }

        void sendJson(const QJsonObject &message)
        {
            sendFrame(QJsonDocument(message).toJson(QJsonDocument::Compact));
        }

        QByteArray readFrame()
        {
            fill(4);
            const auto *p = reinterpret_cast<const uchar *>(m_buffer.constData() + m_begin);
            const qsizetype size = qsizetype(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
            fill(4 + size);
            QByteArray payload(m_buffer.constData() + m_begin + 4, size);
            m_begin += 4 + size;
            return payload;
        }

        QJsonObject readJson()
        {
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(readFrame(), &error);
            if (error.error != QJsonParseError::NoError || !document.isObject())
                throw Failure(QStringLiteral("floor: bad JSON from the server"));
            return document.object();
        }

    private:
        // Buffered reading: makes sure `need` unread bytes are in the buffer.
        void fill(qsizetype need)
        {
            if (m_end - m_begin >= need)
                return;
            if (m_begin > 0) {
                std::memmove(m_buffer.data(), m_buffer.constData() + m_begin, m_end - m_begin);
                m_end -= m_begin;
                m_begin = 0;
            }
            if (m_buffer.size() < need)
                m_buffer.resize(std::max<qsizetype>(need, 65536));
            while (m_end < need) {
                const ssize_t n = ::read(m_fd, m_buffer.data() + m_end, m_buffer.size() - m_end);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    throw Failure(QStringLiteral("floor: the server closed the connection"));
                m_end += n;
            }
        }

        int m_fd = -1;
        QByteArray m_buffer = QByteArray(65536, Qt::Uninitialized);
        qsizetype m_begin = 0;
        qsizetype m_end = 0;
    };

    QJsonObject request(const char *method, const QJsonArray &args = QJsonArray())
    {
        QJsonObject message { { QStringLiteral("m"), QLatin1String(method) } };
        if (!args.isEmpty())
            message.insert(QStringLiteral("a"), args);
        return message;
    }

    qint64 addOnce(FloorConnection &connection)
    {
        connection.sendJson(request("add", { 3, 4 }));
        const qint64 sum = connection.readJson().value(u"r").toInteger();
        if (sum != 7)
            throw Failure(QStringLiteral("floor: add(3, 4) returned %1").arg(sum));
        return sum;
    }

} // namespace

struct FloorSide::Private
{
    Config config;
    QTemporaryDir directory;
    std::vector<std::unique_ptr<QProcess>> servers;
    QStringList paths;
    std::unique_ptr<FloorConnection> main; // W1, W3-W6, W9: server 0

    void startServer(int index)
    {
        const QString path = directory.filePath(QStringLiteral("floor%1.sock").arg(index));
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->start(config.python,
                       { QDir(config.benchDir).filePath(QStringLiteral("floor_server.py")), path });
        if (!process->waitForReadyRead(30000) || !process->readLine().startsWith("ready"))
            throw Failure(QStringLiteral("floor: floor_server.py did not start"));
        servers.push_back(std::move(process));
        paths.append(path);
    }

    // --scaling: at least `count` server processes.
    void ensureServers(int count)
    {
        while (int(servers.size()) < count)
            startServer(int(servers.size()));
    }

    // W2 of --scaling: `callers` threads each call `call` once to warm, then,
    // all at once, `calls` times, on `workers` processes x 4 connections:
    // min(4 x workers, callers) connections, connection c to process
    // c % workers, caller i on connection i % connections (callers that share
    // a connection take turns, one request and its reply at a time).
    template<typename Call>
    double runCallers(int workers, int callers, int calls, Call call)
    {
        ensureServers(workers);
        const int count = std::min(4 * workers, callers);
        std::vector<std::unique_ptr<FloorConnection>> connections;
        for (int c = 0; c < count; ++c)
            connections.push_back(std::make_unique<FloorConnection>(paths.at(c % workers)));
        std::vector<std::mutex> locks(count);
        return Bench::runCallers(callers, calls, [&](int i) {
            const std::lock_guard<std::mutex> turn(locks[i % count]);
            call(*connections[i % count]);
        });
    }
};

FloorSide::FloorSide(const Config &config)
    : d(new Private)
{
    d->config = config;
    // As many Python processes as the library's pool has workers.
    d->startServer(0);
    d->startServer(1);
    d->main = std::make_unique<FloorConnection>(d->paths.at(0));
    for (int i = 0; i < 100; ++i)
        addOnce(*d->main);
}

FloorSide::~FloorSide()
{
    d->main.reset();
    for (auto &process : d->servers) {
        process->closeWriteChannel(); // the server exits when its stdin closes
        if (!process->waitForFinished(3000)) {
            process->kill();
            process->waitForFinished(3000);
        }
    }
}

Values FloorSide::sequentialAdd()
{
    QList<double> micros;
    micros.reserve(d->config.w1Calls);
    QElapsedTimer timer;
    for (int i = 0; i < d->config.w1Calls; ++i) {
        timer.start();
        addOnce(*d->main);
        micros.append(double(timer.nsecsElapsed()) / 1000.0);
    }
    return { { QStringLiteral("p50"), percentile(micros, 50) },
             { QStringLiteral("p99"), percentile(micros, 99) } };
}

// Each caller thread has its own connection; callers alternate between the two
// server processes, so each process serves 4 connections on 4 threads.
Values FloorSide::concurrentAdd()
{
    const int callers = d->config.w2Callers;
    const int calls = d->config.w2CallsPerCaller;
    std::vector<std::unique_ptr<FloorConnection>> connections;
    for (int i = 0; i < callers; ++i)
        connections.push_back(std::make_unique<FloorConnection>(d->paths.at(i % 2)));
    const double elapsed =
            runCallers(callers, calls, [&](int i) { addOnce(*connections[std::size_t(i)]); });
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

Values FloorSide::serverStream()
{
    const int n = d->config.w3Items;
    QElapsedTimer timer;
    timer.start();
    d->main->sendJson(request("range_gen", { n }));
    qint64 count = 0;
    qint64 sum = 0;
    for (;;) {
        const QJsonObject message = d->main->readJson();
        if (message.contains(u"end"))
            break;
        sum += message.value(u"item").toInteger();
        ++count;
    }
    const double elapsed = seconds(timer);
    if (count != n || sum != qint64(n) * (n - 1) / 2)
        throw Failure(QStringLiteral("floor: range_gen gave %1 items").arg(count));
    return { { QStringLiteral("items/s"), n / elapsed } };
}

Values FloorSide::clientStream()
{
    const int n = d->config.w4Items;
    QElapsedTimer timer;
    timer.start();
    d->main->sendJson(request("sum_stream"));
    for (int i = 0; i < n; ++i)
        d->main->sendJson({ { QStringLiteral("item"), i } });
    d->main->sendJson({ { QStringLiteral("end"), true } });
    const qint64 sum = d->main->readJson().value(u"r").toInteger();
    const double elapsed = seconds(timer);
    if (sum != qint64(n) * (n - 1) / 2)
        throw Failure(QStringLiteral("floor: sum_stream returned %1").arg(sum));
    return { { QStringLiteral("items/s"), n / elapsed } };
}

// A writer thread sends the items while this thread reads the echoes.
Values FloorSide::bidiStream()
{
    const int n = d->config.w5Items;
    FloorConnection &connection = *d->main;
    QElapsedTimer timer;
    timer.start();
    connection.sendJson(request("echo_stream"));
    std::atomic<bool> failed { false };
    std::thread writer([&] {
        try {
            for (int i = 0; i < n; ++i)
                connection.sendJson({ { QStringLiteral("item"), BenchItem::make(i).toJson() } });
            connection.sendJson({ { QStringLiteral("end"), true } });
        } catch (const Failure &) {
            failed = true;
        }
    });
    qint64 count = 0;
    qint64 idSum = 0;
    try {
        for (;;) {
            const QJsonObject message = connection.readJson();
            if (message.contains(u"end"))
                break;
            const BenchItem item = BenchItem::fromJson(message.value(u"item").toObject());
            idSum += item.id;
            ++count;
        }
    } catch (...) {
        writer.join();
        throw;
    }
    const double elapsed = seconds(timer);
    writer.join();
    if (failed || count != n || idSum != qint64(n) * (n - 1) / 2)
        throw Failure(QStringLiteral("floor: echo_stream gave %1 items").arg(count));
    return { { QStringLiteral("items/s"), n / elapsed } };
}

Values FloorSide::listOfDicts()
{
    return jsonListRoundTrips(makeItems(d->config.w6Dicts), "floor",
                              [this](const QJsonArray &args) {
                                  d->main->sendJson(request("echo", args));
                                  return d->main->readJson().value(u"r").toArray();
                              });
}

Values FloorSide::bytesRoundTrip()
{
    const QByteArray data(d->config.w9Bytes, 'b');
    QList<double> rates;
    for (int trip = 0; trip < d->config.w9Trips; ++trip) {
        QElapsedTimer timer;
        timer.start();
        d->main->sendJson(request("echo_bytes"));
        d->main->sendFrame(data);
        if (d->main->readJson().value(u"att").toInt() != 1)
            throw Failure(QStringLiteral("floor: echo_bytes sent no attachment"));
        const QByteArray back = d->main->readFrame();
        const double elapsed = seconds(timer);
        if (back.size() != data.size())
            throw Failure(QStringLiteral("floor: echo_bytes returned %1 bytes").arg(back.size()));
        rates.append(double(data.size()) / 1e6 / elapsed);
    }
    return { { QStringLiteral("MB/s"), median(rates) } };
}

// --- --scaling --------------------------------------------------------------

Values FloorSide::scalingAdd(int workers)
{
    const int callers = d->config.w2Callers;
    const int calls = d->config.scalingAddCalls;
    const double elapsed = d->runCallers(workers, callers, calls,
                                         [](FloorConnection &connection) { addOnce(connection); });
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

// W2 against callers: N threads on 2 processes x min(N, 8) connections
// (beyond 8 callers, callers that share a connection take turns).
Values FloorSide::scalingCallers(int callers)
{
    const int calls = d->config.scalingCallerCalls(callers);
    const double elapsed = d->runCallers(2, callers, calls,
                                         [](FloorConnection &connection) { addOnce(connection); });
    return { { QStringLiteral("calls/s"), double(callers) * calls / elapsed } };
}

Values FloorSide::scalingEcho(int payloadSize)
{
    const QString payload = makePayload(payloadSize);
    const int callers = d->config.w2Callers;
    const int calls = d->config.scalingEchoCalls(payloadSize);
    const double elapsed = d->runCallers(2, callers, calls, [&](FloorConnection &connection) {
        QJsonArray args;
        args.append(payload);
        connection.sendJson(request("echo", args));
        const QString back = connection.readJson().value(u"r").toString();
        if (back.size() != payload.size() || back.back() != payload.back())
            throw Failure(QStringLiteral("floor: echo returned %1 characters").arg(back.size()));
    });
    const double rate = double(callers) * calls / elapsed;
    return { { QStringLiteral("calls/s"), rate },
             { QStringLiteral("MB/s"), rate * payloadSize / 1e6 } };
}

// One client thread per server process, each reading a range_gen stream on its
// own connection, all at once.
Values FloorSide::scalingStreams(int workers)
{
    d->ensureServers(workers);
    const int n = d->config.scalingStreamItems / workers;
    std::vector<std::unique_ptr<FloorConnection>> connections;
    for (int i = 0; i < workers; ++i) {
        connections.push_back(std::make_unique<FloorConnection>(d->paths.at(i)));
        addOnce(*connections.back());
    }
    const double elapsed = runCallers(
            workers, 1,
            [&](int i) {
                FloorConnection &connection = *connections[std::size_t(i)];
                connection.sendJson(request("range_gen", { n }));
                qint64 count = 0;
                qint64 sum = 0;
                for (;;) {
                    const QJsonObject message = connection.readJson();
                    if (message.contains(u"end"))
                        break;
                    sum += message.value(u"item").toInteger();
                    ++count;
                }
                if (count != n || sum != qint64(n) * (n - 1) / 2)
                    throw Failure(QStringLiteral("floor: a range_gen stream gave %1 items, sum %2")
                                          .arg(count)
                                          .arg(sum));
            },
            false); // the connections are warm (addOnce above)
    return { { QStringLiteral("items/s"), double(workers) * n / elapsed } };
}

Values FloorSide::scalingPayloadStream(int payloadSize)
{
    const int n = d->config.scalingPayloadItems(payloadSize);
    QElapsedTimer timer;
    timer.start();
    d->main->sendJson(request("payload_gen", { n, payloadSize }));
    qint64 count = 0;
    bool sizes = true;
    for (;;) {
        const QJsonObject message = d->main->readJson();
        if (message.contains(u"end"))
            break;
        const QString item = message.value(u"item").toString();
        sizes = sizes && item.size() == payloadSize;
        ++count;
    }
    const double elapsed = seconds(timer);
    if (count != n || !sizes)
        throw Failure(QStringLiteral("floor: payload_gen gave %1 items").arg(count));
    const double rate = n / elapsed;
    return { { QStringLiteral("items/s"), rate },
             { QStringLiteral("MB/s"), rate * payloadSize / 1e6 } };
}

} // namespace Bench
