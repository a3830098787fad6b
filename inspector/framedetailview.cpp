// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "framedetailview.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtGui/qfontdatabase.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qsplitter.h>
#include <QtWidgets/qtreewidget.h>

using namespace Qt::StringLiterals;

FrameDetailView::FrameDetailView(QWidget *parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
    , m_hex(new QPlainTextEdit(this))
{
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({ tr("Field"), tr("Value") });
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_hex->setReadOnly(true);
    m_hex->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_hex->setPlaceholderText(tr("The preview's bytes"));
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_hex);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
}

QTreeWidget *FrameDetailView::tree() const
{
    return m_tree;
}

QByteArray FrameDetailView::previewBytes(const QString &preview)
{
    return preview.toLatin1();
}

QString FrameDetailView::hexDump(const QByteArray &bytes)
{
    QString out;
    for (qsizetype offset = 0; offset < bytes.size(); offset += 16) {
        const QByteArray row = bytes.mid(offset, 16);
        QString hex;
        QString text;
        for (qsizetype i = 0; i < 16; ++i) {
            if (i < row.size()) {
                const uchar c = uchar(row.at(i));
                hex += u"%1 "_s.arg(uint(c), 2, 16, QChar(u'0'));
                text += c >= 0x20 && c < 0x7f ? QChar(char16_t(c)) : QChar(u'.');
            } else {
                hex += u"   "_s;
            }
        }
        out += u"%1  %2 %3\n"_s.arg(qlonglong(offset), 4, 16, QChar(u'0')).arg(hex, text);
    }
    return out;
}

void FrameDetailView::addJson(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value)
{
    auto *item = new QTreeWidgetItem(parent, { key });
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        item->setText(1, u"{%1}"_s.arg(object.size()));
        for (auto it = object.begin(); it != object.end(); ++it)
            addJson(item, it.key(), it.value());
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        item->setText(1,
                      array.size() <= 8 ? QString::fromUtf8(
                              QJsonDocument(array).toJson(QJsonDocument::Compact))
                                        : u"[%1 values]"_s.arg(array.size()));
        for (qsizetype i = 0; i < array.size(); ++i)
            addJson(item, QString::number(i), array.at(i));
    } else {
        item->setText(1,
                      QString::fromUtf8(QJsonDocument(QJsonArray { value })
                                                .toJson(QJsonDocument::Compact)
                                                .chopped(1)
                                                .mid(1)));
    }
}

void FrameDetailView::setFrame(const QJsonObject &frame)
{
    m_tree->clear();
    m_hex->clear();
    if (frame.isEmpty())
        return;
    auto *event = new QTreeWidgetItem(m_tree, { tr("event"), frame.value(u"msg").toString() });
    for (auto it = frame.begin(); it != frame.end(); ++it) {
        if (it.key() != "preview"_L1)
            addJson(event, it.key(), it.value());
    }
    event->setExpanded(true);

    const QString preview = frame.value(u"preview").toString();
    const QByteArray bytes = previewBytes(preview);
    auto *payload = new QTreeWidgetItem(m_tree, { tr("payload") });
    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    if (document.isObject()) {
        payload->setText(1, tr("the whole frame"));
        const QJsonObject object = document.object();
        for (auto it = object.begin(); it != object.end(); ++it)
            addJson(payload, it.key(), it.value());
    } else {
        payload->setText(1,
                         tr("first %1 bytes of %2 (cut)")
                                 .arg(bytes.size())
                                 .arg(frame.value(u"size").toInteger()));
        new QTreeWidgetItem(payload, { tr("preview"), preview });
    }
    payload->setExpanded(true);
    m_tree->expandAll();

    QString hex = tr("Preview (%1 of %2 bytes):\n")
                          .arg(bytes.size())
                          .arg(frame.value(u"size").toInteger());
    hex += hexDump(bytes);
    const QJsonArray attachments = frame.value(u"attachments").toArray();
    if (!attachments.isEmpty()) {
        hex += tr("\n%1 attachment frame(s), %2 bytes; the inspector receives their sizes, "
                  "not their bytes:")
                       .arg(frame.value(u"attachmentCount").toInt())
                       .arg(frame.value(u"attachmentBytes").toInteger());
        for (qsizetype i = 0; i < attachments.size(); ++i)
            hex += u"\n  #%1: %2 bytes"_s.arg(i).arg(attachments.at(i).toInteger());
        hex += u'\n';
    }
    m_hex->setPlainText(hex);
}
