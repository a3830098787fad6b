// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "framesfiltermodel.h"

#include "framesmodel.h"

FramesFilterModel::FramesFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    // Rows are appended at the end and removed from the front: keep the
    // source's order, no sorting.
    setDynamicSortFilter(false);
}

void FramesFilterModel::setDirection(const QString &direction)
{
    m_direction = direction;
    invalidateRowsFilter();
}

void FramesFilterModel::setWorker(int worker)
{
    m_worker = worker;
    invalidateRowsFilter();
}

void FramesFilterModel::setCall(qint64 call, qint64 link)
{
    m_call = call;
    m_link = call ? link : 0;
    invalidateRowsFilter();
}

qint64 FramesFilterModel::call() const
{
    return m_call;
}

qint64 FramesFilterModel::link() const
{
    return m_link;
}

void FramesFilterModel::setMessageType(const QString &type)
{
    m_type = type.trimmed();
    invalidateRowsFilter();
}

void FramesFilterModel::setText(const QString &pattern)
{
    QRegularExpression text(pattern, QRegularExpression::CaseInsensitiveOption);
    m_text = pattern.isEmpty() || !text.isValid() ? QRegularExpression() : text;
    invalidateRowsFilter();
}

bool FramesFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_direction.isEmpty() && index.data(FramesModel::DirectionRole).toString() != m_direction)
        return false;
    if (m_worker >= 0 && index.data(FramesModel::WorkerRole).toInt() != m_worker)
        return false;
    if (m_call != 0 && index.data(FramesModel::CallRole).toLongLong() != m_call)
        return false;
    if (m_link != 0 && index.data(FramesModel::LinkRole).toLongLong() != m_link)
        return false;
    const QString message = index.data(FramesModel::MessageRole).toString();
    if (!m_type.isEmpty() && message != m_type)
        return false;
    if (!m_text.pattern().isEmpty()) {
        return m_text.match(message).hasMatch()
                || m_text.match(index.data(FramesModel::PreviewRole).toString()).hasMatch();
    }
    return true;
}
