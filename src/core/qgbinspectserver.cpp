// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbinspectserver_p.h"

#include "qgbcallrecord_p.h"
#include "qgbsession_p.h"
#include "qgbsupervisor_p.h"
#include "qgbversion.h"

#include <QtCore/qatomic.h>
#include <QtCore/qcoreapplication.h>
#include <QtCore/qfile.h>
#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qloggingcategory.h>
#include <QtCore/qsavefile.h>
#include <QtNetwork/qlocalserver.h>
#include <QtNetwork/qlocalsocket.h>

#include <cstring>

Q_LOGGING_CATEGORY(lcQGbInspect, "qgobridge.inspect")

namespace {

QAtomicInt serverCount;

quint8 callMode(const QGbCallRecord &call)
{
    if (call.kind == QGbCallRecord::Kind::Describe)
        return 4;
    const bool out = call.streamOut == 1;
    const bool in = bool(call.input);
    return in ? (out ? 3 : 2) : (out ? 1 : 0);
}

// A message of this type with these other fields, its type first (as in
// every line of the side channel).
QByteArray jsonLine(const char *type, const QJsonObject &fields)
{
    QByteArray line = QByteArray("{\"type\":\"") + type + '"';
    const QByteArray rest = QJsonDocument(fields).toJson(QJsonDocument::Compact);
    if (rest.size() > 2)
        line += ',' + rest.mid(1);
    else
        line += '}';
    return line + '\n';
}

} // namespace

QGbInspectServer::QGbInspectServer(const QGbEngineContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    m_keep = context.options.flightRecorderSize();
    m_recorder = std::make_unique<QGbFlightRecorder>(std::max<qint64>(m_keep, MinRing));
    // Events reach the inspectors in batches, FlushInterval after the first
    // one of a batch: one write (and one wake-up of each inspector) for many
    // events, rather than one per event on the pool's critical path.
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushInterval);
    connect(&m_flushTimer, &QTimer::timeout, this, &QGbInspectServer::flushAll);
}

QGbInspectServer::~QGbInspectServer()
{
    close();
}

bool QGbInspectServer::wanted(const QGbPoolOptions &options)
{
    return options.isInspectable()
            || qEnvironmentVariable("QGOBRIDGE_INSPECT") == QLatin1String("1");
}

bool QGbInspectServer::listen(QString *error)
{
    const QString dir = QGbInspect::ensureRegistryDirectory(error);
    if (dir.isEmpty())
        return false;
    const QString base = QStringLiteral("%1/%2-%3")
                                 .arg(dir)
                                 .arg(QCoreApplication::applicationPid())
                                 .arg(serverCount.fetchAndAddRelaxed(1) + 1);
    m_socketPath = base + QLatin1String(".sock");
    m_entryPath = base + QLatin1String(".json");
    QLocalServer::removeServer(m_socketPath);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_socketPath)) {
        *error = QStringLiteral("Cannot listen on %1: %2")
                         .arg(m_socketPath, m_server->errorString());
        delete m_server;
        m_server = nullptr;
        return false;
    }
    QFile::setPermissions(m_socketPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    connect(m_server, &QLocalServer::newConnection, this, &QGbInspectServer::onNewConnection);
    m_startedAt = QDateTime::currentDateTimeUtc();

    QJsonObject entry;
    entry.insert(u"protocol", QGbInspect::ProtocolVersion);
    entry.insert(u"library", QStringLiteral(QGOBRIDGE_VERSION_STR));
    entry.insert(u"pid", QCoreApplication::applicationPid());
    entry.insert(u"app", QCoreApplication::applicationName());
    entry.insert(u"script", m_context.script);
    entry.insert(u"workers", QGbSupervisor::initialWorkerCount(m_context.options));
    entry.insert(u"startedAt", m_startedAt.toString(Qt::ISODateWithMs));
    entry.insert(u"socket", m_socketPath.mid(dir.size() + 1));
    QSaveFile file(m_entryPath);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(entry).toJson()) < 0
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || !file.commit()) {
        *error = QStringLiteral("Cannot write %1: %2").arg(m_entryPath, file.errorString());
        close();
        return false;
    }
    return true;
}

void QGbInspectServer::close()
{
    m_flushTimer.stop();
    for (const auto &inspector : m_inspectors) {
        inspector->socket->disconnect(this);
        // What happened since the last batch (the calls the close failed, the
        // connections it closed) goes out first, as far as the socket takes
        // it without waiting: a stalled inspector does not hold up the close.
        flush(inspector.get());
        inspector->socket->flush();
        inspector->socket->abort();
        delete inspector->socket;
    }
    m_inspectors.clear();
    if (m_server) {
        delete m_server;
        m_server = nullptr;
        QFile::remove(m_socketPath);
    }
    if (!m_entryPath.isEmpty()) {
        QFile::remove(m_entryPath);
        m_entryPath.clear();
    }
}

QByteArray QGbInspectServer::helloLine() const
{
    QJsonObject hello;
    hello.insert(u"protocol", QGbInspect::ProtocolVersion);
    hello.insert(u"library", QStringLiteral(QGOBRIDGE_VERSION_STR));
    hello.insert(u"wireProtocol", QGOBRIDGE_PROTOCOL_VERSION);
    hello.insert(u"pid", QCoreApplication::applicationPid());
    hello.insert(u"app", QCoreApplication::applicationName());
    hello.insert(u"script", m_context.script);
    hello.insert(u"workers", QGbSupervisor::initialWorkerCount(m_context.options));
    hello.insert(u"maxConnections", m_context.options.maxConnections());
    hello.insert(u"capabilities",
                 QJsonArray { u"worker"_qs, u"output"_qs, u"heartbeat"_qs, u"connection"_qs,
                              u"frame"_qs, u"call"_qs, u"stall"_qs, u"flightRecorder"_qs,
                              u"dropped"_qs });
    hello.insert(u"startedAt", m_startedAt.toString(Qt::ISODateWithMs));
    hello.insert(u"clock", m_context.clock.isValid() ? m_context.clock.nsecsElapsed() : 0);
    hello.insert(u"flightRecorder", m_keep);
    hello.insert(u"history", qint64(std::min(m_keep, m_recorder->next() - m_recorder->oldest())));
    return jsonLine("hello", hello);
}

void QGbInspectServer::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        qint64 uid = -1;
        if (!QGbInspect::peerIsSameUser(socket->socketDescriptor(), &uid)) {
            qCWarning(lcQGbInspect) << "refused an inspector of user" << uid;
            QJsonObject refusal;
            refusal.insert(u"code", u"Unauthorized"_qs);
            refusal.insert(u"message",
                           QStringLiteral("Refused: the inspector runs as another user (uid %1)")
                                   .arg(uid));
            socket->write(jsonLine("error", refusal));
            socket->disconnectFromServer();
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        auto inspector = std::make_unique<Inspector>();
        Inspector *raw = inspector.get();
        inspector->socket = socket;
        inspector->liveAt = m_recorder->next();
        inspector->cursor = std::max(m_recorder->oldest(), m_recorder->next() - m_keep);
        m_inspectors.push_back(std::move(inspector));
        connect(socket, &QLocalSocket::readyRead, this, [this, raw] { onReadyRead(raw); });
        // Written out: an inspector that was behind gets more once half its
        // buffer is free; the others wait for the timer, so that events go in
        // batches (one write and one wake-up of the inspector each), not one
        // write per turn of the I/O thread's loop.
        connect(socket, &QLocalSocket::bytesWritten, this, [this, raw] {
            if (raw->behind && raw->socket->bytesToWrite() <= MaxQueuedBytes / 2)
                flush(raw);
        });
        connect(socket, &QLocalSocket::disconnected, this, [this, raw] { drop(raw, QString()); });
        connect(socket, &QLocalSocket::errorOccurred, this, [this, raw] { drop(raw, QString()); });
        socket->write(helloLine());
        flush(raw);
    }
}

// What an inspector sends: its hello, nothing else. Anything that is not a
// well-formed line of a known type closes its connection.
void QGbInspectServer::onReadyRead(Inspector *inspector)
{
    if (inspector->closing)
        return;
    inspector->decoder.append(inspector->socket->readAll());
    for (;;) {
        QGbInspect::Message message;
        QString error;
        const auto status = inspector->decoder.next(&message, &error);
        if (status == QGbInspect::LineDecoder::NeedMore)
            return;
        if (status == QGbInspect::LineDecoder::Error) {
            drop(inspector, error);
            return;
        }
        const QString type = message.type();
        if (type != QLatin1String("hello")) {
            drop(inspector, QStringLiteral("Unexpected message \"%1\"").arg(type));
            return;
        }
        const int protocol = message.value(u"protocol").toInt(-1);
        if (protocol != QGbInspect::ProtocolVersion) {
            QJsonObject refusal;
            refusal.insert(u"code", u"VersionMismatch"_qs);
            refusal.insert(u"message",
                           QStringLiteral("The pool (QGobridge %1) speaks inspector protocol %2; "
                                          "the inspector speaks protocol %3")
                                   .arg(QStringLiteral(QGOBRIDGE_VERSION_STR))
                                   .arg(QGbInspect::ProtocolVersion)
                                   .arg(message.value(u"protocol").toVariant().toString()));
            inspector->socket->write(jsonLine("error", refusal));
            inspector->closing = true;
            inspector->socket->disconnectFromServer();
            return;
        }
    }
}

void QGbInspectServer::drop(Inspector *inspector, const QString &why)
{
    const auto it = std::find_if(m_inspectors.begin(), m_inspectors.end(),
                                 [inspector](const auto &i) { return i.get() == inspector; });
    if (it == m_inspectors.end())
        return;
    if (!why.isEmpty())
        qCWarning(lcQGbInspect) << "closed an inspector's connection:" << why;
    std::unique_ptr<Inspector> owned = std::move(*it);
    m_inspectors.erase(it);
    owned->socket->disconnect(this);
    owned->socket->abort();
    owned->socket->deleteLater();
}

void QGbInspectServer::flushAll()
{
    // flush() may drop an inspector: walk a copy of the list.
    std::vector<Inspector *> all;
    all.reserve(m_inspectors.size());
    for (const auto &inspector : m_inspectors)
        all.push_back(inspector.get());
    for (Inspector *inspector : all)
        flush(inspector);
}

void QGbInspectServer::flush(Inspector *inspector)
{
    if (inspector->closing)
        return;
    QLocalSocket *socket = inspector->socket;
    if (socket->bytesToWrite() >= MaxQueuedBytes) {
        inspector->behind = true;
        return;
    }
    QByteArray out;
    const qint64 room = MaxQueuedBytes - socket->bytesToWrite();
    out.reserve(qsizetype(std::min<qint64>(room, 64 * 1024)));
    while (out.size() < room) {
        const qint64 oldest = m_recorder->oldest();
        if (inspector->cursor < oldest) {
            inspector->dropped += oldest - inspector->cursor;
            inspector->cursor = oldest;
        }
        if (inspector->dropped > 0) {
            inspector->droppedTotal += inspector->dropped;
            out.append("{\"type\":\"dropped\",\"count\":")
                    .append(QByteArray::number(inspector->dropped))
                    .append(",\"total\":")
                    .append(QByteArray::number(inspector->droppedTotal))
                    .append("}\n");
            inspector->dropped = 0;
        }
        if (!inspector->live && inspector->cursor >= inspector->liveAt) {
            inspector->live = true;
            out.append("{\"type\":\"live\",\"seq\":")
                    .append(QByteArray::number(inspector->liveAt))
                    .append("}\n");
        }
        if (inspector->cursor >= m_recorder->next())
            break;
        m_recorder->at(inspector->cursor).encode(&out, inspector->cursor);
        ++inspector->cursor;
    }
    inspector->behind = inspector->cursor < m_recorder->next();
    if (!out.isEmpty())
        socket->write(out);
}

QGbInspectEvent *QGbInspectServer::record(QGbInspectEvent::Kind kind)
{
    if (m_keep == 0 && m_inspectors.empty())
        return nullptr;
    QGbInspectEvent &event = m_recorder->append();
    event.kind = kind;
    event.time = m_context.clock.isValid() ? m_context.clock.nsecsElapsed() : 0;
    if (!m_inspectors.empty() && !m_flushTimer.isActive())
        m_flushTimer.start();
    return &event;
}

void QGbInspectServer::workerEvent(int worker, WorkerEvent state, qint64 pid, qint64 detail,
                                   const QString &text)
{
    if (QGbInspectEvent *event = record(QGbInspectEvent::Worker)) {
        event->sub = quint8(state);
        event->worker = worker;
        event->a = pid;
        event->b = detail;
        event->text = text;
        // A remote worker's host:port (instead of a pid).
        if (worker >= 0 && worker < m_context.endpoints.size()
            && !m_context.endpoints.at(worker).isEmpty())
            event->bytes = m_context.endpoints.at(worker).toUtf8();
        else
            event->bytes.clear();
    }
}

void QGbInspectServer::workerOutput(int worker, QProcess::ProcessChannel channel,
                                    const QByteArray &line)
{
    if (QGbInspectEvent *event = record(QGbInspectEvent::Output)) {
        event->sub = channel == QProcess::StandardError ? 1 : 0;
        event->worker = worker;
        event->bytes = line.size() > QGbInspectEvent::MaxOutputLine
                ? line.left(QGbInspectEvent::MaxOutputLine)
                : line;
    }
}

void QGbInspectServer::heartbeat(int worker, qint64 roundTripMicroseconds)
{
    if (QGbInspectEvent *event = record(QGbInspectEvent::Heartbeat)) {
        event->worker = worker;
        event->a = roundTripMicroseconds;
    }
}

void QGbInspectServer::connectionOpened(const QGbConnection &connection)
{
    if (QGbInspectEvent *event = record(QGbInspectEvent::ConnectionOpened)) {
        event->sub = connection.control ? 1 : 0;
        event->worker = connection.worker ? connection.worker->index : -1;
        event->connection = connection.connId;
        event->link = connection.link;
    }
}

void QGbInspectServer::connectionClosed(const QGbConnection &connection, const QGbError &reason)
{
    if (QGbInspectEvent *event = record(QGbInspectEvent::ConnectionClosed)) {
        event->sub = connection.control ? 1 : 0;
        event->worker = connection.worker ? connection.worker->index : -1;
        event->connection = connection.connId;
        event->link = connection.link;
        event->a = reason.code();
        event->text = reason.errorString();
    }
}

void QGbInspectServer::messageSent(const QGbConnection &connection, const QByteArray &frames)
{
    QGbInspectEvent *event = record(QGbInspectEvent::FrameSent);
    if (!event)
        return;
    event->worker = connection.worker ? connection.worker->index : -1;
    event->connection = connection.connId;
    event->link = connection.link;
    // The frames: a 4-byte big-endian length and the message's JSON object,
    // then its attachments, each a length and its bytes.
    const uchar *p = reinterpret_cast<const uchar *>(frames.constData());
    const qsizetype size = frames.size();
    qsizetype pos = 0;
    bool first = true;
    while (pos + 4 <= size) {
        const quint32 length = (quint32(p[pos]) << 24) | (quint32(p[pos + 1]) << 16)
                | (quint32(p[pos + 2]) << 8) | quint32(p[pos + 3]);
        pos += 4;
        if (first) {
            event->a = length;
            event->previewSize = quint8(std::min<qsizetype>(
                    { qsizetype(length), size - pos, QGbInspectEvent::PreviewBytes }));
            memcpy(event->preview, frames.constData() + pos, event->previewSize);
            // The pool's secret stays out of the preview (the hello carries it).
            const qsizetype token =
                    QByteArrayView(event->preview, event->previewSize).indexOf("\"token\":");
            if (token >= 0)
                event->previewSize = quint8(token);
            first = false;
        } else {
            if (event->b < QGbInspectEvent::MaxAttachmentSizes)
                event->attachmentSizes[event->b] = qint32(length);
            ++event->b;
            event->c += length;
        }
        pos += length;
    }
}

void QGbInspectServer::messageReceived(const QGbConnection &connection,
                                       const QGbWire::Message &message)
{
    QGbInspectEvent *event = record(QGbInspectEvent::FrameReceived);
    if (!event)
        return;
    event->worker = connection.worker ? connection.worker->index : -1;
    event->connection = connection.connId;
    event->link = connection.link;
    event->callId = message.id;
    event->text = QString::fromLatin1(message.type);
    if (connection.reader) {
        const QGbWire::FrameReader::LastMessage &last = connection.reader->lastMessage();
        event->a = last.frameSize;
        event->b = last.attachmentCount;
        event->c = last.attachmentBytes;
        for (int i = 0; i < QGbInspectEvent::MaxAttachmentSizes; ++i)
            event->attachmentSizes[i] = last.attachmentSizes[i];
        event->previewSize = quint8(last.headSize);
        memcpy(event->preview, last.head, size_t(last.headSize));
    }
}

void QGbInspectServer::callStarted(const QGbCallRecord &call)
{
    if (QGbInspectEvent *event = record(QGbInspectEvent::CallStarted)) {
        event->sub = callMode(call);
        event->worker = call.worker ? call.worker->index : -1;
        event->connection = call.connection ? call.connection->connId : -1;
        event->link = call.link;
        event->callId = call.id;
        event->text = call.method;
    }
}

void QGbInspectServer::callEnded(const QGbCallRecord &call)
{
    QGbInspectEvent *event = record(QGbInspectEvent::CallEnded);
    if (!event)
        return;
    event->sub = callMode(call);
    event->worker = call.worker ? call.worker->index : -1;
    event->link = call.link;
    event->callId = call.id;
    event->text = call.method;
    event->a = call.created.isValid() ? call.created.nsecsElapsed() / 1000 : 0;
    event->b = call.itemsIn;
    event->c = call.itemsOut;
    event->d = -1;
    if (!call.sink)
        return;
    QFutureInterfaceBase &future = call.sink->futureInterface();
    if (future.isCanceled() && !future.hasException()) {
        event->d = QGbError::Cancelled;
    } else if (future.hasException()) {
        event->d = QGbError::RemoteException;
        try {
            future.exceptionStore().throwPossibleException();
        } catch (const QGbException &exception) {
            event->d = exception.error().code();
        } catch (...) {
        }
    }
}

void QGbInspectServer::creditStalled(const QGbCallRecord &call, bool input)
{
    if (QGbInspectEvent *event = record(QGbInspectEvent::Stall)) {
        event->sub = input ? 1 : 0;
        event->worker = call.worker ? call.worker->index : -1;
        event->connection = call.connection ? call.connection->connId : -1;
        event->link = call.link;
        event->callId = call.id;
    }
}
