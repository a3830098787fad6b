// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "chunklog.h"

#include "launcharguments.h"

#include <QtGui/qfontdatabase.h>
#include <QtGui/qtextdocument.h>
#include <QtGui/qtextobject.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qplaintextedit.h>
#include <QtWidgets/qscrollbar.h>

using namespace Qt::StringLiterals;

ChunkLog::ChunkLog(QWidget *parent)
    : QWidget(parent)
    , m_text(new QPlainTextEdit(this))
    , m_note(new QLabel(this))
{
    m_text->setObjectName(u"chunkText"_s);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setUndoRedoEnabled(false);
    m_text->setPlaceholderText(tr("The items a stream yields appear here as they arrive."));
    m_note->setObjectName(u"chunkNote"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_text);
    layout->addWidget(m_note);
    m_timer.setSingleShot(true);
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &ChunkLog::flush);
    updateNote();
}

int ChunkLog::maxLines() const
{
    return m_maxLines;
}

void ChunkLog::setMaxLines(int lines)
{
    m_maxLines = qMax(1, lines);
}

int ChunkLog::flushInterval() const
{
    return m_timer.interval();
}

void ChunkLog::setFlushInterval(int msecs)
{
    m_timer.setInterval(qMax(0, msecs));
}

void ChunkLog::clear()
{
    m_timer.stop();
    m_pending.clear();
    m_text->clear();
    m_items = 0;
    m_shown = 0;
    updateNote();
}

void ChunkLog::addItems(const QVariantList &items)
{
    m_items += items.size();
    // Only what will be shown is converted: past the cap, items are counted.
    for (qsizetype i = 0; i < items.size() && m_shown < m_maxLines; ++i, ++m_shown)
        m_pending.append(LaunchArguments::toJson(items.at(i)));
    if (!m_timer.isActive())
        m_timer.start();
}

void ChunkLog::flush()
{
    m_timer.stop();
    if (!m_pending.isEmpty()) {
        const QScrollBar *bar = m_text->verticalScrollBar();
        const bool follow = bar->value() >= bar->maximum();
        // One append for all of them: a block per line, one layout pass.
        m_text->appendPlainText(m_pending.join(u'\n'));
        m_pending.clear();
        if (follow)
            m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    }
    updateNote();
    emit flushed();
}

qsizetype ChunkLog::itemCount() const
{
    return m_items;
}

qsizetype ChunkLog::hiddenCount() const
{
    return m_items - m_shown;
}

QStringList ChunkLog::shownLines() const
{
    QStringList lines;
    for (QTextBlock block = m_text->document()->begin(); block.isValid(); block = block.next())
        lines.append(block.text());
    if (lines.size() == 1 && lines.first().isEmpty())
        lines.clear();
    return lines;
}

QString ChunkLog::noteText() const
{
    return m_note->text();
}

void ChunkLog::updateNote()
{
    const qsizetype hidden = hiddenCount();
    QString text = m_items == 1 ? tr("1 item") : tr("%1 items").arg(m_items);
    if (hidden > 0)
        text += tr("; the first %1 shown, %2 more not shown").arg(m_shown).arg(hidden);
    m_note->setText(text);
}
