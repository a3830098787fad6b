// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef ATTACHDIALOG_H
#define ATTACHDIALOG_H

#include "qgbinspectorregistry.h"

#include <QtCore/qfuturewatcher.h>
#include <QtCore/qtimer.h>
#include <QtWidgets/qdialog.h>

class PoolsModel;
class QTableView;
class QLabel;
class QPushButton;

// Lists this user's inspectable pools, refreshed every second from the
// registry (read in a thread pool: the GUI thread never waits for the
// file system), and lets the user pick one. Pools the inspector cannot read
// are greyed out with the reason.
class AttachDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AttachDialog(QWidget *parent = nullptr);
    ~AttachDialog() override;

    // The pool chosen, once accepted.
    QGbInspectorPoolEntry selectedPool() const;
    PoolsModel *model() const;

private:
    void refresh();
    void updateButtons();

    PoolsModel *m_model;
    QTableView *m_view;
    QLabel *m_empty;
    QPushButton *m_attach;
    QTimer m_timer;
    QFutureWatcher<QList<QGbInspectorPoolEntry>> m_watcher;
    QGbInspectorPoolEntry m_selected;
};

#endif // ATTACHDIALOG_H
