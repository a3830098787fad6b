// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "functionsmodel.h"

#include <QtGui/qfontdatabase.h>

using namespace Qt::StringLiterals;

FunctionsModel::FunctionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void FunctionsModel::setFunctions(const QList<QGbFunction> &functions)
{
    beginResetModel();
    m_functions = functions;
    endResetModel();
}

QList<QGbFunction> FunctionsModel::functions() const
{
    return m_functions;
}

QGbFunction FunctionsModel::function(int row) const
{
    return row >= 0 && row < m_functions.size() ? m_functions.at(row) : QGbFunction();
}

int FunctionsModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_functions.size(); ++row) {
        if (m_functions.at(row).name() == name)
            return row;
    }
    return -1;
}

QString FunctionsModel::modeName(QGbFunction::Mode mode)
{
    switch (mode) {
    case QGbFunction::Call:
        return tr("call");
    case QGbFunction::ServerStream:
        return tr("server stream");
    case QGbFunction::ClientStream:
        return tr("client stream");
    case QGbFunction::Bidirectional:
        return tr("bidirectional");
    }
    return QString();
}

int FunctionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_functions.size());
}

int FunctionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FunctionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const QGbFunction &function = m_functions.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return function.name();
        case Mode:
            return modeName(function.mode());
        case Signature:
            return function.isSignatureKnown() ? function.signature() : tr("(unknown)");
        }
        break;
    case Qt::ToolTipRole:
        return function.doc().isEmpty() ? QVariant(function.signature()) : function.doc();
    case Qt::FontRole:
        if (index.column() == Signature)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        break;
    }
    return QVariant();
}

QVariant FunctionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case Name:
        return tr("Function");
    case Mode:
        return tr("Mode");
    case Signature:
        return tr("Signature");
    }
    return QVariant();
}
