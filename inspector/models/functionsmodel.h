// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef FUNCTIONSMODEL_H
#define FUNCTIONSMODEL_H

#include <QGbFunction>

#include <QtCore/qabstractitemmodel.h>

// The functions a pool's workers expose (QGbPool::functions(), from
// describe), for the Launch panel: name, mode and signature; the docstring
// is the tool tip.
class FunctionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Mode, Signature, ColumnCount };
    Q_ENUM(Column)

    explicit FunctionsModel(QObject *parent = nullptr);

    // Replaces the list (a model reset: describe answers with every function).
    void setFunctions(const QList<QGbFunction> &functions);
    QList<QGbFunction> functions() const;
    QGbFunction function(int row) const;
    // The row of the function called name, or -1.
    int rowOf(const QString &name) const;
    // "call", "server stream", "client stream" or "bidirectional".
    static QString modeName(QGbFunction::Mode mode);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<QGbFunction> m_functions;
};

#endif // FUNCTIONSMODEL_H
