// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef FRAMEDETAILVIEW_H
#define FRAMEDETAILVIEW_H

#include <QtCore/qjsonobject.h>
#include <QtWidgets/qwidget.h>

class QTreeWidget;
class QTreeWidgetItem;
class QPlainTextEdit;

// The selected frame: its event's fields, its payload preview as a JSON tree
// (as far as the 64 bytes of the preview go), and the preview's bytes in hex.
class FrameDetailView : public QWidget
{
    Q_OBJECT
public:
    explicit FrameDetailView(QWidget *parent = nullptr);

    // A frame event, or an empty object for none.
    void setFrame(const QJsonObject &frame);
    QTreeWidget *tree() const;

    // The bytes of a preview string (each character one byte).
    static QByteArray previewBytes(const QString &preview);
    // Classic hex dump: offset, 16 bytes in hex, the printable ones.
    static QString hexDump(const QByteArray &bytes);

private:
    static void addJson(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value);

    QTreeWidget *m_tree;
    QPlainTextEdit *m_hex;
};

#endif // FRAMEDETAILVIEW_H
