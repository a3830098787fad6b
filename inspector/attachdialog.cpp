// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "attachdialog.h"

#include "models/poolsmodel.h"

#include <QtConcurrent/qtconcurrentrun.h>
#include <QtWidgets/qboxlayout.h>
#include <QtWidgets/qdialogbuttonbox.h>
#include <QtWidgets/qheaderview.h>
#include <QtWidgets/qlabel.h>
#include <QtWidgets/qpushbutton.h>
#include <QtWidgets/qtableview.h>

using namespace Qt::StringLiterals;

AttachDialog::AttachDialog(QWidget *parent)
    : QDialog(parent)
    , m_model(new PoolsModel(this))
    , m_view(new QTableView(this))
    , m_empty(new QLabel(this))
{
    setWindowTitle(tr("Attach to a pool"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_empty->setText(tr("No inspectable pool of this user in %1.\nStart an application with "
                        "QGOBRIDGE_INSPECT=1, or make its pool inspectable.")
                             .arg(QGbInspectorRegistry::directory()));
    m_empty->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_attach = buttons->addButton(tr("Attach"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        const QModelIndexList rows = m_view->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        m_selected = m_model->pool(rows.first().row());
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        if (!(m_model->flags(index) & Qt::ItemIsEnabled))
            return;
        m_selected = m_model->pool(index.row());
        accept();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &AttachDialog::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &AttachDialog::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &AttachDialog::updateButtons);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view);
    layout->addWidget(m_empty);
    layout->addWidget(buttons);
    resize(760, 320);

    connect(&m_watcher, &QFutureWatcher<QList<QGbInspectorPoolEntry>>::finished, this, [this] {
        m_model->setPools(m_watcher.result());
        m_view->resizeColumnsToContents();
        // The first pool that can be attached to, selected.
        if (!m_view->selectionModel()->hasSelection()) {
            for (int row = 0; row < m_model->rowCount(); ++row) {
                if (m_model->flags(m_model->index(row, 0)) & Qt::ItemIsEnabled) {
                    m_view->selectRow(row);
                    break;
                }
            }
        }
        updateButtons();
    });
    connect(&m_timer, &QTimer::timeout, this, &AttachDialog::refresh);
    m_timer.start(1000);
    refresh();
    updateButtons();
}

AttachDialog::~AttachDialog()
{
    m_watcher.waitForFinished();
}

void AttachDialog::refresh()
{
    if (m_watcher.isRunning())
        return;
    m_watcher.setFuture(QtConcurrent::run([] { return QGbInspectorRegistry::pools(); }));
}

void AttachDialog::updateButtons()
{
    m_empty->setVisible(m_model->rowCount() == 0);
    m_attach->setEnabled(m_view->selectionModel()->hasSelection());
}

QGbInspectorPoolEntry AttachDialog::selectedPool() const
{
    return m_selected;
}

PoolsModel *AttachDialog::model() const
{
    return m_model;
}
