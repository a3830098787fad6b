// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef FRAMESFILTERMODEL_H
#define FRAMESFILTERMODEL_H

#include <QtCore/qregularexpression.h>
#include <QtCore/qsortfilterproxymodel.h>

// The frames a FramesModel shows through the Frames view's filters:
// direction, worker, call id, message type, and a regular expression on the
// message type and preview.
class FramesFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit FramesFilterModel(QObject *parent = nullptr);

    // "in", "out" or empty for both.
    void setDirection(const QString &direction);
    // -1 for every worker.
    void setWorker(int worker);
    // 0 for every call. Call ids are per connection: link (the pool's
    // number of the connection, FramesModel::LinkRole) names one, 0 any.
    void setCall(qint64 call, qint64 link = 0);
    qint64 call() const;
    qint64 link() const;
    // A message type ("call", "item", ...) or empty.
    void setMessageType(const QString &type);
    // Matched against the message type and the preview; an invalid or empty
    // pattern matches everything.
    void setText(const QString &pattern);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_direction;
    QString m_type;
    QRegularExpression m_text;
    qint64 m_call = 0;
    qint64 m_link = 0;
    int m_worker = -1;
};

#endif // FRAMESFILTERMODEL_H
