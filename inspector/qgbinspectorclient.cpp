// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbinspectorclient.h"

#include "qgbinspectwire_p.h"

#include <QtCore/qjsondocument.h>
#include <QtCore/qpointer.h>
#include <QtNetwork/qlocalsocket.h>

class QGbInspectorClientPrivate
{
public:
    QLocalSocket *socket = nullptr;
    QGbInspect::LineDecoder decoder { QGbInspect::MaxPoolLine };
    QGbInspectorClient::State state = QGbInspectorClient::Unconnected;
    QJsonObject hello;
    qint64 dropped = 0;
    QString error;
};

QGbInspectorClient::QGbInspectorClient(QObject *parent)
    : QObject(parent)
    , d(new QGbInspectorClientPrivate)
{
}

QGbInspectorClient::~QGbInspectorClient()
{
    if (d->socket)
        d->socket->disconnect(this);
}

int QGbInspectorClient::protocolVersion()
{
    return QGbInspect::ProtocolVersion;
}

QGbInspectorClient::State QGbInspectorClient::state() const
{
    return d->state;
}

QJsonObject QGbInspectorClient::hello() const
{
    return d->hello;
}

qint64 QGbInspectorClient::droppedEvents() const
{
    return d->dropped;
}

QString QGbInspectorClient::errorString() const
{
    return d->error;
}

void QGbInspectorClient::connectToPool(const QString &socketPath)
{
    close();
    d->state = Connecting;
    d->decoder = QGbInspect::LineDecoder(QGbInspect::MaxPoolLine);
    d->hello = QJsonObject();
    d->dropped = 0;
    d->error.clear();
    d->socket = new QLocalSocket(this);
    QLocalSocket *socket = d->socket;

    auto fail = [this](const QString &why) {
        if (d->state == Closed)
            return;
        d->error = why;
        d->state = Closed;
        if (d->socket) {
            d->socket->disconnect(this);
            d->socket->abort();
            d->socket->deleteLater();
            d->socket = nullptr;
        }
        emit errorOccurred(why);
        emit closed();
    };

    connect(socket, &QLocalSocket::connected, this, [this] {
        QJsonObject hello;
        hello.insert(u"type", QStringLiteral("hello"));
        hello.insert(u"protocol", QGbInspect::ProtocolVersion);
        hello.insert(u"client", QStringLiteral("QGbInspectorClient"));
        d->socket->write(QJsonDocument(hello).toJson(QJsonDocument::Compact) + '\n');
    });
    connect(socket, &QLocalSocket::readyRead, this, [this, fail] {
        // Signals emitted below may close or delete us: guard.
        QPointer<QGbInspectorClient> self(this);
        d->decoder.append(d->socket->readAll());
        for (;;) {
            if (!self || d->state == Closed || !d->socket)
                return;
            QGbInspect::Message message;
            QString error;
            const auto status = d->decoder.next(&message, &error);
            if (status == QGbInspect::LineDecoder::NeedMore)
                return;
            if (status == QGbInspect::LineDecoder::Error) {
                fail(QStringLiteral("The pool sent what this inspector cannot read: %1")
                             .arg(error));
                return;
            }
            const QString type = message.type();
            if (d->state == Connecting) {
                if (type == QLatin1String("error")) {
                    fail(QStringLiteral("The pool refused the inspector: %1")
                                 .arg(message.value(u"message").toString()));
                    return;
                }
                if (type != QLatin1String("hello")) {
                    fail(QStringLiteral("The pool sent \"%1\" instead of its hello").arg(type));
                    return;
                }
                const int protocol = message.value(u"protocol").toInt(-1);
                if (protocol != QGbInspect::ProtocolVersion) {
                    fail(QStringLiteral("The pool (QGobridge %1, pid %2) speaks inspector "
                                        "protocol %3; this inspector reads protocol %4 only")
                                 .arg(message.value(u"library").toString(u"unknown"_qs))
                                 .arg(message.value(u"pid").toInteger())
                                 .arg(message.value(u"protocol").toVariant().toString())
                                 .arg(QGbInspect::ProtocolVersion));
                    return;
                }
                d->hello = message.toObject();
                d->state = Attached;
                emit attached(d->hello);
                continue;
            }
            if (type == QLatin1String("error")) {
                fail(QStringLiteral("The pool closed the connection: %1")
                             .arg(message.value(u"message").toString()));
                return;
            }
            if (type == QLatin1String("dropped")) {
                const qint64 count = message.value(u"count").toInteger();
                d->dropped += count;
                emit eventsDropped(count, d->dropped);
            }
            emit messageReceived(message);
            if (self && type == QLatin1String("live"))
                emit live();
        }
    });
    connect(socket, &QLocalSocket::errorOccurred, this,
            [this, fail](QLocalSocket::LocalSocketError e) {
                if (e == QLocalSocket::PeerClosedError && d->state == Attached) {
                    d->state = Closed;
                    d->socket->disconnect(this);
                    d->socket->deleteLater();
                    d->socket = nullptr;
                    emit closed();
                    return;
                }
                fail(d->socket ? d->socket->errorString() : QStringLiteral("closed"));
            });
    connect(socket, &QLocalSocket::disconnected, this, [this, fail] {
        if (d->state == Attached) {
            d->state = Closed;
            if (d->socket) {
                d->socket->disconnect(this);
                d->socket->deleteLater();
                d->socket = nullptr;
            }
            emit closed();
        } else {
            fail(QStringLiteral("The pool closed the connection before its hello"));
        }
    });
    socket->connectToServer(socketPath);
}

void QGbInspectorClient::close()
{
    if (d->socket) {
        d->socket->disconnect(this);
        d->socket->abort();
        d->socket->deleteLater();
        d->socket = nullptr;
    }
    if (d->state == Attached || d->state == Connecting) {
        d->state = Closed;
        emit closed();
    }
}
