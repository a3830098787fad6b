// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef CHUNKLOG_H
#define CHUNKLOG_H

#include <QtCore/qstringlist.h>
#include <QtCore/qtimer.h>
#include <QtCore/qvariant.h>
#include <QtWidgets/qwidget.h>

class QLabel;
class QPlainTextEdit;

// The items of a stream as they arrive, one JSON line each, in the Launch
// panel. A fast generator must not freeze the window: items are converted
// and counted as they come, but the text grows at most once per flush
// interval (one append of all the lines that waited), and only the first
// maxLines() items are shown; a note under the text counts the others.
class ChunkLog : public QWidget
{
    Q_OBJECT
public:
    explicit ChunkLog(QWidget *parent = nullptr);

    // How many items are shown at most (default 10000).
    int maxLines() const;
    void setMaxLines(int lines);
    // The interval between two appends to the text (default 50 ms).
    int flushInterval() const;
    void setFlushInterval(int msecs);

    // Empties the log for a new call.
    void clear();
    // Takes a batch of items (QGbCall::chunksReceived()).
    void addItems(const QVariantList &items);
    // Shows what waits now (the call ended).
    void flush();

    // Items received since clear(), shown or not.
    qsizetype itemCount() const;
    // Items not shown (past maxLines()).
    qsizetype hiddenCount() const;
    // The lines shown now (tests).
    QStringList shownLines() const;
    QString noteText() const;

Q_SIGNALS:
    // The text grew (after a flush).
    void flushed();

private:
    void updateNote();

    QPlainTextEdit *m_text;
    QLabel *m_note;
    QTimer m_timer;
    QStringList m_pending;
    qsizetype m_items = 0;
    qsizetype m_shown = 0; // lines in the text or pending
    int m_maxLines = 10000;
};

#endif // CHUNKLOG_H
